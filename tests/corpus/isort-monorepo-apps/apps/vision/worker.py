from config import (
    STAGE,
    WORKERS,
)
from runpod_flash import (
    DataCenter,
    Endpoint,
    GpuType,
    NetworkVolume,
)

weights = NetworkVolume(
    name=f"vision-weights-{STAGE}",
    size=200,
    datacenter=DataCenter.US_KS_2,
)


@Endpoint(
    name="inference",
    gpu=GpuType.NVIDIA_RTX_A5000,
    workers=WORKERS,
    idle_timeout=900,
    execution_timeout_ms=180_000,
    datacenter=[DataCenter.US_KS_2],
    volume=weights,
)
async def detect(job: dict) -> dict:
    return {"boxes": [], "image": job.get("url")}
