"""Install step of the flash-guard GitHub Action (see action.yml).

Runs with the interpreter actions/setup-python provided and installs
flash-guard into its own virtual environment under $RUNNER_TEMP, so the user's
Python, PATH and packages are left alone. Without a `version` input the action's
own checkout is installed, so `uses: owner/flash-guard@<sha>` runs exactly that
commit; with one, that release comes from PyPI.

Nothing is resolved or fetched unpinned: the dependencies come from
action/requirements.txt with `--require-hashes --no-deps`, then flash-guard
itself with `--no-deps --no-build-isolation` (its build backend is pinned in the
same file), and `pip check` fails the step if they do not fit together.

The workspace holds the repository being analysed, which may be hostile: a
`pip/`, `venv/` or `sitecustomize.py` there must not run. So every interpreter
started here runs isolated (`-I`: no current directory or script directory on
sys.path, no PYTHON* variables, no user site-packages) and in $RUNNER_TEMP,
never in the workspace. action.yml starts this script with `-I` too.

Inputs arrive as environment variables (never interpolated into the script):
INPUT_VERSION. Output: `python`, the virtual environment's interpreter.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

# An exact release such as 0.3.1 or 1.0.0rc1: never an option or a URL for pip.
_VERSION = re.compile(r"^[0-9][0-9A-Za-z.+!-]*$")
REQUIREMENTS = Path("action") / "requirements.txt"


def requirement(version: str, action_path: str) -> str:
    version = version.strip()
    if not version:
        if not action_path:
            raise ValueError("GITHUB_ACTION_PATH is not set: run this script from action.yml")
        return action_path
    if not _VERSION.match(version):
        raise ValueError(f"version: {version!r} is not a release number such as 0.1.0")
    return f"flash-guard=={version}"


def venv_python(venv: Path) -> Path:
    windows = venv / "Scripts" / "python.exe"
    return windows if windows.exists() else venv / "bin" / "python"


def commands(python: Path, spec: str, action_path: str) -> list[list[str]]:
    """What runs in the virtual environment, in order, once it exists."""
    pip = [str(python), "-I", "-m", "pip"]
    install = [*pip, "install", "--disable-pip-version-check", "--no-input", "--quiet"]
    requirements = str(Path(action_path) / REQUIREMENTS)
    return [
        [*install, "--require-hashes", "--no-deps", "-r", requirements],
        [*install, "--no-deps", "--no-build-isolation", spec],
        [*pip, "check"],
        [str(python), "-I", "-m", "flash_guard", "--version"],
    ]


def write_output(name: str, value: str) -> None:
    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        print(f"{name}={value}")
        return
    with open(target, "a", encoding="utf-8") as out:
        out.write(f"{name}={value}\n")


def main() -> int:
    action_path = os.environ.get("GITHUB_ACTION_PATH", "")
    action_path = os.path.abspath(action_path) if action_path else ""
    try:
        spec = requirement(os.environ.get("INPUT_VERSION", ""), action_path)
        if not action_path:
            raise ValueError("GITHUB_ACTION_PATH is not set: run this script from action.yml")
    except ValueError as exc:
        print(f"::error title=flash-guard::{exc}")
        return 2
    temp = Path(os.environ.get("RUNNER_TEMP") or tempfile.gettempdir()).resolve()
    venv = temp / "flash-guard-venv"
    subprocess.run([sys.executable, "-I", "-m", "venv", "--clear", str(venv)], cwd=temp, check=True)
    python = venv_python(venv)
    for args in commands(python, spec, action_path):
        subprocess.run(args, cwd=temp, check=True)
    write_output("python", str(python))
    return 0


if __name__ == "__main__":
    sys.exit(main())
