"""Run records (flash_guard/run_cache.py): an unchanged run is replayed byte for byte, and
any change to anything the run read (a module, a requirement, a lock file, a configuration
above the project, a --config or --baseline outside it, git's excludes) makes the next run
analyse again and print what a run without any cache prints."""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flash_guard import entry, run_cache
from flash_guard.cli import build_parser
from flash_guard.config.loader import CONFIG_NAMES
from flash_guard.signed_cache import verified_document

TESTS = Path(__file__).parent
PACKAGE = TESTS.parent / "flash_guard"
CONSOLE = [sys.executable, "-c", "from flash_guard.entry import console_main; console_main()"]
# A record is written only when nothing it watches changed within RACY_NS of the run's
# start; files made by a test are that new, so a fixture waits this long once.
SETTLE_S = run_cache.RACY_NS / 1e9 + 0.2

WORKER = """\
from runpod_flash import Endpoint, GpuType

from app.settings import IDLE, WORKERS


@Endpoint(name="embed", gpu=GpuType.NVIDIA_L4, workers=WORKERS, idle_timeout=IDLE)
async def embed(texts: list[str]) -> list[list[float]]:
    return [[0.0] for _ in texts]
"""
SETTINGS = "IDLE = 60\nWORKERS = (1, 3)\n"
HIDDEN_PLACES = (".ci", ".ci/sub", "gen", "gen/deep")
RP2_APP = (
    "import runpod\n\napp = runpod.App({app!r})\n\n\n"
    "@app.queue(name={queue!r}, cpu='cpu3c-1-2')\ndef run(x: int = 1):\n    return x\n"
)
API = """\
from runpod_flash import Endpoint

api = Endpoint(name="api", cpu="cpu3c-1-2", workers=(1, 2))


@api.get("/health")
async def health():
    return {"ok": True}
"""


def _write_project(root: Path) -> None:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "settings.py").write_text(SETTINGS)
    (root / "app" / "worker.py").write_text(WORKER)
    (root / "app" / "api.py").write_text(API)
    (root / "requirements.txt").write_text("runpod-flash==1.21.0\n")
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n\n[tool.flash-guard]\n')


def _env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "FLASH_"))}
    env["FLASH_GUARD_CACHE_DIR"] = str(cache)
    return env


