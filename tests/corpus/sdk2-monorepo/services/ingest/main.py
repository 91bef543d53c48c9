import runpod

app = runpod.App("ingest")


@app.queue(name="worker", cpu="cpu3c-2-4", workers=(1, 2), idle_timeout=900, execution_timeout_ms=60_000)
def worker(url: str) -> dict:
    return {"url": url}
