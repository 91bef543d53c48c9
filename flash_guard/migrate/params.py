"""runpod_flash keywords -> runpod 2.0 decorator keywords (runpod-sdk2.md §6.3, §6.4).

Values keep their source text except where 2.0 needs another spelling (enums without a 2.0
counterpart, tuples where 2.0 wants lists, volumes). Where a 2.0 default differs from the flash
one the old value is written explicitly, unless the user adopts the 2.0 defaults.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from flash_guard.fix.edits import Edit
from flash_guard.migrate.forms import FileForms, export_of, flash_text
from flash_guard.sdk import flash_tables, runpod2_tables

NEW_WORKERS = "({}, {})".format(*runpod2_tables.DEFAULT_WORKERS)
NEW_IDLE = runpod2_tables.RESOURCE_SPEC_DEFAULTS["idle_timeout"]
_FLASH = flash_tables.DEFAULTS["endpoint"]  # the newest runpod-flash's


@dataclass(frozen=True)
class OldDefaults:
    """What a declaration left to its SDK release, to be written out where 2.0 differs: the
    newest runpod-flash's unless discovery found the app's own release (tetra-rp allowed
    (0, 3) workers and idled 5 s; runpod-flash before 1.11 set no minimum CUDA version)."""

    workers: tuple[int, int] = tuple(_FLASH["workers"])
    idle_timeout: int = _FLASH["idle_timeout"]
    min_cuda_version: str | None = flash_tables.CUDA_VERSIONS[_FLASH["min_cuda_version"]]
    # What a legacy resource class of the app's release did that 2.0 does not (tetra-rp 0.25.2,
    # core/resources/serverless.py): without env= it shipped dotenv_values() (a `.env` found
    # when the resource was built), and `datacenter` defaulted to EU-RO-1 (sent as
    # `locations`); 2.0 ships no env and pins no datacenter. `release` names it in the report.
    datacenter: str | None = None
    env_from_dotenv: bool = False
    release: str = ""
    # tetra-rp's legacy classes deployed `<name>-fb` while flashboot was on (the default;
    # ServerlessResource.sync_input_fields in 0.11.0 to 0.25.2); 2.0 deploys the name as written
    flashboot_suffix: str = ""


def _dotenv_change(release: str) -> str:
    return (
        f"env: {release} shipped the variables of a `.env` (dotenv_values(), the first .env "
        "above its package, e.g. the project's when the venv is inside it) when env= was not "
        "written; 2.0 ships no env: write env={...} (runpod.Secret for secrets) for what the "
        "worker reads"
    )


def _datacenter_change(release: str, datacenter: str) -> str:
    return (
        f"datacenter: {release} pinned {datacenter}; 2.0 places a GPU endpoint in any of its "
        "11 datacenters and a CPU one in the 10 CPU3 datacenters"
    )


OLD_VOLUME_SIZE = "100"
MOUNT = runpod2_tables.ENDPOINT_MOUNT_PATH

# Endpoint keywords whose text carries over unchanged (`datacenter` once checked).
_SAME = (
    "name",
    "idle_timeout",
    "execution_timeout_ms",
    "dependencies",
    "system_dependencies",
    "accelerate_downloads",
    "env",
    "gpu_count",
    "flashboot",
    "scaler_value",
    "datacenter",
)
# Legacy resource-class field -> 2.0 keyword (values carry over).
_LEGACY_SAME = {
    "name": "name",
    "idleTimeout": "idle_timeout",
    "executionTimeoutMs": "execution_timeout_ms",
    "gpuCount": "gpu_count",
    "scalerValue": "scaler_value",
    "flashboot": "flashboot",
    "env": "env",
    "locations": "datacenter",
    "datacenter": "datacenter",
}
_REMOTE_SAME = ("dependencies", "system_dependencies", "accelerate_downloads")
# Every flash keyword whose value text may carry over under another 2.0 name.
LEGACY_KEYS = {
    **_LEGACY_SAME,
    "gpus": "gpu",
    "gpuIds": "gpu",
    "instanceIds": "cpu",
    "volume": "mounts",
}


class Left(Exception):
    """This declaration cannot be rewritten safely: (reason key, detail)."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


