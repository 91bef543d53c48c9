"""The real runpod 2.0 SDK (the Apps API) as a test oracle, run in a sandboxed subprocess.

flash-guard never runs user code, and runpod 2.0 cannot live in the test venv (runpod-flash
pins runpod 1.x), so this oracle drives a separate interpreter: $FLASH_GUARD_RP2_PYTHON, else
<repo>/.venv-rp2/bin/python. Two entry points:

`run_oracle2(cases)` executes each snippet as a fresh module (a real file, so inspect works) and
reports, per case:

    {"error": None | {"type", "message", "line"},   # raised while the snippet ran
     "apps": [{"name", "env", "build_error", "resources": [record, ...]}],
     "warnings": [...], "logs": [...], "network": [<blocked socket attempts>]}

`run_discovery(files, target=".")` writes a project ({relative path: source}) into the sandbox
and runs the SDK's own `runpod.apps.discovery.discover_apps` on it, as `rp flash deploy` does:

    {"error": None | {...}, "apps": [{"name", "env", "source_file", "build_error",
     "resources": [...]}], "logs": [...], "network": [...]}

A resource record (`record` above) holds: app, app_env, name, kind (queue/api/task),
target (function or class __qualname__), target_type, module (the handle's function/class
__module__), manifest_module (the dotted module build_manifest writes), variables (module-level
names bound to the handle), bound_in_module (those of them in `module` itself, None when it is
not loaded), gpu (the normalised list the spec holds), gpu_pools (sorted pool ids
a deployed endpoint gets after the SDK's widening; None for CPU), task_devices (for tasks: the
device list a pod asks for), cpu, workers [min, max], idle_timeout, execution_timeout_ms, env
({key: {"secret": bool, "secret_name", "value"}}), mounts ([{path, kind, name, size, datacenter,
create}]), model, datacenters, locations (what deploy sends), min_cuda_version, python_version
and image (the build's default), routes ([{method, path, handler}]), init (the startup hook's
name), asgi_factory, schedule, effective_scaler_type, manifest (spec.to_manifest() or an error
under manifest_error), and spec: every ResourceSpec dataclass field, JSON-encoded.

`build_error` is what `build_manifest(app, project_root)` raises for the app (name length,
schedules, bad model strings): the checks `rp flash deploy --build-only` makes after vendoring.

The sandbox: cwd and HOME are a fresh temporary directory, the environment is rebuilt from
scratch (no RUNPOD_API_KEY, no FLASH_* or RUNPOD_* switches), and every socket connect and DNS
lookup raises and is recorded under "network".

`locations` is what `_deployed_endpoint_input` sends; a mounted network volume later replaces it
with the volume's datacenter (decided by a placement solve against the API, not reproduced here).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

# The -I child has no script directory on sys.path; it borrows it for this one import only,
# so nothing else the analysed project imports can resolve to a file in tests/.
_CHILD = __name__ == "__main__"
if _CHILD:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
import oracle_sandbox  # noqa: E402

if _CHILD:
    del sys.path[0]

REPO = Path(__file__).resolve().parent.parent
PYTHON_ENV_VAR = "FLASH_GUARD_RP2_PYTHON"
TIMEOUT_S = 120.0
CASE_TIMEOUT_S = 30.0

_PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT")


class OracleError(RuntimeError):
    """The oracle subprocess itself failed (snippet failures are reported per case)."""


class SdkMissing(OracleError):
    """No runpod 2.x interpreter is available."""


def rp2_python() -> Path:
    """$FLASH_GUARD_RP2_PYTHON, else <repo>/.venv-rp2/bin/python (which may not exist)."""
    return oracle_sandbox.interpreter(PYTHON_ENV_VAR, ".venv-rp2")


in_ci = oracle_sandbox.in_ci


def skip_or_fail(reason: str) -> None:
    oracle_sandbox.skip_or_fail(reason, "the runpod 2.0 interpreter")


def sandbox_env(home: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    return oracle_sandbox.sandbox_env(home, _PASSED_THROUGH, {"PYTHONNOUSERSITE": "1"}, extra)


def run_oracle2(
    cases: list[str], *, env: dict[str, str] | None = None, timeout: float = TIMEOUT_S
) -> list[dict[str, Any]]:
    """What runpod 2.0 registers for each snippet, in order; one subprocess for all."""
    return _spawn({"mode": "cases", "cases": list(cases)}, env=env, timeout=timeout)


def run_discovery(
    files: dict[str, str],
    target: str = ".",
    *,
    env: dict[str, str] | None = None,
    timeout: float = TIMEOUT_S,
) -> dict[str, Any]:
    """The SDK's own discover_apps on a temp project built from {relative path: source}."""
    request = {"mode": "discover", "files": dict(files), "target": target}
    return _spawn(request, env=env, timeout=timeout)


