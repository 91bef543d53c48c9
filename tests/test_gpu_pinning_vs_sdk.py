"""FG101 against what runpod-flash really deploys: an empty GPU list.

`Endpoint(gpu=[])` (legacy `LiveServerless(gpus=[])`) builds a resource whose gpuIds is empty.
`flash build` writes gpuIds into the manifest only when it is set, and `flash deploy`
(runtime/resource_provisioner.create_resource_from_manifest) rebuilds the resource from the
manifest, so the class default `gpus=[GpuGroup.ANY]` comes back: every GPU pool. The probe
runs those two SDK steps on the same declarations the fixture holds; FG101 must fire on each.
"""

from __future__ import annotations

import json

from sdk_oracle import run_probe_or_skip

DECLARATIONS = """
from runpod_flash import Endpoint, LiveServerless, remote

empty_endpoint = Endpoint(name="empty", gpu=[], workers=(1, 2))

@empty_endpoint
async def empty(x):
    return x

legacy = LiveServerless(name="legacy-empty", gpus=[], workersMin=1)

@remote(legacy)
async def legacy_fn(x):
    return x
"""

PROBE = (
    DECLARATIONS
    + """
from runpod_flash.cli.commands.build_utils.manifest import ManifestBuilder
from runpod_flash.runtime.resource_provisioner import create_resource_from_manifest

RESULT = {}
for name, config in [("empty", empty_endpoint._build_resource_config()), ("legacy-empty", legacy)]:
    manifest = {"resource_type": type(config).__name__}
    ManifestBuilder._extract_config_properties(manifest, config)
    deployed = create_resource_from_manifest(name, manifest)
    deployed._sync_input_fields_gpu()
    RESULT[name] = {"manifest_gpu_ids": manifest.get("gpuIds"), "deployed": deployed.gpuIds}
"""
)


def test_an_empty_gpu_list_deploys_on_every_pool_and_fg101_fires(project, run_cli):
    sdk = run_probe_or_skip(PROBE)
    for name in ("empty", "legacy-empty"):
        assert sdk[name]["manifest_gpu_ids"] is None, sdk
        assert "ADA_24" in sdk[name]["deployed"] and "AMPERE_80" in sdk[name]["deployed"], sdk
    root = project({"app.py": DECLARATIONS, "requirements.txt": "runpod-flash==1.21.0\n"})
    _, out, _ = run_cli(["check", "--format", "json", "."], root)
    fired = {f["endpoint"] for f in json.loads(out)["findings"] if f["code"] == "FG101"}
    assert fired == {"empty", "legacy-empty"}, out
