from lib import Endpoint, GpuType

DEFAULT_GPU = GpuType.ANY
DEFAULT_WORKERS = (1, 3)

__all__ = ["DEFAULT_GPU", "DEFAULT_WORKERS", "Endpoint"]
