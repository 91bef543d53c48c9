from runpod_flash import (
    Endpoint,
    GpuGroup,
)
from settings import (
    EXECUTION_TIMEOUT_MS,
    IDLE_TIMEOUT,
    MAX_WORKERS,
)


@Endpoint(
    name="inference",
    gpu=[GpuGroup.ADA_24, GpuGroup.AMPERE_24],
    workers=(1, MAX_WORKERS),
    idle_timeout=IDLE_TIMEOUT,
    execution_timeout_ms=EXECUTION_TIMEOUT_MS,
)
async def generate(job: dict) -> dict:
    return {"text": job.get("prompt", "").upper()}
