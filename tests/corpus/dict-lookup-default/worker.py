import os

from runpod_flash import Endpoint, GpuGroup, GpuType, NetworkVolume

TIER = os.environ["TIER"]

GPU_BY_TIER = {"small": GpuType.NVIDIA_L4, "medium": GpuType.NVIDIA_A40}
WORKERS_BY_TIER = {"small": (1, 2), "medium": (2, 6)}
IDLE_BY_TIER = {"small": 900, "medium": 1200}

cache = NetworkVolume(name="sdxl-cache", size=100)


@Endpoint(
    name="sdxl-turbo",
    gpu=GPU_BY_TIER.get(TIER, GpuGroup.ANY),
    workers=WORKERS_BY_TIER.get(TIER, (1, 1)),
    idle_timeout=IDLE_BY_TIER.get(TIER, 1800),
    execution_timeout_ms=120_000,
    volume=cache,
    dependencies=["diffusers", "transformers", "accelerate"],
)
async def generate(req: dict) -> dict:
    import torch
    from diffusers import AutoPipelineForText2Image

    pipe = AutoPipelineForText2Image.from_pretrained(
        "stabilityai/sdxl-turbo", torch_dtype=torch.float16, cache_dir="/runpod-volume/hf"
    ).to("cuda")
    image = pipe(prompt=req["prompt"], num_inference_steps=1, guidance_scale=0.0).images[0]
    return {"size": image.size}
