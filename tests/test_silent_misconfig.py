"""FG301-FG304 beyond what the rule fixtures can express: severities, messages, configuration,
FG002 hand-off, and differential checks against what `flash build` itself discovers and bundles.
"""

from __future__ import annotations

import json
import textwrap

import pytest
from conftest import findings_of
from sdk_oracle import run_probe_or_skip

from flash_guard.rules.silent.fg302_top_level_dependency_import import requirement_name

LEGACY = """
from runpod_flash import LiveServerless, ServerlessEndpoint, remote

live = LiveServerless(name="live-gpu")
custom = ServerlessEndpoint(name="custom-image", imageName="me/worker:1")

@remote(live)
async def a(x): ...

@remote(custom)
async def b(x): ...
"""


def by_endpoint(doc: dict, code: str) -> dict[str, dict]:
    return {f["endpoint"]: f for f in doc["findings"] if f["code"] == code}


# -- FG304: the severity varies per finding -----------------------------------------------


def test_fg304_is_info_but_warning_for_classes_deploy_cannot_provision(project, check_json):
    _, doc = check_json(project({"app.py": LEGACY}), "--select", "FG304")
    found = by_endpoint(doc, "FG304")
    assert found["live-gpu"]["severity"] == "info"
    assert found["custom-image"]["severity"] == "warning"
    assert "Unsupported resource type for auto-provisioning" in found["custom-image"]["message"]
    assert "Unsupported" not in found["live-gpu"]["message"]


@pytest.mark.parametrize("configured", ["info", "error"])
def test_fg304_configured_severity_applies_to_every_finding(project, check_json, configured):
    root = project(
        {
            "app.py": LEGACY,
            ".flash-guard.yaml": f"rules:\n  legacy-api:\n    severity: {configured}\n",
        }
    )
    _, doc = check_json(root, "--select", "FG304")
    assert {f["severity"] for f in doc["findings"] if f["code"] == "FG304"} == {configured}
    assert len(findings_of(doc, "FG304")) == 2


def test_fg304_warning_variant_counts_for_fail_on(project, run_cli):
    live_only = LEGACY.split("@remote(custom)")[0].replace("custom = ServerlessEndpoint", "# ")
    root = project({"mixed/app.py": LEGACY, "live/app.py": live_only})
    code, out, _ = run_cli(["check", "--select", "FG304", "--fail-on", "warning", "mixed"], root)
    assert code == 1, out
    code, out, _ = run_cli(["check", "--select", "FG304", "--fail-on", "warning", "live"], root)
    assert code == 0, out
    assert "FG304 [info]" in out  # still reported, below the threshold


def test_fg304_names_the_endpoint_equivalent_and_the_old_package(project, check_json):
    root = project(
        {
            "old.py": """
                from tetra_rp import GpuGroup, LiveServerless, remote
                cfg = LiveServerless(
                    name="embed", gpus=[GpuGroup.ADA_24], workersMin=1, workersMax=3
                )
                @remote(cfg)
                async def embed(x): ...
            """,
            "lb.py": """
                from runpod_flash import CpuLiveLoadBalancer, remote
                lb = CpuLiveLoadBalancer(name="api")
                @remote(lb, method="GET", path="/health")
                async def health(): ...
            """,
        }
    )
    _, doc = check_json(root, "--select", "FG304")
    found = by_endpoint(doc, "FG304")
    embed = found["embed"]["message"]
    assert '@Endpoint(name="embed", gpu=[GpuGroup.ADA_24], workers=(1, 3))' in embed
    assert "`tetra_rp`" in embed and "`runpod_flash`" in embed
    api = found["api"]["message"]
    assert 'api = Endpoint(name="api", cpu=CpuInstanceType.CPU3G_2_8)' in api
    assert "@api.get" in api and "tetra_rp" not in api


def test_fg304_shows_a_multi_line_value_on_one_line(project, check_json):
    root = project(
        {
            "app.py": """
                from runpod_flash import LiveServerless, PodTemplate, remote
                cfg = LiveServerless(
                    name="train",
                    template=PodTemplate(
                        containerDiskInGb=500,
                    ),
                    workersMax=(
                        3
                    ),
                    env={
                        "NOTE": "a  (spaced) #text",
                    },
                )
                @remote(
                    cfg,
                    dependencies=[
                        "torch",  # the CUDA build
                        "faiss-cpu" ,
                    ],
                )
                async def train(x): ...
            """,
        }
    )
    _, doc = check_json(root, "--select", "FG304")
    message = by_endpoint(doc, "FG304")["train"]["message"]
    assert "template=PodTemplate(containerDiskInGb=500)" in message
    assert 'dependencies=["torch", "faiss-cpu"]' in message
    assert '{"NOTE": "a  (spaced) #text"}' in message
    assert "workers=(0, 3)" in message, message


# -- FG303: the written form, across modules -----------------------------------------------


