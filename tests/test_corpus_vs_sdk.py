"""Every corpus project through the real SDK: each value flash-guard resolves must be what the SDK
builds (issue 11 item 6).

The Flash oracle (tests/sdk_oracle.py `run_projects`) imports every module of every runpod_flash
/ tetra_rp project, each app's directory on sys.path, in one sandboxed child; the runpod 2.0
oracle (tests/sdk2_oracle.py `run_discovery_many`) runs the SDK's own app discovery on every
2.0 project. Neither sandbox holds any variable the projects read, so an environment read with a
default builds its default, which is what flash-guard decides on.

For each declaration flash-guard lists, every parameter it resolved (a known value, defaults
included) is compared with what the SDK built; unresolved values are not compared. A declaration
the SDK never built must be explained by a flash-guard finding: FG301 (built at run time or
never at import), or, when a module cannot be imported, a deploy-breaker (FG2xx) on that file.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from sdk2_oracle import run_discovery_many_or_skip
from sdk_oracle import run_projects_or_skip

from flash_guard.discover.analysis import analyse
from flash_guard.model import EnumRef, Opaque, Value
from flash_guard.project.apps import AppMap
from flash_guard.sdk import flash_tables
from flash_guard.sdk import runpod2_tables as rp2_tables

CORPUS = Path(__file__).parent / "corpus"
PROJECTS = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.yaml").is_file())
_FLASH = re.compile(
    r"^\s*(?:from|import)\s+(?:runpod_flash|tetra_rp)\b|import_module\(\s*['\"]runpod_flash", re.M
)
_REQUIRED = re.compile(r"os\.environ\[\s*['\"](\w+)['\"]\s*\]")
# Variables a project reads with no default whose value must be usable (the deployment sets
# them); flash-guard reports each such read as FG002 and never compares a value built from it.
REQUIRED_ENV = {"env-wrapper-helpers": {"GPU_POOL": "ADA_24"}}
_RP2 = re.compile(r"^\s*(?:import\s+runpod\b(?!_)|from\s+runpod(?:\.apps)?\s+import\b)", re.M)


def _sources(slug: str) -> dict[str, str]:
    root = CORPUS / slug
    return {
        p.relative_to(root).as_posix(): p.read_text("utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "expected.yaml"
    }


def _uses(pattern: re.Pattern, files: dict[str, str]) -> bool:
    return any(pattern.search(text) for rel, text in files.items() if rel.endswith(".py"))


FLASH_PROJECTS = [s for s in PROJECTS if _uses(_FLASH, _sources(s))]
RP2_PROJECTS = [s for s in PROJECTS if _uses(_RP2, _sources(s))]


def _rp2_only(text: str) -> bool:
    return bool(_RP2.search(text)) and not _FLASH.search(text)


def _is_tetra(files: dict[str, str]) -> bool:
    return any("tetra_rp" in text for rel, text in files.items() if rel.endswith(".py"))


def _flash_requests(slug: str) -> list[dict]:
    """One import session per app (each is deployed on its own, and two apps may both have a
    `worker.py`): the project's files (tetra_rp read as its successor runpod_flash, which the
    test venv has) and every module of the app, imported from the app's directory."""
    files = _sources(slug)
    if _is_tetra(files):
        files = {k: v.replace("tetra_rp", "runpod_flash") for k, v in files.items()}
    apps = AppMap(CORPUS / slug)
    imports: dict[str, list] = {}
    for rel in files:
        if not rel.endswith(".py"):
            continue
        app = apps.app_of(rel)
        inner = rel if app == "." else rel[len(app) + 1 :]
        parts = inner[: -len(".py")].split("/")
        if parts[-1] == "__init__":
            parts.pop()
        if parts:
            imports.setdefault(app, []).append([app, ".".join(parts)])
    env = {**_required_env(files), **REQUIRED_ENV.get(slug, {})}
    return [{"files": files, "imports": i, "env": env} for i in imports.values()]


def _required_env(files: dict[str, str]) -> dict[str, str]:
    """A placeholder for each variable read without a default (`os.environ["K"]`), which
    the deploy environment must provide: flash-guard never resolves a value from it, so the
    placeholder cannot make a compared value agree."""
    keys = set()
    for rel, text in files.items():
        if rel.endswith(".py"):
            keys |= set(_REQUIRED.findall(text))
    return {k: "1" for k in sorted(keys)}


