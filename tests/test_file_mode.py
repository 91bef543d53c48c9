"""Explicit files (pre-commit semantics): analyse the whole project, report those files."""

from __future__ import annotations

import json

import pytest
from repo_snapshot import git_project
from sample_app import BAD, GOOD, ROUTES, SETTINGS

FILES = {"bad.py": BAD, "good.py": GOOD, "routes.py": ROUTES, "settings.py": SETTINGS}


@pytest.fixture
def app(project):
    return project(FILES)


def check(run_cli, cwd, *args):
    code, out, err = run_cli(["check", "--format", "json", *args], cwd)
    assert code in (0, 1), err
    return code, json.loads(out)


def paths_of(doc) -> set[str]:
    return {f["path"] for f in doc["findings"]}


def test_a_file_is_checked_against_the_whole_project(run_cli, app):
    # good.py alone has no /health route and an imported timeout: only the
    # whole project shows that both are fine.
    code, doc = check(run_cli, app, "good.py")
    assert code == 0
    assert doc["findings"] == []


def test_only_findings_in_the_given_files_are_reported(run_cli, app):
    _, everything = check(run_cli, app, ".")
    assert paths_of(everything) == {"bad.py"}
    code, doc = check(run_cli, app, "good.py", "bad.py")
    assert code == 1
    assert doc["findings"] == everything["findings"]
    code, doc = check(run_cli, app, "routes.py")
    assert (code, doc["findings"]) == (0, [])


def test_exit_code_follows_the_reported_findings_only(run_cli, app):
    code, _, _ = run_cli(["check", "good.py"], app)
    assert code == 0
    code, out, _ = run_cli(["check", "bad.py"], app)
    assert code == 1
    assert "bad.py:4:25: FG101" in out


@pytest.mark.parametrize("config_name", [".flash-guard.yaml", "pyproject.toml"])
def test_the_config_file_among_the_files_reports_everything(run_cli, project, config_name):
    text = (
        "profile: production\n"
        if config_name.endswith(".yaml")
        else '[project]\nname = "app"\n\n[tool.flash-guard]\nprofile = "production"\n'
    )
    root = project({**FILES, "sub/other.py": BAD, config_name: text})
    code, doc = check(run_cli, root, "good.py", config_name)
    assert code == 1
    assert paths_of(doc) == {"bad.py", "sub/other.py"}


def test_a_pyproject_without_our_table_is_not_the_config(run_cli, project):
    root = project({**FILES, "pyproject.toml": '[project]\nname = "app"\n'})
    code, doc = check(run_cli, root, "good.py", "pyproject.toml")
    assert (code, doc["findings"]) == (0, [])


def test_other_files_given_explicitly_are_named_not_analysed(run_cli, app):
    (app / "README.md").write_text("# app\n", "utf-8")
    # Nothing that was asked for can be checked: not "All checks passed" but exit 2.
    code, _, err = run_cli(["check", "--format", "json", "README.md"], app)
    assert code == 2
    assert "README.md: not analysed: not a .py or .pyi file" in err
    code, out, err = run_cli(["check", "--format", "json", "README.md", "bad.py"], app)
    assert paths_of(json.loads(out)) == {"bad.py"}
    assert "README.md: not analysed" in err


def test_excluded_files_given_explicitly_get_no_findings(run_cli, project):
    root = project({**FILES, ".flash-guard.yaml": "exclude:\n  - bad.py\n"})
    code, doc = check(run_cli, root, "bad.py")
    assert (code, doc["findings"]) == (0, [])
    # Still excluded when checked as part of the whole project.
    code, doc = check(run_cli, root, ".")
    assert "bad.py" not in paths_of(doc)


def test_a_directory_among_the_paths_is_an_ordinary_run(run_cli, project):
    root = project({**FILES, "sub/other.py": BAD})
    _, doc = check(run_cli, root, "sub", "good.py")
    # sub/ and good.py only: routes.py and settings.py are not seen, so good.py
    # has findings it does not have in the whole project.
    assert paths_of(doc) == {"sub/other.py", "good.py"}


def test_a_missing_file_is_a_usage_error(run_cli, app):
    code, _, err = run_cli(["check", "nope.py"], app)
    assert code == 2
    assert "nope.py" in err


def test_files_from_a_subdirectory_are_relative_to_the_working_directory(run_cli, tmp_path):
    # In a git work tree the project root is the top of the tree, wherever we run.
    root = git_project(tmp_path / "repo", {**FILES, "pkg/more.py": BAD})
    code, doc = check(run_cli, root / "pkg", "more.py", "../good.py")
    assert code == 1
    assert paths_of(doc) == {"pkg/more.py"}


def test_baseline_entries_of_other_files_are_not_stale(run_cli, project, tmp_path):
    root = project({**FILES, "worse.py": BAD.replace('"w"', '"w2"')})
    baseline = tmp_path / "baseline.json"
    code, _, _ = run_cli(["check", "--write-baseline", baseline, "."], root)
    assert code == 0
    _, doc = check(run_cli, root, "--baseline", str(baseline), "bad.py")
    assert doc["findings"] == []
    assert doc["summary"]["stale_baseline_entries"] == 0
    _, whole = check(run_cli, root, ".")
    assert doc["summary"]["baselined"] == sum(1 for f in whole["findings"] if f["path"] == "bad.py")


def test_endpoints_lists_only_what_it_is_given(run_cli, app):
    code, out, _ = run_cli(["endpoints", "--format", "json", "bad.py"], app)
    assert code == 0
    assert [e["path"] for e in json.loads(out)["endpoints"]] == ["bad.py"]
