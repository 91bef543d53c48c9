"""Create a dedicated endpoint for one tenant and smoke-test it.

    python scripts/provision.py acme --pool AMPERE_80 --max-workers 3
"""

import argparse
import asyncio

from runpod_flash import Endpoint, GpuGroup


async def provision(tenant: str, pool: str, max_workers: int, image: str) -> dict:
    endpoint = Endpoint(
        name=f"tenant-{tenant}",
        image=image,
        gpu=GpuGroup[pool],
        workers=(1, max_workers),
        idle_timeout=900,
        execution_timeout_ms=300_000,
    )
    return await endpoint.runsync({"prompt": "ping", "tenant": tenant})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("tenant")
    parser.add_argument("--pool", default="AMPERE_48")
    parser.add_argument("--max-workers", type=int, default=2)
    parser.add_argument("--image", default="acme/tenant-worker:1.0.0")
    args = parser.parse_args()
    print(asyncio.run(provision(args.tenant, args.pool, args.max_workers, args.image)))


if __name__ == "__main__":
    main()
