from runpod_flash import Endpoint, GpuType

import config


@Endpoint(
    name=f"{config.APP}-worker",
    gpu=GpuType.NVIDIA_GEFORCE_RTX_4090,
    workers=(config.MIN_WORKERS, config.MAX_WORKERS),
    idle_timeout=config.IDLE_TIMEOUT,
    execution_timeout_ms=config.EXEC_TIMEOUT_MS,
    dependencies=["transformers", "pillow"],
)
async def caption(job: dict) -> dict:
    import base64
    import io

    import torch
    from PIL import Image
    from transformers import BlipForConditionalGeneration, BlipProcessor

    processor = BlipProcessor.from_pretrained("Salesforce/blip-image-captioning-base")
    model = BlipForConditionalGeneration.from_pretrained("Salesforce/blip-image-captioning-base")
    image = Image.open(io.BytesIO(base64.b64decode(job["image"]))).convert("RGB")
    with torch.no_grad():
        out = model.generate(**processor(image, return_tensors="pt"))
    return {"caption": processor.decode(out[0], skip_special_tokens=True)}
