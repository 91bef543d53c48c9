"""The fix cache (flash_guard/fix/cache.py): a warm run offers the same fixes without parsing
the files again, a changed file is computed anew, a bad or hostile entry is never applied and
is rewritten, and --fix / --diff do the same with a warm cache."""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import hmac
import io
import json
import shutil
from pathlib import Path

import pytest

from flash_guard.cli import main
from flash_guard.fix import cache as fix_cache
from flash_guard.fix import engine
from flash_guard.fix.fixers import FIXERS

TESTS = Path(__file__).parent
RULE_FIXTURES = TESTS / "fixtures" / "rules"


def _fixable_projects() -> list[Path]:
    """The fire projects of every rule with a fixer."""
    out = []
    for rule_dir in sorted(p for p in RULE_FIXTURES.iterdir() if p.is_dir()):
        if rule_dir.name.split("-", 1)[0] not in FIXERS:
            continue
        base = rule_dir / "fire"
        subdirs = sorted(p for p in base.iterdir() if p.is_dir() and p.name[0] != ".")
        out += [base] if any(base.glob("*.py")) or not subdirs else subdirs
    return out


PROJECTS = _fixable_projects()
FORMATS = ("json", "sarif", "text")


def _id(path: Path) -> str:
    return path.relative_to(RULE_FIXTURES).as_posix()


class _Parses:
    """Counts the files the fix engine parses (each `Source` is one lex and one parse)."""

    def __init__(self, monkeypatch):
        self.paths: list[str] = []
        real = engine.Source

        def counting(path, text, *args):
            self.paths.append(path)
            return real(path, text, *args)

        monkeypatch.setattr(engine, "Source", counting)


