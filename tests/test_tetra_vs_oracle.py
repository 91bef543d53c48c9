"""flash-guard's tetra-rp claims against the real tetra-rp (tests/tetra_oracle.py).

Each case is built twice: by tetra-rp TETRA_RELEASE in the sandboxed oracle (constructing the
resource configs and applying `@remote`, or running `flash build`'s scanner and manifest
builder on a project), and by flash-guard statically, on the same source in a project that
pins that release. The two must agree on what the SDK does: the defaults a legacy class
fills in, what it accepts or rejects at construction, what `flash build` refuses, what
reaches the worker's environment, and which `@remote` functions the build finds.

Without the tetra-rp interpreter ($FLASH_GUARD_TETRA_PYTHON, else .venv-tetra) these tests
skip locally and fail under CI=true.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import textwrap
from pathlib import Path

import pytest
import tetra_oracle
from tetra_oracle import (
    TETRA_RELEASE,
    or_skip,
    run_tetra_build,
    run_tetra_cases,
    run_tetra_probe,
    sdk_version,
    skip_or_fail,
    tetra_python,
)

from flash_guard.sdk import releases

IMPORTS = (
    "from tetra_rp import (CpuLiveLoadBalancer, CpuLiveServerless, CpuServerlessEndpoint,\n"
    "    LiveLoadBalancer, LiveServerless, LoadBalancerSlsResource, ServerlessEndpoint, remote)\n"
)
PIN = {"requirements.txt": f"tetra-rp=={TETRA_RELEASE}\n"}
QB = "\n@remote(cfg)\nasync def run(x): ...\n"
LB = '\n@remote(cfg, method="POST", path="/run")\nasync def run(x): ...\n'


def module(source: str) -> str:
    return IMPORTS + textwrap.dedent(source).strip() + "\n"


def fg_findings(check_json, project, files: dict[str, str], code: str) -> list[dict]:
    """flash-guard's `code` findings on the project `files` (pinned to TETRA_RELEASE)."""
    _, doc = check_json(project({**PIN, **files}), "--select", code)
    return [f for f in doc["findings"] if f["code"] == code]


def fg_endpoints(run_cli, project, files: dict[str, str]) -> list[dict]:
    exit_code, out, err = run_cli(["endpoints", "--format", "json", "."], project(files))
    assert exit_code in (0, 1), err
    return json.loads(out)["endpoints"]


# --- the oracle itself ----------------------------------------------------------------------


def test_oracle_runs_the_pinned_release_offline():
    assert or_skip(sdk_version) == TETRA_RELEASE
    (result,) = or_skip(
        run_tetra_cases,
        [
            "import socket\ntry:\n    socket.create_connection(('api.runpod.io', 443))\n"
            "except OSError:\n    pass\n" + module('cfg = LiveServerless(name="x", env={})' + QB)
        ],
    )
    assert result["error"] is None
    assert result["network"] == ["create_connection(('api.runpod.io', 443))"]
    (record,) = result["resources"]
    assert (record["class"], record["variables"]) == ("LiveServerless", ["cfg"])
    assert record["targets"] == [{"function": "run", "method": None, "path": None}]


def test_missing_interpreter_is_sdk_missing(monkeypatch, tmp_path):
    monkeypatch.setenv(tetra_oracle.PYTHON_ENV_VAR, str(tmp_path / "no-python"))
    with pytest.raises(tetra_oracle.SdkMissing, match="not found"):
        run_tetra_cases(["x = 1"])


def test_an_interpreter_without_tetra_rp_is_sdk_missing(monkeypatch):
    pytest.importorskip("runpod_flash")  # the test venv: runpod-flash, never tetra_rp
    monkeypatch.setenv(tetra_oracle.PYTHON_ENV_VAR, sys.executable)
    with pytest.raises(tetra_oracle.SdkMissing):
        run_tetra_cases(["x = 1"])


def test_missing_sdk_skips_locally_but_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        skip_or_fail("no tetra")
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="no tetra"):
        skip_or_fail("no tetra")


