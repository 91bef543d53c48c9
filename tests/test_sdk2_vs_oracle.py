"""flash-guard's runpod 2.0 model vs the real runpod 2.0.0rc2 (tests/sdk2_oracle.py, sandboxed).

Construct-time cases: the SDK decorates each snippet; every resource's normalised
ResourceSpec (name, kind, gpu pools, cpu, workers, idle, execution timeout, env keys and
secrets, mounts, model, datacenters, cuda, routes) must equal flash-guard's model, and every
decoration-time rejection must be an FG2xx finding that names the same problem. Discovery
cases run the SDK's own `discover_apps` on temp projects and compare with FG306/FG307.
Skips without the rp2 interpreter, except under CI=true (then fails).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sdk2_oracle import (
    run_discovery_many_or_skip,
    run_discovery_or_skip,
    run_oracle2_or_skip,
    run_probe2_or_skip,
)

from flash_guard.discover.analysis import analyse
from flash_guard.discover.parse import dotted_expr
from flash_guard.model import EnumRef, Opaque, Value
from flash_guard.sdk import runpod2_tables as t

HEAD = "import runpod\nfrom runpod import GpuType, GpuGroup, DataCenter\napp = runpod.App('diff')\n"
QUEUE = "@app.queue({})\ndef handler(prompt: str = ''):\n    return prompt\n"
TASK = "@app.task({})\ndef job():\n    return None\n"
API = (
    "@app.api({})\nclass Svc:\n    @runpod.get('/health')\n    def health(self):\n"
    "        return 1\n    @runpod.post('/run')\n    def run(self, body):\n        return body\n"
)

# runpod_flash is not installed beside runpod 2.0: a stand-in module with a plain Enum, which
# is what 2.0 rejects (a GpuType that is not its own).
# Its str enums are str subclasses, as in runpod-flash 1.21 (`class DataCenter(str, Enum)`).
FAKE_FLASH = (
    "import enum, sys, types\n"
    "_m = types.ModuleType('runpod_flash')\n"
    "class _G(enum.Enum):\n    NVIDIA_L4 = 'NVIDIA L4'\n"
    "class _S(enum.Enum):\n    QUEUE_DELAY = 'QUEUE_DELAY'\n"
    "class _V(enum.Enum):\n    V12_8 = '12.8'\n"
    "class _C(str, enum.Enum):\n    CPU3C_2_4 = 'cpu3c-2-4'\n"
    "class _D(str, enum.Enum):\n    EU_RO_1 = 'EU-RO-1'\n"
    "_m.GpuType, _m.ServerlessScalerType, _m.CudaVersion = _G, _S, _V\n"
    "_m.CpuInstanceType, _m.DataCenter = _C, _D\n"
    "sys.modules['runpod_flash'] = _m\n"
)

# Accepted declarations: (label, source body after HEAD).
OK = {
    "defaults": QUEUE.format(""),
    # A module-level name bound again between two declarations: each decorator reads the
    # value bound before it, as the import runs (h42).
    "constant-rebound-between-resources": "GPU = 'L4'\nSCALE = (1, 2)\n"
    "@app.queue(name='first-q', gpu=GPU, workers=SCALE)\ndef first(x):\n    return x\n"
    "GPU = 'A100'\nSCALE = (SCALE[0] + 1, 5)\n"
    "@app.queue(name='second-q', gpu=GPU, workers=SCALE)\ndef second(x):\n    return x\n",
    # `app` bound to a second App between two declarations with one resource name: each
    # decorator registers on the App bound before it, so the names do not collide (h42).
    "app-rebound-between-resources": "@app.queue(name='dup-q', gpu='L4')\ndef one(x):\n"
    "    return x\napp = runpod.App('second')\n"
    "@app.queue(name='dup-q', gpu='L4')\ndef two(x):\n    return x\n",
    # A helper normalising its own parameters before declaring (h42): the rebound values.
    "helper-rebinds-its-parameters": "DEFAULTS = {'workers': (1, 2), 'idle_timeout': 900}\n"
    "def gpu_queue(name, gpu=None, **kw):\n    kw = {**DEFAULTS, **kw}\n"
    "    gpu = gpu or 'L4'\n    return app.queue(name=name, gpu=gpu, **kw)\n"
    "@gpu_queue('merged-q', idle_timeout=1300)\ndef merged(x):\n    return x\n",
    # dataclass fields with a default_factory: a parameterless lambda's body, or list/dict
    "dataclass-default-factory": "from dataclasses import dataclass, field\n"
    "@dataclass\nclass Cfg:\n"
    "    gpus: list = field(default_factory=lambda: ['AMPERE_24', 'ADA_24'])\n"
    "    env: dict = field(default_factory=lambda: {'MODE': 'prod'})\n"
    "    deps: list = field(default_factory=list)\n"
    "    workers: tuple = field(default_factory=lambda: (1, 3))\n"
    "CFG = Cfg()\n"
    + QUEUE.format(
        "name='dcq', gpu=CFG.gpus, env=CFG.env, dependencies=CFG.deps, workers=CFG.workers"
    ),
    # A dataclass config spread with asdict (h16 asdict-cfg): each field's keyword or default
    "dataclass-asdict-spread": "import dataclasses\nfrom dataclasses import asdict, dataclass\n"
    "@dataclass(frozen=True)\nclass Q:\n    gpu: str = 'ADA_24'\n    workers: tuple = (1, 4)\n"
    "    idle_timeout: int = 1200\n    execution_timeout_ms: int = 300000\n"
    "SMALL = Q()\nBIG = Q(gpu='AMPERE_80', workers=(0, 2))\n"
    + QUEUE.format("name='small-q', **asdict(SMALL)")
    + QUEUE.format("name='big-q', **dataclasses.asdict(BIG)").replace("handler", "big"),
    # NamedTuple and nested dataclass settings (h39): a NamedTuple instance is a tuple (whole,
    # tuple(...) of it, `._asdict()`), its fields read by name; `CFG.scaling.min_workers`
    # reads a field of a dataclass held in another's field
    "namedtuple-and-nested-settings": "from dataclasses import dataclass\n"
    "from typing import NamedTuple\n"
    "class W(NamedTuple):\n    min: int\n    max: int = 3\n"
    "class Spec(NamedTuple):\n    gpu: str\n    workers: tuple\n    idle_timeout: int = 60\n"
    "@dataclass(frozen=True)\nclass Scaling:\n    min_workers: int = 1\n    max_workers: int = 4\n"
    "@dataclass(frozen=True)\nclass Cfg:\n    scaling: Scaling = Scaling()\n"
    "CFG = Cfg()\nDEV = W(0, 2)\nSMALL = Spec('ADA_24', workers=(1, 2))\n"
    + QUEUE.format("name='whole-q', workers=DEV")
    + QUEUE.format("name='conv-q', workers=tuple(W(min=2))").replace("handler", "conv")
    + QUEUE.format("name='field-q', workers=(DEV.min, DEV.max)").replace("handler", "fld")
    + QUEUE.format("name='spread-q', **SMALL._asdict()").replace("handler", "spread")
    + QUEUE.format(
        "name='nested-q', workers=(CFG.scaling.min_workers, CFG.scaling.max_workers)"
    ).replace("handler", "nested"),
    # List comprehensions over a known tuple (h16 gpu-exprs)
    "listcomp-gpu-pools": "NAMES = ('ADA_48_PRO', 'AMPERE_48')\n"
    + QUEUE.format(
        "name='lc-q', gpu=[GpuGroup[n] for n in NAMES], "
        "datacenter=[d.upper() for d in ('eu-ro-1', 'us-ks-2')]"
    ),
    # Iterating a project Enum class (h17): its members in order, aliases skipped, each
    # member's `.value` and `.name`; and comprehension filters that compare (`!=`, `not in`,
    # `>=`, `is not` between Enum members)
    "enum-class-iterated": "import enum\n"
    "class Size(str, enum.Enum):\n    SMALL = 'AMPERE_24'\n    BIG = 'ADA_24'\n"
    "    SAME = 'AMPERE_24'\n"
    "class Pool(enum.Enum):\n    A = 'AMPERE_48'\n    B = 'ADA_48_PRO'\n"
    + QUEUE.format(
        "name='enum-q', gpu=[s.value for s in Size], env={s.name: s.value for s in Size}"
    )
    + QUEUE.format("name='enum-f', gpu=[p.value for p in Pool if p is not Pool.B]").replace(
        "handler", "pooled"
    ),
    "comprehension-comparison-filters": "NAMES = ('AMPERE_16', 'AMPERE_24', 'X')\n"
    + QUEUE.format(
        "name='cmp-q', gpu=[n for n in NAMES if n != 'X'], "
        "env={k: 'v' for k in ('A', 'B', 'C') if k >= 'B'}"
    )
    + QUEUE.format("name='in-q', gpu=[n for n in NAMES if n not in ('X', 'AMPERE_16')]").replace(
        "handler", "inq"
    ),
    # Durations written with datetime.timedelta, converted as the code converts them.
    "timedelta-durations": "import datetime as dt\nfrom datetime import timedelta\n"
    + QUEUE.format(
        "idle_timeout=int(timedelta(minutes=15).total_seconds()), "
        "execution_timeout_ms=int(dt.timedelta(seconds=90, milliseconds=500)"
        ".total_seconds() * 1000)"
    ),
    # Each candidate of `cpu='cpu5c-4-8' if PROD else 'cpu3c-2-4'` (test below) on its own.
    "cpu-candidate-prod": QUEUE.format("cpu='cpu5c-4-8'"),
    "cpu-candidate-dev": QUEUE.format("cpu='cpu3c-2-4'"),
    # `hasattr` on a 2.0 enum, decided from the rc2 tables: ADA_24 is a GpuGroup, no GpuType.
    "hasattr-on-enum": QUEUE.format(
        "gpu=GpuType.ADA_24 if hasattr(GpuType, 'ADA_24') else GpuGroup.ADA_24, workers=(1, 2)"
    ),
    # A decorator kept in a name, or returned by a project helper: registered wherever applied.
    "kept-decorator": (
        "cpu_step = app.queue(cpu='cpu3c-2-4', workers=(0, 2))\n"
        "@cpu_step\ndef deskew(x: str = ''):\n    return x\n"
        "@cpu_step\ndef binarize(x: str = ''):\n    return x\n"
    ),
    # The decorator method kept in a name (`queue = app.queue`), called where applied.
    "method-alias": (
        "queue = app.queue\napi = app.api\ntask = app.task\n"
        "@queue(name='langid', gpu=GpuGroup.ANY)\ndef langid(text: str = ''):\n    return text\n"
        "def f(x: int = 1):\n    return x\n"
        "h = queue(name='callq', cpu='cpu3c-1-2', workers=(1, 2))(f)\n"
        + API.format("name='web', cpu='cpu3c-1-2'").replace("@app.api", "@api")
        + "@task(name='nightly', cpu='cpu3c-1-2')\ndef nightly():\n    return None\n"
    ),
    # None where rc2 takes it as the default (workers, container_disk_gb) or keeps it.
    "none-accepted": QUEUE.format("workers=None, container_disk_gb=None, idle_timeout=None"),
    "nested-decorator-factory": (
        "def nested(name, idle=900):\n"
        "    def deco(fn):\n"
        "        return app.queue(name=name, gpu='ADA_24', idle_timeout=idle)(fn)\n"
        "    return deco\n"
        "@nested('beta-q', idle=1200)\ndef beta(x: str = ''):\n    return x\n"
        "@nested('gamma-q')\ndef gamma(x: str = ''):\n    return x\n"
    ),
    "helper-decorator": (
        "BASE = dict(gpu='ADA_24', workers=(1, 3), idle_timeout=1200)\n"
        "def gpu_queue(name, **overrides):\n"
        "    return app.queue(name=name, **{**BASE, **overrides})\n"
        "@gpu_queue('embed-text', execution_timeout_ms=60000)\ndef embed(x: str = ''):\n"
        "    return x\n"
        "@gpu_queue('embed-image', workers=(0, 1))\ndef image(x: str = ''):\n    return x\n"
    ),
    "partial-decorator": (
        "from functools import partial\n"
        "gpu_queue = partial(app.queue, gpu='ADA_24', workers=(1, 3), idle_timeout=1200)\n"
        "@gpu_queue(name='p-one', execution_timeout_ms=60000)\ndef one(x: str = ''):\n"
        "    return x\n"
        "@gpu_queue(name='p-two', workers=(0, 1))\ndef two(x: str = ''):\n    return x\n"
    ),
    "name": QUEUE.format("name='chat-q'"),
    "empty-name": QUEUE.format("name=''"),
    "gpu-type-l4": QUEUE.format("gpu=GpuType.NVIDIA_L4"),
    "gpu-type-4090": QUEUE.format("gpu=GpuType.NVIDIA_GEFORCE_RTX_4090"),
    "gpu-type-h100-pcie": QUEUE.format("gpu=GpuType.NVIDIA_H100_PCIe"),
    "gpu-group": QUEUE.format("gpu=GpuGroup.AMPERE_80"),
    "gpu-any-enum": QUEUE.format("gpu=GpuGroup.ANY"),
    "gpu-type-any": QUEUE.format("gpu=GpuType.ANY"),
    "gpu-str-any": QUEUE.format("gpu='any'"),
    "gpu-str-pool": QUEUE.format("gpu='ada_24'"),
    "gpu-str-device": QUEUE.format("gpu='NVIDIA L4'"),
    "gpu-str-enum-name": QUEUE.format("gpu='NVIDIA_A40'"),
    "gpu-str-h100": QUEUE.format("gpu='H100'"),
    "gpu-str-a100": QUEUE.format("gpu='A100'"),
    "gpu-str-rtx": QUEUE.format("gpu='RTX'"),
    "gpu-str-a": QUEUE.format("gpu='A'"),
    "gpu-str-empty": QUEUE.format("gpu=''"),
    "gpu-str-l4": QUEUE.format("gpu='L4'"),
    "gpu-list": QUEUE.format("gpu=[GpuType.NVIDIA_L4, 'H200']"),
    "gpu-empty-list": QUEUE.format("gpu=[]"),
    "gpu-none": QUEUE.format("gpu=None"),
    "cpu-str": QUEUE.format("cpu='cpu3c-2-4'"),
    # runpod_flash's str enums are the strings they hold to rc2 (runpod-sdk2.md §6.1)
    "flash-str-enums": FAKE_FLASH
    + "from runpod_flash import CpuInstanceType as FC, DataCenter as FD\n"
    + QUEUE.format("cpu=FC.CPU3C_2_4, datacenter=FD.EU_RO_1"),
    "project-str-enums": "import enum\nclass Box(str, enum.Enum):\n    SMALL = 'cpu3c-2-4'\n"
    "    RO = 'EU-RO-1'\n" + QUEUE.format("cpu=Box.SMALL, datacenter=[Box.RO]"),
    "project-enum-values": "import enum\nclass Gpu(enum.Enum):\n    SMALL = 'ADA_24'\n"
    + QUEUE.format("gpu=Gpu.SMALL.value"),
    "project-enum-constants": "import enum\nclass Gpu(enum.Enum):\n    SMALL = 'ADA_24'\n"
    "class Box(str, enum.Enum):\n    SMALL = 'cpu3c-2-4'\n"
    "GPU = Gpu.SMALL.value\nBOX = Box.SMALL\n" + QUEUE.format("cpu=BOX"),
    "cpu-list": QUEUE.format("cpu=['cpu5c-2-4', 'cpu5c-4-8']"),
    "cpu-unknown-id": QUEUE.format("cpu='cpu9-9-9'"),
    "workers-int": QUEUE.format("workers=5"),
    "workers-tuple": QUEUE.format("workers=(1, 4)"),
    "workers-list": QUEUE.format("workers=[2, 2]"),
    "workers-floats": QUEUE.format("workers=(1.5, 3.7)"),
    "idle": QUEUE.format("idle_timeout=900"),
    "idle-zero": QUEUE.format("idle_timeout=0"),
    "idle-negative": QUEUE.format("idle_timeout=-5"),
    "timeout": QUEUE.format("execution_timeout_ms=600_000"),
    "env-plain": QUEUE.format("env={'MODE': 'fast'}"),
    "env-secret": QUEUE.format("env={'HF_TOKEN': runpod.Secret('hf-token'), 'A': 'b'}"),
    "mount-network": QUEUE.format("mounts={'/runpod-volume': runpod.NetworkVolume('models')}"),
    "mount-trailing-slash": QUEUE.format(
        "mounts={'/runpod-volume/': runpod.NetworkVolume('models', size=100)}"
    ),
    "mount-global": QUEUE.format("mounts={'/runpod-volume': runpod.GlobalVolume('g')}"),
    "model-obj": QUEUE.format("model=runpod.Model('meta-llama/Llama-3.1-8B')"),
    "model-str": QUEUE.format("model='org/name:rev'"),
    "dc-str": QUEUE.format("datacenter='eu_ro_1'"),
    "dc-list": QUEUE.format("datacenter=[DataCenter.US_KS_2, 'EU-RO-1']"),
    "dc-tuple": QUEUE.format("datacenter=('eu-ro-1',)"),
    "cuda": QUEUE.format("min_cuda_version='12.8'"),
    "cuda-float": QUEUE.format("min_cuda_version=12.4"),
    "spread": "KW = {'gpu': 'ADA_24', 'workers': (1, 2)}\n" + QUEUE.format("**KW"),
    "constants": "GPU = GpuType.NVIDIA_H200\nW = (1, 3)\n" + QUEUE.format("gpu=GPU, workers=W"),
    "call-form": "def fn(x=1):\n    return x\nh = app.queue(name='call-q', workers=2)(fn)\n",
    "task-defaults": TASK.format(""),
    "task-gpu": TASK.format("gpu='H100', env={'K': 'v'}"),
    "task-mounts": TASK.format("cpu='cpu3c-1-2', mounts={'/data': runpod.NetworkVolume('d')}"),
    "api-class": API.format("name='svc-api', cpu='cpu3c-2-4', workers=(1, 2)"),
    "api-defaults": API.format(""),
    "api-inherited": (
        "class Base:\n    @runpod.get('/health')\n    def health(self):\n        return 1\n"
        "@app.api(name='inh-api', gpu='L4')\nclass Svc(Base):\n    @runpod.put('/x')\n"
        "    def x(self, body):\n        return body\n"
    ),
    "api-factory": (
        "@app.api(name='web-api', cpu='cpu3c-1-2')\ndef web():\n    from fastapi import FastAPI\n"
        "    server = FastAPI()\n    @server.get('/health')\n    def health():\n        return 1\n"
        "    return server\n"
    ),
    # A factory whose app gets its routes from an APIRouter, none of them /health.
    "api-factory-router": (
        "from fastapi import APIRouter, FastAPI\n"
        "ops = APIRouter(prefix='/ops')\n@ops.get('/live')\ndef live():\n    return 1\n"
        "@app.api(name='rt-api', cpu='cpu3c-1-2')\ndef web():\n    server = FastAPI()\n"
        "    server.include_router(ops)\n    return server\n"
    ),
    "api-static-first": (
        "@app.api(name='st-api', cpu='cpu3c-1-2')\nclass St:\n    @staticmethod\n"
        "    @runpod.get('/v')\n    def v():\n        return 1\n"
    ),
    "scaler": QUEUE.format("scaler_type='request_count', scaler_value=2"),
    "queue-on-class-accepted": (
        "@app.queue(name='cls-q')\nclass C:\n    def __init__(self, x=1):\n        self.x = x\n"
    ),
    # Call forms: the definition's shape and routes, as for the decorated forms.
    "call-form-queue": (
        "def f(x: int = 1):\n    return x\n"
        "h = app.queue(name='cf-q', gpu='L4', workers=(1, 2), execution_timeout_ms=5000)(f)\n"
    ),
    "call-form-api-class": (
        "class Svc:\n    @runpod.get('/health')\n    def health(self):\n        return 1\n"
        "    @runpod.post('/run')\n    def run(self, body):\n        return body\n"
        "svc = app.api(name='cf-api', cpu='cpu3c-1-2', workers=(1, 2))(Svc)\n"
    ),
    "call-form-api-inherited": (
        "class Base:\n    @runpod.get('/health')\n    def health(self):\n        return 1\n"
        "class Svc(Base):\n    @runpod.put('/item')\n    def item(self, body):\n"
        "        return body\n"
        "svc = app.api(name='cf-inh')(Svc)\n"
    ),
    "call-form-api-factory": (
        "def web():\n    from fastapi import FastAPI\n    return FastAPI()\n"
        "server = app.api(name='cf-web', cpu='cpu3c-1-2')(web)\n"
    ),
    "call-form-task": "def job():\n    return None\nj = app.task(name='cf-task', gpu='L4')(job)\n",
    "call-form-rebinds": (
        "class Svc:\n    @runpod.get('/v')\n    def v(self):\n        return 1\n"
        "Svc = app.api(name='cf-rebind')(Svc)\n"
    ),
    "api-scaler-queue-delay": API.format("name='qd-api', scaler_type='queue_delay'"),
    "two-apps-one-name": HEAD.replace("diff", "other").split("\n", 2)[2].replace("app =", "app2 =")
    + "@app2.queue(name='same')\ndef a():\n    return 1\n"
    + "@app.queue(name='same')\ndef b():\n    return 1\n",
}

# Rejected at decoration: (label, source, the FG code, a phrase both messages share).
BAD = {
    "bad-workers-3": (QUEUE.format("workers=(1, 2, 3)"), "FG201", "workers must be an int or"),
    "bad-workers-str": (QUEUE.format("workers='3'"), "FG201", "workers must be an int or"),
    "bad-workers-zero": (QUEUE.format("workers=0"), "FG201", "invalid worker range"),
    "bad-workers-neg": (QUEUE.format("workers=(-1, 3)"), "FG201", "invalid worker range"),
    "bad-workers-order": (QUEUE.format("workers=(2, 1)"), "FG201", "cannot exceed max"),
    # a NamedTuple's default max below the given min (h39)
    "bad-workers-namedtuple": (
        "from typing import NamedTuple\nclass W(NamedTuple):\n    min: int\n    max: int = 3\n"
        + QUEUE.format("workers=W(min=5)"),
        "FG201",
        "cannot exceed max",
    ),
    "bad-gpu-tuple": (QUEUE.format("gpu=('L4',)"), "FG205", "gpu must be a GpuGroup"),
    "bad-gpu-int": (QUEUE.format("gpu=5"), "FG205", "gpu must be a GpuGroup"),
    "bad-gpu-unknown": (QUEUE.format("gpu='B300'"), "FG205", "unknown gpu 'B300'"),
    # A member the 2.0 enum does not define: AttributeError while the module is imported.
    "bad-gpu-member": (QUEUE.format("gpu=GpuGroup.ADA_100"), "FG205", "ADA_100"),
    "bad-cpu-member": (QUEUE.format("cpu=runpod.CpuInstanceType.CPU9_1_1"), "FG205", "CPU9_1_1"),
    "bad-datacenter-member": (QUEUE.format("datacenter=DataCenter.US_MD_1"), "FG206", "US_MD_1"),
    "bad-gpu-cpu": (QUEUE.format("gpu='L4', cpu='cpu3c-1-2'"), "FG202", "mutually exclusive"),
    "bad-gpu-any-cpu": (QUEUE.format("gpu='any', cpu='cpu3c-1-2'"), "FG202", "mutually exclusive"),
    "bad-cpu-int": (QUEUE.format("cpu=4"), "FG205", "cpu must be an instance id"),
    "bad-cpu-blank": (QUEUE.format("cpu=['']"), "FG205", "non-empty instance ids"),
    # Candidate values (rules.md): each one decided; here the branch rc2 takes is the bad one.
    "bad-cpu-candidate": (
        "import os\nPROD = os.getenv('STAGE', 'prod') == 'prod'\n"
        + QUEUE.format("cpu=4 if PROD else 'cpu3c-2-4'"),
        "FG205",
        "cpu must be an instance id",
    ),
    "bad-scaler": (QUEUE.format("scaler_type='BOGUS'"), "FG202", "scaler_type must be one of"),
    "bad-cuda": (QUEUE.format("min_cuda_version='12.10'"), "FG209", "min_cuda_version must be"),
    "bad-cuda-cpu": (
        QUEUE.format("cpu='cpu3c-1-2', min_cuda_version='12.8'"),
        "FG209",
        "no effect on cpu",
    ),
    "bad-datacenter": (QUEUE.format("datacenter='US-GA-2'"), "FG206", "invalid datacenter"),
    "bad-gpu-count": (QUEUE.format("gpu_count=0"), "FG202", "gpu_count must be >= 1"),
    "bad-concurrency": (QUEUE.format("max_concurrency=0"), "FG202", "max_concurrency must be >= 1"),
    "bad-exec-negative": (
        QUEUE.format("execution_timeout_ms=-1"),
        "FG202",
        "execution_timeout_ms must be >= 0",
    ),
    "bad-scaler-value": (QUEUE.format("scaler_value=0"), "FG202", "scaler_value must be >= 1"),
    # None (or a string) where ResourceSpec compares with `<`: TypeError at decoration.
    "bad-exec-timeout-none": (
        QUEUE.format("execution_timeout_ms=None"),
        "FG202",
        "'<' not supported between instances of 'NoneType' and 'int'",
    ),
    "bad-exec-timeout-str": (
        QUEUE.format("execution_timeout_ms='60000'"),
        "FG202",
        "'<' not supported between instances of 'str' and 'int'",
    ),
    "bad-gpu-count-none": (
        QUEUE.format("gpu_count=None"),
        "FG202",
        "'<' not supported between instances of 'NoneType' and 'int'",
    ),
    "bad-concurrency-none": (
        QUEUE.format("max_concurrency=None"),
        "FG202",
        "'<' not supported between instances of 'NoneType' and 'int'",
    ),
    "bad-scaler-value-none": (
        API.format("scaler_value=None"),
        "FG202",
        "'<' not supported between instances of 'NoneType' and 'int'",
    ),
    "bad-disk": (QUEUE.format("container_disk_gb=0"), "FG202", "container_disk_gb must be >= 1"),
    "bad-unknown-kw": (QUEUE.format("volume='x'"), "FG210", "unexpected keyword argument 'volume'"),
    # rules.md FG208: python_version= on the declaration "is FG208, not FG210".
    "bad-python-version": (
        QUEUE.format("python_version='3.11'"),
        "FG208",
        "unexpected keyword argument 'python_version'",
    ),
    "bad-task-workers": (
        TASK.format("workers=2"),
        "FG210",
        "unexpected keyword argument 'workers'",
    ),
    "bad-api-concurrency": (
        API.format("max_concurrency=2"),
        "FG210",
        "unexpected keyword argument 'max_concurrency'",
    ),
    "bad-mount-relative": (
        QUEUE.format("mounts={'data': runpod.NetworkVolume('d')}"),
        "FG211",
        "absolute paths without",
    ),
    "bad-mount-str": (QUEUE.format("mounts={'/runpod-volume': 'vol'}"), "FG211", "mounts require"),
    # The 2.0 examples' `runpod.Volume("scratch", size=10)`: rc2's Volume is the abstract base.
    "bad-mount-abstract-volume": (
        "scratch = runpod.Volume('scratch', size=10)\n"
        + QUEUE.format("mounts={'/runpod-volume': scratch}"),
        "FG211",
        "Can't instantiate abstract class Volume",
    ),
    "bad-mount-path": (
        QUEUE.format("mounts={'/data': runpod.NetworkVolume('d')}"),
        "FG211",
        "one volume mounted at /runpod-volume",
    ),
    "bad-mount-dup": (
        TASK.format(
            "mounts={'/data': runpod.NetworkVolume('a'), '/data/': runpod.GlobalVolume('b')}"
        ),
        "FG211",
        "duplicate mount path",
    ),
    "bad-route-slash": (
        "@app.api(name='r-api')\nclass R:\n    @runpod.get('health')\n    def h(self):\n"
        "        return 1\n",
        "FG204",
        "path must start with '/'",
    ),
    "bad-route-reserved": (
        "@app.api(name='r-api')\nclass R:\n    @runpod.get('/ping')\n    def h(self):\n"
        "        return 1\n",
        "FG204",
        "is reserved by the worker runtime",
    ),
    "bad-route-dup": (
        "@app.api(name='r-api')\nclass R:\n    @runpod.get('/x')\n    def a(self):\n"
        "        return 1\n    @runpod.get('/x')\n    def b(self):\n        return 1\n",
        "FG204",
        "duplicate route GET /x on R",
    ),
    "bad-no-routes": (
        "@app.api(name='r-api')\nclass R:\n    def a(self):\n        return 1\n",
        "FG215",
        "defines no routes",
    ),
    "bad-two-inits": (
        "@app.api(name='r-api')\nclass R:\n    @runpod.init\n    def a(self):\n        pass\n"
        "    @runpod.init\n    def b(self):\n        pass\n    @runpod.get('/x')\n"
        "    def x(self):\n        return 1\n",
        "FG215",
        "multiple @init methods on R",
    ),
    "bad-marker-above-static": (
        "@app.api(name='r-api')\nclass R:\n    @runpod.get('/x')\n    @staticmethod\n"
        "    def x():\n        return 1\n",
        "FG215",
        "defines no routes",
    ),
    "bad-call-form-no-routes": (
        "class R:\n    def a(self):\n        return 1\nr = app.api(name='r-api')(R)\n",
        "FG215",
        "defines no routes",
    ),
    "bad-call-form-two-inits": (
        "class R:\n    @runpod.init\n    def a(self):\n        pass\n"
        "    @runpod.init\n    def b(self):\n        pass\n    @runpod.get('/x')\n"
        "    def x(self):\n        return 1\nr = app.api(name='r-api')(R)\n",
        "FG215",
        "multiple @init methods on R",
    ),
    "bad-call-form-dup-route": (
        "class R:\n    @runpod.get('/x')\n    def a(self):\n        return 1\n"
        "    @runpod.post('/x')\n    def b(self, body):\n        return 1\n"
        "    @runpod.post('/x')\n    def c(self, body):\n        return 1\n"
        "r = app.api(name='r-api')(R)\n",
        "FG204",
        "duplicate route POST /x on R",
    ),
    "bad-call-form-reserved": (
        "class R:\n    @runpod.get('/ping')\n    def a(self):\n        return 1\n"
        "r = app.api(name='r-api')(R)\n",
        "FG204",
        "is reserved by the worker runtime",
    ),
    "bad-flash-enum": (
        FAKE_FLASH
        + "from runpod_flash import GpuType as FlashGpu\n"
        + QUEUE.format("gpu=FlashGpu.NVIDIA_L4"),
        "FG215",
        "gpu must be a GpuGroup",
    ),
    "bad-flash-scaler-enum": (
        FAKE_FLASH
        + "from runpod_flash import ServerlessScalerType\n"
        + QUEUE.format("gpu='ADA_24', scaler_type=ServerlessScalerType.QUEUE_DELAY"),
        "FG215",
        "scaler_type must be one of",
    ),
    "bad-flash-cuda-enum": (
        FAKE_FLASH
        + "from runpod_flash import CudaVersion\n"
        + QUEUE.format("gpu='ADA_24', min_cuda_version=CudaVersion.V12_8"),
        "FG215",
        "min_cuda_version must be one of",
    ),
    "bad-dup-name": (
        QUEUE.format("name='same'") + QUEUE.format("name='same'").replace("handler", "other"),
        "FG216",
        "duplicate resource name 'same'",
    ),
    "bad-app-empty": (
        "empty = runpod.App('')\n" + QUEUE.format("name='q1'"),
        "FG216",
        "App name must be a non-empty string",
    ),
    "bad-secret-name": (
        QUEUE.format("env={'K': runpod.Secret('a/b')}"),
        "FG202",
        "invalid secret name 'a/b'",
    ),
    "bad-volume-empty": (
        QUEUE.format("mounts={'/runpod-volume': runpod.NetworkVolume('')}"),
        "FG211",
        "volume reference must be a non-empty string",
    ),
    "bad-model-bad": (
        QUEUE.format("model=runpod.Model('bad')"),
        "FG211",
        "invalid model reference 'bad'",
    ),
    "bad-client-decorator": (
        "@runpod.Endpoint(name='old-style', gpu='ADA_24')\ndef f(x):\n    return x\n",
        "FG215",
        "unexpected keyword argument 'name'",
    ),
    "bad-client-assigned": (
        "ep = runpod.Endpoint(name='old-style', gpu='ADA_24')\n",
        "FG215",
        "unexpected keyword argument 'name'",
    ),
    "bad-volume-keyword": (
        QUEUE.format("mounts={'/runpod-volume': runpod.NetworkVolume('v', size_gb=100)}"),
        "FG211",
        "NetworkVolume.__init__() got an unexpected keyword argument 'size_gb'",
    ),
    "bad-volume-positional": (
        QUEUE.format("mounts={'/runpod-volume': runpod.NetworkVolume('v', 100)}"),
        "FG211",
        "NetworkVolume.__init__() takes 2 positional arguments but 3 were given",
    ),
    "bad-global-volume-keyword": (
        TASK.format("mounts={'/data': runpod.GlobalVolume('g', size=5)}"),
        "FG211",
        "GlobalVolume.__init__() got an unexpected keyword argument 'size'",
    ),
    # a project Enum member: flash-guard reads its value, rc2 gets the member object
    "bad-project-enum-gpu": (
        "import enum\nclass Gpu(enum.Enum):\n    SMALL = 'ADA_24'\n"
        + QUEUE.format("gpu=[Gpu.SMALL]"),
        "FG215",
        "gpu must be a GpuGroup",
    ),
    # ... also through a module-level constant bound to the member
    "bad-project-enum-constant": (
        "import enum\nclass Gpu(enum.Enum):\n    SMALL = 'ADA_24'\nGPU = Gpu.SMALL\n"
        + QUEUE.format("gpu=GPU"),
        "FG215",
        "gpu must be a GpuGroup",
    ),
    # ... through a chain of constants, a list constant or an item of a dict of members
    "bad-project-enum-chain": (
        "import enum\nclass Tier(enum.Enum):\n    BIG = 'AMPERE_80'\nGPU = Tier.BIG\n"
        "DEFAULT = GPU\n" + QUEUE.format("gpu=DEFAULT"),
        "FG215",
        "gpu must be a GpuGroup",
    ),
    "bad-project-enum-list-constant": (
        "import enum\nclass Tier(enum.Enum):\n    A = 'ADA_24'\n    B = 'AMPERE_80'\n"
        "POOL = [Tier.A, Tier.B]\n" + QUEUE.format("gpu=POOL"),
        "FG215",
        "gpu must be a GpuGroup",
    ),
    "bad-project-enum-dict-item": (
        "import enum\nclass Tier(enum.Enum):\n    A = 'ADA_24'\n"
        "BY_SIZE = {'small': Tier.A}\n" + QUEUE.format("gpu=BY_SIZE['small']"),
        "FG215",
        "gpu must be a GpuGroup",
    ),
    # a str-mixin member is a str for gpu/cpu/datacenter, but scaler_type reads str(x)
    "bad-project-str-enum-scaler": (
        "import enum\nclass Mode(str, enum.Enum):\n    QD = 'QUEUE_DELAY'\n"
        + QUEUE.format("gpu='ADA_24', scaler_type=Mode.QD"),
        "FG215",
        "scaler_type must be one of",
    ),
    # @app.api applied to a value or an instance: not a class, not callable
    "bad-api-on-a-value": (
        "five = app.api(name='five', cpu='cpu3c-1-2')(5)\n",
        "FG215",
        "@app.api must decorate a class with route markers",
    ),
    "bad-api-on-an-instance": (
        "class S:\n    @runpod.get('/h')\n    def h(self):\n        return 1\n"
        "inst = app.api(name='inst', cpu='cpu3c-1-2')(S())\n",
        "FG215",
        "@app.api must decorate a class with route markers",
    ),
    # ... or to a callable without __name__ (ApiHandle reads `target.__name__`)
    "bad-api-on-a-callable-instance": (
        "class Gw:\n    def __call__(self):\n        return None\n"
        "gw = app.api(name='gw-api', cpu='cpu3c-1-2')(Gw())\n",
        "FG215",
        "has no attribute '__name__'",
    ),
    "bad-api-on-a-partial": (
        "import functools\ndef make(prefix='/'):\n    return None\n"
        "v2 = app.api(name='v2-api', cpu='cpu3c-1-2')(functools.partial(make, '/v2'))\n",
        "FG215",
        "has no attribute '__name__'",
    ),
    "bad-model-keyword": (
        QUEUE.format("model=runpod.Model('org/m', revision='main')"),
        "FG211",
        "Model.__init__() got an unexpected keyword argument 'revision'",
    ),
    # A keyword given beside a `**` spread that holds it: Python's TypeError before rc2 (h42)
    "bad-keyword-twice-spread": (
        "COMMON = {'gpu': 'L4', 'workers': (1, 2)}\n"
        + QUEUE.format("name='ocr-job', workers=(1, 3), **COMMON"),
        "FG202",
        "got multiple values for keyword argument 'workers'",
    ),
    "bad-keyword-twice-task": (
        "BASE = dict(name='train-job')\n" + TASK.format("name='job', gpu='L4', **BASE"),
        "FG202",
        "got multiple values for keyword argument 'name'",
    ),
}
KIND = {"queue": "queue", "api": "load_balancer", "task": "task"}
# Phrases that differ by design: flash-guard says why rather than repeating a raw TypeError.
_EXTRA_PHRASES = {
    "bad-flash-enum": "runpod_flash enum",
    "bad-project-enum-gpu": "member of the project Enum `Gpu`",
    "bad-project-str-enum-scaler": "member of the project Enum `Mode`",
    "bad-project-enum-constant": "`GPU` (`Gpu.SMALL`) is a member of the project Enum `Gpu`",
    "bad-project-enum-chain": "`DEFAULT` (`Tier.BIG`) is a member of the project Enum `Tier`",
    "bad-project-enum-list-constant": "`POOL` (`Tier.A`) is a member of the project Enum",
    "bad-project-enum-dict-item": "(`Tier.A`) is a member of the project Enum `Tier`",
    "bad-flash-scaler-enum": 'write the string "QUEUE_DELAY"',
    "bad-flash-cuda-enum": 'write the string "12.8"',
    "bad-client-decorator": "Endpoint.__init__() rejects `name=`",
    "bad-client-assigned": "Endpoint.__init__() rejects `name=`",
    "bad-marker-above-static": "above @staticmethod",
}


def _write(tmp_path: Path, label: str, files: dict[str, str]) -> Path:
    root = tmp_path / label
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, "utf-8")
    return root


def _model(root: Path):
    return analyse([str(root)], root, [], False)


def _findings(run_cli, root: Path) -> list[dict]:
    code, out, err = run_cli(["check", "--format", "json", "--profile", "production", "."], root)
    assert code in (0, 1), err
    return json.loads(out)["findings"]


def _plain(value):
    if isinstance(value, Value):
        return _plain(value.value) if value.known else "<unknown>"
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _pools(ep) -> list[str] | None:
    if ep.compute == "cpu":
        return None
    refs = _plain(ep.params["gpu"])
    members = [r.member for r in refs if isinstance(r, EnumRef)]
    return sorted(t.ANY_GPU_POOLS) if "ANY" in members else sorted(members)


def _env(ep):
    env = ep.params.get("env")
    if env is None or env.value is None:
        return None
    out = {}
    for key, item in env.value.items():
        obj = item.value
        out[key] = isinstance(obj, Opaque) and obj.callee == "Secret"
    return out


def _mounts(ep):
    mounts = ep.params.get("mounts")
    if mounts is None or mounts.value is None:
        return []
    kinds = {"NetworkVolume": "network", "GlobalVolume": "global"}
    return sorted(
        (key.rstrip("/") or "/", kinds[item.value.callee]) for key, item in mounts.value.items()
    )


def _model_ref(ep):
    model = ep.params.get("model")
    if model is None or model.value is None:
        return None
    obj = model.value
    return obj.args[0].value if isinstance(obj, Opaque) else obj


def _datacenters(ep):
    dc = ep.params.get("datacenter")
    if dc is None or dc.value is None:
        return None
    out = []
    for item in dc.value:
        raw = item.value
        out.append(
            t.DATACENTERS[raw.member]
            if isinstance(raw, EnumRef)
            else raw.strip().upper().replace("_", "-")
        )
    return out


def _compare(record: dict, ep) -> None:
    assert ep.display_name == record["name"]
    assert ep.kind == KIND[record["kind"]]
    assert _pools(ep) == (sorted(record["gpu_pools"]) if record["gpu_pools"] else None)
    cpu = _plain(ep.params.get("cpu")) if ep.compute == "cpu" else None
    assert cpu == record["cpu"]
    if ep.kind != "task":
        workers = ep.params["workers"].value
        assert [workers["min"].value, workers["max"].value] == record["workers"]
        assert ep.params["idle_timeout"].value == record["idle_timeout"]
        assert ep.params["execution_timeout_ms"].value == record["execution_timeout_ms"]
    want_env = {k: v["secret"] for k, v in record["env"].items()} if record["env"] else None
    assert _env(ep) == want_env
    assert _mounts(ep) == sorted((m["path"], m["kind"]) for m in record["mounts"])
    assert _model_ref(ep) == record["model"]
    assert _datacenters(ep) == record["datacenters"]
    cuda = ep.params.get("min_cuda_version")
    assert (str(cuda.value) if cuda is not None and cuda.value is not None else None) == (
        record["min_cuda_version"]
    )
    ours = {(r.method.value, r.path.value) for r in ep.routes}
    if record["asgi_factory"]:
        # The spec holds no routes for a factory (they live on the app it returns); ours
        # come from the route decorators inside the factory.
        assert ep.targets[0].name == record["asgi_factory"]
    else:
        assert ours == {(r["method"], r["path"]) for r in record["routes"]}


@pytest.fixture(scope="module")
def oracle():
    sources = [HEAD + body for body in OK.values()]
    sources += [HEAD + src for src, _, _ in BAD.values()]
    results = run_oracle2_or_skip(sources)
    assert len(results) == len(sources)
    return dict(zip([*OK, *BAD], results, strict=True))


def test_enough_cases():
    assert len(OK) + len(BAD) >= 60


@pytest.mark.parametrize("label", list(OK))
def test_accepted_declaration_matches_the_sdk(label, oracle, tmp_path, run_cli):
    result = oracle[label]
    assert result["error"] is None, result["error"]
    assert result["network"] == []
    records = [r for app in result["apps"] for r in app["resources"]]
    root = _write(tmp_path, label, {"app.py": HEAD + OK[label]})
    endpoints = [e for e in _model(root).endpoints if e.kind != "client"]
    assert len(endpoints) == len(records)
    by_name = {(e.app_name.value, e.display_name): e for e in endpoints}
    for record in records:
        _compare(record, by_name[(record["app"], record["name"])])
    # Accepted by the SDK: no decoration-time FG2xx finding (FG215 covers run-time shapes),
    # except where rules.md reports what rc2 accepts but cannot work (ACCEPTED_BUT_WRONG).
    codes = {f["code"] for f in _findings(run_cli, root)}
    allowed = {"FG215", "FG216", *ACCEPTED_BUT_WRONG.get(label, ())}
    assert not {c for c in codes if c.startswith("FG2") and c not in allowed}, codes
    assert set(ACCEPTED_BUT_WRONG.get(label, ())) <= codes, codes


def test_cpu_candidates_rc2_accepts_each_decide_fg205(tmp_path, run_cli):
    """rules.md "Candidate values": every candidate passes (rc2 accepts each one, the two
    OK cases above), so FG205 passes; no FG002 for a value whose candidates are all known."""
    source = "import os\nPROD = os.getenv('STAGE', 'prod') == 'prod'\n" + QUEUE.format(
        "cpu='cpu5c-4-8' if PROD else 'cpu3c-2-4'"
    )
    root = _write(tmp_path, "cpu-candidates", {"app.py": HEAD + source})
    codes = {f["code"] for f in _findings(run_cli, root)}
    assert not codes & {"FG002", "FG205"}, codes


def test_a_none_candidate_rc2_refuses_leaves_fg202_undecided(tmp_path, run_cli):
    """`execution_timeout_ms=None if DEV else 60_000`: rc2 refuses the None candidate at
    decoration (BAD cases above), so the split blocks FG202 as well as FG104: one FG002."""
    source = "import os\nDEV = os.getenv('STAGE') == 'dev'\n" + QUEUE.format(
        "execution_timeout_ms=None if DEV else 60_000"
    )
    root = _write(tmp_path, "none-candidate", {"app.py": HEAD + source})
    found = [f for f in _findings(run_cli, root) if f["code"] in ("FG002", "FG202", "FG104")]
    assert [f["code"] for f in found] == ["FG002"], found
    assert "FG104" in found[0]["message"] and "FG202" in found[0]["message"]


# rc2 accepts these, and flash-guard reports them: the SDK keeps the value as the effective
# one (checked below), so the deployed endpoint gets it.
ACCEPTED_BUT_WRONG = {"api-scaler-queue-delay": ("FG212",)}


def test_rc2_keeps_queue_delay_on_an_api(oracle):
    (record,) = [r for app in oracle["api-scaler-queue-delay"]["apps"] for r in app["resources"]]
    assert (record["kind"], record["effective_scaler_type"]) == ("api", "QUEUE_DELAY")
    assert record["manifest"]["scalerType"] == "QUEUE_DELAY"


def test_rc2_never_reads_a_factory_apps_routes(oracle, tmp_path, run_cli):
    """rc2 keeps only the factory's name (handles.py L306-308: spec.asgi_factory =
    __qualname__); neither the spec nor the deploy manifest lists the app's routes, so
    nothing checks for a health route there. flash-guard reads them through the
    `include_router` (GET /ops/live) and FG109 fires, not FG002."""
    (record,) = [r for app in oracle["api-factory-router"]["apps"] for r in app["resources"]]
    assert record["routes"] == [] and record["asgi_factory"] == "web"
    assert record["manifest"]["asgiFactory"] == "web" and "routes" not in record["manifest"]
    root = _write(tmp_path, "factory-router", {"app.py": HEAD + OK["api-factory-router"]})
    (endpoint,) = [e for e in _model(root).endpoints if e.kind != "client"]
    assert {(r.method.value, r.path.value) for r in endpoint.routes} == {("GET", "/ops/live")}
    codes = {f["code"] for f in _findings(run_cli, root)}
    assert "FG109" in codes and "FG002" not in codes, codes


# rc2 does not look at env= when it decorates; the manifest (`rp flash deploy`) and `rp flash
# dev` render it with `env.items()`. An empty value is skipped (`if self.env:`).
ENV_SHAPES = {
    "env-list": (QUEUE.format("name='envq', env=['A=1']"), True),
    "env-str": (QUEUE.format("name='envq', env='A=1'"), True),
    "env-empty-list": (QUEUE.format("name='envq', env=[]"), False),
    "env-dict": (QUEUE.format("name='envq', env={'A': 1}"), False),
}


def test_env_that_is_not_a_dict_fails_where_rc2_renders_it(tmp_path, run_cli):
    results = run_oracle2_or_skip([HEAD + src for src, _ in ENV_SHAPES.values()])
    for (label, (source, fails)), result in zip(ENV_SHAPES.items(), results, strict=True):
        assert result["error"] is None, (label, result["error"])  # decoration accepts it
        (record,) = [r for app in result["apps"] for r in app["resources"]]
        error = record["manifest_error"]
        assert (error is not None) == fails, (label, error)
        root = _write(tmp_path, label, {"app.py": HEAD + source})
        found = [f["message"] for f in _findings(run_cli, root) if f["code"] == "FG202"]
        if fails:
            assert "has no attribute 'items'" in error["message"], error
            assert any(error["message"] in m for m in found), (label, error, found)
        else:
            assert found == [], (label, found)


@pytest.mark.parametrize("label", list(BAD))
def test_rejection_is_an_fg2xx_finding(label, oracle, tmp_path, run_cli):
    source, code, phrase = BAD[label]
    error = oracle[label]["error"]
    assert error is not None, f"rc2 accepted {label}"
    assert phrase in error["message"], error
    root = _write(tmp_path, label, {"app.py": HEAD + source})
    found = [f for f in _findings(run_cli, root) if f["code"] == code]
    expect = _EXTRA_PHRASES.get(label, phrase)
    assert any(expect in f["message"] for f in found), (code, expect, found, error)


# A queue or task applied to something without __name__: rc2 accepts it at import, and
# `rp flash deploy`'s build_manifest raises (label: (source after HEAD, phrase)).
BUILD_BAD = {
    "queue-on-a-value": ("five = app.queue(name='five', cpu='cpu3c-1-2')(5)\n", "'int' object"),
    "task-on-a-string": ("s = app.task(name='sss', cpu='cpu3c-1-2')('svc')\n", "'str' object"),
    "queue-on-a-callable-instance": (
        "class Emb:\n    def __call__(self, text=''):\n        return len(text)\n"
        "emb = app.queue(name='emb', cpu='cpu3c-1-2')(Emb())\n",
        "'Emb' object",
    ),
    "queue-on-a-partial": (
        "from functools import partial\ndef run(x=1, y=2):\n    return x\n"
        "p = app.queue(name='ppp', cpu='cpu3c-1-2')(partial(run, y=3))\n",
        "'functools.partial' object",
    ),
}


def test_handle_of_a_value_fails_the_deploy_build_and_is_fg215(tmp_path, run_cli):
    results = run_oracle2_or_skip([HEAD + source for source, _ in BUILD_BAD.values()])
    for (label, (source, phrase)), result in zip(BUILD_BAD.items(), results, strict=True):
        assert result["error"] is None, (label, result["error"])
        error = result["apps"][0]["build_error"]
        assert error is not None and error["type"] == "AttributeError", (label, error)
        assert phrase in error["message"] and "'__name__'" in error["message"], error
        root = _write(tmp_path, label, {"app.py": HEAD + source})
        found = [f for f in _findings(run_cli, root) if f["code"] == "FG215"]
        assert any("fails building the manifest" in f["message"] for f in found), (label, found)
    # `None` has no file to read: build_manifest passes it (no finding either)
    [result] = run_oracle2_or_skip([HEAD + "n = app.queue(name='nnn', cpu='cpu3c-1-2')(None)\n"])
    assert result["error"] is None and result["apps"][0]["build_error"] is None, result
    root = _write(tmp_path, "none", {"app.py": HEAD + "n = app.queue(name='nnn')(None)\n"})
    assert not [f for f in _findings(run_cli, root) if "manifest" in f["message"]]


def test_a_rejected_none_is_not_judged_as_a_value(tmp_path, run_cli):
    """execution_timeout_ms=None never deploys (FG202): FG104 must not call it "no limit",
    and FG002 has nothing to say about it."""
    source = HEAD + QUEUE.format("name='qqq', execution_timeout_ms=None")
    codes = [f["code"] for f in _findings(run_cli, _write(tmp_path, "none", {"app.py": source}))]
    assert "FG202" in codes and "FG104" not in codes and "FG002" not in codes, codes


# -- discovery: the SDK's own discover_apps ------------------------------------------------
APP = "import runpod\napp = runpod.App('shared')\n"
WORKER = (
    "from {mod} import app\n\n@app.queue(name='{name}', cpu='cpu3c-1-2')\n"
    "def {fn}(x: int = 1):\n    return x\n"
)
DISCOVERY = {
    # label: (files, whether FG307 fires, whether FG306 fires)
    "flat-twin": (
        {"common.py": APP, "gpu_worker.py": WORKER.format(mod="common", name="gpu-q", fn="f")},
        True,
        False,
    ),
    "flat-twin-own-resources": (
        {
            "common.py": APP
            + WORKER.format(mod="common", name="own-q", fn="own").split("\n", 2)[2],
            "gpu_worker.py": WORKER.format(mod="common", name="gpu-q", fn="f"),
        },
        True,
        False,
    ),
    # The App handed to helpers of a module that sorts after the App's (flat layout, h17):
    # that module never imports the App's, so there is no twin (no FG307); the calls run at
    # import (no FG301), and the handles are not module-level names (FG306).
    "handed-to-a-later-module": (
        {
            "main.py": APP + "import zz_plugins\n\nzz_plugins.register_all(app)\n"
            "zz_plugins.Plugin().install(app)\n"
            "for plugin in zz_plugins.PLUGINS:\n    plugin(app)\n",
            "zz_plugins.py": "def register_q(app, name):\n"
            "    @app.queue(name=name, cpu='cpu3c-1-2')\n"
            "    def q(x: int = 1):\n        return x\n\n"
            "def register_all(app):\n    register_q(app, 'nested-q')\n\n"
            "def register_loop(app):\n    register_q(app, 'loop-q')\n\n"
            "PLUGINS = [register_loop]\n\n"
            "class Plugin:\n    def install(self, app):\n"
            "        @app.queue(name='method-q', cpu='cpu3c-1-2')\n"
            "        def m(x: int = 1):\n            return x\n",
        },
        False,
        True,
    ),
    "handle-returned-to-module": (
        {
            "main.py": APP + "def register_all():\n"
            "    @app.queue(name='registered', cpu='cpu3c-1-2')\n"
            "    def registered(x: int = 1):\n        return x\n"
            "    return registered\n\n"
            "registered = register_all()\n"
        },
        False,
        False,
    ),
    "flat-importer-first": (
        {"worker.py": WORKER.format(mod="zz_app", name="gpu-q", fn="f"), "zz_app.py": APP},
        False,
        False,
    ),
    # a task decorated from a later file is dropped with the twin, but deploy provisions
    # queues and apis only (deploy.py reconcile_endpoints): nothing deployed is lost
    "flat-twin-task-only": (
        {
            "common.py": APP
            + WORKER.format(mod="common", name="own-q", fn="own").split("\n", 2)[2],
            "tasks.py": "from common import app\n\n@app.task(cpu='cpu3c-1-2')\n"
            "def backfill(day: str = 'x'):\n    return day\n",
        },
        False,
        False,
    ),
    "flat-app-py-workers": (
        {"app.py": APP, "workers.py": WORKER.format(mod="app", name="w-q", fn="w")},
        True,
        False,
    ),
    "package": (
        {
            "shop/__init__.py": "",
            "shop/app.py": APP,
            "shop/worker.py": WORKER.format(mod="shop.app", name="gpu-q", fn="f"),
        },
        False,
        False,
    ),
    "duplicate-app-names": (
        {
            "a_first.py": APP + "@app.queue(name='from-a')\ndef a():\n    return 1\n",
            "b_second.py": APP + "@app.queue(name='from-b')\ndef b():\n    return 1\n",
        },
        True,
        False,
    ),
    # A decorator from another module returning a wrapper: rc2 records that module
    # (inspect.getfile does not unwrap), where the handle is not bound. From the same file,
    # or one returning the function itself, the module is the declaring one.
    "wrapped-foreign": (
        {
            "svc/__init__.py": "",
            "svc/util.py": "import functools\ndef timed(fn):\n    @functools.wraps(fn)\n"
            "    def wrapper(*a, **k):\n        return fn(*a, **k)\n    return wrapper\n"
            "def register(fn):\n    return fn\n",
            "svc/jobs.py": APP.replace("shared", "ledger")
            + "from svc.util import register, timed\n"
            "@app.queue(name='reconcile')\n@timed\ndef reconcile():\n    return 1\n",
            "svc/plain.py": APP.replace("shared", "plain") + "from svc.util import register\n"
            "@app.queue(name='plain-q')\n@register\ndef plain():\n    return 1\n",
        },
        False,
        True,
    ),
    # A wrapper above @app.queue: the module-level name holds the wrapper, not the handle.
    "wrapped-above": (
        {
            "jobs.py": APP.replace("shared", "above") + "import functools\n"
            "def log_calls(fn):\n    @functools.wraps(fn)\n    def wrapper(*a, **k):\n"
            "        return fn(*a, **k)\n    return wrapper\n"
            "@log_calls\n@app.queue(name='embed-q')\ndef embed():\n    return 1\n",
        },
        False,
        True,
    ),
    "tests-path": (
        {
            "main.py": APP + "@app.queue(name='main-q')\ndef m():\n    return 1\n",
            "tests/test_q.py": APP.replace("shared", "smoke")
            + "@app.queue(name='test-q')\ndef t():\n    return 1\n",
        },
        False,
        True,
    ),
    # tests/ has no __init__.py: `from main import app` re-imports main.py under its real
    # name, and the twin registered by main.py's own (synthetic) import wins.
    "tests-path-twin": (
        {
            "main.py": APP + "@app.queue(name='main-q')\ndef m():\n    return 1\n",
            "tests/test_q.py": "from main import app\n\n"
            "@app.queue(name='test-q')\ndef t():\n    return 1\n",
        },
        True,
        True,
    ),
    # A sibling imported by its bare name below the deploy root: `common` is not on sys.path
    # there, the import fails and discovery skips the file with its resources.
    "subdir-sibling-import": (
        {
            "src/common.py": APP,
            "src/workers.py": WORKER.format(mod="common", name="sub-q", fn="f"),
        },
        True,
        False,
    ),
    "package-sibling-import": (
        {
            "pkg/__init__.py": "",
            "pkg/app.py": APP + "@app.queue(name='own-q', cpu='cpu3c-1-2')\ndef own():\n"
            "    return 1\n",
            "pkg/workers.py": WORKER.format(mod="app", name="pkg-q", fn="f"),
        },
        True,
        False,
    ),
    "package-qualified-import": (
        {
            "pkg/__init__.py": "",
            "pkg/app.py": APP,
            "pkg/workers.py": WORKER.format(mod="pkg.app", name="pkg-q", fn="f"),
        },
        False,
        False,
    ),
    # The deploy root is a package: discovery imports main.py as `<package>.main`, and
    # `from main import app` imports it again as `main`; the App built first is kept.
    "package-root-twin": (
        {
            "__init__.py": "",
            "main.py": APP,
            "workers.py": WORKER.format(mod="main", name="root-q", fn="f"),
        },
        True,
        False,
    ),
    # Deployed (discovery imports `<package>.workers`), but the manifest names the file
    # `workers` from the deploy directory, where `from .main import app` has no parent
    # package: the worker's import fails (h39, test_fg306_a_relative_import_above_...).
    "package-root-relative": (
        {
            "__init__.py": "",
            "main.py": APP,
            "workers.py": WORKER.format(mod=".main", name="root-q", fn="f"),
        },
        False,
        True,
    ),
    # The bare importer sorts first: its twin is built first and kept, with its resources.
    "package-root-bare-first": (
        {
            "__init__.py": "",
            "zz_app.py": APP,
            "a_workers.py": WORKER.format(mod="zz_app", name="root-q", fn="f"),
        },
        False,
        False,
    ),
    # The App is built by a function of the flat module, called from the decorating file:
    # one App, built where it is called, whichever copy of common.py the function comes from.
    "flat-app-factory": (
        {
            "common.py": "import runpod\n\ndef make_app(name):\n    return runpod.App(name)\n",
            "gpu_worker.py": "from common import make_app\napp = make_app('shared')\n"
            + WORKER.format(mod="common", name="gpu-q", fn="f").split("\n", 1)[1],
        },
        False,
        False,
    ),
    # Call forms: bound at module level (served), or kept where the worker does not look.
    "call-form-bound": (
        {"main.py": APP + "def f():\n    return 1\nh = app.queue(name='cf-q')(f)\n"},
        False,
        False,
    ),
    "call-form-lambda": (
        {"main.py": APP + "h = app.queue(name='lam-q')(lambda x: x)\n"},
        False,
        False,
    ),
    "call-form-in-dict": (
        {"main.py": APP + "def f():\n    return 1\nH = {'a': app.queue(name='d-q')(f)}\n"},
        False,
        True,
    ),
    "call-form-in-list-comprehension": (
        {
            "main.py": APP + "def f():\n    return 1\n"
            "H = [app.queue(name='l-q')(f) for _ in range(1)]\n"
        },
        False,
        True,
    ),
    "call-form-not-assigned": (
        {"main.py": APP + "def f():\n    return 1\napp.queue(name='bare-q')(f)\n"},
        False,
        True,
    ),
    "runpodignore": (
        {
            ".runpodignore": "jobs/\n",
            "main.py": APP + "@app.queue(name='main-q')\ndef m():\n    return 1\n",
            "jobs/nightly.py": APP.replace("shared", "nightly")
            + "@app.queue(name='nightly-q')\ndef n():\n    return 1\n",
        },
        False,
        True,
    ),
    # A setuptools copy under build/lib/: discover_apps skips `build/` (and `dist/`,
    # `.venv/`...), so the copy's App with the same name never competes with the real one.
    "build-dir-copy": (
        {
            "svc/__init__.py": "",
            "svc/main.py": APP + "@app.queue(name='work-q', cpu='cpu3c-1-2')\ndef w():\n"
            "    return 1\n",
            "build/lib/svc/__init__.py": "",
            "build/lib/svc/main.py": APP + "@app.queue(name='work-q', cpu='cpu3c-1-2')\n"
            "def w():\n    return 1\n",
        },
        False,
        False,
    ),
    # A factory wrapping its inner function with app.queue(...), called at import with the
    # resource's values: rc2 registers one resource per call, in the factory's module, where
    # the handle is bound only when the call is made there.
    "factory-called-from-another-module": (
        {
            "pkg/__init__.py": "",
            "pkg/builder.py": APP + "def make(name, cpu):\n    def run(x: int = 1):\n"
            "        return x\n    return app.queue(name=name, cpu=cpu)(run)\n",
            "pkg/endpoints.py": "from pkg.builder import make\n\n"
            "small = make('small-q', 'cpu3c-1-2')\nbig = make('big-q', 'cpu3c-2-4')\n",
        },
        False,
        True,
    ),
    # A call statement binds nothing: the resource is registered, the handle never served.
    "factory-bare-call": (
        {
            "pkg/__init__.py": "",
            "pkg/builder.py": APP + "def make(name, cpu):\n    def run(x: int = 1):\n"
            "        return x\n    return app.queue(name=name, cpu=cpu)(run)\n",
            "pkg/endpoints.py": "from pkg.builder import make\n\nmake('bare-q', 'cpu3c-1-2')\n",
        },
        False,
        True,
    ),
    "factory-called-in-its-module": (
        {
            "pkg/__init__.py": "",
            "pkg/builder.py": APP + "def make(name, cpu):\n    def run(x: int = 1):\n"
            "        return x\n    return app.queue(name=name, cpu=cpu)(run)\n\n"
            "small = make('small-q', 'cpu3c-1-2')\nbig = make('big-q', 'cpu3c-2-4')\n",
        },
        False,
        False,
    ),
    "in-function": (
        {
            "main.py": APP + "def reg():\n    @app.queue(name='inner-q')\n    def inner():\n"
            "        return 1\n    return inner\nreg()\n"
        },
        False,
        True,
    ),
    # create_app() builds the App and decorates on it: one App, both resources deployed
    # (each evaluation inside the function is that App, not a same-named twin).
    "create-app-decorates-inside": (
        {
            "service.py": "import runpod\n\ndef create_app(name='thumbs'):\n"
            "    app = runpod.App(name)\n\n"
            "    @app.queue(name='thumb-q', cpu='cpu3c-1-2')\n    def thumb(x: int = 1):\n"
            "        return x\n\n"
            "    @app.queue(name='resize-q', cpu='cpu3c-1-2')\n    def resize(x: int = 1):\n"
            "        return x\n\n    return app\n\napp = create_app()\n"
        },
        False,
        True,
    ),
    # a handle called at import: discovery refuses it and skips the App's own file
    "invoked-at-import": (
        {
            "app.py": APP + "@app.queue(name='own-q', cpu='cpu3c-1-2')\ndef own(x: int = 1):\n"
            "    return x\n\nown.spawn(x=1)\n",
            "other.py": APP.replace("'shared'", "'other'")
            + "@app.queue(name='other-q', cpu='cpu3c-1-2')\ndef other(x: int = 1):\n    return x\n",
        },
        True,
        False,
    ),
    # a handle called like the function it wraps (a flash habit): TypeError at import
    "called-at-import": (
        {
            "app.py": APP + "@app.queue(name='own-q', cpu='cpu3c-1-2')\ndef own(x: int = 1):\n"
            "    return x\n\nown(x=1)\n",
            "other.py": APP.replace("'shared'", "'other'")
            + "@app.queue(name='other-q', cpu='cpu3c-1-2')\ndef other(x: int = 1):\n    return x\n",
        },
        True,
        False,
    ),
    # ... and inside an expression of a module-level statement
    **{
        f"called-in-{label}": (
            {
                "app.py": APP + "@app.queue(name='own-q', cpu='cpu3c-1-2')\ndef own(x: int = 1):\n"
                f"    return x\n\nTEXTS = [1, 2]\n{statement}\n",
                "other.py": APP.replace("'shared'", "'other'")
                + "@app.queue(name='other-q', cpu='cpu3c-1-2')\ndef other(x: int = 1):\n"
                "    return x\n",
            },
            True,
            False,
        )
        for label, statement in (
            ("assignment", "y = own(x=1)"),
            ("print", "print(own(x=1))"),
            ("comprehension", "results = [own(t) for t in TEXTS]"),
        )
    },
    # a lambda's body does not run at import; a comprehension's own name is not the handle
    "called-in-lambda-or-shadowed": (
        {
            "app.py": APP + "@app.queue(name='own-q', cpu='cpu3c-1-2')\ndef own(x: int = 1):\n"
            "    return x\n\nwarm = lambda: own(x=1)\nsizes = [own(1) for own in (abs,)]\n"
        },
        False,
        False,
    ),
    # the same call inside a function or under the main guard never runs on import
    "called-guarded": (
        {
            "app.py": APP + "@app.queue(name='own-q', cpu='cpu3c-1-2')\ndef own(x: int = 1):\n"
            "    return x\n\ndef warm():\n    own(x=1)\n\nif __name__ == '__main__':\n"
            "    own(x=2)\n"
        },
        False,
        False,
    ),
    # ... and inside a module-level block that certainly runs, its TypeError not caught
    # (discovery skips the file), or that may not run / swallows it (the App is kept)
    **{
        f"called-in-block-{label}": (
            {
                "app.py": APP + "import contextlib\nWARM = True\nTEXTS = [1, 2]\n"
                "@app.queue(name='own-q', cpu='cpu3c-1-2')\ndef own(x: int = 1):\n"
                f"    return x\n\n{statement}\n",
                "other.py": APP.replace("'shared'", "'other'")
                + "@app.queue(name='other-q', cpu='cpu3c-1-2')\ndef other(x: int = 1):\n"
                "    return x\n",
            },
            lost,
            False,
        )
        for label, statement, lost in (
            ("for", "for t in TEXTS:\n    own(t)", True),
            ("for-empty", "for t in []:\n    own(t)", False),
            ("with", "with contextlib.nullcontext():\n    own(1)", True),
            ("with-suppress", "with contextlib.suppress(TypeError):\n    own(1)", False),
            ("try-keyerror", "try:\n    own(1)\nexcept KeyError:\n    pass", True),
            ("try-finally", "try:\n    pass\nfinally:\n    own(1)", True),
            ("if-constant", "if WARM:\n    own(1)", True),
            ("if-constant-else", "if not WARM:\n    pass\nelse:\n    own(1)", True),
            ("if-environment", "import os\nif os.environ.get('WARM'):\n    own(1)", False),
        )
    },
    # guarded (main block, try, function): nothing runs, or its error is caught
    "invoked-guarded": (
        {
            "app.py": APP + "@app.queue(name='own-q', cpu='cpu3c-1-2')\ndef own(x: int = 1):\n"
            "    return x\n\ndef warm():\n    own.spawn(x=1)\n\ntry:\n    own.remote(x=1)\n"
            "except Exception:\n    pass\n\nif __name__ == '__main__':\n    own.remote(x=2)\n"
        },
        False,
        False,
    ),
    # called from a worker file of a package whose App lives in app.py: that file is skipped,
    # but its queue stays on the App (rc2 restores the App list, not the App's resources)
    "invoked-in-a-worker-file": (
        {
            "__init__.py": "",
            "app.py": APP,
            "worker.py": "from .app import app\n\n@app.queue(name='w-q', cpu='cpu3c-1-2')\n"
            "def w(x: int = 1):\n    return x\n\nw.remote(x=1)\n",
        },
        False,
        True,  # the deploy directory is a package: `from .app` fails on the worker (h39)
    ),
    # an App a factory builds, used by another module's helper function: one App, whichever
    # function's call site a declaration is reached through
    "factory-app-used-in-a-helper": (
        {
            "common.py": "import runpod\n\ndef make_app(name):\n    return runpod.App(name)\n",
            "main.py": "from common import make_app\n\napp = make_app('factory-app')\n\n"
            "@app.queue(name='own-q', cpu='cpu3c-1-2')\ndef own(x: int = 1):\n    return x\n\n"
            "def build():\n    return {'dyn': app.queue(name='dyn-q', cpu='cpu3c-1-2')"
            "(lambda x=1: x)}\n\nHANDLES = build()\n",
        },
        False,
        True,
    ),
    # the same factory called twice with one name: two Apps, the second dropped with its queue
    # the same factory memoised by functools (h16 cached-app): every call gets the first App,
    # so nothing is dropped; with different arguments, lru_cache builds one App per argument
    "memoised-factory-called-twice": (
        {
            "core/__init__.py": "",
            "core/app.py": "import functools\nimport runpod\n\n@functools.lru_cache(maxsize=None)\n"
            "def get_app():\n    return runpod.App('cached')\n",
            "core/embed.py": "from core.app import get_app\n\napp = get_app()\n\n"
            "@app.queue(name='embed-q', cpu='cpu3c-1-2')\ndef embed(x: int = 1):\n    return x\n",
            "core/search.py": "from core.app import get_app\n\napp = get_app()\n\n"
            "@app.queue(name='search-q', cpu='cpu3c-1-2')\ndef search(x: int = 1):\n    return x\n",
        },
        False,
        False,
    ),
    "memoised-factory-two-arguments": (
        {
            "main.py": "from functools import cache\nimport runpod\n\n@cache\n"
            "def make_app(name):\n    return runpod.App(name)\n\n"
            "first = make_app('shop')\nsecond = make_app(name='shop')\n\n"
            "@first.queue(name='recs-q', cpu='cpu3c-1-2')\ndef recs(x: int = 1):\n    return x\n\n"
            "@second.queue(name='search-q', cpu='cpu3c-1-2')\ndef search(x: int = 1):\n"
            "    return x\n"
        },
        True,
        False,
    ),
    "factory-called-twice": (
        {
            "main.py": "import runpod\n\ndef make_app(name):\n    return runpod.App(name)\n\n"
            "first = make_app('shop')\nsecond = make_app('shop')\n\n"
            "@first.queue(name='recs-q', cpu='cpu3c-1-2')\ndef recs(x: int = 1):\n    return x\n\n"
            "@second.queue(name='search-q', cpu='cpu3c-1-2')\ndef search(x: int = 1):\n"
            "    return x\n"
        },
        True,
        False,
    ),
}


def test_fg302_a_failed_top_level_import_drops_the_file_from_a_directory_deploy(tmp_path, run_cli):
    """FG302's 2.0 message: discovery imports each file locally; where a dependency imported
    at module level is missing, the directory walk logs it and deploys the rest."""
    files = {
        "a.py": "import flash_guard_not_installed_pkg\n"
        + APP.replace("'shared'", "'a-app'")
        + "@app.queue(name='a-q', cpu='cpu3c-1-2', dependencies=['flash_guard_not_installed_pkg'])"
        "\ndef a(x: int = 0):\n    return x\n",
        "b.py": APP.replace("'shared'", "'b-app'")
        + "@app.queue(name='b-q', cpu='cpu3c-1-2')\ndef b(x: int = 0):\n    return x\n",
    }
    result = run_discovery_or_skip(files)
    assert result["error"] is None, result
    assert [app["name"] for app in result["apps"]] == ["b-app"], result["apps"]
    found = [
        f for f in _findings(run_cli, _write(tmp_path, "fg302", files)) if f["code"] == "FG302"
    ]
    assert [f["path"] for f in found] == ["a.py"], found
    assert "a directory deploy goes on without this file's resources" in found[0]["message"]


# h23: a classic worker kept beside the App (`runpod.serverless.start({...})` at module level)
# exits on import outside a worker (local test mode: test_input.json not found), so discovery
# skips the App's file when it runs there or in a module the App's file imports; guarded by
# `__main__`, or in a module nothing of the App imports, only that file is skipped.
_LEGACY = "import runpod\n\ndef handler(job):\n    return job['input']\n\n"
_WITH_APP = (
    "import runpod\n{imports}\napp = runpod.App('textops')\n\n"
    "@app.queue(name='upper', cpu='cpu3c-1-2', workers=(1, 2))\n"
    "def upper(text: str = ''):\n    return text.upper()\n{tail}"
)
WORKER_START = {
    "imported-legacy-module": {
        "workers/__init__.py": "",
        "workers/legacy.py": _LEGACY + "runpod.serverless.start({'handler': handler})\n",
        "app.py": _WITH_APP.format(imports="from workers.legacy import handler", tail=""),
    },
    "in-the-app-file": {
        "app.py": _WITH_APP.format(
            imports="from runpod.serverless import start",
            tail="\nstart({'handler': lambda job: job})\n",
        ),
    },
    "guarded": {
        "workers/__init__.py": "",
        "workers/legacy.py": _LEGACY
        + "if __name__ == '__main__':\n    runpod.serverless.start({'handler': handler})\n",
        "app.py": _WITH_APP.format(imports="from workers.legacy import handler", tail=""),
    },
    "not-imported-by-the-app": {
        "legacy.py": _LEGACY + "runpod.serverless.start({'handler': handler})\n",
        "app.py": _WITH_APP.format(imports="", tail=""),
    },
}


def test_fg307_a_classic_worker_started_on_import_loses_the_app(tmp_path, run_cli):
    results = run_discovery_many_or_skip(list(WORKER_START.values()))
    for (label, files), result in zip(WORKER_START.items(), results, strict=True):
        kept = bool(result["apps"]) and result["error"] is None
        fg307 = [
            f for f in _findings(run_cli, _write(tmp_path, label, files)) if f["code"] == "FG307"
        ]
        assert kept == (label in ("guarded", "not-imported-by-the-app")), (label, result)
        assert bool(fg307) == (not kept), (label, fg307)
        if fg307:
            assert "serverless.start" in fg307[0]["message"] or "start(" in fg307[0]["message"]
            assert fg307[0]["path"] == "app.py", fg307


def test_fg307_a_sibling_import_below_the_deploy_root_fails(tmp_path, run_cli):
    """`from app import app` in pkg/workers.py: discovery runs from the project directory, so
    `app` is not importable, the file is skipped (its resources dropped) and the App keeps
    only pkg/app.py's own resource. FG307 says so rather than calling it a twin."""
    files = DISCOVERY["package-sibling-import"][0]
    result = run_discovery_or_skip(files)
    assert [r["name"] for app in result["apps"] for r in app["resources"]] == ["own-q"]
    assert any("No module named 'app'" in log["message"] for log in result["logs"]), result
    found = [
        f for f in _findings(run_cli, _write(tmp_path, "sibling", files)) if f["code"] == "FG307"
    ]
    assert len(found) == 1 and found[0]["path"] == "pkg/app.py", found
    message = found[0]["message"]
    assert "which imports it as `app`" in message and "No module named 'app'" in message
    assert "drops `pkg-q` and deletes their live endpoints" in message, message


