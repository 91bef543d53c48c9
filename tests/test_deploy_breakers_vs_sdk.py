"""The deploy-breakers (FG2xx) agree with the real runpod-flash SDK.

Every case below is a small Flash module. The SDK oracle (tests/sdk_oracle.py) runs all of them
in one sandboxed subprocess: it constructs the objects, applies the decorators and registers
the routes (nothing is deployed). flash-guard checks the same source statically. For a
construct-time case the two must agree: flash-guard reports an FG2xx finding exactly when the
SDK raises, with the expected code, and the case's keyword appears both in the SDK's error and
in flash-guard's message (so both name the same problem).

Three kinds of case are kept out of the agreement count and say why:
- deploy-time: the SDK raises only in `flash build` or `flash deploy` (manifest checks,
  provisioning), which the oracle does not run. The oracle must NOT raise (that is what makes
  it deploy-time), and flash-guard must fire.
- stricter: the SDK accepts the code and production silently does something else; flash-guard
  fires on purpose.
- gap: the SDK raises, but no FG2xx rule in rules.md covers it; flash-guard stays silent. If a
  rule is added, the case fails and should move to the construct-time table.

The deploy-time claims are checked too, in one more sandboxed subprocess: the project is run
through the SDK's own `flash build` discovery and manifest code (RuntimeScanner,
ManifestBuilder), and load balancers through their deploy-time validation, offline.

Run with `-s` to see the agreement summary.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sdk_oracle import run_oracle_or_skip, run_probe_or_skip

from flash_guard.cli import main
from flash_guard.sdk.flash_tables import SDK_VERSION

IMPORTS = (
    "from runpod_flash import (CpuInstanceType, CpuLiveLoadBalancer, CpuLiveServerless,\n"
    "    CudaVersion, DataCenter, Endpoint, GpuGroup, GpuType, LiveLoadBalancer, LiveServerless,\n"
    "    NetworkVolume, PodTemplate, ServerlessEndpoint, ServerlessScalerType, remote)\n"
)


@dataclass(frozen=True)
class Case:
    name: str
    source: str
    code: str | None = None  # the FG2xx finding expected; None: the declaration is valid
    keyword: str = ""  # in the SDK's error and in flash-guard's message (case-insensitive)
    deploy_time: str = ""  # why the SDK only raises at build/deploy
    stricter: str = ""  # why flash-guard fires although the SDK accepts it
    gap: str = ""  # why no FG2xx rule fires although the SDK raises
    files: dict[str, str] = field(default_factory=dict)  # extra project files
    oracle: str = ""  # what the oracle runs instead, when the files import each other

    @property
    def module(self) -> str:
        return IMPORTS + textwrap.dedent(self.source).strip() + "\n"

    @property
    def construct_time(self) -> bool:
        return not (self.deploy_time or self.stricter or self.gap)


def ok(name: str, source: str) -> Case:
    return Case(name, source)


def bad(name: str, source: str, code: str, keyword: str, **kind: str) -> Case:
    return Case(name, source, code, keyword, **kind)


# A decorated endpoint that other modules of its case import.
INFER = '@Endpoint(name="gpu-inline", gpu=GpuType.NVIDIA_L4)\nasync def infer(x): ...'
QB = "\nasync def run(data): ...\n"  # a decorated function body for queue-based cases
USE = "\n@remote(cfg)" + QB  # a legacy resource is a declaration once @remote uses it

CASES = [
    # --- FG201 workers -------------------------------------------------------------------
    ok("workers-int", '@Endpoint(name="w", workers=3)' + QB),
    ok("workers-tuple", '@Endpoint(name="w", workers=(1, 3))' + QB),
    ok("workers-list", '@Endpoint(name="w", workers=[0, 2])' + QB),
    ok("workers-string-bounds", '@Endpoint(name="w", workers=("1", "3"))' + QB),
    ok("workers-bool", '@Endpoint(name="w", workers=True)' + QB),
    bad(
        "workers-min-above-max",
        '@Endpoint(name="w", workers=(3, 1))' + QB,
        "FG201",
        "cannot exceed max",
    ),
    bad(
        "workers-via-constant",
        'SCALE = (4, 2)\n@Endpoint(name="w", workers=SCALE)' + QB,
        "FG201",
        "cannot exceed max",
    ),
    bad(
        "workers-negative-int",
        '@Endpoint(name="w", workers=-1)' + QB,
        "FG201",
        "cannot be negative",
    ),
    bad(
        "workers-negative-min",
        '@Endpoint(name="w", workers=(-1, 2))' + QB,
        "FG201",
        "cannot be negative",
    ),
    bad(
        "workers-string",
        '@Endpoint(name="w", workers="3")' + QB,
        "FG201",
        "int or (min, max) tuple",
    ),
    bad(
        "workers-float", '@Endpoint(name="w", workers=2.0)' + QB, "FG201", "int or (min, max) tuple"
    ),
    bad(
        "workers-three-items",
        '@Endpoint(name="w", workers=(0, 1, 2))' + QB,
        "FG201",
        "int or (min, max) tuple",
    ),
    bad("workers-bad-bound", '@Endpoint(name="w", workers=("one", 2))' + QB, "FG201", "'one'"),
    bad(
        "workers-on-client", 'c = Endpoint(id="abc", workers=(2, 1))', "FG201", "cannot exceed max"
    ),
    ok(
        "legacy-workers",
        'cfg = LiveServerless(name="l", workersMin=1, workersMax=3)\n@remote(cfg)' + QB,
    ),
    bad(
        "legacy-min-above-max",
        'cfg = LiveServerless(name="l", workersMin=3, workersMax=1)' + USE,
        "FG201",
        "cannot be greater than workersMax",
    ),
    bad(
        "legacy-min-above-default-max",
        'cfg = LiveServerless(name="l", workersMin=2)' + USE,
        "FG201",
        "cannot be greater than workersMax",
    ),
    bad(
        "legacy-fractional-max",
        'cfg = LiveServerless(name="l", workersMax=2.5)' + USE,
        "FG201",
        "valid integer",
    ),
    bad(
        "legacy-negative-min",
        'cfg = LiveServerless(name="l", workersMin=-1, workersMax=2)\n@remote(cfg)' + QB,
        "FG201",
        "negative",
        stricter="the SDK has no negativity check for workersMin/workersMax (flash-sdk.md §3)",
    ),
    # --- FG202 conflicting arguments -----------------------------------------------------
    ok("cpu-with-gpu-none", '@Endpoint(name="c", gpu=None, cpu="cpu3c-1-2")' + QB),
    ok("image-with-name", 'v = Endpoint(name="vllm", image="vllm/vllm-openai:latest")'),
    ok("max-concurrency-4", '@Endpoint(name="m", max_concurrency=4)' + QB),
    bad(
        "gpu-and-cpu",
        '@Endpoint(name="x", gpu=GpuGroup.ADA_24, cpu="cpu3c-1-2")' + QB,
        "FG202",
        "mutually exclusive",
    ),
    bad("id-and-image", 'c = Endpoint(id="abc", image="me/img:1")', "FG202", "mutually exclusive"),
    bad("image-without-name", 'c = Endpoint(image="me/img:1")', "FG202", "name or id is required"),
    bad(
        "max-concurrency-zero",
        '@Endpoint(name="m", max_concurrency=0)' + QB,
        "FG202",
        "must be >= 1",
    ),
    bad("max-concurrency-string", '@Endpoint(name="m", max_concurrency="2")' + QB, "FG202", "str"),
    # a keyword given beside a `**` spread that holds it, or by two spreads: Python's
    # TypeError before the SDK sees the call (h42)
    bad(
        "keyword-twice-spread",
        'COMMON = {"name": "base", "idle_timeout": 60}\n@Endpoint(name="w", **COMMON)' + QB,
        "FG202",
        "got multiple values for keyword argument 'name'",
    ),
    bad(
        "keyword-twice-two-spreads",
        "A = dict(gpu=GpuGroup.ADA_24, workers=(1, 2))\nB = dict(workers=(1, 3))\n"
        '@Endpoint(name="w", **A, **B)' + QB,
        "FG202",
        "got multiple values for keyword argument 'workers'",
    ),
    bad(
        "keyword-twice-legacy",
        'BASE = dict(workersMax=3)\ncfg = LiveServerless(name="l", workersMax=2, **BASE)' + USE,
        "FG202",
        "got multiple values for keyword argument 'workersMax'",
    ),
    bad(
        "keyword-twice-factory",
        "def make(name, **kw):\n    return Endpoint(name=name, idle_timeout=600, **kw)\n"
        '@make("w", idle_timeout=60)' + QB,
        "FG202",
        "got multiple values for keyword argument 'idle_timeout'",
    ),
    ok(
        "keyword-once-partial-override",
        "import functools\nG = functools.partial(Endpoint, idle_timeout=0)\n"
        '@G(name="w", idle_timeout=60)' + QB,
    ),
    ok(
        "keyword-once-factory-filters-it",
        "def make(name, **kw):\n    kw = {k: v for k, v in kw.items() if k != 'idle_timeout'}\n"
        '    return Endpoint(name=name, idle_timeout=600, **kw)\n@make("w", idle_timeout=60)' + QB,
    ),
    # --- FG203 idle timeout --------------------------------------------------------------
    ok(
        "idle-bounds",
        '@Endpoint(name="a", idle_timeout=1)'
        + QB
        + '@Endpoint(name="b", idle_timeout=3600)\nasync def run_b(data): ...',
    ),
    ok("idle-numeric-string", '@Endpoint(name="i", idle_timeout="600")' + QB),
    bad("idle-zero", '@Endpoint(name="i", idle_timeout=0)' + QB, "FG203", "between 1 and 3600"),
    bad(
        "idle-too-long",
        '@Endpoint(name="i", idle_timeout=30 * 60 * 60)' + QB,
        "FG203",
        "between 1 and 3600",
    ),
    bad("idle-fraction", '@Endpoint(name="i", idle_timeout=60.5)' + QB, "FG203", "valid integer"),
    bad(
        "idle-on-route",
        'api = Endpoint(name="api", cpu="cpu3c-1-2", idle_timeout=-1)\n@api.get("/health")\n'
        "async def health(): ...",
        "FG203",
        "between 1 and 3600",
    ),
    bad(
        "legacy-idle-zero",
        'cfg = CpuLiveServerless(name="l", idleTimeout=0)' + USE,
        "FG203",
        "between 1 and 3600",
    ),
    # `functools` under an alias, and a partial of a partial (h42)
    bad(
        "idle-partial-functools-alias",
        'import functools as ft\nG = ft.partial(Endpoint, idle_timeout=0)\n@G(name="i")' + QB,
        "FG203",
        "between 1 and 3600",
    ),
    bad(
        "idle-partial-alias-imported",
        'from functools import partial as bind\nG = bind(Endpoint, idle_timeout=4000)\n@G(name="i")'
        + QB,
        "FG203",
        "between 1 and 3600",
    ),
    bad(
        "workers-partial-of-partial",
        "import functools\nA = functools.partial(Endpoint, idle_timeout=60)\n"
        'B = functools.partial(A, workers=(3, 1))\n@B(name="w")' + QB,
        "FG201",
        "cannot exceed max",
    ),
    # a module-level name bound again: each decorator reads the value bound before it (h42)
    ok(
        "idle-constant-rebound-after-use",
        'IDLE = 600\n@Endpoint(name="a", idle_timeout=IDLE)\nasync def a(x): ...\nIDLE = 0\n',
    ),
    bad(
        "idle-constant-rebound-before-use",
        'IDLE = 0\n@Endpoint(name="a", idle_timeout=IDLE)\nasync def a(x): ...\nIDLE = 600\n'
        '@Endpoint(name="b", idle_timeout=IDLE)\nasync def b(x): ...\n',
        "FG203",
        "between 1 and 3600",
    ),
    bad(
        "legacy-config-name-reused",
        'config = LiveServerless(name="gpu-a", workersMin=3, workersMax=1)\n@remote(config)\n'
        'async def a(x): ...\nconfig = CpuLiveServerless(name="cpu-b")\n@remote(config)\n'
        "async def b(x): ...\n",
        "FG201",
        "cannot be greater than workersMax",
    ),
    # --- FG204 routes --------------------------------------------------------------------
    ok(
        "routes-valid",
        """
        api = Endpoint(name="api", cpu="cpu3c-1-2", workers=(1, 3))
        @api.get("/health")
        async def health(): ...
        @api.post("/health")
        async def health_post(): ...
        @api.get("/ping/")
        async def ping_slash(): ...
        """,
    ),
    ok(
        "legacy-routes-valid",
        """
        lb = CpuLiveLoadBalancer(name="lb")
        @remote(lb, method="GET", path="/health")
        async def health(): ...
        @remote(lb, method="POST", path="/run")
        async def run(data): ...
        """,
    ),
    bad(
        "route-no-slash",
        'api = Endpoint(name="api")\n@api.get("health")\nasync def h(): ...',
        "FG204",
        "must start with '/'",
    ),
    bad(
        "route-ping",
        'api = Endpoint(name="api")\n@api.get("/ping")\nasync def h(): ...',
        "FG204",
        "reserved",
    ),
    bad(
        "route-execute",
        'api = Endpoint(name="api")\n@api.post("/execute")\nasync def h(): ...',
        "FG204",
        "reserved",
    ),
    bad(
        "route-duplicate",
        'api = Endpoint(name="api")\n@api.get("/x")\nasync def a(): ...\n@api.get("/x")\n'
        "async def b(): ...",
        "FG204",
        "duplicate route",
    ),
    bad(
        "route-options",
        'api = Endpoint(name="api")\n@api.options("/cors")\nasync def h(): ...',
        "FG204",
        "has no",
    ),
    bad(
        "route-route",
        'api = Endpoint(name="api")\n@api.route("/x", methods=["GET"])\nasync def h(): ...',
        "FG204",
        "has no",
    ),
    bad(
        "route-with-data",
        'api = Endpoint(name="api")\n@api.post("/x", {"k": 1})\nasync def h(): ...',
        "FG204",
        "only valid in client mode",
    ),
    bad(
        "route-after-direct-use",
        'ep = Endpoint(name="ep")\n@ep\nasync def a(x): ...\n@ep.get("/x")\nasync def b(): ...',
        "FG204",
        "one pattern or the other",
    ),
    bad(
        "direct-use-after-route",
        'ep = Endpoint(name="ep")\n@ep.get("/x")\nasync def b(): ...\n@ep\nasync def a(x): ...',
        "FG204",
        "one pattern or the other",
    ),
    bad(
        "route-on-id-client",
        'c = Endpoint(id="abc")\n@c.get("/x")\nasync def h(): ...',
        "FG204",
        "client",
    ),
    bad(
        "route-on-image-client",
        'c = Endpoint(name="v", image="me/img:1")\n@c.post("/x")\nasync def h(): ...',
        "FG204",
        "client",
    ),
    bad(
        "image-client-as-decorator",
        'c = Endpoint(name="v", image="me/img:1")\n@c\nasync def h(x): ...',
        "FG204",
        "as a decorator",
    ),
    bad(
        "route-without-name",
        'api = Endpoint(cpu="cpu3c-1-2")\n@api.get("/health")\nasync def h(): ...',
        "FG204",
        "name is required",
    ),
    bad(
        "legacy-lower-case-method",
        'lb = LiveLoadBalancer(name="lb")\n@remote(lb, method="get", path="/x")\n'
        "async def h(): ...",
        "FG204",
        "method must be one of",
    ),
    bad(
        "legacy-route-through-a-spread",
        'lb = LiveLoadBalancer(name="lb")\nROUTE = dict(method="get", path="/x")\n'
        "@remote(lb, **ROUTE)\nasync def h(): ...",
        "FG204",
        "method must be one of",
    ),
    bad(
        "legacy-method-only",
        'lb = LiveLoadBalancer(name="lb")\n@remote(lb, method="GET")\nasync def h(): ...',
        "FG204",
        "requires both 'method' and 'path'",
    ),
    bad(
        "legacy-neither",
        'lb = CpuLiveLoadBalancer(name="lb")\n@remote(lb)\nasync def h(): ...',
        "FG204",
        "requires both 'method' and 'path'",
    ),
    bad(
        "legacy-path-no-slash",
        'lb = LiveLoadBalancer(name="lb")\n@remote(lb, method="GET", path="x")\nasync def h(): ...',
        "FG204",
        "must start with '/'",
    ),
    bad(
        "legacy-reserved-path",
        'lb = LiveLoadBalancer(name="lb")\n@remote(lb, method="GET", path="/ping")\n'
        "async def h(): ...",
        "FG204",
        "reserved",
        deploy_time="remote() does not check reserved paths; `flash build` does",
    ),
    bad(
        "legacy-duplicate-route",
        'lb = LiveLoadBalancer(name="lb")\n@remote(lb, method="GET", path="/x")\n'
        "async def a(): ...\n"
        '@remote(lb, method="GET", path="/x")\nasync def b(): ...',
        "FG204",
        "duplicate route",
        deploy_time="remote() does not track routes; the manifest builder rejects the duplicate",
    ),
    # --- FG205 hardware ------------------------------------------------------------------
    ok("gpu-value-strings", '@Endpoint(name="g", gpu=["ADA_24", "NVIDIA L4", "any"])' + QB),
    ok(
        "gpu-type-list",
        '@Endpoint(name="g", gpu=[GpuType.NVIDIA_A100_80GB_PCIe, GpuType.NVIDIA_A100_SXM4_80GB])'
        + QB,
    ),
    ok("cpu-mixed-list", '@Endpoint(name="c", cpu=[CpuInstanceType.CPU3C_1_2, "cpu3c-2-4"])' + QB),
    ok(
        "legacy-gpus-tuple",
        'cfg = LiveServerless(name="l", gpus=(GpuGroup.ADA_24, GpuGroup.AMPERE_24))\n@remote(cfg)'
        + QB,
    ),
    bad(
        "gpu-type-typo",
        '@Endpoint(name="g", gpu=GpuType.NVIDIA_A100_80GB)' + QB,
        "FG205",
        "NVIDIA_A100_80GB",
    ),
    bad(
        "gpu-type-on-group",
        '@Endpoint(name="g", gpu=GpuGroup.NVIDIA_L4)' + QB,
        "FG205",
        "NVIDIA_L4",
    ),
    bad(
        "gpu-member-name-string",
        '@Endpoint(name="g", gpu=["NVIDIA_L4"])' + QB,
        "FG205",
        "'NVIDIA_L4'",
    ),
    bad("gpu-bare-string", '@Endpoint(name="g", gpu="ADA_24")' + QB, "FG205", "got str"),
    bad("gpu-tuple", '@Endpoint(name="g", gpu=(GpuGroup.ADA_24,))' + QB, "FG205", "got tuple"),
    bad(
        "cpu-unknown-string",
        '@Endpoint(name="c", cpu="cpu9c-1-2")' + QB,
        "FG205",
        "is not a valid CpuInstanceType",
    ),
    bad(
        "cpu-member-name-string",
        '@Endpoint(name="c", cpu="CPU3C_1_2")' + QB,
        "FG205",
        "is not a valid CpuInstanceType",
    ),
    bad(
        "cpu-unknown-member",
        '@Endpoint(name="c", cpu=CpuInstanceType.CPU5C_16_32)' + QB,
        "FG205",
        "CPU5C_16_32",
    ),
    bad("cpu-tuple", '@Endpoint(name="c", cpu=("cpu3c-1-2",))' + QB, "FG205", "got tuple"),
    bad(
        "legacy-gpus-not-a-list",
        'cfg = LiveServerless(name="l", gpus=GpuGroup.ADA_24)' + USE,
        "FG205",
        "valid list",
    ),
    bad(
        "legacy-instance-unknown",
        'cfg = CpuLiveServerless(name="l", instanceIds=["cpu3g-16-64"])' + USE,
        "FG205",
        "cpu3g-16-64",
    ),
    # --- FG206 datacenters ---------------------------------------------------------------
    ok("dc-lenient-strings", '@Endpoint(name="d", datacenter=["eu_ro_1", "US-KS-2"])' + QB),
    ok(
        "dc-cpu-default-with-volume",
        'v = NetworkVolume(name="v", datacenter=DataCenter.US_KS_2)\n'
        '@Endpoint(name="d", cpu="cpu3c-1-2", volume=v)' + QB,
    ),
    ok(
        "dc-gpu-default-with-volume",
        'v = NetworkVolume(name="v", datacenter=DataCenter.US_KS_2)\n@Endpoint(name="d", volume=v)'
        + QB,
    ),
    ok("dc-cpu-eu", '@Endpoint(name="d", cpu="cpu3c-1-2", datacenter=DataCenter.EU_RO_1)' + QB),
    bad(
        "dc-removed-member",
        '@Endpoint(name="d", datacenter=DataCenter.US_GA_2)' + QB,
        "FG206",
        "US_GA_2",
    ),
    bad(
        "dc-removed-string",
        '@Endpoint(name="d", datacenter="US-GA-2")' + QB,
        "FG206",
        "unknown datacenter 'US-GA-2'",
    ),
    bad(
        "dc-typo-string",
        '@Endpoint(name="d", datacenter=["EU-RO-1", "EU-RO-2"])' + QB,
        "FG206",
        "unknown datacenter 'EU-RO-2'",
    ),
    bad(
        "dc-tuple",
        '@Endpoint(name="d", datacenter=(DataCenter.US_KS_2,))' + QB,
        "FG206",
        "Invalid datacenter value",
    ),
    bad(
        "dc-cpu-outside-eu",
        '@Endpoint(name="d", cpu="cpu3c-1-2", datacenter=DataCenter.US_KS_2)' + QB,
        "FG206",
        "CPU endpoints are not available in",
    ),
    bad(
        "dc-legacy-cpu",
        'cfg = CpuLiveServerless(name="l", datacenter=DataCenter.US_IL_1)' + USE,
        "FG206",
        "CPU endpoints are not available in",
    ),
    bad(
        "dc-two-volumes",
        'a = NetworkVolume(name="a")\nb = NetworkVolume(name="b")\n'
        '@Endpoint(name="d", volume=[a, b])' + QB,
        "FG206",
        "Multiple volumes in datacenter EU-RO-1",
    ),
    bad(
        "dc-volume-outside",
        'v = NetworkVolume(name="v")\n@Endpoint(name="d", volume=v, datacenter=DataCenter.US_KS_2)'
        + QB,
        "FG206",
        "not in the endpoint's datacenter list",
    ),
    bad(
        "dc-volume-string", 'v = NetworkVolume(name="v", datacenter="EU_RO_1")', "FG206", "EU_RO_1"
    ),
    # --- FG207 names ---------------------------------------------------------------------
    ok(
        "names-distinct",
        '@Endpoint(name="a")\nasync def one(x): ...\n@Endpoint(name="b")\nasync def two(x): ...',
    ),
    bad(
        "names-two-files",
        '@Endpoint(name="shared")\nasync def first(x): ...',
        "FG207",
        "defined in multiple files",
        deploy_time="the manifest builder rejects one name in several files (flash build)",
        files={"other.py": IMPORTS + '@Endpoint(name="shared")\nasync def second(x): ...\n'},
    ),
    bad(
        "function-names-two-endpoints",
        '@Endpoint(name="a")\nasync def run(x): ...',
        "FG207",
        "Duplicate function name",
        deploy_time="function names are an app-wide registry checked by the manifest builder",
        files={"other.py": IMPORTS + '@Endpoint(name="b")\nasync def run(x): ...\n'},
    ),
    bad(
        "routes-in-two-files",
        'api = Endpoint(name="api", cpu="cpu3c-1-2")\n@api.get("/health")\nasync def health(): ...',
        "FG207",
        "defined in multiple files",
        deploy_time="the manifest builder groups an endpoint's functions and refuses several files",
        files={"routes.py": 'from app import api\n@api.post("/run")\nasync def run(data): ...\n'},
        # the same routes in one module: the SDK accepts them, so only the file split breaks
        oracle='api = Endpoint(name="api", cpu="cpu3c-1-2")\n@api.get("/health")\n'
        'async def health(): ...\n@api.post("/run")\nasync def run(data): ...',
    ),
    bad(
        "endpoint-imported-at-module-level",
        '@Endpoint(name="gpu-inline", gpu=GpuType.NVIDIA_L4)\nasync def infer(x): ...',
        "FG207",
        "defined in multiple files",
        deploy_time="the scanner reads every module's globals and finds the function twice",
        # the other modules import app.py: the construct-time oracle runs it alone
        oracle='@Endpoint(name="gpu-inline", gpu=GpuType.NVIDIA_L4)\nasync def infer(x): ...',
        files={
            "pipeline.py": "from runpod_flash import Endpoint\nfrom app import infer\n"
            'api = Endpoint(name="api", cpu="cpu3c-1-2")\n@api.post("/run")\n'
            "async def run(x):\n    return await infer(x)\n"
        },
    ),
    bad(
        "endpoint-reexported-by-star-import",
        '@Endpoint(name="gpu-inline", gpu=GpuType.NVIDIA_L4)\nasync def infer(x): ...',
        "FG207",
        "defined in multiple files",
        deploy_time="the scanner reads every module's globals and finds the function twice",
        # the other modules import app.py: the construct-time oracle runs it alone
        oracle='@Endpoint(name="gpu-inline", gpu=GpuType.NVIDIA_L4)\nasync def infer(x): ...',
        files={"workers.py": "from app import *\n", "use.py": "from workers import infer\n"},
    ),
    bad(
        "endpoint-second-name-in-its-module",
        '@Endpoint(name="embedder", gpu=GpuType.NVIDIA_L4)\nasync def embed(x): ...\n'
        "embed_v1 = embed",
        "FG207",
        "Duplicate function name",
        deploy_time="the scanner records the function under each module-level name",
    ),
    bad(
        "endpoint-bound-through-its-module",
        '@Endpoint(name="gpu-inline", gpu=GpuType.NVIDIA_L4)\nasync def infer(x): ...',
        "FG207",
        "defined in multiple files",
        deploy_time="the scanner reads every module's globals and finds the function twice",
        # the other module imports app.py: the construct-time oracle runs it alone
        oracle='@Endpoint(name="gpu-inline", gpu=GpuType.NVIDIA_L4)\nasync def infer(x): ...',
        files={"pipeline.py": "import app as workers\ninfer = workers.infer\n"},
    ),
    Case(
        "star-import-limited-by-all",
        '__all__ = ["helper"]\n@Endpoint(name="gpu-inline", gpu=GpuType.NVIDIA_L4)\n'
        "async def infer(x): ...\ndef helper(): ...",
        # the other module imports app.py: the construct-time oracle runs it alone
        oracle='@Endpoint(name="gpu-inline", gpu=GpuType.NVIDIA_L4)\nasync def infer(x): ...',
        files={"pipeline.py": "from app import *\n"},
    ),
    Case(
        "endpoint-imported-inside-the-caller",
        '@Endpoint(name="gpu-inline", gpu=GpuType.NVIDIA_L4)\nasync def infer(x): ...',
        # the other modules import app.py: the construct-time oracle runs it alone
        oracle='@Endpoint(name="gpu-inline", gpu=GpuType.NVIDIA_L4)\nasync def infer(x): ...',
        files={
            "pipeline.py": "from runpod_flash import Endpoint\nimport app\n"
            'api = Endpoint(name="api", cpu="cpu3c-1-2")\n@api.post("/run")\n'
            "async def run(x):\n    from app import infer\n    return await app.infer(x)\n",
            "__init__.py": "from app import infer\n",
        },
    ),
    # A module-level import in a branch binds a global whenever the branch runs on the
    # build machine; a later module-level `del` removes it before the scanner reads dir().
    bad(
        "endpoint-imported-under-a-true-flag",
        INFER,
        "FG207",
        "defined in multiple files",
        deploy_time="the branch runs when the build imports the module; the scanner finds it",
        oracle=INFER,
        files={"pipeline.py": "USE_GPU = True\nif USE_GPU:\n    from app import infer\n"},
    ),
    bad(
        "endpoint-imported-in-an-except-branch",
        INFER,
        "FG207",
        "defined in multiple files",
        deploy_time="the optional package is missing on the build machine, so the branch runs",
        oracle=INFER,
        files={
            "pipeline.py": "try:\n    import flash_guard_absent_module\n"
            "except ImportError:\n    from app import infer\n"
        },
    ),
    bad(
        "endpoint-imported-in-a-try-else",
        INFER,
        "FG207",
        "defined in multiple files",
        deploy_time="a `try`'s `else` runs whenever its body did not raise",
        oracle=INFER,
        files={
            "pipeline.py": "try:\n    import json\nexcept ImportError:\n    pass\n"
            "else:\n    from app import infer\n"
        },
    ),
    bad(
        "endpoint-imported-under-an-env-flag",
        INFER,
        "FG207",
        "when that branch runs",
        stricter="the build fails only when USE_GPU is set on the build machine (here it is "
        "not); the finding says it depends on that branch",
        oracle=INFER,
        files={
            "pipeline.py": "import os\nif os.environ.get('USE_GPU'):\n    from app import infer\n"
        },
    ),
    Case(
        "endpoint-imported-under-type-checking",
        INFER,
        oracle=INFER,
        files={
            "pipeline.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from app import infer\n"
        },
    ),
    Case(
        "endpoint-import-deleted",
        INFER,
        oracle=INFER,
        files={"pipeline.py": "from app import infer\n\nPIPELINE = [infer.__name__]\ndel infer\n"},
    ),
    bad(
        "endpoint-alias-outlives-its-deleted-import",
        INFER,
        "FG207",
        "defined in multiple files",
        deploy_time="`run = infer` still holds the function after `del infer`",
        oracle=INFER,
        files={"pipeline.py": "from app import infer\nrun = infer\ndel infer\n"},
    ),
    bad(
        "image-client-and-resource-one-name",
        'img = Endpoint(name="vllm", image="vllm/vllm-openai:latest")\n'
        '@Endpoint(name="vllm")\nasync def proxy(x): ...',
        "FG207",
        "defined as both a client-mode Endpoint(image=...) and a decorated resource",
        deploy_time="the manifest builder records client endpoints beside decorated ones",
    ),
    bad(
        "names-one-file",
        '@Endpoint(name="shared")\nasync def first(x): ...\n@Endpoint(name="shared")\n'
        "async def second(x): ...",
        "FG207",
        "merged",
        stricter="within one file the two are silently merged into one endpoint (flash-sdk.md "
        "§5.3 #6)",
    ),
    bad(
        "decorator-reused",
        'ep = Endpoint(name="ep")\n@ep\nasync def first(x): ...\n@ep\nasync def second(x): ...',
        "FG207",
        "merges both",
        stricter="the second @ep overwrites the first target; only one function is served",
    ),
    # --- FG208 python version ------------------------------------------------------------
    ok(
        "legacy-python-same", 'a = LiveServerless(name="a", python_version="3.11")\n@remote(a)' + QB
    ),
    bad(
        "python-on-endpoint",
        '@Endpoint(name="p", python_version="3.11")' + QB,
        "FG208",
        "python_version",
    ),
    bad(
        "legacy-python-old",
        'cfg = LiveServerless(name="l", python_version="3.9")' + USE,
        "FG208",
        "3.9 is not supported",
    ),
    bad(
        "legacy-python-float",
        'cfg = LiveServerless(name="l", python_version=3.11)' + USE,
        "FG208",
        "not supported",
    ),
    bad(
        "legacy-python-conflict",
        'a = LiveServerless(name="a", python_version="3.11")\n@remote(a)\nasync def one(x): ...\n'
        'b = CpuLiveServerless(name="b", python_version="3.12")\n@remote(b)\nasync def two(x): ...',
        "FG208",
        "one python_version across all resources",
        deploy_time="the manifest builder reconciles one python_version for the app",
    ),
    # --- FG209 CUDA ----------------------------------------------------------------------
    ok("cuda-valid", '@Endpoint(name="c", min_cuda_version=CudaVersion.V12_4)' + QB),
    ok("cuda-string", '@Endpoint(name="c", min_cuda_version="13.0")' + QB),
    ok("cuda-float-on-cpu", '@Endpoint(name="c", cpu="cpu3c-1-2", min_cuda_version=12.8)' + QB),
    bad(
        "cuda-docs-member",
        '@Endpoint(name="c", min_cuda_version=CudaVersion.V11_7)' + QB,
        "FG209",
        "V11_7",
    ),
    bad("cuda-float", '@Endpoint(name="c", min_cuda_version=12.8)' + QB, "FG209", "12.8"),
    bad(
        "cuda-unknown-string",
        '@Endpoint(name="c", min_cuda_version="12.10")' + QB,
        "FG209",
        "is not a valid CudaVersion",
    ),
    bad(
        "cuda-member-name-string",
        '@Endpoint(name="c", min_cuda_version="V12_8")' + QB,
        "FG209",
        "V12_8",
    ),
    bad(
        "cuda-legacy-cpu",
        'cfg = CpuLiveServerless(name="l", minCudaVersion="12.10")' + USE,
        "FG209",
        "is not a valid CudaVersion",
    ),
    # a lookup by value no member has: ValueError, not AttributeError (h42)
    bad(
        "cuda-by-value-unknown",
        '@Endpoint(name="c", min_cuda_version=CudaVersion("11.0"))' + QB,
        "FG209",
        "'11.0' is not a valid CudaVersion",
    ),
    # --- FG210 unknown keywords ----------------------------------------------------------
    bad(
        "endpoint-gpus",
        '@Endpoint(name="k", gpus=[GpuGroup.ADA_24])' + QB,
        "FG210",
        "unexpected keyword argument 'gpus'",
    ),
    bad(
        "client-unknown-kwarg",
        'c = Endpoint(id="abc", timeout=30)',
        "FG210",
        "unexpected keyword argument 'timeout'",
    ),
    bad(
        "remote-gpu-count",
        'cfg = LiveServerless(name="l")\n@remote(cfg, gpu_count=2)' + QB,
        "FG210",
        "unknown keyword argument",
    ),
    bad(
        "legacy-workers-max",
        'cfg = LiveServerless(name="l", workers_max=5)\n@remote(cfg)' + QB,
        "FG210",
        "workers_max",
        stricter="pydantic drops unknown fields: workersMax stays 1 (asserted below)",
    ),
    bad(
        "legacy-cpu-gpus",
        'cfg = CpuLiveServerless(name="l", gpus=[GpuGroup.ADA_24])' + USE,
        "FG210",
        "gpus",
        stricter="a CPU class clears its GPU settings: gpuIds stays '' (asserted below)",
    ),
    # remote() only warns; flash build (1.11+) makes it a load balancer (asserted below)
    bad(
        "legacy-queue-route",
        'cfg = LiveServerless(name="l")\n@remote(cfg, method="POST", path="/run")' + QB,
        "FG204",
        "load balancer",
        stricter="remote() logs that method=/path= are ignored; flash build disagrees",
    ),
    # tetra-rp and runpod-flash <= 1.16 overwrite a Live* class's imageName (FG210 fires
    # there, tests/fixtures/rules/FG210-unknown-parameter/fire/legacy_live_image_locked);
    # the SDK in use keeps it (asserted below), so flash-guard stays silent.
    ok(
        "legacy-live-image",
        'cfg = LiveServerless(name="l", imageName="me/img:1")\n@remote(cfg)' + QB,
    ),
    # `@remote(cfg, **OPTS)`: the spread's keys are remote()'s keywords (h42)
    bad(
        "remote-unknown-keyword-spread",
        'cfg = LiveServerless(name="l")\nOPTS = {"deps": ["numpy"]}\n@remote(cfg, **OPTS)' + QB,
        "FG210",
        "'deps'",
    ),
    ok(
        "remote-keywords-spread",
        'cfg = LiveServerless(name="l")\nOPTS = {"dependencies": ["numpy"], "system_dependencies":'
        ' ["git"]}\n@remote(cfg, **OPTS)' + QB,
    ),
    # --- FG211 volumes -------------------------------------------------------------------
    ok("volume-id-only", 'v = NetworkVolume(id="vol-1")\n@Endpoint(name="v", volume=v)' + QB),
    ok(
        "volume-sizes",
        'a = NetworkVolume(name="a", size=None)\nb = NetworkVolume(name="b", size="4096")',
    ),
    bad("volume-anonymous", "v = NetworkVolume(size=100)", "FG211", "either 'name' or 'id'"),
    bad("volume-blank-name", 'v = NetworkVolume(name="  ")', "FG211", "must not be empty"),
    bad(
        "volume-too-small",
        'v = NetworkVolume(name="v", size=5)',
        "FG211",
        "greater than or equal to 10",
    ),
    bad(
        "volume-too-large",
        'v = NetworkVolume(name="v", size=8192)',
        "FG211",
        "less than or equal to 4096",
    ),
    bad(
        "volume-extra-keyword",
        'v = NetworkVolume(name="v", size_gb=200)',
        "FG211",
        "Extra inputs are not permitted",
    ),
    bad(
        "volume-tuple",
        'v = NetworkVolume(name="v")\n@Endpoint(name="e", volume=(v,))' + QB,
        "FG211",
        "volume must be a NetworkVolume",
    ),
    bad("volume-empty-list", '@Endpoint(name="e", volume=[])' + QB, "FG211", "must not be empty"),
    # --- FG212 load-balancer scaler ------------------------------------------------------
    ok(
        "lb-request-count",
        'api = Endpoint(name="api", scaler_type=ServerlessScalerType.REQUEST_COUNT)\n'
        '@api.get("/x")\nasync def h(): ...',
    ),
    ok(
        "queue-delay-on-queue",
        '@Endpoint(name="q", scaler_type=ServerlessScalerType.QUEUE_DELAY)' + QB,
    ),
    bad(
        "lb-queue-delay",
        'api = Endpoint(name="api", scaler_type=ServerlessScalerType.QUEUE_DELAY)\n'
        '@api.get("/x")\nasync def h(): ...',
        "FG212",
        "REQUEST_COUNT",
        deploy_time="LoadBalancerSlsResource checks the scaler only in _do_deploy (flash deploy)",
    ),
    bad(
        "legacy-lb-queue-delay",
        'lb = LiveLoadBalancer(name="lb", scalerType=ServerlessScalerType.QUEUE_DELAY)\n'
        '@remote(lb, method="GET", path="/x")\nasync def h(): ...',
        "FG212",
        "REQUEST_COUNT",
        deploy_time="LoadBalancerSlsResource checks the scaler only in _do_deploy (flash deploy)",
    ),
    # --- FG214 values Endpoint hands to the resource class unchecked ----------------------
    bad(
        "endpoint-env-int-value",
        '@Endpoint(name="e", env={"BATCH_SIZE": 8})' + QB,
        "FG214",
        "env",
    ),
    bad(
        "lb-env-list",
        'api = Endpoint(name="api", cpu="cpu3c-1-2", env=["DEBUG=1"])\n'
        '@api.get("/x")\nasync def h(): ...',
        "FG214",
        "env",
    ),
    ok(
        "endpoint-env-strings",
        '@Endpoint(name="e", env={"BATCH_SIZE": "8", "DEBUG": str(True)})' + QB,
    ),
    bad(
        "endpoint-timeout-fraction",
        '@Endpoint(name="e", execution_timeout_ms=1.5)' + QB,
        "FG214",
        "executionTimeoutMs",
    ),
    bad(
        "endpoint-gpu-count-fraction",
        '@Endpoint(name="e", gpu=GpuType.NVIDIA_L4, gpu_count=1.5)' + QB,
        "FG214",
        "gpuCount",
    ),
    bad(
        "lb-scaler-value-fraction",
        'api = Endpoint(name="api", scaler_value=2.5)\n@api.get("/x")\nasync def h(): ...',
        "FG214",
        "scalerValue",
    ),
    bad(
        "endpoint-flashboot-word",
        '@Endpoint(name="e", flashboot="maybe")' + QB,
        "FG214",
        "flashboot",
    ),
    ok(
        "endpoint-whole-floats",
        '@Endpoint(name="e", execution_timeout_ms=2.5 * 60 * 1000, scaler_value=4.0, '
        'flashboot="yes", gpu_count="2")' + QB,
    ),
    ok(
        "cpu-endpoint-gpu-count-fraction",
        '@Endpoint(name="c", cpu="cpu3c-1-2", gpu_count=1.5)' + QB,
    ),
    ok("endpoint-timeout-none", '@Endpoint(name="e", execution_timeout_ms=None)' + QB),
    # A string of digits is the number for pydantic's int fields (FG104/FG105 read it so).
    ok(
        "endpoint-string-numbers",
        '@Endpoint(name="e", idle_timeout="1200", execution_timeout_ms=" 600000 ")' + QB,
    ),
    # --- FG214 a required field missing (`name` on every legacy class) -------------------
    bad(
        "legacy-without-name",
        "cfg = LiveServerless(gpuCount=1)\n@remote(cfg)" + QB,
        "FG214",
        "name",
    ),
    bad(
        "legacy-lb-inline-without-name",
        '@remote(CpuLiveLoadBalancer(), method="GET", path="/x")\nasync def h(): ...',
        "FG214",
        "name",
    ),
    # --- what the catalog does not cover -------------------------------------------------
    Case(
        "non-live-class-without-image",
        'cfg = ServerlessEndpoint(name="custom")',
        keyword="imageName, template, or templateId",
        gap="flash-sdk.md §9 #17; no FG2xx rule in rules.md covers a missing image",
    ),
    Case(
        "legacy-config-never-used",
        'cfg = LiveServerless(name="l", workersMin=3, workersMax=1)',
        keyword="cannot be greater than workersMax",
        gap="a legacy resource no @remote uses is not a declaration in flash-guard's model, "
        "but pydantic validates it when the module is imported",
    ),
    bad(
        "cpu-disk-above-limit",
        '@Endpoint(name="c", cpu="cpu3c-1-2", template=PodTemplate(containerDiskInGb=100))' + QB,
        "FG214",
        "exceeds the maximum allowed",
    ),
    ok(
        "cpu-disk-default-shrunk",
        '@Endpoint(name="c", cpu="cpu3c-1-2", template=PodTemplate(containerDiskInGb=64))' + QB,
    ),
]


def _by_name() -> dict[str, Case]:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    return {case.name: case for case in CASES}


def _sdk_sources(case: Case) -> list[str]:
    if case.oracle:
        return [IMPORTS + textwrap.dedent(case.oracle).strip() + "\n"]
    return [case.module] + [textwrap.dedent(text) for text in case.files.values()]


@pytest.fixture(scope="module")
def sdk() -> dict[str, list[dict]]:
    """The oracle's report for every module of every case, from one subprocess."""
    sources, owners = [], []
    for case in CASES:
        for source in _sdk_sources(case):
            sources.append(source)
            owners.append(case.name)
    results = run_oracle_or_skip(sources)
    out: dict[str, list[dict]] = {}
    for owner, result in zip(owners, results, strict=True):
        out.setdefault(owner, []).append(result)
    return out


