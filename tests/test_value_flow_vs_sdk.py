"""Differential test for value flow: every value flash-guard newly resolves (environment
defaults, wrappers, helpers, factories, settings objects, f-strings, dict lookups, shims) must
be what the real SDK builds from the same code.

The SDK oracle (tests/sdk_oracle.py) runs each project, concatenated into one module with its
project-internal imports removed, in a sandbox whose environment holds none of the variables
read here: an environment read with a default builds the default, which is what flash-guard
decides on. Candidate sets are checked the other way round: what the SDK built must be one of
the candidates flash-guard lists.
"""

from __future__ import annotations

import json
import re
import textwrap

import pytest
from sdk_oracle import run_oracle_or_skip

CASES: dict[str, dict[str, str]] = {
    "env-defaults-and-wrappers": {
        "w.py": """
        import os
        from runpod_flash import Endpoint, GpuType

        IDLE = int(os.getenv("IDLE_S", "1200"))
        PREFIX = os.environ.get("PREFIX", "svc")
        MAX_W = int(os.environ.get("MAX_W", 4))

        @Endpoint(
            name=f"{PREFIX}-embed",
            gpu=GpuType.NVIDIA_L4,
            workers=(int(float(os.getenv("MIN_W", "1.0"))), MAX_W),
            idle_timeout=IDLE,
            execution_timeout_ms=os.getenv("EXEC", 60) * 1000 if False else 60_000,
        )
        async def f(x): ...
        """
    },
    "dict-views-in-comprehensions": {
        "w.py": """
        from dataclasses import dataclass

        from runpod_flash import Endpoint, GpuGroup

        @dataclass(frozen=True, kw_only=True)
        class Tier:
            name: str
            idle: int

        TIERS = {"gpu": Tier(name="std", idle=1200)}
        IDLE = {t.name: t.idle for t in TIERS.values()}
        LIMITS = {"exec": 90_000, "max": 4}
        COPY = {k: LIMITS[k] for k in LIMITS.keys()}

        @Endpoint(
            name="views",
            gpu=GpuGroup.ADA_24,
            workers=(1, COPY["max"]),
            idle_timeout=IDLE["std"],
            execution_timeout_ms=COPY["exec"],
        )
        async def f(x): ...
        """
    },
    "instance-attribute-through-a-subscript": {
        "w.py": """
        from dataclasses import dataclass

        from runpod_flash import Endpoint, GpuGroup

        @dataclass
        class Backend:
            name: str
            workers: int = 1
            idle: int = 600

        BACKENDS = {"a": Backend(name="alpha-worker", workers=3), "b": Backend("beta", idle=900)}
        ORDER = [Backend("first", 2)]

        @Endpoint(
            name=BACKENDS["a"].name,
            gpu=GpuGroup.ADA_24,
            workers=(ORDER[0].workers, BACKENDS["a"].workers),
            idle_timeout=BACKENDS["b"].idle,
        )
        async def f(x): ...
        """
    },
    "wrapper-helpers-across-modules": {
        "settings.py": """
        import os

        def env_int(name, default):
            return int(os.getenv(name, default))

        def env_str(name: str, default: str = "helper-default") -> str:
            return os.environ.get(name, default)
        """,
        "worker.py": """
        from runpod_flash import Endpoint, GpuGroup
        from settings import env_int, env_str

        @Endpoint(
            name=env_str("EP_NAME"),
            gpu=GpuGroup.ADA_24,
            workers=(env_int("MIN_WORKERS", 1), env_int("MAX_WORKERS", 8)),
            idle_timeout=env_int("IDLE", 1500),
            execution_timeout_ms=env_int("EXEC_MS", 90_000),
        )
        async def f(x): ...
        """,
    },
    "factory-locals-enum-helpers": {
        "hardware.py": """
        from runpod_flash import CpuInstanceType, GpuType

        GPU_NAME = "NVIDIA_GEFORCE_RTX_4090"

        def pick_gpu():
            return getattr(GpuType, GPU_NAME, GpuType.NVIDIA_L4)

        def fallback_gpu():
            return getattr(GpuType, "NO_SUCH_GPU", GpuType.NVIDIA_A40)

        def by_name():
            return GpuType["NVIDIA_L4"]

        def small_cpu():
            return CpuInstanceType.CPU3C_2_4
        """,
        "endpoints.py": """
        from runpod_flash import Endpoint
        from hardware import by_name, fallback_gpu, pick_gpu, small_cpu

        def gpu_endpoint(name: str, gpu, top: int = 4) -> Endpoint:
            idle = 900
            timeout_ms = 5 * 60 * 1000
            return Endpoint(
                name=name,
                gpu=gpu,
                workers=(1, top),
                idle_timeout=idle + 100,
                execution_timeout_ms=timeout_ms,
            )

        upscaler = gpu_endpoint("upscaler", pick_gpu())
        fallback = gpu_endpoint("fallback", fallback_gpu(), top=2)
        named = gpu_endpoint("named", by_name(), 3)
        thumbnailer = Endpoint(name="thumbnailer", cpu=small_cpu(), workers=(1, 2))

        @upscaler
        async def a(x): ...

        @fallback
        async def b(x): ...

        @named
        async def c(x): ...

        @thumbnailer
        async def d(x): ...
        """,
    },
    "dict-lookups-with-known-keys": {
        "w.py": """
        from runpod_flash import Endpoint, GpuType

        TIER = "medium"
        GPU_BY_TIER = {"small": GpuType.NVIDIA_L4, "medium": GpuType.NVIDIA_A40}
        WORKERS_BY_TIER = {"small": (1, 2), "medium": (2, 6)}
        IDLE = {"small": 900}

        @Endpoint(
            name="tiered",
            gpu=GPU_BY_TIER[TIER],
            workers=WORKERS_BY_TIER.get(TIER, (1, 1)),
            idle_timeout=IDLE.get(TIER, 1800),
        )
        async def f(x): ...
        """
    },
    "settings-objects": {
        "config.py": """
        from dataclasses import dataclass, field
        from functools import lru_cache

        from pydantic import Field
        from pydantic_settings import BaseSettings

        @dataclass
        class Limits:
            min_workers: int = 1
            max_workers: int = field(default=5)

        class Plain:
            IDLE = 1300

        class AppSettings(BaseSettings):
            exec_ms: int = 45_000
            name: str = Field(default="from-settings")

        limits = Limits()

        @lru_cache
        def get_settings() -> AppSettings:
            return AppSettings()
        """,
        "worker.py": """
        from runpod_flash import Endpoint, GpuType
        from config import Plain, get_settings, limits

        settings = get_settings()

        @Endpoint(
            name=settings.name,
            gpu=GpuType.NVIDIA_L4,
            workers=(limits.min_workers, limits.max_workers),
            idle_timeout=Plain().IDLE,
            execution_timeout_ms=get_settings().exec_ms,
        )
        async def f(x): ...
        """,
    },
    "legacy-factory-remote": {
        "resources.py": """
        from runpod_flash import GpuGroup, LiveServerless

        def get_config(name: str, *, max_workers: int = 2) -> LiveServerless:
            return LiveServerless(
                name=name,
                gpus=[GpuGroup.AMPERE_48],
                workersMin=1,
                workersMax=max_workers,
                idleTimeout=1000,
                executionTimeoutMs=600_000,
            )
        """,
        "jobs.py": """
        from runpod_flash import remote
        from resources import get_config

        @remote(resource_config=get_config("img-gen", max_workers=4))
        async def generate(prompt): ...

        @remote(get_config("upscale"))
        async def upscale(image): ...
        """,
    },
    "import-shim": {
        "flash_compat.py": """
        import importlib
        from functools import lru_cache

        @lru_cache(maxsize=1)
        def _sdk():
            return importlib.import_module("runpod_flash")

        def endpoint_class():
            return _sdk().Endpoint

        def gpu_types():
            return _sdk().GpuType
        """,
        "worker.py": """
        from flash_compat import endpoint_class, gpu_types

        Endpoint = endpoint_class()
        GpuType = gpu_types()

        @Endpoint(name="shim-worker", gpu=GpuType.NVIDIA_A40, workers=(1, 2), idle_timeout=950)
        async def work(payload): ...
        """,
    },
    "applied-in-function-and-fstrings": {
        "w.py": """
        from runpod_flash import Endpoint, GpuType

        PROJECT = "acme"
        GPU = GpuType.NVIDIA_A40 if PROJECT else GpuType.NVIDIA_L4
        BASE = 300

        def serve(fn):
            return Endpoint(
                name=f"{PROJECT}-late",
                gpu=GPU,
                workers=(1, 2),
                idle_timeout=BASE * 3 + 60,
            )(fn)

        async def _detect(payload): ...

        detect = serve(_detect)
        """
    },
    "stage-config-keyed-by-env": {
        "settings.py": """
        import os

        STAGE = os.getenv("STAGE", "dev")
        STAGE_CONFIG = {
            "dev": {"workers": (0, 1), "idle_timeout": 300, "gpu": "NVIDIA_L4"},
            "prod": {"workers": (1, 5), "idle_timeout": 1800, "gpu": "NVIDIA_A100_80GB_PCIe"},
        }
        CFG = STAGE_CONFIG[os.getenv("STAGE", "dev")]
        LIMITS = {"dev": 60_000, "prod": 600_000}
        """,
        "w.py": """
        from runpod_flash import Endpoint, GpuType
        from settings import CFG, LIMITS, STAGE, STAGE_CONFIG

        @Endpoint(
            name=f"embed-{STAGE}",
            gpu=GpuType[CFG["gpu"]],
            workers=CFG["workers"],
            idle_timeout=STAGE_CONFIG[STAGE]["idle_timeout"],
            execution_timeout_ms=LIMITS.get(STAGE, 1000),
        )
        async def f(x): ...
        """,
    },
    "dataclass-positional-fields": {
        "config.py": """
        from dataclasses import KW_ONLY, dataclass
        from typing import ClassVar

        from runpod_flash import GpuType

        @dataclass(frozen=True)
        class Tier:
            kind: ClassVar[str] = "tier"
            gpu: GpuType
            workers: tuple
            idle: int = 900
            _: KW_ONLY
            timeout_ms: int = 60_000

        SMALL = Tier(GpuType.NVIDIA_L4, (1, 2))
        LARGE = Tier(GpuType.NVIDIA_A100_80GB_PCIe, (2, 4), 1500, timeout_ms=600_000)
        """,
        "w.py": """
        from runpod_flash import Endpoint
        from config import LARGE, SMALL

        @Endpoint(name="dc-small", gpu=SMALL.gpu, workers=SMALL.workers,
                  idle_timeout=SMALL.idle, execution_timeout_ms=SMALL.timeout_ms)
        async def small(x): ...

        @Endpoint(name="dc-large", gpu=LARGE.gpu, workers=LARGE.workers,
                  idle_timeout=LARGE.idle, execution_timeout_ms=LARGE.timeout_ms)
        async def large(x): ...
        """,
    },
    # `hasattr` on an SDK enum is decided from the release tables: ADA_24 is a GpuGroup, never
    # a GpuType; NVIDIA_L4 is a GpuType in every release; the RTX PRO 6000 types came in 1.9,
    # so the release in use (the newest, 1.21.0, as installed) decides.
    "hasattr-on-sdk-enums": {
        "w.py": """
        from runpod_flash import Endpoint, GpuType

        PRO = "NVIDIA_RTX_PRO_6000_BLACKWELL_SERVER_EDITION"
        NEVER = GpuType.ADA_24 if hasattr(GpuType, "ADA_24") else GpuType.NVIDIA_GEFORCE_RTX_4090
        ALWAYS = GpuType.NVIDIA_L4 if hasattr(GpuType, "NVIDIA_L4") else GpuType.NVIDIA_A40
        BY_RELEASE = (
            GpuType.NVIDIA_RTX_PRO_6000_BLACKWELL_SERVER_EDITION
            if hasattr(GpuType, PRO)
            else GpuType.NVIDIA_A40
        )

        @Endpoint(name="never", gpu=NEVER, workers=(1, 2), idle_timeout=1200,
                  execution_timeout_ms=60_000)
        async def never(x): ...

        @Endpoint(name="always", gpu=ALWAYS, workers=(1, 2), idle_timeout=1200,
                  execution_timeout_ms=60_000)
        async def always(x): ...

        @Endpoint(name="by-release", gpu=BY_RELEASE, workers=(1, 2), idle_timeout=1200,
                  execution_timeout_ms=60_000)
        async def by_release(x): ...
        """
    },
    "walrus-in-keywords": {
        "w.py": """
        from runpod_flash import Endpoint, GpuType

        @Endpoint(
            name=(ep_name := "walrus-embed"),
            gpu=GpuType.NVIDIA_L4,
            workers=(low := 1, 3),
            idle_timeout=(idle := 20 * 60),
            execution_timeout_ms=(limit := 90_000),
        )
        async def f(x): ...
        """
    },
    # A factory that normalises its own parameters before building (h42): the rebound value
    # is what the Endpoint gets, and the rebinding reads the parameter.
    "factory-rebinds-its-parameters": {
        "w.py": """
        from runpod_flash import Endpoint, GpuGroup

        DEFAULTS = {"idle_timeout": 1000, "workers": (1, 2), "execution_timeout_ms": 60_000}

        def gpu_endpoint(name, gpu=None, **kw):
            kw = {**DEFAULTS, **kw}
            gpu = gpu or GpuGroup.ADA_24
            return Endpoint(name=name, gpu=gpu, **kw)

        def strict_endpoint(name, **kw):
            kw = {k: v for k, v in kw.items() if k != "idle_timeout"}
            return Endpoint(name=name, idle_timeout=901, execution_timeout_ms=30_000, **kw)

        @gpu_endpoint("merged", idle_timeout=1300)
        async def f(x): ...

        @strict_endpoint("filtered", gpu=GpuGroup.AMPERE_80, idle_timeout=60, workers=(2, 5))
        async def g(x): ...
        """
    },
    # A module-level name bound again (h42): each decorator reads the value bound before it.
    "constant-rebound-between-declarations": {
        "w.py": """
        from runpod_flash import Endpoint, GpuGroup

        SCALE = (1, 2)
        IDLE = 900
        @Endpoint(name="first", gpu=GpuGroup.ADA_24, workers=SCALE, idle_timeout=IDLE,
                  execution_timeout_ms=60_000)
        async def f(x): ...

        SCALE = (2, 6)
        IDLE = IDLE * 2
        @Endpoint(name="second", gpu=GpuGroup.ADA_24, workers=SCALE, idle_timeout=IDLE,
                  execution_timeout_ms=60_000)
        async def g(x): ...
        """
    },
    # Workers bounds read from the environment are strings: Endpoint() runs int() on each
    # bound, a legacy class's pydantic fields read them as numbers (min 1 is warm, not '1').
    "worker-bounds-as-numbers": {
        "w.py": """
        import os
        from runpod_flash import Endpoint, GpuGroup, GpuType, LiveServerless, remote

        @Endpoint(
            name="env-bounds",
            gpu=GpuType.NVIDIA_L4,
            workers=(os.getenv("MIN_W", "1"), os.environ.get("MAX_W", "3")),
            idle_timeout=900,
            execution_timeout_ms=1000,
        )
        async def f(x): ...

        @Endpoint(name="odd-bounds", gpu=GpuType.NVIDIA_L4, workers=[True, 2.9], idle_timeout=900)
        async def g(x): ...

        legacy = LiveServerless(
            name="legacy-bounds", gpus=[GpuGroup.ADA_24], workersMin=os.getenv("MIN_W", "1"),
            workersMax="4", idleTimeout=900, executionTimeoutMs=1000,
        )

        @remote(legacy)
        async def h(x): ...
        """
    },
    # `os` under another name reads the environment all the same.
    "os-aliases": {
        "w.py": """
        import os as _os
        from os import environ as ENV, getenv as env_get
        from runpod_flash import Endpoint, GpuType

        @Endpoint(
            name="os-aliases",
            gpu=GpuType.NVIDIA_L4,
            workers=(int(env_get("MIN_W", "1")), int(ENV.get("MAX_W", "3"))),
            idle_timeout=int(_os.getenv("IDLE_S", "1200")),
            execution_timeout_ms=int(_os.environ.get("EXEC_MS", "60000")),
        )
        async def f(x): ...
        """
    },
}

