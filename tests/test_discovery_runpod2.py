"""The runpod 2.0 front-end: import paths, declaration forms, mixed projects, the example app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import findings_of

from flash_guard.discover.analysis import analyse
from flash_guard.model import EnumRef
from flash_guard.sdk.runpod2_tables import IMPORT_PATHS

REPO = Path(__file__).resolve().parent.parent


def endpoints_of(root: Path):
    return analyse([str(root)], root, [], False).endpoints


def _import(path: str, local: str) -> str:
    """`from a.b import X as local` (or `import runpod as local_root` + attribute)."""
    module, _, name = path.rpartition(".")
    return f"from {module} import {name} as {local}\n"


# Every spelling the SDK accepts for the names a declaration uses (runpod-sdk2.md §1.1).
SPELLINGS = [
    (name, path)
    for name in ("App", "get", "GpuType", "NetworkVolume", "Secret", "Model")
    for path in sorted(IMPORT_PATHS[name])
]


@pytest.mark.parametrize("name, path", SPELLINGS, ids=[p for _, p in SPELLINGS])
def test_every_import_path_resolves(name, path, project):
    header = "import runpod\n" + _import(path, "X")
    uses = {
        "App": "app = X('paths')\n",
        "get": "app = runpod.App('paths')\n",
        "GpuType": "app = runpod.App('paths')\n",
        "NetworkVolume": "app = runpod.App('paths')\n",
        "Secret": "app = runpod.App('paths')\n",
        "Model": "app = runpod.App('paths')\n",
    }
    kwargs = {
        "App": "cpu='cpu3c-1-2'",
        "get": "cpu='cpu3c-1-2'",
        "GpuType": "gpu=X.NVIDIA_L4",
        "NetworkVolume": "mounts={'/runpod-volume': X('m')}",
        "Secret": "env={'TOKEN': X('tok')}",
        "Model": "model=X('org/name')",
    }[name]
    body = (
        f"@app.api(name='svc', {kwargs})\nclass Svc:\n    @X('/health')\n    def h(self):\n"
        "        return 1\n"
        if name == "get"
        else f"@app.queue(name='q-1', {kwargs})\ndef q():\n    return 1\n"
    )
    root = project({"app.py": header + uses[name] + body})
    (endpoint,) = endpoints_of(root)
    assert endpoint.sdk == "runpod2"
    assert endpoint.app_name.value == "paths"
    if name == "get":
        assert [(r.method.value, r.path.value) for r in endpoint.routes] == [("GET", "/health")]
    if name == "GpuType":
        assert endpoint.params["gpu"].value[0].value == EnumRef("GpuGroup", "AMPERE_24")
    if name in ("NetworkVolume", "Model"):
        assert endpoint.params["volume"].value  # both satisfy FG106
    if name == "Secret":
        assert endpoint.params["env"].value["TOKEN"].value.callee == "Secret"


def test_alias_spread_call_form_and_helper_module(project):
    root = project(
        {
            "common/__init__.py": "",
            "common/apps.py": "import runpod as rp\nshop = rp.App('shop', env='staging')\n"
            "BASE = {'workers': (1, 3), 'execution_timeout_ms': 60_000}\n",
            "svc.py": "from common.apps import BASE, shop\n\n"
            "@shop.queue(name='spread-q', gpu='4090', **BASE)\ndef a():\n    return 1\n\n"
            "def b():\n    return 2\n\nh = shop.queue(name='call-q', cpu='cpu3c-1-2')(b)\n",
        }
    )
    by_name = {e.display_name: e for e in endpoints_of(root)}
    spread = by_name["spread-q"]
    assert spread.environment.value == "staging"
    assert spread.params["workers"].value["min"].value == 1
    assert spread.params["execution_timeout_ms"].value == 60_000
    assert by_name["call-q"].variable == "h" and by_name["call-q"].scope == "module"
    assert by_name["call-q"].compute == "cpu"


def test_dataclass_default_factories_resolve(project):
    """`field(default_factory=...)`: a parameterless one-line lambda gives its body, `list`,
    `tuple` and `dict` an empty one; a lambda with parameters stays unknown."""
    root = project(
        {
            "app.py": "from dataclasses import dataclass, field\nimport runpod\n"
            "app = runpod.App('dc')\n\n@dataclass\nclass Cfg:\n"
            "    gpus: list = field(default_factory=lambda: ['ADA_24'])\n"
            "    env: dict = field(default_factory=dict)\n"
            "    deps: list = field(default_factory=list)\n"
            "    dcs: list = field(default_factory=lambda n=1: ['EU-RO-1'] * n)\n\n"
            "CFG = Cfg()\n\n"
            "@app.queue(name='dcq', gpu=CFG.gpus, env=CFG.env, dependencies=CFG.deps,"
            " datacenter=CFG.dcs)\ndef q(x: int = 0):\n    return x\n"
        }
    )
    (ep,) = endpoints_of(root)
    assert [v.value.member for v in ep.params["gpu"].value] == ["ADA_24"]
    assert ep.params["env"].known and ep.params["env"].value == {}
    assert ep.params["dependencies"].known and ep.params["dependencies"].value == []
    assert not ep.params["datacenter"].known


def test_call_forms_get_the_body_of_their_definition(project):
    root = project(
        {
            "tasks.py": "import os\n\ndef work(x: int = 1):\n    return os.getenv('MODE_X')\n",
            "main.py": "import runpod\nfrom tasks import work\napp = runpod.App('calls')\n\n"
            "def local(a, b):\n    return snapshot_download('org/m')\n\n"
            "class Svc:\n    def __init__(self):\n        self.m = 1\n"
            "    @runpod.get('/health')\n    def health(self):\n        return 1\n\n"
            "q = app.queue(name='local-q')(local)\n"
            "imported = app.queue(name='imported-q')(work)\n"
            "svc = app.api(name='svc-api')(Svc)\n"
            "HANDLES = [app.queue(name='listed-q')(local)]\n"
            "app.queue(name='bare-q')(local)\n"
            "lam = app.queue(name='lambda-q')(lambda: 1)\n",
        }
    )
    by_name = {e.display_name: e for e in endpoints_of(root)}
    local = by_name["local-q"].targets[0]
    assert (local.name, local.path, local.params) == (
        "local",
        "main.py",
        (("a", "req"), ("b", "req")),
    )
    assert "snapshot_download" in local.calls
    assert by_name["local-q"].scope == "module"
    # Imported: judged on the defining module's body, and not served where it is bound.
    work = by_name["imported-q"].targets[0]
    assert (work.path, work.env_reads[0][0]) == ("tasks.py", "MODE_X")
    assert by_name["imported-q"].scope == "unbound"
    svc = by_name["svc-api"]
    assert svc.targets[0].is_class and [r.path.value for r in svc.routes] == ["/health"]
    assert by_name["listed-q"].scope == by_name["bare-q"].scope == "container"
    # A lambda has no definition to read: a bare record, and no shape findings about it.
    assert by_name["lambda-q"].targets[0].calls == ()


def test_inherited_routes_from_another_module(project):
    root = project(
        {
            "base.py": "import runpod\n\nclass Health:\n    @runpod.get('/health')\n"
            "    def health(self):\n        return 1\n",
            "api.py": "import runpod\nfrom base import Health\napp = runpod.App('web')\n\n"
            "@app.api(name='web-api', cpu='cpu3c-1-2')\nclass Web(Health):\n"
            "    @runpod.post('/go')\n    def go(self, body):\n        return body\n",
        }
    )
    (endpoint,) = endpoints_of(root)
    assert {(r.method.value, r.path.value) for r in endpoint.routes} == {
        ("GET", "/health"),
        ("POST", "/go"),
    }


def test_mixed_project_chooses_the_sdk_per_declaration(project, check_json):
    root = project(
        {
            "old.py": "from runpod_flash import Endpoint\n\n"
            "@Endpoint(name='old-q', cpu='cpu3c-1-2')\nasync def old(x):\n    return x\n",
            "new.py": "import runpod\napp = runpod.App('new')\nclient = runpod.Endpoint('abc')\n\n"
            "@app.queue(name='new-q', cpu='cpu3c-1-2')\ndef new(x):\n    return x\n",
            "worker.py": "import runpod\n\ndef handler(job):\n    return job\n\n"
            "runpod.serverless.start({'handler': handler})\n",
        }
    )
    sdks = {e.display_name: e.sdk for e in endpoints_of(root)}
    assert sdks == {"old-q": "runpod_flash", "new-q": "runpod2"}
    _, doc = check_json(root, "--select", "FG308")
    assert findings_of(doc, "FG308") == [("FG308", "old.py", 1, 1)]


def test_tasks_skip_worker_and_timeout_rules(project, check_json):
    root = project(
        {
            "t.py": "import runpod\napp = runpod.App('t')\n\n"
            "@app.task(gpu='H100')\ndef t():\n    pass\n"
        }
    )
    _, doc = check_json(root)
    codes = {f["code"] for f in doc["findings"]}
    assert not codes & {"FG102", "FG103", "FG104", "FG105", "FG110"}, codes
    (endpoint,) = endpoints_of(root)
    assert endpoint.kind == "task"


def test_inventory_shows_app_and_environment(run_cli):
    code, out, err = run_cli(["endpoints", "--format", "json", "examples/runpod2_app"], REPO)
    assert code == 0, err
    records = {e["name"]: e for e in json.loads(out)["endpoints"]}
    assert records["summarizer"]["sdk"] == "runpod2"
    assert (records["summarizer"]["app_name"], records["summarizer"]["environment"]) == (
        "shop",
        "prod",
    )
    code, out, _ = run_cli(["endpoints", "examples/runpod2_app"], REPO)
    assert "shop/prod" in out and " APP " in out.splitlines()[0].upper().replace("  ", " ")


# The runpod-flash twin of examples/runpod2_app/shop: the same mistakes in flash terms.
FLASH_TWIN = {
    "workers.py": """
        import os
        from runpod_flash import Endpoint, GpuGroup, NetworkVolume

        @Endpoint(name="embedder", gpu=GpuGroup.ADA_24, workers=(1, 4), idle_timeout=1200,
                  execution_timeout_ms=120_000,
                  volume=NetworkVolume(name="shop-models", size=100),
                  env={"HF_HOME": "/runpod-volume/hf", "HF_TOKEN": "{{ RUNPOD_SECRET_hf }}"},
                  dependencies=["sentence-transformers"])
        def embed(texts: list) -> list:
            from sentence_transformers import SentenceTransformer
            return SentenceTransformer("BAAI/bge-small-en-v1.5").encode(texts).tolist()

        @Endpoint(name="summarizer", workers=(1, 2), idle_timeout=900,
                  env={"HF_TOKEN": "hf_k3Jd9sLq2VbX8mPzR4tYw7NcA1eGhU6o"},
                  dependencies=["transformers", "torch"])
        def summarize(text: str) -> str:
            from transformers import pipeline
            return pipeline("summarization")(text)
    """,
    "api.py": """
        from runpod_flash import Endpoint

        api = Endpoint(name="public-api", cpu="cpu3c-2-4", workers=(0, 2), idle_timeout=1200,
                       execution_timeout_ms=30_000)

        @api.post("/quote")
        async def quote(body: dict) -> dict:
            return {"price": 0}
    """,
}


def test_example_gets_the_checklist_findings_a_flash_project_does(project, check_json, tmp_path):
    checklist = {f"FG1{n:02d}" for n in range(1, 12)}

    def per_endpoint(doc):
        out: dict[str, set] = {}
        for f in doc["findings"]:
            if f["code"] in checklist:
                out.setdefault(f["endpoint"], set()).add(f["code"])
        return out

    _, flash_doc = check_json(project(FLASH_TWIN))
    example = tmp_path / "example"
    import shutil

    shutil.copytree(REPO / "examples" / "runpod2_app", example)
    _, sdk2_doc = check_json(example)
    sdk2 = per_endpoint(sdk2_doc)
    assert sdk2 == per_endpoint(flash_doc)
    assert sdk2["summarizer"] == {"FG101", "FG104", "FG106", "FG107"}
    assert sdk2["public-api"] == {"FG102", "FG109"}


def test_a_value_the_sdk_rejects_blocks_no_other_rule(project, check_json):
    # rc2 rejects gpu="B300" (FG205): no value of it deploys, so FG101 being undecided there is
    # no FG002. A conditional value with one bad candidate still leaves FG101 undecided for the
    # other candidate: FG205 is at that candidate, FG002 at the whole expression.
    root = project(
        {
            "app.py": "import os\nimport runpod\napp = runpod.App('hw')\n\n"
            "@app.queue(name='bad-gpu', gpu='B300', workers=(1, 3))\ndef bad(x):\n    return x\n\n"
            "@app.queue(name='split-gpu', gpu='B300' if os.getenv('P') else 'any', "
            "workers=(1, 3))\ndef split(x):\n    return x\n"
        }
    )
    _, doc = check_json(root)
    assert [f[2] for f in findings_of(doc, "FG205")] == [5, 9]
    fg002 = [f for f in doc["findings"] if f["code"] == "FG002"]
    assert [(f["line"], "FG101" in f["message"]) for f in fg002] == [(9, True)], fg002


def test_an_init_hook_is_part_of_the_workers_body(project, check_json):
    # rc2 runs `@handle.init` on the worker before the first job: its imports, environment
    # reads and model loads count as the worker's (FG305, FG108, FG106).
    root = project(
        {
            "main.py": "import os\nimport runpod\napp = runpod.App('init-demo')\nMODEL = {}\n\n"
            "@app.queue(name='gen-q', gpu='ADA_24', workers=(1, 2), idle_timeout=900,\n"
            "           execution_timeout_ms=10_000)\ndef gen(prompt: str):\n"
            "    return MODEL['pipe'](prompt)\n\n"
            "@gen.init\ndef load():\n    from transformers import pipeline\n"
            "    token = os.environ['HF_TOKEN']\n"
            "    MODEL['pipe'] = pipeline('text-generation', model='Qwen/Qwen2.5-7B-Instruct')\n"
        }
    )
    _, doc = check_json(root)
    found = {(f["code"], f["line"]) for f in doc["findings"]}
    assert {("FG305", 13), ("FG108", 14), ("FG106", 6)} <= found, found
    (endpoint,) = endpoints_of(root)
    assert [h.name for h in endpoint.hooks] == ["load"]


def test_value_of_a_project_enum_member_is_the_member(project, check_json):
    # `Gpu.ANYGPU.value` is what `Gpu.ANYGPU` already resolves to: decided, not FG002.
    root = project(
        {
            "main.py": "from enum import Enum\nimport runpod\n\n"
            "class Gpu(str, Enum):\n    SMALL = 'NVIDIA L4'\n    ANYGPU = 'any'\n\n"
            "app = runpod.App('enums')\n\n"
            "@app.queue(name='enum-any', gpu=Gpu.ANYGPU.value, workers=(1, 3))\n"
            "def anyg(x):\n    return x\n\n"
            "@app.queue(name='enum-small', gpu=Gpu.SMALL.value, workers=(1, 3))\n"
            "def small(x):\n    return x\n"
        }
    )
    _, doc = check_json(root)
    assert [f["line"] for f in doc["findings"] if f["code"] == "FG101"] == [10]
    assert not [f for f in doc["findings"] if f["code"] == "FG002"], doc["findings"]


def test_a_rejected_gpu_list_item_blocks_nothing_and_is_reported_at_the_use(project, check_json):
    # rc2 rejects the whole declaration at the unknown 'L40S': FG205 at the use of the constant
    # (naming it), and FG101 is not left undecided (no FG002).
    root = project(
        {
            "app.py": "import runpod\napp = runpod.App('hw')\nBAD = ['4090', 'L40S']\n\n"
            "@app.queue(name='bad-list', gpu=BAD, workers=(1, 3))\ndef b(x):\n    return x\n"
        }
    )
    _, doc = check_json(root)
    fg205 = [f for f in doc["findings"] if f["code"] == "FG205"]
    assert [(f["line"], f["column"]) for f in fg205] == [(5, 33)]
    assert "through `BAD`" in fg205[0]["message"]
    assert not [f for f in doc["findings"] if f["code"] == "FG002"]


def test_a_marker_lost_above_staticmethod_is_said_once(project, check_json):
    # The lost marker is the cause; the class then has no routes, which is not a second FG215.
    root = project(
        {
            "app.py": "import runpod\nfrom runpod import get\napp = runpod.App('st')\n\n"
            "@app.api(name='static-wrong', cpu='cpu3c-2-4', workers=(1, 2))\n"
            "class StaticWrong:\n    @get('/health')\n    @staticmethod\n"
            "    def health():\n        return {}\n"
        }
    )
    _, doc = check_json(root)
    fg215 = [f for f in doc["findings"] if f["code"] == "FG215"]
    assert [(f["line"], "above @staticmethod" in f["message"]) for f in fg215] == [(7, True)]


def test_factory_routes_through_routers(project):
    """`include_router`: the router's routes as the app serves them (both prefixes, nested
    routers, `api_route`/`add_api_route`), each with its handler in the router's file. A
    router's `@router.get` inside the factory counts only through the include."""
    root = project(
        {
            "svc/__init__.py": "",
            "svc/ops.py": """
                from fastapi import APIRouter

                ops = APIRouter(prefix="/ops")

                @ops.api_route("/live", methods=["GET", "HEAD"])
                def live():
                    return {}

                def ready():
                    return {}

                ops.add_api_route("/ready", ready)
                """,
            "svc/root.py": """
                from fastapi import APIRouter
                from svc.ops import ops

                root = APIRouter(prefix="/r")
                root.include_router(ops, prefix="/x")

                @root.delete("/cache")
                def clear():
                    return {}
                """,
            "app.py": """
                import runpod
                from fastapi import APIRouter, FastAPI
                from svc import root as r

                app = runpod.App("svc")

                @app.api(name="svc-api", cpu="cpu3c-1-2")
                def make():
                    server = FastAPI()
                    inner = APIRouter()

                    @inner.get("/health")
                    def health():
                        return {}

                    server.include_router(r.root, prefix="/v1")
                    server.include_router(inner, prefix="/in")
                    return server
                """,
        }
    )
    (endpoint,) = endpoints_of(root)
    assert endpoint.hidden_routes is None
    assert sorted((r.method.value, r.path.value, r.file, r.handler) for r in endpoint.routes) == [
        ("DELETE", "/v1/r/cache", "svc/root.py", "clear"),
        ("GET", "/in/health", "app.py", "health"),
        ("GET", "/v1/r/x/ops/live", "svc/ops.py", "live"),
        ("GET", "/v1/r/x/ops/ready", "svc/ops.py", "ready"),
        ("HEAD", "/v1/r/x/ops/live", "svc/ops.py", "live"),
    ]
    # The handler given to add_api_route is the project function: its body is the worker's.
    ready = next(r for r in endpoint.routes if r.handler == "ready")
    assert ready.handler_facts is not None and ready.handler_facts.path == "svc/ops.py"


