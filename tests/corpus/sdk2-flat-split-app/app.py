import runpod

app = runpod.App("shop-recs")

DEFAULT_GPU = runpod.GpuType.NVIDIA_L4
