"""`migrate --to runpod2` moves the app's SDK requirement: `runpod-flash` (or `tetra-rp`, or a
runpod 1.x pin) becomes `runpod==2.0.0rc2` once every file of the app has moved, so the
migrated code is installed with the SDK it is written for (flash_guard/migrate/requirements.py).
"""

from __future__ import annotations

from pathlib import Path

from flash_guard.sdk.runpod2_tables import SDK_VERSION

NEW = f"runpod=={SDK_VERSION}"
APP = """\
from runpod_flash import Endpoint, GpuType


@Endpoint(name="embed", gpu=GpuType.NVIDIA_L4, workers=(1, 3), execution_timeout_ms=600000)
async def embed(texts: list[str]) -> list:
    return texts
"""
LEFT = """\
from runpod_flash import LiveLoadBalancer, remote

lb = LiveLoadBalancer(name="gateway")


@remote(lb, method="GET", path="/health")
async def health() -> dict:
    return {"ok": True}
"""
UV_LOCK = 'version = 1\n\n[[package]]\nname = "{name}"\nversion = "{version}"\n'


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "app"
    for rel, text in {"main.py": APP, **files}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_requirements_txt_names_the_2_0_release(run_cli, check_json, tmp_path):
    root = _project(
        tmp_path,
        {
            "requirements.txt": (
                "runpod-flash==1.21.0  # the SDK\nnumpy>=1.26\n"
                'tetra-rp>=0.20 ; python_version >= "3.10"\n'
            ),
            "uv.lock": UV_LOCK.format(name="runpod-flash", version="1.21.0"),
        },
    )
    code, out, err = run_cli(["migrate", "--to", "runpod2", "."], root)
    assert code == 0, err
    assert (root / "requirements.txt").read_text() == f"{NEW}  # the SDK\nnumpy>=1.26\n"
    assert f"requirements.txt:1 runpod-flash==1.21.0 -> {NEW}" in out
    assert "requirements.txt:3 tetra-rp>=0.20 removed" in out
    assert "uv.lock: regenerate it (`uv lock`)" in out
    (root / "uv.lock").unlink()  # as `uv lock` would rewrite it: the pin now decides
    codes = {f["code"] for f in check_json(root)[1]["findings"]}
    assert not codes & {"FG111", "FG213"}, codes
    assert run_cli(["migrate", "--to", "runpod2", "--check", "."], root)[0] == 0


def test_a_runpod_1x_pin_is_replaced_too(run_cli, tmp_path):
    root = _project(tmp_path, {"requirements.txt": "runpod==1.7.9\nrunpod-flash\n"})
    assert run_cli(["migrate", "--to", "runpod2", "."], root)[0] == 0
    assert (root / "requirements.txt").read_text() == f"{NEW}\n"


def test_an_existing_2_0_pin_stays_and_the_old_sdk_goes(run_cli, tmp_path):
    root = _project(tmp_path, {"requirements.txt": f"runpod-flash==1.21.0\n{NEW}\n"})
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "."], root)
    assert code == 0
    assert (root / "requirements.txt").read_text() == f"{NEW}\n"
    assert "runpod-flash==1.21.0 removed" in out


def test_pyproject_dependency_is_rewritten_and_its_marker_kept(run_cli, tmp_path):
    pyproject = (
        '[project]\nname = "embedder"\ndependencies = [\n'
        '  "runpod-flash>=1.19 ; python_version >= \\"3.10\\"",\n  "numpy",\n]\n'
    )
    root = _project(tmp_path, {"pyproject.toml": pyproject})
    code, out, err = run_cli(["migrate", "--to", "runpod2", "."], root)
    assert code == 0, err
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    data = tomllib.loads((root / "pyproject.toml").read_text())
    assert data["project"]["dependencies"] == [f'{NEW} ; python_version >= "3.10"', "numpy"]
    assert f"pyproject.toml:4 runpod-flash>=1.19 -> {NEW}" in out