def test_discovery_twin_drops_a_task_that_deploy_never_provisions(tmp_path, run_cli):
    """rc2 loses the later file's task with the twin (so the premise is real), yet FG307 stays
    quiet: a task is not an endpoint `rp flash deploy` creates or deletes."""
    files = DISCOVERY["flat-twin-task-only"][0]
    result = run_discovery_or_skip(files)
    assert result["error"] is None, result
    kept = {(r["name"], r["kind"]) for app in result["apps"] for r in app["resources"]}
    assert kept == {("own-q", "queue")}, result["apps"]
    root = _write(tmp_path, "task-twin", files)
    assert {e.kind for e in _model(root).endpoints} == {"queue", "task"}
    assert "FG307" not in [f["code"] for f in _findings(run_cli, root)]


@pytest.mark.parametrize("label", list(DISCOVERY))
def test_discovery_matches_fg306_fg307(label, tmp_path, run_cli):
    files, lost, unserved = DISCOVERY[label]
    result = run_discovery_or_skip(files)
    assert result["error"] is None, result
    assert result["network"] == []
    deployed = {r["name"] for app in result["apps"] for r in app["resources"]}
    root = _write(tmp_path, label, files)
    declared = {e.display_name for e in _model(root).endpoints if e.kind in ("queue",)}
    findings = _findings(run_cli, root)
    codes = [f["code"] for f in findings]
    # FG307 fires exactly when discover_apps loses a declared resource.
    assert (declared - deployed != set()) == lost, (declared, deployed)
    assert ("FG307" in codes) == lost, findings
    if unserved and not lost:
        # Deployed by discover_apps, yet not where the worker looks (§5.3, §5.4).
        records = [r for app in result["apps"] for r in app["resources"]]
        unshipped = ("tests", "jobs")  # the top directories the cases' build leaves out
        flagged = [
            r
            for r in records
            if not r["variables"]
            or r["manifest_module"].split(".")[0] in unshipped
            # the worker imports manifest_module; the handle is bound in `module`
            or r["manifest_module"] != r["module"]
            # bound only in another module (`small = make(...)` importing the factory)
            or r["bound_in_module"] == []
        ]
        assert flagged, records
    assert ("FG306" in codes) == unserved, findings


