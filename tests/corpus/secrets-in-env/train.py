import os

from runpod_flash import Endpoint, GpuType, NetworkVolume

WANDB_KEY = "b4d1c2e9f7a6038e5d2c1b9a8f7e6d5c4b3a2910"
checkpoints = NetworkVolume(name="ft-checkpoints", size=500)


@Endpoint(
    name="finetune",
    gpu=GpuType.NVIDIA_A100_80GB_PCIe,
    workers=(1, 2),
    idle_timeout=1800,
    execution_timeout_ms=3_600_000,
    volume=checkpoints,
    env={"HF_TOKEN": os.environ["HF_TOKEN"], "WANDB_API_KEY": WANDB_KEY, "BASE_MODEL": "meta-llama/Llama-3.1-8B-Instruct", "AUTHOR": "ml-platform", "S3_SECRET": "{{ RUNPOD_SECRET_s3_secret }}"},
    dependencies=["transformers", "peft", "wandb"],
)
async def finetune(job: dict) -> dict:
    import os

    import wandb
    from transformers import AutoModelForCausalLM

    wandb.login(key=os.environ["WANDB_API_KEY"])
    model = AutoModelForCausalLM.from_pretrained(os.environ["BASE_MODEL"], cache_dir="/runpod-volume/hf")
    return {"params": model.num_parameters(), "run": job["run_name"]}
