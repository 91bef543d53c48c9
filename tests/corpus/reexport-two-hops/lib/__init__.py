from .flash import Endpoint, GpuType, NetworkVolume

__all__ = ["Endpoint", "GpuType", "NetworkVolume"]
