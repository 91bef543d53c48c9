"""One parameter vocabulary for both APIs, with the SDK's defaults filled in.

`Endpoint(...)` keywords are the canonical names; the legacy resource-class
fields map onto them (flash-sdk.md §2.3). A parameter the code did not give is
filled with the SDK default and marked `defaulted`.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from flash_guard.model import EnumRef, Opaque, Value, at_use
from flash_guard.sdk import flash_tables

LEGACY_TO_CANONICAL = {
    "name": "name",
    "gpus": "gpu",
    "gpuIds": "gpu_ids",
    "gpuCount": "gpu_count",
    "instanceIds": "cpu",
    "idleTimeout": "idle_timeout",
    "executionTimeoutMs": "execution_timeout_ms",
    "flashboot": "flashboot",
    "imageName": "image",
    "template": "template",
    "templateId": "template_id",
    "env": "env",
    "datacenter": "datacenter",
    "locations": "locations",
    "minCudaVersion": "min_cuda_version",
    "cudaVersions": "cuda_versions",
    "scalerType": "scaler_type",
    "scalerValue": "scaler_value",
    "python_version": "python_version",
}
LEGACY_VOLUME_FIELDS = ("networkVolume", "networkVolumes", "networkVolumeId")
LEGACY_WORKER_FIELDS = {"workersMin": "min", "workersMax": "max"}
REMOTE_BUILD_PARAMS = ("dependencies", "system_dependencies", "accelerate_downloads")

# The enum each defaulted canonical parameter holds (SDK defaults are stored by member name).
DEFAULT_ENUMS = {
    "gpu": "GpuGroup",
    "cpu": "CpuInstanceType",
    "datacenter": "DataCenter",
    "min_cuda_version": "CudaVersion",
    "scaler_type": "ServerlessScalerType",
}
# Build-time options of `@remote(...)`/`Endpoint(...)` that are not resource fields.
BUILD_DEFAULTS = {"accelerate_downloads": True}
DEFAULT_WORKERS = flash_tables.DEFAULTS["endpoint"]["workers"]
# Legacy fields whose pydantic default means "not set" ("" or a value computed later).
_UNSET_LEGACY_FIELDS = ("imageName", "gpuIds", "cudaVersions", "name")


def _default(key: str, raw) -> Value:
    """An SDK default from `flash_tables.DEFAULTS` as a model value."""
    enum = DEFAULT_ENUMS.get(key)
    if isinstance(raw, (tuple, list)):
        items = [Value.default(EnumRef(enum, m) if enum else m) for m in raw]
        return Value.default(items)
    return Value.default(EnumRef(enum, raw) if enum and raw is not None else raw)


def _workers_default(low: Value | None = None, high: Value | None = None) -> Value:
    default_min, default_max = DEFAULT_WORKERS
    return Value(
        {"min": low or Value.default(default_min), "max": high or Value.default(default_max)},
        True,
        defaulted=low is None and high is None,
    )


def _endpoint_defaults(kind: str, compute: str) -> dict[str, Value]:
    table = dict(flash_tables.DEFAULTS["endpoint"])
    if kind == "load_balancer":
        table.update(flash_tables.DEFAULTS["endpoint_lb"])
    if compute == "cpu":
        table.update(flash_tables.DEFAULTS["endpoint_cpu"])
    table.pop("workers")
    if compute == "cpu":
        table.pop("min_cuda_version", None)  # kept on the object, never sent for CPU
    return {key: _default(key, raw) for key, raw in table.items() if raw is not None}


def _legacy_defaults(resource_class: str) -> dict[str, Value]:
    table = dict(flash_tables.DEFAULTS["legacy"])
    table.update(flash_tables.DEFAULTS["legacy_by_class"].get(resource_class, {}))
    out = {}
    for field, raw in table.items():
        key = LEGACY_TO_CANONICAL.get(field)
        if key is not None and raw is not None and field not in _UNSET_LEGACY_FIELDS:
            out[key] = _default(key, raw)
    return out


def _each(value: Value, normalise) -> Value:
    """`normalise` applied to the value, or to each of its candidates."""
    if value.candidates:
        return dataclasses.replace(value, candidates=tuple(normalise(c) for c in value.candidates))
    return normalise(value)


def _as_list(value: Value) -> Value:
    """Single-or-list parameters (`gpu`, `cpu`, `volume`, `datacenter`) become lists."""
    if value.candidates:
        return _each(value, _as_list)
    if value.known and value.value is not None and not isinstance(value.value, (list, tuple)):
        return dataclasses.replace(value, value=[dataclasses.replace(value, via=None)])
    if value.known and isinstance(value.value, tuple):
        return dataclasses.replace(value, value=list(value.value))
    return value


def workers_from_endpoint(value: Value) -> Value:
    """`workers=N` means (0, N); a 2-sequence is (min, max); other shapes stay as written."""
    if value.candidates:
        return _each(value, workers_from_endpoint)
    if not value.known:
        return dataclasses.replace(value, value={"min": value, "max": value}, known=False)
    raw = value.value
    if isinstance(raw, int) and not isinstance(raw, bool):
        zero = Value(0, True, value.span, value.text, path=value.path, via=value.via)
        return dataclasses.replace(value, value={"min": zero, "max": value})
    if isinstance(raw, (tuple, list)) and len(raw) == 2:
        # Endpoint() runs int() on each bound: `(os.getenv("MIN_W", "1"), 3)` keeps 1 warm.
        low = _as_int(at_use(raw[0], value), python_int)
        high = _as_int(at_use(raw[1], value), python_int)
        return dataclasses.replace(value, value={"min": low, "max": high})
    return dataclasses.replace(value, value={"min": value, "max": value, "shape": value})


def python_int(raw: Any) -> int | None:
    """What `int(x)` gives (the SDK runs it on each `workers` bound), or None if it raises."""
    if isinstance(raw, (bool, int)):
        return int(raw)
    if isinstance(raw, float):
        return int(raw) if raw == raw and raw not in (float("inf"), float("-inf")) else None
    if isinstance(raw, str):
        try:
            return int(raw)
        except ValueError:
            return None
    return None


def _as_int(value: Value | None, convert) -> Value | None:
    """A known worker bound as the int the SDK makes of it (`convert`: `python_int` for
    Endpoint's int(), `lax_int` for a pydantic field); a bound it cannot convert stays as
    written, for FG201/FG214 to report."""
    if value is None:
        return None
    if value.candidates:
        return _each(value, lambda candidate: _as_int(candidate, convert))
    raw = value.value
    if not value.known or (isinstance(raw, int) and not isinstance(raw, bool)):
        return value
    number = convert(raw)
    return value if number is None else dataclasses.replace(value, value=number)


def _legacy_workers(low: Value | None, high: Value | None) -> Value:
    """`workersMin`/`workersMax` as one workers value; one per combination of candidates."""
    # pydantic (lax) reads `workersMin="1"` or `True` as 1.
    low, high = _as_int(low, lax_int), _as_int(high, lax_int)
    lows = low.candidates if low is not None and low.candidates else (low,)
    highs = high.candidates if high is not None and high.candidates else (high,)
    if len(lows) == len(highs) == 1:
        return _workers_default(low, high)
    shown = high if high is not None and high.candidates else low
    options = tuple(_workers_default(a, b) for a in lows for b in highs)
    return dataclasses.replace(shown, value=None, known=False, candidates=options)


# Integer fields the SDK hands to a pydantic model (`LiveServerless.executionTimeoutMs`,
# `.idleTimeout`: `Optional[int]`). pydantic's lax mode turns a string of digits into the int,
# so `execution_timeout_ms=os.getenv("EXEC_MS", "600000")` sets a 600000 ms limit. rc2's
# 2.0 decorators compare the value with `<` instead and refuse a string (FG202 there).
PYDANTIC_INT_PARAMS = ("execution_timeout_ms", "idle_timeout")


def lax_int(raw: Any) -> int | None:
    """What a pydantic `int` field accepts in lax mode (bools, whole floats, numeric strings),
    or None when it raises a validation error."""
    if isinstance(raw, (bool, int)):
        return int(raw)
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() else None
    if isinstance(raw, str):
        try:
            return int(raw.strip())
        except ValueError:
            return int(float(raw)) if _DECIMAL_ZERO.match(raw) else None
    return None


_DECIMAL_ZERO = re.compile(r"^\s*[+-]?\d+\.0*\s*$")


def _pydantic_int(value: Value) -> Value:
    """A known numeric string as the int pydantic makes of it (`lax_int`); anything else
    unchanged, for the rules that judge its type."""
    if value.candidates:
        return _each(value, _pydantic_int)
    if value.known and isinstance(value.value, str):
        number = lax_int(value.value)
        return value if number is None else dataclasses.replace(value, value=number)
    return value


def is_none_literal(value: Value | None) -> bool:
    return value is None or (value.known and value.value is None)


def endpoint_params(obj: Opaque, kind: str, compute: str, target_name: str | None) -> dict:
    kw = dict(obj.kwargs)
    if obj.args and "name" not in kw:
        kw["name"] = obj.args[0]
    params: dict[str, Value] = {}
    for key, value in kw.items():
        if key in ("gpu", "cpu", "volume", "datacenter"):
            params[key] = _as_list(value)
        elif key == "workers":
            params[key] = workers_from_endpoint(value) if not is_none_literal(value) else value
        elif key in PYDANTIC_INT_PARAMS and kind != "client":
            params[key] = _pydantic_int(value)
        else:
            params[key] = value
    if "name" not in params or is_none_literal(params["name"]):
        if target_name and kind == "queue":
            params["name"] = Value.default(target_name)
        else:
            params["name"] = Value.default(None)
    if kind == "client":
        return params
    defaults = {
        **_endpoint_defaults(kind, compute),
        **{k: Value.default(v) for k, v in BUILD_DEFAULTS.items()},
    }
    for key, value in defaults.items():
        # `gpu=None` and `min_cuda_version=None` still get the SDK default.
        if key not in params or (
            key in ("gpu", "min_cuda_version") and is_none_literal(params[key])
        ):
            params[key] = value
    if "workers" not in params or is_none_literal(params["workers"]):
        params["workers"] = _workers_default()
    return params


def legacy_params(obj: Opaque, remote_kwargs: dict[str, Value], kind: str, compute: str) -> dict:
    params: dict[str, Value] = {}
    workers: dict[str, Value] = {}
    volumes: list[Value] = []
    for key, value in obj.kwargs.items():
        if key in LEGACY_WORKER_FIELDS:
            workers[LEGACY_WORKER_FIELDS[key]] = value
        elif key in LEGACY_VOLUME_FIELDS:
            if value.known and isinstance(value.value, (list, tuple)):
                volumes.extend(value.value)
            elif not is_none_literal(value):
                volumes.append(value)
        elif key in LEGACY_TO_CANONICAL:
            canonical = LEGACY_TO_CANONICAL[key]
            if canonical in ("gpu", "cpu", "datacenter"):
                value = _as_list(value)
            elif canonical in PYDANTIC_INT_PARAMS:
                value = _pydantic_int(value)
            params[canonical] = value
    for key in REMOTE_BUILD_PARAMS:
        if key in remote_kwargs:
            params[key] = remote_kwargs[key]
    if volumes:
        params["volume"] = Value(
            volumes, True, volumes[0].span, volumes[0].text, path=volumes[0].path
        )
    params["workers"] = _legacy_workers(workers.get("min"), workers.get("max"))
    defaults = {
        **_legacy_defaults(obj.callee),
        **{k: Value.default(v) for k, v in BUILD_DEFAULTS.items()},
    }
    defaults["name"] = Value.default(None)
    if compute == "gpu" and "cpu" in defaults:
        del defaults["cpu"]  # form J: instanceIds given means CPU; no CPU default otherwise
    if compute == "cpu" or "gpu_ids" in params:
        # A CPU class keeps `gpus` in its model but never sends it; gpuIds replaces gpus.
        defaults.pop("gpu", None)
    if compute == "cpu":
        defaults.pop("min_cuda_version", None)
    for key, value in defaults.items():
        params.setdefault(key, value)
    return params


# ---------------------------------------------------------------------------------------------
# The release in use (rules.md "SDK version in use"): discovery fills in the newest runpod-flash
# defaults above; once the app's release is known, every defaulted parameter whose recorded
# default differs in that release (tetra-rp idled 5 s and allowed 3 workers; runpod-flash
# before 1.10 defaulted to EU-RO-1; before 1.11 nothing set a minimum CUDA version) takes the
# release's own default instead.
# ---------------------------------------------------------------------------------------------

_CANONICAL_TO_LEGACY = {canonical: legacy for legacy, canonical in LEGACY_TO_CANONICAL.items()}
_LIST_KEYS = ("gpu", "cpu", "datacenter", "volume")
_NO_DEFAULT = object()


def release_defaults(endpoint, facts, newest) -> None:
    """Re-default `endpoint.params` for the release `facts` (a `releases.SdkFacts`); `newest`
    is the newest release's facts of the same package family, whose defaults discovery used."""
    if endpoint.kind == "client":
        return
    for key, value in list(endpoint.params.items()):
        if not value.defaulted or key == "workers":
            continue
        ours, theirs = _recorded(endpoint, facts, key), _recorded(endpoint, newest, key)
        if ours is None and _expanded_later(endpoint, facts, key):
            endpoint.params[key] = _handed_on_default(facts, key)
            continue
        if ours is _NO_DEFAULT or ours == theirs:
            continue  # the same recorded default: keep discovery's (computed) value
        replaced = _release_value(key, ours, facts)
        if replaced is not None:
            endpoint.params[key] = replaced
    workers = endpoint.params.get("workers")
    if workers is not None and workers.defaulted:
        low, high = _release_workers(endpoint, facts), _release_workers(endpoint, newest)
        if low != high and low is not None:
            endpoint.params["workers"] = Value(
                {"min": Value.default(low[0]), "max": Value.default(low[1])}, True, defaulted=True
            )
    elif workers is not None and workers.known and isinstance(workers.value, dict):
        _release_worker_half(endpoint, workers, facts)


# `Endpoint(...)` keywords whose None default the newest release expands in `__init__`, and
# the first runpod-flash release that does (1.17: a GPU endpoint without datacenter= gets all
# DataCenter members). Before it the None reaches the resource class it builds, whose own
# field default applies: none in 1.10-1.16 (the platform places the workers anywhere).
EXPANDED_FROM = {"datacenter": "1.17.0"}


def _expanded_later(endpoint, facts, key: str) -> bool:
    first = EXPANDED_FROM.get(key)
    if first is None or endpoint.api != "endpoint" or facts.package != "runpod-flash":
        return False
    from flash_guard.sdk import releases  # the release tables load only for a pinned release

    order = releases.releases("runpod-flash")
    return facts.version in order and order.index(facts.version) < order.index(first)


def _handed_on_default(facts, key: str) -> Value:
    """The field default of the resource class an `Endpoint` hands `key=None` to."""
    spec = (facts.legacy_fields.get("ServerlessResource") or {}).get(key)
    raw = spec.default if spec is not None and spec.has_default else None
    return _release_value(key, raw, facts) if raw is not None else Value.default(None)


def release_worker_defaults(endpoint) -> tuple[int, int]:
    """The worker bounds a declaration leaves to its SDK (a legacy class's workersMin or
    workersMax not written, or `workers` omitted): the release in use's defaults, as
    `release_defaults` put them into the model (tetra-rp's workersMax was 3, runpod-flash's
    is 1); the newest release's when the model does not say."""
    workers = endpoint.params.get("workers")
    halves = workers.value if workers is not None and workers.known else None
    out = list(DEFAULT_WORKERS)
    if isinstance(halves, dict):
        for index, half in enumerate(("min", "max")):
            value = halves.get(half)
            if isinstance(value, Value) and value.defaulted and type(value.value) is int:
                out[index] = value.value
    return out[0], out[1]


def _release_worker_half(endpoint, workers: Value, facts) -> None:
    """A legacy declaration that writes one of workersMin/workersMax: the other is the
    release's default (tetra-rp's workersMax was 3, runpod-flash's is 1), so that
    `LiveServerless(workersMin=2)` is (2, 3) under tetra-rp 0.25, not (2, 1)."""
    release = _release_workers(endpoint, facts)
    if release is None:
        return
    halves = dict(workers.value)
    for index, half in enumerate(("min", "max")):
        value = halves.get(half)
        if isinstance(value, Value) and value.defaulted and value.value != release[index]:
            halves[half] = Value.default(release[index])
    if halves != workers.value:
        endpoint.params["workers"] = dataclasses.replace(workers, value=halves)


def _recorded(endpoint, facts, key: str) -> object:
    """The default recorded for canonical `key` on this declaration's class in `facts`: a
    JSON value, None when the release has no such parameter, _NO_DEFAULT when unusable."""
    if facts is None:
        return _NO_DEFAULT
    if endpoint.api == "endpoint":
        if key == "min_cuda_version" and endpoint.compute == "cpu":
            return _NO_DEFAULT
        param = (facts.endpoint_params or {}).get(key)
        if param is None:
            return None
        return param.default if param.has_default else _NO_DEFAULT
    legacy = _CANONICAL_TO_LEGACY.get(key)
    fields = facts.legacy_fields.get(endpoint.resource_class) or facts.legacy_fields.get(
        "ServerlessResource", {}
    )
    if legacy is None or legacy in _UNSET_LEGACY_FIELDS:
        return _NO_DEFAULT
    spec = fields.get(legacy)
    if spec is None:
        return None
    if not spec.has_default or spec.default_factory is not None:
        return _NO_DEFAULT
    return spec.default


def _release_value(key: str, raw, facts) -> Value | None:
    """A recorded JSON default as a model value; None when it is opaque (a repr)."""
    if isinstance(raw, dict) and "repr" in raw:
        return None
    enum = DEFAULT_ENUMS.get(key)
    items = raw if isinstance(raw, list) else [raw]
    converted = []
    for item in items:
        if isinstance(item, dict) and "enum" in item:
            owner, _, member = item["enum"].partition(".")
            converted.append(EnumRef(owner, member))
        elif enum and isinstance(item, str):
            by_value = {v: k for k, v in facts.enums.get(enum, {}).items()}
            member = by_value.get(item, item if item in facts.enums.get(enum, {}) else None)
            if member is None:
                return None
            converted.append(EnumRef(enum, member))
        elif isinstance(item, (dict, list)):
            return None
        else:
            converted.append(item)
    if raw is None:
        return Value.default(None)
    if isinstance(raw, list) or key in _LIST_KEYS:
        return Value.default([Value.default(v) for v in converted])
    return Value.default(converted[0])


def _release_workers(endpoint, facts) -> tuple[int, int] | None:
    if facts is None:
        return None
    if endpoint.api == "endpoint":
        return None  # `workers=None` is resolved inside Endpoint: (0, 1) in every release
    fields = facts.legacy_fields.get(endpoint.resource_class) or facts.legacy_fields.get(
        "ServerlessResource", {}
    )
    low, high = fields.get("workersMin"), fields.get("workersMax")
    if low is None or high is None or not (low.has_default and high.has_default):
        return None
    if not all(isinstance(x.default, int) for x in (low, high)):
        return None
    return low.default, high.default
