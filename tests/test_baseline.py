"""Baselines: semantic identity with counts, so moving code keeps findings hidden."""

from __future__ import annotations

import json
import subprocess

import pytest
from conftest import SDK_LOCK
from sample_app import BAD

SECOND = """

@Endpoint(name="second", gpu=GpuGroup.ANY, workers=(0, 3))
async def second(x): ...
"""


@pytest.fixture
def baselined(run_cli, project, tmp_path):
    """A project whose current findings are all in a baseline file."""
    root = project({"bad.py": BAD})
    baseline = tmp_path / "baseline.json"
    code, _, err = run_cli(["check", "--write-baseline", baseline, "."], root)
    assert code == 0
    assert "wrote" in err
    return root, baseline


def check(run_cli, root, baseline, *extra) -> tuple[int, dict]:
    code, out, err = run_cli(
        ["check", "--format", "json", "--baseline", baseline, *extra, "."], root
    )
    assert code in (0, 1), err
    return code, json.loads(out)


def test_the_baseline_hides_what_it_recorded(run_cli, baselined):
    root, baseline = baselined
    recorded = sum(entry["count"] for entry in json.loads(baseline.read_text())["entries"])
    code, doc = check(run_cli, root, baseline)
    assert code == 0
    assert doc["findings"] == []
    assert doc["summary"]["baselined"] == recorded > 0
    assert doc["summary"]["stale_baseline_entries"] == 0


def test_moving_an_endpoint_keeps_it_baselined(run_cli, baselined):
    root, baseline = baselined
    source = (root / "bad.py").read_text("utf-8")
    head, _, tail = source.partition("@Endpoint")
    (root / "bad.py").write_text(head + "# padding\n" * 20 + "@Endpoint" + tail, "utf-8")
    _, moved = run_cli(["check", "--format", "json", "."], root)[:2]
    assert min(f["line"] for f in json.loads(moved)["findings"]) > 20  # it did move
    code, doc = check(run_cli, root, baseline)
    assert code == 0
    assert doc["findings"] == []


def test_a_second_endpoint_with_the_same_problem_is_new(run_cli, baselined):
    root, baseline = baselined
    with open(root / "bad.py", "a", encoding="utf-8") as out:
        out.write(SECOND)
    code, doc = check(run_cli, root, baseline)
    assert code == 1
    assert doc["findings"]
    assert {f["endpoint"] for f in doc["findings"]} == {"second"}
    assert "FG101" in {f["code"] for f in doc["findings"]}


def test_counts_tell_two_identical_problems_from_one(run_cli, baselined):
    root, baseline = baselined
    # The same endpoint name again in the same file: same identity, one more of it.
    with open(root / "bad.py", "a", encoding="utf-8") as out:
        out.write(SECOND.replace('"second"', '"w"'))
    _, doc = check(run_cli, root, baseline)
    codes = [f["code"] for f in doc["findings"]]
    assert "FG101" in codes
    assert codes.count("FG101") == 1
    assert all(f["endpoint"] == "w" for f in doc["findings"])


def test_stale_entries_are_counted(run_cli, baselined):
    root, baseline = baselined
    fixed = (root / "bad.py").read_text("utf-8")
    fixed = fixed.replace("GpuGroup.ANY", "GpuType.NVIDIA_L4").replace(
        "import Endpoint, GpuGroup", "import Endpoint, GpuGroup, GpuType"
    )
    (root / "bad.py").write_text(fixed, "utf-8")
    code, doc = check(run_cli, root, baseline)
    assert code == 0
    assert doc["summary"]["stale_baseline_entries"] == 1  # the FG101 entry
    code, out, _ = run_cli(["check", "--baseline", baseline, "."], root)
    assert "1 stale baseline entries" in out


