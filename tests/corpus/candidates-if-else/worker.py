from runpod_flash import Endpoint

from config import GPU, IDLE_TIMEOUT, WORKERS


@Endpoint(
    name="ranker",
    gpu=GPU,
    workers=WORKERS,
    idle_timeout=IDLE_TIMEOUT,
    execution_timeout_ms=120_000,
)
async def rank(req: dict) -> dict:
    return {"order": sorted(range(len(req["scores"])), key=lambda i: -req["scores"][i])}