def run_probe2(source: str, *, timeout: float = TIMEOUT_S) -> Any:
    """Run `source` in the sandbox with runpod 2.0 importable; returns its JSON `RESULT`."""
    return _spawn({"mode": "probe", "source": source}, env=None, timeout=timeout)


def run_oracle2_or_skip(cases: list[str], **kwargs: Any) -> list[dict[str, Any]]:
    try:
        return run_oracle2(cases, **kwargs)
    except SdkMissing as exc:
        skip_or_fail(str(exc))
        raise


def run_probe2_or_skip(source: str, **kwargs: Any) -> Any:
    try:
        return run_probe2(source, **kwargs)
    except SdkMissing as exc:
        skip_or_fail(str(exc))
        raise


def run_discovery_or_skip(files: dict[str, str], *args: Any, **kwargs: Any) -> dict[str, Any]:
    try:
        return run_discovery(files, *args, **kwargs)
    except SdkMissing as exc:
        skip_or_fail(str(exc))
        raise


def run_discovery_many(
    projects: list[dict[str, str]], *, env: dict[str, str] | None = None, timeout: float = 300.0
) -> list[dict[str, Any]]:
    """`run_discovery(files)` for each project, in one child; each project's modules are
    dropped from sys.modules before the next one is discovered."""
    request = {"mode": "discover_many", "projects": [dict(files) for files in projects]}
    return _spawn(request, env=env, timeout=timeout)


def run_discovery_many_or_skip(projects: list[dict[str, str]], **kwargs: Any) -> list:
    try:
        return run_discovery_many(projects, **kwargs)
    except SdkMissing as exc:
        skip_or_fail(str(exc))
        raise


def _spawn(request: dict[str, Any], *, env: dict[str, str] | None, timeout: float) -> Any:
    python = rp2_python()
    if not python.exists():
        raise SdkMissing(
            f"runpod 2.0 interpreter not found at {python} (set {PYTHON_ENV_VAR} or create "
            ".venv-rp2 with `pip install --pre runpod==2.0.0rc2`)"
        )
    try:
        result = oracle_sandbox.spawn_child(
            # -I keeps the child from reading PYTHON* variables and the script's directory;
            # the child puts oracle_sandbox.py on its path itself.
            [str(python), "-I", str(Path(__file__).resolve())],
            request,
            env_for=lambda tmp: sandbox_env(tmp, env),
            timeout=timeout,
            prefix="flash-guard-oracle2-",
        )
    except TimeoutError as exc:
        raise OracleError(f"runpod 2.0 oracle timed out after {timeout:.0f}s") from exc
    except oracle_sandbox.ChildFailed as exc:
        if exc.missing:
            raise SdkMissing(str(exc) or f"runpod 2.x is not installed for {python}") from exc
        raise OracleError(f"runpod 2.0 oracle {exc}") from exc
    return result["result"]


# ---------------------------------------------------------------------------------------------
# Everything below runs in the runpod 2.0 child interpreter only.


def _jsonable(value: Any) -> Any:
    import dataclasses
    import enum

    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return repr(value)


def _describe(exc: BaseException, source_file: str | None = None) -> dict[str, Any]:
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if source_file and tb.tb_frame.f_code.co_filename == source_file:
            line = tb.tb_lineno
        tb = tb.tb_next
    if line is None and isinstance(exc, SyntaxError):
        line = exc.lineno
    return {"type": type(exc).__name__, "message": str(exc), "line": line}


def _attempt(fn: Any) -> tuple[Any, dict[str, Any] | None]:
    try:
        return fn(), None
    except Exception as exc:  # noqa: BLE001 - the error is the answer
        return None, _describe(exc)


def _env_record(env: Any) -> Any:
    from runpod.apps.secret import Secret

    if env is None:
        return None
    if not isinstance(env, dict):
        return {"$invalid": repr(env)}
    out = {}
    for key, value in env.items():
        secret = isinstance(value, Secret)
        out[str(key)] = {
            "secret": secret,
            "secret_name": value.name if secret else None,
            "value": value.reference if secret else str(value),
        }
    return out


def _mount_records(mounts: Any) -> list[dict[str, Any]]:
    records = []
    for path, vol in (mounts or {}).items():
        records.append(
            {
                "path": path,
                "kind": getattr(vol, "kind", None),
                "name": getattr(vol, "reference", None),
                "size": _jsonable(getattr(vol, "size", None)),
                "datacenter": _jsonable(getattr(vol, "datacenter", None)),
                "create": _jsonable(getattr(vol, "create", None)),
            }
        )
    return records