def test_release_facts_match_the_oracle_sdk():
    """releases.json's record of TETRA_RELEASE (exports, fields and defaults, what deploy
    forwards: FG104, FG110, FG210, FG213 read them) is what the release itself holds."""
    python = tetra_python()
    if not python.exists():
        skip_or_fail(f"tetra-rp interpreter not found at {python}")
    script = Path(__file__).resolve().parent.parent / "scripts" / "regen_release_tables.py"
    spec = importlib.util.spec_from_file_location("regen_release_tables", script)
    regen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(regen)
    fresh = regen.run_introspection(str(python), "tetra_rp")
    assert fresh["version"] == TETRA_RELEASE
    recorded = releases.raw_facts("tetra-rp", TETRA_RELEASE)
    drift = sorted(
        k for k in set(recorded) | set(fresh["facts"]) if recorded.get(k) != fresh["facts"].get(k)
    )
    assert not drift, f"releases.json drifted from tetra-rp {TETRA_RELEASE} in {drift}"


# --- construction: defaults, validation, silently dropped settings ---------------------------

DEFAULTS = {
    "live-gpu": 'cfg = LiveServerless(name="d", env={})' + QB,
    "live-cpu": 'cfg = CpuLiveServerless(name="d", env={})' + QB,
    "live-lb": 'cfg = LiveLoadBalancer(name="d", env={})' + LB,
    "live-cpu-lb": 'cfg = CpuLiveLoadBalancer(name="d", env={})' + LB,
    "endpoint": 'cfg = ServerlessEndpoint(name="d", imageName="me/img:1", env={})' + QB,
    "cpu-endpoint": 'cfg = CpuServerlessEndpoint(name="d", imageName="me/img:1", env={})' + QB,
    "lb-endpoint": 'cfg = LoadBalancerSlsResource(name="d", imageName="me/img:1", env={})' + LB,
    # one bound given: the other keeps the release's default (normalize.release_defaults)
    "min-only": 'cfg = LiveServerless(name="d", workersMin=2, idleTimeout=600, env={})' + QB,
    "max-only": 'cfg = LiveLoadBalancer(name="d", workersMax=7, env={})' + LB,
}


@pytest.fixture(scope="module")
def defaults() -> dict[str, dict]:
    results = or_skip(run_tetra_cases, [module(src) for src in DEFAULTS.values()])
    return dict(zip(DEFAULTS, results, strict=True))


@pytest.mark.parametrize("case", list(DEFAULTS))
def test_defaults_match_the_sdk(case, defaults, run_cli, project):
    result = defaults[case]
    assert result["error"] is None, result["error"]
    (sdk,) = result["resources"]
    (ep,) = fg_endpoints(run_cli, project, {**PIN, "main.py": module(DEFAULTS[case])})
    assert ep["sdk_release"]["version"] == TETRA_RELEASE
    params = {k: v["value"] for k, v in ep["params"].items()}
    assert params["workers"] == {"min": sdk["workersMin"], "max": sdk["workersMax"]}
    assert params["idle_timeout"] == sdk["idleTimeout"]
    assert params["execution_timeout_ms"] == sdk["executionTimeoutMs"]
    assert params["flashboot"] == sdk["flashboot"]
    assert params["scaler_type"] == f"ServerlessScalerType.{sdk['scalerType']}"
    assert params["scaler_value"] == sdk["scalerValue"]
    assert (ep["kind"] == "load_balancer") == sdk["is_load_balanced"]
    assert (ep["compute"] == "cpu") == bool(sdk["instanceIds"])
    if "gpu_count" in params and not sdk["instanceIds"]:
        assert params["gpu_count"] == sdk["gpuCount"]


CONSTRUCT = {
    "min-above-max": 'cfg = LiveServerless(name="w", workersMin=3, workersMax=1, env={})' + QB,
    "idle-fraction": 'cfg = LiveServerless(name="i", idleTimeout=2.5, env={})' + QB,
    "idle-zero": 'cfg = LiveServerless(name="i", idleTimeout=0, env={})' + QB,
    "idle-long": 'cfg = LiveServerless(name="i", idleTimeout=7200, env={})' + QB,
    "image-live-gpu": 'cfg = LiveServerless(name="m", imageName="me/img:1", env={})' + QB,
    "image-live-cpu": 'cfg = CpuLiveServerless(name="m", imageName="me/img:1", env={})' + QB,
    "image-live-lb": 'cfg = LiveLoadBalancer(name="m", imageName="me/img:1", env={})' + LB,
    "image-live-cpu-lb": 'cfg = CpuLiveLoadBalancer(name="m", imageName="me/img:1", env={})' + LB,
    "image-endpoint": 'cfg = ServerlessEndpoint(name="m", imageName="me/img:1", env={})' + QB,
    "unknown-keyword": 'cfg = LiveServerless(name="u", bogus=1, env={})' + QB,
}


