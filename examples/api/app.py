"""A load-balanced HTTP API; its routes are registered in api/routes.py."""

from runpod_flash import Endpoint

api = Endpoint(
    name="public-api",
    cpu="cpu3c-1-2",
    workers=(0, 3),
    idle_timeout=1200,
    execution_timeout_ms=30_000,
)


@api.post("/classify")
async def classify(payload: dict) -> dict:
    return {"label": "cat" if "whiskers" in payload.get("text", "") else "dog"}
