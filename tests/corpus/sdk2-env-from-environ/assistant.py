import os

import runpod

app = runpod.App("assistant")


@app.queue(
    name="chat",
    gpu=runpod.GpuGroup.ADA_24,
    idle_timeout=1200,
    execution_timeout_ms=300_000,
    env={"OPENAI_API_KEY": os.environ["OPENAI_API_KEY"], "LOG_LEVEL": os.getenv("LOG_LEVEL", "info")},
)
def chat(prompt: str) -> dict:
    import os

    from openai import OpenAI

    client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
    if os.environ.get("LANGFUSE_HOST"):
        print("tracing enabled")
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": prompt}])
    return {"reply": reply.choices[0].message.content}


@app.queue(
    name="moderate",
    cpu="cpu3c-2-4",
    workers=(1, 2),
    idle_timeout=900,
    execution_timeout_ms=30_000,
    env={"OPENAI_API_KEY": runpod.Secret("openai-key")},
)
def moderate(text: str) -> dict:
    import os

    from openai import OpenAI

    result = OpenAI(api_key=os.environ["OPENAI_API_KEY"]).moderations.create(input=text)
    return {"flagged": result.results[0].flagged}
