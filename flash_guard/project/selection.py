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
from dataclasses import dataclass
from pathlib import Path

from flash_guard.config.loader import CONFIG_NAMES, Config
from flash_guard.project.files import PYTHON_SUFFIXES
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
PROJECT_FILES = re.compile(
    r"(?:pyproject\.toml|requirements[^/]*\.(?:txt|in)|uv\.lock|poetry\.lock|pdm\.lock"
    r"|Pipfile(?:\.lock)?)\Z"
)


def is_project_file(name: str) -> bool:
    return name in CONFIG_NAMES or PROJECT_FILES.match(name) is not None


def select(paths: list[str], cwd: Path, root: Path, config: Config) -> Selection:
    targets = [_absolute(cwd, raw) for raw in paths]
    # A directory (or a missing path, which the file listing reports) means an
    # ordinary run over what was given.
    if not targets or not all(t.is_file() for t in targets):
        return EVERYTHING_GIVEN
    config_file = _real(_absolute(cwd, str(config.path))) if config.path is not None else None
    real_root = Path(os.path.realpath(root))
    keep = set()
    for target in targets:
        real = _real(target)
        if real == config_file or is_project_file(target.name):
            if _relative(real, real_root) is not None:
                return Selection(analyse_root=True, report_only=None)
            continue
        if not target.name.endswith(PYTHON_SUFFIXES):
            continue  # e.g. a README pre-commit passed along: nothing of ours lives there
        rel = _relative(real, real_root)
        if rel is None:
            continue  # outside the project: no finding can be located there
        # The file listing already drops excluded files; repeating the rule here
        # keeps "an excluded file gets no findings" true even if a later analysis
        # reads excluded modules (say, for their constants).
        if config.exclude and any_match(config.exclude, rel):
            continue
        keep.add(rel)
    return Selection(analyse_root=True, report_only=frozenset(keep))


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
