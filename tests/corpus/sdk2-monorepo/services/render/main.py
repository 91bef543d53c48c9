import runpod

app = runpod.App("render")


@app.queue(name="worker", gpu=runpod.GpuType.NVIDIA_GEFORCE_RTX_4090, workers=(1, 2), idle_timeout=900)
def worker(scene: dict) -> dict:
    return {"frames": scene.get("frames", 1)}
