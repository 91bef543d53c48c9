"""The real Runpod Flash SDK as a test oracle, run in one sandboxed subprocess.

flash-guard itself never runs user code. Tests that want to know what the SDK *really* does
with a declaration hand snippets to `run_oracle`; each is executed in a fresh module inside a
child interpreter, and what the SDK built is reported back as JSON:

    [{"error": None | {"type", "message", "phase", "line", "errors"},
      "endpoints": [ {...}, ... ],
      "warnings": [{"category", "message"}], "logs": [{"level", "logger", "message"}],
      "network": [<blocked socket attempts>]}]

`phase` says when the SDK raised: "exec" while the snippet ran (constructor, decorator or route
registration) or "build" when `Endpoint._build_resource_config()` raised for an endpoint the
snippet never decorated (the SDK would only raise on first use; see flash-sdk.md §3 "When").
`line` is the snippet line the exception came through, when it came through one.

Every entry in "endpoints" has: api ("endpoint" | "legacy"), name, variables (names bound to it
in the snippet), is_client, is_load_balanced, is_cpu, workers_min, workers_max, idle_timeout
(seconds), execution_timeout_ms, gpu, cpu, datacenter (member names, or the raw strings given),
routes [{method, path, function}], resource_class and resource (the pydantic fields of the
resource config). `Endpoint` entries add the remaining Endpoint settings, qb_target and
build_error; legacy entries add `class`, targets (every `@remote` use) and their pydantic fields
at top level (workersMin, workersMax, idleTimeout, executionTimeoutMs, gpus, instanceIds, ...).
Enum members are reported by member name, as in flash_guard.sdk.flash_tables.

The sandbox: the working directory and HOME are a fresh temporary directory (the SDK writes
.flash/logs there and would read ~/.runpod credentials), the environment is rebuilt from scratch
(no RUNPOD_API_KEY, no FLASH_* switches, no .env loading), and every socket connect or DNS lookup
raises and is recorded. Constructing and decorating do not touch the network in 1.21; the
smoke test asserts that stays true.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import oracle_sandbox

TIMEOUT_S = 120.0
CASE_TIMEOUT_S = 30.0

# Only what an interpreter needs; everything Flash reads from the environment is left out on
# purpose so the host's settings cannot change what the oracle says.
_PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "VIRTUAL_ENV")


class OracleError(RuntimeError):
    """The oracle subprocess itself failed (not a snippet: those are reported per case)."""


class SdkMissing(OracleError):
    """runpod_flash is not importable in the interpreter running the tests."""


def run_oracle(
    cases: list[str], *, env: dict[str, str] | None = None, timeout: float = TIMEOUT_S
) -> list[dict[str, Any]]:
    """What the real SDK does with each snippet, in order. One subprocess for all of them.

    `env` adds variables for the child (e.g. FLASH_IS_LIVE_PROVISIONING=false to see the
    non-Live resource classes); the sandbox defaults are applied first.
    """
    return _spawn({"mode": "cases", "cases": list(cases)}, env=env, timeout=timeout)


def run_probe(source: str, *, env: dict[str, str] | None = None, timeout: float = TIMEOUT_S) -> Any:
    """Run `source` in the same sandbox and return the JSON value it assigns to `RESULT`."""
    return _spawn({"mode": "probe", "source": source}, env=env, timeout=timeout)


def run_projects(
    projects: list[dict[str, Any]], *, env: dict[str, str] | None = None, timeout: float = 300.0
) -> list[dict[str, Any]]:
    """Import whole projects, one after the other, in one sandboxed child.

    Each project is {"files": {relative path: text}, "imports": [[root, module], ...],
    "env": {variable: value}}: the files are written under a fresh directory, each `root`
    (relative to it) goes on sys.path, `env` is set, and each module is imported in order.
    Per project:

        {"modules": [{"module", "error": None | {..., "path", "line"}}],
         "endpoints": [entry, ...],  # as run_oracle's; Endpoint entries add "site": [path, line]
         "warnings": [...], "logs": [...], "network": [...]}

    `site` is the project file and line the Endpoint was constructed at; `variables` are
    "module:name". The project's modules are dropped from sys.modules before the next one.
    """
    return _spawn({"mode": "projects", "projects": list(projects)}, env=env, timeout=timeout)


def run_projects_or_skip(projects: list[dict[str, Any]], **kwargs: Any) -> list[dict[str, Any]]:
    try:
        return run_projects(projects, **kwargs)
    except SdkMissing as exc:
        skip_or_fail(str(exc))


def skip_or_fail(reason: str) -> None:
    oracle_sandbox.skip_or_fail(reason, "the SDK oracle")


def run_oracle_or_skip(cases: list[str], **kwargs: Any) -> list[dict[str, Any]]:
    """`run_oracle`, skipping the calling test when the SDK is not installed."""
    try:
        return run_oracle(cases, **kwargs)
    except SdkMissing as exc:
        skip_or_fail(str(exc))


def run_probe_or_skip(source: str, **kwargs: Any) -> Any:
    try:
        return run_probe(source, **kwargs)
    except SdkMissing as exc:
        skip_or_fail(str(exc))


def sandbox_env(home: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The child environment: nothing from the host that Flash or runpod would read."""
    fixed = {"RUNPOD_FLASH_SILENCE_DEPRECATION": "1", "PYTHON_DOTENV_DISABLED": "1"}
    return oracle_sandbox.sandbox_env(home, _PASSED_THROUGH, fixed, extra)


