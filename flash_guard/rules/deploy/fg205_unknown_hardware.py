"""FG205: GPU and CPU choices the SDK does not define, or in a shape it rejects."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from flash_guard.checks.base import fail, register, unknown
from flash_guard.checks.deploy_support import (
    EveryDeclaration,
    at_item,
    closest,
    label,
    python_repr,
    shown,
    type_name,
    via_note,
    written_value,
)
from flash_guard.model import EnumRef
from flash_guard.sdk.flash_tables import (
    CPU_INSTANCE_TYPES,
    GPU_GROUPS,
    GPU_TYPE_VALUES,
    GPU_TYPES,
    did_you_mean,
)
from flash_guard.sdk.in_use import facts_of, history, sdk_of

# pydantic reads a string in a gpu list by enum value: group values are the member names
# (ANY is "any"), GpuType values are display names ("NVIDIA L4").
GPU_VALUE_STRINGS = {("any" if g == "ANY" else g): f"GpuGroup.{g}" for g in GPU_GROUPS}
GPU_VALUE_STRINGS.update({v: f"GpuType.{k}" for k, v in GPU_TYPE_VALUES.items()})
CPU_VALUE_STRINGS = {v: f"CpuInstanceType.{k}" for k, v in CPU_INSTANCE_TYPES.items()}


@register
class UnknownHardware(EveryDeclaration):
    """Checks `gpu=` and `cpu=` (legacy `gpus=` and `instanceIds=`) against the SDK's enums.
    A `GpuGroup`, `GpuType` or `CpuInstanceType` member that does not exist is an
    `AttributeError` when the module is imported; a `cpu=` string that is not an instance
    value (`"cpu3c-1-2"`) is a `ValueError`; a string in a `gpu=` list must be an enum value
    (`"ADA_24"`, `"NVIDIA L4"`). The message suggests the closest real member
    (`GpuType.NVIDIA_A100_80GB` -> `NVIDIA_A100_80GB_PCIe`). It also fails the shapes the SDK
    rejects: `Endpoint(gpu=...)`/`Endpoint(cpu=...)` take one member or a list (a tuple or a
    bare `gpu="ADA_24"` string raises), and the legacy `gpus=`/`instanceIds=` fields take a
    list. A compatibility test `GpuType.X if hasattr(GpuType, "X") else GpuType.Y` is decided
    from the SDK's release tables: the branch the release in use takes, not two candidates."""

    id = "unknown-hardware"

    def check(self, endpoint, params, ctx):
        out = []
        tables = Hardware.of(endpoint)
        gpu = functools.partial(gpu_item, tables=tables)
        cpu = functools.partial(cpu_item, tables=tables)
        if endpoint.api == "endpoint":
            out += selection(endpoint, "gpu", gpu, single_ok=True, string_ok=False)
            out += selection(endpoint, "cpu", cpu, single_ok=True, string_ok=True)
        else:
            out += selection(endpoint, "gpus", gpu, single_ok=False, string_ok=False)
            out += selection(endpoint, "instanceIds", cpu, single_ok=False, string_ok=False)
        return out


@dataclass(frozen=True)
class Hardware:
    """The hardware enums of the release the endpoint's app uses (newest tables otherwise)."""

    groups: frozenset = GPU_GROUPS
    types: frozenset = GPU_TYPES
    gpu_strings: dict = field(default_factory=lambda: GPU_VALUE_STRINGS)
    cpu_types: dict = field(default_factory=lambda: CPU_INSTANCE_TYPES)
    cpu_strings: dict = field(default_factory=lambda: CPU_VALUE_STRINGS)
    sdk: object = None

    @classmethod
    def of(cls, endpoint) -> Hardware:
        facts = facts_of(endpoint)
        if facts is None:
            return cls()
        enums = facts.enums
        groups = frozenset(enums.get("GpuGroup", {}))
        types = dict(enums.get("GpuType", {}))
        cpus = {m: str(v) for m, v in enums.get("CpuInstanceType", {}).items()}
        # pydantic reads strings in a gpu list by value: a group's value is its member name
        # in these releases (ANY is "any"), a type's value its display name.
        strings = {str(v): f"GpuGroup.{m}" for m, v in enums.get("GpuGroup", {}).items()}
        strings.update({str(v): f"GpuType.{m}" for m, v in types.items()})
        cpu_strings = {v: f"CpuInstanceType.{m}" for m, v in cpus.items()}
        return cls(groups, frozenset(types), strings, cpus, cpu_strings, sdk_of(endpoint))


