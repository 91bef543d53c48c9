"""Regenerate flash_guard/sdk/runpod2_tables.py from an installed runpod 2.0 SDK.

flash-guard never imports the SDK it checks against. runpod 2.0 cannot even share an
environment with runpod-flash (which pins `runpod` 1.x), so this maintainer tool runs a separate
interpreter that has `runpod>=2` installed, introspects it there in a sandbox (fresh temporary
cwd and HOME, environment rebuilt from scratch, every socket connect and DNS lookup refused), and
writes what it learned as plain Python literals.

    python scripts/regen_sdk2_tables.py                 # rewrite the tables file
    python scripts/regen_sdk2_tables.py --check         # exit 1 if the file is out of date
    python scripts/regen_sdk2_tables.py --stdout        # print instead of writing

The interpreter is `--python`, else $FLASH_GUARD_RP2_PYTHON, else <repo>/.venv-rp2/bin/python.
The output is deterministic (sorted keys and set members; SDK order kept where order means
something), formatted the way `ruff format` leaves it, so `--check` is a text comparison.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_TARGET = REPO / "flash_guard" / "sdk" / "runpod2_tables.py"
PYTHON_ENV_VAR = "FLASH_GUARD_RP2_PYTHON"
TIMEOUT_S = 120.0
EXIT_SDK_MISSING = 3
LINE_LENGTH = 100

# What an interpreter needs to start; nothing the SDK reads (RUNPOD_*, FLASH_*) gets through.
_PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT")


def default_python() -> Path:
    """The runpod 2.0 interpreter: $FLASH_GUARD_RP2_PYTHON, else <repo>/.venv-rp2/bin/python."""
    configured = os.environ.get(PYTHON_ENV_VAR)
    return Path(configured) if configured else REPO / ".venv-rp2" / "bin" / "python"


def sandbox_env(home: str) -> dict[str, str]:
    env = {k: os.environ[k] for k in _PASSED_THROUGH if k in os.environ}
    env.update(
        HOME=home,
        USERPROFILE=home,
        XDG_CONFIG_HOME=home,
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONIOENCODING="utf-8",
        PYTHONNOUSERSITE="1",
    )
    return env


class SdkMissing(RuntimeError):
    """The interpreter does not exist or has no runpod 2.x."""


def introspect(python: Path, timeout: float = TIMEOUT_S) -> dict[str, Any]:
    """Run the introspection in `python` (sandboxed) and return the tables, untagged."""
    if not python.exists():
        raise SdkMissing(f"runpod 2.0 interpreter not found: {python}")
    with tempfile.TemporaryDirectory(prefix="flash-guard-rp2-regen-") as tmp:
        out = Path(tmp, "tables.json")
        proc = subprocess.run(
            [str(python), "-I", str(Path(__file__).resolve()), "--introspect", str(out)],
            capture_output=True,
            text=True,
            cwd=tmp,
            env=sandbox_env(tmp),
            timeout=timeout,
            check=False,
        )
        if proc.returncode == EXIT_SDK_MISSING:
            raise SdkMissing(proc.stderr.strip() or f"runpod 2.x is not installed for {python}")
        if proc.returncode != 0 or not out.exists():
            tail = "\n".join(proc.stderr.strip().splitlines()[-25:])
            raise RuntimeError(f"introspection exited with {proc.returncode}:\n{tail}")
        return untag(json.loads(out.read_text(encoding="utf-8")))


# --- tagged JSON: keeps tuples and frozensets apart from lists across the process boundary ---


def untag(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$tuple"}:
            return tuple(untag(v) for v in value["$tuple"])
        if set(value) == {"$frozenset"}:
            return frozenset(untag(v) for v in value["$frozenset"])
        return {k: untag(v) for k, v in value.items()}
    if isinstance(value, list):
        return tuple(untag(v) for v in value)
    return value


# --- rendering ---------------------------------------------------------------------------------


def _sort_key(value: Any) -> tuple[str, str]:
    return (type(value).__name__, repr(value))


def _string(text: str) -> str:
    # ruff format prefers double quotes unless that needs more escapes
    if '"' in text and "'" not in text:
        return repr(text) if repr(text).startswith("'") else "'" + text + "'"
    single = repr(text)
    if single.startswith('"'):
        return single
    return '"' + single[1:-1].replace("\\'", "'") + '"'


def literal(value: Any, indent: int = 0, lead: int = 0) -> str:
    """`value` as source, laid out as `ruff format` leaves it.

    Every non-empty container is one item per line with a (magic) trailing comma, except a
    one-item tuple of a scalar, whose comma is not magic: it stays on one line when it fits.
    `lead` is how many columns precede the value on its line.
    """
    pad, inner = " " * indent, " " * (indent + 4)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, tuple):
        if not value:
            return "()"
        if len(value) == 1 and not isinstance(value[0], (tuple, frozenset, dict)):
            inline = f"({literal(value[0])},)"
            if lead + len(inline) + 1 <= LINE_LENGTH:
                return inline
        items = "".join(f"{inner}{literal(v, indent + 4, indent + 4)},\n" for v in value)
        return f"(\n{items}{pad})"
    if isinstance(value, frozenset):
        if not value:
            return "frozenset()"
        deeper = " " * (indent + 8)
        items = "".join(
            f"{deeper}{literal(v, indent + 8, indent + 8)},\n" for v in sorted(value, key=_sort_key)
        )
        return f"frozenset(\n{inner}{{\n{items}{inner}}}\n{pad})"
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = "".join(
            f"{inner}{key}: {literal(value[k], indent + 4, indent + 6 + len(key))},\n"
            for k in sorted(value, key=_sort_key)
            for key in (literal(k),)
        )
        return f"{{\n{items}{pad}}}"
    raise TypeError(f"not a plain literal: {value!r}")


def annotation(value: Any) -> str:
    def one(items: Any) -> str:
        kinds = {annotation(i) for i in items}
        return kinds.pop() if len(kinds) == 1 else "object"

    if isinstance(value, frozenset):
        return f"frozenset[{one(value)}]"
    if isinstance(value, tuple):
        return f"tuple[{one(value)}, ...]"
    if isinstance(value, dict):
        return f"dict[{one(value.keys())}, {one(value.values())}]"
    if value is None:
        return "None"
    return type(value).__name__


# One comment per table: what it is and where in the SDK it comes from.
NOTES: dict[str, str] = {
    "SDK_VERSION": "runpod.__version__ of the interpreter that generated this file.",
    "SDK_COMMIT": "runpod._version.__commit_id__.",
    "GPU_GROUPS": "GpuGroup member name -> value (the pool id; ANY -> 'any').",
    "GPU_TYPES": "GpuType member name -> value (the device display name).",
    "GPU_TYPE_ORDER": "GpuType members in definition order: the order resolve_gpu_string "
    "returns substring matches in.",
    "POOLS_TO_TYPES": "POOLS_TO_TYPES: GpuGroup member -> its GpuType members, SDK order.",
    "TYPE_TO_POOL": "GpuType member -> GpuGroup member (pool_for_gpu_type).",
    "DEVICE_TO_POOL": "Device display name -> pool id, as gpu_ids_value widens a device pin "
    "on an endpoint.",
    "ANY_GPU_POOLS": "The pool ids an endpoint with no gpu, gpu='any' or an ANY member is "
    "deployed with (gpu_ids_value).",
    "CPU_INSTANCE_TYPES": "CpuInstanceType member -> value. The decorators do not check cpu= "
    "against it.",
    "DATACENTERS": "DataCenter member -> value.",
    "CUDA_VERSIONS": "min_cuda_version values ResourceSpec accepts (after str().strip()).",
    "SCALER_TYPES": "scaler_type values accepted (after str().strip().upper()).",
    "DEFAULT_SCALER_BY_KIND": "effective_scaler_type per resource kind when scaler_type is unset.",
    "DEFAULT_WORKERS": "workers when omitted; an int N means (DEFAULT_WORKERS[0], N).",
    "DEFAULT_LOCATIONS": "Endpoint `locations` deploy sends when datacenter= is not set, "
    "from _deployed_endpoint_input: gpu, cpu3 (no cpu5* id), cpu5 (any cpu5* id).",
    "TASK_DEFAULT_DATACENTERS": "Task pod dataCenterIds when datacenter= is not set "
    "(tasks._pod_input).",
    "DEFAULT_CONTAINER_DISK_GB": "containerDiskInGb deploy sends when container_disk_gb is unset.",
    "PYTHON_VERSIONS": "Worker Python versions with a builtin runtime image.",
    "RUNTIME_IMAGES": "Builtin image repository per kind and compute.",
    "RESOURCE_KINDS": "ResourceKind values.",
    "ROUTE_MARKERS": "runpod.<marker>(path) -> the HTTP method it stamps.",
    "RESERVED_ROUTE_PATHS": "markers.RESERVED_PATHS: exact match only.",
    "ENDPOINT_MOUNT_PATH": "The only mount path a queue/api resource may use.",
    "MIN_DEPLOY_NAME_LENGTH": "Shortest queue/api resource name build_manifest accepts.",
    "SCHEDULES_ENABLED": "False: any @runpod.schedule fails every build.",
    "MAX_ARTIFACT_MB": "Artifact size limit checked by build and deploy.",
    "SIZE_PROHIBITIVE_PACKAGES": "Auto-excluded from the artifact when every resource has a gpu "
    "and no image.",
    "DISCOVERY_SKIP_DIRS": "Path parts discover_apps never imports from.",
    "PACKAGE_DEFAULT_IGNORES": "deploy.DEFAULT_IGNORES: left out of the artifact unless "
    "re-included by .gitignore/.runpodignore.",
    "PACKAGE_PROTECTED_IGNORES": "deploy.PROTECTED_IGNORES: never shipped.",
    "SECRET_NAME_PATTERN": "Secret(name) must match this.",
    "SECRET_REFERENCE": "(prefix, suffix) a Secret renders to around its name in env.",
    "MODEL_REPO_PATTERN": "Model('owner/name[:revision]'): the part before ':' must match this.",
    "INJECTED_ENV": "Env names deploy, dev and task payloads set, by producer -> name -> who "
    "wins when the user's env= has the same key: 'user', 'sdk', or 'both' (two entries).",
    "SIGNATURES": "Parameters in order: (name, kind). Defaults are in SIGNATURE_DEFAULTS.",
    "SIGNATURE_DEFAULTS": "Parameter -> default, for parameters that have one.",
    "RESOURCE_SPEC_DEFAULTS": "ResourceSpec dataclass field defaults (routes: empty list).",
    "RUNPOD_EXPORTS": "Names `runpod` 2.0 exports lazily -> the module they come from.",
    "APPS_EXPORTS": "runpod.apps.__all__.",
    "RUNPOD_TOP_LEVEL": "Other names `from runpod import X` resolves: the package's eager "
    "attributes and its submodules.",
    "IMPORT_PATHS": "Dotted paths that resolve to each Apps name: package re-exports and the "
    "defining module. runpod.apps.schedule is the function, which shadows the submodule.",
}


def render(tables: dict[str, Any]) -> str:
    missing = sorted(set(tables) - set(NOTES))
    if missing:
        raise SystemExit(f"tables without a NOTES entry: {missing}")
    lines = [
        '"""runpod 2.0 SDK facts for flash-guard, as plain literals.',
        "",
        "GENERATED by scripts/regen_sdk2_tables.py from runpod "
        f"{tables['SDK_VERSION']}; do not edit by hand.",
        "flash-guard reads these instead of importing the SDK. Regenerate with",
        "`python scripts/regen_sdk2_tables.py` and review the diff.",
        '"""',
    ]
    for name in sorted(tables):
        value = tables[name]
        lines.append("")
        for chunk in _wrap(NOTES[name]):
            lines.append(f"# {chunk}")
        head = f"{name}: {annotation(value)} = "
        lines.append(head + literal(value, 0, len(head)))
    text = "\n".join(lines) + "\n"
    return "".join(
        f"{line}  # noqa: E501\n" if len(line) > LINE_LENGTH else f"{line}\n"
        for line in text.splitlines()
    )


