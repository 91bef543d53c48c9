"""Discovery: every declaration form of flash-sdk.md §1.2, every resolution path, the negatives.

Each case is a small fixture project written to a temporary directory; the assertions are on
the `flash-guard endpoints --format json` records: name, kind, compute, api, line, column and
parameter values with their `defaulted` flag.
"""

from __future__ import annotations

import json
import re

import pytest

ALL_DATACENTERS = [
    f"DataCenter.{dc}"
    for dc in (
        "US_CA_2",
        "US_IL_1",
        "US_KS_2",
        "US_MO_1",
        "US_MO_2",
        "US_NC_2",
        "US_NE_1",
        "US_WA_1",
        "EU_CZ_1",
        "EU_RO_1",
        "EUR_NO_1",
    )
]

# SDK defaults (flash-sdk.md §2.1) for an `Endpoint` GPU queue worker, as (value, defaulted).
ENDPOINT_GPU_QUEUE_DEFAULTS = {
    "accelerate_downloads": (True, True),
    "datacenter": (ALL_DATACENTERS, True),
    "execution_timeout_ms": (0, True),
    "flashboot": (True, True),
    "gpu": (["GpuGroup.ANY"], True),
    "gpu_count": (1, True),
    "idle_timeout": (60, True),
    "max_concurrency": (1, True),
    "min_cuda_version": ("CudaVersion.V12_8", True),
    "scaler_type": ("ServerlessScalerType.QUEUE_DELAY", True),
    "scaler_value": (4, True),
    "workers": ({"min": 0, "max": 1}, True),
}


def inventory(run_cli, root) -> list[dict]:
    code, out, err = run_cli(["endpoints", "--format", "json", "."], root)
    assert code == 0, err
    return json.loads(out)["endpoints"]


def by_name(records: list[dict]) -> dict[str, dict]:
    return {r["name"]: r for r in records}


def params_of(record: dict) -> dict:
    return {k: (v["value"], v["defaulted"]) for k, v in record["params"].items()}


def test_form_a_decorated_function_full_record(project, run_cli):
    root = project(
        {
            "worker.py": """
            from runpod_flash import Endpoint, GpuType

            @Endpoint(name="gpu-worker", gpu=GpuType.NVIDIA_GEFORCE_RTX_4090, workers=(0, 3))
            async def process(data: dict) -> dict:
                return data
            """
        }
    )
    [record] = inventory(run_cli, root)
    assert (record["name"], record["kind"], record["compute"], record["api"]) == (
        "gpu-worker",
        "queue",
        "gpu",
        "endpoint",
    )
    assert (record["path"], record["line"], record["column"]) == ("worker.py", 3, 2)
    expected = dict(ENDPOINT_GPU_QUEUE_DEFAULTS)
    expected["name"] = ("gpu-worker", False)
    expected["gpu"] = (["GpuType.NVIDIA_GEFORCE_RTX_4090"], False)
    expected["workers"] = ({"min": 0, "max": 3}, False)
    assert params_of(record) == expected
    assert record["params"]["workers"]["line"] == 3
    assert record["params"]["workers"]["column"] == 75
    assert record["functions"] == ["process"]


def test_form_a_name_defaults_to_function_name(project, run_cli):
    root = project(
        {
            "w.py": """
            from runpod_flash import Endpoint, GpuType
            @Endpoint(gpu=GpuType.NVIDIA_L4)
            async def my_fn(x): ...
            """
        }
    )
    [record] = inventory(run_cli, root)
    assert record["name"] == "my_fn"
    assert record["params"]["name"] == {"value": "my_fn", "defaulted": True}


def test_form_b_decorated_class(project, run_cli):
    root = project(
        {
            "model.py": """
            from runpod_flash import Endpoint, GpuType

            @Endpoint(name="model", gpu=GpuType.NVIDIA_L4, workers=(1, 3), dependencies=["torch"])
            class Model:
                def __init__(self): ...
                async def predict(self, x): ...
            """
        }
    )
    [record] = inventory(run_cli, root)
    assert (record["name"], record["kind"], record["compute"]) == ("model", "queue", "gpu")
    assert params_of(record)["dependencies"] == (["torch"], False)
    assert params_of(record)["workers"] == ({"min": 1, "max": 3}, False)
    assert record["functions"] == ["Model"]


def test_form_c_variable_then_decorator(project, run_cli):
    root = project(
        {
            "app.py": """
            from runpod_flash import Endpoint

            ep = Endpoint(name="via-var", cpu="cpu3c-1-2", workers=4)

            @ep
            async def work(x): ...
            """
        }
    )
    [record] = inventory(run_cli, root)
    assert (record["name"], record["kind"], record["compute"]) == ("via-var", "queue", "cpu")
    assert (record["line"], record["column"], record["variable"]) == (3, 6, "ep")
    params = params_of(record)
    assert params["workers"] == ({"min": 0, "max": 4}, False)
    assert params["cpu"] == (["cpu3c-1-2"], False)
    # CPU endpoints get no GPU, CUDA or datacenter defaults (flash-sdk.md §2.1).
    assert "gpu" not in params and "min_cuda_version" not in params and "datacenter" not in params


def test_form_d_load_balancer_with_routes(project, run_cli):
    root = project(
        {
            "api.py": """
            from runpod_flash import Endpoint

            api = Endpoint(name="my-api", cpu="cpu3c-1-2", workers=(1, 3))

            @api.get("/health")
            async def health(): return {"ok": True}

            @api.post("/compute")
            async def compute(data: dict) -> dict: ...
            """
        }
    )
    [record] = inventory(run_cli, root)
    assert (record["kind"], record["compute"]) == ("load_balancer", "cpu")
    assert [(r["method"], r["path"], r["line"]) for r in record["routes"]] == [
        ("GET", "/health", 5),
        ("POST", "/compute", 8),
    ]
    assert params_of(record)["scaler_type"] == ("ServerlessScalerType.REQUEST_COUNT", True)


def test_form_e_image_and_form_f_client(project, run_cli):
    root = project(
        {
            "clients.py": """
            from runpod_flash import Endpoint, GpuGroup

            vllm = Endpoint(name="vllm", image="vllm/vllm-openai:latest", gpu=GpuGroup.ADA_80_PRO)
            other = Endpoint(id="abc123")

            async def call():
                await vllm.post("/v1/completions", {"prompt": "hi"})
                await other.runsync({"x": 1})
            """
        }
    )
    records = by_name(inventory(run_cli, root))
    assert records["vllm"]["kind"] == "image"
    assert records["vllm"]["routes"] == []  # a client call is not a route
    assert params_of(records["vllm"])["workers"] == ({"min": 0, "max": 1}, True)
    client = next(r for r in records.values() if r["kind"] == "client")
    assert client["params"]["id"]["value"] == "abc123"
    # No GPU or datacenter defaults for a pure client (flash-sdk.md §1.2 F).
    assert "gpu" not in client["params"] and "datacenter" not in client["params"]


def test_form_g_legacy_queue_variable_and_inline(project, run_cli):
    root = project(
        {
            "legacy.py": """
            from runpod_flash import remote, LiveServerless, GpuGroup

            gpu_cfg = LiveServerless(name="legacy-gpu", gpus=[GpuGroup.ADA_24], workersMax=2)

            @remote(resource_config=gpu_cfg, dependencies=["torch"])
            async def fn(x): ...

            @remote(LiveServerless(name="inline", idleTimeout=900))
            def fn2(x): ...
            """
        }
    )
    records = by_name(inventory(run_cli, root))
    legacy = records["legacy-gpu"]
    assert (legacy["api"], legacy["kind"], legacy["compute"], legacy["resource_class"]) == (
        "legacy",
        "queue",
        "gpu",
        "LiveServerless",
    )
    assert (legacy["line"], legacy["column"]) == (3, 11)
    params = params_of(legacy)
    assert params["gpu"] == (["GpuGroup.ADA_24"], False)
    assert params["workers"] == ({"min": 0, "max": 2}, False)
    assert params["dependencies"] == (["torch"], False)
    assert params["idle_timeout"] == (60, True)
    inline = records["inline"]
    assert params_of(inline)["idle_timeout"] == (900, False)
    assert params_of(inline)["gpu"] == (["GpuGroup.ANY"], True)
    assert (inline["line"], inline["column"]) == (8, 9)


