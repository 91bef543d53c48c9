"""Which distribution installs which import name, and what a Flash worker already has.

FG305 decides whether `import X` in a worker's body can succeed on the worker. Most
distributions install a module of their own name (PEP 503 normalised: `huggingface-hub` ->
`huggingface_hub`); these tables hold the exceptions and the worker image's contents.
"""

from __future__ import annotations

import functools
import re

from flash_guard.sdk.runpod2_tables import SIZE_PROHIBITIVE_PACKAGES

# Import name -> the distributions that provide it, where the names differ.
IMPORT_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "PIL": ("pillow", "pillow-simd"),
    "cv2": (
        "opencv-python",
        "opencv-python-headless",
        "opencv-contrib-python",
        "opencv-contrib-python-headless",
    ),
    "sklearn": ("scikit-learn",),
    "skimage": ("scikit-image",),
    "yaml": ("pyyaml",),
    "bs4": ("beautifulsoup4",),
    "dotenv": ("python-dotenv",),
    "dateutil": ("python-dateutil",),
    "multipart": ("python-multipart",),
    "fitz": ("pymupdf",),
    "jwt": ("pyjwt",),
    "Crypto": ("pycryptodome",),
    "faiss": ("faiss-cpu", "faiss-gpu"),
    "onnxruntime": ("onnxruntime", "onnxruntime-gpu"),
    "llama_cpp": ("llama-cpp-python",),
    "whisper": ("openai-whisper",),
    "ffmpeg": ("ffmpeg-python",),
    "pynvml": ("nvidia-ml-py", "pynvml"),
    "umap": ("umap-learn",),
    "psycopg2": ("psycopg2", "psycopg2-binary"),
    "zmq": ("pyzmq",),
    "attr": ("attrs",),
    "magic": ("python-magic",),
    "docx": ("python-docx",),
    "pptx": ("python-pptx",),
    "serial": ("pyserial",),
    "OpenSSL": ("pyopenssl",),
    "jose": ("python-jose",),
    "git": ("gitpython",),
    "google": ("protobuf", "google-cloud-storage", "google-api-core", "google-genai"),
    "Levenshtein": ("levenshtein", "python-levenshtein"),
    "tensorflow": ("tensorflow", "tensorflow-cpu", "tensorflow-gpu"),
    "paddle": ("paddlepaddle", "paddlepaddle-gpu"),
    "soundfile": ("soundfile", "pysoundfile"),
    "speech_recognition": ("speechrecognition",),
    "ultralytics": ("ultralytics",),
    "decord": ("decord", "eva-decord"),
    "open_clip": ("open-clip-torch",),
    "clip": ("clip", "openai-clip", "clip-anytorch"),
    "Bio": ("biopython",),
    "esm": ("fair-esm", "esm"),  # Meta's ESM-2/ESMFold, or EvolutionaryScale's ESM3
    "nemo": ("nemo-toolkit",),
    "TTS": ("tts", "coqui-tts"),
    "skvideo": ("scikit-video",),
    "mmcv": ("mmcv", "mmcv-full", "mmcv-lite"),
    "pkg_resources": ("setuptools",),
    "awq": ("autoawq",),
    "lavis": ("salesforce-lavis",),
    "groundingdino": ("groundingdino", "groundingdino-py"),
    "chatterbox": ("chatterbox-tts",),
    "sam2": ("sam-2",),  # facebookresearch/sam2 installs as SAM-2
    # RAPIDS publishes one wheel per CUDA major, from NVIDIA's index (pypi.nvidia.com).
    "cudf": ("cudf-cu12", "cudf-cu11", "cudf-cu13"),
    "cuml": ("cuml-cu12", "cuml-cu11", "cuml-cu13"),
    "cugraph": ("cugraph-cu12", "cugraph-cu11", "cugraph-cu13"),
    "cupy": ("cupy-cuda12x", "cupy-cuda11x", "cupy-cuda13x"),
}

# Distribution names that commonly install the module `{}` itself (see distributions_for).
DISTRIBUTION_AFFIXES = ("{}-sdk", "{}-python", "python-{}", "{}-py")

