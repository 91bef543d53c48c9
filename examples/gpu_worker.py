"""Queue-based GPU workers."""

import os

from runpod_flash import Endpoint, GpuGroup

from settings import COMMON, MODEL_CACHE, PINNED_GPU


@Endpoint(
    name="embedder",
    gpu=PINNED_GPU,
    workers=(1, 4),
    volume=MODEL_CACHE,
    env={"HF_HOME": "/runpod-volume/hf", "HF_TOKEN": os.environ.get("HF_TOKEN", "")},
    dependencies=["sentence-transformers"],
    **COMMON,
)
class Embedder:
    def __init__(self):
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer("BAAI/bge-small-en-v1.5")

    async def embed(self, texts: list[str]) -> list[list[float]]:
        return self.model.encode(texts).tolist()


@Endpoint(
    name="summarizer",
    gpu=GpuGroup.ANY,
    workers=(0, 2),
    env={"HF_TOKEN": "hf_k3Jd9sLq2VbX8mPzR4tYw7NcA1eGhU6o"},
    dependencies=["transformers", "torch"],
)
async def summarize(text: str) -> str:
    from transformers import pipeline

    summarizer = pipeline("summarization", model="facebook/bart-large-cnn")
    return summarizer(text)[0]["summary_text"]
