from runpod_flash import Endpoint, GpuType

from constants import GPU_WORKERS, IDLE_S, PROJECT


@Endpoint(name=PROJECT + "-worker", gpu=GpuType.NVIDIA_A40, workers=GPU_WORKERS,
          idle_timeout=IDLE_S, execution_timeout_ms=180_000)
async def answer(question: dict) -> dict:
    return {"answer": question["q"][::-1]}
