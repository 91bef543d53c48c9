"""Test helpers: a committed copy of the checkout under test, and throwaway git repos.

pre-commit installs a hook repository from a git commit, and pip installs
flash-guard from a directory. Using the checkout itself would test whatever its
HEAD holds (pre-commit's try-repo only carries over staged and tracked-modified
files, never new ones); a snapshot of the working tree tests the code as it is,
both here and on a clean CI clone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
# What building and running flash-guard needs; nothing else is copied.
PACKAGE_FILES = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "action.yml")
PACKAGE_DIRS = ("flash_guard", "action")

GIT_ENV = {
    "GIT_AUTHOR_NAME": "flash-guard tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "flash-guard tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV, "GIT_CONFIG_GLOBAL": os.devnull}
    out = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def snapshot(target: Path) -> Path:
    """Copy the checkout's package files into `target`, commit them, return `target`."""
    target.mkdir(parents=True)
    for name in PACKAGE_FILES:
        source = CHECKOUT / name
        if source.exists():
            shutil.copy2(source, target / name)
    if not (target / "README.md").exists():  # pyproject's readme must exist to build
        (target / "README.md").write_text("# flash-guard\n", "utf-8")
    for name in PACKAGE_DIRS:
        shutil.copytree(
            CHECKOUT / name,
            target / name,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"),
        )
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "snapshot of the checkout under test")
    return target


def git_project(root: Path, files: dict[str, str]) -> Path:
    """A git work tree holding `files` (dedented), all committed."""
    root.mkdir(parents=True)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "project")
    return root
