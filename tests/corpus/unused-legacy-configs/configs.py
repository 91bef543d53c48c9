from runpod_flash import CpuLiveServerless, GpuGroup, LiveServerless

# Kept while we migrate; only BATCH is live.
EXPERIMENTAL = LiveServerless(name="exp-llm", gpuIds="any")
BATCH = LiveServerless(
    name="batch-gpu",
    gpus=[GpuGroup.ADA_24],
    workersMin=1,
    workersMax=4,
    idleTimeout=1200,
    executionTimeoutMs=600_000,
)
OLD_CPU = CpuLiveServerless(name="old-cpu")