def _run(args: list, cwd: Path, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def _check(fmt: str, *extra) -> list:
    return ["check", "--format", fmt, "--fail-on", "never", "--ignore", "FG308", *extra, "."]


def _copy(project: Path, dest: Path) -> Path:
    shutil.copytree(project, dest, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def _fixes_file(cache_dir: Path) -> Path:
    (found,) = cache_dir.glob(f"*/{fix_cache.FIXES_FILE}")
    return found


def _key(cache_dir: Path) -> bytes:
    return bytes.fromhex((cache_dir / "key").read_text())


def _sign(cache_dir: Path, document: dict) -> None:
    body = json.dumps(document, separators=(",", ":"))
    mac = hmac.new(_key(cache_dir), body.encode(), hashlib.sha256).hexdigest()
    _fixes_file(cache_dir).write_text(f"{mac}\n{body}")


def _document(cache_dir: Path) -> dict:
    mac, body = _fixes_file(cache_dir).read_text().split("\n", 1)
    expected = hmac.new(_key(cache_dir), body.encode(), hashlib.sha256).hexdigest()
    assert mac == expected  # every file the cache writes is signed
    return json.loads(body)


@pytest.mark.parametrize("project", PROJECTS, ids=_id)
def test_cold_then_warm_output_is_identical(project, tmp_path, monkeypatch):
    root = _copy(project, tmp_path / "project")
    cache_dir = tmp_path / "cache"
    offered = False
    for fmt in FORMATS:
        uncached = _run(_check(fmt, "--no-cache"), root, monkeypatch)
        cold_parses = _Parses(monkeypatch)
        cold = _run(_check(fmt, "--cache-dir", cache_dir), root, monkeypatch)
        warm_parses = _Parses(monkeypatch)
        warm = _run(_check(fmt, "--cache-dir", cache_dir), root, monkeypatch)
        monkeypatch.undo()
        assert cold == uncached
        assert warm == uncached
        # The warm run took every fix (and every "no fix") from the cache.
        assert warm_parses.paths == []
        if fmt == "json":
            offered = any(f.get("fixes") for f in json.loads(cold[1])["findings"])
            assert bool(cold_parses.paths) == bool(
                [f for f in json.loads(cold[1])["findings"] if f["code"] in FIXERS]
            )
    if offered:
        kept = _document(cache_dir)["entries"]
        assert any(fix is not None for _, fixes in kept.values() for fix in fixes.values())


def _project(tmp_path: Path) -> Path:
    return _copy(RULE_FIXTURES / "FG210-unknown-parameter" / "fire", tmp_path / "project")


def _json_check(root: Path, cache_dir: Path, monkeypatch, *extra) -> tuple[int, str, str]:
    return _run(_check("json", "--cache-dir", cache_dir, *extra), root, monkeypatch)


def _fixed_findings(output: str) -> list[dict]:
    return [f for f in json.loads(output)["findings"] if f.get("fixes")]


def test_a_changed_file_is_computed_anew(tmp_path, monkeypatch):
    root = _project(tmp_path)
    cache_dir = tmp_path / "cache"
    cold = _json_check(root, cache_dir, monkeypatch)
    fixed = _fixed_findings(cold[1])
    assert fixed
    path = fixed[0]["path"]
    # A line above the finding: every offset moves, the finding and its fix with them.
    target = root / path
    target.write_text("# moved down\n" + target.read_text())
    parses = _Parses(monkeypatch)
    warm = _json_check(root, cache_dir, monkeypatch)
    monkeypatch.undo()
    assert warm == _json_check(root, cache_dir, monkeypatch, "--no-cache")
    assert warm != cold
    assert parses.paths == [path]  # only the changed file was parsed again
    entry = _document(cache_dir)["entries"][path]
    assert entry[0] == fix_cache.content_hash(target.read_text())


def test_a_byte_order_mark_is_part_of_the_text(tmp_path, monkeypatch):
    """The same characters with a BOM: every edit's byte offsets move by three."""
    root = _project(tmp_path)
    cache_dir = tmp_path / "cache"
    cold = _json_check(root, cache_dir, monkeypatch)
    target = root / _fixed_findings(cold[1])[0]["path"]
    target.write_bytes(codecs.BOM_UTF8 + target.read_bytes())
    warm = _json_check(root, cache_dir, monkeypatch)
    assert warm == _json_check(root, cache_dir, monkeypatch, "--no-cache")
    assert warm != cold


def _first_fix(document: dict) -> tuple[str, str, list]:
    for path, (_, fixes) in document["entries"].items():
        for key, fix in fixes.items():
            if fix is not None:
                return path, key, fix
    raise AssertionError("no fix cached")


def test_a_tampered_file_is_ignored_and_rewritten(tmp_path, monkeypatch):
    root = _project(tmp_path)
    cache_dir = tmp_path / "cache"
    cold = _json_check(root, cache_dir, monkeypatch)
    document = _document(cache_dir)
    path, key, fix = _first_fix(document)
    fix[1] = "HACKED"  # the message, changed without the key: the signature no longer holds
    fixes_file = _fixes_file(cache_dir)
    mac = fixes_file.read_text().split("\n", 1)[0]
    fixes_file.write_text(f"{mac}\n{json.dumps(document, separators=(',', ':'))}")
    parses = _Parses(monkeypatch)
    warm = _json_check(root, cache_dir, monkeypatch)
    monkeypatch.undo()
    assert warm == cold
    assert "HACKED" not in warm[1]
    assert parses.paths  # computed again
    assert "HACKED" not in fixes_file.read_text()
    assert _document(cache_dir)["entries"][path][1][key] != fix


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda fix: fix.__setitem__(0, "dangerous"), id="applicability"),
        pytest.param(lambda fix: fix.__setitem__(3, "not edits"), id="edits-type"),
        pytest.param(lambda fix: fix.__setitem__(3, []), id="no-edits"),
        pytest.param(lambda fix: fix[3][0].__setitem__(0, 10**9), id="edit-outside-text"),
        pytest.param(lambda fix: fix[3][0].__setitem__(1, -1), id="edit-before-text"),
        pytest.param(lambda fix: fix[3][0].__setitem__(2, ["HACKED"]), id="content-type"),
        pytest.param(lambda fix: fix[3][0].__setitem__(8, 10**9), id="bytes-outside-text"),
        pytest.param(lambda fix: fix[3][0].append(1), id="extra-field"),
        pytest.param(lambda fix: fix.append({"o": "os.system"}), id="extra-object"),
    ],
)
def test_a_hostile_signed_entry_is_never_applied(damage, tmp_path, monkeypatch):
    """Entries signed with the right key (an explicitly chosen cache directory holds its key)
    but of the wrong shape or outside the text: ignored, computed again, rewritten; --fix
    applies the fix computed now."""
    root = _project(tmp_path)
    cache_dir = tmp_path / "cache"
    before = {p: p.read_bytes() for p in root.rglob("*.py")}
    cold = _json_check(root, cache_dir, monkeypatch)
    document = _document(cache_dir)
    path, key, fix = _first_fix(document)
    fix[3][0][2] = "HACKED"  # the edit's content: seen in any output or file it reaches
    damage(fix)
    _sign(cache_dir, document)
    parses = _Parses(monkeypatch)
    warm = _json_check(root, cache_dir, monkeypatch)
    assert warm == cold
    assert path in parses.paths
    rewritten = _document(cache_dir)
    assert rewritten["entries"][path][1][key] != fix
    assert "HACKED" not in json.dumps(rewritten)
    # Tamper again, then fix: the edit written is the one computed for this text.
    _sign(cache_dir, document)
    _run(["check", "--fix", "--cache-dir", cache_dir, "--fail-on", "never", "."], root, monkeypatch)
    fixed = {p: p.read_bytes() for p in root.rglob("*.py")}
    monkeypatch.undo()
    assert all(b"HACKED" not in data for data in fixed.values())
    reference = _copy(RULE_FIXTURES / "FG210-unknown-parameter" / "fire", tmp_path / "ref")
    _run(["check", "--fix", "--no-cache", "--fail-on", "never", "."], reference, monkeypatch)
    assert {p.relative_to(root): d for p, d in fixed.items()} == {
        p.relative_to(reference): p.read_bytes() for p in reference.rglob("*.py")
    }
    assert fixed != before


