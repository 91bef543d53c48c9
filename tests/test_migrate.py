"""`flash-guard migrate --to runpod2`: modes, exit codes, old defaults, what is left for a
human, the report, idempotence, and what `flash-guard check` says about the result.

The two-SDK agreement of every rewrite is tests/test_migrate_vs_sdk.py."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures" / "migrate"
PROJECTS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
LEFT_ONLY = {"left-cross-file-routes", "left-lb-signature", "left-legacy-lb-image"}
COMMENT = "# flash-guard: migrate:"


def _copy(tmp_path: Path, name: str) -> Path:
    return Path(shutil.copytree(FIXTURES / name, tmp_path / name))


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_fixture_set_covers_the_forms_and_reasons():
    assert len(PROJECTS) >= 10


@pytest.mark.parametrize("name", PROJECTS)
def test_diff_and_check_write_nothing_and_exit_1(run_cli, tmp_path, name):
    root = _copy(tmp_path, name)
    before = _snapshot(root)
    code, out, err = run_cli(["migrate", "--to", "runpod2", "--diff", "."], root)
    assert code == 1, err
    assert out.startswith("--- ") and "+++ b/" in out
    assert "flash-guard migrate --to runpod2" in err  # the report goes to stderr with --diff
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "--check", "."], root)
    assert code == 1 and "declarations:" in out
    assert _snapshot(root) == before


@pytest.mark.parametrize("name", PROJECTS)
def test_migrate_writes_then_a_second_run_changes_nothing(run_cli, tmp_path, name):
    root = _copy(tmp_path, name)
    before = _snapshot(root)
    code, out, err = run_cli(["migrate", "--to", "runpod2", "."], root)
    assert code == 0, err
    after = _snapshot(root)
    assert after != before
    assert run_cli(["migrate", "--to", "runpod2", "--check", "."], root)[0] == 0
    assert run_cli(["migrate", "--to", "runpod2", "."], root)[0] == 0
    assert _snapshot(root) == after
    for path, data in after.items():
        if path.endswith(".py"):
            _assert_no_legacy_runpod_client(data.decode())


def _migrated_files(run_cli, tmp_path, name: str):
    root = _copy(tmp_path, name)
    assert run_cli(["migrate", "--to", "runpod2", "."], root)[0] == 0
    for path in sorted(root.rglob("*.py")):
        text = path.read_text()
        if "runpod_flash" not in text:
            yield path.name, text, ast.parse(text)


@pytest.mark.parametrize("name", PROJECTS)
def test_migrated_declarations_keep_two_blank_lines_above(run_cli, tmp_path, name):
    """As the flash code had them: a deleted config or `api = Endpoint(...)` left the
    one-line gap that stood above it (PEP 8 E302)."""
    for path, text, tree in _migrated_files(run_cli, tmp_path, name):
        lines = text.splitlines()
        for stmt in tree.body[1:]:
            decorators = getattr(stmt, "decorator_list", [])
            if not any(ast.unparse(d).startswith(("app.", "rp_app.")) for d in decorators):
                continue
            top = min(d.lineno for d in decorators) - 1  # 0-based index of the first line
            while lines[top - 1].lstrip().startswith("#"):
                top -= 1
            blanks = 0
            while lines[top - 1 - blanks].strip() == "":
                blanks += 1
            assert blanks == 2, f"{path}:{top + 1}: {blanks} blank lines above"


@pytest.mark.parametrize("name", PROJECTS)
def test_migrated_files_import_runpod_only_when_they_use_it(run_cli, tmp_path, name):
    """A file whose App comes from the app's module and whose enums come from `from runpod
    import ...` names no `runpod` (F401 unused import)."""
    for path, _text, tree in _migrated_files(run_cli, tmp_path, name):
        imported = any(
            isinstance(s, ast.Import) and any(a.name == "runpod" for a in s.names)
            for s in tree.body
        )
        used = any(isinstance(n, ast.Name) and n.id == "runpod" for n in ast.walk(tree))
        assert used or not imported, f"{path}: unused import runpod"


def _assert_no_legacy_runpod_client(text: str) -> None:
    """`runpod.Endpoint` is 2.0's old HTTP client; a migration must never produce it."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.ImportFrom) and node.module == "runpod":
            assert "Endpoint" not in {a.name for a in node.names}
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            assert (node.value.id, node.attr) != ("runpod", "Endpoint")


def test_old_defaults_are_written_and_adopt_drops_them(run_cli, tmp_path):
    kept = _copy(tmp_path / "a", "queue-decorator")
    run_cli(["migrate", "--to", "runpod2", "."], kept)
    text = (kept / "worker.py").read_text()
    assert text.count("workers=(0, 1)") == 2 and text.count('min_cuda_version="12.8"') == 2
    assert "runpod_flash" not in text and 'app = runpod.App("shop-queue")' in text
    adopted = _copy(tmp_path / "b", "queue-decorator")
    run_cli(["migrate", "--to", "runpod2", "--adopt-2.0-defaults", "."], adopted)
    text = (adopted / "worker.py").read_text()
    assert "workers=" not in text and "min_cuda_version" not in text


TETRA_APP = """\
from tetra_rp import GpuGroup, LiveServerless, remote

config = LiveServerless(name="tetra-worker", gpus=[GpuGroup.ADA_24])
partial = LiveServerless(name="tetra-partial", gpus=[GpuGroup.ADA_24], workersMin=1)


@remote(resource_config=config)
async def run(data: dict) -> dict:
    return data


@remote(resource_config=partial)
async def warm(data: dict) -> dict:
    return data
"""


@pytest.mark.parametrize(
    ("requirement", "kept", "dropped"),
    [
        # tetra-rp: (0, 3) workers, as 2.0 has them; 5 s idle; no minimum CUDA version
        ("tetra-rp==0.25.1", ["idle_timeout=5", "workers=(1, 3)"], ["min_cuda_version"]),
        # runpod-flash before 1.11 set no minimum CUDA version either
        ("runpod-flash==1.10.0", ["workers=(0, 1)", "workers=(1, 1)"], ["min_cuda_version"]),
        ("runpod-flash==1.21.0", ['min_cuda_version="12.8"', "workers=(1, 1)"], ["idle_timeout"]),
    ],
)
def test_old_defaults_are_those_of_the_release_the_app_uses(
    run_cli, check_json, tmp_path, requirement, kept, dropped
):
    """What a declaration left to its release is written out as that release's default
    (the same values the linter's model holds for it, which test_sdk_versions compares with
    the installed release), so the migrated app keeps its behaviour."""
    module = "tetra_rp" if requirement.startswith("tetra") else "runpod_flash"
    root = tmp_path / "app"
    root.mkdir()
    (root / "worker.py").write_text(TETRA_APP.replace("tetra_rp", module))
    (root / "requirements.txt").write_text(requirement + "\n")
    _, before = check_json(root, "--select", "FG105")
    model = {e["name"]: e["params"] for e in before["endpoints"]}
    run_cli(["migrate", "--to", "runpod2", "."], root)
    text = (root / "worker.py").read_text()
    for piece in kept:
        assert piece in text, (requirement, text)
    for piece in dropped:
        assert piece not in text, (requirement, text)
    idle = model["tetra-worker"]["idle_timeout"]
    assert idle["defaulted"] and (f"idle_timeout={idle['value']}" in text) == (idle["value"] != 60)
    assert f"workers=(1, {model['tetra-partial']['workers']['value']['max']})" in text


def test_volume_becomes_a_mount_with_the_old_size(run_cli, tmp_path):
    root = _copy(tmp_path, "volumes")
    run_cli(["migrate", "--to", "runpod2", "."], root)
    text = (root / "worker.py").read_text()
    assert (
        'models = runpod.NetworkVolume("vol-models", size=100, datacenter=DataCenter.EU_RO_1)'
        in text
    )
    assert text.count('mounts={"/runpod-volume": models}') == 2
    assert 'runpod.NetworkVolume("vol-cache", size=250)' in text
    assert "volume=NetworkVolume" not in text and "volume=models" not in text


def test_routes_in_one_file_become_an_api_class(run_cli, tmp_path):
    root = _copy(tmp_path, "lb-class")
    run_cli(["migrate", "--to", "runpod2", "."], root)
    tree = ast.parse((root / "api.py").read_text())
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    assert [c.name for c in classes] == ["Api"]
    methods = {m.name: [a.arg for a in m.args.args] for m in classes[0].body}
    assert methods == {"health": ["self"], "echo": ["self", "body"], "clear_cache": ["self"]}
    # max_concurrency is queue-only in 2.0 (TypeError on api); flash ignored it on LB
    assert "max_concurrency" not in (root / "api.py").read_text()


def test_dropped_load_balancer_concurrency_is_reported(run_cli, tmp_path):
    root = _copy(tmp_path, "lb-class")
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "--check", "."], root)
    assert "api.py:5 lb-api: max_concurrency=8 dropped: runpod-flash ignored it" in out


def test_comments_above_a_deleted_config_move_to_its_decorator(run_cli, tmp_path):
    """`# ...` right above `cfg = LiveServerless(...)` or `api = Endpoint(...)` describes
    that declaration: it stood above the previous declaration's decorator once the config
    was deleted (tetra-hunt/cpu-etl)."""
    (tmp_path / "requirements.txt").write_text("runpod-flash\n")
    (tmp_path / "worker.py").write_text(
        "from runpod_flash import Endpoint, GpuGroup, LiveServerless, remote\n\n"
        'first = LiveServerless(name="cd-first", gpus=[GpuGroup.ADA_24])\n\n'
        "# the second one\n# (two lines)\n"
        'second = LiveServerless(name="cd-second", gpus=[GpuGroup.ADA_24])\n\n'
        "# the api\n"
        'api = Endpoint(name="cd-api", gpu=GpuGroup.ADA_24)\n\n\n'
        "@remote(first)\ndef one(x):\n    return x\n\n\n"
        "@remote(second)\ndef two(x):\n    return x\n\n\n"
        '@api.get("/health")\nasync def health():\n    return {"ok": True}\n'
    )
    assert run_cli(["migrate", "--to", "runpod2", "."], tmp_path)[0] == 0
    lines = (tmp_path / "worker.py").read_text().splitlines()
    at = lines.index("# the second one")
    assert lines[at + 1] == "# (two lines)"
    assert lines[at + 2].startswith('@app.queue(name="cd-second"')
    first = next(i for i, line in enumerate(lines) if 'name="cd-first"' in line)
    assert lines[first - 1] == ""  # above `one`: no comment
    assert lines[lines.index("# the api") + 1].startswith("@app.api(")
    assert sum(line.startswith("# the") for line in lines) == 2


_COMMENTED_API = """from runpod_flash import Endpoint, GpuGroup, LiveServerless, remote

