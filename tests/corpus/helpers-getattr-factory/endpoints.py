from runpod_flash import Endpoint

from hardware import pick_gpu, small_cpu


def gpu_endpoint(name: str) -> Endpoint:
    idle = 900
    timeout_ms = 5 * 60 * 1000
    return Endpoint(
        name=name,
        gpu=pick_gpu(),
        workers=(1, 4),
        idle_timeout=idle,
        execution_timeout_ms=timeout_ms,
    )


upscaler = gpu_endpoint("upscaler")
thumbnailer = Endpoint(
    name="thumbnailer",
    cpu=small_cpu(),
    workers=(1, 2),
    idle_timeout=900,
    execution_timeout_ms=30_000,
)
