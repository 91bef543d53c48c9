from runpod_flash import remote

from configs import BATCH


@remote(BATCH)
async def run_batch(items: list[dict]) -> dict:
    return {"processed": len(items)}
