"""Differential test: flash-guard's static verdicts against the real SDK's objects.

Each case is a small project. flash-guard analyses it statically; the SDK oracle
(tests/sdk_oracle.py) executes the same declarations in a sandboxed subprocess (for a
multi-file project, the modules concatenated in dependency order with the project-internal
imports removed). For every deployable endpoint the SDK built, flash-guard must agree on
workers min/max, idle timeout, execution timeout, gpu/cpu and queue/load-balanced.
"""

from __future__ import annotations

import json
import re
import textwrap

import pytest
from sdk_oracle import run_oracle_or_skip

CASES: dict[str, dict[str, str]] = {
    # A project factory: used as a decorator, and bound to a name; `**options` collects the
    # caller's keywords.
    "factory-decorator": {
        "w.py": """
        from runpod_flash import Endpoint, GpuType
        def gpu_endpoint(name, **options):
            return Endpoint(name=name, gpu=GpuType.NVIDIA_L4, workers=(1, 3), **options)
        @gpu_endpoint("fd-deco", idle_timeout=1500, execution_timeout_ms=60000)
        async def f(x): ...
        embed = gpu_endpoint("fd-var", idle_timeout=900)
        @embed
        async def g(x): ...
        """
    },
    # A registry of endpoints built by a dict comprehension over `.items()` (two loop names),
    # each applied with `@REGISTRY["key"]`: the decorated functions are module-level, so the
    # 1.21 scanner deploys both.
    "registry-comprehension-subscript-decorator": {
        "w.py": """
        from runpod_flash import Endpoint, GpuType
        MODELS = {"qwen": (GpuType.NVIDIA_A40, 1), "llama": (GpuType.NVIDIA_L4, 0)}
        REGISTRY = {
            key: Endpoint(name=f"chat-{key}", gpu=spec[0], workers=(spec[1], 2), idle_timeout=900)
            for key, spec in MODELS.items()
        }
        @REGISTRY["qwen"]
        async def qwen(x): ...
        @REGISTRY["llama"]
        async def llama(x): ...
        """
    },
    # A compat shim that reads the SDK module's names with getattr (one with a default).
    "getattr-shim": {
        "w.py": """
        import importlib
        def load():
            flash = importlib.import_module("runpod_flash")
            return getattr(flash, "Endpoint"), getattr(flash, "GpuType", None)
        Endpoint, GpuType = load()
        @Endpoint(name="getattr-shim", gpu=GpuType.NVIDIA_L4, workers=(1, 2), idle_timeout=900)
        async def f(x): ...
        """
    },
    "unpacked-loader": {
        "common/__init__.py": "",
        "common/loader.py": """
        def load_flash():
            from runpod_flash import Endpoint, GpuType
            return Endpoint, GpuType
        """,
        "w.py": """
        from common.loader import load_flash
        Endpoint, GpuType = load_flash()
        MIN_W, MAX_W = 1, 3
        IDLE, TIMEOUT_MS = (900, 120000)
        @Endpoint(name="unpacked", gpu=GpuType.NVIDIA_L4, workers=(MIN_W, MAX_W),
                  idle_timeout=IDLE, execution_timeout_ms=TIMEOUT_MS)
        async def f(x): ...
        """,
    },
    "functools-partial": {
        "w.py": """
        import functools
        from runpod_flash import Endpoint, GpuType
        gpu_endpoint = functools.partial(Endpoint, gpu=GpuType.NVIDIA_L4, workers=(1, 3),
                                         idle_timeout=900)
        @gpu_endpoint(name="partial-a", execution_timeout_ms=120000)
        async def f(x): ...
        @gpu_endpoint(name="partial-b", workers=(0, 2))
        async def g(x): ...
        """,
    },
    "A-defaults": {
        "w.py": """
        from runpod_flash import Endpoint
        @Endpoint(name="a-defaults")
        async def f(x): ...
        """
    },
    "A-int-workers": {
        "w.py": """
        from runpod_flash import Endpoint, GpuType
        @Endpoint(name="a-int", gpu=GpuType.NVIDIA_L4, workers=5, idle_timeout=900,
                  execution_timeout_ms=120000)
        async def f(x): ...
        """
    },
    "A-list-workers": {
        "w.py": """
        from runpod_flash import Endpoint, GpuGroup
        @Endpoint(name="a-list", gpu=[GpuGroup.ADA_24, GpuGroup.AMPERE_48], workers=[2, 4])
        def f(x): ...
        """
    },
    "B-class": {
        "w.py": """
        from runpod_flash import Endpoint, GpuType
        @Endpoint(name="b-class", gpu=GpuType.NVIDIA_A40, workers=(1, 3), idle_timeout=1200)
        class Model:
            def __init__(self): ...
            async def predict(self, x): ...
        """
    },
    "C-variable": {
        "w.py": """
        from runpod_flash import Endpoint
        ep = Endpoint(name="c-var", cpu="cpu3c-2-4", workers=(0, 2), idle_timeout=300)
        @ep
        async def f(x): ...
        """
    },
    "D-load-balancer": {
        "w.py": """
        from runpod_flash import Endpoint, CpuInstanceType
        api = Endpoint(name="d-lb", cpu=CpuInstanceType.CPU3C_1_2, workers=(1, 4),
                       idle_timeout=1500, execution_timeout_ms=30000)
        @api.get("/health")
        async def health(): ...
        @api.post("/run")
        async def run(data): ...
        """
    },
    "D-gpu-load-balancer": {
        "w.py": """
        import runpod_flash as rf
        api = rf.Endpoint(name="d-gpu-lb", gpu=rf.GpuType.NVIDIA_L4, workers=2)
        @api.put("/item")
        async def put(data): ...
        """
    },
    "E-image": {
        "w.py": """
        from runpod_flash import Endpoint, GpuGroup
        vllm = Endpoint(name="e-image", image="vllm/vllm-openai:latest", gpu=GpuGroup.ADA_80_PRO,
                        workers=(0, 2), idle_timeout=600)
        """
    },
    "F-client": {
        "w.py": """
        from runpod_flash import Endpoint
        client = Endpoint(id="abc123")
        """
    },
    "G-legacy-variable": {
        "w.py": """
        from runpod_flash import remote, LiveServerless, GpuGroup
        cfg = LiveServerless(name="g-legacy", gpus=[GpuGroup.ADA_24], workersMin=1, workersMax=3,
                             idleTimeout=900, executionTimeoutMs=60000)
        @remote(resource_config=cfg, dependencies=["torch"])
        async def f(x): ...
        """
    },
    "G-legacy-inline-cpu": {
        "w.py": """
        from runpod_flash import remote, CpuLiveServerless, CpuInstanceType
        @remote(CpuLiveServerless(name="g-inline-cpu", instanceIds=[CpuInstanceType.CPU3G_2_8]))
        def f(x): ...
        """
    },
    "G-legacy-custom-image": {
        "w.py": """
        from runpod_flash import remote, ServerlessEndpoint
        @remote(ServerlessEndpoint(name="g-image", imageName="me/worker:1", workersMax=4))
        def f(x): ...
        """
    },
    "H-legacy-lb": {
        "w.py": """
        from runpod_flash import remote, LiveLoadBalancer
        lb = LiveLoadBalancer(name="h-lb", workersMin=1, workersMax=2)
        @remote(lb, method="GET", path="/health")
        async def health(): ...
        """
    },
    "H-legacy-cpu-lb": {
        "w.py": """
        from runpod_flash import remote, CpuLiveLoadBalancer
        @remote(CpuLiveLoadBalancer(name="h-cpu-lb", idleTimeout=1800), method="POST", path="/x")
        async def x(data): ...
        """
    },
    # `remote(cfg)(fn)`: the legacy decorator applied without `@`, the result bound to a
    # module-level name (the 1.21 scanner finds it by its `__remote_config__`).
    "H-legacy-applied-without-at": {
        "w.py": """
        from runpod_flash import remote, LiveServerless, CpuLiveLoadBalancer, GpuGroup
        cfg = LiveServerless(name="h-applied", gpus=[GpuGroup.ADA_24], workersMin=1,
                             workersMax=2, idleTimeout=900, executionTimeoutMs=60000)
        lb = CpuLiveLoadBalancer(name="h-applied-lb", workersMin=1, idleTimeout=1200)
        def work(x): ...
        async def ping(): ...
        gpu_work = remote(cfg)(work)
        health = remote(lb, method="GET", path="/health")(ping)
        """
    },
    "I-local": {
        "w.py": """
        from runpod_flash import remote, LiveServerless
        @remote(LiveServerless(name="i-local", workersMax=2), local=True)
        def f(x): ...
        """
    },
    "J-legacy-instance-ids": {
        "w.py": """
        from runpod_flash import remote, LiveServerless, CpuInstanceType
        @remote(LiveServerless(name="j-cpu", instanceIds=[CpuInstanceType.CPU5C_8_16]))
        async def f(x): ...
        """
    },
    "resolve-constants-spread": {
        "w.py": """
        from runpod_flash import Endpoint, GpuType
        MINUTE_MS = 60 * 1000
        BASE = dict(idle_timeout=20 * 60, workers=(1, 3))
        @Endpoint(name="r-spread", gpu=GpuType.NVIDIA_L4, execution_timeout_ms=15 * MINUTE_MS,
                  **BASE)
        async def f(x): ...
        """
    },
    "resolve-dict-literal-spread": {
        "w.py": """
        from runpod_flash import Endpoint
        COMMON = {"idle_timeout": 1000, "execution_timeout_ms": 5000}
        api = Endpoint(name="r-dict", cpu="cpu3c-1-2", workers=(1, 2), **COMMON)
        @api.get("/health")
        async def h(): ...
        """
    },
    "resolve-cross-module": {
        "settings.py": """
        from runpod_flash import GpuType
        GPU = GpuType.NVIDIA_L4
        WORKERS = (2, 5)
        IDLE = 15 * 60
        """,
        "worker.py": """
        from runpod_flash import Endpoint
        from settings import GPU, WORKERS, IDLE
        @Endpoint(name="r-cross", gpu=GPU, workers=WORKERS, idle_timeout=IDLE)
        async def f(x): ...
        """,
    },
    "resolve-routes-elsewhere": {
        "app.py": """
        from runpod_flash import Endpoint
        api = Endpoint(name="r-routes", cpu="cpu3c-1-2", workers=(1, 1), idle_timeout=1200)
        """,
        "routes.py": """
        from app import api
        @api.get("/health")
        async def health(): ...
        """,
    },
    # Routes registered without `@` (`api.get("/health")(health)`): the SDK registers them,
    # so the endpoint is load-balanced (and the build deploys the module-level handlers).
    "call-form-routes": {
        "w.py": """
        from runpod_flash import Endpoint
        api = Endpoint(name="call-form", cpu="cpu3c-2-4", workers=(1, 2), idle_timeout=1200)
        async def health(): ...
        async def echo(payload): ...
        api.get("/health")(health)
        api.post("/echo")(echo)
        """,
    },
    # Routes registered in module-level loops over known tables: one route per item at import
    # (the build keeps fewer: see test_loop_routes_build_as_the_sdk).
    "loop-routes": {
        "w.py": """
        from runpod_flash import Endpoint
        api = Endpoint(name="loop-routes", cpu="cpu3c-2-4", workers=(1, 2), idle_timeout=1200)
        async def a(): ...
        async def b(): ...
        def make_handler(n):
            async def handler(payload): return n
            return handler
        for _name in ["small", "large"]:
            api.post(f"/models/{_name}")(make_handler(_name))
        ROUTES = [("/a", a), ("/b", b)]
        for _path, _fn in ROUTES:
            api.get(_path)(_fn)
        del _path, _fn
        for _n in ("x", "y"):
            @api.put(f"/put/{_n}")
            async def put(payload): ...
        """,
    },
}


