"""Explicit files (pre-commit semantics): analyse the whole project, report those files."""

from __future__ import annotations

import json

import pytest
from repo_snapshot import git_project
from sample_app import BAD, GOOD, ROUTES, SETTINGS
from sample_app import SPLIT_APP as SPLIT_APP_FILES

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


@pytest.mark.parametrize(
    "name", ["pyproject.toml", "requirements.txt", "requirements-gpu.txt", "uv.lock"]
)
def test_a_dependency_file_among_the_files_reports_everything(run_cli, project, name):
    # Pins and dependencies decide deploy verdicts, so a change to them may change any.
    root = project({**FILES, name: '[project]\nname = "app"\n'})
    code, doc = check(run_cli, root, "good.py", name)
    assert code == 1
    assert paths_of(doc) == {"bad.py"}


def test_a_nested_config_file_among_the_files_reports_its_subtree(run_cli, project):
    root = project({**FILES, "sub/other.py": BAD, "sub/.flash-guard.yaml": "fail_on: error\n"})
    code, doc = check(run_cli, root, "good.py", "sub/.flash-guard.yaml")
    assert code == 1
    assert paths_of(doc) == {"sub/other.py"}


def test_a_config_extended_by_a_nested_one_reports_both(run_cli, project):
    root = project(
        {
            **FILES,
            ".flash-guard.yaml": "fail_on: error\n",
            "sub/other.py": BAD,
            "sub/.flash-guard.yaml": "extend: ../.flash-guard.yaml\n",
        }
    )
    code, doc = check(run_cli, root, ".flash-guard.yaml")
    assert code == 1
    assert paths_of(doc) == {"bad.py", "sub/other.py"}


# Why: "Committing only config.py with IDLE = 20*60*60 (an idle_timeout the SDK rejects,
# used by worker.py) passed; so did committing only routes.py with its /health route
# deleted." Each verdict depends on a file other than the one the finding is located in.
SPLIT_APP = {**SPLIT_APP_FILES, "other.py": "VALUE = 1\n"}


def test_a_constants_module_alone_reports_the_endpoint_using_it(run_cli, project):
    root = project(SPLIT_APP)
    code, doc = check(run_cli, root, ".")
    assert (code, doc["findings"]) == (0, [])
    (root / "config.py").write_text("IDLE = 20 * 60 * 60\n", "utf-8")
    code, doc = check(run_cli, root, "config.py")
    assert code == 1
    assert {(f["code"], f["path"]) for f in doc["findings"]} >= {("FG203", "worker.py")}
    # A file the endpoint does not depend on still reports nothing.
    code, doc = check(run_cli, root, "other.py")
    assert (code, doc["findings"]) == (0, [])


def test_a_routes_module_alone_reports_the_endpoint_it_serves(run_cli, project):
    routes = SPLIT_APP["routes.py"].split("@api.get")[0]
    root = project({**SPLIT_APP, "routes.py": routes})
    code, doc = check(run_cli, root, "routes.py")
    assert code == 1
    located = {(f["code"], f["path"]) for f in doc["findings"]}
    assert ("FG109", "worker.py") in located, doc["findings"]
    code, doc = check(run_cli, root, "other.py")
    assert (code, doc["findings"]) == (0, [])


def test_a_constant_reached_through_a_remote_keyword_is_a_dependency(run_cli, project):
    root = project(
        {
            "settings.py": "IDLE = 20 * 60 * 60\n",
            "worker.py": """
                from runpod_flash import LiveServerless, remote

                from settings import IDLE

                gpu = LiveServerless(name="w", workersMin=1, idleTimeout=IDLE)


                @remote(resource_config=gpu)
                async def w(x): ...
            """,
        }
    )
    _, whole = check(run_cli, root, ".")
    _, given = check(run_cli, root, "settings.py")
    in_worker = [f for f in whole["findings"] if f["path"] == "worker.py"]
    assert in_worker and given["findings"] == in_worker


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


def test_files_from_two_apps_use_each_apps_configuration(run_cli, tmp_path):
    root = git_project(
        tmp_path / "mono",
        {
            "a/.flash-guard.yaml": "rules: {FG101: {severity: warning}}\n",
            "a/bad.py": BAD,
            "b/.flash-guard.yaml": "rules: {FG101: {enabled: false}}\n",
            "b/bad.py": BAD,
            "c/bad.py": BAD,
        },
    )
    _, doc = check(run_cli, root, "a/bad.py", "b/bad.py", "c/bad.py")
    fg101 = {f["path"]: f["severity"] for f in doc["findings"] if f["code"] == "FG101"}
    # Paths are relative to the git root; each file was judged by its own app's settings.
    assert fg101 == {"a/bad.py": "warning", "c/bad.py": "error"}