# Where flash-guard's file listing and rc2's discovery part ways: discover_apps walks
# rglob("*.py") skipping only _SKIP_DIRS, so an App in a dot-directory (`.ci/`) or in a
# .gitignore'd file is imported and `rp flash deploy` deploys it ("all apps found"); the
# listing skips dot-directories and ignored files (design.md, file set).
HIDDEN_FROM_LISTING = {
    "main.py": APP.replace("shared", "main-app")
    + "@app.queue(name='main-q', cpu='cpu3c-1-2')\ndef m():\n    return 1\n",
    ".ci/app.py": APP.replace("shared", "ci-app")
    + "@app.queue(name='ci-q', cpu='cpu3c-1-2')\ndef c():\n    return 1\n",
    ".gitignore": "local_app.py\n",
    "local_app.py": APP.replace("shared", "local-app")
    + "@app.queue(name='local-q', cpu='cpu3c-1-2')\ndef loc():\n    return 1\n",
}


def test_rc2_deploys_apps_in_dot_directories_and_ignored_files():
    result = run_discovery_or_skip(HIDDEN_FROM_LISTING)
    assert result["error"] is None, result
    deployed = {r["name"] for app in result["apps"] for r in app["resources"]}
    assert deployed == {"main-q", "ci-q", "local-q"}, result