def test_poetry_dependencies_are_left_to_a_human(run_cli, tmp_path):
    pyproject = '[tool.poetry.dependencies]\npython = "^3.11"\nrunpod-flash = "^1.19"\n'
    root = _project(tmp_path, {"pyproject.toml": pyproject})
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "."], root)
    assert code == 0
    assert (root / "pyproject.toml").read_text() == pyproject
    assert f"pyproject.toml:3: write {NEW} for the SDK by hand" in out


def test_a_hash_pinned_requirement_is_left_to_a_human(run_cli, tmp_path):
    # Rewriting the first line would keep 1.21.0's hashes under the new requirement (or leave
    # the `--hash` continuation lines dangling): pip would refuse the file.
    hashed = "runpod-flash==1.21.0 \\\n    --hash=sha256:" + "0" * 64 + "\n"
    root = _project(tmp_path, {"requirements.txt": hashed})
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "."], root)
    assert code == 0
    assert (root / "requirements.txt").read_text() == hashed
    assert "requirements.txt:1: `runpod-flash==1.21.0` carries options (--hash)" in out
    assert f"write {NEW} by hand" in out


def test_nothing_changes_while_files_stay_on_runpod_flash(run_cli, tmp_path):
    root = _project(tmp_path, {"gateway.py": LEFT, "requirements.txt": "runpod-flash==1.21.0\n"})
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "."], root)
    assert code == 0
    assert "gateway.py" in out and "left on runpod_flash: 1" in out
    assert (root / "requirements.txt").read_text() == "runpod-flash==1.21.0\n"
    assert "keeps `runpod-flash==1.21.0` while 1 file(s) stay on runpod_flash" in out
    # the files that did move need runpod 2.0 now, not once the rest moves (FG213)
    assert f"the migrated files need {NEW} now" in out


def test_a_lock_without_the_old_sdk_is_not_listed(run_cli, tmp_path):
    root = _project(
        tmp_path,
        {
            "requirements.txt": "runpod-flash==1.21.0\n",
            "uv.lock": UV_LOCK.format(name="numpy", version="2.1.0"),
        },
    )
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "."], root)
    assert code == 0 and "uv.lock" not in out


def test_markdown_report_has_the_requirement_section(run_cli, tmp_path):
    root = _project(tmp_path, {"requirements.txt": "runpod-flash==1.21.0\n"})
    code, out, _ = run_cli(["migrate", "--to", "runpod2", "--format", "markdown", "."], root)
    assert code == 0
    assert f"### SDK requirement (`{NEW}`)" in out
    assert f"- `requirements.txt:1 runpod-flash==1.21.0 -> {NEW}`" in out


def test_crlf_and_bom_requirement_files_keep_their_bytes_around_the_edit(run_cli, tmp_path):
    root = _project(tmp_path, {})
    original = b"\xef\xbb\xbfnumpy\r\nrunpod-flash==1.21.0\r\ntorch\r\n"
    (root / "requirements.txt").write_bytes(original)
    assert run_cli(["migrate", "--to", "runpod2", "."], root)[0] == 0
    expected = b"\xef\xbb\xbfnumpy\r\n" + NEW.encode() + b"\r\ntorch\r\n"
    assert (root / "requirements.txt").read_bytes() == expected


def test_a_form_feed_does_not_shift_the_edit(run_cli, tmp_path):
    # Requirements are numbered by str.splitlines, which also ends a line at a form feed.
    root = _project(tmp_path, {})
    (root / "requirements.txt").write_bytes(b"numpy\x0c\nrunpod-flash==1.21.0\ntorch\n")
    assert run_cli(["migrate", "--to", "runpod2", "."], root)[0] == 0
    expected = b"numpy\x0c\n" + NEW.encode() + b"\ntorch\n"
    assert (root / "requirements.txt").read_bytes() == expected
