"""runpod 2.0 decorator keywords -> the shared model, with rc2's defaults (runpod-sdk2.md §2).

Also reproduces what `ResourceSpec.validate()` and the mount/secret/model constructors reject
at decoration (§4.1), as (code, message, value) problems the FG2xx rules report in 2.0 terms.
Everything comes from `sdk/runpod2_tables.py`; nothing here imports the SDK.
"""

from __future__ import annotations

import dataclasses
import difflib
import posixpath
import re

from flash_guard.discover.resolve import FLASH_PACKAGES
from flash_guard.messages import show
from flash_guard.model import EnumRef, Opaque, Value, at_use
from flash_guard.sdk import runpod2_tables as t
from flash_guard.sdk.flash_tables import (
    CPU_INSTANCE_TYPES,
    DATACENTERS,
    did_you_mean,
    execution_timeout_hint,
    execution_timeout_meant,
    names_time_limit,
)

# runpod_flash's str enums (`class DataCenter(str, Enum)` in 1.21): rc2 takes their members as
# the strings they are (runpod-sdk2.md §6.1), unlike GpuType, GpuGroup, CudaVersion and
# ServerlessScalerType, whose str() is "CudaVersion.V12_8" (FG215 reports those).
_FLASH_STR_VALUES = {"CpuInstanceType": CPU_INSTANCE_TYPES, "DataCenter": DATACENTERS}
FLASH_STR_ENUMS = frozenset(_FLASH_STR_VALUES)


def is_flash_enum(member) -> bool:
    return isinstance(member, EnumRef) and member.package in FLASH_PACKAGES


_ANY_GROUP = EnumRef("GpuGroup", "ANY")


def _flash_str_enums(value: Value) -> Value:
    """runpod_flash `CpuInstanceType`/`DataCenter` members as the strings rc2 receives."""

    def plain(item: Value) -> Value:
        member = item.value if item.known else None
        if not is_flash_enum(member) or member.enum not in _FLASH_STR_VALUES:
            return item
        text = _FLASH_STR_VALUES[member.enum].get(member.member)
        return item if text is None else dataclasses.replace(item, value=text)

    if value.known and isinstance(value.value, list):
        return dataclasses.replace(value, value=[plain(i) for i in value.value])
    return plain(value)


KIND_SIGNATURE = {"queue": "App.queue", "load_balancer": "App.api", "task": "App.task"}
# Parameters a task does not have: the rules on them skip tasks (rules.md "Two SDKs").
TASK_ABSENT = ("workers", "idle_timeout", "execution_timeout_ms")
# In GpuType's definition order (runpod2_tables.GPU_TYPE_ORDER): a fragment's matches, and the
# pools gpu_ids_value sends for them, come in that order.
_DEVICE_NAMES = {member: t.GPU_TYPES[member] for member in t.GPU_TYPE_ORDER if member != "ANY"}


def accepted_keywords(kind: str) -> list[str]:
    return [name for name, _ in t.SIGNATURES[KIND_SIGNATURE[kind]]]


def resolve_gpu_string(text: str) -> list[str] | None:
    """GpuType members (or ["ANY"]) a gpu string selects, as `resolve_gpu_string` does; None
    when it matches nothing (an error at decoration)."""
    upper = text.strip().upper()
    if upper == "ANY":
        return ["ANY"]
    for pool in t.GPU_GROUPS:
        if pool != "ANY" and pool.upper() == upper:
            return list(t.POOLS_TO_TYPES[pool])
    for member, name in _DEVICE_NAMES.items():
        if member == upper or name.upper() == upper:
            return [member]
    fragment = upper.replace("_", " ")
    found = [m for m, name in _DEVICE_NAMES.items() if fragment in name.upper()]
    return found or None


LISTED_DEVICES = 4  # a fragment's devices a message names one by one


@dataclasses.dataclass(frozen=True)
class WideGpuString:
    """A `gpu=` string that is neither a pool id nor one device but a fragment rc2 widens to
    every device whose name contains it (gpu.py resolve_gpu_string), in definition order."""

    text: str
    devices: tuple[str, ...]  # display names
    pools: tuple[str, ...]  # the pool ids gpu_ids_value sends for them, in its order

    def listing(self) -> str:
        """`AMPERE_16: NVIDIA RTX A4000; AMPERE_48: NVIDIA A40`; past LISTED_DEVICES devices
        the pools alone (`"RTX"` selects 13 devices: their names would be most of the line)."""
        if len(self.devices) > LISTED_DEVICES:
            return ", ".join(self.pools)
        by_pool = {pool: [] for pool in self.pools}
        for device in self.devices:
            by_pool[t.TYPE_TO_POOL[_MEMBER_OF_NAME[device]]].append(device)
        return "; ".join(f"{pool}: {', '.join(names)}" for pool, names in by_pool.items())

    def closest_device(self) -> str:
        """The device whose name ends with the fragment ("A40" -> "NVIDIA A40"), else the
        first match."""
        tail = self.text.strip().upper()
        for device in self.devices:
            name = device.upper()
            if name.endswith(tail) and not name[-len(tail) - 1].isalnum():
                return device
        return self.devices[0]