def _project_modules(files: dict[str, str]) -> set[str]:
    return {name[:-3].replace("/", ".") for name in files}


def oracle_snippet(files: dict[str, str]) -> str:
    """The project as one module: files in order, project-internal imports removed."""
    internal = _project_modules(files)
    pattern = re.compile(r"^from\s+(\.?[\w.]*)\s+import\s+.*$", re.M)
    parts = []
    for text in files.values():
        source = textwrap.dedent(text)
        source = pattern.sub(
            lambda m: "" if m.group(1).lstrip(".") in internal else m.group(0), source
        )
        parts.append(source)
    return "\n".join(parts)


def verdicts_from_guard(record: dict) -> dict:
    params = record["params"]
    workers = params["workers"]["value"]
    return {
        "workers_min": workers["min"],
        "workers_max": workers["max"],
        "idle_timeout": params["idle_timeout"]["value"],
        "execution_timeout_ms": params["execution_timeout_ms"]["value"],
        "cpu": record["compute"] == "cpu",
        "load_balanced": record["kind"] == "load_balancer",
    }


def verdicts_from_sdk(entry: dict) -> dict:
    return {
        "workers_min": entry["workers_min"],
        "workers_max": entry["workers_max"],
        "idle_timeout": entry["idle_timeout"],
        "execution_timeout_ms": entry["execution_timeout_ms"],
        "cpu": bool(entry["is_cpu"]),
        "load_balanced": bool(entry["is_load_balanced"]),
    }


