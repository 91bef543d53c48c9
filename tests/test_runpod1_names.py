"""runpod 1.x, the serverless SDK, has none of the 2.0 Apps API: FG213 fires on a 2.0 app whose
lock or pin says 1.x. The table of 1.x names (flash_guard/sdk/runpod1_names.py) is checked
against the runpod 1.x that runpod-flash installs, in the oracle's sandbox (no network, HOME
sandboxed), and the failures FG213 announces are the ones that release raises."""

from __future__ import annotations

import pytest
from sdk_oracle import run_probe_or_skip

from flash_guard.sdk import runpod2_tables
from flash_guard.sdk.runpod1_names import RUNPOD1_TOP_LEVEL, RUNPOD1_VERSION, is_runpod1

PROBE = """
import pkgutil
import runpod

def outcome(source):
    try:
        exec(source, {})
    except Exception as exc:
        return type(exc).__name__
    return "ok"

RESULT = {
    "version": runpod.__version__,
    "names": sorted(dir(runpod)),
    "submodules": sorted(m.name for m in pkgutil.iter_modules(runpod.__path__)),
    "from_import": outcome("from runpod import GpuType"),
    "attribute": outcome("import runpod; runpod.App('chat')"),
}
"""

RUNPOD2_NAMES = set(runpod2_tables.RUNPOD_EXPORTS) | runpod2_tables.RUNPOD_TOP_LEVEL


@pytest.fixture(scope="module")
def installed():
    result = run_probe_or_skip(PROBE)
    if not is_runpod1(result["version"]):
        pytest.skip(f"runpod {result['version']} is installed, not a 1.x release")
    return result


def test_names_flagged_as_missing_are_missing_in_the_installed_1x(installed):
    flagged = RUNPOD2_NAMES - RUNPOD1_TOP_LEVEL
    assert {"App", "GpuType", "Secret", "NetworkVolume"} <= flagged
    assert not flagged & (set(installed["names"]) | set(installed["submodules"]))


def test_the_table_is_the_recorded_release(installed):
    if installed["version"] != RUNPOD1_VERSION:
        pytest.skip(f"runpod {installed['version']} installed; the table is {RUNPOD1_VERSION}")
    public = {n for n in installed["names"] if not n.startswith("_")}
    assert public | set(installed["submodules"]) | {"__version__"} == RUNPOD1_TOP_LEVEL


def test_the_failures_fg213_names_are_the_ones_1x_raises(installed):
    assert installed["from_import"] == "ImportError"
    assert installed["attribute"] == "AttributeError"


@pytest.mark.parametrize(
    ("version", "expected"),
    [("1.7.9", True), ("v1.12.0", True), ("0.10.0", True), ("2.0.0rc2", False), ("x", False)],
)
def test_is_runpod1(version, expected):
    assert is_runpod1(version) is expected
