"""The fix engine's mechanics: edits, rounds, writes, and what the reports say about fixes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
import yaml

from flash_guard.cli import main
from flash_guard.fix.edits import SAFE, Edit, Fix, apply_edits, choose
from flash_guard.fix.engine import MAX_ROUNDS, FileState, _apply_round

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
ROOT = Path(__file__).parent.parent

APP = """\
from runpod_flash import Endpoint, GpuType

# é: a non-ASCII comment before the fixes, so characters and bytes differ
@Endpoint(name="camel", gpu=GpuType.NVIDIA_L4, idleTimeout=900, workers=(1, 3))
async def camel(data: dict) -> dict:
    return data
"""
FIXED = APP.replace("idleTimeout=", "idle_timeout=")


def cli(tmp_path: Path, capsys, *args: str) -> tuple[int, str, str]:
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        code = main(["check", *args])
    finally:
        os.chdir(old)
    out = capsys.readouterr()
    return code, out.out, out.err


def write(tmp_path: Path, text: str = APP, name: str = "app.py", newline: str = "\n") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def test_apply_edits_and_overlap():
    text = "abcdef"
    assert apply_edits(text, [Edit(1, 2, "X"), Edit(4, 4, "-")]) == "aXcd-ef"
    a = Fix(SAFE, "a", (Edit(1, 3, "x"),))
    b = Fix(SAFE, "b", (Edit(2, 4, "y"),))
    c = Fix(SAFE, "c", (Edit(4, 4, "z"),))
    d = Fix(SAFE, "d", (Edit(4, 4, "w"),))  # two insertions at one point conflict
    assert choose([c, b, a, d]) == [a, c]


def test_fix_renames_and_reports_the_rest(tmp_path, capsys):
    path = write(tmp_path)
    code, out, err = cli(tmp_path, capsys, "--fix", "--select", "FG210,FG104")
    assert path.read_text("utf-8") == FIXED
    assert "applied 1 fix in 1 file" in err
    assert "FG210" not in out and "FG104" in out  # FG104's fix is unsafe: left, reported
    assert code == 1


TWO_BOUNDS = """\
from runpod_flash import Endpoint, GpuType


@Endpoint(name="bounds", gpu=GpuType.NVIDIA_L4, workersMin=1, workersMax=3)
async def bounds(data: dict) -> dict:
    return data


@Endpoint(name="pair", gpu_ids="1", gpu_mem=0.8, workers=(1, 2))
async def pair(data: dict) -> dict:
    return data


@Endpoint(name="floor", gpu=GpuType.NVIDIA_L4, min_workers=2)
async def floor(data: dict) -> dict:
    return data
