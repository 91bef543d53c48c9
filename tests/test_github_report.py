"""GitHub workflow commands: escaping, locations, severity order and the cap."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sample_app import BAD

from flash_guard.findings import SEVERITY_RANK, Finding
from flash_guard.model import Span
from flash_guard.report.github_report import annotation, escape_data, escape_property, render
from flash_guard.report.run_result import RunResult

COMMAND = re.compile(r"^::(error|warning|notice)( [^:]*)?::(.*)$")


def parse(line: str) -> tuple[str, dict[str, str], str]:
    match = COMMAND.match(line)
    assert match, line
    props = {}
    if match.group(2):
        for pair in match.group(2).strip().split(","):
            key, _, value = pair.partition("=")
            props[key] = value
    return match.group(1), props, match.group(3)


def unescape(text: str) -> str:
    # The runner's decoding, in reverse order of the encoding.
    for code, char in (("%2C", ","), ("%3A", ":"), ("%0A", "\n"), ("%0D", "\r"), ("%25", "%")):
        text = text.replace(code, char)
    return text


def finding(**overrides) -> Finding:
    values = dict(
        code="FG101",
        slug="gpu-not-pinned",
        severity="error",
        message="m",
        fix="",
        path="app.py",
        span=Span(3, 5, 3, 17),
        endpoint="w",
    )
    values.update(overrides)
    return Finding(**values)


def test_escaping_follows_the_runner_rules():
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    # `%` is escaped first, so an escape sequence in the text survives as text.
    assert unescape(escape_property("%3A, %25: literally")) == "%3A, %25: literally"


def test_annotation_properties_and_message_are_escaped():
    line = annotation(
        finding(
            path="we:ird,dir/a.py",
            message="uses 100% of\nthe GPU",
            fix="pin it: now",
            severity="warning",
        )
    )
    assert "\n" not in line
    level, props, message = parse(line)
    assert level == "warning"
    assert unescape(props["file"]) == "we:ird,dir/a.py"
    # A line break from the analysed code is shown escaped; only our own "Fix:" line breaks.
    assert unescape(message) == "uses 100% of\\nthe GPU\nFix: pin it: now"
    assert props["title"] == "FG101 gpu-not-pinned"
    assert (props["line"], props["col"], props["endLine"], props["endColumn"]) == (
        "3",
        "5",
        "3",
        "17",
    )


def test_info_is_a_notice():
    level, _, _ = parse(annotation(finding(severity="info")))
    assert level == "notice"


def test_annotations_match_the_findings(run_cli, project):
    root = project({"bad.py": BAD})
    code, out, _ = run_cli(["check", "--format", "github", "."], root)
    _, doc_out, _ = run_cli(["check", "--format", "json", "."], root)
    findings = json.loads(doc_out)["findings"]
    assert code == 1
    parsed = [parse(line) for line in out.splitlines()]
    assert len(parsed) == len(findings)  # unlimited by default
    located = {
        (p["title"], p["file"], int(p["line"]), int(p["col"]), int(p["endColumn"]))
        for _, p, _ in parsed
    }
    assert located == {
        (f"{f['code']} {f['slug']}", f["path"], f["line"], f["column"], f["end_column"])
        for f in findings
    }


def many_findings(n_per_severity: int) -> RunResult:
    findings = []
    for i in range(n_per_severity):
        for severity in ("info", "warning", "error"):
            findings.append(
                finding(severity=severity, path=f"f{i % 3}.py", span=Span(i + 1, 1, i + 1, 2))
            )
    return RunResult(findings=findings, endpoints=[], rules=[], root=Path("."))


@pytest.mark.parametrize("cap", [0, 1, 10, 14])
def test_the_cap_keeps_the_most_severe_and_says_how_many_more(cap):
    result = many_findings(7)  # 7 errors, 7 warnings, 7 info
    lines = render(result, max_annotations=cap).splitlines()
    shown = [parse(line) for line in lines if " file=" in line]
    assert len(shown) == cap
    ranks = [SEVERITY_RANK[{"notice": "info"}.get(level, level)] for level, _, _ in shown]
    assert ranks == sorted(ranks, reverse=True)
    errors = min(cap, 7)
    assert [level for level, _, _ in shown[:errors]] == ["error"] * errors
    notices = [parse(line) for line in lines if " file=" not in line]
    assert len(notices) == 1
    level, props, message = notices[0]
    assert level == "notice" and props == {"title": "flash-guard"}
    assert f"{21 - cap} more" in message and "job summary" in message


def test_no_notice_when_everything_fits():
    result = many_findings(2)
    lines = render(result, max_annotations=6).splitlines()
    assert len(lines) == 6 and all(" file=" in line for line in lines)


def test_cli_cap_option(run_cli, project):
    root = project({"bad.py": BAD})
    code, out, _ = run_cli(["check", "--format", "github", "--max-annotations", "1", "."], root)
    lines = out.splitlines()
    assert code == 1
    assert len(lines) == 2
    assert parse(lines[0])[0] == "error"
    assert parse(lines[1])[1] == {"title": "flash-guard"}
