"""The two-SDK comparison behind `flash-guard migrate`: a project imported with runpod-flash
before migration and discovered with runpod 2.0 after it, each resource reduced to the same
normalised configuration. Used by tests/test_migrate_vs_sdk.py, and as a script on any
projects (each copied to a temp directory first):

    PYTHONPATH=. /work/venv/bin/python tests/migrate_diff.py PROJECT_DIR...
"""

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


_DEVICE_NAMES = {value: name for name, value in flash_tables.GPU_TYPE_VALUES.items()}


def _devices_flash(gpu_ids: str | None) -> Any:
    """The devices a built config's gpuIds string admits on the server: each pool as the
    server fills it (2.0's table, the fuller one: flash's lists fewer H100s for ADA_80_PRO)
    less the `-device` exclusions flash added for a GpuType pin."""
    tokens = [t.strip() for t in (gpu_ids or "").split(",") if t.strip()]
    pools = [t for t in tokens if not t.startswith("-")]
    if not pools or "any" in (p.lower() for p in pools):
        return "ANY"
    if set(pools) >= set(runpod2_tables.ANY_GPU_POOLS):
        return "ANY"
    excluded = {_DEVICE_NAMES.get(t[1:], t[1:]) for t in tokens if t.startswith("-")}
    devices = set()
    for pool in pools:
        devices |= set(runpod2_tables.POOLS_TO_TYPES.get(pool, (pool,)))
    return sorted(devices - excluded)


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


def flash_project(files: dict[str, str]) -> dict[str, Any]:
    """One project for sdk_oracle.run_projects: every module imported in sorted order with
    the project root on sys.path, as `flash build`'s scanner does."""
    modules = [
        rel[: -len(".py")].replace("/", ".").removesuffix(".__init__")
        for rel in sorted(files)
        if rel.endswith(".py")
    ]
    return {"files": files, "imports": [[".", m] for m in modules], "env": {}}


def flash_errors(result: dict[str, Any]) -> dict[str, Any]:
    """{project-relative file: error} for the modules runpod-flash could not import."""
    out = {}
    for module in result["modules"]:
        if module["error"] is not None:
            for path in module_files(module["module"]):
                out[path] = module["error"]
    return out


def flash_files(entry: dict[str, Any]) -> set[str]:
    """The file that declared a flash resource: the Endpoint's construction site, else the
    module of its @remote functions or of its variable (run_projects names them module:x)."""
    if entry.get("site"):  # the same two spellings as a 2.0 record's module
        return module_files(
            entry["site"][0][: -len(".py")].replace("/", ".").removesuffix(".__init__")
        )
    for target in entry.get("targets") or []:
        if target.get("module"):
            return module_files(target["module"])
    for variable in entry.get("variables") or []:
        if ":" in variable:
            return module_files(variable.split(":", 1)[0])
    return set()


def module_files(module: str | None) -> set[str]:
    if not module:
        return set()
    base = module.replace(".", "/")
    return {f"{base}.py", f"{base}/__init__.py"}


def normalise_flash(entry: dict[str, Any]) -> dict[str, Any]:
    resource = entry.get("resource") or {}
    legacy = entry["api"] == "legacy"
    cpu = entry["is_cpu"]
    deps = entry.get("dependencies")
    if legacy:
        deps = next((t.get("dependencies") for t in entry["targets"]), None)
    return {
        "files": sorted(flash_files(entry)),
        "name": entry["name"],
        "kind": "api" if entry["is_load_balanced"] else "queue",
        "compute": "cpu" if cpu else "gpu",
        "gpu": None if cpu else _devices_flash(resource.get("gpuIds")),
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
        "env_values": (entry.get("env") if not legacy else resource.get("env")) or {},
        "gpu_count": None if cpu else resource.get("gpuCount"),
        "flashboot": resource.get("flashboot"),
        "scaler": [resource.get("scalerType"), resource.get("scalerValue")],
        "system_dependencies": sorted(
            (
                next((t.get("system_dependencies") for t in entry["targets"]), None)
                if legacy
                else entry.get("system_dependencies")
            )
            or []
        ),
        # None: flash sent no locations (CPU endpoints, legacy classes); 2.0 then solves a
        # placement list (runpod-sdk2.md §3.5), compared only where flash pinned one
        "locations": sorted(resource["locations"].split(","))
        if resource.get("locations")
        else None,
    }


def normalise_rp2(record: dict[str, Any]) -> dict[str, Any]:
    spec = record["spec"]
    cpu = bool(record["cpu"])
    workers = record["workers"]
    return {
        "files": sorted(module_files(record["manifest_module"])),
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
        "env_values": {k: v["value"] for k, v in (record["env"] or {}).items()},
        "gpu_count": None if cpu else spec.get("gpu_count"),
        "flashboot": spec.get("flashboot"),
        "scaler": [record["effective_scaler_type"], spec.get("scaler_value")],
        "system_dependencies": sorted(spec.get("system_dependencies") or []),
        "locations": sorted(record["locations"]) if record["locations"] else None,
    }


