import runpod

app = runpod.App("search")


@app.api(
    name="embedder",
    gpu="L4",
    workers=(0, 2),
)
class Embedder:
    @runpod.init
    def setup(self):
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer("sentence-transformers/all-MiniLM-L6-v2")

    @runpod.get("/health")
    def health(self):
        return {"ok": True}

    @runpod.post("/embed")
    def embed(self, body: dict):
        return {"vectors": self.model.encode(body["texts"]).tolist()}


@app.task(gpu=runpod.GpuType.NVIDIA_A40)
def reindex(shard: int) -> int:
    return shard
