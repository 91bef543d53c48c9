from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RERANK_", env_file=".env")

    endpoint_name: str = "reranker"
    min_workers: int = 0
    max_workers: int = 4
    idle_timeout: int = 600
    execution_timeout_ms: int = 90_000


settings = Settings()
