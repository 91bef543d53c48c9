import os

from runpod_flash import GpuType

STAGE = os.environ["STAGE"]

if STAGE == "prod":
    WORKERS = (1, 5)
    IDLE_TIMEOUT = 1200
else:
    WORKERS = (0, 1)
    IDLE_TIMEOUT = 900

GPU = GpuType.NVIDIA_A40 if STAGE == "prod" else GpuType.NVIDIA_RTX_A4000
