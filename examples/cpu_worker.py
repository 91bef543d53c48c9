"""A CPU worker: image thumbnails, no GPU needed."""

from runpod_flash import CpuInstanceType, Endpoint

from settings import JOB_TIMEOUT_MS


@Endpoint(
    name="thumbnails",
    cpu=CpuInstanceType.CPU3C_2_4,
    workers=(1, 3),
    idle_timeout=900,
    execution_timeout_ms=JOB_TIMEOUT_MS,
    dependencies=["pillow", "boto3"],
)
async def make_thumbnail(image_url: str) -> str:
    import os

    bucket = os.environ["THUMBNAIL_BUCKET"]
    return f"s3://{bucket}/{image_url.rsplit('/', 1)[-1]}"