api = Endpoint(
    name="cm-api",
    # big cards only
    gpu=GpuGroup.AMPERE_48,
    workers=(1, 4),  # keep one warm
    idle_timeout=600,  # 10 minutes
)


@api.get("/health")
async def health():
    return {"ok": True}


@Endpoint(
    name="cm-env",
    cpu="cpu3c-1-2",
    env={
        "A": "1",  # first
        # second
        "B": "2",
    },
    workers=(0, 1),  # one at most
)
def env_worker(data: dict) -> dict:
    return data


cfg = LiveServerless(
    name="cm-legacy",
    gpus=[GpuGroup.ADA_24],  # 4090
    workersMax=2,  # cap
)


@remote(cfg)
def legacy(x):
    return x
"""


def test_comments_in_a_rewritten_call_stay_on_their_keywords(run_cli, tmp_path):
    """The Endpoint(...) of a routes class lost every comment in it; a decorator's went above
    it, and the ones inside a value carried over as text (env={...}) came out twice."""
    (tmp_path / "requirements.txt").write_text("runpod-flash\n")
    (tmp_path / "worker.py").write_text(_COMMENTED_API)
    assert run_cli(["migrate", "--to", "runpod2", "."], tmp_path)[0] == 0
    text = (tmp_path / "worker.py").read_text()
    assert "runpod_flash" not in text
    for comment in ("# big cards only", "# first", "# second"):
        assert text.count(comment) == 1, comment
    lines = [line.strip() for line in text.splitlines()]
    assert lines[lines.index("# big cards only") + 1] == "gpu=GpuGroup.AMPERE_48,"
    for kept in (
        "workers=(1, 4),  # keep one warm",
        "idle_timeout=600,  # 10 minutes",
        "workers=(0, 1),  # one at most",
        "gpu=[GpuGroup.ADA_24],  # 4090",
        '"A": "1",  # first',
    ):
        assert kept in lines, kept
    # workersMax=2 becomes workers=(0, 2): its comment goes above the decorator
    assert lines[lines.index("# cap") + 1].startswith("@app.queue(")


def test_the_app_follows_the_imports_when_the_last_flash_import_is_deleted(run_cli, tmp_path):
    """The App was inserted inside the deleted second flash import (with the gap below it):
    no blank line between the imports and `app = ...`, nor between it and the code."""
    (tmp_path / "requirements.txt").write_text("runpod-flash\n")
    (tmp_path / "svc.py").write_text(
        "import os\n\n"
        "from runpod_flash import CpuInstanceType\n"
        "from runpod_flash import Endpoint as E\n\n"
        'LEVEL = os.getenv("LEVEL", "info")\n\n\n'
        '@E(name="two-imports", cpu=CpuInstanceType.CPU3C_1_2, workers=(0, 2))\n'
        "def clean(text: str) -> str:\n"
        "    return text.strip()\n"
    )
    assert run_cli(["migrate", "--to", "runpod2", "."], tmp_path)[0] == 0
    text = (tmp_path / "svc.py").read_text()
    assert text.startswith(
        'import os\n\nimport runpod\nfrom runpod import CpuInstanceType\n\napp = runpod.App("'
    )
    assert '")\n\nLEVEL = os.getenv' in text


def _left_with_notes(run_cli, tmp_path, name: str, rel: str) -> tuple[str, list[str]]:
    """Migrate fixture `name`; (the report, the notes in `rel`), checking that the notes are
    all that changed in `rel`."""
    root = _copy(tmp_path, name)
    original = (root / rel).read_text()
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "."], root)
    assert code == 0
    text = (root / rel).read_text()
    comments = [ln for ln in text.splitlines() if ln.strip().startswith(COMMENT)]
    assert "\n".join(ln for ln in text.splitlines() if ln not in comments) + "\n" == original
    return out, comments


def test_left_file_keeps_runpod_flash_and_only_gains_comments(run_cli, tmp_path):
    out, comments = _left_with_notes(run_cli, tmp_path, "left-class", "model.py")
    assert len(comments) == 2 and "class-based endpoint" in comments[0]
    # what to split: the public methods flash served and the setup to move to the init hook
    assert comments[0].endswith("(`Model`: `predict`; __init__ -> the init hook)")
    assert "0 rewritten, 1 rewritten with explicit old defaults, 2 left for a human" in out
    assert "class-endpoint (1)" in out and "same-file (1)" in out


def test_files_trading_flash_values_with_a_staying_file_stay_too(run_cli, tmp_path):
    """A worker handing `GpuType.X` to a project factory that builds `Endpoint(...)`, and a
    settings module whose `GpuGroup` constant a left declaration imports, stay on runpod_flash
    with the file on the other side (tetra-rp 0.25 raises ValidationError on a 2.0 GpuType);
    an independent file still migrates."""
    out, comments = _left_with_notes(run_cli, tmp_path, "left-enum-flow", "asr.py")
    assert comments == [
        "# flash-guard: migrate: the file uses runpod_flash in a way migrate does not rewrite: "
        "passes runpod_flash values to `gpu_endpoint` of common.py, which stays on "
        "runpod_flash: move both together (tetra-rp rejects runpod 2.0's enums, 2.0 rejects "
        "flash's)"
    ]
    assert "settings.py:5 `GPU` holds runpod_flash values that tts.py" in out
    assert "files migrated: 1, created: 0, left on runpod_flash: 4" in out
    root = tmp_path / "left-enum-flow"
    assert "from runpod_flash import GpuGroup" in (root / "settings.py").read_text()
    assert "@app.queue(" in (root / "ocr.py").read_text()


def test_files_trading_flash_values_across_apps_stay_too(run_cli, tmp_path):
    """A uv workspace: the app's worker passes a GpuType to a shared package's factory,
    another app of the same run, which stays on runpod_flash."""
    (tmp_path / "apps" / "search").mkdir(parents=True)
    (tmp_path / "libs" / "common").mkdir(parents=True)
    for d in ("apps/search", "libs/common"):
        (tmp_path / d / "pyproject.toml").write_text(
            f'[project]\nname = "{d.rsplit("/", 1)[1]}"\ndependencies = ["runpod-flash"]\n'
        )
    (tmp_path / "libs/common/endpoints.py").write_text(
        "from runpod_flash import Endpoint\n\n\n"
        "def make_endpoint(name, gpu):\n    return Endpoint(name=name, gpu=gpu)\n"
    )
    (tmp_path / "apps/search/main.py").write_text(
        "from common.endpoints import make_endpoint\nfrom runpod_flash import GpuType\n\n"
        'search = make_endpoint("search", GpuType.NVIDIA_L4)\n'
    )
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "."], tmp_path)
    assert code == 0
    assert "from runpod_flash import GpuType" in (tmp_path / "apps/search/main.py").read_text()
    assert "runpod-flash" in (tmp_path / "apps/search/pyproject.toml").read_text()
    assert "apps/search/main.py:4 passes runpod_flash values to `make_endpoint`" in out


def test_routes_only_in_other_files_or_by_call_are_left_and_counted(run_cli, tmp_path):
    """`api = Endpoint(...)` whose routes all live in other files (a routes/ package), or
    are added by calling `api.get(path)(fn)`, is a deployed load balancer: left for a human
    under its reason, not reported as an Endpoint "never used as a decorator"."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "lbs"\n')
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc/__init__.py").write_text("")
    (tmp_path / "svc/api.py").write_text(
        'from runpod_flash import Endpoint\n\napi = Endpoint(name="lbs-api", cpu="cpu3c-1-2")\n'
    )
    (tmp_path / "svc/health.py").write_text(
        'from svc.api import api\n\n\n@api.get("/health")\nasync def health():\n'
        '    return {"ok": True}\n'
    )
    (tmp_path / "table.py").write_text(
        "from runpod_flash import Endpoint\n\n"
        'table = Endpoint(name="lbs-table", cpu="cpu3c-1-2")\n\n\n'
        "def echo(body: dict):\n    return body\n\n\n"
        'table.post("/echo")(echo)\n'
    )
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "--check", "."], tmp_path)
    assert code == 1
    assert "2 left for a human" in out and "never used as a decorator" not in out
    assert "svc/api.py:3 lbs-api (D) `api` gets its routes in svc/health.py" in out
    assert "table.py:3 lbs-table (D) routes registered by calling `table.<verb>(path)(fn)`" in out