def _flash_guard(root: Path, select: str = "FG2") -> dict:
    out, err = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            exit_code = main(["check", "--format", "json", "--select", select, "."])
    finally:
        os.chdir(previous)
    assert exit_code in (0, 1), err.getvalue()
    return json.loads(out.getvalue())


@pytest.fixture(scope="module")
def linted(tmp_path_factory) -> dict[str, list[dict]]:
    """flash-guard's FG2xx (and FG0xx) findings for every case, each its own project."""
    out = {}
    for case in CASES:
        root = tmp_path_factory.mktemp(case.name)
        (root / "app.py").write_text(case.module, "utf-8")
        for name, text in case.files.items():
            (root / name).write_text(textwrap.dedent(text), "utf-8")
        out[case.name] = _flash_guard(root)["findings"]
    return out


def sdk_error(results: list[dict]) -> dict | None:
    return next((r["error"] for r in results if r["error"] is not None), None)


def error_text(error: dict) -> str:
    return " ".join([error["message"], *error.get("errors", [])])


def verdict(case: Case, sdk: dict, linted: dict) -> list[str]:
    """What is wrong with this case ([] when flash-guard and the SDK agree as the table says)."""
    problems = []
    error = sdk_error(sdk[case.name])
    findings = linted[case.name]
    codes = {f["code"] for f in findings}
    unexpected = {c for c in codes if not c.startswith("FG2")}
    if unexpected:
        problems.append(f"flash-guard reported {sorted(unexpected)} on literal code")
    if case.construct_time and case.code is None:
        if error is not None:
            problems.append(f"the SDK raised {error['type']}: {error['message'][:200]}")
        if codes:
            problems.append(f"flash-guard reported {[f['message'] for f in findings]}")
        return problems
    if case.gap:
        if error is None or case.keyword.lower() not in error_text(error).lower():
            problems.append(f"expected the SDK to raise with {case.keyword!r}, got {error}")
        if codes:
            problems.append(f"an FG2xx rule now covers this gap: {sorted(codes)}; move the case")
        return problems
    if case.construct_time:
        if error is None:
            problems.append("the SDK accepted it")
        elif case.keyword.lower() not in error_text(error).lower():
            problems.append(
                f"the SDK's error does not mention {case.keyword!r}: {error_text(error)}"
            )
    elif error is not None:
        kind = "deploy-time" if case.deploy_time else "stricter"
        problems.append(f"marked {kind}, but the SDK raised on construction: {error['message']}")
    messages = [f["message"] for f in findings if f["code"] == case.code]
    if codes - {case.code}:
        problems.append(f"flash-guard also reported {sorted(codes - {case.code})}: {findings}")
    if not messages:
        problems.append(f"flash-guard did not report {case.code} (got {sorted(codes)})")
    elif not any(case.keyword.lower() in m.lower() for m in messages):
        problems.append(
            f"flash-guard's {case.code} message does not mention {case.keyword!r}: {messages}"
        )
    return problems