_MEMBER_OF_NAME = {name: member for member, name in _DEVICE_NAMES.items()}


def gpu_fragment(text: str) -> WideGpuString | None:
    """What rc2 makes of a `gpu=` string that selects more than one device by a fragment
    ("RTX", "A100", "A40"); None for "any", a pool id, one device, or an unknown string."""
    members = resolve_gpu_string(text)
    if not members or len(members) < 2 or set(members) - set(_DEVICE_NAMES):
        return None  # a pool id resolves to its members too: not a fragment
    upper = text.strip().upper()
    if any(p != "ANY" and p.upper() == upper for p in t.GPU_GROUPS):
        return None
    return WideGpuString(text, tuple(_DEVICE_NAMES[m] for m in members), tuple(pools_of(members)))


# Devices rc2's GpuGroup docstrings place in a pool that GpuType does not name, so no string
# selects them alone (gpu.py: ADA_48_PRO = "NVIDIA RTX 6000 Ada Generation, NVIDIA L40,
# NVIDIA L40S"); only their pool id does.
POOL_ONLY_DEVICES = {"L40": "ADA_48_PRO", "L40S": "ADA_48_PRO"}


def _gpu_hint(text: str) -> str:
    """What rc2's error lists (a pool id, a device name, or a fragment of one), with the
    closest of them when one is close."""
    device = re.sub(r"^NVIDIA[ _]+", "", text.strip().upper())
    pool = POOL_ONLY_DEVICES.get(device)
    if pool is not None:
        members = ", ".join(_DEVICE_NAMES.get(m, m) for m in t.POOLS_TO_TYPES.get(pool, ()))
        return (
            f": rc2 has no GpuType for the {device}; it is in pool {pool}, which an endpoint "
            f"selects with gpu=\"{pool}\" (a task's pod gets only the pool's GpuType "
            f"devices: {members})"
        )
    pools = [p for p in t.GPU_GROUPS if p != "ANY"]
    guess = did_you_mean(text, [*pools, *_DEVICE_NAMES.values()])
    close = f'; did you mean "{guess}"?' if guess else ""
    return f": use a pool id, a device name, or a fragment like '4090' or 'H100'{close}"


def pools_of(members: list[str]) -> list[str]:
    """Pools an endpoint is deployed with: device pins widened to their whole pool."""
    if "ANY" in members:
        return list(t.ANY_GPU_POOLS)
    pools = []
    for member in members:
        pool = member if member in t.POOLS_TO_TYPES else t.TYPE_TO_POOL.get(member)
        if pool and pool not in pools:
            pools.append(pool)
    return pools


def _gpu(value: Value, problems: list) -> Value:
    """`gpu=` as a list of GpuGroup pools (ANY when it selects every pool)."""
    if not value.known:
        return value
    raw = value.value
    if raw is None:  # written: any GPU, as where it is written (not "sets no gpu=")
        return dataclasses.replace(value, value=[dataclasses.replace(value, value=_ANY_GROUP)])
    if isinstance(raw, tuple) or not isinstance(raw, (list, str, EnumRef)):
        problems.append(
            ("FG205", f"gpu must be a GpuGroup, GpuType, or string, got {_type(raw)}", value)
        )
        return Value.unknown(value.text, value.span, value.path)
    items = raw if isinstance(raw, list) else [value]
    members: list[str] = []
    for item in items:
        if not item.known:
            return Value.unknown(value.text, value.span, value.path)
        item = at_use(item, value)  # through a constant: reported at its use
        got = _gpu_item(item, problems)
        if got is None:  # rejected at decoration (FG205 there): nothing else to decide
            return Value.unknown(value.text, item.span, item.path)
        members += got
    pools = pools_of(members) if members else list(t.ANY_GPU_POOLS)
    any_gpu = set(pools) == set(t.ANY_GPU_POOLS)
    refs = ["ANY"] if any_gpu else pools
    out = [dataclasses.replace(value, value=EnumRef("GpuGroup", p), via=None) for p in refs]
    return dataclasses.replace(value, value=out)


