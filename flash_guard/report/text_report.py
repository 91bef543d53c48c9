"""The default human format, like ruff's: `path:line:col: CODE [severity] slug: message`."""

from __future__ import annotations

import os
import sys
from collections import Counter

from flash_guard.report.escape import escape_text, guard_lines

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def use_color(mode: str = "auto", stream=None) -> bool:
    """--color: always/never decide; auto follows NO_COLOR, then FORCE_COLOR, then whether
    the stream is a terminal (https://no-color.org, https://force-color.org)."""
    if mode != "auto":
        return mode == "always"
    stream = stream or sys.stdout
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def statistics(result) -> list[str]:
    """One line per rule, most frequent first, like `ruff --statistics`."""
    counts = Counter((f.code, f.slug, f.severity) for f in result.findings)
    return [
        f"{n:>5}  {escape_text(code)}  {escape_text(slug)} [{severity}]"
        for (code, slug, severity), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def statistics_json(result) -> str:
    import json

    counts = Counter((f.code, f.slug, f.severity) for f in result.findings)
    rows = [
        {"code": code, "name": slug, "severity": severity, "count": n}
        for (code, slug, severity), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return json.dumps(rows, indent=2) + "\n"


def render(result, color: bool = False, statistics: bool = False, quiet: bool = False, **_) -> str:
    return "".join(chunks(result, color=color, statistics=statistics, quiet=quiet))


def chunks(result, color: bool = False, statistics: bool = False, quiet: bool = False, **_):
    """The report line by line, each guarded on its own (guard_lines works per line), so it
    is written as it is made (report.write)."""
    for line in _lines(result, color, statistics, quiet):
        yield guard_lines(line + "\n")


def _lines(result, color: bool, statistics: bool, quiet: bool):
    count = 0
    for f in result.findings:
        sev = f"[{f.severity}]"
        code = escape_text(f.code)
        if color:
            sev = f"{_COLORS[f.severity]}{sev}{_RESET}"
            code = f"{_BOLD}{code}{_RESET}"
        if _fixable(f):
            code += " [*]"
        path, slug, message = escape_text(f.path), escape_text(f.slug), escape_text(f.message)
        yield f"{path}:{f.line}:{f.column}: {code} {sev} {slug}: {message}"
        count += 1
        if f.fix:
            hint = f"  help: {escape_text(f.fix)}"
            yield f"{_DIM}{hint}{_RESET}" if color else hint
    if statistics and result.findings:
        if count:
            yield ""
        for line in _statistics(result):
            yield line
            count += 1
    if quiet:
        return
    if count:
        yield ""
    fixes = fixes_line(result)
    if fixes:
        yield fixes
    if result.diff_base is not None:
        yield diff_line(result)
    yield summary_line(result)


_statistics = statistics  # `render`'s keyword of the same name hides the function


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


def diff_line(result) -> str:
    """--diff-base, in one line: the scorecard diff's headline and the finding counts."""
    from flash_guard.diffbase import ref_label, scorecard_headline

    info = result.diff_base
    ref, commit = ref_label(info["ref"]), info["commit"][:12]
    since = escape_text(ref) + (f" (merge base {commit})" if ref != commit else "")
    return (
        f"Since {since}: {scorecard_headline(info['scorecard'])}; "
        f"{_plural(len(result.findings), 'new or changed finding')}, "
        f"{len(result.fixed)} fixed."
    )


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
