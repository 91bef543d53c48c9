"""A load-balanced API: no warm worker and no health route."""

import runpod

from shop.app import app


@app.api(
    name="public-api",
    cpu="cpu3c-2-4",
    workers=(0, 2),
    idle_timeout=1200,
    execution_timeout_ms=30_000,
)
class PublicApi:
    @runpod.init
    def setup(self):
        self.catalog = {"sku-1": 10}

    @runpod.post("/quote")
    def quote(self, body: dict) -> dict:
        return {"price": self.catalog.get(body.get("sku"), 0)}
