"""Where a declaration sits, and whether `flash build` (which imports each module and reads
its globals) can see it. Shared by the rules about deployment visibility (FG207, FG208,
FG301, FG302)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flash_guard.checks.sites import build_ignored
from flash_guard.discover.facts import Block
from flash_guard.model import Endpoint

# `if` headers whose body never runs when a module is imported by name (as the build does).
_NEVER_RUNS = re.compile(
    r"""^if\s+(?:__name__\s*==\s*['"]__main__['"]|['"]__main__['"]\s*==\s*__name__"""
    r"""|(?:typing\.)?TYPE_CHECKING)\s*:"""
)
_CONDITIONAL = ("if", "elif", "else", "match", "case", "try", "except")


@dataclass
class Hidden:
    """Why the build cannot (or may not) see something: `where` it is, and `why` that hides
    it. `certain` means it is never seen, rather than only in some builds."""

    where: str
    why: str
    certain: bool = True


def hidden_at(path: str, placement: str, blocks: tuple[Block, ...]) -> Hidden | None:
    """Why `flash build` would not see code placed so in `path`, or None if it would."""
    if path.rsplit("/", 1)[-1] == "__init__.py":
        return Hidden(f"in `{path}`", "flash build never imports `__init__.py` files")
    pattern = build_ignored(path)
    if pattern is not None:
        return Hidden(f"in `{path}`", f"flash build leaves `{pattern}` paths out of the build")
    if placement == "module":
        return None
    return classify(blocks)


def classify(blocks: tuple[Block, ...]) -> Hidden | None:
    """The reason the innermost-first chain of enclosing blocks hides a declaration."""
    for block in blocks:
        if block.kind == "function":
            return Hidden(
                f"inside function `{block.name or 'lambda'}`",
                "flash build imports each module and reads its globals; "
                "it never calls the function",
            )
    for block in blocks:
        if block.kind == "class":
            return Hidden(
                f"in the body of class `{block.name}`",
                "flash build reads module globals, not class attributes",
            )
    for i, block in enumerate(blocks):
        in_branch = i > 0 and blocks[i - 1].kind in ("elif", "else")
        if block.kind == "if" and not in_branch and _NEVER_RUNS.match(block.header):
            return Hidden(
                f"under `{block.header}`",
                "that block does not run when flash build imports the module",
            )
    for block in blocks:
        if block.kind == "loop":
            return Hidden(
                f"inside `{block.header}`",
                "flash build reads module globals after the import, so at most what the last "
                "iteration left behind is deployed",
                certain=False,
            )
    for i, block in enumerate(blocks):
        if block.kind in _CONDITIONAL:
            return _conditional(block, blocks[i + 1] if i + 1 < len(blocks) else None)
    return None  # only `with` / `finally` bodies, which always run


def _conditional(block: Block, parent: Block | None) -> Hidden:
    if block.kind == "try":
        return Hidden(
            f"inside `{block.header}`",
            "if anything in that block raises while flash build imports the module, the "
            "endpoint silently disappears",
            certain=False,
        )
    if block.kind == "except":
        return Hidden(
            f"inside `{block.header}`",
            "it exists only when the `try` block failed while flash build imported the module",
            certain=False,
        )
    where = f"inside `{block.header}`"
    if block.kind in ("elif", "else", "case") and parent is not None:
        where = f"in the `{block.header}` branch of `{parent.header}`"
    return Hidden(
        where,
        "flash build sees it only if that branch runs when it imports the module on the "
        "build machine",
        certain=False,
    )


def visible_to_build(endpoint: Endpoint) -> bool:
    if not endpoint.deployable or endpoint.scope == "function" or endpoint.in_init:
        return False
    return bool(endpoint.targets or endpoint.routes or endpoint.kind == "image")
