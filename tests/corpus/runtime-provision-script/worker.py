from runpod_flash import Endpoint, GpuType


@Endpoint(
    name="bench-scorer",
    gpu=GpuType.NVIDIA_L4,
    workers=(1, 3),
    idle_timeout=900,
    execution_timeout_ms=120_000,
)
async def score(sample: dict) -> dict:
    return {"len": len(sample["output"])}
