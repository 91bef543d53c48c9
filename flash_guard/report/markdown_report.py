"""`--format markdown`: the job-summary page (GitHub's `$GITHUB_STEP_SUMMARY`).

Counts first; with `--diff-base`, what changed since the base (the readiness scorecard
diff: per endpoint and checklist item, before and after, and the fixed findings); then the
readiness scorecard (one row per deployable endpoint, one column per checklist item that
applies to at least one of them), then the findings table. GitHub refuses a step summary
over 1 MiB, so the page is cut to `max_bytes`: findings rows go first, then scorecard rows,
then diff rows, each cut saying so.
"""

from __future__ import annotations

from functools import lru_cache

from flash_guard.checklist.active import META_CODES
from flash_guard.diffbase import LESS_READY, MORE_READY, ref_label, scorecard_headline
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
    title, counts = _title(result) + [""], _counts(result) + [""]
    head = title + counts
    card_head, card_rows, card_tail = _scorecard(result)
    find_head, find_rows = _findings(result)
    budget = None if max_bytes is None else max_bytes - _size(head) - _NOTE_ROOM

    if result.diff_base is not None:
        # A pull request's page leads with what the change did to readiness.
        diff_head, diff_rows, diff_tail = _changes(result)
        diff_shown = _fitting(diff_rows, None if budget is None else budget - _size(diff_head))
        head = title + diff_head + diff_rows[:diff_shown]
        if diff_shown < len(diff_rows):
            head += ["", _cut_note(len(diff_rows) - diff_shown, "changes"), ""] + counts
            rest = [(len(card_rows), "endpoints"), (len(find_rows), "findings")]
            head += [line for n, what in rest if n for line in ("", _cut_note(n, what))]
            return "\n".join(head) + "\n"
        head += diff_tail + counts
        if budget is not None:
            budget -= _size(diff_head + diff_rows + diff_tail)

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
    if result.diff_base is not None:
        ref = _cell(ref_label(result.diff_base["ref"]))
        if summary["findings"]:
            count = _plural_new(summary["findings"])
            return ["# flash-guard: production readiness", "", f"❌ {count} since `{ref}`"]
        return ["# flash-guard: production readiness", "", f"✅ No new findings since `{ref}`"]
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


def scorecard_lines(result) -> list[str]:
    """The whole readiness scorecard section (for `flash-guard endpoints --format markdown`)."""
    head, body, tail = _scorecard(result)
    return head + body + tail


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


CHANGE_LABELS = {
    LESS_READY: "📉 less ready",
    MORE_READY: "📈 more ready",
    "added": "🆕 new endpoint",
    "removed": "🗑️ removed endpoint",
    "changed": "↔️ changed",
}
STATE_WORDS = {PASS: "pass", FAIL: "fail", UNKNOWN: "unknown", NOT_APPLICABLE: "does not apply"}


def _changes(result) -> tuple[list[str], list[str], list[str]]:
    """The readiness scorecard diff (diffbase.scorecard_diff rows) and the fixed findings."""
    info = result.diff_base
    rows = info["scorecard"]
    ref, commit = ref_label(info["ref"]), info["commit"][:12]
    since = f"`{_cell(ref)}`" + (f" (merge base `{commit}`)" if ref != commit else "")
    head = [
        f"## Changes since {since}",
        "",
        f"**{scorecard_headline(rows)}** · {_plural_new(len(result.findings))} · "
        f"{len(result.fixed)} fixed",
        "",
    ]
    if not rows and not result.fixed:
        return head + ["No endpoint's readiness changed.", ""], [], []
    body: list[str] = []
    if rows:
        head += ["| endpoint | change | item | before | after |", "|---|---|---|---|---|"]
    rules = {rule.code: rule for rule in result.rules}
    cards = _cards_by_endpoint(result)
    for row in rows:
        app = row["app"] not in ("", ".") and f"<br>{_cell(row['app'])}"
        name = _cell(row["endpoint"]) + (app or "")
        label = CHANGE_LABELS.get(row["change"], _cell(row["change"]))
        if row["change"] == "added":
            tally = _tally(cards.get((row["app"], row["endpoint"]), {}))
            body.append(f"| {name} | {label} | | — | {tally} |")
            continue
        if row["change"] == "removed":
            body.append(f"| {name} | {label} | | | — |")
            continue
        for n, (code, (old, new)) in enumerate(row["items"].items()):
            first = n == 0
            body.append(
                f"| {name if first else ''} | {label if first else ''} | "
                f"{_rule_header(code, rules)} | {_state(old)} | {_state(new)} |"
            )
    tail = [""]
    if result.fixed:
        tail += ["### Fixed since the base", "", "| rule | endpoint | where (in the base) |"]
        tail += ["|---|---|---|"]
        tail += [
            f"| {_cell(f.code)} {_cell(f.slug)} | {_cell(f.endpoint or '')} | "
            f"{_cell(f.path)}:{f.line} |"
            for f in result.fixed
        ]
        tail += [""]
    return head, body, tail


def _cards_by_endpoint(result) -> dict[tuple[str, str], dict[str, str]]:
    return {
        (ep.app, ep.display_name): card
        for ep, card in zip(result.endpoints, result.scorecard, strict=False)
        if ep.deployable
    }


def _tally(card: dict[str, str]) -> str:
    """A new endpoint's verdicts in one cell: `❌ 2 · ❔ 1 · ✅ 7`."""
    counts = [
        (CELLS[state], sum(1 for code, v in card.items() if v == state and code not in META_CODES))
        for state in (FAIL, UNKNOWN, PASS)
    ]
    return " · ".join(f"{icon} {n}" for icon, n in counts if n) or "nothing applies"


def _state(state: str) -> str:
    icon = CELLS.get(state, "")
    return f"{icon} {STATE_WORDS.get(state, _cell(state))}".strip()


def _plural_new(n: int) -> str:
    return f"{n} new or changed finding{'s' * (n != 1)}"


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
    # Many findings share a rule, a file, an endpoint, a fix text: each cell made once.
    cell = lru_cache(maxsize=None)(_cell)
    labels: dict[tuple[str, str], str] = {}
    # Most severe first, like the annotations: a cut table keeps what matters most.
    for f in sorted(result.findings, key=priority):
        label = labels.get((f.code, f.slug))
        if label is None:
            rule = rules.get(f.code)
            label = f"{cell(f.code)} {cell(f.slug)}"
            if rule is not None and f.code.startswith("FG"):
                label = f"[{label}]({rule.help_uri})"
            labels[f.code, f.slug] = label
        message = _cell(f.message) + (f"<br>Fix: {cell(f.fix)}" if f.fix else "")
        rows.append(
            f"| {SEVERITY_LABELS[f.severity]} | {label} | {cell(f.path)}:{f.line} | "
            f"{cell(f.endpoint or '')} | {message} |"
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