def _default_env(outside: Path) -> dict[str, str]:
    """No cache directory chosen: facts in the project, records in the user's cache home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "FLASH_"))}
    env["XDG_CACHE_HOME"] = str(outside / "xdg")
    return env


def _console(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, bytes, bytes]:
    proc = subprocess.run(
        [*CONSOLE, *args], cwd=cwd, env=env, capture_output=True, timeout=120, check=False
    )
    return proc.returncode, proc.stdout, proc.stderr


def _replays(args: list[str], cwd: Path, env: dict[str, str]) -> bool:
    invocation = run_cache.invocation(args, env, str(cwd))
    assert invocation is not None
    return invocation.replay(io.StringIO(), io.StringIO()) is not None


@pytest.fixture(autouse=True)
def _no_flash_variables(monkeypatch):
    # The recorded runs get `_env`'s environment, without FLASH_* variables; a replay checked
    # in this process must see the same (FLASH_GUARD_RP2_PYTHON, set for the oracle tests,
    # is one of the variables the key holds).
    for name in [k for k in os.environ if k.startswith("FLASH_")]:
        monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _no_terminal(monkeypatch):
    # The key holds whether stdout is a terminal: the subprocesses' is a pipe, and so must
    # this process's be, even under `pytest -s`.
    monkeypatch.setattr(run_cache, "_isatty", lambda stream: False)


# -- a change to any input is seen ---------------------------------------------------------


def _same_size_edit(root: Path, outside: Path) -> None:
    # Same length, and the old mtime put back: only ctime and the bytes differ.
    path = root / "app" / "settings.py"
    info = path.stat()
    path.write_text(SETTINGS.replace("IDLE = 60", "IDLE = 5 "))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def _new_module(root: Path, outside: Path) -> None:
    (root / "app" / "extra.py").write_text(
        "from runpod_flash import Endpoint, GpuGroup\n\n"
        '@Endpoint(name="extra", gpu=GpuGroup.ANY)\nasync def extra(x): return x\n'
    )


def _deleted_module(root: Path, outside: Path) -> None:
    (root / "app" / "api.py").unlink()


def _requirement_changed(root: Path, outside: Path) -> None:
    (root / "requirements.txt").write_text("runpod-flash==1.0.0\n")


def _lock_file_added(root: Path, outside: Path) -> None:
    (root / "requirements.lock").write_text("runpod-flash==1.0.0\n")


def _config_above_the_project(root: Path, outside: Path) -> None:
    # The project has no configuration of its own (see `settled`): the nearest one is now
    # above it, and it moves the project's root there. Nothing in the tree changed.
    (outside / ".flash-guard.yaml").write_text("profile: development\n")


def _renamed_module(root: Path, outside: Path) -> None:
    (root / "app" / "api.py").rename(root / "app" / "service.py")


def _suppression_added(root: Path, outside: Path) -> None:
    path = root / "app" / "worker.py"
    path.write_text(
        path.read_text().replace(
            '@Endpoint(name="embed"',
            '# flash-guard: ignore[FG105] reason: batch jobs\n@Endpoint(name="embed"',
        )
    )


def _touched_only(root: Path, outside: Path) -> None:
    os.utime(root / "app" / "settings.py")


CHANGES = [
    _same_size_edit,
    _new_module,
    _deleted_module,
    _renamed_module,
    _requirement_changed,
    _lock_file_added,
    _config_above_the_project,
    _suppression_added,
    _touched_only,
]


@pytest.fixture(scope="module")
def settled(tmp_path_factory):
    """One fresh project per scenario, made once and left to age past the racy window."""
    base = tmp_path_factory.mktemp("runs")
    made = {}
    for change in CHANGES:
        outside = base / change.__name__
        _write_project(outside / "project")
        made[change.__name__] = outside
    names = ("outside-config", "outside-baseline", "between", "git", "git2", "git3", "racy-free")
    names += ("default-cache", "git-ignored", "git-ignored-config")
    for name in names:
        outside = base / name
        _write_project(outside / "project")
        made[name] = outside
    (made["_config_above_the_project"] / "project" / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n'
    )
    between = made["between"] / "project"
    (between / "apps" / "one").mkdir(parents=True)
    shutil.move(str(between / "app"), str(between / "apps" / "one" / "app"))
    (made["outside-config"] / "shared.yaml").write_text("profile: production\n")
    empty = {"version": 1, "tool": "flash-guard", "entries": []}
    (made["outside-baseline"] / "baseline.json").write_text(json.dumps(empty))
    git_project = made["git"] / "project"
    subprocess.run(["git", "init", "-q", str(git_project)], check=True, timeout=60)
    git3 = made["git3"] / "project"
    subprocess.run(["git", "init", "-q", str(git3)], check=True, timeout=60)
    (git3 / ".gitignore").write_text("*.log\n")
    for name in ("git-ignored", "git-ignored-config"):
        project = made[name] / "project"
        subprocess.run(["git", "init", "-q", str(project)], check=True, timeout=60)
        (project / ".gitignore").write_text("data/\n")
        (project / "data").mkdir()
        (project / "data" / "blob.txt").write_text("weights\n")
        (project / "data" / "shared.yaml").write_text("profile: production\n")
    # runpod 2.0 projects: the Apps rc2 deploys from dot-directories and ignored directories
    # are read (project/files.py, list_hidden_runpod2), so those directories are inputs.
    for name in [f"rp2-{w}-{git}" for w in HIDDEN_PLACES for git in ("plain", "git")]:
        project = base / name / "project"
        for rel in (".ci/sub", "gen/deep"):
            (project / rel).mkdir(parents=True)
            (project / rel / "notes.py").write_text("X = 1\n")
        (project / "main.py").write_text(RP2_APP.format(app="main", queue="main-q"))
        (project / ".gitignore").write_text("gen/\n")
        if name.endswith("-git"):
            subprocess.run(["git", "init", "-q", str(project)], check=True, timeout=60)
        made[name] = base / name
    # The facts cache in the project (.flash-guard-cache/) made by an earlier run.
    default = made["default-cache"]
    assert _console(["check", "."], default / "project", _default_env(default))[0] == 1
    excludes = made["git2"] / "ignored-by-me"
    excludes.write_text("")
    git2 = ["git", "-C", str(made["git2"] / "project")]
    subprocess.run([*git2, "init", "-q"], check=True, timeout=60)
    subprocess.run([*git2, "config", "core.excludesFile", str(excludes)], check=True, timeout=60)
    time.sleep(SETTLE_S)
    return made


def _check_replays_then_sees(change, outside: Path, args: list[str], cwd: Path) -> None:
    env = _env(outside / "cache")
    first = _console(args, cwd, env)
    assert first[0] in (0, 1), first[2]
    assert _replays(args, cwd, env), "the first run of a settled project is recorded"
    assert _console(args, cwd, env) == first, "the replay is the run, byte for byte"
    change()
    assert not _replays(args, cwd, env)
    after = _console(args, cwd, env)
    reference = _console([*args, "--no-cache"], cwd, env)
    assert after == reference


@pytest.mark.parametrize("change", CHANGES, ids=lambda c: c.__name__.strip("_"))
def test_a_change_to_an_input_is_never_replayed(change, settled):
    outside = settled[change.__name__]
    root = outside / "project"
    args = ["check", "--format", "json", "."]
    _check_replays_then_sees(lambda: change(root, outside), outside, args, root)


# (settled project, what is checked, the file changed: relative to the project's parent
# directory, and its new text)
OUTSIDE_CHANGES = {
    "a --config outside the tree": (
        "outside-config",
        ["--config", "../shared.yaml", "."],
        ("shared.yaml", "profile: development\n"),
    ),
    # An app marker added in apps/: the endpoints below change app.
    "a directory between the checked one and the root": (
        "between",
        ["--format", "json", "apps/one"],
        ("project/apps/requirements.txt", "runpod-flash==1.0.0\n"),
    ),
    "git's excludes": (
        "git",
        ["--format", "json", "."],
        ("project/.git/info/exclude", "app/api.py\n"),
    ),
    "the excludes file git is configured with": (
        "git2",
        ["--format", "json", "."],
        ("ignored-by-me", "app/api.py\n"),
    ),
    "a .gitignore above the checked directory": (
        "git3",
        ["--format", "json", "app"],
        ("project/.gitignore", "*.log\napp/api.py\n"),
    ),
}


@pytest.mark.parametrize("case", OUTSIDE_CHANGES)
def test_an_input_outside_the_checked_tree_is_watched(case, settled):
    name, checked, (changed, text) = OUTSIDE_CHANGES[case]
    outside = settled[name]
    change = (outside / changed).write_text
    args = ["check", *checked]
    _check_replays_then_sees(lambda: change(text), outside, args, outside / "project")


def test_a_baseline_outside_the_tree_is_watched(settled):
    outside = settled["outside-baseline"]
    root = outside / "project"
    env = _env(outside / "cache")
    everything = json.loads(_console(["check", "--format", "json", "."], root, env)[1])
    assert everything["findings"]
    write = ["check", "--write-baseline", "../baseline.json", "--no-cache", "."]
    args = ["check", "--baseline", "../baseline.json", "."]

    def change():
        assert _console(write, root, env)[0] == 0

    _check_replays_then_sees(change, outside, args, root)


def test_a_directory_git_ignores_is_not_walked_but_its_ignore_rule_is(settled):
    outside = settled["git-ignored"]
    root = outside / "project"
    env = _env(outside / "cache")
    args = ["check", "--format", "json", "."]
    first = _console(args, root, env)
    assert _replays(args, root, env)
    # New files in an ignored directory (checkpoints, datasets) change no finding.
    (root / "data" / "more.bin").write_text("x" * 100)
    (root / "data" / "ignored_worker.py").write_text(
        "from runpod_flash import Endpoint\n\n"
        '@Endpoint(name="hidden")\nasync def hidden(x): return x\n'
    )
    assert _replays(args, root, env)
    assert _console(args, root, env) == first == _console([*args, "--no-cache"], root, env)
    # Un-ignored: the module there is listed now.
    (root / ".gitignore").write_text("")
    assert not _replays(args, root, env)
    after = _console(args, root, env)
    assert after == _console([*args, "--no-cache"], root, env)
    assert b"hidden" in after[1]


@pytest.mark.parametrize("git", ["plain", "git"])
@pytest.mark.parametrize("where", HIDDEN_PLACES)
def test_a_runpod2_app_added_to_a_hidden_or_ignored_directory_is_seen(settled, where, git):
    outside = settled[f"rp2-{where}-{git}"]
    root = outside / "project"
    target = root / where / f"added_{where.replace('/', '_').strip('.')}.py"
    app = RP2_APP.format(app=f"app-{target.stem}", queue=f"q-{target.stem}")
    args = ["check", "--format", "json", "."]
    _check_replays_then_sees(lambda: target.write_text(app), outside, args, root)


def test_a_file_read_from_an_ignored_directory_is_watched(settled):
    outside = settled["git-ignored-config"]
    root = outside / "project"
    change = (root / "data" / "shared.yaml").write_text
    args = ["check", "--config", "data/shared.yaml", "."]
    _check_replays_then_sees(lambda: change("profile: development\n"), outside, args, root)


def test_with_the_default_caches_a_run_is_recorded_and_replayed(settled):
    # The in-project facts cache is rewritten by runs; it never changes an output, so it is
    # not watched (were it, no run would ever be replayed).
    outside = settled["default-cache"]
    root = outside / "project"
    env = _default_env(outside)
    args = ["check", "--format", "json", "."]
    facts = root / ".flash-guard-cache" / "facts.json"
    facts.write_text("damaged: the run below writes it again")
    first = _console(args, root, env)
    assert facts.read_text().startswith(tuple("0123456789abcdef"))  # rewritten, signed
    assert _replays(args, root, env)
    assert (outside / "xdg" / "flash-guard" / run_cache.RUNS_DIR).is_dir()
    assert _console(args, root, env) == first
    _same_size_edit(root, outside)
    assert not _replays(args, root, env)
    assert _console(args, root, env) == _console([*args, "--no-cache"], root, env)


def test_files_given_pre_commit_style_watch_the_whole_project(settled):
    outside = settled["racy-free"]
    root = outside / "project"
    args = ["check", "app/worker.py"]
    # Only the settings module changes, and it was not given: the endpoint's verdict does.
    _check_replays_then_sees(lambda: _same_size_edit(root, outside), outside, args, root)


# -- what is never recorded, never trusted -----------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--fix", "."],
        ["check", "--diff", "."],
        ["check", "--output", "json=out.json", "."],
        ["check", "--write-baseline", "b.json"],
        ["check", "--diff-base", "main"],
        ["check", "--show-settings", "app.py"],
        ["check", "--no-cache"],
        ["check", "--form", "json"],  # an abbreviation argparse would accept
        ["check", "--", "-odd.py"],
        ["check", "--format"],  # a value missing: let argparse say so
        ["endpoints", "."],
        ["migrate", "--to", "runpod2"],
        [],
    ],
)
def test_only_pure_check_runs_have_records(argv, tmp_path):
    assert run_cache.invocation(argv, {"FLASH_GUARD_CACHE_DIR": str(tmp_path)}, "/") is None


def test_a_diff_base_from_pre_commit_is_not_replayed(tmp_path):
    env = {"FLASH_GUARD_CACHE_DIR": str(tmp_path), "PRE_COMMIT_FROM_REF": "abc"}
    assert run_cache.invocation(["check"], env, "/") is None


def test_the_key_covers_the_command_line_directory_and_environment(tmp_path):
    env = {"FLASH_GUARD_CACHE_DIR": str(tmp_path), "HOME": "/home/a"}

    def key(argv=("check", "."), cwd="/src", **extra):
        return run_cache.invocation(list(argv), {**env, **extra}, cwd).key

    base = key()
    assert key() == base
    assert key(argv=("check", "--format", "json", ".")) != base
    assert key(cwd="/other") != base
    assert key(NO_COLOR="1") != base
    assert key(GIT_DIR="/x") != base
    assert key(LC_ALL="C") != base
    assert key(UNRELATED_VARIABLE="1") == base


def test_a_run_that_failed_or_was_just_edited_is_not_recorded(tmp_path):
    root = tmp_path / "project"
    _write_project(root)
    env = _env(tmp_path / "cache")
    # Made a moment ago: an edit in the same mtime tick could not be told apart.
    assert _console(["check", "."], root, env)[0] in (0, 1)
    assert not _replays(["check", "."], root, env)
    assert _console(["check", "missing-dir"], root, env)[0] == 2
    runs = tmp_path / "cache" / run_cache.RUNS_DIR
    assert not runs.exists() or not any(runs.iterdir())


def _recorded(tmp_path) -> tuple[list[str], Path, Path, Path]:
    root = tmp_path / "project"
    _write_project(root)
    old = time.time() - 60
    for path in [root, *root.rglob("*")]:
        os.utime(path, (old, old))
    cache = tmp_path / "cache"
    args = ["check", "."]
    invocation = run_cache.invocation(args, _env(cache), str(root))
    return args, root, cache, Path(invocation.record_path)


def _record_in_process(args: list[str], root: Path, cache: Path, monkeypatch) -> tuple:
    monkeypatch.chdir(root)
    for name, value in _env(cache).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(run_cache, "RACY_NS", -(10**12))  # ctime cannot be set back
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = entry._replayed_or_run(args)
    return code, out.getvalue(), err.getvalue()


def test_a_tampered_or_foreign_record_is_not_replayed(tmp_path, monkeypatch):
    args, root, cache, record = _recorded(tmp_path)
    first = _record_in_process(args, root, cache, monkeypatch)
    assert first[0] == 1
    env = _env(cache)
    assert _replays(args, root, env)
    raw = record.read_bytes()
    mac, _, body = raw.partition(b"\n")
    doc = json.loads(body)
    doc["code"] = 0  # pass the run, keep the old signature
    record.write_bytes(mac + b"\n" + json.dumps(doc).encode())
    assert not _replays(args, root, env)
    record.write_bytes(raw)
    assert _replays(args, root, env)
    # The output beside it edited, its size kept: the record's hash no longer matches.
    output = Path(run_cache.invocation(args, env, str(root)).output_path)
    text = output.read_bytes()
    output.write_bytes(text.replace(b"FG", b"XX"))
    assert not _replays(args, root, env)
    output.write_bytes(text)
    assert _replays(args, root, env)
    # Signed with another key (a record planted from elsewhere).
    (cache / "key").write_text("0" * 64)
    assert not _replays(args, root, env)


def test_a_replay_is_the_recorded_output_and_exit_code(tmp_path, monkeypatch):
    args, root, cache, record = _recorded(tmp_path)
    code, out, err = _record_in_process(args, root, cache, monkeypatch)
    doc = verified_document(record.read_bytes(), bytes.fromhex((cache / "key").read_text()))
    assert (doc["code"], doc["stderr"]) == (code, err)
    invocation = run_cache.invocation(args, _env(cache), str(root))
    assert Path(invocation.output_path).read_bytes() == out.encode()
    replayed_out, replayed_err = io.StringIO(), io.StringIO()
    assert invocation.replay(replayed_out, replayed_err) == code
    assert (replayed_out.getvalue(), replayed_err.getvalue()) == (out, err)
    assert "FG" in out  # the project has findings: a replay of nothing would not pass
    leftovers = [p.name for p in (cache / run_cache.RUNS_DIR).iterdir()]
    assert not [name for name in leftovers if name.endswith(".tmp")], leftovers


def test_a_replay_that_fails_half_way_says_so_rather_than_run_again(tmp_path, monkeypatch):
    args, root, cache, record = _recorded(tmp_path)
    _record_in_process(args, root, cache, monkeypatch)
    invocation = run_cache.invocation(args, _env(cache), str(root))

    class DiskFull(io.StringIO):
        def write(self, text):
            super().write(text)
            raise OSError(28, "No space left on device")

    out = DiskFull()
    with pytest.raises(run_cache.ReplayFailed):
        invocation.replay(out, io.StringIO())
    # An output that is not the record's is refused before anything is written.
    Path(invocation.output_path).write_text("not the output the record names")
    out, err = io.StringIO(), io.StringIO()
    assert invocation.replay(out, err) is None
    assert out.getvalue() == err.getvalue() == ""


def test_an_output_too_big_to_keep_is_not_recorded(tmp_path, monkeypatch):
    args, root, cache, record = _recorded(tmp_path)
    monkeypatch.setattr(run_cache, "MAX_RECORDS_BYTES", 10 * 100)  # outputs up to 100 bytes
    code, out, _ = _record_in_process(args, root, cache, monkeypatch)
    assert len(out) > 100 and code == 1
    assert list((cache / run_cache.RUNS_DIR).iterdir()) == []  # no record, no spool left


def test_records_are_pruned_to_the_newest(tmp_path, monkeypatch):
    args, root, cache, record = _recorded(tmp_path)
    monkeypatch.setattr(run_cache, "MAX_RECORDS", 2)
    for fmt in ("text", "json", "sarif", "github"):
        _record_in_process([*args, "--format", fmt], root, cache, monkeypatch)
    runs_dir = cache / run_cache.RUNS_DIR
    runs = sorted(runs_dir.glob("*.json"), key=lambda p: p.stat().st_mtime)
    assert len(runs) == 2 and len(list(runs_dir.glob("*.out"))) == 2
    github = run_cache.invocation([*args, "--format", "github"], _env(cache), str(root))
    assert runs[-1] == Path(github.record_path)  # the newest stays
    # Bytes count too, a record's output with it: a budget of the newest one's keeps it.
    newest = runs[-1].stat().st_size + Path(github.output_path).stat().st_size
    monkeypatch.setattr(run_cache, "MAX_RECORDS_BYTES", newest + 1)
    stale = runs_dir / ".out.left-by-a-killed-run.tmp"
    stale.write_text("partial")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    run_cache._prune(str(runs_dir))
    assert sorted(runs_dir.iterdir()) == sorted([runs[-1], Path(github.output_path)])


# -- the lists the key depends on follow the package -------------------------------------


def _environment_names_read_by_the_package() -> set[str]:
    names = set()
    for file in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            target = None
            if isinstance(node, ast.Call) and node.args:
                # environ.get, getenv, the CLI's _env_path
                if "env" in ast.unparse(node.func).rpartition(".")[2].lower() or ast.unparse(
                    node.func
                ).endswith("environ.get"):
                    target = node.args[0]
            elif isinstance(node, ast.Assign) and ast.unparse(node.targets[0]).startswith("ENV_"):
                target = node.value  # ENV_CACHE_DIR = "FLASH_GUARD_CACHE_DIR"
            elif isinstance(node, ast.Subscript) and ast.unparse(node.value).endswith("environ"):
                target = node.slice
            if isinstance(target, ast.Constant) and isinstance(target.value, str):
                names.add(target.value)
    return names


def test_every_environment_variable_the_package_reads_is_in_the_key():
    names = _environment_names_read_by_the_package()
    assert {"NO_COLOR", "FLASH_GUARD_CACHE_DIR", "PRE_COMMIT_FROM_REF"} <= names
    for name in names:
        assert name in run_cache._ENV_NAMES or name.startswith(run_cache._ENV_PREFIXES), name


def test_every_check_option_is_classified():
    check = next(
        action.choices["check"]
        for action in build_parser()._actions
        if getattr(action, "choices", None) and "check" in action.choices
    )
    impure = {
        "-h", "--help", "--output", "--diff-base", "--diff-base-required", "--write-baseline",
        "--show-settings", "--fix", "--unsafe-fixes", "--diff", "--fix-only", "--no-cache",
    }  # fmt: skip
    pure = run_cache._PURE_VALUE_OPTIONS | run_cache._PURE_FLAGS
    for action in check._actions:
        for option in action.option_strings:
            assert (option in pure) != (option in impure), option
            if option in run_cache._PURE_VALUE_OPTIONS:
                assert action.nargs is None and action.const is None, option


def test_the_names_that_move_a_project_root_include_every_config_name():
    assert set(CONFIG_NAMES) | {"pyproject.toml", ".git"} == set(run_cache.ROOT_NAMES)


def test_the_lean_start_imports_nothing_of_the_analysis():
    code = (
        "import sys; import flash_guard.run_cache, flash_guard.entry; "
        "print(sorted(m for m in sys.modules if m.startswith('flash_guard')))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    loaded = set(ast.literal_eval(proc.stdout))
    assert loaded == {
        "flash_guard",
        "flash_guard.build_id",
        "flash_guard.digests",
        "flash_guard.entry",
        "flash_guard.project",
        "flash_guard.project.skipped",
        "flash_guard.run_cache",
        "flash_guard.signed_cache",
    }


def test_an_unwritable_cache_never_fails_the_run(tmp_path):
    root = tmp_path / "project"
    _write_project(root)
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    env = _env(blocker)
    code, out, err = _console(["check", "."], root, env)
    assert code in (0, 1) and b"FG" in out
    assert b"Traceback" not in err and b"internal error" not in err