def test_flash_guard_sees_what_rc2_deploys_from_hidden_paths(tmp_path, run_cli):
    """flash-guard reads those files for their 2.0 Apps (project/files.py,
    list_hidden_runpod2); the ignored one is deployed but not shipped (FG306)."""
    root = _write(tmp_path, "hidden", HIDDEN_FROM_LISTING)
    declared = {e.display_name for e in _model(root).endpoints}
    assert declared == {"main-q", "ci-q", "local-q"}, declared
    fg306 = [f["path"] for f in _findings(run_cli, root) if f["code"] == "FG306"]
    assert fg306 == ["local_app.py"], fg306


def test_rc2_keeps_the_dot_directory_app_of_a_repeated_name(tmp_path, run_cli):
    """`.ci/app.py` sorts before `main.py`: rc2 keeps its App and drops main's (FG307)."""
    files = {
        "main.py": APP + "@app.queue(name='main-q', cpu='cpu3c-1-2')\ndef m():\n    return 1\n",
        ".ci/app.py": APP + "@app.queue(name='ci-q', cpu='cpu3c-1-2')\ndef c():\n    return 1\n",
    }
    result = run_discovery_or_skip(files)
    assert result["error"] is None, result
    deployed = {r["name"] for app in result["apps"] for r in app["resources"]}
    assert deployed == {"ci-q"}, result
    fg307 = [
        f for f in _findings(run_cli, _write(tmp_path, "shadow", files)) if f["code"] == "FG307"
    ]
    assert [f["path"] for f in fg307] == ["main.py"], fg307
    assert "drops this one with its resources (`main-q`)" in fg307[0]["message"], fg307


def test_factory_calls_discovery_cannot_follow_keep_the_declaration_unknown(tmp_path, run_cli):
    """`make(...)` called in a comprehension or a loop as well as directly: the direct call is
    its own resource, and the factory's declaration stays, with FG002 for what those other
    calls pass (rc2 registers one resource per call; flash-guard cannot list them)."""
    builder = (
        APP + "def make(name, cpu):\n    def run(x: int = 1):\n        return x\n"
        "    return app.queue(name=name, cpu=cpu)(run)\n"
    )
    endpoints = (
        "from pkg.builder import make\n\nsmall = make('small-q', 'cpu3c-1-2')\n"
        "MORE = {n: make(f'more-{n}', 'cpu3c-1-2') for n in ('a', 'b')}\n"
    )
    files = {"pkg/__init__.py": "", "pkg/builder.py": builder, "pkg/endpoints.py": endpoints}
    root = _write(tmp_path, "factory-unfollowed", files)
    names = {e.display_name for e in _model(root).endpoints}
    assert names == {"small-q", "run"}, names
    fg002 = [f for f in _findings(run_cli, root) if f["code"] == "FG002"]
    assert any("`name` is `name`" in f["message"] for f in fg002), fg002


# One resource per call of a helper (h16 reg-helpers): an App handed to a module-level helper
# as a parameter (`register_asr(app, gpu="RTX 4090")`, in another module, as a bare call too),
# and a factory with parameters that declares and returns its handle, called twice. rc2
# registers one resource per call, each with that call's arguments.
_REGISTRY = (
    "import runpod\n\n"
    "def register_asr(app, gpu='L4'):\n"
    "    @app.queue(name='asr', gpu=gpu, workers=(1, 3), execution_timeout_ms=60000)\n"
    "    def asr(url: str = ''):\n        return url\n"
    "    return asr\n\n"
    "def register_health(app):\n"
    "    @app.api(name='audio-health', cpu='cpu3c-1-2', workers=(1, 1))\n"
    "    class Health:\n"
    "        @runpod.get('/health')\n"
    "        def health(self):\n            return {'ok': True}\n"
    "    return Health\n\n"
    "def register_unused(app):\n"
    "    @app.queue(name='never', cpu='cpu3c-1-2')\n"
    "    def never(x: int = 1):\n        return x\n"
)
PER_CALL = {
    "app-passed-to-helpers": {
        "audio/__init__.py": "",
        "audio/registry.py": _REGISTRY,
        "audio/main.py": "import runpod\n"
        "from audio.registry import register_asr, register_health\n\n"
        "app = runpod.App('audio')\nasr = register_asr(app, gpu='RTX 4090')\n"
        "register_health(app)\n",
    },
    "factory-with-parameters-called-twice": {
        "svc.py": APP + "def add_asr(app, name, gpu='L4'):\n"
        "    @app.queue(name=name, gpu=gpu, workers=(1, 3))\n"
        "    def asr(url: str = ''):\n        return url\n"
        "    return asr\n\n"
        "small = add_asr(app, 'asr-small')\nbig = add_asr(app=app, name='asr-big', gpu='H100')\n"
    },
}


@pytest.mark.parametrize("label", list(PER_CALL))
def test_a_helper_declares_one_resource_per_call_as_rc2(label, tmp_path):
    _same_resources_as_rc2(label, tmp_path, PER_CALL)


def _same_resources_as_rc2(label, tmp_path, cases):
    files = cases[label]
    result = run_discovery_or_skip(files)
    assert result["error"] is None and result["network"] == [], result
    records = {r["name"]: r for app in result["apps"] for r in app["resources"]}
    root = _write(tmp_path, label, files)
    endpoints = {e.display_name: e for e in _model(root).endpoints}
    assert set(endpoints) == set(records), (set(endpoints), set(records))
    for name, record in records.items():
        _compare(record, endpoints[name])
        assert endpoints[name].app_name.value == next(
            app["name"] for app in result["apps"] if record in app["resources"]
        )


# The App handed further down (h17; h16 reg-nested was silent: 0 endpoints, "All checks
# passed"): through two and three helpers, across modules that import no runpod name, to a
# method of an instance, a static or class method, a class whose `__init__` declares, and a
# method of a module-level instance. rc2 runs each chain at import and registers what the last
# helper declares, with the arguments passed along.
_ASR = (
    "def register_asr(app, gpu='L4', name='asr'):\n"
    "    @app.queue(name=name, gpu=gpu, workers=(1, 3), execution_timeout_ms=60000)\n"
    "    def asr(url: str = ''):\n        return url\n"
    "    return asr\n\n"
)
_PLUGIN = (
    "class Plugin:\n"
    "    def install(self, app, cpu='cpu3c-1-2'):\n"
    "        @app.queue(name='plugin-q', cpu=cpu, workers=(1, 2))\n"
    "        def plug(x: int = 1):\n            return x\n"
    "        return plug\n\n"
    "    @staticmethod\n"
    "    def install_static(app):\n"
    "        @app.task(name='static-task', cpu='cpu3c-1-2')\n"
    "        def st():\n            return None\n\n"
    "    @classmethod\n"
    "    def install_cls(cls, app, gpu='ADA_24'):\n"
    "        @app.queue(name='cls-q', gpu=gpu)\n"
    "        def cq(x: int = 1):\n            return x\n\n"
    "class Routes:\n"
    "    def __init__(self, app, name='routes-api'):\n"
    "        @app.api(name=name, cpu='cpu3c-1-2', workers=(1, 1))\n"
    "        class Health:\n"
    "            @runpod.get('/health')\n"
    "            def health(self):\n                return {'ok': True}\n"
    "        self.health = Health\n"
)
HANDED = {
    "two-helpers-in-a-module-without-runpod": {
        "handlers.py": _ASR + "def register_all(app):\n    register_asr(app, gpu='H100')\n",
        "main.py": "import logging\nimport runpod\nfrom handlers import register_all\n\n"
        "app = runpod.App('nested')\nregister_all(app)\n"
        # what takes the App without registering: no FG002 for these
        "log = logging.getLogger(__name__)\nAPPS = []\nAPPS.append(app)\n"
        "log.info('%s', app)\nprint(app)\n",
    },
    "main-guard-and-else": {
        "helpers.py": "def register_asr(app, gpu):\n"
        "    @app.queue(name='asr', gpu=gpu, workers=(1, 3))\n"
        "    def asr(url: str = ''):\n        return url\n\n"
        "def register_all(app, gpu='L4'):\n    register_asr(app, gpu)\n",
        "main.py": "import runpod\nfrom helpers import register_all\n\n"
        "app = runpod.App('guard')\n"
        "if __name__ == '__main__':\n    register_all(app)\n"
        "else:\n    register_all(app, gpu='H100')\n",
    },
    "three-helpers-across-modules": {
        "pkg/__init__.py": "",
        "pkg/asr.py": _ASR,
        "pkg/bundle.py": "from pkg.asr import register_asr\n\n"
        "def register_bundle(app, gpu):\n"
        "    register_asr(app, gpu=gpu, name='bundle-asr')\n"
        "    register_asr(app, name='bundle-small')\n",
        "main.py": "import runpod\nfrom pkg import bundle\n\n"
        "app = runpod.App('deep')\n\n"
        "def setup(app):\n    bundle.register_bundle(app, 'AMPERE_80')\n\n"
        "setup(app=app)\n",
    },
    "methods-and-init": {
        "plugins.py": "import runpod\n\n" + _PLUGIN,
        "main.py": "import runpod\nfrom plugins import Plugin, Routes\n\n"
        "app = runpod.App('plugins')\n"
        "Plugin().install(app)\n"
        "Plugin.install_static(app)\n"
        "Plugin.install_cls(app, gpu='AMPERE_48')\n"
        "routes = Routes(app)\n",
    },
    "loops-over-tables-of-helpers": {
        "plugins.py": "import runpod\n\n" + _ASR + _PLUGIN + "\ndef register_ocr(app):\n"
        "    @app.queue(name='ocr', cpu='cpu3c-1-2')\n"
        "    def ocr(url: str = ''):\n        return url\n\n"
        "PLUGINS = [register_ocr, Routes]\nINSTALLERS = (Plugin(),)\n",
        "main.py": "import runpod\nfrom plugins import INSTALLERS, PLUGINS, register_asr\n\n"
        "app = runpod.App('tables')\n"
        "for plugin in PLUGINS:\n    plugin(app)\n"
        "for installer in INSTALLERS:\n    installer.install(app, cpu='cpu3c-2-4')\n\n"
        "def install_more(app):\n    for fn in [register_asr]:\n        fn(app, 'ADA_24')\n\n"
        "install_more(app)\n",
    },
    "handed-under-another-name": {
        "handlers.py": _ASR + "def register_all(app):\n    register_asr(app, gpu='ADA_24')\n",
        "main.py": "import runpod\nimport handlers\n\n"
        "app = runpod.App('alias')\napplication = app\nhandlers.register_all(application)\n",
    },
    "methods-handing-the-app-on": {
        "registry.py": _ASR + "class Registry:\n"
        "    @classmethod\n"
        "    def install_all(cls, app):\n"
        "        register_asr(app, gpu='AMPERE_80', name='from-classmethod')\n\n"
        "class Bundle:\n"
        "    def __init__(self, app):\n"
        "        register_asr(app, name='from-init')\n"
        "        Registry.install_all(app)\n",
        "main.py": "import runpod\nfrom registry import Bundle\n\n"
        "app = runpod.App('methods-on')\nBUNDLE = Bundle(app)\n",
    },
    "method-of-a-module-level-instance": {
        "main.py": "import runpod\n\n" + _PLUGIN + "\napp = runpod.App('inst')\n"
        "PLUGIN = Plugin()\nPLUGIN.install(app, cpu='cpu3c-2-4')\nPLUGIN.install_static(app)\n"
        "PLUGIN.install_cls(app)\nRoutes(app, 'inst-routes')\n",
    },
    # h21: a helper called once per item of a module-level loop over a known table, with the
    # loop's names as arguments (`**cfg` of a dict item too), directly and through a helper
    "helper-called-per-loop-item": {
        "handlers.py": _ASR + "def register_all(app, gpu):\n"
        "    register_asr(app, gpu=gpu, name='all-' + gpu.lower())\n\n"
        "def add_model(app, name, gpu='L4', workers=(0, 1)):\n"
        "    @app.queue(name=name, gpu=gpu, workers=workers)\n"
        "    def run(x: int = 1):\n        return x\n",
        "main.py": "import runpod\nfrom handlers import add_model, register_all, register_asr\n\n"
        "app = runpod.App('per-item')\nGPUS = ['L4', 'ADA_24']\n"
        "MODELS = {'small': {'gpu': 'L4'}, 'big': {'gpu': 'AMPERE_80', 'workers': (0, 2)}}\n"
        "for gpu in GPUS:\n    register_asr(app, gpu, name=f'asr-{gpu.lower()}')\n"
        "for name, cfg in MODELS.items():\n    add_model(app, name, **cfg)\n"
        "for i, gpu in enumerate(('AMPERE_48',)):\n    handle = register_all(app, gpu)\n",
    },
    # h23: a helper calling another once per item of its own loop over a known table (a
    # literal, a module constant, a local list, `enumerate`/`.items()` of one), through a
    # method too; a helper reached twice unrolls its loop once per reaching call
    "helper-loops-over-a-table": {
        "handlers.py": _ASR + "SIZES = {'small': 'L4', 'big': 'AMPERE_80'}\n\n"
        "def install_all(app):\n    for gpu in ('ADA_24', 'AMPERE_48'):\n"
        "        register_asr(app, gpu, name=f'asr-{gpu.lower()}')\n"
        "    for i, (size, gpu) in enumerate(SIZES.items()):\n"
        "        register_asr(app, gpu=gpu, name=f'size-{i}-{size}')\n\n"
        "class Bundle:\n    def install(self, app, prefix='b'):\n"
        "        names = ['one', 'two']\n"
        "        for n in names:\n            register_asr(app, name=f'{prefix}-{n}')\n",
        "main.py": "import runpod\nfrom handlers import Bundle, install_all\n\n"
        "app = runpod.App('helper-loops')\ninstall_all(app)\nBundle().install(app)\n"
        "Bundle().install(app, prefix='c')\n",
    },
    # h23: the declaration itself in a helper's loop over a known table: one resource per
    # item and per call, called directly, through another helper and as a method
    "declared-in-a-helpers-loop": {
        "models.py": "MODELS = {'llama-8b': {'gpu': 'ADA_48_PRO'},"
        " 'qwen-7b': {'gpu': 'ADA_24'}}\n\n"
        "def register_models(app, prefix='m'):\n"
        "    for model, cfg in MODELS.items():\n"
        "        @app.queue(name=f'{prefix}-{model}', workers=(0, 2), **cfg)\n"
        "        def generate(prompt: str = ''):\n            return prompt\n\n"
        "def register_all(app):\n    register_models(app, prefix='all')\n\n"
        "class Tasks:\n    def install(self, app):\n"
        "        for kind in ('embed', 'rerank'):\n"
        "            @app.task(name=f'task-{kind}', cpu='cpu3c-1-2')\n"
        "            def run():\n                return None\n",
        "main.py": "import runpod\nfrom models import Tasks, register_all, register_models\n\n"
        "app = runpod.App('helper-decl-loops')\nregister_models(app)\nregister_all(app)\n"
        "Tasks().install(app)\n",
    },
    # h23: `self.add(app)` where subclasses override `add`: the class of the instance is
    # named where the chain starts (`Gpu2().setup(app)`, `CPU = Cpu()`, `Cpu(app)` whose
    # inherited `__init__` calls it), so the `add` it looks up runs, as in Python
    "overridden-methods-of-a-known-class": {
        "helpers.py": _ASR,
        "plugins.py": "from helpers import register_asr\n\n"
        "class Base:\n    def __init__(self, app=None):\n"
        "        if app is not None:\n            self.add(app)\n\n"
        "    def setup(self, app):\n        self.install(app)\n\n"
        "    def install(self, app):\n        self.add(app)\n\n"
        "    def add(self, app):\n        register_asr(app, name='base-asr')\n\n"
        "class Gpu(Base):\n    def add(self, app):\n"
        "        @app.queue(name='gpu-direct', gpu='ADA_24')\n"
        "        def g(x: int = 1):\n            return x\n\n"
        "class Gpu2(Gpu):\n    pass\n\n"
        "class Cpu(Base):\n    def add(self, app):\n        register_asr(app, name='cpu-asr')\n\n"
        "class Built(Base):\n    def add(self, app):\n"
        "        register_asr(app, name='built-asr')\n",
        "main.py": "import runpod\nfrom plugins import Built, Cpu, Gpu2\n\n"
        "app = runpod.App('overrides')\nGpu2().setup(app)\nCPU = Cpu()\nCPU.install(app)\n"
        "Built(app)\n",
    },
    # `self.helper(app)` / `cls.helper(app)` in a method of a plugin class that is followed
    "self-helper-of-a-followed-plugin": {
        "plugins.py": "class Plugin:\n"
        "    def install(self, app):\n"
        "        self.add_queue(app)\n"
        "        self.add_task(app, cpu='cpu3c-2-4')\n"
        "        self.add_static(app)\n\n"
        "    def add_queue(self, app):\n"
        "        @app.queue(name='self-q', cpu='cpu3c-1-2', workers=(1, 2))\n"
        "        def q(x: int = 1):\n            return x\n\n"
        "    def add_task(self, app, cpu='cpu3c-1-2'):\n"
        "        @app.task(name='self-task', cpu=cpu)\n"
        "        def t():\n            return None\n\n"
        "    @staticmethod\n"
        "    def add_static(app):\n"
        "        @app.task(name='static-via-self', cpu='cpu3c-1-2')\n"
        "        def s():\n            return None\n\n"
        "    @classmethod\n"
        "    def setup(cls, app):\n"
        "        cls.add_cls(app, gpu='ADA_24')\n\n"
        "    @classmethod\n"
        "    def add_cls(cls, app, gpu='L4'):\n"
        "        @app.queue(name='cls-via-cls', gpu=gpu)\n"
        "        def c(x: int = 1):\n            return x\n",
        "main.py": "import runpod\nfrom plugins import Plugin\n\n"
        "app = runpod.App('self-calls')\nPlugin().install(app)\nPlugin.setup(app)\n",
    },
    # h27: `for C in ENABLED: C().install(app)` with `install` looping over `self.models()`
    # and `register` naming the resource from class attributes (`self.prefix`, `self.gpu`),
    # one subclass overriding `register`; the plugin modules import no runpod name
    "plugin-classes-read-through-self": {
        "plugins/__init__.py": "from plugins.asr import AsrPlugin\n"
        "from plugins.llm import LlmPlugin\n\nENABLED = [AsrPlugin, LlmPlugin]\n",
        "plugins/base.py": "class BasePlugin:\n    prefix = 'base'\n    gpu = 'ADA_24'\n\n"
        "    def install(self, app):\n        for model in self.models():\n"
        "            self.register(app, model)\n\n"
        "    def models(self):\n        return []\n\n"
        "    def register(self, app, model):\n"
        "        @app.queue(name=f'{self.prefix}-{model}', gpu=self.gpu, workers=(1, 2))\n"
        "        def run(payload: dict = None):\n            return payload\n"
        "        return run\n",
        "plugins/asr.py": "from plugins.base import BasePlugin\n\n"
        "ASR_MODELS = ('whisper-small', 'whisper-large')\n\n"
        "class AsrPlugin(BasePlugin):\n    prefix = 'asr'\n\n"
        "    def models(self):\n        return list(ASR_MODELS)\n",
        "plugins/llm.py": "from plugins.base import BasePlugin\n\n"
        "class LlmPlugin(BasePlugin):\n    prefix = 'llm'\n    gpu = 'AMPERE_80'\n\n"
        "    def models(self):\n        return ['llama-8b']\n\n"
        "    def register(self, app, model):\n"
        "        @app.task(name=f'{self.prefix}-{model}-eval', gpu=self.gpu)\n"
        "        def evaluate():\n            return None\n",
        "main.py": "import runpod\nfrom plugins import ENABLED\n\n"
        "app = runpod.App('plugins')\nfor plugin_cls in ENABLED:\n"
        "    plugin_cls().install(app)\n",
    },
    # h27: attributes a forwarding `__init__` sets from literals (`super().__init__("asr",
    # models=(...))` into `self.prefix = prefix`), read as `self.prefix`, `self.models()`
    "plugin-attributes-set-by-a-forwarding-init": {
        "plugins.py": "class BasePlugin:\n"
        "    def __init__(self, prefix, gpu='ADA_24', models=('m1',)):\n"
        '        """Forwarding only."""\n'
        "        self.prefix = prefix\n        self.gpu = gpu\n"
        "        self._models = list(models)\n\n"
        "    def install(self, app):\n        for model in self.models():\n"
        "            self.register(app, model)\n\n"
        "    def models(self):\n        return self._models\n\n"
        "    def register(self, app, model):\n"
        "        @app.queue(name=f'{self.prefix}-{model}', gpu=self.gpu, workers=(1, 2))\n"
        "        def run(payload: dict = None):\n            return payload\n\n"
        "class AsrPlugin(BasePlugin):\n    def __init__(self):\n"
        "        super().__init__('asr', models=('whisper-small', 'whisper-large'))\n\n"
        "class OcrPlugin(BasePlugin):\n    def __init__(self):\n"
        "        super().__init__(prefix='ocr', gpu='AMPERE_80')\n",
        "main.py": "import runpod\nfrom plugins import AsrPlugin, OcrPlugin\n\n"
        "app = runpod.App('plugins-init')\nfor plugin_cls in (AsrPlugin, OcrPlugin):\n"
        "    plugin_cls().install(app)\n",
    },
    # methods inherited from a base class of the project (in another module, two levels up)
    "inherited-methods": {
        "base.py": "import runpod\n\n" + _PLUGIN + "\nclass Middle(Plugin):\n    pass\n",
        "main.py": "import runpod\nfrom base import Middle, Routes\n\n"
        "class Asr(Middle):\n    label = 'asr'\n\n"
        "class MoreRoutes(Routes):\n    pass\n\n"
        "app = runpod.App('inherited')\n"
        "Asr().install(app, cpu='cpu3c-2-4')\nAsr.install_static(app)\n"
        "Asr.install_cls(app, gpu='AMPERE_48')\nMoreRoutes(app, 'more-routes')\n",
    },
    # h36: a plugin made with arguments where it is handed the App (its `__init__` bound to
    # them), and one whose `__init__` sets its attributes through a method only it calls
    "plugin-init-arguments": {
        "plugins.py": "class Plugin:\n"
        "    def __init__(self, tag='v0', gpu='ADA_24'):\n"
        "        self.tag = tag\n        self.gpu = gpu\n\n"
        "    def install(self, app):\n"
        "        @app.queue(name=f'embed-{self.tag}', gpu=self.gpu, workers=(1, 2))\n"
        "        def embed(text: str = ''):\n            return len(text)\n\n"
        "        return embed\n",
        "main.py": "import runpod\nfrom plugins import Plugin\n\n"
        "app = runpod.App('plugins')\nPlugin(tag='v1').install(app)\n"
        "Plugin('v2', gpu='ADA_48_PRO').install(app)\n",
    },
    "plugin-init-calls-setup": {
        "plugins.py": "class Setup:\n    def __init__(self, gpu='AMPERE_24'):\n"
        "        self.setup(gpu)\n\n"
        "    def setup(self, gpu):\n        self.name = 'setup-q'\n        self.gpu = gpu\n\n"
        "    def install(self, app):\n"
        "        @app.queue(name=self.name, gpu=self.gpu)\n"
        "        def run(x: int = 1):\n            return x\n\n"
        "        return run\n",
        "main.py": "import runpod\nfrom plugins import Setup\n\n"
        "app = runpod.App('setups')\nSetup(gpu='ADA_24').install(app)\n",
    },
}


