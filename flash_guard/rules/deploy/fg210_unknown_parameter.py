"""FG210: keywords that `Endpoint`, a legacy resource class or `remote()` does not have."""

from __future__ import annotations

from flash_guard.checks.base import fail_at, register, unknown
from flash_guard.checks.deploy_support import EveryDeclaration, label
from flash_guard.sdk.flash_tables import (
    ENDPOINT_PARAMS,
    LEGACY_USER_FIELDS,
    REMOTE_PARAMS,
    did_you_mean,
)

# FG208 owns this one: the docs tell people to pass it, and the fix is a CLI flag.
OWNED_ELSEWHERE = frozenset({"python_version"})


@register
class UnknownParameter(EveryDeclaration):
    """Compares every keyword with the parameters the SDK defines. `Endpoint(...)` raises
    `TypeError: ... got an unexpected keyword argument` when the module is imported (clients
    included); `python_version=` is left to FG208. A legacy resource class (a pydantic model
    that ignores unknown fields) silently drops the keyword, so the setting never takes
    effect: `workers_max=3` on `LiveServerless` leaves `workersMax` at 1. `@remote(...)`
    raises `TypeError: remote() got unknown keyword argument`. Each finding suggests the
    closest real parameter (`gpus` -> `gpu`, `workers_max` -> `workersMax`). Keywords that
    come from a `**spread` that cannot be resolved make the rule undecidable (FG002)."""

    id = "unknown-parameter"

    def check(self, endpoint, params, ctx):
        name = label(endpoint)
        out = []
        if endpoint.api == "endpoint":
            for key, _, span in endpoint.kwargs:
                if key in ENDPOINT_PARAMS or key in OWNED_ELSEWHERE:
                    continue
                out.append(
                    fail_at(
                        endpoint,
                        f"{name}: Endpoint() got an unexpected keyword argument '{key}' "
                        f"(TypeError when the module is imported){suggest(key, ENDPOINT_PARAMS)}",
                        endpoint.path,
                        span,
                        key,
                        fix=fix_for(key, ENDPOINT_PARAMS),
                    )
                )
        else:
            cls = endpoint.resource_class
            for key, _, span in endpoint.kwargs:
                if key in LEGACY_USER_FIELDS:
                    continue
                out.append(
                    fail_at(
                        endpoint,
                        f"{name}: {cls} has no field '{key}'; pydantic drops it silently, so the "
                        f"setting never takes effect{suggest(key, LEGACY_USER_FIELDS)}",
                        endpoint.path,
                        span,
                        key,
                        fix=fix_for(key, LEGACY_USER_FIELDS),
                    )
                )
            for key, value, span in endpoint.remote_kwargs:
                if key in REMOTE_PARAMS:
                    continue
                hint = suggest(key, REMOTE_PARAMS)
                field = did_you_mean(key, LEGACY_USER_FIELDS)
                if not hint and field:
                    hint = f"; `{field}` is a setting of the resource class, not of remote()"
                out.append(
                    fail_at(
                        endpoint,
                        f"{name}: remote() got unknown keyword argument: '{key}' (TypeError when "
                        f"the module is imported){hint}",
                        value.path or endpoint.path,
                        span,
                        key,
                        fix=(
                            f"Set `{field}=` on {cls}(...) instead of passing `{key}=` to remote()."
                            if field and not did_you_mean(key, REMOTE_PARAMS)
                            else fix_for(key, REMOTE_PARAMS)
                        ),
                    )
                )
        if endpoint.spreads:
            out.append(unknown(endpoint, endpoint.spreads[0], "the `**` spread", "kwargs"))
        return out


def suggest(key: str, candidates) -> str:
    guess = did_you_mean(key, candidates)
    return f"; did you mean `{guess}`?" if guess else ""


def fix_for(key: str, candidates) -> str:
    guess = did_you_mean(key, candidates)
    if guess:
        return f"Rename `{key}=` to `{guess}=`."
    return f"Remove `{key}=`; see the parameter list in the SDK reference."
