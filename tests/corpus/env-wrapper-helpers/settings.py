import os


def env_int(name: str, default: int) -> int:
    return int(os.getenv(name, default))


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)
