"""The command line: exit codes, rule selection, output shapes, rules/rule/init.

design.md "Command line" and "Output formats". Exit codes: 0 nothing at or above
--fail-on, 1 findings at or above it, 2 usage/config/internal error; they do not depend
on the format.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from pathlib import Path

import pytest

from flash_guard.config.loader import load_config
from flash_guard.report import FORMATS
from flash_guard.rule_docs import catalog_rows

REPO = Path(__file__).resolve().parent.parent

GOOD = """\
from runpod_flash import Endpoint, GpuType


@Endpoint(name="{name}", gpu=GpuType.NVIDIA_L4, workers=(1, 3), idle_timeout={idle},
          execution_timeout_ms=60000)
async def {name}(x):
    import torch

    return torch.tensor(x)
"""
# Only FG101 (error) in production.
ERROR_APP = GOOD.format(name="err", idle=1200).replace("GpuType.NVIDIA_L4", "GpuType.ANY")
# Only FG105 (warning) in production.
WARNING_APP = GOOD.format(name="warn", idle=60)
# Only FG105, as info through the config below.
INFO_APP = GOOD.format(name="info", idle=60)
INFO_CONFIG = "rules:\n  idle-timeout-range: {severity: info}\n"
CLEAN_APP = GOOD.format(name="clean", idle=1200)

MIXED = """\
import os

from runpod_flash import Endpoint, GpuGroup


def load_timeout() -> int:
    return int(os.environ["TIMEOUT_MS"])


@Endpoint(name="mixed", gpu=GpuGroup.ANY, workers=(1, 3), idle_timeout=60,
          execution_timeout_ms=load_timeout())
async def mixed(x):
    return os.environ["API_URL"]
