"""FG209: a minimum CUDA version the SDK does not know."""

from __future__ import annotations

from flash_guard.checks.base import Check, fail, register
from flash_guard.checks.deploy_support import (
    closest,
    keyword,
    label,
    python_repr,
    shown,
    written_value,
)
from flash_guard.model import EnumRef
from flash_guard.sdk.flash_tables import CUDA_VERSIONS, did_you_mean
from flash_guard.sdk.in_use import facts_of, history, keywords, sdk_of

_VALUES = {value: member for member, value in CUDA_VERSIONS.items()}
_LISTED = ", ".join(CUDA_VERSIONS.values())


@register
class InvalidCudaVersion(Check):
    """Reads `min_cuda_version` (legacy `minCudaVersion`). A `CudaVersion` member that does not
    exist (the docs' `V11_1`, `V11_4`, `V11_7`) is an `AttributeError` when the module is
    imported. Otherwise the value must be a `CudaVersion` member or one of its values as a
    string: "11.8", "12.0" to "12.9", "13.0". A float (`12.8`) or any other string is
    rejected when the resource config is built. `Endpoint` passes the value on only for GPU
    endpoints, so a CPU `Endpoint` fails only on a missing member; the legacy classes
    validate it on every class. `None` keeps the SDK default (12.8). Releases before 1.11 have
    no such keyword (FG210 reports it), so there the value is not checked."""

    id = "invalid-cuda-version"

    def check(self, endpoint, params, ctx):
        field = keyword(endpoint, "min_cuda_version")
        value, undecided = written_value(endpoint, field, "min_cuda_version")
        if value is None:
            return undecided
        raw = value.value
        if raw is None:
            return []
        problem = member_problem(raw) or release_problem(endpoint, raw)
        # A missing member fails at import wherever it is written; a value is validated only
        # by a release that has the keyword.
        passed_on = (endpoint.api == "legacy" or endpoint.compute == "gpu") and _taken(
            endpoint, field
        )
        if problem is None and passed_on and not isinstance(raw, EnumRef):
            problem = value_problem(raw)
        if problem is None:
            return []
        return [
            fail(
                endpoint,
                f"{label(endpoint)} {field}={shown(value)}: {problem}",
                value,
                "min_cuda_version",
            )
        ]


def _taken(endpoint, field: str) -> bool:
    """Whether the release in use has the keyword at all: before runpod-flash 1.11 neither
    `Endpoint` nor the legacy classes know it (a TypeError, or a field pydantic drops: FG210
    says so), so nothing validates the value."""
    accepted = keywords(endpoint)
    names = accepted.endpoint if endpoint.api == "endpoint" else accepted.legacy
    return names is None or field in names


def member_problem(raw) -> str | None:
    if not isinstance(raw, EnumRef) or raw.is_member(CUDA_VERSIONS):
        return None
    if raw.enum != "CudaVersion":
        return f"{raw} is not a CudaVersion"
    if raw.raises == "ValueError":
        # `CudaVersion("11.0")`: a lookup by value no member has
        return (
            f"{raw} raises '{raw.member!r} is not a valid CudaVersion' when the module is "
            f"imported (values: {_LISTED})"
        )
    guess = closest(raw.member, CUDA_VERSIONS)
    hint = f"; did you mean CudaVersion.{guess}?" if guess else ""
    return (
        f"{raw} does not exist ({raw.raises} when the module is imported; members: {_LISTED}){hint}"
    )


def release_problem(endpoint, raw) -> str | None:
    """A member the newest release has but the release in use does not (V13_0 before 1.11)."""
    facts, sdk = facts_of(endpoint), sdk_of(endpoint)
    if facts is None or sdk is None or not isinstance(raw, EnumRef):
        return None
    if raw.enum != "CudaVersion" or raw.is_member(facts.cuda_versions):
        return None
    changed = history(sdk, "enum:CudaVersion", raw.member)
    what = changed or f"does not exist in {sdk.package} {sdk.version}"
    return f"{raw} {what} (AttributeError when the module is imported; {sdk.this_app()})"


def value_problem(raw) -> str | None:
    if isinstance(raw, str):
        if raw in _VALUES:
            return None
        if raw in CUDA_VERSIONS:
            return f"{raw!r} is a member name, not a value: write {CUDA_VERSIONS[raw]!r}"
        guess = did_you_mean(raw, _VALUES)
        hint = f"; did you mean {guess!r}?" if guess else ""
        return f"the SDK raises '{raw!r} is not a valid CudaVersion' (valid: {_LISTED}){hint}"
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        text = str(raw) if isinstance(raw, float) else f"{raw}.0"
        member = _VALUES.get(text)
        hint = f": write {text!r} or CudaVersion.{member}" if member else f" (valid: {_LISTED})"
        return f"a number is not accepted, only a CudaVersion or its string value{hint}"
    return f"{python_repr(raw)} is not a CudaVersion (valid: {_LISTED})"
