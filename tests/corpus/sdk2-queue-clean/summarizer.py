import os

import runpod

app = runpod.App("summarizer")

hf_cache = runpod.NetworkVolume("hf-cache", size=80)


@app.queue(
    name="summarize",
    gpu=runpod.GpuType.NVIDIA_L4,
    workers=(1, 3),
    idle_timeout=900,
    execution_timeout_ms=120_000,
    mounts={"/runpod-volume": hf_cache},
    env={"HF_TOKEN": runpod.Secret("hf-token"), "HF_HOME": "/runpod-volume/hf", "MODEL_ID": "facebook/bart-large-cnn"},
)
def summarize(text: str, max_length: int = 130) -> dict:
    from transformers import pipeline

    summarizer = pipeline("summarization", model=os.environ["MODEL_ID"])
    return {"summary": summarizer(text, max_length=max_length)[0]["summary_text"]}
