"""FG304: a declaration in the deprecated legacy API (resource class + `@remote`)."""

from __future__ import annotations

from flash_guard.checks.base import Check, fail, register
from flash_guard.discover.normalize import release_worker_defaults
from flash_guard.model import Value
from flash_guard.sdk.flash_tables import (
    CPU_CLASS_DROPPED_GPU_FIELDS,
    GPU_GROUPS,
    GPU_POOLS,
    GPU_TYPE_VALUES,
    INSTANCE_IDS_DROPPED_GPU_FIELDS,
    LEGACY_CLASSES,
)

# The legacy keywords an `Endpoint(...)` suggestion carries over, with their new names.
_CARRIED = (("gpus", "gpu"), ("instanceIds", "cpu"), ("imageName", "image"))
# Settings that carry over to an `Endpoint` keyword of their own, in its order: a suggestion
# without them would quietly drop the timeouts, volume, environment and template it has.
_SETTINGS = (
    ("idleTimeout", "idle_timeout"),
    ("networkVolume", "volume"),
    ("datacenter", "datacenter"),
    ("env", "env"),
    ("gpuCount", "gpu_count"),
    ("executionTimeoutMs", "execution_timeout_ms"),
    ("flashboot", "flashboot"),
    ("scalerType", "scaler_type"),
    ("scalerValue", "scaler_value"),
    ("template", "template"),
    ("minCudaVersion", "min_cuda_version"),
)
# `@remote(...)` keywords that are `Endpoint` keywords too.
_REMOTE_CARRIED = ("dependencies", "system_dependencies", "accelerate_downloads")


@register
class LegacyApi(Check):
    """Reports every declaration that uses a legacy resource class (`LiveServerless`,
    `CpuLiveServerless`, `LiveLoadBalancer`, `CpuLiveLoadBalancer`, `ServerlessEndpoint`,
    `CpuServerlessEndpoint`, `LoadBalancerSlsResource`, `CpuLoadBalancerSlsResource`,
    `ServerlessResource`) with `@remote`, once, at the resource-class call. The message names
    the `Endpoint` form to move to, built from the declaration's own `name`, hardware, worker
    settings and the other settings that have an `Endpoint` keyword (timeouts, volume,
    datacenter, env, template, CUDA version, `@remote`'s dependencies), and says when the
    import comes from `tetra_rp`, the package's old name. GPU settings the SDK drops from a
    CPU declaration (`gpus=` on `CpuLiveServerless`, FG210) are not carried over.

    The finding is `info`, except for the classes `flash deploy` cannot provision
    (`ServerlessEndpoint`, `CpuServerlessEndpoint`, `CpuLoadBalancerSlsResource`: "Unsupported
    resource type for auto-provisioning"), which are reported as `warning`. A severity set
    for this rule in the configuration applies to every finding instead."""

    id = "legacy-api"

    def applies(self, endpoint) -> bool:
        return super().applies(endpoint) and endpoint.api == "legacy"

    def check(self, endpoint, params, ctx):
        cls = endpoint.resource_class
        flags = LEGACY_CLASSES.get(cls, {"lb": False, "live": True, "provisionable": True})
        parts = [f"`{endpoint.display_name}` uses the deprecated `{cls}` + `@remote` API"]
        if endpoint.package == "tetra_rp":
            parts.append(
                "imported from `tetra_rp`, the package's old name (it is `runpod_flash` now)"
            )
        message = ", ".join(parts) + f"; {equivalent(endpoint, flags)}"
        outcome = fail(endpoint, message, None, "resource_class")
        if not flags.get("provisionable", True):
            outcome.message += (
                f". `flash deploy` cannot provision `{cls}` "
                '("Unsupported resource type for auto-provisioning")'
            )
            outcome.severity = "warning"
        return [outcome]


def equivalent(endpoint, flags: dict) -> str:
    """The `Endpoint` declaration that replaces this one, in words and code."""
    args = _arguments(endpoint, flags, image=True)
    if flags.get("lb"):
        if not flags.get("live", True):
            return (
                "there is no `Endpoint` form for a custom-image load balancer: "
                f"`Endpoint({args})` deploys the image as a queue-based endpoint, or serve "
                f"the routes from `api = Endpoint({_arguments(endpoint, flags, image=False)})` "
                "with "
                '`@api.get("/path")`/`@api.post("/path")`'
            )
        return (
            f'use `api = Endpoint({args})` with `@api.get("/path")`/`@api.post("/path")` '
            "on the handlers"
        )
    if not flags.get("live", True):
        return f"use `ep = Endpoint({args})` and call it with `await ep.run(...)`"
    target = "class" if any(t.is_class for t in endpoint.targets) else "function"
    return f"use `@Endpoint({args})` on the {target}"


