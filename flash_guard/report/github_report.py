"""`--format github`: GitHub Actions workflow commands that become annotations.

`::error file=app.py,line=2,col=25,endLine=2,endColumn=37,title=FG101 gpu-not-pinned::message`

GitHub shows only a few annotations per step (10 of each level), so with
`max_annotations` the most severe findings come first and one closing notice
says how many more there are and where to find them.
"""

from __future__ import annotations

from functools import lru_cache

from flash_guard.findings import SEVERITY_RANK
from flash_guard.report.escape import escape_text

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def render(result, max_annotations: int | None = None, **_) -> str:
    ordered = sorted(result.findings, key=priority)
    shown = ordered if max_annotations is None else ordered[: max(max_annotations, 0)]
    lines = [annotation(f) for f in shown]
    hidden = len(ordered) - len(shown)
    if hidden:
        noun = "finding is" if hidden == 1 else "findings are"
        lines.append(
            f"::notice title={escape_property('flash-guard')}::"
            + escape_data(
                f"{hidden} more flash-guard {noun} not annotated here; "
                "see the job summary or the full log."
            )
        )
    return "".join(line + "\n" for line in lines)


def priority(finding) -> tuple:
    """Most severe first, then by place, so the cap keeps what matters most."""
    return (-SEVERITY_RANK[finding.severity], finding.path, finding.line, finding.column)


def annotation(finding) -> str:
    span = finding.span
    end_line = max(span.end_line, span.line)
    title = _property(f"{finding.code} {finding.slug}")
    where = f"file={_property(str(finding.path))},line={_number(span.line)}"
    if span.end_line > span.line:
        # GitHub ignores columns on a multi-line range and may drop the annotation: an
        # endpoint-wide finding (its whole declaration) goes on the first line, no columns.
        props = f"{where},title={title}"
    else:
        props = (
            f"{where},col={_number(span.column)},endLine={_number(end_line)},"
            f"endColumn={_number(span.end_column)},title={title}"
        )
    # Untrusted text is made inert first (control and bidi characters, its own line
    # breaks); the runner's escaping below then covers `%` and our own "\nFix:".
    message = escape_text(finding.message)
    if finding.fix:
        message = f"{message}\nFix: {escape_text(finding.fix)}"
    return f"::{COMMANDS[finding.severity]} {props}::{escape_data(message)}"


@lru_cache(maxsize=4096)  # a file's findings share its path, a rule's its title
def _property(text: str) -> str:
    return escape_property(escape_text(text))


def _number(value) -> str:
    # An int's digits need no escaping.
    return str(value) if type(value) is int else _property(str(value))


def escape_data(text: str) -> str:
    # The runner's own rules (actions/toolkit command.ts): `%` first, then line breaks.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    # Property values also end at `:` (the message) and `,` (the next property).
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
