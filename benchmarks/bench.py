#!/usr/bin/env python3
"""Time flash-guard against ruff on a large tree and on a pre-commit sized call.

Run by hand, never by the test suite. Usage and method: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# Targets (issue 17), as flash-guard / ruff: ruff always runs without its cache (--no-cache),
# so each ratio compares flash-guard in that state against the same reference.
TREE_RATIO_TARGET = 1.0  # cold: flash-guard with an empty facts cache
WARM_RATIO_TARGET = 0.6  # the same tree, the facts cache written by an earlier run
REALISTIC_RATIO_TARGET = 1.0  # long real-looking Flash modules, warm
BIG_RATIO_TARGET = 0.4  # the 20,000-file tree, warm
PRECOMMIT_RATIO_TARGET = 5.0
PRECOMMIT_TARGET_S = 0.060  # warm, absolute
PEAK_RSS_TARGET = 100 * 2**20  # the tree with --apps 1600, cold
PEAK_RSS_APPS = 1600  # the target is judged only on a tree at least this big
PRECOMMIT_FILES = 50
PRECOMMIT_FLASH_FILES = 30  # the rest of the 50 are plain modules without Flash imports
RUFF_ARGS = ["check", "--no-cache", "--isolated", "--select", "E9,F63"]
# Written into a --tree DIR we built, so that a rerun may wipe that DIR and no other.
MARKER = ".flash-guard-bench"
SKIP_STDLIB_DIRS = {"site-packages", "dist-packages", "__pycache__"}
# ru_maxrss is KiB on Linux and the BSDs but bytes on macOS.
RSS_UNIT = 1 if sys.platform == "darwin" else 1024


# --------------------------------------------------------------------------- Flash app generator

# Generated code spells Flash names through FlashNames, so every import style is exercised.
ALIASES = {"Endpoint": "FlashEndpoint", "GpuType": "Gpu", "GpuGroup": "Pool"}
MODERN_STYLES = ["plain", "plain", "aliased", "module", "submodule"]
LEGACY_STYLES = ["legacy", "tetra"]

GPU_VALUES = [
    "{GpuType}.NVIDIA_L4",
    "{GpuType}.NVIDIA_GEFORCE_RTX_4090",
    "{GpuType}.NVIDIA_H100_80GB_HBM3",
    "{GpuType}.NVIDIA_A100_80GB_PCIe",
    "{GpuGroup}.ADA_24",
    "{GpuGroup}.AMPERE_80",
    "{GpuGroup}.ANY",
    "[{GpuType}.NVIDIA_L4, {GpuType}.NVIDIA_RTX_A5000]",
]
CPU_VALUES = ['"cpu3c-1-2"', '"cpu3g-2-8"', '"cpu5c-4-8"']
WORKER_VALUES = ["(1, 3)", "(0, 1)", "3", "[1, 5]", "(2, 10)", "WORKERS"]
IDLE_VALUES = ["IDLE_TIMEOUT", "900", "1200", "60 * 30", "5"]
EXEC_VALUES = ["EXEC_TIMEOUT_MS", "30 * 60 * 1000", "600_000"]
ENV_VALUES = [
    '{"HF_TOKEN": os.environ.get("HF_TOKEN", ""), "MODEL_ID": MODEL_ID}',
    '{**BASE_ENV, "HF_TOKEN": os.environ.get("HF_TOKEN", "")}',
    'dict(BASE_ENV, LOG_LEVEL="debug")',
    "BASE_ENV",
]
DEPENDENCY_VALUES = ['["torch", "transformers"]', '["diffusers", "accelerate"]', '["numpy"]']
MODEL_IDS = [
    "meta-llama/Llama-3.1-8B-Instruct",
    "mistralai/Mistral-7B-Instruct-v0.3",
    "BAAI/bge-large-en-v1.5",
    "stabilityai/stable-diffusion-xl-base-1.0",
    "openai/whisper-large-v3",
]

# Function bodies by the function name that suits them.
GPU_BODIES = {
    "generate": """\
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(MODEL_ID, token=os.environ.get("HF_TOKEN"))
    model = AutoModelForCausalLM.from_pretrained(MODEL_ID, device_map="auto")
    inputs = tokenizer(data["prompt"], return_tensors="pt").to(model.device)
    output = model.generate(**inputs, max_new_tokens=data.get("max_tokens", 256))
    return {"text": tokenizer.decode(output[0], skip_special_tokens=True)}
""",
    "embed": """\
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(MODEL_ID, token=os.environ.get("HF_TOKEN"))
    vectors = model.encode(data["texts"], normalize_embeddings=True)
    return {"embeddings": vectors.tolist(), "dim": int(vectors.shape[1])}
""",
    "render": """\
    import torch
    from diffusers import DiffusionPipeline

    pipe = DiffusionPipeline.from_pretrained(MODEL_ID, torch_dtype=torch.float16).to("cuda")
    image = pipe(data["prompt"], num_inference_steps=data.get("steps", 30)).images[0]
    return {"width": image.width, "height": image.height}
""",
    "transcribe": """\
    from transformers import pipeline

    asr = pipeline("automatic-speech-recognition", model=MODEL_ID, device=0)
    return {"text": asr(data["audio_url"])["text"]}
""",
}
CPU_BODIES = {
    "summarize": """\
    import statistics

    values = [float(v) for v in data.get("values", [])]
    if not values:
        return {"count": 0}
    return {"count": len(values), "mean": statistics.fmean(values), "max": max(values)}
""",
    "count_words": """\
    words = str(data.get("text", "")).split()
    counts = {}
    for word in words:
        counts[word.lower()] = counts.get(word.lower(), 0) + 1
    return {"words": len(words), "top": sorted(counts, key=counts.get, reverse=True)[:5]}
""",
    "fingerprint": """\
    import hashlib

    payload = str(data.get("payload", "")).encode()
    return {"sha256": hashlib.sha256(payload).hexdigest(), "size": len(payload)}
