"""Local-path requirements of a monorepo app (`../shared`, `-e ../shared`, `file:` URLs):
what flash-guard reads from each line, what FG305 says about it, and the SDK behaviour the
model rests on (runpod-flash 1.21 and runpod 2.0rc2 `collect_requirements`)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from flash_guard.cli import main
from flash_guard.project.local_requirements import ATTACHED, SEPARATE, local_requirements

PYPROJECT = '[project]\nname = "acme-shared"\nversion = "0.1.0"\n'
FLASH_WORKER = """from runpod_flash import Endpoint


@Endpoint(name="api-worker", cpu="cpu3c-2-4", workers=(1, 2))
async def work(x):
    import shared

    return shared.X, x
"""
RP2_WORKER = """import runpod

app = runpod.App("api")


@app.queue(name="api-worker", cpu="cpu3c-2-4", workers=(1, 2))
async def work(x):
    import shared

    return shared.X, x
"""


def monorepo(tmp_path: Path, requirements: str, worker: str = FLASH_WORKER) -> Path:
    """packages/shared (distribution acme-shared, src layout) beside apps/api."""
    shared = tmp_path / "packages" / "shared"
    (shared / "src" / "shared").mkdir(parents=True)
    (shared / "pyproject.toml").write_text(PYPROJECT)
    (shared / "src" / "shared" / "__init__.py").write_text("X = 1\n")
    app = tmp_path / "apps" / "api"
    (app / "libs" / "common" / "common").mkdir(parents=True)
    (app / "libs" / "common" / "common" / "__init__.py").write_text("")
    (app / "requirements.txt").write_text(requirements)
    (app / "worker.py").write_text(worker)
    return app


def test_each_form_is_read(tmp_path):
    app = monorepo(
        tmp_path,
        "runpod-flash==1.21.0\n"
        "../../packages/shared\n"
        "-e ../../packages/shared  # editable\n"
        "-e../../packages/shared\n"
        "--editable=../../packages/shared\n"
        "acme-shared @ file:../../packages/shared\n"
        f"file://{tmp_path}/packages/shared\n"
        "./libs/common[extra] --hash=sha256:00\n"
        "-e git+https://github.com/org/vcslib.git#egg=vcslib\n"
        "-r other.txt\n"
        "git+https://github.com/org/plain.git#egg=plain\n",
    )
    lines = local_requirements(tmp_path, "apps/api")
    shared = (tmp_path / "packages" / "shared").resolve()
    got = [
        (r.line, r.editable, r.location.resolve() if r.location else None, r.inside_app)
        for r in lines
    ]
    assert got == [
        (2, "", shared, False),
        (3, SEPARATE, shared, False),
        (4, ATTACHED, shared, False),
        (5, ATTACHED, shared, False),
        (6, "", shared, False),
        (7, "", shared, False),
        (8, "", (app / "libs" / "common").resolve(), True),
        (9, SEPARATE, None, False),
    ]
    assert lines[0].distribution == "acme-shared" and lines[0].modules == {"shared"}
    assert lines[0].shown() == "`shared`" and lines[0].exists
    assert lines[-1].distribution == "vcslib" and lines[-1].names == {"vcslib"}
    assert lines[1].path == "apps/api/requirements.txt" and lines[1].end_column == 37


def check(app: Path) -> list[tuple]:
    """FG305's findings for the app directory alone (packages/ is outside what is checked)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["check", "--format", "json", "--no-cache", "--select", "FG305", str(app)])
    assert code in (0, 1)
    return [(f["path"], f["line"], f["message"]) for f in json.loads(out.getvalue())["findings"]]


def test_a_path_outside_the_checked_tree_installs_the_package(tmp_path):
    """Both builds pip-install a plain path into the artifact: `import shared` is satisfied
    even though packages/shared is not part of the checked tree."""
    app = monorepo(tmp_path, "runpod-flash==1.21.0\n../../packages/shared\n")
    assert check(app) == []
    rp2 = monorepo(tmp_path / "rp2", "runpod==2.0.0rc2\n../../packages/shared\n", RP2_WORKER)
    assert check(rp2) == []


def test_an_editable_path_is_reported_at_its_line_not_at_the_import(tmp_path):
    app = monorepo(tmp_path, "runpod-flash==1.21.0\n-e ../../packages/shared\n")
    [(path, line, message)] = check(app)
    assert (path, line) == ("requirements.txt", 2)
    assert "pip rejects `-e <path>`" in message and "build fails" in message
    rp2 = monorepo(tmp_path / "rp2", "runpod==2.0.0rc2\n-e ../../packages/shared\n", RP2_WORKER)
    [(path, line, message)] = check(rp2)
    assert (path, line) == ("requirements.txt", 2)
    assert "skips requirements.txt lines starting with `-`" in message and "`shared`" in message


def test_flash_build_hands_each_line_to_pip_whole(tmp_path):
    """runpod-flash 1.21 cli/commands/build.py `collect_requirements` keeps `-e ../shared` as
    one string, which `install_dependencies` passes to pip as one argument (pip then reads
    the option `-e` with the value ` ../shared` and rejects it)."""
    from runpod_flash.cli.commands.build import collect_requirements

    (tmp_path / "requirements.txt").write_text("-e ../shared\n../shared\n")
    build = tmp_path / "build"
    build.mkdir()
    assert collect_requirements(tmp_path, build) == ["-e ../shared", "../shared"]


RP2_COLLECT = """
import pathlib, types
from runpod.apps.build import collect_requirements
pathlib.Path("requirements.txt").write_text("-e ../shared\\n--editable=../x\\n../shared\\n")
RESULT = collect_requirements(pathlib.Path("."), types.SimpleNamespace(resources={}))
"""


def test_runpod2_build_skips_editable_lines():
    """runpod 2.0rc2 apps/build.py `collect_requirements` drops every line starting with `-`
    and keeps a plain path for `vendor`'s pip install."""
    from sdk2_oracle import run_probe2_or_skip

    assert run_probe2_or_skip(RP2_COLLECT) == ["../shared"]


def test_a_uv_workspace_member_is_named_with_its_path(tmp_path):
    """`[tool.uv.sources] acme-shared = { workspace = true }`: uv installs the member, no
    build reads pyproject.toml, so the fix is the member's path in requirements.txt (found
    through the enclosing workspace, above the checked app directory)."""
    (tmp_path / "pyproject.toml").write_text('[tool.uv.workspace]\nmembers = ["packages/*"]\n')
    app = monorepo(tmp_path, "runpod-flash==1.21.0\n")
    (app / "pyproject.toml").write_text(
        '[project]\nname = "api"\nversion = "0.1.0"\ndependencies = ["acme-shared"]\n\n'
        "[tool.uv.sources]\nacme-shared = { workspace = true }\n"
    )
    [(path, line, message)] = check(app)
    assert (path, line) == ("worker.py", 6)
    assert "pyproject.toml:7 gets it from [tool.uv.sources]" in message
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["check", "--format", "json", "--no-cache", "--select", "FG305", str(app)])
    [finding] = json.loads(out.getvalue())["findings"]
    assert finding["fix"].startswith("Add `../../packages/shared` to the app's requirements.txt")
