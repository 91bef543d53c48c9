import os

from runpod_flash import Endpoint, GpuGroup

from settings import env_int, env_str

POOL = os.getenv("GPU_POOL")


@Endpoint(
    name=env_str("ENDPOINT_NAME", "batch-embed"),
    gpu=getattr(GpuGroup, POOL),
    workers=(env_int("MIN_WORKERS", 1), env_int("MAX_WORKERS", 8)),
    idle_timeout=env_int("IDLE_TIMEOUT", 1800),
    execution_timeout_ms=env_int("EXEC_TIMEOUT_MS", 0),
    dependencies=["numpy"],
)
async def embed(batch: dict) -> dict:
    import numpy as np

    vectors = np.asarray(batch["vectors"], dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return {"normalized": (vectors / norms).tolist()}
