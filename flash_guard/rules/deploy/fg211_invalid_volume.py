"""FG211: `NetworkVolume(...)` declarations the SDK rejects, and `volume=` in a shape it rejects."""

from __future__ import annotations

import re

from flash_guard.checks.base import Check, Outcome, fail, register, unknown
from flash_guard.checks.deploy_support import (
    label,
    project_volumes,
    python_repr,
    shown,
    tidy,
    type_name,
    volume_label,
    volume_outcome,
    written,
)
from flash_guard.discover.normalize import lax_int
from flash_guard.model import Opaque
from flash_guard.sdk.flash_tables import (
    NETWORK_VOLUME_FIELDS,
    NETWORK_VOLUME_SIZE_RANGE,
    did_you_mean,
)
from flash_guard.sdk.in_use import list_taken_from, sdk_of


@register
class InvalidVolume(Check):
    """Validates every `NetworkVolume(...)` the project builds, mounted or not (pydantic
    validates it when the module is imported): it needs `name=` or `id=`; a name may not be
    empty or whitespace; an id given without a name may not be a placeholder such as
    `<VOLUME-ID>` or `your-volume-id`; `size` (GB, default 100; `None` is accepted) must be a
    whole number from 10 to 4096; and any keyword outside `name`, `id`, `size`, `datacenter`,
    `dataCenterId` is rejected (`extra="forbid"`), with the closest real one suggested.
    Findings point at the volume's own declaration. It also checks `Endpoint(volume=...)`:
    one `NetworkVolume` or a non-empty list of them (a tuple, an empty list or another type
    raises in `Endpoint()`); a list only from runpod-flash 1.10 (1.6.1-1.9.1 take one volume
    and raise AttributeError on a list). Datacenter problems are FG206. A runpod 2.0 declaration is
    checked as rc2 validates `mounts=` and `model=`: absolute, distinct, non-overlapping mount
    paths, one volume at `/runpod-volume` on a queue or api, no global volume on CPU, a
    non-empty volume name, an `owner/name[:revision]` model, and the constructors' own
    signatures (`NetworkVolume("v", size_gb=100)` or `NetworkVolume("v", 100)` is a TypeError)."""

    id = "invalid-volume"
    scope = "project"

    def check_project(self, endpoints, params, ctx) -> list[Outcome]:
        out: list[Outcome] = []
        for endpoint in endpoints:
            if endpoint.api == "endpoint":
                out += volume_shape(endpoint)
        analysis = ctx.analysis if ctx is not None else None
        for value, owner in project_volumes(endpoints, analysis):
            out += volume_problems(value.value, owner)
        return tidy(out)


def volume_shape(endpoint) -> list[Outcome]:
    found = written(endpoint, "volume")
    if found is None:
        return []  # an unresolved spread is FG210's to report
    value, _ = found
    if not value.known:
        return [unknown(endpoint, value, "`volume`", "volume")]
    raw = value.value
    if raw is None or is_volume(raw):
        return []
    name = label(endpoint)
    since = list_taken_from(endpoint, "volume") if isinstance(raw, list) else None
    if since is not None:
        message = (
            f"{name} volume={shown(value)} is a list, which runpod-flash takes from {since} "
            "on: this release takes one NetworkVolume and raises on a list when the module is "
            f"imported (1.8.1: AttributeError); {sdk_of(endpoint).this_app()}"
        )
        return [fail(endpoint, message, value, "volume")]
    if isinstance(raw, list):
        if not raw:
            problem = "is an empty list: Endpoint() raises 'volume list must not be empty'"
            return [fail(endpoint, f"{name} volume={shown(value)} {problem}", value, "volume")]
        for index, item in enumerate(raw):
            if item.known and not is_volume(item.value):
                return [
                    fail(
                        endpoint,
                        f"{name} volume={shown(value)}: element {index} is a "
                        f"{type_name(item.value)}; Endpoint() raises 'volume list elements "
                        "must be NetworkVolume'",
                        value,
                        "volume",
                    )
                ]
        return []
    hint = "; write a list [...]" if isinstance(raw, tuple) else ""
    return [
        fail(
            endpoint,
            f"{name} volume={shown(value)} is a {type_name(raw)}: Endpoint() raises 'volume must "
            f"be a NetworkVolume or list of NetworkVolume'{hint}",
            value,
            "volume",
        )
    ]


def is_volume(raw) -> bool:
    return isinstance(raw, Opaque) and raw.callee == "NetworkVolume"


