"""A load-balanced HTTP API. Its routes are registered in api/routes.py.

All routes of one endpoint live in one module: `flash build` refuses an endpoint whose
handlers are spread over several files (FG207).
"""

from runpod_flash import Endpoint

api = Endpoint(
    name="public-api",
    cpu="cpu3c-1-2",
    workers=(0, 3),
    idle_timeout=1200,
    execution_timeout_ms=30_000,
)