""",
}
CONSTANT_NAMES = ["BASE_ENV", "EXEC_TIMEOUT_MS", "IDLE_TIMEOUT", "MODEL_ID", "WORKERS"]
ROUTE_PATHS = ["/predict", "/v1/generate", "/embed", "/batch", "/status", "/v1/items", "/jobs"]

PLAIN_TEMPLATES = [
    '''\
"""Request helpers for the services (module {n})."""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass
class Request{n}:
    prompt: str
    max_tokens: int = 256

    def to_payload(self) -> dict:
        return {{"input": {{"prompt": self.prompt, "max_tokens": self.max_tokens}}}}


def parse_{n}(raw: str) -> Request{n}:
    data = json.loads(raw)
    return Request{n}(prompt=str(data["prompt"]), max_tokens=int(data.get("max_tokens", 256)))
''',
    '''\
"""Retry and logging utilities (module {n})."""

import logging
import time

log = logging.getLogger(__name__)


def retry_{n}(func, attempts: int = 3, delay: float = 0.5):
    for attempt in range(1, attempts + 1):
        try:
            return func()
        except OSError as exc:
            log.warning("attempt %d/%d failed: %s", attempt, attempts, exc)
            time.sleep(delay * attempt)
    raise RuntimeError("all attempts failed")
''',
]


class FlashNames:
    """How one generated file spells the Flash names it uses, given its import style."""

    def __init__(self, style: str) -> None:
        self.style = style
        self.used: set[str] = set()

    def __getitem__(self, name: str) -> str:
        # A mapping, so templates can be filled with str.format_map(names).
        self.used.add(name)
        if self.style == "module":
            return f"rf.{name}"
        if self.style == "aliased":
            return ALIASES.get(name, name)
        return name

    def import_lines(self) -> list[str]:
        names = sorted(self.used)
        if self.style == "module":
            return ["import runpod_flash as rf"]
        if self.style == "aliased":
            parts = [f"{n} as {ALIASES[n]}" if n in ALIASES else n for n in names]
            return [from_import("runpod_flash", parts)]
        if self.style == "submodule":
            return submodule_imports(names)
        return [from_import("tetra_rp" if self.style == "tetra" else "runpod_flash", names)]


def submodule_imports(names: list[str]) -> list[str]:
    """Import each name from its defining submodule (the paths flash-sdk.md §1.1 lists)."""
    lines = []
    if "Endpoint" in names:
        lines.append("from runpod_flash.endpoint import Endpoint")
    if "remote" in names:
        lines.append("from runpod_flash.client import remote")
    rest = [n for n in names if n not in ("Endpoint", "remote")]
    if rest:
        lines.append(from_import("runpod_flash.core.resources", rest))
    return lines


def from_import(module: str, parts: list[str]) -> str:
    line = f"from {module} import {', '.join(parts)}"
    if len(line) <= 88:
        return line
    inner = "".join(f"    {part},\n" for part in parts)
    return f"from {module} import (\n{inner})"


def call(func: str, kwargs: list[tuple[str, str]]) -> str:
    """Render func(k=v, ...), one argument per line when it would not fit on one."""
    line = f"{func}({', '.join(f'{k}={v}' for k, v in kwargs)})"
    if len(line) <= 88:
        return line
    inner = "".join(f"    {k}={v},\n" for k, v in kwargs)
    return f"{func}(\n{inner})"


@dataclass
class AppFile:
    """One generated module: its blocks accumulate while declarations are added."""

    names: FlashNames
    docstring: str
    blocks: list[str] = field(default_factory=list)
    functions: set[str] = field(default_factory=set)

    def function_name(self, stem: str) -> str:
        # Unique within the file: a redefinition would shadow an endpoint.
        name, n = stem, 2
        while name in self.functions:
            name, n = f"{stem}_{n}", n + 1
        self.functions.add(name)
        return name


@dataclass
class App:
    """A generated Flash app: its files and how many declarations it holds."""

    package: str
    files: dict[str, str] = field(default_factory=dict)
    endpoints: int = 0  # deployable declarations: QB, LB, image=
    clients: int = 0  # Endpoint(id=...) clients, which deploy nothing

    @property
    def slug(self) -> str:
        # Endpoint names carry the app, so that names stay unique across the whole tree.
        return self.package.replace("_", "-")


def constants_block(rng: random.Random) -> str:
    model = rng.choice(MODEL_IDS)
    idle = rng.choice([300, 900, 1200, 1800])
    minutes = rng.choice([5, 10, 20, 30])
    return (
        f'MODEL_ID = "{model}"\n'
        f"IDLE_TIMEOUT = {idle}\n"
        f"EXEC_TIMEOUT_MS = {minutes} * 60 * 1000\n"
        f"WORKERS = (1, {rng.choice([2, 3, 5])})\n"
        'BASE_ENV = {"HF_HOME": "/runpod-volume/hf", "LOG_LEVEL": "info"}\n'
    )


def endpoint_kwargs(
    rng: random.Random, names: FlashNames, name: str, compute: str
) -> list[tuple[str, str]]:
    """Keyword arguments of one Endpoint(...): each optional one appears with some probability."""
    kwargs = [("name", f'"{name}"')]
    if compute == "cpu":
        kwargs.append(("cpu", rng.choice(CPU_VALUES)))
    elif rng.random() < 0.9:
        kwargs.append(("gpu", rng.choice(GPU_VALUES).format_map(names)))
    optional = [
        (0.85, "workers", WORKER_VALUES),
        (0.7, "idle_timeout", IDLE_VALUES),
        (0.5, "execution_timeout_ms", EXEC_VALUES),
        (0.6, "env", ENV_VALUES),
        (0.4, "dependencies", DEPENDENCY_VALUES),
    ]
    for chance, key, values in optional:
        if rng.random() < chance:
            kwargs.append((key, rng.choice(values)))
    if rng.random() < 0.05:
        # A literal secret now and then, as real code has: fake, generated per run.
        kwargs.append(("env", f'{{"OPENAI_API_KEY": "sk-proj-{rng.getrandbits(96):024x}"}}'))
    if compute == "gpu" and rng.random() < 0.15:
        volume = call(names["NetworkVolume"], [("name", f'"{name}-models"'), ("size", "200")])
        kwargs.append(("volume", volume))
    if rng.random() < 0.1:
        kwargs.append(("datacenter", f"{names['DataCenter']}.EU_RO_1"))
    return dedupe_keys(kwargs)


def dedupe_keys(kwargs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # A repeated keyword is a SyntaxError; the later value wins, as with dict.update.
    return list(dict(kwargs).items())


def pick_body(rng: random.Random, compute: str) -> tuple[str, str]:
    """A function name and a body that fits it: model code on GPU, plain Python on CPU."""
    bodies = CPU_BODIES if compute == "cpu" else GPU_BODIES
    stem = rng.choice(sorted(bodies))
    return stem, bodies[stem]


def function_block(decorators: list[str], name: str, body: str, is_async: bool = True) -> str:
    head = "async def" if is_async else "def"
    lines = [f"@{d}" for d in decorators]
    return "\n".join(lines) + f"\n{head} {name}(data: dict) -> dict:\n{body}"


def add_qb_function(rng: random.Random, app: App, file: AppFile, index: int) -> None:
    compute = "cpu" if rng.random() < 0.2 else "gpu"
    stem, body = pick_body(rng, compute)
    fn = file.function_name(stem)
    kwargs = endpoint_kwargs(rng, file.names, f"{app.slug}-{fn}", compute)
    decorator = call(file.names["Endpoint"], kwargs)
    file.blocks.append(function_block([decorator], fn, body, is_async=rng.random() < 0.8))
    app.endpoints += 1


def add_qb_class(rng: random.Random, app: App, file: AppFile, index: int) -> None:
    cls = f"Model{index}"
    kwargs = endpoint_kwargs(rng, file.names, f"{app.slug}-model{index}", "gpu")
    file.blocks.append(
        f"@{call(file.names['Endpoint'], kwargs)}\n"
        f"class {cls}:\n"
        "    def __init__(self):\n"
        "        from transformers import pipeline\n\n"
        '        self.pipe = pipeline("text-generation", model=MODEL_ID, device=0)\n\n'
        "    async def predict(self, data: dict) -> dict:\n"
        '        out = self.pipe(data["prompt"], max_new_tokens=data.get("max_tokens", 128))\n'
        '        return {"text": out[0]["generated_text"]}\n\n'
        "    def info(self) -> dict:\n"
        '        return {"model": MODEL_ID}\n'
    )
    app.endpoints += 1


def add_var_decorator(rng: random.Random, app: App, file: AppFile, index: int) -> None:
    var = f"worker{index}"
    kwargs = endpoint_kwargs(rng, file.names, f"{app.slug}-{var}", "gpu")
    stem, body = pick_body(rng, "gpu")
    file.blocks.append(f"{var} = {call(file.names['Endpoint'], kwargs)}\n")
    file.blocks.append(function_block([var], file.function_name(stem), body))
    app.endpoints += 1


def route_block(var: str, method: str, path: str, fn: str, body: str) -> str:
    return f'@{var}.{method}("{path}")\nasync def {fn}(data: dict) -> dict:\n{body}'


def add_lb_api(rng: random.Random, app: App, file: AppFile, index: int) -> None:
    """An LB endpoint with routes here and, half the time, more routes in routes.py."""
    var = "api" if index == 0 else f"api{index}"
    compute = "cpu" if rng.random() < 0.6 else "gpu"
    kwargs = endpoint_kwargs(rng, file.names, f"{app.slug}-{var}", compute)
    file.blocks.append(f"{var} = {call(file.names['Endpoint'], kwargs)}\n")
    file.functions.add("health")
    file.blocks.append(
        f'@{var}.get("/health")\nasync def health() -> dict:\n    return {{"ok": True}}\n'
    )
    paths = rng.sample(ROUTE_PATHS, 4)
    stem, body = pick_body(rng, "cpu")
    file.blocks.append(route_block(var, "post", paths[0], file.function_name(stem), body))
    if rng.random() < 0.5:
        app.files[f"{app.package}/routes.py"] = routes_file(rng, app.package, var, paths[1:])
    app.endpoints += 1


def routes_file(rng: random.Random, package: str, var: str, paths: list[str]) -> str:
    """A route module: it has no Flash import, only the endpoint object from main.py."""
    blocks = [f'"""Extra routes for {package}."""\n', f"from {package}.main import {var}\n"]
    for n, path in enumerate(paths[: rng.randint(1, 3)]):
        method = rng.choice(["get", "post", "put", "delete"])
        stem, body = pick_body(rng, "cpu")
        blocks.append(route_block(var, method, path, f"{stem}_{n}", body))
    return "\n\n".join(blocks)


def add_legacy(rng: random.Random, app: App, file: AppFile, index: int) -> None:
    """@remote with one of the legacy resource classes, inline or through a variable."""
    name = f"{app.slug}-legacy{index}"
    kind = rng.choice(["gpu", "gpu", "cpu", "lb"])
    if kind == "lb":
        add_legacy_lb(rng, file, name, index)
    else:
        add_legacy_qb(rng, file, name, index, kind)
    app.endpoints += 1


def add_legacy_lb(rng: random.Random, file: AppFile, name: str, index: int) -> None:
    # Both routes share one LiveLoadBalancer, so they are one endpoint.
    names, cfg = file.names, f"lb{index}"
    file.blocks.append(f'{cfg} = {names["LiveLoadBalancer"]}(name="{name}")\n')
    for method, path in [("GET", "/health"), ("POST", "/run")]:
        fn = file.function_name(f"legacy_{method.lower()}")
        decorator = f'{names["remote"]}({cfg}, method="{method}", path="{path}")'
        file.blocks.append(function_block([decorator], fn, pick_body(rng, "cpu")[1]))


def add_legacy_qb(rng: random.Random, file: AppFile, name: str, index: int, kind: str) -> None:
    names = file.names
    if kind == "cpu":
        instances = f"[{names['CpuInstanceType']}.CPU3C_1_2]"
        cfg = call(names["CpuLiveServerless"], [("name", f'"{name}"'), ("instanceIds", instances)])
        stem, body = pick_body(rng, "cpu")
    else:
        gpus = f"[{names['GpuGroup']}.{rng.choice(['ADA_24', 'AMPERE_24', 'AMPERE_80'])}]"
        kwargs = [("name", f'"{name}"'), ("gpus", gpus), ("workersMax", "2"), ("idleTimeout", "5")]
        cfg = call(names["LiveServerless"], kwargs)
        stem, body = pick_body(rng, "gpu")
    if rng.random() < 0.5:
        file.blocks.append(f"config{index} = {cfg}\n")
        decorator = f'{names["remote"]}(resource_config=config{index}, dependencies=["torch"])'
    else:
        decorator = f"{names['remote']}({cfg})"
    file.blocks.append(function_block([decorator], file.function_name(stem), body))


def add_image(rng: random.Random, app: App, file: AppFile, index: int) -> None:
    """A custom-image endpoint (deployed, then used as a client) with a caller."""
    var, names = f"vllm{index}", file.names
    kwargs = [
        ("name", f'"{app.slug}-vllm{index}"'),
        ("image", '"vllm/vllm-openai:latest"'),
        ("gpu", f"{names['GpuGroup']}.ADA_80_PRO"),
        ("workers", "(0, 2)"),
    ]
    file.blocks.append(f"{var} = {call(names['Endpoint'], kwargs)}\n")
    file.blocks.append(client_caller(file.function_name("complete"), var))
    app.endpoints += 1


def add_client(rng: random.Random, app: App, file: AppFile, index: int) -> None:
    """Endpoint(id=...): a client of an existing endpoint, which deploys nothing."""
    var = f"remote_model{index}"
    file.blocks.append(f'{var} = {file.names["Endpoint"]}(id="{rng.getrandbits(40):010x}")\n')
    file.blocks.append(client_caller(file.function_name("ask"), var))
    app.clients += 1


def client_caller(fn: str, var: str) -> str:
    return (
        f"async def {fn}(prompt: str) -> dict:\n"
        f'    job = await {var}.runsync({{"input": {{"prompt": prompt}}}}, timeout=120)\n'
        "    return job.output\n"
    )


MODERN_DECLARATIONS = [
    (add_qb_function, 5),
    (add_qb_class, 2),
    (add_var_decorator, 2),
    (add_lb_api, 3),
    (add_image, 1),
    (add_client, 1),
    (add_legacy, 1),  # apps midway through migrating off @remote
]


def generate_app(rng: random.Random, index: int) -> App:
    """One Flash app: main.py, sometimes config.py (constants) and routes.py (LB routes)."""
    app = App(package=f"app_{index:03d}")
    legacy = rng.random() < 0.15
    names = FlashNames(rng.choice(LEGACY_STYLES if legacy else MODERN_STYLES))
    main = AppFile(names, f"{app.package}: Runpod Flash workers.")
    adders = [add_legacy] * rng.randint(1, 2) if legacy else pick_declarations(rng)
    for n, add in enumerate(adders):
        add(rng, app, main, n)
    if rng.random() < 0.3:
        app.files[f"{app.package}/config.py"] = (
            f'"""Settings for {app.package}."""\n\n{constants_block(rng)}'
        )
        constants = from_import(f"{app.package}.config", CONSTANT_NAMES) + "\n"
    else:
        constants = constants_block(rng)
    app.files[f"{app.package}/main.py"] = render_main(main, constants)
    return app


def pick_declarations(rng: random.Random) -> list:
    funcs, weights = zip(*MODERN_DECLARATIONS, strict=True)
    chosen = rng.choices(funcs, weights=weights, k=rng.randint(1, 3))
    # At most one LB api per file keeps the route file's import unambiguous.
    first_lb = chosen.index(add_lb_api) if add_lb_api in chosen else len(chosen)
    return [f for n, f in enumerate(chosen) if f is not add_lb_api or n == first_lb]


def render_main(file: AppFile, constants: str) -> str:
    header = [f'"""{file.docstring}"""', "", "import os", "", *file.names.import_lines(), ""]
    return "\n".join(header) + "\n" + constants + "\n\n" + "\n\n".join(file.blocks)


def plain_module(rng: random.Random, n: int) -> str:
    return rng.choice(PLAIN_TEMPLATES).format(n=n)


# ------------------------------------------------------------------- realistic Flash modules
# Real Flash projects are not the short generated apps above: their modules are long, with
# many constants, helpers, classes and settings objects, and only a few declarations. Every
# module-level assignment is something extraction may convert, so these cost more per file.

SETTINGS_MODULE = """\
\"\"\"Settings of service {n}: defaults, overridable from the environment.\"\"\"

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

