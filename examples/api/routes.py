"""More routes of the public API. No Flash import here: the endpoint object comes from app.py."""

from api.app import api


@api.get("/health")
async def health() -> dict:
    return {"ok": True}


@api.get("/version")
async def version() -> dict:
    return {"version": "1.4.2"}