@pytest.mark.parametrize("label", list(HANDED))
def test_the_app_handed_down_declares_what_rc2_registers(label, tmp_path, run_cli):
    _same_resources_as_rc2(label, tmp_path, HANDED)
    # each is registered at import, from the file handing the App down (no twin, no FG301),
    # and nothing is left unknown
    findings = _findings(run_cli, tmp_path / label)
    assert not [f for f in findings if f["code"] in ("FG002", "FG301", "FG307")], findings


def test_a_helper_called_per_loop_item_with_one_name_fails_as_in_rc2(tmp_path, run_cli):
    """`for gpu in GPUS: register_asr(app, gpu)` without a name per item: rc2 registers the
    second `asr` at decoration and raises, so the import fails (FG216, not two resources)."""
    files = {
        "handlers.py": _ASR,
        "main.py": "import runpod\nfrom handlers import register_asr\n\n"
        "app = runpod.App('dup')\nfor gpu in ('L4', 'ADA_24'):\n    register_asr(app, gpu)\n",
    }
    result = run_discovery_or_skip(files)
    assert "duplicate resource name 'asr'" in result["error"]["message"], result
    findings = _findings(run_cli, _write(tmp_path, "loop-one-name", files))
    fg216 = [f["message"] for f in findings if f["code"] == "FG216"]
    assert any("duplicate resource name 'asr'" in m for m in fg216), findings
    assert not [f for f in findings if f["code"] == "FG002"], findings


# Where the App goes further than flash-guard follows, rc2 still registers resources: each
# such module-level call is one FG002 (found: 0 endpoints, "All checks passed" before h17),
# at the line given. Calls that hand the App to builtins, outside code or a helper that
# registers nothing are not.
_HELPERS = _ASR + (
    "def register_ocr(app):\n"
    "    @app.queue(name='ocr', cpu='cpu3c-1-2')\n"
    "    def ocr(url: str = ''):\n        return url\n\n"
    "def describe(app):\n    return repr(app)\n\n"
    "PLUGINS = [register_ocr]\nREGISTRY = {'ocr': register_ocr}\n"
)
UNTOLD = {
    "plugins-by-name": (
        "import runpod\nimport helpers\n\napp = runpod.App('p')\n"
        "for name in ('register_ocr',):\n    getattr(helpers, name)(app)\n",
        [6],
    ),
    "helper-called-per-item": (
        "import runpod\nfrom helpers import register_asr\n\napp = runpod.App('p')\n"
        "HANDLES = [register_asr(app, g, name=f'asr-{g}') for g in ('L4', 'A100')]\n",
        [5],
    ),
    "imported-by-name": (
        "import importlib\nimport runpod\n\napp = runpod.App('p')\n"
        "for name in ('helpers',):\n"
        "    importlib.import_module(name).register_ocr(app)\n",
        [6],
    ),
    "registry-lookup": (
        "import runpod\nimport helpers\n\napp = runpod.App('p')\n"
        "helpers.REGISTRY['ocr'](app)\nprint(app)\nhelpers.describe(app)\n",
        [5],
    ),
    # h23: a helper's loop over what its parameters give differs per call (one over a known
    # table is followed: HANDED "helper-loops-over-a-table")
    "handed-on-in-a-loop-over-a-parameter": (
        "import runpod\nfrom helpers import register_asr\n\napp = runpod.App('p')\n"
        "gpus = ['L4']\n\n"
        "def install_all(app, gpus):\n    for gpu in gpus:\n"
        "        register_asr(app, gpu, name=f'asr-{gpu}')\n\n"
        "install_all(app, ('L4', 'A100'))\n",
        [11],
    ),
    # h21: what stays unknown: a loop that may skip items, and `self.add(app)` where a
    # subclass overrides `add` (which one runs depends on the instance)
    "loop-skipping-items": (
        "import runpod\nfrom helpers import register_asr\n\napp = runpod.App('p')\n"
        "for gpu in ('L4', 'A100'):\n    if gpu == 'L4':\n        continue\n"
        "    register_asr(app, gpu)\n",
        [8],
    ),
    # h27: `self` of an instance whose `__init__` takes arguments (it could set anything):
    # the loop over `self.models()` is not unrolled
    "plugin-init-taking-arguments": (
        "import runpod\nfrom helpers import register_asr\n\napp = runpod.App('p')\n\n"
        "class Plugin:\n    def __init__(self, prefix='p'):\n        self.prefix = prefix\n\n"
        "    def install(self, app):\n        for model in self.models():\n"
        "            register_asr(app, name=f'{self.prefix}-{model}')\n\n"
        "    def models(self):\n        return ['m1']\n\n"
        "for plugin_cls in (Plugin,):\n    plugin_cls().install(app)\n",
        [18],
    ),
}


@pytest.mark.parametrize("label", list(UNTOLD))
def test_an_app_handed_out_of_sight_is_fg002_not_a_pass(label, tmp_path, run_cli):
    main, lines = UNTOLD[label]
    files = {"helpers.py": _HELPERS, "main.py": main}
    result = run_discovery_or_skip(files)
    assert result["error"] is None, result
    assert [r for app in result["apps"] for r in app["resources"]], result  # rc2 registers
    root = _write(tmp_path, label, files)
    fg002 = [f for f in _findings(run_cli, root) if f["code"] == "FG002"]
    told = [f for f in fg002 if "registers on the App" in f["message"]]
    assert [(f["path"], f["line"]) for f in told] == [("main.py", n) for n in lines], fg002


SELF_UNKNOWN = {
    # h36: what `self` holds stays unknown: an instance bound to a name (later statements
    # may change it), a method `__init__` calls that another method calls again
    "plugin-made-with-arguments-bound-to-a-name": (
        "import runpod\nfrom helpers import register_asr\n\napp = runpod.App('p')\n\n"
        "class Plugin:\n    def __init__(self, prefix='p'):\n        self.prefix = prefix\n\n"
        "    def install(self, app):\n"
        "        register_asr(app, name=f'{self.prefix}-asr')\n\n"
        "plugin = Plugin('q')\nplugin.prefix = 'r'\nplugin.install(app)\n",
    ),
    "plugin-setup-called-again": (
        "import runpod\nfrom helpers import register_asr\n\napp = runpod.App('p')\n\n"
        "class Plugin:\n    def __init__(self):\n        self.setup('p')\n\n"
        "    def setup(self, prefix):\n        self.prefix = prefix\n\n"
        "    def install(self, app):\n        self.setup('q')\n"
        "        register_asr(app, name=f'{self.prefix}-asr')\n\n"
        "Plugin().install(app)\n",
    ),
}


@pytest.mark.parametrize("label", list(SELF_UNKNOWN))
def test_self_attributes_that_may_change_stay_fg002(label, tmp_path, run_cli):
    """rc2 registers `r-asr` / `q-asr`; flash-guard cannot tell which, so the name is FG002
    (never the value the constructor or the first `setup` call gives)."""
    (main,) = SELF_UNKNOWN[label]
    files = {"helpers.py": _HELPERS, "main.py": main}
    result = run_discovery_or_skip(files)
    assert result["error"] is None, result
    names = {r["name"] for app in result["apps"] for r in app["resources"]}
    assert names & {"r-asr", "q-asr"}, names
    root = _write(tmp_path, label, files)
    assert not {e.display_name for e in _model(root).endpoints} & {"p-asr", "q-asr", "r-asr"}
    fg002 = [f for f in _findings(run_cli, root) if f["code"] == "FG002"]
    assert any("`name` is `f'{self.prefix}-asr'`" in f["message"] for f in fg002), fg002


def test_an_attribute_a_method_sets_on_self_stays_unknown(tmp_path, run_cli):
    """h27: `self.ATTR` reads the class attribute only when no method assigns it: here
    `install` sets `self.prefix` before the declaration reads it, so the name is FG002 (rc2
    registers `BASE-m1`), not `base-m1`."""
    files = {
        "main.py": "import runpod\n\napp = runpod.App('p')\n\n"
        "class Plugin:\n    prefix = 'base'\n\n"
        "    def install(self, app):\n        self.prefix = self.prefix.upper()\n"
        "        for model in self.models():\n            self.register(app, model)\n\n"
        "    def models(self):\n        return ['m1']\n\n"
        "    def register(self, app, model):\n"
        "        @app.queue(name=f'{self.prefix}-{model}', cpu='cpu3c-1-2')\n"
        "        def run(x: int = 1):\n            return x\n\n"
        "for plugin_cls in (Plugin,):\n    plugin_cls().install(app)\n",
    }
    result = run_discovery_or_skip(files)
    names = [r["name"] for app in result["apps"] for r in app["resources"]]
    assert names == ["BASE-m1"], result
    findings = _findings(run_cli, _write(tmp_path, "self-set", files))
    fg002 = [(f["line"], f["message"]) for f in findings if f["code"] == "FG002"]
    assert [line for line, _ in fg002] == [17], fg002
    assert "self.prefix" in fg002[0][1], fg002
    assert not [f for f in findings if f["code"] == "FG216"], findings


# h27 (h21/h23 kept it FG002): over a table of instances, each item's class is known, so
# `self.add(app)` runs the `add` that instance looks up (Gpu's registers nothing)
TABLE_OF_INSTANCES = {
    "self-method-overridden-over-a-table": {
        "helpers.py": _HELPERS,
        "main.py": (
            "import runpod\nfrom helpers import register_ocr\n\napp = runpod.App('p')\n\n"
            "class Base:\n    def install(self, app):\n        self.add(app)\n\n"
            "    def add(self, app):\n        register_ocr(app)\n\n"
            "class Gpu(Base):\n    def add(self, app):\n        pass\n\n"
            "for plugin in (Base(), Gpu()):\n    plugin.install(app)\n"
        ),
    },
}


def test_a_table_of_instances_runs_each_ones_override(tmp_path, run_cli):
    label = "self-method-overridden-over-a-table"
    _same_resources_as_rc2(label, tmp_path, TABLE_OF_INSTANCES)
    findings = _findings(run_cli, tmp_path / label)
    assert not [f for f in findings if f["code"] in ("FG002", "FG301", "FG307")], findings


def test_a_call_form_in_a_helper_flash_guard_does_not_read_is_fg002(tmp_path, run_cli):
    """h27: a router-like group collects functions and registers them on the App it is given
    later (`app.queue(name=name, **options)(fn)` over its runtime list), in a module that
    imports no runpod name: rc2 registers both; flash-guard said "All checks passed" on 0
    endpoints, now one FG002 at the hand-off."""
    files = {
        "grouping.py": "class ResourceGroup:\n"
        "    def __init__(self, prefix, **defaults):\n"
        "        self.prefix, self.defaults, self.pending = prefix, defaults, []\n\n"
        "    def queue(self, name, **options):\n        def collect(fn):\n"
        "            self.pending.append((f'{self.prefix}-{name}', fn, "
        "{**self.defaults, **options}))\n            return fn\n        return collect\n\n"
        "    def include_in(self, app):\n        for name, fn, options in self.pending:\n"
        "            app.queue(name=name, **options)(fn)\n",
        "vision.py": "from grouping import ResourceGroup\n\n"
        "vision = ResourceGroup('vision', gpu='ADA_24', workers=(1, 2))\n\n"
        "@vision.queue('caption')\ndef caption(url: str = ''):\n    return url\n\n"
        "@vision.queue('detect', gpu='AMPERE_80')\ndef detect(url: str = ''):\n    return []\n",
        "main.py": "import runpod\nfrom vision import vision\n\n"
        "app = runpod.App('groups')\nvision.include_in(app)\n",
    }
    result = run_discovery_or_skip(files)
    names = sorted(r["name"] for app in result["apps"] for r in app["resources"])
    assert names == ["vision-caption", "vision-detect"], result
    findings = _findings(run_cli, _write(tmp_path, "groups", files))
    told = [(f["path"], f["line"]) for f in findings if f["code"] == "FG002"]
    assert told == [("main.py", 5)], findings


# h23: a hand-off under a module-level `if` (a feature flag, a settings switch, `else:`) or a
# `try:` registers what the helper declares only when that branch runs, as a declaration
# written directly in the branch does: each is declared, and FG301 says so (maybe, not never).
CONDITIONAL_HANDOFF = {
    "helpers.py": _ASR + "def register_all(app):\n    register_asr(app, name='all-asr')\n\n"
    "class Plugin:\n    def install(self, app):\n        register_asr(app, name='plugin-asr')\n",
    "settings.py": "import os\nASR = bool(os.environ.get('FG_ENABLE_ASR'))\n",
    "main.py": "import os\nimport runpod\nimport settings\n"
    "from helpers import Plugin, register_all, register_asr\n\napp = runpod.App('flags')\n"
    "if settings.ASR:\n    register_all(app)\n"
    "if os.getenv('FG_STAGE') == 'prod':\n    register_asr(app, name='prod-asr')\n"
    "else:\n    register_asr(app, name='dev-asr')\n"
    "try:\n    Plugin().install(app)\nexcept ImportError:\n    pass\n"
    "register_asr(app, name='always-asr')\n",
}


def test_a_hand_off_under_a_module_level_branch_deploys_only_if_it_runs(tmp_path, run_cli):
    unset = run_discovery_or_skip(CONDITIONAL_HANDOFF)
    flagged = run_discovery_or_skip(
        CONDITIONAL_HANDOFF, env={"FG_ENABLE_ASR": "1", "FG_STAGE": "prod"}
    )
    names = [{r["name"] for a in res["apps"] for r in a["resources"]} for res in (unset, flagged)]
    assert names == [
        {"dev-asr", "plugin-asr", "always-asr"},
        {"all-asr", "prod-asr", "plugin-asr", "always-asr"},
    ], names
    root = _write(tmp_path, "conditional-handoff", CONDITIONAL_HANDOFF)
    assert {e.display_name for e in _model(root).endpoints} == names[0] | names[1]
    findings = _findings(run_cli, root)
    fg301 = {f["endpoint"]: f["message"] for f in findings if f["code"] == "FG301"}
    assert set(fg301) == {"all-asr", "prod-asr", "dev-asr", "plugin-asr"}, findings
    assert "called at main.py:8 inside `if settings.ASR:`" in fg301["all-asr"], fg301
    assert "inside `else:`" in fg301["dev-asr"], fg301
    assert not [f for f in findings if f["code"] == "FG002"], findings


COMPREHENDED = {
    # A call form in a module-level dict comprehension over a literal: one resource per item.
    "dictcomp-lambda": "H = {n: app.queue(name=f'w-{n}', cpu='cpu3c-1-2')(lambda x: x)"
    " for n in ('a', 'b')}\n",
    "dictcomp-factory": "def make(n):\n    def handler(job):\n        return n\n"
    "    return handler\nNAMES = ['a', 'b', 'c']\n"
    "H = {n: app.queue(name='w-' + n, cpu='cpu3c-1-2')(make(n)) for n in NAMES}\n",
}


@pytest.mark.parametrize("label", list(COMPREHENDED))
def test_call_form_in_a_dict_comprehension_is_one_resource_per_item(label, tmp_path, run_cli):
    files = {"main.py": APP + COMPREHENDED[label]}
    result = run_discovery_or_skip(files)
    assert result["error"] is None, result
    records = [r for app in result["apps"] for r in app["resources"]]
    root = _write(tmp_path, label, files)
    declared = sorted(e.display_name for e in _model(root).endpoints)
    assert declared == sorted(r["name"] for r in records), (declared, records)
    findings = _findings(run_cli, root)
    # None is bound to a module-level name, so the worker serves none (FG306 for each).
    assert all(r["variables"] == [] for r in records), records
    fg306 = sorted(f["message"].split("`")[1] for f in findings if f["code"] == "FG306")
    assert fg306 == declared, findings
    assert not [f for f in findings if f["code"] == "FG002"], findings


def test_unnamed_lambdas_in_a_dict_comprehension_share_rc2s_name(tmp_path, run_cli):
    """Without name=, rc2 names each resource after the lambda's __name__, `<lambda>`: the
    second one is a duplicate, which fails the import."""
    files = {
        "main.py": APP + "H = {n: app.queue(cpu='cpu3c-1-2')(lambda x: x) for n in ('a', 'b')}\n"
    }
    result = run_discovery_or_skip(files)
    assert "duplicate resource name '<lambda>'" in result["error"]["message"], result
    findings = _findings(run_cli, _write(tmp_path, "unnamed-lambdas", files))
    fg216 = [f["message"] for f in findings if f["code"] == "FG216"]
    assert any("duplicate resource name '<lambda>'" in m for m in fg216), findings


UNNAMED_CALL_FORMS = {
    # Without name=, the resource is named after the function's __name__.
    "lambda": "h = app.queue(cpu='cpu3c-1-2')(lambda x: x)\n",
    "factory-returns-nested": "def make(n):\n    def handler(job):\n        return n\n"
    "    return handler\nh = app.queue(cpu='cpu3c-1-2')(make('a'))\n",
}


@pytest.mark.parametrize("label", list(UNNAMED_CALL_FORMS))
def test_an_unnamed_call_form_is_named_as_rc2_names_it(label, tmp_path):
    files = {"main.py": APP + UNNAMED_CALL_FORMS[label]}
    result = run_discovery_or_skip(files)
    assert result["error"] is None, result
    deployed = [r["name"] for app in result["apps"] for r in app["resources"]]
    declared = [e.display_name for e in _model(_write(tmp_path, label, files)).endpoints]
    assert declared == deployed, (declared, deployed)


def test_dict_comprehension_over_an_unknown_iterable_is_one_unknown_declaration(tmp_path, run_cli):
    files = {
        "main.py": "import os\n" + APP + "NAMES = os.environ['NAMES'].split(',')\n"
        "H = {n: app.queue(name=f'w-{n}', cpu='cpu3c-1-2')(lambda x: x) for n in NAMES}\n"
    }
    root = _write(tmp_path, "unknown-iterable", files)
    endpoints = _model(root).endpoints
    assert len(endpoints) == 1 and not endpoints[0].name.known, endpoints
    # labelled by its function's __name__, never by the lambda's source
    assert endpoints[0].display_name == "<lambda>", endpoints
    codes = {f["code"]: f["message"] for f in _findings(run_cli, root)}
    assert "FG306" in codes, codes
    assert "`name` is `f'w-{n}'`" in codes["FG002"], codes


# -- packaging: what `rp flash deploy` puts in the artifact ---------------------------------
PACKAGED = {
    ".runpodignore": "# trim\ngen/\nscripts/*.py\n!scripts/keep.py\n!tests/\ntests/private_*.py\n",
    ".gitignore": "build_out/\n*.generated.py\n",
    "main.py": "",
    "gen/jobs.py": "",
    "scripts/batch.py": "",
    "scripts/keep.py": "",
    "scripts/sub/deep.py": "",
    "tests/test_smoke.py": "",
    "tests/private_x.py": "",
    "test_top.py": "",
    "pkg/util_test.py": "",
    "pkg/.gitignore": "local.py\n!keep_*.py\n",
    "pkg/local.py": "",
    "pkg/keep_local.py": "",
    "pkg/a.generated.py": "",
    "env/setup_env.py": "",
    "test/helper.py": "",
    ".tox/x.py": "",
    "docs/conf.py": "",
    "lib/env/inner.py": "",
}

_PACKAGE_PROBE = """
import json, tarfile, tempfile
from pathlib import Path
from runpod.apps.deploy import package_project

files = json.loads(FILES)
root = Path(tempfile.mkdtemp()) / "proj"
for rel, text in files.items():
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text)
out = Path(tempfile.mkdtemp()) / "a.tar.gz"
package_project(root, {"version": 1}, output=out)
with tarfile.open(out) as tar:
    RESULT = sorted(n for n in tar.getnames() if n.endswith(".py"))
"""


def test_shipped_files_match_the_sdk_packaging(tmp_path):
    from flash_guard.project.runpodignore import ShippedFiles

    source = f"FILES = {json.dumps(json.dumps(PACKAGED))}\n" + _PACKAGE_PROBE
    shipped = set(run_probe2_or_skip(source))
    root = _write(tmp_path, "packaged", PACKAGED)
    files = ShippedFiles(root)
    python = sorted(rel for rel in PACKAGED if rel.endswith(".py"))
    ours = {rel for rel in python if files.excluded(rel) is None}
    assert ours == shipped, (sorted(ours - shipped), sorted(shipped - ours))
    # Both outcomes occur, through each kind of list.
    assert {"scripts/keep.py", "tests/test_smoke.py", "pkg/keep_local.py"} <= shipped
    assert not {"gen/jobs.py", "pkg/local.py", "env/setup_env.py", "test_top.py"} & shipped