def _spawn(request: dict[str, Any], *, env: dict[str, str] | None, timeout: float) -> Any:
    try:
        return oracle_sandbox.spawn_child(
            [sys.executable, str(Path(__file__).resolve())],
            request,
            env_for=lambda tmp: sandbox_env(tmp, env),
            timeout=timeout,
            prefix="flash-guard-oracle-",
        )
    except TimeoutError as exc:
        raise OracleError(f"SDK oracle timed out after {timeout:.0f}s") from exc
    except oracle_sandbox.ChildFailed as exc:
        if exc.missing:
            raise SdkMissing(str(exc) or "runpod_flash is not installed") from exc
        raise OracleError(f"SDK oracle {exc}") from exc


# ---------------------------------------------------------------------------------------------
# Everything below runs in the child interpreter only.

_EXIT_SDK_MISSING = oracle_sandbox.EXIT_SDK_MISSING


_jsonable = oracle_sandbox.jsonable


def _as_list(value: Any) -> list[Any] | None:
    if value is None:
        return None
    return _jsonable(value if isinstance(value, (list, tuple)) else [value])


def _describe(exc: BaseException, phase: str, source_file: str | None = None) -> dict[str, Any]:
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if source_file and tb.tb_frame.f_code.co_filename == source_file:
            line = tb.tb_lineno
        tb = tb.tb_next
    described = {"type": type(exc).__name__, "message": str(exc), "phase": phase, "line": line}
    errors = getattr(exc, "errors", None)
    if callable(errors):  # pydantic.ValidationError: keep each validator's own message
        try:
            described["errors"] = [str(e.get("msg")) for e in errors()]
        except Exception:  # noqa: BLE001 - a detail, never worth losing the report over
            described["errors"] = []
    return described


def _resource_fields(cfg: Any) -> dict[str, Any]:
    """The fields of a built resource config that the linter's rules talk about."""
    names = (
        "name",
        "type",
        "workersMin",
        "workersMax",
        "idleTimeout",
        "executionTimeoutMs",
        "gpus",
        "gpuIds",
        "gpuCount",
        "instanceIds",
        "datacenter",
        "locations",
        "minCudaVersion",
        "cudaVersions",
        "scalerType",
        "scalerValue",
        "flashboot",
        "imageName",
        "templateId",
        "python_version",
        "env",
        "networkVolumeId",
    )
    fields = {n: _jsonable(getattr(cfg, n, None)) for n in names}
    volumes = getattr(cfg, "networkVolumes", None) or []
    fields["networkVolumes"] = [
        {"name": v.name, "id": v.id, "size": v.size, "dataCenterId": _jsonable(v.dataCenterId)}
        for v in volumes
    ]
    template = getattr(cfg, "template", None)
    fields["containerDiskInGb"] = getattr(template, "containerDiskInGb", None)
    return fields


def _endpoint_entry(ep: Any, variables: list[str]) -> dict[str, Any]:
    target = ep._qb_target
    entry: dict[str, Any] = {
        "api": "endpoint",
        "name": ep.name,
        "variables": variables,
        "id": ep.id,
        "image": ep.image,
        "is_client": ep.is_client,
        "is_load_balanced": ep.is_load_balanced,
        "is_cpu": ep.is_cpu,
        "workers_min": ep.workers_min,
        "workers_max": ep.workers_max,
        "idle_timeout": _jsonable(ep.idle_timeout),
        "execution_timeout_ms": _jsonable(ep.execution_timeout_ms),
        "gpu": _as_list(ep._gpu),
        "cpu": _as_list(ep._cpu),
        "datacenter": _as_list(ep.datacenter),
        "gpu_count": _jsonable(ep.gpu_count),
        "flashboot": _jsonable(ep.flashboot),
        "scaler_type": _jsonable(ep.scaler_type),
        "scaler_value": _jsonable(ep.scaler_value),
        "min_cuda_version": _jsonable(ep.min_cuda_version),
        "max_concurrency": ep._max_concurrency,
        "dependencies": _jsonable(ep.dependencies),
        "system_dependencies": _jsonable(ep.system_dependencies),
        "env": _jsonable(ep.env),
        "volumes": [v.name or v.id for v in ep.volume or []],
        "qb_target": getattr(target, "__name__", None) if target is not None else None,
        "routes": [
            {"method": r["method"], "path": r["path"], "function": r["function_name"]}
            for r in ep._routes
        ],
        "resource_class": None,
        "resource": None,
        "build_error": None,
    }
    if ep.id is None:  # id= endpoints are pure clients: the SDK never builds a config for them
        try:
            cfg = ep._build_resource_config()
        except Exception as exc:  # noqa: BLE001 - reported as the endpoint's build_error
            entry["build_error"] = _describe(exc, "build")
        else:
            entry["resource_class"] = type(cfg).__name__
            entry["resource"] = _resource_fields(cfg)
    return entry