# Runs in the oracle's sandbox: the SDK's build discovery and manifest, then the deploy-time
# validation of every load-balancer resource (no network: it is checked before any API call).
BUILD_PROBE = """
import importlib.util, json, pathlib, sys, tempfile

from runpod_flash.cli.commands.build_utils.manifest import ManifestBuilder
from runpod_flash.cli.commands.build_utils.scanner import RuntimeScanner
from runpod_flash.core.resources import LoadBalancerSlsResource
from runpod_flash.endpoint import Endpoint


def load_balancers(root):
    found = []
    for index, path in enumerate(sorted(root.glob("*.py"))):
        spec = importlib.util.spec_from_file_location(f"deploy_probe_{index}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for value in vars(module).values():
            config = getattr(value, "__remote_config__", {}) or {}
            value = config.get("resource_config", value) if isinstance(config, dict) else value
            if isinstance(value, Endpoint) and value.is_load_balanced:
                value = value._build_resource_config()
            if isinstance(value, LoadBalancerSlsResource):
                found.append(value)
    return found


RESULT = {}
for name, files in json.loads(CASES).items():
    root = pathlib.Path(tempfile.mkdtemp())
    for rel, text in files.items():
        (root / rel).write_text(text)
    sys.path.insert(0, str(root))
    phase = "build"
    try:
        scanner = RuntimeScanner(root)
        functions = scanner.discover_remote_functions()
        if scanner.import_errors:
            raise RuntimeError(f"import errors: {scanner.import_errors}")
        ManifestBuilder("probe", functions, scanner=scanner, build_dir=root).build()
        phase = "deploy"
        for resource in load_balancers(root):
            resource._validate_lb_configuration()
        RESULT[name] = None
    except Exception as exc:
        RESULT[name] = {"phase": phase, "message": f"{type(exc).__name__}: {exc}"}
    finally:
        sys.path.remove(str(root))
        for module_name, module in list(sys.modules.items()):
            if str(getattr(module, "__file__", "") or "").startswith(str(root)):
                del sys.modules[module_name]
"""