def test_parameters_are_part_of_the_key(tmp_path, monkeypatch):
    """FG104's fix writes the profile's `fix_execution_timeout_ms`: a changed parameter never
    reuses the fix computed for the old one."""
    root = _copy(RULE_FIXTURES / "FG104-no-execution-timeout" / "fire" / "endpoint", tmp_path / "p")
    cache_dir = tmp_path / "cache"
    first = _json_check(root, cache_dir, monkeypatch)
    assert "600_000" in first[1]
    (root / ".flash-guard.yaml").write_text(
        "rules:\n  FG104:\n    params:\n      fix_execution_timeout_ms: 120000\n"
    )
    second = _json_check(root, cache_dir, monkeypatch)
    assert second == _json_check(root, cache_dir, monkeypatch, "--no-cache")
    assert "120_000" in second[1] and "600_000" not in second[1]


@pytest.mark.parametrize("project", PROJECTS, ids=_id)
def test_fix_and_diff_are_the_same_with_a_warm_cache(project, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    warm_root = _copy(project, tmp_path / "warm")
    cold_root = _copy(project, tmp_path / "cold")
    _run(_check("json", "--cache-dir", cache_dir), warm_root, monkeypatch)  # fills the cache
    for options in (["--diff"], ["--diff", "--unsafe-fixes"]):
        warm = _run(["check", *options, "--cache-dir", cache_dir, "."], warm_root, monkeypatch)
        cold = _run(["check", *options, "--no-cache", "."], cold_root, monkeypatch)
        assert warm == cold
    warm = _run(
        ["check", "--fix", "--unsafe-fixes", "--cache-dir", cache_dir, "."], warm_root, monkeypatch
    )
    cold = _run(["check", "--fix", "--unsafe-fixes", "--no-cache", "."], cold_root, monkeypatch)
    assert warm == cold
    assert {p.relative_to(warm_root): p.read_bytes() for p in warm_root.rglob("*.py")} == {
        p.relative_to(cold_root): p.read_bytes() for p in cold_root.rglob("*.py")
    }
    # The fixed files' old fixes are never offered for their new text.
    after = _run(_check("json", "--cache-dir", cache_dir), warm_root, monkeypatch)
    assert after == _run(_check("json", "--no-cache"), warm_root, monkeypatch)


def test_no_cache_writes_no_fixes_file(tmp_path, monkeypatch):
    root = _project(tmp_path)
    monkeypatch.setenv("FLASH_GUARD_CACHE_DIR", str(tmp_path / "cache"))
    _run(_check("json", "--no-cache"), root, monkeypatch)
    assert not list((tmp_path / "cache").glob(f"*/{fix_cache.FIXES_FILE}"))
    _run(_check("json"), root, monkeypatch)
    assert _fixes_file(tmp_path / "cache").is_file()


def test_a_parameter_without_exact_text_is_not_cached():
    assert fix_cache._canonical({"a": (1, 2.0, True)}) != fix_cache._canonical({"a": [1, 2, 1]})
    assert fix_cache._canonical({1, 2}) == fix_cache._canonical({2, 1})
    with pytest.raises(fix_cache.Uncacheable):
        fix_cache._canonical({"a": object()})


# -- a cold run does not lex a file discovery has just lexed ---------------------------------


def _shape(node) -> list:
    out = [(node.kind(), node.range().start.index, node.range().end.index)]
    for child in node.children():
        out += _shape(child)
    return out


@pytest.mark.parametrize("extra", [(), ("--no-cache",)], ids=["cached", "no-cache"])
def test_a_cold_run_lexes_each_file_once(tmp_path, monkeypatch, extra):
    from flash_guard.discover import lexical

    root = _project(tmp_path)
    # nothing known from earlier tests
    monkeypatch.setattr(lexical, "_LEXED", bytearray())
    monkeypatch.setattr(lexical, "_LEXED_SORTED", [])
    calls = []
    real = lexical.lex

    def counting(text):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(lexical, "lex", counting)  # what fix/locate.py calls
    parses = _Parses(monkeypatch)
    cold = _json_check(root, tmp_path / "cache", monkeypatch, *extra)
    monkeypatch.undo()
    assert parses.paths and calls == []
    assert cold == _json_check(root, tmp_path / "cache2", monkeypatch, "--no-cache")


MANY = "".join(f"# note {i}\n" for i in range(2_100))
HASHES = "NOTE = '" + "#" * 2_100 + "'\n"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"import os\n{MANY}x = (1,\n  2)  # end\n", id="many-comments"),
        pytest.param(f"import os\n{HASHES}x = (1,\n  2)  # end\n", id="many-hashes"),
        pytest.param(f"import os\r\n{MANY}x = (1,\r\n  2)\r\n", id="many-comments-crlf"),
        pytest.param("def f(:\n    return [\n", id="broken"),
    ],
)
def test_a_text_known_to_lex_parses_to_the_same_tree(text):
    from flash_guard.fix.locate import Source

    assert _shape(Source("a.py", text, True).root) == _shape(Source("a.py", text).root)