ROUTE_FORMS = {
    "app.py": """
        import runpod
        from fastapi import APIRouter, FastAPI
        from fastapi.routing import APIRoute
        from starlette.responses import JSONResponse
        from starlette.routing import Route

        app = runpod.App("forms")

        router = APIRouter()
        r = router

        @r.get("/health")
        def health():
            return {"ok": True}

        @app.api(name="alias-include", cpu="cpu3c-1-2")
        def alias_include():
            web = FastAPI()
            web.include_router(r, prefix="/a")
            return web

        ops = APIRouter(prefix="/ops")

        def ping():
            return {"ok": True}

        ops.get("/health")(ping)
        ops.api_route("/live", methods=["GET", "HEAD"])(ping)

        @app.api(name="call-form-router", cpu="cpu3c-1-2")
        def call_form_router():
            web = FastAPI()
            web.include_router(ops)
            return web

        @app.api(name="call-form-app", cpu="cpu3c-1-2")
        def call_form_app():
            web = FastAPI()
            web.post("/predict")(ping)
            web.get("/health")(ping)
            return web

        def ready(request):
            return JSONResponse({"ok": True})

        @app.api(name="route-table", cpu="cpu3c-1-2")
        def route_table():
            return FastAPI(
                routes=[
                    APIRoute("/health", health),
                    APIRoute(path="/predict", endpoint=ping, methods=["POST"]),
                    Route("/ready", ready),
                ]
            )

        @app.api(name="loop-include", cpu="cpu3c-1-2")
        def loop_include():
            web = FastAPI()
            for each in (router, ops):
                web.include_router(each, prefix="/l")
            return web

        served = FastAPI(routes=[APIRoute("/status", ping, methods=["GET"])])

        @app.api(name="module-table", cpu="cpu3c-1-2")
        def module_table():
            return served

        def build_app(debug=False):
            web = FastAPI(debug=debug)
            web.include_router(router, prefix="/d")
            web.post("/predict")(ping)
            return web

        @app.api(name="delegate", cpu="cpu3c-1-2")
        def delegate():
            return build_app(debug=True)
        """,
}
ROUTES_PROBE = """
import asyncio, importlib, pathlib, sys, textwrap
FILES, PAIRS = %r, %r
for name, text in FILES.items():
    pathlib.Path(name).write_text(textwrap.dedent(text))
sys.path.insert(0, ".")
module = importlib.import_module("app")

async def status(served, method, path):
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": method, "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "headers": [], "client": ("t", 1),
             "server": ("t", 80)}
    sent = []
    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}
    async def send(message):
        sent.append(message)
    try:
        await served(scope, receive, send)
    except Exception:  # the route was found; its handler failed
        return 500
    return next(m["status"] for m in sent if m["type"] == "http.response.start")

RESULT = {}
for value in vars(module).values():
    factory = getattr(value, "_asgi_factory", None)
    if factory is None:
        continue
    served = factory()  # what the worker does: call the factory, serve the app it returns
    RESULT[value.spec.name] = sorted(
        [m, p] for m, p in PAIRS if asyncio.run(status(served, m, p)) not in (404, 405)
    )
"""


