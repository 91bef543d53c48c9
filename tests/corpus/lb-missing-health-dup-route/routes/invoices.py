from api import (
    api,
)


@api.get("/healthz")
async def healthz() -> dict:
    return {"ok": True}


@api.post("/invoice")
async def create_invoice(body: dict) -> dict:
    return {"id": body["order_id"], "status": "draft"}
