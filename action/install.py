"""Install step of the flash-guard GitHub Action (see action.yml).

Runs with the interpreter actions/setup-python provided and installs
flash-guard into its own virtual environment under $RUNNER_TEMP, so the user's
Python, PATH and packages are left alone. Without a `version` input the action's
own checkout is installed, so `uses: owner/flash-guard@<sha>` runs exactly that
commit; with one, that release comes from PyPI.

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


def write_output(name: str, value: str) -> None:
    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        print(f"{name}={value}")
        return
    with open(target, "a", encoding="utf-8") as out:
        out.write(f"{name}={value}\n")


def main() -> int:
    try:
        spec = requirement(
            os.environ.get("INPUT_VERSION", ""), os.environ.get("GITHUB_ACTION_PATH", "")
        )
    except ValueError as exc:
        print(f"::error title=flash-guard::{exc}")
        return 2
    temp = Path(os.environ.get("RUNNER_TEMP") or tempfile.gettempdir())
    venv = temp / "flash-guard-venv"
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    python = venv_python(venv)
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--no-input"]
    subprocess.run([*pip, "--quiet", spec], check=True)
    subprocess.run([str(python), "-m", "flash_guard", "--version"], check=True)
    write_output("python", str(python))
    return 0


if __name__ == "__main__":
    sys.exit(main())
