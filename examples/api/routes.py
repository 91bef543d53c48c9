"""The routes of the public API. No Flash import here: the endpoint object comes from app.py."""

from api.app import api


@api.get("/health")
async def health() -> dict:
    return {"ok": True}


@api.post("/classify")
async def classify(payload: dict) -> dict:
    return {"label": "cat" if "whiskers" in payload.get("text", "") else "dog"}