# An environment-dependent choice: flash-guard lists candidates, the SDK builds one of them.
CANDIDATE_CASE = {
    "w.py": """
    import os
    from runpod_flash import Endpoint, GpuType

    STAGE = os.getenv("STAGE", "dev")
    if STAGE == "prod":
        IDLE = 1200
    else:
        IDLE = 900

    @Endpoint(name="staged", gpu=GpuType.NVIDIA_L4, workers=(1, 2), idle_timeout=IDLE)
    async def f(x): ...
    """
}


# Numbers read from the environment arrive as strings. `Endpoint` keeps the string, and the
# resource config it builds (what `flash build` records and `flash deploy` sends) is a pydantic
# model whose `int` fields read a string of digits as the number.
STRING_NUMBERS_CASE = {
    "w.py": """
    import os
    from runpod_flash import Endpoint, GpuType

    EXEC_MS = os.getenv("EXEC_TIMEOUT_MS", "600000")

    @Endpoint(
        name="string-numbers",
        gpu=GpuType.NVIDIA_L4,
        workers=(1, 2),
        idle_timeout=os.environ.get("IDLE_TIMEOUT", " 1200 "),
        execution_timeout_ms=EXEC_MS,
    )
    async def f(x): ...
    """
}


def oracle_snippet(files: dict[str, str]) -> str:
    """The project as one module: files in order, project-internal imports removed."""
    internal = {name[:-3].replace("/", ".") for name in files}
    pattern = re.compile(r"^from\s+(\.?[\w.]*)\s+import\s+.*$", re.M)
    parts = []
    for text in files.values():
        source = textwrap.dedent(text)
        parts.append(
            pattern.sub(lambda m: "" if m.group(1).lstrip(".") in internal else m.group(0), source)
        )
    return "\n".join(parts)


