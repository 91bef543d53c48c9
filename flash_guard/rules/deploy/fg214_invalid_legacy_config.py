"""FG214: a legacy resource class that pydantic or its validators reject at construction."""

from __future__ import annotations

import re

from flash_guard.checks.base import fail, register, spread_unknown, unknown
from flash_guard.checks.deploy_support import EveryDeclaration, label, shown
from flash_guard.discover.normalize import lax_int
from flash_guard.model import EnumRef, Opaque, Value
from flash_guard.sdk.flash_tables import CPU_DISK_LIMITS, CPU_INSTANCE_TYPES
from flash_guard.sdk.in_use import facts_of, release_at_least, sdk_of

# Classes whose `set_serverless_template` validator raises without an image: the Live*
# classes fill in Flash's own worker image first.
CUSTOM_IMAGE_CLASSES = frozenset(
    {
        "ServerlessEndpoint",
        "CpuServerlessEndpoint",
        "LoadBalancerSlsResource",
        "CpuLoadBalancerSlsResource",
    }
)
IMAGE_FIELDS = ("imageName", "template", "templateId")
# Fields whose values other deploy-breakers judge, type included (one finding per problem).
JUDGED_ELSEWHERE = frozenset(
    {
        "gpus",  # FG205
        "instanceIds",  # FG205
        "idleTimeout",  # FG203
        "workersMin",  # FG201
        "workersMax",  # FG201
        "minCudaVersion",  # FG209
        "cudaVersions",  # FG209
        "datacenter",  # FG206
        "networkVolume",  # FG211
        "networkVolumes",  # FG211
        "scalerType",  # FG212
        "python_version",  # FG208
    }
)
_BOOL_STRINGS = {"true", "false", "yes", "no", "on", "off", "1", "0", "t", "f", "y", "n"}
# `Endpoint(...)` keeps these keywords unchecked and hands them, under the field name given
# here, to the resource class it builds (`_build_resource_config`), whose pydantic fields then
# validate them: `execution_timeout_ms=1.5` raises 'Input should be a valid integer, got a
# number with a fractional part'. The others it checks itself (FG201-FG212) or converts first
# (`workers`, `gpu`, `cpu`, `volume`). `gpu_count` goes only to the GPU classes.
ENDPOINT_PASSED_ON = {
    "env": "env",
    "execution_timeout_ms": "executionTimeoutMs",
    "flashboot": "flashboot",
    "scaler_value": "scalerValue",
    "gpu_count": "gpuCount",
}


def built_class(endpoint) -> str:
    """The resource class `Endpoint._build_resource_config` picks (always a Live* class:
    flash-sdk.md §1.3); `image=` endpoints are provisioned as queue-based."""
    lb = endpoint.kind == "load_balancer"
    if endpoint.compute == "cpu":
        return "CpuLiveLoadBalancer" if lb else "CpuLiveServerless"
    return "LiveLoadBalancer" if lb else "LiveServerless"


@register
class InvalidLegacyConfig(EveryDeclaration):
    """For a legacy resource class (`LiveServerless(...)`, `ServerlessEndpoint(...)`, ...),
    compares each keyword's literal value with the field's type in the SDK release the app
    uses: a list or number for a string field (`gpuIds=["AMPERE_16"]`), a list for a number,
    a string for a mapping, and so on. pydantic raises a `ValidationError` when the class is
    built, which is at import. Fields other deploy-breakers judge (gpus, instanceIds,
    idleTimeout, workers, CUDA, datacenter, volumes, scaler, python_version) are left to them.
    A custom-image class (`ServerlessEndpoint`, `CpuServerlessEndpoint`,
    `LoadBalancerSlsResource`, `CpuLoadBalancerSlsResource`) without a non-empty `imageName`,
    `template` or `templateId` fails too: its validator raises 'Either imageName, template, or
    templateId must be provided'."""

    id = "invalid-legacy-config"

    def applies(self, endpoint) -> bool:
        return endpoint.api == "legacy" or (
            endpoint.api == "endpoint" and endpoint.kind != "client"
        )

    def check(self, endpoint, params, ctx):
        if endpoint.api == "endpoint":
            return _endpoint_fields(endpoint) + _cpu_disk(endpoint)
        name = label(endpoint)
        out = _cpu_disk(endpoint)
        for key, value, spec, problem in _wrong_types(endpoint, endpoint.resource_class):
            if key in JUDGED_ELSEWHERE:
                continue
            message = (
                f"{name} {key}={shown(value)}: {problem}, but {endpoint.resource_class}.{key} is "
                f"`{spec.annotation}`: pydantic raises a ValidationError when the class is "
                "built, at import"
            )
            out.append(fail(endpoint, message + _in_use(endpoint), value, key))
        out += _required(endpoint, name)
        if endpoint.resource_class in CUSTOM_IMAGE_CLASSES:
            out += _image(endpoint, name)
        return out


