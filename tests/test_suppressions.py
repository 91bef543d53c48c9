"""Inline suppressions: `# flash-guard: ignore[FG101,slug] until=YYYY-MM-DD reason`.

design.md: on the finding's line, on the line above the declaration, or on any line of
the declaration's span; several codes; slugs accepted. rules.md: FG003 for unknown
codes, missing required reasons, expired ones, and ones that suppress nothing (only for
codes enabled for that file).
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import findings_of

# Findings without suppressions (production profile):
#   FG104 at the decorator (6, 2), FG101 at GpuGroup.ANY (8, 9), FG108 at the read (13, 12)
APP = """\
import os

from runpod_flash import Endpoint, GpuGroup


@Endpoint(
    name="worker",
    gpu=GpuGroup.ANY,
    workers=(1, 3),
    idle_timeout=1200,
)
async def worker(x):
    return os.environ["SECRET_URL"]
"""
FG104 = ("FG104", "app.py", 6, 2)
FG101 = ("FG101", "app.py", 8, 9)
FG108 = ("FG108", "app.py", 13, 12)


def with_comment(line: int, comment: str, text: str = APP) -> str:
    """Put `comment` at the end of 1-based `line`, or on a line of its own before it when
    `line` is negative (-6 inserts a new line 6, pushing the rest down)."""
    lines = text.splitlines()
    if line < 0:
        indent = len(lines[-line - 1]) - len(lines[-line - 1].lstrip())
        lines.insert(-line - 1, " " * indent + comment)
    else:
        lines[line - 1] += "  " + comment
    return "\n".join(lines) + "\n"


def shifted(finding: tuple, by: int = 1) -> tuple:
    code, path, line, column = finding
    return code, path, line + by, column


def test_baseline_findings(check_json, project):
    _, doc = check_json(project({"app.py": APP}))
    assert findings_of(doc) == sorted([FG104, FG101, FG108])
    assert doc["summary"]["suppressed"] == 0


def test_on_the_findings_line(check_json, project):
    app = with_comment(8, "# flash-guard: ignore[FG101] capacity test")
    _, doc = check_json(project({"app.py": app}))
    assert findings_of(doc) == sorted([FG104, FG108])
    assert doc["summary"]["suppressed"] == 1


def test_on_the_findings_line_in_the_body(check_json, project):
    app = with_comment(13, "# flash-guard: ignore[env-not-forwarded] set by the image")
    _, doc = check_json(project({"app.py": app}))
    assert findings_of(doc) == sorted([FG104, FG101])


def test_on_the_line_above_the_declaration(check_json, project):
    app = with_comment(-6, "# flash-guard: ignore[FG101,FG104] benchmark endpoint")
    _, doc = check_json(project({"app.py": app}))
    assert findings_of(doc) == [shifted(FG108)]
    assert doc["summary"]["suppressed"] == 2


def test_two_lines_above_the_declaration_is_too_far(check_json, project):
    app = with_comment(-5, "# flash-guard: ignore[FG101] too far")
    _, doc = check_json(project({"app.py": app}))
    assert ("FG101", "app.py", 9, 9) in findings_of(doc)
    assert ("FG003", "app.py", 5, 1) in findings_of(doc)


@pytest.mark.parametrize("line", [6, 7, 9, 10, 11, 12], ids=lambda n: f"line{n}")
def test_on_any_line_of_a_multi_line_declaration(check_json, project, line):
    # The `@Endpoint(` line, its arguments, its closing parenthesis, the `def` line.
    app = with_comment(line, "# flash-guard: ignore[FG101] pinned later")
    _, doc = check_json(project({"app.py": app}))
    assert findings_of(doc) == sorted([FG104, FG108])


def test_the_body_is_not_part_of_the_declaration(check_json, project):
    app = APP.replace(
        "    return os.", "    x = 1  # flash-guard: ignore[FG101] no\n    return os."
    )
    _, doc = check_json(project({"app.py": app}))
    assert FG101 in findings_of(doc)
    assert ("FG003", "app.py", 13, 12) in findings_of(doc)


def test_a_declaration_line_covers_every_finding_of_that_endpoint(check_json, project):
    app = with_comment(9, "# flash-guard: ignore[FG104,FG108] legacy worker")
    _, doc = check_json(project({"app.py": app}))
    assert findings_of(doc) == [FG101]
    assert doc["summary"]["suppressed"] == 2


def test_only_the_named_codes_are_suppressed(check_json, project):
    app = with_comment(8, "# flash-guard: ignore[FG104] not this line's FG101")
    _, doc = check_json(project({"app.py": app}))
    # FG104 is on the declaration, which line 8 is part of; FG101 stays.
    assert findings_of(doc) == sorted([FG101, FG108])


@pytest.mark.parametrize(
    "codes",
    ["FG101", "gpu-not-pinned", "fg101", "FG101, FG104", "gpu-not-pinned,no-execution-timeout"],
)
def test_codes_and_slugs(check_json, project, codes):
    app = with_comment(-6, f"# flash-guard: ignore[{codes}] because")
    _, doc = check_json(project({"app.py": app}))
    remaining = {f[0] for f in findings_of(doc)}
    assert "FG101" not in remaining
    assert "FG003" not in remaining
    assert ("FG104" in remaining) == ("104" not in codes and "timeout" not in codes)


SECOND = """\


