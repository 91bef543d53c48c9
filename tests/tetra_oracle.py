"""The real tetra-rp SDK (runpod-flash's former name) as a test oracle, in a sandboxed subprocess.

tetra-rp cannot share the test venv with runpod-flash (both pin `runpod`, and the two releases
this suite checks want different pins), so, like the runpod 2.0 oracle (tests/sdk2_oracle.py),
this one drives a separate interpreter: $FLASH_GUARD_TETRA_PYTHON, else
<repo>/.venv-tetra/bin/python (made by .ci/run with tetra-rp==TETRA_RELEASE). Entry points:

`run_tetra_cases(cases)` executes each snippet as a fresh module and reports, per case:

    {"error": None | {"type", "message", "line"},
     "resources": [record, ...], "warnings": [...], "logs": [...], "network": [...]}

A resource record holds the legacy resource config a snippet bound to a name or used with
`@remote`: class, name, variables, targets ([{function, method, path}] for each @remote use),
is_load_balanced (isinstance LoadBalancerSlsResource, what `remote()` checks), the pydantic
fields the rules talk about (workersMin, workersMax, idleTimeout, executionTimeoutMs, gpus,
instanceIds, imageName, env, ...), extra (keywords kept without a field) and template:
{imageName, env} of the PodTemplate the config would deploy with (`_create_new_template()`,
offline).

`run_tetra_build(projects)` writes each project ({relative path: source}) into the sandbox and
runs what `flash build` (tetra_rp/cli/commands/build.py) does before installing anything:
load_ignore_patterns, get_file_tree, copy_project_files into a build directory, then
RemoteDecoratorScanner and ManifestBuilder. Per project:

    {"functions": [{function, module, resource, resource_type, is_load_balanced, method,
                    path}],
     "manifest": {...} | None, "error": None | {"type", "message"}, "logs", "network"}

`error` is what the build reports and exits 1 on ("Duplicate function name ...", a reserved
path, ...). `run_tetra_cases(..., sdk_in_project={".env": "..."})` installs the SDK inside the
case directory (a `.venv`-like path whose `tetra_rp` links to the real package) and writes the
given files beside it, so python-dotenv's `find_dotenv()`, which walks up from the SDK's own
directory, finds that `.env` as it does for a project with its own `.venv`.

The sandbox is the one both other oracles use (tests/oracle_sandbox.py): cwd and HOME are a
fresh temporary directory, the environment is rebuilt from scratch (no RUNPOD_API_KEY), and
every socket connect and DNS lookup raises and is recorded under "network".
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

# The -I child has no script directory on sys.path; it borrows it for this one import only.
_CHILD = __name__ == "__main__"
if _CHILD:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
import oracle_sandbox  # noqa: E402

if _CHILD:
    del sys.path[0]

REPO = Path(__file__).resolve().parent.parent
PYTHON_ENV_VAR = "FLASH_GUARD_TETRA_PYTHON"
# The release .ci/run installs: the one with `flash build`'s manifest checks (duplicate
# function names, reserved routes including /manifest) and the tetra-era defaults.
TETRA_RELEASE = "0.20.0"
TIMEOUT_S = 120.0
CASE_TIMEOUT_S = 30.0

_PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT")


class OracleError(RuntimeError):
    """The oracle subprocess itself failed (snippet failures are reported per case)."""


class SdkMissing(OracleError):
    """No tetra-rp interpreter is available."""


def tetra_python() -> Path:
    """$FLASH_GUARD_TETRA_PYTHON, else <repo>/.venv-tetra/bin/python (which may not exist)."""
    return oracle_sandbox.interpreter(PYTHON_ENV_VAR, ".venv-tetra")


def skip_or_fail(reason: str) -> None:
    oracle_sandbox.skip_or_fail(reason, "the tetra-rp interpreter")


def sandbox_env(home: str) -> dict[str, str]:
    return oracle_sandbox.sandbox_env(home, _PASSED_THROUGH, {"PYTHONNOUSERSITE": "1"})


def run_tetra_cases(
    cases: list[str], *, sdk_in_project: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """What tetra-rp builds for each snippet, in order; one subprocess for all."""
    request = {"mode": "cases", "cases": list(cases), "sdk_in_project": sdk_in_project}
    return _spawn(request)["result"]


def run_tetra_build(projects: list[dict[str, str]]) -> list[dict[str, Any]]:
    """`flash build`'s scan and manifest for each project, in one subprocess."""
    return _spawn({"mode": "build", "projects": [dict(p) for p in projects]})["result"]


def run_tetra_probe(source: str) -> Any:
    """Run `source` in the sandbox with tetra_rp importable; returns its JSON `RESULT`."""
    return _spawn({"mode": "probe", "source": source})["result"]


