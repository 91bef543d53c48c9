"""FG101: a GPU endpoint that may land on any GPU."""

from __future__ import annotations

from dataclasses import dataclass

from flash_guard.checks.base import (
    Check,
    fail,
    param_doc,
    register,
    spread_unknown,
    unknown,
)
from flash_guard.model import EnumRef, Value, at_use
from flash_guard.sdk.flash_tables import GPU_GROUPS as FLASH_POOLS
from flash_guard.sdk.flash_tables import GPU_POOLS as FLASH_GPU_POOLS
from flash_guard.sdk.flash_tables import GPU_TYPE_VALUES
from flash_guard.sdk.in_use import GPU_IDS_KEPT_FROM_TETRA, gpu_ids_overwritten, sdk_of
from flash_guard.sdk.runpod2_tables import GPU_GROUPS, GPU_TYPES, POOLS_TO_TYPES, TYPE_TO_POOL

_MEMBER_OF_NAME = {name: member for member, name in GPU_TYPES.items()}


def one_type_fix(endpoint) -> str:
    """The hint when this profile wants a type, not a pool (`allow_groups: false`,
    `require_single_type: true`): the built-in one also offers a GpuGroup."""
    one = "GpuType.NVIDIA_GEFORCE_RTX_4090"
    if endpoint.sdk == "runpod2":
        one = f"runpod.{one}"
    field = f"gpus=[{one}]" if endpoint.api == "legacy" else f"gpu={one}"
    return f"Pin one GPU type, e.g. {field}."


@dataclass
class Params:
    allow_groups: bool = param_doc(
        default=True, doc="A GpuGroup other than ANY (a pool of similar cards) passes."
    )
    require_single_type: bool = param_doc(
        default=False,
        doc="Only a single GpuType passes; a GpuGroup or a list of several types fails "
        "(lists are pool-level and unordered, flash issue #366).",
    )


def is_any(item) -> bool:
    return (
        isinstance(item, EnumRef) and item.enum in ("GpuGroup", "GpuType") and item.member == "ANY"
    )


