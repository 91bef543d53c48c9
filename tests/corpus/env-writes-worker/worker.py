from runpod_flash import Endpoint, GpuType, NetworkVolume

cache = NetworkVolume(name="clip-cache", size=30)


@Endpoint(
    name="video-clip",
    gpu=GpuType.NVIDIA_RTX_A5000,
    workers=(1, 3),
    idle_timeout=900,
    execution_timeout_ms=900_000,
    volume=cache,
    env={"MODEL_ID": "openai/clip-vit-base-patch32", "RESULTS_BUCKET": "s3://clips-prod"},
    dependencies=["transformers", "boto3"],
)
async def embed_clip(job: dict) -> dict:
    import os

    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    os.environ.setdefault("HF_HUB_ENABLE_HF_TRANSFER", "1")
    fast = os.environ.get("HF_HUB_ENABLE_HF_TRANSFER") == "1"
    parallel = os.getenv("TOKENIZERS_PARALLELISM")

    import boto3
    from transformers import CLIPModel

    model = CLIPModel.from_pretrained(os.environ["MODEL_ID"], cache_dir="/runpod-volume/hf")
    bucket = os.environ["RESULTS_BUCKET"]
    worker = os.environ.get("RUNPOD_POD_ID", "local")
    region = os.getenv("AWS_REGION", "us-east-1")
    debug = "DEBUG_FRAMES" in os.environ
    boto3.client("s3", region_name=region).put_object(Bucket=bucket, Key=job["id"], Body=b"")
    return {"worker": worker, "fast": fast, "parallel": parallel, "debug": debug, "dim": model.config.projection_dim}
