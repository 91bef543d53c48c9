"""Run records: a `check` whose every input is as an identical earlier run left it prints
that run's output again, without analysing anything.

ruff keeps each file's diagnostics and renders them again. A flash-guard finding depends on
other files too (a settings module, a routes module, the app's lock file, the
configuration), so the unit kept here is the whole run: its output, its exit code, and what
it read. The facts cache (discover/cache.py) still serves the runs that are not replayed.

**Key** (`Invocation`): the command line exactly as given, the working directory, the
environment variables flash-guard or the git it starts read (`_ENV_NAMES`,
`_ENV_PREFIXES`), whether stdout and stderr are terminals (colour), today's date (a
suppression may expire) and flash-guard's installation (build_id.installation_signature).
Only `check` with options that write nothing qualifies (`_PURE_VALUE_OPTIONS`,
`_PURE_FLAGS`, each spelled in full): never --fix, --diff, --output, --write-baseline,
--diff-base, --show-settings or --no-cache.

**What is watched** (`watch_digest`), recorded after the run and compared before a replay:
- every directory and file below the trees the run covered (each directory given, or for
  files given, their project root), by type, size, mtime, ctime, inode and device. A new,
  deleted, renamed, edited or even touched file changes it. Not walked: the directories no
  listing enters (project/skipped.py), the cache directories, in git the directories git
  ignores whole, and outside git those the run's listing did not enter (`_keep_dir`);
  their ignore rules are watched, and so is anything the run read inside them, and each of
  them the run listed (the runpod 2.0 look for Apps there: project/files.py), as a path;
- each directory between a given directory and its project root (a file added there changes
  its mtime), and in every directory above a checked path the names that would change the
  project's root or configuration (`.flash-guard.yaml`, `pyproject.toml`, `.git`);
- in a git work tree, the repository's index, config and exclude files, and the user's git
  configuration (the listing is git's);
- every other file the run opened (Python's audit hook sees each `open`), such as a
  `--config`, `--baseline` or `extends:` file outside the trees, and every path the
  analysis noted without opening it (`note_input`: a requirements line's local
  directory); not the modules the interpreter imports, flash-guard's own files (in the
  key) or the facts and fix caches (they never change an output, and runs rewrite them).

A record is written only when nothing watched changed in the two seconds before the run
started or during it (a file's mtime has coarse granularity: an edit in the same tick would
otherwise leave the same signature), and only for exit codes 0 and 1. Records are signed
like every cache (signed_cache.py); the output goes to `<key>.out` beside the record as it
is printed (`_Spool`) and is replayed only when its size and SHA-256 are the ones the
signed record names. They are kept in `runs/` of the cache directory given by
`--cache-dir` / `FLASH_GUARD_CACHE_DIR`, else of the user's cache home; the newest
`MAX_RECORDS` (`MAX_RECORDS_BYTES` in all) are kept.

This module is the lean start: it imports nothing of the analysis, so a replayed run costs
the interpreter, one walk and the output.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import stat
import sys
import time

from flash_guard.build_id import PACKAGE_DIR, installation_signature
from flash_guard.digests import blake2b, sha256
from flash_guard.project.skipped import skipped_dir
from flash_guard.signed_cache import (
    CACHE_DIR_NAME,
    ENV_CACHE_DIR,
    KEY_FILE,
    ensure_directory,
    key_at,
    read_regular,
    user_cache_home,
    verified_document,
    write_signed,
)

RECORD_VERSION = 2
RUNS_DIR = "runs"
# The newest records are kept, up to this many and this many bytes in all; an output
# bigger than a tenth of that is not recorded.
MAX_RECORDS = 64
MAX_RECORDS_BYTES = 256 << 20
_STALE_SPOOL_NS = 3600 * 10**9  # a spool this old was left by a run that was killed
# Inputs changed this close to the run's start may share their mtime with the next edit.
RACY_NS = 2_000_000_000
# The environment flash-guard reads (colour, cache place, diff base), and what git and the
# interpreter's text encoding read. tests/test_run_cache.py checks every variable the
# package names is covered.
_ENV_NAMES = frozenset({"HOME", "PATH", "LANG", "NO_COLOR", "FORCE_COLOR"})
_ENV_PREFIXES = ("FLASH_GUARD_", "GIT_", "LC_", "PYTHON", "XDG_", "PRE_COMMIT")
# `check` options that change only what is printed: `--name value` or `--name=value`.
_PURE_VALUE_OPTIONS = frozenset(
    {
        "--config",
        "--profile",
        "--jobs",
        "--color",
        "--cache-dir",
        "--format",
        "--output-format",
        "--select",
        "--extend-select",
        "--ignore",
        "--fail-on",
        "--baseline",
        "--max-annotations",
    }
)
_PURE_FLAGS = frozenset(
    {"-q", "--quiet", "--exit-zero", "--strict", "--no-ignores", "--statistics", "--debug"}
)
# Names whose appearance above a checked path changes its project root or configuration
# (config/loader.CONFIG_NAMES, pyproject.toml, a git work tree); drift-tested.
ROOT_NAMES = (".flash-guard.yaml", ".flash-guard.yml", "pyproject.toml", ".git")
_GIT_REPO_FILES = ("index", "config", os.path.join("info", "exclude"))
_UNWATCHED_PREFIXES = ("/dev/", "/proc/", "/sys/")
_MODULE_SUFFIXES = (".py", ".pyc", ".pyi", ".so", ".pyd")


# -- the key ---------------------------------------------------------------------------------


class Invocation:
    """One `flash-guard ...` command line that qualifies for a record, and where its record
    is kept."""

    def __init__(self, argv: list[str], cwd: str, store: str, key_file: str, key: str):
        self.argv = argv
        self.cwd = cwd
        self.store = store  # the cache directory: records in store/runs/
        self.key_file = key_file
        self.key = key

    @property
    def record_path(self) -> str:
        return os.path.join(self.store, RUNS_DIR, f"{self.key}.json")

    @property
    def output_path(self) -> str:
        return os.path.join(self.store, RUNS_DIR, f"{self.key}.out")

    def replay(self, stdout, stderr) -> int | None:
        """Print the recorded output and return its exit code, or None when there is no
        record or anything it watched changed."""
        record = self._load()
        if record is None:
            return None
        digest, _ = watch_digest(record["trees"], record["paths"], record["probes"], record["skip"])
        if digest != record["digest"]:
            return None
        if not _copy_output(self.output_path, record, stdout):
            return None
        stderr.write(record["stderr"])
        return record["code"]

    def _load(self) -> dict | None:
        raw = read_regular(self.key_file)
        if raw is None or len(raw) != 64:
            return None  # no key yet: no record could have been signed
        try:
            key = bytes.fromhex(raw.decode("ascii"))
        except ValueError:
            return None
        raw = read_regular(self.record_path)
        record = verified_document(raw, key) if raw is not None else None
        if not _well_formed(record) or record["key"] != self.key:
            return None
        return record


_CHUNK = 1 << 20


class ReplayFailed(Exception):
    """The recorded output could not be copied after part of it was written: running the
    check now would print the start twice."""


def _copy_output(path: str, record: dict, stdout) -> bool:
    """Write the recorded output to `stdout` if it is the one the record names (its size
    and hash); False, having written nothing, when it is not. Read twice in chunks, so a
    big report is never held whole."""
    try:
        handle = open(path, "rb", buffering=0)  # noqa: SIM115 - closed below, on every path
    except OSError:
        return False
    with handle:
        try:
            digest, size = sha256(), 0
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
            if size != record["stdout_size"] or digest.hexdigest() != record["stdout_sha256"]:
                return False
            handle.seek(0)
        except OSError:
            return False
        decoder = codecs.getincrementaldecoder("utf-8")("surrogatepass")
        try:
            while chunk := handle.read(_CHUNK):
                stdout.write(decoder.decode(chunk))
            stdout.write(decoder.decode(b"", final=True))
        except (OSError, UnicodeDecodeError) as exc:
            if isinstance(exc, BrokenPipeError):
                raise
            raise ReplayFailed(str(exc)) from None
    return True


def _well_formed(record) -> bool:
    if type(record) is not dict or record.get("version") != RECORD_VERSION:
        return False
    lists = [record.get(name) for name in ("trees", "paths", "probes", "skip")]
    return (
        all(type(v) is list and all(type(s) is str for s in v) for v in lists)
        and type(record.get("digest")) is str
        and type(record.get("stdout_sha256")) is str
        and type(record.get("stdout_size")) is int
        and type(record.get("stderr")) is str
        and type(record.get("code")) is int
        and type(record.get("key")) is str
    )


def invocation(argv: list[str], environ=None, cwd: str | None = None) -> Invocation | None:
    """The record key of this command line, or None when it must run (not a pure `check`,
    a diff-base run, or no cache directory to keep records in)."""
    environ = os.environ if environ is None else environ
    if cwd is None:
        try:
            cwd = os.getcwd()
        except OSError:  # the directory was removed: let the CLI say what it says
            return None
    if not argv or argv[0] != "check" or not _pure(argv[1:]):
        return None
    if environ.get("PRE_COMMIT_FROM_REF"):
        return None  # a diff-base run reads git objects no watch covers
    place = _store(argv, environ, cwd)
    if place is None:
        return None
    store, key_file = place
    env = sorted(
        (name, value)
        for name, value in environ.items()
        if name in _ENV_NAMES or name.startswith(_ENV_PREFIXES)
    )
    material = [
        RECORD_VERSION,
        argv,
        cwd,
        env,
        _isatty(sys.stdout),
        _isatty(sys.stderr),
        time.strftime("%Y-%m-%d"),
        installation_signature(),
    ]
    text = json.dumps(material, ensure_ascii=True)
    key = sha256(text.encode("ascii")).hexdigest()[:32]
    return Invocation(argv, cwd, store, key_file, key)


def _pure(args: list[str]) -> bool:
    expect_value = False
    for token in args:
        if expect_value:
            expect_value = False
            continue
        if not token.startswith("-") or token == "-":
            continue
        name, eq, _ = token.partition("=")
        if name in _PURE_VALUE_OPTIONS:
            expect_value = not eq
        elif name not in _PURE_FLAGS or eq:
            return False  # --fix, --output, `--`, an abbreviation: run it
    return not expect_value


def _store(argv: list[str], environ, cwd: str) -> tuple[str, str] | None:
    """(the cache directory, its key file), as discover/cache.cache_location places them."""
    chosen = None
    for i, token in enumerate(argv):
        if token == "--cache-dir" and i + 1 < len(argv):
            chosen = argv[i + 1]
        elif token.startswith("--cache-dir="):
            chosen = token.partition("=")[2]
    chosen = chosen or environ.get(ENV_CACHE_DIR) or None
    if chosen is not None:
        base = os.path.abspath(os.path.join(cwd, chosen))
        return base, os.path.join(base, KEY_FILE)
    home = user_cache_home(environ)
    return (home, os.path.join(home, KEY_FILE)) if home is not None else None


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


# -- what is watched ------------------------------------------------------------------------


def watch_digest(
    trees: list[str], paths: list[str], probes: list[str], skip: list[str]
) -> tuple[str, int]:
    """(digest of the trees, paths and probes as they are now, the newest mtime or ctime
    seen). A probe counts only as there (of a type) or not: `.git` above a project changes
    whenever git runs, and what was read through it is watched as a path."""
    digest = _new_digest()
    newest = _digest_trees(digest, trees, set(skip), None, [])
    newest = max(newest, _digest_paths(digest, paths, probes))
    return digest.hexdigest(), newest


def _new_digest():
    return blake2b(digest_size=20)


def _digest_trees(digest, trees: list[str], skip: set[str], keep_dir, pruned: list) -> int:
    """Every entry below `trees` into `digest`, but not below the directories in `skip`
    (nor those themselves). `keep_dir(path)`, when given (recording), says whether to
    enter a directory; one it refuses is added to `pruned` and left out like `skip`."""
    newest = 0
    for tree in trees:
        newest = max(newest, _digest_path(digest, tree))
        stack = [tree]
        while stack:
            folder = stack.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=lambda e: e.name)
            except OSError as exc:
                digest.update(f"!{folder}:{exc.errno}\n".encode("utf-8", "surrogateescape"))
                continue
            subdirs = []
            for entry in entries:
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    digest.update(f"?{entry.path}\n".encode("utf-8", "surrogateescape"))
                    continue
                if stat.S_ISDIR(info.st_mode):
                    if skipped_dir(entry.name) or entry.path in skip:
                        continue
                    if keep_dir is not None and not keep_dir(entry.path):
                        pruned.append(entry.path)
                        continue
                    subdirs.append(entry.path)
                newest = max(newest, _digest_stat(digest, entry.path, info))
                if stat.S_ISLNK(info.st_mode):  # what a read through it would see
                    newest = max(newest, _digest_target(digest, entry.path))
            stack.extend(reversed(subdirs))
    return newest


def _digest_paths(digest, paths: list[str], probes: list[str]) -> int:
    newest = 0
    for path in paths:
        newest = max(newest, _digest_path(digest, path))
    for path in probes:
        try:
            kind = stat.S_IFMT(os.lstat(path).st_mode)
        except OSError:
            kind = -1
        digest.update(f"{path}\0{kind}\n".encode("utf-8", "surrogateescape"))
    return newest


def _digest_path(digest, path: str) -> int:
    try:
        info = os.lstat(path)
    except OSError:
        digest.update(f"-{path}\n".encode("utf-8", "surrogateescape"))
        return 0
    newest = _digest_stat(digest, path, info)
    if stat.S_ISLNK(info.st_mode):
        newest = max(newest, _digest_target(digest, path))
    return newest


def _digest_target(digest, path: str) -> int:
    try:
        return _digest_stat(digest, "->", os.stat(path))
    except OSError:
        digest.update(b"->-\n")
        return 0


def _digest_stat(digest, path: str, info: os.stat_result) -> int:
    line = (
        f"{path}\0{info.st_mode}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ctime_ns}"
        f"\0{info.st_ino}\0{info.st_dev}\n"
    )
    digest.update(line.encode("utf-8", "surrogateescape"))
    return max(info.st_mtime_ns, info.st_ctime_ns)


# -- recording -------------------------------------------------------------------------------

_RECORDER: Recorder | None = None


class _Tee:
    """A text stream that passes on what is written to it and keeps a copy: in a list
    (stderr: a few lines), or spooled to a file as UTF-8 with its hash (stdout: a report
    can be tens of megabytes, which must not stay in memory beside the analysis)."""

    def __init__(self, stream, spool: _Spool | None = None):
        self._stream = stream
        self._spool = spool
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        if self._spool is None:
            self.parts.append(text)
        else:
            self._spool.add(text)
        return self._stream.write(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._stream, name)


class _Spool:
    """Text written to a temporary file beside the records, hashed as it goes."""

    def __init__(self, folder: str, top: str):
        self.hash = sha256()
        self.size = 0
        self.path: str | None = None
        self._file = None
        try:
            ensure_directory(folder, top)
            import tempfile  # deferred: a replayed run never spools

            fd, self.path = tempfile.mkstemp(prefix=".out.", suffix=".tmp", dir=folder)
            self._file = os.fdopen(fd, "wb")
        except OSError:
            self.close(keep_as=None)

    def add(self, text: str) -> None:
        if self._file is None:
            return
        data = text.encode("utf-8", "surrogatepass")
        self.hash.update(data)
        self.size += len(data)
        try:
            if self.size > MAX_RECORDS_BYTES // 10:
                raise OSError("too big to keep")
            self._file.write(data)
        except OSError:
            self.close(keep_as=None)

    @property
    def complete(self) -> bool:
        return self._file is not None

    def close(self, keep_as: str | None) -> bool:
        """Put the spooled text at `keep_as` (atomically), or drop it; True when kept."""
        kept = False
        try:
            if self._file is not None:
                self._file.close()
                if keep_as is not None:
                    os.replace(self.path, keep_as)
                    kept = True
        except OSError:
            pass
        finally:
            self._file = None
            if not kept and self.path is not None:
                with contextlib.suppress(OSError):
                    os.unlink(self.path)
        return kept


class Recorder:
    """Watches one full run of an `Invocation` and writes its record at the end."""

    def __init__(self, invocation: Invocation):
        self.invocation = invocation
        self.started_ns = time.time_ns()
        self.opened: set[str] = set()
        self.listed: set[str] = set()
        self.checked: tuple[list[str], list[tuple[str, bool]]] | None = None
        folder = os.path.join(invocation.store, RUNS_DIR)
        self.stdout = _Tee(sys.stdout, _Spool(folder, invocation.store))
        self.stderr = _Tee(sys.stderr)

    def audit(self, event: str, args: tuple) -> None:
        if event == "open":
            path = args[0]
            if isinstance(path, (str, bytes)):
                self.opened.add(os.path.abspath(os.fsdecode(path)))
        # os.listdir is the import machinery's (and sdk_version's, of app directories, which
        # lie between a tree and its root: watched already); scandir is the listings'.
        elif event == "os.scandir" and args and args[0] is not None:
            path = args[0]
            if isinstance(path, (str, bytes)):
                self.listed.add(os.path.abspath(os.fsdecode(path)))

    def note_checked(self, given: list[str], roots: list[tuple[str, bool]]) -> None:
        """The run finished its output normally: the absolute paths it was given, and the
        (root, in git) of each project it checked."""
        self.checked = (given, roots)

    def finish(self, code: int) -> bool:
        """Write the record; False when this run is not one to replay."""
        global _RECORDER
        _RECORDER = None
        # Library callers and tests run more than once per process: give the streams back.
        if sys.stdout is self.stdout:
            sys.stdout = self.stdout._stream
        if sys.stderr is self.stderr:
            sys.stderr = self.stderr._stream
        spool = self.stdout._spool
        record = self._record(code) if spool.complete else None
        key = key_at(self.invocation.key_file, self.invocation.store) if record else None
        if key is None:
            record = None
        # The output first: a record names the hash of the output it goes with, so a
        # record and an output of two different runs never pass together.
        if not spool.close(keep_as=self.invocation.output_path if record else None):
            return False
        folder = os.path.join(self.invocation.store, RUNS_DIR)
        name = f"{self.invocation.key}.json"
        if not write_signed(folder, self.invocation.store, name, key, record):
            return False
        _prune(folder)
        return True

    def _record(self, code: int) -> dict | None:
        """The record of this run, or None when it is not one to replay."""
        if code not in (0, 1) or self.checked is None:
            return None
        watched = self._watched()
        if watched is None:
            return None
        trees, paths, probes, in_git = watched
        caches = self._cache_dirs()
        # As watch_digest does, in two steps: the opened files to watch depend on which
        # directories the walk left out.
        digest = _new_digest()
        pruned: list[str] = []
        keep_dir = self._keep_dir(trees, in_git)
        newest = _digest_trees(digest, trees, set(caches), keep_dir, pruned)
        for path in sorted(self.opened | self.listed):
            if not _covered(path, trees, caches, pruned, path in self.listed):
                paths.append(path)
        paths = sorted(set(paths))
        probes = sorted(set(probes) - set(paths))
        newest = max(newest, _digest_paths(digest, paths, probes))
        if newest >= self.started_ns - RACY_NS:
            return None
        spool = self.stdout._spool
        return {
            "version": RECORD_VERSION,
            "key": self.invocation.key,
            "argv": self.invocation.argv,
            "cwd": self.invocation.cwd,
            "trees": trees,
            "paths": paths,
            "probes": probes,
            "skip": sorted([*caches, *pruned]),
            "digest": digest.hexdigest(),
            "stdout_sha256": spool.hash.hexdigest(),
            "stdout_size": spool.size,
            "stderr": "".join(self.stderr.parts),
            "code": code,
        }

    def _watched(self) -> tuple[list[str], list[str], list[str], set[str]] | None:
        """(trees, paths, probes, the trees in git), or None when the run is not one to
        record."""
        given, roots = self.checked
        root_of = sorted((os.path.realpath(r) for r, _ in roots), key=len, reverse=True)
        in_git = {os.path.realpath(r) for r, git in roots if git}
        trees: set[str] = set()
        for path in given:
            real = os.path.realpath(path)
            if os.path.isdir(real):
                trees.add(real)
            else:  # files given: the whole project is analysed, these reported
                owner = _owner(real, root_of)
                if owner is None:
                    return None
                trees.add(owner)
        paths: set[str] = set()
        probes: set[str] = set()
        git_trees: set[str] = set()
        for tree in trees:
            owner = _owner(tree, root_of)
            if owner is None:
                return None  # checked from outside its project: not worth the risk
            here = tree
            while here != owner:  # a file added between them changes a directory's mtime
                here = os.path.dirname(here)
                paths.add(here)
            probes.update(_root_names_above(tree))
            if owner in in_git:
                git_paths = _git_inputs(tree)
                if git_paths is None:
                    return None
                paths.update(git_paths)
                git_trees.add(tree)
        return sorted(trees), sorted(paths), sorted(probes), git_trees

    def _keep_dir(self, trees: list[str], git_trees: set[str]):
        """Which directories below the trees the walk enters: those the listing could list
        files from. Outside git, the ones the run's listing entered (its `os.scandir`
        calls: not those it skipped as hidden, tool or .gitignore'd); in git, all but those
        git ignores whole. A directory left out is not walked; its ignore rules are
        watched (they sit in walked directories, or are git's), so whatever would make the
        listing enter it is seen."""
        scanned = {os.path.realpath(path) for path in self.listed}
        ignored: set[str] = set()
        for tree in git_trees:
            found = _git_ignored_dirs(tree)
            if found is None:
                return None  # git could not say: walk everything
            ignored |= found
        plain = [tree for tree in trees if tree not in git_trees]

        def keep(path: str) -> bool:
            if path in ignored:
                return False
            if any(path.startswith(os.path.join(tree, "")) for tree in plain):
                return path in scanned
            return True

        return keep

    def _cache_dirs(self) -> list[str]:
        places = {os.path.realpath(self.invocation.store)}
        home = user_cache_home()
        if home is not None:
            places.add(os.path.realpath(home))
        return sorted(places)


def _owner(path: str, roots_longest_first: list[str]) -> str | None:
    for root in roots_longest_first:
        if path == root or path.startswith(os.path.join(root, "")):
            return root
    return None


def _root_names_above(tree: str) -> list[str]:
    out = []
    here = tree
    while True:
        out.extend(os.path.join(here, name) for name in ROOT_NAMES)
        parent = os.path.dirname(here)
        if parent == here:
            return out
        here = parent


def _git_inputs(tree: str) -> list[str] | None:
    """What `git ls-files --exclude-standard` in `tree` reads besides the tree: the
    `.gitignore` of every directory above it up to the work tree's top, the repository's
    index, config and excludes, the user's and the system's git configuration, and the
    excludes file that configuration names. None for a linked worktree or submodule
    (`.git` is a file): not watched, not recorded."""
    paths = []
    here = tree
    while not os.path.lexists(os.path.join(here, ".git")):
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent
        paths.append(os.path.join(here, ".gitignore"))
    repo = os.path.join(here, ".git")
    if not os.path.isdir(repo) or os.path.islink(repo):
        return None
    paths += [os.path.join(repo, name) for name in _GIT_REPO_FILES]
    home = os.path.expanduser("~")
    config_home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    paths += [
        os.path.join(home, ".gitconfig"),
        os.path.join(config_home, "git", "config"),
        os.path.join(config_home, "git", "ignore"),
        "/etc/gitconfig",
    ]
    excludes = _configured_excludes_file(tree)
    if excludes:
        paths.append(excludes)
    return paths


def _git_ignored_dirs(tree: str) -> set[str] | None:
    """The directories below `tree` that git ignores whole (no tracked file inside)."""
    from pathlib import Path

    from flash_guard.project.files import run_git  # the full run has it loaded already

    args = ["ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"]
    out = run_git([*args, "--", "."], Path(tree), 60)
    if out is None or out.returncode != 0:
        return None
    names = out.stdout.decode("utf-8", "surrogateescape").split("\0")
    return {os.path.join(tree, name.rstrip("/")) for name in names if name.endswith("/")}


def _configured_excludes_file(root: str) -> str | None:
    """The file `core.excludesFile` names, as git resolves it (includes, `~`)."""
    from pathlib import Path

    from flash_guard.project.files import run_git  # the full run has it loaded already

    out = run_git(["config", "--path", "--get", "core.excludesFile"], Path(root), 30)
    if out is None or out.returncode != 0:
        return None
    value = out.stdout.decode("utf-8", "surrogateescape").strip()
    return os.path.join(root, value) if value else None


def _covered(
    path: str, trees: list[str], caches: list[str], pruned: list[str], listed: bool = False
) -> bool:
    """Whether a file the run opened is watched already, or is not an input at all: a
    module the interpreter imported (the analysis never opens Python files outside the
    checked trees), flash-guard's own files, the caches, devices. Anything else, such as
    a data file of an installed package, is watched: a needless miss at worst. A directory
    the run `listed` (the runpod 2.0 look into dot-directories and ignored ones) is watched
    already only if the walk enters it, not when it is hidden or pruned itself."""
    if path.startswith(_UNWATCHED_PREFIXES) or path.endswith(_MODULE_SUFFIXES):
        return True
    if os.path.basename(path) == "__pycache__":
        return True
    # The facts and fix caches never change an output (an entry matches only the bytes it
    # was made from), and every run may rewrite them.
    if f"{os.sep}{CACHE_DIR_NAME}{os.sep}" in path:
        return True
    for place in (*caches, PACKAGE_DIR):
        if path == place or path.startswith(os.path.join(place, "")):
            return True
    for place in pruned:  # not walked: what was read there is watched on its own
        if path.startswith(os.path.join(place, "")) or (listed and path == place):
            return False
    for tree in trees:
        if path.startswith(os.path.join(tree, "")):
            below = path[len(tree) + 1 :].split(os.sep)
            return not any(skipped_dir(part) for part in (below if listed else below[:-1]))
    return False


def _prune(folder: str) -> None:
    """Keep the newest records (a record's `.json` and `.out` count together); drop spools
    a killed run left behind."""
    now = time.time_ns()
    records: dict[str, list[int]] = {}  # key -> [newest mtime, bytes]
    paths: dict[str, list[str]] = {}
    try:
        with os.scandir(folder) as listing:
            for entry in listing:
                if not entry.is_file(follow_symlinks=False):
                    continue
                info = entry.stat(follow_symlinks=False)
                if entry.name.endswith(".tmp"):
                    if now - info.st_mtime_ns > _STALE_SPOOL_NS:
                        os.unlink(entry.path)
                    continue
                stem, dot, suffix = entry.name.rpartition(".")
                if not dot or suffix not in ("json", "out"):
                    continue
                mtime_size = records.setdefault(stem, [0, 0])
                mtime_size[0] = max(mtime_size[0], info.st_mtime_ns)
                mtime_size[1] += info.st_size
                paths.setdefault(stem, []).append(entry.path)
        total = 0
        newest_first = sorted(records.items(), key=lambda item: item[1][0], reverse=True)
        for count, (stem, (_, size)) in enumerate(newest_first, 1):
            total += size
            if count > MAX_RECORDS or total > MAX_RECORDS_BYTES:
                for path in paths[stem]:
                    os.unlink(path)
    except OSError:
        pass  # a full cache costs disk, never a wrong answer


def _audit(event: str, args: tuple) -> None:
    recorder = _RECORDER
    if recorder is not None:
        recorder.audit(event, args)


_HOOKED = False


def start(invocation: Invocation) -> Recorder:
    """Record the run about to happen: watch what it opens and keep what it prints."""
    global _RECORDER, _HOOKED
    recorder = Recorder(invocation)
    _RECORDER = recorder
    if not _HOOKED:  # an audit hook cannot be removed: one, idle between recordings
        sys.addaudithook(_audit)
        _HOOKED = True
    sys.stdout = recorder.stdout
    sys.stderr = recorder.stderr
    return recorder


def note_input(path: str | os.PathLike) -> None:
    """A path the analysis depends on without opening it (an existence check or a listing,
    such as a requirements line's local directory outside the checked trees): watched like
    a file the run opened (nothing when no run is recorded)."""
    if _RECORDER is not None:
        _RECORDER.opened.add(os.path.abspath(os.fspath(path)))


def note_checked(given: list[str], roots: list[tuple[str, bool]]) -> None:
    """Called by `check` once its output is written (nothing when no run is recorded)."""
    if _RECORDER is not None:
        _RECORDER.note_checked(given, roots)
