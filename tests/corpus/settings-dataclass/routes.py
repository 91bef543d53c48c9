from api import api
from config import CONFIG


@api.get(CONFIG.health_path)
async def health() -> dict:
    return {"status": "ok"}


@api.post("/ocr")
async def ocr(body: dict) -> dict:
    import base64
    import io

    import pytesseract
    from PIL import Image

    image = Image.open(io.BytesIO(base64.b64decode(body["image"])))
    return {"text": pytesseract.image_to_string(image)}
