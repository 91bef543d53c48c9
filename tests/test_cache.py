"""The facts cache (flash_guard/discover/cache.py): same output cold and warm on every fixture
project, generic serialisation of every facts field, and hostile or broken cache files."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import hmac
import io
import json
import os
import shutil
import typing
from pathlib import Path

import pytest

from flash_guard import entry, run_cache, signed_cache
from flash_guard.cli import main
from flash_guard.discover import cache as cache_module
from flash_guard.discover import codec
from flash_guard.discover.facts import FileFacts, extract

TESTS = Path(__file__).parent
REPO = TESTS.parent
RULE_FIXTURES = TESTS / "fixtures" / "rules"


def _fixture_projects() -> list[Path]:
    out = []
    for rule_dir in sorted(p for p in RULE_FIXTURES.iterdir() if p.is_dir()):
        for kind in ("fire", "pass"):
            base = rule_dir / kind
            if not base.is_dir():
                continue
            subdirs = sorted(p for p in base.iterdir() if p.is_dir() and p.name[0] != ".")
            out += [base] if any(base.glob("*.py")) or not subdirs else subdirs
    corpus = TESTS / "corpus"
    out += sorted(p for p in corpus.iterdir() if p.is_dir())
    out.append(REPO / "examples")
    return out


PROJECTS = _fixture_projects()


def _id(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def _run(args: list[str], cwd: Path, monkeypatch) -> tuple[int, str, str]:
    monkeypatch.chdir(cwd)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


class _Counter:
    def __init__(self, monkeypatch):
        self.gets = self.hits = self.puts = 0
        real_get, real_put = cache_module.FactsCache.get, cache_module.FactsCache.put

        def get(cache, path, text):
            self.gets += 1
            facts = real_get(cache, path, text)
            self.hits += facts is not None
            return facts

        def put(cache, path, text, facts):
            self.puts += facts.read_error is None
            return real_put(cache, path, text, facts)

        monkeypatch.setattr(cache_module.FactsCache, "get", get)
        monkeypatch.setattr(cache_module.FactsCache, "put", put)


@pytest.mark.parametrize("project", PROJECTS, ids=_id)
def test_cold_then_warm_output_is_identical(project, tmp_path, monkeypatch):
    root = tmp_path / "project"
    shutil.copytree(project, root, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("FLASH_GUARD_CACHE_DIR", str(cache_dir))
    args = ["check", "--format", "json", "--fail-on", "never", "."]
    if (root / ".flash-guard.yaml").exists():
        args += ["--config", ".flash-guard.yaml"]
    cold_counter = _Counter(monkeypatch)
    cold = _run(args, root, monkeypatch)
    monkeypatch.undo()
    monkeypatch.setenv("FLASH_GUARD_CACHE_DIR", str(cache_dir))
    warm_counter = _Counter(monkeypatch)
    warm = _run(args, root, monkeypatch)
    assert warm == cold
    # The warm run read every file it parsed from the cache, and parsed nothing anew.
    assert warm_counter.puts == 0
    assert warm_counter.hits == cold_counter.puts
    if json.loads(cold[1])["endpoints"]:
        assert warm_counter.hits > 0
    uncached = _run([*args, "--no-cache"], root, monkeypatch)
    assert uncached == cold
    # Through the console script's start: the run is recorded, then replayed unchanged.
    monkeypatch.setattr(run_cache, "RACY_NS", -(10**12))  # the copy's ctimes are new
    monkeypatch.setattr(run_cache, "_isatty", lambda stream: False)
    monkeypatch.chdir(root)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        recorded = (entry._replayed_or_run(args), out.getvalue(), err.getvalue())
    assert recorded == cold
    invocation = run_cache.invocation(args)
    out, err = io.StringIO(), io.StringIO()
    replayed = (invocation.replay(out, err), out.getvalue(), err.getvalue())
    assert replayed == cold


# -- generic serialisation -------------------------------------------------------------------


def _same(a, b, where: str) -> None:
    """Every field of every record compared, `compare=False` ones too."""
    assert type(a) is type(b), where
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            _same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            _same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, float) and a != a:
        assert b != b, where
    else:
        assert a == b, where


def _python_files() -> list[tuple[str, Path]]:
    files = []
    for project in PROJECTS:
        for file in sorted(project.rglob("*.py")):
            files.append((file.relative_to(project).as_posix(), file))
    return files


def test_the_facts_of_every_fixture_file_round_trip():
    count = 0
    for rel, file in _python_files():
        try:
            text = file.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            continue
        try:
            facts = extract(rel, text)
        except Exception:  # noqa: BLE001 - files the analysis reports as unanalysable
            continue
        data = json.loads(json.dumps(codec.encode(FileFacts, facts)))
        _same(codec.decode(FileFacts, data), facts, f"{file}")
        count += 1
    assert count > 200


def test_every_field_of_every_record_is_in_the_encoding():
    """A field added to FileFacts (or a record under it) is stored: the encoding of a record
    has one slot per field, and every record type reached is one the codec knows."""
    records = codec.dataclass_types(FileFacts)
    names = {cls.__name__ for cls in records}
    assert {"FileFacts", "Expr", "Span", "BodyFacts", "ImportBinding", "Assignment"} <= names
    facts = extract(
        "m.py", "from runpod_flash import Endpoint\n@Endpoint(name='x')\ndef f(): pass\n"
    )
    seen: set[type] = set()

    def walk(value) -> None:
        if dataclasses.is_dataclass(value):
            seen.add(type(value))
            # One slot per field, or a spliced record's or tuple's slots (codec.width).
            hints = typing.get_type_hints(type(value))
            fields = dataclasses.fields(value)
            encoded = codec.encode(type(value), value)
            assert isinstance(encoded, list), type(value)
            assert len(encoded) == sum(codec.width(hints[f.name]) for f in fields), type(value)
            for f in fields:
                walk(getattr(value, f.name))
        elif isinstance(value, (list, tuple)):
            for x in value:
                walk(x)
        elif isinstance(value, dict):
            for x in value.values():
                walk(x)

    walk(facts)
    assert seen <= set(records)
    assert FileFacts in seen
    span = next(r for r in records if r.__name__ == "Span")
    assignment = next(r for r in records if r.__name__ == "Assignment")
    assert codec.width(span) == 4
    assert codec.width(assignment) > len(dataclasses.fields(assignment))  # a Span spliced


def test_a_value_of_an_unannotated_type_is_not_encoded():
    facts = FileFacts(path="m.py")
    facts.line_count = object()  # type: ignore[assignment]
    with pytest.raises(codec.NotEncodable):
        codec.encode(FileFacts, facts)


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        ["m.py"],
        {"o": "os.system", "v": []},
        ["m.py", None, "", [["x", "os", None, 0, [1, 1, 1, 1], True, [], "extra"]]],
        ["m.py", [1, 1, 1, "1"], "", [], [], [], [], [], [], [], [], 0, None],
    ],
)
def test_malformed_entries_are_rejected(data):
    with pytest.raises(codec.BadEntry):
        codec.decode(FileFacts, data)


# -- the cache on disk -----------------------------------------------------------------------

APP = """from runpod_flash import Endpoint

