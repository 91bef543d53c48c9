"""FG003: a suppression comment that is malformed, expired or unused (suppression reports it)."""

from __future__ import annotations

from flash_guard.checks.base import Check, register


@register
class SuppressionProblem(Check):
    """Reported for a `# flash-guard: ignore[...]` comment that names an unknown rule, lacks a
    reason where `require_suppression_reason` is on, has expired (`until=`), or suppresses
    nothing (only for rules enabled for that file)."""

    id = "suppression-problem"
    scope = "engine"
