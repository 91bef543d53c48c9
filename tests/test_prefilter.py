"""The first-pass pre-filter (project/files.read_source) reads import statements, not any
text: on the bundled examples, the official examples and the benchmark's generated tree it
picks exactly the files the former any-mention filter picked, and a mere mention no longer
makes a file a candidate."""

from __future__ import annotations

import importlib.util
import io
import random
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flash_guard.project.files import FLASH_MARKERS, RUNPOD2_MARKERS, SourceFile, read_source

REPO = Path(__file__).resolve().parent.parent
OFFICIAL = Path("/work/.mirror/runpod+flash-examples/repo")


def _any_mention(data: bytes) -> bool:
    """The filter before: any of the markers anywhere in the bytes."""
    return any(marker in data for marker in FLASH_MARKERS + RUNPOD2_MARKERS)


def _candidates(root: Path) -> tuple[set[str], set[str]]:
    new, old = set(), set()
    for file in sorted(root.rglob("*.py")):
        rel = file.relative_to(root).as_posix()
        source = SourceFile(rel, file)
        read_source(source)
        if source.candidate:
            new.add(rel)
        if _any_mention(file.read_bytes()):
            old.add(rel)
    return new, old


def test_the_bundled_examples():
    new, old = _candidates(REPO / "examples")
    assert new == old
    assert len(new) >= 5


def test_the_official_examples(tmp_path):
    if not OFFICIAL.is_dir():
        pytest.skip("the official examples mirror is not on this machine")
    archive = subprocess.run(
        ["git", "--git-dir", str(OFFICIAL), "archive", "HEAD"],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tmp_path, filter="data")
    new, old = _candidates(tmp_path)
    assert new == old
    assert len(new) >= 10


def test_the_benchmark_tree(tmp_path):
    spec = importlib.util.spec_from_file_location("bench", REPO / "benchmarks" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = bench  # its dataclasses look their module up
    try:
        spec.loader.exec_module(bench)
    finally:
        del sys.modules["bench"]
    rng = random.Random(0)
    bench.write_apps(tmp_path, [bench.generate_app(rng, i) for i in range(60)])
    bench.write_realistic(tmp_path / "realistic", 40, 0)
    new, old = _candidates(tmp_path)
    assert new == old
    assert len(new) >= 60


@pytest.mark.parametrize(
    ("text", "candidate"),
    [
        ("from runpod_flash import Endpoint\n", True),
        ("import tetra_rp as t\n", True),
        ("import os\nimport runpod\n", True),
        ("try: import runpod_flash\nexcept ImportError: pass\n", True),
        ("import os; import runpod\n", True),
        ("from runpod_flash \\\n    import Endpoint\n", True),
        ('DOCS = "https://docs.runpod.io/flash: pip install runpod_flash"\n', False),
        ("# deployed with runpod_flash, see tetra_rp\nX = 1\n", False),
        ("import os\n", False),
    ],
)
def test_an_import_makes_a_candidate_and_a_mention_does_not(tmp_path, text, candidate):
    file = tmp_path / "m.py"
    file.write_text(text)
    source = SourceFile("m.py", file)
    read_source(source)
    assert source.candidate is candidate


# Pieces that move logical-line boundaries: backslash continuations, CRLF, lone CRs.
_PIECES = [
    "import", "import ", "from ", "runpod", "runpod_flash", "tetra_rp", "\\", "\r", "\n",
    "\r\n", " ", "x", "(", ")", ",", "#", "os", ".", "imp", "ort", "try: ", ";",
]  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces=st.lists(st.sampled_from(_PIECES), max_size=16))
def test_the_scan_decides_as_the_reference_line_check(pieces):
    """`_scan_imports` looks for an SDK name only in the logical lines holding `import` it
    visits anyway; it must decide exactly what the reference check over every SDK name in
    the file decides, with or without stopping early, and find the same import lines."""
    from flash_guard.project.files import _IMPORT_LINE, _scan_imports, _sdk_on_an_import_line

    data = "".join(pieces).encode()
    expected = _sdk_on_an_import_line(data)
    lines, sdk = _scan_imports(data, stop_at_sdk=False)
    assert sdk is expected
    assert _scan_imports(data, stop_at_sdk=True)[1] is expected
    normalised = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    anchored = re.compile(b"^" + _IMPORT_LINE.pattern, re.MULTILINE)
    assert lines == [m.groups() for m in anchored.finditer(normalised)]


def test_a_source_file_reads_its_import_hints_on_demand(tmp_path):
    file = tmp_path / "m.py"
    file.write_text("import os, a.b as c\nfrom .pkg import (x,  # note\n  y as z)\n")
    source = SourceFile("m.py", str(file))
    read_source(source)
    assert not source.candidate
    assert source.import_hints == [("os", []), ("a.b", []), (".pkg", ["x", "y"])]
    assert source.abspath == file
