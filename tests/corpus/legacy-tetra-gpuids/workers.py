from tetra_rp import LiveServerless, remote
from tetra_rp import ServerlessScalerType

sd_config = LiveServerless(
    name="sd15",
    gpuIds="any",
    workersMin=1,
    workersMax=3,
    idleTimeout=900,
    executionTimeoutMs=300_000,
    scalerType=ServerlessScalerType.QUEUE_DELAY,
)

caption_config = LiveServerless(
    name="blip-caption",
    gpuIds="AMPERE_24",
    workersMax=2,
    idleTimeout=900,
    executionTimeoutMs=60_000,
)


@remote(resource_config=sd_config, dependencies=["diffusers"])
async def txt2img(prompt: str) -> dict:
    return {"prompt": prompt}


@remote(resource_config=caption_config)
async def caption(url: str) -> dict:
    return {"url": url}