@dataclass
class Mapped:
    kwargs: list[tuple[str, str]] = field(default_factory=list)
    explicit: list[str] = field(default_factory=list)  # old defaults written out
    notes: list[str] = field(default_factory=list)  # comments for the declaration
    widened: list[str] = field(default_factory=list)  # GPU selections 2.0 widens
    changed: list[str] = field(default_factory=list)  # old defaults 2.0 does not keep
    edits: list[Edit] = field(default_factory=list)  # elsewhere in the file (volume variables)
    cpu: bool = False

    def add(self, key: str, text: str) -> None:
        self.kwargs.append((key, text))

    def render(
        self,
        func: str,
        width: int = 100,
        indent: str = "",
        comments: dict[int, tuple[list[str], str]] | None = None,
    ) -> str:
        """`comments`: per keyword index, the comment lines above it and the one after it
        (the user's comments in the call, kept where they were: one line is then too short)."""
        items = [f"{k}={v}" for k, v in self.kwargs]
        one = f"{func}({', '.join(items)})"
        if not comments and len(indent) + 1 + len(one) <= width and "\n" not in one:
            return one
        inner = ""
        for i, item in enumerate(items):
            above, after = (comments or {}).get(i, ([], ""))
            inner += "".join(f"{indent}    {c}\n" for c in above)
            inner += f"{indent}    {item},{f'  {after}' if after else ''}\n"
        return f"{func}(\n{inner}{indent})"


class _Ctx:
    def __init__(self, forms: FileForms, adopt: bool, volume_edits: dict[str, Edit]):
        self.forms, self.parsed, self.adopt = forms, forms.parsed, adopt
        self.volume_edits = volume_edits  # shared per file: each variable rewritten once

    def member(self, node: ast.AST, export: str) -> str | None:
        """`X` of `Export.X` (from-import) or `rf.Export.X` (module form)."""
        if isinstance(node, ast.Attribute) and export_of(self.forms, node.value) == export:
            return node.attr
        return None

    def text(self, node: ast.AST) -> str:
        return flash_text(self.forms, node)

    def literal(self, node: ast.AST) -> ast.expr | None:
        """The value behind a constant or a settings attribute of this file (`GPU`,
        `SPEC.gpu`), when nothing can change it (migrate.values); else None."""
        if isinstance(node, (ast.Name, ast.Attribute)):
            return self.forms.values.literal(node)
        return None


def _literal_zero_workers(node: ast.AST) -> bool:
    try:
        value = ast.literal_eval(node)
    except (ValueError, SyntaxError, TypeError):
        return False
    return value == 0 or value == (0, 0) or value == [0, 0]


def _gpu(ctx: _Ctx, node: ast.AST, out: Mapped) -> str:
    held = _held(ctx, node, "GpuGroup", "GpuType")
    if held is not None:
        # `gpu=SPEC.gpu`: checked through its value; the reference is kept, unless the value
        # is a tuple, which 2.0 rejects: then the value is written out as a list
        text = _gpu(ctx, held, out)
        return text if isinstance(held, ast.Tuple) else ctx.text(node)
    if isinstance(node, (ast.List, ast.Tuple)):
        elements = list(node.elts)
        text = "[" + ", ".join(_gpu_one(ctx, e) for e in elements) + "]"
    else:
        elements = [node]
        text = _gpu_one(ctx, node)
    out.widened += _widened(ctx, elements)
    return text


def _gpu_one(ctx: _Ctx, node: ast.AST) -> str:
    if ctx.member(node, "GpuGroup") is not None:
        return ctx.text(node)
    device = ctx.member(node, "GpuType")
    if device is not None:
        if device != "ANY" and device not in runpod2_tables.TYPE_TO_POOL:
            raise Left("gpu-not-literal", f"GpuType.{device} is not a runpod 2.0 GpuType")
        return ctx.text(node)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return ctx.text(node)
    raise Left("gpu-not-literal", f"gpu={ctx.text(node)} is not a GpuGroup/GpuType literal")