@Endpoint(name="other", gpu=GpuGroup.ANY, workers=(1, 3), idle_timeout=1200,
          execution_timeout_ms=1000)
async def other(x):
    return x
"""


def test_a_suppression_does_not_reach_another_endpoint(check_json, project):
    app = with_comment(-6, "# flash-guard: ignore[FG101] only the first") + SECOND
    _, doc = check_json(project({"app.py": app}))
    assert [f[2] for f in findings_of(doc) if f[0] == "FG101"] == [17]


ROUTES = """\
import os

from runpod_flash import Endpoint

api = Endpoint(name="api", cpu="cpu3c-1-2", workers=(1, 3), idle_timeout=1200,
               execution_timeout_ms=60000)


@api.post("/run")
async def run(data: dict) -> dict:
    return {"url": os.environ["API_URL"]}
"""


def test_load_balancer_suppressed_at_its_declaration(check_json, project):
    _, doc = check_json(project({"app.py": ROUTES}))
    assert findings_of(doc) == [("FG108", "app.py", 11, 20), ("FG109", "app.py", 5, 7)]
    app = with_comment(-5, "# flash-guard: ignore[no-health-route] behind our gateway", ROUTES)
    _, doc = check_json(project({"app.py": app}))
    assert findings_of(doc) == [("FG108", "app.py", 12, 20)]


LEGACY = """\
from tetra_rp import GpuGroup, LiveServerless, remote

cfg = LiveServerless(
    name="legacy",
    gpus=[GpuGroup.ANY],
    workersMin=1,
    workersMax=3,
    idleTimeout=1200,
    executionTimeoutMs=60000,
)


@remote(cfg)
def work(x):
    return x