def test_form_h_legacy_load_balancer_and_cpu_classes(project, run_cli):
    root = project(
        {
            "lb.py": """
            from runpod_flash import remote, CpuLiveLoadBalancer, CpuLiveServerless, CpuInstanceType

            lb_cfg = CpuLiveLoadBalancer(name="legacy-lb", workersMin=1)

            @remote(lb_cfg, method="GET", path="/health")
            async def health(): ...

            @remote(lb_cfg, method="POST", path="/run")
            async def run(x): ...

            @remote(CpuLiveServerless(name="q-cpu", instanceIds=[CpuInstanceType.CPU3C_1_2]))
            async def cpu_job(x): ...
            """
        }
    )
    records = by_name(inventory(run_cli, root))
    lb = records["legacy-lb"]
    assert (lb["kind"], lb["compute"]) == ("load_balancer", "cpu")
    assert [(r["method"], r["path"]) for r in lb["routes"]] == [
        ("GET", "/health"),
        ("POST", "/run"),
    ]
    assert params_of(lb)["workers"] == ({"min": 1, "max": 1}, False)
    assert params_of(lb)["workers"] != ({"min": 1, "max": 1}, True)
    assert lb["params"]["workers"]["value"]["max"] == 1
    cpu = records["q-cpu"]
    assert (cpu["kind"], cpu["compute"]) == ("queue", "cpu")
    assert params_of(cpu)["cpu"] == (["CpuInstanceType.CPU3C_1_2"], False)


def test_form_i_local_and_form_j_legacy_cpu_instance_ids(project, run_cli):
    root = project(
        {
            "j.py": """
            from tetra_rp import remote, LiveServerless, CpuInstanceType

            cfg = LiveServerless(name="old-cpu", instanceIds=[CpuInstanceType.CPU5C_8_16])

            @remote(cfg, local=True)
            async def job(x): ...
            """
        }
    )
    [record] = inventory(run_cli, root)
    assert (record["name"], record["compute"], record["package"]) == ("old-cpu", "cpu", "tetra_rp")
    assert "gpu" not in record["params"]


@pytest.mark.parametrize(
    "imports, decorator",
    [
        ("from runpod_flash import Endpoint as E, GpuType", "E"),
        ("import runpod_flash as rf\nfrom runpod_flash import GpuType", "rf.Endpoint"),
        ("import runpod_flash\nfrom runpod_flash import GpuType", "runpod_flash.Endpoint"),
        (
            "from runpod_flash.endpoint import Endpoint\nfrom runpod_flash import GpuType",
            "Endpoint",
        ),
        ("from runpod_flash import *", "Endpoint"),
    ],
)
def test_every_import_style(project, run_cli, imports, decorator):
    root = project(
        {
            "w.py": f"""{imports}

@{decorator}(name="styled", gpu=GpuType.NVIDIA_L4, workers=(1, 2))
async def f(x): ...
"""
        }
    )
    [record] = inventory(run_cli, root)
    assert record["name"] == "styled"
    assert params_of(record)["gpu"] == (["GpuType.NVIDIA_L4"], False)


def test_submodule_import_paths_of_legacy_classes(project, run_cli):
    root = project(
        {
            "w.py": """
            from runpod_flash.core.resources.live_serverless import LiveServerless
            from runpod_flash.client import remote
            import runpod_flash.core.resources.load_balancer_sls_resource as lbmod

            @remote(LiveServerless(name="sub-q"))
            async def a(x): ...

            @remote(lbmod.LiveLoadBalancer(name="sub-lb"), method="GET", path="/health")
            async def b(): ...
            """
        }
    )
    records = by_name(inventory(run_cli, root))
    assert records["sub-q"]["kind"] == "queue"
    assert records["sub-lb"]["kind"] == "load_balancer"


def test_resolution_constants_arithmetic_spread_and_dict(project, run_cli):
    root = project(
        {
            "w.py": """
            from runpod_flash import Endpoint, GpuType

            MINUTES = 30
            TIMEOUT = MINUTES * 60 * 1000
            BASE = dict(idle_timeout=900, workers=(1, 2))
            ENV = {"A": "1", **{"B": "2"}}
            GPUS = [GpuType.NVIDIA_L4, GpuType.NVIDIA_A40]

            @Endpoint(name="resolved", gpu=GPUS, execution_timeout_ms=TIMEOUT, env=ENV, **BASE)
            async def f(x): ...
            """
        }
    )
    [record] = inventory(run_cli, root)
    params = params_of(record)
    assert params["execution_timeout_ms"] == (1_800_000, False)
    assert params["idle_timeout"] == (900, False)
    assert params["workers"] == ({"min": 1, "max": 2}, False)
    assert params["env"] == ({"A": "1", "B": "2"}, False)
    assert params["gpu"] == (["GpuType.NVIDIA_L4", "GpuType.NVIDIA_A40"], False)
    # A value through a constant points at its use in the declaration.
    assert record["params"]["execution_timeout_ms"]["line"] == 9


def test_endpoints_in_a_comprehension_registry_applied_by_subscript(project, run_cli):
    """`@ENDPOINTS["qwen"]` on a module-level function: the scanner (1.21) finds the function
    by its `__remote_config__` and deploys `chat-qwen`; it used to be missed altogether, so no
    rule checked it. `for key, gpu in MODELS.items()` unpacks each pair."""
    root = project(
        {
            "registry.py": """
            from runpod_flash import Endpoint, GpuType

            MODELS = {"qwen": GpuType.NVIDIA_A40, "llama": GpuType.ANY}
            ENDPOINTS = {
                key: Endpoint(name=f"chat-{key}", gpu=gpu, workers=(1, 2))
                for key, gpu in MODELS.items()
            }

            @ENDPOINTS["qwen"]
            async def qwen(x): ...

            @ENDPOINTS["llama"]
            async def llama(x): ...
            """
        }
    )
    records = by_name(inventory(run_cli, root))
    assert sorted(records) == ["chat-llama", "chat-qwen"]
    assert params_of(records["chat-qwen"])["gpu"] == (["GpuType.NVIDIA_A40"], False)
    assert params_of(records["chat-llama"])["gpu"] == (["GpuType.ANY"], False)
    assert records["chat-qwen"]["line"] == 5


def test_resolution_across_modules_absolute_and_relative(project, run_cli):
    root = project(
        {
            "pkg/__init__.py": "",
            "pkg/settings.py": """
            from runpod_flash import GpuType
            GPU = GpuType.NVIDIA_L4
            IDLE = 20 * 60
            """,
            "pkg/limits.py": """
            WORKERS = (2, 6)
            """,
            "pkg/worker.py": """
            from runpod_flash import Endpoint
            from pkg.settings import GPU, IDLE
            from .limits import WORKERS

            @Endpoint(name="cross", gpu=GPU, idle_timeout=IDLE, workers=WORKERS)
            async def f(x): ...
            """,
        }
    )
    [record] = inventory(run_cli, root)
    params = params_of(record)
    assert params["gpu"] == (["GpuType.NVIDIA_L4"], False)
    assert params["idle_timeout"] == (1200, False)
    assert params["workers"] == ({"min": 2, "max": 6}, False)
    assert record["path"] == "pkg/worker.py"


