from platform_sdk import DEFAULT_GPU, DEFAULT_WORKERS, Endpoint


@Endpoint(
    name="tokenize",
    gpu=DEFAULT_GPU,
    workers=DEFAULT_WORKERS,
    idle_timeout=900,
    execution_timeout_ms=10_000,
)
async def tokenize(text: str) -> dict:
    return {"tokens": text.split()}