# PodTemplate's containerDiskInGb default: a CPU resource shrinks it to the instance limit
# instead of refusing it (`_apply_cpu_disk_sizing`).
TEMPLATE_DEFAULT_DISK = 64
# The first tetra-rp release whose GPU classes (`LiveServerless(instanceIds=...)`) check the
# template disk of a CPU worker too (serverless.py; 0.21.0 accepts it). The Cpu* classes check
# it in every release that has them (from 0.14.0, serverless_cpu.py), and every runpod-flash
# release checks both, for `Endpoint(cpu=...)` too (it builds a CpuLive* class).
GPU_CLASS_CPU_DISK_CHECKED_FROM_TETRA = "0.22.0"


def _cpu_disk(endpoint) -> list:
    """A CPU resource whose `template=PodTemplate(containerDiskInGb=N)` is above the smallest
    disk limit of its instance types: the class's validator raises 'Container disk size NGB
    exceeds the maximum allowed for CPU instances' when it is built (at import for a
    decorator). 64 GB, PodTemplate's default, is shrunk to the limit instead."""
    if endpoint.compute != "cpu" or not _checks_cpu_disk(endpoint):
        return []
    if endpoint.api == "endpoint" and not endpoint.targets and not endpoint.routes:
        return []  # nothing builds its resource config (FG301); image= clients: not judged
    disk = _template_disk(endpoint.params.get("template"))
    limits = _disk_limits(endpoint.params.get("cpu"))
    if disk is None or not limits or disk.value == TEMPLATE_DEFAULT_DISK:
        return []
    limit = min(limits.values())
    if disk.value <= limit:
        return []
    shown_limits = limits if len(limits) <= 3 else {k: v for k, v in limits.items() if v == limit}
    each = ", ".join(f"{kind}: max {gb}GB" for kind, gb in shown_limits.items())
    return [
        fail(
            endpoint,
            f"{label(endpoint)} template containerDiskInGb={disk.value}: above the {limit} GB "
            f"a CPU worker of this type can have ({each}); the SDK raises 'Container disk "
            f"size {disk.value}GB exceeds the maximum allowed for CPU instances' when the "
            f"resource is built, at import{_in_use(endpoint)}",
            disk,
            "template",
        )
    ]


def _checks_cpu_disk(endpoint) -> bool:
    sdk = sdk_of(endpoint)
    if sdk is None or sdk.package != "tetra-rp" or endpoint.resource_class.startswith("Cpu"):
        return True
    return release_at_least(sdk, "tetra-rp", GPU_CLASS_CPU_DISK_CHECKED_FROM_TETRA)


def _template_disk(template: Value | None) -> Value | None:
    """The template's known integer containerDiskInGb, else None."""
    if template is None or not template.known or not isinstance(template.value, Opaque):
        return None
    if template.value.callee.rsplit(".", 1)[-1] != "PodTemplate":
        return None
    disk = template.value.kwargs.get("containerDiskInGb")
    if disk is None or not disk.known or lax_int(disk.value) is None:
        return None
    return Value(lax_int(disk.value), span=disk.span, text=disk.text)