def test_factory_route_forms_match_fastapi(project):
    """A router alias (`r = router`), the decorators' call form (`router.get("/health")(fn)`,
    on a router or on the factory's app), an include in a loop over a literal tuple of
    routers, a route table (`FastAPI(routes=[APIRoute(...),
    Route(...)])`) and a factory returning the app another function builds (`return
    build_app(debug=True)`) give the routes FastAPI serves from the app the factory returns: every
    method and path flash-guard reads for any of them is asked of each app."""
    from sdk2_oracle import run_probe2_or_skip

    ours = {}
    for endpoint in endpoints_of(project(ROUTE_FORMS)):
        assert endpoint.hidden_routes is None, (endpoint.display_name, endpoint.hidden_routes)
        ours[endpoint.display_name] = sorted(
            [r.method.value, r.path.value] for r in endpoint.routes
        )
    pairs = sorted({(m, p) for routes in ours.values() for m, p in routes} | {("GET", "/x")})
    served = run_probe2_or_skip(ROUTES_PROBE % (ROUTE_FORMS, pairs))
    assert served == ours
    assert ours["route-table"] == [["GET", "/health"], ["GET", "/ready"], ["POST", "/predict"]]
    assert ours["delegate"] == [["GET", "/d/health"], ["POST", "/predict"]]


