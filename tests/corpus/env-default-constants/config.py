import os

APP = os.getenv("APP_NAME", "captioner")
MIN_WORKERS = int(os.getenv("MIN_WORKERS", "0"))
MAX_WORKERS = int(os.getenv("MAX_WORKERS", "3"))
IDLE_TIMEOUT = int(os.environ.get("IDLE_TIMEOUT", "300"))
EXEC_TIMEOUT_MS = int(os.getenv("EXEC_TIMEOUT_MS", "600000"))