def _bound_in_module(handle: Any, module: str | None) -> list[str] | None:
    """The module-level names of the handle's own module (its function's or class's) bound
    to the handle, where the worker looks for it; None when that module is not loaded."""
    loaded = sys.modules.get(module) if module else None
    if loaded is None:
        return None
    return sorted(k for k, v in vars(loaded).items() if v is handle and not k.startswith("__"))


def _record(app: Any, handle: Any, variables: list[str], project_root: Path) -> dict[str, Any]:
    import dataclasses

    from runpod.apps import deploy, gpu, images, tasks
    from runpod.apps.model import model_reference
    from runpod.apps.spec import ResourceKind

    spec = handle.spec
    target = (
        getattr(handle, "_fn", None)
        or getattr(handle, "_cls", None)
        or getattr(handle, "_asgi_factory", None)
    )
    is_endpoint = spec.kind in (ResourceKind.QUEUE, ResourceKind.API)
    payload, payload_error = (None, None)
    if is_endpoint:
        payload, payload_error = _attempt(
            lambda: deploy._deployed_endpoint_input(app, spec, "env", "build", "3.12")
        )
    model, model_error = _attempt(lambda: model_reference(spec.model))
    manifest, manifest_error = _attempt(spec.to_manifest)
    init_fn = getattr(handle, "_init_fn", None)
    record: dict[str, Any] = {
        "app": app.name,
        "app_env": _jsonable(app.env),
        "name": spec.name,
        "kind": spec.kind.value,
        "target": getattr(target, "__qualname__", None),
        "target_type": (
            "class" if isinstance(target, type) else "function" if callable(target) else None
        ),
        "module": getattr(target, "__module__", None),
        "manifest_module": (
            deploy._module_path_for(target, project_root) if target is not None else None
        ),
        "variables": sorted(variables),
        "bound_in_module": _bound_in_module(handle, getattr(target, "__module__", None)),
        "gpu": _jsonable(spec.gpu),
        "gpu_pools": (None if spec.is_cpu else sorted(set(gpu.gpu_ids_value(spec.gpu).split(",")))),
        "task_devices": (
            tasks._device_names(spec.gpu)
            if spec.kind is ResourceKind.TASK and not spec.is_cpu
            else None
        ),
        "cpu": _jsonable(spec.cpu),
        "workers": _jsonable(spec.workers),
        "idle_timeout": _jsonable(spec.idle_timeout),
        "execution_timeout_ms": _jsonable(spec.execution_timeout_ms),
        "env": _env_record(spec.env),
        "mounts": _mount_records(spec.mounts),
        "model": model if model_error is None else _jsonable(spec.model),
        "model_error": model_error,
        "datacenters": _jsonable(spec.datacenter),
        "locations": (
            payload["locations"].split(",") if payload and payload.get("locations") else None
        ),
        "deploy_payload_error": payload_error,
        # The endpoint payload's gpuIds as sent, in order (deploy._deployed_endpoint_input).
        "gpu_ids": payload.get("gpuIds") if payload else None,
        "min_cuda_version": spec.min_cuda_version,
        "python_version": images.DEFAULT_PYTHON_VERSION,
        "image": _attempt(lambda: images.image_for_spec(spec))[0],
        "routes": [
            {"method": r.method, "path": r.path, "handler": r.handler_name} for r in spec.routes
        ],
        "init": getattr(handle, "_init_name", None) or getattr(init_fn, "__name__", None),
        "asgi_factory": spec.asgi_factory,
        "schedule": _jsonable(spec.schedule),
        "effective_scaler_type": spec.effective_scaler_type,
        "manifest": _jsonable(manifest),
        "manifest_error": manifest_error,
        "spec": {f.name: _jsonable(getattr(spec, f.name)) for f in dataclasses.fields(spec)},
    }
    record["spec"]["mounts"] = record["mounts"]
    record["spec"]["env"] = record["env"]
    return record


def _app_records(apps: list[Any], namespace_by_id: dict[int, list[str]], root: Path) -> list:
    from runpod.apps import deploy

    out = []
    for app in apps:
        _, build_error = _attempt(lambda app=app: deploy.build_manifest(app, root))
        source = getattr(app, "_source_file", None)
        out.append(
            {
                "name": app.name,
                "env": _jsonable(app.env),
                "source_file": (
                    str(Path(source).resolve().relative_to(root.resolve())) if source else None
                ),
                "build_error": build_error,
                "resources": [
                    _record(app, handle, namespace_by_id.get(id(handle), []), root)
                    for handle in app.resources.values()
                ],
            }
        )
    return out


def _fresh_registry() -> None:
    from runpod.apps import app as app_mod
    from runpod.apps import entrypoint

    app_mod._clear_registry()
    entrypoint._clear_entrypoints()


