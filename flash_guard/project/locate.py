"""Where the project is: its root, whether it is in git, and its configuration."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flash_guard.config.loader import Config, find_config, load_config
from flash_guard.project.files import git_root


@dataclass
class Workspace:
    """The project being checked: its root directory, configuration and git status."""

    root: Path
    config: Config
    in_git: bool
    # Set when only files were given (pre-commit): the project-relative paths whose findings
    # are reported; None reports every finding.
    report_only: frozenset[str] | None = None


def locate_workspace(config_path: Path | None, cwd: Path) -> Workspace:
    top = git_root(cwd)
    path = config_path if config_path is not None else find_config(cwd, top)
    label = None
    if path is not None:
        try:
            label = str(path.resolve().relative_to(cwd.resolve()))
        except ValueError:
            label = str(path)
    config = load_config(path, label)
    if path is not None and config_path is None:
        root = path.resolve().parent
    else:
        root = top or cwd.resolve()
    return Workspace(root, config, top is not None)
