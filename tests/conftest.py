"""Shared test helpers: run the CLI in-process and build small projects on disk."""

from __future__ import annotations

import contextlib
import io
import json
import textwrap
from pathlib import Path

import pytest
from file_tree import write_tree

from flash_guard.cli import main

# Fixture projects are source for flash-guard to read, never tests for pytest to import
# (FG301's fixtures are named test_*.py and *_test.py on purpose).
collect_ignore = ["fixtures"]


def without_fg308(args: list[str]) -> list[str]:
    """These CLI tests predate FG308 (info, once per app that imports runpod_flash/tetra_rp,
    so on nearly every project here) and assert exact findings; they ignore it unless they
    name it. FG308 has its own fixtures (tests/fixtures/rules/FG308-sunset-sdk)."""
    if not args or args[0] != "check" or any("FG308" in a or "sunset" in a for a in args):
        return args
    if any(a == "--select" or a.startswith("--select=") for a in args):
        return args
    for i, arg in enumerate(args):
        if arg == "--ignore" and i + 1 < len(args):
            return [*args[: i + 1], args[i + 1] + ",FG308", *args[i + 2 :]]
        if arg.startswith("--ignore="):
            return [*args[:i], arg + ",FG308", *args[i + 1 :]]
    return [*args, "--ignore", "FG308"]


@pytest.fixture(scope="session", autouse=True)
def _facts_cache_outside_the_tree(tmp_path_factory):
    """The CLI keeps a facts cache (discover/cache.py), by default in the analysed project;
    tests analyse fixtures in the repository, so the cache goes to a temporary directory (and
    every test after the first on a fixture runs warm, as users' runs do)."""
    import os

    saved = os.environ.get("FLASH_GUARD_CACHE_DIR")
    os.environ["FLASH_GUARD_CACHE_DIR"] = str(tmp_path_factory.mktemp("facts-cache"))
    yield
    if saved is None:
        os.environ.pop("FLASH_GUARD_CACHE_DIR", None)
    else:
        os.environ["FLASH_GUARD_CACHE_DIR"] = saved


@pytest.fixture
def run_cli(monkeypatch):
    """Run `flash-guard ARGS` in `cwd`; returns (exit code, stdout, stderr)."""

    def run(args: list[str], cwd: Path | None = None) -> tuple[int, str, str]:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(without_fg308([str(a) for a in args]))
        return code, out.getvalue(), err.getvalue()

    return run


@pytest.fixture
def check_json(run_cli):
    """`flash-guard check --format json` on a directory; returns (exit code, document)."""

    def run(cwd: Path, *extra: str) -> tuple[int, dict]:
        code, out, err = run_cli(["check", "--format", "json", ".", *extra], cwd)
        assert code in (0, 1), err
        return code, json.loads(out)

    return run


SDK_LOCK = """version = 1

[[package]]
name = "runpod-flash"
version = "1.21.0"

[[package]]
name = "tetra-rp"
version = "0.25.2"

[[package]]
name = "runpod"
version = "2.0.0rc2"
"""


def _names_sdk_release(rel: str, text) -> bool:
    """A lock file, or a requirement file that names an SDK: the test sets the release."""
    name = rel.rsplit("/", 1)[-1]
    if name.endswith(".lock"):
        return True
    if name == "pyproject.toml" or name.startswith("requirements"):
        return isinstance(text, str) and ("runpod-flash" in text or "tetra-rp" in text)
    return False


@pytest.fixture
def project(tmp_path):
    """Write {relative path: source} into a fresh directory (not a git repo) and return it."""

    def make(files: dict[str, str]) -> Path:
        root = tmp_path / "proj"
        if not any(_names_sdk_release(rel, text) for rel, text in files.items()):
            # Lock the SDK, as a real project does: an unlocked one also gets FG111 (info),
            # which tests about other rules should not have to list.
            files = {**files, "uv.lock": SDK_LOCK}
        write_tree(
            root,
            {
                rel: text if isinstance(text, bytes) else textwrap.dedent(text).lstrip("\n")
                for rel, text in files.items()
            },
        )
        root.mkdir(exist_ok=True)
        return root

    return make


def findings_of(doc: dict, code: str | None = None) -> list[tuple[str, str, int, int]]:
    return sorted(
        (f["code"], f["path"], f["line"], f["column"])
        for f in doc["findings"]
        if code is None or f["code"] == code
    )
