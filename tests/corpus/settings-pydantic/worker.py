from runpod_flash import Endpoint, GpuType

from config.settings import settings


@Endpoint(
    name=settings.endpoint_name,
    gpu=GpuType.NVIDIA_L4,
    workers=(settings.min_workers, settings.max_workers),
    idle_timeout=settings.idle_timeout,
    execution_timeout_ms=settings.execution_timeout_ms,
    dependencies=["sentence-transformers==3.3.1"],
)
async def rerank(payload: dict) -> dict:
    from sentence_transformers import CrossEncoder

    model = CrossEncoder("cross-encoder/ms-marco-MiniLM-L-6-v2")
    pairs = [(payload["query"], doc) for doc in payload["documents"]]
    scores = model.predict(pairs).tolist()
    return {"scores": scores}
