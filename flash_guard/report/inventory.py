"""`flash-guard endpoints`: the inventory as an aligned table, markdown or json."""

from __future__ import annotations

from collections import Counter

from flash_guard.findings import FAIL, NOT_APPLICABLE, PASS, UNKNOWN
from flash_guard.report.escape import escape_text, guard_lines, markdown_cell
from flash_guard.report.json_report import dumps_one_per_line
from flash_guard.report.values import endpoint_json, gpu_default_sent, short

COLUMNS = (
    "name",
    "app",
    "kind",
    "compute",
    "gpu/cpu",
    "workers",
    "idle",
    "timeout",
    "volume",
    "routes",
    "profile",
    "checks",
    "file:line",
)
# The default table fits a 100-column terminal: the columns that tell endpoints apart,
# long cells shortened with `…`; `--wide` shows every column in full.
NARROW_COLUMNS = ("name", "kind", "gpu/cpu", "workers", "profile", "checks", "file:line")
WIDTH = 100
# Which cells may be shortened, and the least each keeps.
_SHRINKABLE = {"name": 12, "app": 10, "gpu/cpu": 10, "file:line": 16, "workers": 5}
LEGEND = "checks: pass/fail/unknown (unknown: a value flash-guard cannot read statically)"


def rows(result) -> list[dict[str, str]]:
    out = []
    for i, ep in enumerate(result.endpoints):
        params = ep.params
        hardware = params.get("cpu") if ep.compute == "cpu" else params.get("gpu")
        if hardware is None and ep.compute == "gpu":
            hardware = params.get("gpu_ids")
        hardware_cell = "ANY (default)" if gpu_default_sent(ep) else short(hardware)
        workers = params.get("workers")
        if workers is not None and workers.known and isinstance(workers.value, dict):
            workers_cell = f"{short(workers.value.get('min'))}-{short(workers.value.get('max'))}"
        else:
            workers_cell = short(workers)
        timeout = params.get("execution_timeout_ms")
        idle = params.get("idle_timeout")
        routes = ", ".join(f"{short(r.method)} {short(r.path)}" for r in ep.routes) or "-"
        card = result.scorecard[i] if i < len(result.scorecard) else {}
        counts = Counter(card.values())
        checks = "-" if not ep.deployable else f"{counts[PASS]}/{counts[FAIL]}/{counts[UNKNOWN]}"
        profile = result.profiles[i] if ep.deployable and i < len(result.profiles) else ""
        out.append(
            {
                "name": ep.display_name,
                "app": _app_cell(ep),
                "kind": ep.kind,
                "compute": ep.compute,
                "gpu/cpu": hardware_cell if ep.kind != "client" else "-",
                "workers": workers_cell if ep.kind != "client" else "-",
                "idle": _seconds(idle) if ep.kind != "client" else "-",
                "timeout": _millis(timeout) if ep.kind != "client" else "-",
                "volume": short(params.get("volume")),
                "routes": routes,
                "profile": profile or "-",
                "checks": checks,
                "file:line": f"{ep.path}:{ep.span.line}",
            }
        )
    return out


def _app_cell(ep) -> str:
    """runpod 2.0: `<App name>/<environment>` (what `rp flash deploy` targets); else `-`."""
    if ep.app_name is None:
        return "-"
    env = short(ep.environment) if ep.environment is not None else "default"
    return f"{short(ep.app_name)}/{env}"


def _seconds(value) -> str:
    cell = short(value)
    return f"{cell}s" if cell not in ("?", "-") else cell


def _millis(value) -> str:
    if (
        value is not None
        and value.known
        and isinstance(value.value, int)
        and not isinstance(value.value, bool)
    ):
        return "none" if value.value <= 0 else f"{value.value}ms"
    return short(value)


