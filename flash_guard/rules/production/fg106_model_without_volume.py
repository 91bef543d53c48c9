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


@dataclass
class Params:
    loaders: list[str] = param_doc(
        default=DEFAULT_LOADERS,
        doc="Calls that load model weights: a bare name matches the call's last attribute "
        "(`from_pretrained` matches `AutoModel.from_pretrained`), a dotted name matches exactly.",
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
    body is followed as a helper). When one is found and
    the endpoint has no `volume=` (legacy `networkVolume`/`networkVolumes`/`networkVolumeId`),
    it reports at the declaration. A runpod 2.0 `@app.task` is checked too: its pod loads the
    model on every run."""

    id = "model-without-volume"
    Params = Params
    # A 2.0 task pod loads its model on every run: the volume matters most there.
    kinds = ("queue", "load_balancer", "image", "task")

    def check(self, endpoint, params: Params, ctx):
        loader = None
        files = ctx.analysis.modules.files if ctx.analysis is not None else {}
        for body in body_with_helpers(endpoint, files):
            facts = files.get(body.path or endpoint.path)
            # A bare call to a function of the module itself (`def pipeline(...)` there) is that
            # function, not the library's loader; its own body is followed as a helper.
            own = set(facts.helper_bodies) if facts is not None else set()
            for callee, _span in body.calls:
                if callee in own:
                    continue
                if matches_loader(callee, params.loaders):
                    loader = (callee, body.name)
                    break
            if loader:
                break
        if loader is None:
            return []
        volume = endpoint.params.get("volume")
        if (volume is None or volume.defaulted) and endpoint.spreads:
            return spread_unknown(endpoint, "volume")
        if volume is not None and not volume.known:
            return [unknown(endpoint, volume, "`volume`", "volume")]
        if volume is not None and volume.value:
            return []
        callee, where_ = loader
        return [
            fail(
                endpoint,
                f"`{endpoint.display_name}` loads a model (`{callee}(...)` in "
                f"`{where_}`) but has no network volume: every "
                f"{'run of the task' if endpoint.kind == 'task' else 'cold start'} downloads "
                "the weights again",
                None,
                "volume",
                fix=_RUNPOD2_FIX if endpoint.sdk == "runpod2" else None,
            )
        ]