@pytest.fixture(scope="module")
def flash_sdk() -> dict[str, dict]:
    """Every app of every project in one child; the apps' results merged per project."""
    requests = {slug: _flash_requests(slug) for slug in FLASH_PROJECTS}
    results = iter(run_projects_or_skip([r for rs in requests.values() for r in rs]))
    merged = {}
    for slug, rs in requests.items():
        parts = [next(results) for _ in rs]
        merged[slug] = {key: [x for part in parts for x in part[key]] for key in parts[0]}
    return merged


@pytest.fixture(scope="module")
def rp2_sdk() -> dict[str, dict]:
    projects = [_sources(s) for s in RP2_PROJECTS]
    # one child for all: the placeholders of every project's required variables
    env = {k: v for files in projects for k, v in _required_env(files).items()}
    results = run_discovery_many_or_skip(projects, env=env)
    return dict(zip(RP2_PROJECTS, results, strict=True))


@pytest.fixture(scope="module")
def guard(tmp_path_factory):
    """flash-guard's model and findings for a copy of the project (outside this repository,
    so that no configuration above it applies)."""
    cache: dict[str, tuple] = {}

    def run(slug: str):
        if slug not in cache:
            root = tmp_path_factory.mktemp("corpus") / slug
            shutil.copytree(CORPUS / slug, root, ignore=shutil.ignore_patterns("expected.yaml"))
            analysis = analyse([str(root)], root, [], False)
            cache[slug] = (analysis.endpoints, _findings(root))
        return cache[slug]

    return run


def _findings(root: Path) -> list[dict]:
    import contextlib
    import io
    import os

    from flash_guard.cli import main

    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(["check", "--format", "json", "--fail-on", "never", "."])
    finally:
        os.chdir(cwd)
    assert code == 0
    return json.loads(out.getvalue())["findings"]


# ---------------------------------------------------------------------------------------------
# Resolved values of the model, in the SDK's terms. `_UNRESOLVED` marks "not compared".

_UNRESOLVED = object()
_DEPLOY_BREAKERS = tuple(f"FG2{n:02d}" for n in range(100))


def _plain(value):
    """The value with nested Values unwrapped; _UNRESOLVED if any part is unknown."""
    if isinstance(value, Value):
        return _plain(value.value) if value.known else _UNRESOLVED
    if isinstance(value, EnumRef):
        return value.member
    if isinstance(value, (list, tuple)):
        items = [_plain(v) for v in value]
        return _UNRESOLVED if _UNRESOLVED in items else items
    if isinstance(value, dict):
        items = {k: _plain(v) for k, v in value.items()}
        return _UNRESOLVED if _UNRESOLVED in items.values() else items
    if isinstance(value, Opaque):
        return value
    return value


def _param(ep, key: str, *, written_only: bool):
    value = ep.params.get(key)
    if value is None or (written_only and value.defaulted):
        return _UNRESOLVED
    return _plain(value)


def _volume_names(raw) -> list | object:
    names = []
    for item in raw:
        if not isinstance(item, Opaque):
            return _UNRESOLVED
        name = _plain(item.kwargs.get("name") or item.kwargs.get("id"))
        if name is _UNRESOLVED:
            return _UNRESOLVED
        names.append(name)
    return sorted(names)


