"""Where the projects are: for each checked path its root, configuration and git status.

As in ruff, the configuration is found from the paths, not the working directory: each
checked file uses the nearest `.flash-guard.yaml` or `[tool.flash-guard]` above it (up to
the git root inside git, the filesystem root outside). A directory given to check that
holds other configurations below it is split: each such subtree is its own workspace with
its own settings, and the enclosing workspace leaves it out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from flash_guard.config.loader import CONFIG_NAMES, Config, config_in, find_config, load_config
from flash_guard.project.files import git_root, run_git
from flash_guard.project.globs import any_match
from flash_guard.project.skipped import ALWAYS_SKIPPED_DIRS


@dataclass
class Workspace:
    """One project being checked: its root directory, configuration and git status."""

    root: Path
    config: Config
    in_git: bool
    # Set when only files were given (pre-commit): the project-relative paths whose findings
    # are reported; None reports every finding.
    report_only: frozenset[str] | None = None
    # What to check here (absolute paths), and the subtrees with their own configuration
    # (root-relative, as exclude patterns).
    paths: list[str] = field(default_factory=list)
    nested: list[str] = field(default_factory=list)


def locate_workspace(config_path: Path | None, cwd: Path) -> Workspace:
    """The one workspace of an explicit `--config`, or of the working directory."""
    return plan_workspaces(["."], config_path, cwd)[0]


def plan_workspaces(paths: list[str], config_path: Path | None, cwd: Path) -> list[Workspace]:
    paths = paths or ["."]
    targets = [_absolute(cwd, raw) for raw in paths]
    raw_of = dict(zip(targets, paths, strict=False))  # messages name paths as given
    first = next((t for t in targets if _exists(t)), cwd)
    top = git_root(first if _is_dir(first) else first.parent)
    if config_path is not None:
        config = load_config(config_path, _label(config_path, cwd))
        workspace = Workspace(top or _root_outside_git(targets, cwd), config, top is not None)
        workspace.paths = list(paths)
        return [workspace]
    groups: dict[Path | None, list[Path]] = {}
    for target in targets:
        start = target if _is_dir(target) else target.parent
        found = find_config(start, top) if _exists(start) else None
        groups.setdefault(found, []).append(target)
    # Configurations below a directory being checked take their subtree over. A changed
    # configuration or dependency file (pre-commit) stands for its whole directory.
    from flash_guard.project.selection import is_project_file

    scanned = {
        t if _is_dir(t) else t.parent for t in targets if _is_dir(t) or is_project_file(t.name)
    }
    for target in sorted(scanned):
        for nested in _configs_below(target, top is not None):
            if nested not in groups:
                groups[nested] = [nested.parent]
    workspaces = []
    nested_only = {p for p, members in groups.items() if p is not None and members == [p.parent]}
    for path, members in groups.items():
        root = path.parent if path is not None else (top or _root_outside_git(targets, cwd))
        config = load_config(path, _label(path, cwd) if path else None)
        given = [raw_of.get(m, str(m)) for m in members]
        workspace = Workspace(root, config, top is not None, paths=given)
        workspaces.append(workspace)
    workspaces = [w for w in workspaces if not _excluded_by_parent(w, workspaces, nested_only)]
    for workspace in workspaces:
        workspace.nested = [
            other.root.relative_to(workspace.root).as_posix() + "/"
            for other in workspaces
            if other is not workspace and _strictly_below(other.root, workspace.root)
        ]
    return workspaces


def _root_outside_git(targets: list[Path], cwd: Path) -> Path:
    """The root of paths in no git work tree and under no configuration: the working
    directory when they lie in it, else the directory they share (`flash-guard check
    /tmp/proj` run elsewhere reports `app.py`, not `../../tmp/proj/app.py`, and a file given
    there is checked, not refused as outside the project)."""
    here = Path(os.path.realpath(cwd))
    dirs = [Path(os.path.realpath(t if _is_dir(t) else t.parent)) for t in targets if _exists(t)]
    if not dirs or all(d == here or here in d.parents for d in dirs):
        return cwd.resolve()
    return Path(os.path.commonpath(dirs))


def _is_dir(path: Path) -> bool:
    # Path.is_dir raises on EACCES (a directory without search permission above `path`):
    # such a path is reported by the listing (FG001), it must not end the run here.
    try:
        return path.is_dir()
    except OSError:
        return False


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False


def _excluded_by_parent(workspace: Workspace, workspaces: list[Workspace], nested_only) -> bool:
    """A nested configuration in a directory its parent excludes (a fixture project, say)
    is not a project to check."""
    if workspace.config.path not in nested_only:
        return False
    parents = [w for w in workspaces if _strictly_below(workspace.root, w.root)]
    if not parents:
        return False
    parent = max(parents, key=lambda w: len(w.root.parts))
    rel = workspace.root.relative_to(parent.root).as_posix()
    return bool(parent.config.exclude) and any_match(parent.config.exclude, rel)


def _configs_below(directory: Path, in_git: bool) -> list[Path]:
    """Configuration files strictly below `directory` (not in it), nearest first."""
    found = []
    for folder in _folders_with_config_names(directory, in_git):
        if folder == directory:
            continue
        config = config_in(folder)
        if config is not None:
            found.append(config)
    return sorted(found, key=lambda p: (len(p.parts), p))  # a set in: order by path too


def _folders_with_config_names(directory: Path, in_git: bool) -> set[Path]:
    names = (*CONFIG_NAMES, "pyproject.toml")
    if in_git:
        listed = _git_config_listing(directory, names)
        if listed is not None:
            return listed
    out = set()
    for here, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in ALWAYS_SKIPPED_DIRS]
        if any(name in files for name in names):
            out.add(Path(here))
    return out


def _git_config_listing(directory: Path, names: tuple[str, ...]) -> set[Path] | None:
    specs = [f":(glob)**/{name}" for name in names]
    # run_git: the tree's hooks, fsmonitor and pager never run (issue 10 item 10).
    out = run_git(
        ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *specs],
        directory,
        60,
    )
    if out is None or out.returncode != 0:
        return None
    listed = [n for n in out.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    return {(directory / n).parent for n in listed}


def _strictly_below(path: Path, ancestor: Path) -> bool:
    return path != ancestor and ancestor in path.parents


def _absolute(cwd: Path, raw: str) -> Path:
    path = Path(raw)
    return Path(os.path.abspath(path if path.is_absolute() else cwd / path))


def _label(path: Path, cwd: Path) -> str:
    # The configuration's own name, not its symlink's target (which may not even exist).
    try:
        return str((path.parent.resolve() / path.name).relative_to(cwd.resolve()))
    except ValueError:
        return str(path)