def test_fg303_constant_from_another_module_points_at_the_use(project, check_json):
    root = project(
        {
            "settings/deps.py": 'WORKER_DEPS = ["transformers", "accelerate"]\n',
            "app.py": """
                from runpod_flash import Endpoint, GpuType
                from settings.deps import WORKER_DEPS

                @Endpoint(name="chat", gpu=GpuType.NVIDIA_L4, dependencies=WORKER_DEPS)
                async def chat(prompt): ...
            """,
        }
    )
    _, doc = check_json(root, "--select", "FG303")
    use = (root / "app.py").read_text().splitlines()[3].index("=WORKER_DEPS") + 2
    assert findings_of(doc, "FG303") == [("FG303", "app.py", 4, use)]
    message = doc["findings"][0]["message"]
    assert "`WORKER_DEPS`" in message
    assert "`transformers`, `accelerate` are left out of the deployed worker" in message


def test_fg303_unresolved_spread_is_fg002_not_a_verdict(project, check_json):
    root = project(
        {
            "app.py": """
                from runpod_flash import Endpoint, GpuType
                from somewhere_else import options

                @Endpoint(name="opaque", gpu=GpuType.NVIDIA_L4, **options())
                async def run(x): ...
            """,
        }
    )
    _, doc = check_json(root, "--select", "FG303")
    assert findings_of(doc, "FG303") == []
    blocked = [f for f in doc["findings"] if f["code"] == "FG002" and "FG303" in f["message"]]
    assert len(blocked) == 1
    assert "**options()" in blocked[0]["message"]


# -- FG302: configuration and undecidable entries ------------------------------------------


def test_fg302_import_names_can_be_configured(project, check_json):
    files = {
        "app.py": """
            import acme_vision
            from runpod_flash import Endpoint, GpuType

            @Endpoint(name="see", gpu=GpuType.NVIDIA_L4, dependencies=["acme-vision-toolkit"])
            async def see(x): ...
        """,
    }
    _, doc = check_json(project(files), "--select", "FG302")
    assert findings_of(doc, "FG302") == []  # the distribution's name says nothing of the module
    files[".flash-guard.yaml"] = (
        "rules:\n  FG302:\n    params:\n      import_names: {acme-vision-toolkit: acme_vision}\n"
    )
    _, doc = check_json(project(files), "--select", "FG302")
    assert findings_of(doc, "FG302") == [("FG302", "app.py", 1, 1)]


def test_fg302_import_names_must_be_a_mapping_of_strings(project, run_cli):
    root = project(
        {
            "app.py": "from runpod_flash import Endpoint\n",
            ".flash-guard.yaml": "rules:\n  FG302:\n    params:\n      import_names: [pillow]\n",
        }
    )
    code, _, err = run_cli(["check", "."], root)
    assert code == 2
    assert "import_names" in err and "mapping" in err


def test_fg302_undecidable_entry_is_fg002_only_when_nothing_fails(project, check_json):
    template = """
        {imports}
        from runpod_flash import Endpoint, GpuType
        from elsewhere import pinned

        @Endpoint(name="mixed", gpu=GpuType.NVIDIA_L4, dependencies=["numpy", pinned("torch")])
        async def run(x): ...
    """
    _, doc = check_json(project({"app.py": template.format(imports="import os")}))
    blocked = [f for f in doc["findings"] if f["code"] == "FG002" and "FG302" in f["message"]]
    assert findings_of(doc, "FG302") == [] and len(blocked) == 1
    _, doc = check_json(project({"app.py": template.format(imports="import numpy")}))
    blocked = [f for f in doc["findings"] if f["code"] == "FG002" and "FG302" in f["message"]]
    assert findings_of(doc, "FG302") == [("FG302", "app.py", 1, 1)] and blocked == []


@pytest.mark.parametrize(
    ("spec", "name"),
    [
        ("torch==2.4.0", "torch"),
        ("transformers[torch]>=4.40", "transformers"),
        ("numpy ; python_version >= '3.10'", "numpy"),
        ("flash_attn", "flash_attn"),
        ("pkg @ https://example.com/pkg-1.0.tar.gz", "pkg"),
        ("git+https://github.com/org/repo.git#egg=repo_pkg", "repo_pkg"),
        ("git+https://github.com/org/repo.git", None),
        ("--extra-index-url https://download.pytorch.org/whl/cu121", None),
        ("./local/wheel.whl", None),
        ("", None),
    ],
)
def test_requirement_name(spec, name):
    assert requirement_name(spec) == name