def selection(endpoint, field: str, judge, single_ok: bool, string_ok: bool) -> list:
    parameter = "gpu" if field.startswith("gpu") else "cpu"
    value, undecided = written_value(endpoint, field, parameter)
    if value is None:
        return undecided
    raw = value.value
    if raw is None:
        return []
    name = label(endpoint)
    if isinstance(raw, list) or (endpoint.api == "legacy" and isinstance(raw, tuple)):
        out = []
        for item in raw:
            if not item.known:
                out.append(unknown(endpoint, item, f"an item of `{field}`", parameter))
                continue
            problem = judge(item.value, in_list=True)
            if problem:
                message = f"{name} {field}={via_note(item, value)}: {problem}"
                out.append(fail(endpoint, message, at_item(item, value), parameter))
        return out
    if isinstance(raw, EnumRef) and single_ok:
        problem = judge(raw, in_list=False)
        said = f"{name} {field}={via_note(value)}: {problem}"
        return [fail(endpoint, said, value, parameter)] if problem else []
    if isinstance(raw, str) and string_ok:
        problem = judge(raw, in_list=False)
        said = f"{name} {field}={via_note(value)}: {problem}"
        return [fail(endpoint, said, value, parameter)] if problem else []
    hint = ""
    if isinstance(raw, str) and field == "gpu" and raw in GPU_VALUE_STRINGS:
        hint = f"; write {GPU_VALUE_STRINGS[raw]}"
    elif isinstance(raw, tuple):
        hint = "; write a list [...] instead"
    elif isinstance(raw, EnumRef):
        hint = f"; write [{raw}]"
    if endpoint.api == "legacy":
        raised = f"{endpoint.resource_class}(...) raises 'Input should be a valid list'"
    elif field == "gpu":
        raised = (
            f"Endpoint() raises 'gpu must be a GpuGroup, GpuType, or list, got {type_name(raw)}'"
        )
    else:
        raised = (
            "Endpoint() raises 'cpu must be a CpuInstanceType, string, or list, got "
            f"{type_name(raw)}'"
        )
    return [
        fail(
            endpoint,
            f"{name} {field}={shown(value)} is a {type_name(raw)}: {raised}{hint}",
            value,
            parameter,
        )
    ]


def gpu_item(raw, in_list: bool, tables: Hardware | None = None) -> str | None:
    t = tables or Hardware()
    if isinstance(raw, EnumRef):
        if raw.enum == "GpuGroup":
            return member_problem(raw, t.groups, other=("GpuType", t.types), sdk=t.sdk)
        if raw.enum == "GpuType":
            return member_problem(raw, t.types, other=("GpuGroup", t.groups), sdk=t.sdk)
        return f"{raw} is not a GpuGroup or GpuType"
    if isinstance(raw, str) and in_list:
        if raw in t.gpu_strings:
            return None
        guess = did_you_mean(raw, t.gpu_strings) or did_you_mean(
            raw, list(t.groups) + list(t.types)
        )
        suggestion = ""
        if guess in t.gpu_strings:
            suggestion = f"; did you mean {t.gpu_strings[guess]}?"
        elif guess:
            enum = "GpuGroup" if guess in t.groups else "GpuType"
            suggestion = f"; did you mean {enum}.{guess}?"
        return f"{raw!r} is not a GpuGroup or GpuType value (pydantic raises){suggestion}"
    return f"{python_repr(raw)} is not a GpuGroup or GpuType"


def cpu_item(raw, in_list: bool, tables: Hardware | None = None) -> str | None:
    t = tables or Hardware()
    if isinstance(raw, EnumRef):
        if raw.enum == "CpuInstanceType":
            return member_problem(raw, t.cpu_types, sdk=t.sdk)
        return f"{raw} is not a CpuInstanceType"
    if isinstance(raw, str):
        if raw in t.cpu_strings:
            return None
        # the member name instead of its value: suggest the value
        guess = t.cpu_types[raw] if raw in t.cpu_types else did_you_mean(raw, t.cpu_strings)
        suggestion = f"; did you mean {guess!r} ({t.cpu_strings[guess]})?" if guess else ""
        return f"{raw!r} is not a valid CpuInstanceType{suggestion}"
    return f"{python_repr(raw)} is not a CpuInstanceType"


def member_problem(ref: EnumRef, members, other: tuple | None = None, sdk=None) -> str | None:
    if ref.is_member(members):
        return None
    if other is not None and ref.is_member(other[1]):
        return f"{ref} does not exist ({ref.member} is a {other[0]}: write {other[0]}.{ref.member})"
    in_use = f"; {sdk.this_app()}" if sdk is not None else ""
    changed = history(sdk, f"enum:{ref.enum}", ref.member) if sdk is not None else None
    if changed is not None:
        return f"`{ref}` {changed} ({ref.raises} when the module is imported){in_use}"
    guess = closest(ref.member, members)
    suggestion = f"; did you mean {ref.enum}.{guess}?" if guess else ""
    return f"{ref} does not exist ({ref.raises} when the module is imported{in_use}){suggestion}"
