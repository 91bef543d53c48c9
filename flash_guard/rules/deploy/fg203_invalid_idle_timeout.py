"""FG203: an idle timeout outside the 1-3600 seconds the SDK accepts."""

from __future__ import annotations

from flash_guard.checks.base import (
    Check,
    fail,
    register,
    spread_unknown,
    unknown,
)
from flash_guard.checks.deploy_support import (
    keyword,
    label,
    lax_int,
    shown,
)
from flash_guard.sdk.flash_tables import IDLE_TIMEOUT_RANGE


@register
class InvalidIdleTimeout(Check):
    """Reads `idle_timeout` (legacy `idleTimeout`, seconds) and applies the SDK's validator:
    a whole number (pydantic also reads `"60"` and `60.0`) from 1 to 3600 inclusive; `None`
    is accepted. For `Endpoint` the validator runs when the resource config is built, at
    decoration or route registration; for the legacy classes at construction. Either way the
    module fails to import."""

    id = "invalid-idle-timeout"

    def check(self, endpoint, params, ctx):
        value = endpoint.params.get("idle_timeout")
        name = keyword(endpoint, "idle_timeout")
        if value is None or value.defaulted:
            return spread_unknown(endpoint, name)
        if not value.known:
            return [unknown(endpoint, value, f"`{name}`", "idle_timeout")]
        if value.value is None:
            return []
        seconds = lax_int(value.value)
        low, high = IDLE_TIMEOUT_RANGE
        if seconds is None:
            problem = (
                "is not a whole number of seconds: pydantic raises 'Input should be a valid "
                "integer'"
            )
        elif low <= seconds <= high:
            return []
        else:
            problem = (
                f"is outside {low}-{high}: the SDK raises 'idleTimeout must be between "
                f"{low} and {high} seconds'"
            )
        return [
            fail(
                endpoint,
                f"{label(endpoint)} {name}={shown(value)} {problem}",
                value,
                "idle_timeout",
            )
        ]
