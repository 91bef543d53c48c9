from runpod_flash import CpuInstanceType, CpuServerlessEndpoint, remote

OCR_IMAGE = "acme/ocr-worker:2.0.1"

ocr_worker = CpuServerlessEndpoint(
    name="ocr-image",
    imageName=OCR_IMAGE,
    instanceIds=[CpuInstanceType.CPU3C_4_8],
    workersMin=1,
    workersMax=4,
    idleTimeout=900,
    executionTimeoutMs=120_000,
    env={"OCR_LANG": "eng", "OCR_API_TOKEN": "{{ RUNPOD_SECRET_ocr_token }}"},
)


@remote(ocr_worker)
def ocr_page(image_url: str, lang: str = "eng") -> dict:
    return {"input": {"task": "page", "url": image_url, "lang": lang}}


@remote(ocr_worker)
def ocr_batch(image_urls: list[str]) -> dict:
    return {"input": {"task": "batch", "urls": image_urls}}


@remote(ocr_worker)
def ocr_tables(pdf_url: str) -> dict:
    import pdfplumber

    return {"input": {"task": "tables", "url": pdf_url, "engine": pdfplumber.__name__}}