@pytest.fixture(scope="module")
def constructed() -> dict[str, dict]:
    results = or_skip(run_tetra_cases, [module(src) for src in CONSTRUCT.values()])
    return dict(zip(CONSTRUCT, results, strict=True))


def test_fg201_min_above_max_is_accepted_and_sent(constructed, check_json, project):
    result = constructed["min-above-max"]
    assert result["error"] is None
    (sdk,) = result["resources"]
    assert (sdk["workersMin"], sdk["workersMax"]) == (3, 1)
    (finding,) = fg_findings(
        check_json, project, {"main.py": module(CONSTRUCT["min-above-max"])}, "FG201"
    )
    assert f"tetra-rp {TETRA_RELEASE} does not check this" in finding["message"]


def test_fg203_idle_timeout_type_checked_range_not(constructed, check_json, project):
    error = constructed["idle-fraction"]["error"]
    assert error is not None and "valid integer" in error["message"]
    (finding,) = fg_findings(
        check_json, project, {"main.py": module(CONSTRUCT["idle-fraction"])}, "FG203"
    )
    assert "valid integer" in finding["message"]
    for case, seconds in (("idle-zero", 0), ("idle-long", 7200)):
        result = constructed[case]
        assert result["error"] is None
        assert result["resources"][0]["idleTimeout"] == seconds
        files = {"main.py": module(CONSTRUCT[case])}
        assert fg_findings(check_json, project, files, "FG203") == [], case


@pytest.mark.parametrize(
    "case", ["image-live-gpu", "image-live-cpu", "image-live-lb", "image-live-cpu-lb"]
)
def test_fg210_image_name_on_live_classes_is_overwritten(case, constructed, check_json, project):
    result = constructed[case]
    assert result["error"] is None
    (sdk,) = result["resources"]
    assert sdk["imageName"] != "me/img:1"
    assert sdk["template"]["imageName"] == sdk["imageName"]
    (finding,) = fg_findings(check_json, project, {"main.py": module(CONSTRUCT[case])}, "FG210")
    assert "overwritten" in finding["message"]


def test_fg210_image_name_on_serverless_endpoint_is_kept(constructed, check_json, project):
    (sdk,) = constructed["image-endpoint"]["resources"]
    assert sdk["template"]["imageName"] == sdk["imageName"] == "me/img:1"
    files = {"main.py": module(CONSTRUCT["image-endpoint"])}
    assert fg_findings(check_json, project, files, "FG210") == []


def test_fg210_unknown_keyword_is_dropped(constructed, check_json, project):
    result = constructed["unknown-keyword"]
    assert result["error"] is None
    (sdk,) = result["resources"]
    assert "bogus" not in sdk["extra"]
    (finding,) = fg_findings(
        check_json, project, {"main.py": module(CONSTRUCT["unknown-keyword"])}, "FG210"
    )
    assert "drops it silently" in finding["message"]


# --- FG108: a legacy class without env= ships the nearest .env --------------------------------

DOTENV = "FOO=1\n"
ENV_APP = """
q = LiveServerless(name="q")
@remote(q)
async def run(x):
    import os
    return os.environ["FOO"], os.environ["BAR"]
p = LiveServerless(name="p", env={"OTHER": "1"})
@remote(p)
async def run2(x):
    import os
    return os.environ["FOO"], os.environ["OTHER"]
"""


def test_fg108_dotenv_reaches_the_worker_only_without_env(check_json, project):
    (result,) = or_skip(run_tetra_cases, [module(ENV_APP)], sdk_in_project={".env": DOTENV})
    assert result["error"] is None, result["error"]
    sent = {r["variables"][0]: set(r["template"]["env"]) for r in result["resources"]}
    assert sent == {"q": {"FOO"}, "p": {"OTHER"}}
    files = {".env": DOTENV, "main.py": module(ENV_APP)}
    # "`run` reads `BAR` from the environment but `q` does not pass it in env=; ..."
    reported = {
        (words[5], words[3])
        for words in (
            f["message"].split("`") for f in fg_findings(check_json, project, files, "FG108")
        )
    }
    read = {"q": {"FOO", "BAR"}, "p": {"FOO", "OTHER"}}
    # flash-guard reports exactly the variables read that the SDK does not send
    assert reported == {(ep, var) for ep, names in read.items() for var in names - sent[ep]}


