from runpod_flash import Endpoint, GpuType


@Endpoint(
    name="worker",
    gpu=GpuType.NVIDIA_A40,
    workers=(1, 3),
    idle_timeout=900,
    execution_timeout_ms=120_000,
)
async def run(job: dict) -> dict:
    return {"reply": job["message"].upper()}
