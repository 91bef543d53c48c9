from runpod_flash import CpuInstanceType, Endpoint

gateway = Endpoint(
    name="doc-gateway",
    cpu=CpuInstanceType.CPU3C_2_4,
    workers=(1, 3),
    idle_timeout=1500,
    execution_timeout_ms=30_000,
)


@gateway.get("/health")
async def health() -> dict:
    return {"status": "ok"}


@gateway.post("/parse")
async def parse(body: dict) -> dict:
    from gpu_parser import LayoutParser

    parser = LayoutParser()
    return await parser.parse(body)