"""


@pytest.mark.parametrize("line", [3, 6, 10, 13, 14])
def test_legacy_declaration_and_its_remote_decorator(check_json, project, line):
    _, doc = check_json(project({"app.py": LEGACY}))
    assert ("FG101", "app.py", 5, 11) in findings_of(doc)
    app = with_comment(line, "# flash-guard: ignore[FG101] legacy pool", LEGACY)
    _, doc = check_json(project({"app.py": app}))
    assert "FG101" not in {f[0] for f in findings_of(doc)}
    assert "FG003" not in {f[0] for f in findings_of(doc)}


# -- until= --------------------------------------------------------------------------


def test_until_in_the_future_suppresses(check_json, project):
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    app = with_comment(8, f"# flash-guard: ignore[FG101] until={future} H200 quota")
    _, doc = check_json(project({"app.py": app}))
    assert findings_of(doc) == sorted([FG104, FG108])


def test_until_today_still_suppresses(check_json, project):
    today = dt.date.today().isoformat()
    app = with_comment(8, f"# flash-guard: ignore[FG101] until={today} last day")
    _, doc = check_json(project({"app.py": app}))
    assert findings_of(doc) == sorted([FG104, FG108])


def test_until_in_the_past_is_fg003_and_does_not_suppress(check_json, project):
    past = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    app = with_comment(8, f"# flash-guard: ignore[FG101] until={past} H200 quota")
    _, doc = check_json(project({"app.py": app}))
    assert findings_of(doc) == sorted([FG104, FG101, FG108, ("FG003", "app.py", 8, 24)])
    (problem,) = [f for f in doc["findings"] if f["code"] == "FG003"]
    assert past in problem["message"]
    assert doc["summary"]["suppressed"] == 0


def test_until_that_is_not_a_date(check_json, project):
    app = with_comment(8, "# flash-guard: ignore[FG101] until=soon fix it")
    _, doc = check_json(project({"app.py": app}))
    assert FG101 in findings_of(doc)
    assert ("FG003", "app.py", 8, 24) in findings_of(doc)


# -- FG003 -----------------------------------------------------------------------------


def test_unknown_code_is_fg003_but_the_known_ones_still_work(check_json, project):
    app = with_comment(8, "# flash-guard: ignore[FG101,FG999] typo")
    _, doc = check_json(project({"app.py": app}))
    assert findings_of(doc) == sorted([FG104, FG108, ("FG003", "app.py", 8, 24)])
    assert "FG999" in next(f["message"] for f in doc["findings"] if f["code"] == "FG003")


def test_unused_suppression_is_fg003(check_json, project):
    app = with_comment(8, "# flash-guard: ignore[FG105] stale")
    _, doc = check_json(project({"app.py": app}))
    assert findings_of(doc) == sorted([FG104, FG101, FG108, ("FG003", "app.py", 8, 24)])
    assert doc["summary"]["suppressed"] == 0


def test_partly_used_suppression_names_the_unused_code(check_json, project):
    app = with_comment(8, "# flash-guard: ignore[FG101,FG105] half stale")
    _, doc = check_json(project({"app.py": app}))
    assert findings_of(doc) == sorted([FG104, FG108, ("FG003", "app.py", 8, 24)])
    (problem,) = [f for f in doc["findings"] if f["code"] == "FG003"]
    assert "FG105" in problem["message"] and "FG101" not in problem["message"]


def test_codes_off_for_the_file_are_not_unused(check_json, project):
    # FG401 belongs to development and cost: in a production file it cannot fire.
    app = with_comment(8, "# flash-guard: ignore[FG401,FG101] warm on purpose")
    _, doc = check_json(project({"app.py": app}))
    assert findings_of(doc) == sorted([FG104, FG108])


def test_codes_on_for_the_file_are_unused_when_nothing_fires(check_json, project):
    # The same comment in a development file: FG401 is on there and fires on (1, 3),
    # while FG101 is off and so never "unused". (FG403: 1200 s is above 300 s.)
    app = "# flash-guard: profile=development\n" + with_comment(
        8, "# flash-guard: ignore[FG401,FG101] warm on purpose"
    )
    fg403 = ("FG403", "app.py", 11, 18)
    _, doc = check_json(project({"app.py": app}))
    assert findings_of(doc) == [fg403]
    assert doc["summary"]["suppressed"] == 1
    app = app.replace("workers=(1, 3)", "workers=(0, 3)")
    _, doc = check_json(project({"app.py": app}))
    assert findings_of(doc) == [("FG003", "app.py", 9, 24), fg403]
    (problem,) = [f for f in doc["findings"] if f["code"] == "FG003"]
    assert "FG401" in problem["message"] and "FG101" not in problem["message"]


def test_codes_disabled_in_config_are_not_unused(check_json, project):
    app = with_comment(8, "# flash-guard: ignore[FG101] capacity test")
    files = {"app.py": app, ".flash-guard.yaml": "rules: {FG101: {enabled: false}}\n"}
    _, doc = check_json(project(files))
    assert findings_of(doc) == sorted([FG104, FG108])


def test_codes_left_out_by_select_are_not_unused(check_json, project):
    app = with_comment(8, "# flash-guard: ignore[FG101] capacity test")
    _, doc = check_json(project({"app.py": app}), "--select", "FG104")
    assert findings_of(doc) == [FG104]


def test_fg003_itself_can_be_switched_off(check_json, project):
    app = with_comment(8, "# flash-guard: ignore[FG105] stale")
    _, doc = check_json(project({"app.py": app}), "--ignore", "suppression-problem")
    assert "FG003" not in {f[0] for f in findings_of(doc)}


def test_reason_required_by_config(check_json, project):
    config = {".flash-guard.yaml": "require_suppression_reason: true\n"}
    app = with_comment(8, "# flash-guard: ignore[FG101]")
    _, doc = check_json(project({"app.py": app, **config}))
    assert findings_of(doc) == sorted([FG104, FG101, FG108, ("FG003", "app.py", 8, 24)])
    app = with_comment(8, "# flash-guard: ignore[FG101] until=2999-01-01")
    _, doc = check_json(project({"app.py": app, **config}))
    assert ("FG003", "app.py", 8, 24) in findings_of(doc)
    app = with_comment(8, "# flash-guard: ignore[FG101] until=2999-01-01 H200 quota")
    _, doc = check_json(project({"app.py": app, **config}))
    assert findings_of(doc) == sorted([FG104, FG108])


# -- --no-ignores and the summary -----------------------------------------------------


def test_no_ignores_reports_everything_and_no_fg003(check_json, project):
    app = with_comment(8, "# flash-guard: ignore[FG101,FG999] typo")
    app = with_comment(13, "# flash-guard: ignore[FG108] image sets it", app)
    _, doc = check_json(project({"app.py": app}), "--no-ignores")
    assert findings_of(doc) == sorted([FG104, FG101, FG108])
    assert doc["summary"]["suppressed"] == 0


def test_summary_counts_suppressed_findings(check_json, project):
    app = with_comment(8, "# flash-guard: ignore[FG101] a")
    app = with_comment(13, "# flash-guard: ignore[FG108] b", app)
    app = with_comment(7, "# flash-guard: ignore[FG104] c", app)
    code, doc = check_json(project({"app.py": app}))
    assert (code, doc["findings"]) == (0, [])
    assert doc["summary"]["suppressed"] == 3
    assert doc["summary"]["findings"] == 0


def test_text_summary_mentions_suppressed(run_cli, project):
    app = with_comment(8, "# flash-guard: ignore[FG101] a")
    code, out, _ = run_cli(["check", "."], project({"app.py": app}))
    assert code == 1
    assert "FG101" not in out
    assert "1 suppressed" in out.splitlines()[-1]


# -- comments meant for flash-guard that do nothing (issue 14) -----------------------------
# Why: "a bare `# flash-guard: ignore`, `# noqa: FG302`, `# flash-guard: profile=staging` are
# ignored without FG003."


@pytest.mark.parametrize(
    "comment, message, fix",
    [
        (
            "# flash-guard: ignore",
            "names no rule",
            "`# flash-guard: ignore[FG101] reason`",
        ),
        ("# flash-guard: ignore FG101", "names no rule", "Name the rules"),
        (
            "# noqa: FG101",
            "`# noqa: FG101` does not suppress flash-guard findings",
            "`# flash-guard: ignore[FG101] reason`",
        ),
        (
            "# flash-gaurd: ignore[FG101]",
            "`flash-gaurd:` is not a flash-guard directive",
            "`# flash-guard: ignore[FG101]`",
        ),
        (
            "# flash-guard: profile=staging",
            "unknown profile `staging`",
            "define `staging` under `profiles:`",
        ),
        ("# flash-guard: ignroe[FG101]", "unknown flash-guard directive", "ignore[CODE]"),
    ],
    ids=["bare-ignore", "ignore-without-brackets", "noqa", "misspelled", "profile", "directive"],
)
def test_a_comment_that_does_nothing_is_fg003(check_json, project, comment, message, fix):
    _, doc = check_json(project({"app.py": with_comment(8, comment)}))
    fg003 = [f for f in doc["findings"] if f["code"] == "FG003"]
    assert len(fg003) == 1, doc["findings"]
    assert (fg003[0]["line"], message in fg003[0]["message"]) == (8, True), fg003[0]
    assert fix in fg003[0]["fix"], fg003[0]["fix"]
    # and the finding it meant to hide is still there
    assert FG101 in findings_of(doc)


@pytest.mark.parametrize(
    "comment",
    [
        "# noqa: E501",
        "# noqa",
        "# type: ignore",
        "# pylint: disable=invalid-name",
        "# flash-guard: profile=development",
        "# Example: flash guard",
        # the notes `flash-guard migrate` leaves for a human
        "# flash-guard: migrate: template=/PodTemplate: use container_disk_gb=",
    ],
)
def test_other_tools_comments_are_left_alone(check_json, project, comment):
    _, doc = check_json(project({"app.py": with_comment(8, comment)}))
    assert "FG003" not in {f["code"] for f in doc["findings"]}


@pytest.mark.parametrize("brackets", ["[]", "[ ]", "[ , ]"])
def test_empty_brackets_are_fg003(check_json, project, brackets):
    _, doc = check_json(project({"app.py": with_comment(8, f"# flash-guard: ignore{brackets} r")}))
    (fg003,) = [f for f in doc["findings"] if f["code"] == "FG003"]
    assert fg003["line"] == 8
    assert "names no rule" in fg003["message"]


def test_a_profile_pragma_naming_a_custom_profile_is_fine(check_json, project):
    root = project(
        {
            "app.py": with_comment(8, "# flash-guard: profile=staging"),
            ".flash-guard.yaml": "profiles:\n  staging: {extends: production}\n",
        }
    )
    _, doc = check_json(root)
    assert "FG003" not in {f["code"] for f in doc["findings"]}
    assert {f["profile"] for f in doc["findings"]} == {"staging"}


def test_a_comment_quoting_a_directive_is_not_one(check_json, project):
    quoted = "# see docs: `# noqa: FG101`, `# flash-guard: ignore` are FG003"
    _, doc = check_json(project({"app.py": with_comment(8, quoted)}))
    assert "FG003" not in {f["code"] for f in doc["findings"]}


def test_noqa_with_several_codes_names_ours_in_the_fix(check_json, project):
    _, doc = check_json(project({"app.py": with_comment(8, "# noqa: fg101, E501, FG104")}))
    (fg003,) = [f for f in doc["findings"] if f["code"] == "FG003"]
    assert "`# flash-guard: ignore[FG101,FG104] reason`" in fg003["fix"]


SHARED_SETTINGS = """\
import os

