from runpod_flash import Endpoint, GpuType


def serve(fn):
    return Endpoint(
        name="late-bound",
        gpu=GpuType.NVIDIA_L4,
        workers=(1, 2),
        idle_timeout=900,
        execution_timeout_ms=60_000,
    )(fn)


async def _detect(payload: dict) -> dict:
    return {"objects": len(payload.get("boxes", []))}


detect = serve(_detect)