"""
# FG101 (10, 29) error, FG105 (10, 72) warning, FG002 (11, 32) for FG104, FG108 (13, 12)
MIXED_FINDINGS = [
    ("FG101", 10, 29),
    ("FG105", 10, 72),
    ("FG002", 11, 32),
    ("FG108", 13, 12),
]


def found(doc: dict) -> list[tuple[str, int, int]]:
    return sorted((f["code"], f["line"], f["column"]) for f in doc["findings"])


def severities(doc: dict) -> set[str]:
    return {f["severity"] for f in doc["findings"]}


@pytest.fixture
def mixed(project):
    return project({"app.py": MIXED})


def test_mixed_project_findings(check_json, mixed):
    code, doc = check_json(mixed)
    assert found(doc) == sorted(MIXED_FINDINGS)
    assert code == 1


# -- exit codes and --fail-on ----------------------------------------------------------


@pytest.mark.parametrize(
    ("app", "config", "severity", "expected"),
    [
        (ERROR_APP, None, "error", {"error": 1, "warning": 1, "info": 1, "never": 0}),
        (WARNING_APP, None, "warning", {"error": 0, "warning": 1, "info": 1, "never": 0}),
        (INFO_APP, INFO_CONFIG, "info", {"error": 0, "warning": 0, "info": 1, "never": 0}),
        (CLEAN_APP, None, None, {"error": 0, "warning": 0, "info": 0, "never": 0}),
    ],
    ids=["errors", "warnings", "infos", "clean"],
)
def test_exit_code_follows_fail_on_in_every_format(
    run_cli, check_json, project, app, config, severity, expected
):
    files = {"app.py": app}
    if config:
        files[".flash-guard.yaml"] = config
    root = project(files)
    _, doc = check_json(root)
    assert severities(doc) == ({severity} if severity else set())
    for fmt in FORMATS:
        code, out, err = run_cli(["check", "--format", fmt, "."], root)
        assert (fmt, code) == (fmt, expected["error"]), err  # the default is error
        for fail_on, wanted in expected.items():
            code, _, err = run_cli(["check", "--format", fmt, "--fail-on", fail_on, "."], root)
            assert (fmt, fail_on, code) == (fmt, fail_on, wanted), err


def test_output_file_does_not_change_the_exit_code(run_cli, project, tmp_path):
    root = project({"app.py": ERROR_APP})
    target = tmp_path / "report.json"
    code, out, _ = run_cli(["check", "--output", f"json={target}", "."], root)
    assert code == 1
    assert "FG101" in out
    assert [f["code"] for f in json.loads(target.read_text("utf-8"))["findings"]] == ["FG101"]


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--format", "yaml", "."],
        ["check", "--fail-on", "critical", "."],
        ["check", "--profile", "staging", "."],
        ["check", "no-such-dir"],
        ["frobnicate"],
        [],
        ["check", "--jobs", "0", "."],
        ["check", "--jobs", "-2", "."],
        ["check", "--jobs", "two", "."],
    ],
    ids=[
        "bad-format",
        "bad-fail-on",
        "bad-profile",
        "missing-path",
        "bad-command",
        "none",
        "jobs-0",
        "jobs-negative",
        "jobs-not-a-number",
    ],
)
def test_usage_errors_exit_2(run_cli, project, args):
    root = project({"app.py": ERROR_APP})
    try:
        code, _, err = run_cli(args, root)
    except SystemExit as exc:  # argparse exits by itself
        code = exc.code
    assert code == 2


def test_missing_path_is_one_line(run_cli, project):
    code, out, err = run_cli(["check", "nowhere"], project({"app.py": ERROR_APP}))
    assert (code, out) == (2, "")
    assert err.strip() == "flash-guard: error: nowhere: no such file or directory"


# -- --select / --ignore ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "names", "expected"),
    [
        ("--select", "FG101", {"FG101"}),
        ("--select", "gpu-not-pinned", {"FG101"}),
        ("--select", "FG101,FG105", {"FG101", "FG105"}),
        ("--select", "gpu-not-pinned,idle-timeout-range", {"FG101", "FG105"}),
        # FG104 is selected too, and it cannot be decided: FG002 says so.
        ("--select", "FG10", {"FG101", "FG105", "FG108", "FG002"}),
        ("--select", "FG1", {"FG101", "FG105", "FG108", "FG002"}),
        ("--ignore", "FG101", {"FG105", "FG002", "FG108"}),
        ("--ignore", "env-not-forwarded", {"FG101", "FG105", "FG002"}),
        ("--ignore", "FG10", set()),
        ("--ignore", "FG0", {"FG101", "FG105", "FG108"}),
        ("--ignore", "unresolved-value,FG105", {"FG101", "FG108"}),
    ],
)
def test_select_and_ignore(check_json, mixed, option, names, expected):
    _, doc = check_json(mixed, option, names)
    assert {f["code"] for f in doc["findings"]} == expected


def test_select_keeps_meta_rules_for_the_selected_rule(check_json, mixed):
    # FG104 cannot be decided: selecting it shows the FG002 that says so.
    _, doc = check_json(mixed, "--select", "FG104")
    assert found(doc) == [("FG002", 11, 32)]
    assert "FG104" in doc["findings"][0]["message"]
    _, doc = check_json(mixed, "--select", "FG101")
    assert found(doc) == [("FG101", 10, 29)]


def test_selecting_fg002_shows_every_undecided_rule(check_json, mixed):
    _, doc = check_json(mixed, "--select", "unresolved-value")
    assert found(doc) == [("FG002", 11, 32)]


def test_select_and_ignore_together(check_json, mixed):
    _, doc = check_json(mixed, "--select", "FG1", "--ignore", "FG108,FG104")
    assert {f["code"] for f in doc["findings"]} == {"FG101", "FG105"}


# -- --strict -----------------------------------------------------------------------------


def test_strict_makes_fg002_an_error(run_cli, check_json, mixed):
    _, doc = check_json(mixed, "--select", "FG104")
    assert [f["severity"] for f in doc["findings"]] == ["warning"]
    assert run_cli(["check", "--select", "FG104", "."], mixed)[0] == 0
    code, doc = check_json(mixed, "--select", "FG104", "--strict")
    assert [(f["code"], f["severity"]) for f in doc["findings"]] == [("FG002", "error")]
    assert code == 1
    code, out, _ = run_cli(["check", "--select", "FG104", "--strict", "."], mixed)
    assert code == 1
    assert "FG002 [error] unresolved-value" in out


def test_strict_leaves_other_severities_alone(check_json, mixed):
    _, doc = check_json(mixed, "--strict")
    by_code = {f["code"]: f["severity"] for f in doc["findings"]}
    assert by_code == {"FG101": "error", "FG105": "warning", "FG002": "error", "FG108": "warning"}


# -- text output --------------------------------------------------------------------------

FINDING_LINE = re.compile(
    r"^(?P<path>[^\s:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d{3}) "
    r"\[(?P<severity>error|warning|info)\] (?P<slug>[a-z0-9-]+): (?P<message>.+)$"
)


def test_text_output_shape(run_cli, check_json, mixed):
    _, doc = check_json(mixed)
    code, out, err = run_cli(["check", "."], mixed)
    assert (code, err) == (1, "")
    lines = out.splitlines()
    parsed = []
    i = 0
    while lines[i]:
        match = FINDING_LINE.match(lines[i])
        assert match, lines[i]
        assert lines[i + 1].startswith("  help: "), lines[i + 1]
        parsed.append(match.groupdict())
        i += 2
    assert lines[i + 1 :] == [lines[-1]]  # one blank line, then the summary
    expected = [
        {
            "path": f["path"],
            "line": str(f["line"]),
            "col": str(f["column"]),
            "code": f["code"],
            "severity": f["severity"],
            "slug": f["slug"],
            "message": f["message"],
        }
        for f in doc["findings"]
    ]
    assert parsed == expected
    assert lines[-1] == (
        "Found 4 findings (1 error, 3 warnings, 0 info) across 1 endpoint in 1 file."
    )


def test_text_output_when_clean(run_cli, project):
    code, out, _ = run_cli(["check", "."], project({"app.py": CLEAN_APP}))
    assert code == 0
    assert out == "All checks passed: 1 endpoint in 1 file.\n"


def test_statistics(run_cli, project):
    root = project({"a.py": WARNING_APP, "b.py": GOOD.format(name="b", idle=30), "c.py": ERROR_APP})
    code, out, _ = run_cli(["check", "--statistics", "."], root)
    assert code == 1
    stats = [line.split() for line in out.splitlines() if re.match(r"^\s+\d+\s+FG\d{3}\s", line)]
    assert stats == [
        ["2", "FG105", "idle-timeout-range", "[warning]"],
        ["1", "FG101", "gpu-not-pinned", "[error]"],
    ]
    code, out, _ = run_cli(["check", "."], root)
    assert not [line for line in out.splitlines() if re.match(r"^\s+\d+\s+FG\d{3}\s", line)]


@pytest.mark.parametrize("no_color", ["1", None])
def test_no_ansi_escapes_without_a_terminal(run_cli, mixed, monkeypatch, no_color):
    if no_color is None:
        monkeypatch.delenv("NO_COLOR", raising=False)
    else:
        monkeypatch.setenv("NO_COLOR", no_color)
    code, out, _ = run_cli(["check", "."], mixed)
    assert code == 1
    assert "\033" not in out


def test_no_color_wins_over_a_terminal(monkeypatch):
    from flash_guard.report.text_report import use_color

    class Tty:
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert use_color("auto", Tty()) is True
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color("auto", Tty()) is False
    assert use_color("always", Tty()) is True


def test_color_option_and_force_color(monkeypatch):
    from flash_guard.report.text_report import use_color

    class Pipe:
        def isatty(self):
            return False

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert use_color("auto", Pipe()) is False
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert use_color("auto", Pipe()) is True
    assert use_color("never", Pipe()) is False
    monkeypatch.delenv("FORCE_COLOR")
    assert use_color("always", Pipe()) is True


def test_color_always_colours_the_text_report(run_cli, project):
    root = project({"app.py": ERROR_APP})
    _, out, _ = run_cli(["check", "--color", "always", "."], root)
    assert "\033[" in out
    _, out, _ = run_cli(["check", "--color", "never", "."], root)
    assert "\033[" not in out


# -- json output --------------------------------------------------------------------------

FINDING_KEYS = [
    "code",
    "slug",
    "severity",
    "message",
    "fix",
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "endpoint",
    "profile",
    "fingerprint",
]
ENDPOINT_KEYS = {"name", "kind", "compute", "api", "path", "line", "params"}


def test_json_document_keys(check_json, project):
    root = project({"app.py": MIXED, "svc/api.py": WARNING_APP})
    _, doc = check_json(root)
    assert list(doc) == ["version", "findings", "endpoints", "summary"]
    assert doc["version"] == 1
    assert doc["findings"]
    for f in doc["findings"]:
        assert list(f) == FINDING_KEYS
        assert f["end_line"] >= f["line"]
        assert re.fullmatch(r"[0-9a-f]{16}", f["fingerprint"])
    # design.md lists these endpoint keys; the inventory adds more (documented there).
    for e in doc["endpoints"]:
        assert set(e) >= ENDPOINT_KEYS, e.keys()
    endpoints = {e["name"]: e for e in doc["endpoints"]}
    assert endpoints["mixed"]["kind"] == "queue"
    assert endpoints["mixed"]["compute"] == "gpu"
    assert endpoints["mixed"]["api"] == "endpoint"
    assert endpoints["mixed"]["line"] == 10
    assert endpoints["warn"]["path"] == "svc/api.py"  # relative, `/`-separated
    assert endpoints["warn"]["params"]["idle_timeout"]["value"] == 60
    summary = doc["summary"]
    assert summary["findings"] == len(doc["findings"]) == 5
    assert (summary["errors"], summary["warnings"], summary["infos"]) == (1, 4, 0)
    assert summary["endpoints"] == 2
    assert summary["files"] == 2
    assert summary["suppressed"] == 0


def test_json_finding_values(check_json, mixed):
    _, doc = check_json(mixed, "--select", "FG101")
    (f,) = doc["findings"]
    assert f["code"] == "FG101"
    assert f["slug"] == "gpu-not-pinned"
    assert f["severity"] == "error"
    assert f["path"] == "app.py"
    assert (f["line"], f["column"], f["end_line"], f["end_column"]) == (10, 29, 10, 41)
    assert f["endpoint"] == "mixed"
    assert f["profile"] == "production"
    assert f["fix"].startswith("Pin a GPU")


CONSTANTS = """\
from runpod_flash import Endpoint, GpuGroup