def test_a_wrongly_called_stub_is_reported_and_not_listed(project, check_json):
    """`runpod.Queue("id")` / `runpod.Api(...)` without `app=` and exactly one of `name=`/`id=`
    raise in the stub's `__init__` (rc2 apps/stubs.py), so no client object exists: FG215
    reports the call, and the endpoints list has nothing for it."""
    root = project(
        {
            "app.py": "import runpod\nfrom runpod import Api\n\napp = runpod.App('router')\n"
            "legacy = runpod.Queue('abc123xyz')\n"
            "orphan = runpod.Queue(name='transcribe')\n"
            "ranker = Api(app='search', name='rank', id='ep-1')\n"
            "good = runpod.Queue(app='nlp', name='summarize')\n\n"
            "@app.queue(name='classify', cpu='cpu3c-1-2')\ndef classify(text: str) -> dict:\n"
            "    return good.remote(text=text)\n",
        }
    )
    assert [(e.display_name, e.kind) for e in endpoints_of(root)] == [("classify", "queue")]
    _, doc = check_json(root, "--select", "FG215")
    assert [e["name"] for e in doc["endpoints"]] == ["classify"]
    found = [(f["line"], f.get("endpoint"), f["message"]) for f in doc["findings"]]
    assert [(line, endpoint) for line, endpoint, _ in found] == [(5, None), (6, None), (7, None)]
    assert found[0][2].startswith("`legacy`: `runpod.Queue` is the stub"), found
    assert "missing 1 required keyword-only argument: 'app'" in found[1][2], found
    assert "provide exactly one of name= or id=" in found[2][2], found


