"""FG201: a `workers` setting the SDK rejects (or a negative legacy worker count)."""

from __future__ import annotations

from flash_guard.checks.base import (
    fail,
    register,
    spread_unknown,
    unknown,
)
from flash_guard.checks.deploy_support import (
    EveryDeclaration,
    label,
    python_int,
    python_repr,
    shown,
    type_name,
    written,
    written_value,
)
from flash_guard.discover.normalize import lax_int, release_worker_defaults
from flash_guard.sdk.in_use import release_at_least, sdk_of, short

# The first runpod-flash release whose resource classes reject workersMin > workersMax
# (ServerlessResource.validate_worker_range); tetra-rp never did.
WORKER_RANGE_CHECKED_FROM = "1.5.0"


def checks_worker_range(sdk) -> bool:
    return release_at_least(sdk, "runpod-flash", WORKER_RANGE_CHECKED_FROM)


@register
class InvalidWorkers(EveryDeclaration):
    """For `Endpoint(workers=...)` it does what `Endpoint.__init__` does: an int `n` means
    `(0, n)`, a 2-item tuple or list is `(min, max)` with each bound passed through `int()`,
    anything else is rejected; then a negative bound or min above max is rejected. These raise
    `ValueError` when the module is imported, so clients (`Endpoint(id=...)`) are checked too.
    For the legacy classes it reads `workersMin`/`workersMax`, a half not written taking the
    default of the release in use (0 and 1 in runpod-flash; tetra-rp's workersMax was 3): a
    value pydantic cannot read as an integer fails construction, and so does min above max
    from runpod-flash 1.5 (`validate_worker_range`). Earlier releases and tetra-rp send an
    inverted range to Runpod as is; flash-guard reports it there too, saying the release
    does not check it. A negative legacy count is accepted by the SDK but is never a valid
    worker count; flash-guard reports it too (deliberately stricter than the SDK)."""

    id = "invalid-workers"

    def check(self, endpoint, params, ctx):
        if endpoint.api == "legacy":
            return legacy_workers(endpoint)
        return endpoint_workers(endpoint)


def endpoint_workers(endpoint) -> list:
    value, undecided = written_value(endpoint, "workers", "workers")
    if value is None:
        return undecided
    raw = value.value
    if raw is None:
        return []
    name = label(endpoint)
    if isinstance(raw, int):  # bool included: the SDK's isinstance(workers, int) lets it pass
        low, high = 0, int(raw)
    elif isinstance(raw, (tuple, list)) and len(raw) == 2:
        sides = zip(("min", "max"), raw, strict=True)
        unknown_bounds = [(side, item) for side, item in sides if not item.known]
        if unknown_bounds:
            # One FG002 per expression that cannot be read (rules.md FG002), each naming its bound.
            return [
                unknown(endpoint, item, f"`workers.{side}`", "workers")
                for side, item in unknown_bounds
            ]
        bounds = []
        for item in raw:
            number = python_int(item.value)
            if number is None:
                return [
                    fail(
                        endpoint,
                        f"{name} workers={shown(value)}: the bound {python_repr(item)} is not an "
                        "integer, so Endpoint() raises when the module is imported",
                        value,
                        "workers",
                    )
                ]
            bounds.append(number)
        low, high = bounds
    else:
        return [
            fail(
                endpoint,
                f"{name} workers={shown(value)} is a {type_name(raw)}: Endpoint() raises "
                f"'workers must be an int or (min, max) tuple, got {type_name(raw)}'",
                value,
                "workers",
            )
        ]
    if low < 0 or high < 0:
        return [
            fail(
                endpoint,
                f"{name} workers={shown(value)}: Endpoint() raises 'workers cannot be "
                f"negative: ({low}, {high})'",
                value,
                "workers",
            )
        ]
    if low > high:
        return [
            fail(
                endpoint,
                f"{name} workers={shown(value)}: Endpoint() raises 'workers min ({low}) cannot "
                f"exceed max ({high})'",
                value,
                "workers",
            )
        ]
    return []


def legacy_workers(endpoint) -> list:
    name = label(endpoint)
    bounds: dict[str, tuple[int, object]] = {}
    out = []
    for field, default in zip(
        ("workersMin", "workersMax"), release_worker_defaults(endpoint), strict=True
    ):
        found = written(endpoint, field)
        if found is None:
            if endpoint.spreads:
                return spread_unknown(endpoint, field)
            bounds[field] = (default, None)
            continue
        value, _ = found
        if not value.known:
            return [unknown(endpoint, value, f"`{field}`", "workers")]
        if value.value is None:
            return []  # Optional: None skips the SDK's range check
        number = lax_int(value.value)
        if number is None:
            out.append(
                fail(
                    endpoint,
                    f"{name} {field}={shown(value)} is not an integer: "
                    f"{endpoint.resource_class}(...) raises 'Input should be a valid integer'",
                    value,
                    "workers",
                )
            )
            continue
        bounds[field] = (number, value)
    if out or len(bounds) < 2:
        return out
    (low, low_value), (high, high_value) = bounds["workersMin"], bounds["workersMax"]
    if low > high:
        at = low_value if low_value is not None else high_value
        defaulted = f" (workersMax defaults to {high})" if high_value is None else ""
        sdk = sdk_of(endpoint)
        if sdk is not None and not checks_worker_range(sdk):
            # Before runpod-flash 1.5 nothing compared the two: the endpoint is created with
            # a minimum above its maximum, which no scaling can satisfy.
            said = (
                f"{sdk.package} {sdk.version} does not check this and sends both to Runpod, "
                "a minimum no scaling can keep (runpod-flash "
                f"{short(WORKER_RANGE_CHECKED_FROM)} and later raise 'workersMin cannot be "
                "greater than workersMax')"
            )
        else:
            said = (
                f"{endpoint.resource_class}(...) raises 'workersMin ({low}) cannot be greater "
                f"than workersMax ({high})'"
            )
        return [
            fail(
                endpoint,
                f"{name} workersMin ({low}) is above workersMax ({high}){defaulted}: {said}",
                at,
                "workers",
            )
        ]
    for field, (number, value) in bounds.items():
        if number < 0:
            out.append(
                fail(
                    endpoint,
                    f"{name} {field}={shown(value)} is negative, which is no worker count (the "
                    "SDK does not check this and sends it to Runpod as is)",
                    value,
                    "workers",
                )
            )
    return out
