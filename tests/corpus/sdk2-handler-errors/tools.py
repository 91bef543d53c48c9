import runpod

app = runpod.App("ml-tools")


@app.queue(name="qa", gpu="NVIDIA A40", workers=(1, 2), idle_timeout=900, execution_timeout_ms=60_000)
def answer(question: str) -> dict:
    return {"answer": question[::-1]}


@app.queue(name="ocr-batch", cpu="cpu3c-4-8", workers=(1, 2), idle_timeout=900, execution_timeout_ms=60_000)
class OcrBatch:
    def __init__(self, pages: list):
        self.pages = pages

    def run(self) -> dict:
        return {"pages": len(self.pages)}