def sdk_version() -> str:
    return _spawn({"mode": "probe", "source": "RESULT = None"})["sdk_version"]


def or_skip(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """`fn(*args, **kwargs)`, skipping (failing under CI=true) when tetra-rp is missing."""
    try:
        return fn(*args, **kwargs)
    except SdkMissing as exc:
        skip_or_fail(str(exc))
        raise


def _spawn(request: dict[str, Any]) -> Any:
    python = tetra_python()
    if not python.exists():
        raise SdkMissing(
            f"tetra-rp interpreter not found at {python} (set {PYTHON_ENV_VAR} or create "
            f".venv-tetra with `pip install tetra-rp=={TETRA_RELEASE}`)"
        )
    try:
        return oracle_sandbox.spawn_child(
            [str(python), "-I", str(Path(__file__).resolve())],
            request,
            env_for=sandbox_env,
            timeout=TIMEOUT_S,
            prefix="flash-guard-tetra-",
        )
    except TimeoutError as exc:
        raise OracleError(f"tetra-rp oracle timed out after {TIMEOUT_S:.0f}s") from exc
    except oracle_sandbox.ChildFailed as exc:
        if exc.missing:
            raise SdkMissing(str(exc) or f"tetra-rp is not installed for {python}") from exc
        raise OracleError(f"tetra-rp oracle {exc}") from exc


# ---------------------------------------------------------------------------------------------
# Everything below runs in the tetra-rp child interpreter only.


_jsonable = oracle_sandbox.jsonable


def _describe(exc: BaseException, source_file: str | None = None) -> dict[str, Any]:
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if source_file and tb.tb_frame.f_code.co_filename == source_file:
            line = tb.tb_lineno
        tb = tb.tb_next
    return {"type": type(exc).__name__, "message": str(exc), "line": line}


_FIELDS = (
    "name",
    "workersMin",
    "workersMax",
    "idleTimeout",
    "executionTimeoutMs",
    "gpus",
    "gpuCount",
    "instanceIds",
    "imageName",
    "templateId",
    "env",
    "scalerType",
    "scalerValue",
    "flashboot",
    "locations",
    "networkVolume",
)


def _template(cfg: Any) -> dict[str, Any]:
    """The PodTemplate the config deploys with, built the way deploy builds it (offline)."""
    try:
        template = cfg.template or cfg._create_new_template()
    except Exception as exc:  # noqa: BLE001 - the error is the answer
        return {"error": _describe(exc)}
    pairs = getattr(template, "env", None) or []
    return {
        "imageName": getattr(template, "imageName", None),
        "env": {p.key: p.value for p in pairs},
    }


def _record(cfg: Any, variables: list[str], targets: list[dict[str, Any]]) -> dict[str, Any]:
    from tetra_rp.core.resources import LoadBalancerSlsResource

    record = {n: _jsonable(getattr(cfg, n, None)) for n in _FIELDS}
    record.update(
        {
            "class": type(cfg).__name__,
            "variables": sorted(variables),
            "targets": targets,
            "is_load_balanced": isinstance(cfg, LoadBalancerSlsResource),
            # keywords the class kept although it has no such field (pydantic extra="allow")
            "extra": _jsonable(getattr(cfg, "model_extra", None) or {}),
            "template": _template(cfg),
        }
    )
    return record


def _collect(namespace: dict[str, Any]) -> list[dict[str, Any]]:
    from tetra_rp.core.resources import ServerlessResource

    variables: dict[int, list[str]] = {}
    targets: dict[int, list[dict[str, Any]]] = {}
    configs: dict[int, Any] = {}
    for name, value in namespace.items():
        if name.startswith("__"):
            continue
        remote_config = getattr(value, "__remote_config__", None)
        if isinstance(remote_config, dict):
            cfg = remote_config.get("resource_config")
            targets.setdefault(id(cfg), []).append(
                {
                    "function": getattr(value, "__name__", name),
                    "method": remote_config.get("method"),
                    "path": remote_config.get("path"),
                }
            )
            configs.setdefault(id(cfg), cfg)
        elif isinstance(value, ServerlessResource):
            variables.setdefault(id(value), []).append(name)
            configs.setdefault(id(value), value)
    return [
        _record(cfg, variables.get(key, []), targets.get(key, [])) for key, cfg in configs.items()
    ]


def _run_case(index: int, source: str, case_dir: Path, recorder: Any) -> dict[str, Any]:
    import types
    import warnings

    recorder.reset()
    module = types.ModuleType(f"tetra_oracle_case_{index}")
    path = case_dir / f"case_{index}.py"
    path.write_text(source, encoding="utf-8")
    module.__file__ = str(path)
    sys.modules[module.__name__] = module
    error, resources = None, []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with oracle_sandbox.Deadline(CASE_TIMEOUT_S):
                exec(compile(source, str(path), "exec"), module.__dict__)  # noqa: S102
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - the error is the answer
            error = _describe(exc, str(path))
        resources = _collect(module.__dict__)
    sys.modules.pop(module.__name__, None)
    return {
        "error": error,
        "resources": resources,
        "warnings": [{"category": w.category.__name__, "message": str(w.message)} for w in caught],
        "logs": list(recorder.logs),
        "network": list(recorder.network),
    }


def _write(root: Path, files: dict[str, str]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        dest = root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")


def _install_sdk_in(project: Path) -> None:
    """Make `import tetra_rp` load through <project>/.venv/site/tetra_rp (a link to the real
    package): the SDK's frames then have file names under the project, as in a project venv."""
    import importlib.util

    spec = importlib.util.find_spec("tetra_rp")
    real = Path(next(iter(spec.submodule_search_locations)))
    site = project / ".venv" / "site"
    site.mkdir(parents=True)
    (site / "tetra_rp").symlink_to(real, target_is_directory=True)
    sys.path.insert(0, str(site))


def _build(index: int, files: dict[str, str], recorder: Any) -> dict[str, Any]:
    from tetra_rp.cli.commands.build import copy_project_files
    from tetra_rp.cli.commands.build_utils.manifest import ManifestBuilder
    from tetra_rp.cli.commands.build_utils.scanner import RemoteDecoratorScanner
    from tetra_rp.cli.utils.ignore import get_file_tree, load_ignore_patterns

    recorder.reset()
    project = Path.cwd() / f"build_{index}" / "project"
    _write(project, files)
    build_dir = project / ".flash" / ".build" / "project"
    build_dir.mkdir(parents=True)
    functions, manifest, error = [], None, None
    try:
        with oracle_sandbox.Deadline(CASE_TIMEOUT_S):
            copy_project_files(
                get_file_tree(project, load_ignore_patterns(project)), project, build_dir
            )
            found = RemoteDecoratorScanner(build_dir).discover_remote_functions()
            functions = [
                {
                    "function": f.function_name,
                    "module": f.module_path,
                    "resource": f.resource_config_name,
                    "resource_type": f.resource_type,
                    "is_load_balanced": f.is_load_balanced,
                    "method": f.http_method,
                    "path": f.http_path,
                }
                for f in found
            ]
            if found:  # build.py builds the manifest only when something was found
                manifest = ManifestBuilder("project", found).build()
                manifest.pop("generated_at", None)
    except Exception as exc:  # noqa: BLE001 - build.py exits 1 on these: the error is the answer
        error = {"type": type(exc).__name__, "message": str(exc)}
    return {
        "functions": functions,
        "manifest": manifest,
        "error": error,
        "logs": list(recorder.logs),
        "network": list(recorder.network),
    }


def _child(result_path: str) -> int:
    import importlib.metadata
    import importlib.util

    request = json.loads(sys.stdin.read())
    recorder = oracle_sandbox.Recorder("tetra-rp oracle")
    recorder.install()
    if importlib.util.find_spec("tetra_rp") is None:
        print(f"tetra_rp is not installed for {sys.executable}", file=sys.stderr)
        return oracle_sandbox.EXIT_SDK_MISSING
    case_dir = Path.cwd() / "cases"
    case_dir.mkdir()
    if request.get("sdk_in_project") is not None:
        # before the first import: tetra_rp/__init__.py runs load_dotenv() itself
        _write(case_dir, request["sdk_in_project"])
        _install_sdk_in(case_dir)
    import tetra_rp  # noqa: F401 - the import (and its load_dotenv) is part of what is checked

    if request["mode"] == "probe":
        namespace: dict[str, Any] = {"__name__": "tetra_oracle_probe"}
        exec(compile(request["source"], "<probe>", "exec"), namespace)  # noqa: S102 - test probe
        result: Any = namespace.get("RESULT")
    elif request["mode"] == "build":
        result = [_build(i, files, recorder) for i, files in enumerate(request["projects"])]
    else:
        result = [_run_case(i, src, case_dir, recorder) for i, src in enumerate(request["cases"])]
    out = {"sdk_version": importlib.metadata.version("tetra-rp"), "result": result}
    Path(result_path).write_text(json.dumps(out, default=repr), encoding="utf-8")
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        sys.exit(_child(sys.argv[2]))
    sys.exit("usage: tetra_oracle.py --child RESULT_PATH  (a helper for the test suite)")
