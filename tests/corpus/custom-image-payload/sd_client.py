from runpod_flash import GpuGroup, ServerlessEndpoint, remote

sd_worker = ServerlessEndpoint(
    name="sd-image",
    imageName="acme/sd-worker:1.4.2",
    gpus=[GpuGroup.ADA_24],
    workersMin=1,
    workersMax=3,
    idleTimeout=900,
    executionTimeoutMs=300_000,
)


@remote(sd_worker)
def txt2img(prompt: str, steps: int = 30) -> dict:
    return {"input": {"mode": "txt2img", "prompt": prompt, "steps": steps}}


@remote(sd_worker)
def img2img(prompt: str, image_url: str, strength: float = 0.6) -> dict:
    import boto3

    url = boto3.client("s3").generate_presigned_url("get_object", Params={"Bucket": "in", "Key": image_url})
    return {"input": {"mode": "img2img", "prompt": prompt, "image": url, "strength": strength}}