# Module-level loops flash-guard does not unroll keep one declaration, and say what they
# cannot tell (FG002): a name the loop makes is unknown; a fixed name is registered once per
# item, and a second registration fails the import ('duplicate resource name', checked with
# rc2 in test_sdk2_vs_oracle), so FG216 is undecided.
_LOOP_APP = (
    "import json\nimport runpod\napp = runpod.App('loops')\n"
    "Q = dict(cpu='cpu3c-1-2', workers=(1, 2), idle_timeout=900, execution_timeout_ms=60_000)\n"
)
NOT_UNROLLED = {
    "unknown-table": "SIZES = json.load(open('sizes.json'))\nfor size in SIZES:\n",
    "while": "size = 0\nwhile size < 2:\n    size += 1\n",
    # the project's own `enumerate`, not the builtin (its value is not known)
    "shadowed-enumerate": "def enumerate(t):\n    return json.loads(t)\n"
    "for i, size in enumerate((1, 2)):\n",
    "starred-target": "for size, *rest in [(1, 2, 3), (4, 5, 6)]:\n",
}


@pytest.mark.parametrize("label", list(NOT_UNROLLED))
@pytest.mark.parametrize("name", ["'thumb'", "f'thumb-{size}'"])
def test_a_loop_not_unrolled_says_what_it_cannot_tell(label, name, project, check_json):
    body = f"    @app.queue(name={name}, **Q)\n    def thumb(x: int = 1):\n        return x\n"
    root = project({"app.py": _LOOP_APP + NOT_UNROLLED[label] + body})
    assert len(endpoints_of(root)) == 1
    _, doc = check_json(root)
    fg002 = [f["message"] for f in doc["findings"] if f["code"] == "FG002"]
    assert len(fg002) == 1 and "FG216" in fg002[0], fg002
    if name == "'thumb'":
        assert "the loop registers 'thumb' (a second time fails" in fg002[0], fg002
    assert [f["code"] for f in doc["findings"] if f["code"] == "FG306"] == ["FG306"]


