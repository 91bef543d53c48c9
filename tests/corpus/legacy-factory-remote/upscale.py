from runpod_flash import remote

from resources import get_config


@remote(resource_config=get_config("upscale"))
async def upscale(image_b64: str, factor: int = 2) -> dict:
    return {"factor": factor, "bytes": len(image_b64)}
