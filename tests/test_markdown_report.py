"""The job-summary page: counts, scorecard, findings, and the 1 MiB limit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sample_app import BAD, GOOD, ROUTES, SETTINGS

from flash_guard.findings import Finding
from flash_guard.model import Span
from flash_guard.report.markdown_report import CELLS, render
from flash_guard.report.run_result import RunResult

CLIENT = """
from runpod_flash import Endpoint

remote = Endpoint(id="abc123")
"""

GITHUB_LIMIT = 1024 * 1024


@pytest.fixture
def app(project):
    return project(
        {
            "bad.py": BAD,
            "good.py": GOOD,
            "routes.py": ROUTES,
            "settings.py": SETTINGS,
            "client.py": CLIENT,
        }
    )


def markdown(run_cli, cwd) -> str:
    code, out, err = run_cli(["check", "--format", "markdown", "."], cwd)
    assert code in (0, 1), err
    return out


def table(text: str, heading: str) -> list[list[str]]:
    """The rows (header included) of the first table after `heading`."""
    lines = text.splitlines()
    start = lines.index(heading)
    rows = []
    for line in lines[start + 1 :]:
        if line.startswith("|"):
            rows.append(line)
        elif rows:
            break
    # Split on unescaped pipes only.
    out = []
    for row in rows:
        cells = row.replace("\\|", "\0").strip("|").split("|")
        out.append([c.strip().replace("\0", "\\|") for c in cells])
    return [out[0]] + out[2:]  # drop the |---| line


def test_counts_match_the_json_summary(run_cli, app):
    text = markdown(run_cli, app)
    _, out, _ = run_cli(["check", "--format", "json", "."], app)
    summary = json.loads(out)["summary"]
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| errors"))
    names = [c.strip() for c in lines[header].strip("|").split("|")]
    values = [int(c) for c in lines[header + 2].strip("|").split("|")]
    counts = dict(zip(names, values, strict=True))
    assert counts["errors"] == summary["errors"] > 0
    assert counts["warnings"] == summary["warnings"]
    assert counts["info"] == summary["infos"]
    assert counts["endpoints"] == summary["endpoints"] == 2
    assert counts["files"] == summary["files"]
    assert {"suppressed", "baselined", "stale baseline entries"} <= counts.keys()


def test_scorecard_rows_are_deployable_endpoints(run_cli, app):
    _, out, _ = run_cli(["endpoints", "--format", "json", "."], app)
    endpoints = {e["name"]: e for e in json.loads(out)["endpoints"]}
    rows = table(markdown(run_cli, app), "## Readiness scorecard")
    header, body = rows[0], rows[1:]
    assert header[:2] == ["endpoint", "profile"]
    codes = [cell.split("]")[0].lstrip("[") for cell in header[2:]]
    assert {row[0].split("<br>")[0] for row in body} == {"w", "good-api"}  # no client
    for row in body:
        checks = endpoints[row[0].split("<br>")[0]]["checks"]
        for code, cell in zip(codes, row[2:], strict=True):
            assert cell == CELLS[checks.get(code, "n/a")], (row[0], code)
    # A column exists only for items that apply to some endpoint, and n/a is blank.
    applicable = {
        code
        for e in endpoints.values()
        if e["kind"] != "client"
        for code, state in e["checks"].items()
        if state != "n/a"
    }
    # FG308: run_cli's check ignores it (tests/conftest.py without_fg308), `endpoints` cannot
    assert set(codes) == applicable - {"FG001", "FG002", "FG003", "FG308"}
    assert "FG101" in codes and "FG102" in codes and "FG109" in codes
    bad_row = next(row for row in body if row[0].startswith("w<br>"))
    assert bad_row[2 + codes.index("FG101")] == CELLS["fail"]
    assert bad_row[2 + codes.index("FG102")] == ""  # load-balancer item on a queue endpoint


def test_findings_table(run_cli, app):
    _, out, _ = run_cli(["check", "--format", "json", "."], app)
    findings = json.loads(out)["findings"]
    rows = table(markdown(run_cli, app), "## Findings")
    assert rows[0] == ["severity", "rule", "location", "endpoint", "message"]
    body = rows[1:]
    assert len(body) == len(findings)
    expected = {(f"{f['path']}:{f['line']}", f["code"], f["endpoint"]) for f in findings}
    seen = {(row[2], row[1].lstrip("[").split(" ")[0], row[3]) for row in body}
    assert seen == expected
    gpu = next(row for row in body if "FG101" in row[1])
    assert gpu[1].startswith("[FG101 gpu-not-pinned](") and "FG101-gpu-not-pinned.md" in gpu[1]
    order = [row[0].split()[-1] for row in body]
    assert order == sorted(order, key=["error", "warning", "info"].index)


def test_clean_project(run_cli, project):
    root = project({"good.py": GOOD, "routes.py": ROUTES, "settings.py": SETTINGS})
    text = markdown(run_cli, root)
    assert "All checks passed" in text
    assert "No findings." in text


def fake_result(n: int, message: str = "m") -> RunResult:
    findings = [
        Finding(
            code="FG101",
            slug="gpu-not-pinned",
            severity="error",
            message=f"{message} {i}",
            fix="pin it",
            path=f"pkg/module_{i}.py",
            span=Span(i + 1, 1, i + 1, 5),
            endpoint=f"ep-{i}",
        )
        for i in range(n)
    ]
    return RunResult(findings=findings, endpoints=[], rules=[], root=Path("."))


def test_cells_cannot_break_the_table():
    text = render(fake_result(1, message="a | b <script>\nc"))
    rows = table(text, "## Findings")
    assert len(rows[1]) == 5
    # The analysed code's line break is shown escaped (`\n`, its backslash escaped too).
    assert "a \\| b &lt;script&gt;\\\\nc 0" in rows[1][4]


@pytest.mark.parametrize("max_bytes", [3_000, 20_000])
def test_findings_are_cut_to_fit(max_bytes):
    result = fake_result(500)
    text = render(result, max_bytes=max_bytes)
    assert len(text.encode("utf-8")) <= max_bytes
    shown = len(table(text, "## Findings")) - 1
    assert 0 < shown < 500
    assert f"**{500 - shown} more findings not shown**" in text


def test_default_limit_is_under_githubs(tmp_path):
    result = fake_result(6_000, message="x" * 200)
    full = render(result, max_bytes=None)
    assert len(full.encode("utf-8")) > GITHUB_LIMIT  # the case the limit is for
    text = render(result)
    assert len(text.encode("utf-8")) < GITHUB_LIMIT
    assert "more findings not shown" in text


def test_small_pages_are_not_cut():
    text = render(fake_result(3), max_bytes=100_000)
    assert "not shown" not in text
    assert len(table(text, "## Findings")) == 4


def test_a_huge_scorecard_is_cut_too(project):
    from flash_guard.pipeline import RunRequest, run_check

    many = "\n".join(
        f'@Endpoint(name="worker-{i}", gpu=GpuGroup.ANY, workers=(0, 3))\nasync def w{i}(x): ...\n'
        for i in range(80)
    )
    root = project({"many.py": "from runpod_flash import Endpoint, GpuGroup\n\n" + many})
    result, *_ = run_check(RunRequest(paths=[str(root)], cwd=root))
    assert len(result.endpoints) == 80
    text = render(result, max_bytes=6_000)
    assert len(text.encode("utf-8")) <= 6_000
    shown = len(table(text, "## Readiness scorecard")) - 1
    assert 0 < shown < 80
    assert f"**{80 - shown} more endpoints not shown**" in text
    assert f"**{len(result.findings)} more findings not shown**" in text