def _builds(case: Case) -> bool:
    """Deploy-time cases, and valid ones as controls (a probe that always failed proves nothing)."""
    return bool(case.deploy_time) or (case.construct_time and case.code is None)


@pytest.fixture(scope="module")
def built() -> dict[str, dict | None]:
    """What `flash build` (and deploy-time validation) says about each case of `_builds`."""
    projects = {
        case.name: {"app.py": case.module, **{k: textwrap.dedent(v) for k, v in case.files.items()}}
        for case in CASES
        if _builds(case)
    }
    source = f"CASES = {json.dumps(json.dumps(projects))}\n" + BUILD_PROBE
    return run_probe_or_skip(source)


@pytest.mark.parametrize("case", [c for c in CASES if _builds(c)], ids=lambda case: case.name)
def test_build_and_deploy_validation(case, built):
    failure = built[case.name]
    if not case.deploy_time:
        assert failure is None, f"a valid case fails in build or deploy validation: {failure}"
        return
    assert failure is not None, f"{case.name}: build and deploy validation passed"
    assert case.keyword.lower() in failure["message"].lower(), failure


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_flash_guard_agrees_with_the_sdk(case, sdk, linted):
    assert verdict(case, sdk, linted) == []


def test_dropped_legacy_keyword_really_is_dropped(sdk):
    """The FG210 'stricter' case: the SDK keeps the default, so the setting is lost."""
    (result,) = sdk["legacy-workers-max"]
    (endpoint,) = result["endpoints"]
    assert endpoint["workersMax"] == 1


