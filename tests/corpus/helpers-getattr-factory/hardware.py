from runpod_flash import CpuInstanceType, GpuType

GPU_NAME = "NVIDIA_GEFORCE_RTX_4090"


def pick_gpu():
    return getattr(GpuType, GPU_NAME, GpuType.NVIDIA_L4)


def small_cpu():
    return CpuInstanceType.CPU3C_2_4
