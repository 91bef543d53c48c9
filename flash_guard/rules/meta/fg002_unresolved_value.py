"""FG002: a value a rule needs is not statically known (the evaluator reports it)."""

from __future__ import annotations

from flash_guard.checks.base import Check, register


@register
class UnresolvedValue(Check):
    """Reported by the engine whenever another rule needs a value that is not statically
    known: a call result, `os.getenv(...)`, an unresolved `**kwargs`, a name imported from
    outside the project. The "unknown" outcomes of every rule are gathered by the expression
    they could not see: one finding per expression, at the expression, naming every rule it
    blocks and every endpoint that uses it. Those rules then neither pass nor fail."""

    id = "unresolved-value"
    scope = "engine"
