"""The hand-labelled corpus (tests/corpus/<slug>/expected.yaml) against `flash-guard check`.

Each project is copied to a temporary directory and checked in a subprocess with the
production profile (or the project's own .flash-guard.yaml). The reported (code, path, line)
multiset must equal the labels, and the number of deployable declarations flash-guard lists
(`endpoints`, every kind except `client`) must equal `declarations`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

CORPUS = Path(__file__).parent / "corpus"
REPO = Path(__file__).resolve().parents[1]
PROJECTS = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.yaml").is_file())
# The ratchet: "<test>[<slug>]" lines for labels flash-guard does not meet yet. Each is a
# strict xfail, so a project that starts passing fails the suite until its line is removed,
# and a project that passes can never regress silently. The list only ever shrinks.
KNOWN_GAPS = {
    line.split("#", 1)[0].strip()
    for line in (CORPUS / "KNOWN_GAPS.txt").read_text("utf-8").splitlines()
    if line.split("#", 1)[0].strip()
}


def _cases(test: str) -> list:
    return [
        pytest.param(
            slug,
            marks=pytest.mark.xfail(strict=True, reason="known gap: tests/corpus/KNOWN_GAPS.txt"),
        )
        if f"{test}[{slug}]" in KNOWN_GAPS
        else slug
        for slug in PROJECTS
    ]


def _run(args: list[str], cwd: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "flash_guard", *args, "--format", "json", "."],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        # The flash_guard of this checkout, whatever the venv's editable install points at.
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        },
    )
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture
def copy(tmp_path):
    def make(slug: str) -> Path:
        dest = tmp_path / slug
        shutil.copytree(CORPUS / slug, dest, ignore=shutil.ignore_patterns("expected.yaml"))
        return dest

    return make


@pytest.mark.parametrize("slug", _cases("test_findings_match_labels"))
def test_findings_match_labels(slug, copy):
    expected = yaml.safe_load((CORPUS / slug / "expected.yaml").read_text(encoding="utf-8"))
    root = copy(slug)
    report = _run(["check", "--fail-on", "never"], root)
    got = Counter((f["code"], f["path"], f["line"]) for f in report["findings"])
    want = Counter((f["code"], f["path"], f["line"]) for f in expected.get("findings") or [])
    assert got == want, (
        f"missing {sorted((want - got).elements())}; unexpected {sorted((got - want).elements())}"
    )
    for bad in expected.get("not") or []:
        assert (bad["code"], bad["path"], bad["line"]) not in got, bad["why"]


@pytest.mark.parametrize("slug", _cases("test_declarations_are_discovered"))
def test_declarations_are_discovered(slug, copy):
    expected = yaml.safe_load((CORPUS / slug / "expected.yaml").read_text(encoding="utf-8"))
    report = _run(["endpoints"], copy(slug))
    found = [e for e in report["endpoints"] if e["kind"] != "client"]
    assert len(found) == expected["declarations"], [(e["name"], e["path"]) for e in found]