def test_routes_in_another_module_without_flash_import(project, run_cli):
    root = project(
        {
            "app.py": """
            from runpod_flash import Endpoint
            api = Endpoint(name="api", cpu="cpu3c-1-2", workers=(1, 2))
            """,
            "routes.py": """
            from app import api

            @api.get("/health")
            async def health(): ...
            """,
        }
    )
    [record] = inventory(run_cli, root)
    assert record["kind"] == "load_balancer"
    assert [(r["method"], r["path"], r["file"], r["line"]) for r in record["routes"]] == [
        ("GET", "/health", "routes.py", 3)
    ]


def test_unknown_values_keep_their_text(project, run_cli):
    root = project(
        {
            "w.py": """
            import os
            from runpod_flash import Endpoint, GpuType

            @Endpoint(name="dyn", gpu=GpuType.NVIDIA_L4, idle_timeout=int(os.getenv("IDLE")),
                      workers=compute_workers())
            async def f(x): ...
            """
        }
    )
    [record] = inventory(run_cli, root)
    idle = record["params"]["idle_timeout"]
    assert idle["value"] is None and idle["unknown"] == 'int(os.getenv("IDLE"))'
    assert record["params"]["workers"]["unknown"] == "compute_workers()"


def test_declarations_in_functions_loops_conditionals_and_init(project, run_cli):
    root = project(
        {
            "pkg/__init__.py": """
            from runpod_flash import Endpoint
            @Endpoint(name="in-init")
            async def a(x): ...
            """,
            "factory.py": """
            from runpod_flash import Endpoint

            def make():
                @Endpoint(name="in-factory")
                async def inner(x): ...
                return inner

            for i in range(2):
                @Endpoint(name="in-loop")
                async def looped(x): ...

            if True:
                guarded = Endpoint(name="in-if")
            """,
        }
    )
    records = by_name(inventory(run_cli, root))
    assert records["in-factory"]["scope"] == "function"
    assert records["in-loop"]["scope"] == "loop"
    assert records["in-if"]["scope"] == "conditional"
    assert records["in-init"]["in_init"] is True
    assert records["in-init"]["scope"] == "module"


def test_negatives_are_not_flash(project, run_cli):
    root = project(
        {
            "fake.py": """
            import runpod

            class Endpoint:
                def __init__(self, **kw): ...
                def __call__(self, f): return f

            @Endpoint(name="local-class")
            def a(): ...

            old = runpod.Endpoint("abc123")
            TEXT = "@Endpoint(name='in-a-string')"
            # @Endpoint(name="in-a-comment")
            """,
            "real.py": """
            '''Mentions runpod_flash in a docstring: @Endpoint(name="doc")'''
            from runpod_flash import Endpoint
            client = Endpoint(id="xyz")

            async def use():
                await client.post("/v1/x", {"a": 1})
            """,
        }
    )
    records = inventory(run_cli, root)
    # Only the real client is found: no local class, no old runpod SDK, no text in strings.
    assert [(r["name"], r["kind"], r["path"]) for r in records] == [("client", "client", "real.py")]
    assert records[0]["routes"] == []


def test_local_name_shadowing_flash_import_is_not_flash(project, run_cli):
    root = project(
        {
            "w.py": """
            from runpod_flash import Endpoint as FlashEndpoint
            from mylib import Endpoint

            @Endpoint(name="theirs")
            async def a(x): ...

            @FlashEndpoint(name="ours")
            async def b(x): ...
            """
        }
    )
    assert [r["name"] for r in inventory(run_cli, root)] == ["ours"]


def test_odd_files_do_not_stop_discovery(project, run_cli):
    good = """
    from runpod_flash import Endpoint, GpuType
    @Endpoint(name="survivor", gpu=GpuType.NVIDIA_L4)
    async def f(x): ...
    """
    root = project(
        {
            "a_syntax.py": "from runpod_flash import Endpoint\n@Endpoint(name='x'\ndef broken(:\n",
            "b_latin1.py": "# runpod_flash caf\xe9\n".encode("latin-1"),
            "c_empty.py": "",
            "d_binary.py": b"\x00\x01runpod_flash\x00\xff\xfe",
            "z_good.py": good,
        }
    )
    code, out, err = run_cli(["endpoints", "--format", "json", "."], root)
    assert code == 0, err
    assert "Traceback" not in err
    names = [r["name"] for r in json.loads(out)["endpoints"]]
    assert "survivor" in names


# -- value flow and discovery gaps (issue 11) -----------------------------------------------


def _findings(check_json, root) -> list[tuple[str, str, int]]:
    _, doc = check_json(root)
    return sorted((f["code"], f["path"], f["line"]) for f in doc["findings"])


def test_environment_defaults_decide_and_messages_name_the_variable(project, check_json):
    root = project(
        {
            "w.py": """
            import os
            from runpod_flash import Endpoint, GpuType

            IDLE = int(os.getenv("IDLE_S", "300"))

            @Endpoint(name="env", gpu=GpuType.NVIDIA_L4, workers=(1, 2), idle_timeout=IDLE,
                      execution_timeout_ms=int(os.environ.get("EXEC_MS", 60000)))
            async def f(x): ...
            """
        }
    )
    _, doc = check_json(root)
    [idle] = [f for f in doc["findings"] if f["code"] == "FG105"]
    assert "`IDLE_S` can override it at deploy time" in idle["message"]
    assert not [f for f in doc["findings"] if f["code"] in ("FG002", "FG104")]


def test_the_env_note_is_kept_when_the_constant_has_the_variables_name(project, check_json):
    # `IDLE = int(os.getenv("IDLE", ...))` imported from a settings module: the message names
    # the constant `IDLE`, which is no reason to drop the note about the variable `IDLE`.
    root = project(
        {
            "settings.py": 'import os\nIDLE = int(os.getenv("IDLE", "7200"))\n',
            "w.py": "from runpod_flash import Endpoint, GpuType\nfrom settings import IDLE\n\n"
            "@Endpoint(name='w', gpu=GpuType.NVIDIA_L4, workers=(1, 2), idle_timeout=IDLE,\n"
            "          execution_timeout_ms=60000)\nasync def w(x): ...\n",
        }
    )
    _, doc = check_json(root)
    messages = {f["code"]: f["message"] for f in doc["findings"] if f["code"] in ("FG105", "FG203")}
    assert set(messages) == {"FG105", "FG203"}
    assert all("a default: `IDLE` can override it at deploy time" in m for m in messages.values())


def test_or_and_and_decide_on_known_values_and_env_reads(project, check_json):
    # `os.getenv(K) or d`, through a constant too, is an environment read with default `d`
    # (like `os.getenv(K, d)`); `a or b` / `a and b` on a known `a` follow Python.
    root = project(
        {
            "w.py": """
            import os
            from runpod_flash import Endpoint, GpuType

            IDLE = int(os.getenv("IDLE_S") or "300")
            LOCAL = os.getenv("OPENAI_API_KEY")
            EXEC = None or 60000
            MAXW = 0 or 4
            MINW = 2 and 1

            @Endpoint(name="env", gpu=GpuType.NVIDIA_L4, workers=(MINW, MAXW), idle_timeout=IDLE,
                      execution_timeout_ms=EXEC,
                      env={"OPENAI_API_KEY": LOCAL or "", "HF_TOKEN": os.getenv("HF_TOKEN") or "",
                           "GH_TOKEN": LOCAL or "ghp_abcdefghijklmnopqrstuvwxyz0123456789"})
            async def f(x): ...
            """
        }
    )
    _, doc = check_json(root)
    [idle] = [f for f in doc["findings"] if f["code"] == "FG105"]
    assert "300 s" in idle["message"] and "`IDLE_S` can override it" in idle["message"]
    # The token-shaped default is written in the code: FG107, once; the empty ones are no secret.
    assert [f["message"].split(" ")[2] for f in doc["findings"] if f["code"] == "FG107"] == [
        "`GH_TOKEN`"
    ]
    assert not [f for f in doc["findings"] if f["code"] in ("FG002", "FG103", "FG104", "FG201")]