TEMPLATE_ENV_APP = """
from tetra_rp import PodTemplate
t = PodTemplate(name="t", imageName="me/img:1", env=[{"key": "BUCKET", "value": "b"}])
q = ServerlessEndpoint(name="q", template=t)
@remote(q)
async def run(x):
    import os
    return os.environ["BUCKET"]
"""


@pytest.mark.parametrize("dotenv", ["", DOTENV])
def test_fg108_template_env_reaches_the_worker_unless_env_replaces_it(dotenv, check_json, project):
    """env= omitted: the template's env is deployed as written, unless the .env default
    (non-empty) replaces it; flash-guard reports BUCKET exactly when the SDK drops it."""
    extra = {"sdk_in_project": {".env": dotenv}} if dotenv else {}
    (result,) = or_skip(run_tetra_cases, [module(TEMPLATE_ENV_APP)], **extra)
    assert result["error"] is None, result["error"]
    (record,) = result["resources"]
    sent = set(record["template"]["env"])
    files = {".env": dotenv, "main.py": module(TEMPLATE_ENV_APP)} if dotenv else {}
    files = files or {"main.py": module(TEMPLATE_ENV_APP)}
    reported = {
        f["message"].split("`")[3] for f in fg_findings(check_json, project, files, "FG108")
    }
    assert reported == {"BUCKET"} - sent


# --- flash build: the manifest's checks and discovery ----------------------------------------


def build_case(**files: str) -> dict[str, str]:
    return {path.replace("__", "/") + ".py": module(src) for path, src in files.items()}


BUILDS = {
    "duplicate-function": build_case(
        main='a = LiveServerless(name="a", env={})\n@remote(a)\nasync def work(x): ...',
        second='b = LiveServerless(name="b", env={})\n@remote(b)\nasync def work(x): ...',
    ),
    "distinct-functions": build_case(
        main='a = LiveServerless(name="a", env={})\n@remote(a)\nasync def work(x): ...',
        second='b = LiveServerless(name="b", env={})\n@remote(b)\nasync def other(x): ...',
    ),
    "lb-manifest": build_case(
        main='cfg = LiveLoadBalancer(name="l", env={})\n'
        '@remote(cfg, method="GET", path="/manifest")\nasync def man(): ...'
    ),
    "lb-ping": build_case(
        main='cfg = LiveLoadBalancer(name="l", env={})\n'
        '@remote(cfg, method="GET", path="/ping")\nasync def ping(): ...'
    ),
    "lb-duplicate-route": build_case(
        main='cfg = LiveLoadBalancer(name="l", env={})\n'
        '@remote(cfg, method="GET", path="/x")\nasync def x1(): ...\n'
        '@remote(cfg, method="GET", path="/x")\nasync def x2(): ...'
    ),
    "lb-fine": build_case(
        main='cfg = LiveLoadBalancer(name="l", env={})\n'
        '@remote(cfg, method="GET", path="/health")\nasync def health(): ...'
    ),
    # 0.20's scanner knows LiveLoadBalancer and LoadBalancerSlsResource only: a CPU load
    # balancer is built as a queue endpoint and its routes are never checked
    "cpu-lb-unchecked": build_case(
        main='cfg = CpuLiveLoadBalancer(name="c", env={})\n'
        '@remote(cfg, method="GET", path="/manifest")\nasync def man(): ...\n'
        '@remote(cfg, method="GET", path="/ping")\nasync def ping(): ...\n'
        '@remote(cfg, method="GET", path="/x")\nasync def x1(): ...\n'
        '@remote(cfg, method="GET", path="/x")\nasync def x2(): ...'
    ),
    # tetra-rp's build parses each file for decorators: importing a decorated function into
    # another module declares nothing (runpod-flash 1.11+ reads module globals and fails)
    "imported-function": {
        **build_case(
            main='a = LiveServerless(name="a", env={})\n@remote(a)\nasync def work(x): ...'
        ),
        "pipeline.py": "from main import work\n\n\nasync def go():\n    return await work(1)\n",
    },
    # tetra-rp's queue workers dispatch by function name: one resource serves both
    "one-resource-two-functions": build_case(
        main='a = LiveServerless(name="a", env={})\n@remote(a)\nasync def one(x): ...\n'
        "@remote(a)\nasync def two(x): ..."
    ),
    # one name= in two files: merged into one manifest resource, not a build failure
    "same-name-two-files": build_case(
        main='a = LiveServerless(name="same", env={})\n@remote(a)\nasync def one(x): ...',
        second='b = LiveServerless(name="same", env={})\n@remote(b)\nasync def two(x): ...',
    ),
}