def _legacy_entry(cfg: Any, variables: list[str], targets: list[dict[str, Any]]) -> dict[str, Any]:
    from runpod_flash.core.resources import LoadBalancerSlsResource

    fields = _resource_fields(cfg)
    is_lb = isinstance(cfg, LoadBalancerSlsResource)
    return {
        "api": "legacy",
        "class": type(cfg).__name__,
        "resource_class": type(cfg).__name__,
        "name": cfg.name,
        "variables": variables,
        "targets": targets,
        "is_client": False,
        "is_load_balanced": is_lb,
        "is_cpu": bool(cfg.instanceIds),
        "workers_min": cfg.workersMin,
        "workers_max": cfg.workersMax,
        "idle_timeout": cfg.idleTimeout,
        "execution_timeout_ms": cfg.executionTimeoutMs,
        "gpu": fields["gpus"],
        "cpu": fields["instanceIds"],
        "routes": [
            {"method": t["method"], "path": t["path"], "function": t["function"]}
            for t in targets
            if is_lb and t["method"] and t["path"]
        ],
        "resource": fields,
        **fields,
    }


def _collect(
    namespace: dict[str, Any], created: list[Any], project: bool = False
) -> list[dict[str, Any]]:
    from runpod_flash.core.resources import ServerlessResource

    variables: dict[int, list[str]] = {}
    targets: dict[int, list[dict[str, Any]]] = {}
    legacy: dict[int, Any] = {}
    endpoint_configs = {id(ep._cached_resource_config) for ep in created}

    for name, value in namespace.items():
        if name.startswith("__"):
            continue
        variables.setdefault(id(value), []).append(name)
        try:
            remote_config = getattr(value, "__remote_config__", None)
        except Exception:  # noqa: BLE001 - a snippet object with a hostile __getattr__
            remote_config = None
        if isinstance(remote_config, dict):
            cfg = remote_config.get("resource_config")
            targets.setdefault(id(cfg), []).append(
                {
                    "function": getattr(value, "__name__", name),
                    "method": remote_config.get("method"),
                    "path": remote_config.get("path"),
                    "local": bool(getattr(value, "__flash_local__", False)),
                }
                | (  # run_projects: where the function lives and what @remote installs
                    {
                        "module": name.split(":", 1)[0],
                        "dependencies": _jsonable(remote_config.get("dependencies")),
                        "system_dependencies": _jsonable(remote_config.get("system_dependencies")),
                    }
                    if project
                    else {}
                )
            )
            value = cfg
        if isinstance(value, ServerlessResource) and id(value) not in endpoint_configs:
            legacy.setdefault(id(value), value)

    entries = [_endpoint_entry(ep, variables.get(id(ep), [])) for ep in created]
    entries += [
        _legacy_entry(cfg, variables.get(key, []), targets.get(key, []))
        for key, cfg in legacy.items()
    ]
    return entries


def _run_case(
    index: int, source: str, created: list[Any], recorder: oracle_sandbox.Recorder
) -> dict[str, Any]:
    import types
    import warnings

    created.clear()
    recorder.reset()
    module = types.ModuleType(f"flash_oracle_case_{index}")
    # A real file, so that inspect.getsource() works for SDK code that serialises functions.
    path = Path.cwd() / f"case_{index}.py"
    path.write_text(source, encoding="utf-8")
    module.__file__ = str(path)
    sys.modules[module.__name__] = module

    error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code = compile(source, str(path), "exec")
            with oracle_sandbox.Deadline(CASE_TIMEOUT_S):
                exec(code, module.__dict__)  # noqa: S102 - running the snippet is the point
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - every failure is the answer
            error = _describe(exc, "exec", str(path))
        endpoints = _collect(module.__dict__, list(created))

    if error is None:
        error = next((e["build_error"] for e in endpoints if e.get("build_error")), None)
    return {
        "error": error,
        "endpoints": endpoints,
        "warnings": [{"category": w.category.__name__, "message": str(w.message)} for w in caught],
        "logs": list(recorder.logs),
        "network": list(recorder.network),
    }


