import runpod

app = runpod.App("shop-llm")