def test_if_else_candidates_split_or_agree(project, check_json):
    root = project(
        {
            "w.py": """
            import os
            from runpod_flash import Endpoint, GpuType

            if os.environ["STAGE"] == "prod":
                IDLE = 1200
                WORKERS = (1, 5)
            else:
                IDLE = 900
                WORKERS = (0, 1)

            GPU = GpuType.NVIDIA_A40 if os.environ["STAGE"] else GpuType.NVIDIA_L4

            @Endpoint(name="c", gpu=GPU, workers=WORKERS, idle_timeout=IDLE,
                      execution_timeout_ms=60000)
            async def f(x): ...
            """
        }
    )
    _, doc = check_json(root)
    codes = {f["code"] for f in doc["findings"]}
    # idle 1200/900 both in the queue range and both GPUs pinned: no finding for them;
    # workers (1, 5)/(0, 1) split FG103: one FG002 naming the candidates.
    fg002 = [f for f in doc["findings"] if f["code"] == "FG002"]
    assert fg002 and all("FG103" in f["message"] or "FG201" in f["message"] for f in fg002)
    assert any("(1, 5)" in f["message"] or "'max': 5" in f["message"] for f in fg002)
    assert not codes & {"FG101", "FG105", "FG103"}


@pytest.mark.parametrize("sdk", ["runpod_flash", "runpod2"])
def test_a_split_names_the_parameter_whose_candidates_change_the_verdict(project, check_json, sdk):
    """Two parameters with candidates, only the second deciding FG105: the FG002 names
    `idle_timeout`, not the first parameter that has candidates."""
    if sdk == "runpod2":
        head = "import os\nimport runpod\napp = runpod.App('split')\n"
        gpu = '"H100" if PROD else "4090"'
        decl = "@app.queue(name='split', gpu=GPU, workers=(1, 3), idle_timeout=IDLE,\n"
        files = {"requirements.txt": "runpod==2.0.0rc2\n"}
    else:
        head = "import os\nfrom runpod_flash import Endpoint, GpuType\n"
        gpu = "GpuType.NVIDIA_A40 if PROD else GpuType.NVIDIA_L4"
        decl = "@Endpoint(name='split', gpu=GPU, workers=(1, 3), idle_timeout=IDLE,\n"
        files = {}
    source = (
        f"{head}PROD = os.getenv('APP_ENV') == 'production'\nGPU = {gpu}\n"
        "IDLE = 1200 if PROD else 60\n"
        f"{decl}          execution_timeout_ms=60000)\ndef f(x): ...\n"
    )
    root = project({"w.py": source, **files})
    _, doc = check_json(root, "--select", "FG105")
    [fg002] = [f for f in doc["findings"] if f["code"] == "FG002"]
    assert "`idle_timeout` is `IDLE`, whose candidates 1200 / 60" in fg002["message"]


def test_shim_factory_and_applied_endpoint_are_discovered(project, run_cli):
    root = project(
        {
            "compat.py": """
            import importlib

            def sdk():
                return importlib.import_module("runpod_flash")

            def endpoint_class():
                return sdk().Endpoint
            """,
            "factory.py": """
            from compat import endpoint_class

            Endpoint = endpoint_class()

            def make(name, top=2):
                return Endpoint(name=name, cpu="cpu3c-1-2", workers=(1, top))
            """,
            "w.py": """
            from runpod_flash import Endpoint
            from factory import make

            first = make("first")
            second = make("second", top=4)

            @first
            async def a(x): ...

            @second
            async def b(x): ...

            def serve(fn):
                return Endpoint(name="applied", cpu="cpu3c-1-2")(fn)
            """,
        }
    )
    records = by_name(inventory(run_cli, root))
    assert sorted(records) == ["applied", "first", "second"]
    # The factory's own `Endpoint(...)` is where both are declared; each call is one endpoint.
    assert records["first"]["path"] == records["second"]["path"] == "factory.py"
    assert records["second"]["params"]["workers"]["value"] == {"min": 1, "max": 4}
    assert records["applied"]["scope"] == "function"


def test_a_shim_that_reads_the_sdk_with_getattr_is_discovered(project, run_cli):
    # `getattr(module, "Endpoint")` on the imported SDK module reads as `module.Endpoint`
    # (a default is unused when the SDK exports the name); flash build imports the module,
    # so the decorated function is deployed.
    root = project(
        {
            "compat.py": """
            import importlib

            def _get(module, attr):
                try:
                    return getattr(module, attr)
                except AttributeError as exc:
                    raise ImportError(attr) from exc

            def load():
                flash = importlib.import_module("runpod_flash")
                return _get(flash, "Endpoint"), getattr(flash, "GpuGroup", None)
            """,
            "worker.py": """
            from compat import load

            Endpoint, GpuGroup = load()

            @Endpoint(name="shimmed", gpu=GpuGroup.ADA_24, workers=(1, 2))
            async def run(x): ...
            """,
        }
    )
    records = by_name(inventory(run_cli, root))
    assert sorted(records) == ["shimmed"]
    assert records["shimmed"]["params"]["gpu"]["value"] == ["GpuGroup.ADA_24"]


def test_an_env_helper_that_strips_its_read_keeps_the_default(project, check_json):
    # `os.environ.get(K, d).strip()` in a helper: the default (stripped) is the value, still
    # noted as an environment read; a method with arguments stays unknown.
    root = project(
        {
            "w.py": """
            import os
            from runpod_flash import Endpoint, GpuType, NetworkVolume

            def env_str(name, default):
                value = os.environ.get(name, default).strip()
                return value or default

            NAME = env_str("WORKER_NAME", " stripped-worker ")
            VOLUME = env_str("VOLUME_NAME", "Model-Cache").lower()

            @Endpoint(name=NAME, gpu=GpuType.NVIDIA_L4, workers=(1, 2),
                      volume=NetworkVolume(name=VOLUME, size=50))
            async def run(x): ...

            @Endpoint(name=NAME.strip("-"), gpu=GpuType.NVIDIA_L4, workers=(1, 2))
            async def other(x): ...
            """
        }
    )
    _, data = check_json(root)
    names = sorted(e["name"] for e in data["endpoints"])
    assert names == ["other", "stripped-worker"]
    volume = next(e for e in data["endpoints"] if e["name"] == "stripped-worker")
    assert volume["params"]["volume"]["value"][0]["name"] == "model-cache"
    assert [f["line"] for f in data["findings"] if f["code"] == "FG002"] == [15]


def test_unresolvable_remote_config_is_one_declaration_with_fg002(project, check_json, run_cli):
    root = project(
        {
            "w.py": """
            import json
            from runpod_flash import LiveServerless, remote

            @remote(resource_config=LiveServerless(**json.load(open("cfg.json"))))
            async def a(x): ...

            @remote(json.load(open("other.json")))
            async def b(x): ...

            UNUSED = LiveServerless(name="unused")
            """
        }
    )
    records = inventory(run_cli, root)
    # The unused config deploys nothing (no @remote uses it): it is not a declaration.
    assert len(records) == 2 and all(r["api"] == "legacy" for r in records)
    lines = {f["line"] for f in check_json(root)[1]["findings"] if f["code"] == "FG002"}
    assert lines == {4, 7}