def test_loops_past_the_item_bound_are_not_unrolled(project, check_json, monkeypatch):
    from flash_guard.discover import loops

    source = (
        _LOOP_APP + "for fam in ('aaa', 'bbb'):\n    for size in (1, 2):\n"
        "        @app.queue(name=f'{fam}-{size}', **Q)\n"
        "        def thumb(x: int = 1):\n            return x\n"
    )
    root = project({"app.py": source})
    assert len(endpoints_of(root)) == 4
    monkeypatch.setattr(loops, "MAX_ITEMS", 3)  # 2 outer items pass, 4 combinations do not
    assert len(endpoints_of(root)) == 1
    _, doc = check_json(root)
    assert [f["code"] for f in doc["findings"] if f["code"] == "FG002"] == ["FG002"]


@pytest.mark.parametrize("name", ["size", "'thumb'"])
def test_a_branch_inside_the_loop_keeps_the_loop_whole(name, project, check_json):
    # The branch may depend on the item: flash-guard does not decide it per item.
    source = (
        _LOOP_APP + "for size in ('aaa', 'bbb'):\n    if size != 'bbb':\n"
        f"        @app.queue(name={name}, **Q)\n"
        "        def thumb(x: int = 1):\n            return x\n"
    )
    root = project({"app.py": source})
    assert len(endpoints_of(root)) == 1
    _, doc = check_json(root)
    fg002 = [f["message"] for f in doc["findings"] if f["code"] == "FG002"]
    assert len(fg002) == 1 and "FG216" in fg002[0], fg002