@register
class GpuPinning(Check):
    """Looks at `gpu=` (legacy `gpus=`/`gpuIds=`) of every GPU endpoint. It fails when the
    value is `GpuGroup.ANY` or `GpuType.ANY`, a list containing ANY, an empty list (`flash
    deploy` rebuilds it with the default ANY), `gpuIds="any"` (at the
    value; a specific id or pool id passes), or when neither `gpu=` nor `cpu=` is given
    (the SDK then uses `[GpuGroup.ANY]`). Before tetra-rp 0.19 `gpus=` overwrites `gpuIds=`,
    so there a `gpuIds=` without `gpus=` fails (the `gpus` default is ANY) and with both
    given `gpus=` is what is checked. With `allow_groups: false` a
    GpuGroup fails too (a legacy pool id such as `gpuIds="AMPERE_48"`; in runpod 2.0 a pool
    as written, not a GpuType 2.0 widens to its pool); with `require_single_type: true`
    anything but one GpuType fails (a legacy `gpuIds` string: a pool id taken whole, or
    several devices; a pool narrowed to one device by `-` exclusions, as the SDK writes one
    GpuType, is one). Either way the fix offers a GpuType only. A runpod 2.0
    `gpu=` string that is a fragment of device names in several pools (`"RTX"`, `"A40"`)
    fails whatever the parameters; one of several devices in one pool (`"A100"`) fails
    only with `allow_groups: false`."""

    id = "gpu-not-pinned"
    Params = Params
    kinds = ("queue", "load_balancer", "image", "task")  # a 2.0 task pod has a GPU too

    def applies(self, endpoint) -> bool:
        return super().applies(endpoint) and endpoint.compute == "gpu"

    def check(self, endpoint, params: Params, ctx):
        name = f"`{endpoint.display_name}`"
        ids = endpoint.params.get("gpu_ids")
        gpu = endpoint.params.get("gpu")
        if ids is not None and not ids.defaulted and gpu_ids_overwritten(endpoint):
            if (gpu is None or gpu.defaulted) and not endpoint.spreads:
                return [_gpu_ids_lost(endpoint, name, ids)]
            ids = None  # `gpus=` (given, or maybe in the spread) is what the release sends
        if ids is not None and not ids.defaulted:
            if not ids.known:
                return [unknown(endpoint, ids, "`gpuIds`", "gpu")]
            if isinstance(ids.value, str) and ids.value.strip():
                parts = [p.strip().lower() for p in ids.value.split(",")]
                pools = [p for p in ids.value.split(",") if p.strip() in FLASH_POOLS]
                if "any" not in parts and pools and not params.allow_groups:
                    return [
                        fail(
                            endpoint,
                            f'{name} uses the pool gpuIds="{pools[0].strip()}"; this profile '
                            "wants a specific GPU type",
                            ids,
                            "gpu",
                            fix='Pin one GPU type, e.g. gpuIds="NVIDIA GeForce RTX 4090".',
                        )
                    ]
                if "any" not in parts and params.require_single_type:
                    several = _gpu_ids_choices(ids.value)
                    if several:
                        return [
                            fail(
                                endpoint,
                                f'{name} uses gpuIds="{ids.value}", {several}; this profile '
                                "wants exactly one GPU type",
                                ids,
                                "gpu",
                                fix='Pin one GPU type, e.g. gpuIds="NVIDIA GeForce RTX 4090".',
                            )
                        ]
                if "any" not in parts:
                    return []  # a specific id (or a pool id such as "AMPERE_24") is pinned
                via = f" (via `{ids.via}`)" if ids.via else ""
                return [
                    fail(
                        endpoint,
                        f'{name} uses gpuIds="{ids.value}"{via}: any GPU, unpredictable '
                        "hardware and price",
                        ids,
                        "gpu",
                        fix='Pin a GPU, e.g. gpuIds="NVIDIA GeForce RTX 4090" or a pool id '
                        'such as gpuIds="ADA_24" (or gpus=[GpuGroup.ADA_24]).',
                    )
                ]
        if (gpu is None or gpu.defaulted) and endpoint.spreads:
            return spread_unknown(endpoint, "gpu")
        if gpu is None or gpu.defaulted:
            field = "gpus=" if endpoint.api == "legacy" else "gpu="
            # rc2 sends every GPU pool id when no gpu= is given (apps/gpu.py gpu_ids_value).
            default = (
                "runpod 2.0 then asks for every GPU pool"
                if endpoint.sdk == "runpod2"
                else "the SDK default is GpuGroup.ANY"
            )
            return [
                fail(
                    endpoint,
                    f"{name} sets no {field} so it may run on any GPU ({default})",
                    None,
                    "gpu",
                )
            ]
        if not gpu.known:
            return [unknown(endpoint, gpu, "`gpu`", "gpu")]
        items = gpu.value if isinstance(gpu.value, list) else [gpu]
        via = f" (via `{gpu.via}`)" if gpu.via else ""
        if not items:
            # runpod-flash 1.21: an empty list leaves gpuIds empty, the manifest then has none,
            # and `flash deploy` rebuilds the resource with the default [GpuGroup.ANY].
            field = "gpus" if endpoint.api == "legacy" else "gpu"
            return [
                fail(
                    endpoint,
                    f"{name} sets {field}=[]{via}, which names no GPU: `flash deploy` rebuilds "
                    "it with the SDK default GpuGroup.ANY, any GPU",
                    gpu,
                    "gpu",
                )
            ]
        undecided = [i for i in items if isinstance(i, Value) and not i.known]
        known = [i for i in items if not (isinstance(i, Value) and not i.known)]
        plain = [i.value if isinstance(i, Value) else i for i in known]
        if undecided and not any(is_any(value) for value in plain):
            return [unknown(endpoint, undecided[0], "`gpu`", "gpu")]
        # A list holding ANY fails whatever its unresolved items are.
        for item, value in zip(known, plain, strict=True):
            if is_any(value):
                return [
                    fail(
                        endpoint,
                        f"{name} uses {value}{via}: any GPU, unpredictable hardware and price",
                        _at(item, gpu),
                        "gpu",
                    )
                ]
        if endpoint.sdk == "runpod2":
            wide = _fragment_outcome(endpoint, params, name)
            if wide is not None:
                return [wide]
        groups = [v for v in plain if isinstance(v, EnumRef) and v.enum == "GpuGroup"]
        # 2.0 keeps every GPU as its pool: what was written says whether a pool was chosen.
        chosen = _written_pools(endpoint) if endpoint.sdk == "runpod2" else groups
        if chosen and not params.allow_groups:
            return [
                fail(
                    endpoint,
                    f"{name} uses the pool {chosen[0]}{via}; this profile wants a specific GpuType",
                    gpu,
                    "gpu",
                    fix=one_type_fix(endpoint),
                )
            ]
        if params.require_single_type and endpoint.sdk == "runpod2":
            # 2.0 endpoints pin pools, not devices: only a single-device pool is one type. A
            # task sends its devices as written (rc2 tasks._device_names): one GpuType is one.
            single = len(groups) == 1 == len(plain) and len(POOLS_TO_TYPES[groups[0].member]) == 1
            single = single or (endpoint.kind == "task" and _one_gpu_type(endpoint))
            if not single:
                return [
                    fail(
                        endpoint,
                        f"{name} may land on {_devices(groups)}{via}; this "
                        "profile wants a single-device pool (2.0 widens a GpuType to its "
                        "pool)",
                        gpu,
                        "gpu",
                        fix=one_type_fix(endpoint),
                    )
                ]
            return []
        if params.require_single_type and (groups or len(plain) != 1):
            choice = (
                f"lists {len(plain)} GPU choices"
                if len(plain) != 1
                else f"uses the pool {groups[0]}"
            )
            return [
                fail(
                    endpoint,
                    f"{name} {choice}{via}; this profile "
                    "wants exactly one GpuType (lists do not constrain placement)",
                    gpu,
                    "gpu",
                    fix=one_type_fix(endpoint),
                )
            ]
        return []


