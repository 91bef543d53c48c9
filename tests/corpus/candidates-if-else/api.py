from runpod_flash import CpuInstanceType, Endpoint

from config import IDLE_TIMEOUT

api = Endpoint(
    name="ranker-api",
    cpu=CpuInstanceType.CPU3C_2_4,
    workers=(1, 3),
    idle_timeout=IDLE_TIMEOUT,
    execution_timeout_ms=20_000,
)


@api.get("/health")
async def health() -> dict:
    return {"ok": True}


@api.post("/rank")
async def rank_http(body: dict) -> dict:
    return {"received": len(body.get("scores", []))}