DEFAULT_GPU = GpuGroup.ANY
HF_TOKEN = "hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ012345"


@Endpoint(name="c", gpu=DEFAULT_GPU, workers=(1, 3), env={"HF_TOKEN": HF_TOKEN})
async def c(x):
    return x
"""


def test_messages_name_the_constant_a_value_came_through(check_json, project):
    _, doc = check_json(project({"app.py": CONSTANTS}), "--select", "FG101,FG107")
    by_code = {f["code"]: f for f in doc["findings"]}
    # rules.md: at the use in the declaration, and the message names the constant.
    assert (by_code["FG101"]["line"], by_code["FG101"]["column"]) == (7, 25)
    assert "`DEFAULT_GPU`" in by_code["FG101"]["message"]
    assert (by_code["FG107"]["line"], by_code["FG107"]["column"]) == (7, 71)
    assert "`HF_TOKEN`" in by_code["FG107"]["message"]
    assert "Hugging Face token" in by_code["FG107"]["message"]


def test_fingerprint_survives_moving_code(check_json, project):
    _, before = check_json(project({"app.py": MIXED}))
    _, after = check_json(project({"app.py": "# a new first line\n\n" + MIXED}))
    assert [f["line"] + 2 for f in before["findings"]] == [f["line"] for f in after["findings"]]
    assert [f["fingerprint"] for f in before["findings"]] == [
        f["fingerprint"] for f in after["findings"]
    ]
    assert len({f["fingerprint"] for f in before["findings"]}) == len(before["findings"])


# -- rules, rule, init --------------------------------------------------------------------


def test_rules_lists_the_whole_catalog(run_cli):
    code, out, _ = run_cli(["rules"])
    assert code == 0
    listed = [line.split()[:3] for line in out.splitlines() if line.strip()]
    expected = [[r["code"], r["slug"], r["severity"]] for r in catalog_rows()]
    assert listed == expected
    assert {"FG001", "FG101", "FG110", "FG404"} <= {row[0] for row in listed}


def test_rules_as_json(run_cli):
    code, out, _ = run_cli(["rules", "--format", "json"])
    assert code == 0
    assert [r["code"] for r in json.loads(out)] == [r["code"] for r in catalog_rows()]


@pytest.mark.parametrize("name", ["FG101", "gpu-not-pinned", "fg101"])
def test_rule_page(run_cli, name):
    code, out, _ = run_cli(["rule", name])
    assert code == 0
    assert out.startswith("# FG101 gpu-not-pinned\n")
    assert "GPU endpoints pin their hardware" in out
    row = next(r for r in catalog_rows() if r["code"] == "FG101")
    page = (REPO / row["doc"]).read_text("utf-8")
    # The page without its maintainers' "generated, do not edit" comment.
    assert "Do not edit" in page and "Do not edit" not in out
    assert out == "\n".join(
        line for line in page.split("\n") if not line.startswith("<!-- Generated")
    ).replace("**\n\n\n", "**\n\n", 1)


@pytest.mark.parametrize("row", catalog_rows(), ids=lambda r: r["code"])
def test_every_rule_has_a_page(run_cli, row):
    by_code = run_cli(["rule", row["code"]])
    by_slug = run_cli(["rule", row["slug"]])
    assert by_code[0] == by_slug[0] == 0
    assert by_code[1] == by_slug[1]
    assert by_code[1].startswith(f"# {row['code']} {row['slug']}\n")


@pytest.mark.parametrize("name", ["FG999", "no-such-rule", ""])
def test_unknown_rule_exits_2(run_cli, name):
    code, out, err = run_cli(["rule", name])
    assert (code, out) == (2, "")
    assert err.startswith("flash-guard: error: ")
    assert len(err.strip().splitlines()) == 1


def test_init_writes_a_config_that_loads(run_cli, tmp_path):
    code, out, err = run_cli(["init"], tmp_path)
    assert code == 0, err
    target = tmp_path / ".flash-guard.yaml"
    assert target.is_file()
    assert "wrote" in out
    config = load_config(target)
    assert (config.profile, config.fail_on, config.exclude) == ("production", "error", [])
    assert config.require_suppression_reason is False
    # And a run picks it up without complaint.
    (tmp_path / "app.py").write_text(ERROR_APP, "utf-8")
    code, out, err = run_cli(["check", "."], tmp_path)
    assert (code, err) == (1, "")
    assert "FG101" in out


def test_init_refuses_to_overwrite_without_force(run_cli, tmp_path):
    target = tmp_path / ".flash-guard.yaml"
    target.write_text("profile: cost\n", "utf-8")
    code, out, err = run_cli(["init"], tmp_path)
    assert (code, out) == (2, "")
    assert ".flash-guard.yaml already exists" in err
    assert target.read_text("utf-8") == "profile: cost\n"
    code, _, err = run_cli(["init", "--force"], tmp_path)
    assert code == 0, err
    assert load_config(target).profile == "production"


def test_init_starter_examples_are_valid_when_uncommented(tmp_path):
    from flash_guard.config.starter import STARTER_CONFIG

    # Uncomment every `# key: ...` block of the starter: the examples must load too.
    text = re.sub(r"(?m)^# (?=[a-z_ ]+:|  |- )", "", STARTER_CONFIG)
    target = tmp_path / ".flash-guard.yaml"
    target.write_text(text, "utf-8")
    config = load_config(target)
    assert config.profile_paths["development"] == ["sandbox/**"]
    assert "FG404" in config.rules
    assert [item.code for item in config.checklist] == ["ACME001"]
    assert config.custom_profiles["staging"].extends == "production"
    assert (config.select, config.ignore) == (["ALL"], ["FG4"])


def test_init_links_to_the_published_docs(run_cli, tmp_path):
    # Why: "`init` points to docs/configuration.md, which does not exist in the user's project".
    from flash_guard.config.starter import DOCS_URL

    run_cli(["init"], tmp_path)
    first = (tmp_path / ".flash-guard.yaml").read_text("utf-8").splitlines()[0]
    assert first == f"# flash-guard configuration. Docs: {DOCS_URL}"
    assert DOCS_URL.startswith("https://") and DOCS_URL.endswith("/docs/configuration.md")
    assert (REPO / "docs" / "configuration.md").is_file()


ENDPOINTS_APP = """\
from runpod_flash import Endpoint, GpuType


