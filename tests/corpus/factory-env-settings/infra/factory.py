"""Every GPU worker of the stack is built the same way; knobs come from the environment."""

import os

from runpod_flash import Endpoint, GpuType

STACK = os.getenv("STACK", "prod")


def gpu_worker(name: str, gpu: GpuType, *, max_workers: int = 2) -> Endpoint:
    return Endpoint(
        name=f"{STACK}-{name}",
        gpu=gpu,
        workers=(int(os.getenv("MIN_WORKERS", "0")), max_workers),
        idle_timeout=int(os.getenv("IDLE_TIMEOUT", "1200")),
        execution_timeout_ms=600_000,
    )