def _run_case(index: int, source: str, recorder: oracle_sandbox.Recorder) -> dict[str, Any]:
    import types
    import warnings

    from runpod.apps.app import get_registered_apps

    _fresh_registry()
    recorder.reset()
    case_dir = Path.cwd() / f"case_{index}"
    case_dir.mkdir()
    path = case_dir / "snippet.py"
    path.write_text(source, encoding="utf-8")
    module = types.ModuleType("snippet")
    module.__file__ = str(path)
    sys.modules["snippet"] = module

    error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code = compile(source, str(path), "exec")
            with oracle_sandbox.Deadline(CASE_TIMEOUT_S):
                exec(code, module.__dict__)  # noqa: S102 - running the snippet is the point
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - every failure is the answer
            error = _describe(exc, str(path))
        names: dict[int, list[str]] = {}
        for name, value in module.__dict__.items():
            if not name.startswith("__"):
                names.setdefault(id(value), []).append(name)
        apps = _app_records(get_registered_apps(), names, case_dir)
    sys.modules.pop("snippet", None)
    return {
        "error": error,
        "apps": apps,
        "warnings": [{"category": w.category.__name__, "message": str(w.message)} for w in caught],
        "logs": list(recorder.logs),
        "network": list(recorder.network),
    }


def _run_discovery(
    files: dict[str, str],
    target: str,
    recorder: oracle_sandbox.Recorder,
    root_name: str = "project",
) -> dict[str, Any]:
    import warnings

    from runpod.apps.discovery import discover_apps

    _fresh_registry()
    recorder.reset()
    root = Path.cwd() / root_name
    for rel, text in files.items():
        dest = root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
    root.mkdir(exist_ok=True)
    target_path = (root / target).resolve()
    project_root = target_path if target_path.is_dir() else target_path.parent

    error, apps = None, []
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        try:
            with oracle_sandbox.Deadline(CASE_TIMEOUT_S):
                found = discover_apps(target_path)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - the error is the answer
            error = _describe(exc)
        else:
            names: dict[int, list[str]] = {}
            for module in list(sys.modules.values()):
                source = getattr(module, "__file__", None) or ""
                if not source.startswith(str(root)):
                    continue
                for name, value in vars(module).items():
                    if not name.startswith("__"):
                        names.setdefault(id(value), []).append(name)
            apps = _app_records(found, names, project_root)
    # the sandbox path changes every run; report it as <project>
    for entry in recorder.logs:
        entry["message"] = entry["message"].replace(str(root), "<project>")
    if error is not None:
        error["message"] = error["message"].replace(str(root), "<project>")
    return {
        "error": error,
        "apps": apps,
        "logs": list(recorder.logs),
        "network": list(recorder.network),
    }


def _child(result_path: str) -> int:
    request = json.loads(sys.stdin.read())
    recorder = oracle_sandbox.Recorder("runpod 2.0 oracle")
    recorder.install()
    try:
        import runpod
    except ModuleNotFoundError as exc:
        if exc.name == "runpod":
            print(f"runpod is not installed for {sys.executable}", file=sys.stderr)
            return oracle_sandbox.EXIT_SDK_MISSING
        raise
    major = str(runpod.__version__).split(".")[0]
    if not major.isdigit() or int(major) < 2:
        print(f"runpod {runpod.__version__} is not 2.x ({sys.executable})", file=sys.stderr)
        return oracle_sandbox.EXIT_SDK_MISSING

    if request["mode"] == "probe":
        namespace: dict[str, Any] = {"__name__": "oracle2_probe"}
        exec(compile(request["source"], "<probe>", "exec"), namespace)  # noqa: S102 - test probe
        result: Any = namespace.get("RESULT")
    elif request["mode"] == "discover_many":
        result = []
        for i, files in enumerate(request["projects"]):
            result.append(_run_discovery(files, ".", recorder, f"project_{i}"))
            prefix = str(Path.cwd() / f"project_{i}")
            for key, module in list(sys.modules.items()):
                # namespace packages have no __file__, only __path__
                places = [getattr(module, "__file__", None) or ""]
                places += list(getattr(module, "__path__", None) or [])
                if any(str(place).startswith(prefix) for place in places):
                    del sys.modules[key]
    elif request["mode"] == "discover":
        result = _run_discovery(request["files"], request["target"], recorder)
    else:
        result = [_run_case(i, src, recorder) for i, src in enumerate(request["cases"])]
    result = {"sdk_version": runpod.__version__, "result": result}
    Path(result_path).write_text(json.dumps(result, default=repr), encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        sys.exit(_child(sys.argv[2]))
    sys.exit("usage: sdk2_oracle.py --child RESULT_PATH  (a helper for the test suite)")