def _keyed(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """By name; a name that repeats (two apps of a monorepo) is told apart by its file."""
    counts: dict[str, int] = {}
    for r in resources:
        counts[r["name"]] = counts.get(r["name"], 0) + 1
    return {
        (r["name"] if counts[r["name"]] == 1 else f"{r['name']}@{','.join(r['files'])}"): r
        for r in resources
    }


def flash_resources(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return _keyed(
        [
            normalise_flash(e)
            for e in result["endpoints"]
            if not e["is_client"] and (e["api"] == "legacy" or e["qb_target"] or e["routes"])
        ]
    )


def rp2_resources(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return _keyed(
        [
            normalise_rp2(r)
            for app in result["apps"]
            for r in app["resources"]
            if r["kind"] in ("queue", "api")
        ]
    )


def compare(before: dict, after: dict, report, flash_errors=()) -> dict[str, Any]:
    """Every difference, and whether the report accounts for it.

    A flash resource that is missing after migration is accounted for when its declaration
    was left for a human (its file keeps runpod_flash, which the 2.0 environment lacks); a GPU
    set that differs is accounted for when the report lists the selection as widened. A
    resource the report calls widened whose GPU set did not change is a false claim."""
    left = {o.label for o in report.outcomes if o.status == "left"}
    widened = {o.label for o in report.outcomes if o.widened}
    touched = set(report.files_migrated) | set(report.files_created)
    out = {"equal": [], "explained": [], "unexplained": []}
    for key, old in sorted(before.items()):
        new, name = after.get(key), old["name"]
        if new is None:
            # a declaration left for a human, or one in a file migrate did not rewrite (its
            # file keeps runpod_flash, which is not installed next to runpod 2.0)
            kept = old["files"] and not set(old["files"]) & touched
            bucket = "explained" if name in left or kept else "unexplained"
            out[bucket].append((key, "missing after migration"))
            continue
        diffs = {
            k: (old[k], new[k])
            for k in old
            if old[k] != new[k] and k != "files" and not (k == "locations" and old[k] is None)
        }
        if not diffs and name in widened:
            out["unexplained"].append((key, "reported as widened, but both SDKs admit the same"))
        elif not diffs:
            out["equal"].append(key)
        elif set(diffs) == {"gpu"} and name in widened:
            out["explained"].append((key, f"gpu widened: {diffs['gpu']}"))
        else:
            out["unexplained"].append((key, diffs))
    for name in sorted(set(after) - set(before)):
        # already on runpod 2.0 before migration, or in a file runpod-flash could not import
        files = set(after[name]["files"])
        kept = files and (not files & touched or files & set(flash_errors))
        out["explained" if kept else "unexplained"].append((name, "new after migration"))
    return out


def copy_project(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", ".venv", ".git"))
    return dest


def discover_where_reported(files: dict[str, str], report) -> dict[str, Any]:
    """rc2's discovery run from each directory the report says to deploy from (the project
    root when none), merged: a src layout is discovered from `src`, as it is deployed."""
    import sdk2_oracle

    wanted = {d for t in report.deploys for d in t.dirs} or {"."}

    def below(d: str, other: str) -> bool:  # discovery from `other` finds `d`'s files too
        return other != d and (other == "." or d.startswith(other + "/"))

    dirs = sorted(d for d in wanted if not any(below(d, o) for o in wanted))
    merged: dict[str, Any] = {"apps": [], "logs": [], "error": None}
    for directory in dirs:
        found = sdk2_oracle.run_discovery(files, directory)
        merged["apps"] += found.get("apps") or []
        merged["logs"] += found.get("logs") or []
        merged["error"] = merged["error"] or found.get("error")
    return merged


def migrate_and_compare(project: Path, tmp: Path) -> dict[str, Any]:
    """Copy `project` under `tmp`, run both SDKs around `flash-guard migrate` on the copy."""
    import sdk_oracle

    from flash_guard.migrate.run import migrate_paths, write_all

    root = copy_project(project, tmp / project.name)
    flash = sdk_oracle.run_projects([flash_project(read_project(root))])[0]
    flash["errors"] = flash_errors(flash)
    run = migrate_paths([str(root)], False, cwd=root)
    problems = write_all(run)
    after = read_project(root)
    rp2 = discover_where_reported(after, run.report)
    result = compare(flash_resources(flash), rp2_resources(rp2), run.report, flash["errors"])
    result.update(flash=flash, rp2=rp2, report=run.report, problems=problems, root=root)
    return result


def main(argv: list[str]) -> int:
    import sys
    import tempfile
    from collections import Counter

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    totals: Counter = Counter()
    reasons: Counter = Counter()
    for raw in argv:
        with tempfile.TemporaryDirectory(prefix="fg-migrate-") as tmp:
            r = migrate_and_compare(Path(raw).resolve(), Path(tmp))
        report = r["report"]
        counts = report.counts()
        totals.update(counts)
        totals.update(
            files_migrated=len(report.files_migrated),
            files_left=len(report.files_left),
            files_created=len(report.files_created),
            equal=len(r["equal"]),
            explained=len(r["explained"]),
            unexplained=len(r["unexplained"]),
            flash_errors=len(r["flash"]["errors"]),
        )
        reasons.update(o.reason for o in report.outcomes if o.status == "left")
        print(
            f"{raw}: {counts} files migrated {len(report.files_migrated)} left "
            f"{len(report.files_left)}; equal {len(r['equal'])} explained {r['explained']} "
            f"UNEXPLAINED {r['unexplained']} flash import errors {sorted(r['flash']['errors'])}"
        )
    print("TOTAL", dict(totals))
    print("LEFT BY REASON", dict(reasons))
    return 1 if totals["unexplained"] else 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
