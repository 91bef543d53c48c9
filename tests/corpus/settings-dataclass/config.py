from dataclasses import dataclass

from runpod_flash import GpuType


@dataclass(frozen=True)
class ServiceConfig:
    name: str = "ocr-api"
    gpu: GpuType = GpuType.NVIDIA_RTX_A5000
    workers: tuple[int, int] = (1, 3)
    idle_timeout: int = 1500
    execution_timeout_ms: int = 60_000
    health_path: str = "/health"


CONFIG = ServiceConfig()