# fastapi's `all` extra: runpod requires `fastapi[all]`, so these come with it.
FASTAPI_ALL_EXTRA = (
    "httpx",
    "jinja2",
    "python-multipart",
    "itsdangerous",
    "pyyaml",
    "email-validator",
    "uvicorn",
    "pydantic-settings",
    "pydantic-extra-types",
)
# Always in Flash's worker images: `flash build` never bundles these (SIZE_PROHIBITIVE_PACKAGES,
# flash-sdk.md §5.1 step 7), and the image also runs the SDK with its own dependencies
# (runpod-flash 1.21.0's requirements and those of `runpod`, which it requires).
ALWAYS_PRESENT = ("torch", "torchvision", "torchaudio", "triton")
SDK_DEPENDENCIES = (
    "runpod-flash",
    "tetra-rp",
    "cloudpickle",
    "runpod",
    "python-dotenv",
    "pydantic",
    "rich",
    "typer",
    "questionary",
    "pathspec",
    "tomlkit",
    "tomli",
    # runpod's own requirements
    "aiohttp",
    "aiohttp-retry",
    "backoff",
    "boto3",
    "click",
    "colorama",
    "cryptography",
    "fastapi",
    "paramiko",
    "prettytable",
    "psutil",
    "py-cpuinfo",
    "inquirerpy",
    "requests",
    "tqdm-loggable",
    "urllib3",
    "watchdog",
    # runpod requires `fastapi[all]`
    *FASTAPI_ALL_EXTRA,
)
# runpod 2.0 workers (runpod 2.0.0rc2 `apps/build.py`): the runtime vendors only the SDK's
# RUNTIME_REQUIREMENTS (and the runpod package itself), plus API_RUNTIME_REQUIREMENTS
# (`fastapi[standard]`, uvicorn) when the app has an `@app.api`; the torch family
# (SIZE_PROHIBITIVE_PACKAGES) is preinstalled on the built-in GPU images only, as
# `apps/images.py` says (CPU images are python-slim).
RUNPOD2_RUNTIME = (
    "runpod",
    "aiohttp",
    "aiohttp-retry",
    "backoff",
    "cloudpickle",
    "py-cpuinfo",
    "requests",
    "tomli",
    "tomlkit",
    "tqdm-loggable",
)
RUNPOD2_API_RUNTIME = (
    "fastapi",
    "uvicorn",
    "httpx",
    "jinja2",
    "python-multipart",
    "email-validator",
)
RUNPOD2_GPU_IMAGE = tuple(sorted(SIZE_PROHIBITIVE_PACKAGES))
# What installing runpod 2.0.0rc2 itself brings (its Requires-Dist, with `fastapi[all]`'s extras
# and fastapi's own requirements): present wherever `rp flash deploy` or `rp flash dev` runs.
RUNPOD2_INSTALL = (
    "runpod",
    "aiohttp",
    "aiohttp-retry",
    "backoff",
    "boto3",
    "click",
    "cloudpickle",
    "colorama",
    "cryptography",
    "fastapi",
    "paramiko",
    "pathspec",
    "prettytable",
    "psutil",
    "py-cpuinfo",
    "inquirerpy",
    "requests",
    "rich",
    "tomli",
    "tomlkit",
    "tqdm-loggable",
    "urllib3",
    "watchdog",
    # fastapi's requirements and its `all` extra
    "starlette",
    "anyio",
    "pydantic",
    "typing-extensions",
    *FASTAPI_ALL_EXTRA,
)
# What a few heavy distributions always pull in, so `import numpy` beside `transformers` in
# dependencies= is not a missing dependency. Applied transitively; only well-known, stable
# requirements are listed.
PULLS_IN: dict[str, tuple[str, ...]] = {
    "torch": ("numpy", "filelock", "jinja2", "networkx", "sympy", "typing-extensions"),
    "torchvision": ("numpy", "pillow", "torch"),
    "torchaudio": ("torch",),
    "transformers": (
        "numpy",
        "huggingface-hub",
        "tokenizers",
        "safetensors",
        "pyyaml",
        "requests",
        "tqdm",
        "regex",
        "filelock",
        "packaging",
    ),
    "diffusers": ("numpy", "pillow", "huggingface-hub", "safetensors", "requests", "regex"),
    "accelerate": ("numpy", "torch", "pyyaml", "psutil", "huggingface-hub", "safetensors"),
    "sentence-transformers": (
        "transformers",
        "torch",
        "scikit-learn",
        "scipy",
        "huggingface-hub",
        "pillow",
        "tqdm",
    ),
    "vllm": ("transformers", "torch", "numpy", "fastapi", "pydantic", "requests", "pillow"),
    "scikit-learn": ("numpy", "scipy", "joblib", "threadpoolctl"),
    "scipy": ("numpy",),
    "pandas": ("numpy", "python-dateutil", "pytz", "tzdata"),
    "librosa": ("numpy", "scipy", "soundfile", "scikit-learn", "numba", "joblib"),
    # Vision stacks import cv2 beside them; each requires an OpenCV build.
    "ultralytics": (
        "numpy",
        "opencv-python",
        "pillow",
        "pyyaml",
        "requests",
        "scipy",
        "torch",
        "torchvision",
        "matplotlib",
    ),
    "easyocr": (
        "torch",
        "torchvision",
        "opencv-python-headless",
        "scipy",
        "numpy",
        "pillow",
        "scikit-image",
    ),
    "paddleocr": ("opencv-python", "numpy"),
    "opencv-python": ("numpy",),
    "opencv-python-headless": ("numpy",),
    "fastapi": ("pydantic", "starlette", "anyio", "typing-extensions"),
    # pydantic-settings 2.x requires pydantic 2 and python-dotenv
    "pydantic-settings": ("pydantic", "python-dotenv", "typing-extensions"),
    "pydantic": ("pydantic-core", "annotated-types", "typing-extensions"),
    "starlette": ("anyio",),
    "uvicorn": ("click", "h11"),
    "aiohttp": ("yarl", "multidict", "aiosignal", "attrs", "frozenlist"),
    "requests": ("urllib3", "idna", "certifi", "charset-normalizer"),
    "boto3": ("botocore", "s3transfer", "jmespath"),
    "huggingface-hub": ("filelock", "fsspec", "packaging", "pyyaml", "requests", "tqdm"),
    "nemo-toolkit": ("numpy", "torch", "huggingface-hub", "scikit-learn", "numba", "tqdm"),
    # An extra is keyed `name[extra]` (requirement_names): nemo-toolkit's `asr` extra requires
    # librosa and soundfile (its Requires-Dist, `extra == "asr"`).
    "nemo-toolkit[asr]": ("nemo-toolkit", "librosa", "soundfile", "scipy"),
}