def test_settings_objects_resolve_to_their_field_defaults(project, check_json):
    root = project(
        {
            "config.py": """
            from pydantic_settings import BaseSettings, SettingsConfigDict

            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_prefix="APP_")
                idle: int = 300

            def get_settings():
                return Settings()
            """,
            "w.py": """
            from runpod_flash import Endpoint, GpuType
            from config import get_settings

            @Endpoint(name="s", gpu=GpuType.NVIDIA_L4, workers=(1, 2),
                      idle_timeout=get_settings().idle, execution_timeout_ms=60000)
            async def f(x): ...
            """,
        }
    )
    _, doc = check_json(root)
    [idle] = [f for f in doc["findings"] if f["code"] == "FG105"]
    assert "`APP_IDLE` can override it" in idle["message"]


@pytest.mark.parametrize("keyword", ["alias", "validation_alias", "env"])
def test_a_settings_field_alias_names_the_variable_read(project, check_json, keyword):
    # pydantic-settings reads `Field(alias="X")` / `validation_alias="X"` from X exactly (no
    # env_prefix; checked with pydantic-settings: IDLE_TIMEOUT_SECONDS=999 leaves 60,
    # FLASH_IDLE_TIMEOUT_SECONDS=999 gives 999); pydantic v1's BaseSettings spells it `env=`.
    root = project(
        {
            "config.py": f"""
            from pydantic import Field
            from pydantic_settings import BaseSettings, SettingsConfigDict

            class Settings(BaseSettings):
                model_config = SettingsConfigDict(env_prefix="APP_")
                idle_timeout_seconds: int = Field(default=60, {keyword}="FLASH_IDLE")
            """,
            "w.py": """
            from runpod_flash import Endpoint, GpuType
            from config import Settings

            settings = Settings()

            @Endpoint(name="s", gpu=GpuType.NVIDIA_L4, workers=(1, 2),
                      idle_timeout=settings.idle_timeout_seconds, execution_timeout_ms=60000)
            async def f(x): ...
            """,
        }
    )
    _, doc = check_json(root)
    [idle] = [f for f in doc["findings"] if f["code"] == "FG105"]
    assert "`FLASH_IDLE` can override it" in idle["message"], idle["message"]


def test_factory_built_endpoints_are_placed_where_the_factory_is_called(project, check_json):
    root = project(
        {
            "w.py": """
            from runpod_flash import Endpoint

            def make(name):
                ep = Endpoint(name=name, cpu="cpu3c-1-2", workers=(1, 2))
                return ep

            unused = make("unused")
            used = make("used")

            @used
            async def f(x): ...
            """
        }
    )
    _, doc = check_json(root)
    fg301 = [f for f in doc["findings"] if f["code"] == "FG301"]
    # Not "inside function `make`": the factory is called at module level. Only the endpoint
    # nothing decorates is reported.
    assert [f["endpoint"] for f in fg301] == ["unused"]
    assert "never used" in fg301[0]["message"]


def test_runpod2_gpu_candidates_are_decided_one_by_one(project, check_json):
    """`gpu="any" if PROD else "4090"`: one candidate is any GPU, so FG101 cannot pass; and
    two pinned candidates pass it without an FG002."""
    root = project(
        {
            "requirements.txt": "runpod==2.0.0rc2\n",
            "w.py": """
            import os
            import runpod

            PROD = os.getenv("APP_ENV") == "production"
            app = runpod.App("gpus")

            @app.queue(name="split", gpu="any" if PROD else "4090", workers=(1, 3),
                       idle_timeout=1200, execution_timeout_ms=60000)
            def split(x): ...

            @app.queue(name="pinned", gpu="H100" if PROD else "4090", workers=(1, 3),
                       idle_timeout=1200, execution_timeout_ms=60000)
            def pinned(x): ...
            """,
        }
    )
    _, doc = check_json(root, "--select", "FG101,FG205")
    by_endpoint = {}
    for finding in doc["findings"]:
        by_endpoint.setdefault(finding["message"].split("`")[1], []).append(finding)
    [split] = by_endpoint["split"]
    assert split["code"] == "FG002" and "FG101" in split["message"]
    assert "pinned" not in by_endpoint


def test_functools_partial_of_endpoint_is_a_declaration_where_it_is_called(project, check_json):
    root = project(
        {
            "common.py": """
            from functools import partial
            from runpod_flash import Endpoint, GpuGroup

            gpu_endpoint = partial(Endpoint, gpu=GpuGroup.ADA_24, idle_timeout=30)
            """,
            "w.py": """
            from common import gpu_endpoint

            @gpu_endpoint(name="embed", idle_timeout=1200, workers=(1, 3))
            async def embed(x): ...

            @gpu_endpoint(name="rank", workers=(1, 3))
            async def rank(x): ...
            """,
            "other.py": """
            from mylib import partial
            from runpod_flash import Endpoint

            not_functools = partial(Endpoint, name="lib")

            @not_functools()
            async def h(x): ...
            """,
        }
    )
    _, doc = check_json(root)
    endpoints = {e["name"]: e for e in doc["endpoints"]}
    # `partial` from another library is not functools': nothing is assumed about it.
    assert sorted(endpoints) == ["embed", "rank"]
    assert endpoints["embed"]["params"]["idle_timeout"]["value"] == 1200  # the call's own wins
    assert endpoints["rank"]["params"]["gpu"]["value"] == ["GpuGroup.ADA_24"]
    assert (endpoints["rank"]["path"], endpoints["rank"]["line"]) == ("w.py", 6)
    fg105 = [f for f in doc["findings"] if f["code"] == "FG105"]
    # The partial's keyword is reported where it was written, in the other file.
    assert [(f["endpoint"], f["path"], f["line"]) for f in fg105] == [("rank", "common.py", 4)]


def test_a_misspelt_sdk_attribute_as_a_value_is_fg213_alone(project, check_json):
    root = project(
        {
            "requirements.txt": "runpod-flash==1.21.0\n",
            "app.py": """
            import runpod_flash as rf

            @rf.Endpoint(name="typo", gpu=[rf.GpuTyp.NVIDIA_L4], datacenter=rf.DataCentre.EU_RO_1,
                         workers=(1, 2), idle_timeout=900, execution_timeout_ms=1000)
            async def a(x): return x
            """,
        }
    )
    _, doc = check_json(root)
    # The import-time AttributeError is the one finding at each place; the value behind it is
    # no module for FG205/FG206 to describe, and no FG002 either.
    codes = sorted((f["code"], f["line"], f["column"]) for f in doc["findings"])
    assert [c for c in codes if c[0] != "FG308"] == [("FG213", 3, 32), ("FG213", 3, 65)]
    assert not any("ModuleRef" in f["message"] for f in doc["findings"])


def test_deploy_breakers_decided_on_an_environment_default_say_so(project, check_json):
    # rules.md "value with an environment default": when the rule fires, the message says that
    # the variable can override it at deploy time, for every rule (items of a tuple too).
    root = project(
        {
            "app.py": """
            import os
            import runpod
            from runpod_flash import Endpoint, GpuType

            @Endpoint(name="envd", gpu=GpuType.NVIDIA_L4,
                      workers=(int(os.getenv("WMIN", "3")), int(os.getenv("WMAX", "1"))))
            async def envd(x): return x

            api = Endpoint(name=os.getenv("API_NAME", "envd"), gpu=GpuType.NVIDIA_L4,
                           workers=(1, 2))

            @api.get(os.getenv("HEALTH_PATH", "health"))
            async def h(): return {}

            app = runpod.App(os.getenv("APP_NAME", ""))

            @app.queue(name=os.getenv("SVC_NAME", "ab"), gpu="ADA_24", workers=(1, 2))
            def short(x: int): return x
            """,
        }
    )
    _, doc = check_json(root)
    notes = {
        f["code"]: f["message"]
        for f in doc["findings"]
        if f["code"] in ("FG201", "FG204", "FG207", "FG216")
    }
    assert "defaults: `WMIN`, `WMAX` can override them at deploy time" in notes["FG201"]
    assert "`HEALTH_PATH` can override it at deploy time" in notes["FG204"]
    assert "`API_NAME` can override it at deploy time" in notes["FG207"]
    fg216 = [f["message"] for f in doc["findings"] if f["code"] == "FG216"]
    assert len(fg216) == 2
    assert all("can override it at deploy time" in m for m in fg216), fg216


