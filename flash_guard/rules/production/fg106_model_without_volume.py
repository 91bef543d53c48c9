"""FG106: model weights loaded at run time without a network volume."""

from __future__ import annotations

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

# rules.md FG106 (diffusers `*Pipeline.from_pretrained` is matched by `from_pretrained`).
DEFAULT_LOADERS = [
    "from_pretrained",
    "snapshot_download",
    "hf_hub_download",
    "pipeline",
    "torch.hub.load",
    "SentenceTransformer",
    "CrossEncoder",
    "LLM",
    "WhisperModel",  # faster-whisper: downloads the CTranslate2 weights from the Hub
    "whisper.load_model",  # openai-whisper: downloads to ~/.cache/whisper
]


# Variables that move a model library's download cache (Hugging Face, torch hub,
# sentence-transformers, PaddleX). A GPU worker whose env= points one at /runpod-volume
# downloads models there, wherever in the project the loading code lives.
DEFAULT_CACHE_VARIABLES = [
    "HF_HOME",
    "HF_HUB_CACHE",
    "HUGGINGFACE_HUB_CACHE",
    "TRANSFORMERS_CACHE",
    "TORCH_HOME",
    "SENTENCE_TRANSFORMERS_HOME",
    "PADDLE_PDX_CACHE_HOME",
]
VOLUME_MOUNT = "/runpod-volume"


@dataclass
class Params:
    loaders: list[str] = param_doc(
        default=DEFAULT_LOADERS,
        doc="Calls that load model weights: a bare name matches the call's last attribute "
        "(`from_pretrained` matches `AutoModel.from_pretrained`), a dotted name matches exactly.",
    )
    cache_variables: list[str] = param_doc(
        default=DEFAULT_CACHE_VARIABLES,
        doc="Environment variables that set a model cache directory: on a GPU endpoint, one "
        "that `env=` points under /runpod-volume counts as loading a model.",
    )


# runpod 2.0 has no volume=: a volume is a mount, or the SDK caches the model itself.
_RUNPOD2_FIX = (
    'Mount a volume (mounts={"/runpod-volume": runpod.NetworkVolume(name="models", size=100)}) '
    "and point the model cache at /runpod-volume, or pass model=runpod.Model(...)."
)


def matches_loader(callee: str, loaders: list[str]) -> bool:
    last = callee.rsplit(".", 1)[-1]
    return any(callee == loader if "." in loader else last == loader for loader in loaders)


@register
class ModelWithoutVolume(Check):
    """Scans the worker's body (the decorated function or class with its methods; for a
    load-balanced endpoint, its route handlers; a runpod 2.0 queue's `@handle.init` hooks; plus
    the module-level functions of the same module they call by name, one level deep, such as a
    lazy `_get_model()` singleton) for calls to a model loader (`from_pretrained`,
    `snapshot_download`, `hf_hub_download`, `pipeline(`, `torch.hub.load`,
    `SentenceTransformer(`, `CrossEncoder(`, vLLM `LLM(`, faster-whisper `WhisperModel(`,
    `whisper.load_model(`; configurable; a bare call to a
    function the module defines itself, such as its own `pipeline()`, is that function, whose
    body is followed as a helper). A GPU endpoint whose `env=` points a model cache variable
    (`HF_HOME`, `HF_HUB_CACHE`, `TRANSFORMERS_CACHE`, `TORCH_HOME`, ...; configurable) under
    `/runpod-volume` counts too: its loading code may sit in another module, but the cache
    path says it downloads models onto a volume. When one is found and
    the endpoint has no `volume=` (legacy `networkVolume`/`networkVolumes`/`networkVolumeId`),
    it reports at the declaration. A runpod 2.0 `@app.task` is checked too: its pod loads the
    model on every run."""

    id = "model-without-volume"
    Params = Params
    # A 2.0 task pod loads its model on every run: the volume matters most there.
    kinds = ("queue", "load_balancer", "image", "task")

    def check(self, endpoint, params: Params, ctx):
        files = ctx.analysis.modules.files if ctx.analysis is not None else {}
        evidence = loader_call(endpoint, files, params.loaders) or volume_cache_setting(
            endpoint, params.cache_variables
        )
        if evidence is None:
            return []
        volume = endpoint.params.get("volume")
        if (volume is None or volume.defaulted) and endpoint.spreads:
            return spread_unknown(endpoint, "volume")
        if volume is not None and not volume.known:
            return [unknown(endpoint, volume, "`volume`", "volume")]
        if volume is not None and volume.value:
            return []
        return [
            fail(
                endpoint,
                f"`{endpoint.display_name}` {evidence} but has no network volume: every "
                f"{'run of the task' if endpoint.kind == 'task' else 'cold start'} downloads "
                "the weights again",
                None,
                "volume",
                fix=_RUNPOD2_FIX if endpoint.sdk == "runpod2" else None,
            )
        ]


def loader_call(endpoint, files, loaders: list[str]) -> str | None:
    """'loads a model (`callee(...)` in `body`)' for the first loader call in the worker's
    body and its same-module helpers, or None."""
    for body in body_with_helpers(endpoint, files):
        facts = files.get(body.path or endpoint.path)
        # A bare call to a function of the module itself (`def pipeline(...)` there) is that
        # function, not the library's loader; its own body is followed as a helper.
        own = set(facts.helper_bodies) if facts is not None else set()
        for callee in body.calls:
            if callee not in own and matches_loader(callee, loaders):
                return f"loads a model (`{callee}(...)` in `{body.name}`)"
    return None


def volume_cache_setting(endpoint, variables: list[str]) -> str | None:
    """'points `HF_HOME` at /runpod-volume/... in env=' for the first model cache variable a
    GPU endpoint's env= points under /runpod-volume, or None. A CPU endpoint is left out: a
    gateway often shares its GPU worker's env dict without loading anything."""
    env = endpoint.params.get("env")
    if endpoint.compute != "gpu" or env is None or not env.known:
        return None
    if not isinstance(env.value, dict):
        return None
    for key, value in env.value.items():
        path = value.value if value is not None and value.known else None
        if str(key) in variables and isinstance(path, str) and is_under_volume(path):
            return f"points `{key}` at {path} in env="
    return None


def is_under_volume(path: str) -> bool:
    return path == VOLUME_MOUNT or path.startswith(VOLUME_MOUNT + "/")
