from service._flash import (
    CpuInstanceType,
    Endpoint,
)

gateway = Endpoint(
    name="search-gateway",
    cpu=CpuInstanceType.CPU3G_2_8,
    workers=(1, 3),
    idle_timeout=1200,
    execution_timeout_ms=30_000,
)


@gateway.get("/health")
async def health() -> dict:
    return {"ok": True}


@gateway.post("/search")
async def search(body: dict) -> dict:
    return {"query": body.get("q", ""), "hits": []}