# -- FG301: what the message says ----------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            """
            def build():
                @Endpoint(name="x", cpu="cpu3c-1-2")
                async def f(x): ...
            """,
            "inside function `build`",
        ),
        (
            """
            if __name__ == "__main__":
                @Endpoint(name="x", cpu="cpu3c-1-2")
                async def f(x): ...
            """,
            'under `if __name__ == "__main__":`',
        ),
        (
            """
            import os
            if os.getenv("A"):
                pass
            else:
                @Endpoint(name="x", cpu="cpu3c-1-2")
                async def f(x): ...
            """,
            'in the `else:` branch of `if os.getenv("A"):`',
        ),
        (
            """
            while True:
                @Endpoint(name="x", cpu="cpu3c-1-2")
                async def f(x): ...
                break
            """,
            "inside `while True:`",
        ),
        (
            """
            api = Endpoint(name="x", cpu="cpu3c-1-2")
            """,
            "never used as a decorator (`@api`)",
        ),
    ],
)
def test_fg301_says_why_the_build_cannot_see_it(project, check_json, source, expected):
    body = "from runpod_flash import Endpoint\n" + textwrap.dedent(source)
    _, doc = check_json(project({"app.py": body}), "--select", "FG301")
    messages = [f["message"] for f in doc["findings"] if f["code"] == "FG301"]
    assert len(messages) == 1 and expected in messages[0], messages


def test_fg301_hidden_route_points_at_the_route(project, check_json):
    root = project(
        {
            "app.py": """
                from runpod_flash import Endpoint
                api = Endpoint(name="api", cpu="cpu3c-1-2")

                @api.get("/health")
                async def health(): ...

                def debug_mode():
                    @api.post("/debug")
                    async def debug(data): ...
            """,
        }
    )
    _, doc = check_json(root, "--select", "FG301")
    assert findings_of(doc, "FG301") == [("FG301", "app.py", 8, 6)]
    message = doc["findings"][0]["message"]
    assert "`POST /debug`" in message and "`api` is deployed without it" in message


@pytest.mark.parametrize("profile", ["production", "development", "cost"])
def test_silent_rules_are_in_every_profile(project, check_json, profile):
    root = project({"app.py": "from runpod_flash import Endpoint\nunused = Endpoint(name='u')\n"})
    _, doc = check_json(root, "--profile", profile, "--select", "FG3")
    assert findings_of(doc, "FG301") == [("FG301", "app.py", 2, 10)]


# -- differential: the real SDK's build steps as the oracle --------------------------------

SCAN_PROBE = """
import json, pathlib
from runpod_flash.cli.commands.build_utils.scanner import RuntimeScanner
from runpod_flash.cli.commands.build import extract_remote_dependencies

