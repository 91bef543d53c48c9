"""Keep the SDK import in one place so unit tests run without runpod_flash installed."""

import importlib
from functools import lru_cache


@lru_cache(maxsize=1)
def _sdk():
    return importlib.import_module("runpod_flash")


def endpoint_class():
    return _sdk().Endpoint


def gpu_types():
    return _sdk().GpuType