# FG301 in 2.0 terms: a declaration discover_apps never registers. The ENABLE_GPU branch is not
# taken in the sandbox (the variable is unset), as on a build machine without it.
UNDEPLOYED = {
    "main.py": APP
    + "import os\n\n"
    + "def setup():\n    @app.queue(name='never-q', cpu='cpu3c-1-2')\n    def never(x: int = 1):\n"
    + "        return x\n    return never\n\n"
    + "def register():\n    @app.queue(name='registered-q', cpu='cpu3c-1-2')\n"
    + "    def registered(x: int = 1):\n        return x\n    return registered\n\n"
    + "register()\n\n"
    # registered through a chain of calls that module-level code starts (h16)
    + "def add_chained():\n    @app.queue(name='chained-q', cpu='cpu3c-1-2')\n"
    + "    def chained(x: int = 1):\n        return x\n    return chained\n\n"
    + "def setup_all():\n    add_chained()\n\n"
    + "setup_all()\n\n"
    + "if os.getenv('ENABLE_GPU'):\n    @app.queue(name='maybe-q', cpu='cpu3c-1-2')\n"
    + "    def maybe(x: int = 1):\n        return x\n\n"
    + "@app.queue(name='plain-q', cpu='cpu3c-1-2')\ndef plain(x: int = 1):\n    return x\n\n"
    + "if __name__ == '__main__':\n    @app.queue(name='adhoc-q', cpu='cpu3c-1-2')\n"
    + "    def adhoc(x: int = 1):\n        return x\n    setup()\n"
    # the `else:` of that guard is what an import runs (h23: FG301 said "only if it runs")
    + "else:\n    @app.queue(name='imported-q', cpu='cpu3c-1-2')\n"
    + "    def imported(x: int = 1):\n        return x\n",
    "build/gen.py": "from main import app\n\n@app.queue(name='built-q', cpu='cpu3c-1-2')\n"
    "def built(x: int = 1):\n    return x\n",
}


def test_fg301_fires_for_exactly_what_discovery_never_registers(tmp_path, run_cli):
    result = run_discovery_or_skip(UNDEPLOYED)
    assert result["error"] is None, result
    deployed = {r["name"] for app in result["apps"] for r in app["resources"]}
    root = _write(tmp_path, "undeployed", UNDEPLOYED)
    declared = {e.display_name for e in _model(root).endpoints}
    findings = _findings(run_cli, root)
    lines = UNDEPLOYED["main.py"].splitlines()
    flagged = set()
    for f in findings:
        if f["code"] == "FG301":
            text = lines[f["line"] - 1] if f["path"] == "main.py" else "built-q"
            flagged |= {n for n in declared if f"'{n}'" in text or n == text}
    assert declared - deployed == flagged == {"never-q", "maybe-q", "adhoc-q", "built-q"}, (
        deployed,
        findings,
    )


# A NetworkVolume's datacenter pin: rc2 parses it with DataCenter.from_string when it creates
# the volume, and solve_placement needs a datacenter in both the pin and the resource's list.
# The probe gives every datacenter stock, so only the pins decide.
_PLACEMENT_PROBE = """
import runpod
from runpod.apps.datacenter import DataCenter
from runpod.apps.placement import PlacementError, StockMap, solve_placement

class Everywhere(StockMap):
    def score(self, key, dc):
        return 1

app = runpod.App("placement")
RESULT = {}
for label, volume_pin, resource_pins in CASES:
    try:
        pinned = DataCenter.from_string(volume_pin).value
    except ValueError:
        RESULT[label] = "ValueError"
        continue
    handle = app.queue(name="q-" + label, gpu="ADA_24", datacenter=resource_pins)(lambda x: x)
    try:
        solve_placement([handle.spec], Everywhere(), volume_name="v",
                        volume_datacenters={dc.value for dc in DataCenter.all()},
                        volume_dc=pinned)
        RESULT[label] = "placed"
    except PlacementError:
        RESULT[label] = "PlacementError"
"""
PLACEMENT_CASES = [
    ("outside", "EU-RO-1", ["US-KS-2"]),
    ("inside", "EU-RO-1", ["EU-RO-1", "US-KS-2"]),
    ("spelled", "eu_ro_1", ["EU-RO-1"]),
    ("removed", "US-GA-2", ["US-KS-2"]),
]


def test_volume_datacenter_pins_match_rc2(tmp_path, run_cli):
    source = f"CASES = {PLACEMENT_CASES!r}\n" + _PLACEMENT_PROBE
    sdk = run_probe2_or_skip(source)
    assert set(sdk.values()) == {"placed", "PlacementError", "ValueError"}, sdk
    for label, volume_pin, resource_pins in PLACEMENT_CASES:
        files = {
            "main.py": APP
            + f"vol = runpod.NetworkVolume('v', datacenter={volume_pin!r})\n\n"
            + f"@app.queue(name='q-{label}', gpu='ADA_24', datacenter={resource_pins!r},\n"
            + "           mounts={'/runpod-volume': vol})\ndef f(x):\n    return x\n"
        }
        root = _write(tmp_path, label, files)
        fg206 = [f for f in _findings(run_cli, root) if f["code"] == "FG206"]
        assert bool(fg206) == (sdk[label] != "placed"), (label, sdk[label], fg206)


# rc2 declares `dependencies: List[str]` and never checks it: a string is read letter by letter.
_DEPENDENCIES_PROBE = """
import tempfile
from pathlib import Path
import runpod
from runpod.apps.build import collect_requirements

app = runpod.App("deps-probe")
BASE = ["transformers>=4.40", "accelerate"]
app.queue(name="as-list", cpu="cpu3c-1-2", dependencies=BASE + ["sentencepiece"])(lambda x: x)
app.queue(name="as-string", cpu="cpu3c-1-2", dependencies="torch")(lambda x: x)
RESULT = collect_requirements(Path(tempfile.mkdtemp()), app)
"""


def test_dependencies_are_read_as_rc2_collects_them(tmp_path, run_cli):
    collected = run_probe2_or_skip(_DEPENDENCIES_PROBE)
    assert collected[:3] == ["transformers>=4.40", "accelerate", "sentencepiece"], collected
    assert collected[3:] == ["t", "o", "r", "c", "h"], collected
    source = (
        APP + "BASE = ['transformers>=4.40', 'accelerate']\n\n"
        "@app.queue(name='as-list', cpu='cpu3c-1-2', dependencies=BASE + ['sentencepiece'])\n"
        "def f(x):\n    import transformers, accelerate, sentencepiece\n    return x\n\n"
        "@app.queue(name='as-string', cpu='cpu3c-1-2', dependencies='torch')\n"
        "def g(x):\n    return x\n"
    )
    root = _write(tmp_path, "deps", {"main.py": source, "requirements.txt": "runpod==2.0.0rc2\n"})
    findings = _findings(run_cli, root)
    assert not [f for f in findings if f["code"] in ("FG305", "FG002")], findings
    [string] = [f for f in findings if f["code"] == "FG303"]
    assert "letter by letter" in string["message"] and string["line"] == 10


def test_fg306_for_a_foreign_wrapper_is_exactly_where_rc2_records_another_module(tmp_path, run_cli):
    files = DISCOVERY["wrapped-foreign"][0]
    result = run_discovery_or_skip(files)
    records = [r for app in result["apps"] for r in app["resources"]]
    moved = {r["name"] for r in records if r["manifest_module"] != r["module"]}
    root = _write(tmp_path, "wrapped-foreign-exact", files)
    flagged = {
        name
        for f in _findings(run_cli, root)
        if f["code"] == "FG306"
        for name in ("reconcile", "plain-q")
        if f"`{name}`" in f["message"]
    }
    assert moved == flagged == {"reconcile"}, (records, flagged)


# One artifact per App: rc2 collects requirements.txt plus that App's resources' dependencies.
_PER_APP_PROBE = """
import tempfile
from pathlib import Path
import runpod
from runpod.apps.build import collect_requirements

images = runpod.App("images")
images.queue(name="resize", cpu="cpu3c-1-2", dependencies=["pillow"])(lambda x: x)
video = runpod.App("video")
video.queue(name="thumbnail", cpu="cpu3c-1-2")(lambda x: x)
root = Path(tempfile.mkdtemp())
RESULT = {app.name: collect_requirements(root, app) for app in (images, video)}
"""


def test_dependencies_are_per_app_as_rc2_collects_them(tmp_path, run_cli):
    collected = run_probe2_or_skip(_PER_APP_PROBE)
    assert collected == {"images": ["pillow"], "video": []}, collected
    body = "def {fn}(x):\n    from PIL import Image\n    return x\n"
    files = {
        "requirements.txt": "runpod==2.0.0rc2\n",
        "images.py": "import runpod\nimages = runpod.App('images')\n"
        "@images.queue(name='resize', cpu='cpu3c-1-2', dependencies=['pillow'])\n"
        + body.format(fn="resize"),
        "video.py": "import runpod\nvideo = runpod.App('video')\n"
        "@video.queue(name='thumbnail', cpu='cpu3c-1-2')\n" + body.format(fn="thumbnail"),
    }
    found = [
        f for f in _findings(run_cli, _write(tmp_path, "per-app", files)) if f["code"] == "FG305"
    ]
    assert [(f["path"], "`thumbnail`" in f["message"]) for f in found] == [("video.py", True)], (
        found
    )


INSTALL_PROBE = """
import re
from importlib.metadata import PackageNotFoundError, requires

def closure(name, extras=()):
    seen, todo = set(), [(name, tuple(extras))]
    while todo:
        dist, wanted = todo.pop()
        key = re.sub(r"[-_.]+", "-", dist).lower()
        if (key, wanted) in seen:
            continue
        seen.add((key, wanted))
        try:
            reqs = requires(dist) or []
        except PackageNotFoundError:
            continue
        for req in reqs:
            spec, _, marker = req.partition(";")
            extra = re.search(r"extra\\s*==\\s*['\\"]([^'\\"]+)", marker)
            if extra and extra.group(1) not in wanted:
                continue
            if marker and not extra and "python_version" not in marker:
                continue
            m = re.match(r"\\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\\[([^\\]]+)\\])?", spec)
            extras = tuple(m.group(2).replace(" ", "").split(",")) if m.group(2) else ()
            todo.append((m.group(1), extras))
    return sorted({k for k, _ in seen})

RESULT = closure("runpod")
"""


def test_fg302_runpod2_install_set_is_what_runpod_brings():
    """FG302 does not report a module-level import of what installing runpod 2.0 brings:
    every name in RUNPOD2_INSTALL is in rc2's requirements, followed transitively (with
    `fastapi[all]`'s extras)."""
    from flash_guard.sdk.distributions import RUNPOD2_INSTALL, normalise

    installed = set(run_probe2_or_skip(INSTALL_PROBE))
    assert {normalise(n) for n in RUNPOD2_INSTALL} <= installed, sorted(
        {normalise(n) for n in RUNPOD2_INSTALL} - installed
    )


# runpod.Queue / runpod.Api stubs of resources another app deploys: keyword arguments only.
STUBS = {
    "stub-positional": ("legacy = runpod.Queue('abc123')\n", True),
    "stub-no-app": ("legacy = runpod.Queue(name='transcribe')\n", True),
    "stub-name-and-id": ("legacy = runpod.Api(app='other', name='a', id='b')\n", True),
    "stub-neither": ("legacy = runpod.Api(app='other')\n", True),
    "stub-unknown-keyword": ("legacy = runpod.Queue(app='other', endpoint_id='x')\n", True),
    "stub-ok": ("legacy = runpod.Queue(app='other', name='transcribe', env='prod')\n", False),
    "stub-ok-id": ("from runpod import Api\nlegacy = Api(app='other', id='abc123')\n", False),
}


def test_stub_arguments_fail_as_rc2_fails(tmp_path, run_cli):
    """What rc2 raises when `runpod.Queue(...)`/`runpod.Api(...)` is called otherwise than
    with app= and exactly one of name=/id= (at module level: the file's import fails, and
    discovery drops it with its resources): an FG215 carrying rc2's own message, and no
    endpoint listed for the stub that was never built."""
    body = QUEUE.format("name='local-q', cpu='cpu3c-1-2'")
    results = run_oracle2_or_skip([HEAD + src + body for src, _ in STUBS.values()])
    for (label, (source, fails)), result in zip(STUBS.items(), results, strict=True):
        error = result["error"]
        assert (error is not None) == fails, (label, error)
        root = _write(tmp_path, label, {"app.py": HEAD + source + body})
        found = [f["message"] for f in _findings(run_cli, root) if f["code"] == "FG215"]
        if fails:
            assert len(found) == 1 and error["message"] in found[0], (label, error, found)
            assert found[0].startswith("`legacy`: `runpod."), found
            # rc2 raised in the stub's __init__: there is no client to list
            listed = [e.display_name for e in _model(root).endpoints]
            assert "legacy" not in listed, (label, listed)
        else:
            assert found == [], (label, found)


STRAY_MARKERS = (
    "MODEL = None\n\n@runpod.init\ndef load_model():\n    global MODEL\n    MODEL = 'loaded'\n\n"
    "@runpod.get('/health')\ndef health():\n    return {'ok': True}\n\n"
    + QUEUE.format("name='infer', cpu='cpu3c-1-2'")
)


def test_route_markers_on_module_functions_do_nothing(tmp_path, run_cli):
    """`@runpod.init` and `@runpod.get(...)` on module-level functions: rc2 accepts them and
    registers nothing (the queue has no init hook, no resource has the route); FG215 says so
    at each marker."""
    (result,) = run_oracle2_or_skip([HEAD + STRAY_MARKERS])
    assert result["error"] is None, result
    records = [r for app in result["apps"] for r in app["resources"]]
    assert [(r["name"], r["init"], r["routes"]) for r in records] == [("infer", None, [])]
    root = _write(tmp_path, "stray", {"app.py": HEAD + STRAY_MARKERS})
    found = sorted(
        (f["line"], f["message"]) for f in _findings(run_cli, root) if f["code"] == "FG215"
    )
    assert [line for line, _ in found] == [6, 11], found
    assert "@runpod.init on module-level function `load_model` does nothing" in found[0][1]
    assert "@runpod.get on module-level function `health` serves no route" in found[1][1]


L40_PROBE = """
import inspect
from runpod.apps import gpu
RESULT = {}
for text in ("L40", "L40S", "NVIDIA L40S"):
    try:
        gpu.resolve_gpu_string(text)
        RESULT[text] = None
    except Exception as exc:
        RESULT[text] = type(exc).__name__
RESULT["ids"] = gpu.gpu_ids_value(["ADA_48_PRO"])
RESULT["task_devices"] = gpu.GpuGroup.ADA_48_PRO.device_names()
source = inspect.getsource(gpu.GpuGroup)
RESULT["doc"] = source.split('ADA_48_PRO = "ADA_48_PRO"', 1)[1].split(chr(34) * 3)[1]
"""


def test_l40_is_reachable_only_through_its_pool(tmp_path, run_cli):
    """rc2 names the L40/L40S in ADA_48_PRO's docstring but has no GpuType for them: a
    string selecting them is unknown (FG205), and the hint names the pool, which an endpoint
    asks for as is while a task's pod expands it to the pool's GpuType devices only."""
    result = run_probe2_or_skip(L40_PROBE)
    assert result["L40"] == result["L40S"] == result["NVIDIA L40S"] == "InvalidResourceError"
    assert result["ids"] == "ADA_48_PRO"
    assert result["task_devices"] == ["NVIDIA RTX 6000 Ada Generation"]
    assert "NVIDIA L40" in result["doc"] and "NVIDIA L40S" in result["doc"]
    source = HEAD + QUEUE.format("name='l40s-q', gpu='NVIDIA L40S'")
    root = _write(tmp_path, "l40", {"app.py": source})
    (found,) = [f["message"] for f in _findings(run_cli, root) if f["code"] == "FG205"]
    assert "unknown gpu 'NVIDIA L40S'" in found and 'gpu="ADA_48_PRO"' in found, found
    assert "NVIDIA RTX 6000 Ada Generation" in found, found


# gpu= strings: fragments rc2 widens to devices in several pools, in one pool, and one device.
GPU_FRAGMENTS = {
    "RTX": True,
    "A40": True,  # "NVIDIA RTX A4000" contains A40 too
    "80GB": True,
    "6000": True,
    "RTX A": True,
    "A100": False,
    "h100": False,
    "4000": False,
    "4090": False,
    "NVIDIA A40": False,
    "AMPERE_80": False,
}


def _fragment_source() -> str:
    body = ""
    for i, text in enumerate(GPU_FRAGMENTS):
        body += QUEUE.format(f"name='frag-q{i}', gpu={text!r}, workers=(1, 3)").replace(
            "handler", f"q{i}"
        )
        body += TASK.format(f"name='frag-t{i}', gpu={text!r}").replace("job", f"t{i}")
    return HEAD + body


def test_gpu_fragments_deploy_every_matching_pool_and_fg101_says_so(tmp_path, run_cli):
    """rc2 resolves a fragment to every device whose name contains it (gpu.py
    resolve_gpu_string), sends their pools as the endpoint's gpuIds (gpu_ids_value) and the
    devices as a task pod's list (tasks._device_names). flash-guard's model holds the same
    pools in the same order, and FG101 fires exactly where the pools are several, naming
    every pool and device rc2 selected."""
    from flash_guard.discover.normalize_runpod2 import LISTED_DEVICES, gpu_fragment

    source = _fragment_source()
    (result,) = run_oracle2_or_skip([source])
    assert result["error"] is None, result["error"]
    records = {r["name"]: r for app in result["apps"] for r in app["resources"]}
    root = _write(tmp_path, "fragments", {"app.py": source})
    endpoints = {e.display_name: e for e in _model(root).endpoints}
    fg101 = {f["endpoint"]: f for f in _findings(run_cli, root) if f["code"] == "FG101"}
    for i, (text, several) in enumerate(GPU_FRAGMENTS.items()):
        queue, task = records[f"frag-q{i}"], records[f"frag-t{i}"]
        pools = queue["gpu_ids"].split(",")
        assert (len(pools) > 1) == several, (text, pools)
        assert task["task_devices"] == task["gpu"] or text == "AMPERE_80", (text, task)
        ours = [m.value.member for m in endpoints[f"frag-q{i}"].params["gpu"].value]
        assert ours == pools, (text, ours, pools)
        wide = gpu_fragment(text)
        if wide is not None:
            assert list(wide.devices) == queue["gpu"] and list(wide.pools) == pools, text
        for name in (f"frag-q{i}", f"frag-t{i}"):
            if not several:
                assert name not in fg101, (text, fg101.get(name))
                continue
            message = fg101[name]["message"]
            assert f'gpu="{text}"' in message, message
            assert all(pool in message for pool in pools), message
            if len(queue["gpu"]) <= LISTED_DEVICES:  # more: the pools alone
                assert all(device in message for device in queue["gpu"]), message


SRC_LAYOUT = {
    "requirements.txt": "runpod==2.0.0rc2\n-e .\n",
    "pyproject.toml": "[project]\nname = 'mypkg'\nversion = '0.1'\n",
    "src/mypkg/__init__.py": "",
    "src/mypkg/util.py": "def double(v):\n    return 2 * v\n",
    "src/mypkg/worker.py": (
        "import runpod\n\nfrom mypkg.util import double\n\napp = runpod.App('srcapp')\n\n\n"
        "@app.queue(name='src-q', cpu='cpu3c-2-4')\ndef work(v: int = 0):\n"
        "    return double(v)\n"
    ),
}

# The worker side, as far as rc2 decides it: the project is deployed from its root, where a
# src layout is importable locally only through an install (simulated: src/ on sys.path);
# the worker then imports the manifest's module with only the unpacked app directory on
# sys.path (runpod-workers/sdk-runtime bootstrap._attach, queue/worker.py
# _load_deployed_handle), and the build's requirements skip `-e .`.
SRC_PROBE = """
import importlib, json, sys, tempfile
from pathlib import Path
from runpod.apps import build, deploy
FILES = json.loads(FILES_JSON)
RESULT = {}
for variant, line in (("absolute", "from mypkg.util import double"),
                      ("relative", "from .util import double")):
    root = Path(tempfile.mkdtemp()) / "project"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text.replace("from mypkg.util import double", line))
    sys.path.insert(0, str(root / "src"))  # `pip install -e .` locally
    module = importlib.import_module("mypkg.worker")
    manifest_module = deploy._module_path_for(module.work._fn, root)
    sys.path.remove(str(root / "src"))
    for name in [n for n in sys.modules if n == "mypkg" or n.startswith("mypkg.")]:
        del sys.modules[name]
    sys.path.insert(0, str(root))  # the worker: the app directory only
    try:
        importlib.import_module(manifest_module)
        error = None
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    sys.path.remove(str(root))
    for name in [n for n in sys.modules if n == "src" or n.startswith("src.")]:
        del sys.modules[name]
    RESULT[variant] = {"module": manifest_module, "error": error}
RESULT["requirements"] = build.collect_requirements(root, type("A", (), {"resources": {}})())
"""


def test_fg305_a_src_layout_package_is_not_importable_on_the_worker(tmp_path, run_cli):
    """rc2 discovery from the project root cannot import `src/mypkg/worker.py` unless the
    project is installed locally; installed, it deploys it as module `src.mypkg.worker`, which
    the worker imports with only the app directory on sys.path, so `from mypkg.util import`
    fails there (and the build never installs the project: `-e .` is skipped). FG305 fires at
    that import; the relative import the fix offers works on the worker and passes."""
    discovery = run_discovery_or_skip(SRC_LAYOUT)
    assert discovery["apps"] == [] and "No module named 'mypkg'" in str(discovery["error"])
    probe = SRC_PROBE.replace("FILES_JSON", repr(json.dumps(SRC_LAYOUT)))
    result = run_probe2_or_skip(probe)
    assert result["absolute"] == {
        "module": "src.mypkg.worker",
        "error": "ModuleNotFoundError: No module named 'mypkg'",
    }
    assert result["relative"] == {"module": "src.mypkg.worker", "error": None}
    assert result["requirements"] == ["runpod==2.0.0rc2"]
    found = [
        f for f in _findings(run_cli, _write(tmp_path, "src", SRC_LAYOUT)) if f["code"] == "FG305"
    ]
    assert [(f["path"], f["line"]) for f in found] == [("src/mypkg/worker.py", 3)], found
    assert "`mypkg` is a project package under `src/`" in found[0]["message"]
    assert "`src.mypkg.worker`" in found[0]["message"]
    fixed = dict(SRC_LAYOUT)
    fixed["src/mypkg/worker.py"] = fixed["src/mypkg/worker.py"].replace(
        "from mypkg.util", "from .util"
    )
    codes = [f["code"] for f in _findings(run_cli, _write(tmp_path, "src-fixed", fixed))]
    assert "FG305" not in codes, codes


# FG305 for @app.task: what a task pod receives. rc2 builds the request (PodTarget.build_payload:
# the module source and the task's own dependencies); the pod's runtime pip-installs those and
# execs the source as `__runpod_live__` (runpod_sdk_runtime executor.resolve_request), which the
# probe repeats in a fresh directory without the project on sys.path.
TASK_PROJECT = {
    "requirements.txt": "runpod==2.0.0rc2\ntrl==0.12.0\n",
    "orchestrator.py": "import runpod\n\napp = runpod.App('ft-orch')\n\n"
    "@app.queue(name='ft-submit', cpu='cpu3c-1-2', dependencies=['peft'])\n"
    "def submit(dataset: str = 'd'):\n    return dataset\n",
    "tasks.py": "import json\n\nfrom orchestrator import app\n\n"
    "@app.task(cpu='cpu3c-1-2', dependencies=['datasets'])\n"
    "def finetune(dataset: str = 'd'):\n    import trl\n    return json.dumps(dataset)\n",
}
_TASK_PROBE = r"""
import json, os, sys, tempfile
from pathlib import Path

files = json.loads(FILES)
root = Path(tempfile.mkdtemp()) / "proj"
for rel, text in files.items():
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text)
sys.path.insert(0, str(root))
import tasks
from runpod.apps.targets import PodTarget

handle = tasks.finetune
payload = PodTarget(handle.spec, handle._fn).build_payload(handle._fn, handle.spec, (), {})
request = payload.get("input", payload)
sys.path.remove(str(root))
for name in ("tasks", "orchestrator"):
    sys.modules.pop(name, None)
os.chdir(tempfile.mkdtemp())
namespace = {"__name__": "__runpod_live__", "__file__": "runpod_live.py"}
try:
    exec(compile(request["function_code"], "runpod_live.py", "exec"), namespace)
    error = None
except Exception as exc:  # what the executor returns as the task's failure
    error = f"{type(exc).__name__}: {exc}"
RESULT = {
    "source_is_tasks_py": request["function_code"] == files["tasks.py"],
    "dependencies": request["dependencies"],
    "error": error,
}
"""


def test_task_pod_gets_its_own_module_and_dependencies_only(tmp_path, run_cli):
    source = f"FILES = {json.dumps(json.dumps(TASK_PROJECT))}\n" + _TASK_PROBE
    result = run_probe2_or_skip(source)
    assert result["source_is_tasks_py"] is True, result
    assert result["dependencies"] == ["datasets"], result
    assert result["error"] == "ModuleNotFoundError: No module named 'orchestrator'", result
    findings = [
        f
        for f in _findings(run_cli, _write(tmp_path, "task-pod", TASK_PROJECT))
        if f["code"] == "FG305" and f["path"] == "tasks.py"
    ]
    # the module-level project import, and `trl`, which requirements.txt names for the
    # endpoints' artifact only
    assert sorted((f["line"], "orchestrator" in f["message"]) for f in findings) == [
        (3, True),
        (7, False),
    ], findings
    assert "requirements.txt:2 names it" in findings[1]["message"]


