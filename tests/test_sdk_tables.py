"""flash_guard.sdk.flash_tables agrees with the installed runpod_flash, and did_you_mean works.

The SDK is only ever imported in a sandboxed subprocess (tests/sdk_oracle.py); the tests that
need it are skipped when runpod_flash is not installed.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from sdk_oracle import run_probe_or_skip, sandbox_env

from flash_guard.sdk import flash_tables as t

REPO = Path(__file__).resolve().parent.parent

PROBE = """
import inspect

from runpod_flash import __all__ as exported
from runpod_flash import _DEPRECATED_RESOURCE_CLASSES
from runpod_flash.client import remote
from runpod_flash.core.resources import constants, cpu, datacenter, gpu, serverless
from runpod_flash.core.resources import live_serverless as live
from runpod_flash.core.resources import load_balancer_sls_resource as lb
from runpod_flash.core.resources import serverless_cpu
from runpod_flash.core.resources.network_volume import NetworkVolume
from runpod_flash.core.resources.template import PodTemplate
from runpod_flash.endpoint import Endpoint, _RESERVED_PATHS, _VALID_HTTP_METHODS
from runpod_flash.runtime.resource_provisioner import PROVISIONABLE_RESOURCE_TYPES

REMOVED = {removed!r}
DC_STRINGS = {dc_strings!r}
LEGACY = {legacy!r}


def members(enum_cls):
    return {{m.name: m.value for m in enum_cls}}


def accepted(build):
    try:
        build()
    except ValueError:
        return False
    return True


def resource_class(lb_route, cpu_type):
    ep = Endpoint(name="probe", cpu=cpu_type)
    if lb_route:
        ep.get("/probe")(lambda: None)
    return type(ep._build_resource_config()).__name__


def parse_dc(text):
    try:
        return datacenter.DataCenter.from_string(text).name
    except ValueError:
        return None


endpoint_sig = inspect.signature(Endpoint.__init__).parameters
remote_sig = inspect.signature(remote).parameters
classes = {{name: getattr(live, name, None) or getattr(lb, name, None)
           or getattr(serverless_cpu, name, None) or getattr(serverless, name) for name in LEGACY}}