@pytest.fixture(scope="module")
def sdk_results():
    return dict(
        zip(CASES, run_oracle_or_skip([oracle_snippet(f) for f in CASES.values()]), strict=True)
    )


@pytest.mark.parametrize("case", list(CASES))
def test_static_verdicts_equal_the_sdk(case, sdk_results, project, run_cli):
    files = CASES[case]
    sdk = sdk_results[case]
    assert sdk["error"] is None, sdk["error"]
    root = project(files)
    code, out, err = run_cli(["endpoints", "--format", "json", "."], root)
    assert code == 0, err
    guard = {r["name"]: r for r in json.loads(out)["endpoints"] if r["kind"] != "client"}
    built = {e["name"]: e for e in sdk["endpoints"] if not e["is_client"] or e.get("image")}
    # Both sides see the same deployable endpoints...
    assert sorted(guard) == sorted(built)
    # ...and agree on every verdict for each of them.
    for name, entry in built.items():
        assert verdicts_from_guard(guard[name]) == verdicts_from_sdk(entry), name


def test_clients_are_never_deployments(sdk_results, project, run_cli):
    sdk = sdk_results["F-client"]
    assert [e["is_client"] for e in sdk["endpoints"]] == [True]
    code, out, _ = run_cli(["endpoints", "--format", "json", "."], project(CASES["F-client"]))
    assert [r["kind"] for r in json.loads(out)["endpoints"]] == ["client"]


