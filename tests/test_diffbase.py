"""Diff-aware runs against a base commit (flash_guard/diffbase.py), on temporary git repos."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from flash_guard.diffbase import (
    NEW,
    UNCHANGED,
    UPDATED,
    BaseUnavailable,
    analyse_base,
    compare_findings,
    export_tree,
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
    shallow = shallow_checkout(repo, tmp_path / "shallow")
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


def git_input(repo: Path, data: str, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, input=data, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.mark.parametrize("dotgit", [".git", ".GIT", ".Git", ".git.", "git~1", ".g\u200cit"])
def test_a_dotgit_entry_in_the_base_tree_is_not_exported(repo, tmp_path, dotgit):
    # A base commit can hold a `.git` tree (git refuses to check it out, but it is in the
    # object database): written into the temporary tree, its config would steer the
    # base-side listing (core.worktree pointing outside, say).
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "outsider.py").write_text(BASE.replace('"alpha"', '"outsider"'))
    config = git_input(repo, f"[core]\n\tworktree = {outside}\n", "hash-object", "-w", "--stdin")
    head = git_input(repo, "ref: refs/heads/main\n", "hash-object", "-w", "--stdin")
    inner = git_input(repo, f"100644 blob {config}\tconfig\n100644 blob {head}\tHEAD\n", "mktree")
    app = git(repo, "rev-parse", "main:app.py")
    root_tree = git_input(
        repo, f"040000 tree {inner}\t{dotgit}\n100644 blob {app}\tapp.py\n", "mktree"
    )
    evil = git(repo, "commit-tree", root_tree, "-m", "evil")
    child = git(repo, "commit-tree", "HEAD^{tree}", "-p", evil, "-m", "child")
    git(repo, "checkout", "-q", "-B", "work", child)
    dest = tmp_path / "export"
    dest.mkdir()
    export_tree(repo, evil, dest)
    assert sorted(p.name for p in dest.iterdir()) == ["app.py"]
    _, base = analyse_base(repo, evil, run)
    assert {f.path for f in base.findings} == {"app.py"}


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
    # Unchanged findings stay in SARIF, so code scanning does not close their alerts.
    assert {r["baselineState"] for r in results} == {"new", "updated", "unchanged"}


def test_check_diff_base_falls_back_or_fails_when_required(repo, run_cli):
    code, _, err = run_cli(["check", "--diff-base", "nope", "."], repo)
    assert "unknown git reference `nope`; reporting every finding" in err
    assert code == 1
    code, _, err = run_cli(["check", "--diff-base", "nope", "--diff-base-required", "."], repo)
    assert code == 2 and "unknown git reference" in err


def test_diff_base_outside_a_git_repository_says_so(tmp_path, run_cli):
    # It said "unknown git reference `main`", as if the branch were missing.
    if (
        subprocess.run(
            ["git", "rev-parse", "--git-dir"], cwd=tmp_path, capture_output=True
        ).returncode
        == 0
    ):
        pytest.skip("the temporary directory is inside a git repository")
    (tmp_path / "app.py").write_text(BASE, "utf-8")
    code, _, err = run_cli(["check", "--diff-base", "main", "--diff-base-required", "."], tmp_path)
    assert code == 2
    assert "is not in a git repository" in err and "unknown git reference" not in err
    assert len(err.strip().splitlines()) == 1


# --- what a diff-aware run shows ---------------------------------------------------------


SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text("utf-8")
)


def test_sarif_baseline_state_is_valid_and_complete(repo, run_cli):
    code, out, err = run_cli(["check", "--format", "sarif", "--diff-base", "main", "."], repo)
    doc = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)
    states = {
        (r["ruleId"], r["properties"].get("endpoint")): r["baselineState"]
        for r in doc["runs"][0]["results"]
    }
    assert states[("FG104", "gamma")] == "new"
    assert states[("FG105", "alpha")] == "updated"
    assert states[("FG104", "beta")] == "unchanged"  # moved, still the same finding
    assert ("FG101", "alpha") not in states  # fixed: no result pointing into the base tree


def test_json_lists_the_fixed_findings_and_the_scorecard_diff(repo, run_cli):
    code, out, err = run_cli(["check", "--format", "json", "--diff-base", "main", "."], repo)
    diff = json.loads(out)["diff_base"]
    assert diff["ref"] == "main" and diff["commit"] == git(repo, "rev-parse", "main")
    # unchanged: beta's FG104 and the app's FG111 (the test repository has no lock file)
    assert (diff["new"], diff["updated"], diff["unchanged"]) == (1, 1, 2)
    assert [(f["code"], f["endpoint"], f["baseline_state"]) for f in diff["fixed"]] == [
        ("FG101", "alpha", "absent")
    ]
    rows = {row["endpoint"]: row for row in diff["scorecard"]}
    assert rows["alpha"]["items"]["FG101"] == {"before": "fail", "after": "pass"}
    assert rows["gamma"]["change"] == "added"
    code, out, err = run_cli(["check", "--format", "json", "."], repo)
    assert "diff_base" not in json.loads(out)  # the version 1 document is unchanged without it


def test_scorecard_diff_leads_the_markdown_report(repo, run_cli):
    # beta gets worse (idle 1200 -> 60) and delta is removed: every kind of row.
    (repo / "app.py").write_text(
        HEAD.replace("idle_timeout=1200)\nasync def beta", "idle_timeout=60)\nasync def beta")
    )
    code, out, err = run_cli(["check", "--format", "markdown", "--diff-base", "main", "."], repo)
    assert out.index("## Changes since `main`") < out.index("## Readiness scorecard")
    assert out.index("## Changes since") < out.index("| errors |")  # it leads the page
    assert "**1 endpoint got less ready, 1 endpoint got more ready, 1 endpoint added**" in out
    section = out.split("## Changes since", 1)[1].split("## Readiness scorecard", 1)[0]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| ")]
    by_endpoint = {row[0].lstrip("| "): row for row in rows if row[0].lstrip("| ")}
    assert by_endpoint["alpha"][1] == "📈 more ready"
    assert "FG101" in by_endpoint["alpha"][2]
    assert by_endpoint["alpha"][3:5] == ["❌ fail", "✅ pass |"]
    assert by_endpoint["beta"][1] == "📉 less ready"
    assert "FG105" in by_endpoint["beta"][2] and by_endpoint["beta"][3] == "✅ pass"
    assert by_endpoint["gamma"][1] == "🆕 new endpoint"
    assert "### Fixed since the base" in section and "| FG101 gpu-not-pinned | alpha |" in section
    assert out.startswith("# flash-guard: production readiness\n\n❌ 3 new or changed findings")


def test_removed_endpoint_and_text_headline(repo, run_cli):
    (repo / "app.py").write_text(BASE.split('@Endpoint(name="beta"')[0])
    code, out, err = run_cli(["check", "--diff-base", "main", "."], repo)
    assert "Since main (merge base " in out
    assert "0 endpoints got less ready, 0 endpoints got more ready, 1 endpoint removed;" in out
    assert "0 new or changed findings, 1 fixed." in out  # beta's FG104 went with it
    code, out, err = run_cli(["check", "--format", "markdown", "--diff-base", "main", "."], repo)
    assert "| beta | 🗑️ removed endpoint |" in out
    assert "✅ No new findings since `main`" in out


def test_cli_falls_back_in_a_shallow_clone(repo, tmp_path, run_cli):
    shallow = shallow_checkout(repo, tmp_path / "shallow")
    git(shallow, "fetch", "-q", "--depth", "1", "origin", "main:main")
    code, out, err = run_cli(["check", "--format", "json", "--diff-base", "main", "."], shallow)
    assert "shallow clone" in err and "fetch-depth: 0" in err and "reporting every finding" in err
    doc = json.loads(out)
    assert "diff_base" not in doc
    assert ("FG104", "beta") in {(f["code"], f["endpoint"]) for f in doc["findings"]}


def test_nothing_planted_in_the_base_runs_through_the_cli(repo, tmp_path):
    """A base commit with sitecustomize.py, a .pth file, usercustomize.py and a conftest: a
    full `flash-guard check --diff-base` (its own process) reads them as text only."""
    marker = tmp_path / "ran"
    git(repo, "checkout", "-q", "main")
    payload = f"import pathlib; pathlib.Path({str(marker)!r}).write_text('x')\n"
    for name in ("sitecustomize.py", "usercustomize.py", "conftest.py"):
        (repo / name).write_text(payload)
    (repo / "evil.pth").write_text(payload.replace("\n", ";") + "\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "planted")
    git(repo, "checkout", "-q", "feature")  # the planted files exist only in the base
    git(repo, "merge", "-q", "--no-edit", "-s", "ours", "main")
    for hook in ("reference-transaction", "post-checkout", "post-merge"):
        (repo / ".git" / "hooks" / hook).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (repo / ".git" / "hooks" / hook).chmod(0o755)
    git(repo, "config", "core.fsmonitor", f"touch {marker} #")
    assert not (repo / "sitecustomize.py").exists()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    out = subprocess.run(
        [sys.executable, "-m", "flash_guard", "check", "--format", "json",
         "--diff-base", "main", "."],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert out.returncode in (0, 1), out.stderr
    assert "compared with main" in out.stderr
    assert json.loads(out.stdout)["diff_base"]["commit"] == git(repo, "rev-parse", "main")
    assert not marker.exists()


def test_a_monorepo_compares_each_app_with_its_own_settings(tmp_path, run_cli):
    """Two apps, two configurations, the same endpoint names: the base is judged app by app
    with the working tree's settings, and an app's `.` never reads as the other's."""
    root = tmp_path / "mono"
    for app, config in (("a", "rules: {FG101: {enabled: false}}\n"), ("b", "fail_on: error\n")):
        (root / "services" / app).mkdir(parents=True)
        (root / "services" / app / ".flash-guard.yaml").write_text(config)
        (root / "services" / app / "app.py").write_text(BASE)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    pinned = BASE.replace('name="alpha", gpu=GpuGroup.ANY', 'name="alpha", gpu=GpuType.NVIDIA_L4')
    (root / "services" / "b" / "app.py").write_text(pinned)
    for cwd, prefix in ((root, "services/b/"), (root / "services" / "b", "")):
        code, out, err = run_cli(["check", "--format", "json", "--diff-base", "main", "."], cwd)
        diff = json.loads(out)["diff_base"]
        assert [(f["code"], f["path"]) for f in diff["fixed"]] == [("FG101", prefix + "app.py")]
        assert diff["new"] == diff["updated"] == 0
        changed = [(row["app"], row["endpoint"], row["change"]) for row in diff["scorecard"]]
        assert changed == [(prefix.rstrip("/") or ".", "alpha", "more ready")]


