"""The SDK in one place: tests stub this module instead of installing runpod_flash."""
import importlib

_sdk = importlib.import_module("runpod_flash")

Endpoint = _sdk.Endpoint
GpuType = _sdk.GpuType
CpuInstanceType = _sdk.CpuInstanceType
