"""A small Flash app shared by the integration tests: one bad file, one good endpoint
whose routes and constants live in other modules."""

BAD = """
from runpod_flash import Endpoint, GpuGroup


@Endpoint(name="w", gpu=GpuGroup.ANY, workers=(0, 3))
async def w(x): ...
"""

# Clean only when its routes (routes.py: a GET /health among them) and its timeout
# constant (settings.py) are seen: a hook that analysed good.py alone would fail it.
# Every route lives in routes.py: `flash build` rejects one endpoint's routes spread
# over several files (FG207).
GOOD = """
from runpod_flash import Endpoint, GpuType

from settings import TIMEOUT_MS

api = Endpoint(
    name="good-api",
    gpu=GpuType.NVIDIA_L4,
    workers=(1, 3),
    idle_timeout=1200,
    execution_timeout_ms=TIMEOUT_MS,
)
"""

ROUTES = """
from good import api


@api.post("/run")
async def run(payload: dict) -> dict:
    return payload


@api.get("/health")
async def health() -> dict:
    return {"ok": True}
"""

SETTINGS = "TIMEOUT_MS = 10 * 60 * 1000\n"


# An endpoint whose verdicts depend on other files: its idle timeout comes from config.py,
# its routes (and /health) live in routes.py. Issue 14: "Committing only config.py with
# IDLE = 20*60*60 ... passed; so did committing only routes.py with its /health route deleted."
SPLIT_APP = {
    "config.py": "IDLE = 20 * 60\n",
    "worker.py": """
        from runpod_flash import Endpoint, GpuType

        import config

        api = Endpoint(
            name="api",
            gpu=GpuType.NVIDIA_L4,
            workers=(1, 3),
            idle_timeout=config.IDLE,
            execution_timeout_ms=600_000,
        )
    """,
    "routes.py": """
        from worker import api


        @api.post("/run")
        async def run(payload: dict) -> dict:
            return payload


        @api.get("/health")
        async def health() -> dict:
            return {"ok": True}
    """,
}
