from functools import lru_cache


class Settings:
    APP_NAME = "transcribe"
    GPU_POOL = "ADA_24"
    MIN_WORKERS = 1
    MAX_WORKERS = 6
    IDLE_TIMEOUT_S = 1200
    EXECUTION_TIMEOUT_MS = 0  # long audio files: let them run
    VOLUME_NAME = "whisper-models"


@lru_cache
def get_settings() -> Settings:
    return Settings()