def requirement_names(name: str, extras: tuple[str, ...] = ()) -> set[str]:
    """The keys a requirement adds to a distribution set: its normalised name, and
    `name[extra]` for each extra it asks for, so PULLS_IN can say what an extra brings."""
    return {name, *(f"{name}[{extra}]" for extra in extras)}


_SEPARATORS = re.compile(r"[-_.]+")


@functools.lru_cache(maxsize=4096)  # the same few hundred names, asked for per endpoint
def normalise(name: str) -> str:
    """PEP 503 normalisation."""
    return _SEPARATORS.sub("-", name).lower()


# Namespace packages: every distribution named `<namespace>-<part>` (PEP 503 normalised, so also
# `<namespace>.<part>`) installs a module under the shared top-level name, as
# `pyannote.audio` installs `pyannote/audio/` and `google-cloud-storage` `google/cloud/storage/`.
NAMESPACE_PACKAGES = (
    "azure",
    "backports",
    "google",
    "jaraco",
    "llama_index",
    "nvidia",  # nvidia-cuda-runtime, nvidia-cudnn-cu12, ...: one namespace
    "opentelemetry",
    "pyannote",
    "ruamel",
    "sphinxcontrib",
    "zope",
)


def provided(module: str, names: set[str], overrides: dict[str, list[str]] | None = None) -> bool:
    """Whether one of the normalised distributions `names` may provide top-level `module`:
    `distributions_for`, or for a namespace package any `<namespace>-...` distribution."""
    if distributions_for(module, overrides) & names:
        return True
    if module not in NAMESPACE_PACKAGES:
        return False
    prefix = normalise(module) + "-"
    return any(name.startswith(prefix) for name in names)


def distributions_for(module: str, overrides: dict[str, list[str]] | None = None) -> set[str]:
    """The normalised distributions that may provide top-level module `module`."""
    table = IMPORT_DISTRIBUTIONS if overrides is None else overrides
    own = normalise(module)
    names = {own}
    # A vendor's client published under an affixed name installs the bare module:
    # `brightdata-sdk` -> `brightdata`, `python-dotenv` -> `dotenv`, `foo-py` -> `foo`.
    names.update(affix.format(own) for affix in DISTRIBUTION_AFFIXES)
    names.update(normalise(d) for d in table.get(module, ()))
    return names


def with_requirements(distributions: set[str]) -> set[str]:
    """`distributions` plus what they pull in (PULLS_IN, transitively)."""
    out = set(distributions)
    todo = list(out)
    while todo:
        for pulled in PULLS_IN.get(todo.pop(), ()):
            name = normalise(pulled)
            if name not in out:
                out.add(name)
                todo.append(name)
    return out