def _held(ctx: _Ctx, node: ast.AST, *enums: str) -> ast.expr | None:
    """The value behind `node` when it names configuration held elsewhere in the file (not
    itself an enum member or a literal), else None."""
    if any(ctx.member(node, e) is not None for e in enums):
        return None
    return ctx.literal(node)


def _widened(ctx: _Ctx, elements: list[ast.AST]) -> list[str]:
    """What 2.0 admits that flash excluded. flash sent a GpuGroup as its bare pool id, as 2.0
    does; a GpuType as its pool plus a `-device` for each other device its own table lists in
    that pool, unless a GpuGroup of the selection names the same pool or the selection names
    those devices too (`GpuGroup.to_gpu_ids_str`). 2.0 sends only the pool, so exactly those
    excluded devices come back."""
    groups = [ctx.member(e, "GpuGroup") for e in elements]
    devices = [ctx.member(e, "GpuType") for e in elements]
    if "ANY" in groups or "ANY" in devices:
        return []
    out = []
    for device in dict.fromkeys(d for d in devices if d is not None):
        pool = runpod2_tables.TYPE_TO_POOL[device]
        if pool in groups:
            continue
        excluded = [d for d in flash_tables.GPU_POOLS.get(pool, ()) if d not in devices]
        if excluded:
            out.append(
                f"GpuType.{device} becomes pool {pool} in 2.0, which also admits "
                f"{', '.join(excluded)} (runpod-flash excluded them)"
            )
    return out


def _datacenter(ctx: _Ctx, node: ast.AST) -> str:
    held = _held(ctx, node, "DataCenter")
    if held is not None:
        elements = held.elts if isinstance(held, (ast.List, ast.Tuple)) else [held]
        _check_datacenters(ctx, elements)
        return ctx.text(node)
    return _datacenter_text(ctx, node)


def _datacenter_text(ctx: _Ctx, node: ast.AST) -> str:
    """The text of a datacenter pin (one, or a list), unchanged, once every literal in it is a
    2.0 datacenter: rc2's `DataCenter` has no US-GA-2, US-MD-1, US-NC-1 or EUR-IS-1
    (runpod-flash dropped them in 1.17, older releases and their docs still use them), and a
    pin to one fails at import (`DataCenter.US_GA_2` is an AttributeError, the string an
    `invalid datacenter` InvalidResourceError). A value that is not a literal carries over."""
    _check_datacenters(ctx, node.elts if isinstance(node, (ast.List, ast.Tuple)) else [node])
    return ctx.text(node)


def _check_datacenters(ctx: _Ctx, elements: list[ast.AST]) -> None:
    for element in elements:
        member = ctx.member(element, "DataCenter")
        if member is not None:
            known, shown = member in runpod2_tables.DATACENTERS, f"DataCenter.{member}"
        elif isinstance(element, ast.Constant) and isinstance(element.value, str):
            value = element.value.strip().upper().replace("_", "-")
            known, shown = value in runpod2_tables.DATACENTERS.values(), repr(element.value)
        else:
            continue
        if not known:
            raise Left("datacenter", f"{shown} is not a runpod 2.0 datacenter")


def _cpu(ctx: _Ctx, node: ast.AST) -> str:
    held = _held(ctx, node, "CpuInstanceType")
    if isinstance(held, ast.Tuple):  # 2.0 rejects a tuple: the value, as a list
        return _cpu(ctx, held)
    if isinstance(node, ast.Tuple):
        return "[" + ", ".join(ctx.text(e) for e in node.elts) + "]"
    return ctx.text(node)


