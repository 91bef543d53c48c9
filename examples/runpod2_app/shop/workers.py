"""Queue resources: one done right, one with the seed's mistakes."""

import os

import runpod

from shop.app import MODELS, app


@app.queue(
    name="embedder",
    gpu=runpod.GpuGroup.ADA_24,
    workers=(1, 4),
    idle_timeout=1200,
    execution_timeout_ms=120_000,
    mounts={"/runpod-volume": MODELS},
    env={"HF_HOME": "/runpod-volume/hf", "HF_TOKEN": runpod.Secret("hf-token")},
    dependencies=["sentence-transformers"],
)
def embed(texts: list) -> list:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer("BAAI/bge-small-en-v1.5")
    return model.encode(texts).tolist()


# Mistakes: any GPU (gpu omitted), no execution timeout, an os.environ secret baked into
# the template, a model downloaded on every cold start (no mounts= and no model=).
@app.queue(
    name="summarizer",
    workers=(1, 2),
    idle_timeout=900,
    env={"HF_TOKEN": os.environ.get("HF_TOKEN", "")},
    dependencies=["transformers", "torch"],
)
def summarize(text: str) -> str:
    from transformers import pipeline

    summarizer = pipeline("summarization", model="facebook/bart-large-cnn")
    return summarizer(text)[0]["summary_text"]