def _gpu_item(item: Value, problems: list) -> list[str] | None:
    raw = item.value
    through = f" (through `{item.via}`)" if item.via else ""
    if isinstance(raw, EnumRef):
        table = t.GPU_GROUPS if raw.enum == "GpuGroup" else t.GPU_TYPES
        if raw.enum in ("GpuGroup", "GpuType") and raw.member not in table:
            problems.append(("FG205", missing_member(raw, table) + through, item))
            return None
        if raw.enum not in ("GpuGroup", "GpuType"):
            problems.append(("FG205", f"unknown gpu {raw}{through}", item))
            return None
        if raw.member == "ANY":
            return ["ANY"]
        return list(t.POOLS_TO_TYPES[raw.member]) if raw.enum == "GpuGroup" else [raw.member]
    if isinstance(raw, str):
        found = resolve_gpu_string(raw)
        if found is None:
            problems.append(("FG205", f"unknown gpu {raw!r}{through}{_gpu_hint(raw)}", item))
        return found
    problems.append(
        ("FG205", f"gpu must be a GpuGroup, GpuType, or string, got {_type(raw)}", item)
    )
    return None


def missing_member(member: EnumRef, table) -> str:
    """`GpuType.NVIDIA_H300` and the like: the enum has no such member, so Python raises while
    the module is imported, before the decorator sees a value."""
    close = difflib.get_close_matches(member.member, list(table), n=1, cutoff=0.6)
    hint = f"; did you mean {member.enum}.{close[0]}?" if close else ""
    return (
        f"{member.enum}.{member.member} does not exist ({member.raises} when the module is "
        f"imported){hint}"
    )


def _written(value: Value) -> str:
    """A keyword's value as FG2xx messages show it: `CONSTANT` (= value) through a constant."""
    if value.via:
        return f"`{value.via}` (= {show(value.value)})"
    return show(value.value)


def _type(raw) -> str:
    return "GpuType" if isinstance(raw, EnumRef) else type(raw).__name__


def _workers(value: Value, problems: list) -> Value:
    raw = value.value
    through = f" (through `{value.via}`)" if value.via else ""
    if raw is None:
        return _default_workers()
    if isinstance(raw, int):  # bool included, as isinstance(workers, int) lets it pass
        pair = [Value(0, True, value.span, value.text, path=value.path), value]
    elif isinstance(raw, (tuple, list)) and len(raw) == 2:
        pair = [at_use(item, value) for item in raw]
    else:
        shown = repr(tuple(i.plain() for i in raw)) if isinstance(raw, (tuple, list)) else repr(raw)
        problems.append(
            ("FG201", f"workers must be an int or (min, max) tuple, got {shown}{through}", value)
        )
        return Value.unknown(value.text, value.span, value.path)
    if not all(p.known for p in pair):
        # The known bound still decides the checklist (min workers 1 is warm whatever the max).
        for side, bound in zip(("min", "max"), pair, strict=True):
            if not bound.known:  # one FG002 per expression that cannot be read
                problems.append(("FG201", _UNDECIDED, (f"`workers.{side}`", "workers", bound)))
        return dataclasses.replace(value, value={"min": pair[0], "max": pair[1]})
    try:
        low, high = (int(p.value) for p in pair)
    except (TypeError, ValueError):
        problems.append(
            ("FG201", f"workers bounds must be integers, got {value.text}{through}", value)
        )
        return Value.unknown(value.text, value.span, value.path)
    if low < 0 or high < 1:
        problems.append(("FG201", f"invalid worker range ({low}, {high}){through}", value))
    elif low > high:
        problems.append(
            ("FG201", f"workers min ({low}) cannot exceed max ({high}){through}", value)
        )
    lo = dataclasses.replace(pair[0], value=low)
    hi = dataclasses.replace(pair[1], value=high)
    return dataclasses.replace(value, value={"min": lo, "max": hi})


def _per_candidate_datacenters(value: Value, problems: list) -> Value:
    return _datacenters(value, problems) if value.value is not None else value