def _member(value):
    return str(value).rsplit(".", 1)[-1]


def guard_values(record: dict) -> dict:
    params = record["params"]
    workers = params["workers"]["value"]
    gpu = params.get("gpu", {}).get("value") if record["compute"] == "gpu" else None
    cpu = params.get("cpu", {}).get("value") if record["compute"] == "cpu" else None
    return {
        "workers": (workers["min"], workers["max"]),
        "idle_timeout": params["idle_timeout"]["value"],
        "execution_timeout_ms": params["execution_timeout_ms"]["value"],
        "gpu": sorted(_member(g) for g in gpu) if gpu else None,
        "cpu": sorted(_member(c) for c in cpu) if cpu else None,
    }


def sdk_values(entry: dict) -> dict:
    gpu = entry.get("gpu") if not entry["is_cpu"] else None
    cpu = entry.get("cpu") if entry["is_cpu"] else None
    return {
        "workers": (entry["workers_min"], entry["workers_max"]),
        "idle_timeout": entry["idle_timeout"],
        "execution_timeout_ms": entry["execution_timeout_ms"],
        "gpu": sorted(_member(g) for g in gpu) if gpu else None,
        "cpu": sorted(_member(c) for c in cpu) if cpu else None,
    }


@pytest.fixture(scope="module")
def sdk_results():
    snippets = [oracle_snippet(f) for f in [*CASES.values(), CANDIDATE_CASE, STRING_NUMBERS_CASE]]
    results = run_oracle_or_skip(snippets)
    return dict(zip([*CASES, "candidates", "string-numbers"], results, strict=True))


