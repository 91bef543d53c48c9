from flash_compat import endpoint_class, gpu_types

Endpoint = endpoint_class()
GpuType = gpu_types()


@Endpoint(
    name="shim-worker",
    gpu=GpuType.NVIDIA_A40,
    workers=(1, 2),
    idle_timeout=900,
    execution_timeout_ms=300_000,
)
async def work(payload: dict) -> dict:
    return {"echo": payload}
