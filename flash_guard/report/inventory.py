"""`flash-guard endpoints`: the inventory as an aligned table, markdown or json."""

from __future__ import annotations

from collections import Counter

from flash_guard.findings import FAIL, PASS, UNKNOWN
from flash_guard.report.json_report import dumps_one_per_line
from flash_guard.report.values import endpoint_json, short

COLUMNS = (
    "name",
    "kind",
    "compute",
    "gpu/cpu",
    "workers",
    "idle",
    "timeout",
    "volume",
    "routes",
    "checks",
    "file:line",
)


def rows(result) -> list[dict[str, str]]:
    out = []
    for i, ep in enumerate(result.endpoints):
        params = ep.params
        hardware = params.get("cpu") if ep.compute == "cpu" else params.get("gpu")
        if hardware is None and ep.compute == "gpu":
            hardware = params.get("gpu_ids")
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
        checks = (
            "-"
            if not ep.deployable
            else f"{counts[PASS]} pass, {counts[FAIL]} fail, {counts[UNKNOWN]} ?"
        )
        out.append(
            {
                "name": ep.display_name,
                "kind": ep.kind,
                "compute": ep.compute,
                "gpu/cpu": short(hardware) if ep.kind != "client" else "-",
                "workers": workers_cell if ep.kind != "client" else "-",
                "idle": _seconds(idle) if ep.kind != "client" else "-",
                "timeout": _millis(timeout) if ep.kind != "client" else "-",
                "volume": short(params.get("volume")),
                "routes": routes,
                "checks": checks,
                "file:line": f"{ep.path}:{ep.span.line}",
            }
        )
    return out


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


def render_text(result) -> str:
    table = rows(result)
    if not table:
        return f"No Flash endpoints found in {result.files_checked} files.\n"
    widths = {c: max(len(c), *(len(r[c]) for r in table)) for c in COLUMNS}
    lines = ["  ".join(c.upper().ljust(widths[c]) for c in COLUMNS).rstrip()]
    for r in table:
        lines.append("  ".join(r[c].ljust(widths[c]) for c in COLUMNS).rstrip())
    deployable = sum(1 for e in result.endpoints if e.deployable)
    clients = len(result.endpoints) - deployable
    lines.append("")
    lines.append(f"{deployable} endpoints, {clients} clients in {result.files_checked} files.")
    lines += sdk_lines(result)
    return "\n".join(lines) + "\n"


def sdk_lines(result) -> list[str]:
    """One line per app and SDK: which release its checks were made against, and why."""
    seen: dict[tuple[str, str], str] = {}
    for ep in result.endpoints:
        if ep.sdk is not None:
            seen.setdefault((ep.app, ep.sdk.package), ep.sdk.describe())
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
    return "\n".join(lines) + "\n"


def _md(cell: str) -> str:
    return cell.replace("|", "\\|")


def render_json(result) -> str:
    endpoints = []
    for i, ep in enumerate(result.endpoints):
        checks = result.scorecard[i] if ep.deployable and i < len(result.scorecard) else None
        profile = result.profiles[i] if ep.deployable and i < len(result.profiles) else None
        endpoints.append(endpoint_json(ep, profile, checks))
    doc = {"version": 1, "endpoints": endpoints, "files": result.files_checked}
    return dumps_one_per_line(doc)


def render(fmt: str, result) -> str:
    return {"text": render_text, "markdown": render_markdown, "json": render_json}[fmt](result)
