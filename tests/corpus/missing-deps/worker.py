from runpod_flash import CpuInstanceType, Endpoint


@Endpoint(
    name="audio-features",
    cpu=CpuInstanceType.CPU5C_4_8,
    workers=(1, 4),
    idle_timeout=900,
    execution_timeout_ms=120_000,
    dependencies=["soundfile", "pillow"],
)
async def features(job: dict) -> dict:
    import io

    import cv2
    import librosa
    import numpy as np
    import soundfile as sf
    from PIL import Image

    from helpers.dsp import normalize

    audio, sr = sf.read(io.BytesIO(bytes(job["wav"])))
    mel = librosa.feature.melspectrogram(y=np.asarray(normalize(list(audio))), sr=sr)
    img = Image.fromarray(cv2.normalize(mel, None, 0, 255, cv2.NORM_MINMAX).astype("uint8"))
    return {"shape": list(mel.shape), "mode": img.mode}