def _inventory(project, run_cli, files: dict[str, str]) -> dict[str, dict]:
    code, out, err = run_cli(["endpoints", "--format", "json", "."], project(files))
    assert code == 0, err
    return {r["name"]: r for r in json.loads(out)["endpoints"] if r["kind"] != "client"}


@pytest.mark.parametrize("case", list(CASES))
def test_resolved_values_equal_what_the_sdk_builds(case, sdk_results, project, run_cli):
    sdk = sdk_results[case]
    assert sdk["error"] is None, sdk["error"]
    guard = _inventory(project, run_cli, CASES[case])
    built = {e["name"]: e for e in sdk["endpoints"] if not e["is_client"]}
    assert sorted(guard) == sorted(built)
    for name, entry in built.items():
        record = guard[name]
        for key in ("workers", "idle_timeout", "execution_timeout_ms"):
            assert record["params"][key.split(".")[0]]["value"] is not None, (name, key)
        assert guard_values(record) == sdk_values(entry), name


def test_candidates_include_what_the_sdk_builds(sdk_results, project, run_cli):
    from flash_guard.discover.analysis import analyse

    sdk = sdk_results["candidates"]
    assert sdk["error"] is None, sdk["error"]
    [entry] = sdk["endpoints"]
    root = project(CANDIDATE_CASE)
    [endpoint] = analyse([str(root)], root, [], False).endpoints
    idle = endpoint.params["idle_timeout"]
    assert not idle.known  # not one value, but a set of candidates
    candidates = sorted(c.value for c in idle.candidates)
    assert candidates == [900, 1200]
    assert entry["idle_timeout"] in candidates


