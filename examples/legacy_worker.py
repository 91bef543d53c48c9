"""An older worker still on the legacy tetra_rp API."""

from tetra_rp import GpuGroup, LiveServerless, remote

ocr_config = LiveServerless(
    name="legacy-ocr",
    gpus=[GpuGroup.AMPERE_24],
    workersMin=1,
    workersMax=2,
    idle_timeout=900,
    executionTimeoutMs=120_000,
)


@remote(resource_config=ocr_config, dependencies=["easyocr"])
async def read_text(image_url: str) -> list[str]:
    import easyocr

    reader = easyocr.Reader(["en"])
    return reader.readtext(image_url, detail=0)