def _cpu(value: Value, problems: list) -> Value:
    raw = value.value
    if raw is None:
        return value
    if isinstance(raw, str) or raw == EnumRef("CpuInstanceType", getattr(raw, "member", "")):
        raw = [value]
    if isinstance(raw, list):
        for item in raw:
            member = item.value if item.known else None
            if (
                isinstance(member, EnumRef)
                and member.enum == "CpuInstanceType"
                and member.member not in t.CPU_INSTANCE_TYPES
            ):
                problems.append(("FG205", missing_member(member, t.CPU_INSTANCE_TYPES), item))
                return Value.unknown(value.text, value.span, value.path)
    if not isinstance(raw, list):
        problems.append(
            ("FG205", f"cpu must be an instance id string or list, got {_type(raw)}", value)
        )
    elif not raw or any(
        i.known
        and (not isinstance(i.value, str) or not i.value.strip())
        and i.value != EnumRef("CpuInstanceType", getattr(i.value, "member", ""))
        for i in raw
    ):  # 2.0's CpuInstanceType is a str Enum: its members are instance ids
        problems.append(("FG205", "cpu must contain non-empty instance ids", value))
    return dataclasses.replace(value, value=list(raw) if isinstance(raw, list) else raw)


_PER_CANDIDATE = {
    "workers": _workers,
    "gpu": _gpu,
    "cpu": _cpu,
    "datacenter": _per_candidate_datacenters,
}


def _all_known(candidates) -> bool:
    return bool(candidates) and all(c.known and c.value is not None for c in candidates)


def _default_workers() -> Value:
    low, high = t.DEFAULT_WORKERS
    return Value({"min": Value.default(low), "max": Value.default(high)}, True, defaulted=True)


def _datacenters(value: Value, problems: list) -> Value:
    raw = value.value
    items = (
        [value] if isinstance(raw, (str, EnumRef)) or not isinstance(raw, (list, tuple)) else raw
    )
    for item in items:
        if not item.known:
            return value
        member = item.value
        via = item.via or value.via
        through = f" (through `{via}`)" if via else ""
        if isinstance(member, EnumRef):
            ok = member.enum == "DataCenter" and member.member in t.DATACENTERS
        else:
            ok = isinstance(member, str) and _datacenter_id(member) in t.DATACENTERS.values()
        if isinstance(member, EnumRef) and member.enum == "DataCenter" and not ok:
            problems.append(("FG206", missing_member(member, t.DATACENTERS) + through, item))
        elif not ok:
            shown = member if isinstance(member, str) else item.text or repr(member)
            valid = ", ".join(t.DATACENTERS.values())
            problems.append(
                ("FG206", f"invalid datacenter: {shown!r}{through} (valid: {valid})", item)
            )
    return dataclasses.replace(value, value=list(items))


def _mounts(value: Value, kind: str, compute: str, problems: list) -> list[Value]:
    """The mounted volumes; problems as `normalize_mounts`/`validate_mounts` raise them."""
    raw = value.value
    if not isinstance(raw, dict):
        problems.append(("FG211", "mounts must map absolute paths to volume objects", value))
        return []
    paths: dict[str, Value] = {}
    for key, volume in raw.items():
        if not isinstance(key, str) or not key.startswith("/") or key.startswith("//"):
            problems.append(("FG211", "mount paths must be absolute paths without '..'", volume))
            continue
        if ".." in key.split("/") or "\0" in key:
            problems.append(("FG211", "mount paths must be absolute paths without '..'", volume))
            continue
        norm = posixpath.normpath(key)
        if norm in paths:
            problems.append(("FG211", f"duplicate mount path {norm!r}", volume))
        paths[norm] = volume
    volumes = []
    for volume in paths.values():
        obj = volume.value if volume.known else None
        if isinstance(obj, Opaque) and obj.callee == "Volume":
            # rc2's Volume is the abstract base: constructing it fails before any mount
            problems.append(
                (
                    "FG211",
                    "runpod.Volume is abstract in runpod 2.0: `Volume(...)` raises TypeError "
                    "(Can't instantiate abstract class Volume) when the module is imported; "
                    "construct runpod.NetworkVolume(name, size=...) or runpod.GlobalVolume(name)"
                    + (f" (through `{volume.via}`)" if volume.via else ""),
                    volume,
                )
            )
            continue
        if volume.known and not (
            isinstance(obj, Opaque) and obj.callee in ("NetworkVolume", "GlobalVolume")
        ):
            problems.append(
                ("FG211", "mounts require NetworkVolume or GlobalVolume references", volume)
            )
            continue
        volumes.append(volume)
        if obj is not None:
            _volume_name(obj, volume, problems)
    if len(paths) != len(raw):
        return volumes
    ordered = sorted(paths)
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b.startswith(a.rstrip("/") + "/"):
            problems.append(("FG211", "mount paths must not overlap", value))
            return volumes
    kinds = [v.value.callee for v in volumes if v.known]
    if kinds.count("NetworkVolume") > 1 or kinds.count("GlobalVolume") > 1:
        problems.append(("FG211", "resources support at most one network volume", value))
    elif kind != "task" and (len(paths) != 1 or t.ENDPOINT_MOUNT_PATH not in paths):
        problems.append(("FG211", "endpoints support one volume mounted at /runpod-volume", value))
    elif compute == "cpu" and "GlobalVolume" in kinds:
        problems.append(("FG211", "global volumes require gpu compute", value))
    return volumes