def test_every_field_a_fixer_reads_is_in_the_key():
    from flash_guard.findings import Finding
    from flash_guard.model import Span

    def finding(**changes):
        fields = dict(
            code="FG104",
            slug="no-execution-timeout",
            severity="error",
            message="m",
            fix="f",
            path="app.py",
            span=Span(1, 1, 1, 5),
            endpoint="e",
            parameter="execution_timeout_ms",
        )
        return Finding(**{**fields, **changes})

    base = fix_cache.FindingKeys().key(finding(), {"fix_execution_timeout_ms": 1})
    changed = [
        finding(message="m2"),
        finding(fix="f2"),
        finding(path="b.py"),
        finding(span=Span(1, 1, 1, 6)),
        finding(parameter=None),
        finding(code="FG102"),
        finding(profile="development"),
    ]
    keys = {fix_cache.FindingKeys().key(f, {"fix_execution_timeout_ms": 1}) for f in changed}
    assert base not in keys and len(keys) == len(changed)
    assert fix_cache.FindingKeys().key(finding(), {"fix_execution_timeout_ms": 2}) != base
    assert fix_cache.FindingKeys().key(finding(), {"fix_execution_timeout_ms": object()}) is None


def test_a_monorepo_keeps_each_apps_fixes_with_its_cache(tmp_path, monkeypatch):
    """Two apps with their own configurations, checked from the parent: each app's fixes
    go to its own cache, under the paths the report uses."""
    app = (
        RULE_FIXTURES / "FG104-no-execution-timeout" / "fire" / "endpoint" / "app.py"
    ).read_text()
    repo = tmp_path / "mono"
    for name, timeout in (("one", 120000), ("two", 300000)):
        (repo / name).mkdir(parents=True)
        (repo / name / "app.py").write_text(app)
        (repo / name / ".flash-guard.yaml").write_text(
            f"rules:\n  FG104:\n    params:\n      fix_execution_timeout_ms: {timeout}\n"
        )
    cache_dir = tmp_path / "cache"
    outputs = []
    for fmt in ("json", "sarif"):
        uncached = _run(_check(fmt, "--no-cache"), repo, monkeypatch)
        cold = _run(_check(fmt, "--cache-dir", cache_dir), repo, monkeypatch)
        parses = _Parses(monkeypatch)
        warm = _run(_check(fmt, "--cache-dir", cache_dir), repo, monkeypatch)
        monkeypatch.undo()
        assert cold == uncached and warm == uncached and parses.paths == []
        outputs.append(uncached[1])
    assert any(f.get("fixes") for f in json.loads(outputs[0])["findings"])
    documents = sorted(cache_dir.glob(f"*/{fix_cache.FIXES_FILE}"))
    assert len(documents) == 2
    paths = set()
    for document in documents:
        mac, body = document.read_text().split("\n", 1)
        paths |= set(json.loads(body)["entries"])
    assert paths == {"one/app.py", "two/app.py"}
