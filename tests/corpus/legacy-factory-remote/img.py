from runpod_flash import remote

from resources import get_config


@remote(resource_config=get_config("img-gen", max_workers=4), dependencies=["diffusers"])
async def generate(prompt: str) -> dict:
    return {"prompt": prompt, "status": "queued"}
