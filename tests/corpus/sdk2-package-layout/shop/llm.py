import runpod

from shop.app import app

MODEL = runpod.Model("Qwen/Qwen2.5-7B-Instruct")


@app.queue(
    name="describe-product",
    gpu=runpod.GpuType.NVIDIA_A40,
    workers=(1, 4),
    idle_timeout=1200,
    execution_timeout_ms=180_000,
    model=MODEL,
    env={"HF_TOKEN": "{{ RUNPOD_SECRET_hf_token }}"},
)
def describe(title: str, bullets: list[str]) -> dict:
    from vllm import LLM, SamplingParams

    llm = LLM(model=MODEL.path)
    prompt = f"Write a product description for {title}: " + "; ".join(bullets)
    out = llm.generate([prompt], SamplingParams(max_tokens=200))
    return {"text": out[0].outputs[0].text}