def test_call_form_routes_are_the_sdks(sdk_results, project, run_cli):
    """`api.get(path)(fn)` registers the same routes as `@api.get(path)`."""
    (entry,) = sdk_results["call-form-routes"]["endpoints"]
    code, out, _ = run_cli(
        ["endpoints", "--format", "json", "."], project(CASES["call-form-routes"])
    )
    (record,) = json.loads(out)["endpoints"]
    sdk_routes = sorted((r["method"], r["path"], r["function"]) for r in entry["routes"])
    guard_routes = sorted((r["method"], r["path"], r["handler"]) for r in record["routes"])
    assert guard_routes == sdk_routes == [("GET", "/health", "health"), ("POST", "/echo", "echo")]


def test_loop_routes_are_the_sdks(sdk_results, project, run_cli):
    """A loop over a known table registers one route per item, each with its own path."""
    (entry,) = sdk_results["loop-routes"]["endpoints"]
    code, out, _ = run_cli(["endpoints", "--format", "json", "."], project(CASES["loop-routes"]))
    (record,) = json.loads(out)["endpoints"]
    sdk_routes = sorted((r["method"], r["path"]) for r in entry["routes"])
    guard_routes = sorted((r["method"], r["path"]) for r in record["routes"])
    assert guard_routes == sdk_routes
    assert len(sdk_routes) == 6