def _cuda(ctx: _Ctx, node: ast.AST) -> str:
    held = _held(ctx, node, "CudaVersion")
    if held is not None:  # a string keeps its reference; a CudaVersion is written out
        return ctx.text(node) if _is_str(held) else _cuda(ctx, held)
    member = ctx.member(node, "CudaVersion")
    if member is not None:
        if member not in flash_tables.CUDA_VERSIONS:
            raise Left("unsupported-parameter", f"CudaVersion.{member} is unknown")
        return f'"{flash_tables.CUDA_VERSIONS[member]}"'
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return ctx.text(node)
    raise Left("unsupported-parameter", f"min_cuda_version={ctx.text(node)} is not a literal")


def _is_str(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def _scaler(ctx: _Ctx, node: ast.AST) -> str:
    held = _held(ctx, node, "ServerlessScalerType")
    if held is not None:
        return ctx.text(node) if _is_str(held) else _scaler(ctx, held)
    member = ctx.member(node, "ServerlessScalerType")
    if member is not None:
        return f'"{member}"'
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return ctx.text(node)
    raise Left("unsupported-parameter", f"scaler_type={ctx.text(node)} is not a literal")


def _volume_call(ctx: _Ctx, call: ast.Call, out: Mapped) -> str:
    """`NetworkVolume(name=, size=, dataCenterId=|datacenter=, id=)` -> `runpod.NetworkVolume`."""
    if call.args or any(k.arg is None for k in call.keywords):
        raise Left("volume", "NetworkVolume(...) with positional or ** arguments")
    kws = {k.arg: k.value for k in call.keywords}
    unknown = set(kws) - {"name", "id", "size", "dataCenterId", "datacenter"}
    if unknown or ("name" in kws) == ("id" in kws):
        raise Left("volume", "NetworkVolume(...) needs exactly one of name=/id= and no other")
    parts = [ctx.text(kws.get("name") or kws["id"])]
    if "size" in kws:
        parts.append(f"size={ctx.text(kws['size'])}")
    elif not ctx.adopt:
        parts.append(f"size={OLD_VOLUME_SIZE}")
        out.explicit.append(f"size={OLD_VOLUME_SIZE}")
    dc = kws.get("dataCenterId") or kws.get("datacenter")
    if dc is not None:
        parts.append(f"datacenter={_datacenter(ctx, dc)}")
    return f"runpod.NetworkVolume({', '.join(parts)})"


def _volume(ctx: _Ctx, node: ast.AST, out: Mapped) -> str:
    if isinstance(node, ast.Call) and export_of(ctx.forms, node.func) == "NetworkVolume":
        return f'{{"{MOUNT}": {_volume_call(ctx, node, out)}}}'
    if isinstance(node, ast.Name) and node.id in ctx.forms.volumes:
        stmt = ctx.forms.volumes[node.id]
        if node.id not in ctx.volume_edits:
            new = _volume_call(ctx, stmt.value, out)
            edit = Edit(ctx.parsed.start(stmt.value), ctx.parsed.end(stmt.value), new)
            ctx.volume_edits[node.id] = edit
            out.edits.append(edit)
        elif not ctx.adopt and "size" not in {k.arg for k in stmt.value.keywords}:
            out.explicit.append(f"size={OLD_VOLUME_SIZE}")
        return f'{{"{MOUNT}": {node.id}}}'
    raise Left("volume", f"volume={ctx.text(node)}: one NetworkVolume literal or variable only")


def _spread_detail(forms: FileForms, kw: ast.keyword, func: str) -> str:
    """Why a `**value` of a declaration's call was not written out as keywords."""
    why = forms.unknown_spreads.get(id(kw), "its keys are not known statically")
    return f"`**{flash_text(forms, kw.value)}` in {func}(...): {why}; write its keys out"


def map_endpoint(
    forms: FileForms,
    call: ast.Call,
    kind: str,
    adopt: bool,
    volume_edits: dict[str, Edit],
    old: OldDefaults = OldDefaults(),
) -> Mapped:
    """An `Endpoint(...)` call's keywords as `app.queue`/`app.api` keywords."""
    ctx, out = _Ctx(forms, adopt, volume_edits), Mapped()
    if call.args:
        raise Left("unsupported-parameter", "positional arguments to Endpoint(...)")
    seen = set()
    for kw in call.keywords:
        key, value = kw.arg, kw.value
        if key is None:
            raise Left("unsupported-parameter", _spread_detail(forms, kw, "Endpoint"))
        seen.add(key)
        if key == "datacenter":
            out.add(key, _datacenter(ctx, value))
        elif key in _SAME:
            out.add(key, ctx.text(value))
        elif key == "max_concurrency":
            if kind == "queue":
                out.add(key, ctx.text(value))
            else:  # flash ignored it with a warning; 2.0 raises TypeError, so it goes
                out.changed.append(
                    f"max_concurrency={ctx.text(value)} dropped: runpod-flash ignored it on a "
                    "load balancer (with a warning) and 2.0's @app.api takes no such parameter"
                )
        elif key == "gpu":
            out.add("gpu", _gpu(ctx, value, out))
        elif key == "cpu":
            out.cpu = not (isinstance(value, ast.Constant) and value.value is None)
            out.add("cpu", _cpu(ctx, value))
        elif key == "workers":
            if _literal_zero_workers(ctx.literal(value) or value):
                raise Left("unsupported-parameter", "workers=0 is an error in 2.0")
            out.add("workers", ctx.text(value))
        elif key == "min_cuda_version":
            out.add(key, _cuda(ctx, value))
        elif key == "scaler_type":
            out.add(key, _scaler(ctx, value))
        elif key == "volume":
            out.add("mounts", _volume(ctx, value, out))
        elif key == "template":
            raise Left("template", "template=PodTemplate(...)")
        else:
            raise Left("unsupported-parameter", f"`{key}=`")
    _old_defaults(out, seen, adopt, cuda_key="min_cuda_version", old=old)
    return out


def _old_defaults(
    out: Mapped, seen: set[str], adopt: bool, cuda_key: str, old: OldDefaults
) -> None:
    if old.env_from_dotenv and "env" not in seen:
        out.changed.append(_dotenv_change(old.release))
    if old.datacenter is not None and "datacenter" not in seen:
        if adopt:
            out.changed.append(_datacenter_change(old.release, old.datacenter))
        else:
            out.add("datacenter", f'"{old.datacenter}"')
            out.explicit.append(f'datacenter="{old.datacenter}"')
    if adopt:
        return
    workers = "({}, {})".format(*old.workers)
    if "workers" not in seen and workers != NEW_WORKERS:
        out.add("workers", workers)
        out.explicit.append(f"workers={workers}")
    if "idle_timeout" not in seen and old.idle_timeout != NEW_IDLE:
        out.add("idle_timeout", str(old.idle_timeout))
        out.explicit.append(f"idle_timeout={old.idle_timeout}")
    if not out.cpu and cuda_key not in seen and old.min_cuda_version is not None:
        cuda = f'"{old.min_cuda_version}"'
        out.add("min_cuda_version", cuda)
        out.explicit.append(f"min_cuda_version={cuda}")


def map_legacy(
    forms: FileForms,
    call: ast.Call,
    cls: str,
    remote: ast.Call,
    adopt: bool,
    volume_edits: dict[str, Edit],
    old: OldDefaults = OldDefaults(),
) -> Mapped:
    """`@remote(LiveServerless(...), dependencies=...)` as `app.queue` keywords (§6.4)."""
    ctx, out = _Ctx(forms, adopt, volume_edits), Mapped()
    if call.args:
        raise Left("unsupported-parameter", f"positional arguments to {cls}(...)")
    spread = next((k for k in call.keywords if k.arg is None), None)
    if spread is not None:
        raise Left("unsupported-parameter", _spread_detail(forms, spread, cls))
    kws = {k.arg: k.value for k in call.keywords}
    seen = set()
    workers = [kws.pop("workersMin", None), kws.pop("workersMax", None)]
    for key, value in kws.items():
        if key == "locations" and isinstance(value, ast.Constant) and isinstance(value.value, str):
            # the legacy field is one comma-separated string; 2.0 takes a list of datacenters
            parts = [p.strip() for p in value.value.split(",") if p.strip()]
            _check_datacenters(ctx, [ast.Constant(p) for p in parts])
            out.add("datacenter", repr(parts[0] if len(parts) == 1 else parts).replace("'", '"'))
            seen.add("datacenter")
        elif _LEGACY_SAME.get(key) == "datacenter":
            out.add("datacenter", _datacenter(ctx, value))
            seen.add("datacenter")
        elif key in _LEGACY_SAME:
            out.add(_LEGACY_SAME[key], ctx.text(value))
            seen.add(_LEGACY_SAME[key])
        elif key == "gpus":
            out.add("gpu", _gpu(ctx, value, out))
        elif key == "gpuIds" and isinstance(value, ast.Constant) and isinstance(value.value, str):
            pools = [p.strip() for p in value.value.split(",") if p.strip()]
            if any(p.startswith("-") or p not in runpod2_tables.POOLS_TO_TYPES for p in pools):
                raise Left("gpu-not-literal", f"gpuIds={value.value!r}")
            out.add("gpu", repr(pools).replace("'", '"'))
        elif key == "instanceIds":
            out.cpu = True
            out.add("cpu", _cpu(ctx, value))
        elif key == "minCudaVersion":
            out.add("min_cuda_version", _cuda(ctx, value))
            seen.add("min_cuda_version")
        elif key == "scalerType":
            out.add("scaler_type", _scaler(ctx, value))
        elif key == "networkVolume":
            out.add("mounts", _volume(ctx, value, out))
        elif key in ("template", "templateId"):
            raise Left("template", f"`{key}=`")
        else:
            raise Left("unsupported-parameter", f"`{key}=` on {cls}")
    if cls.startswith("Cpu") and not out.cpu:
        default = flash_tables.DEFAULTS["legacy_by_class"][cls]["instanceIds"]
        out.cpu = True
        out.add(
            "cpu", repr([flash_tables.CPU_INSTANCE_TYPES[m] for m in default]).replace("'", '"')
        )
    if workers != [None, None]:
        low = ctx.text(workers[0]) if workers[0] is not None else "0"
        high = ctx.text(workers[1]) if workers[1] is not None else str(old.workers[1])
        out.add("workers", f"({low}, {high})")
        seen.add("workers")
    for key in remote.keywords:
        if key.arg in _REMOTE_SAME:
            out.add(key.arg, ctx.text(key.value))
        elif key.arg in ("resource_config", "local"):
            continue
        else:
            raise Left("unsupported-parameter", f"@remote({key.arg}=...)")
    if len(remote.args) > 1:
        raise Left("unsupported-parameter", "@remote(...) with more than one positional argument")
    renamed = _suffix_change(kws, old)
    if renamed:
        out.changed.append(renamed)
    _old_defaults(out, seen, adopt, cuda_key="min_cuda_version", old=old)
    return out


def _suffix_change(kws: dict[str, ast.expr], old: OldDefaults) -> str:
    """The deployed name 2.0 changes: tetra-rp appended `-fb` unless flashboot=False or the
    name already ended so."""
    suffix, flashboot, name = old.flashboot_suffix, kws.get("flashboot"), kws.get("name")
    if not suffix or (isinstance(flashboot, ast.Constant) and flashboot.value is False):
        return ""
    literal = name.value if isinstance(name, ast.Constant) and isinstance(name.value, str) else None
    if literal is not None and literal.endswith(suffix):
        return ""
    shown = f"`{literal}{suffix}`" if literal is not None else f"the name + `{suffix}`"
    return (
        f"name: {old.release} deployed it as {shown} (flashboot suffix); 2.0 deploys the name "
        "as written, a different endpoint: update what finds it by name, remove the old one"
    )
