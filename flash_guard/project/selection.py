"""Explicit file arguments, as pre-commit and editors pass them.

`flash-guard check a.py b.py` cannot analyse only those files: the routes of an
endpoint and the constants its declaration uses often live in other modules, so
a partial analysis would report false problems (no /health route, unresolved
values). When every path is a file, the whole project is analysed and only the
findings whose verdict depends on one of the given files are reported (the
declaration's file, the modules its values come from, its route modules: see
pipeline._record_dependencies). Passing a configuration or dependency file (`.flash-guard.yaml`,
`pyproject.toml`, `requirements*.txt`, a lock file) means "everything may have changed",
so then every finding is reported.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from flash_guard.config.loader import CONFIG_NAMES, Config
from flash_guard.project.files import (
    PYTHON_SUFFIXES,
    UsageError,
    notice,
    printable,
    skipped_dir,
)
from flash_guard.project.globs import any_match


@dataclass(frozen=True)
class Selection:
    """What to analyse and which findings to keep."""

    analyse_root: bool  # analyse the whole project instead of the given paths
    report_only: frozenset[str] | None  # project-relative paths; None keeps every finding


EVERYTHING_GIVEN = Selection(analyse_root=False, report_only=None)

# Files a verdict can depend on without being Python: the configuration and what decides
# the installed packages (deploy checks read requirements and pins). .pre-commit-hooks.yaml
# passes the same names to the hook.
# .runpodignore decides which files runpod 2.0 ships (FG306), so a change to it is one too.
PROJECT_FILES = re.compile(
    r"(?:pyproject\.toml|requirements[^/]*\.(?:txt|in)|uv\.lock|poetry\.lock|pdm\.lock"
    r"|Pipfile(?:\.lock)?|\.runpodignore)\Z"
)


def is_project_file(name: str) -> bool:
    return name in CONFIG_NAMES or PROJECT_FILES.match(name) is not None


def select(paths: list[str], cwd: Path, root: Path, config: Config) -> Selection:
    targets = [(raw, _absolute(cwd, raw)) for raw in paths]
    # A directory (or a missing path, which the file listing reports) means an
    # ordinary run over what was given; files of any other kind (a FIFO, a device, a path
    # that cannot be reached) are given files, named below when they cannot be analysed.
    if not targets or any(_kind(t) in ("dir", "missing") for _, t in targets):
        return EVERYTHING_GIVEN
    config_file = _real(_absolute(cwd, str(config.path))) if config.path is not None else None
    real_root = Path(os.path.realpath(root))
    keep = set()
    excluded = 0
    for raw, target in targets:
        real = _real(target)
        # A configuration or dependency file decides every verdict of its project.
        is_config = real == config_file or is_project_file(target.name)
        if is_config and _relative(real, real_root) is not None:
            return Selection(analyse_root=True, report_only=None)
        rel = _relative(real, real_root)
        reason = _reason(target, rel, config) or _leaves_root(target, real_root)
        if reason is None:
            keep.add(rel if rel.isascii() else printable(rel))
            continue
        notice(f"{raw}: not analysed: {reason}")
        # The file listing already drops excluded files; repeating the rule here
        # keeps "an excluded file gets no findings" true even if a later analysis
        # reads excluded modules (say, for their constants). Excluded and always-skipped
        # files are left out by design: passing only those is no failure.
        excluded += reason == EXCLUDED or reason.startswith(SKIPPED_PREFIX)
    if not keep and not excluded:
        # Nothing asked for can be checked: "All checks passed" would be a lie.
        raise UsageError("none of the given paths can be analysed")
    return Selection(analyse_root=True, report_only=frozenset(keep))


EXCLUDED = "excluded by the configuration's `exclude`"
# A file under a directory that is never analysed (dot-directories, venv, node_modules, ...):
# left out by design, as an excluded file is, so pre-commit passing only such files (a commit
# to `.github/scripts/deploy.py`) is a clean run, not an error.
SKIPPED_PREFIX = "it is under "


def _kind(target: Path) -> str:
    """dir, file (regular), other (a FIFO, a device), denied, or missing."""
    try:
        info = os.stat(target)
    except PermissionError:
        return "denied"
    except (OSError, ValueError):
        try:
            os.lstat(target)
        except PermissionError:
            return "denied"
        except (OSError, ValueError):
            return "missing"
        return "other"  # a dangling symlink: the listing reports it as unreadable
    if stat.S_ISDIR(info.st_mode):
        return "dir"
    return "file" if stat.S_ISREG(info.st_mode) else "other"


def _reason(target: Path, rel: str | None, config: Config) -> str | None:
    kind = _kind(target)
    if kind == "denied":
        return "permission denied"
    if kind == "other" and rel is not None:
        return "not a regular file"
    if not target.name.endswith(PYTHON_SUFFIXES):
        return "not a .py or .pyi file"
    if rel is None:
        return "outside the project root"
    hidden = next((p for p in rel.split("/")[:-1] if skipped_dir(p)), None)
    if hidden is not None:
        return f"{SKIPPED_PREFIX}`{hidden}/`, which is never analysed"
    if config.exclude and any_match(config.exclude, rel):
        return EXCLUDED
    return None


def _leaves_root(target: Path, real_root: Path) -> str | None:
    """The listing reads no symlink whose target is outside the project: said as it says it
    (it was reported after the listing as "ignored by a .gitignore file")."""
    if target.is_symlink() and _relative(Path(os.path.realpath(target)), real_root) is None:
        return "a symlink to a file outside the project"
    return None


def report_unanalysed(report_only: frozenset[str] | None, analysed: set[str], workspace) -> None:
    """After the file listing: name each given file the project listing did not include
    (git-ignored, in a nested repository or submodule); exit 2 if none was included."""
    if not report_only:
        return
    missing = sorted(report_only - analysed)
    for rel in missing:
        reason = _listing_reason(rel, workspace.root, workspace.in_git)
        notice(f"{rel}: not analysed: {reason}")
    if len(missing) == len(report_only):
        raise UsageError("none of the given paths can be analysed")


def _listing_reason(rel: str, root: Path, in_git: bool) -> str:
    parts = rel.split("/")[:-1]
    for i in range(len(parts), 0, -1):
        if os.path.lexists(root.joinpath(*parts[:i], ".git")):
            return "it is inside a nested git repository or submodule"
    return "ignored by git" if in_git else "ignored by a .gitignore file"


def _absolute(cwd: Path, raw: str) -> Path:
    path = Path(raw)
    return path if path.is_absolute() else cwd / path


def _real(path: Path) -> Path:
    # Resolve the directory, not a symlinked file itself: the analysis names a
    # symlink by where it sits in the tree, not by its target.
    absolute = Path(os.path.abspath(path))
    return Path(os.path.realpath(absolute.parent)) / absolute.name


def _relative(path: Path, root: Path) -> str | None:
    try:
        rel = path.relative_to(root)
    except ValueError:
        return None
    return rel.as_posix()


# -- file mode evaluates only what it can report ----------------------------------------------
# A pre-commit run analyses the whole project but reports only the findings that depend on
# the given files; evaluating every other endpoint's checklist is wasted unless the output
# shows each endpoint's scorecard (json, markdown, --diff-base), where the CLI asks for all.


def endpoints_to_evaluate(endpoints: list, report_only: frozenset[str], analysis=None) -> set[int]:
    """The indices of the endpoints whose findings a run reporting on `report_only` can show:
    those touching a given file, those whose FG301 findings may sit in one (`analysis`), and
    those sharing a file with one of them (an unresolved expression's FG002 names every
    endpoint using it, whichever file was given)."""
    touched = [_files_touched(ep) for ep in endpoints]
    direct = {i for i, files in enumerate(touched) if not files.isdisjoint(report_only)}
    if analysis is not None:
        direct |= _reported_in_other_modules(endpoints, report_only, analysis)
    reach = set(report_only).union(*(touched[i] for i in direct))
    return {i for i, files in enumerate(touched) if not files.isdisjoint(reach)}


def _reported_in_other_modules(endpoints: list, report_only: frozenset[str], analysis) -> set[int]:
    """FG301 findings located outside an endpoint's own files: the app's first built
    declaration carries the imports only an `__init__.py` satisfies, in any module of the app
    `flash build` scans; an endpoint whose function a module calls on import is reported at
    that call, in the importing module."""
    from flash_guard.checks.placement import first_built_declarations
    from flash_guard.project.apps import app_map

    apps = app_map(analysis)
    given_apps = {apps.app_of(path) for path in report_only}
    owners = first_built_declarations(endpoints)
    importers = analysis.modules.importers()
    out = set()
    for i, ep in enumerate(endpoints):
        carries_app_imports = ep.app in given_apps and owners.get(ep.app) == (ep.path, ep.span)
        if carries_app_imports or any(p in report_only for p, _, _ in importers.get(ep.path, ())):
            out.add(i)
    return out


def _files_touched(endpoint) -> set[str]:
    """Every file an endpoint's findings can be located in or depend on: its dependency record
    and the file of every value, route, target and piece reachable from it."""
    files = set(endpoint.depends_on)
    seen: set[int] = set()
    stack = [endpoint]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend(obj)
        elif isinstance(obj, dict):
            stack.extend(obj.values())
        elif type(obj).__module__ == "flash_guard.model":  # Value, Route, BodyFacts, Opaque
            if type(obj).__name__ in ("BodyFacts", "Span", "EnumRef"):
                files.add(getattr(obj, "path", ""))  # a body's reads are in its own file
                continue
            for name in obj.__dataclass_fields__:
                if name == "sdk_release":  # the SDK's tables: no file of the project
                    continue
                value = getattr(obj, name, None)
                if name in ("path", "file", "app_path") and isinstance(value, str):
                    files.add(value)
                elif value is not None and not isinstance(value, (str, int, float, bool)):
                    stack.append(value)
    if endpoint.factory_call:
        files.add(endpoint.factory_call[0])
    if endpoint.handed_from:
        files.add(endpoint.handed_from[0])
    files.discard("")
    return files