# What `flash build` (runpod-flash 1.21 RuntimeScanner + ManifestBuilder, offline) deploys of
# routes registered in a loop, against flash-guard's FG301 (a route not deployed) and FG204 (the
# build's 'Duplicate route').
LOOP_BUILDS = {
    # closures no module-level name holds: none is deployed
    "closures": """
        def make_handler(n):
            async def handler(payload): return n
            return handler
        for name in ("small", "large"):
            api.post(f"/models/{name}")(make_handler(name))
        """,
    # the loop variable still holds `b` after the loop: found under `b` and `fn`
    "table-loop-variable": """
        async def a(): ...
        async def b(): ...
        ROUTES = [("/a", a), ("/b", b)]
        for path, fn in ROUTES:
            api.get(path)(fn)
        """,
    "table-loop-variable-deleted": """
        async def a(): ...
        async def b(): ...
        ROUTES = [("/a", a), ("/b", b)]
        for path, fn in ROUTES:
            api.get(path)(fn)
        del path, fn
        """,
    # lambdas: only the loop variable holds one, the last
    "table-lambdas": """
        ROUTES = {"/a": lambda: 1, "/b": lambda: 2}
        for path, fn in ROUTES.items():
            api.get(path)(fn)
        """,
    # the def's name is rebound by each iteration
    "decorated-def": """
        for name in ["small", "large"]:
            @api.post(f"/models/{name}")
            async def run(payload): ...
        """,
    # one function under two paths: it keeps the last
    "same-function": """
        async def a(): ...
        for path in ("/a", "/b"):
            api.get(path)(a)
        """,
    # A route decorated in a function the module calls at import: registered when the call
    # runs, found only when a module-level name holds the handler the function returns.
    "function-called": """
        def register():
            @api.get("/status")
            async def status(): ...
        register()
        """,
    "function-called-bound": """
        def register():
            @api.get("/status")
            async def status(): ...
            return status
        status = register()
        """,
    "function-called-result-not-the-handler": """
        def register():
            @api.get("/status")
            async def status(): ...
            return 1
        done = register()
        """,
    # the loop shapes loops.py unrolls beyond a plain table: enumerate with a start, zip, a
    # literal table of pairs over several lines, nested loops, a nested target
    "enumerate-zip": """
        async def a(): ...
        async def b(): ...
        for i, fn in enumerate((a, b), start=1):
            api.get(f"/v{i}")(fn)
        del i, fn
        async def c(): ...
        async def d(): ...
        for path, fn in zip(["/c", "/d"], [c, d]):
            api.post(path)(fn)
        del path, fn
        """,
    "pairs-nested": """
        async def e(): ...
        async def f(): ...
        for path, fn in [
            ("/e", e),
            ("/f", f),
        ]:
            api.get(path)(fn)
        del path, fn
        for group in ("x", "y"):
            for verb in ("run", "stop"):
                @api.post(f"/{group}/{verb}")
                async def act(payload): ...
        for i, (path, fn) in enumerate([("/g", e), ("/h", f)]):
            api.put(path)(fn)
        """,
    # a loop in a module-level `if`/`try` that runs on the build machine: as at module level
    "in-branches": """
        import os
        async def a(): ...
        async def b(): ...
        if os.environ.get("FG_NEVER_SET") is None:
            for path, fn in (("/a", a), ("/b", b)):
                api.get(path)(fn)
            del path, fn
        async def c(): ...
        async def d(): ...
        try:
            for path, fn in {"/c": c, "/d": d}.items():
                api.post(path)(fn)
            del path, fn
        except ImportError:
            pass
        """,
}