def volume_problems(obj: Opaque, owner) -> list[Outcome]:
    title = f"NetworkVolume '{volume_label(obj)}'"
    out = []
    for key in obj.kwargs:
        if key not in NETWORK_VOLUME_FIELDS:
            guess = did_you_mean(key, NETWORK_VOLUME_FIELDS)
            hint = f"; did you mean `{guess}`?" if guess else ""
            message = (
                f"NetworkVolume has no field '{key}' (pydantic raises 'Extra inputs are not "
                f"permitted'){hint}"
            )
            out.append(keyword_outcome(message, obj, key, owner))
    if obj.args:
        message = "NetworkVolume takes keyword arguments only (a positional one raises TypeError)"
        out.append(volume_outcome("fail", message, obj, None, owner, "volume"))
    if obj.spreads:
        out.append(spread_outcome(obj, owner))
        return out
    out += identity_problems(obj, owner, title)
    out += size_problems(obj, owner, title)
    return out


def keyword_outcome(message: str, obj: Opaque, key: str, owner) -> Outcome:
    outcome = volume_outcome("fail", message, obj, key, owner, "volume")
    span = obj.kwarg_spans.get(key)
    if span is not None:
        outcome.span = span  # the whole `key=value`: the keyword is the problem
    return outcome


def spread_outcome(obj: Opaque, owner) -> Outcome:
    spread = obj.spreads[0]
    outcome = volume_outcome("unknown", "the `**` spread", obj, None, owner, "volume")
    outcome.message = f"the `**` spread of NetworkVolume is `{spread.text or '?'}`"
    outcome.unknown_text = spread.text
    if spread.span is not None:
        outcome.path, outcome.span = spread.path or outcome.path, spread.span
    return outcome


def identity_problems(obj: Opaque, owner, title: str) -> list[Outcome]:
    name, ident = obj.kwargs.get("name"), obj.kwargs.get("id")
    for key, value in (("name", name), ("id", ident)):
        if value is not None and not value.known:
            return [volume_outcome("unknown", f"`{key}`", obj, key, owner, "volume")]
    if name is not None and name.value is not None:
        if not isinstance(name.value, str):
            message = f"{title}: name={python_repr(name)} is not a string"
            return [volume_outcome("fail", message, obj, "name", owner, "volume")]
        if not name.value.strip():
            message = (
                f"NetworkVolume name={python_repr(name)}: pydantic raises 'name must not be "
                "empty or whitespace-only'"
            )
            return [volume_outcome("fail", message, obj, "name", owner, "volume")]
        return []
    if ident is not None and ident.value:
        return placeholder_id(obj, ident, owner, title)
    message = (
        "NetworkVolume has neither name= nor id=: pydantic raises \"either 'name' or 'id' "
        'must be provided"'
    )
    return [volume_outcome("fail", message, obj, None, owner, "volume")]


# A placeholder left where the volume id goes: brackets or spaces (`<VOLUME-ID>`,
# `{volume_id}`) or the usual filler words (`your-volume-id`, `CHANGEME`, `xxx`). Real ids
# are short letters and digits; other odd shapes are left alone.
_PLACEHOLDER_ID = re.compile(
    r"[<>{}\[\]\s]|your|placeholder|change.?me|todo|xxx|^vol(ume)?[-_]?id$", re.IGNORECASE
)


def placeholder_id(obj: Opaque, ident, owner, title: str) -> list[Outcome]:
    """A volume found only by an id that cannot be a Runpod volume id: with no name= to fall
    back on, the deploy cannot find it (runpod-flash 1.21 raises 'Network volume id ... no
    longer exists and cannot be re-resolved without a name')."""
    if not isinstance(ident.value, str) or not _PLACEHOLDER_ID.search(ident.value):
        return []
    message = (
        f"{title}: id={python_repr(ident)} is a placeholder, not a Runpod volume id; without "
        "name= the deploy cannot find the volume: write the real id or add name="
    )
    return [volume_outcome("fail", message, obj, "id", owner, "volume")]


def size_problems(obj: Opaque, owner, title: str) -> list[Outcome]:
    size = obj.kwargs.get("size")
    if size is None:
        return []
    if not size.known:
        return [volume_outcome("unknown", "`size`", obj, "size", owner, "volume")]
    if size.value is None:
        return []
    gigabytes = lax_int(size.value)
    low, high = NETWORK_VOLUME_SIZE_RANGE
    if gigabytes is None:
        message = (
            f"{title}: size={python_repr(size)} is not a whole number of GB: pydantic raises "
            "'Input should be a valid integer'"
        )
    elif low <= gigabytes <= high:
        return []
    else:
        bound = (
            f"greater than or equal to {low}"
            if gigabytes < low
            else f"less than or equal to {high}"
        )
        message = (
            f"{title}: size={python_repr(size)} GB is outside {low}-{high} GB: pydantic raises "
            f"'Input should be {bound}'"
        )
    return [volume_outcome("fail", message, obj, "size", owner, "volume")]
