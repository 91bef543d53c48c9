# Single place to bump the SDK.
from runpod_flash import Endpoint, GpuType, NetworkVolume

__all__ = ["Endpoint", "GpuType", "NetworkVolume"]
