import runpod

from app import app


@app.api(name="recs-api", cpu="cpu3c-2-4", workers=(1, 2), idle_timeout=1200, execution_timeout_ms=30_000)
class RecsApi:
    @runpod.get("/health")
    def health(self):
        return {"ok": True}

    @runpod.post("/recommend")
    def recommend(self, body: dict):
        return {"user": body["user_id"]}