def test_string_numbers_are_the_numbers_the_resource_config_holds(sdk_results, project, run_cli):
    sdk = sdk_results["string-numbers"]
    assert sdk["error"] is None, sdk["error"]
    [entry] = sdk["endpoints"]
    resource = entry["resource"]
    assert entry["build_error"] is None, entry["build_error"]
    guard = _inventory(project, run_cli, STRING_NUMBERS_CASE)["string-numbers"]["params"]
    assert guard["execution_timeout_ms"]["value"] == resource["executionTimeoutMs"]
    assert guard["idle_timeout"]["value"] == resource["idleTimeout"]
    # The limit is set, so FG104 has nothing to report (it used to call '600000' "no limit").
    code, out, _ = run_cli(["check", "--format", "json", "."], project(STRING_NUMBERS_CASE))
    assert "FG104" not in {f["code"] for f in json.loads(out)["findings"]}, out


# `for key in KEYS: value = os.getenv(key, ""); if value: env[key] = value`: flash-guard lists
# every key the loop may set (the set is under an `if`), each value the environment read; the
# SDK, run with none of the variables and with all of them, builds a subset and all of them.
LOOP_ENV_CASE = {
    "w.py": """
    import os
    from runpod_flash import Endpoint, GpuType

    def endpoint_env():
        env = {"VOLUME_ROOT": os.getenv("VOLUME_ROOT", "/runpod-volume")}
        for key in ["HF_TOKEN", "MODEL_SOURCE"]:
            value = os.getenv(key, "").strip()
            if value:
                env[key] = value
        return env

    @Endpoint(name="loop-env", gpu=GpuType.NVIDIA_L4, workers=(1, 2), env=endpoint_env())
    async def f(x): ...
    """
}