def _arguments(endpoint, flags: dict, image: bool) -> str:
    """`name=..., gpu=..., workers=(...)` from the legacy keywords as written."""
    # A keyword that came through `**GPU_DEFAULTS` is written as that dict's item, so the
    # suggestion is code that works: `idle_timeout=GPU_DEFAULTS["idleTimeout"]`.
    dropped = _dropped_gpu_fields(endpoint, flags)
    written = {
        name: _through_spread(name, value, span)
        for name, value, span in endpoint.kwargs
        if name not in dropped
    }
    out = [f"name={_text(written['name'])}" if "name" in written else "name=..."]
    # A custom image makes an `Endpoint` a client, so only non-Live classes carry it over.
    keep_image = image and not flags.get("live", True)
    for old, new in _CARRIED:
        if old in written and (old != "imageName" or keep_image):
            out.append(f"{new}={_text(written[old])}")
    if "gpuIds" in written and "gpus" not in written:
        out.append(f"gpu={_gpu_ids(written['gpuIds'])}")
    if endpoint.compute == "cpu" and "instanceIds" not in written:
        out.append("cpu=CpuInstanceType.CPU3G_2_8")  # the Cpu* classes' default
    low, high = written.get("workersMin"), written.get("workersMax")
    if low is not None or high is not None:
        # The half not written is the release's default, so the suggestion keeps what deploys.
        default_low, default_high = release_worker_defaults(endpoint)
        low_text = _text(low) if low else str(default_low)
        out.append(f"workers=({low_text}, {_text(high) if high else default_high})")
    for old, new in _SETTINGS:
        if old in written:
            out.append(f"{new}={_text(written[old])}")
    remote = {name: _through_spread(name, v, span) for name, v, span in endpoint.remote_kwargs}
    out += [f"{name}={_text(remote[name])}" for name in _REMOTE_CARRIED if name in remote]
    return ", ".join(out)


def _dropped_gpu_fields(endpoint, flags: dict) -> tuple[str, ...]:
    """The GPU keywords the SDK drops from this declaration (FG210 reports them): a CPU class
    clears its GPU fields, and a GPU class given `instanceIds=` empties its GPU list, so
    carrying them over would suggest an `Endpoint` with both `gpu=` and `cpu=` (a conflict)."""
    if flags.get("cpu"):
        return CPU_CLASS_DROPPED_GPU_FIELDS
    if endpoint.compute == "cpu":
        return INSTANCE_IDS_DROPPED_GPU_FIELDS
    return ()


def _gpu_ids(value: Value) -> str:
    """`gpuIds="AMPERE_80,NVIDIA L4"` as `Endpoint`'s enums: `[GpuGroup.AMPERE_80,
    GpuType.NVIDIA_L4]`; the text as written when it is not all pool ids and device names."""
    if not (value.known and isinstance(value.value, str)):
        return _text(value)
    by_device = {device: member for member, device in GPU_TYPE_VALUES.items()}
    chosen: list[tuple[str, tuple[str, ...]]] = []  # (enum text, the GpuType members it covers)
    excluded: set[str] = set()
    for part in (p.strip() for p in value.value.split(",") if p.strip()):
        name = part[1:].strip() if part.startswith("-") else part
        if name in GPU_GROUPS:
            entry = (f"GpuGroup.{name}", GPU_POOLS.get(name, ()))
        elif name in by_device:
            entry = (f"GpuType.{by_device[name]}", (by_device[name],))
        else:
            return _text(value)
        if part.startswith("-"):  # "AMPERE_24,-NVIDIA RTX A5000": the pool without that type
            excluded.update(entry[1])
        else:
            chosen.append(entry)
    if excluded:
        members = dict.fromkeys(m for _, ms in chosen for m in ms if m not in excluded)
        chosen = [(f"GpuType.{m}", (m,)) for m in members]
    if not chosen:
        return _text(value)
    return chosen[0][0] if len(chosen) == 1 else f"[{', '.join(text for text, _ in chosen)}]"


def _through_spread(key: str, value: Value, span) -> Value:
    """The value as its `**spread` item (`GPU_DEFAULTS["idleTimeout"]`): a spread keyword
    sits at the spread itself, and names the dict it came through (`via`)."""
    if value.via and value.span == span and value.via.replace(".", "").isidentifier():
        return Value(value.value, value.known, value.span, f'{value.via}["{key}"]')
    return value


def _text(value: Value) -> str:
    text = value.via or value.text
    if not text:
        return repr(value.value)
    return _one_line(text) if "\n" in text else text


def _one_line(text: str) -> str:
    """A value written over several lines, shown on one: no blank after an opening bracket,
    and no blank or trailing comma before a closing one, except the comma of a one-item
    tuple; comments are left out. Strings are copied as they are."""
    out: list[str] = []
    commas: list[int] = []  # per open bracket, the commas at its own depth
    openers: list[str] = []
    quote = ""
    in_comment = False
    for char in text:
        if in_comment:
            in_comment = char != "\n"
            continue
        if quote:
            if char == quote and out[-1] != "\\":
                quote = ""
        elif char.isspace():
            if out and out[-1] not in " ([{":
                out.append(" ")
            continue
        elif char == "#":
            in_comment = True
            continue
        elif char in "\"'":
            quote = char
        elif char in ",)]}":
            while out and out[-1] == " ":
                out.pop()
            if char == "," and commas:
                commas[-1] += 1
            if char != "," and openers:
                opener, seen = openers.pop(), commas.pop()
                if out and out[-1] == "," and not (opener == "(" and seen == 1):
                    out.pop()
        elif char in "([{":
            # `f(...)` is a call; a bare `(...)` with one comma is a one-item tuple.
            called = char == "(" and bool(out) and (out[-1].isalnum() or out[-1] in "_)]")
            openers.append("call" if called else char)
            commas.append(0)
        out.append(char)
    return "".join(out).strip()