def _project_frame(tb: Any, root: str) -> tuple[str, int] | None:
    """The innermost traceback frame in a project file, as (relative path, line)."""
    found = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(root):
            found = (filename[len(root) :].lstrip("/\\"), tb.tb_lineno)
        tb = tb.tb_next
    return found


def _run_project(
    index: int,
    project: dict[str, Any],
    created: list[Any],
    sites: dict[int, tuple[str, int]],
    recorder: oracle_sandbox.Recorder,
) -> dict[str, Any]:
    import importlib
    import warnings

    created.clear()
    sites.clear()
    recorder.reset()
    base = Path.cwd() / f"project_{index}"
    for rel, text in project["files"].items():
        dest = base / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
    root = str(base) + os.sep
    _SITE_ROOT[0] = root
    roots = list(dict.fromkeys(str(base / r) for r, _ in project["imports"]))
    sys.path[:0] = roots
    saved_env = dict(os.environ)
    os.environ.update(project.get("env") or {})
    modules = []
    namespace: dict[str, Any] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _, name in project["imports"]:
            error = None
            try:
                with oracle_sandbox.Deadline(CASE_TIMEOUT_S):
                    module = importlib.import_module(name)
            except (Exception, SystemExit) as exc:  # noqa: BLE001 - the error is the answer
                error = _describe(exc, "import")
                where = _project_frame(exc.__traceback__, root)
                error["path"], error["line"] = where if where else (None, None)
            else:
                for key, value in vars(module).items():
                    if not key.startswith("__"):
                        namespace[f"{name}:{key}"] = value
            modules.append({"module": name, "error": error})
        endpoints = _collect(namespace, list(created), project=True)
    for entry, ep in zip(endpoints[: len(created)], created, strict=True):  # created first
        entry["site"] = sites.get(id(ep))
    for key, module in list(sys.modules.items()):
        # namespace packages (a directory without __init__.py) have no __file__, only __path__
        try:
            places = [
                getattr(module, "__file__", None) or "",
                *(getattr(module, "__path__", None) or []),
            ]
        except KeyError:  # a nested namespace package whose parent was dropped just before
            del sys.modules[key]
            continue
        if any(str(place).startswith(root) for place in places):
            del sys.modules[key]
    for path in roots:
        sys.path.remove(path)
    os.environ.clear()
    os.environ.update(saved_env)
    _SITE_ROOT[0] = None
    return {
        "modules": modules,
        "endpoints": endpoints,
        "warnings": [{"category": w.category.__name__, "message": str(w.message)} for w in caught],
        "logs": list(recorder.logs),
        "network": list(recorder.network),
    }


# The project directory whose frames `recording_init` reports as an Endpoint's site.
_SITE_ROOT: list[str | None] = [None]


def _child(result_path: str) -> int:
    import functools

    request = json.loads(sys.stdin.read())
    recorder = oracle_sandbox.Recorder("SDK oracle")
    recorder.install()
    try:
        from runpod_flash.endpoint import Endpoint
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.split(".")[0] == "runpod_flash":
            print(f"runpod_flash is not installed for {sys.executable}", file=sys.stderr)
            return _EXIT_SDK_MISSING
        raise

    created: list[Any] = []
    sites: dict[int, tuple[str, int]] = {}
    original_init = Endpoint.__init__

    # Inline `@Endpoint(...)` leaves no reference to the Endpoint object, only to the function
    # it decorated; recording every instance as it is made is the only way to report it.
    @functools.wraps(original_init)
    def recording_init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        created.append(self)
        if _SITE_ROOT[0] is not None:
            frame = sys._getframe(1)
            while frame is not None and not frame.f_code.co_filename.startswith(_SITE_ROOT[0]):
                frame = frame.f_back
            if frame is not None:
                rel = frame.f_code.co_filename[len(_SITE_ROOT[0]) :]
                sites[id(self)] = (rel.replace(os.sep, "/"), frame.f_lineno)

    Endpoint.__init__ = recording_init  # type: ignore[method-assign]

    if request["mode"] == "probe":
        namespace: dict[str, Any] = {"__name__": "flash_oracle_probe"}
        exec(compile(request["source"], "<probe>", "exec"), namespace)  # noqa: S102 - test probe
        result: Any = namespace.get("RESULT")
    elif request["mode"] == "projects":
        result = [
            _run_project(i, project, created, sites, recorder)
            for i, project in enumerate(request["projects"])
        ]
    else:
        result = [
            _run_case(i, source, created, recorder) for i, source in enumerate(request["cases"])
        ]
    Path(result_path).write_text(json.dumps(result, default=repr), encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        sys.exit(_child(sys.argv[2]))
    sys.exit("usage: sdk_oracle.py --child RESULT_PATH  (a helper for the test suite)")