def test_keys_a_loop_sets_cover_what_the_sdk_builds(project, run_cli):
    snippet = oracle_snippet(LOOP_ENV_CASE)
    [bare] = run_oracle_or_skip([snippet])
    [passed] = run_oracle_or_skip([snippet], env={"HF_TOKEN": "hf_x", "MODEL_SOURCE": "civitai"})
    guard = _inventory(project, run_cli, LOOP_ENV_CASE)["loop-env"]["params"]["env"]["value"]
    assert set(guard) == {"VOLUME_ROOT", "HF_TOKEN", "MODEL_SOURCE"}
    built = {}
    for name, sdk in (("bare", bare), ("passed", passed)):
        assert sdk["error"] is None, sdk["error"]
        [entry] = sdk["endpoints"]
        built[name] = entry["env"]
    assert built["bare"] == {"VOLUME_ROOT": guard["VOLUME_ROOT"]}
    assert set(built["passed"]) == set(guard)


def test_a_name_the_module_never_binds_is_a_name_error_at_import(project, run_cli):
    """FG002 says `GpuGroup` is not defined (a NameError at import); the SDK, running the same
    module, fails with exactly that."""
    files = {
        "w.py": """
        from runpod_flash import Endpoint

        @Endpoint(name="undefined", gpu=GpuGroup.ANY, workers=(1, 2))
        async def f(x): ...
        """
    }
    [sdk] = run_oracle_or_skip([oracle_snippet(files)])
    assert sdk["error"]["type"] == "NameError", sdk["error"]
    assert "GpuGroup" in sdk["error"]["message"], sdk["error"]
    code, out, _ = run_cli(["check", "--format", "json", "."], project(files))
    messages = [f["message"] for f in json.loads(out)["findings"] if f["code"] == "FG002"]
    assert any("`GpuGroup` is not defined in this module" in m for m in messages), messages
