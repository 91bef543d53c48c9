"""Hostile trees (issue 10 items 3, 4, 5 and 8) cannot hide a declaration, crash or stall a run.

Each tree is built in a temp dir and checked by `python -m flash_guard` in a subprocess with a
wall-clock timeout and an address-space limit, so a hang, a native abort or a memory blow-up
fails the test instead of the test run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

resource = pytest.importorskip("resource")  # POSIX only

TIME_LIMIT_S = 10
MEMORY_LIMIT = 1024**3

DECL = """\
from runpod_flash import Endpoint, GpuGroup

@Endpoint(name="x", gpu=GpuGroup.ANY, workers=(0, 3), idle_timeout=5)
async def f(data): ...
"""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text if isinstance(text, bytes) else text.encode())
    return root


def run(root: Path, *extra: str) -> tuple[int, dict]:
    proc = subprocess.run(
        [sys.executable, "-m", "flash_guard", "check", "--format", "json", ".", *extra],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT_S,
        preexec_fn=_limit_memory,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def located(doc: dict, path: str) -> list[tuple[str, int, int]]:
    return sorted((f["code"], f["line"], f["column"]) for f in doc["findings"] if f["path"] == path)


def fg001(doc: dict) -> dict[str, dict]:
    return {f["path"]: f for f in doc["findings"] if f["code"] == "FG001"}


def names(doc: dict) -> set[str]:
    return {e["name"] for e in doc["endpoints"]}


# -- item 3: Python's line structure -----------------------------------------------------------


@pytest.mark.parametrize("newline", ["\r", "\r\n"], ids=["cr", "crlf"])
def test_other_line_endings_are_python_line_breaks(tmp_path, newline):
    source = "# note\n" + DECL
    plain = run(write(tmp_path / "lf", {"a.py": source}))[1]
    assert "x" in names(plain)
    code, doc = run(write(tmp_path / "other", {"a.py": source.replace("\n", newline)}))
    assert names(doc) == {"x"}
    assert located(doc, "a.py") == located(plain, "a.py")  # Python's lines and columns
    assert code == 1


def test_declaration_after_a_lone_cr_comment_is_found(tmp_path):
    source = (
        b"from runpod_flash import Endpoint, GpuGroup\n"
        b'# note\r@Endpoint(name="x", gpu=GpuGroup.ANY)\rasync def f(data): ...\n'
    )
    code, doc = run(write(tmp_path, {"a.py": source}))
    assert names(doc) == {"x"}
    assert ("FG101", 3, 25) in located(doc, "a.py")  # line 3 as Python counts it
    assert code == 1


def test_suppression_comments_keep_their_lines_with_cr_endings(tmp_path):
    source = DECL.replace(
        "@Endpoint", "# flash-guard: ignore[FG101] reviewed: any GPU is fine here\n@Endpoint"
    )
    doc = run(write(tmp_path, {"a.py": source.replace("\n", "\r")}))[1]
    assert "FG101" not in {c for c, _, _ in located(doc, "a.py")}
    assert "FG003" not in {c for c, _, _ in located(doc, "a.py")}


# -- item 4: work limits scale with the file ---------------------------------------------------


def test_a_large_ordinary_file_is_fully_analysed(tmp_path):
    constants = "".join(f"CONFIGURATION_CONSTANT_{i} = {i}\n" for i in range(30_000))
    root = write(tmp_path, {"a.py": constants + DECL})
    assert (root / "a.py").stat().st_size > 1_000_000
    code, doc = run(root, "--strict")
    assert fg001(doc) == {}
    assert names(doc) == {"x"}
    assert {"FG101", "FG105"} <= {c for c, _, _ in located(doc, "a.py")}
    assert code == 1


def test_a_file_over_the_size_limit_is_an_error_that_fails_the_run(tmp_path):
    from flash_guard.discover.lexical import MAX_SOURCE_CHARS

    padding = "#" * 99 + "\n"
    body = padding * (MAX_SOURCE_CHARS // len(padding) + 1)
    root = write(tmp_path, {"a.py": DECL.replace("async def", body + "async def"), "ok.py": ""})
    code, doc = run(root)  # no --strict: the error alone fails the run
    problem = fg001(doc)["a.py"]
    assert problem["severity"] == "error"
    assert "too large" in problem["message"]
    assert code == 1


# -- item 5: re-export chains of any length ----------------------------------------------------

WORKER = 'import common\n\n@common.Endpoint(name="w", cpu="cpu3c-1-2")\nasync def f(d): ...\n'


def test_two_hop_reexport(tmp_path):
    root = write(
        tmp_path,
        {
            "compat.py": "from runpod_flash import Endpoint\n",
            "common/__init__.py": "from compat import Endpoint\n",
            "services/__init__.py": "",
            "services/worker.py": WORKER,
        },
    )
    assert names(run(root)[1]) == {"w"}


def test_long_multi_line_reexport_chain_with_a_cycle(tmp_path):
    hops = 12
    files: dict[str, str | bytes] = {"hop0.py": "from runpod_flash import Endpoint\n"}
    for i in range(1, hops):
        files[f"hop{i}.py"] = f"from hop{i - 1} import (\n    Endpoint,  # re-exported\n)\n"
    # A cycle through the chain must neither hang nor hide anything.
    files["hop0.py"] += "from hop5 import Endpoint as _again  # noqa\n"
    files["common/__init__.py"] = f"from hop{hops - 1} import (\r    Endpoint,\r)\r".encode()
    files["services/worker.py"] = WORKER
    assert names(run(write(tmp_path, files))[1]) == {"w"}


# -- item 8: parser aborts and slow inputs -----------------------------------------------------


def test_deep_indentation_is_fg001_not_an_abort(tmp_path):
    depth = 511
    blocks = "".join(" " * i + "if x:\n" for i in range(depth)) + " " * depth + "'s'\n"
    root = write(
        tmp_path, {"deep.py": "from runpod_flash import Endpoint\n" + blocks, "a.py": DECL}
    )
    code, doc = run(root)
    assert fg001(doc)["deep.py"]["severity"] == "error"
    assert "indentation" in fg001(doc)["deep.py"]["message"]
    assert names(doc) == {"x"}  # the other file is still checked
    assert code == 1


def test_forty_thousand_comment_lines(tmp_path):
    source = "from runpod_flash import Endpoint\nX = 1\n" + "# a comment line\n" * 40_000 + DECL
    doc = run(write(tmp_path, {"a.py": source}))[1]
    assert fg001(doc) == {}
    assert names(doc) == {"x"}
    assert ("FG101", 40_005, 25) in located(doc, "a.py")


@pytest.mark.parametrize(
    "expression",
    ["[" * 1_000_000 + "]" * 1_000_000, "(1+" * 500_000 + "1" + ")" * 500_000],
    ids=["brackets", "operators"],
)
def test_two_megabyte_nested_expression(tmp_path, expression):
    root = write(tmp_path, {"deep.py": "from runpod_flash import Endpoint\nx = " + expression})
    write(root, {"a.py": DECL})
    code, doc = run(root)
    assert fg001(doc)["deep.py"]["severity"] == "error"
    assert "nested" in fg001(doc)["deep.py"]["message"]
    assert names(doc) == {"x"}
    assert code == 1