def test_cpu_class_drops_its_gpus(sdk):
    """The FG210 'stricter' GPU-on-CPU case: the class clears gpuIds and sends no GPU."""
    (result,) = sdk["legacy-cpu-gpus"]
    (endpoint,) = result["endpoints"]
    assert endpoint["resource"]["gpuIds"] == ""
    assert endpoint["resource"]["gpuCount"] == 0


# `flash build`'s scan and manifest of one module, SOURCE, written as app.py: what each probe
# below starts from.
MANIFEST_PREAMBLE = """
import asyncio, importlib.util, inspect, json, os, pathlib, sys, tempfile

from runpod_flash.cli.commands.build_utils.manifest import ManifestBuilder
from runpod_flash.cli.commands.build_utils.scanner import RuntimeScanner

root = pathlib.Path(tempfile.mkdtemp())
(root / "app.py").write_text(json.loads(SOURCE))
sys.path.insert(0, str(root))
scanner = RuntimeScanner(root)
functions = scanner.discover_remote_functions()
manifest = ManifestBuilder("probe", functions, scanner=scanner, build_dir=root).build()
"""


# `flash build`'s discovery and manifest for a route on a queue-based legacy class.
QUEUE_ROUTE_PROBE = (
    MANIFEST_PREAMBLE
    + """
resource = manifest["resources"]["l"]
RESULT = {
    "is_load_balanced": resource["is_load_balanced"],
    "handler_file": resource.get("handler_file"),
    "resource_type": resource["resource_type"],
}
"""
)