def test_legacy_config_used_by_another_files_remote_is_named_so(run_cli, tmp_path):
    """A tetra-rp `resources.py` of configs that `workers.py` passes to @remote: the report
    names the files using each config, not "never used by @remote"."""
    (tmp_path / "resources.py").write_text(
        "from tetra_rp import GpuGroup, LiveServerless\n\n"
        'gpu = LiveServerless(name="lcu-gpu", gpus=[GpuGroup.ADA_24])\n'
    )
    (tmp_path / "workers.py").write_text(
        "from resources import gpu\nfrom tetra_rp import remote\n\n\n"
        "@remote(gpu)\nasync def run(x):\n    return x\n"
    )
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "--check", "."], tmp_path)
    assert code == 1 and "never used by @remote" not in out
    assert "resources.py:3 `gpu` is used by @remote in workers.py" in out
    assert "workers.py:5 run (G)" in out


def test_notes_go_above_the_statement_not_inside_a_signature(run_cli, tmp_path):
    """A runpod_flash name in a multi-line signature's return annotation got its note
    between the parameters, at column 0 (a provisioning script in runpod-python's e2e
    tests); a second run adds nothing."""
    (tmp_path / "provision.py").write_text(
        "from runpod_flash import Endpoint\n\n\n"
        "def provision(\n    names: list,\n) -> dict[str, Endpoint]:\n"
        '    return {n: Endpoint(name=n, image="img:1") for n in names}\n'
    )
    assert run_cli(["migrate", "--to", "runpod2", "."], tmp_path)[0] == 0
    lines = (tmp_path / "provision.py").read_text().splitlines()
    at = lines.index("def provision(")
    assert lines[at - 1].startswith(COMMENT) and lines[at + 1 : at + 3] == [
        "    names: list,",
        ") -> dict[str, Endpoint]:",
    ]
    assert run_cli(["migrate", "--to", "runpod2", "--check", "."], tmp_path)[0] == 0


