from runpod_flash import GpuType

from infra.factory import gpu_worker

tts = gpu_worker("tts", GpuType.NVIDIA_RTX_A5000)


@tts
async def speak(job: dict) -> dict:
    return {"audio_url": None, "text": job.get("text", "")}