LOOP_HEADER = (
    "from runpod_flash import Endpoint\n"
    'api = Endpoint(name="loopy", cpu="cpu3c-2-4", workers=(1, 2), idle_timeout=1200)\n'
    '@api.get("/health")\nasync def health(): ...\n'
)

LOOP_BUILD_PROBE = """
import json, pathlib, sys, tempfile
from runpod_flash.cli.commands.build_utils.manifest import ManifestBuilder
from runpod_flash.cli.commands.build_utils.scanner import RuntimeScanner
RESULT = {}
for name, text in json.loads(CASES).items():
    root = pathlib.Path(tempfile.mkdtemp())
    (root / "app.py").write_text(text)
    try:
        scanner = RuntimeScanner(root)
        functions = scanner.discover_remote_functions()
        assert not scanner.import_errors, scanner.import_errors
        manifest = ManifestBuilder("probe", functions, scanner=scanner, build_dir=root).build()
        routes = sorted((manifest.get("routes") or {}).get("loopy", {}))
        deployed = sorted(set(manifest.get("resources") or {}) | set(scanner.client_endpoints))
        RESULT[name] = {"routes": routes, "deployed": deployed, "error": None}
    except ValueError as exc:
        RESULT[name] = {"routes": None, "deployed": None, "error": str(exc)}
    finally:
        for module_name, module in list(sys.modules.items()):
            if str(getattr(module, "__file__", "") or "").startswith(str(root)):
                del sys.modules[module_name]
"""


@pytest.fixture(scope="module")
def loop_builds():
    from sdk_oracle import run_probe_or_skip

    projects = {k: LOOP_HEADER + textwrap.dedent(v) for k, v in LOOP_BUILDS.items()}
    return projects, run_probe_or_skip(
        f"CASES = {json.dumps(json.dumps(projects))}\n" + LOOP_BUILD_PROBE
    )


@pytest.mark.parametrize("case", list(LOOP_BUILDS))
def test_loop_routes_build_as_the_sdk(case, loop_builds, project, run_cli):
    projects, built = loop_builds
    sdk = built[case]
    code, out, _ = run_cli(
        ["check", "--format", "json", "--no-cache", "."], project({"app.py": projects[case]})
    )
    findings = json.loads(out)["findings"]
    routes = {f"{r['method']} {r['path']}" for r in _routes(project, run_cli, projects[case])}
    # A route in a module-level branch is deployed if the branch runs (it does here): FG301
    # says "only if", as for any declaration there, and the build keeps it.
    maybe = ("only if that branch runs", "if anything in that block raises")
    dropped = {
        m.group(1)
        for f in findings
        if f["code"] == "FG301"
        and (m := re.search(r"the route `(\w+ \S+)`", f["message"]))
        and not any(text in f["message"] for text in maybe)
    }
    if case == "in-branches":
        assert {m for f in findings if f["code"] == "FG301" for m in maybe if m in f["message"]}
    duplicates = [f for f in findings if f["code"] == "FG204"]
    assert not [f for f in findings if f["code"] == "FG002"]
    if sdk["error"] is not None:
        assert "Duplicate route" in sdk["error"]
        (finding,) = duplicates
        route = re.search(r"'Duplicate route '(\w+ \S+?)''", finding["message"]).group(1)
        assert f"Duplicate route '{route}'" in sdk["error"]
        return
    assert not duplicates
    assert sorted(routes - dropped) == sdk["routes"]


def _routes(project, run_cli, text):
    code, out, _ = run_cli(["endpoints", "--format", "json", "."], project({"app.py": text}))
    (record,) = json.loads(out)["endpoints"]
    return record["routes"]


# A `/health` only a loop registers, and the loop drops it (each iteration rebinds `check`):
# the build deploys GET /ready and POST /run, no health route, so FG109 fails.
HEALTH_DROPPED = """
from runpod_flash import Endpoint
api = Endpoint(name="loopy", cpu="cpu3c-2-4", workers=(1, 2), idle_timeout=1200)
for path in ("/health", "/ready"):
    @api.get(path)
    async def check(): ...
@api.post("/run")
async def run(payload): ...
"""