{constants}


@dataclass(frozen=True)
class Settings:
{fields}

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(**{{k.lower(): os.environ[k] for k in os.environ if k.startswith("SVC_")}})


settings = Settings()
"""

HELPER = """

def {name}(values: list[float], scale: float = {scale}, *, clip: bool = True) -> list[float]:
    \"\"\"Normalise `values` ({n}).\"\"\"
    total = sum(values) or 1.0
    out = [v * scale / total for v in values]
    if clip:
        out = [min(max(v, 0.0), {limit}) for v in out]
    for index, value in enumerate(out):
        if value > {limit} / 2:
            out[index] = round(value, {digits})
    return out
"""

CLASS = """

class {name}:
    \"\"\"A small stateful helper ({n}).\"\"\"

    RETRIES = {retries}
    BACKOFF = {backoff}
    LABELS = {labels}

    def __init__(self, name: str, size: int = {size}) -> None:
        self.name = name
        self.size = size
        self._cache: dict[str, int] = {{}}

    def key(self, item: str) -> str:
        return f"{{self.name}}:{{item}}"

    def remember(self, item: str, value: int) -> int:
        self._cache[self.key(item)] = value
        return value

    def lookup(self, item: str, default: int = 0) -> int:
        return self._cache.get(self.key(item), default)
