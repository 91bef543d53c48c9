"""scripts/new_rule.py scaffolds a rule that passes the completeness gate as it stands."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def repo_copy(tmp_path) -> Path:
    root = tmp_path / "repo"
    for part in ("flash_guard", "scripts", "docs/rules", "tests/fixtures/rules"):
        shutil.copytree(
            REPO / part, root / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    for name in (
        "conftest.py",
        "file_tree.py",
        "test_rule_fixtures.py",
        "sdk_oracle.py",
        "oracle_sandbox.py",
    ):
        shutil.copy(REPO / "tests" / name, root / "tests" / name)
    return root


def run(args: list[str], root: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root), **env},
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("code", "slug", "extra"),
    [
        ("FG499", "demo-warm-floor", ["--profiles", "cost"]),
        ("FG199", "demo-python-floor", ["--python"]),
    ],
)
def test_scaffolded_rule_passes_the_completeness_gate(repo_copy, code, slug, extra):
    made = run(["scripts/new_rule.py", code, slug, "--title", "Demo rule", *extra], repo_copy)
    assert made.returncode == 0, made.stdout + made.stderr
    assert "fire: 1 finding(s), pass: 0" in made.stdout
    family = "dev_and_cost" if code == "FG499" else "production"
    stem = f"{code.lower()}_{slug.replace('-', '_')}"
    assert (repo_copy / "flash_guard" / "rules" / family / f"{stem}.yaml").is_file()
    assert (repo_copy / "flash_guard" / "rules" / family / f"{stem}.py").is_file() == (
        "--python" in extra
    )
    assert (repo_copy / "docs" / "rules" / f"{code}-{slug}.md").is_file()
    docs = run(["-m", "flash_guard.rule_docs", "--check", "docs/rules"], repo_copy)
    assert docs.returncode == 0, docs.stderr
    selected = f"{code} or every_rule_has"
    first = run(
        [
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_rule_fixtures.py",
            "-k",
            selected,
        ],
        repo_copy,
        FLASH_GUARD_UPDATE_GOLDEN="1",
    )
    assert first.returncode == 0, first.stdout[-3000:]
    again = run(
        [
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_rule_fixtures.py",
            "-k",
            selected,
        ],
        repo_copy,
    )
    assert again.returncode == 0, again.stdout[-3000:]
    assert " passed" in again.stdout


def test_an_existing_code_is_refused(repo_copy):
    made = run(["scripts/new_rule.py", "FG101", "again", "--title", "x"], repo_copy)
    assert made.returncode == 2
    assert "FG101 already exists" in made.stderr
