"""`--format markdown`: the job-summary page (GitHub's `$GITHUB_STEP_SUMMARY`).

Counts first, then the readiness scorecard (one row per deployable endpoint,
one column per checklist item that applies to at least one of them), then the
findings table. GitHub refuses a step summary over 1 MiB, so the page is cut to
`max_bytes`: findings rows go first, then scorecard rows, each cut saying so.
"""

from __future__ import annotations

from flash_guard.checklist.active import META_CODES
from flash_guard.findings import FAIL, NOT_APPLICABLE, PASS, UNKNOWN
from flash_guard.report.escape import markdown_cell
from flash_guard.report.github_report import priority

# Under GitHub's 1 MiB (1,048,576 bytes) per step, with room for a caller's own lines.
DEFAULT_MAX_BYTES = 1_000_000
CELLS = {PASS: "✅", FAIL: "❌", UNKNOWN: "❔", NOT_APPLICABLE: ""}
SEVERITY_LABELS = {"error": "🔴 error", "warning": "🟡 warning", "info": "🔵 info"}
# Room kept for the "N more not shown" notes when a table is cut.
_NOTE_ROOM = 400


def render(result, max_bytes: int | None = DEFAULT_MAX_BYTES, **_) -> str:
    head = _title(result) + [""] + _counts(result) + [""]
    card_head, card_rows, card_tail = _scorecard(result)
    find_head, find_rows = _findings(result)
    budget = None if max_bytes is None else max_bytes - _size(head) - _NOTE_ROOM

    card_shown = _fitting(card_rows, None if budget is None else budget - _size(card_head))
    lines = head + card_head + card_rows[:card_shown]
    if card_shown < len(card_rows):
        lines += ["", _cut_note(len(card_rows) - card_shown, "endpoints")]
        # No room left for findings at all: say how many there are.
        if find_rows:
            lines += ["", _cut_note(len(find_rows), "findings")]
        return "\n".join(lines) + "\n"
    lines += card_tail
    if budget is not None:
        budget -= _size(card_head + card_rows + card_tail)
    find_shown = _fitting(find_rows, None if budget is None else budget - _size(find_head))
    lines += find_head + find_rows[:find_shown]
    if find_shown < len(find_rows):
        lines += ["", _cut_note(len(find_rows) - find_shown, "findings")]
    return "\n".join(lines) + "\n"


def _title(result) -> list[str]:
    summary = result.summary()
    if summary["findings"]:
        return ["# flash-guard: production readiness", "", f"❌ {_plural(summary['findings'])}"]
    return ["# flash-guard: production readiness", "", "✅ All checks passed"]


def _counts(result) -> list[str]:
    s = result.summary()
    columns = [
        ("errors", s["errors"]),
        ("warnings", s["warnings"]),
        ("info", s["infos"]),
        ("endpoints", s["endpoints"]),
        ("files", s["files"]),
        ("suppressed", s["suppressed"]),
        ("baselined", s["baselined"]),
        ("stale baseline entries", s["stale_baseline_entries"]),
    ]
    return [
        "| " + " | ".join(name for name, _ in columns) + " |",
        "|" + "---:|" * len(columns),
        "| " + " | ".join(str(value) for _, value in columns) + " |",
    ]


def _scorecard(result) -> tuple[list[str], list[str], list[str]]:
    rows = [
        (i, ep)
        for i, ep in enumerate(result.endpoints)
        if ep.deployable  # clients are never checked
    ]
    head = ["## Readiness scorecard", ""]
    if not rows:
        return head + ["No Flash endpoints found.", ""], [], []
    cards = [result.scorecard[i] if i < len(result.scorecard) else {} for i, _ in rows]
    codes = sorted(
        {
            code
            for card in cards
            for code, state in card.items()
            if state != NOT_APPLICABLE and code not in META_CODES
        }
    )
    rules = {rule.code: rule for rule in result.rules}
    head += [
        "| endpoint | profile | " + " | ".join(_rule_header(code, rules) for code in codes) + " |",
        "|---|---|" + "---|" * len(codes),
    ]
    body = []
    for (i, ep), card in zip(rows, cards, strict=True):
        profile = result.profiles[i] if i < len(result.profiles) else ""
        name = f"{_cell(ep.display_name)}<br>{_cell(ep.path)}:{ep.span.line}"
        cells = [CELLS.get(card.get(code, NOT_APPLICABLE), "") for code in codes]
        body.append(f"| {name} | {_cell(profile)} | " + " | ".join(cells) + " |")
    tail = [
        "",
        "✅ pass · ❌ fail · ❔ unknown (a value flash-guard cannot read statically) · "
        "blank: does not apply",
        "",
    ]
    return head, body, tail


def _rule_header(code: str, rules: dict) -> str:
    rule = rules.get(code)
    if rule is None:
        return _cell(code)
    if rule.code.startswith("FG"):
        return f'[{code}]({rule.help_uri} "{_cell(rule.slug)}")'
    return _cell(code)  # a user's own item has no page in our docs


def _findings(result) -> tuple[list[str], list[str]]:
    head = ["## Findings", ""]
    if not result.findings:
        return head + ["No findings."], []
    rules = {rule.code: rule for rule in result.rules}
    head += ["| severity | rule | location | endpoint | message |", "|---|---|---|---|---|"]
    rows = []
    # Most severe first, like the annotations: a cut table keeps what matters most.
    for f in sorted(result.findings, key=priority):
        rule = rules.get(f.code)
        label = f"{_cell(f.code)} {_cell(f.slug)}"
        if rule is not None and f.code.startswith("FG"):
            label = f"[{label}]({rule.help_uri})"
        message = _cell(f.message) + (f"<br>Fix: {_cell(f.fix)}" if f.fix else "")
        rows.append(
            f"| {SEVERITY_LABELS[f.severity]} | {label} | {_cell(f.path)}:{f.line} | "
            f"{_cell(f.endpoint or '')} | {message} |"
        )
    return head, rows


def _fitting(rows: list[str], budget: int | None) -> int:
    """How many rows, taken in order, fit in `budget` bytes."""
    if budget is None:
        return len(rows)
    used = 0
    for n, row in enumerate(rows):
        used += len(row.encode("utf-8")) + 1
        if used > budget:
            return n
    return len(rows)


def _cut_note(hidden: int, what: str) -> str:
    return (
        f"> **{hidden} more {what} not shown**: a job summary is limited to 1 MiB. "
        "The annotations, the SARIF upload or `flash-guard check` list them all."
    )


def _cell(text: str) -> str:
    """Table-safe text: no markup, no raw HTML from analysed code, one line."""
    return markdown_cell(text)


def _size(lines: list[str]) -> int:
    return sum(len(line.encode("utf-8")) + 1 for line in lines)


def _plural(n: int) -> str:
    return f"{n} finding{'s' * (n != 1)}"