def test_markdown_report(run_cli, tmp_path):
    root = _copy(tmp_path, "left-image-client")
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "--format", "markdown", "."], root)
    assert code == 0
    assert "| left for a human | 2 |" in out and "| image-endpoint | `clients.py:5`" in out
    assert "| client-endpoint | `clients.py:6`" in out
    # why 2.0's own image= is no equivalent (rc2 deploy.py: dockerArgs = the runtime launcher)
    assert "so the image's own server never runs" in out
    # where to deploy the app that moved
    assert "### Deploy from" in out and "- `image-app: rp flash deploy .`" in out


def test_call_sites_and_flat_reimports_are_flagged(run_cli, tmp_path):
    root = _copy(tmp_path, "multi-file-flat")
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "."], root)
    assert code == 0 and (root / "runpod_app.py").is_file()
    pipeline = (root / "pipeline.py").read_text()
    assert "`classify`, `preprocess` are runpod 2.0 handles now" in pipeline
    assert pipeline.count("imports cpu_worker.py twice") == 1
    assert "pipeline.py:8 classify(...)" in out


def test_app_module_sorts_after_an_importer(run_cli, tmp_path):
    # every importer (workers_*.py) sorts after runpod_app.py: that name would leave discovery
    # an empty twin (FG307), so the App's module takes a name that sorts last
    root = _copy(tmp_path, "multi-file-late")
    run_cli(["migrate", "--to", "runpod2", "."], root)
    assert not (root / "runpod_app.py").exists() and (root / "zz_runpod_app.py").is_file()
    assert "from zz_runpod_app import app" in (root / "workers_gpu.py").read_text()


def _deploy_breakers(check_json, root: Path, announced=frozenset()) -> list[tuple[str, str]]:
    """FG2xx and FG307 findings, but for FG215's direct call of a function that became a
    handle where migrate `announced` that call site for the user to update (its line is the
    one before the rewrite, so it is matched by file and handle): FG215 reports it until
    they do."""
    (root / "uv.lock").write_text("version = 1\n")
    _, doc = check_json(root)
    out = []
    for f in doc["findings"]:
        if not (f["code"].startswith("FG2") or f["code"] == "FG307"):
            continue
        called = re.search(r"handle `(\w+)\(\.\.\.\)` directly", f["message"])
        if called is not None:
            assert (f["path"], called.group(1)) in announced, (f, announced)
            continue
        out.append((f["code"], f["endpoint"] or ""))
    return sorted(out)


def _announced_call_sites(out: str) -> set[tuple[str, str]]:
    """The `call sites to update` migrate prints (`  pipeline.py:8 classify(...)`), as
    (file, handle)."""
    found = re.findall(r"^  (\S+):\d+ (\w+)\(\.\.\.\)$", out, re.MULTILINE)
    return set(found)


@pytest.mark.parametrize("name", sorted(set(PROJECTS) - LEFT_ONLY))
def test_check_finds_no_new_deploy_breaker_after_migration(run_cli, check_json, tmp_path, name):
    root = _copy(tmp_path, name)
    before = _deploy_breakers(check_json, root)
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "."], root)
    assert code == 0
    after = _deploy_breakers(check_json, root, _announced_call_sites(out))
    assert [f for f in after if f[0] == "FG307"] == []
    assert [f for f in after if f not in before] == []
    _, doc = check_json(root)
    kinds = {e.get("sdk") or e.get("api") for e in doc["endpoints"]}
    assert kinds  # the migrated declarations are still found (by the 2.0 front-end)


def test_unreadable_file_is_reported_not_a_traceback(run_cli, tmp_path):
    (tmp_path / "broken.py").write_text("from runpod_flash import Endpoint\ndef (:\n")
    code, out, err = run_cli(["migrate", "--to", "runpod2", "."], tmp_path)
    assert code == 0 and "files not read:" in out and "broken.py" in out
    assert "Traceback" not in err


def test_missing_path_is_a_usage_error(run_cli, tmp_path):
    code, _, err = run_cli(["migrate", "--to", "runpod2", "nope"], tmp_path)
    assert code == 2 and err.count("\n") == 1 and "nope" in err


def test_target_is_required(run_cli, tmp_path):
    with pytest.raises(SystemExit) as exc:
        run_cli(["migrate", "."], tmp_path)
    assert exc.value.code == 2


def test_json_is_not_a_report_format(run_cli, tmp_path):
    with pytest.raises(SystemExit):
        run_cli(["migrate", "--to", "runpod2", "--format", "json", "."], tmp_path)
    assert json  # the report formats are text and markdown only


def test_a_file_argument_for_part_of_an_app_is_refused(run_cli, tmp_path):
    # migrate writes only under the paths given, and an app moves whole (one App):
    # cpu_worker.py alone is refused (tests/test_migrate_scope.py); the app's directory works
    root = _copy(tmp_path, "multi-file-flat")
    gpu = (root / "gpu_worker.py").read_bytes()
    assert run_cli(["migrate", "--to", "runpod2", "cpu_worker.py"], root)[0] == 2
    assert not (root / "runpod_app.py").exists()
    assert (root / "gpu_worker.py").read_bytes() == gpu
    root = _copy(tmp_path / "whole", "multi-file-flat")
    assert run_cli(["migrate", "--to", "runpod2", "."], root)[0] == 0
    assert (root / "runpod_app.py").is_file()
    assert "runpod_flash" not in (root / "gpu_worker.py").read_text()