def test_queue_class_route_is_built_as_a_load_balancer():
    """FG204's 'legacy-queue-route' case: runpod-flash 1.21's build makes the queue-based
    LiveServerless a load balancer (routes, no queue handler) although remote() said the
    routing parameters would be ignored."""
    (case,) = [c for c in CASES if c.name == "legacy-queue-route"]
    source = f"SOURCE = {json.dumps(json.dumps(case.module))}\n" + QUEUE_ROUTE_PROBE
    built = run_probe_or_skip(source)
    assert built == {
        "is_load_balanced": True,
        "handler_file": None,
        "resource_type": "LiveServerless",
    }


def test_live_image_is_kept_by_the_sdk_in_use(sdk):
    """FG210 fires on LiveServerless(imageName=...) only where the release locks the image."""
    (result,) = sdk["legacy-live-image"]
    (endpoint,) = result["endpoints"]
    assert endpoint["resource"]["imageName"] == "me/img:1"


def test_agreement_summary(sdk, linted, built):
    by_name = _by_name()
    construct = [c for c in by_name.values() if c.construct_time]
    agreed = [c for c in construct if not verdict(c, sdk, linted)]
    raising = [c for c in construct if c.code]
    deploy_time = [c for c in by_name.values() if c.deploy_time]
    confirmed = [c for c in deploy_time if not verdict(c, sdk, linted) and built[c.name]]
    stricter = [c for c in by_name.values() if c.stricter]
    gaps = [c for c in by_name.values() if c.gap]
    summary = (
        f"flash-guard FG2xx vs runpod-flash {SDK_VERSION}: agreement on {len(agreed)}/"
        f"{len(construct)} construct-time cases ({len(raising)} the SDK rejects, "
        f"{len(construct) - len(raising)} it accepts); {len(confirmed)}/{len(deploy_time)} "
        f"deploy-time cases fire and fail the SDK's build/deploy code; {len(stricter)} "
        f"deliberately stricter cases fire; {len(gaps)} known gaps"
    )
    print("\n" + summary)
    assert len(construct) >= 60, summary
    assert len(agreed) == len(construct), (
        summary + ": disagree on " + ", ".join(c.name for c in construct if c not in agreed)
    )
    assert len(confirmed) == len(deploy_time), summary


