"""Diff-aware runs against a base commit (flash_guard/diffbase.py), on temporary git repos."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from flash_guard.diffbase import (
    NEW,
    UNCHANGED,
    UPDATED,
    BaseUnavailable,
    analyse_base,
    compare_findings,
    scorecard_diff,
    scorecard_headline,
)
from flash_guard.pipeline import RunRequest, run_check

BASE = """\
from runpod_flash import Endpoint, GpuGroup, GpuType

@Endpoint(name="alpha", gpu=GpuGroup.ANY, workers=(1, 3), idle_timeout=450,
          execution_timeout_ms=60000)
async def alpha(x):
    return x

@Endpoint(name="beta", gpu=GpuType.NVIDIA_L4, workers=(1, 3), idle_timeout=1200)
async def beta(x):
    return x
"""

# alpha: GPU pinned (FG101 fixed), idle 300 instead of 450 (FG105 message changes: updated);
# beta moved down unchanged (FG104 unchanged); gamma added (new findings).
HEAD = """\
from runpod_flash import Endpoint, GpuGroup, GpuType

# a comment block that moves everything below it
#
#

@Endpoint(name="gamma", gpu=GpuType.NVIDIA_L4, workers=(1, 3), idle_timeout=1200)
async def gamma(x):
    return x

@Endpoint(name="alpha", gpu=GpuType.NVIDIA_L4, workers=(1, 3), idle_timeout=300,
          execution_timeout_ms=60000)
async def alpha(x):
    return x

@Endpoint(name="beta", gpu=GpuType.NVIDIA_L4, workers=(1, 3), idle_timeout=1200)
async def beta(x):
    return x
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "app.py").write_text(BASE)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "app.py").write_text(HEAD)
    git(root, "commit", "-q", "-am", "change")
    return root


def run(root: Path):
    result, *_ = run_check(RunRequest(paths=[str(root)], cwd=root))
    return result


def test_new_unchanged_updated_and_fixed(repo):
    head = run(repo)
    commit, base = analyse_base(repo, "main", run)
    assert commit == git(repo, "rev-parse", "main")
    state, fixed = compare_findings(head.findings, base.findings)
    by = {(f.code, f.endpoint): state[id(f)] for f in head.findings}
    assert by[("FG104", "beta")] == UNCHANGED  # moved 5 lines, same identity and message
    assert by[("FG105", "alpha")] == UPDATED  # 450 s -> 300 s: same identity, new message
    assert by[("FG104", "gamma")] == NEW
    assert [(f.code, f.endpoint) for f in fixed] == [("FG101", "alpha")]


def test_scorecard_diff(repo):
    head = run(repo)
    _, base = analyse_base(repo, "main", run)
    rows = {r["endpoint"]: r for r in scorecard_diff(head, base)}
    assert rows["gamma"]["change"] == "added"
    assert rows["alpha"]["change"] == "more ready"
    assert rows["alpha"]["items"]["FG101"] == ("fail", "pass")
    assert "beta" not in rows
    assert scorecard_headline(list(rows.values())) == (
        "0 endpoints got less ready, 1 endpoint got more ready, 1 endpoint added"
    )


def test_unknown_ref_and_shallow_clone_say_why(repo, tmp_path):
    with pytest.raises(BaseUnavailable, match="unknown git reference `nope`"):
        analyse_base(repo, "nope", run)
    with pytest.raises(BaseUnavailable, match="not a git reference"):
        analyse_base(repo, "--output=/tmp/x", run)
    shallow = tmp_path / "shallow"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "feature",
            f"file://{repo}",
            str(shallow),
        ],
        check=True,
        capture_output=True,
    )
    git(shallow, "fetch", "-q", "--depth", "1", "origin", "main:main")
    with pytest.raises(BaseUnavailable, match="shallow clone"):
        analyse_base(shallow, "main", run)


def test_nothing_from_the_base_tree_runs(repo, tmp_path):
    marker = tmp_path / "ran"
    git(repo, "checkout", "-q", "main")
    hostile = f"open({str(marker)!r}, 'w').write('x')\n"
    for name in ("sitecustomize.py", "conftest.py", "setup.py", "worker.py"):
        (repo / name).write_text(hostile + "from runpod_flash import Endpoint\n")
    (repo / ".gitattributes").write_text("* filter=evil\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "hostile base")
    # Set after the last checkout: a smudge filter or hook that ran would leave the marker.
    git(repo, "config", "filter.evil.smudge", f"touch {marker}")
    git(repo, "config", "core.fsmonitor", f"touch {marker} #")
    (repo / ".git" / "hooks" / "post-checkout").write_text(f"#!/bin/sh\ntouch {marker}\n")
    (repo / ".git" / "hooks" / "post-checkout").chmod(0o755)
    commit, base = analyse_base(repo, "main", run)
    assert not marker.exists()
    assert base.files_checked >= 4
    assert commit == git(repo, "rev-parse", "HEAD")  # the hostile files are in the base tree


def test_check_diff_base_reports_only_new_findings(repo, run_cli):
    import json

    code, out, err = run_cli(["check", "--format", "json", "--diff-base", "main", "."], repo)
    states = {(f["code"], f["endpoint"]): f["baseline_state"] for f in json.loads(out)["findings"]}
    assert states[("FG104", "gamma")] == "new"
    assert states[("FG105", "alpha")] == "updated"
    assert ("FG104", "beta") not in states  # unchanged: not reported
    assert "1 fixed" in err
    assert code == 1  # gamma's new error
    code, out, err = run_cli(["check", "--format", "sarif", "--diff-base", "main", "."], repo)
    results = json.loads(out)["runs"][0]["results"]
    assert {r["baselineState"] for r in results} == {"new", "updated"}


def test_check_diff_base_falls_back_or_fails_when_required(repo, run_cli):
    code, _, err = run_cli(["check", "--diff-base", "nope", "."], repo)
    assert "unknown git reference `nope`; reporting every finding" in err
    assert code == 1
    code, _, err = run_cli(["check", "--diff-base", "nope", "--diff-base-required", "."], repo)
    assert code == 2 and "unknown git reference" in err
