from runpod_flash import Endpoint, GpuType


@Endpoint(name="txt-embed", gpu=GpuType.NVIDIA_L4, workers=(1, 2), idle_timeout=900, execution_timeout_ms=30_000)
async def predict(payload: dict) -> dict:
    return {"kind": "text"}


@Endpoint(name="txt-embed", gpu=GpuType.NVIDIA_L4, workers=(1, 4), idle_timeout=900, execution_timeout_ms=30_000)
async def predict_batch(payload: dict) -> dict:
    return {"kind": "text", "batch": True}
