"""One parameter vocabulary for both APIs, with the SDK's defaults filled in.

`Endpoint(...)` keywords are the canonical names; the legacy resource-class
fields map onto them (flash-sdk.md §2.3). A parameter the code did not give is
filled with the SDK default and marked `defaulted`.
"""

from __future__ import annotations

import dataclasses

from flash_guard.model import EnumRef, Opaque, Value

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

ALL_DATACENTERS = (
    "US_CA_2",
    "US_IL_1",
    "US_KS_2",
    "US_MO_1",
    "US_MO_2",
    "US_NC_2",
    "US_NE_1",
    "US_WA_1",
    "EU_CZ_1",
    "EU_RO_1",
    "EUR_NO_1",
)
DEFAULT_WORKERS = (0, 1)


def _enum_default(enum: str, member: str) -> Value:
    return Value.default(EnumRef(enum, member))


def _as_list(value: Value) -> Value:
    """Single-or-list parameters (`gpu`, `cpu`, `volume`, `datacenter`) become lists."""
    if value.known and value.value is not None and not isinstance(value.value, (list, tuple)):
        return dataclasses.replace(value, value=[dataclasses.replace(value, via=None)])
    if value.known and isinstance(value.value, tuple):
        return dataclasses.replace(value, value=list(value.value))
    return value


def workers_from_endpoint(value: Value) -> Value:
    """`workers=N` means (0, N); a 2-sequence is (min, max); other shapes stay as written."""
    if not value.known:
        return dataclasses.replace(value, value={"min": value, "max": value}, known=False)
    raw = value.value
    if isinstance(raw, int) and not isinstance(raw, bool):
        zero = Value(0, True, value.span, value.text, path=value.path, via=value.via)
        return dataclasses.replace(value, value={"min": zero, "max": value})
    if isinstance(raw, (tuple, list)) and len(raw) == 2:
        return dataclasses.replace(value, value={"min": raw[0], "max": raw[1]})
    return dataclasses.replace(value, value={"min": value, "max": value, "shape": value})


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
        else:
            params[key] = value
    if "name" not in params or is_none_literal(params["name"]):
        if target_name and kind == "queue":
            params["name"] = Value.default(target_name)
        else:
            params["name"] = Value.default(None)
    if kind == "client":
        return params
    gpu_endpoint = compute == "gpu"
    defaults = {
        "idle_timeout": Value.default(60),
        "execution_timeout_ms": Value.default(0),
        "gpu_count": Value.default(1),
        "flashboot": Value.default(True),
        "scaler_value": Value.default(4),
        "max_concurrency": Value.default(1),
        "accelerate_downloads": Value.default(True),
        "scaler_type": _enum_default(
            "ServerlessScalerType", "REQUEST_COUNT" if kind == "load_balancer" else "QUEUE_DELAY"
        ),
    }
    if gpu_endpoint:
        defaults["gpu"] = Value.default([_enum_default("GpuGroup", "ANY")])
        defaults["min_cuda_version"] = _enum_default("CudaVersion", "V12_8")
        defaults["datacenter"] = Value.default(
            [_enum_default("DataCenter", dc) for dc in ALL_DATACENTERS]
        )
    for key, value in defaults.items():
        # `gpu=None` and `min_cuda_version=None` still get the SDK default.
        if key not in params or (
            key in ("gpu", "min_cuda_version") and is_none_literal(params[key])
        ):
            params[key] = value
    if "workers" not in params or is_none_literal(params["workers"]):
        params["workers"] = _default_workers()
    return params


def _default_workers() -> Value:
    low, high = DEFAULT_WORKERS
    return Value.default({"min": Value.default(low), "max": Value.default(high)})


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
            params[canonical] = (
                _as_list(value) if canonical in ("gpu", "cpu", "datacenter") else value
            )
    for key in REMOTE_BUILD_PARAMS:
        if key in remote_kwargs:
            params[key] = remote_kwargs[key]
    if volumes:
        params["volume"] = Value(
            volumes, True, volumes[0].span, volumes[0].text, path=volumes[0].path
        )
    params["workers"] = Value(
        {
            "min": workers.get("min") or Value.default(DEFAULT_WORKERS[0]),
            "max": workers.get("max") or Value.default(DEFAULT_WORKERS[1]),
        },
        True,
        defaulted=not workers,
    )
    defaults = {
        "idle_timeout": Value.default(60),
        "execution_timeout_ms": Value.default(0),
        "gpu_count": Value.default(1),
        "flashboot": Value.default(True),
        "scaler_value": Value.default(4),
        "accelerate_downloads": Value.default(True),
        "scaler_type": _enum_default(
            "ServerlessScalerType", "REQUEST_COUNT" if kind == "load_balancer" else "QUEUE_DELAY"
        ),
        "name": Value.default(None),
    }
    if compute == "gpu":
        if "gpu_ids" not in params:
            defaults["gpu"] = Value.default([_enum_default("GpuGroup", "ANY")])
        defaults["min_cuda_version"] = _enum_default("CudaVersion", "V12_8")
    elif obj.callee.startswith("Cpu") and "cpu" not in params:
        defaults["cpu"] = Value.default([_enum_default("CpuInstanceType", "CPU3G_2_8")])
    for key, value in defaults.items():
        params.setdefault(key, value)
    return params