def _fragment_outcome(endpoint, params: Params, name: str):
    """A 2.0 `gpu=` string that is a fragment of several device names ("RTX", "A40", "80GB"):
    rc2 selects every device containing it (gpu.py resolve_gpu_string), and the endpoint is
    deployed with all their pools (gpu_ids_value), a task's pod with all the devices
    (tasks._device_names). Across pools that is different hardware and price on each
    scale-up; within one pool ("A100", "H100") it is the pool, which `allow_groups` decides."""
    from flash_guard.discover.normalize_runpod2 import gpu_fragment

    written = next((v for k, v, _ in endpoint.kwargs if k == "gpu"), None)
    if written is None or not written.known:
        return None
    items = written.value if isinstance(written.value, (list, tuple)) else [written]
    found = []
    for item in items:
        if not isinstance(item, Value) or not item.known or not isinstance(item.value, str):
            continue
        wide = gpu_fragment(item.value)
        if wide is not None:
            found.append((item if item is written else at_use(item, written), wide))
    for item, wide in found:
        via = f" (via `{item.via}`)" if item.via else ""
        device = wide.closest_device()
        if len(wide.pools) > 1:
            pool = TYPE_TO_POOL[_MEMBER_OF_NAME[device]]
            when = "each run's pod" if endpoint.kind == "task" else "each scale-up"
            return fail(
                endpoint,
                f'{name} uses gpu="{wide.text}"{via}, a fragment runpod 2.0 widens to '
                f"{len(wide.devices)} devices in {len(wide.pools)} pools ({wide.listing()}): "
                f"{when} may land on different hardware at a different price",
                item,
                "gpu",
                fix=f'Pin one pool or one device, e.g. gpu="{pool}" or gpu="{device}" (or '
                "list the pools you accept).",
            )
    for item, wide in found:
        if not params.allow_groups:
            via = f" (via `{item.via}`)" if item.via else ""
            return fail(
                endpoint,
                f'{name} uses gpu="{wide.text}"{via}, a fragment that selects '
                f"{len(wide.devices)} GPU types ({wide.listing()}); this profile wants a "
                "specific GpuType",
                item,
                "gpu",
                fix=f'Pin one GPU type, e.g. gpu="{wide.closest_device()}".',
            )
    return None