def _guard_values(ep, *, written_only: bool) -> dict:
    """Every comparable parameter flash-guard resolved."""
    out = {}
    simple = (
        "name",
        "idle_timeout",
        "execution_timeout_ms",
        "gpu_count",
        "flashboot",
        "scaler_type",
        "scaler_value",
        "min_cuda_version",
        "max_concurrency",
        "dependencies",
        "system_dependencies",
    )
    for key in simple:
        out[key] = _param(ep, key, written_only=written_only)
    workers = _param(ep, "workers", written_only=written_only)
    if isinstance(workers, dict) and "shape" not in workers:
        out["workers"] = [workers["min"], workers["max"]]
    for key in ("gpu", "cpu", "datacenter"):
        # an unset datacenter is "anywhere": flash-guard lists every datacenter, the SDK
        # object holds None (GPU Endpoint) or the full list; only a written one is compared
        raw = _param(ep, key, written_only=written_only or key == "datacenter")
        out[key] = sorted(raw) if isinstance(raw, list) else _UNRESOLVED
    if ep.compute == "cpu":
        out["gpu"] = _UNRESOLVED  # a CPU endpoint keeps gpus on the object but never sends it
    else:
        out["cpu"] = _UNRESOLVED
    env = _param(ep, "env", written_only=written_only)
    out["env"] = env if isinstance(env, dict) else _UNRESOLVED
    volume = _param(ep, "volume", written_only=written_only)
    out["volume"] = _volume_names(volume) if isinstance(volume, list) else _UNRESOLVED
    gpu_known = out["gpu"] is not _UNRESOLVED or ep.params.get("gpu") is None
    cpu_known = out["cpu"] is not _UNRESOLVED or ep.params.get("cpu") is None
    out["is_cpu"] = (ep.compute == "cpu") if gpu_known and cpu_known else _UNRESOLVED
    return {k: v for k, v in out.items() if v is not _UNRESOLVED}


def _sdk_values(entry: dict) -> dict:
    resource = entry.get("resource") or {}
    legacy = entry["api"] == "legacy"
    volumes = (
        [v["name"] or v["id"] for v in resource.get("networkVolumes") or []]
        if legacy
        else entry.get("volumes") or []
    )
    gpus = resource.get("gpus") if resource else entry.get("gpu")
    return {
        "name": entry["name"],
        "idle_timeout": entry["idle_timeout"],
        "execution_timeout_ms": entry["execution_timeout_ms"],
        "gpu_count": resource.get("gpuCount") if legacy else entry.get("gpu_count"),
        "flashboot": resource.get("flashboot") if legacy else entry.get("flashboot"),
        "scaler_type": resource.get("scalerType") if legacy else entry.get("scaler_type"),
        "scaler_value": resource.get("scalerValue") if legacy else entry.get("scaler_value"),
        "min_cuda_version": (
            resource.get("minCudaVersion") if legacy else entry.get("min_cuda_version")
        ),
        "max_concurrency": entry.get("max_concurrency"),
        # the oracle reports a legacy config's fields, not its `@remote` build options
        **(
            {}
            if legacy
            else {
                "dependencies": entry.get("dependencies"),
                "system_dependencies": entry.get("system_dependencies"),
            }
        ),
        "workers": [entry["workers_min"], entry["workers_max"]],
        "gpu": sorted(gpus or []),
        "cpu": sorted(entry.get("cpu") or []),
        "datacenter": sorted(
            (resource.get("datacenter") if legacy else entry.get("datacenter")) or []
        ),
        "env": (resource.get("env") if legacy else entry.get("env")) or {},
        "volume": sorted(volumes),
        "is_cpu": entry["is_cpu"],
    }


def _differences(ep, entry: dict, *, written_only: bool) -> list[str]:
    ours = _guard_values(ep, written_only=written_only)
    built = _sdk_values(entry)
    return [
        f"{key}: flash-guard {value!r}, SDK {built.get(key)!r}"
        for key, value in ours.items()
        if key in built and _normal(key, value) != _normal(key, built[key])
    ]


# A string the SDK accepts for an enum parameter, by the enum's value -> member name.
_BY_VALUE = {
    "gpu": {v: k for k, v in flash_tables.GPU_TYPE_VALUES.items()},
    "cpu": {v: k for k, v in flash_tables.CPU_INSTANCE_TYPES.items()},
    "datacenter": {v: k for k, v in flash_tables.DATACENTERS.items()},
}


def _normal(key: str, value):
    if key in _BY_VALUE and isinstance(value, list):
        members = {_BY_VALUE[key].get(v, v) for v in value}
        if key == "gpu" and "ANY" in members:
            # the SDK sends GpuGroup.ANY as every concrete pool
            members = (members - {"ANY"}) | (set(flash_tables.GPU_GROUPS) - {"ANY"})
        return sorted(members)
    if key in ("dependencies", "system_dependencies") and value is None:
        return []
    if key == "env" and isinstance(value, dict):
        return {k: str(v) for k, v in value.items()}
    return value


