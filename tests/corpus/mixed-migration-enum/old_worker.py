from runpod_flash import GpuGroup, LiveServerless, remote


@remote(LiveServerless(name="tts-old", gpus=[GpuGroup.ADA_24], workersMin=1, workersMax=2, idleTimeout=900, executionTimeoutMs=90_000))
async def speak_v1(text: str) -> dict:
    return {"chars": len(text)}
