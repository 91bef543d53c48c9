from runpod_flash import CpuInstanceType, CpuLiveLoadBalancer, remote

gateway = CpuLiveLoadBalancer(
    name="legacy-gateway",
    instanceIds=[CpuInstanceType.CPU3C_1_2],
    workersMin=1,
    workersMax=3,
    idleTimeout=1200,
    executionTimeoutMs=20_000,
)


@remote(gateway, method="GET", path="/health")
async def health() -> dict:
    return {"ok": True}


@remote(gateway, method="POST", path="/echo")
async def echo(body: dict) -> dict:
    return body
