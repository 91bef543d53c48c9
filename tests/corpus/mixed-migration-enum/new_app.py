import runpod
from runpod_flash import GpuType

app = runpod.App("tts")


@app.queue(
    name="speak",
    gpu=GpuType.NVIDIA_GEFORCE_RTX_4090,
    workers=(1, 3),
    idle_timeout=900,
    execution_timeout_ms=90_000,
)
def speak(text: str, voice: str = "alloy") -> dict:
    return {"voice": voice, "chars": len(text)}
