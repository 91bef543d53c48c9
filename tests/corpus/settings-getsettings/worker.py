from runpod_flash import Endpoint, GpuGroup, NetworkVolume

from settings import get_settings

settings = get_settings()

models = NetworkVolume(name=settings.VOLUME_NAME, size=60)


@Endpoint(
    name=f"{settings.APP_NAME}-gpu",
    gpu=getattr(GpuGroup, settings.GPU_POOL),
    workers=(settings.MIN_WORKERS, settings.MAX_WORKERS),
    idle_timeout=settings.IDLE_TIMEOUT_S,
    execution_timeout_ms=settings.EXECUTION_TIMEOUT_MS,
    volume=models,
    env={"HF_HOME": "/runpod-volume/hf"},
    dependencies=["faster-whisper==1.1.0"],
)
class Transcriber:
    def __init__(self):
        from faster_whisper import WhisperModel

        self.model = WhisperModel("large-v3", download_root="/runpod-volume/hf")

    async def transcribe(self, audio_url: str) -> dict:
        segments, info = self.model.transcribe(audio_url)
        return {"language": info.language, "text": " ".join(s.text for s in segments)}
