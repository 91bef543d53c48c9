from api import (
    api,
)


@api.post("/invoice")
async def create_invoice_v0(body: dict) -> dict:
    return {"id": body["order"], "status": "draft", "legacy": True}