def render_text(result, wide: bool = False) -> str:
    table = rows(result)
    files = _plural(result.files_checked, "file")
    if not table:
        return f"No Flash endpoints found in {files}.\n"
    columns = COLUMNS if wide else NARROW_COLUMNS
    if not wide and "app" in COLUMNS and any(r.get("app", "-") not in ("", "-") for r in table):
        # runpod 2.0 resources: which App and environment they deploy with matters
        columns = (*columns[:2], "app", *columns[2:])
    table = [{c: escape_text(r[c]) for c in COLUMNS} for r in table]
    if wide:
        # --wide: a pass/fail/unknown mark per checklist item, one column per item that
        # applies to at least one endpoint ("-": does not apply).
        codes = item_codes(result)
        for i, r in enumerate(table):
            card = result.scorecard[i] if i < len(result.scorecard) else {}
            deployable = result.endpoints[i].deployable
            r.update(
                {
                    c: MARKS.get(card.get(c, NOT_APPLICABLE), "-") if deployable else "-"
                    for c in codes
                }
            )
        columns = (*columns, *codes)
    widths = {c: max(len(c), *(len(r[c]) for r in table)) for c in columns}
    if not wide:
        _fit(widths, WIDTH)
    lines = ["  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip()]
    for r in table:
        lines.append("  ".join(_cell(r[c], widths[c]) for c in columns).rstrip())
    deployable = sum(1 for e in result.endpoints if e.deployable)
    clients = len(result.endpoints) - deployable
    lines.append("")
    lines += sdk_lines(result)
    lines.append(
        LEGEND + ("; ? unknown, - does not apply" if wide else "; --wide for every column and item")
    )
    counted = _plural(deployable, "endpoint")
    if clients:
        counted += f", {_plural(clients, 'client')}"
    lines.append(f"{counted} in {files}.")
    return guard_lines("\n".join(lines) + "\n")


MARKS = {PASS: "pass", FAIL: "fail", UNKNOWN: "?", NOT_APPLICABLE: "-"}


def item_codes(result) -> list[str]:
    """The checklist items that apply to at least one deployable endpoint (meta rules
    aside), as the markdown scorecard's columns."""
    from flash_guard.checklist.active import META_CODES

    return sorted(
        {
            code
            for i, ep in enumerate(result.endpoints)
            if ep.deployable and i < len(result.scorecard)
            for code, state in result.scorecard[i].items()
            if state != NOT_APPLICABLE and code not in META_CODES
        }
    )


def _fit(widths: dict[str, int], limit: int) -> None:
    """Narrow the shrinkable columns, widest first, until the row fits `limit`."""
    gaps = 2 * (len(widths) - 1)
    while sum(widths.values()) + gaps > limit:
        candidates = [c for c in _SHRINKABLE if c in widths and widths[c] > _SHRINKABLE[c]]
        if not candidates:
            return
        widest = max(candidates, key=lambda c: widths[c] - _SHRINKABLE[c])
        widths[widest] -= 1


def _cell(text: str, width: int) -> str:
    if len(text) <= width:
        return text.ljust(width)
    return text[: width - 1] + "…"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def sdk_lines(result) -> list[str]:
    """One line per app and SDK: which release its checks were made against, and why."""
    seen: dict[tuple[str, str], str] = {}
    for ep in result.endpoints:
        if ep.sdk_release is not None:
            seen.setdefault((ep.app, ep.sdk_release.package), ep.sdk_release.describe())
    return [
        f"SDK: {text}" + (f" for app {app}" if app != "." else "")
        for (app, _), text in sorted(seen.items())
    ]


def render_markdown(result) -> str:
    table = rows(result)
    lines = ["# Flash endpoints", ""]
    if not table:
        return "\n".join(lines + ["No Flash endpoints found."]) + "\n"
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "---|" * len(COLUMNS))
    for r in table:
        lines.append("| " + " | ".join(_md(r[c]) for c in COLUMNS) + " |")
    sdk = sdk_lines(result)
    if sdk:
        lines += [""] + [f"{_md(line)}  " for line in sdk]
    # The pass/fail/unknown mark of every checklist item per endpoint (design.md: the
    # inventory's marks), the same scorecard the check report shows.
    from flash_guard.report.markdown_report import scorecard_lines

    lines += [""] + scorecard_lines(result)
    return "\n".join(lines).rstrip("\n") + "\n"


def _md(cell: str) -> str:
    return markdown_cell(cell)


def render_json(result) -> str:
    endpoints = []
    for i, ep in enumerate(result.endpoints):
        checks = result.scorecard[i] if ep.deployable and i < len(result.scorecard) else None
        profile = result.profiles[i] if ep.deployable and i < len(result.profiles) else None
        endpoints.append(endpoint_json(ep, profile, checks))
    doc = {"version": 1, "endpoints": endpoints, "files": result.files_checked}
    return dumps_one_per_line(doc)


def render(fmt: str, result, wide: bool = False) -> str:
    if fmt == "text":
        return render_text(result, wide)
    return {"markdown": render_markdown, "json": render_json}[fmt](result)
