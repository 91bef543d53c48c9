from runpod_flash import Endpoint, GpuType


@Endpoint(
    name="ocr-v1",
    gpu=GpuType.NVIDIA_L4,
    workers=(1, 2),
    idle_timeout=900,
    execution_timeout_ms=60_000,
)
async def ocr_v1(image_b64: str) -> dict:
    return {"chars": len(image_b64)}