def test_a_loop_under_a_main_guard_never_runs(project, check_json):
    source = (
        _LOOP_APP + "if __name__ == '__main__':\n    for size in ('aaa', 'bbb'):\n"
        "        @app.queue(name=size, **Q)\n"
        "        def thumb(x: int = 1):\n            return x\n"
    )
    root = project({"app.py": source})
    assert sorted(e.display_name for e in endpoints_of(root)) == ["aaa", "bbb"]
    _, doc = check_json(root)
    fg301 = [f["message"] for f in doc["findings"] if f["code"] == "FG301"]
    assert len(fg301) == 2 and all("that block never runs" in m for m in fg301), fg301
    assert not [f for f in doc["findings"] if f["code"] in ("FG002", "FG306")]


def test_a_loop_not_unrolled_over_functions_names_no_resource_after_the_loop_variable(
    project, check_json
):
    # rc2 names each after its item's function (`__name__`): not `fn`, which would be
    # 'too short' (FG216); the name is unknown, and FG002 says so.
    source = _LOOP_APP + "HANDLERS = json.load(open('h.json'))\nfor fn in HANDLERS:\n"
    root = project({"app.py": source + "    app.queue(**Q)(fn)\n"})
    _, doc = check_json(root)
    assert not [f for f in doc["findings"] if f["code"] == "FG216"], doc["findings"]
    fg002 = [f["message"] for f in doc["findings"] if f["code"] == "FG002"]
    assert len(fg002) == 1 and "`__name__` of each item" in fg002[0], fg002


def test_a_helper_given_the_app_declares_one_resource_per_call(project):
    """`register_asr(app, gpu=...)`: the App is the helper's parameter, so each module-level
    call (bare or bound, in an importing module) registers a resource with that call's
    arguments; a helper nothing calls registers nothing (runpod 2.0.0rc2 discover_apps; the
    oracle twin is test_sdk2_vs_oracle.py::test_a_helper_declares_one_resource_per_call_as_rc2).
    A factory with parameters that returns its handle is declared per call too, not once
    with its parameters unknown."""
    root = project(
        {
            "audio/__init__.py": "",
            "audio/registry.py": """
                def register_asr(app, gpu="L4"):
                    @app.queue(name="asr", gpu=gpu, workers=(1, 3))
                    def asr(url: str):
                        return url

                    return asr

                def register_unused(app):
                    @app.queue(name="never", cpu="cpu3c-1-2")
                    def never(x: int):
                        return x
                """,
            "audio/main.py": """
                import runpod
                from audio.registry import register_asr

                app = runpod.App("audio")
                asr = register_asr(app, gpu="RTX 4090")

                def add(app, name, gpu="L4"):
                    @app.queue(name=name, gpu=gpu)
                    def job(x: int):
                        return x

                    return job

                small = add(app, "small")
                big = add(app=app, name="big", gpu="H100")
                """,
        }
    )
    got = {
        (e.display_name, e.app_name.value, tuple(g.value.member for g in e.params["gpu"].value))
        for e in endpoints_of(root)
    }
    assert got == {
        ("asr", "audio", ("ADA_24",)),
        ("small", "audio", ("AMPERE_24",)),
        ("big", "audio", ("ADA_80_PRO",)),
    }


