import os

from runpod_flash import Endpoint, GpuType, NetworkVolume

volume = NetworkVolume(name="embeddings-cache", size=40)


@Endpoint(
    name="bge-embed",
    gpu=GpuType.NVIDIA_L4,
    workers=(1, 4),
    idle_timeout=1200,
    execution_timeout_ms=60_000,
    volume=volume,
    env={"MODEL_ID": "BAAI/bge-large-en-v1.5", "TOKENIZER_ID": "BAAI/bge-large-en-v1.5", "HF_HOME": "/runpod-volume/hf"},
    dependencies=["sentence-transformers"],
)
class Embedder:
    def __init__(self):
        self.model = None

    def _load(self):
        if self.model is None:
            from sentence_transformers import SentenceTransformer

            self.model = SentenceTransformer(os.environ["MODEL_ID"], cache_folder=os.environ["HF_HOME"])
        return self.model

    async def embed(self, texts: list[str]) -> list[list[float]]:
        return self._load().encode(texts, normalize_embeddings=True).tolist()