# `flash build`'s manifest for max_concurrency on a load-balanced and a queue-based Endpoint.
CONCURRENCY_PROBE = (
    MANIFEST_PREAMBLE
    + """
RESULT = {name: r.get("max_concurrency") for name, r in manifest["resources"].items()}
"""
)

CONCURRENCY_APP = """
from runpod_flash import Endpoint

api = Endpoint(name="lb", cpu="cpu3c-1-2", workers=(1, 2), max_concurrency=4)

@api.get("/health")
async def health():
    return {"ok": True}

@Endpoint(name="qb", cpu="cpu3c-1-2", workers=(1, 2), max_concurrency=4)
async def work(x):
    return x
"""


def test_max_concurrency_on_a_load_balancer_is_dropped(tmp_path):
    """FG210's load-balanced max_concurrency: runpod-flash's build keeps it for the queue-based
    endpoint and drops it from the load-balanced one; flash-guard warns on that one only."""
    source = f"SOURCE = {json.dumps(json.dumps(CONCURRENCY_APP))}\n" + CONCURRENCY_PROBE
    assert run_probe_or_skip(source) == {"lb": None, "qb": 4}
    (tmp_path / "app.py").write_text(CONCURRENCY_APP, "utf-8")
    found = [f for f in _flash_guard(tmp_path)["findings"] if f["code"] == "FG210"]
    assert [(f["endpoint"], f["line"], f["severity"]) for f in found] == [("lb", 4, "warning")]


# `flash build`'s generated queue handlers, then run the way a deployed worker runs them:
# the module re-imported with RUNPOD_ENDPOINT_ID and FLASH_RESOURCE_NAME set, so the
# Endpoint decorator returns the function itself (client.py `_should_execute_locally`).
HANDLER_RUN_PROBE = (
    MANIFEST_PREAMBLE
    + """
from runpod_flash.cli.commands.build_utils.handler_generator import HandlerGenerator

HandlerGenerator(manifest, root).generate_handlers()
RESULT = {}
for name in sorted(manifest["resources"]):
    os.environ["RUNPOD_ENDPOINT_ID"] = "probe"
    os.environ["FLASH_RESOURCE_NAME"] = name
    sys.modules.pop("app", None)
    spec = importlib.util.spec_from_file_location(f"h_{name}", root / f"handler_{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for method in METHODS.get(name, [None]):
        job = {"x": 21} if method is None else {"x": 21, "method": method}
        out = module.handler({"input": job})
        out = asyncio.run(out) if inspect.iscoroutine(out) else out
        key = name if method is None else f"{name}.{method}"
        RESULT[key] = {"error": out["error"]} if "error" in out else out
"""
)

SYNC_CONCURRENT_APP = """
from runpod_flash import Endpoint

@Endpoint(name="sync-many", cpu="cpu3c-1-2", workers=(1, 2), max_concurrency=4)
def double(x):
    return {"y": 2 * x}

@Endpoint(name="async-many", cpu="cpu3c-1-2", workers=(1, 2), max_concurrency=4)
async def triple(x):
    return {"y": 3 * x}

@Endpoint(name="sync-one", cpu="cpu3c-1-2", workers=(1, 2))
def quadruple(x):
    return {"y": 4 * x}

@Endpoint(name="mixed-class", cpu="cpu3c-1-2", workers=(1, 2), max_concurrency=4)
class Mixed:
    def double(self, x):
        return {"y": 2 * x}

    async def triple(self, x):
        return {"y": 3 * x}

@Endpoint(name="sync-class", cpu="cpu3c-1-2", workers=(1, 2), max_concurrency=4)
class Plain:
    def double(self, x):
        return {"y": 2 * x}

    def triple(self, x):
        return {"y": 3 * x}
"""
CLASS_METHODS = {"mixed-class": ["double", "triple"], "sync-class": ["double", "triple"]}


def test_sync_handler_with_max_concurrency_fails_every_job(tmp_path):
    """FG215's runpod-flash case: with max_concurrency > 1 the build generates a handler that
    awaits the function; a plain `def` then fails every job on the worker, while the same
    function with max_concurrency 1, or an `async def`, works. flash-guard fires on that one."""
    source = (
        f"SOURCE = {json.dumps(json.dumps(SYNC_CONCURRENT_APP))}\n"
        f"METHODS = {CLASS_METHODS!r}\n" + HANDLER_RUN_PROBE
    )
    ran = run_probe_or_skip(source)
    assert ran["async-many"] == {"y": 63} and ran["sync-one"] == {"y": 84}
    assert ran["mixed-class.triple"] == {"y": 63}
    assert ran["sync-class.double"] == {"y": 42} and ran["sync-class.triple"] == {"y": 63}
    for failing in ("sync-many", "mixed-class.double"):
        assert "can't be used in 'await' expression" in ran[failing]["error"], failing
    (tmp_path / "app.py").write_text(SYNC_CONCURRENT_APP, "utf-8")
    (tmp_path / "requirements.txt").write_text("runpod-flash==1.21.0\n", "utf-8")
    found = [f for f in _flash_guard(tmp_path)["findings"] if f["code"] == "FG215"]
    assert [(f["endpoint"], f["line"]) for f in found] == [("sync-many", 5), ("mixed-class", 18)]


# `flash build`'s load-balancer handler for an Endpoint whose file also builds a FastAPI app.
LB_ROUTES_PROBE = (
    MANIFEST_PREAMBLE
    + """
from runpod_flash.cli.commands.build_utils.lb_handler_generator import LBHandlerGenerator

(handler,) = LBHandlerGenerator(manifest, root).generate_handlers()
spec = importlib.util.spec_from_file_location("lb_probe", handler)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
RESULT = sorted(
    [method, route.path]
    for route in module.app.routes
    for method in sorted(getattr(route, "methods", None) or ())
)
"""
)

FASTAPI_BESIDE_LB = """
from fastapi import FastAPI
from runpod_flash import Endpoint

gateway = Endpoint(name="gateway", cpu="cpu3c-1-2", workers=(1, 2))
web = FastAPI()

@web.get("/health")
async def health():
    return {"ok": True}

@gateway.post("/chat")
async def chat(body: dict):
    return body
"""


def test_health_route_on_a_separate_fastapi_app_is_not_served(tmp_path):
    """FG109's hint: the handler flash build generates serves the Endpoint's routes (and its
    own /ping), never those of a FastAPI app the module builds beside it."""
    source = f"SOURCE = {json.dumps(json.dumps(FASTAPI_BESIDE_LB))}\n" + LB_ROUTES_PROBE
    served = run_probe_or_skip(source)
    assert ["POST", "/chat"] in served and ["GET", "/ping"] in served
    assert ["GET", "/health"] not in served
    (tmp_path / "app.py").write_text(FASTAPI_BESIDE_LB, "utf-8")
    (finding,) = _flash_guard(tmp_path, "FG109")["findings"]
    assert "on `web`, a FastAPI app of its own" in finding["message"]
    assert finding["fix"] == 'Register it on the Endpoint: @gateway.get("/health").'


# `flash build`'s module scan over a project of several files, offline: which modules fail to
# load (`Failed to load:` stops the build) and which functions it finds.
PROJECT_SCAN_PROBE = """
import json, pathlib, re, sys, tempfile

from runpod_flash.cli.commands.build_utils.scanner import RuntimeScanner

root = pathlib.Path(tempfile.mkdtemp())
for rel, text in json.loads(FILES).items():
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text)
sys.path.insert(0, str(root))
scanner = RuntimeScanner(root)
functions = scanner.discover_remote_functions()
names = {p: re.search(r"cannot import name '(\\w+)'", e) for p, e in scanner.import_errors.items()}
RESULT = {
    "failed": {p: m.group(1) if m else scanner.import_errors[p] for p, m in names.items()},
    "functions": sorted(f.function_name for f in functions),
}
"""

INIT_FIXTURES = Path(__file__).parent / "fixtures" / "rules" / "FG301-not-deployed"


def _scan_and_lint(project: Path, tmp_path: Path) -> tuple[dict, list[dict]]:
    files = {
        p.relative_to(project).as_posix(): p.read_text("utf-8")
        for p in sorted(project.rglob("*"))
        if p.is_file() and p.name != "messages.golden"
    }
    scanned = run_probe_or_skip(f"FILES = {json.dumps(json.dumps(files))}\n" + PROJECT_SCAN_PROBE)
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, "utf-8")
    return scanned, _flash_guard(tmp_path, "FG301")["findings"]


def test_name_only_a_package_init_provides_stops_the_build(tmp_path):
    """FG301's init-only imports: runpod-flash's build scan (1.11+) stands an empty package in
    for `workers/` and never runs its `__init__.py`, so `from workers import speak` (speak
    re-exported there) fails to load and the build stops. flash-guard reports exactly the
    modules the scan fails to load, at an import of the name the SDK's error names."""
    scanned, findings = _scan_and_lint(INIT_FIXTURES / "fire" / "init_reexport", tmp_path)
    assert scanned["failed"] == {"app.py": "speak", "workers/gpu.py": "SAMPLE_RATE"}
    assert scanned["functions"] == []  # every declaring module failed to load
    flagged = {(f["path"], f["message"].split("`")[1].split(" import ")[1]) for f in findings}
    assert {path for path, _ in flagged} == set(scanned["failed"])
    for path, name in scanned["failed"].items():
        assert any(p == path and imported.split(" as ")[0] == name for p, imported in flagged)


