"""FG404: a GPU endpoint whose code uses no GPU library."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flash_guard.checks.base import (
    Check,
    fail,
    param_doc,
    register,
    spread_unknown,
    unknown,
)
from flash_guard.checks.sites import body_with_helpers
from flash_guard.rules.deploy.fg214_invalid_legacy_config import CUSTOM_IMAGE_CLASSES
from flash_guard.rules.silent.fg305_missing_dependency import _custom_runpod2_image

GPU_LIBRARIES = [
    "torch",
    "torchvision",
    "torchaudio",
    "tensorflow",
    "jax",
    "jaxlib",
    "vllm",
    "diffusers",
    "transformers",
    "onnxruntime-gpu",
    "onnxruntime_gpu",
    "cupy",
    "triton",
    "xformers",
    "accelerate",
    "bitsandbytes",
    "sentence-transformers",
    "sentence_transformers",
    "tensorrt",
    "flash-attn",
    "flash_attn",
    "llama-cpp-python",
    "llama_cpp",
    "ultralytics",
    "numba",
    "exllamav2",
    "sglang",
    "deepspeed",
    "paddlepaddle-gpu",
    "paddle",  # paddlepaddle-gpu's import name: the body writes `import paddle`
    "paddleocr",
    "keras",  # Keras 3 runs on a TensorFlow, JAX or torch backend
    "mmcv",  # OpenMMLab's CUDA ops (mmdet, mmseg and mmpose import it)
    "cupy-cuda12x",  # how CuPy is installed: `import cupy` is listed above
    "cupy-cuda11x",
    # libraries built on torch that run their models on the GPU
    "peft",
    "trl",
    "unsloth",
    "timm",
    "open-clip-torch",
    "open-clip",
    "lightning",
    "pytorch-lightning",
    "faster-whisper",
    "ctranslate2",
    "openai-whisper",
    "whisper",
    "whisperx",
    "pyannote",
    "pyannote.audio",
    "flagembedding",
    "kokoro",
    "tts",
    "coqui-tts",
    "chatterbox-tts",
    "chatterbox",
    "nemo-toolkit",
    "nemo",
    "auto-gptq",
    "autoawq",
    "awq",
    "optimum",
    "easyocr",
    "insightface",
    "detectron2",
    "kornia",
    "lmdeploy",
    "tensorrt-llm",
    "segment-anything",
    "sam2",
    "realesrgan",
    "basicsr",
    "gfpgan",
]
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9_.\-]+)")


@dataclass
class Params:
    gpu_libraries: list[str] = param_doc(
        default=GPU_LIBRARIES,
        doc="Distribution or import names that need a GPU (`-` and `_` are treated alike).",
    )


def _norm(name: str) -> str:
    return name.lower().replace("_", "-")


def _calls_module_import(body, facts, wanted: set[str]) -> bool:
    """The body calls into a GPU library its module imports at top level (`import torch` at
    the top, `torch.randn(n, device="cuda")` in the worker)."""
    if facts is None:
        return False
    imported = {b.local: b.module for b in facts.imports if b.top_level and not b.level}
    roots = {callee.split(".", 1)[0] for callee in body.calls}
    return any(_norm(imported[r].split(".")[0]) in wanted for r in roots if r in imported)


@register
class GpuWithoutGpuWork(Check):
    """For a GPU endpoint (not `image=`, whose code is not visible; nor a legacy custom-image
    class such as `ServerlessEndpoint(imageName=...)`, or a runpod 2.0 resource with its own
    `image=`: the image decides what runs), looks at
    `dependencies=` and at the worker's own code: the imports in its body and in the
    same-module functions it calls (one level, as rules.md defines the body), and calls into
    a GPU library the module imports at top level (`torch.randn(..., device="cuda")`). When
    none names a GPU library, the endpoint probably pays GPU prices for CPU work."""

    id = "gpu-without-gpu-work"
    Params = Params
    kinds = ("queue", "load_balancer", "task")  # a 2.0 task pod is billed too

    def applies(self, endpoint) -> bool:
        return (
            super().applies(endpoint)
            and endpoint.compute == "gpu"
            and endpoint.resource_class not in CUSTOM_IMAGE_CLASSES
            and not _custom_runpod2_image(endpoint)
        )

    def check(self, endpoint, params: Params, ctx):
        wanted = {_norm(n) for n in params.gpu_libraries}
        deps = endpoint.params.get("dependencies")
        if deps is not None and not deps.defaulted:
            if not deps.known:
                return [unknown(endpoint, deps, "`dependencies`", "dependencies")]
            items = deps.value if isinstance(deps.value, list | tuple) else [deps]
            for item in items:
                if not item.known:
                    return [unknown(endpoint, item, "`dependencies`", "dependencies")]
                match = _REQUIREMENT_NAME.match(str(item.value))
                if match and _norm(match.group(1)) in wanted:
                    return []
        files = ctx.analysis.modules.files if ctx.analysis is not None else {}
        for body in body_with_helpers(endpoint, files):
            for module in body.imports:
                if _norm(module.split(".")[0]) in wanted:
                    return []
            if _calls_module_import(body, files.get(body.path or endpoint.path), wanted):
                return []
        if (deps is None or deps.defaulted) and endpoint.spreads:
            return spread_unknown(endpoint, "dependencies")
        return [
            fail(
                endpoint,
                f"`{endpoint.display_name}` runs on a GPU but neither its "
                "dependencies nor its code use a GPU library",
                None,
                "gpu",
            )
        ]
