"""The runpod 2.0 oracle reports what the real SDK registers, in a sandbox with no network.

Skips when the runpod 2.0 interpreter is missing, except under CI=true (then it fails).
"""

from __future__ import annotations

import sys

import pytest
import sdk2_oracle
from sdk2_oracle import SdkMissing, run_discovery_or_skip, run_oracle2, run_oracle2_or_skip

import flash_guard.sdk.runpod2_tables as t

CASES = {
    "defaults": """
import runpod
app = runpod.App("inference")
@app.queue()
def chat(prompt: str): ...
""",
    "pinned": """
import runpod
from runpod import GpuType
app = runpod.App("pins", env="prod")
@app.queue(name="l4-q", gpu=GpuType.NVIDIA_L4, workers=(1, 5), idle_timeout=900,
           execution_timeout_ms=600_000,
           env={"HF_TOKEN": runpod.Secret("hf-token"), "MODE": "fast"},
           mounts={"/runpod-volume": runpod.NetworkVolume("models", size=100)})
def l4(x): ...
h100 = app.queue(name="h100-q", gpu="H100", workers=4)(lambda: None)
""",
    "api_class": """
import runpod
app = runpod.App("web")
@app.api(name="svc", cpu="cpu3c-2-4", workers=(1, 2))
class Svc:
    @runpod.init
    def setup(self): ...
    @runpod.get("/health")
    def health(self): return {"ok": True}
    @runpod.post("/generate")
    def generate(self, body: dict): return body
""",
    "bad_workers": """
import runpod
app = runpod.App("bad")

@app.queue(workers=(0, 0))
def f(): ...
""",
    "reserved_route": """
import runpod
app = runpod.App("bad")
@app.api(name="svc")
class Svc:
    @runpod.get("/ping")
    def ping(self): ...
""",
    "flash_keyword": """
import runpod
app = runpod.App("bad")
@app.queue(volume="models")
def f(): ...
""",
    "short_name": """
import runpod
app = runpod.App("short")
@app.queue(name="ab")
def f(): ...
""",
    "network": """
import socket
try:
    socket.getaddrinfo("api.runpod.ai", 443)
except OSError:
    pass
socket.create_connection(("api.runpod.ai", 443), timeout=1)
""",
    "isolation": """
import os, runpod
assert "inference" not in [a.name for a in runpod.apps.get_registered_apps()]
LEAK = (os.environ.get("RUNPOD_API_KEY"), runpod.api_key, chat)
""",
}


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    return dict(zip(CASES, run_oracle2_or_skip(list(CASES.values())), strict=True))


def only_resource(result: dict) -> dict:
    assert result["error"] is None, result["error"]
    (app,) = result["apps"]
    (resource,) = app["resources"]
    return resource


def test_queue_defaults(results):
    r = only_resource(results["defaults"])
    assert (r["app"], r["app_env"], r["name"], r["kind"]) == (
        "inference",
        "default",
        "chat",
        "queue",
    )
    assert (r["target"], r["target_type"], r["variables"]) == ("chat", "function", ["chat"])
    assert r["workers"] == [0, 3] == list(t.DEFAULT_WORKERS)
    assert (r["idle_timeout"], r["execution_timeout_ms"]) == (60, 0)
    assert r["gpu"] is None and r["cpu"] is None and r["min_cuda_version"] is None
    assert r["gpu_pools"] == sorted(t.ANY_GPU_POOLS)  # no gpu = every pool
    assert r["locations"] == list(t.DEFAULT_LOCATIONS["gpu"])
    assert r["effective_scaler_type"] == "QUEUE_DELAY"
    assert r["image"] == f"runpod/queue-gpu:py{t.PYTHON_VERSIONS['default']}-latest"
    assert r["env"] is None and r["mounts"] == [] and r["routes"] == []
    assert r["spec"]["scaler_value"] == t.RESOURCE_SPEC_DEFAULTS["scaler_value"]
    assert r["manifest"]["workersMax"] == 3 and r["manifest_error"] is None
    assert results["defaults"]["network"] == []


def test_pinned_queue_is_widened_to_its_pool(results):
    result = results["pinned"]
    assert result["error"] is None
    (app,) = result["apps"]
    assert (app["name"], app["env"], app["build_error"]) == ("pins", "prod", None)
    l4, h100 = app["resources"]
    assert l4["gpu"] == ["NVIDIA L4"]
    assert l4["gpu_pools"] == ["AMPERE_24"] == [t.TYPE_TO_POOL["NVIDIA_L4"]]
    assert l4["workers"] == [1, 5] and l4["idle_timeout"] == 900
    assert l4["execution_timeout_ms"] == 600_000
    assert l4["env"]["HF_TOKEN"] == {
        "secret": True,
        "secret_name": "hf-token",
        "value": "{{ RUNPOD_SECRET_hf-token }}",
    }
    assert l4["env"]["MODE"]["secret"] is False
    assert l4["mounts"] == [
        {
            "path": "/runpod-volume",
            "kind": "network",
            "name": "models",
            "size": 100,
            "datacenter": None,
            "create": True,
        }
    ]
    assert len(h100["gpu"]) == 3 and h100["gpu_pools"] == ["ADA_80_PRO"]
    assert h100["workers"] == [0, 4]  # an int N means (0, N)
    assert h100["target"] == "<lambda>" and h100["variables"] == ["h100"]