def _match(ep, built: list[dict]) -> dict | None:
    """The SDK entry built from flash-guard's declaration `ep`."""
    if ep.api == "endpoint":
        # the SDK reports where each Endpoint was constructed; factories construct it in the
        # factory body, which is where flash-guard locates the declaration too
        at = [
            e for e in built if e["api"] == "endpoint" and e.get("site") == [ep.path, ep.span.line]
        ]
        if len(at) > 1:
            name = _plain(ep.params.get("name"))
            at = [e for e in at if e["name"] == name] or at
        return at[0] if at else None
    name = _plain(ep.params.get("name"))
    legacy = [e for e in built if e["api"] == "legacy"]
    if ep.variable:
        by_var = [e for e in legacy if any(v.endswith(f":{ep.variable}") for v in e["variables"])]
        if len(by_var) == 1:
            return by_var[0]
    named = [e for e in legacy if e["name"] == name]
    return named[0] if named else None


def _explained(ep, findings: list[dict], codes: tuple[str, ...]) -> str | None:
    """The code of a finding on `ep` (by endpoint name, or at its line) among `codes`."""
    for f in findings:
        on_ep = f.get("endpoint") == ep.display_name or f["line"] == ep.span.line
        if f["code"] in codes and f["path"] == ep.path and on_ep:
            return f["code"]
    return None


def _compare_flash(slug: str, result: dict, endpoints, findings) -> tuple[list, dict]:
    """(problems, outcome per declaration): "compared N values", "FG301: not built at
    import", or "FGxxx: its module cannot be imported"."""
    ours = [e for e in endpoints if e.sdk in ("runpod_flash", "tetra_rp") and e.kind != "client"]
    built = [e for e in result["endpoints"] if not e["is_client"]]
    sources = _sources(slug)
    failed = {
        m["module"]: m["error"]
        for m in result["modules"]
        # a runpod 2.0 module cannot import in the Flash venv: the 2.0 oracle checks it
        if m["error"] and not _rp2_only(sources.get(m["error"].get("path") or "", ""))
    }
    written_only = _is_tetra(sources)
    problems, matched, outcomes = [], [], {}
    for ep in ours:
        label = f"{ep.display_name} ({ep.path}:{ep.span.line})"
        entry = _match(ep, built)
        if entry is None:
            # never built at import: flash-guard must say why
            module_error = any(err.get("path") in (ep.path, None) for err in failed.values())
            codes = ("FG301", *(_DEPLOY_BREAKERS if module_error else ()))
            why = _explained(ep, findings, codes)
            outcomes[label] = f"{why}: not built at import" if why else "SDK built nothing"
            if not why:
                problems.append(f"{label}: SDK built nothing")
            continue
        matched.append(id(entry))
        compared = _guard_values(ep, written_only=written_only)
        outcomes[label] = f"compared {len(compared)} values"
        problems += [f"{label} {d}" for d in _differences(ep, entry, written_only=written_only)]
    for entry in built:
        if id(entry) not in matched and not (entry["api"] == "legacy" and not entry["targets"]):
            problems.append(f"flash-guard did not list the SDK's {entry['api']} {entry['name']!r}")
    for module, err in failed.items():
        # a module the SDK cannot import is a deploy-breaker flash-guard must report there
        where = err.get("path")
        if not any(f["code"].startswith("FG2") and f["path"] == where for f in findings):
            problems.append(f"import {module} fails ({err['type']}: {err['message']}) unreported")
    return problems, outcomes


@pytest.mark.parametrize("slug", FLASH_PROJECTS)
def test_flash_values_equal_what_the_sdk_builds(slug, flash_sdk, guard):
    result = flash_sdk[slug]
    assert result["network"] == [], result["network"]
    problems, outcomes = _compare_flash(slug, result, *guard(slug))
    assert outcomes, "no declaration compared"
    assert not problems, "\n".join(problems)


def test_every_flash_project_is_compared(flash_sdk, guard):
    """The comparison is not vacuous: most declarations are built and compared value by
    value, and every other one is explained by a finding (printed with -s)."""
    assert len(FLASH_PROJECTS) >= 25
    outcomes = {}
    for slug in FLASH_PROJECTS:
        _, found = _compare_flash(slug, flash_sdk[slug], *guard(slug))
        outcomes.update({f"{slug}: {k}": v for k, v in found.items()})
    for label, outcome in sorted(outcomes.items()):
        print(f"{label}: {outcome}")
    compared = [int(v.split()[1]) for v in outcomes.values() if v.startswith("compared")]
    assert len(compared) >= 35 and sum(compared) >= 400, (len(compared), sum(compared))
    assert all(v.startswith(("compared", "FG")) for v in outcomes.values())


