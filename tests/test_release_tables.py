"""flash_guard/sdk/releases.json and its accessor, against the SDK releases themselves.

The drift test introspects the runpod-flash installed in this interpreter; the spot check
installs three older releases with `pip install --no-deps --target` (imported on top of this
interpreter's dependencies) and is skipped, with the reason, when the package index is not
reachable.
"""

from __future__ import annotations

import concurrent.futures
import importlib.metadata
import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flash_guard.sdk import releases as rel

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "regen_release_tables.py"
FLASH, TETRA = "runpod-flash", "tetra-rp"
_NETWORK_ERRORS = (
    "NewConnectionError",
    "Max retries exceeded",
    "Temporary failure in name resolution",
    "Name or service not known",
    "Network is unreachable",
    "No matching distribution found",
    "Could not find a version that satisfies",
    "ConnectTimeout",
    "ReadTimeout",
)


def _load_script():
    spec = importlib.util.spec_from_file_location("regen_release_tables", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


regen = _load_script()


def _key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


# --- the data file ---------------------------------------------------------------------------


def test_both_packages_recorded_oldest_first():
    assert set(rel.packages()) == {FLASH, TETRA}
    for package in rel.packages():
        versions = rel.releases(package)
        assert list(versions) == sorted(versions, key=_key)
        assert len(set(versions)) == len(versions)
        assert rel.newest(package) == versions[-1]
        assert not set(rel.skipped(package)) & set(versions)
    assert rel.releases(FLASH)[0].startswith("1.")
    assert all(v.startswith("0.") for v in rel.releases(TETRA))
    assert rel.module_name(FLASH) == "runpod_flash"
    assert rel.module_name(TETRA) == "tetra_rp"


def test_file_is_compact_and_ranges_name_recorded_releases():
    path = ROOT / "flash_guard" / "sdk" / "releases.json"
    assert path.stat().st_size < 500_000
    data = json.loads(path.read_text(encoding="utf-8"))
    for package, body in data["packages"].items():
        known = set(body["releases"])
        for kind, names in body["facts"].items():
            for name, variants in names.items():
                seen = set()
                for variant in variants:
                    for first, last in variant["releases"]:
                        assert {first, last} <= known, (package, kind, name)
                        assert _key(first) <= _key(last)
                    value = json.dumps(variant["value"], sort_keys=True)
                    assert value not in seen, f"{package} {kind} {name}: a value stored twice"
                    seen.add(value)


def test_regeneration_is_deterministic_from_the_same_snapshots():
    snaps = {
        v: {"facts": rel.raw_facts(FLASH, v)} for v in ("1.15.0", "1.16.0", "1.17.0", "1.21.0")
    }
    ordered, facts = regen.compress(dict(reversed(list(snaps.items()))))
    assert ordered == ["1.15.0", "1.16.0", "1.17.0", "1.21.0"]
    assert regen.compress(snaps)[1] == facts
    ga2 = facts["enum:DataCenter"]["US_GA_2"]
    assert ga2 == [{"value": "US-GA-2", "releases": [["1.15.0", "1.16.0"]]}]


# --- the accessor ----------------------------------------------------------------------------


def test_datacenter_removed_in_1_17():
    old, new = rel.facts(FLASH, "1.16.0"), rel.facts(FLASH, "1.21.0")
    assert old.enums["DataCenter"]["US_GA_2"] == "US-GA-2"
    assert "US_GA_2" not in new.enums["DataCenter"]
    assert "US-GA-2" in old.datacenters["gpu"]
    assert "US-GA-2" not in new.datacenters["gpu"]
    assert rel.last_release_with(FLASH, "enum:DataCenter", "US_GA_2") == "1.16.0"
    assert rel.removed_in(FLASH, "enum:DataCenter", "US_GA_2") == "1.17.0"
    assert rel.removed_in(FLASH, "enum:DataCenter", "EU_RO_1") is None
    assert rel.first_release_with(FLASH, "enum:DataCenter", "NO_SUCH_DC") is None


def test_endpoint_absent_in_1_5_present_later():
    assert rel.facts(FLASH, "1.5.0").endpoint_params is None
    assert "Endpoint" not in rel.facts(FLASH, "1.5.0").exports
    first = rel.first_release_with(FLASH, "scalar", "endpoint_class", True)
    assert first is not None and _key(first) > _key("1.5.0")
    params = rel.facts(FLASH, first).endpoint_params
    assert params is not None and "gpu" in params
    assert "Endpoint" in rel.facts(FLASH, first).exports
    newest = rel.facts(FLASH, "1.21.0")
    assert newest.endpoint_params["idle_timeout"].default == 60
    assert newest.endpoint_params["execution_timeout_ms"].has_default
    assert "python_version" not in newest.endpoint_params
    assert newest.endpoint_params["min_cuda_version"].default == {"enum": "CudaVersion.V12_8"}


def test_idle_timeout_default_differs_between_tetra_and_flash():
    tetra = rel.facts(TETRA, rel.newest(TETRA)).idle_timeout_default
    flash = rel.facts(FLASH, rel.newest(FLASH)).idle_timeout_default
    assert isinstance(tetra, int) and isinstance(flash, int)
    assert tetra != flash
    assert (tetra, flash) == (5, 60)  # flash-sdk.md: "Was 5 in tetra v0.25.2", 60 since


def test_idle_timeout_range_arrived_in_1_11_1():
    # flash-sdk.md: the 1-3600 validator exists since v1.11.1 (PR #287); tetra-rp never had it
    assert rel.facts(FLASH, "1.11.0").idle_timeout_range == (None, None)
    assert rel.facts(FLASH, "1.11.1").idle_timeout_range == (1, 3600)
    assert rel.facts(FLASH, rel.newest(FLASH)).idle_timeout_range == (1, 3600)
    assert rel.facts(TETRA, rel.newest(TETRA)).idle_timeout_range == (None, None)
    assert rel.first_release_with(FLASH, "scalar", "idle_timeout_range", [1, 3600]) == "1.11.1"


def test_module_tree_per_release():
    newest = rel.facts(FLASH, rel.newest(FLASH))
    assert rel.has_module(newest, "core")
    assert rel.has_module(newest, "core.resources")
    assert rel.has_module(newest, "core.resources.serverless")
    assert not rel.has_module(newest, "core.resourcez")
    assert not rel.has_module(rel.facts(FLASH, "1.14.0"), "dev_console")
    assert rel.first_release_with(FLASH, "submodule", "dev_console") == "1.15.0"
    assert rel.has_module(rel.facts(TETRA, rel.newest(TETRA)), "core.resources")


def test_facts_of_1_21():
    f = rel.facts(FLASH, "1.21.0")
    assert f.deploy_forwards_execution_timeout is False
    assert "idleTimeout" in f.deploy_forwards and "executionTimeoutMs" not in f.deploy_forwards
    assert f.python_versions == ("3.10", "3.11", "3.12", "3.13")
    assert f.default_python_version == "3.12"
    assert f.datacenters["cpu"] == ("EU-RO-1",)
    assert f.cuda_versions["V12_8"] == "12.8"
    assert f.remote_rejects_unknown_kwargs is True
    assert "resource_config" in f.remote_params
    assert f.remote_params["resource_config"].required
    live = f.legacy_fields["LiveServerless"]
    assert live["idleTimeout"].default == 60 and not live["idleTimeout"].required
    assert live["name"].required
    assert f.legacy_extra["NetworkVolume"] == "forbid"
    assert "Endpoint" in f.exports and "NoSuchName" not in f.exports
    with pytest.raises(AttributeError):
        f.version = "0"  # frozen


def test_facts_are_per_release():
    assert rel.facts(TETRA, "0.1.0").exports != rel.facts(TETRA, rel.newest(TETRA)).exports
    assert "remote" in rel.facts(TETRA, "0.1.0").exports
    with pytest.raises(KeyError):
        rel.facts(FLASH, "9.9.9")
    with pytest.raises(KeyError):
        rel.facts("no-such-sdk", "1.0.0")


def test_first_and_last_release_with():
    assert rel.first_release_with(FLASH, "export", "remote") == rel.releases(FLASH)[0]
    assert rel.last_release_with(FLASH, "export", "remote") == rel.newest(FLASH)
    assert rel.first_release_with(FLASH, "enum:DataCenter", "US_GA_2", "US-GA-2") is not None
    assert rel.first_release_with(FLASH, "enum:DataCenter", "US_GA_2", "wrong") is None


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("==1.16.0", "1.16.0"),
        ("1.16.0", "1.16.0"),
        ("==1.16", "1.16.0"),
        (">=1.19,<1.21", "1.20.1"),
        (" >= 1.19 , < 1.20.1 ", "1.20.0"),
        ("~=1.16.0", "1.16.0"),
        ("~=1.11.0", "1.11.3"),
        ("1.16.*", "1.16.0"),
        ("==1.11.*", "1.11.3"),
        ("<=1.4", "1.4.0"),
        (">1.0,<1.2", "1.1.1"),
        ("!=1.21.0,<1.21.1", "1.20.1"),
        ("~1.11", "1.11.3"),
        ("^1.0,<1.6", "1.5.0"),
        ("===1.9.1", "1.9.1"),
        (">=9", None),
        ("<1.0", None),
        ("==1.16.1", None),
    ],
)
def test_pick_version(spec, expected):
    assert rel.pick_version(FLASH, spec) == expected


