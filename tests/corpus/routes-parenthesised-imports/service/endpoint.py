from runpod_flash import CpuInstanceType, Endpoint

api = Endpoint(
    name="search-api",
    cpu=CpuInstanceType.CPU3C_2_4,
    workers=(1, 3),
    idle_timeout=1200,
    execution_timeout_ms=30_000,
)
