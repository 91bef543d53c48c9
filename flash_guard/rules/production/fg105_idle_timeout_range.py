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
from flash_guard.checks.deploy_support import keyword
from flash_guard.sdk.in_use import sdk_of


@dataclass
class Params:
    queue_range: tuple[int, int] = param_doc(
        default=(900, 1800), doc="Inclusive range in seconds for queue-based endpoints."
    )
    lb_range: tuple[int, int] = param_doc(
        default=(1200, 1800), doc="Inclusive range in seconds for load-balanced endpoints."
    )

    def problems(self) -> list[str]:
        """A range whose low end is above its high end: every endpoint would fail it."""
        ranges = (("queue_range", self.queue_range), ("lb_range", self.lb_range))
        return [
            f"{name}: the low end {low} is above the high end {high}; write [low, high]"
            for name, (low, high) in ranges
            if low > high
        ]


@register
class IdleTimeoutRange(Check):
    """Reads `idle_timeout` (legacy `idleTimeout`; seconds, default 60, 5 in tetra-rp and
    runpod-flash before 1.2: the default of the SDK version in use) and compares it
    with the profile's inclusive range for the endpoint's kind: queue-based endpoints (kind
    `queue` and `image`) use `queue_range`, load-balanced ones `lb_range`. A value above
    3600 in whole thousands (`idle_timeout=300_000`, legacy `idleTimeout=5000`) is said to
    read as milliseconds, as FG203 says it: runpod 2.0 and the releases before runpod-flash
    1.11.1 range-check nothing, so it deploys as hours."""

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
            _default_source(endpoint)
            if value.defaulted
            else (f" (via `{value.via}`)" if value.via else "")
        )
        return [
            fail(
                endpoint,
                f"`{endpoint.display_name}` idles {seconds} s{source}"
                f"{milliseconds_note(seconds, keyword(endpoint, 'idle_timeout'))}; "
                f"{label} production endpoints should keep workers {low}-{high} s",
                value,
                "idle_timeout",
            )
        ]


_MILLISECONDS_FROM = 10_000


def milliseconds_note(seconds, name: str = "idle_timeout") -> str:
    """A note for an idle timeout that reads as milliseconds (`idle_timeout=300_000` meant 5
    minutes, as execution_timeout_ms is written): 10,000 or more and in whole thousands, so
    the reading is at least 10 s (`idle_timeout=5000` gets no note: 5 s is no likelier).
    The idle timeout is seconds in every SDK release (`name`: the keyword as written,
    `idleTimeout` on the legacy classes); FG203 gives the same note."""
    if isinstance(seconds, float) and seconds.is_integer():
        seconds = int(seconds)  # `3e5`
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        return ""
    if seconds < _MILLISECONDS_FROM or seconds % 1000:
        return ""
    length = f"{seconds / 3600:.0f} h" if seconds >= 7200 else f"{seconds / 60:.0f} min"
    return f" (about {length}; {name} is in seconds: {seconds // 1000} if milliseconds were meant)"


def _default_source(endpoint) -> str:
    """The default depends on the release (tetra-rp's was 5 s): name it and where it came from."""
    sdk = sdk_of(endpoint)
    if sdk is None:
        return " (the SDK default)"
    return f" (the default of {sdk.package} {sdk.version}, {sdk.source})"