def test_pick_version_open_ended_is_the_newest():
    assert rel.pick_version(FLASH, "") == rel.newest(FLASH)
    assert rel.pick_version(FLASH, "~=1.16") == rel.newest(FLASH)
    assert rel.pick_version(FLASH, ">=1.0") == rel.newest(FLASH)
    assert rel.pick_version(TETRA, "^0.25") == rel.newest(TETRA)
    assert rel.pick_version(TETRA, "~=0.5.0") == "0.5.5"


@pytest.mark.parametrize("spec", ["foo", "~=1", ">=1.2.*", ">=", "==1.x", ">=1.0,"])
def test_pick_version_rejects_bad_specifiers(spec):
    with pytest.raises(ValueError):
        rel.pick_version(FLASH, spec)


@pytest.mark.parametrize(
    ("version", "spec", "ok"),
    [
        ("1.10.0", ">1.9", True),
        ("1.9.0", ">1.10", False),
        ("2.0", "==2.0.0.0", True),
        ("1.2.3", "~=1.2", True),
        ("2.0.0", "~=1.2", False),
        ("0.3.1", "^0.2", False),
        ("0.2.9", "^0.2", True),
        ("0.0.4", "^0.0.3", False),
        ("1.2", "!=1.2.*", False),
        ("1.3", "!=1.2.*", True),
        ("1.2.0", "", True),
        ("1.2.0", "*", True),
    ],
)
def test_version_matches(version, spec, ok):
    assert rel.version_matches(version, spec) is ok