def test_a_volume_another_file_mounts_leaves_its_module_alone(run_cli, tmp_path):
    # Only a declaration in the same file rewrites a volume: migrating settings.py alone would
    # drop its NetworkVolume import and leave the call (NameError under runpod 2.0).
    out, comments = _left_with_notes(run_cli, tmp_path, "volume-in-settings", "settings.py")
    assert any("`MODELS` (runpod_flash.NetworkVolume)" in c for c in comments), comments
    assert "files migrated: 0" in out


def test_a_left_template_gets_its_own_reason_only(run_cli, tmp_path):
    root = _copy(tmp_path, "left-template")
    run_cli(["migrate", "--to", "runpod2", "."], root)
    comments = [
        ln for ln in (root / "worker.py").read_text().splitlines() if ln.startswith(COMMENT)
    ]
    assert len(comments) == 1 and "template=/PodTemplate" in comments[0], comments


def _app_with_a_readable_endpoint(tmp_path):
    """An app on runpod-flash 1.21 with one migratable endpoint, for a second file that
    migrate cannot read."""
    root = tmp_path / "app"
    root.mkdir()
    (root / "requirements.txt").write_text("runpod-flash==1.21.0\n")
    (root / "a.py").write_text(
        "from runpod_flash import Endpoint\n\n"
        '@Endpoint(name="enc-a", cpu="cpu3c-1-2")\ndef a(x):\n    return x\n'
    )
    return root


def test_a_file_migrate_cannot_read_is_named_and_keeps_the_sdk_requirement(run_cli, tmp_path):
    # A latin-1 file still imports runpod_flash after the run: switching the requirement to
    # runpod 2.0 would break it (and rc2 deletes the endpoints that vanish).
    root = _app_with_a_readable_endpoint(tmp_path)
    (root / "c.py").write_bytes(
        b"# -*- coding: latin-1 -*-\nfrom runpod_flash import Endpoint\n\n"
        b'@Endpoint(name="enc-c", cpu="cpu3c-1-2")\ndef c(x):\n    return "caf\xe9"\n'
    )
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "."], root)
    assert code == 0
    assert "files not read:\n  c.py: not valid UTF-8" in out
    assert (root / "requirements.txt").read_text() == "runpod-flash==1.21.0\n"


def test_a_utf16_flash_file_is_named_not_skipped(run_cli, tmp_path):
    # PowerShell's `>` writes UTF-16: its runpod_flash import is invisible to a byte search,
    # so the file was skipped silently and the requirement switched to runpod 2.0.
    root = _app_with_a_readable_endpoint(tmp_path)
    (root / "w.py").write_bytes("from runpod_flash import Endpoint\n".encode("utf-16"))
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "."], root)
    assert code == 0
    assert "files not read:\n  w.py: not valid UTF-8" in out
    assert (root / "requirements.txt").read_text() == "runpod-flash==1.21.0\n"


def test_the_api_class_takes_a_name_the_file_does_not_use(run_cli, tmp_path):
    root = _copy(tmp_path, "lb-name-taken")
    assert run_cli(["migrate", "--to", "runpod2", "."], root)[0] == 0
    text = (root / "service.py").read_text()
    assert "class Api:\n    base" in text and "class Api2:" in text


HOSTILE_NAME_APP = """from runpod_flash import Endpoint

@Endpoint(name="ok\\u202e\\x1b]0;pwned\\x07\\x1b[31mRED\\n::error file=a.py::x", workers=(0, 2))
def f(x):
    return x

@Endpoint(name="xy", workers=(0, 2))
class C:
    pass
"""


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_report_shows_names_from_the_tree_inert(run_cli, tmp_path, fmt):
    # An endpoint name with ESC, BEL, a bidi override and a line break: the report must not
    # recolour the terminal, reorder text, or start a line GitHub reads as `::error`.
    root = tmp_path / "p"
    root.mkdir()
    (root / "app.py").write_text(HOSTILE_NAME_APP)
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "--check", "--format", fmt, "."], root)
    assert code == 1
    assert not any(c in out for c in "\x1b\x07\u202e"), out
    assert not any(line.lstrip().startswith("::") for line in out.splitlines()), out
    assert "\\x1b]0;pwned" in out and "\\u202e" in out


def test_a_file_migrate_cannot_read_fails_check_and_a_fifo_never_blocks(run_cli, tmp_path):
    # A lone carriage return is a line break to Python but not to the edit offsets: the file
    # is listed, not rewritten, and --check does not pass while a Flash file was not read.
    root = tmp_path / "p"
    root.mkdir()
    (root / "app.py").write_bytes(
        b'from runpod_flash import Endpoint\r\r@Endpoint(name="lone-cr")\rdef f(x):\r    return x\r'
    )
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "pipe.py")  # named like a module: never opened to wait for a writer
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "--check", "."], root)
    assert code == 1
    assert "app.py: lone carriage-return line endings: not migrated" in out


MIXED_MODULE_FORM = """\
import runpod_flash as rf
from runpod_flash import NetworkVolume

cache = NetworkVolume(name="mm-cache", size=80)


@rf.Endpoint(name="mm-worker", gpu=rf.GpuGroup.ADA_24, volume=cache, template=rf.PodTemplate())
async def work(data: dict) -> dict:
    return data
"""


def test_module_form_declaration_left_is_listed_without_a_false_volume_note(run_cli, tmp_path):
    """A module-form declaration migrate cannot map is reported under its own reason (it
    was missing from the list, and its volume was said to be used by no declaration)."""
    root = tmp_path / "app"
    root.mkdir()
    (root / "worker.py").write_text(MIXED_MODULE_FORM)
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "--check", "."], root)
    assert code == 1
    assert "template (1)" in out and "worker.py:7 mm-worker (A)" in out
    assert "not used by a declaration" not in out and "flash-use" not in out
    # mappable: the same file without template= moves whole, rf.GpuGroup respelled
    (root / "worker.py").write_text(MIXED_MODULE_FORM.replace(", template=rf.PodTemplate()", ""))
    run_cli(["migrate", "--to", "runpod2", "."], root)
    text = (root / "worker.py").read_text()
    assert "runpod_flash" not in text and "rf." not in text
    assert "gpu=runpod.GpuGroup.ADA_24," in text and 'mounts={"/runpod-volume": cache}' in text
    assert 'cache = runpod.NetworkVolume("mm-cache", size=80)' in text


