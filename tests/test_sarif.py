"""SARIF 2.1.0: valid against the official schema, with real regions and our identity."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from sample_app import BAD, GOOD, ROUTES, SETTINGS

from flash_guard.rule_docs import rule_page

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))

USER_ITEM = """
rules:
  FG103: {severity: info}
checklist:
  - id: ACME001
    slug: small-fleet
    title: Workers stay under our fleet cap
    severity: warning
    require:
      workers.max: {lte: 2}
    message: "{endpoint}: max workers {value} is over the fleet cap"
    fix: "Use at most 2 workers"
"""


def sarif(run_cli, cwd, *args) -> tuple[int, dict]:
    code, out, err = run_cli(["check", "--format", "sarif", *args, "."], cwd)
    assert code in (0, 1), err
    return code, json.loads(out)


def as_json(run_cli, cwd, *args) -> dict:
    code, out, err = run_cli(["check", "--format", "json", *args, "."], cwd)
    assert code in (0, 1), err
    return json.loads(out)


def validate(doc: dict) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(doc)


@pytest.fixture
def app(project):
    return project({"bad.py": BAD, "good.py": GOOD, "routes.py": ROUTES, "settings.py": SETTINGS})


def test_valid_sarif_with_real_regions(run_cli, app):
    _, doc = sarif(run_cli, app)
    validate(doc)
    assert doc["version"] == "2.1.0" and "$schema" in doc
    (run,) = doc["runs"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == app.resolve().as_uri() + "/"
    expected = as_json(run_cli, app)["findings"]
    assert len(run["results"]) == len(expected) > 0
    source = (app / "bad.py").read_text("utf-8").splitlines()
    for result, finding in zip(run["results"], expected, strict=True):
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": finding["path"], "uriBaseId": "%SRCROOT%"}
        region = location["region"]
        assert region == {
            "startLine": finding["line"],
            "startColumn": finding["column"],
            "endLine": finding["end_line"],
            "endColumn": finding["end_column"],
        }
        assert result["partialFingerprints"]["flashGuard/v1"] == finding["fingerprint"]
        assert result["properties"]["endpoint"] == finding["endpoint"]
        assert result["properties"]["profile"] == finding["profile"]
        assert finding["message"] in result["message"]["text"]
        assert finding["fix"] in result["message"]["text"]
    gpu = next(r for r in run["results"] if r["ruleId"] == "FG101")
    region = gpu["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] != 1
    # The region is exactly the offending expression (end column exclusive).
    line = source[region["startLine"] - 1]
    assert line[region["startColumn"] - 1 : region["endColumn"] - 1] == "GpuGroup.ANY"


def test_rules_are_the_whole_catalog_with_help(run_cli, app):
    _, doc = sarif(run_cli, app)
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "flash-guard" and driver["version"] and driver["informationUri"]
    rules = driver["rules"]
    ids = [rule["id"] for rule in rules]
    fired = {r["ruleId"] for r in doc["runs"][0]["results"]}
    assert "FG109" in ids and "FG109" not in fired  # a rule that ran but found nothing
    for result in doc["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    gpu = rules[ids.index("FG101")]
    assert gpu["name"] == "GpuNotPinned"
    assert gpu["help"]["markdown"] == rule_page("FG101", for_terminal=True)
    assert gpu["helpUri"].endswith("/FG101-gpu-not-pinned.md")
    assert gpu["defaultConfiguration"]["level"] == "error"
    assert gpu["shortDescription"]["text"] and gpu["fullDescription"]["text"]
    assert isinstance(gpu["properties"]["tags"], list)


def test_no_findings_still_has_results(run_cli, project):
    root = project({"good.py": GOOD, "routes.py": ROUTES, "settings.py": SETTINGS})
    code, doc = sarif(run_cli, root)
    validate(doc)
    assert code == 0
    assert doc["runs"][0]["results"] == []
    assert doc["runs"][0]["tool"]["driver"]["rules"]


def test_empty_project_is_valid_sarif(run_cli, project):
    root = project({"README.md": "nothing here\n"})
    _, doc = sarif(run_cli, root)
    validate(doc)
    assert doc["runs"][0]["results"] == []


def test_user_items_and_levels(run_cli, project):
    root = project({"bad.py": BAD, ".flash-guard.yaml": USER_ITEM})
    _, doc = sarif(run_cli, root)
    validate(doc)
    rules = {rule["id"]: rule for rule in doc["runs"][0]["tool"]["driver"]["rules"]}
    acme = rules["ACME001"]
    assert acme["name"] == "SmallFleet"
    assert "Workers stay under our fleet cap" in acme["help"]["markdown"]
    assert "Use at most 2 workers" in acme["help"]["text"]
    assert "helpUri" not in acme  # there is no page of ours for a user's item
    assert rules["FG103"]["defaultConfiguration"]["level"] == "note"
    levels = {r["ruleId"]: r["level"] for r in doc["runs"][0]["results"]}
    assert levels["FG103"] == "note"
    assert levels["ACME001"] == "warning"


def test_uris_are_percent_encoded(run_cli, project):
    root = project({"my app/worker one.py": BAD})
    _, doc = sarif(run_cli, root)
    validate(doc)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in doc["runs"][0]["results"]
    }
    assert uris == {"my%20app/worker%20one.py"}


def test_fingerprint_survives_moving_code(run_cli, project):
    root = project({"bad.py": BAD})
    _, before = sarif(run_cli, root)
    (root / "bad.py").write_text("# moved\n" * 20 + BAD.lstrip("\n"), "utf-8")
    _, after = sarif(run_cli, root)

    def prints(doc):
        return {
            (r["ruleId"], r["partialFingerprints"]["flashGuard/v1"]): r["locations"][0][
                "physicalLocation"
            ]["region"]["startLine"]
            for r in doc["runs"][0]["results"]
        }

    assert prints(before).keys() == prints(after).keys()
    assert all(prints(after)[k] == prints(before)[k] + 20 for k in prints(before))