def test_api_class_routes_and_init(results):
    r = only_resource(results["api_class"])
    assert (r["kind"], r["target_type"], r["init"]) == ("api", "class", "setup")
    assert r["routes"] == [
        {"method": "POST", "path": "/generate", "handler": "generate"},
        {"method": "GET", "path": "/health", "handler": "health"},
    ]
    assert r["cpu"] == ["cpu3c-2-4"] and r["gpu_pools"] is None
    assert r["locations"] == list(t.DEFAULT_LOCATIONS["cpu3"])
    assert r["effective_scaler_type"] == "REQUEST_COUNT"


def test_rejected_declarations_report_type_message_and_line(results):
    bad = results["bad_workers"]
    assert bad["error"] == {
        "type": "InvalidResourceError",
        "message": "invalid worker range (0, 0)",
        "line": 5,
    }
    assert [a["resources"] for a in bad["apps"]] == [[]]  # the App exists, the queue does not
    reserved = results["reserved_route"]["error"]
    assert reserved["type"] == "ValueError" and reserved["line"] == 6
    assert "'/ping' is reserved" in reserved["message"]
    flash_kw = results["flash_keyword"]["error"]
    assert flash_kw["type"] == "TypeError" and "'volume'" in flash_kw["message"]


def test_build_errors_are_reported_per_app(results):
    (app,) = results["short_name"]["apps"]
    assert results["short_name"]["error"] is None
    assert app["build_error"]["type"] == "InvalidResourceError"
    assert "too short to deploy" in app["build_error"]["message"]
    assert t.MIN_DEPLOY_NAME_LENGTH == 3


def test_network_is_blocked_and_recorded(results):
    result = results["network"]
    assert result["error"]["type"] == "OSError"
    assert "blocked" in result["error"]["message"]
    assert result["network"] == [
        "getaddrinfo('api.runpod.ai')",
        "create_connection(('api.runpod.ai', 443))",
    ]
    assert all(results[name]["network"] == [] for name in CASES if name != "network")


def test_cases_are_isolated_and_credential_free(results):
    # `chat` from the first case is not visible: NameError, after both credential reads ran
    error = results["isolation"]["error"]
    assert error["type"] == "NameError" and "chat" in error["message"]
    probe = sdk2_oracle.run_probe2(
        "import os, runpod\nRESULT = [os.environ.get('RUNPOD_API_KEY'), runpod.api_key,"
        " os.path.expanduser('~') == os.getcwd()]"
    )
    assert probe == [None, None, True]


def test_discover_apps_finds_an_app_in_a_package_project():
    found = run_discovery_or_skip(
        {
            "pkg/__init__.py": "",
            "pkg/common.py": "import runpod\napp = runpod.App('shared')\n",
            "pkg/worker.py": (
                "from pkg.common import app\n"
                "@app.queue(name='gpu-q', gpu='4090')\n"
                "def infer(x): ...\n"
            ),
            "tests/test_boom.py": "raise RuntimeError('boom')\n",
        }
    )
    assert found["error"] is None and found["network"] == []
    (app,) = found["apps"]
    assert (app["name"], app["source_file"]) == ("shared", "pkg/common.py")
    (r,) = app["resources"]
    assert (r["name"], r["module"], r["manifest_module"]) == ("gpu-q", "pkg.worker", "pkg.worker")
    assert r["variables"] == ["infer"] and r["gpu_pools"] == ["ADA_24"]
    # directory discovery is tolerant: the failing file is logged and skipped
    assert [e["message"] for e in found["logs"]] == [
        "importing <project>/tests/test_boom.py failed: boom"
    ]


def test_discover_apps_flat_layout_keeps_the_empty_twin():
    # runpod-sdk2.md §5.2: the App module sorts first, is imported under a synthetic name,
    # and wins the name dedupe without the resources registered on its re-imported twin
    found = run_discovery_or_skip(
        {
            "common.py": "import runpod\napp = runpod.App('shared')\n",
            "gpu_worker.py": "from common import app\n@app.queue(name='gpu-q')\ndef f(): ...\n",
        }
    )
    assert found["error"] is None
    assert [(a["name"], a["source_file"], a["resources"]) for a in found["apps"]] == [
        ("shared", "common.py", [])
    ]


def test_missing_interpreter_raises_sdk_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASH_GUARD_RP2_PYTHON", str(tmp_path / "no-python"))
    with pytest.raises(SdkMissing, match="not found"):
        run_oracle2(["x = 1"])


def test_an_interpreter_without_runpod_2_is_sdk_missing(monkeypatch):
    # the test interpreter has runpod 1.x (via runpod-flash) or none: either is "missing"
    monkeypatch.setenv("FLASH_GUARD_RP2_PYTHON", sys.executable)
    with pytest.raises(SdkMissing):
        run_oracle2(["x = 1"])


def test_missing_sdk_skips_locally_but_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        sdk2_oracle.skip_or_fail("no rp2")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="no rp2"):
        sdk2_oracle.skip_or_fail("no rp2")