@Endpoint(
    name="an-endpoint-with-a-rather-long-descriptive-name-for-the-table",
    gpu=[GpuType.NVIDIA_GEFORCE_RTX_4090, GpuType.NVIDIA_L4, GpuType.NVIDIA_A100_80GB_PCIe],
    workers=(1, 3),
    idle_timeout=1200,
    execution_timeout_ms=60000,
)
async def w(x):
    return x
"""


def test_the_endpoints_table_fits_100_columns(run_cli, project):
    # Why: "the endpoints table is about 230 columns wide, shows an unexplained `0 ?`, has
    # no profile column and says '1 endpoints'".
    root = project({"deep/er/and/deeper/package/module.py": ENDPOINTS_APP})
    code, out, _ = run_cli(["endpoints", "."], root)
    assert code == 0
    lines = out.splitlines()
    assert max(len(line) for line in lines[:-3]) <= 100, out
    header = lines[0].split()
    assert "PROFILE" in header and "CHECKS" in header
    assert "production" in lines[1] and "…" in lines[1]
    assert lines[-2].startswith("checks: pass/fail/unknown")
    assert lines[-1] == "1 endpoint in 1 file."
    _, wide, _ = run_cli(["endpoints", "--wide", "."], root)
    assert max(len(line) for line in wide.splitlines()) > 100
    assert "an-endpoint-with-a-rather-long-descriptive-name-for-the-table" in wide
    assert "ROUTES" in wide.splitlines()[0]


@pytest.mark.parametrize("flag", ["--select", "--ignore"])
def test_unknown_rule_in_select_or_ignore_is_a_usage_error(flag, project, run_cli):
    root = project({"w.py": "from runpod_flash import Endpoint\n"})
    code, out, err = run_cli(["check", flag, "FG1O1", "."], root)
    assert code == 2
    assert f"{flag} FG1O1" in err and "Traceback" not in err


# -- no silent passes, exit codes, usage (issue 14) -------------------------------------------

# FG101 (GpuType.ANY) and FG104 (no execution timeout).
NO_TIMEOUT_APP = ERROR_APP.replace(",\n          execution_timeout_ms=60000)", ")")
assert NO_TIMEOUT_APP != ERROR_APP


def test_a_run_without_flash_code_warns(run_cli, project):
    # Why: "flash-guard check in a directory without Flash code prints 'All checks passed:
    # 0 endpoints in 0 files.' and exits 0."
    root = project({"util.py": "X = 1\n"})
    code, out, err = run_cli(["check", "."], root)
    assert code == 0
    assert err.strip() == "warning: no Flash endpoints found in ."
    assert "0 endpoints in 1 file." in out
    code, _, err = run_cli(["check", "--quiet", "."], root)
    assert err == ""


def test_file_mode_without_flash_code_stays_quiet(run_cli, project):
    root = project({"util.py": "X = 1\n", "app.py": ERROR_APP})
    code, out, err = run_cli(["check", "util.py"], root)
    assert (code, err) == (0, "")


def test_a_run_with_only_a_file_without_flash_code_and_no_endpoints_is_quiet(run_cli, project):
    root = project({"util.py": "X = 1\n"})
    code, _, err = run_cli(["check", "util.py"], root)
    assert (code, err) == (0, "")


def test_exit_zero(run_cli, project):
    root = project({"app.py": ERROR_APP})
    code, out, _ = run_cli(["check", "--exit-zero", "."], root)
    assert code == 0 and "FG101" in out


def test_quiet_prints_findings_only(run_cli, project):
    root = project({"app.py": ERROR_APP})
    code, out, _ = run_cli(["check", "--quiet", "."], root)
    assert code == 1
    assert "FG101" in out and "Found" not in out


def test_output_format_is_an_alias_of_format(run_cli, project):
    root = project({"app.py": ERROR_APP})
    _, out, _ = run_cli(["check", "--output-format", "json", "."], root)
    assert json.loads(out)["findings"][0]["code"] == "FG101"


def test_statistics_in_json_is_a_json_list(run_cli, project):
    # Why: "--statistics is dropped with --format json".
    root = project({"app.py": ERROR_APP})
    code, out, _ = run_cli(["check", "--statistics", "--format", "json", "."], root)
    assert code == 1
    stats = json.loads(out)
    assert {s["code"]: s["count"] for s in stats}["FG101"] == 1


@pytest.mark.parametrize("fmt", ["sarif", "github", "markdown"])
def test_statistics_with_other_formats_go_to_stderr(run_cli, project, fmt):
    root = project({"app.py": ERROR_APP})
    code, out, err = run_cli(["check", "--statistics", "--format", fmt, "."], root)
    assert code == 1
    assert "FG101" in err and "[error]" in err
    assert "FG101" in out


def test_usage_errors_are_one_line(project, capsys):
    from flash_guard.cli import main

    root = project({"app.py": ERROR_APP})
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "yaml", str(root)])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("flash-guard check: error: argument --format")


def test_every_option_has_help_text():
    # Why: "check --help has no text for --profile, --format, --fail-on or the paths".
    from flash_guard.cli import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = []
    for name, sub in subparsers.choices.items():
        for action in sub._actions:
            if action.help is None:
                missing.append(f"{name} {action.dest}")
    assert missing == []


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--select", "FG101", "--select", "FG104"], {"FG101", "FG104"}),
        (["--select", "FG101,FG104"], {"FG101", "FG104"}),
        (["--select", "fg101", "--select", "Fg104"], {"FG101", "FG104"}),
        (["--select", "ALL", "--ignore", "FG1"], set()),
        (["--select", "FG1", "--ignore", "fg104"], {"FG101"}),
        (["--select", "FG101", "--extend-select", "no-execution-timeout"], {"FG101", "FG104"}),
        (["--ignore", "FG101,FG104"], set()),
    ],
)
def test_selection_like_ruff(run_cli, project, args, expected):
    # Why: "--select FG101 --select FG104 keeps only FG104; --select fg101 fails although
    # rule fg101 works; there is no ALL."
    root = project({"app.py": NO_TIMEOUT_APP})
    _, out, err = run_cli(["check", "--format", "json", *args, "."], root)
    found = {f["code"] for f in json.loads(out)["findings"]} & {"FG101", "FG104"}
    assert found == expected, err


def test_selection_keys_in_the_configuration(run_cli, project):
    app = NO_TIMEOUT_APP
    root = project({"app.py": app, ".flash-guard.yaml": "select: [fg104]\n"})
    _, out, _ = run_cli(["check", "--format", "json", "."], root)
    assert {f["code"] for f in json.loads(out)["findings"]} == {"FG104"}
    # --select replaces the configuration's selection; extend_select adds to it.
    _, out, _ = run_cli(["check", "--format", "json", "--select", "FG101", "."], root)
    assert {f["code"] for f in json.loads(out)["findings"]} == {"FG101"}
    (root / ".flash-guard.yaml").write_text("select: [FG104]\nextend_select: [FG101]\n", "utf-8")
    _, out, _ = run_cli(["check", "--format", "json", "."], root)
    assert {f["code"] for f in json.loads(out)["findings"]} == {"FG101", "FG104"}
    (root / ".flash-guard.yaml").write_text("ignore: FG101\n", "utf-8")
    _, out, _ = run_cli(["check", "--format", "json", "."], root)
    assert "FG101" not in {f["code"] for f in json.loads(out)["findings"]}


def test_an_unknown_name_in_the_configurations_selection_is_a_config_error(run_cli, project):
    root = project({"app.py": ERROR_APP, ".flash-guard.yaml": "fail_on: error\nselect: [FG10x]\n"})
    code, _, err = run_cli(["check", "."], root)
    assert code == 2
    assert err.startswith("flash-guard: error: .flash-guard.yaml:2: select: `FG10x`")


def test_an_empty_cache_dir_is_a_usage_error_not_the_project_root(project, capsys, monkeypatch):
    from flash_guard.cli import main

    root = project({"good.py": "x = 1\n"})
    monkeypatch.chdir(root)
    before = sorted(p.name for p in root.iterdir())
    with pytest.raises(SystemExit) as exc:
        main(["check", "--cache-dir", "", "."])
    assert exc.value.code == 2
    assert "--cache-dir: an empty path" in capsys.readouterr().err
    assert sorted(p.name for p in root.iterdir()) == before  # no key, no `*` .gitignore


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_output_named_under_proc_writes_the_file_behind_it_and_a_committed_link_is_replaced(
    project, run_cli, tmp_path
):
    # `--output json=/dev/stdout` with stdout redirected: /dev/stdout -> /proc/self/fd/1 ->
    # the file. A path named under /dev or /proc is written through, never replaced.
    root = project({"app.py": "x = 1\n"})
    target = tmp_path / "redirected.json"
    with open(target, "w") as handle:
        named = f"/proc/self/fd/{handle.fileno()}"
        code, _, err = run_cli(["check", "--no-cache", "--output", f"json={named}", "."], root)
    assert code in (0, 1), err
    assert '"findings"' in target.read_text()
    # A link a pull request commits in the tree (`report.json -> /dev/null`) is replaced by the
    # report itself: it cannot send the report nowhere.
    link = root / "report.json"
    link.symlink_to("/dev/null")
    code, _, err = run_cli(["check", "--no-cache", "--output", "json=report.json", "."], root)
    assert code in (0, 1), err
    assert not link.is_symlink() and '"findings"' in link.read_text()


def test_a_project_checked_from_another_directory_reports_its_own_paths(run_cli, project, tmp_path):
    # Outside git and without a configuration, paths that lie outside the working directory
    # are relative to the directory they share (design.md: paths relative to the project
    # root), and a file given by its path there is checked, not refused as outside the
    # project.
    root = project({"pkg/bad.py": MIXED})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for given in (root, root / "pkg", root / "pkg" / "bad.py"):
        code, out, err = run_cli(["check", "--format", "json", str(given)], elsewhere)
        assert code == 1, err
        paths = {f["path"] for f in json.loads(out)["findings"]}
        expected = "pkg/bad.py" if given == root else "bad.py"
        assert paths == {expected}, (given, paths)
    # Inside the working directory nothing changes: paths stay relative to it.
    code, out, _ = run_cli(["check", "--format", "json", "pkg"], root)
    assert {f["path"] for f in json.loads(out)["findings"]} == {"pkg/bad.py"}


def test_the_inventory_marks_every_checklist_item(run_cli, project):
    # design.md: one row per endpoint with a pass/fail/unknown mark per checklist item
    # (text table, json, markdown).
    root = project({"app.py": MIXED})
    code, out, err = run_cli(["endpoints", "--wide", "."], root)
    assert code == 0, err
    header, row = out.splitlines()[:2]
    cells = dict(zip(header.split(), row.split(), strict=False))
    assert cells["FG101"] == "fail" and cells["FG104"] == "?" and cells["FG103"] == "pass"
    code, out, _ = run_cli(["endpoints", "--format", "markdown", "."], root)
    assert "## Readiness scorecard" in out and "❌" in out and "❔" in out


def test_config_option_on_a_project_outside_the_working_directory(run_cli, project, tmp_path):
    # --config with paths outside the working directory (no git): the paths' directory is
    # the root, so the configuration's `exclude` globs and the reported paths read from it.
    root = project(
        {"legacy/old.py": MIXED, "svc/app.py": MIXED, "conf/cfg.yaml": "exclude: [legacy/**]\n"}
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    args = ["check", "--format", "json", "--config", str(root / "conf/cfg.yaml"), str(root)]
    code, out, err = run_cli(args, elsewhere)
    assert code == 1, err
    assert {f["path"] for f in json.loads(out)["findings"]} == {"svc/app.py"}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--diff-base-required"], "--diff-base-required: give the base with --diff-base REF"),
        (["--diff-base=", "--diff-base-required"], "--diff-base: an empty reference"),
        (["--diff", "--output", "json=o.json"], "--diff reports no findings, so --output"),
        (["--fix-only", "--write-baseline", "b.json"], "--fix-only reports no findings"),
        (["--diff", "--baseline", "b.json"], "--diff reports no findings, so --baseline"),
        (["--write-baseline", "b.json", "--output", "json=o.json"], "so --output does nothing"),
        (["--output", "json=o.json", "--output", "sarif=./o.json"], "o.json: given for two"),
        (["--fix-only", "--format", "json"], "--fix-only reports no findings, so --format json"),
        (["--diff", "--format", "sarif"], "--diff reports no findings, so --format sarif"),
        (["--write-baseline", "b.json", "--format", "json"], "so --format json does nothing"),
        (["--show-settings", "app.py", "--format", "json"], "so --format json does nothing"),
        (["--show-settings", "app.py", "--output", "json=o.json"], "so --output does nothing"),
    ],
    ids=[
        "required-alone",
        "empty-required",
        "diff-output",
        "fix-only-baseline",
        "diff-baseline",
        "write-baseline-output",
        "same-file",
        # Each printed nothing on stdout, where a `--format json` reader expects a document.
        "fix-only-format",
        "diff-format",
        "write-baseline-format",
        "show-settings-format",
        "show-settings-output",
    ],
)
def test_options_that_would_be_dropped_are_a_usage_error(run_cli, project, options, message):
    # Each was accepted and one of the options silently did nothing (no output file, no
    # baseline, no required base; two outputs wrote one file).
    root = project({"app.py": ERROR_APP})
    code, out, err = run_cli(["check", "--no-cache", *options, "."], root)
    assert code == 2, err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (root / "o.json").exists() and not (root / "b.json").exists()


def test_an_empty_diff_base_is_said(run_cli, project):
    root = project({"app.py": ERROR_APP})
    code, _, err = run_cli(["check", "--no-cache", "--diff-base=", "."], root)
    assert code == 1
    assert "--diff-base: an empty reference; reporting every finding" in err


def test_show_settings_of_a_directory_reads_only_the_configuration_above_it(run_cli, project):
    # Planned as a run over the directory, it read every configuration below and stopped at
    # a broken one in any subdirectory (on /tmp, one deep in another tool's files).
    root = project({"app.py": ERROR_APP, ".flash-guard.yaml": "profile: cost\n"})
    (root / "deep" / "er").mkdir(parents=True)
    (root / "deep" / "er" / ".flash-guard.yaml").write_text("profile: [\n")
    code, out, err = run_cli(["check", "--show-settings", "."], root)
    assert code == 0, err
    assert 'profile = "cost"  # .flash-guard.yaml:1' in out


@pytest.mark.parametrize("command", [["check"], ["endpoints"], ["migrate", "--to", "runpod2"]])
def test_an_empty_path_argument_is_a_usage_error(project, capsys, monkeypatch, command):
    # `check "$DIR"` with DIR unset checked the working directory, as if no path was given.
    from flash_guard.cli import main

    monkeypatch.chdir(project({"app.py": ERROR_APP}))
    with pytest.raises(SystemExit) as exc:
        main([*command, ""])
    assert exc.value.code == 2
    assert "an empty path; name a file or directory" in capsys.readouterr().err


def test_a_path_that_cannot_be_looked_up_says_why_in_one_short_line(run_cli, project):
    root = project({"app.py": ERROR_APP})
    code, _, err = run_cli(["check", "a" * 5000], root)
    assert code == 2
    assert err.strip().endswith(": file name too long") and len(err) < 300