TIMEOUT_MS = int(os.environ["TIMEOUT_MS"])
"""
SHARED_APP = """\
from runpod_flash import Endpoint, GpuType

from settings import TIMEOUT_MS


@Endpoint(name="a1", gpu=GpuType.NVIDIA_L4, workers=(1, 2), execution_timeout_ms=TIMEOUT_MS)
async def a1(x):
    return x


@Endpoint(name="a2", gpu=GpuType.NVIDIA_L4, workers=(1, 2), execution_timeout_ms=TIMEOUT_MS)
async def a2(x):
    return x
"""


def test_one_fg002_for_a_shared_constant_is_suppressed_at_a_declaration(check_json, project):
    """rules.md: one FG002 per expression, naming every endpoint that uses it; here it sits
    in settings.py, and a suppression on a declaration that uses it still applies."""
    files = {"settings.py": SHARED_SETTINGS, "app.py": SHARED_APP}
    _, doc = check_json(project(files), "--select", "FG002")
    assert findings_of(doc) == [("FG002", "settings.py", 3, 14)]
    assert "`a1`, `a2`" in doc["findings"][0]["message"]
    files["app.py"] = with_comment(6, "# flash-guard: ignore[FG002] set by ops", SHARED_APP)
    _, doc = check_json(project(files), "--select", "FG002")
    assert findings_of(doc) == []
    assert doc["summary"]["suppressed"] == 1
