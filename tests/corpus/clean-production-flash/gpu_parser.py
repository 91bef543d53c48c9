from runpod_flash import Endpoint, GpuType, NetworkVolume

weights = NetworkVolume(name="layout-models", size=50)


@Endpoint(
    name="layout-parser",
    gpu=GpuType.NVIDIA_RTX_A5000,
    workers=(1, 5),
    idle_timeout=1200,
    execution_timeout_ms=240_000,
    volume=weights,
    env={"HF_HOME": "/runpod-volume/hf", "HF_TOKEN": "{{ RUNPOD_SECRET_hf_token }}"},
    dependencies=["transformers==4.46.3"],
)
class LayoutParser:
    def __init__(self):
        from transformers import AutoModelForTokenClassification

        self.model = AutoModelForTokenClassification.from_pretrained("microsoft/layoutlmv3-base")

    async def parse(self, page: dict) -> dict:
        return {"tokens": len(page.get("words", []))}
