"""The default human format, like ruff's: `path:line:col: CODE [severity] slug: message`."""

from __future__ import annotations

import os
import sys
from collections import Counter

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def use_color(stream=None) -> bool:
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def render(result, color: bool = False, statistics: bool = False, **_) -> str:
    lines = []
    for f in result.findings:
        sev = f"[{f.severity}]"
        code = f.code
        if color:
            sev = f"{_COLORS[f.severity]}{sev}{_RESET}"
            code = f"{_BOLD}{code}{_RESET}"
        if _fixable(f):
            code += " [*]"
        lines.append(f"{f.path}:{f.line}:{f.column}: {code} {sev} {f.slug}: {f.message}")
        if f.fix:
            hint = f"  help: {f.fix}"
            lines.append(f"{_DIM}{hint}{_RESET}" if color else hint)
    if statistics and result.findings:
        if lines:
            lines.append("")
        counts = Counter((f.code, f.slug, f.severity) for f in result.findings)
        for (code, slug, severity), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"{n:>5}  {code}  {slug} [{severity}]")
    if lines:
        lines.append("")
    fixes = fixes_line(result)
    if fixes:
        lines.append(fixes)
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def fixes_line(result) -> str:
    """How many findings `--fix` (and `--fix --unsafe-fixes`) would fix; "" when none."""
    fixable = sum(1 for f in result.findings if _fixable(f))
    unsafe = sum(1 for f in result.findings if getattr(f, "fixes", None) and not _fixable(f))
    if not fixable:
        return f"{unsafe} fixable with `--fix --unsafe-fixes` (no safe fixes)." if unsafe else ""
    more = f" ({unsafe} more with `--fix --unsafe-fixes`)" if unsafe else ""
    return f"[*] {fixable} fixable with `--fix`{more}."


def _fixable(finding) -> bool:
    """A finding `--fix` fixes: it has a safe fix (see flash_guard.fix)."""
    return any(fix.applicability == "safe" for fix in getattr(finding, "fixes", ()))


def summary_line(result) -> str:
    s = result.summary()
    parts = [_plural(s["errors"], "error"), _plural(s["warnings"], "warning"), f"{s['infos']} info"]
    where = f"{_plural(s['endpoints'], 'endpoint')} in {_plural(s['files'], 'file')}"
    extra = []
    if s["suppressed"]:
        extra.append(f"{s['suppressed']} suppressed")
    if s["baselined"]:
        extra.append(f"{s['baselined']} baselined")
    if s["stale_baseline_entries"]:
        extra.append(f"{s['stale_baseline_entries']} stale baseline entries")
    tail = f" ({', '.join(extra)})" if extra else ""
    if not s["findings"]:
        return f"All checks passed: {where}{tail}."
    return f"Found {_plural(s['findings'], 'finding')} ({', '.join(parts)}) across {where}{tail}."


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"