def test_module_alias_used_as_a_value_keeps_the_file(run_cli, tmp_path):
    root = tmp_path / "app"
    root.mkdir()
    (root / "worker.py").write_text(
        "import runpod_flash as rf\n\nSDK = rf\n\n\n"
        '@rf.Endpoint(name="mv-worker", cpu="cpu3c-1-2")\nasync def work(data: dict) -> dict:\n'
        "    return data\n"
    )
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "--check", "."], root)
    assert code == 1
    assert (
        "worker.py:6 mv-worker (A) because of line 3: "
        "`rf` (the runpod_flash module) used as a value" in out
    )


def test_tetra_rp_datacenter_and_dotenv_defaults_are_kept_or_reported(run_cli, tmp_path):
    """tetra-rp's Live classes pinned EU-RO-1 (`datacenter` defaulted to it, sent as
    `locations`) and, without env=, shipped the variables of a `.env` (`get_env_vars` ->
    dotenv_values(); tetra-rp 0.25.2 core/resources/serverless.py). 2.0 pins no datacenter
    and ships no env: the pin is written out (dropped, and reported, under --adopt), the
    env change is reported."""
    app = TETRA_APP.replace(
        'partial = LiveServerless(name="tetra-partial", gpus=[GpuGroup.ADA_24], workersMin=1)',
        'partial = LiveServerless(name="tetra-partial", gpus=[GpuGroup.ADA_24], env={"A": "1"},'
        ' locations="US-KS-2")',
    )
    for adopt in (False, True):
        root = tmp_path / f"app{adopt}"
        root.mkdir()
        (root / "worker.py").write_text(app)
        (root / "requirements.txt").write_text("tetra-rp==0.25.2\n")
        flags = ["--adopt-2.0-defaults"] if adopt else []
        _, out, _ = run_cli(["migrate", "--to", "runpod2", *flags, "."], root)
        text = (root / "worker.py").read_text()
        assert text.count('datacenter="EU-RO-1"') == (0 if adopt else 1), text
        assert 'datacenter="US-KS-2"' in text
        env_notes = [line for line in out.splitlines() if "tetra-rp 0.25.2 shipped" in line]
        assert [line.split(":")[0].strip() for line in env_notes] == ["worker.py"]
        assert "tetra-worker: env:" in env_notes[0] and ".env" in env_notes[0]
        pinned = "tetra-worker: datacenter: tetra-rp 0.25.2 pinned EU-RO-1" in out
        assert pinned == adopt
        assert ('tetra-worker: datacenter="EU-RO-1"' in out) == (not adopt)


def test_route_comment_blocks_move_with_their_methods(run_cli, tmp_path):
    """The comment lines right above a route function describe it: they move into the
    @app.api class above its method; a comment separated by a blank line stays put."""
    root = tmp_path / "app"
    root.mkdir()
    (root / "api.py").write_text(
        "from runpod_flash import Endpoint\n\n"
        'api = Endpoint(name="rc-api", cpu="cpu3c-1-2", workers=(1, 3))\n'
        "# Liveness probe.\n"
        '@api.get("/health")\nasync def health() -> dict:\n    return {"ok": True}\n\n\n'
        "# --- more routes ---\n\n"
        "# Echo the body back.\n#   body: any dict\n"
        '@api.post("/echo")\nasync def echo(body: dict) -> dict:\n    return body\n'
    )
    run_cli(["migrate", "--to", "runpod2", "."], root)
    text = (root / "api.py").read_text()
    assert (
        "class Api:\n"
        "    # Liveness probe.\n"
        '    @runpod.get("/health")\n'
        "    async def health(self) -> dict:\n"
        '        return {"ok": True}\n\n'
        "    # Echo the body back.\n"
        "    #   body: any dict\n"
        '    @runpod.post("/echo")\n'
    ) in text, text
    assert text.count("# Liveness probe.") == 1 and text.count("# Echo the body back.") == 1
    assert text.index("# --- more routes ---") < text.index("class Api:")


def test_tetra_rp_module_form_migrates(run_cli, tmp_path):
    root = tmp_path / "app"
    root.mkdir()
    (root / "requirements.txt").write_text("tetra-rp==0.25.2\n")
    (root / "worker.py").write_text(
        "import tetra_rp as tr\n\n"
        'cfg = tr.LiveServerless(name="tr-worker", gpus=[tr.GpuGroup.ADA_24], env={"A": "1"})\n\n\n'
        "@tr.remote(resource_config=cfg)\nasync def run(data: dict) -> dict:\n    return data\n"
    )
    run_cli(["migrate", "--to", "runpod2", "."], root)
    text = (root / "worker.py").read_text()
    assert "tetra_rp" not in text and "tr." not in text
    flat = " ".join(text.split()).replace("( ", "(").replace(", )", ")")
    assert (
        '@app.queue(name="tr-worker", gpu=[runpod.GpuGroup.ADA_24], env={"A": "1"}, '
        'datacenter="EU-RO-1", idle_timeout=5)'
    ) in flat, text


DATACENTER_APP = """\
from runpod_flash import DataCenter, Endpoint, GpuGroup, NetworkVolume


@Endpoint(name="dc-gone", gpu=GpuGroup.ANY, datacenter=DataCenter.US_GA_2)
async def gone(data: dict) -> dict:
    return data


@Endpoint(name="dc-list", gpu=GpuGroup.ANY, datacenter=[DataCenter.EU_RO_1, "US-MD-1"])
async def listed(data: dict) -> dict:
    return data


@Endpoint(
    name="dc-volume",
    gpu=GpuGroup.ANY,
    volume=NetworkVolume(name="vol", size=50, datacenter=DataCenter.EUR_IS_1),
)
async def volume(data: dict) -> dict:
    return data
"""


def test_a_datacenter_2_0_does_not_have_is_left_for_a_human(run_cli, tmp_path):
    """rc2's DataCenter has no US-GA-2, US-MD-1, US-NC-1 or EUR-IS-1 (runpod-flash dropped them
    in 1.17; flash-examples' 04_02 datacenters still pins US_GA_2): the rewritten declaration
    would fail at import (AttributeError / `invalid datacenter`), so it is left, named."""
    root = tmp_path / "app"
    root.mkdir()
    (root / "worker.py").write_text(DATACENTER_APP)
    (root / "requirements.txt").write_text("runpod-flash==1.16.0\n")
    _, out, _ = run_cli(["migrate", "--to", "runpod2", "."], root)
    text = (root / "worker.py").read_text()
    assert "from runpod_flash import" in text and "@app." not in text
    assert "datacenter (3)" in out
    for shown in ("DataCenter.US_GA_2", "'US-MD-1'", "DataCenter.EUR_IS_1"):
        assert f"{shown} is not a runpod 2.0 datacenter" in out
    # the same file with 2.0 datacenters (a lower-case string too) moves
    fixed = DATACENTER_APP.replace("DataCenter.US_GA_2", "DataCenter.US_CA_2")
    fixed = fixed.replace('"US-MD-1"', '"us-ks-2"').replace("EUR_IS_1", "EU_CZ_1")
    (root / "worker.py").write_text(fixed)
    run_cli(["migrate", "--to", "runpod2", "."], root)
    text = (root / "worker.py").read_text()
    assert "runpod_flash" not in text and text.count("@app.queue(") == 3
    assert 'datacenter=[DataCenter.EU_RO_1, "us-ks-2"]' in text