def shallow_checkout(origin: Path, dest: Path) -> Path:
    """What actions/checkout leaves by default: one commit, the branch's head."""
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "feature",
            f"file://{origin}",
            str(dest),
        ],
        check=True,
        capture_output=True,
    )
    return dest


def test_file_mode_counts_as_fixed_only_findings_of_the_given_files(repo, run_cli):
    # pre-commit passes the changed files: the findings of the others are not reported at
    # HEAD, so they were all counted (and listed) as fixed since the base.
    git(repo, "checkout", "-q", "main")
    (repo / "other.py").write_text(
        'from runpod_flash import Endpoint\n\n@Endpoint(name="other", cpu="cpu3c-1-2")\n'
        "async def other(x):\n    return x\n"
    )
    git(repo, "add", "other.py")
    git(repo, "commit", "-q", "-m", "other")
    git(repo, "checkout", "-q", "feature")
    git(repo, "merge", "-q", "--no-edit", "main")
    code, out, err = run_cli(["check", "--format", "json", "--diff-base", "main", "app.py"], repo)
    diff = json.loads(out)["diff_base"]
    assert [(f["code"], f["endpoint"]) for f in diff["fixed"]] == [("FG101", "alpha")]
    assert "1 fixed" in err
    assert all(f["path"] == "app.py" for f in json.loads(out)["findings"])