# FG215: a body handler whose body is keyword-only. rc2 decorates the class (routes recorded);
# the runtime's class app calls each bound handler as `fn(body)` with a JSON body, else `fn()`
# (runpod_sdk_runtime api/server.py `_mount_routes`), which the probe repeats.
_KWONLY_PROBE = r"""
import asyncio, inspect
import runpod

app = runpod.App("kw")

@app.api(name="kw-api", cpu="cpu3c-1-2")
class Svc:
    @runpod.post("/batch")
    async def batch(self, *, body: dict):
        return body

    @runpod.post("/score")
    async def score(self, body: dict | None = None, *, verbose: bool = False):
        return body

def call(fn, *args):
    try:
        result = fn(*args)
        if inspect.isawaitable(result):
            asyncio.run(result)
        return None
    except TypeError as exc:
        return str(exc)

handle = app.resources["kw-api"]
instance = handle._cls()
RESULT = {
    "routes": sorted((r.method, r.path, r.handler_name) for r in handle.spec.routes),
    "calls": {
        name: [call(getattr(instance, name), {"a": 1}), call(getattr(instance, name))]
        for name in ("batch", "score")
    },
}
"""


def test_a_keyword_only_body_fails_every_request(tmp_path, run_cli):
    result = run_probe2_or_skip(_KWONLY_PROBE)
    assert result["routes"] == [["POST", "/batch", "batch"], ["POST", "/score", "score"]]
    with_body, without = result["calls"]["batch"]
    assert "positional argument" in with_body and "keyword-only argument" in without, result
    assert result["calls"]["score"] == [None, None], result
    source = _KWONLY_PROBE.split("def call(", 1)[0]
    found = [
        f
        for f in _findings(run_cli, _write(tmp_path, "kwonly", {"app.py": source}))
        if f["code"] == "FG215"
    ]
    assert [(f["line"], "keyword-only `body`" in f["message"]) for f in found] == [(10, True)]


# FG215: startup hooks with required parameters. rc2 accepts both at decoration; the runtime
# calls them with no arguments before serving (queue/worker.py `_run_init`: `init_fn()`;
# api/server.py `_build_class_app`: `getattr(instance, handle._init_name)()`).
_INIT_PROBE = r"""
import runpod

app = runpod.App("inits")
MODEL = {}

@app.queue(name="embed-q", cpu="cpu3c-1-2")
def embed_q(text: str = ""):
    return MODEL["n"] + len(text)

@embed_q.init
def warm(n):
    MODEL["n"] = n

@app.api(name="embed-api", cpu="cpu3c-1-2")
class Svc:
    @runpod.init
    def load(self, model_id: str):
        self.model_id = model_id

    @runpod.get("/health")
    def health(self):
        return {"ok": True}

def call(fn):
    try:
        fn()
        return None
    except TypeError as exc:
        return str(exc)

queue, api = app.resources["embed-q"], app.resources["embed-api"]
RESULT = {
    "queue_init": call(queue._init_fn),
    "api_init": call(getattr(api._cls(), api._init_name)),
}
"""


def test_startup_hooks_with_required_parameters_fail_at_worker_start(tmp_path, run_cli):
    result = run_probe2_or_skip(_INIT_PROBE)
    assert "missing 1 required positional argument: 'n'" in result["queue_init"], result
    assert "missing 1 required positional argument: 'model_id'" in result["api_init"], result
    source = _INIT_PROBE.split("def call(", 1)[0]
    found = [
        (f["line"], f["message"].split(": ", 1)[1].split(" requires")[0])
        for f in _findings(run_cli, _write(tmp_path, "inits", {"app.py": source}))
        if f["code"] == "FG215"
    ]
    assert found == [(12, "@embed_q.init hook `warm`"), (18, "@runpod.init method `load`")]


# FG215: a task's `@handle.init`. rc2 registers it (`FunctionHandle.init`), but the request a
# task pod gets (PodTarget.build_payload) names only the function, and the pod's executor execs
# the module and calls that function (runtime executor.resolve_request), as the probe does.
_TASK_INIT_PROBE = r"""
import json, sys, tempfile
from pathlib import Path

source = '''
import runpod

app = runpod.App("tinit")
STATE = {}

@app.task(cpu="cpu3c-1-2")
def reindex(day: str = "d"):
    return STATE.get("index", "missing")

@reindex.init
def open_index():
    STATE["index"] = "ready"
'''
root = Path(tempfile.mkdtemp())
(root / "tjobs.py").write_text(source)
sys.path.insert(0, str(root))
import tjobs
from runpod.apps.targets import PodTarget

handle = tjobs.reindex
payload = PodTarget(handle.spec, handle._fn).build_payload(handle._fn, handle.spec, (), {})
request = payload.get("input", payload)
namespace = {"__name__": "__runpod_live__", "__file__": "runpod_live.py"}
exec(compile(request["function_code"], "runpod_live.py", "exec"), namespace)
fn = namespace[request["function_name"]]
RESULT = {
    "registered": handle._init_fn is tjobs.open_index,
    "request_keys": sorted(request),
    "ran": getattr(fn, "_fn", fn)(),
}
"""


def test_a_task_init_hook_is_never_called_on_the_pod(tmp_path, run_cli):
    result = run_probe2_or_skip(_TASK_INIT_PROBE)
    assert result["registered"] is True, result
    assert not [k for k in result["request_keys"] if "init" in k], result
    assert result["ran"] == "missing", result
    source = _TASK_INIT_PROBE.split("source = '''", 1)[1].split("'''", 1)[0]
    found = [
        f["message"]
        for f in _findings(run_cli, _write(tmp_path, "task-init", {"tjobs.py": source}))
        if f["code"] == "FG215"
    ]
    assert len(found) == 1 and "hook `open_index` never runs" in found[0], found


# FG306: a call form kept in a dict in a module-level loop (resources generated from a table).
LOOP_INTO_DICT = {
    "main.py": APP + "def make(n):\n    def work(x: int = 1):\n        return x\n"
    "    return work\n\nHANDLES = {}\nfor n in ('aaa', 'bbb'):\n"
    "    HANDLES[n] = app.queue(name=n, cpu='cpu3c-1-2')(make(n))\n"
}


def test_a_loop_into_a_dict_deploys_every_handle_and_binds_none(tmp_path, run_cli):
    result = run_discovery_or_skip(LOOP_INTO_DICT)
    assert result["error"] is None, result
    records = [r for app in result["apps"] for r in app["resources"]]
    assert sorted(r["name"] for r in records) == ["aaa", "bbb"], records
    assert all(r["variables"] == [] for r in records), records  # the worker finds none
    found = [
        f["message"]
        for f in _findings(run_cli, _write(tmp_path, "loop-dict", LOOP_INTO_DICT))
        if f["code"] == "FG306"
    ]
    # unrolled: one finding per resource, each naming it
    assert len(found) == 2 and all("no module-level name holds any" in m for m in found)
    assert {m.split("`")[1] for m in found} == {"aaa", "bbb"}, found


# Resources generated from a config table: `for name, cfg in MODELS.items():` with `**cfg`.
# rc2 registers one resource per item with the item's settings; flash-guard unrolls the loop
# and reads each one's (FG104 fires for the item without a timeout, FG103 for min 0).
CONFIG_TABLE = {
    "main.py": APP + "MODELS = {\n"
    "    'sentiment': {'gpu': 'AMPERE_16', 'workers': (1, 4), 'execution_timeout_ms': 60_000},\n"
    "    'toxicity': {'gpu': 'AMPERE_16', 'workers': (0, 2), 'execution_timeout_ms': 60_000},\n"
    "    'ner': {'gpu': 'AMPERE_24', 'workers': (1, 2)},\n"
    "}\n\ndef make(model_id):\n    def handler(text: str = ''):\n        return text\n"
    "    return handler\n\nHANDLES = {}\nfor name, cfg in MODELS.items():\n"
    "    HANDLES[name] = app.queue(name=name, **cfg)(make(name))\n"
}


def test_a_config_table_loop_matches_the_sdk(tmp_path, run_cli):
    result = run_discovery_or_skip(CONFIG_TABLE)
    assert result["error"] is None, result
    records = {r["name"]: r for app in result["apps"] for r in app["resources"]}
    root = _write(tmp_path, "config-table", CONFIG_TABLE)
    endpoints = {e.display_name: e for e in _model(root).endpoints if e.kind == "queue"}
    assert set(endpoints) == set(records) == {"sentiment", "toxicity", "ner"}
    for name, record in records.items():
        _compare(record, endpoints[name])
    findings = _findings(run_cli, root)
    assert not [f for f in findings if f["code"] == "FG002"], findings
    named = {(f["code"], f["endpoint"]) for f in findings}
    assert ("FG104", "ner") in named and ("FG104", "sentiment") not in named, named
    assert ("FG103", "toxicity") in named and ("FG103", "sentiment") not in named, named


# A decorated definition in a module-level loop: its name holds the last item's handle.
DECORATED_LOOP = {
    "main.py": APP + "for size in (256, 512):\n\n"
    "    @app.queue(name=f'thumb-{size}', cpu='cpu3c-1-2')\n"
    "    def thumb(x: int = 1):\n        return x\n"
}


def test_a_decorated_loop_serves_only_the_last_item(tmp_path, run_cli):
    result = run_discovery_or_skip(DECORATED_LOOP)
    assert result["error"] is None, result
    bound = {r["name"]: r["variables"] for app in result["apps"] for r in app["resources"]}
    assert bound == {"thumb-256": [], "thumb-512": ["thumb"]}, bound
    root = _write(tmp_path, "decorated-loop", DECORATED_LOOP)
    fg306 = [f["endpoint"] for f in _findings(run_cli, root) if f["code"] == "FG306"]
    assert fg306 == ["thumb-256"], fg306


# Module-level loop shapes rc2 runs at import, one resource per iteration: enumerate (with a
# start), zip, dict views, tuple items (a header over several lines), nested loops, a nested
# tuple target, a loop in a module-level `if`/`else` and in a `try`. flash-guard unrolls each
# as rc2 runs it: the same resources with the same settings, the same handles bound.
_MAKE = "def make(tag):\n    def work(x: int = 1):\n        return x\n    return work\n\nH = {}\n"
_Q = "cpu='cpu3c-1-2', workers=(1, 2), idle_timeout=900, execution_timeout_ms=60_000"
LOOP_SHAPES = {
    "enumerate": "MODELS = ['alpha', 'beta']\n"
    f"for i, m in enumerate(MODELS):\n    H[m] = app.queue(name=f'{{m}}-{{i}}', {_Q})(make(m))\n",
    "enumerate-start": "MODELS = ('alpha', 'beta')\n"
    f"for i, m in enumerate(MODELS, 1):\n    H[m] = app.queue(name=f'{{m}}-{{i}}', {_Q})(make(m))\n"
    f"for i, m in enumerate(MODELS, start=7):\n"
    f"    H[i] = app.queue(name=f'k-{{m}}-{{i}}', {_Q})(make(m))\n",
    "zip": "NAMES = ['gamma', 'delta']\nSIZES = [(1, 2), (0, 3)]\n"
    "for name, w in zip(NAMES, SIZES):\n"
    "    H[name] = app.queue(name=name, cpu='cpu3c-1-2', workers=w, idle_timeout=900,"
    " execution_timeout_ms=60_000)(make(name))\n",
    "dict-views": "CFG = {'eps': {'name': 'eps-q', 'workers': (1, 2)},"
    " 'zeta': {'name': 'zeta-q', 'workers': (0, 1)}}\n"
    "for c in CFG.values():\n"
    "    H[c['name']] = app.queue(cpu='cpu3c-1-2', idle_timeout=900,"
    " execution_timeout_ms=60_000, **c)(make(c['name']))\n"
    f"for k in CFG.keys():\n    H[k] = app.queue(name=f'{{k}}-key', {_Q})(make(k))\n"
    f"for k in CFG:\n    H[k + '!'] = app.queue(name=f'{{k}}-dict', {_Q})(make(k))\n",
    "tuple-items": "for name, gpu in [\n    ('eta-q', 'AMPERE_16'),\n"
    "    ('theta-q', 'ADA_24'),\n]:\n"
    "    H[name] = app.queue(name=name, gpu=gpu, workers=(1, 2), idle_timeout=900,"
    " execution_timeout_ms=60_000)(make(name))\n",
    "nested": "FAMS = {'iota': (1, 2), 'kappa': (3,)}\n"
    "for fam, sizes in FAMS.items():\n    for size in sizes:\n\n"
    f"        @app.queue(name=f'{{fam}}-{{size}}', {_Q})\n"
    "        def thumb(x: int = 1):\n            return x\n",
    "nested-target": "TABLE = [('lam-q', 'AMPERE_16'), ('mu-q', 'ADA_24')]\n"
    "for i, (name, gpu) in enumerate(TABLE):\n"
    "    H[i] = app.queue(name=name, gpu=gpu, workers=(1, 2), idle_timeout=900,"
    " execution_timeout_ms=60_000)(make(name))\n",
    # the loop's name applied as the function: each item's own (rc2 names it `__name__`)
    "function-table": "def embed_fn(x: int = 1):\n    return x\n"
    "def rank_fn(x: int = 1):\n    return x\n"
    f"for fn in (embed_fn, rank_fn):\n    app.queue({_Q})(fn)\n"
    "for i, fn in enumerate([rank_fn, embed_fn]):\n"
    f"    H[i] = app.queue(name=f'q-{{i}}', {_Q})(fn)\n",
    "if-else": "import os\nif os.environ.get('FG_BIG_MODELS'):\n"
    f"    for n in ('big-a', 'big-b'):\n        H[n] = app.queue(name=n, {_Q})(make(n))\n"
    "else:\n"
    f"    for n in ('small-a', 'small-b'):\n        H[n] = app.queue(name=n, {_Q})(make(n))\n",
    "try": "try:\n    import json\n"
    f"    for n in ('nu-q', 'xi-q'):\n        H[n] = app.queue(name=n, {_Q})(make(n))\n"
    "except ImportError:\n    json = None\n",
}


@pytest.fixture(scope="module")
def loop_discoveries():
    projects = [{"main.py": APP + _MAKE + body} for body in LOOP_SHAPES.values()]
    return dict(zip(LOOP_SHAPES, run_discovery_many_or_skip(projects), strict=True))


@pytest.mark.parametrize("label", list(LOOP_SHAPES))
def test_a_loop_shape_unrolls_as_the_sdk_registers_it(label, loop_discoveries, tmp_path, run_cli):
    result = loop_discoveries[label]
    assert result["error"] is None, result
    records = {r["name"]: r for app in result["apps"] for r in app["resources"]}
    assert len(records) >= 2, records
    root = _write(tmp_path, label, {"main.py": APP + _MAKE + LOOP_SHAPES[label]})
    endpoints = {e.display_name: e for e in _model(root).endpoints}
    findings = _findings(run_cli, root)
    assert not [f for f in findings if f["code"] == "FG002"], findings
    fg301 = {f["endpoint"] for f in findings if f["code"] == "FG301"}
    if label == "if-else":
        # Both branches are declared, each said to deploy only if its branch runs (FG301),
        # as a declaration directly in the branch is; rc2 ran the `else` branch here.
        assert set(records) == {"small-a", "small-b"}, records
        assert set(endpoints) == {"big-a", "big-b", "small-a", "small-b"}, endpoints
        assert fg301 == set(endpoints), findings
    else:
        assert set(endpoints) == set(records), (endpoints, records)
        assert not fg301 if label != "try" else fg301 == set(endpoints), findings
    for name, record in records.items():
        _compare(record, endpoints[name])
    # The worker serves what a module-level name holds: nothing kept in `H`, the last
    # iteration's handle for a decorated def (FG306 on the others).
    fg306 = {f["endpoint"] for f in findings if f["code"] == "FG306"}
    unbound = {name for name, record in records.items() if not record["variables"]}
    assert unbound <= fg306, (unbound, fg306)
    assert not {n for n, r in records.items() if r["variables"]} & fg306, findings


# rc2's build_environment with pip stubbed: what it asks pip to install, and whether with
# dependencies (no network: `vendor` is replaced, and the runpod overlay is a local copy).
BUILD_PROBE = """
import tempfile
from pathlib import Path
import runpod
from runpod.apps import build

calls = []
build.vendor = lambda env_dir, reqs, py, no_deps=False, progress=None: calls.append(
    (list(reqs), no_deps)
)
root = Path(tempfile.mkdtemp())
(root / "requirements.txt").write_text("runpod==2.0.0rc2\\n")
app = runpod.App("uploader")

@app.queue(name="upload", cpu="cpu3c-2-4")
def upload(key: str = "k"):
    return key

build.build_environment(app, root, scratch_dir=root / "scratch")
RESULT = calls
"""


def test_fg305_rc2_vendors_the_apps_own_runpod_requirement_with_its_closure(tmp_path, run_cli):
    """`runpod` in requirements.txt is pip-installed with its dependencies (fastapi[all] and
    so pydantic, boto3, ...), so a queue worker importing them is not missing anything."""
    calls = run_probe2_or_skip(BUILD_PROBE)
    assert [no_deps for _, no_deps in calls] == [False], calls
    assert "runpod==2.0.0rc2" in calls[0][0], calls
    files = {
        "requirements.txt": "runpod==2.0.0rc2\n",
        "app.py": "import runpod\nfrom pydantic import BaseModel\n\n"
        "app = runpod.App('uploader')\n\n"
        "@app.queue(name='upload', cpu='cpu3c-2-4', workers=(1, 3))\n"
        "def upload(key: str = 'k'):\n    import boto3\n    return BaseModel, boto3, key\n",
    }
    found = _findings(run_cli, _write(tmp_path, "own-runpod", files))
    assert [f for f in found if f["code"] == "FG305"] == [], found


# rc2's reconcile_endpoints with a mock API client (no network): the remote app and its
# environment are found by name, so a second project's App of the same name and env meets
# the first project's endpoints there, and deletes them.
RECONCILE_PROBE = """
import asyncio
import runpod
from runpod.apps import deploy

calls = []

class Client:
    async def save_endpoint(self, payload):
        calls.append(("save", payload["name"]))
        return {"id": "new-" + payload["name"]}
    async def delete_endpoint(self, endpoint_id):
        calls.append(("delete", endpoint_id))

async def no_volumes(payload, spec, resolver, app):
    return None

import runpod.apps.volume as volume
volume.attach_endpoint_volumes = no_volumes
app = runpod.App("api", env="prod")

@app.queue(name="ingest-doc", cpu="cpu3c-2-4")
def ingest_doc(url: str = "u"):
    return url

# the environment as the first project's deploy left it
environment = {"id": "env-1", "name": "prod", "endpoints": [{"name": "search-web", "id": "ep-1"}]}
asyncio.run(deploy.reconcile_endpoints(Client(), app, environment, "build-1", "3.12"))
RESULT = calls
"""


def test_fg307_a_same_named_app_of_another_project_deletes_its_endpoints(tmp_path, run_cli):
    calls = run_probe2_or_skip(RECONCILE_PROBE)
    assert ["save", "ingest-doc"] in calls and ["delete", "ep-1"] in calls, calls
    service = "import runpod\n\napp = runpod.App('api', env='prod')\n\n"
    files = {
        "services/search/pyproject.toml": "[project]\nname = 'search'\n",
        "services/search/main.py": service
        + "@app.queue(name='search-q', cpu='cpu3c-2-4', workers=(1, 3))\n"
        "def search(q: str = 'q'):\n    return q\n",
        "services/ingest/pyproject.toml": "[project]\nname = 'ingest'\n",
        "services/ingest/main.py": service
        + "@app.queue(name='ingest-doc', cpu='cpu3c-2-4', workers=(1, 3))\n"
        "def ingest_doc(url: str = 'u'):\n    return url\n",
    }
    found = [
        f
        for f in _findings(run_cli, _write(tmp_path, "two-projects", files))
        if f["code"] == "FG307"
    ]
    assert [f["path"] for f in found] == ["services/search/main.py"], found
    assert "deletes the other's endpoints" in found[0]["message"], found
    other_env = {k: v.replace("env='prod'", "env='staging'") for k, v in files.items()}
    other_env["services/search/main.py"] = files["services/search/main.py"]
    assert "FG307" not in [
        f["code"] for f in _findings(run_cli, _write(tmp_path, "two-envs", other_env))
    ]


# Route markers two base classes up: rc2 collects marked methods over the whole MRO
# (inspect.getmembers), so undecorated intermediate bases, in another module or in the
# endpoint's own file, pass their bases' routes on (h11 base-cls app: GET /health defined on
# the grandparent was missed and FG109 fired).
GRANDPARENT_ROUTES = {
    "common/__init__.py": "",
    "common/base.py": """import runpod


class ServiceBase:
    @runpod.init
    def boot(self):
        self.ready = True

    @runpod.get("/health")
    def health(self):
        return {"ok": True}


class ModelService(ServiceBase):
    @runpod.post("/predict")
    def predict(self, body: dict):
        return body
""",
    "services/__init__.py": "",
    "services/classify.py": """import runpod

from common.base import ModelService, ServiceBase

app = runpod.App("grand-bases")


@app.api(name="classify", cpu="cpu3c-1-2")
class Classifier(ModelService):
    pass


class Plain(ServiceBase):
    def helper(self):
        return 1


@app.api(name="status", cpu="cpu3c-1-2")
class Status(Plain):
    pass
""",
}


def test_routes_of_a_grandparent_class_are_served(tmp_path, run_cli):
    result = run_discovery_or_skip(GRANDPARENT_ROUTES)
    assert result["error"] is None, result
    sdk = {
        r["name"]: sorted((x["method"], x["path"]) for x in r["routes"])
        for app in result["apps"]
        for r in app["resources"]
    }
    assert sdk == {
        "classify": [("GET", "/health"), ("POST", "/predict")],
        "status": [("GET", "/health")],
    }
    root = _write(tmp_path, "grand-bases", GRANDPARENT_ROUTES)
    ours = {
        e.display_name: sorted((r.method.value, r.path.value) for r in e.routes)
        for e in _model(root).endpoints
    }
    assert ours == sdk
    codes = [f["code"] for f in _findings(run_cli, root)]
    assert "FG109" not in codes and "FG215" not in codes


# FG215: route methods without `self` and a factory that forgets its return (h11 mistakes2).
# rc2 registers both (routes recorded; spec.asgi_factory set); the runtime calls each route
# bound to the instance it built (api/server.py `_mount_routes`: `getattr(instance, name)`,
# then `fn()` or `fn(body)`) and serves what the factory returns (`_build_factory_app`: an
# object without `.routes` is wrapped to answer /ping and called for every other request).
_NO_SELF_PROBE = r"""
import runpod

app = runpod.App("no-self")

@app.api(name="svc-api", cpu="cpu3c-1-2")
class Svc:
    @runpod.init
    def boot():
        pass

    @runpod.get("/health")
    def health():
        return {"ok": True}

    @staticmethod
    @runpod.get("/ready")
    def ready():
        return {"ok": True}

    @runpod.post("/echo")
    def echo(self, body: dict):
        return body

@app.api(name="web-api", cpu="cpu3c-1-2")
def web():
    from types import SimpleNamespace
    server = SimpleNamespace(routes=[])

def call(fn, *args):
    try:
        fn(*args)
        return None
    except TypeError as exc:
        return str(exc)

svc, factory = app.resources["svc-api"], app.resources["web-api"]
instance = svc._cls()
RESULT = {
    "routes": sorted((r.method, r.path, r.handler_name) for r in svc.spec.routes),
    "init": call(getattr(instance, svc._init_name)),
    "calls": {n: call(getattr(instance, n)) for n in ("health", "ready")},
    "echo": call(getattr(instance, "echo"), {"a": 1}),
    "asgi_factory": factory.spec.asgi_factory,
    "served": repr(factory._asgi_factory()),
}
"""


def test_route_methods_without_self_and_a_factory_without_return(tmp_path, run_cli):
    result = run_probe2_or_skip(_NO_SELF_PROBE)
    assert result["routes"] == [
        ["GET", "/health", "health"],
        ["GET", "/ready", "ready"],
        ["POST", "/echo", "echo"],
    ], result
    assert "takes 0 positional arguments but 1 was given" in result["init"], result
    assert "takes 0 positional arguments but 1 was given" in result["calls"]["health"], result
    assert result["calls"]["ready"] is None and result["echo"] is None, result
    assert result["asgi_factory"] == "web" and result["served"] == "None", result
    source = _NO_SELF_PROBE.split("def call(", 1)[0]
    found = sorted(
        (f["line"], f["message"])
        for f in _findings(run_cli, _write(tmp_path, "no-self", {"app.py": source}))
        if f["code"] == "FG215"
    )
    assert [line for line, _ in found] == [9, 13, 26], found
    assert "method `boot` takes no `self`" in found[0][1]
    assert "method `health` takes no `self`" in found[1][1]
    assert "factory `web` returns nothing" in found[2][1]


