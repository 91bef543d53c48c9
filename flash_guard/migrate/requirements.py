"""The SDK requirement of a migrated app: `runpod-flash`/`tetra-rp` becomes `runpod==2.0.0rc2`.

Code moved to runpod 2.0 with `runpod-flash` still in `requirements.txt` keeps installing the
old SDK, and with it runpod 1.x, which has no `runpod.App` (FG213); rc2's build also vendors
the root `requirements.txt` (runpod-sdk2.md §5.3). So when every file of an app moves, the
app's requirement files name the 2.0 release instead: the first SDK requirement of each file is
rewritten in place (its environment marker and comment kept), the others are dropped from
`requirements*.txt` and listed for pyproject.toml. When files stay on runpod_flash, nothing is
edited and the report says that the migrated files need the 2.0 requirement beside the old
one. Lock files cannot be edited; the report names each one to regenerate.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flash_guard.fix.edits import Edit
from flash_guard.project.sdk_version import (
    LOCK_FILES,
    Requirement,
    app_and_parents,
    lock_versions,
    parse_requirement,
    pyproject_specs,
    read_text,
    requirement_files,
)
from flash_guard.sdk.runpod2_tables import SDK_VERSION

NEW_REQUIREMENT = f"runpod=={SDK_VERSION}"
# `runpod` too: a 1.x pin (a serverless worker's) must not hold a 2.0 app back.
OLD_SDKS = frozenset({"runpod-flash", "tetra-rp", "runpod"})
LOCK_COMMANDS = {
    "uv.lock": "uv lock",
    "poetry.lock": "poetry lock",
    "pdm.lock": "pdm lock",
    "Pipfile.lock": "pipenv lock",
}


@dataclass
class Change:
    path: str  # project-relative
    line: int
    before: str  # the requirement as written
    after: str | None  # None: dropped


@dataclass
class RequirementsPlan:
    edits: dict[str, list[Edit]] = field(default_factory=dict)  # path -> edits of its text
    changes: list[Change] = field(default_factory=list)
    by_hand: list[str] = field(default_factory=list)  # what the report asks a human to do
    locks: list[str] = field(default_factory=list)  # "uv.lock: run `uv lock`"


def plan_requirements(
    root: Path, app_root: str, text_of: Callable[[str], str | None], left_on_flash: int
) -> RequirementsPlan:
    """Edits to the requirement files of the app at `app_root`, as offsets into the text
    `text_of(project-relative path)` gives (the text the edits will be applied to: its
    newlines as in the file), or None for a file that cannot be read."""
    plan = RequirementsPlan()
    base = root if app_root == "." else root / app_root
    for name, reader in requirement_files(base):
        path = name if app_root == "." else f"{app_root}/{name}"
        text = text_of(path)
        if text is None:
            continue
        named = [r for r in reader(text, path) if r.name in OLD_SDKS]
        if not named:
            continue
        if left_on_flash:
            # The migrated files need runpod 2.0 already: with only the old SDK (and the
            # runpod 1.x it brings) `import runpod; runpod.App` fails (FG213).
            plan.by_hand.append(
                f"{path}:{named[0].line}: keeps `{named[0].name}{named[0].specifier}` while "
                f"{left_on_flash} file(s) stay on runpod_flash, but the migrated files need "
                f"{NEW_REQUIREMENT} now (runpod 1.x has no runpod.App): add it beside "
                "(runpod-flash 1.21 installs with it), and drop the old SDK when they move"
            )
            continue
        if name == "pyproject.toml":
            _plan_pyproject(plan, path, text, named)
        else:
            _plan_requirements_txt(plan, path, text, named)
    if not left_on_flash and (plan.changes or plan.by_hand):
        for directory in app_and_parents(app_root):
            folder = root if directory == "." else root / directory
            for lock in LOCK_FILES:
                text = None if os.path.islink(folder / lock) else read_text(folder / lock)
                if text is not None and OLD_SDKS & set(lock_versions(lock, text)):
                    shown = lock if directory == "." else f"{directory}/{lock}"
                    plan.locks.append(f"{shown}: regenerate it (`{LOCK_COMMANDS[lock]}`)")
    return plan


def _plan_requirements_txt(plan, path: str, text: str, named: list[Requirement]) -> None:
    # A hash-pinned (or `\`-continued) requirement: rewriting its first line would leave the
    # old release's hashes (or a dangling `--hash` line); the file is regenerated instead.
    for r in named:
        if r.options or r.end_line > r.line:
            plan.by_hand.append(
                f"{path}:{r.line}: `{r.name}{r.specifier}` carries options (--hash) or "
                f"continues over lines; write {NEW_REQUIREMENT} by hand and regenerate the "
                "file's hashes"
            )
            return
    # Lines as requirements_txt numbers them (splitlines: a lone CR or form feed ends one too).
    lines = text.splitlines(keepends=True)
    starts = list(itertools.accumulate((len(line) for line in lines), initial=0))
    written = {r.line: _written(lines[r.line - 1]) for r in named}
    # A line that already says the 2.0 release stays; the others go.
    named = sorted(named, key=lambda r: written[r.line] != NEW_REQUIREMENT)
    for index, requirement in enumerate(named):
        start, line, shown = (
            starts[requirement.line - 1],
            lines[requirement.line - 1],
            written[requirement.line],
        )
        if index > 0:
            plan.edits.setdefault(path, []).append(Edit(start, start + len(line), ""))
            plan.changes.append(Change(path, requirement.line, shown, None))
        elif shown != NEW_REQUIREMENT:
            offset = start + line.index(shown)
            plan.edits.setdefault(path, []).append(
                Edit(offset, offset + len(shown), NEW_REQUIREMENT)
            )
            plan.changes.append(Change(path, requirement.line, shown, NEW_REQUIREMENT))


def _plan_pyproject(plan, path: str, text: str, named: list[Requirement]) -> None:
    """The first SDK requirement's text (name and specifier, as TOML decodes it) is rewritten
    where it is the only such text in the file; anything less certain is left to a human."""
    specs = [spec for spec in pyproject_specs(text) if _names(spec, named[0])]
    head = specs[0].split(";", 1)[0].strip() if len(specs) == 1 else ""
    if not head or text.count(head) != 1:
        plan.by_hand.append(f"{path}:{named[0].line}: write {NEW_REQUIREMENT} for the SDK by hand")
    else:
        offset = text.index(head)
        line = text.count("\n", 0, offset) + 1
        plan.edits.setdefault(path, []).append(Edit(offset, offset + len(head), NEW_REQUIREMENT))
        plan.changes.append(Change(path, line, head, NEW_REQUIREMENT))
    for other in named[1:]:
        plan.by_hand.append(
            f"{path}:{other.line}: remove this SDK requirement ({NEW_REQUIREMENT} replaces it)"
        )


def _names(spec: str, requirement: Requirement) -> bool:
    parsed = parse_requirement(spec)
    return parsed is not None and parsed[0] == requirement.name


def _written(line: str) -> str:
    """The requirement as its line writes it, without marker, comment or surrounding space."""
    line = line.split(" #", 1)[0].split("\t#", 1)[0]
    return line.split(";", 1)[0].strip()
