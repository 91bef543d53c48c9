import asyncio
import sys

from runpod_flash import Endpoint, GpuGroup


async def bench(image: str, pool: str, prompts: list[str]) -> None:
    ep = Endpoint(
        name=f"bench-{pool.lower()}",
        image=image,
        gpu=getattr(GpuGroup, pool),
        workers=(1, 1),
        idle_timeout=900,
        execution_timeout_ms=120_000,
    )
    for prompt in prompts:
        result = await ep.runsync({"prompt": prompt})
        print(result)


if __name__ == "__main__":
    asyncio.run(bench(sys.argv[1], sys.argv[2], sys.argv[3:]))