# Registries built by a dict comprehension, some entries applied (`@WORKERS["qwen"]`, a
# route on `WORKERS["api"]`), image entries one of which is bound to a module-level name:
# what the build deploys (manifest resources and provisioned image endpoints) against the
# declarations flash-guard lists minus those FG301 calls not deployed.
REGISTRY_BUILDS = {
    "applied-and-unused": """
        from runpod_flash import Endpoint, GpuType
        NAMES = ("qwen", "llama", "mistral")
        WORKERS = {
            k: Endpoint(name=f"chat-{k}", gpu=GpuType.NVIDIA_A40, workers=(1, 2), idle_timeout=900)
            for k in NAMES
        }
        @WORKERS["qwen"]
        async def qwen(x): ...
        """,
    "route-on-an-entry": """
        from runpod_flash import Endpoint
        APIS = {k: Endpoint(name=f"api-{k}", cpu="cpu3c-2-4", workers=(1, 2)) for k in ("a", "b")}
        @APIS["a"].get("/health")
        async def health(): ...
        """,
    # applied without `@`, the result bound: the scanner finds the lambda under `llama`
    "applied-and-bound": """
        from runpod_flash import Endpoint
        WORKERS = {k: Endpoint(name=f"chat-{k}", cpu="cpu3c-2-4") for k in ("qwen", "llama")}
        llama = WORKERS["llama"](lambda x: x)
        """,
    "image-entries": """
        from runpod_flash import Endpoint
        IMAGES = {k: Endpoint(name=f"img-{k}", image=f"me/{k}:1") for k in ("a", "b", "c")}
        bound = IMAGES["b"]
        """,
}

REGISTRY_NAMES = {
    "applied-and-unused": {"chat-qwen", "chat-llama", "chat-mistral"},
    "route-on-an-entry": {"api-a", "api-b"},
    "applied-and-bound": {"chat-qwen", "chat-llama"},
    "image-entries": {"img-a", "img-b", "img-c"},
}


@pytest.fixture(scope="module")
def registry_builds():
    from sdk_oracle import run_probe_or_skip

    projects = {k: textwrap.dedent(v) for k, v in REGISTRY_BUILDS.items()}
    projects["health-dropped"] = HEALTH_DROPPED
    return projects, run_probe_or_skip(
        f"CASES = {json.dumps(json.dumps(projects))}\n" + LOOP_BUILD_PROBE
    )


def test_a_health_route_the_loop_drops_is_no_health_route(registry_builds, project, run_cli):
    projects, built = registry_builds
    assert built["health-dropped"]["routes"] == ["GET /ready", "POST /run"]
    root = project({"app.py": projects["health-dropped"]})
    code, out, _ = run_cli(["check", "--format", "json", "--no-cache", "."], root)
    (finding,) = [f for f in json.loads(out)["findings"] if f["code"] == "FG109"]
    assert "`GET /health` on `check`" in finding["message"]
    assert "not deployed" in finding["message"]


@pytest.mark.parametrize("case", list(REGISTRY_BUILDS))
def test_registry_entries_deploy_as_the_sdk(case, registry_builds, project, run_cli):
    projects, built = registry_builds
    root = project({"app.py": projects[case]})
    code, out, _ = run_cli(["check", "--format", "json", "--no-cache", "."], root)
    not_deployed = {
        m.group(1)
        for f in json.loads(out)["findings"]
        if f["code"] == "FG301" and (m := re.match(r"`([\w-]+)`", f["message"]))
    }
    code, out, _ = run_cli(["endpoints", "--format", "json", "."], root)
    declared = {e["name"] for e in json.loads(out)["endpoints"]}
    assert declared == REGISTRY_NAMES[case]  # every entry is a declaration, applied or not
    assert sorted(declared - not_deployed) == built[case]["deployed"]
