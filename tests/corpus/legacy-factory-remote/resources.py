from runpod_flash import GpuGroup, LiveServerless


def get_config(name: str, *, max_workers: int = 2) -> LiveServerless:
    return LiveServerless(
        name=name,
        gpus=[GpuGroup.AMPERE_48],
        workersMin=1,
        workersMax=max_workers,
        executionTimeoutMs=600_000,
    )