# case -> (the FG code flash-guard must report, a phrase in both the SDK's error and it)
BUILD_FAILS = {
    "duplicate-function": ("FG207", "Duplicate function name"),
    "lb-manifest": ("FG204", "/manifest"),
    "lb-ping": ("FG204", "/ping"),
    "lb-duplicate-route": ("FG204", "duplicate route"),
}
# case -> the FG code that warns about a silent merge the build accepts
# Builds that succeed with a finding that is no build failure: a merge (FG207), or a CPU load
# balancer built as a queue endpoint whose routes are never served (FG204)
BUILD_MERGES = {"same-name-two-files": "FG207", "cpu-lb-unchecked": "FG204"}
BUILD_CODES = ("FG204", "FG207")


@pytest.fixture(scope="module")
def builds() -> dict[str, dict]:
    return dict(zip(BUILDS, or_skip(run_tetra_build, list(BUILDS.values())), strict=True))


@pytest.mark.parametrize("case", list(BUILDS))
def test_build_failures_agree(case, builds, check_json, project):
    result = builds[case]
    assert result["network"] == []
    _, doc = check_json(project({**PIN, **BUILDS[case]}), "--select", ",".join(BUILD_CODES))
    messages = {f["code"]: f["message"] for f in doc["findings"]}
    if case in BUILD_FAILS:
        code, phrase = BUILD_FAILS[case]
        assert result["error"] is not None, f"tetra-rp built {case}"
        assert phrase.lower() in result["error"]["message"].lower()
        assert set(messages) == {code}, doc["findings"]
        assert phrase.lower() in messages[code].lower()
        assert "flash build` fails" in messages[code]
    else:
        assert result["error"] is None, result["error"]
        assert set(messages) == {BUILD_MERGES[case]} if case in BUILD_MERGES else not messages
        assert not any("flash build` fails" in m for m in messages.values()), messages


def test_same_name_in_two_files_is_one_manifest_resource(builds, check_json, project):
    manifest = builds["same-name-two-files"]["manifest"]
    assert {
        name: sorted(f["name"] for f in res["functions"])
        for name, res in manifest["resources"].items()
    } == {"same": ["one", "two"]}
    _, doc = check_json(project({**PIN, **BUILDS["same-name-two-files"]}), "--select", "FG207")
    (finding,) = doc["findings"]
    assert "merged into one endpoint" in finding["message"]
    assert f"tetra-rp {TETRA_RELEASE} serves both functions" in finding["message"]


def test_cpu_load_balancer_is_built_as_a_queue_endpoint(builds, project, check_json):
    found = builds["cpu-lb-unchecked"]["functions"]
    assert {(f["resource_type"], f["is_load_balanced"]) for f in found} == {
        ("CpuLiveLoadBalancer", False)
    }
    # flash-guard: no build failure (reserved paths, duplicates), but no route is served
    _, doc = check_json(project({**PIN, **BUILDS["cpu-lb-unchecked"]}), "--select", "FG204")
    messages = [f["message"] for f in doc["findings"]]
    assert len(messages) == 1, messages
    assert "writes this one a queue handler and no HTTP routes" in messages[0]


LAYOUT = {
    "main.py": module(
        """
        gpu = LiveServerless(name="gpu-worker", env={})
        @remote(gpu)
        async def infer(x): ...
        @remote(LiveServerless(name="inline", env={}))
        async def inline_fn(x): ...
        """
    ),
    "workers/__init__.py": "",
    "workers/cpu.py": module(
        """
        cpu = CpuLiveServerless(name="cpu-worker", env={})
        @remote(cpu)
        class Preprocess:
            def run(self, x): ...
        api = LiveLoadBalancer(name="api", env={})
        @remote(api, method="GET", path="/health")
        async def health(): ...
        """
    ),
    # `flash build` skips the project's own virtual environment
    ".venv/lib/site.py": module(
        'v = LiveServerless(name="venv", env={})\n@remote(v)\ndef hidden(x): ...'
    ),
    "helpers.py": "def plain(x):\n    return x\n",
}