"""

REALISTIC_ENDPOINT = """

@Endpoint(
    name=f"{{SERVICE}}-{n}",
    gpu=GpuGroup.ADA_24,
    workers=(0, settings.max_workers),
    idle_timeout=IDLE_TIMEOUT,
    env={{"MODEL_ID": MODEL_ID, "LOG_LEVEL": settings.log_level}},
    dependencies=["torch", "transformers"],
)
async def handler_{n}(data: dict) -> dict:
    from transformers import pipeline

    pipe = pipeline("text-generation", model=MODEL_ID)
    return {{"out": pipe(data["prompt"], max_new_tokens=MAX_NEW_TOKENS)}}
"""


def realistic_constants(rng: random.Random, count: int) -> str:
    kinds = [
        lambda i: f"LIMIT_{i} = {rng.randint(1, 10_000)}",
        lambda i: f"RATIO_{i} = {rng.random():.4f}",
        lambda i: f'NAME_{i} = "service-{rng.randint(0, 999)}"',
        lambda i: f"TIMEOUT_{i}_MS = {rng.randint(1, 60)} * 60 * 1000",
        lambda i: (
            f"SIZES_{i} = ({rng.randint(1, 9)}, {rng.randint(10, 99)}, {rng.randint(100, 999)})"
        ),
        lambda i: (
            f'TABLE_{i} = {{"a": {rng.randint(0, 9)}, "b": [{rng.randint(0, 9)}, 2, 3], "c": None}}'
        ),
        lambda i: f'PATH_{i} = os.path.join("/models", NAME_{max(i - 1, 0)} if {i} else "x")',
    ]
    lines = [f"NAME_0 = {rng.randint(0, 9)!r}"]
    lines += [rng.choice(kinds)(i) for i in range(1, count)]
    return "\n".join(lines)


def realistic_module(rng: random.Random, package: str, n: int, flash: bool) -> str:
    head = [f'"""Module {n} of {package}: helpers and constants."""', "", "import os", ""]
    if flash:
        head += [
            "from runpod_flash import Endpoint, GpuGroup",
            "",
            f"from {package}.settings import settings",
            "",
            f'SERVICE = "{package}"',
            f'MODEL_ID = "{rng.choice(MODEL_IDS)}"',
            f"IDLE_TIMEOUT = {rng.choice([60, 300, 900])}",
            "MAX_NEW_TOKENS = 256",
        ]
    parts = ["\n".join(head), realistic_constants(rng, rng.randint(60, 160))]
    for i in range(rng.randint(8, 20)):
        parts.append(
            HELPER.format(
                name=f"normalise_{n}_{i}",
                n=n,
                scale=rng.randint(1, 9),
                limit=rng.randint(10, 99),
                digits=rng.randint(1, 4),
            )
        )
    for i in range(rng.randint(3, 8)):
        labels = [f"label-{rng.randint(0, 99)}" for _ in range(rng.randint(2, 6))]
        parts.append(
            CLASS.format(
                name=f"Helper{n}x{i}",
                n=n,
                retries=rng.randint(1, 5),
                backoff=round(rng.random(), 3),
                labels=labels,
                size=rng.randint(8, 512),
            )
        )
    if flash:
        for i in range(rng.randint(1, 2)):
            parts.append(REALISTIC_ENDPOINT.format(n=f"{n}_{i}"))
    return "\n".join(parts) + "\n"


def write_realistic(dest: Path, n_files: int, seed: int) -> int:
    """`n_files` long modules in packages of ten: a settings module, and nine modules of which
    about a third declare endpoints with the settings and constants."""
    rng = random.Random(seed + 2)
    written = 0
    package_index = 0
    while written < n_files:
        package = f"svc_{package_index:03d}"
        root = dest / package
        root.mkdir(parents=True, exist_ok=True)
        (root / "__init__.py").write_text("")
        fields = "\n".join(
            f"    {name}: {kind} = {value}"
            for name, kind, value in [
                ("max_workers", "int", rng.randint(1, 5)),
                ("log_level", "str", '"info"'),
                ("batch_size", "int", rng.randint(1, 64)),
                ("tags", "list[str]", "field(default_factory=list)"),
            ]
        )
        constants = realistic_constants(rng, rng.randint(40, 80))
        settings = SETTINGS_MODULE.format(n=package_index, constants=constants, fields=fields)
        (root / "settings.py").write_text(settings)
        written += 2
        for n in range(min(9, n_files - written)):
            text = realistic_module(rng, package, n, flash=rng.random() < 0.35)
            (root / f"module_{n}.py").write_text(text)
            written += 1
        package_index += 1
    return written


def write_big(dest: Path, n_files: int, stdlib: Path) -> int:
    """A tree of `n_files` files: copies of the stdlib tree under copy_NN/ until enough."""
    sources = sorted(p for p in stdlib.rglob("*.py"))
    written = 0
    copy = 0
    while written < n_files:
        for source in sources:
            if written >= n_files:
                break
            target = dest / f"copy_{copy:02d}" / source.relative_to(stdlib)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            written += 1
        copy += 1
    return written


# ----------------------------------------------------------------------------------- tree setup


class BenchError(Exception):
    """The benchmark cannot run as asked (exit 2), as opposed to a slow result (exit 0)."""


def copy_stdlib(dest: Path) -> int:
    """Copy every *.py of this interpreter's stdlib (no third-party packages) under dest."""
    source = Path(sysconfig.get_paths()["stdlib"])
    count = 0
    for root, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_STDLIB_DIRS)
        target = dest / Path(root).relative_to(source)
        for name in sorted(files):
            if name.endswith(".py"):
                target.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(root) / name, target / name)
                count += 1
    return count