@Endpoint(name="worker", gpu="AMPERE_16", workers=(0, 3))
def handler(job):
    return job
"""


@pytest.fixture
def app(tmp_path):
    root = tmp_path / "app"
    root.mkdir()
    (root / "worker.py").write_text(APP)
    (root / "uv.lock").write_text("version = 1\n")
    return root


def _check(root: Path, monkeypatch, *extra: str) -> tuple[int, str, str]:
    return _run(["check", "--format", "json", "--fail-on", "never", ".", *extra], root, monkeypatch)


def test_the_default_cache_is_in_the_project_root_and_git_ignored(app, tmp_path, monkeypatch):
    monkeypatch.delenv("FLASH_GUARD_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    first = _check(app, monkeypatch)
    cache_dir = app / ".flash-guard-cache"
    assert (cache_dir / "facts.json").is_file()
    assert (cache_dir / ".gitignore").read_text().splitlines()[-1] == "*"
    # The key that signs it is outside the analysed tree.
    assert not (cache_dir / "key").exists()
    assert (tmp_path / "home-cache" / "flash-guard" / "key").is_file()
    assert _check(app, monkeypatch) == first


def test_the_environment_variable_and_the_option_choose_the_directory(app, tmp_path, monkeypatch):
    env_dir, opt_dir = tmp_path / "env-cache", tmp_path / "opt-cache"
    monkeypatch.setenv("FLASH_GUARD_CACHE_DIR", str(env_dir))
    first = _check(app, monkeypatch)
    assert list(env_dir.glob("*/facts.json"))
    assert (env_dir / ".gitignore").read_text().splitlines()[-1] == "*"
    assert _check(app, monkeypatch, "--cache-dir", str(opt_dir)) == first
    assert list(opt_dir.glob("*/facts.json"))
    assert not (app / ".flash-guard-cache").exists()


def test_cache_files_are_not_synced_but_a_report_is(app, tmp_path, monkeypatch):
    # Every read of a cache file verifies it (a torn one is a miss), so its write skips the
    # fsync that cost a cold run 15-45 ms; a report the user names is still synced.
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    _check(app, monkeypatch, "--cache-dir", str(tmp_path / "cache"))
    assert list((tmp_path / "cache").glob("*/facts.json"))
    assert (tmp_path / "cache" / ".gitignore").is_file()
    assert synced == []
    _check(app, monkeypatch, "--no-cache", "--output", f"json={tmp_path / 'report.json'}")
    assert json.loads((tmp_path / "report.json").read_text())
    assert len(synced) == 1


def test_no_cache_neither_reads_nor_writes(app, tmp_path, monkeypatch):
    monkeypatch.delenv("FLASH_GUARD_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    counter = _Counter(monkeypatch)
    _check(app, monkeypatch, "--no-cache")
    assert counter.gets == 0
    assert not (app / ".flash-guard-cache").exists()


def _facts_file(cache_dir: Path) -> Path:
    (found,) = cache_dir.glob("*/facts.json")
    return found


def _sign(key_file: Path, body: str) -> str:
    key = bytes.fromhex(key_file.read_text())
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest() + "\n" + body


def _lying_entry(cache_dir: Path, text: str) -> dict:
    """A well-formed document whose entry for worker.py, for its exact bytes, says that the
    file declares nothing (only its imports)."""
    facts = extract("worker.py", "from runpod_flash import Endpoint\n")
    return {
        "fingerprint": cache_module.fingerprint(),
        "entries": {
            "worker.py": [
                cache_module.content_hash(text),
                cache_module._pack(json.dumps(codec.encode(FileFacts, facts))),
            ],
        },
    }


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"garbage\n{",
        b"0" * 64 + b"\n{}",
        b"\xff\xfe not json",
        b"[" * 100_000,
    ],
)
def test_a_corrupted_cache_file_is_ignored_and_rewritten(app, tmp_path, monkeypatch, content):
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("FLASH_GUARD_CACHE_DIR", str(cache_dir))
    first = _check(app, monkeypatch)
    target = _facts_file(cache_dir)
    target.write_bytes(content)
    assert _check(app, monkeypatch) == first
    mac, _, body = target.read_bytes().partition(b"\n")
    assert json.loads(body)["entries"]["worker.py"]  # rewritten, signed, whole
    assert len(mac) == 64


def test_a_signed_entry_for_these_bytes_is_used(app, tmp_path, monkeypatch):
    # The control for the tests around it: an entry signed with the run's key, for the file's
    # exact bytes, is believed (the file then declares nothing), so what keeps a lying entry
    # out elsewhere is the hash or the signature, not its layout.
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("FLASH_GUARD_CACHE_DIR", str(cache_dir))
    assert json.loads(_check(app, monkeypatch)[1])["endpoints"]
    doc = _lying_entry(cache_dir, APP)
    _facts_file(cache_dir).write_text(_sign(cache_dir / "key", json.dumps(doc)))
    assert json.loads(_check(app, monkeypatch)[1])["endpoints"] == []


def test_a_signed_entry_for_other_bytes_is_not_used(app, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("FLASH_GUARD_CACHE_DIR", str(cache_dir))
    first = _check(app, monkeypatch)
    doc = _lying_entry(cache_dir, APP + "# another version\n")
    _facts_file(cache_dir).write_text(_sign(cache_dir / "key", json.dumps(doc)))
    assert _check(app, monkeypatch) == first


@pytest.mark.parametrize(
    "entry",
    [
        ["hash", {"o": "os.system", "v": ["echo pwned"]}],
        ["hash", ["worker.py", {"__reduce__": "os.system"}]],
        ["hash", "cos\nsystem\n(S'echo pwned'\ntR."],
        ["hash", json.dumps(["worker.py", {"__reduce__": "os.system"}])],
        ["hash", json.dumps({"o": "os.system", "v": ["echo pwned"]})],
        ["hash", cache_module._pack(json.dumps(["worker.py", {"__reduce__": "os.system"}]))],
        ["hash", cache_module._pack(json.dumps({"o": "os.system", "v": ["echo pwned"]}))],
        ["hash", cache_module._pack("[" * 100_000)],
        ["hash", cache_module._pack("[]")[:-4]],  # a truncated stream
        ["hash", "not base64 at all!"],
        ["hash", "[" * 100_000],
        "not a list",
    ],
)
def test_a_signed_but_malformed_entry_is_ignored(app, tmp_path, monkeypatch, entry):
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("FLASH_GUARD_CACHE_DIR", str(cache_dir))
    first = _check(app, monkeypatch)
    if isinstance(entry, list):
        entry = [cache_module.content_hash(APP), entry[1]]
    doc = {"fingerprint": cache_module.fingerprint(), "entries": {"worker.py": entry}}
    _facts_file(cache_dir).write_text(_sign(cache_dir / "key", json.dumps(doc)))
    assert _check(app, monkeypatch) == first


def test_an_entry_that_inflates_past_the_limit_is_ignored(app, tmp_path, monkeypatch):
    # The same believable entry as the control above, but bigger than the limit once inflated:
    # ignored, so the file is parsed and its endpoint found.
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("FLASH_GUARD_CACHE_DIR", str(cache_dir))
    first = _check(app, monkeypatch)
    doc = _lying_entry(cache_dir, APP)
    _facts_file(cache_dir).write_text(_sign(cache_dir / "key", json.dumps(doc)))
    monkeypatch.setattr(cache_module, "MAX_ENTRY_JSON", 16)
    assert _check(app, monkeypatch) == first


def test_an_entry_planted_in_the_tree_is_not_trusted(app, tmp_path, monkeypatch):
    """A pull request can commit `.flash-guard-cache/` with an entry matching its own file's
    bytes; without the key from the user's cache home its signature fails, and the file is
    parsed."""
    monkeypatch.delenv("FLASH_GUARD_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    expected = _check(app, monkeypatch, "--no-cache")
    assert json.loads(expected[1])["endpoints"]
    planted = app / ".flash-guard-cache"
    planted.mkdir()
    (planted / "key").write_text("00" * 32)
    body = json.dumps(_lying_entry(planted, APP))
    (planted / "facts.json").write_text(_sign(planted / "key", body))
    assert _check(app, monkeypatch) == expected


def test_a_symlinked_cache_directory_is_not_written_through(app, tmp_path, monkeypatch):
    monkeypatch.delenv("FLASH_GUARD_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home-cache"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    os.symlink(elsewhere, app / ".flash-guard-cache")
    expected = _check(app, monkeypatch, "--no-cache")
    assert _check(app, monkeypatch) == expected
    assert list(elsewhere.iterdir()) == []


def test_concurrent_writers_leave_a_whole_file(app, tmp_path, monkeypatch):
    """Two runs saving at once: each write is atomic, so the survivor is one whole, signed
    document that a third run reads."""
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("FLASH_GUARD_CACHE_DIR", str(cache_dir))
    first = _check(app, monkeypatch)
    a = cache_module.open_cache(app, cache_dir)
    b = cache_module.open_cache(app, cache_dir)
    facts = extract("other.py", "X = 1\n")
    a.put("other.py", "X = 1\n", facts)
    b.put("other.py", "X = 1\n", facts)
    a.save()
    b.save()
    assert _check(app, monkeypatch) == first
    assert not [p for p in _facts_file(cache_dir).parent.iterdir() if p.name.endswith(".tmp")]


def test_entries_of_deleted_files_are_dropped(app, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("FLASH_GUARD_CACHE_DIR", str(cache_dir))
    (app / "other.py").write_text(APP.replace('"worker"', '"other"'))
    _check(app, monkeypatch)
    assert (
        "other.py" in json.loads(_facts_file(cache_dir).read_bytes().partition(b"\n")[2])["entries"]
    )
    (app / "other.py").unlink()
    (app / "worker.py").write_text(APP + "# changed\n")
    _check(app, monkeypatch)
    entries = json.loads(_facts_file(cache_dir).read_bytes().partition(b"\n")[2])["entries"]
    assert set(entries) == {"worker.py"}


def test_a_save_after_the_entries_were_released_keeps_the_earlier_ones(app, tmp_path):
    """After the analysis's save, the entries the run holds the facts of are dropped from
    memory; a module parsed on demand later is added to the file, not written alone."""
    cache_dir = tmp_path / "cache"
    cache = cache_module.open_cache(app, cache_dir)
    for path, text in (("a.py", "A = 1\n"), ("b.py", "B = 2\n")):
        cache.put(path, text, extract(path, text))
    cache.save()
    assert cache.entries == {}  # both were recorded by this run: released
    cache.put("c.py", "C = 3\n", extract("c.py", "C = 3\n"))
    cache.save()
    entries = json.loads(_facts_file(cache_dir).read_bytes().partition(b"\n")[2])["entries"]
    assert set(entries) == {"a.py", "b.py", "c.py"}
    again = cache_module.open_cache(app, cache_dir)
    assert again.get("a.py", "A = 1\n") is not None
    assert again.get("c.py", "C = 3\n") is not None
    assert again.get("b.py", "B = 3\n") is None  # other bytes


def test_a_later_save_adds_to_the_file_without_decoding_it(app, tmp_path, monkeypatch):
    """The save after evaluation copies the written document's text in chunks and adds the new
    entries before its closing braces: decoding a big project's entries there (or holding
    its text) raised the run's peak memory. The file is the one decoding, updating and
    re-encoding would write."""
    cache_dir = tmp_path / "cache"
    cache = cache_module.open_cache(app, cache_dir)
    for path, text in (("a.py", "A = 1\n"), ("b.py", "B = 2\n")):
        cache.put(path, text, extract(path, text))
    cache.save()
    before = json.loads(_facts_file(cache_dir).read_bytes().partition(b"\n")[2])
    cache.put("c.py", "C = 3\n", extract("c.py", "C = 3\n"))
    added = dict(cache.entries)
    decoded = []
    monkeypatch.setattr(
        cache_module,
        "signed_entries",
        lambda *args: decoded.append(args) or ({}, True),
    )
    monkeypatch.setattr(signed_cache, "read_regular", lambda *args: decoded.append(args))
    cache.save()
    assert decoded == [] and cache.entries == {} and not cache.dirty
    body = _facts_file(cache_dir).read_bytes().partition(b"\n")[2]
    before["entries"].update(added)
    assert body == json.dumps(before, separators=(",", ":")).encode()
    monkeypatch.undo()
    again = cache_module.open_cache(app, cache_dir)
    assert again.get("c.py", "C = 3\n") is not None and again.get("a.py", "A = 1\n") is not None


def test_a_later_save_of_a_path_the_file_holds_otherwise_replaces_it(app, tmp_path):
    cache_dir = tmp_path / "cache"
    cache = cache_module.open_cache(app, cache_dir)
    cache.put("a.py", "A = 1\n", extract("a.py", "A = 1\n"))
    cache.save()
    cache.put("a.py", "A = 2\n", extract("a.py", "A = 2\n"))
    cache.save()
    body = _facts_file(cache_dir).read_bytes().partition(b"\n")[2]
    assert body.count(b'"a.py"') == 1
    again = cache_module.open_cache(app, cache_dir)
    assert again.get("a.py", "A = 2\n") is not None and again.get("a.py", "A = 1\n") is None


def test_a_later_save_over_a_file_not_ours_rewrites_it(app, tmp_path):
    cache_dir = tmp_path / "cache"
    cache = cache_module.open_cache(app, cache_dir)
    cache.put("a.py", "A = 1\n", extract("a.py", "A = 1\n"))
    cache.save()
    text = _facts_file(cache_dir).read_bytes()
    _facts_file(cache_dir).write_bytes(text.replace(b'"a.py"', b'"x.py"'))  # signature broken
    cache.put("b.py", "B = 2\n", extract("b.py", "B = 2\n"))
    cache.save()
    entries = json.loads(_facts_file(cache_dir).read_bytes().partition(b"\n")[2])["entries"]
    assert set(entries) == {"b.py"}
    assert cache_module.open_cache(app, cache_dir).get("b.py", "B = 2\n") is not None


def test_the_facts_are_written_before_discovery(app, tmp_path, monkeypatch):
    """Their encoded form is released before discovery allocates (a big tree's peak), and a
    run over the whole project drops the entries of deleted files there."""
    from flash_guard.discover import analysis

    cache_dir = tmp_path / "cache"
    (app / "gone.py").write_text(APP)
    _check(app, monkeypatch, "--cache-dir", str(cache_dir))
    (app / "gone.py").unlink()
    (app / "worker.py").write_text(APP + "# changed\n")
    seen = []
    real = analysis.discover_endpoints

    def discover(project):
        text = _facts_file(cache_dir).read_bytes().partition(b"\n")[2]
        seen.append(set(json.loads(text)["entries"]))
        return real(project)

    monkeypatch.setattr(analysis, "discover_endpoints", discover)
    _check(app, monkeypatch, "--cache-dir", str(cache_dir))
    assert seen == [{"worker.py"}]


def test_entries_this_run_did_not_read_stay_for_a_later_lookup(app, tmp_path):
    cache_dir = tmp_path / "cache"
    first = cache_module.open_cache(app, cache_dir)
    for path, text in (("a.py", "A = 1\n"), ("b.py", "B = 2\n")):
        first.put(path, text, extract(path, text))
    first.save()
    second = cache_module.open_cache(app, cache_dir)
    assert second.get("a.py", "A = 1\n") is not None
    second.save()  # nothing changed: no rewrite, but the looked-up entry is released
    assert set(second.entries) == {"b.py"}
    assert second.get("b.py", "B = 2\n") is not None  # parsed on demand after the save
