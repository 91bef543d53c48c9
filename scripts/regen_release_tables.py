"""Regenerate flash_guard/sdk/releases.json: facts for every runpod-flash and tetra-rp release.

flash-guard never imports the SDK. This maintainer tool installs each published release into a
throw-away location under the temp directory and introspects it in a subprocess (importing the
SDK there is fine: it is the SDK, not user code), with HOME and the working directory pointed at
an empty temp directory because importing the SDK loads a `.env` and creates `.flash/logs`.

    python scripts/regen_release_tables.py                 # rewrite releases.json
    python scripts/regen_release_tables.py --check         # exit 1 if the file would change
    python scripts/regen_release_tables.py --only runpod-flash==1.16.0 --print
    python scripts/regen_release_tables.py --introspect runpod_flash   # one snapshot, as JSON

Speed: one base virtualenv holds the newest releases and their dependencies; every release is
then installed with `pip install --no-deps --target DIR pkg==X` and imported from the base
interpreter with DIR first on PYTHONPATH. A release that does not import that way gets a fresh
virtualenv with its own dependencies; one that does not install at all is recorded as skipped,
with the reason.

This module uses the standard library only: `--introspect` runs inside the target environment.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import enum
import importlib
import inspect
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

PACKAGES = {"runpod-flash": "runpod_flash", "tetra-rp": "tetra_rp"}
DEFAULT_TARGET = Path(__file__).resolve().parent.parent / "flash_guard" / "sdk" / "releases.json"
SCHEMA = 1
PROBE_KWARG = "zz_flash_guard_probe"
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
_MODULE_PREFIX = re.compile(r"\b(?:[a-z_][a-z0-9_]*\.)+(?=[A-Za-z_])")
_VERSION = re.compile(r"^\d+(?:\.\d+)*$")

# ---------------------------------------------------------------------------------------------
# Introspection: runs in the target environment, standard library + the SDK only.
# ---------------------------------------------------------------------------------------------


def encode(value: object) -> object:
    """A JSON value for an SDK default: enum members are tagged, anything opaque is a repr."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, enum.Enum):
        return {"enum": f"{type(value).__name__}.{value.name}"}
    if isinstance(value, float):
        return (
            value if value == value and value not in (float("inf"), float("-inf")) else repr(value)
        )
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((encode(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    return {"repr": _ADDRESS.sub("", repr(value))}


def annotation_text(annotation: object) -> str | None:
    """A type annotation as short text: `Optional[List[GpuGroup]]`, module paths dropped."""
    if annotation is inspect.Parameter.empty or annotation is None:
        return None
    if isinstance(annotation, type) and not getattr(annotation, "__args__", None):
        text = annotation.__name__
    else:
        text = repr(annotation) if not isinstance(annotation, str) else annotation
    return _MODULE_PREFIX.sub("", _ADDRESS.sub("", text))


def _signature_params(func) -> dict[str, dict]:
    out = {}
    for name, param in inspect.signature(func).parameters.items():
        if name == "self":
            continue
        entry: dict[str, object] = {"kind": param.kind.name}
        ann = annotation_text(param.annotation)
        if ann is not None:
            entry["annotation"] = ann
        if param.default is inspect.Parameter.empty:
            if param.kind not in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
                entry["required"] = True
        else:
            entry["default"] = encode(param.default)
        out[name] = entry
    return out


def _model_fields(cls) -> dict[str, dict]:
    fields = getattr(cls, "model_fields", None)
    if fields is None:  # pydantic v1
        fields = getattr(cls, "__fields__", {})
    out = {}
    for name, field in fields.items():
        entry: dict[str, object] = {
            "annotation": annotation_text(getattr(field, "annotation", None))
        }
        required = field.is_required() if callable(getattr(field, "is_required", None)) else False
        entry["required"] = bool(required)
        factory = getattr(field, "default_factory", None)
        if factory is not None:
            entry["default_factory"] = getattr(factory, "__qualname__", None) or repr(factory)
        elif not required:
            entry["default"] = encode(field.default)
        alias = getattr(field, "alias", None)
        if alias and alias != name:
            entry["alias"] = alias
        out[name] = entry
    return out


def _model_extra(cls) -> str | None:
    config = getattr(cls, "model_config", None)
    if isinstance(config, dict):
        extra = config.get("extra")
        return extra.value if isinstance(extra, enum.Enum) else extra
    return None


def _sdk_modules(module_name: str) -> list:
    """The package, `core.resources` and its submodules, `endpoint`, `client`: where the
    classes and enums a user can name live. Modules that fail to import are left out."""
    pkg = importlib.import_module(module_name)
    found = [pkg]
    names = [f"{module_name}.client", f"{module_name}.endpoint", f"{module_name}.core.resources"]
    try:
        resources = importlib.import_module(f"{module_name}.core.resources")
        names += [
            f"{resources.__name__}.{m.name}" for m in pkgutil.iter_modules(resources.__path__)
        ]
    except Exception:  # noqa: BLE001 - an SDK module that cannot import simply has no facts
        pass
    for name in names:
        try:
            found.append(importlib.import_module(name))
        except Exception:  # noqa: BLE001
            continue
    return found


def _deploy_forwards(pkg_dir: Path, module_name: str) -> tuple[str | None, list[str] | None]:
    """The resource fields `create_resource_from_manifest` passes on, read from source text."""
    for path in sorted(pkg_dir.rglob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if "def create_resource_from_manifest" not in text:
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef) and node.name == "create_resource_from_manifest":
                names: set[str] = set()
                for sub in ast.walk(node):
                    if isinstance(sub, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                        targets = sub.targets if isinstance(sub, ast.Assign) else [sub.target]
                        for target in targets:
                            if (
                                isinstance(target, ast.Subscript)
                                and isinstance(target.slice, ast.Constant)
                                and isinstance(target.slice.value, str)
                                and isinstance(target.value, ast.Name)
                                and target.value.id != "env"
                                and not target.slice.value.isupper()
                            ):
                                names.add(target.slice.value)
                            if isinstance(target, ast.Name) and isinstance(sub.value, ast.Dict):
                                names.update(
                                    k.value
                                    for k in sub.value.keys
                                    if isinstance(k, ast.Constant) and isinstance(k.value, str)
                                )
                    if (
                        isinstance(sub, ast.Call)
                        and isinstance(sub.func, ast.Name)
                        and sub.func.id[:1].isupper()
                    ):
                        names.update(k.arg for k in sub.keywords if k.arg)
                rel = path.relative_to(pkg_dir).with_suffix("")
                return ".".join((module_name, *rel.parts)), sorted(names)
    return None, None


def _remote_rejects_unknown(remote, resource_classes: dict) -> bool | None:
    """Whether remote(..., unknown=1) raises; None when that could not be tried."""
    params = inspect.signature(remote).parameters
    if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return True
    cls = resource_classes.get("LiveServerless") or resource_classes.get("ServerlessResource")
    if cls is None:
        return None
    try:
        config = cls(name="flash-guard-probe")
    except Exception:  # noqa: BLE001
        return None

    def probe():
        return 1

    try:
        decorator = remote(config, **{PROBE_KWARG: 1})
        decorator(probe)
    except TypeError as exc:
        return True if PROBE_KWARG in str(exc) else None
    except Exception as exc:  # noqa: BLE001
        return True if PROBE_KWARG in str(exc) else None
    return False


def _idle_timeout_range(resource_classes: dict) -> list | None:
    """[low, high] that `idleTimeout` accepts at construction (None for an open end), or None
    when the class cannot be built at all. Probed, not read: the validator moved (PR #287)."""
    cls = resource_classes.get("LiveServerless") or resource_classes.get("ServerlessResource")
    if cls is None:
        return None

    def accepts(seconds: int) -> bool | None:
        try:
            cls(name="flash-guard-probe", idleTimeout=seconds)
        except Exception as exc:  # noqa: BLE001 - any rejection is what is being measured
            return False if "idle" in str(exc).lower() else None
        return True

    if accepts(60) is not True:
        return None
    low = None if accepts(-(10**6)) else _bound(accepts, 60, -(10**6), upward=False)
    high = None if accepts(10**9) else _bound(accepts, 60, 10**9, upward=True)
    return [low, high]


def _bound(accepts, inside: int, outside: int, upward: bool) -> int:
    """The last accepted value between `inside` (accepted) and `outside` (rejected)."""
    while abs(outside - inside) > 1:
        middle = (inside + outside) // 2
        if accepts(middle):
            inside = middle
        else:
            outside = middle
    return inside


def _module_tree(pkg_dir: Path) -> list[str]:
    """Every module and package below the top level as dotted names relative to the package
    ('core.resources.serverless'), read from the files so nothing more is imported."""
    found = set()
    for path in pkg_dir.rglob("*.py"):
        rel = path.relative_to(pkg_dir).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        if len(parts) < 2 or any(not p.isidentifier() for p in parts):
            continue  # top-level submodules are the `submodule` kind
        if all(
            (pkg_dir.joinpath(*parts[:i]) / "__init__.py").exists() for i in range(1, len(parts))
        ):
            found.add(".".join(parts))
    return sorted(found)


def introspect(module_name: str) -> dict:
    """Every recorded fact of the importable `module_name`, as {kind: {name: value}}."""
    import importlib.metadata
    import logging

    warnings.simplefilter("ignore")
    if not logging.getLogger().handlers:
        logging.basicConfig(stream=sys.stderr, level=logging.ERROR)
    dist = next(d for d, m in PACKAGES.items() if m == module_name)
    pkg = importlib.import_module(module_name)
    pkg_dir = Path(pkg.__file__).parent
    facts: dict[str, dict[str, object]] = {}

    def put(kind: str, name: str, value: object) -> None:
        facts.setdefault(kind, {})[name] = value

    # Exported names: __all__ (resolved one by one: some are lazy) and the package's own
    # public classes/functions/constants bound at the top level.
    exported = {}
    for name in list(getattr(pkg, "__all__", ())):
        try:
            exported[name] = getattr(pkg, name)
        except Exception:  # noqa: BLE001 - listed but not importable: not exported
            continue
    for name in dir(pkg):
        if name.startswith("_") or name in exported:
            continue
        obj = getattr(pkg, name)
        if inspect.ismodule(obj):
            continue
        if str(getattr(obj, "__module__", "")).startswith(module_name):
            exported[name] = obj
    # Module attributes a user imports by name (`from runpod_flash import __version__`):
    # not every release defines them, so they are facts like any other export.
    for name in ("__version__", "__all__"):
        if name in vars(pkg):
            exported[name] = vars(pkg)[name]
    for name, obj in exported.items():
        if isinstance(obj, type) and issubclass(obj, enum.Enum):
            kind = "enum"
        elif inspect.isclass(obj):
            kind = "class"
        elif inspect.ismodule(obj):
            kind = "module"
        elif callable(obj):
            kind = "function"
        else:
            kind = "value"
        put("export", name, kind)
    for sub in pkgutil.iter_modules(pkg.__path__):
        put("submodule", sub.name, True)
    for dotted in _module_tree(pkg_dir):
        put("module", dotted, True)

    modules = _sdk_modules(module_name)
    enums: dict[str, type] = {}
    models: dict[str, type] = {}
    constants: dict[str, object] = {}
    for mod in sorted(modules, key=lambda m: m.__name__):
        for name, obj in sorted(vars(mod).items()):
            if name.startswith("_"):
                continue
            if inspect.isclass(obj) and str(obj.__module__).startswith(module_name):
                if issubclass(obj, enum.Enum):
                    enums.setdefault(name, obj)
                elif hasattr(obj, "model_fields") or hasattr(obj, "__fields__"):
                    models.setdefault(name, obj)
            elif name.isupper() and not inspect.ismodule(obj):
                constants.setdefault(name, obj)
    for name, cls in enums.items():
        for member in cls:
            put(f"enum:{name}", member.name, encode(member.value))
    for name, cls in models.items():
        for field, entry in _model_fields(cls).items():
            put(f"model_field:{name}", field, entry)
        put("model_extra", name, _model_extra(cls))

    if "DataCenter" in enums:
        put("datacenters", "gpu", sorted(m.value for m in enums["DataCenter"]))
    if "CPU_DATACENTERS" in constants:
        put("datacenters", "cpu", sorted(encode(v) for v in constants["CPU_DATACENTERS"]))
    if "SUPPORTED_PYTHON_VERSIONS" in constants:
        put("scalar", "python_versions", encode(constants["SUPPORTED_PYTHON_VERSIONS"]))
    if "DEFAULT_PYTHON_VERSION" in constants:
        put("scalar", "default_python_version", encode(constants["DEFAULT_PYTHON_VERSION"]))

    endpoint_cls = None
    for mod in modules:
        candidate = getattr(mod, "Endpoint", None)
        if inspect.isclass(candidate) and str(candidate.__module__).startswith(module_name):
            endpoint_cls = candidate
            break
    put("scalar", "endpoint_class", endpoint_cls is not None)
    if endpoint_cls is not None:
        for name, entry in _signature_params(endpoint_cls.__init__).items():
            put("endpoint_param", name, entry)
        idle = inspect.signature(endpoint_cls.__init__).parameters.get("idle_timeout")
        if idle is not None and idle.default is not inspect.Parameter.empty:
            put("scalar", "endpoint_idle_timeout_default", encode(idle.default))

    remote = None
    for mod in modules:
        candidate = getattr(mod, "remote", None)
        if inspect.isfunction(candidate):
            remote = candidate
            break
    if remote is not None:
        for name, entry in _signature_params(remote).items():
            put("remote_param", name, entry)
        put("scalar", "remote_rejects_unknown_kwargs", _remote_rejects_unknown(remote, models))

    base = models.get("ServerlessResource")
    if base is not None:
        idle_field = _model_fields(base).get("idleTimeout", {})
        if "default" in idle_field:
            put("scalar", "idle_timeout_default", idle_field["default"])
    put("scalar", "idle_timeout_range", _idle_timeout_range(models))
    where, forwarded = _deploy_forwards(pkg_dir, module_name)
    put("scalar", "deploy_provisioner", where)
    if forwarded is not None:
        for name in forwarded:
            put("deploy_forward", name, True)
        put("scalar", "deploy_forwards_execution_timeout", "executionTimeoutMs" in forwarded)
    else:
        put("scalar", "deploy_forwards_execution_timeout", None)

    return {
        "package": dist,
        "version": importlib.metadata.version(dist),
        "file": str(pkg.__file__),
        "facts": {k: dict(sorted(v.items())) for k, v in sorted(facts.items())},
    }


# ---------------------------------------------------------------------------------------------
# Driver: list, install, introspect, compress.
# ---------------------------------------------------------------------------------------------


def version_key(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split("."))


def list_releases(pip: list[str], dist: str) -> list[str]:
    done = subprocess.run(
        [*pip, "index", "versions", dist], capture_output=True, text=True, check=False
    )
    for line in done.stdout.splitlines():
        if line.strip().startswith("Available versions:"):
            found = [v.strip() for v in line.split(":", 1)[1].split(",")]
            # Final releases only: pre-releases are not what an app pins.
            return sorted((v for v in found if _VERSION.match(v)), key=version_key)
    raise SystemExit(f"could not list releases of {dist}: {done.stderr.strip()[-500:]}")


def sandbox_env(workdir: Path, pythonpath: str | None = None) -> dict[str, str]:
    """The environment an SDK import runs in: its own HOME, no Runpod credentials, no proxy
    but a dead one (nothing the import might send leaves the machine)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("RUNPOD", "FLASH", "PYTHON", "VIRTUAL_ENV", "PIP_REQUIRE"))
    }
    env.update(
        HOME=str(workdir),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONNOUSERSITE="1",
        RUNPOD_FLASH_SILENCE_DEPRECATION="1",
        HTTP_PROXY="http://127.0.0.1:9",
        HTTPS_PROXY="http://127.0.0.1:9",
        NO_PROXY="",
        XDG_CONFIG_HOME=str(workdir / ".config"),
        XDG_CACHE_HOME=str(workdir / ".cache"),
    )
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return env


def run_introspection(python: str, module_name: str, pythonpath: str | None = None) -> dict:
    """Introspect `module_name` as `python` sees it, in a scratch HOME and working directory."""
    with tempfile.TemporaryDirectory(prefix="fg-introspect-") as scratch:
        done = subprocess.run(
            [python, str(Path(__file__).resolve()), "--introspect", module_name],
            cwd=scratch,
            env=sandbox_env(Path(scratch), pythonpath),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(_tail(done.stderr) or f"exit {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _tail(text: str, lines: int = 1) -> str:
    kept = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(kept[-lines:])[-400:]


def pip_install(pip: list[str], args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*pip, "install", "--quiet", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def make_venv(path: Path, requirements: list[str]) -> tuple[str | None, str]:
    """A virtualenv at `path` with `requirements`: (python, "") or (None, why not)."""
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True, capture_output=True)
    python = str(path / "bin" / "python")
    if not requirements:
        return python, ""
    done = pip_install([python, "-m", "pip"], requirements)
    if done.returncode != 0:
        return None, _tail(done.stderr) or "pip install failed"
    return python, ""


def _requirements(target: Path, dist: str) -> tuple[str, ...]:
    """The Requires-Dist lines of the release installed in `target`."""
    for meta in target.glob(f"{dist.replace('-', '_')}-*.dist-info/METADATA"):
        lines = meta.read_text(encoding="utf-8").splitlines()
        return tuple(
            sorted(ln.split(":", 1)[1].strip() for ln in lines if ln.startswith("Requires-Dist:"))
        )
    return ()


class DependencyEnvs:
    """Fallback environments, one per distinct dependency list: releases that declare the same
    requirements share one virtualenv (built once) and are imported from their own --target."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.lock = threading.Lock()
        self.envs: dict[tuple[str, ...], tuple[threading.Lock, list, int]] = {}

    def python(self, requirements: tuple[str, ...]) -> tuple[str | None, str]:
        with self.lock:
            if requirements not in self.envs:
                self.envs[requirements] = (threading.Lock(), [], len(self.envs))
            slot_lock, made, index = self.envs[requirements]
        with slot_lock:
            if not made:
                made.append(make_venv(self.work / f"deps-{index}", list(requirements)))
            return made[0]


def snapshot_release(
    base_python: str, work: Path, dist: str, version: str, fallback: DependencyEnvs
) -> tuple[dict | None, str]:
    """(snapshot, "") for one release, or (None, the reason it was skipped)."""
    module = PACKAGES[dist]
    target = work / f"{dist}-{version}"
    done = pip_install(
        [base_python, "-m", "pip"], ["--no-deps", "--target", str(target), f"{dist}=={version}"]
    )
    if done.returncode != 0:
        return None, f"does not install: {_tail(done.stderr)}"

    def attempt(python: str) -> tuple[dict | None, str]:
        try:
            snap = run_introspection(python, module, str(target))
        except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
            return None, str(exc)
        if snap["version"] != version or not snap["file"].startswith(str(target)):
            return None, f"imported {snap['version']} from {snap['file']}"
        return snap, ""

    snap, first_error = attempt(base_python)
    if snap is not None:
        return snap, ""
    # Fall back to the release's own dependencies, shared with releases that declare the same.
    python, why = fallback.python(_requirements(target, dist))
    if python is None:
        return None, f"does not import with current dependencies ({first_error}); own: {why}"
    snap, error = attempt(python)
    if snap is None:
        return None, f"does not import: {error}"
    return snap, ""


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _ranges(indices: list[int], releases: list[str]) -> list[list[str]]:
    out: list[list[str]] = []
    start = prev = indices[0]
    for i in indices[1:]:
        if i != prev + 1:
            out.append([releases[start], releases[prev]])
            start = i
        prev = i
    out.append([releases[start], releases[prev]])
    return out


def compress(snapshots: dict[str, dict]) -> tuple[list[str], dict]:
    """Ordered releases and {kind: {name: [{value, releases: [[first, last], ...]}]}}."""
    releases = sorted(snapshots, key=version_key)
    seen: dict[str, dict[str, dict[str, tuple[object, list[int]]]]] = {}
    for index, version in enumerate(releases):
        for kind, names in snapshots[version]["facts"].items():
            for name, value in names.items():
                variants = seen.setdefault(kind, {}).setdefault(name, {})
                key = _canonical(value)
                if key not in variants:
                    variants[key] = (value, [])
                variants[key][1].append(index)
    facts = {
        kind: {
            name: [
                {"value": value, "releases": _ranges(indices, releases)}
                for value, indices in sorted(variants.values(), key=lambda vi: vi[1][0])
            ]
            for name, variants in sorted(names.items())
        }
        for kind, names in sorted(seen.items())
    }
    return releases, facts


def render(data: dict) -> str:
    # One fact per line: deterministic, reviewable as a diff, and still compact.
    lines = ["{"]
    lines.append(f'"schema": {SCHEMA},')
    lines.append('"packages": {')
    pkgs = list(data["packages"].items())
    for p_index, (dist, body) in enumerate(pkgs):
        lines.append(f"{json.dumps(dist)}: {{")
        lines.append(f'"module": {json.dumps(body["module"])},')
        lines.append(f'"releases": {_canonical(body["releases"])},')
        lines.append(f'"skipped": {_canonical(body["skipped"])},')
        lines.append('"facts": {')
        kinds = list(body["facts"].items())
        for k_index, (kind, names) in enumerate(kinds):
            lines.append(f"{json.dumps(kind)}: {{")
            items = list(names.items())
            for n_index, (name, variants) in enumerate(items):
                comma = "," if n_index < len(items) - 1 else ""
                lines.append(f"{json.dumps(name)}: {_canonical(variants)}{comma}")
            lines.append("}," if k_index < len(kinds) - 1 else "}")
        lines.append("}")
        lines.append("}," if p_index < len(pkgs) - 1 else "}")
    lines.append("}")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    json.loads(text)  # well-formed, or fail here rather than in flash-guard
    return text


def regenerate(args: argparse.Namespace) -> dict:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="fg-releases-"))
    pip = [sys.executable, "-m", "pip"]
    wanted: dict[str, list[str]] = {}
    for dist in PACKAGES:
        wanted[dist] = list_releases(pip, dist)
    if args.only:
        only: dict[str, list[str]] = {}
        for spec in args.only:
            dist, _, version = spec.partition("==")
            only.setdefault(dist, []).append(version)
        wanted = {d: sorted(v, key=version_key) for d, v in only.items()}
    if args.base_python:
        base_python = args.base_python
    else:
        newest = [f"{d}=={v[-1]}" for d, v in wanted.items() if v]
        print(f"base environment: {' '.join(newest)}", file=sys.stderr)
        base_python, why = make_venv(work / "base", newest)
        if base_python is None:
            raise SystemExit(f"base environment failed: {why}")
    jobs = [(d, v) for d, versions in wanted.items() for v in versions]
    results: dict[str, dict[str, dict]] = {d: {} for d in wanted}
    skipped: dict[str, dict[str, str]] = {d: {} for d in wanted}
    fallback = DependencyEnvs(work)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {
            pool.submit(snapshot_release, base_python, work, d, v, fallback): (d, v)
            for d, v in jobs
        }
        for future in concurrent.futures.as_completed(futures):
            dist, version = futures[future]
            snap, why = future.result()
            if snap is None:
                skipped[dist][version] = why
                print(f"skip {dist}=={version}: {why}", file=sys.stderr)
            else:
                results[dist][version] = snap
                print(f"ok   {dist}=={version}", file=sys.stderr)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    data = {"schema": SCHEMA, "packages": {}}
    for dist in PACKAGES:
        if dist not in wanted:
            continue
        releases, facts = compress(results[dist])
        data["packages"][dist] = {
            "module": PACKAGES[dist],
            "releases": releases,
            "skipped": dict(sorted(skipped[dist].items(), key=lambda kv: version_key(kv[0]))),
            "facts": facts,
        }
    print(f"done in {time.monotonic() - started:.0f}s", file=sys.stderr)
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--introspect", metavar="MODULE", help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, default=DEFAULT_TARGET, help="releases.json")
    parser.add_argument("--check", action="store_true", help="exit 1 if the file would change")
    parser.add_argument("--print", action="store_true", help="print instead of writing")
    parser.add_argument("--only", action="append", metavar="DIST==VERSION", help="a subset")
    parser.add_argument("--base-python", help="reuse this interpreter's environment as base")
    parser.add_argument("--jobs", type=int, default=4, help="releases handled at once")
    parser.add_argument("--keep", action="store_true", help="keep the temp environments")
    args = parser.parse_args(argv)

    if args.introspect:
        print(json.dumps(introspect(args.introspect), sort_keys=True))
        return 0
    text = render(regenerate(args))
    if args.print:
        sys.stdout.write(text)
    elif args.check:
        if args.path.read_text(encoding="utf-8") != text:
            print(f"{args.path} is out of date; re-run {Path(__file__).name}", file=sys.stderr)
            return 1
    else:
        args.path.parent.mkdir(parents=True, exist_ok=True)
        args.path.write_text(text, encoding="utf-8")
        print(f"wrote {args.path} ({len(text) // 1024} KB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