def _signature_problem(obj: Opaque) -> str | None:
    """The TypeError rc2's constructor raises for these arguments (unknown keyword, too many
    positional ones), from its recorded signature; None when they fit."""
    params = t.SIGNATURES.get(obj.callee)
    if params is None:
        return None
    names = {name for name, kind in params if kind != "VAR_KEYWORD"}
    for key in obj.kwargs:
        if key not in names:
            guess = did_you_mean(key, sorted(names))
            hint = f"; did you mean {guess!r}?" if guess else ""
            return f"{obj.callee}.__init__() got an unexpected keyword argument {key!r}{hint}"
    positional = [n for n, k in params if k in ("POSITIONAL_OR_KEYWORD", "POSITIONAL_ONLY")]
    if len(obj.args) > len(positional):
        # Python counts `self`, as its message does
        return (
            f"{obj.callee}.__init__() takes {len(positional) + 1} positional arguments but "
            f"{len(obj.args) + 1} were given"
        )
    return None


def _volume_name(obj: Opaque, where: Value, problems: list) -> None:
    wrong = _signature_problem(obj)
    if wrong is not None:
        problems.append(("FG211", f"{wrong} (TypeError when the module is imported)", where))
        return
    name = obj.args[0] if obj.args else obj.kwargs.get("name")
    if name is None:
        problems.append(("FG211", f"{obj.callee}() needs a volume name", where))
    elif name.known and (not isinstance(name.value, str) or not name.value.strip()):
        problems.append(("FG211", "volume reference must be a non-empty string", where))


def _volume_placement(volumes: list[Value], pins: Value | None, problems: list) -> None:
    """A `NetworkVolume(datacenter=...)`: rc2 parses it with `DataCenter.from_string` when it
    creates the volume (ValueError), and a new volume must sit in a datacenter the resource
    may run in (placement.py `solve_placement`: PlacementError)."""
    allowed = None
    listed = pins.value if pins is not None and pins.known else None
    if (
        isinstance(listed, list)
        and listed
        and all(p.known and isinstance(p.value, (str, EnumRef)) for p in listed)
    ):
        allowed = {_datacenter_id(p.value) for p in listed}
    for volume in volumes:
        obj = volume.value if volume.known else None
        if not (isinstance(obj, Opaque) and obj.callee == "NetworkVolume"):
            continue
        pin = obj.kwargs.get("datacenter")
        if pin is None or not pin.known or pin.value is None:
            continue
        before = len(problems)
        _datacenters(pin, problems)
        if len(problems) > before or allowed is None:
            continue
        where = _datacenter_id(pin.value)
        if where not in allowed:
            shown = ", ".join(sorted(allowed))
            problems.append(
                (
                    "FG206",
                    f"volume pinned to {where}, outside the datacenter list "
                    f"({shown}); rp flash deploy cannot place the new volume (PlacementError)",
                    pin,
                )
            )


def _datacenter_id(raw) -> str:
    if isinstance(raw, EnumRef):
        return t.DATACENTERS.get(raw.member, raw.member)
    return str(raw).strip().upper().replace("_", "-")


def _model(value: Value, problems: list) -> None:
    raw = value.value
    if isinstance(raw, Opaque) and raw.callee == "Model":
        wrong = _signature_problem(raw)
        if wrong is not None:
            problems.append(("FG211", f"{wrong} (TypeError when the module is imported)", value))
            return
        ref = raw.args[0] if raw.args else raw.kwargs.get("reference")
        raw_ref = ref.value if ref is not None and ref.known else None
    elif isinstance(raw, str):
        raw_ref = raw
    else:
        _model_type(value, problems)
        return
    if raw_ref is None or (raw_ref == "" and raw is raw_ref):
        return  # `model=""` is falsy: the manifest skips it (`if self.model:`)
    repo = raw_ref.split(":", 1)[0] if isinstance(raw_ref, str) else ""
    if not repo or not re.match(t.MODEL_REPO_PATTERN, repo):
        problems.append(
            (
                "FG211",
                f"invalid model reference {raw_ref!r}: expected 'owner/name' or "
                "'owner/name:revision'",
                value,
            )
        )


