"""FG105: production idle timeouts outside the recommended range."""

from __future__ import annotations

from dataclasses import dataclass

from flash_guard.checks.base import (
    Check,
    fail,
    param_doc,
    register,
    spread_unknown,
    unknown,
)


@dataclass
class Params:
    queue_range: tuple[int, int] = param_doc(
        default=(900, 1800), doc="Inclusive range in seconds for queue-based endpoints."
    )
    lb_range: tuple[int, int] = param_doc(
        default=(1200, 1800), doc="Inclusive range in seconds for load-balanced endpoints."
    )


@register
class IdleTimeoutRange(Check):
    """Reads `idle_timeout` (legacy `idleTimeout`; seconds, SDK default 60) and compares it
    with the profile's inclusive range for the endpoint's kind: queue-based endpoints (kind
    `queue` and `image`) use `queue_range`, load-balanced ones `lb_range`."""

    id = "idle-timeout-range"
    Params = Params

    def check(self, endpoint, params: Params, ctx):
        value = endpoint.params.get("idle_timeout")
        if value is None:
            return []
        if value.defaulted and endpoint.spreads:
            return spread_unknown(endpoint, "idle_timeout")
        if not value.known:
            return [unknown(endpoint, value, "`idle_timeout`", "idle_timeout")]
        seconds = value.value
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
            return []  # a type error is FG203's business
        low, high = params.lb_range if endpoint.kind == "load_balancer" else params.queue_range
        if low <= seconds <= high:
            return []
        label = "load-balanced" if endpoint.kind == "load_balancer" else "queue-based"
        source = (
            " (the SDK default)"
            if value.defaulted
            else (f" (via `{value.via}`)" if value.via else "")
        )
        return [
            fail(
                endpoint,
                f"`{endpoint.display_name}` idles {seconds} s{source}; {label} "
                f"production endpoints should keep workers {low}-{high} s",
                value,
                "idle_timeout",
            )
        ]