root = pathlib.Path("project")
for rel, text in json.loads(FILES).items():
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
scanner = RuntimeScanner(root.resolve())
functions = scanner.discover_remote_functions()
RESULT = {
    "deployed": sorted({f.resource_config_name for f in functions} | set(scanner.client_endpoints)),
    "import_errors": scanner.import_errors,
    "dependencies": sorted(extract_remote_dependencies(root)) if BUNDLE else [],
}
"""


def oracle(files: dict[str, str], bundle: bool = False) -> dict:
    cleaned = {rel: textwrap.dedent(text).lstrip("\n") for rel, text in files.items()}
    source = f"FILES = {json.dumps(json.dumps(cleaned))}\nBUNDLE = {bundle}\n" + SCAN_PROBE
    return run_probe_or_skip(source)


VISIBILITY = {
    "app.py": """
        from runpod_flash import Endpoint, GpuType

        @Endpoint(name="module-level", gpu=GpuType.NVIDIA_L4)
        async def a(x): ...

        def factory():
            @Endpoint(name="in-function", gpu=GpuType.NVIDIA_L4)
            async def b(x): ...

        class Holder:
            @Endpoint(name="in-class", gpu=GpuType.NVIDIA_L4)
            async def c(self, x): ...

        if __name__ == "__main__":
            @Endpoint(name="main-guard", gpu=GpuType.NVIDIA_L4)
            async def d(x): ...

        if True:
            @Endpoint(name="if-true", gpu=GpuType.NVIDIA_L4)
            async def e(x): ...

        with open(__file__) as handle:
            @Endpoint(name="in-with", gpu=GpuType.NVIDIA_L4)
            async def f(x): ...

        unused = Endpoint(name="never-used", gpu=GpuType.NVIDIA_L4)
        late = Endpoint(name="used-in-function", gpu=GpuType.NVIDIA_L4)

        def later():
            @late
            async def g(x): ...

        image = Endpoint(name="image-module", image="me/img:1")

        def make_image():
            inner = Endpoint(name="image-function", image="me/img:2")
            return inner

        def returned_image():
            return Endpoint(name="image-returned", image="me/img:3")

        class Backend:
            def endpoint(self):
                return Endpoint(name="image-method", image="me/img:4")
    """,
    "pkg/__init__.py": """
        from runpod_flash import Endpoint
        @Endpoint(name="in-init", cpu="cpu3c-1-2")
        async def h(x): ...
    """,
    "pkg/test_worker.py": """
        from runpod_flash import Endpoint
        @Endpoint(name="test-file", cpu="cpu3c-1-2")
        async def i(x): ...
    """,
    "tests/helpers.py": """
        from runpod_flash import Endpoint
        @Endpoint(name="tests-dir", cpu="cpu3c-1-2")
        async def j(x): ...
    """,
    "docs/snippet.py": """
        from runpod_flash import Endpoint
        @Endpoint(name="docs-dir", cpu="cpu3c-1-2")
        async def k(x): ...
    """,
}
# Seen by the build only because its condition happens to hold where it runs: a warning.
MAYBE_SEEN = {"if-true"}


def test_fg301_matches_what_flash_build_discovers(project, check_json):
    sdk = oracle(VISIBILITY)
    assert sdk["import_errors"] == {}
    _, doc = check_json(project(VISIBILITY), "--select", "FG301")
    declared = {e["name"] for e in doc["endpoints"]}
    invisible = declared - set(sdk["deployed"])
    flagged = {f["endpoint"] for f in doc["findings"] if f["code"] == "FG301"}
    assert invisible == flagged - MAYBE_SEEN
    assert set(sdk["deployed"]) >= MAYBE_SEEN
    assert flagged >= MAYBE_SEEN
    assert {"module-level", "in-with", "image-module"} <= set(sdk["deployed"])


CALLED_AT_IMPORT = {
    "direct.py": """
        import asyncio
        from runpod_flash import Endpoint, GpuType

        @Endpoint(name="direct", gpu=GpuType.NVIDIA_L4)
        async def hello() -> dict:
            return {"ok": True}

        print(asyncio.run(hello()))
    """,
    "through_main.py": """
        import asyncio
        from runpod_flash import Endpoint, GpuType

        @Endpoint(name="through-main", gpu=GpuType.NVIDIA_L4)
        async def embed(texts: list) -> dict:
            return {"n": len(texts)}

        async def main():
            print(await embed(["a"]))

        asyncio.run(main())
    """,
    "guarded.py": """
        import asyncio
        from runpod_flash import Endpoint, GpuType

        @Endpoint(name="guarded", gpu=GpuType.NVIDIA_L4)
        async def infer(prompt: str) -> dict:
            return {"echo": prompt}

        if __name__ == "__main__":
            asyncio.run(infer("hi"))
    """,
}


def test_fg301_a_function_called_on_import_fails_the_builds_import(project, check_json):
    """The build imports each module (RuntimeScanner); an endpoint function called at module
    level runs a remote job there, which the sandbox's blocked network fails, so the module
    is an import error (1.21's build stops on any); flash-guard reports those modules' endpoints
    at the call, and not the guarded one, which the build finds."""
    sdk = oracle(CALLED_AT_IMPORT)
    assert set(sdk["import_errors"]) == {"direct.py", "through_main.py"}
    assert sdk["deployed"] == ["guarded"]
    _, doc = check_json(project(CALLED_AT_IMPORT), "--select", "FG301")
    assert sorted(findings_of(doc, "FG301")) == [
        ("FG301", "direct.py", 8, 19),
        ("FG301", "through_main.py", 11, 13),
    ]
    assert all("runs on every import" in f["message"] for f in doc["findings"])


def test_fg301_an_image_endpoint_a_method_returns_and_another_module_runs(project, check_json):
    """`Endpoint(image=...)` returned by a method, run by a CLI module
    (`VllmBackend().endpoint().run(...)`): flash build never sees it; flash-guard lists it,
    with FG301's runtime-provisioned info naming where it is run, and no FG002."""
    files = {
        "pkg/__init__.py": "",
        "pkg/backends.py": """
            from runpod_flash import Endpoint, GpuGroup

            class VllmBackend:
                model = "meta-llama/Llama-3-8B"

                def endpoint(self):
                    return Endpoint(
                        name="vllm-backend",
                        image="vllm/vllm-openai:latest",
                        gpu=GpuGroup.ADA_24,
                        env={"MODEL": self.model},
                    )
        """,
        "pkg/cli.py": """
            from pkg.backends import VllmBackend

            def main():
                print(VllmBackend().endpoint().run({"prompt": "hi"}))

            if __name__ == "__main__":
                main()
        """,
    }
    sdk = oracle(files)
    assert sdk["import_errors"] == {} and sdk["deployed"] == [], sdk
    _, doc = check_json(project(files))
    assert [(e["name"], e["kind"]) for e in doc["endpoints"]] == [("vllm-backend", "image")]
    (fg301,) = _of(doc, "FG301")
    assert fg301["severity"] == "info", fg301
    assert "`main()` in pkg/cli.py calls `.run(...)`" in fg301["message"], fg301
    assert _of(doc, "FG002") == [], doc["findings"]


BUNDLING = {
    "consts.py": 'SHARED = ["scipy"]\nTORCH = "torch"\n',
    "app.py": """
        from runpod_flash import Endpoint, GpuGroup, GpuType, LiveServerless, remote
        from runpod_flash import Endpoint as E
        from consts import SHARED, TORCH

        DEPS = ["pandas"]
        OPTS = dict(dependencies=["polars"])

        @Endpoint(name="literal", gpu=GpuType.NVIDIA_L4, dependencies=["numpy", "httpx"])
        async def a(x): ...

        @Endpoint(name="constant", gpu=GpuType.NVIDIA_L4, dependencies=DEPS)
        async def b(x): ...

        @Endpoint(name="imported", gpu=GpuType.NVIDIA_L4, dependencies=SHARED)
        async def c(x): ...

        @Endpoint(name="tuple", gpu=GpuType.NVIDIA_L4, dependencies=("attrs",))
        async def d(x): ...

        @Endpoint(name="element", gpu=GpuType.NVIDIA_L4, dependencies=[TORCH, "rich"])
        async def e(x): ...

        @Endpoint(name="spread", gpu=GpuType.NVIDIA_L4, **OPTS)
        async def f(x): ...

        @E(name="alias", gpu=GpuType.NVIDIA_L4, dependencies=["click"])
        async def g(x): ...

        api: Endpoint = Endpoint(name="annotated", cpu="cpu3c-1-2", dependencies=["jinja2"])

        @api.get("/health")
        async def health(): ...

        lb = Endpoint(name="assigned", cpu="cpu3c-1-2", dependencies=["orjson"])

        @lb.get("/health")
        async def lb_health(): ...

        cfg = LiveServerless(name="legacy", gpus=[GpuGroup.ADA_24])

        @remote(cfg, ["tqdm"])
        async def h(x): ...

        @remote(cfg, dependencies=["pyyaml"])
        async def i(x): ...

        up_a, up_b = (
            Endpoint(name="unpacked-a", cpu="cpu3c-1-2", dependencies=["sentence-transformers"]),
            Endpoint(name="unpacked-b", cpu="cpu3c-1-2", dependencies=["faiss-cpu"]),
        )

        @up_a
        async def j(x): ...

        @up_b
        async def k(x): ...

        from functools import partial

        gpu_ep = partial(Endpoint, gpu=GpuType.NVIDIA_L4, dependencies=["tabulate"])

        @gpu_ep(name="partial")
        async def m(x): ...

        def gpu_factory(name, **extra):
            return Endpoint(name=name, gpu=GpuType.NVIDIA_L4, **extra)

        @gpu_factory("factory-param", dependencies=["msgpack"])
        async def n(x): ...

        def returned(name):
            return Endpoint(name=name, gpu=GpuType.NVIDIA_L4, dependencies=["ujson"])

        @returned("factory-return")
        async def o(x): ...

        def assigned(name):
            ep = Endpoint(name=name, gpu=GpuType.NVIDIA_L4, dependencies=["toolz"])
            return ep

        @assigned("factory-assign")
        async def p(x): ...

        def listed(name, deps=()):
            return Endpoint(name=name, gpu=GpuType.NVIDIA_L4, dependencies=list(deps))

        @listed("factory-list", deps=["more-itertools"])
        async def t(x): ...

        async def _q(x): ...

        q = Endpoint(name="applied", gpu=GpuType.NVIDIA_L4, dependencies=["cachetools"])(_q)
    """,
}


def test_fg303_matches_what_flash_build_bundles(project, check_json):
    sdk = oracle(BUNDLING, bundle=True)
    assert sdk["import_errors"] == {}
    bundled = set(sdk["dependencies"])
    _, doc = check_json(project(BUNDLING), "--select", "FG303")
    flagged = {f["message"] for f in doc["findings"] if f["code"] == "FG303"}
    # Every package a finding says is left out is really missing from the build's list ...
    written = {"pandas", "scipy", "attrs", "torch", "polars", "click", "jinja2", "tqdm"}
    written |= {"sentence-transformers", "faiss-cpu", "tabulate"}
    written |= {"msgpack", "ujson", "cachetools"}  # factories, `return Endpoint`, call form
    written |= {"more-itertools"}  # a factory's `dependencies=list(deps)`
    assert not written & bundled
    for package in written:
        assert any(f"`{package}`" in message for message in flagged), package
    # ... and nothing the build does bundle is reported.
    assert bundled == {"numpy", "httpx", "rich", "orjson", "pyyaml", "toolz"}
    for package in bundled:
        assert not any(f"`{package}`" in message for message in flagged), package


LEGACY_REMOTE_FORMS = {
    "app.py": """
        from runpod_flash import GpuGroup, LiveServerless, remote

        gpu = LiveServerless(name="bound", gpus=[GpuGroup.ADA_24])
        gpu_remote = remote(gpu, dependencies=["toolz"])

        @gpu_remote
        def summarise(x):
            return x

        def fingerprint(x):
            return x

        fingerprint = remote(
            LiveServerless(name="applied", gpus=[GpuGroup.ADA_24]), dependencies=["xxhash"]
        )(fingerprint)

        @remote(LiveServerless(name="decorated", gpus=[GpuGroup.ADA_24]), dependencies=["orjson"])
        def literal(x):
            return x
    """,
}


def test_legacy_remote_bound_or_applied_deploys_without_its_dependencies(project, check_json):
    """`remote(...)` bound to a name used as `@name`, or applied as `remote(...)(fn)`: the 1.21
    build imports the module and deploys the function (the decorator stamps it as `@remote`
    does), but its dependency scan reads `remote(...)` only as a decorator."""
    sdk = oracle(LEGACY_REMOTE_FORMS, bundle=True)
    assert sdk["import_errors"] == {}
    assert set(sdk["deployed"]) == {"bound", "applied", "decorated"}
    assert sdk["dependencies"] == ["orjson"]
    _, doc = check_json(project(LEGACY_REMOTE_FORMS), "--select", "FG303")
    assert {e["name"] for e in doc["endpoints"]} == set(sdk["deployed"])
    flagged = {f["endpoint"]: f["message"] for f in doc["findings"] if f["code"] == "FG303"}
    assert set(flagged) == {"bound", "applied"}
    assert "`toolz`" in flagged["bound"] and "`xxhash`" in flagged["applied"]


SUBCLASSES = {
    "base.py": """
        from runpod_flash import Endpoint, GpuType

        class TunedEndpoint(Endpoint):
            def __init__(self, name, **kwargs):
                kwargs.setdefault("gpu", GpuType.NVIDIA_L4)
                kwargs.setdefault("workers", (1, 3))
                super().__init__(name, **kwargs)

        class PlainEndpoint(Endpoint):
            def describe(self):
                return self.name
    """,
    "workers.py": """
        from runpod_flash import GpuType
        from base import PlainEndpoint, TunedEndpoint

        @TunedEndpoint("subclass-init", dependencies=["tomli-w"])
        async def r(x): ...

        @PlainEndpoint(name="subclass-plain", gpu=GpuType.NVIDIA_L4, dependencies=["six"])
        async def s(x): ...

        routed = PlainEndpoint(name="subclass-routes", cpu="cpu3c-1-2", dependencies=["toml"])

        @routed.get("/health")
        async def health(): ...
    """,
}


def test_endpoint_subclass_deploys_and_its_dependencies_are_not_bundled(project, check_json):
    """`class GpuEndpoint(Endpoint)`: flash build deploys an instance like an `Endpoint`
    (its scanner tests isinstance), but its dependency scan reads only calls named
    `Endpoint`/`remote`, so the subclass call's `dependencies=` never reach the worker."""
    sdk = oracle(SUBCLASSES, bundle=True)
    assert sdk["import_errors"] == {}
    subclassed = {"subclass-init", "subclass-plain", "subclass-routes"}
    assert subclassed <= set(sdk["deployed"])
    assert not {"tomli-w", "six", "toml"} & set(sdk["dependencies"])
    _, doc = check_json(project(SUBCLASSES), "--select", "FG303")
    assert subclassed <= {e["name"] for e in doc["endpoints"]}
    flagged = [f["message"] for f in doc["findings"] if f["code"] == "FG303"]
    for package in ("tomli-w", "six", "toml"):
        assert any(f"`{package}`" in message for message in flagged), package


SYSTEM_DEPS_PROBE = """
import asyncio, importlib, inspect, pathlib, sys
from runpod_flash.stubs.live_serverless import LiveServerlessStub

sys.path.insert(0, ".")
RESULT = {}
for label, value in (("string", "'ffmpeg'"), ("list", "['ffmpeg']")):
    pathlib.Path(f"app_{label}.py").write_text(
        "from runpod_flash import Endpoint, GpuType\\n"
        f"@Endpoint(name='b', gpu=GpuType.NVIDIA_L4, system_dependencies={value})\\n"
        "async def b(x):\\n    return x\\n"
    )
    fn = importlib.import_module(f"app_{label}").b  # the decorator accepts either
    cfg = fn.__remote_config__
    stub = LiveServerlessStub(cfg["resource_config"])
    try:  # what a call under flash dev sends: the stub builds a FunctionRequest
        request = asyncio.run(stub.prepare_request(inspect.unwrap(fn), None,
                              cfg["system_dependencies"], True))
        RESULT[label] = request.system_dependencies
    except Exception as exc:
        RESULT[label] = type(exc).__name__ + ": " + str(exc)
"""


def test_fg303_system_dependencies_string_matches_the_sdk(project, check_json):
    """`system_dependencies="ffmpeg"` imports fine; the request a call sends rejects it."""
    sdk = run_probe_or_skip(SYSTEM_DEPS_PROBE)
    assert sdk["list"] == ["ffmpeg"]
    assert sdk["string"].startswith("ValidationError") and "valid list" in sdk["string"]
    app = """
        from runpod_flash import Endpoint, GpuType, LiveServerless, remote

        SYSTEM = "libgl1"

        @Endpoint(name="strings", gpu=GpuType.NVIDIA_L4, system_dependencies="ffmpeg")
        async def a(x): ...

        @Endpoint(name="lists", gpu=GpuType.NVIDIA_L4, system_dependencies=["ffmpeg"])
        async def b(x): ...

        cfg = LiveServerless(name="legacy")

        @remote(cfg, system_dependencies=SYSTEM)
        async def c(x): ...
    """
    _, doc = check_json(project({"app.py": textwrap.dedent(app)}), "--select", "FG303")
    found = by_endpoint(doc, "FG303")
    assert set(found) == {"strings", "legacy"}
    assert "'ffmpeg'" in found["strings"]["message"] and "valid list" in found["strings"]["message"]
    assert found["legacy"]["line"] == 13


# -- FG002: one finding per unresolved expression (rules.md) ------------------------------

SPREAD = """
from runpod_flash import Endpoint, GpuType
from settings import load

EXTRA = load()

@Endpoint(name="spread", gpu=GpuType.NVIDIA_L4, **EXTRA)
async def spread(x): ...
"""


def _of(doc: dict, code: str) -> list[dict]:
    return [f for f in doc["findings"] if f["code"] == code]


# Read when the worker runs: flash-guard cannot know it (a literal `{}` would now resolve).
RUNTIME_SETTINGS = "import json, os\n\n\ndef load():\n    return json.loads(os.environ['OPTS'])\n"


def test_fg002_one_finding_per_expression_naming_every_blocked_rule(project, check_json):
    root = project({"app.py": SPREAD, "settings.py": RUNTIME_SETTINGS})
    _, doc = check_json(root)
    unresolved = _of(doc, "FG002")
    assert len(unresolved) == 1
    message = unresolved[0]["message"]
    for code in ("FG103", "FG104", "FG105", "FG110", "FG201", "FG203"):
        assert code in message
    assert unresolved[0]["endpoint"] == "spread"
    # The scorecard still says, per rule, that it could not be decided.
    card = doc["endpoints"][0]["checks"]
    assert card["FG104"] == "unknown" and card["FG203"] == "unknown"


def test_fg002_leaves_out_rules_that_are_off(project, check_json):
    root = project(
        {
            "app.py": SPREAD,
            "settings.py": RUNTIME_SETTINGS,
            ".flash-guard.yaml": "rules:\n  no-execution-timeout:\n    enabled: false\n",
        }
    )
    _, doc = check_json(root)
    (unresolved,) = _of(doc, "FG002")
    assert "FG104" not in unresolved["message"] and "FG105" in unresolved["message"]


def test_fg002_fingerprint_is_the_expression_not_the_rules(project, check_json):
    files = {"app.py": SPREAD, "settings.py": RUNTIME_SETTINGS}
    _, full = check_json(project(files))
    files[".flash-guard.yaml"] = "rules:\n  no-execution-timeout:\n    enabled: false\n"
    _, fewer = check_json(project(files))
    assert _of(full, "FG002")[0]["fingerprint"] == _of(fewer, "FG002")[0]["fingerprint"]


def test_fg301_runtime_provisioned_is_info_and_silences_fg002_and_fg303(project, check_json):
    script = textwrap.dedent(
        """
        import asyncio
        import sys

        from runpod_flash import Endpoint

        async def bench(gpu, deps):
            ep = Endpoint(name="bench", gpu=gpu, workers=(1, 1), dependencies=deps)
            return await ep.runsync({})

        if __name__ == "__main__":
            asyncio.run(bench(sys.argv[1], sys.argv[2:]))
        """
    )
    _, doc = check_json(project({"bench.py": script}))
    (fg301,) = _of(doc, "FG301")
    assert fg301["severity"] == "info" and "provisioned at run time" in fg301["message"]
    assert _of(doc, "FG002") == [] and _of(doc, "FG303") == []
    # The same declaration written with literals and never run is FG301's warning case.
    literal = script.replace("gpu=gpu", 'gpu="A40"').replace("dependencies=deps", "")
    literal = literal.replace("return await ep.runsync({})", "return ep")
    literal = literal.replace("asyncio.run(bench(sys.argv[1], sys.argv[2:]))", "pass")
    _, doc = check_json(project({"bench.py": literal}))
    (fg301,) = _of(doc, "FG301")
    assert fg301["severity"] == "warning"


# -- declarations a test builds --------------------------------------------------------------


def test_a_flash_declaration_a_test_builds_gets_fg301_alone(project, check_json):
    """`Endpoint(...)` / `app.queue(...)` inside a pytest test (a `test_*` function or a
    `Test*` class) of a test file is test code: nothing deploys it, so FG301 alone speaks,
    as for a module-level fixture in tests/ (rules.md: a declaration inside a function is
    FG301's; on 2.0 every production rule and FG216 fired too)."""
    flash = project(
        {
            "requirements.txt": "runpod-flash==1.21.0\n",
            "worker.py": """
                from runpod_flash import Endpoint

                @Endpoint(name="ocr", cpu="cpu3c-1-2", workers=(1, 2), idle_timeout=1200,
                          execution_timeout_ms=60_000)
                async def ocr(x): ...
                """,
            "tests/test_worker.py": """
                from runpod_flash import Endpoint

                def test_builds():
                    ep = Endpoint(name="t", cpu="cpu3c-1-2", workers=(0, 1))
                    assert ep.name == "t"

                class TestRoutes:
                    def test_route(self):
                        api = Endpoint(name="api-t", cpu="cpu3c-1-2")
                        assert api

                leftover = Endpoint(name="leftover", cpu="cpu3c-1-2")
                """,
        }
    )
    _, doc = check_json(flash)
    assert [(f["code"], f["endpoint"]) for f in doc["findings"] if f["code"] != "FG308"] == [
        ("FG301", "t"),
        ("FG301", "api-t"),
        ("FG301", "leftover"),
    ]


def test_a_runpod2_declaration_a_test_builds_gets_fg301_alone(project, check_json):
    rp2 = project(
        {
            "requirements.txt": "runpod==2.0.0rc2\n",
            "app.py": """
                import runpod

                app = runpod.App("svc")

                @app.queue(name="resize", cpu="cpu3c-1-2", workers=(1, 2), idle_timeout=1200,
                           execution_timeout_ms=60_000)
                def resize(url: str) -> str:
                    return url
                """,
            "tests/test_app.py": """
                import runpod

                def test_queue_registers():
                    app = runpod.App("svc-test")

                    @app.queue(name="t1", cpu="cpu3c-1-2")
                    def job(x):
                        return x

                    assert job is not None

                class TestApi:
                    def test_api(self):
                        app = runpod.App("svc-test2")
                        assert app.queue(name="t2", cpu="cpu3c-1-2")(lambda x: x)
                """,
        }
    )
    _, doc = check_json(rp2)
    found = sorted((f["code"], f["endpoint"]) for f in doc["findings"])
    assert found == [("FG301", "t1"), ("FG301", "t2")], doc["findings"]
    assert all("nothing calls it" in f["message"] for f in doc["findings"])
    from sdk2_oracle import run_discovery_or_skip

    files = {p.relative_to(rp2).as_posix(): p.read_text() for p in rp2.rglob("*.py")}
    found = run_discovery_or_skip(files)  # rc2's own discovery creates only `resize`
    assert found["error"] is None, found
    assert {r["name"] for app in found["apps"] for r in app["resources"]} == {"resize"}


SPREAD_LEGACY = """
import os

from runpod_flash import Endpoint, GpuGroup, LiveServerless, remote

GPU_DEFAULTS = {
    "workersMin": 1,
    "workersMax": int(os.getenv("MAX_WORKERS", "3")),
    "idleTimeout": 900,
    "executionTimeoutMs": 600_000,
}
"""


def test_fg304_suggestion_through_a_spread_builds_the_same_endpoint(project, check_json):
    """Settings given through `**GPU_DEFAULTS` are suggested as `GPU_DEFAULTS["idleTimeout"]`
    (they were `idle_timeout=GPU_DEFAULTS`, which is not code), and the suggested `Endpoint`
    builds what the legacy declaration builds."""
    from sdk_oracle import run_oracle_or_skip

    legacy = (
        'cfg = LiveServerless(name="sdxl", gpus=[GpuGroup.ADA_24], **GPU_DEFAULTS)\n\n'
        "@remote(resource_config=cfg)\nasync def sdxl(prompt):\n    return prompt\n"
    )
    _, doc = check_json(project({"app.py": SPREAD_LEGACY + legacy}), "--select", "FG304")
    (finding,) = doc["findings"]
    suggested = finding["message"].split("use `", 1)[1].split("` on the function", 1)[0]
    assert 'idle_timeout=GPU_DEFAULTS["idleTimeout"]' in suggested, suggested
    moved = f"{suggested}\nasync def sdxl(prompt):\n    return prompt\n"
    old, new = run_oracle_or_skip([SPREAD_LEGACY + legacy, SPREAD_LEGACY + moved])
    assert old["error"] is None and new["error"] is None, (old["error"], new["error"])
    keys = ("workers_min", "workers_max", "idle_timeout", "execution_timeout_ms", "gpu")
    assert [old["endpoints"][0][k] for k in keys] == [new["endpoints"][0][k] for k in keys]


# What installing runpod-flash brings, read from the installed distributions' metadata.
SDK_INSTALL_PROBE = """
import re
from importlib.metadata import requires

def names(dist, extra=None):
    out = set()
    for line in requires(dist) or []:
        spec, _, marker = line.partition(";")
        if "extra ==" in marker and (extra is None or f'"{extra}"' not in marker):
            continue
        name = re.match(r"[A-Za-z0-9._-]+", spec.strip()).group(0)
        out.add(re.sub(r"[-_.]+", "-", name).lower())
        if "[all]" in spec:
            out |= names(name, "all")
    return out

RESULT = sorted(names("runpod-flash") | names("runpod"))
"""


def test_fg302_leaves_out_what_the_flash_cli_install_brings():
    """FG302 does not report `import requests` / `import yaml` / `from fastapi import ...`
    beside dependencies= naming them: runpod-flash requires runpod, which requires requests
    and fastapi[all] (pyyaml, httpx, jinja2, ... among its extras), so they import wherever
    flash build runs. Every such name flash-guard assumes is really in that install."""
    from flash_guard.rules.silent.fg302_top_level_dependency_import import FLASH_INSTALL_NAMES
    from flash_guard.sdk.distributions import SDK_DEPENDENCIES, normalise

    installed = set(run_probe_or_skip(SDK_INSTALL_PROBE))
    assert {"runpod", "requests", "fastapi", "pyyaml", "httpx", "jinja2", "boto3"} <= installed
    direct = {"requests", "fastapi", "pyyaml", "httpx", "aiohttp", "boto3", "pydantic"}
    assert direct <= FLASH_INSTALL_NAMES
    # every requirement flash-guard lists for the SDK is one (besides the SDK packages)
    listed = {normalise(name) for name in SDK_DEPENDENCIES} - {"runpod-flash", "tetra-rp"}
    assert listed <= installed, sorted(listed - installed)