def _model_type(value: Value, problems: list) -> None:
    """`model=5`: rc2 accepts any value at decoration; the manifest step of `rp flash deploy`
    turns a truthy one that is neither a Model nor a string into ModelError (model.py
    `model_reference`). Falsy values (`0`, `[]`) are skipped there."""
    raw = value.value
    if not value.known or raw is None or isinstance(raw, (Opaque, EnumRef)) or not raw:
        return
    kind = {bool: "bool", int: "int", float: "float", list: "list", tuple: "tuple"}.get(
        type(raw), "dict" if isinstance(raw, dict) else None
    )
    if kind is None:
        return
    problems.append(
        (
            "FG211",
            f"model={value.text or repr(raw)} is {'an' if kind == 'int' else 'a'} {kind}: "
            "`rp flash deploy` fails building the "
            f"manifest (ModelError: model must be a runpod.Model or 'owner/name' string, got "
            f'{kind}); write model=runpod.Model("owner/name")',
            value,
        )
    )


def _secrets(env: Value, problems: list) -> None:
    if env.known and env.value and not isinstance(env.value, dict):
        # rc2 does not check env at decoration; the manifest (`rp flash deploy`) and `rp
        # flash dev` render it with `env.items()` (secret.py render_env). An empty one is
        # skipped (`if not env`).
        kind = type(env.value).__name__
        problems.append(
            (
                "FG202",
                f"env={env.text} is a {kind}, not a dict: rc2 accepts it at decoration, then "
                f"`rp flash deploy` and `rp flash dev` fail rendering it (AttributeError: "
                f"'{kind}' object has no attribute 'items'); write env={{\"NAME\": \"value\"}}",
                env,
            )
        )
        return
    if not env.known or not isinstance(env.value, dict):
        return
    for item in env.value.values():
        obj = item.value if item.known else None
        if isinstance(obj, Opaque) and obj.callee == "Secret" and obj.args and obj.args[0].known:
            name = obj.args[0].value
            if not isinstance(name, str) or not re.match(t.SECRET_NAME_PATTERN, name):
                problems.append(("FG202", f"invalid secret name {name!r}", item))


# Compared only when set (`if self.container_disk_gb is not None and ...`): None is the default.
_NONE_ACCEPTED = frozenset({"container_disk_gb"})


def _not_comparable(key: str, raw) -> bool:
    return (raw is None and key not in _NONE_ACCEPTED) or isinstance(raw, (str, bytes, list, dict))


def _at_least(params: dict, key: str, low: int, problems: list, name: str) -> None:
    value = params.get(key)
    if value is None or value.defaulted:
        return
    if not value.known:
        # Candidates (`None if DEV else 60_000`): one rc2 refuses at decoration makes FG202
        # undecided (FG002 names it), as a split does for the rules judging the value.
        options = value.candidates or ()
        readable = options and all(c.known for c in options)
        if readable and any(_not_comparable(key, c.value) for c in options):
            problems.append(("FG202", _UNDECIDED, (f"`{key}`", key, value)))
        return
    raw = value.value
    if _not_comparable(key, raw):
        # ResourceSpec.__post_init__ compares it with `<`: TypeError at decoration. No value
        # of it deploys, so no other rule judges it (FG104 would call None "no limit").
        problems.append(
            (
                "FG202",
                f"resource {name!r}: {key}={value.text} fails at decoration (TypeError: '<' not "
                f"supported between instances of '{type(raw).__name__}' and 'int')",
                value,
            )
        )
        params[key] = Value.unknown(value.text, value.span, value.path)
        return
    if isinstance(raw, (int, float)) and not isinstance(raw, bool) and raw < low:
        detail = f", got {raw}" if key == "max_concurrency" else ""
        problems.append(("FG202", f"resource {name!r}: {key} must be >= {low}{detail}", value))


# Which FG2xx check each parameter's value decides; an unknown value leaves them undecided.
_DECIDED_BY = {
    "gpu": ("FG205",),
    "cpu": ("FG205",),
    "datacenter": ("FG206",),
    "workers": ("FG201",),
    "min_cuda_version": ("FG209",),
    "mounts": ("FG211",),
    "model": ("FG211",),
    "scaler_type": ("FG202", "FG212"),
    "name": ("FG216",),
}
# The message slot of a problem that is not one: its third item is (what, parameter, value).
_UNDECIDED = None