def test_a_volume_datacenter_with_an_environment_default_is_noted(project, check_json):
    # `NetworkVolume(datacenter=os.environ.get("MY_DC", "EU-RO-1"))` outside the endpoint's
    # list: FG206 is decided on the default and names the variable that can change it, in
    # both forms real code uses (the value string, and `DataCenter[...]` by member name).
    root = project(
        {
            "worker.py": """
            import os

            from runpod_flash import DataCenter, Endpoint, GpuType, NetworkVolume

            cache = NetworkVolume(name="cache", datacenter=os.environ.get("MY_DC", "EU-RO-1"))
            data = NetworkVolume(name="data", datacenter=DataCenter[os.getenv("DC", "EU_RO_1")])

            @Endpoint(name="a", gpu=GpuType.NVIDIA_L4, volume=cache, datacenter=DataCenter.US_KS_2)
            async def a(x): ...

            @Endpoint(name="b", gpu=GpuType.NVIDIA_L4, volume=data, datacenter=DataCenter.US_KS_2)
            async def b(x): ...
            """
        }
    )
    _, doc = check_json(root, "--select", "FG206")
    notes = sorted(f["message"] for f in doc["findings"])
    assert len(notes) == 2, notes
    assert "(a default: `MY_DC` can override it at deploy time)" in notes[0]
    assert "(a default: `DC` can override it at deploy time)" in notes[1]


@pytest.mark.parametrize("sdk", ["runpod_flash", "runpod2"])
def test_each_expression_behind_one_spread_gets_its_own_fg002(project, check_json, sdk):
    # `**SCALE` with SCALE = {"workers": WORKERS, "idle_timeout": IDLE}, both chosen by the
    # stage: the two unknowns sit at the one spread but are two expressions (rules.md: one
    # FG002 per expression, naming it), not one FG002 naming WORKERS for both.
    declare = (
        'app = runpod.App("spread")\n\n@app.queue(name="q", gpu="ADA_24", **SCALE)'
        if sdk == "runpod2"
        else '@Endpoint(name="q", gpu=GpuType.NVIDIA_L4, **SCALE)'
    )
    head = "import runpod" if sdk == "runpod2" else "from runpod_flash import Endpoint, GpuType"
    source = f"""
import os
{head}

if os.getenv("STAGE", "prod") == "prod":
    WORKERS, IDLE = (1, 10), 1200
else:
    WORKERS, IDLE = (0, 2), 300

SCALE = {{"workers": WORKERS, "idle_timeout": IDLE, "execution_timeout_ms": 60000}}

{declare}
def f(x):
    return x
"""
    root = project({"app.py": source})
    _, doc = check_json(root)
    fg002 = sorted(f["message"] for f in doc["findings"] if f["code"] == "FG002")
    assert len(fg002) == 2, fg002
    assert "`idle_timeout` is `IDLE`" in fg002[0] and "FG105" in fg002[0]
    assert "`workers` is `WORKERS`" in fg002[1] and "FG105" not in fg002[1]


@pytest.mark.parametrize("sdk", ["runpod_flash", "runpod2"])
def test_a_spread_chosen_by_an_if_is_candidate_values(project, check_json, sdk):
    # rules.md "Candidate values": `**SCALE` where SCALE is a dict in each branch of an `if`
    # (the same keys) sets each keyword to candidates; every candidate passing is a pass
    # (no FG002), disagreeing candidates are one FG002 per keyword, naming it.
    head = "import runpod" if sdk == "runpod2" else "from runpod_flash import Endpoint, GpuType"
    app = 'app = runpod.App("stages")\n' if sdk == "runpod2" else ""

    def declare(name: str, spread: str) -> str:
        if sdk == "runpod2":
            return (
                f'@app.queue(name="{name}", gpu="ADA_24", execution_timeout_ms=60000, **{spread})'
            )
        gpu = "GpuType.NVIDIA_L4"
        return f'@Endpoint(name="{name}", gpu={gpu}, execution_timeout_ms=60000, **{spread})'

    source = f"""
import os
{head}

{app}
if os.getenv("STAGE", "dev") == "prod":
    SCALE = {{"workers": (2, 10), "idle_timeout": 900}}
    MIXED = {{"workers": (0, 10), "idle_timeout": 900}}
    OTHER_KEYS = {{"workers": (2, 10)}}
else:
    SCALE = {{"workers": (1, 2), "idle_timeout": 1200}}
    MIXED = {{"workers": (1, 2), "idle_timeout": 60}}
    OTHER_KEYS = {{"workers": (1, 2), "idle_timeout": 1200}}


{declare("steady", "SCALE")}
def steady(x):
    return x


{declare("mixed", "MIXED")}
def mixed(x):
    return x


{declare("other-keys", "OTHER_KEYS")}
def other_keys(x):
    return x
"""
    root = project({"app.py": source})
    _, doc = check_json(root)
    fg002 = {}
    for f in doc["findings"]:
        if f["code"] == "FG002":
            fg002.setdefault(f["endpoint"], []).append(f["message"])
    assert "steady" not in fg002, fg002
    mixed = sorted(fg002["mixed"])
    assert len(mixed) == 2, mixed
    assert "`idle_timeout` is `MIXED['idle_timeout']`" in mixed[0] and "FG105" in mixed[0]
    assert "`workers` is `MIXED['workers']`" in mixed[1] and "FG103" in mixed[1]
    # branches that set different keywords: the spread may set any keyword, as before
    assert any("`**OTHER_KEYS` spread" in m for m in fg002["other-keys"]), fg002


def test_runpod_flash_datacenter_candidates_are_decided_one_by_one(project, check_json):
    # rules.md "Candidate values" for FG206: valid lists either way pass (no FG002); a volume
    # that fits one candidate only is a split (FG002 naming them); two unknown ones fail.
    root = project(
        {
            "worker.py": """
            import os

            from runpod_flash import Endpoint, GpuType, NetworkVolume

            if os.getenv("STAGE", "prod") == "prod":
                DCS, BAD = ["US-KS-2", "US-CA-2"], "US-XX-1"
            else:
                DCS, BAD = ["US-KS-2"], "EU-YY-2"

            weights = NetworkVolume(name="weights", size=80, datacenter="US-CA-2")

            @Endpoint(name="plain", gpu=GpuType.NVIDIA_L4, datacenter=DCS)
            async def plain(x): ...

            @Endpoint(name="with-volume", gpu=GpuType.NVIDIA_L4, datacenter=DCS, volume=weights)
            async def with_volume(x): ...

            @Endpoint(name="bad", gpu=GpuType.NVIDIA_L4, datacenter=BAD)
            async def bad(x): ...
            """
        }
    )
    _, doc = check_json(root, "--select", "FG002,FG206")
    by = {}
    for f in doc["findings"]:
        by.setdefault((f["endpoint"], f["code"]), []).append(f["message"])
    assert ("plain", "FG002") not in by and ("plain", "FG206") not in by, by
    [split] = by[("with-volume", "FG002")]
    assert "whose candidates" in split and "US-CA-2" in split
    assert ("bad", "FG206") in by and ("bad", "FG002") not in by, by


