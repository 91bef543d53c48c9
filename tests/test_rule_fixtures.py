"""Every rule has fixture projects that must fire and ones that must not.

Layout: `tests/fixtures/rules/<CODE>/fire/` and `.../pass/`, each a small project
(several may sit under `fire/<case>/` and `pass/<case>/`). In a fire project every
expected finding is written on its line as `# expect: FG101@27` (code and 1-based
column; several separated by spaces). The run selects only that rule (plus the meta
rules), and the set of (code, path, line, column) must equal the annotations exactly.
A `.flash-guard.yaml` in the project is used as its configuration. Each project is
copied to a temporary directory first, so paths are relative to the project itself and
no configuration of this repository leaks in.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from flash_guard.cli import main
from flash_guard.docs import catalog_rows

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
EXPECT = re.compile(r"#\s*expect:\s*((?:[A-Z]+\d{3}@\d+\s*)+)")


def projects(kind: str) -> list[tuple[str, Path]]:
    out = []
    for rule_dir in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        base = rule_dir / kind
        if not base.is_dir():
            continue
        subdirs = sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith("."))
        has_py = any(base.glob("*.py"))
        for proj in [base] if has_py or not subdirs else subdirs:
            out.append((rule_dir.name, proj))
    return out


def expectations(root: Path) -> set[tuple[str, str, int, int]]:
    found = set()
    for file in sorted(root.rglob("*.py")):
        rel = file.relative_to(root).as_posix()
        for lineno, line in enumerate(file.read_text("utf-8", "replace").splitlines(), 1):
            match = EXPECT.search(line)
            if match:
                for token in match.group(1).split():
                    code, col = token.split("@")
                    found.add((code, rel, lineno, int(col)))
    return found


def run(code: str, fixture: Path, tmp_path, monkeypatch, capsys) -> set:
    root = tmp_path / "project"
    shutil.copytree(fixture, root, symlinks=True)
    monkeypatch.chdir(root)
    args = ["check", "--format", "json", "--select", code, "."]
    config = root / ".flash-guard.yaml"
    args += ["--config", str(config)] if config.exists() else []
    exit_code = main(args)
    out = capsys.readouterr().out
    assert exit_code in (0, 1), out
    doc = json.loads(out)
    return {(f["code"], f["path"], f["line"], f["column"]) for f in doc["findings"]}


def _id(case):
    code, proj = case
    return f"{code}-{proj.relative_to(FIXTURES / code).as_posix()}"


@pytest.mark.parametrize("case", projects("fire"), ids=_id)
def test_fixture_fires_exactly(case, tmp_path, monkeypatch, capsys):
    code, root = case
    expected = expectations(root)
    assert any(e[0] == code for e in expected), f"{root} has no `# expect: {code}@col` annotation"
    assert run(code, root, tmp_path, monkeypatch, capsys) == expected


@pytest.mark.parametrize("case", projects("pass"), ids=_id)
def test_fixture_does_not_fire(case, tmp_path, monkeypatch, capsys):
    code, root = case
    found = run(code, root, tmp_path, monkeypatch, capsys)
    assert not [f for f in found if f[0] == code], found


def test_every_rule_has_fire_and_pass_fixtures():
    missing = []
    for row in catalog_rows():
        code = row["code"]
        for kind in ("fire", "pass"):
            if not (FIXTURES / code / kind).is_dir():
                missing.append(f"{code}/{kind}")
    assert not missing, f"rules without fixtures: {missing}"