# runpod_flash keywords and how runpod 2.0 says them (runpod-sdk2.md §6.3, §6.4), for FG210's
# suggestion when code moved from runpod_flash keeps the old spelling.
_FLASH_SPELLINGS = {
    "volume": ("mounts", 'mounts={"/runpod-volume": runpod.NetworkVolume("name")}'),
    "networkVolume": ("mounts", 'mounts={"/runpod-volume": runpod.NetworkVolume("name")}'),
    "networkVolumeId": ("mounts", 'mounts={"/runpod-volume": runpod.NetworkVolume("name")}'),
    "gpus": ("gpu", "gpu="),
    "gpuIds": ("gpu", "gpu="),
    "instanceIds": ("cpu", "cpu="),
    "workersMin": ("workers", "workers=(min, max)"),
    "workersMax": ("workers", "workers=(min, max)"),
    "idleTimeout": ("idle_timeout", "idle_timeout="),
    "executionTimeoutMs": ("execution_timeout_ms", "execution_timeout_ms="),
    "gpuCount": ("gpu_count", "gpu_count="),
    "locations": ("datacenter", "datacenter="),
    "minCudaVersion": ("min_cuda_version", "min_cuda_version="),
    "scalerType": ("scaler_type", "scaler_type="),
    "scalerValue": ("scaler_value", "scaler_value="),
    "imageName": ("image", "image="),
}


def _spelled(key: str, accepted, value: Value | None = None) -> str:
    """'; runpod 2.0 takes mounts={...}' or '; did you mean `gpu`?', or nothing. A time limit
    (`timeout=600`) is pointed at execution_timeout_ms with its unit, not at idle_timeout."""
    known = _FLASH_SPELLINGS.get(key)
    if known is not None and known[0] in accepted:
        return f"; runpod 2.0 takes {known[1]}"
    meant = execution_timeout_meant(key, accepted)
    if meant is not None:
        return execution_timeout_hint(key, meant, value)
    if names_time_limit(key):
        # rc2's App.task() has no time limit; closest by spelling (`mounts`) means nothing
        return "; rc2 has no job time limit here (app.queue()/app.api() take execution_timeout_ms)"
    guess = did_you_mean(key, accepted)
    return f"; did you mean `{guess}`?" if guess else ""


def resource_params(
    written: dict[str, Value], kind: str, target_name: str | None
) -> tuple[dict[str, Value], str, list[tuple[str, str, Value]]]:
    """(params, compute, problems) for one `@app.<kind>(...)` declaration."""
    problems: list[tuple[str, str, Value]] = []
    accepted = accepted_keywords(kind)
    sig = KIND_SIGNATURE[kind]
    for key, value in written.items():
        if key == "python_version" and key not in accepted:
            # As for runpod_flash's `Endpoint` (rules.md FG208: "this is FG208, not FG210"):
            # the app's Python is chosen when it is deployed.
            message = (
                f"{sig}() got an unexpected keyword argument {key!r}; runpod 2.0 picks the "
                "worker's Python per app: rp flash deploy --python-version"
            )
            problems.append(("FG208", message, value))
        elif key not in accepted:
            message = f"{sig}() got an unexpected keyword argument {key!r}"
            problems.append(("FG210", message + _spelled(key, accepted, value), value))
    cpu = written.get("cpu")
    compute = "cpu" if cpu is not None and not (cpu.known and cpu.value is None) else "gpu"
    params: dict[str, Value] = {}
    for key, value in written.items():
        if key not in accepted:
            continue
        if key in ("cpu", "datacenter"):
            value = _flash_str_enums(value)
        if key in _PER_CANDIDATE and not value.known and _all_known(value.candidates):
            # Candidate values (rules.md): each one normalised, and decided, on its own; the
            # first candidate the SDK would reject is reported.
            found: list = []
            each = tuple(_PER_CANDIDATE[key](c, found) for c in value.candidates)
            params[key] = dataclasses.replace(value, candidates=each)
            problems.extend(found[:1])
        elif not value.known:
            params[key] = value
            for code in _DECIDED_BY.get(key, ()):
                if code != "FG212" or kind == "load_balancer":
                    problems.append((code, _UNDECIDED, (f"`{key}`", key, value)))
        elif key == "gpu":
            params[key] = _gpu(value, problems)
        elif key == "workers":
            params[key] = _workers(value, problems)
        elif key == "datacenter" and value.value is not None:
            params[key] = _datacenters(value, problems)
        elif key == "cpu":
            params[key] = _cpu(value, problems)
        else:
            params[key] = value
    name = params.get("name")
    if name is None or (name.known and not name.value):
        params["name"] = Value.default(target_name)
    elif name.known and not isinstance(name.value, str):
        problems.append(("FG216", "resource name must be a non-empty string", name))
    label = params["name"].value if params["name"].known else "?"
    gpu = written.get("gpu")
    if compute == "cpu" and gpu is not None and not (gpu.known and gpu.value is None):
        problems.append(
            ("FG202", f"resource {label!r}: gpu and cpu are mutually exclusive", written["cpu"])
        )
    _validate_rest(params, kind, compute, label, problems)
    for key, raw in t.SIGNATURE_DEFAULTS[sig].items():
        if key == "name" or key in params:
            continue
        if key == "workers" and raw is None:
            params[key] = _default_workers()
        elif key == "gpu" and compute == "gpu":
            params[key] = Value.default([Value.default(EnumRef("GpuGroup", "ANY"))])
        elif raw is not None or key in ("min_cuda_version",):
            params[key] = Value.default(raw)
    volumes = []
    if "mounts" in params and params["mounts"].known and params["mounts"].value is not None:
        volumes = _mounts(params["mounts"], kind, compute, problems)
        _volume_placement(volumes, params.get("datacenter"), problems)
    model = params.get("model")
    if model is not None and model.known and model.value is not None:
        _model(model, problems)
        volumes.append(model)
    if volumes:
        params["volume"] = Value(
            volumes, True, volumes[0].span, volumes[0].text, path=volumes[0].path
        )
    elif any(not params[k].known for k in ("mounts", "model") if k in params):
        params["volume"] = next(
            params[k] for k in ("mounts", "model") if k in params and not params[k].known
        )
    if "env" in params:
        _secrets(params["env"], problems)
    if (
        kind in ("queue", "load_balancer")
        and params["name"].known
        and isinstance(label, str)
        and len(label) < t.MIN_DEPLOY_NAME_LENGTH
    ):
        problems.append(
            (
                "FG216",
                f"resource name {label!r} is too short to deploy; queue and api names must be "
                "at least 3 characters",
                params["name"],
            )
        )
    return params, compute, problems