"""


def test_no_rename_that_repeats_a_keyword_or_reads_a_minimum_as_the_maximum(tmp_path, capsys):
    # Renaming both `workersMin=` and `workersMax=` (or `gpu_ids=` and `gpu_mem=`) to one
    # keyword is "keyword argument repeated", a SyntaxError; `min_workers=2` as `workers=2`
    # would be (0, 2), the SDK reading an int as the maximum.
    path = write(tmp_path, TWO_BOUNDS)
    code, out, _ = cli(tmp_path, capsys, "--fix", "--unsafe-fixes", "--select", "FG210")
    assert path.read_text("utf-8") == TWO_BOUNDS
    assert code == 1 and out.count("FG210") == 5 and "[*]" not in out
    assert out.count("help: Replace the min/max keywords with one `workers=(min, max)`.") == 3


def test_text_report_marks_fixable_findings(tmp_path, capsys):
    write(tmp_path)
    _, out, _ = cli(tmp_path, capsys, "--select", "FG210,FG104")
    lines = out.splitlines()
    assert any(line.startswith("app.py:4:") and "FG210 [*] [error]" in line for line in lines)
    assert not any("FG104 [*]" in line for line in lines)
    assert "[*] 1 fixable with `--fix` (1 more with `--fix --unsafe-fixes`)." in lines


def test_diff_changes_nothing_and_exits_1(tmp_path, capsys):
    path = write(tmp_path)
    code, out, _ = cli(tmp_path, capsys, "--diff", "--select", "FG210")
    assert code == 1
    assert '-@Endpoint(name="camel", gpu=GpuType.NVIDIA_L4, idleTimeout=900' in out
    assert '+@Endpoint(name="camel", gpu=GpuType.NVIDIA_L4, idle_timeout=900' in out
    assert path.read_text("utf-8") == APP
    path.write_text(FIXED, "utf-8")
    assert cli(tmp_path, capsys, "--diff", "--select", "FG210")[:2] == (0, "")


def test_json_edits_are_byte_ranges_of_the_file(tmp_path, capsys):
    path = write(tmp_path, "\ufeff" + APP)  # a BOM shifts every byte offset by 3
    _, out, _ = cli(tmp_path, capsys, "--format", "json", "--select", "FG210,FG104")
    findings = {f["code"]: f for f in json.loads(out)["findings"]}
    (fix,) = findings["FG210"]["fixes"]
    assert fix["applicability"] == "safe"
    (edit,) = fix["edits"]
    data = path.read_bytes()
    assert data[edit["start_byte"] : edit["end_byte"]] == b"idleTimeout"
    assert (edit["line"], edit["column"]) == (4, 48)
    fixed = data[: edit["start_byte"]] + edit["content"].encode() + data[edit["end_byte"] :]
    assert fixed == ("\ufeff" + FIXED).encode("utf-8")
    assert findings["FG104"]["fixes"][0]["applicability"] == "unsafe"


def test_sarif_fixes_are_valid_artifact_changes(tmp_path, capsys):
    write(tmp_path)
    _, out, _ = cli(tmp_path, capsys, "--format", "sarif", "--select", "FG210")
    doc = json.loads(out)
    jsonschema.Draft4Validator(SCHEMA).validate(doc)
    (result,) = doc["runs"][0]["results"]
    (change,) = result["fixes"][0]["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "app.py"
    (replacement,) = change["replacements"]
    assert replacement["insertedContent"]["text"] == "idle_timeout"
    region = replacement["deletedRegion"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (4, 48, 59)


def test_crlf_bom_and_mode_are_kept(tmp_path, capsys):
    path = tmp_path / "app.py"
    path.write_bytes(b"\xef\xbb\xbf" + APP.replace("\n", "\r\n").encode())
    path.chmod(0o640)
    cli(tmp_path, capsys, "--fix-only", "--unsafe-fixes", "--select", "FG210,FG104")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode()
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert "idle_timeout=900" in text and "execution_timeout_ms=600_000" in text
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["app.py"]  # no temporary file left


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlink_destination_is_never_written(tmp_path, capsys):
    real = tmp_path / "outside" / "real.py"
    real.parent.mkdir()
    real.write_text(APP, "utf-8")
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").symlink_to(real)
    code, _, err = cli(project, capsys, "--fix-only", "--select", "FG210")
    # A link out of the project is never read (docs/security.md), so never fixed either.
    assert code == 0
    assert "app.py: not analysed: a symlink to a file outside the project" in err
    assert real.read_text("utf-8") == APP
    assert (project / "app.py").is_symlink()
    # A link inside the project is analysed, but its target is still never written.
    inside = project / "real.py"
    inside.write_text(APP, "utf-8")
    (project / "app.py").unlink()
    (project / "app.py").symlink_to(inside)
    code, _, err = cli(project, capsys, "--fix-only", "--select", "FG210", "app.py")
    assert code == 2
    assert "app.py: not fixed: it is a symbolic link" in err
    assert (project / "app.py").is_symlink()


def test_uncertain_rewrite_gets_no_fix(tmp_path, capsys):
    # The misspelled key is inside a shared dict spread: renaming it is not certain.
    write(
        tmp_path,
        'from runpod_flash import Endpoint, GpuType\n\nCOMMON = {"idle_timout": 600}\n\n\n'
        '@Endpoint(name="s", gpu=GpuType.NVIDIA_L4, workers=(1, 3), **COMMON)\n'
        "async def s(data: dict) -> dict:\n    return data\n",
    )
    _, out, _ = cli(tmp_path, capsys, "--format", "json", "--select", "FG210")
    (finding,) = json.loads(out)["findings"]
    assert finding["code"] == "FG210" and "fixes" not in finding


def test_fix_that_breaks_the_syntax_is_dropped():
    state = FileState(Path("app.py"), APP.encode(), False, APP)
    good = Fix(SAFE, "ok", (Edit(APP.index("idleTimeout"), APP.index("=900"), "idle_timeout"),))
    bad = Fix(SAFE, "bad", (Edit(APP.index("async"), APP.index("async") + 5, "(((("),))
    good.path = bad.path = "app.py"
    assert _apply_round([good, bad], {"app.py": state}) == [good]
    assert state.text == FIXED


def test_rounds_are_bounded():
    assert 1 < MAX_ROUNDS <= 10


def test_unsafe_fix_is_not_applied_without_the_option(tmp_path, capsys):
    path = write(tmp_path, FIXED)
    code, out, err = cli(tmp_path, capsys, "--fix-only", "--select", "FG104")
    assert code == 0 and out == ""
    assert path.read_text("utf-8") == FIXED
    assert "1 with an unsafe fix" in err
    cli(tmp_path, capsys, "--fix-only", "--unsafe-fixes", "--select", "FG104")
    assert "execution_timeout_ms=600_000" in path.read_text("utf-8")


def test_secret_fix_says_what_to_create(tmp_path, capsys):
    write(
        tmp_path,
        'from runpod_flash import Endpoint, GpuType\n\n\n@Endpoint(name="s", '
        'gpu=GpuType.NVIDIA_L4, env={"API_KEY": "sk-live-1234567890abcdef"})\n'
        "async def s(data: dict) -> dict:\n    return data\n",
    )
    _, _, err = cli(tmp_path, capsys, "--fix-only", "--unsafe-fixes", "--select", "FG107")
    text = (tmp_path / "app.py").read_text("utf-8")
    assert '"API_KEY": "{{ RUNPOD_SECRET_API_KEY }}"' in text
    assert "create the Runpod secret `API_KEY`" in err
    assert "sk-live" not in err  # the secret itself is never printed


def test_precommit_fix_hook_applies_safe_fixes_to_given_files(tmp_path, capsys):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "flash-guard-fix"]
    assert hook["entry"] == "flash-guard check --fix-only"
    staged = write(tmp_path, APP, "staged.py")
    other = write(tmp_path, APP, "other.py")
    code, _, _ = cli(tmp_path, capsys, "--fix-only", "staged.py")
    assert code == 0
    assert staged.read_text("utf-8") == FIXED
    assert other.read_text("utf-8") == APP  # not passed by pre-commit: not touched


def test_route_fix_that_would_duplicate_a_route_is_not_offered(tmp_path, capsys):
    write(
        tmp_path,
        'from runpod_flash import Endpoint\n\napi = Endpoint(name="api", cpu="cpu3c-1-2")\n\n\n'
        '@api.post("/predict")\nasync def a(data: dict) -> dict:\n    return data\n\n\n'
        '@api.post("predict")\nasync def b(data: dict) -> dict:\n    return data\n\n\n'
        '@api.post("other")\nasync def c(data: dict) -> dict:\n    return data\n',
    )
    code, out, _ = cli(tmp_path, capsys, "--diff", "--select", "FG204")
    assert code == 1
    assert '+@api.post("/other")' in out
    assert '+@api.post("/predict")' not in out


def test_min_workers_fix_never_makes_min_exceed_max(tmp_path, capsys):
    (tmp_path / ".flash-guard.yaml").write_text(
        "rules:\n  FG103:\n    params: {min_workers: 2}\n", "utf-8"
    )
    write(
        tmp_path,
        "from runpod_flash import CpuLiveServerless, remote\n\n"
        'low = CpuLiveServerless(name="low", workersMin=0, workersMax=1)\n'
        'ok = CpuLiveServerless(name="ok", workersMin=0, workersMax=4)\n\n\n'
        "@remote(low)\ndef a(x):\n    return x\n\n\n@remote(ok)\ndef b(x):\n    return x\n",
    )
    _, out, _ = cli(tmp_path, capsys, "--diff", "--unsafe-fixes", "--select", "FG103")
    assert '+ok = CpuLiveServerless(name="ok", workersMin=2, workersMax=4)' in out
    assert "+low" not in out


@pytest.mark.parametrize("cache", [["--no-cache"], []])
def test_each_app_of_a_monorepo_gets_fixes_from_its_own_configuration(tmp_path, capsys, cache):
    # Two apps, two `.flash-guard.yaml`s with other FG104 parameters: a run from the root
    # evaluates each with its own, and each finding's fix must use its app's value too.
    for app, limit in (("alpha", 120_000), ("beta", 300_000)):
        (tmp_path / app).mkdir()
        config = {"rules": {"FG104": {"params": {"fix_execution_timeout_ms": limit}}}}
        (tmp_path / app / ".flash-guard.yaml").write_text(yaml.safe_dump(config))
        write(tmp_path / app, APP.replace('name="camel"', f'name="{app}-worker"'))
    for _ in range(2):  # the second run answers from the fix cache when there is one
        _, out, _ = cli(tmp_path, capsys, "--format", "json", "--select", "FG104", *cache)
        contents = {
            f["path"].split("/")[0]: f["fixes"][0]["edits"][0]["content"]
            for f in json.loads(out)["findings"]
        }
        assert "120_000" in contents["alpha"] and "300_000" in contents["beta"], contents


def test_node_at_on_a_node_with_thousands_of_children_is_the_first_child_holding_the_span():
    # A decorated definition with 3,000 decorators: node_at bisects its listed children; the
    # node found must be the one the plain child-by-child descent finds.
    from flash_guard.findings import Finding
    from flash_guard.fix.locate import WIDE_NODE, Source
    from flash_guard.model import Span

    count = 3_000
    assert count > WIDE_NODE
    decorators = '@Endpoint(name="w")\n' * count
    text = "from runpod_flash import Endpoint\n" + decorators + "def f():\n    pass\n"
    source = Source("app.py", text)

    def linear(start: int, end: int):
        node = source.root
        while True:
            for child in node.children():
                r = child.range()
                if r.start.index <= start and end <= r.end.index:
                    node = child
                    break
            else:
                return node

    for line in (2, 3, count // 2, count + 1):
        for column, end_column in ((1, 21), (2, 21), (11, 14), (21, 21)):
            span = Span(line, column, line, end_column)
            finding = Finding("FG104", "x", "error", "m", "", "app.py", span, "w")
            start = source.lines.offset(line, column)
            end = source.lines.offset(line, end_column)
            got, want = source.node_at(finding), linear(start, end)
            assert (got.range().start.index, got.range().end.index, got.kind()) == (
                want.range().start.index,
                want.range().end.index,
                want.kind(),
            )


def test_the_applied_count_leaves_out_files_not_written(tmp_path, capsys):
    # A link inside the project is analysed and fixed in memory but never written: the
    # summary counted its fixes ("applied 2 fixes in 2 files" when one file changed).
    write(tmp_path)
    (tmp_path / "link.py").symlink_to(tmp_path / "app.py")
    code, _, err = cli(tmp_path, capsys, "--no-cache", "--fix", "--select", "FG210")
    assert code == 2
    assert "link.py: not fixed: it is a symbolic link" in err
    assert "applied 1 fix in 1 file" in err, err