def test_the_baseline_file_format(baselined):
    _, baseline = baselined
    doc = json.loads(baseline.read_text("utf-8"))
    assert doc["version"] == 1 and doc["tool"] == "flash-guard"
    keys = [(e["code"], e["endpoint"], e["parameter"], e["path"]) for e in doc["entries"]]
    assert keys == sorted(keys) and len(keys) == len(set(keys))
    assert all("line" not in entry for entry in doc["entries"])  # identity is not a line


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "not valid JSON"),
        ('{"version": 99, "entries": []}', "not a flash-guard baseline"),
        ('{"version": 1, "entries": [{"code": "FG101"}]}', "entries[0]"),
    ],
)
def test_a_broken_baseline_is_a_usage_error(run_cli, project, tmp_path, content, message):
    root = project({"bad.py": BAD})
    broken = tmp_path / "broken.json"
    broken.write_text(content, "utf-8")
    code, _, err = run_cli(["check", "--baseline", broken, "."], root)
    assert code == 2
    assert message in err


# --- a monorepo: one baseline, whichever directory the run starts from --------------------


@pytest.fixture
def monorepo(project):
    """Two apps with their own configurations in one git repository."""
    root = project(
        {
            "services/a/.flash-guard.yaml": "fail_on: error\n",
            "services/a/app.py": BAD,
            "services/a/uv.lock": SDK_LOCK,
            "services/b/.flash-guard.yaml": "fail_on: error\n",
            "services/b/app.py": BAD,
            "services/b/uv.lock": SDK_LOCK,
        }
    )
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True)
    return root


def entries(baseline) -> set[tuple[str, str]]:
    return {(e["code"], e["path"]) for e in json.loads(baseline.read_text())["entries"]}


def test_baseline_paths_are_relative_to_the_repository_root(run_cli, monorepo, tmp_path):
    app_a = monorepo / "services" / "a"
    from_root, from_app = tmp_path / "from-root.json", tmp_path / "from-app.json"
    assert run_cli(["check", "--write-baseline", from_root, "."], monorepo)[0] == 0
    assert run_cli(["check", "--write-baseline", from_app, "."], app_a)[0] == 0
    in_a = {(code, path) for code, path in entries(from_root) if path.startswith("services/a/")}
    assert in_a and entries(from_app) == in_a  # the same entries, the same paths
    assert {path for _, path in entries(from_root)} == {"services/a/app.py", "services/b/app.py"}

    # Written at the root, used in the app: everything hidden, b's entries not stale.
    code, doc = check(run_cli, app_a, from_root)
    assert (code, doc["findings"], doc["summary"]["stale_baseline_entries"]) == (0, [], 0)
    assert doc["summary"]["baselined"] == len(in_a)
    # Written in the app, used at the root: a's findings hidden, b's reported.
    code, doc = check(run_cli, monorepo, from_app)
    assert code == 1 and doc["summary"]["baselined"] == len(in_a)
    assert {f["path"] for f in doc["findings"]} == {"services/b/app.py"}


def test_rewriting_from_an_app_keeps_the_other_apps_entries(run_cli, monorepo, tmp_path):
    baseline = tmp_path / "baseline.json"
    assert run_cli(["check", "--write-baseline", baseline, "."], monorepo)[0] == 0
    before = entries(baseline)
    app_a = monorepo / "services" / "a"
    (app_a / "app.py").write_text("X = 1\n")  # a fixed everything
    assert run_cli(["check", "--write-baseline", baseline, "."], app_a)[0] == 0
    assert entries(baseline) == {e for e in before if e[1].startswith("services/b/")} != set()


@pytest.mark.parametrize(
    "entry",
    [
        {"code": "FG101", "endpoint": "x", "parameter": "", "path": 5},
        {"code": ["FG101"], "endpoint": "x", "parameter": "", "path": "a.py"},
        {"code": "FG101", "endpoint": {}, "parameter": "", "path": "a.py"},
        {"code": "FG101", "endpoint": "x", "parameter": 7, "path": "a.py"},
        "FG101",
    ],
    ids=["path-int", "code-list", "endpoint-empty-dict", "parameter-int", "string"],
)
def test_a_baseline_entry_of_the_wrong_types_is_named(run_cli, baselined, entry):
    # A number as the path was an internal error (AttributeError); an empty dict as the
    # endpoint was read as "no endpoint".
    root, baseline = baselined
    baseline.write_text(json.dumps({"version": 1, "entries": [entry]}))
    code, _, err = run_cli(["check", "--baseline", baseline, "."], root)
    assert code == 2
    assert "entries[0]: needs code, endpoint, parameter, path as strings" in err
    assert "internal error" not in err
