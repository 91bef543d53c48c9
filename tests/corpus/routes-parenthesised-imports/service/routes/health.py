from service.endpoint import (
    api,
)


@api.get("/health")
async def health() -> dict:
    return {"status": "ok"}