def test_a_legacy_location_2_0_does_not_have_is_left_for_a_human(run_cli, tmp_path):
    root = tmp_path / "app"
    root.mkdir()
    (root / "worker.py").write_text(
        TETRA_APP.replace("gpus=[GpuGroup.ADA_24], workersMin=1", 'locations="US-KS-2,US-NC-1"')
    )
    (root / "requirements.txt").write_text("tetra-rp==0.25.2\n")
    _, out, _ = run_cli(["migrate", "--to", "runpod2", "."], root)
    assert "'US-NC-1' is not a runpod 2.0 datacenter" in out
    assert "tetra_rp" in (root / "worker.py").read_text()


ENDPOINT_APP = """\
from runpod_flash import Endpoint, GpuGroup


@Endpoint(name="ep-gpu", gpu=GpuGroup.ADA_24)
async def run(data: dict) -> dict:
    return data


@Endpoint(name="ep-pinned", gpu=GpuGroup.ADA_24, datacenter="US-KS-2")
async def pinned(data: dict) -> dict:
    return data
"""


@pytest.mark.parametrize(
    ("requirement", "pinned"),
    [("runpod-flash==1.7.0", True), ("runpod-flash==1.9.1", True), ("runpod-flash==1.10.0", False)],
)
def test_endpoint_datacenter_default_of_an_old_release_is_written(
    run_cli, tmp_path, requirement, pinned
):
    """runpod-flash 1.7-1.9 `Endpoint(datacenter=DataCenter.EU_RO_1)` (the recorded signature's
    default) pinned every endpoint to EU-RO-1; 1.10 dropped the default and 2.0 pins none. The
    pin is written out (dropped and reported under --adopt); an explicit datacenter is kept."""
    for adopt in (False, True):
        root = tmp_path / f"app{adopt}"
        root.mkdir()
        (root / "worker.py").write_text(ENDPOINT_APP)
        (root / "requirements.txt").write_text(requirement + "\n")
        flags = ["--adopt-2.0-defaults"] if adopt else []
        _, out, _ = run_cli(["migrate", "--to", "runpod2", *flags, "."], root)
        text = (root / "worker.py").read_text()
        assert "runpod_flash" not in text and 'datacenter="US-KS-2"' in text
        assert text.count('datacenter="EU-RO-1"') == (1 if pinned and not adopt else 0), text
        assert ('ep-gpu: datacenter="EU-RO-1"' in out) == (pinned and not adopt)
        version = requirement.split("==")[1]
        reported = f"ep-gpu: datacenter: runpod-flash {version} pinned EU-RO-1" in out
        assert reported == (pinned and adopt)
        assert "ep-pinned: datacenter" not in out


def test_a_file_importing_runpod_flash_only_in_a_block_is_reported(run_cli, tmp_path):
    """`from runpod_flash import Endpoint` inside a function or `try:` (ReviewOp,
    generator): the file keeps runpod_flash, and the report names it and why, rather than
    `apps: 0` as if the project had no Flash code."""
    root = tmp_path / "app"
    root.mkdir()
    (root / "client.py").write_text(
        "def call(x):\n    from runpod_flash import Endpoint\n\n"
        '    return Endpoint(id="abc").runsync(x)\n'
    )
    for fmt, shown in (
        ("text", "client.py:2 runpod_flash imported in a block"),
        ("markdown", "`client.py:2`"),
    ):
        code, out, _ = run_cli(
            ["migrate", "--to", "runpod2", "--check", "--format", fmt, "."], root
        )
        assert code == 1 and shown in out, out
        assert "left on runpod_flash: 1" in out or "| files left on runpod_flash | 1 |" in out
    run_cli(["migrate", "--to", "runpod2", "."], root)
    text = (root / "client.py").read_text()
    assert f"{COMMENT} the file uses runpod_flash" in text and "from runpod_flash import" in text
    assert run_cli(["migrate", "--to", "runpod2", "--check", "."], root)[0] == 0


def test_a_declaration_in_a_file_the_2_0_build_does_not_ship_is_left(run_cli, check_json, tmp_path):
    """tetra-examples' examples/tensor_test.py: rc2's build drops `*_test.py` (and tests/,
    .runpodignore matches), yet discovery deploys what it declares, so a migrated declaration
    there deploys a worker that cannot import it (FG306). It is left, naming the pattern."""
    root = tmp_path / "app"
    root.mkdir()
    (root / "tensor_test.py").write_text(TETRA_APP.replace("tetra_rp", "runpod_flash"))
    (root / "requirements.txt").write_text("runpod-flash==1.21.0\n")
    _, out, _ = run_cli(["migrate", "--to", "runpod2", "."], root)
    assert "not-shipped (2)" in out and "`*_test.py` in the build's default ignores" in out
    assert "runpod_flash" in (root / "tensor_test.py").read_text()
    (root / ".runpodignore").write_text("!tensor_test.py\n")
    run_cli(["migrate", "--to", "runpod2", "."], root)
    assert "@app.queue(" in (root / "tensor_test.py").read_text()
    _, doc = check_json(root, "--select", "FG306")
    assert doc["findings"] == []


def test_declarations_through_a_flash_helper_are_named_in_the_report(run_cli, tmp_path):
    # `GpuWorker = partial(Endpoint, ...)` in common.py, used in tasks.py (which never imports
    # runpod_flash) and a factory function called in jobs.py: neither declaration is
    # rewritten, and each is listed for a human by its own file and line
    (tmp_path / "requirements.txt").write_text("runpod-flash==1.21.0\n")
    (tmp_path / "common.py").write_text(
        "from functools import partial\n\nfrom runpod_flash import Endpoint, GpuGroup\n\n"
        "GpuWorker = partial(Endpoint, gpu=GpuGroup.AMPERE_24, workers=(0, 2))\n\n\n"
        "def cpu_worker(name):\n"
        '    return Endpoint(name=name, cpu="cpu3c-2-4", workers=(0, 1))\n'
    )
    (tmp_path / "tasks.py").write_text(
        "from common import GpuWorker\n\n\n"
        '@GpuWorker(name="ocr-task")\nasync def ocr(payload: dict) -> dict:\n    return payload\n'
    )
    (tmp_path / "jobs.py").write_text(
        "from common import cpu_worker\n\n\n"
        '@cpu_worker("thumb-job")\nasync def thumb(payload: dict) -> dict:\n    return payload\n'
    )
    before = {p.name: p.read_text() for p in tmp_path.iterdir()}
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "."], tmp_path)
    assert code == 0
    assert "2 left for a human" in out and "flash-helper (2)" in out
    assert "tasks.py:4 ocr-task (helper)" in out
    assert "jobs.py:4 thumb-job (helper) built by a helper in common.py:9" in out
    # nothing can move: only the helpers get their notes; the requirement stays
    after = {p.name: p.read_text() for p in tmp_path.iterdir()}
    assert {k: v for k, v in after.items() if k != "common.py"} == {
        k: v for k, v in before.items() if k != "common.py"
    }


