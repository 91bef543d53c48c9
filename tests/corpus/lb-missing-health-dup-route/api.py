from runpod_flash import Endpoint

api = Endpoint(
    name="billing-api",
    cpu="cpu3c-2-4",
    workers=(1, 2),
    idle_timeout=1200,
    execution_timeout_ms=15_000,
)
