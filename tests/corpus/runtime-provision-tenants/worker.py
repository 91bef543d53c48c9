import os

from runpod_flash import Endpoint, GpuGroup

MAX_WORKERS = int(os.getenv("TENANT_MAX_WORKERS", "4"))
IDLE_S = int(os.environ.get("TENANT_IDLE_S", "900"))


@Endpoint(
    name="tenant-shared",
    gpu=GpuGroup.AMPERE_48,
    workers=(1, MAX_WORKERS),
    idle_timeout=IDLE_S,
    execution_timeout_ms=300_000,
)
async def infer(job: dict) -> dict:
    return {"tenant": job.get("tenant"), "output": job.get("prompt", "")[::-1]}
