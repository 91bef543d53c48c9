"""FG002: a value a rule needs is not statically known (the evaluator reports it)."""

from __future__ import annotations

from flash_guard.checks.base import Check, register


@register
class UnresolvedValue(Check):
    """Reported by the engine whenever another rule needs a value that is not statically
    known: a call result, `os.getenv(...)`, an unresolved `**kwargs`, a name imported from
    outside the project. The finding names the rule it could not decide and points at the
    undecidable expression. That rule then neither passes nor fails."""

    id = "unresolved-value"
    scope = "engine"