# ---------------------------------------------------------------------------------------------
# runpod 2.0 projects: the SDK's own app discovery, as `rp flash deploy` runs it.

_RP2_KIND = {"queue": "queue", "api": "load_balancer", "task": "task"}


def _rp2_values(ep) -> dict:
    """The resolved parameters of a 2.0 declaration, in the oracle record's terms."""
    out: dict = {"name": _plain(ep.name), "kind": ep.kind}
    gpu = _plain(ep.params["gpu"]) if ep.compute == "gpu" and "gpu" in ep.params else None
    if isinstance(gpu, list):
        out["gpu_pools"] = sorted(rp2_tables.ANY_GPU_POOLS) if "ANY" in gpu else sorted(set(gpu))
    cpu = _plain(ep.params.get("cpu")) if ep.compute == "cpu" else None
    if cpu is not None:
        out["cpu"] = cpu
    if ep.kind != "task":
        workers = _plain(ep.params.get("workers"))
        if isinstance(workers, dict) and "shape" not in workers:
            out["workers"] = [workers["min"], workers["max"]]
        for key in ("idle_timeout", "execution_timeout_ms"):
            out[key] = _plain(ep.params.get(key))
    env = ep.params.get("env")
    if env is not None and env.known:
        raw = env.value
        out["env"] = (
            None
            if raw is None
            else {
                k: isinstance(v.value, Opaque) and v.value.callee == "Secret"
                for k, v in raw.items()
            }
        )
    dc = _plain(ep.params.get("datacenter"))
    if dc is None or isinstance(dc, list):
        out["datacenters"] = (
            None
            if dc is None
            else [
                rp2_tables.DATACENTERS.get(d, str(d).strip().upper().replace("_", "-")) for d in dc
            ]
        )
    return {k: v for k, v in out.items() if v is not _UNRESOLVED}


def _rp2_record_values(record: dict) -> dict:
    env = record["env"]
    return {
        "name": record["name"],
        "kind": _RP2_KIND[record["kind"]],
        "gpu_pools": sorted(record["gpu_pools"]) if record["gpu_pools"] else None,
        "cpu": record["cpu"],
        "workers": record["workers"],
        "idle_timeout": record["idle_timeout"],
        "execution_timeout_ms": record["execution_timeout_ms"],
        "env": {k: v["secret"] for k, v in env.items()} if env else None,
        "datacenters": record["datacenters"],
    }


@pytest.mark.parametrize("slug", RP2_PROJECTS)
def test_rp2_values_equal_what_the_sdk_builds(slug, rp2_sdk, guard):
    result = rp2_sdk[slug]
    assert result["network"] == [], result["network"]
    endpoints, findings = guard(slug)
    ours = {
        (_plain(e.app_name), _plain(e.name)): e
        for e in endpoints
        if e.sdk == "runpod2" and e.kind != "client"
    }
    problems = []
    # discovery itself failed: the SDK deploys nothing, a deploy-breaker must say so
    if result["error"] is not None and not any(f["code"].startswith("FG2") for f in findings):
        problems.append(f"discovery fails ({result['error']}) unreported")
    records = [r for app in result["apps"] for r in app["resources"]]
    for record in records:
        ep = ours.pop((record["app"], record["name"]), None)
        if ep is None:
            problems.append(f"flash-guard did not list {record['app']}/{record['name']}")
            continue
        built = _rp2_record_values(record)
        problems += [
            f"{record['app']}/{record['name']} {key}: flash-guard {value!r}, SDK {built[key]!r}"
            for key, value in _rp2_values(ep).items()
            if value != built[key]
        ]
    for ep in ours.values():
        if not _explained(ep, findings, ("FG301", *_DEPLOY_BREAKERS)):
            problems.append(f"{ep.display_name} ({ep.path}:{ep.span.line}): SDK found nothing")
    assert not problems, "\n".join(problems)


def test_every_rp2_project_is_compared():
    assert len(RP2_PROJECTS) >= 7