def test_build_finds_the_functions_flash_guard_finds(run_cli, project):
    (result,) = or_skip(run_tetra_build, [LAYOUT])
    assert result["error"] is None, result["error"]
    sdk = sorted((f["module"], f["function"]) for f in result["functions"])
    assert sdk == [
        ("main", "infer"),
        ("main", "inline_fn"),
        ("workers.cpu", "Preprocess"),
        ("workers.cpu", "health"),
    ]
    endpoints = fg_endpoints(run_cli, project, {**PIN, **LAYOUT})
    found = sorted(
        (ep["path"].removesuffix(".py").replace("/", "."), fn)
        for ep in endpoints
        for fn in ep["functions"]
    )
    assert found == sdk
    by_function = {fn: ep for ep in endpoints for fn in ep["functions"]}
    for f in result["functions"]:
        ep = by_function[f["function"]]
        assert ep["resource_class"] == f["resource_type"]
        assert (ep["kind"] == "load_balancer") == f["is_load_balanced"]


# --- FG104: `flash deploy` provisions from the manifest without executionTimeoutMs -----------

TIMEOUT_APP = build_case(
    main='q = LiveServerless(name="q", executionTimeoutMs=600000, env={})\n'
    "@remote(q)\nasync def run(x): ..."
)
NO_TIMEOUT_APP = build_case(
    main='q = LiveServerless(name="q", env={})\n@remote(q)\nasync def run(x): ...'
)

DEPLOY_PROBE = """
import json
import os
from tetra_rp.runtime.mothership_provisioner import create_resource_from_manifest
os.environ["RUNPOD_ENDPOINT_ID"] = "mothership"  # the mothership runs on Runpod: it is set
entry = json.loads({entry!r})
resource = create_resource_from_manifest("q", entry, "https://mothership.invalid")
RESULT = {{"class": type(resource).__name__, "executionTimeoutMs": resource.executionTimeoutMs}}
"""


def test_fg104_deploy_drops_the_execution_timeout(check_json, project):
    (built,) = or_skip(run_tetra_build, [TIMEOUT_APP])
    entry = built["manifest"]["resources"]["q"]
    # the manifest the mothership provisions from has no deployment settings at all
    assert "executionTimeoutMs" not in json.dumps(entry)
    deployed = or_skip(run_tetra_probe, DEPLOY_PROBE.format(entry=json.dumps(entry)))
    assert deployed["executionTimeoutMs"] in (0, None)  # the class default: no limit
    (finding,) = fg_findings(check_json, project, NO_TIMEOUT_APP, "FG104")
    assert (
        f"`flash deploy` in tetra-rp {TETRA_RELEASE} drops executionTimeoutMs"
        in (finding["message"])
    )
    # the limit in the code passes: `flash dev` and run-time provisioning honour it
    assert fg_findings(check_json, project, TIMEOUT_APP, "FG104") == []


# --- FG301: what the build copies and scans ---------------------------------------------------


def _worker(name: str) -> str:
    config = f'cfg_{name} = LiveServerless(name="{name}", env={{}})'
    return module(f"{config}\n@remote(cfg_{name})\nasync def fn_{name}(x): ...")


# runpod-flash 1.12+ leaves these paths out of the build (and never imports __init__.py);
# tetra-rp copies and scans all of them
COPIED = {
    "tests/test_worker.py": _worker("tests"),
    "docs/example.py": _worker("docs"),
    "pkg/__init__.py": _worker("pkg"),
    "test_top.py": _worker("top"),
    "main.py": _worker("main"),
}


def test_fg301_build_copies_tests_docs_and_init_files(check_json, run_cli, project):
    (result,) = or_skip(run_tetra_build, [COPIED])
    assert result["error"] is None, result["error"]
    built = sorted(f["function"] for f in result["functions"])
    assert built == sorted(f"fn_{n}" for n in ("tests", "docs", "pkg", "top", "main"))
    assert sorted(result["manifest"]["resources"]) == sorted(
        ("tests", "docs", "pkg", "top", "main")
    )
    assert fg_findings(check_json, project, COPIED, "FG301") == []
    endpoints = fg_endpoints(run_cli, project, {**PIN, **COPIED})
    assert sorted(fn for ep in endpoints for fn in ep["functions"]) == built