def write_apps(dest: Path, apps: list[App]) -> int:
    count = 0
    for app in apps:
        for rel, text in app.files.items():
            path = dest / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            count += 1
    return count


@dataclass
class Tree:
    path: Path
    stdlib_files: int
    app_files: int
    apps: int
    endpoints: int
    clients: int

    @property
    def files(self) -> int:
        return self.stdlib_files + self.app_files


def prepare_tree_dir(path: Path) -> None:
    """Make path an empty directory, refusing to wipe anything this script did not build."""
    if path.exists() and any(path.iterdir()):
        if not (path / MARKER).is_file():
            raise BenchError(f"{path} is not empty and was not built by bench.py; refusing")
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)


def build_tree(path: Path, n_apps: int, seed: int) -> Tree:
    """Stdlib under stdlib/ (so its modules cannot shadow the apps), apps at the root."""
    prepare_tree_dir(path)
    rng = random.Random(seed)
    apps = [generate_app(rng, i) for i in range(n_apps)]
    tree = Tree(
        path=path,
        stdlib_files=copy_stdlib(path / "stdlib"),
        app_files=write_apps(path, apps),
        apps=n_apps,
        endpoints=sum(a.endpoints for a in apps),
        clients=sum(a.clients for a in apps),
    )
    (path / MARKER).write_text(json.dumps({"apps": n_apps, "seed": seed}) + "\n")
    return tree


def build_precommit_project(path: Path, seed: int) -> list[str]:
    """A 50-file git project; returns the 3 files a commit touches (relative paths)."""
    rng = random.Random(seed + 1)  # independent of the tree, still deterministic
    apps: list[App] = []
    while sum(len(a.files) for a in apps) < PRECOMMIT_FLASH_FILES:
        apps.append(generate_app(rng, len(apps)))
    written = write_apps(path, apps)
    plain = [f"lib/util_{n:02d}.py" for n in range(PRECOMMIT_FILES - written)]
    for n, rel in enumerate(plain):
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(plain_module(rng, n), encoding="utf-8")
    init_git(path)
    routes = [rel for a in apps for rel in a.files if rel.endswith("routes.py")]
    second = routes[0] if routes else f"{apps[1].package}/main.py"
    return [f"{apps[0].package}/main.py", second, plain[0]]


def init_git(path: Path) -> None:
    # Staged but not committed: flash-guard lists tracked and untracked-not-ignored files alike.
    if shutil.which("git") is None:
        log("warning: git not found; the pre-commit project is not a git work tree")
        return
    for argv in (["git", "init", "-q"], ["git", "add", "-A"]):
        subprocess.run(argv, cwd=path, check=True, stdout=subprocess.DEVNULL)