RESULT = {{
    "enums": {{
        cls.__name__: members(cls)
        for cls in (
            gpu.GpuGroup, gpu.GpuType, cpu.CpuInstanceType, datacenter.DataCenter,
            serverless.CudaVersion, serverless.ServerlessScalerType, serverless.ServerlessType,
        )
    }},
    "pools": {{g.name: [m.name for m in ms] for g, ms in gpu.POOLS_TO_TYPES.items()}},
    "disk_limits": {{c.value: gb for c, gb in cpu.CPU_INSTANCE_DISK_LIMITS.items()}},
    "cpu_datacenters": sorted(d.name for d in datacenter.CPU_DATACENTERS),
    "endpoint_params": [[n, p.kind.name] for n, p in endpoint_sig.items() if n != "self"],
    "endpoint_defaults": {{
        n: getattr(p.default, "name", p.default)
        for n, p in endpoint_sig.items()
        if n != "self" and p.default is not None
    }},
    "remote_params": [n for n, p in remote_sig.items() if p.kind is not p.VAR_KEYWORD],
    "remote_takes_extra": any(p.kind is p.VAR_KEYWORD for p in remote_sig.values()),
    "legacy": {{
        name: {{
            "fields": sorted(cls.model_fields),
            "lb": issubclass(cls, lb.LoadBalancerSlsResource),
            "cpu": issubclass(cls, serverless_cpu.CpuEndpointMixin),
            "live": issubclass(cls, live.LiveServerlessMixin),
            "provisionable": name in PROVISIONABLE_RESOURCE_TYPES,
            "exported": name in exported,
            "deprecated": name in _DEPRECATED_RESOURCE_CLASSES,
        }}
        for name, cls in classes.items()
    }},
    "network_volume_fields": sorted(NetworkVolume.model_fields),
    "network_volume_sizes": [accepted(lambda s=s: NetworkVolume(name="v", size=s))
                             for s in (9, 10, 4096, 4097)],
    "network_volume_alias": NetworkVolume(name="v", datacenter="US-KS-2").dataCenterId.name,
    "pod_template_fields": sorted(PodTemplate.model_fields),
    "http_methods": sorted(_VALID_HTTP_METHODS),
    "route_methods": sorted(m for m in ("get", "post", "put", "delete", "patch", "options",
                                        "head", "route") if callable(getattr(Endpoint, m, None))),
    "reserved_paths": sorted(_RESERVED_PATHS),
    "python_versions": list(constants.SUPPORTED_PYTHON_VERSIONS),
    "default_python_version": constants.DEFAULT_PYTHON_VERSION,
    "default_workers": [constants.DEFAULT_WORKERS_MIN, constants.DEFAULT_WORKERS_MAX],
    "removed_still_present": [n for n in REMOVED if hasattr(datacenter.DataCenter, n)],
    "removed_values_parse": [parse_dc(v) for v in REMOVED.values()],
    "dc_strings": {{s: parse_dc(s) for s in DC_STRINGS}},
    "idle_timeouts": [accepted(lambda v=v: live.LiveServerless(name="p", idleTimeout=v))
                      for v in (0, 1, 3600, 3601)],
    "max_concurrency": [accepted(lambda v=v: Endpoint(name="p", max_concurrency=v))
                        for v in (0, 1)],
    "resource_classes": {{
        f"{{lb_route}},{{cpu_type is not None}}": resource_class(lb_route, cpu_type)
        for lb_route in (False, True) for cpu_type in (None, "cpu3c-1-2")
    }},
}}
"""

DC_STRINGS = ["eu-ro-1", "EU_RO_1", " us-ks-2 ", "Eur-No-1", "US-GA-2", "nowhere", ""]


@pytest.fixture(scope="module")
def sdk() -> dict:
    source = PROBE.format(
        removed=t.REMOVED_DATACENTERS, dc_strings=DC_STRINGS, legacy=sorted(t.LEGACY_CLASSES)
    )
    return run_probe_or_skip(source)


def test_enums_match_the_sdk(sdk):
    enums = sdk["enums"]
    assert set(enums["GpuGroup"]) == t.GPU_GROUPS
    assert set(enums["GpuType"]) == t.GPU_TYPES
    assert enums["GpuType"] == t.GPU_TYPE_VALUES
    assert enums["CpuInstanceType"] == t.CPU_INSTANCE_TYPES
    assert enums["DataCenter"] == t.DATACENTERS
    assert enums["CudaVersion"] == t.CUDA_VERSIONS
    assert set(enums["ServerlessScalerType"]) == t.SCALER_TYPES
    assert set(enums["ServerlessType"]) == t.SERVERLESS_TYPES


def test_hardware_tables_match_the_sdk(sdk):
    assert sdk["pools"] == {k: list(v) for k, v in t.GPU_POOLS.items()}
    assert sdk["disk_limits"] == t.CPU_DISK_LIMITS
    assert set(sdk["cpu_datacenters"]) == t.CPU_DATACENTERS


def test_endpoint_signature_matches_the_sdk(sdk):
    params = sdk["endpoint_params"]
    assert tuple(name for name, _ in params) == t.ENDPOINT_PARAMS
    # name is the only positional parameter; everything after it is keyword-only
    assert params[0] == ["name", "POSITIONAL_OR_KEYWORD"]
    assert {kind for _, kind in params[1:]} == {"KEYWORD_ONLY"}
    for name, default in sdk["endpoint_defaults"].items():
        assert t.DEFAULTS["endpoint"][name] == default, name
    assert t.DEFAULTS["endpoint"]["workers"] == tuple(sdk["default_workers"])


def test_remote_signature_matches_the_sdk(sdk):
    assert tuple(sdk["remote_params"]) == t.REMOTE_PARAMS
    assert sdk["remote_takes_extra"]  # **extra exists only to raise "did you mean" TypeErrors


def test_legacy_classes_match_the_sdk(sdk):
    assert set(sdk["legacy"]) == set(t.LEGACY_CLASSES)
    for name, facts in sdk["legacy"].items():
        assert set(facts["fields"]) == t.LEGACY_FIELDS, name
        flags = {k: facts[k] for k in ("lb", "cpu", "live", "provisionable")}
        assert flags == t.LEGACY_CLASSES[name], name
        assert facts["exported"] and facts["deprecated"], name


def test_helper_models_match_the_sdk(sdk):
    assert set(sdk["network_volume_fields"]) == t.NETWORK_VOLUME_FIELDS
    assert "datacenter" in t.NETWORK_VOLUME_FIELDS  # the user-facing alias of dataCenterId
    assert sdk["network_volume_alias"] == "US_KS_2"
    lo, hi = t.NETWORK_VOLUME_SIZE_RANGE
    assert (lo, hi) == (10, 4096)
    assert sdk["network_volume_sizes"] == [False, True, True, False]
    assert set(sdk["pod_template_fields"]) == t.POD_TEMPLATE_FIELDS


def test_routes_and_versions_match_the_sdk(sdk):
    assert set(sdk["http_methods"]) == t.HTTP_METHODS
    assert tuple(sdk["route_methods"]) == t.ROUTE_METHODS
    assert set(sdk["reserved_paths"]) == t.RESERVED_PATHS
    assert tuple(sdk["python_versions"]) == t.PYTHON_VERSIONS
    assert sdk["default_python_version"] == t.DEFAULT_PYTHON_VERSION


def test_hand_written_facts_hold_in_the_sdk(sdk):
    assert sdk["removed_still_present"] == []
    assert sdk["removed_values_parse"] == [None] * len(t.REMOVED_DATACENTERS)
    lo, hi = t.IDLE_TIMEOUT_RANGE
    assert (lo, hi) == (1, 3600)
    assert sdk["idle_timeouts"] == [False, True, True, False]  # 0, 1, 3600, 3601
    assert sdk["max_concurrency"] == [False, True]
    assert t.MIN_MAX_CONCURRENCY == 1
    built = {
        tuple(k == "True" for k in key.split(",")): v for key, v in sdk["resource_classes"].items()
    }
    assert built == t.ENDPOINT_RESOURCE_CLASSES


def test_datacenter_parsing_matches_the_sdk(sdk):
    assert {s: t.datacenter_from_string(s) for s in DC_STRINGS} == sdk["dc_strings"]


def test_generated_block_has_not_drifted(sdk, tmp_path):
    # `sdk` is requested only so this test is skipped with the others when the SDK is missing.
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "regen_sdk_tables.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=sandbox_env(str(tmp_path)),
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --- no SDK needed below ----------------------------------------------------------------------


def test_tables_are_consistent_with_each_other():
    pooled = [m for members in t.GPU_POOLS.values() for m in members]
    assert sorted(pooled) == sorted(t.GPU_TYPES - {"ANY"})  # every real type in exactly one pool
    assert set(t.GPU_POOLS) == t.GPU_GROUPS - {"ANY"}
    assert set(t.CPU_DISK_LIMITS) == set(t.CPU_INSTANCE_TYPES.values())
    assert set(t.DATACENTERS) >= t.CPU_DATACENTERS
    assert not set(t.REMOVED_DATACENTERS) & set(t.DATACENTERS)
    assert t.LEGACY_FIELDS >= t.LEGACY_INTERNAL_FIELDS
    assert {"workersMin", "workersMax", "gpus", "instanceIds"} <= t.LEGACY_USER_FIELDS
    assert set(t.DEFAULTS["legacy_by_class"]) == set(t.LEGACY_CLASSES)
    assert set(t.ROUTE_METHODS) == {m.lower() for m in t.HTTP_METHODS}
    assert set(t.DEFAULTS["endpoint"]) - {"workers"} <= set(t.ENDPOINT_PARAMS)


def test_sdk_tables_imports_nothing_outside_the_standard_library():
    tree = ast.parse(Path(t.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {"__future__", "collections", "difflib", "os"}


@pytest.mark.parametrize(
    ("word", "candidates", "expected"),
    [
        ("NVIDIA_A100_80GB", t.GPU_TYPES, "NVIDIA_A100_80GB_PCIe"),  # not the SXM4 card
        ("NVIDIA_A100_80GB_PCIE", t.GPU_TYPES, "NVIDIA_A100_80GB_PCIe"),
        ("nvidia_l4", t.GPU_TYPES, "NVIDIA_L4"),
        ("ADA24", t.GPU_GROUPS, "ADA_24"),
        ("workers_max", t.LEGACY_USER_FIELDS, "workersMax"),
        ("idle_timeout", t.LEGACY_USER_FIELDS, "idleTimeout"),
        ("gpus", t.ENDPOINT_PARAMS, "gpu"),
        ("idleTimeout", t.ENDPOINT_PARAMS, "idle_timeout"),
        ("execution_timeout", t.ENDPOINT_PARAMS, "execution_timeout_ms"),
        ("dependences", t.REMOTE_PARAMS, "dependencies"),
        ("EU-RO-1", t.DATACENTERS, "EU_RO_1"),
        ("cpu3c-1-1", t.CPU_INSTANCE_TYPES.values(), "cpu3c-1-2"),
    ],
)
def test_did_you_mean_finds_the_intended_name(word, candidates, expected):
    assert t.did_you_mean(word, candidates) == expected


@pytest.mark.parametrize(
    ("word", "candidates"),
    [
        ("gpu", t.ENDPOINT_PARAMS),  # already valid
        ("python_version", t.ENDPOINT_PARAMS),  # nothing close: FG208 explains it instead
        ("zzzz", t.GPU_TYPES),
        ("", t.GPU_TYPES),
        ("internal", t.REMOTE_PARAMS),  # private `_internal` is never offered
        ("anything", []),
    ],
)
def test_did_you_mean_returns_none_when_nothing_fits(word, candidates):
    assert t.did_you_mean(word, candidates) is None


def test_did_you_mean_is_deterministic_and_respects_cutoff():
    pool = ["US_CA_2", "US_NC_2", "US_NE_1"]
    assert t.did_you_mean("US_XA_2", pool) == t.did_you_mean("US_XA_2", list(reversed(pool)))
    assert t.did_you_mean("NVIDIA_L40", t.GPU_TYPES, cutoff=0.99) is None
    assert t.did_you_mean("_interna", t.REMOTE_PARAMS) == "_internal"


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("timeout", "execution_timeout_ms"),
        ("timeout_s", "execution_timeout_ms"),
        ("timeout_seconds", "execution_timeout_ms"),
        ("exec_timeout", "execution_timeout_ms"),
        ("max_runtime", "execution_timeout_ms"),
        ("time_limit", "execution_timeout_ms"),
        ("job_timeout", "execution_timeout_ms"),
        # the idle/scale-down delay, and the keyword itself, are not a time limit to redirect
        ("idle_timeout_s", None),
        ("idleTimeout", None),
        ("scaledown_timeout", None),
        ("gpus", None),
    ],
)
def test_a_time_limit_keyword_means_the_execution_timeout(word, expected):
    keywords = ["idle_timeout", "execution_timeout_ms", "gpu", "workers"]
    assert t.execution_timeout_meant(word, keywords) == expected
    # the legacy spelling where that is what the class takes
    legacy = ["idleTimeout", "executionTimeoutMs", "gpus"]
    assert t.execution_timeout_meant(word, legacy) == (expected and "executionTimeoutMs")
    # no such keyword (rc2 `App.task`): nothing to point at
    assert t.execution_timeout_meant(word, ["idle_timeout", "gpu"]) is None


def test_the_execution_timeout_keyword_is_not_redirected_to_itself():
    assert t.execution_timeout_meant("execution_timeout_ms", t.ENDPOINT_PARAMS) is None
    assert t.counts_milliseconds("timeoutMs") and not t.counts_milliseconds("timeout_s")