def _disk_limits(cpu: Value | None) -> dict[str, int]:
    """{instance value: disk limit} for each known instance type; {} when any is unknown."""
    if cpu is None or not cpu.known:
        return {}
    items = cpu.value if isinstance(cpu.value, (list, tuple)) else [cpu]
    out = {}
    for item in items:
        raw = item.value if isinstance(item, Value) else item
        if isinstance(item, Value) and not item.known:
            return {}
        if isinstance(raw, EnumRef) and raw.member == "ANY":
            out.update(CPU_DISK_LIMITS)  # tetra-rp 0.18's Cpu* default: every instance type
            continue
        if isinstance(raw, EnumRef):
            raw = CPU_INSTANCE_TYPES.get(raw.member)
        if not isinstance(raw, str) or raw.lower() not in CPU_DISK_LIMITS:
            return {}  # an unknown type is FG205's finding
        out[raw.lower()] = CPU_DISK_LIMITS[raw.lower()]
    return out


def _required(endpoint, name: str) -> list:
    """A required field of the class in the release in use (`name`, on every legacy class)
    that the call does not give: pydantic raises 'Field required' when the class is built."""
    if endpoint.spreads:
        return []
    facts = facts_of(endpoint)
    fields = facts.legacy_fields.get(endpoint.resource_class, {}) if facts else {}
    given = {key for key, _, _ in endpoint.kwargs}
    out = []
    for field in fields.values():
        if not field.required or field.name in given or (field.alias and field.alias in given):
            continue
        out.append(
            fail(
                endpoint,
                f"{name}: {endpoint.resource_class}(...) has no {field.name}=, a required "
                f"field: pydantic raises '{field.name}: Field required' when the class is "
                f"built, at import{_in_use(endpoint)}",
                None,
                field.name,
            )
        )
    return out


def _endpoint_fields(endpoint) -> list:
    """`Endpoint(env={"WORKERS": 4})` passes its own checks, then the resource config it builds
    rejects the int: at decoration or route registration, i.e. at import (for an `image=`
    endpoint, whenever `flash build` or the first call builds it). An `Endpoint` nothing
    decorates or routes never builds one (FG301 reports it)."""
    if endpoint.kind != "image" and not endpoint.targets and not endpoint.routes:
        return []  # never used as a decorator or route: nothing builds its config (FG301)
    cls = built_class(endpoint)
    # The release is named by the clause the message ends with (_in_use).
    when = (
        "`flash build` records the endpoint without its image and the first call raises "
        "pydantic's ValidationError"
        if endpoint.kind == "image"
        else "the decorator raises pydantic's ValidationError at import"
    )
    passed = dict(ENDPOINT_PASSED_ON)
    if endpoint.compute == "cpu":
        del passed["gpu_count"]  # the CPU classes are never given it
    out = []
    for key, value, spec, problem in _wrong_types(endpoint, cls, passed):
        field = passed[key]
        message = (
            f"{label(endpoint)} {key}={shown(value)}: {problem}; Endpoint builds a {cls} whose "
            f"{field} is `{spec.annotation}`: {when}"
        )
        out.append(fail(endpoint, message + _in_use(endpoint), value, key))
    return out


def _wrong_types(endpoint, cls: str, renamed: dict[str, str] | None = None):
    """(keyword, value, field, problem) for each known keyword value that the field
    of `cls` in the release in use rejects (pydantic's lax mode). With `renamed` (an
    `Endpoint`'s keyword -> the class field it is passed on as), only those keywords."""
    facts = facts_of(endpoint)
    fields = facts.legacy_fields.get(cls, {}) if facts else {}
    for key, value, _ in endpoint.kwargs:
        if renamed is not None and key not in renamed:
            continue
        spec = fields.get(renamed[key] if renamed is not None else key)
        if spec is None or not value.known:
            continue
        expected = _expected(spec.annotation or "")
        problem = _mismatch(expected, value.value, optional=_optional(spec.annotation))
        if problem is None and expected == "dict":
            problem = _dict_values(spec.annotation or "", value.value)
        if problem is not None:
            yield key, value, spec, problem