def test_a_dataclass_config_spread_with_asdict_is_read_field_by_field(project):
    """`@app.queue(name=..., **asdict(BIG))`: each field is the keyword the instance was built
    with, else the class's default; an `asdict` of what is not a project dataclass instance
    stays unknown (the oracle twin: test_sdk2_vs_oracle.py OK["dataclass-asdict-spread"])."""
    root = project(
        {
            "app.py": """
                from dataclasses import asdict, dataclass

                import runpod

                @dataclass(frozen=True)
                class Q:
                    gpu: str = "ADA_24"
                    workers: tuple = (1, 4)

                BIG = Q(gpu="AMPERE_80", workers=(0, 2))
                OTHER = {"gpu": "ADA_24"}
                app = runpod.App("cfg")

                @app.queue(name="big", **asdict(BIG))
                def big(x: int):
                    return x

                @app.queue(name="other", **asdict(OTHER))
                def other(x: int):
                    return x
                """,
        }
    )
    by_name = {e.display_name: e for e in endpoints_of(root)}
    big = by_name["big"].params
    assert [g.value.member for g in big["gpu"].value] == ["AMPERE_80"]
    assert (big["workers"].value["min"].value, big["workers"].value["max"].value) == (0, 2)
    assert by_name["other"].spreads  # not a dataclass instance: the spread stays unknown


def test_a_list_comprehension_over_a_known_tuple_is_read_item_by_item(project):
    """`gpu=[GpuGroup[n] for n in NAMES]`: one element per item, as Python builds
    it; a project Enum class is iterated member by member (h17); over what is not known (an
    Enum whose values are `auto()`) it stays unknown (the oracle twins:
    test_sdk2_vs_oracle.py OK["listcomp-gpu-pools"], OK["enum-class-iterated"])."""
    root = project(
        {
            "app.py": """
                from enum import Enum, auto

                import runpod
                from runpod.apps.gpu import GpuGroup

                NAMES = ("ADA_48_PRO", "AMPERE_48")

                class Size(Enum):
                    S = "ADA_24"

                class Auto(Enum):
                    S = auto()

                app = runpod.App("lc")

                @app.queue(name="known", gpu=[GpuGroup[n] for n in NAMES])
                def known(x: int):
                    return x

                @app.queue(name="members", gpu=[s.value for s in Size])
                def members(x: int):
                    return x

                @app.queue(name="unknown", gpu=[s.value for s in Auto])
                def unknown(x: int):
                    return x
                """,
        }
    )
    by_name = {e.display_name: e.params["gpu"] for e in endpoints_of(root)}
    assert [g.value.member for g in by_name["known"].value] == ["ADA_48_PRO", "AMPERE_48"]
    assert [g.value.member for g in by_name["members"].value] == ["ADA_24"]
    assert not by_name["unknown"].known


def test_a_comprehension_filter_that_compares_is_decided_only_on_known_values(project):
    """`if n != "X"`, `if n not in (...)`, `if p is not Pool.B` keep the items Python keeps
    (h17; oracle twin: test_sdk2_vs_oracle.py OK["comprehension-comparison-filters"]); a
    comparison with an unknown side, or `is` between plain strings (identity, not value),
    leaves the whole list unknown (FG002)."""
    root = project(
        {
            "app.py": """
                import os

                import runpod

                NAMES = ("AMPERE_16", "AMPERE_24", "X")
                app = runpod.App("cmp")

                @app.queue(name="kept", gpu=[n for n in NAMES if n not in ("X", "AMPERE_16")])
                def kept(x: int):
                    return x

                @app.queue(name="env-side", gpu=[n for n in NAMES if n != os.getenv("SKIP")])
                def env_side(x: int):
                    return x

                @app.queue(name="identity", gpu=[n for n in NAMES if n is not "X"])
                def identity(x: int):
                    return x
                """,
        }
    )
    by_name = {e.display_name: e.params["gpu"] for e in endpoints_of(root)}
    assert [g.value.member for g in by_name["kept"].value] == ["AMPERE_24"]
    assert not by_name["env-side"].known
    assert not by_name["identity"].known
