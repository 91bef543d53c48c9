from service._flash import (
    Endpoint,
    GpuType,
)


@Endpoint(
    name="search-embedder",
    gpu=GpuType.NVIDIA_L4,
    workers=(1, 4),
    idle_timeout=900,
    execution_timeout_ms=120_000,
    dependencies=["sentence-transformers==3.3.1"],
)
async def embed(texts: list[str]) -> dict:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer("BAAI/bge-small-en-v1.5")
    return {"vectors": model.encode(texts).tolist()}