def test_a_lookup_keyed_by_an_environment_default_is_the_default_entry(project, check_json):
    # `BY_STAGE.get(STAGE, d)` / `BY_STAGE[STAGE]` / `CONFIG[os.getenv("STAGE", "dev")]`: the
    # key is an environment default, decided on its default as everywhere (rules.md "value
    # with an environment default"), and a finding says the variable can override it. What is
    # read from the entry next (`CFG["workers"]`) keeps the note.
    root = project(
        {
            "settings.py": """
            import os

            STAGE = os.getenv("STAGE", "prod")
            STAGE_CONFIG = {
                "dev": {"workers": (0, 1), "idle_timeout": 60},
                "prod": {"workers": (1, 3), "idle_timeout": 1200},
            }
            CFG = STAGE_CONFIG[os.getenv("STAGE", "dev")]
            """,
            "worker.py": """
            from runpod_flash import Endpoint, GpuGroup, GpuType

            from settings import CFG, STAGE

            GPU_BY_STAGE = {"prod": GpuType.NVIDIA_L4, "dev": GpuGroup.ANY}
            IDLE_BY_STAGE = {"prod": 1200, "dev": 60}

            @Endpoint(name="embed", gpu=GPU_BY_STAGE.get(STAGE, GpuType.NVIDIA_L4),
                      workers=(1, 3), idle_timeout=IDLE_BY_STAGE[STAGE],
                      execution_timeout_ms=60000)
            async def embed(x): ...

            @Endpoint(name=f"dev-{STAGE}", gpu=GpuType.NVIDIA_L4, workers=CFG["workers"],
                      idle_timeout=CFG["idle_timeout"], execution_timeout_ms=60000)
            async def dev(x): ...
            """,
        }
    )
    _, doc = check_json(root)
    assert not [f for f in doc["findings"] if f["code"] == "FG002"], doc["findings"]
    assert not [f for f in doc["findings"] if f["endpoint"] == "embed"]
    by_code = {f["code"]: f for f in doc["findings"] if f["endpoint"] == "dev-prod"}
    assert sorted(by_code) == ["FG103", "FG105"], by_code
    uses = (("FG103", 'CFG["workers"]', 13), ("FG105", 'CFG["idle_timeout"]', 14))
    for code, written, line in uses:
        finding = by_code[code]
        assert (finding["path"], finding["line"]) == ("worker.py", line), finding  # at the use
        assert written in finding["message"], finding["message"]
        assert "`STAGE` can override it at deploy time" in finding["message"], finding["message"]


def test_an_update_with_unknown_entries_leaves_no_key_decided(project, check_json):
    # `kwargs.update(extra())` may replace any key already there (runpod_flash 1.21 gives
    # workers_min 0 or 2 depending on WARM): nothing in kwargs is known, and the one FG002 is
    # at the `**kwargs` the declaration uses, not at an item inside the dict.
    root = project(
        {
            "helpers.py": """
            import os

            def extra_kwargs():
                return {"workers": (2, 4)} if os.environ.get("WARM") else {}
            """,
            "worker.py": """
            from runpod_flash import Endpoint, GpuType

            from helpers import extra_kwargs

            kwargs = {"name": "worker", "gpu": GpuType.NVIDIA_L4, "workers": (0, 1)}
            kwargs.update(extra_kwargs())
            ep = Endpoint(**kwargs)

            @ep
            async def work(data: dict) -> dict:
                return data
            """,
        }
    )
    _, doc = check_json(root)
    codes = [(f["code"], f["line"], f["column"]) for f in doc["findings"] if f["code"] != "FG308"]
    assert codes == [("FG002", 7, 15)], codes
    assert any("`**kwargs`" in f["message"] for f in doc["findings"])


def test_an_environment_note_names_only_the_value_a_finding_is_about(project, check_json):
    # env={"THREADS": 4, "MODEL": os.getenv(...)}: THREADS is wrong whatever MODEL says
    root = project(
        {
            "app.py": """
            import os
            from runpod_flash import LiveServerless, remote

            ENV = {"THREADS": 4, "MODEL": os.getenv("MODEL", "x")}
            cfg = LiveServerless(name="threads", env=ENV)

            @remote(cfg)
            async def f(x): ...
            """,
        }
    )
    _, doc = check_json(root)
    fg214 = [f["message"] for f in doc["findings"] if f["code"] == "FG214"]
    assert len(fg214) == 1 and "'THREADS' is an int" in fg214[0], fg214
    assert "can override" not in fg214[0]


def test_an_import_name_installed_under_another_distribution_name(project, check_json):
    # runpod/tetra-examples: `dependencies=["chatterbox-tts==0.1.1"]` installs `chatterbox`
    root = project(
        {
            "worker.py": """
            from runpod_flash import Endpoint, GpuType

            @Endpoint(name="tts", gpu=GpuType.NVIDIA_L4, dependencies=["chatterbox-tts==0.1.1"])
            async def speak(text):
                from chatterbox.tts import ChatterboxTTS
                return ChatterboxTTS
            """,
        }
    )
    _, doc = check_json(root, "--select", "FG305")
    assert doc["findings"] == []


@pytest.mark.parametrize(
    ("line", "undecided"),
    [
        ("-e git+https://github.com/openai/CLIP.git", True),  # editable: still names nothing
        ("-e git+https://github.com/openai/CLIP.git#egg=clip", False),  # names `clip`
    ],
)
def test_an_editable_requirement_is_read_as_its_url(project, check_json, line, undecided):
    # `-e URL` is a requirement, not an option: read as the URL it installs (pip's reading).
    # An editable install leaves the build only a link to a checkout on the build machine,
    # so the module it names is not on the worker (project/local_requirements.py).
    root = project(
        {
            "requirements.txt": f"runpod-flash==1.21.0\n{line}\n",
            "worker.py": """
            from runpod_flash import Endpoint

            @Endpoint(name="clip-embed", cpu="cpu3c-2-4", workers=(1, 2))
            async def embed(x):
                import clip
                return clip
            """,
        }
    )
    _, doc = check_json(root)
    fg305 = [f["message"] for f in doc["findings"] if f["code"] == "FG305"]
    if undecided:
        assert fg305 == []
    else:
        assert len(fg305) == 1 and "editable (`-e`)" in fg305[0]
    fg002 = [(f["path"], f["line"]) for f in doc["findings"] if f["code"] == "FG002"]
    assert fg002 == ([("requirements.txt", 2)] if undecided else [])


@pytest.mark.parametrize(
    ("url", "module", "undecided"),
    [
        # the repository is named as the import: it installs it
        ("git+https://github.com/openai/CLIP.git", "clip", False),
        # `MobileSAM.git` installs `mobile_sam`, but nothing written says so: undecided at
        # that line, as the same URL in dependencies= is, never "nothing installs it"
        ("git+https://github.com/ChaoningZhang/MobileSAM.git", "mobile_sam", True),
    ],
)
def test_a_requirements_url_that_names_no_distribution_leaves_fg305_undecided(
    project, check_json, url, module, undecided
):
    root = project(
        {
            "requirements.txt": f"runpod-flash==1.21.0\n{url}\n",
            "worker.py": f"""
            from runpod_flash import Endpoint

            @Endpoint(name="embed", cpu="cpu3c-2-4", workers=(1, 2))
            async def embed(x):
                import {module}
                return {module}
            """,
        }
    )
    _, doc = check_json(root)
    assert not [f for f in doc["findings"] if f["code"] == "FG305"]
    fg002 = [(f["path"], f["line"]) for f in doc["findings"] if f["code"] == "FG002"]
    assert fg002 == ([("requirements.txt", 2)] if undecided else [])


