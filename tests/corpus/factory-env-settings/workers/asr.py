from runpod_flash import GpuType

from infra.factory import gpu_worker

asr = gpu_worker("asr", GpuType.NVIDIA_L4, max_workers=4)


@asr
async def transcribe(job: dict) -> dict:
    return {"text": "", "audio": job.get("audio_url")}
