"""Settings shared by the workers."""

from runpod_flash import GpuType, NetworkVolume

MINUTE_MS = 60 * 1000
JOB_TIMEOUT_MS = 10 * MINUTE_MS
IDLE_SECONDS = 20 * 60

PINNED_GPU = GpuType.NVIDIA_L4
MODEL_CACHE = NetworkVolume(name="model-cache", size=100)

COMMON = dict(idle_timeout=IDLE_SECONDS, execution_timeout_ms=JOB_TIMEOUT_MS)