def _written_pools(endpoint) -> list:
    """The pools a 2.0 `gpu=` names as written (`GpuGroup.ADA_24`, "ADA_24"); a GpuType or a
    device string pins a type, which 2.0 then widens to its pool (rules.md FG101)."""
    written = next((v for k, v, _ in endpoint.kwargs if k == "gpu"), None)
    if written is None or not written.known:
        return []
    items = written.value if isinstance(written.value, (list, tuple)) else [written]
    pools = []
    for item in items:
        value = item.value if isinstance(item, Value) else item
        is_group = isinstance(value, EnumRef) and value.enum == "GpuGroup"
        if is_group or (isinstance(value, str) and value.strip().upper() in GPU_GROUPS):
            pools.append(value)
    return pools


def _devices(groups) -> str:
    names = [m for g in groups for m in POOLS_TO_TYPES.get(g.member, ())]
    return f"{len(names)} GPU types ({', '.join(names)})"


def _at(item, whole: Value) -> Value:
    return item if isinstance(item, Value) and item.span is not None and not whole.via else whole


def _one_gpu_type(endpoint) -> bool:
    """`gpu=GpuType.X` (or `[GpuType.X]`, or a string naming one device) as written."""
    written = next((v for k, v, _ in endpoint.kwargs if k == "gpu"), None)
    if written is None or not written.known:
        return False
    items = written.value if isinstance(written.value, (list, tuple)) else [written]
    if len(items) != 1 or not items[0].known:
        return False
    member = items[0].value
    if isinstance(member, str):  # "NVIDIA L4", "L4": what the task's device list holds
        from flash_guard.discover.normalize_runpod2 import resolve_gpu_string

        return len(resolve_gpu_string(member) or ()) == 1
    return isinstance(member, EnumRef) and member.enum == "GpuType"


def _gpu_ids_choices(gpu_ids: str) -> str | None:
    """Why a legacy `gpuIds` string is more than one GPU type (None when it is one): a pool
    id taken whole (the SDK writes one `GpuType` as its pool minus the pool's other devices,
    `"AMPERE_24,-NVIDIA RTX A5000,-NVIDIA GeForce RTX 3090"`), or several devices."""
    names = {member: value for member, value in GPU_TYPE_VALUES.items() if member != "ANY"}
    parts = [p.strip() for p in gpu_ids.split(",") if p.strip()]
    excluded = {p[1:].strip() for p in parts if p.startswith("-")}
    devices: set[str] = set()
    for part in (p for p in parts if not p.startswith("-")):
        if part in FLASH_POOLS:
            in_pool = {names.get(m, m) for m in FLASH_GPU_POOLS.get(part, ())}
            if not in_pool & excluded:
                return f"the whole pool {part}"
            devices |= in_pool - excluded
        else:
            devices.add(part)
    return f"{len(devices)} GPU types" if len(devices) > 1 else None


def _gpu_ids_lost(endpoint, name: str, ids: Value):
    """`gpuIds=` alone on a release that overwrites it with the `gpus` default (any GPU)."""
    sdk = sdk_of(endpoint)
    shown = f'"{ids.value}"' if ids.known and isinstance(ids.value, str) else f"`{ids.text}`"
    written = ids.value.split(",") if ids.known and isinstance(ids.value, str) else []
    pools = [p.strip() for p in written if p.strip() in FLASH_POOLS] or ["ADA_24"]
    meant = ", ".join(f"GpuGroup.{p}" for p in pools)
    return fail(
        endpoint,
        f"{name} sets gpuIds={shown} without gpus=, and {sdk.package} {sdk.version} overwrites "
        "gpuIds with gpus, whose default is [GpuGroup.ANY]: any GPU, unpredictable hardware "
        f"and price (gpuIds is kept from {GPU_IDS_KEPT_FROM_TETRA}; {sdk.this_app()})",
        ids,
        "gpu",
        fix=f"Set gpus=[{meant}] instead of gpuIds=, or upgrade tetra-rp to "
        f"{GPU_IDS_KEPT_FROM_TETRA} or later.",
    )
