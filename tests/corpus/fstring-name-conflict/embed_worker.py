from runpod_flash import Endpoint, GpuType

from constants import GPU_WORKERS, IDLE_S, PROJECT


@Endpoint(name=f"{PROJECT}-worker", gpu=GpuType.NVIDIA_L4, workers=GPU_WORKERS,
          idle_timeout=IDLE_S, execution_timeout_ms=60_000)
async def embed(chunk: dict) -> dict:
    return {"dims": len(chunk["text"])}