def test_accessor_needs_no_packaging_and_loads_json_once():
    code = (
        "import sys, json\n"
        "calls = []\n"
        "real = json.loads\n"
        "json.loads = lambda *a, **k: calls.append(1) or real(*a, **k)\n"
        "from flash_guard.sdk import releases as r\n"
        "r.pick_version('runpod-flash', '>=1.0'); r.facts('tetra-rp', r.newest('tetra-rp'))\n"
        "r.packages(); r.releases('runpod-flash')\n"
        "print(len(calls), 'packaging' in sys.modules, 'runpod_flash' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert done.stdout.split() == ["1", "False", "False"]


# --- against the SDK itself ------------------------------------------------------------------


def _assert_same(recorded: dict, fresh: dict, label: str) -> None:
    kinds = sorted(set(recorded) | set(fresh))
    drift = [k for k in kinds if recorded.get(k) != fresh.get(k)]
    detail = {
        k: {
            "only_recorded": sorted(set(recorded.get(k, {})) - set(fresh.get(k, {}))),
            "only_fresh": sorted(set(fresh.get(k, {})) - set(recorded.get(k, {}))),
            "changed": sorted(
                n
                for n in set(recorded.get(k, {})) & set(fresh.get(k, {}))
                if recorded[k][n] != fresh[k][n]
            ),
        }
        for k in drift
    }
    assert not drift, f"{label}: releases.json drifted; re-run {SCRIPT.name}: {detail}"


def test_newest_flash_matches_the_installed_sdk():
    try:
        installed = importlib.metadata.version(FLASH)
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("runpod-flash is not installed in the test interpreter")
    assert installed == rel.newest(FLASH), (
        f"runpod-flash {installed} is installed but releases.json ends at {rel.newest(FLASH)}"
    )
    snap = regen.run_introspection(sys.executable, "runpod_flash")
    assert snap["version"] == installed
    _assert_same(rel.raw_facts(FLASH, installed), snap["facts"], f"runpod-flash {installed}")


def test_older_releases_match_fresh_installs(tmp_path):
    oldest_endpoint = rel.first_release_with(FLASH, "scalar", "endpoint_class", True)
    picks = [(FLASH, oldest_endpoint), (FLASH, "1.16.0"), (TETRA, rel.newest(TETRA))]
    assert oldest_endpoint not in (None, "1.16.0")
    started = time.monotonic()

    def install(pick):
        dist, version = pick
        target = tmp_path / f"{dist}-{version}"
        done = regen.pip_install(
            [sys.executable, "-m", "pip"],
            ["--no-deps", "--target", str(target), f"{dist}=={version}"],
        )
        return pick, target, done

    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        installed = list(pool.map(install, picks))
    for (dist, version), _, done in installed:
        if done.returncode != 0:
            if any(marker in done.stderr for marker in _NETWORK_ERRORS):
                reason = f"package index unreachable for {dist}=={version}: {done.stderr[-300:]}"
                print(reason)
                pytest.skip(reason)
            pytest.fail(f"pip could not install {dist}=={version}: {done.stderr[-1000:]}")

    def check(item):
        (dist, version), target, _ = item
        return (
            dist,
            version,
            regen.run_introspection(sys.executable, rel.module_name(dist), str(target)),
        )

    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        for dist, version, snap in pool.map(check, installed):
            assert snap["version"] == version
            _assert_same(rel.raw_facts(dist, version), snap["facts"], f"{dist} {version}")
    assert time.monotonic() - started < 120


@pytest.mark.parametrize(
    ("seconds", "note"),
    [
        (300_000, "about 83 h; idle_timeout is in seconds: 300 if milliseconds were meant"),
        (30_000.0, "about 8 h; idle_timeout is in seconds: 30 if milliseconds were meant"),
        (10_000, "about 3 h; idle_timeout is in seconds: 10 if milliseconds were meant"),
        (5_000, ""),  # 5 s is no likelier than 83 min: no note
        (45_500, ""),  # not whole thousands
        (True, ""),
        ("60000", ""),
    ],
)
def test_an_idle_timeout_reads_as_milliseconds_from_ten_seconds(seconds, note):
    from flash_guard.rules.production.fg105_idle_timeout_range import milliseconds_note

    assert milliseconds_note(seconds) == (f" ({note})" if note else "")
