"""The two-SDK comparison behind `flash-guard migrate`: a project imported with runpod-flash
before migration and discovered with runpod 2.0 after it, each resource reduced to the same
normalised configuration. Shared by tests/test_migrate_vs_sdk.py and
scripts/migrate_agreement.py."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from flash_guard.sdk import flash_tables, runpod2_tables

READ_SUFFIXES = (".py", ".toml", ".txt")


def read_project(root: Path) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if any(part.startswith(".") or part in ("__pycache__", ".venv") for part in rel.split("/")):
            continue
        if path.is_file() and path.suffix in READ_SUFFIXES:
            try:
                out[rel] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
    return out


def _devices_flash(names: list[str] | None) -> Any:
    if not names or names == ["ANY"]:
        return "ANY"
    devices = set()
    for name in names:
        devices |= set(flash_tables.GPU_POOLS.get(name, (name,)))
    return sorted(devices)


def _devices_rp2(pools: list[str] | None) -> Any:
    if pools is None:
        return None
    if set(pools) >= set(runpod2_tables.ANY_GPU_POOLS) or pools == ["any"]:
        return "ANY"
    devices = set()
    for pool in pools:
        devices |= set(runpod2_tables.POOLS_TO_TYPES.get(pool, (pool,)))
    return sorted(devices)


def _cpu_values(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return sorted(flash_tables.CPU_INSTANCE_TYPES.get(v, v) for v in values)


def _cuda(value: Any) -> Any:
    return flash_tables.CUDA_VERSIONS.get(value, value) if value else None


def normalise_flash(entry: dict[str, Any]) -> dict[str, Any]:
    resource = entry.get("resource") or {}
    legacy = entry["api"] == "legacy"
    cpu = entry["is_cpu"]
    deps = entry.get("dependencies")
    if legacy:
        deps = next((t.get("dependencies") for t in entry["targets"]), None)
    return {
        "name": entry["name"],
        "kind": "api" if entry["is_load_balanced"] else "queue",
        "compute": "cpu" if cpu else "gpu",
        "gpu": None if cpu else _devices_flash(entry.get("gpu")),
        "cpu": _cpu_values(entry.get("cpu")) if cpu else None,
        "workers": [entry["workers_min"], entry["workers_max"]],
        "idle_timeout": entry["idle_timeout"],
        "execution_timeout_ms": entry["execution_timeout_ms"],
        "env": sorted((entry.get("env") if not legacy else resource.get("env")) or {}),
        "volumes": sorted(
            (v["name"] or v["id"], v["size"], runpod2_tables.ENDPOINT_MOUNT_PATH)
            for v in resource.get("networkVolumes") or []
        ),
        "dependencies": sorted(deps or []),
        "routes": sorted((r["method"].upper(), r["path"]) for r in entry["routes"]),
        "min_cuda_version": None if cpu else _cuda(resource.get("minCudaVersion")),
    }


def normalise_rp2(record: dict[str, Any]) -> dict[str, Any]:
    spec = record["spec"]
    cpu = bool(record["cpu"])
    workers = record["workers"]
    return {
        "name": record["name"],
        "kind": record["kind"],
        "compute": "cpu" if cpu else "gpu",
        "gpu": None if cpu else _devices_rp2(record["gpu_pools"]),
        "cpu": _cpu_values(record["cpu"]) if cpu else None,
        "workers": list(workers) if workers else None,
        "idle_timeout": record["idle_timeout"],
        "execution_timeout_ms": record["execution_timeout_ms"],
        "env": sorted(record["env"] or {}),
        "volumes": sorted((m["name"], m["size"], m["path"]) for m in record["mounts"]),
        "dependencies": sorted(spec.get("dependencies") or []),
        "routes": sorted((r["method"].upper(), r["path"]) for r in record["routes"]),
        "min_cuda_version": None if cpu else record["min_cuda_version"],
    }


def flash_resources(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        e["name"]: normalise_flash(e)
        for e in result["endpoints"]
        if not e["is_client"] and (e["api"] == "legacy" or e["qb_target"] or e["routes"])
    }


def rp2_resources(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        r["name"]: normalise_rp2(r)
        for app in result["apps"]
        for r in app["resources"]
        if r["kind"] in ("queue", "api")
    }


def compare(before: dict, after: dict, report) -> dict[str, Any]:
    """Every difference, and whether the report accounts for it.

    A flash resource that is missing after migration is accounted for when its declaration
    was left for a human (its file keeps runpod_flash, which the 2.0 environment lacks); a GPU
    set that differs is accounted for when the report lists the selection as widened."""
    left = {o.label for o in report.outcomes if o.status == "left"}
    widened = {o.label for o in report.outcomes if o.widened}
    out = {"equal": [], "explained": [], "unexplained": []}
    for name, old in sorted(before.items()):
        new = after.get(name)
        if new is None:
            bucket = "explained" if name in left else "unexplained"
            out[bucket].append((name, "missing after migration"))
            continue
        diffs = {k: (old[k], new[k]) for k in old if old[k] != new[k]}
        if not diffs:
            out["equal"].append(name)
        elif set(diffs) == {"gpu"} and name in widened:
            out["explained"].append((name, f"gpu widened: {diffs['gpu']}"))
        else:
            out["unexplained"].append((name, diffs))
    for name in sorted(set(after) - set(before)):
        out["unexplained"].append((name, "new after migration"))
    return out


def copy_project(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", ".venv", ".git"))
    return dest
