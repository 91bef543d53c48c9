"""`--output FORMAT=FILE`: several formats from one run; exit codes never depend on format."""

from __future__ import annotations

import json

import pytest
from sample_app import BAD, GOOD, ROUTES, SETTINGS

from flash_guard.report import FORMATS


@pytest.fixture
def app(project):
    return project({"bad.py": BAD, "good.py": GOOD, "routes.py": ROUTES, "settings.py": SETTINGS})


def test_one_run_writes_every_format(run_cli, app, tmp_path):
    files = {fmt: tmp_path / f"out.{fmt}" for fmt in FORMATS}
    args = ["check", "--format", "text"]
    for fmt, file in files.items():
        args += ["--output", f"{fmt}={file}"]
    code, stdout, _ = run_cli([*args, "."], app)
    assert code == 1
    assert files["text"].read_text("utf-8") == stdout
    findings = json.loads(files["json"].read_text("utf-8"))["findings"]
    assert findings
    sarif = json.loads(files["sarif"].read_text("utf-8"))
    assert len(sarif["runs"][0]["results"]) == len(findings)
    annotations = files["github"].read_text("utf-8").splitlines()
    assert len(annotations) == len(findings)
    markdown = files["markdown"].read_text("utf-8")
    for f in findings:
        assert f"{f['path']}:{f['line']}" in markdown
    assert "\033[" not in files["text"].read_text("utf-8")  # files never get colour


def test_output_options_do_not_change_stdout(run_cli, app, tmp_path):
    _, plain, _ = run_cli(["check", "--format", "json", "."], app)
    _, with_outputs, _ = run_cli(
        ["check", "--format", "json", "--output", f"sarif={tmp_path / 'x.sarif'}", "."], app
    )
    assert json.loads(plain) == json.loads(with_outputs)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "files, fail_on, expected",
    [
        ("bad", "error", 1),
        ("bad", "never", 0),
        ("good", "error", 0),
        ("good", "info", 0),
    ],
)
def test_exit_codes_do_not_depend_on_the_format(run_cli, app, fmt, files, fail_on, expected):
    target = "bad.py" if files == "bad" else "good.py"
    code, _, err = run_cli(["check", "--format", fmt, "--fail-on", fail_on, target], app)
    assert code == expected, err


@pytest.mark.parametrize("spec", ["sarif", "nope=out.txt", "json="])
def test_a_bad_output_spec_is_a_usage_error(run_cli, app, spec):
    with pytest.raises(SystemExit) as exc:
        run_cli(["check", "--output", spec, "."], app)
    assert exc.value.code == 2


def test_an_unwritable_output_is_an_error(run_cli, app, tmp_path):
    code, _, err = run_cli(
        ["check", "--output", f"json={tmp_path / 'missing' / 'dir' / 'x.json'}", "."], app
    )
    assert code == 2
    assert "cannot write" in err


def test_an_app_wide_finding_fails_its_endpoints_on_the_scorecard(run_cli, project):
    # FG111 (unpinned SDK) and FG308 (sunset SDK) point at the app, not at a declaration;
    # the scorecard row of every endpoint of that app says fail, never pass, and another
    # app's endpoints keep their own verdict.
    app = (
        "from runpod_flash import Endpoint\n\n"
        "@Endpoint(name='{n}', workers=(1, 3))\ndef f(x):\n    return x\n"
    )
    root = project(
        {
            "pinned/requirements.txt": "runpod-flash==1.21.0\n",
            "pinned/app.py": app.format(n="pinned-ep"),
            "loose/requirements.txt": "numpy\n",
            "loose/app.py": app.format(n="loose-ep"),
        }
    )
    code, out, err = run_cli(["endpoints", "--format", "json", "."], root)
    assert code == 0, err
    checks = {e["name"]: e["checks"] for e in json.loads(out)["endpoints"]}
    assert checks["loose-ep"]["FG111"] == "fail"
    assert checks["pinned-ep"]["FG111"] == "pass"
    assert checks["loose-ep"]["FG308"] == checks["pinned-ep"]["FG308"] == "fail"
    code, out, _ = run_cli(["check", "--format", "markdown", "--select", "FG111", "."], root)
    rows = {line.split(" |")[0].strip("| ").split("<br>")[0]: line for line in out.splitlines()}
    assert "❌" in rows["loose-ep"] and "❌" not in rows["pinned-ep"]
