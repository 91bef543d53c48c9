from app import DEFAULT_GPU, app


@app.queue(
    name="recommend",
    gpu=DEFAULT_GPU,
    workers=(1, 3),
    idle_timeout=900,
    execution_timeout_ms=60_000,
)
def recommend(user_id: str, k: int = 10) -> dict:
    return {"user": user_id, "items": list(range(k))}