def test_package_attribute_and_unparsed_helper_stop_the_build(tmp_path):
    """`import workers` then `workers.SAMPLE_RATE` at module level fails to load under the scan
    (the stand-in has no such attribute), and so does a helper that never names the SDK and
    that nothing imports (`tools/warm.py`, `from workers import speak`): the scan imports every
    module. flash-guard reports exactly the modules the scan fails to load, each at the first
    failing line the SDK's error names."""
    scanned, findings = _scan_and_lint(INIT_FIXTURES / "fire" / "init_attribute", tmp_path)
    assert scanned["failed"] == {
        "app.py": "AttributeError: module 'workers' has no attribute 'SAMPLE_RATE'",
        "tools/warm.py": "speak",
    }
    assert scanned["functions"] == []
    first = {}
    for f in sorted(findings, key=lambda f: (f["path"], f["line"])):
        first.setdefault(f["path"], f["message"].split("`")[1])
    assert first == {"app.py": "workers.SAMPLE_RATE", "tools/warm.py": "from workers import speak"}


def test_package_attribute_uses_that_load_pass_the_build(tmp_path):
    """A submodule reached through the package, an attribute write, a `try`, a function body
    and a `__main__` guard load under the scan; so does a helper importing from the module."""
    scanned, findings = _scan_and_lint(INIT_FIXTURES / "pass" / "init_attribute", tmp_path)
    assert scanned == {"failed": {}, "functions": ["say"]}
    assert findings == []


def test_submodule_imports_pass_the_build(tmp_path):
    """The pass side: submodule imports, a package of only `__init__.py` (no stand-in), lazy,
    `try`, `TYPE_CHECKING` and `__main__` imports, and `tests/` (left out of the build) load
    under the scan, and flash-guard stays silent."""
    scanned, findings = _scan_and_lint(INIT_FIXTURES / "pass" / "init_reexport", tmp_path)
    assert scanned == {"failed": {}, "functions": ["say"]}
    assert findings == []


# What the SDK's own Endpoint receives from a project subclass whose `__init__` only forwards.
SUBCLASS_PROBE = """
import importlib, json, pathlib, sys, tempfile

root = pathlib.Path(tempfile.mkdtemp())
for rel, text in json.loads(FILES).items():
    (root / rel).write_text(text)
sys.path.insert(0, str(root))
module = importlib.import_module("embed")
RESULT = {}
for attr in ("embed", "rerank"):
    config = getattr(module, attr).__remote_config__["resource_config"]
    RESULT[config.name] = {
        "gpu": [f"GpuGroup.{g.name}" for g in config.gpus],
        "workers": {"min": config.workersMin, "max": config.workersMax},
        "idle_timeout": config.idleTimeout,
        "execution_timeout_ms": config.executionTimeoutMs,
    }
"""


def test_forwarding_endpoint_subclass_resolves_as_the_sdk_builds_it(tmp_path):
    """An `Endpoint` subclass whose `__init__` only sets keyword defaults and calls
    `super().__init__(...)`: flash-guard reads each keyword the deployed Endpoint receives
    (the call's, the parameters' defaults, `setdefault`, `kwargs[k] = v`) as runpod-flash 1.21
    builds the resource, and reports no FG002."""
    project = Path(__file__).parent / "fixtures/rules/FG002-unresolved-value/pass"
    project = project / "endpoint_subclass_forwarding"
    files = {p.name: p.read_text("utf-8") for p in sorted(project.glob("*.py"))}
    built = run_probe_or_skip(f"FILES = {json.dumps(json.dumps(files))}\n" + SUBCLASS_PROBE)
    for name, text in files.items():
        (tmp_path / name).write_text(text, "utf-8")
    out, previous = io.StringIO(), os.getcwd()
    os.chdir(tmp_path)
    try:
        with contextlib.redirect_stdout(out):
            main(["endpoints", "--format", "json", "."])
    finally:
        os.chdir(previous)
    read = {
        e["name"]: {key: e["params"][key]["value"] for key in built[e["name"]]}
        for e in json.loads(out.getvalue())["endpoints"]
    }
    assert read == built
    assert _flash_guard(tmp_path, "FG002")["findings"] == []


ROUTE_FIXTURES = Path(__file__).parent / "fixtures" / "rules" / "FG204-invalid-route"


def test_module_importing_a_route_module_stops_the_build(tmp_path):
    """FG204's re-imported route module: the build's scan (1.11+) imports every module itself
    and forgets it, so a module importing a route module whose Endpoint lives in a third module
    runs those routes a second time on the same Endpoint: 'duplicate route', that module fails
    to load. flash-guard reports exactly the modules the scan fails to load."""
    scanned, _ = _scan_and_lint(ROUTE_FIXTURES / "fire" / "reimported_route_module", tmp_path)
    findings = _flash_guard(tmp_path, "FG204")["findings"]
    assert set(scanned["failed"]) == {"api/search.py", "main.py"}
    assert all("duplicate route" in error for error in scanned["failed"].values())
    assert {f["path"] for f in findings} == set(scanned["failed"])


def test_route_modules_imported_safely_load(tmp_path):
    """The pass side: the Endpoint's own module importing its route module, an import inside a
    function, shared data in a module without routes, and `tests/` load under the scan."""
    scanned, _ = _scan_and_lint(ROUTE_FIXTURES / "pass" / "reimported_route_module", tmp_path)
    assert scanned["failed"] == {}
    assert _flash_guard(tmp_path, "FG204")["findings"] == []


# A module whose constants read the environment at import: built with the variables set (the
# local .env that `flash build` loads), then run through the handler the build generates in an
# environment without them, as a deployed worker whose endpoint passes no env=.
ENV_AT_IMPORT_APP = """import os
from runpod_flash import Endpoint
MODEL_ID = os.getenv("MODEL_ID", "default-model")
CACHE = os.environ["HF_HOME"]
UNUSED = os.getenv("NEVER_USED")

@Endpoint(name="w", cpu="cpu3c-1-2", workers=(1, 2))
def run(x):
    return {"m": MODEL_ID, "c": CACHE}
"""

ENV_AT_IMPORT_PROBE = (
    """
import os
os.environ.update({"MODEL_ID": "local-model", "HF_HOME": "/local/hf"})
"""
    + MANIFEST_PREAMBLE
    + """
from runpod_flash.cli.commands.build_utils.handler_generator import HandlerGenerator

(handler,) = HandlerGenerator(manifest, root).generate_handlers()
RESULT = {"imports_module": "importlib.import_module('app')" in pathlib.Path(handler).read_text()}
del os.environ["MODEL_ID"], os.environ["HF_HOME"]
os.environ["RUNPOD_ENDPOINT_ID"] = "probe"
os.environ["FLASH_RESOURCE_NAME"] = "w"


def load():
    sys.modules.pop("app", None)
    spec = importlib.util.spec_from_file_location("h_w", handler)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


try:
    load()
except Exception as exc:
    RESULT["import_error"] = f"{type(exc).__name__}: {exc}"
os.environ["HF_HOME"] = "/runpod-volume/hf"
RESULT["ran"] = load().handler({"input": {"x": 1}})
"""
)


def test_module_level_env_reads_run_when_the_generated_handler_imports_the_module(tmp_path):
    """FG108 on module-level reads: runpod-flash 1.21's generated handler imports the
    declaring module, so its constants are read from the worker's environment (KeyError for
    `os.environ[K]`, the default for `os.getenv(K, d)`), not from the local .env the build
    saw; flash-guard reports the two reads the body uses, and not the unused one."""
    source = f"SOURCE = {json.dumps(json.dumps(ENV_AT_IMPORT_APP))}\n" + ENV_AT_IMPORT_PROBE
    ran = run_probe_or_skip(source)
    assert ran["imports_module"] is True
    assert ran["import_error"] == "KeyError: 'HF_HOME'"
    assert ran["ran"] == {"m": "default-model", "c": "/runpod-volume/hf"}
    (tmp_path / "app.py").write_text(ENV_AT_IMPORT_APP, "utf-8")
    (tmp_path / "requirements.txt").write_text("runpod-flash==1.21.0\n", "utf-8")
    found = [f for f in _flash_guard(tmp_path, "FG108")["findings"] if f["code"] == "FG108"]
    assert sorted((f["line"], f["message"].split(":")[-1].strip()) for f in found) == [
        (3, "the worker silently gets the default (deployed workers never see your local .env)"),
        (
            4,
            "the import fails with a KeyError and the worker never starts (deployed workers "
            "never see your local .env)",
        ),
    ]
