"""Checks the engine itself drives: parse errors, unresolved values, suppression problems."""

from __future__ import annotations

from flash_guard.checks.base import Check, Outcome, register


@register
class ParseError(Check):
    """Reports every file that mentions Flash but could not be read or parsed cleanly (the
    tree-sitter parse has an ERROR or MISSING node), at the first syntax error. Declarations
    in such a file may be missed, so the rest of its findings are not the whole story. Other
    files are still checked."""

    id = "parse-error"
    scope = "project"

    def check_project(self, endpoints, params, ctx) -> list[Outcome]:
        out = []
        for problem in ctx.analysis.problems:
            message = f"{problem.message}; Flash declarations in this file may be missed"
            out.append(Outcome("fail", message, problem.path, problem.span))
        return out


@register
class UnresolvedValue(Check):
    """Reported by the engine whenever another rule needs a value that is not statically
    known: a call result, `os.getenv(...)`, an unresolved `**kwargs`, a name imported from
    outside the project. The finding names the rule it could not decide and points at the
    undecidable expression. That rule then neither passes nor fails."""

    id = "unresolved-value"
    scope = "engine"


@register
class SuppressionProblem(Check):
    """Reported for a `# flash-guard: ignore[...]` comment that names an unknown rule, lacks a
    reason where `require_suppression_reason` is on, has expired (`until=`), or suppresses
    nothing (only for rules enabled for that file)."""

    id = "suppression-problem"
    scope = "engine"
