"""Model values as JSON and as short text, shared by the reporters."""

from __future__ import annotations

from typing import Any

from flash_guard.model import EnumRef, Opaque, Value
from flash_guard.sdk.in_use import gpu_ids_overwritten

# Exact types to_json returns as they are: most values are these, so they are tried first.
_PLAIN = frozenset({str, int, float, bool, type(None)})


def to_json(value: Any) -> Any:
    if type(value) in _PLAIN:
        return value
    if isinstance(value, Value):
        if not value.known:
            return {"unknown": value.text}
        inner = value.value
        return inner if type(inner) in _PLAIN else to_json(inner)
    if isinstance(value, EnumRef):
        return str(value)
    if isinstance(value, Opaque):
        out = {"type": value.callee}
        # str keys throughout: json_encode.dumps_strict relies on it (json_safe str()s them too)
        out.update({str(k): to_json(v) for k, v in value.kwargs.items()})
        return out
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def short(value: Value | None) -> str:
    """A compact cell for tables: `?` marks a value that is not statically known."""
    if value is None:
        return "-"
    if not value.known:
        return "?"
    return _short(value.value)


def _short(raw: Any) -> str:
    if isinstance(raw, Value):
        return short(raw)
    if isinstance(raw, EnumRef):
        return raw.member
    if isinstance(raw, Opaque):
        name = raw.kwargs.get("name") or raw.kwargs.get("id")
        return f"{raw.callee}({_short(name) if name else ''})"
    if isinstance(raw, (list, tuple)):
        return ",".join(_short(x) for x in raw) or "-"
    if isinstance(raw, dict):
        return ",".join(str(k) for k in raw) or "-"
    if raw is None:
        return "-"
    return str(raw)


def gpu_default_sent(endpoint) -> bool:
    """Whether the release sends `gpus`' default ([GpuGroup.ANY]) in place of the `gpuIds=`
    written alone (tetra-rp before 0.19 overwrites gpuIds with gpus; FG101 judges that):
    the inventory shows what the SDK sends, not the lost gpuIds. A `**` spread may set gpus."""
    ids = endpoint.params.get("gpu_ids")
    return (
        "gpu" not in endpoint.params
        and ids is not None
        and not ids.defaulted
        and not endpoint.spreads
        and gpu_ids_overwritten(endpoint)
    )


def endpoint_json(endpoint, profile: str | None = None, checks: dict | None = None) -> dict:
    params = {}
    for key, value in sorted(endpoint.params.items()):
        entry = {"value": to_json(value), "defaulted": value.defaulted}
        if not value.known:
            entry = {"value": None, "unknown": value.text, "defaulted": False}
        if value.span is not None and not value.defaulted:
            entry["line"] = value.span.line
            entry["column"] = value.span.column
        params[str(key)] = entry  # str keys: see to_json
    if gpu_default_sent(endpoint):
        params["gpu"] = {"value": ["GpuGroup.ANY"], "defaulted": True}
        params = dict(sorted(params.items()))
    out = {
        "name": endpoint.display_name,
        "kind": endpoint.kind,
        "compute": endpoint.compute,
        "api": endpoint.api,
        "resource_class": endpoint.resource_class,
        "package": endpoint.package,
        "sdk": endpoint.sdk,
        "app": endpoint.app,
        "app_name": to_json(endpoint.app_name) if endpoint.app_name is not None else None,
        "environment": to_json(endpoint.environment) if endpoint.environment is not None else None,
        "path": endpoint.path,
        "line": endpoint.span.line,
        "column": endpoint.span.column,
        "variable": endpoint.variable,
        "scope": endpoint.scope,
        "in_init": endpoint.in_init,
        "functions": [t.name for t in endpoint.targets],
        "routes": [
            {
                "method": to_json(r.method),
                "path": to_json(r.path),
                "file": r.file,
                "line": r.span.line,
                "handler": r.handler,
            }
            for r in endpoint.routes
        ],
        "params": params,
    }
    sdk = getattr(endpoint, "sdk_release", None)
    if sdk is not None:  # the SDK release the checks used, and where it came from
        out["sdk_release"] = {
            "package": sdk.package,
            "version": sdk.version,
            "source": sdk.source,
            "kind": sdk.kind,
            "pinned": sdk.pinned,
        }
    if profile:
        out["profile"] = profile
    if checks is not None:
        out["checks"] = checks
    return out
