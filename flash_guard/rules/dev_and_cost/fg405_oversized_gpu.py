"""FG405: a GPU endpoint that may only run on top-tier (80 GB class and up) GPUs."""

from __future__ import annotations

from dataclasses import dataclass

from flash_guard.checks.base import Check, fail, param_doc, register, unknown
from flash_guard.model import EnumRef
from flash_guard.sdk.flash_tables import GPU_TYPE_VALUES
from flash_guard.sdk.in_use import gpu_ids_overwritten

# A legacy `gpuIds=` string names devices by their display name ("NVIDIA H100 80GB HBM3").
_MEMBER_OF_DEVICE = {value: member for member, value in GPU_TYPE_VALUES.items()}

TOP_TIER = [
    "GpuGroup.AMPERE_80",
    "GpuGroup.ADA_80_PRO",
    "GpuGroup.HOPPER_141",
    "GpuGroup.BLACKWELL_96",
    "GpuGroup.BLACKWELL_180",
    "GpuType.NVIDIA_A100_80GB_PCIe",
    "GpuType.NVIDIA_A100_SXM4_80GB",
    "GpuType.NVIDIA_H100_80GB_HBM3",
    "GpuType.NVIDIA_H200",
    "GpuType.NVIDIA_B200",
    "GpuType.NVIDIA_RTX_PRO_6000_BLACKWELL_SERVER_EDITION",
    "GpuType.NVIDIA_RTX_PRO_6000_BLACKWELL_WORKSTATION_EDITION",
    "GpuType.NVIDIA_RTX_PRO_6000_BLACKWELL_MAX_Q_WORKSTATION_EDITION",
]


@dataclass
class Params:
    top_tier: list[str] = param_doc(
        default=TOP_TIER,
        doc="GPU choices that count as top tier, as `GpuGroup.X`/`GpuType.X` (legacy "
        "`gpuIds=` strings are matched by the member name, a device by its display name such "
        "as `NVIDIA H100 80GB HBM3`). Setting this replaces the list.",
    )


@register
class OversizedGpu(Check):
    """Reads `gpu=` (legacy `gpus=` or the `gpuIds=` string) of a GPU endpoint. When every
    choice is top tier (80 GB class and up: A100 80GB, H100, H200, B200, the 96 GB and larger
    Blackwell cards, and their groups), the endpoint can never use a cheaper card. The seed's
    cost advice is the smallest type the workload allows; this is a prompt to check, so the
    finding is informational. Endpoints that also accept a smaller GPU, or use ANY, pass.
    Before tetra-rp 0.19 `gpus=` (default ANY) overwrites `gpuIds=`, so there `gpus=` is what
    is judged (FG101 reports a `gpuIds=` lost that way)."""

    id = "oversized-gpu"
    Params = Params
    kinds = ("queue", "load_balancer", "image", "task")  # a 2.0 task pod is billed too

    def applies(self, endpoint) -> bool:
        return super().applies(endpoint) and endpoint.compute == "gpu"

    def check(self, endpoint, params: Params, ctx):
        top = set(params.top_tier)
        members = {entry.split(".", 1)[-1] for entry in top}
        ids = endpoint.params.get("gpu_ids")
        if ids is not None and gpu_ids_overwritten(endpoint):
            ids = None  # before tetra-rp 0.19 the release sends `gpus` (default ANY) instead
        if ids is not None and not ids.defaulted:
            if not ids.known:
                return [unknown(endpoint, ids, "`gpuIds`", "gpu")]
            if not isinstance(ids.value, str):
                return []
            # Exclusions (`-NVIDIA H100 PCIe`, as the SDK writes them) choose nothing.
            parts = [p.strip() for p in ids.value.split(",") if p.strip()]
            chosen = [p for p in parts if not p.startswith("-")]
            if chosen and all(_MEMBER_OF_DEVICE.get(p, p) in members for p in chosen):
                return [_finding(endpoint, ids, chosen)]
            return []
        gpu = endpoint.params.get("gpu")
        if gpu is None or gpu.defaulted:
            return []
        if not gpu.known:
            return [unknown(endpoint, gpu, "`gpu`", "gpu")]
        items = gpu.value if isinstance(gpu.value, list) else [gpu]
        chosen = []
        for item in items:
            if not item.known:
                return [unknown(endpoint, item, "a `gpu` item", "gpu")]
            if not isinstance(item.value, EnumRef) or str(item.value) not in top:
                return []
            chosen.append(str(item.value) + _via(item))
        return [_finding(endpoint, gpu, chosen)] if chosen else []


def _via(value) -> str:
    """`, via `NAME`` when the value came through a module-level constant (the finding is at
    its use in the declaration, and names it)."""
    return f", via `{value.via}`" if value.via else ""


def _finding(endpoint, value, chosen: list[str]):
    listed = ", ".join(chosen) + _via(value)
    return fail(
        endpoint,
        f"`{endpoint.display_name}` may only run on top-tier GPUs ({listed}); if the model fits "
        "a smaller card, allowing one (e.g. GpuGroup.ADA_24 or GpuGroup.AMPERE_48) costs less "
        "per second and finds capacity sooner",
        value,
        "gpu",
    )