def test_an_item_set_in_a_loop_over_known_keys_is_one_item_per_key(project):
    """`for k in KEYS: ... env[k] = v` (under `if` branches too) unrolls over a known list;
    a rebound loop name, a `for ... else:` branch, a `try` in between or an unknown iterable
    leave the keys unknown (FG002)."""
    from flash_guard.discover.analysis import analyse

    root = project(
        {
            "w.py": """
            import os
            import sys
            from runpod_flash import Endpoint, GpuType

            def unrolled():
                env = {"A": "1"}
                for key in ("HF_TOKEN", "MODEL"):
                    value = os.getenv(key, "")
                    if not value:
                        pass
                    elif value:
                        env[key] = value
                return env

            def rebound():
                env = {"A": "1"}
                for key in ("HF_TOKEN",):
                    key = key.lower()
                    env[key] = "x"
                return env

            def for_else():
                env = {"A": "1"}
                for key in ("HF_TOKEN",):
                    pass
                else:
                    env[key] = "x"
                return env

            def in_try():
                env = {"A": "1"}
                for key in ("HF_TOKEN",):
                    try:
                        env[key] = "x"
                    except KeyError:
                        pass
                return env

            def unknown_keys():
                env = {"A": "1"}
                for key in sys.argv:
                    env[key] = "x"
                return env

            @Endpoint(name="unrolled", gpu=GpuType.NVIDIA_L4, env=unrolled())
            async def a(x): ...

            @Endpoint(name="rebound", gpu=GpuType.NVIDIA_L4, env=rebound())
            async def b(x): ...

            @Endpoint(name="for-else", gpu=GpuType.NVIDIA_L4, env=for_else())
            async def c(x): ...

            @Endpoint(name="in-try", gpu=GpuType.NVIDIA_L4, env=in_try())
            async def d(x): ...

            @Endpoint(name="unknown-keys", gpu=GpuType.NVIDIA_L4, env=unknown_keys())
            async def e(x): ...
            """
        }
    )
    endpoints = {e.name.value: e for e in analyse([str(root)], root, [], False).endpoints}
    env = endpoints["unrolled"].params["env"]
    assert env.known and env.partial is None
    assert sorted(env.value) == ["A", "HF_TOKEN", "MODEL"]
    assert env.value["HF_TOKEN"].env_key == "HF_TOKEN"
    for name in ("rebound", "for-else", "in-try", "unknown-keys"):
        env = endpoints[name].params["env"]
        assert env.partial is not None or not env.known, name


@pytest.mark.parametrize(
    ("pin", "expected"),
    [
        ("1.21.0", "GpuType.NVIDIA_RTX_PRO_6000_BLACKWELL_SERVER_EDITION"),
        ("1.8.0", "GpuType.NVIDIA_A40"),  # the RTX PRO 6000 types came in 1.9.0
    ],
)
def test_hasattr_on_an_sdk_enum_is_decided_by_the_release_in_use(project, run_cli, pin, expected):
    root = project(
        {
            "requirements.txt": f"runpod-flash=={pin}\n",
            "w.py": """
            from runpod_flash import Endpoint, GpuType

            PRO = "NVIDIA_RTX_PRO_6000_BLACKWELL_SERVER_EDITION"
            GPU = getattr(GpuType, PRO) if hasattr(GpuType, PRO) else GpuType.NVIDIA_A40
            NEVER = GpuType.ADA_24 if hasattr(GpuType, "ADA_24") else GpuType.NVIDIA_L4

            @Endpoint(name="by-release", gpu=GPU, workers=(1, 2))
            async def f(x): ...

            @Endpoint(name="never", gpu=NEVER, workers=(1, 2))
            async def g(x): ...
            """,
        }
    )
    records = by_name(inventory(run_cli, root))
    assert records["by-release"]["params"]["gpu"]["value"] == [expected]
    assert records["never"]["params"]["gpu"]["value"] == ["GpuType.NVIDIA_L4"]
    code, out, _ = run_cli(["check", "--format", "json", "--select", "FG205", "."], root)
    assert [f["code"] for f in json.loads(out)["findings"]] == []


def _fg301_names(run_cli, root) -> list[str]:
    code, out, _ = run_cli(["check", "--format", "json", "--no-cache", "."], root)
    findings = json.loads(out)["findings"]
    return sorted(
        m.group(1)
        for f in findings
        if f["code"] == "FG301" and (m := re.match(r"`([\w-]+)` \(`", f["message"]))
    )


def test_unused_registry_entries_are_reported_once_each(project, run_cli):
    """Only applied entries deploy (runpod-flash 1.21 reads module globals; the oracle case
    is test_discovery_vs_sdk's REGISTRY_BUILDS). An entry named literally by import-time
    code, under an imported alias too (`W["llama"](fn)` bound), counts as used; a run-time
    read inside a function (`WORKERS[model].run`) does not deploy anything."""
    root = project(
        {
            "reg.py": """
            from runpod_flash import Endpoint
            NAMES = ("qwen", "llama", "phi")
            WORKERS = {k: Endpoint(name=f"chat-{k}", cpu="cpu3c-2-4") for k in NAMES}
            async def route(model, x):
                return await WORKERS[model].run(x)
            """,
            "app.py": """
            from reg import WORKERS as W
            @W["qwen"]
            async def qwen(x): ...
            llama = W["llama"](lambda x: x)
            """,
        }
    )
    assert _fg301_names(run_cli, root) == ["chat-phi"]
    records = by_name(inventory(run_cli, root))
    assert sorted(records) == ["chat-llama", "chat-phi", "chat-qwen"]


def test_a_registry_read_with_a_computed_key_reports_no_entry(project, run_cli):
    """`@WORKERS[k]` in a loop may apply any entry: none is called unused."""
    root = project(
        {
            "app.py": """
            from runpod_flash import Endpoint
            NAMES = ("qwen", "llama")
            WORKERS = {k: Endpoint(name=f"chat-{k}", cpu="cpu3c-2-4") for k in NAMES}
            for k in NAMES:
                @WORKERS[k]
                async def run(x): ...
            """
        }
    )
    assert _fg301_names(run_cli, root) == []


def test_legacy_remote_applied_without_at_only_when_the_build_can_find_it(project, run_cli):
    # runpod-flash 1.21: `remote(cfg)(fn)` returns a new stamped function and leaves `fn`
    # as it was, so a discarded result deploys nothing; two arguments raise TypeError.
    root = project(
        {
            "app.py": """
                from runpod_flash import LiveServerless, remote

                kept = LiveServerless(name="kept")
                dropped = LiveServerless(name="dropped")
                odd = LiveServerless(name="odd")

                def work(x):
                    return x

                tool = remote(kept)(work)
                remote(dropped)(work)
                other = remote(odd)(work, 5)
            """
        }
    )
    assert sorted(by_name(inventory(run_cli, root))) == ["kept"]


def test_an_endpoint_from_a_container_filled_by_data_says_why_it_is_unread(project):
    """`EPS[spec.key] = Endpoint(...)` in a loop over data, then `@EPS["a"]`: discovery keeps
    a declaration whose settings are unknown, marked "container" (FG305 reads the mark: the
    build bundles that assignment's dependencies). Another unreadable declaration, a choice
    between two `Endpoint`s, is not so marked, though its decorator is a subscript too."""
    from flash_guard.discover.analysis import analyse

    root = project(
        {
            "app.py": """
            import os

            from runpod_flash import Endpoint, GpuType

            from specs import load_specs

            EPS = {}
            for spec in load_specs():
                EPS[spec["key"]] = Endpoint(name=spec["name"], gpu=GpuType.NVIDIA_L4)

            A = Endpoint(name="a", gpu=GpuType.NVIDIA_L4)
            B = Endpoint(name="b", gpu=GpuType.NVIDIA_L4)
            PICK = {"x": A if os.environ.get("PROD") else B}


            @EPS["chat"]
            async def chat(prompt): ...


            @PICK["x"]
            async def pick(prompt): ...
            """,
            "specs.py": "def load_specs():\n    return []\n",
        }
    )
    endpoints = analyse([str(root)], root, [], False).endpoints
    by_function = {e.targets[0].name: e for e in endpoints if e.targets}
    assert by_function["chat"].unread == "container"
    assert [s.text for s in by_function["chat"].spreads if not s.known] == ['EPS["chat"]']
    assert by_function["pick"].unread is None
