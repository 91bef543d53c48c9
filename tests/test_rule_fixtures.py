"""Every rule has fixture projects that must fire and ones that must not.

Layout: `tests/fixtures/rules/<CODE>-<slug>/fire/` and `.../pass/`, each a small project
(several may sit under `fire/<case>/` and `pass/<case>/`). Every expected finding is
written on its line as `# expect: FG101@27` (code and 1-based column; several separated
by spaces). The run selects only that rule (plus the meta rules), and the set of (code,
path, line, column) must equal the annotations exactly, in fire and pass projects alike:
an unexpected FG002 in a pass project fails. Each fire project also has a golden file
`messages.golden` with every finding's message and fix, so wording changes are reviewed
(`FLASH_GUARD_UPDATE_GOLDEN=1` rewrites them).
A `.flash-guard.yaml` in the project is used as its configuration. Each project is
copied to a temporary directory first, so paths are relative to the project itself and
no configuration of this repository leaks in.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from flash_guard.cli import main
from flash_guard.rule_docs import catalog_rows

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
            out.append((rule_dir.name.split("-", 1)[0], proj))
    return out


def expectations(root: Path) -> set[tuple[str, str, int, int]]:
    found = set()
    # Requirement files and pyproject.toml take `#` comments too (FG111 points at them).
    files = [*root.rglob("*.py"), *root.rglob("requirements*.txt"), *root.rglob("*.toml")]
    for file in sorted(files):
        rel = file.relative_to(root).as_posix()
        for lineno, line in enumerate(file.read_text("utf-8", "replace").splitlines(), 1):
            match = EXPECT.search(line)
            if match:
                for token in match.group(1).split():
                    code, col = token.split("@")
                    found.add((code, rel, lineno, int(col)))
    return found


def rule_dir(code: str) -> Path:
    return next(p for p in FIXTURES.iterdir() if p.name.split("-", 1)[0] == code)


def run_json(code: str, fixture: Path, tmp_path, monkeypatch, capsys) -> list[dict]:
    root = tmp_path / "project"
    shutil.copytree(fixture, root, symlinks=True)
    monkeypatch.chdir(root)
    args = ["check", "--format", "json", "--select", code, "."]
    config = root / ".flash-guard.yaml"
    args += ["--config", str(config)] if config.exists() else []
    exit_code = main(args)
    out = capsys.readouterr().out
    assert exit_code in (0, 1), out
    return json.loads(out)["findings"]


def run(code: str, fixture: Path, tmp_path, monkeypatch, capsys) -> set:
    findings = run_json(code, fixture, tmp_path, monkeypatch, capsys)
    return {(f["code"], f["path"], f["line"], f["column"]) for f in findings}


def golden_text(findings: list[dict]) -> str:
    lines = []
    for f in sorted(findings, key=lambda f: (f["path"], f["line"], f["column"], f["code"])):
        lines.append(f"{f['path']}:{f['line']}:{f['column']} {f['code']} {f['message']}")
        lines.append(f"    fix: {f['fix']}")
    return "\n".join(lines) + "\n"


def _id(case):
    code, proj = case
    return f"{code}-{proj.relative_to(rule_dir(code)).as_posix()}"


@pytest.mark.parametrize("case", projects("fire"), ids=_id)
def test_fixture_fires_exactly(case, tmp_path, monkeypatch, capsys):
    code, root = case
    expected = expectations(root)
    assert any(e[0] == code for e in expected), f"{root} has no `# expect: {code}@col` annotation"
    findings = run_json(code, root, tmp_path, monkeypatch, capsys)
    assert {(f["code"], f["path"], f["line"], f["column"]) for f in findings} == expected
    golden = root / "messages.golden"
    text = golden_text(findings)
    if os.environ.get("FLASH_GUARD_UPDATE_GOLDEN") == "1":
        golden.write_text(text, "utf-8")
    assert golden.is_file(), f"{golden} is missing: run with FLASH_GUARD_UPDATE_GOLDEN=1"
    assert text == golden.read_text("utf-8")


@pytest.mark.parametrize("case", projects("pass"), ids=_id)
def test_fixture_does_not_fire(case, tmp_path, monkeypatch, capsys):
    code, root = case
    found = run(code, root, tmp_path, monkeypatch, capsys)
    assert not [f for f in found if f[0] == code], found
    # Exact: nothing else either (an FG002 a pass project does not annotate is a failure).
    assert found == expectations(root)


def test_every_rule_has_fire_and_pass_fixtures():
    missing = []
    for row in catalog_rows():
        code = row["code"]
        for kind in ("fire", "pass"):
            if not (FIXTURES / f"{code}-{row['slug']}" / kind).is_dir():
                missing.append(f"{code}/{kind}")
    assert not missing, f"rules without fixtures: {missing}"
