import runpod

app = runpod.App("ocr")


@app.queue(
    name="ocr-v2",
    gpu=runpod.GpuType.NVIDIA_L4,
    workers=(1, 2),
    idle_timeout=900,
    execution_timeout_ms=60_000,
)
def ocr_v2(image_b64: str) -> dict:
    return {"chars": len(image_b64)}
