"""FG203: an idle timeout outside the range the SDK release in use accepts (1-3600 seconds)."""

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
    shown,
)
from flash_guard.discover.normalize import lax_int
from flash_guard.rules.production.fg105_idle_timeout_range import milliseconds_note
from flash_guard.sdk.flash_tables import IDLE_TIMEOUT_RANGE
from flash_guard.sdk.in_use import facts_of, sdk_of


@register
class InvalidIdleTimeout(Check):
    """Reads `idle_timeout` (legacy `idleTimeout`, seconds) and applies the validator of the
    SDK release the app uses (rules.md "SDK version in use"): a whole number (pydantic also
    reads `"60"` and `60.0`) inside the release's range, 1 to 3600 inclusive since
    runpod-flash 1.11.1; `None` is accepted. Releases without the range check (runpod-flash
    before 1.11.1, every tetra-rp release) still reject a value that is not a whole number.
    For `Endpoint` the validator runs when the resource config is built, at decoration or
    route registration; for the legacy classes at construction. Either way the module fails
    to import. A value above 3600 in whole thousands (`idle_timeout=300_000`) is said to read
    as milliseconds, as FG105 says it. runpod 2.0 has no range check at all (rc2 accepts 0,
    negative and huge values), so FG203 does not fire on 2.0 declarations."""

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
        checked, (low, high), release = _range_in_use(endpoint)
        if seconds is None:
            problem = (
                "is not a whole number of seconds: pydantic raises 'Input should be a valid "
                "integer'"
            )
        elif not checked or (low is None or low <= seconds) and (high is None or seconds <= high):
            return []
        else:
            problem = (
                f"is outside {_shown_range(low, high)}{release}: the SDK raises 'idleTimeout "
                f"must be between {low} and {high} seconds'{milliseconds_note(seconds, name)}"
            )
        return [
            fail(
                endpoint,
                f"{label(endpoint)} {name}={shown(value)} {problem}",
                value,
                "idle_timeout",
            )
        ]


def _range_in_use(endpoint) -> tuple[bool, tuple[int | None, int | None], str]:
    """(whether the release checks a range, the range, the clause naming the release)."""
    facts, sdk = facts_of(endpoint), sdk_of(endpoint)
    if facts is None or sdk is None:
        return True, IDLE_TIMEOUT_RANGE, ""
    if facts.idle_timeout_range is None:
        return False, (None, None), ""
    accepts = f", the range {sdk.package} {sdk.version} accepts ({sdk.this_app()})"
    return True, facts.idle_timeout_range, accepts


def _shown_range(low: int | None, high: int | None) -> str:
    if low is None:
        return f"at most {high}"
    return f"{low}-{high}" if high is not None else f"at least {low}"
