from runpod_flash import Endpoint, GpuType

MODEL_ID = "distilbert-base-uncased-finetuned-sst-2-english"

_model = None
_tokenizer = None


def _get_model():
    global _model, _tokenizer
    if _model is None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        _tokenizer = AutoTokenizer.from_pretrained(MODEL_ID)
        _model = AutoModelForSequenceClassification.from_pretrained(MODEL_ID).eval().to("cuda")
    return _model, _tokenizer


@Endpoint(
    name="sentiment",
    gpu=GpuType.NVIDIA_L4,
    workers=(1, 3),
    idle_timeout=900,
    execution_timeout_ms=30_000,
    dependencies=["transformers"],
)
async def classify(payload: dict) -> dict:
    import torch

    model, tokenizer = _get_model()
    batch = tokenizer(payload["texts"], return_tensors="pt", padding=True).to("cuda")
    with torch.no_grad():
        probs = model(**batch).logits.softmax(-1)
    return {"positive": probs[:, 1].tolist()}
