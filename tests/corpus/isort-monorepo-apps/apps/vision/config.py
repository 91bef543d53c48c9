import os

STAGE = os.getenv("STAGE", "prod")
WORKERS = (1, 2) if STAGE == "dev" else (2, 8)
