"""The SDK oracle harness reports what the real runpod_flash does (one subprocess, many cases)."""

from __future__ import annotations

import pytest
from sdk_oracle import run_oracle_or_skip

CASES = {
    "workers_int": """
from runpod_flash import Endpoint
@Endpoint(name="w", workers=5)
async def f(x): ...
""",
    "gpu_and_cpu": """
from runpod_flash import Endpoint, GpuGroup
ep = Endpoint(name="x", gpu=GpuGroup.ADA_24, cpu="cpu3c-1-2")
""",
    "lb_route": """
from runpod_flash import Endpoint
api = Endpoint(name="api", cpu="cpu3c-1-2", workers=(1, 3))
@api.get("/health")
async def health(): return {"ok": True}
@api.post("/compute")
async def compute(data: dict) -> dict: return data
""",
    "legacy_min_above_max": """
from runpod_flash import LiveServerless
cfg = LiveServerless(name="q", workersMin=3, workersMax=1)
""",
    "legacy_remote": """
from runpod_flash import GpuGroup, LiveServerless, remote
cfg = LiveServerless(name="legacy-gpu", gpus=[GpuGroup.ADA_24], workersMax=2, workers_max=9)
@remote(resource_config=cfg, dependencies=["torch"])
async def fn(x): ...
""",
    "inline_class_and_clients": """
from runpod_flash import Endpoint
@Endpoint(gpu=None, workers=(1, 2))
class Model:
    async def predict(self, x): return x
vllm = Endpoint(name="vllm", image="vllm/vllm-openai:latest")
existing = Endpoint(id="abc123")
""",
    "build_only_validation": """
from runpod_flash import Endpoint
unused = Endpoint(name="unused", idle_timeout=0)
""",
    "reserved_route": """
from runpod_flash import Endpoint
api = Endpoint(name="api")
@api.get("/ping")
async def ping(): ...
""",
    "isolation": """
print(cfg)
""",
    "syntax_error": """
def broken(:
""",
    "network_blocked": """
import socket
socket.create_connection(("api.runpod.ai", 443), timeout=1)
""",
}


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    return dict(zip(CASES, run_oracle_or_skip(list(CASES.values())), strict=True))


def only_endpoint(result: dict) -> dict:
    assert len(result["endpoints"]) == 1, result["endpoints"]
    return result["endpoints"][0]


def test_int_workers_means_zero_to_n(results):
    result = results["workers_int"]
    assert result["error"] is None
    ep = only_endpoint(result)
    assert (ep["workers_min"], ep["workers_max"]) == (0, 5)
    assert ep["qb_target"] == "f"
    assert ep["gpu"] == ["ANY"]
    assert ep["resource_class"] == "LiveServerless"
    assert ep["resource"]["workersMax"] == 5


def test_gpu_with_cpu_is_rejected_by_the_constructor(results):
    error = results["gpu_and_cpu"]["error"]
    assert error["type"] == "ValueError"
    assert error["message"] == "gpu and cpu are mutually exclusive. specify one or neither."
    assert (error["phase"], error["line"]) == ("exec", 3)
    assert results["gpu_and_cpu"]["endpoints"] == []


def test_a_route_makes_the_endpoint_load_balanced(results):
    result = results["lb_route"]
    assert result["error"] is None
    ep = only_endpoint(result)
    assert ep["is_load_balanced"] and ep["is_cpu"] and not ep["is_client"]
    assert ep["variables"] == ["api"]
    assert ep["routes"] == [
        {"method": "GET", "path": "/health", "function": "health"},
        {"method": "POST", "path": "/compute", "function": "compute"},
    ]
    assert ep["resource_class"] == "CpuLiveLoadBalancer"
    assert ep["scaler_type"] == "REQUEST_COUNT"
    assert ep["cpu"] == ["CPU3C_1_2"]
    assert ep["datacenter"] is None


def test_legacy_min_above_max_raises_at_construction(results):
    error = results["legacy_min_above_max"]["error"]
    assert error["type"] == "ValidationError"
    assert error["phase"] == "exec"
    assert any("workersMin (3) cannot be greater than workersMax (1)" in e for e in error["errors"])


def test_legacy_config_reports_pydantic_fields_and_ignores_unknown_kwargs(results):
    result = results["legacy_remote"]
    assert result["error"] is None
    ep = only_endpoint(result)
    assert ep["api"] == "legacy"
    assert ep["class"] == "LiveServerless"
    assert ep["variables"] == ["cfg"]
    assert [t["function"] for t in ep["targets"]] == ["fn"]
    # workers_max=9 is not a field: pydantic drops it silently (FG210's reason to exist)
    assert (ep["workersMin"], ep["workersMax"], ep["idleTimeout"]) == (0, 2, 60)
    assert ep["gpus"] == ["ADA_24"] and ep["instanceIds"] is None
    categories = {w["category"] for w in result["warnings"]}
    assert "DeprecationWarning" in categories


def test_inline_class_and_client_endpoints(results):
    result = results["inline_class_and_clients"]
    assert result["error"] is None
    by_name = {ep["name"]: ep for ep in result["endpoints"]}
    assert set(by_name) == {"Model", "vllm", None}
    assert by_name["Model"]["qb_target"] == "Model"  # name derived from the class
    assert by_name["Model"]["variables"] == []  # inline: reachable only through the class
    assert by_name["vllm"]["is_client"] and by_name["vllm"]["resource_class"] == "LiveServerless"
    client = by_name[None]
    assert client["is_client"] and client["gpu"] is None and client["datacenter"] is None
    assert client["resource_class"] is None


def test_validation_that_fires_only_at_build_is_reported_as_build_phase(results):
    result = results["build_only_validation"]
    assert result["error"]["phase"] == "build"
    assert "idleTimeout must be between 1 and 3600 seconds" in result["error"]["message"]
    assert only_endpoint(result)["build_error"] == result["error"]


def test_reserved_route_path(results):
    error = results["reserved_route"]["error"]
    assert error["type"] == "ValueError"
    assert error["message"].startswith("path '/ping' is reserved by the framework.")


def test_cases_do_not_share_a_namespace(results):
    error = results["isolation"]["error"]
    assert (error["type"], error["line"]) == ("NameError", 2)


def test_syntax_errors_are_reported(results):
    assert results["syntax_error"]["error"]["type"] == "SyntaxError"


def test_declaring_endpoints_never_touches_the_network(results):
    touched = {name: r["network"] for name, r in results.items() if r["network"]}
    assert set(touched) == {"network_blocked"}
    assert results["network_blocked"]["error"]["type"] == "OSError"


def test_a_missing_sdk_fails_under_ci_and_skips_elsewhere(monkeypatch):
    import pytest
    from sdk_oracle import skip_or_fail

    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true: the SDK oracle is required"):
        skip_or_fail("runpod_flash is not installed")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        skip_or_fail("runpod_flash is not installed")