def test_a_left_declaration_keeps_its_note_beside_a_flash_use_in_its_call(run_cli, tmp_path):
    # VoxCPM2_Runpod: `image=` leaves the declaration, and `FlashBoot(...)` inside its call is
    # a runpod_flash use; both notes go above the decorator in one run, so a second run
    # changes nothing (the declaration's note used to be dropped, then added by the rerun)
    (tmp_path / "main.py").write_text(
        "from runpod_flash import Endpoint, FlashBoot\n\n\n"
        '@Endpoint(name="tts-worker", image="ghcr.io/x/tts:1", '
        "flashboot=FlashBoot(enabled=True))\ndef tts(job):\n    return job\n"
    )
    assert run_cli(["migrate", "--to", "runpod2", "."], tmp_path)[0] == 0
    notes = [line for line in (tmp_path / "main.py").read_text().splitlines() if "migrate:" in line]
    assert len(notes) == 2
    assert any("(`image=`)" in n for n in notes) and any("FlashBoot" in n for n in notes)
    assert run_cli(["migrate", "--to", "runpod2", "--check", "."], tmp_path)[0] == 0


def test_calls_of_handles_a_package_exports_are_flagged(run_cli, tmp_path):
    # h18 p08: `transcribe` is declared in workers/__init__.py and `speak` in workers/tts.py,
    # re-exported by the package; main.py's `from workers import ...` calls both directly,
    # which raises TypeError once they are 2.0 handles (FG215 after the migration)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "pkg-export"\n')
    worker = (
        '@Endpoint(name={name!r}, cpu="cpu3c-1-2")\n'
        "async def {fn}(payload: dict) -> dict:\n    return payload\n"
    )
    (tmp_path / "workers").mkdir()
    (tmp_path / "workers/__init__.py").write_text(
        "from runpod_flash import Endpoint\n\nfrom .tts import speak\n\n\n"
        + worker.format(name="pe-asr", fn="transcribe")
        + '\n\n__all__ = ["transcribe", "speak"]\n'
    )
    (tmp_path / "workers/tts.py").write_text(
        "from runpod_flash import Endpoint\n\n\n" + worker.format(name="pe-tts", fn="speak")
    )
    (tmp_path / "main.py").write_text(
        "from workers import speak, transcribe\n\n\nasync def main():\n"
        "    await transcribe({})\n    await speak({})\n"
    )
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "."], tmp_path)
    assert code == 0
    assert "main.py:5 transcribe(...)" in out and "main.py:6 speak(...)" in out
    text = (tmp_path / "main.py").read_text()
    assert "`transcribe` is a runpod 2.0 handle now" in text
    assert "`speak` is a runpod 2.0 handle now" in text


def test_spread_dict_keys_are_written_into_the_call_and_the_dict_goes(run_cli, tmp_path):
    root = _copy(tmp_path, "kwargs-spread")
    code, out, err = run_cli(["migrate", "--to", "runpod2", "."], root)
    assert code == 0, err
    text = (root / "worker.py").read_text()
    assert "COMMON =" not in text and "CPU =" not in text and "runpod_flash" not in text
    assert text.count('min_cuda_version="12.4"') == 2
    assert text.count('mounts={"/runpod-volume": runpod.NetworkVolume("ks-models", size=150)}') == 2
    assert "# shared by both workers" not in text  # the dict's comment goes with it
    assert "2 rewritten, 1 rewritten with explicit old defaults, 0 left" in out


def test_spread_dict_changed_after_it_is_built_is_left_with_the_reason(run_cli, tmp_path):
    out, comments = _left_with_notes(run_cli, tmp_path, "left-spread-unknown", "worker.py")
    assert len(comments) == 1
    assert "`**SETTINGS` in Endpoint(...): `SETTINGS` is also used (or changed)" in comments[0]
    assert "unsupported-parameter (1)" in out


SETTINGS_CASES = {
    # a value nothing can change: known
    "GPU = GpuGroup.AMPERE_48\n": ("GPU", "GpuGroup.AMPERE_48"),
    "@dataclass\nclass S:\n    gpu: str = 'x'\n\nS1 = S(gpu='y')\n": ("S1.gpu", "'y'"),
    "class S:\n    gpu = 'x'\n\ns = S()\n": ("s.gpu", "'x'"),
    "class S:\n    gpu = 'x'\n": ("S.gpu", "'x'"),
    # changed, computed, or read from elsewhere: not known
    "GPU = 'x'\nGPU = 'y'\n": ("GPU", None),
    "class S:\n    gpu = 'x'\n\ns = S()\ns.gpu = 'y'\n": ("s.gpu", None),
    "class S:\n    gpu = 'x'\n\ns = S()\nsetattr(s, 'gpu', 'y')\n": ("s.gpu", None),
    "class S(BaseSettings):\n    gpu: str = 'x'\n\ns = S()\n": ("s.gpu", None),
    "class S:\n    gpu = 'x'\n    def __init__(self):\n        pass\n\ns = S()\n": ("s.gpu", None),
    "@dataclass\nclass S:\n    gpu: str = field(default='x')\n\ns = S()\n": ("s.gpu", None),
    "import os\nif os.environ.get('B'):\n    GPU = 'y'\nelse:\n    GPU = 'x'\n": ("GPU", None),
    "from config import GPU\n": ("GPU", None),
}


@pytest.mark.parametrize("source", sorted(SETTINGS_CASES))
def test_settings_values_are_known_only_when_nothing_can_change_them(source):
    from flash_guard.migrate.values import StaticValues

    expr, expected = SETTINGS_CASES[source]
    found = StaticValues(ast.parse(source)).literal(ast.parse(expr, mode="eval").body)
    assert (None if found is None else ast.unparse(found)) == (
        None if expected is None else ast.unparse(ast.parse(expected, mode="eval").body)
    )