def inside_git_work_tree(path: Path) -> bool:
    if shutil.which("git") is None:
        return False
    result = subprocess.run(
        ["git", "-C", str(path), "rev-parse", "--is-inside-work-tree"],
        check=False,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip() == "true"


# ---------------------------------------------------------------------------------- measurement


@dataclass
class Sample:
    seconds: float
    returncode: int


def run_timed(argv: list[str], cwd: Path) -> tuple[Sample, bytes, bytes]:
    """Run argv once, directly (no wrapper in the timing); return its wall time and output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.run(
            argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, check=False
        )
        elapsed = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return Sample(elapsed, proc.returncode), out.read(), err.read()


# Peak RSS needs a wrapper. The ru_maxrss of a child of this script (from os.wait4, or from
# RUSAGE_CHILDREN, which is moreover a running maximum over all children so far) is never
# below this script's own RSS: Linux carries the pre-exec memory of the forked copy into it.
# So a small process must fork the command and report that child's ru_maxrss: GNU time
# (floor ~1 MiB) or, failing that, this Python wrapper (floor ~10 MiB, shown in the report).
PY_RSS_WRAPPER = """\
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
usage = os.wait4(proc.pid, 0)[2]
open(sys.argv[1], "w").write(str(usage.ru_maxrss))
"""


@dataclass
class RssProbe:
    """How peak memory is measured: a wrapper command and the unit of what it writes."""

    method: str
    prefix: list[str]  # argv before the output file and the command
    unit: int  # bytes per reported unit
    floor: int | None = None  # what it reports for `true`: no command reads lower

    def wrap(self, argv: list[str], out: Path) -> list[str]:
        if self.method == "gnu-time":
            return [*self.prefix, "-o", str(out), *argv]
        return [*self.prefix, str(out), *argv]

    def measure(self, argv: list[str], cwd: Path) -> int | None:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "rss"
            quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
            subprocess.run(self.wrap(argv, out), cwd=cwd, check=False, **quiet)
            # GNU time may put "Command exited with non-zero status 1" before the number.
            lines = out.read_text().split() if out.exists() else []
            return int(lines[-1]) * self.unit if lines and lines[-1].isdigit() else None


def find_rss_probe() -> RssProbe | None:
    """GNU time when it works here, else the Python wrapper; None without os.wait4."""
    candidates = [RssProbe("gnu-time", ["/usr/bin/time", "-f", "%M"], 1024)]
    if hasattr(os, "wait4"):
        wrapper = [sys.executable, "-S", "-c", PY_RSS_WRAPPER]
        candidates.append(RssProbe("python-wrapper", wrapper, RSS_UNIT))
    true = shutil.which("true")
    for probe in candidates:
        if probe.method == "gnu-time" and not os.access(probe.prefix[0], os.X_OK):
            continue
        probe.floor = probe.measure([true], Path.cwd()) if true else None
        if probe.floor is not None:
            return probe
    return None


@dataclass
class Measurement:
    tool: str
    argv: list[str]
    cwd: Path
    ok_codes: tuple[int, ...]
    samples: list[Sample] = field(default_factory=list)
    peak_rss: int | None = None  # bytes, from one extra run under the RSS probe
    stdout: bytes = b""
    stderr: bytes = b""
    # Untimed, before every run (timed or not): e.g. emptying the cache for a cold run.
    before: Callable[[], None] | None = None

    def prepare(self) -> None:
        if self.before is not None:
            self.before()

    def record(self) -> None:
        self.prepare()
        sample, self.stdout, self.stderr = run_timed(self.argv, self.cwd)
        self.samples.append(sample)

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def bad_codes(self) -> list[int]:
        return sorted({s.returncode for s in self.samples} - set(self.ok_codes))

    def summary(self) -> dict:
        seconds = [s.seconds for s in self.samples]
        return {
            "tool": self.tool,
            "command": shlex.join(self.argv),
            "runs": len(seconds),
            "median_s": self.median,
            "min_s": min(seconds),
            "max_s": max(seconds),
            "peak_rss_bytes": self.peak_rss,
            "exit_codes": sorted({s.returncode for s in self.samples}),
            "unexpected_exit_codes": self.bad_codes,
        }


def measure_pair(pair: list[Measurement], runs: int, warmup: int, probe: RssProbe | None) -> None:
    """Memory once each, then timed runs A B A B ...: drift hits both tools alike. Memory
    is measured after the warm-up, in the state the case times (a warm case's cache is
    written by then; a cold case's is emptied again by `prepare`)."""
    for _ in range(warmup):  # untimed: warm the page cache and the interpreter's caches
        for m in pair:
            m.prepare()
            run_timed(m.argv, m.cwd)
    for m in pair:
        m.prepare()
        m.peak_rss = probe.measure(m.argv, m.cwd) if probe else None
    for _ in range(runs):
        for m in pair:
            m.record()


def resolve_tool(override: str | None, name: str) -> list[str]:
    """The override command, else `name` beside this interpreter (its venv), else on PATH."""
    if override:
        return shlex.split(override)
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which(name)
    if found:
        return [found]
    raise BenchError(f"cannot find {name}; pass --{name} CMD")


def tool_version(argv: list[str]) -> str | None:
    try:
        result = subprocess.run(
            [*argv, "--version"], check=False, capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = result.stdout.strip()
    return text.splitlines()[0] if result.returncode == 0 and text else None


def flash_guard_counts(stdout: bytes) -> dict | None:
    """Endpoints and findings from flash-guard's JSON, to show the run did real work."""
    try:
        report = json.loads(stdout)
        return {"endpoints": len(report["endpoints"]), "findings": len(report["findings"])}
    except (ValueError, KeyError, TypeError):
        return None


# ------------------------------------------------------------------------------------ reporting


def ratio(a: Measurement, b: Measurement) -> float | None:
    return a.median / b.median if b.median > 0 else None


def case_result(pair: list[Measurement], target: float | None, files: int | None) -> dict:
    flash, ruff = pair
    result = {
        "flash_guard": flash.summary(),
        "ruff": ruff.summary(),
        "ratio": ratio(flash, ruff),
        "ratio_target": target,
    }
    # A run that crashed or rejected its arguments is fast for the wrong reason.
    result["valid"] = not (flash.bad_codes or ruff.bad_codes)
    met = result["ratio"] is not None and target is not None and result["ratio"] <= target
    result["target_met"] = met if result["valid"] and target is not None else None
    if files is not None:
        result["files"] = files
        result["flash_guard_files_per_s"] = files / flash.median if flash.median > 0 else None
    return result


def fmt_rss(value: int | None) -> str:
    return "n/a" if value is None else f"{value / 2**20:.1f}"


def table_rows(case: str, result: dict) -> list[str]:
    rows = []
    for key in ("flash_guard", "ruff"):
        s = result[key]
        codes = ",".join(map(str, s["exit_codes"]))
        rows.append(
            f"{case:<14} {s['tool']:<12} {s['median_s']:>9.3f} {s['min_s']:>8.3f} "
            f"{s['max_s']:>8.3f} {fmt_rss(s['peak_rss_bytes']):>10} {codes:>6}"
        )
    return rows


def verdict(result: dict) -> str:
    if result["ratio"] is None:
        return "ratio n/a"
    if not result["valid"]:
        return f"flash-guard/ruff = {result['ratio']:.2f} (not comparable: a tool failed)"
    if result["ratio_target"] is None:
        return f"flash-guard/ruff = {result['ratio']:.2f} (no target)"
    met = "met" if result["target_met"] else "MISSED"
    return f"flash-guard/ruff = {result['ratio']:.2f} (target <= {result['ratio_target']:g}: {met})"


def header_lines(report: dict) -> list[str]:
    tree, pre = report["tree"], report["precommit"]
    versions = [
        report["flash_guard_version"] or "flash-guard (version n/a)",
        report["ruff_version"] or "ruff (version n/a)",
        f"Python {report['python']}",
        f"{report['cpus']} CPUs",
    ]
    rss = "n/a"
    if report["rss_method"]:
        rss = f"{report['rss_method']}, floor {fmt_rss(report['rss_floor_bytes'])} MiB"
    lines = [
        f"flash-guard benchmark: {', '.join(versions)}",
        f"runs: {report['runs']} timed + {report['warmup']} warm-up per command; "
        f"peak RSS: 1 run per command ({rss})",
        f"tree: {tree['path']}: {tree['files']:,} files ({tree['stdlib_files']:,} stdlib + "
        f"{tree['app_files']:,} in {tree['apps']} Flash apps)",
        f"pre-commit: {pre['files']}-file git project, checking {' '.join(pre['checked'])}",
    ]
    for key, label in (("realistic", "realistic"), ("big", "big tree")):
        if report.get(key):
            lines.append(f"{label}: {report[key]['path']}: {report[key]['files']:,} files")
    lines.append(
        "cold = empty facts cache; warm = the cache of an earlier run; ruff runs --no-cache"
    )
    return lines


def footer_lines(report: dict) -> list[str]:
    tree, tree_case = report["tree"], report["cases"]["tree"]
    rate = tree_case["flash_guard_files_per_s"]
    cases = report["cases"]
    lines = [f"tree (cold):    {verdict(tree_case)}; flash-guard {rate:,.0f} files/s"]
    for key, label in CASE_LABELS[1:]:
        if key in cases:
            lines.append(f"{label + ':':<15} {verdict(cases[key])}")
    precommit = cases["precommit"]["flash_guard"]["median_s"]
    met = "met" if precommit <= PRECOMMIT_TARGET_S else "MISSED"
    lines.append(
        f"pre-commit (warm): {precommit * 1000:.0f} ms "
        f"(target <= {PRECOMMIT_TARGET_S * 1000:.0f} ms: {met})"
    )
    rss = tree_case["flash_guard"]["peak_rss_bytes"]
    if rss is not None:
        met = "met" if rss <= PEAK_RSS_TARGET else "MISSED"
        if tree["apps"] < PEAK_RSS_APPS:  # a smaller tree says nothing about the target
            met = f"not judged: this tree has {tree['apps']} apps"
        lines.append(
            f"peak RSS (tree, cold): {fmt_rss(rss)} MiB (target <= "
            f"{fmt_rss(PEAK_RSS_TARGET)} MiB with --apps {PEAK_RSS_APPS}: {met})"
        )
    counts = report["flash_guard_output"]
    expected = f"generated {tree['endpoints']} + {tree['clients']} id= clients"
    if counts is None:
        lines.append(f"flash-guard JSON: not parseable, no endpoint count ({expected})")
    else:
        lines.append(
            f"flash-guard JSON: {counts['endpoints']} endpoints ({expected}), "
            f"{counts['findings']} findings"
        )
    return lines + [f"warning: {w}" for w in report["warnings"]]


CASE_LABELS = [
    ("tree", "tree (cold)"),
    ("tree_warm", "tree (warm)"),
    ("tree_edit", "tree (1 file edited)"),
    ("realistic_cold", "realistic (cold)"),
    ("realistic", "realistic (warm)"),
    ("realistic_edit", "realistic (1 edited)"),
    ("big", "big (warm)"),
    ("precommit", "pre-commit (warm)"),
    ("precommit_edit", "pre-commit (1 file edited)"),
]


def render_table(report: dict) -> str:
    columns = f"{'case':<14} {'tool':<12} {'median s':>9} {'min s':>8} {'max s':>8} "
    columns += f"{'RSS MiB':>10} {'exit':>6}"
    rows = []
    short = {
        "tree": "tree-cold",
        "tree_warm": "tree-warm",
        "tree_edit": "tree-edit",
        "realistic_cold": "realistic-cold",
        "realistic": "realistic-warm",
        "realistic_edit": "realistic-edit",
        "big": "big-warm",
        "precommit": "precommit-warm",
        "precommit_edit": "precommit-edit",
    }
    for key, _ in CASE_LABELS:
        if key in report["cases"]:
            rows += table_rows(short[key], report["cases"][key])
    lines = [*header_lines(report), "", columns, *rows, "", *footer_lines(report)]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ main


def log(message: str) -> None:
    # Progress goes to stderr so that --json output on stdout stays machine-readable.
    print(f"bench.py: {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, help="build the tree here and keep it")
    parser.add_argument("--apps", type=int, default=200, help="generated Flash apps (200)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs first (1)")
    parser.add_argument("--seed", type=int, default=0, help="generator seed (0)")
    parser.add_argument("--flash-guard", help="command to run instead of flash-guard")
    parser.add_argument("--ruff", help="command to run instead of ruff")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument(
        "--realistic", type=int, default=300, help="long real-looking Flash modules (300; 0: none)"
    )
    parser.add_argument(
        "--big", type=int, default=20_000, help="files in the big tree (20000; 0: none)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: --apps 40 --realistic 60 --big 3000 --runs 3",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.apps, args.realistic, args.big, args.runs = 40, 60, 3000, 3
    if args.runs < 1 or args.apps < 2 or args.warmup < 0:
        parser.error("need --runs >= 1, --apps >= 2, --warmup >= 0")
    return args


def collect_warnings(cases: dict[str, list[Measurement]], tree: Tree) -> list[str]:
    warnings = []
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        # Inherited by both tools; only the Python one pays for it.
        warnings.append(
            "PYTHONDONTWRITEBYTECODE is set: unless flash-guard's bytecode already exists, "
            "every run compiles its modules first (an installed package normally has it; "
            "see README, 'Bytecode')"
        )
    if inside_git_work_tree(tree.path):
        warnings.append(f"{tree.path} is inside a git work tree: both tools apply its ignore rules")
    for case, pair in cases.items():
        for m in pair:
            if m.bad_codes:
                tail = m.stderr.decode(errors="replace").strip().splitlines()[-3:]
                warnings.append(
                    f"{case}: {m.tool} exited {m.bad_codes}; timings are suspect. "
                    f"stderr: {' | '.join(tail) or '(empty)'}"
                )
    return warnings


def _emptied(directory: Path) -> Callable[[], None]:
    def empty() -> None:
        shutil.rmtree(directory, ignore_errors=True)

    return empty


def build_cases(
    flash_guard: list[str],
    ruff: list[str],
    tree: Path,
    project: Path,
    checked: list[str],
    caches: Path,
    extra: dict[str, Path],
) -> dict[str, list[Measurement]]:
    """Each case is a flash-guard command and a ruff command, timed alternately. Every
    flash-guard command has its own cache directory: a cold one is emptied before each run,
    a warm one is written by the warm-up run(s)."""

    def pair(key: str, target: Path, cold: bool, args: list[str]) -> list[Measurement]:
        cache = caches / key
        fg = [*flash_guard, "check", *args, "--fail-on", "never", "--cache-dir", str(cache)]
        # flash-guard exits 0 with --fail-on never; ruff exits 1 when it has findings.
        return [
            Measurement("flash-guard", fg, target, (0,), before=_emptied(cache) if cold else None),
            Measurement("ruff", [*ruff, *RUFF_ARGS, *args[:1]], target, (0, 1)),
        ]

    json_args = ["--format", "json"]
    cases = {
        "tree": pair("tree", tree, True, [str(tree), *json_args]),
        "tree_warm": pair("tree_warm", tree, False, [str(tree), *json_args]),
    }
    # A warm run over a tree where one module changed since the last run: its recorded
    # run cannot be replayed, so this is the facts cache's own warm cost.
    cases["tree_edit"] = pair("tree_edit", tree, False, [str(tree), *json_args])
    cases["tree_edit"][0].before = _appending(_first_module(tree))
    if "realistic" in extra:
        path = extra["realistic"]
        cases["realistic_cold"] = pair("realistic_cold", path, True, [str(path), *json_args])
        cases["realistic"] = pair("realistic", path, False, [str(path), *json_args])
        cases["realistic_edit"] = pair("realistic_edit", path, False, [str(path), *json_args])
        cases["realistic_edit"][0].before = _appending(_first_module(path))
    if "big" in extra:
        cases["big"] = pair("big", extra["big"], False, [str(extra["big"]), *json_args])
    precommit = pair("precommit", project, False, checked[:1])
    for m in precommit:  # every changed file, not only the first
        m.argv[m.argv.index(checked[0]) + 1 : m.argv.index(checked[0]) + 1] = checked[1:]
    cases["precommit"] = precommit
    # What a commit really brings: the staged file changed since the last run, so its facts
    # are not in the cache (the rest of the project's are). The edit is a new comment line.
    edited = project / checked[0]
    edit = pair("precommit_edit", project, False, list(checked))
    edit[0].before = _appending(edited)
    edit[1].argv = [*ruff, *RUFF_ARGS, *checked]
    cases["precommit_edit"] = edit
    return cases


def _first_module(tree: Path) -> Path:
    """A module of the tree that declares an endpoint (what a day's edit touches)."""
    for path in sorted(tree.rglob("*.py")):
        if "stdlib" in path.parts or "copy_" in str(path):
            continue
        if "Endpoint(" in path.read_text(encoding="utf-8", errors="replace"):
            return path
    raise BenchError(f"{tree}: no module declares an endpoint")


def _appending(path: Path) -> Callable[[], None]:
    count = [0]

    def append() -> None:
        count[0] += 1
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"# edit {count[0]}\n")

    return append


CASE_TARGETS = {
    "tree": TREE_RATIO_TARGET,
    "tree_warm": WARM_RATIO_TARGET,
    "realistic_cold": None,  # reported: the target names the warm case
    "realistic": REALISTIC_RATIO_TARGET,
    "big": BIG_RATIO_TARGET,
    "precommit": PRECOMMIT_RATIO_TARGET,
    "precommit_edit": None,  # reported: no target names this case
    "tree_edit": None,
    "realistic_edit": None,
}


def run(args: argparse.Namespace, work: Path) -> dict:
    flash_guard = resolve_tool(args.flash_guard, "flash-guard")
    ruff = resolve_tool(args.ruff, "ruff")
    tree_path = args.tree.resolve() if args.tree else work / "tree"
    log(f"building tree in {tree_path}")
    tree = build_tree(tree_path, args.apps, args.seed)
    project = work / "precommit"
    project.mkdir()
    checked = build_precommit_project(project, args.seed)

    extra: dict[str, Path] = {}
    sizes: dict[str, dict] = {}
    if args.realistic:
        extra["realistic"] = work / "realistic"
        count = write_realistic(extra["realistic"], args.realistic, args.seed)
        sizes["realistic"] = {"path": str(extra["realistic"]), "files": count}
    if args.big:
        extra["big"] = work / "big"
        count = write_big(extra["big"], args.big, tree.path / "stdlib")
        sizes["big"] = {"path": str(extra["big"]), "files": count}
    caches = work / "caches"
    cases = build_cases(flash_guard, ruff, tree.path, project, checked, caches, extra)
    probe = find_rss_probe()
    for case, pair in cases.items():
        log(f"timing {case}: {args.runs} runs per tool, alternating")
        # A warm case needs one run to write its cache before anything is measured.
        measure_pair(pair, args.runs, max(args.warmup, 1), probe)

    return {
        "version": 1,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "runs": args.runs,
        "warmup": args.warmup,
        "seed": args.seed,
        "flash_guard_version": tool_version(flash_guard),
        "ruff_version": tool_version(ruff),
        "rss_method": probe.method if probe else None,
        "rss_floor_bytes": probe.floor if probe else None,
        "tree": {
            **tree.__dict__,
            "path": str(tree.path),
            "files": tree.files,
            "kept": bool(args.tree),
        },
        "precommit": {"files": PRECOMMIT_FILES, "checked": checked},
        **sizes,
        "cases": {
            key: case_result(pair, CASE_TARGETS[key], tree.files if key == "tree" else None)
            for key, pair in cases.items()
        },
        "flash_guard_output": flash_guard_counts(cases["tree"][0].stdout),
        "warnings": collect_warnings(cases, tree),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="flash-guard-bench-") as work:
            report = run(args, Path(work))
    except (BenchError, OSError, subprocess.CalledProcessError) as exc:
        # The benchmark could not run at all (missing tool, unwritable --tree): a usage error.
        log(f"error: {exc}")
        return 2
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(render_table(report))
    return 0  # a report, not an assertion: targets missed are printed, never an exit code


if __name__ == "__main__":
    sys.exit(main())