def _wrap(text: str) -> list[str]:
    import textwrap

    return textwrap.wrap(text, LINE_LENGTH - 2, break_on_hyphens=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--python", type=Path, default=None, help="runpod 2.0 interpreter")
    parser.add_argument("--output", type=Path, default=DEFAULT_TARGET, help="tables file")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    mode.add_argument("--stdout", action="store_true", help="print instead of writing")
    args = parser.parse_args(argv)

    # Absolute, not resolved: the probe runs in a scratch directory, and a venv's python is
    # a symlink whose target would lose the venv.
    python = Path(os.path.abspath(args.python)) if args.python else default_python()
    try:
        text = render(introspect(python))
    except SdkMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.stdout:
        sys.stdout.write(text)
        return 0
    if args.check:
        have = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if have == text:
            return 0
        sys.stdout.writelines(
            difflib.unified_diff(
                have.splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"{args.output} (committed)",
                f"{args.output} (generated)",
            )
        )
        print(f"{args.output} is out of date; run scripts/regen_sdk2_tables.py", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    return 0


# ------------------------------------------------------------------------------------------------
# Everything below runs inside the runpod 2.0 interpreter only (`--introspect OUT`).


def _guard_network() -> list[str]:
    import socket

    attempts: list[str] = []

    def blocked(what: str):
        def refuse(*args: Any, **_: Any) -> Any:
            attempts.append(what)
            raise OSError(f"network access is blocked during introspection ({what})")

        return refuse

    socket.socket.connect = blocked("socket.connect")  # type: ignore[method-assign]
    socket.socket.connect_ex = blocked("socket.connect_ex")  # type: ignore[method-assign]
    socket.create_connection = blocked("create_connection")  # type: ignore[assignment]
    socket.getaddrinfo = blocked("getaddrinfo")  # type: ignore[assignment]
    socket.gethostbyname = blocked("gethostbyname")  # type: ignore[assignment]
    return attempts


def _tag(value: Any) -> Any:
    import enum

    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, (set, frozenset)):
        return {"$frozenset": sorted((_tag(v) for v in value), key=repr)}
    if isinstance(value, (list, tuple)):
        return {"$tuple": [_tag(v) for v in value]}
    if isinstance(value, dict):
        return {str(k): _tag(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, str)):
        return value
    raise TypeError(f"cannot tabulate {value!r}")


def _signature(fn: Any) -> tuple[tuple[tuple[str, str], ...], dict[str, Any]]:
    import inspect

    params, defaults = [], {}
    for p in inspect.signature(fn).parameters.values():
        if p.name == "self":
            continue
        params.append((p.name, p.kind.name))
        if p.default is not inspect.Parameter.empty:
            defaults[p.name] = p.default
    return tuple(params), defaults


def _collect() -> dict[str, Any]:
    import dataclasses
    import importlib
    import inspect
    import pkgutil
    import re

    import runpod
    import runpod.apps as apps

    def sub(name: str) -> Any:
        # by module path: runpod.apps re-exports functions that shadow some submodules
        return importlib.import_module(f"runpod.apps.{name}")

    app_mod, build, datacenter, deploy, dev, discovery = map(
        sub, ("app", "build", "datacenter", "deploy", "dev", "discovery")
    )
    gpu, images, markers, model, schedule, secret = map(
        sub, ("gpu", "images", "markers", "model", "schedule", "secret")
    )
    spec, stubs, tasks, volume, errors = map(sub, ("spec", "stubs", "tasks", "volume", "errors"))

    tables: dict[str, Any] = {"SDK_VERSION": runpod.__version__}
    version_mod = importlib.import_module("runpod._version")
    tables["SDK_COMMIT"] = getattr(version_mod, "__commit_id__", None) or ""

    # --- hardware ---
    tables["GPU_GROUPS"] = {g.name: g.value for g in gpu.GpuGroup}
    tables["GPU_TYPES"] = {t.name: t.value for t in gpu.GpuType}
    tables["GPU_TYPE_ORDER"] = tuple(t.name for t in gpu.GpuType)
    tables["POOLS_TO_TYPES"] = {
        g.name: tuple(t.name for t in types) for g, types in gpu.POOLS_TO_TYPES.items()
    }
    tables["TYPE_TO_POOL"] = {
        t.name: pool.name
        for t in gpu.GpuType.all()
        if (pool := gpu.pool_for_gpu_type(t)) is not None
    }
    tables["DEVICE_TO_POOL"] = {t.value: gpu.gpu_ids_value([t.value]) for t in gpu.GpuType.all()}
    any_pools = {gpu.gpu_ids_value(v) for v in (None, [], ["any"])}
    if len(any_pools) != 1:
        raise SystemExit(f"'any gpu' spellings no longer agree: {any_pools}")
    tables["ANY_GPU_POOLS"] = tuple(any_pools.pop().split(","))
    tables["CPU_INSTANCE_TYPES"] = {c.name: c.value for c in gpu.CpuInstanceType}
    tables["DATACENTERS"] = {d.name: d.value for d in datacenter.DataCenter}

    # --- validation sets and defaults ---
    tables["CUDA_VERSIONS"] = tuple(
        sorted(spec.CUDA_VERSIONS, key=lambda v: tuple(int(p) for p in v.split(".")))
    )
    tables["SCALER_TYPES"] = frozenset(spec.SCALER_TYPES)
    kinds = list(spec.ResourceKind)
    tables["RESOURCE_KINDS"] = frozenset(k.value for k in kinds)
    tables["DEFAULT_SCALER_BY_KIND"] = {
        k.value: spec.ResourceSpec(kind=k, name="probe").effective_scaler_type for k in kinds
    }
    tables["DEFAULT_WORKERS"] = tuple(spec.normalize_workers(None))

    tables["RESOURCE_SPEC_DEFAULTS"] = {
        f.name: (
            f.default
            if f.default is not dataclasses.MISSING
            else (() if f.default_factory is list else None)  # type: ignore[misc]
        )
        for f in dataclasses.fields(spec.ResourceSpec)
        if f.name not in ("kind", "name")
    }

    # --- placement and payload defaults, read off real payloads ---
    probe_app = app_mod.App("regen-probe")

    def endpoint_payload(**kwargs: Any) -> dict[str, Any]:
        kind = kwargs.pop("kind", spec.ResourceKind.QUEUE)
        s = spec.ResourceSpec(kind=kind, name="regen-probe", **kwargs)
        return deploy._deployed_endpoint_input(probe_app, s, "env-id", "build-id", "3.12")

    tables["DEFAULT_LOCATIONS"] = {
        "gpu": tuple(endpoint_payload()["locations"].split(",")),
        "cpu3": tuple(endpoint_payload(cpu="cpu3c-1-2")["locations"].split(",")),
        "cpu5": tuple(endpoint_payload(cpu="cpu5c-1-2")["locations"].split(",")),
    }
    tables["DEFAULT_CONTAINER_DISK_GB"] = {
        "gpu": endpoint_payload()["template"]["containerDiskInGb"],
        "cpu": endpoint_payload(cpu="cpu3c-1-2")["template"]["containerDiskInGb"],
    }
    task_spec = spec.ResourceSpec(kind=spec.ResourceKind.TASK, name="regen-probe")
    tables["TASK_DEFAULT_DATACENTERS"] = {
        "gpu": tuple(tasks._pod_input(task_spec, "token", "probe")["dataCenterIds"]),
    }
    tables["PYTHON_VERSIONS"] = {
        "supported": tuple(images.SUPPORTED_PYTHON_VERSIONS),
        "default": images.DEFAULT_PYTHON_VERSION,
    }
    tables["RUNTIME_IMAGES"] = {
        f"{kind.value}-{'gpu' if on_gpu else 'cpu'}": images.runtime_image(
            kind, gpu=on_gpu, python_version=images.DEFAULT_PYTHON_VERSION
        ).split(":")[0]
        for kind in kinds
        for on_gpu in (False, True)
    }

    # --- routes, mounts, names ---
    route_markers = {}
    for name in ("get", "post", "put", "delete", "patch"):

        def target() -> None: ...

        getattr(markers, name)("/regen")(target)
        route_markers[name] = markers.route_of(target)[0]
    tables["ROUTE_MARKERS"] = route_markers
    tables["RESERVED_ROUTE_PATHS"] = frozenset(markers.RESERVED_PATHS)
    tables["ENDPOINT_MOUNT_PATH"] = str(volume.ENDPOINT_MOUNT_PATH)

    def name_deploys(length: int) -> bool:
        a = app_mod.App("regen-names")
        a.queue(name="q" * length)(lambda: None)
        try:
            deploy.build_manifest(a, Path.cwd())
        except errors.InvalidResourceError:
            return False
        return True

    shortest = next(n for n in range(1, 64) if name_deploys(n))
    tables["MIN_DEPLOY_NAME_LENGTH"] = shortest
    tables["SCHEDULES_ENABLED"] = bool(schedule.SCHEDULES_ENABLED)
    tables["MAX_ARTIFACT_MB"] = build.MAX_ARTIFACT_MB
    tables["SIZE_PROHIBITIVE_PACKAGES"] = frozenset(build.SIZE_PROHIBITIVE_PACKAGES)
    tables["DISCOVERY_SKIP_DIRS"] = frozenset(discovery._SKIP_DIRS)
    tables["PACKAGE_DEFAULT_IGNORES"] = tuple(deploy.DEFAULT_IGNORES)
    tables["PACKAGE_PROTECTED_IGNORES"] = tuple(
        p.pattern for p in deploy.PROTECTED_IGNORES.patterns
    )
    tables["SECRET_NAME_PATTERN"] = secret._NAME_RE.pattern
    prefix, _, suffix = secret.Secret("NAME").reference.partition("NAME")
    tables["SECRET_REFERENCE"] = (prefix, suffix)
    tables["MODEL_REPO_PATTERN"] = model._REPO_RE.pattern
    if not re.fullmatch(tables["MODEL_REPO_PATTERN"].strip("^$"), "owner/name"):
        raise SystemExit("MODEL_REPO_PATTERN no longer matches 'owner/name'")

    # --- env names the SDK sets, and who wins against the user's env ---
    runpod.api_key = "regen-key"  # deploy injects the deployer key only when one is configured
    for var in ("RUNPOD_RUNTIME_TAG", "RUNPOD_RUNTIME_PACKAGE_SPEC", "RUNPOD_PACKAGE_SPEC"):
        os.environ[var] = "regen"
    os.environ["RUNPOD_API_KEY"] = "regen-key"  # dev reads the client key from here

    def env_entries(payload: dict[str, Any]) -> list[tuple[str, str]]:
        template = payload.get("template", payload)
        return [(e["key"], e["value"]) for e in template.get("env", [])]

    def injected(build_payload: Any) -> dict[str, str]:
        def shapes(user_env: dict[str, str] | None) -> list[dict[str, Any]]:
            return [
                dict(kind=spec.ResourceKind.QUEUE, max_concurrency=2, image="x/y:z", env=user_env),
                dict(kind=spec.ResourceKind.API, cpu="cpu3c-1-2", env=user_env),
            ]

        verdict: dict[str, str] = {}
        for index, kwargs in enumerate(shapes(None)):
            # judge precedence only where the SDK sets the name by itself
            for name in sorted({k for k, _ in env_entries(build_payload(kwargs))}):
                contested = shapes({name: "USER"})[index]
                values = [v for k, v in env_entries(build_payload(contested)) if k == name]
                if len(values) > 1:
                    outcome = "both"
                elif values == ["USER"]:
                    outcome = "user"
                else:
                    outcome = "sdk"
                if verdict.setdefault(name, outcome) != outcome:
                    raise SystemExit(f"{name}: precedence differs between resource shapes")
        return verdict

    def deploy_payload(kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs = dict(kwargs)
        kind = kwargs.pop("kind")
        if kind is not spec.ResourceKind.QUEUE:
            kwargs.pop("max_concurrency", None)
        s = spec.ResourceSpec(kind=kind, name="regen-probe", **kwargs)
        payload = deploy._deployed_endpoint_input(probe_app, s, "env-id", "build-id", "3.12")
        volume._bind_worker_mounts(payload["template"], [])
        return payload

    def dev_payload(kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs = dict(kwargs)
        kind = kwargs.pop("kind")
        s = spec.ResourceSpec(kind=kind, name="regen-probe", **kwargs)
        payload = dev._endpoint_input(probe_app, s)
        volume._bind_worker_mounts(payload["template"], [])
        return payload

    def task_payload(kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs = {k: v for k, v in kwargs.items() if k in ("image", "env", "cpu")}
        s = spec.ResourceSpec(kind=spec.ResourceKind.TASK, name="regen-probe", **kwargs)
        payload = tasks._pod_input(s, "token", "probe")
        volume._bind_worker_mounts(payload, [])
        return payload

    tables["INJECTED_ENV"] = {
        "deploy": injected(deploy_payload),
        "dev": injected(dev_payload),
        "task": injected(task_payload),
    }

    # --- signatures ---
    sig_targets = {
        "App": app_mod.App.__init__,
        "App.queue": app_mod.App.queue,
        "App.api": app_mod.App.api,
        "App.task": app_mod.App.task,
        "NetworkVolume": volume.NetworkVolume.__init__,
        "GlobalVolume": volume.GlobalVolume.__init__,
        "Secret": secret.Secret.__init__,
        "Model": model.Model.__init__,
        "Queue": stubs.Queue.__init__,
        "Api": stubs.Api.__init__,
        "schedule": schedule.schedule,
        "local_entrypoint": apps.local_entrypoint,
        "init": markers.init,
        "FunctionHandle.init": apps.FunctionHandle.init,
        "FunctionHandle.with_options": apps.FunctionHandle.with_options,
        "Endpoint": runpod.Endpoint.__init__,
    }
    sig_targets.update({name: getattr(markers, name) for name in route_markers})
    signatures, signature_defaults = {}, {}
    for name, fn in sig_targets.items():
        signatures[name], signature_defaults[name] = _signature(fn)
    tables["SIGNATURES"] = signatures
    tables["SIGNATURE_DEFAULTS"] = signature_defaults

    # --- import surface ---
    lazy = dict(runpod._LAZY_ATTRS)
    tables["RUNPOD_EXPORTS"] = lazy
    tables["APPS_EXPORTS"] = frozenset(apps.__all__)
    # `from runpod import X` also resolves the package's own eager attributes and, by importing
    # it, any submodule; the stdlib modules `__init__` happens to bind are not part of that.
    eager = {
        name
        for name, obj in vars(runpod).items()
        if not name.startswith("_")
        and name not in lazy
        and not (inspect.ismodule(obj) and not obj.__name__.startswith("runpod"))
        and not (callable(obj) and not str(getattr(obj, "__module__", "")).startswith("runpod"))
    }
    eager.update(
        info.name for info in pkgutil.iter_modules(runpod.__path__) if not info.name.startswith("_")
    )
    eager.update(set(getattr(runpod, "__all__", ())) - set(lazy))  # `__version__`
    tables["RUNPOD_TOP_LEVEL"] = frozenset(eager)
    wanted = {
        name: getattr(runpod, name)
        for name, module in lazy.items()
        if module.startswith("runpod.apps") or name == "Endpoint"
    }
    wanted.update({name: getattr(apps, name) for name in apps.__all__})
    modules = {"runpod": runpod}
    for package in (apps, importlib.import_module("runpod.endpoint")):
        modules[package.__name__] = package
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            if not info.ispkg:
                modules[info.name] = importlib.import_module(info.name)
    paths: dict[str, set[str]] = {name: set() for name in wanted}
    for mod_name, module in modules.items():
        for name, obj in wanted.items():
            # a package's re-export or the defining module, not incidental internal imports
            public = hasattr(module, "__path__") or mod_name == "runpod"
            defining = getattr(obj, "__module__", None) == mod_name
            if vars(module).get(name) is obj and (public or defining):
                paths[name].add(f"{mod_name}.{name}")
    tables["IMPORT_PATHS"] = {name: frozenset(found) for name, found in paths.items()}

    # the probes above registered apps; nothing else in this process needs them
    app_mod._clear_registry()
    return tables


def _introspect_main(out: str) -> int:
    attempts = _guard_network()
    try:
        import runpod
    except ModuleNotFoundError as exc:
        if exc.name == "runpod":
            print(f"runpod is not installed for {sys.executable}", file=sys.stderr)
            return EXIT_SDK_MISSING
        raise
    major = str(getattr(runpod, "__version__", "0")).split(".")[0]
    if not major.isdigit() or int(major) < 2:
        print(f"runpod {runpod.__version__} is not 2.x ({sys.executable})", file=sys.stderr)
        return EXIT_SDK_MISSING
    tables = _collect()
    if attempts:
        raise SystemExit(f"introspection tried to reach the network: {attempts}")
    Path(out).write_text(json.dumps(_tag(tables), sort_keys=True), encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--introspect":
        sys.exit(_introspect_main(sys.argv[2]))
    sys.exit(main())