def _validate_rest(params: dict, kind: str, compute: str, label, problems: list) -> None:
    for key in ("dependencies", "system_dependencies"):
        value = params.get(key)
        if value is not None and value.known and isinstance(value.value, str):
            # rc2 declares List[str] and never checks: the build iterates the string
            problems.append(
                (
                    "FG303",
                    f"{key}={value.value!r} is a string: rp flash deploy reads it letter by "
                    f"letter ({', '.join(repr(c) for c in value.value[:3])}, ...); write a list",
                    value,
                )
            )
    _at_least(params, "gpu_count", 1, problems, label)
    _at_least(params, "max_concurrency", 1, problems, label)
    _at_least(params, "execution_timeout_ms", 0, problems, label)
    _at_least(params, "scaler_value", 1, problems, label)
    _at_least(params, "container_disk_gb", 1, problems, label)
    scaler = params.get("scaler_type")
    if (
        scaler is not None
        and scaler.known
        and scaler.value is not None
        and not is_flash_enum(scaler.value)
    ):
        if str(scaler.value).strip().upper() not in t.SCALER_TYPES:
            problems.append(
                (
                    "FG202",
                    f"scaler_type must be one of {sorted(t.SCALER_TYPES)}, got {scaler.value!r}",
                    scaler,
                )
            )
        elif kind == "load_balancer" and str(scaler.value).strip().upper() == "QUEUE_DELAY":
            # rc2 keeps it (spec.effective_scaler_type) and deploys type LB + QUEUE_DELAY;
            # runpod-flash rejects the same pair at deploy (rules.md FG212).
            problems.append(
                (
                    "FG212",
                    f"scaler_type={_written(scaler)} on an api resource: rc2 accepts it and "
                    "`rp flash deploy` sends a load balancer (type LB) told to scale on queue "
                    "delay, but a load balancer has no queue to measure (runpod-flash refuses "
                    "the same setting at deploy); leave scaler_type out (api resources default "
                    "to REQUEST_COUNT)",
                    scaler,
                )
            )
    cuda = params.get("min_cuda_version")
    if cuda is not None and cuda.known and cuda.value is not None and not is_flash_enum(cuda.value):
        if str(cuda.value).strip() not in t.CUDA_VERSIONS:
            problems.append(
                (
                    "FG209",
                    f"min_cuda_version must be one of {', '.join(t.CUDA_VERSIONS)}, "
                    f"got {str(cuda.value)!r}",
                    cuda,
                )
            )
        elif compute == "cpu":
            problems.append(
                (
                    "FG209",
                    f"resource {label!r}: min_cuda_version has no effect on cpu resources",
                    cuda,
                )
            )