# The resource name rc2 gives a function decorated below @app.queue: `fn.__name__` of what
# the SDK decorator receives, the nested wrapper's own name unless the project decorator
# copies it (functools.wraps / update_wrapper). Two functions wrapped without it collide
# ('duplicate resource name', the file fails to import; h11 mistakes2).
_WRAPPERS = """import functools
import time
from functools import wraps

import runpod

app = runpod.App("wrapped-names")


def timed(fn):
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


def logged(fn):
    @functools.wraps(fn)
    def inner(*args, **kwargs):
        return fn(*args, **kwargs)
    return inner


def traced(fn):
    @wraps(fn)
    def inner(*args, **kwargs):
        return fn(*args, **kwargs)
    return inner


def copied(fn):
    def inner(*args, **kwargs):
        return fn(*args, **kwargs)
    functools.update_wrapper(inner, fn)
    return inner


def retry(times):
    def deco(fn):
        def attempt(*args, **kwargs):
            return fn(*args, **kwargs)
        return attempt
    return deco


@app.queue(cpu="cpu3c-1-2")
@timed
def resize(url: str):
    return url


@app.queue(cpu="cpu3c-1-2")
@logged
def crop(url: str):
    return url


@app.queue(cpu="cpu3c-1-2")
@traced
def rotate(url: str):
    return url


@app.queue(cpu="cpu3c-1-2")
@copied
def blur(url: str):
    return url


@app.queue(cpu="cpu3c-1-2")
@retry(3)
def sharpen(url: str):
    return url


@app.queue(cpu="cpu3c-1-2")
@timed
@logged
def tint(url: str):
    return url
"""
_COLLIDING = """import runpod

from wrapping import timed

app = runpod.App("wrapped-twice")


@app.queue(cpu="cpu3c-1-2", name="resize-q")
@timed
def resize(url: str):
    return url


@app.queue(cpu="cpu3c-1-2")
@timed
def thumb(url: str):
    return url


@app.queue(cpu="cpu3c-1-2")
@timed
def crop(url: str):
    return url
"""


_TINT = _WRAPPERS[_WRAPPERS.index('@app.queue(cpu="cpu3c-1-2")\n@timed\n@logged') :]


def test_a_wrapper_below_the_decorator_names_the_resource_as_rc2_does(tmp_path, run_cli):
    wrapping = "def timed(fn):\n    def wrapper(*a, **k):\n        return fn(*a, **k)\n" + (
        "    return wrapper\n"
    )
    ok = "import runpod\n\napp = runpod.App('fine')\n\n\n@app.queue(cpu='cpu3c-1-2')\n"
    ok += "def fine(x: int):\n    return x\n"
    named = {"names.py": _WRAPPERS.replace(_TINT, "")}
    colliding = {"names.py": _WRAPPERS, "wrapping.py": wrapping, "twice.py": _COLLIDING}
    colliding["ok.py"] = ok
    first, second = run_discovery_many_or_skip([named, colliding])
    assert first["error"] is None and second["error"] is None, (first, second)
    sdk = sorted(r["name"] for app in first["apps"] for r in app["resources"])
    assert sdk == ["attempt", "blur", "crop", "rotate", "wrapper"], first
    root = _write(tmp_path, "named", named)
    assert sorted(e.display_name for e in _model(root).endpoints) == sdk
    assert "FG216" not in [f["code"] for f in _findings(run_cli, root)]
    # `tint` is wrapped by `logged` (copies) then `timed` (does not): 'wrapper', which
    # `resize` already holds, so names.py fails to import; twice.py fails likewise.
    assert [a["name"] for a in second["apps"]] == ["fine"], second
    logs = " ".join(str(entry) for entry in second["logs"])
    assert "names.py failed: duplicate resource name 'wrapper'" in logs, logs
    assert "twice.py failed: duplicate resource name 'wrapper'" in logs, logs
    root = _write(tmp_path, "colliding", colliding)
    duplicates = sorted(
        (f["path"], f["line"], f["message"])
        for f in _findings(run_cli, root)
        if f["code"] == "FG216"
    )
    assert [(p, line) for p, line, _ in duplicates] == [("names.py", 75), ("twice.py", 20)]
    assert "`tint` reaches the decorator as `wrapper`" in duplicates[0][2], duplicates


# FG215: a queue/task handle called like a function (runpod_flash's habit: an @Endpoint
# function was the remote call). rc2's FunctionHandle.__call__ raises TypeError; the probe
# calls each handle as the worker's code would (h11 mistakes2).
_CALLED_HANDLES = {
    "steps.py": """import runpod

app = runpod.App("called")


@app.queue(cpu="cpu3c-1-2")
def tokenize(text: str = ""):
    return text.split()


def count_words(text):
    return len(text.split())


counter = app.queue(cpu="cpu3c-1-2", name="counter")(count_words)


@app.task(cpu="cpu3c-1-2")
def reindex(day: str = "d"):
    return day
""",
    "pipeline.py": """from steps import app, count_words, counter, reindex, tokenize


@app.queue(cpu="cpu3c-1-2")
async def pipeline(text: str = "a b"):
    tokens = tokenize(text)
    n = count_words(text)
    m = counter.remote(text)
    reindex("today")
    return tokens, n, m


def helper(tokenize, text):
    return tokenize(text)
""",
}
_CALLED_PROBE = """
import steps
RESULT = {}
for name in ("tokenize", "counter", "reindex", "count_words"):
    try:
        getattr(steps, name)("a b")
        RESULT[name] = None
    except TypeError as exc:
        RESULT[name] = str(exc)
"""


def test_a_handle_called_directly_raises_typeerror(tmp_path, run_cli):
    files = _CALLED_HANDLES
    probe = f"import sys, pathlib\nfor rel, text in {files!r}.items():\n"
    probe += "    pathlib.Path(rel).write_text(text)\nsys.path.insert(0, '.')\n"
    result = run_probe2_or_skip(probe + _CALLED_PROBE)
    for name in ("tokenize", "counter", "reindex"):
        assert "use .remote(...)" in result[name], result
    assert result["count_words"] is None, result
    root = _write(tmp_path, "called", files)
    found = sorted(
        (f["path"], f["line"], f["message"])
        for f in _findings(run_cli, root)
        if f["code"] == "FG215"
    )
    assert [(p, line) for p, line, _ in found] == [("pipeline.py", 6), ("pipeline.py", 9)]
    assert "queue handle `tokenize(...)`" in found[0][2]
    assert "task handle `reindex(...)`" in found[1][2]


_MARKED_CLASS = """import runpod

app = runpod.App("marked-class")


@runpod.get("/health")
@app.api(name="above", cpu="cpu3c-1-2")
class Above:
    @runpod.post("/run")
    def run(self, body: dict):
        return body


@app.api(name="below", cpu="cpu3c-1-2")
@runpod.init
@runpod.get("/ready")
class Below:
    @runpod.post("/run")
    def run(self, body: dict):
        return body
"""


def test_a_marker_on_the_class_serves_nothing(tmp_path, run_cli):
    """rc2 accepts a route marker or @runpod.init on the class itself, above or below
    @app.api, and registers neither: routes and the init come from the methods only."""
    (result,) = run_oracle2_or_skip([_MARKED_CLASS])
    assert result["error"] is None, result
    records = {r["name"]: r for app in result["apps"] for r in app["resources"]}
    for name in ("above", "below"):
        assert records[name]["routes"] == [{"method": "POST", "path": "/run", "handler": "run"}]
        assert records[name]["init"] is None
    root = _write(tmp_path, "marked", {"app.py": _MARKED_CLASS})
    found = [(f["line"], f["message"]) for f in _findings(run_cli, root) if f["code"] == "FG215"]
    assert sorted(line for line, _ in found) == [6, 15, 16], found
    assert all("on class `" in message for _, message in found), found


# A Starlette factory with a `routes=` table (h11 enum-dc): the app the worker serves is what
# the factory returns, so the judge is that app's own route table, built under rc2's venv.
_STARLETTE_FACTORY = """import runpod

app = runpod.App("starlette-front")


@app.api(name="front", cpu="cpu3c-1-2", workers=(1, 2))
def front():
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def health(request):
        return JSONResponse({"ok": True})

    async def submit(request):
        return JSONResponse(await request.json())

    return Starlette(routes=[Route("/health", health), Route("/submit", submit, methods=["POST"])])
"""
_STARLETTE_PROBE = """
import pathlib, sys
pathlib.Path("front_app.py").write_text(SOURCE)
sys.path.insert(0, ".")
import front_app
handle = front_app.app.resources["front"]
served = handle._asgi_factory()
RESULT = {
    "asgi_factory": handle.spec.asgi_factory,
    "routes": sorted((m, r.path) for r in served.routes for m in (r.methods or ()) if m != "HEAD"),
}
"""


def test_a_starlette_route_table_is_read_as_the_app_serves_it(tmp_path, run_cli):
    result = run_probe2_or_skip(f"SOURCE = {_STARLETTE_FACTORY!r}\n" + _STARLETTE_PROBE)
    assert result["asgi_factory"] == "front", result
    root = _write(tmp_path, "starlette", {"app.py": _STARLETTE_FACTORY})
    (endpoint,) = _model(root).endpoints
    ours = sorted([r.method.value, r.path.value] for r in endpoint.routes)
    assert ours == result["routes"] == [["GET", "/health"], ["POST", "/submit"]], result
    codes = {f["code"] for f in _findings(run_cli, root)}
    assert "FG002" not in codes and "FG109" not in codes, codes


# `gpu=os.getenv("GPUS", "ADA_24,AMPERE_24").split(",")` (h11 env-split): the default's split
# is the list rc2 resolves; a space after the comma is kept by split, as rc2 sees it.
_SPLIT_GPUS = {
    "plain": ('"ADA_24,AMPERE_24"', '","'),
    "spaced": ('"ADA_24, AMPERE_24"', '","'),
    "whitespace": ('"ADA_24 AMPERE_24"', ""),
}


def test_a_split_env_default_is_the_gpu_list_rc2_resolves(tmp_path, run_cli):
    sources = {
        label: HEAD
        + f"import os\nGPUS = os.getenv('GPUS', {text}).split({sep})\n"
        + QUEUE.format("name='split-q', gpu=GPUS")
        for label, (text, sep) in _SPLIT_GPUS.items()
    }
    results = dict(zip(sources, run_oracle2_or_skip(list(sources.values())), strict=True))
    for label, source in sources.items():
        result = results[label]
        root = _write(tmp_path, label, {"app.py": source})
        codes = {f["code"] for f in _findings(run_cli, root)}
        assert "FG002" not in codes, (label, codes)
        assert ("FG205" in codes) == (result["error"] is not None), (label, result, codes)
        if result["error"] is None:
            (record,) = result["apps"][0]["resources"]
            (endpoint,) = _model(root).endpoints
            assert _pools(endpoint) == record["gpu_pools"], label


# FG307 (7): a volume's `.path` read at module level of the App's file (h11 vol-path). rc2's
# Volume.path raises VolumeError where the volume is not mounted, so discover_apps skips the
# file; read in a function, or in an `if`, it is not reported.
_VOLUME_PATH = {
    "main.py": """import runpod

app = runpod.App("ckpt")
ckpts = runpod.NetworkVolume("ckpts", size=50)
CKPT_DIR = ckpts.path / "runs"


@app.queue(name="saver", gpu="4090", mounts={"/runpod-volume": ckpts})
def save(step: int = 0):
    return str(CKPT_DIR)
""",
    "other.py": """import os

import runpod

app2 = runpod.App("other-app")
models = runpod.NetworkVolume("models", size=50)
if os.environ.get("ON_WORKER"):
    MODEL_DIR = models.path


@app2.queue(name="pinger", cpu="cpu3c-1-2")
def ping():
    return str(models.path)
""",
}


def test_fg307_a_volume_path_read_at_import_drops_the_app(tmp_path, run_cli):
    result = run_discovery_or_skip(_VOLUME_PATH)
    assert result["error"] is None, result
    assert [a["name"] for a in result["apps"]] == ["other-app"], result
    logs = " ".join(str(entry) for entry in result["logs"])
    assert "main.py failed: network volume 'ckpts' is not mounted" in logs, logs
    root = _write(tmp_path, "volume-path", _VOLUME_PATH)
    found = [(f["path"], f["line"]) for f in _findings(run_cli, root) if f["code"] == "FG307"]
    assert found == [("main.py", 5)], found


# A project subclass of runpod.App (h11 app-subclass): constructing it registers an App, its
# `.queue(...)` declares resources, and its own methods returning `self.queue(...)` are
# decorators too. flash-guard found no endpoint at all ("All checks passed").
_APP_SUBCLASS = {
    "platform_app.py": """import os

import runpod

DEFAULTS = dict(workers=(1, 3), idle_timeout=900, execution_timeout_ms=120_000)


class PlatformApp(runpod.App):
    def __init__(self, name: str):
        super().__init__(f"acme-{name}", env=os.environ.get("ACME_ENV", "prod"))

    def gpu_queue(self, **overrides):
        return self.queue(**{**DEFAULTS, "gpu": "ADA_24", **overrides})


class PlainApp(runpod.App):
    pass
""",
    "jobs.py": """from platform_app import PlainApp, PlatformApp

app = PlatformApp("jobs")
tools = PlainApp("tools-app", env="staging")


@app.gpu_queue(name="caption")
def caption(url: str = ""):
    return url


@app.gpu_queue(name="caption-big", gpu="AMPERE_80", workers=(2, 4))
def caption_big(url: str = ""):
    return url


@app.queue(name="summarize", cpu="cpu3c-2-4", workers=(1, 2))
def summarize(text: str = ""):
    return text


@tools.queue(name="lint", cpu="cpu3c-1-2")
def lint(text: str = ""):
    return text
""",
}


def test_an_app_subclass_declares_what_rc2_registers(tmp_path, run_cli):
    result = run_discovery_or_skip(_APP_SUBCLASS)
    assert result["error"] is None, result
    sdk = {
        r["name"]: (r["gpu_pools"], r["workers"], r["idle_timeout"], r["execution_timeout_ms"])
        for app in result["apps"]
        for r in app["resources"]
    }
    assert set(sdk) == {"caption", "caption-big", "summarize", "lint"}, result
    root = _write(tmp_path, "app-subclass", _APP_SUBCLASS)
    ours = {}
    for e in _model(root).endpoints:
        workers = e.params["workers"].value
        ours[e.display_name] = (
            _pools(e),
            [_plain(workers["min"]), _plain(workers["max"])],
            _plain(e.params["idle_timeout"]),
            _plain(e.params["execution_timeout_ms"]),
        )
    assert ours == {k: (v[0], list(v[1]), v[2], v[3]) for k, v in sdk.items()}
    apps = {a.name.value for a in _model(root).runpod2_apps if a.name.known}
    assert apps == {"tools-app"}  # PlatformApp computes its name in its own __init__


# The call form on a wrapped function (h11 callform-wraps): `app.queue()(logged(resize))`
# names the resource `resize` when `logged` copies the name with functools.wraps, and after
# the wrapper otherwise; flash-guard named both `inner` and reported a duplicate.
_CALL_FORM_WRAPPED = """import functools

import runpod

app = runpod.App("cf-wraps")


def logged(fn):
    @functools.wraps(fn)
    def inner(*args, **kwargs):
        return fn(*args, **kwargs)
    return inner


def timed(fn):
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


def resize(url: str = ""):
    return url


def crop(url: str = ""):
    return url


resize_q = app.queue(cpu="cpu3c-1-2")(logged(resize))
crop_q = app.queue(cpu="cpu3c-1-2")(logged(crop))
timed_q = app.queue(cpu="cpu3c-1-2")(timed(crop))
"""


def test_a_call_form_on_a_wrapped_function_is_named_as_rc2_names_it(tmp_path, run_cli):
    (result,) = run_oracle2_or_skip([_CALL_FORM_WRAPPED])
    assert result["error"] is None, result
    sdk = sorted(r["name"] for app in result["apps"] for r in app["resources"])
    assert sdk == ["crop", "resize", "wrapper"], result
    root = _write(tmp_path, "cf-wraps", {"app.py": _CALL_FORM_WRAPPED})
    assert sorted(e.display_name for e in _model(root).endpoints) == sdk
    assert "FG216" not in {f["code"] for f in _findings(run_cli, root)}


# -- FG108: the variables a pydantic-settings field reads (pydantic-settings 2.16.3 in the
# runpod 2.0 interpreter) ---------------------------------------------------------------
_NESTED_SETTINGS = (
    Path(__file__).parent / "fixtures/rules/FG108-env-not-forwarded/fire/runpod2_settings_nested"
)
# (field read, variable set, its value, what the field then holds)
_SETTINGS_PROBES = [
    ("settings.db.url", "SVC_DB__URL", "pg://nested", "pg://nested"),
    ("settings.db.url", "svc_db__url", "pg://lower", "pg://lower"),  # any case
    ("settings.db.url", "SVC_DB", '{"url": "pg://json"}', "pg://json"),
    ("settings.db.url", "DB__URL", "pg://unprefixed", "sqlite:///local.db"),
    ("settings.cache.ttl", "SVC_CACHE__TTL", "7", 7),
    ("settings.cache.ttl", "SVC_CACHE", '{"ttl": 9}', 9),
    ("settings.hf_token", "HF_TOKEN", "t1", "t1"),
    ("settings.hf_token", "HUGGINGFACE_TOKEN", "t2", "t2"),
    ("settings.hf_token", "SVC_HF_TOKEN", "t3", ""),  # no env_prefix on an alias
]


def test_settings_variables_are_the_ones_pydantic_settings_reads():
    """h36: a nested model's field (`env_nested_delimiter`) and an `AliasChoices` field are
    read from exactly the variables flash-guard names for FG108 (the first, then the
    others that give the field as well), and from no other."""
    model = _model(_NESTED_SETTINGS)
    named = {}
    for text, *_ in _SETTINGS_PROBES:
        read = model.modules.settings_field_env(dotted_expr(text, 1, 1), "app.py", None)
        named[text] = (read.variable, *read.alternatives)
    assert named == {
        "settings.db.url": ("SVC_DB__URL", "SVC_DB"),
        "settings.cache.ttl": ("SVC_CACHE__TTL", "SVC_CACHE"),
        "settings.hf_token": ("HF_TOKEN", "HUGGINGFACE_TOKEN"),
    }
    config = (_NESTED_SETTINGS / "config.py").read_text()
    source = (
        "import os, sys, types\nRESULT = []\n"
        f"for text, variable, value in {[p[:3] for p in _SETTINGS_PROBES]!r}:\n"
        "    for key in [k for k in os.environ if k.upper().startswith(('SVC_', 'HF_', "
        "'HUGGING', 'DB'))]:\n"
        "        del os.environ[key]\n"
        "    os.environ[variable] = value\n"
        "    module = types.ModuleType('config')\n"
        "    sys.modules['config'] = module\n"  # pydantic resolves annotations through it
        f"    exec({config!r}, module.__dict__)\n"
        "    RESULT.append(eval(text, module.__dict__))\n"
    )
    sdk = run_probe2_or_skip(source)
    assert sdk == [p[3] for p in _SETTINGS_PROBES]
    for text, variable, _, got in _SETTINGS_PROBES:
        default = got in ("sqlite:///local.db", "")
        assert (variable.upper() in named[text]) == (not default), (text, variable)


# h39: `rp flash deploy` run inside a package directory. Discovery names each file by its
# package path (walking up while `__init__.py` exists) and finds the handle; the manifest names
# it from the deploy directory (`handlers.caption`), and importing that with the deploy
# directory as the import root (what the worker does) fails on `from ..app import app`.
_PACKAGE_ROOT = {
    "vision/__init__.py": "from .app import app\nfrom .handlers.caption import caption\n",
    "vision/app.py": APP.replace("'shared'", "'vision'"),
    "vision/handlers/__init__.py": "",
    "vision/handlers/caption.py": "from ..app import app\n\n"
    "@app.queue(name='caption', cpu='cpu3c-1-2', workers=(1, 2))\n"
    "def caption(x: int = 1):\n    return x\n",
}


def test_fg306_a_relative_import_above_a_package_deploy_directory(tmp_path, run_cli):
    result = run_discovery_or_skip(_PACKAGE_ROOT, "vision")
    assert result["error"] is None, result
    (resource,) = result["apps"][0]["resources"]
    assert resource["manifest_module"] == "handlers.caption", resource
    root = _write(tmp_path, "pkgroot", _PACKAGE_ROOT) / "vision"
    worker = subprocess.run(
        [sys.executable, "-c", "import handlers.caption"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": os.environ.get("PATH", "")},
        capture_output=True,
        text=True,
    )
    assert "attempted relative import beyond top-level package" in worker.stderr, worker.stderr
    found = [f for f in _findings(run_cli, root) if f["code"] == "FG306"]
    assert [f["path"] for f in found] == ["handlers/caption.py"], found
    assert "from ..app import app" in found[0]["message"]
    # deployed from the directory holding the package, the same files are served
    above = [f for f in _findings(run_cli, root.parent) if f["code"] == "FG306"]
    assert above == [], above


# h39: a src layout nothing installs. Discovery imports `src/chat/server.py` as `chat.server`
# with only the deploy directory on sys.path: the file fails, and with it the App.
_SRC_LAYOUT = {
    "requirements.txt": "runpod==2.0.0rc2\n",
    "src/chat/__init__.py": "",
    "src/chat/server.py": APP.replace("'shared'", "'chat'")
    + "@app.queue(name='chat-q', cpu='cpu3c-1-2', workers=(1, 2))\n"
    "def chat(x: int = 1):\n    return x\n",
    "worker.py": APP.replace("'shared'", "'other'")
    + "@app.queue(name='other-q', cpu='cpu3c-1-2', workers=(1, 2))\n"
    "def other(x: int = 1):\n    return x\n",
}


def test_fg307_an_uninstalled_src_layout_is_not_discovered(tmp_path, run_cli):
    result = run_discovery_or_skip(_SRC_LAYOUT)
    assert result["error"] is None, result
    assert [app["name"] for app in result["apps"]] == ["other"], result["apps"]
    assert any("No module named 'chat'" in log["message"] for log in result["logs"]), result
    found = [
        f
        for f in _findings(run_cli, _write(tmp_path, "srclayout", _SRC_LAYOUT))
        if f["code"] == "FG307"
    ]
    assert [f["path"] for f in found] == ["src/chat/server.py"], found
    assert "No module named 'chat'" in found[0]["message"]


_MODULE_ENV_READS = {
    "pkg/__init__.py": "",
    "pkg/config.py": (
        "import os\n"
        "MODEL_ID = os.getenv('MODEL_ID', 'Qwen/Qwen2-7B')\n"
        "CACHE = os.environ.get('HF_HOME')\n"
        "UNUSED = os.getenv('NEVER_USED')\n"
    ),
    "pkg/worker.py": (
        "import runpod\n"
        "from pkg.config import CACHE, MODEL_ID\n"
        "app = runpod.App('env-demo')\n"
        "@app.queue(name='gen', gpu='ADA_24', workers=(1, 2), idle_timeout=1200,\n"
        "           execution_timeout_ms=60000, env={'HF_HOME': '/runpod-volume/hf'})\n"
        "def generate(prompt):\n"
        "    return {'m': MODEL_ID, 'c': CACHE}\n"
    ),
}


def test_module_level_env_reads_of_the_module_rc2s_worker_imports(tmp_path, run_cli):
    """FG108 on module-level reads (runpod 2.0): rc2's manifest names the handler's module,
    which the worker imports (with `pkg.config` through it), and the template's env holds only
    what env= renders (no .env, no deployer variables): flash-guard reports the read behind
    `MODEL_ID` and not the one env= passes, nor the one the body never uses."""
    result = run_discovery_or_skip(_MODULE_ENV_READS)
    assert result["error"] is None, result
    ((record,),) = [app["resources"] for app in result["apps"]]
    assert record["manifest_module"] == "pkg.worker"
    assert sorted(record["env"]) == ["HF_HOME"]
    for path, text in _MODULE_ENV_READS.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, "utf-8")
    (tmp_path / "requirements.txt").write_text("runpod==2.0.0rc2\n", "utf-8")
    code, out, _ = run_cli(["check", "--format", "json", "--select", "FG108", "."], tmp_path)
    found = [(f["path"], f["line"], f["message"]) for f in json.loads(out)["findings"]]
    assert [(p, line) for p, line, _ in found] == [("pkg/config.py", 2)]
    assert "reads `MODEL_ID` from the environment when the worker imports" in found[0][2]
