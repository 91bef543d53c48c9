"""flash-guard is static: nothing in the checked project is ever imported or run.

The project below would, if any of it were imported or evaluated, create a marker file (each
vector its own) or end the process early (`os._exit(3)`, `sys.exit(4)`). flash-guard runs as a
real subprocess, both as the installed `flash-guard` command and as `python -m flash_guard`
from inside the project (where Python puts the project directory first on `sys.path`, so a
project file named like a module flash-guard imports would shadow it). Afterwards no marker may
exist, the exit code must be a normal 0 or 1, and the endpoints must have been found (the run
did its work rather than stopping early).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# Modules that flash-guard, its dependencies or the interpreter may import after start-up.
SHADOWED_MODULES = (
    "yaml",
    "ast_grep_py",
    "json",
    "hashlib",
    "_sha256",
    "_sha2",
    "_blake2",
    "_operator",
    "tomllib",
    "subprocess",
    "ast",
    "traceback",
    "concurrent",
    "sitecustomize",
    "usercustomize",
    "runpod_flash",
    "tetra_rp",
)


def touch(marker: Path) -> str:
    """An expression that creates `marker` when evaluated, written without imports."""
    return f'__import__("pathlib").Path({str(marker)!r}).write_text("ran")'


def hostile_project(root: Path, markers: Path) -> None:
    def m(name: str) -> Path:
        return markers / name

    files = {
        "app.py": f"""
            import os
            import sys

            {touch(m("module-level"))}
            os.system("touch {m("os-system")}")

            from runpod_flash import Endpoint, GpuType
            from config import TIMEOUT, NAME

            @Endpoint(
                name=__import__("os").system("touch {m("decorator-arg")}") or "gpu-worker",
                gpu=GpuType.NVIDIA_L4,
                env={{"A": {touch(m("decorator-env"))}, **__import__("os").environ}},
                idle_timeout=TIMEOUT,
                execution_timeout_ms=sys.exit(4),
            )
            async def generate(data):
                {touch(m("function-body"))}
                return data

            api = Endpoint(name=NAME, cpu="cpu3c-1-2", workers=(__import__("os")._exit(3), 2))

            @api.get(f"/{{{touch(m("fstring"))}}}")
            async def health():
                return {{"ok": True}}

            class Model:
                {touch(m("class-body"))}

            if __name__ == "__main__":
                {touch(m("main-guard"))}

            sys.exit(4)
            os._exit(3)
            """,
        "config.py": f"""
            TIMEOUT = {touch(m("imported-constant"))} or 900
            NAME = "api-" + __import__("os").getenv("NAME", "x")
            __import__("os")._exit(3)
            """,
        "routes.py": f"""
            from app import api

            {touch(m("route-module"))}

            @api.post("/run")
            async def run(data):
                return data
            """,
        "__init__.py": touch(m("package-init")),
        "setup.py": touch(m("setup-py")),
        "conftest.py": touch(m("conftest")),
        "__main__.py": touch(m("dunder-main")),
    }
    for module in SHADOWED_MODULES:
        files[f"{module}.py"] = f"{touch(m('shadow-' + module))}\nimport os\nos._exit(3)\n"
    # A package shadowing the SDK itself, with a submodule the app's imports name.
    files["runpod_flash/__init__.py"] = touch(m("sdk-package"))
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")


def commands() -> list[tuple[str, list[str]]]:
    out = [("python -m flash_guard", [sys.executable, "-m", "flash_guard"])]
    script = Path(sys.executable).with_name("flash-guard")
    installed = str(script) if script.exists() else shutil.which("flash-guard")
    if installed:
        out.append(("flash-guard", [installed]))
    return out


@pytest.fixture
def hostile(tmp_path):
    root, markers = tmp_path / "project", tmp_path / "markers"
    root.mkdir()
    markers.mkdir()
    hostile_project(root, markers)
    return root, markers


@pytest.mark.parametrize("label,argv", commands(), ids=[label for label, _ in commands()])
@pytest.mark.parametrize("command", ["check", "endpoints"])
def test_nothing_in_the_project_runs(hostile, label, argv, command):
    root, markers = hostile
    proc = subprocess.run(
        [*argv, command, "--format", "json", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert sorted(p.name for p in markers.iterdir()) == []
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    names = sorted(e["name"] for e in json.loads(proc.stdout)["endpoints"])
    assert len(names) == 2  # `generate`'s worker and `api`, whatever their names resolve to


@pytest.mark.parametrize("label,argv", commands(), ids=[label for label, _ in commands()])
def test_files_passed_by_pre_commit_are_not_run_either(hostile, label, argv):
    root, markers = hostile
    proc = subprocess.run(
        [*argv, "check", "app.py", "routes.py", "config.py"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert sorted(p.name for p in markers.iterdir()) == []
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr


def test_yaml_tags_in_the_config_are_not_constructed(tmp_path):
    """The config is read with PyYAML's safe loader: a python/object tag is an error, not a
    call."""
    root, marker = tmp_path / "project", tmp_path / "marker"
    root.mkdir()
    (root / "app.py").write_text("from runpod_flash import Endpoint\n", "utf-8")
    (root / ".flash-guard.yaml").write_text(
        f"profile: !!python/object/apply:os.system ['touch {marker}']\n", "utf-8"
    )
    proc = subprocess.run(
        [sys.executable, "-m", "flash_guard", "check", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert not marker.exists()
    assert proc.returncode == 2
    assert proc.stderr.startswith("flash-guard: error: .flash-guard.yaml:"), proc.stderr
