"""FG301: a declaration that `flash build` never sees, so nothing is deployed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flash_guard.checks.base import Check, fail_at, register
from flash_guard.checks.sites import build_ignored, declaration_call, uses
from flash_guard.discover.extract import Block

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


@register
class NotDeployed(Check):
    """Mirrors how `flash build` discovers endpoints: it copies the project minus its
    built-in ignore patterns, imports every module except `__init__.py`, and reads the
    module's globals for decorated functions and routes (flash-sdk.md §5).

    It fails, at the declaration, when the declaration sits in an `__init__.py`, under an
    ignored path (a `tests/`, `docs/`, `env/`, `build/`, `dist/`, `venv/` or `.venv/`
    directory at any depth, `test_*.py`, `*_test.py`), in a function or class body, in a
    loop, or in a conditional block at module level (`if`/`elif`/`else`, `match`, `try`/
    `except`; a module-level `with` or `finally` body always runs and is not flagged).
    `if __name__ == "__main__":` and `if TYPE_CHECKING:` bodies never run under the build.
    It also fails when an `Endpoint` without `id=`/`image=` is never used as a decorator or
    for a route, or only in such hidden places; and at each hidden decorator use or route of
    an endpoint that is otherwise deployed. A module-level `Endpoint(image=...)` needs no
    use: `flash deploy` provisions it (1.21)."""

    id = "not-deployed"

    def check(self, endpoint, params, ctx):
        analysis = ctx.analysis
        files = analysis.project.files
        name = f"`{endpoint.display_name}`"
        image = endpoint.kind == "image"
        gone = "flash deploy does not provision it" if image else "nothing is deployed"
        declaration = declaration_call(endpoint, files)
        hidden = hidden_at(endpoint.path, declaration.placement, declaration.blocks)
        if hidden is not None:
            message = f"{name} is declared {hidden.where}: {hidden.why}"
            return [fail_at(endpoint, _tail(message, hidden, gone), endpoint.path, endpoint.span)]
        if image:
            return []
        all_uses = uses(endpoint, files)
        if not all_uses:
            if endpoint.api == "legacy":
                return []
            var = endpoint.variable or "ep"
            message = (
                f"{name} is an `Endpoint` that is never used as a decorator (`@{var}`) or "
                f"for a route (`@{var}.post(...)`): flash build only deploys endpoints with a "
                f"decorated function or a route, so {gone}"
            )
            return [fail_at(endpoint, message, endpoint.path, endpoint.span)]
        hidden_uses = [
            (use, reason)
            for use in all_uses
            if (reason := hidden_at(use.path, use.placement, use.blocks)) is not None
        ]
        if len(hidden_uses) == len(all_uses):
            use, reason = hidden_uses[0]
            message = f"{name} is only used {reason.where} ({use.label}): {reason.why}"
            return [fail_at(endpoint, _tail(message, reason, gone), endpoint.path, endpoint.span)]
        return [
            fail_at(
                endpoint,
                _tail(
                    f"{use.label} is {reason.where}: {reason.why}",
                    reason,
                    f"{name} is deployed without it",
                ),
                use.path,
                use.span,
                parameter=f"use:{use.target}",
            )
            for use, reason in hidden_uses
        ]


def _tail(message: str, hidden: Hidden, consequence: str) -> str:
    return f"{message}, so {consequence}" if hidden.certain else message


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