def _in_use(endpoint) -> str:
    sdk = sdk_of(endpoint)
    return f"; {sdk.this_app()}" if sdk is not None else ""


def _image(endpoint, name: str) -> list:
    written = {key: value for key, value, _ in endpoint.kwargs if key in IMAGE_FIELDS}
    undecided = [v for v in written.values() if not v.known]
    if any(v.known and v.value not in (None, "") for v in written.values()):
        return []
    if undecided:
        return [unknown(endpoint, undecided[0], "the custom image", "image")]
    if endpoint.spreads:
        return spread_unknown(endpoint, "imageName", "image")
    return [
        fail(
            endpoint,
            f"{name}: {endpoint.resource_class} runs your own image but sets none of imageName, "
            "template or templateId: the SDK raises 'Either imageName, template, or templateId "
            "must be provided' when the class is built, at import",
            None,
            "image",
        )
    ]


def _optional(annotation: str | None) -> bool:
    text = annotation or ""
    return text.startswith("Optional[") or "None" in text


def _expected(annotation: str) -> str | None:
    """'str', 'int', 'bool', 'float', 'list', 'dict' for the plain shapes; None otherwise."""
    inner = annotation
    match = re.fullmatch(r"Optional\[(.*)\]", annotation)
    if match:
        inner = match.group(1)
    inner = inner.replace("typing.", "")
    if inner in ("str", "int", "bool", "float"):
        return inner
    if re.match(r"(List|list|Sequence)\[", inner):
        return "list"
    if re.match(r"(Dict|dict)\[", inner):
        return "dict"
    return None


def _mismatch(expected: str | None, raw, optional: bool) -> str | None:
    """What is wrong with `raw` for a field of the `expected` shape (pydantic's lax mode)."""
    if expected is None or isinstance(raw, (EnumRef, Value)):
        return None
    if raw is None:
        return None if optional else "None is not allowed"
    kind = _kind(raw)
    if expected == "str":
        return None if kind == "str" else f"a {kind} is not a string"
    if expected == "int":
        if lax_int(raw) is not None:
            return None
        if kind == "float":
            return "a float with a fractional part is not an integer"
        return f"a {kind} is not an integer"
    if expected == "float":
        if kind in ("int", "float", "bool"):
            return None
        if kind == "str" and _is_number(raw):
            return None
        return f"a {kind} is not a number"
    if expected == "bool":
        if kind == "bool" or (kind == "int" and raw in (0, 1)):
            return None
        if kind == "str" and raw.strip().lower() in _BOOL_STRINGS:
            return None
        return f"a {kind} is not a boolean"
    if expected == "list":
        return None if kind in ("list", "tuple") else f"a {kind} is not a list"
    if expected == "dict":
        return None if kind == "dict" else f"a {kind} is not a mapping"
    return None


def _dict_values(annotation: str, raw) -> str | None:
    """A `Dict[str, str]` field (`env`) given a value that is not a string: pydantic does not
    turn `4` or `None` into a string ("Input should be a valid string")."""
    if not re.search(r"(Dict|dict)\[str, str\]", annotation) or not isinstance(raw, dict):
        return None
    for key, item in raw.items():
        if isinstance(item, Value) and item.known and not isinstance(item.value, str):
            name = _kind(item.value)
            kind = "None" if item.value is None else f"{'an' if name[0] in 'aeiou' else 'a'} {name}"
            return f"the value of {key!r} is {kind}, not a string"
    return None


def _kind(raw) -> str:
    if isinstance(raw, bool):
        return "bool"
    if isinstance(raw, Opaque):
        return f"{raw.callee}(...) object"
    return {int: "int", float: "float", str: "str", list: "list", tuple: "tuple", dict: "dict"}.get(
        type(raw), type(raw).__name__
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
