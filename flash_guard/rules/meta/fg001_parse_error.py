"""FG001: a file that mentions Flash could not be parsed cleanly."""

from __future__ import annotations

from flash_guard.checks.base import Check, Outcome, register


@register
class ParseError(Check):
    """Reports every file that mentions Flash but could not be read or parsed cleanly (the
    tree-sitter parse has an ERROR or MISSING node, or code tree-sitter accepts and Python
    refuses to compile: string literals the two read differently, `await` outside an `async
    def`, as in a notebook cell pasted into a module), at the first syntax error. Declarations
    in such a file may be missed, so the rest of its findings are not the whole story. Other
    files are still checked."""

    id = "parse-error"
    scope = "project"

    def check_project(self, endpoints, params, ctx) -> list[Outcome]:
        out = []
        for problem in ctx.analysis.problems:
            message = f"{problem.message}; Flash declarations in this file may be missed"
            # A file not analysed at all carries severity "error" (it fails the run).
            out.append(
                Outcome("fail", message, problem.path, problem.span, severity=problem.severity)
            )
        return out
