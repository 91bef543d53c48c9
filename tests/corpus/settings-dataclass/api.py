from runpod_flash import Endpoint

from config import CONFIG

api = Endpoint(
    name=CONFIG.name,
    gpu=CONFIG.gpu,
    workers=CONFIG.workers,
    idle_timeout=CONFIG.idle_timeout,
    execution_timeout_ms=CONFIG.execution_timeout_ms,
    dependencies=["pillow", "pytesseract"],
)
