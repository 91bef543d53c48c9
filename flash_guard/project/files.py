"""The file set: which Python files a run looks at, and the cheap bytes pre-filter.

In a git work tree the tracked and untracked-but-not-ignored files are listed
by git itself; elsewhere the tree is walked with `.gitignore` patterns applied.
Reading bytes is cheap and parsing is not, so only files whose bytes mention a
Flash package are parsed in the first pass.
"""

from __future__ import annotations

import codecs
import functools
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from flash_guard.project.globs import any_match, glob_match
from flash_guard.project.skipped import skipped_dir

FLASH_MARKERS = (b"runpod_flash", b"tetra_rp")
# runpod 2.0 (the Apps API): `import runpod` / `from runpod import ...` / `runpod.apps`.
RUNPOD2_MARKERS = (b"import runpod", b"from runpod", b"runpod.App")
PYTHON_SUFFIXES = (".py", ".pyi")

# Import lines of files that are not parsed in the first pass; the second pass
# uses them to find route modules that only import an endpoint from a sibling.
# Matched only at the start of a line that contains `import` (see _import_hints).
# A parenthesised name list may span lines and hold comments: `from m import (\n a,  # x\n)`.
_IMPORT_LINE = re.compile(
    rb"[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]*"
    rb"(?:\(((?:[\w.,\s]|#[^\n]*)*)|([\w., \t]+))|import[ \t]+([\w., \t]+))"
)
# Never block on a FIFO or device that a symlink or a git listing points at.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


_GROWTH_ALLOWED = 1 << 20


class UsageError(Exception):
    """A problem with what the user asked for (exit 2)."""


@dataclass(slots=True)  # slots: one per listed file, thousands on a big tree
class SourceFile:
    path: str  # relative to the project root, '/'-separated
    location: str | Path  # as listed (a string: a Path per file is costly on large trees)
    text: str | None = None
    candidate: bool = False
    problem: str | None = None  # why it could not be read or decoded
    # The regex groups of each import statement of a file that is not a candidate; read
    # into `import_hints` only if the second pass needs them (nothing parsed: never).
    # (A shared empty tuple when there are none: thousands of files on a big tree.)
    import_lines: list[tuple] | tuple = ()
    _hints: list[tuple[str, list[str]]] | None = field(default=None, repr=False, compare=False)

    @property
    def abspath(self) -> Path:
        return Path(self.location)

    @property
    def import_hints(self) -> list[tuple[str, list[str]]]:
        hints = self._hints
        if hints is None:
            hints = []
            for groups in self.import_lines:
                _add_groups(hints, groups)
            self._hints = hints
        return hints

    def forget_imports(self) -> None:
        """Drop the import lines and hints once the second pass is over."""
        self.import_lines = ()
        self._hints = None


def _is_python(name: str) -> bool:
    return name.endswith(PYTHON_SUFFIXES)


# git reads the analysed tree's own configuration (.git/config and what it includes),
# which a pull request may have planted: these settings are the ones that make git run a
# program, a pager or a transport. Command-line `-c` wins over every configuration file
# (and reaches the git processes git starts, through GIT_CONFIG_PARAMETERS). The GitHub
# Action's git (action/run.py, which fetches a missing base) uses this same list: it keeps
# a copy, as it may run beside another flash-guard release, and tests/test_action.py keeps
# the copy equal to this.
GIT_SAFE_CONFIG = (
    "-c", "core.fsmonitor=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.pager=cat",
    "-c", "core.untrackedCache=false",
    "-c", "core.sshCommand=false",
    "-c", "core.askPass=",
    "-c", "core.alternateRefsCommand=",
    "-c", "credential.helper=",
    "-c", "protocol.allow=never",
    "-c", "protocol.ext.allow=never",
    "-c", "protocol.fd.allow=never",
    "-c", "protocol.git.allow=never",
    "-c", "protocol.ssh.allow=never",
    "-c", "fetch.recurseSubmodules=false",
    "-c", "submodule.recurse=false",
    "-c", "maintenance.auto=false",
    "-c", "gc.auto=0",
    "-c", "diff.external=",
)  # fmt: skip
# The transports git may use at all, whatever any configuration says (protocol.<name>.allow
# in the repository's config cannot widen it; core.gitProxy, which a -c cannot override,
# needs the git transport): none, as flash-guard never fetches. The Action allows https and
# local paths for its fetch.
GIT_ALLOW_PROTOCOL = ""


def _git_env() -> dict[str, str]:
    env = dict(os.environ)
    # Our own environment and the machine's (system, global) git configuration are
    # trusted; only the repository's is not. Never let git prompt, page or take a lock on
    # the analysed repository's index.
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GIT_PAGER="cat",
        PAGER="cat",
        GIT_OPTIONAL_LOCKS="0",
        GIT_NO_REPLACE_OBJECTS="1",
        GIT_ALLOW_PROTOCOL=GIT_ALLOW_PROTOCOL,
    )
    env.pop("GIT_EXTERNAL_DIFF", None)
    return env


def run_git(args: list[str], cwd: Path, timeout: float):
    """The only way flash-guard starts git: executing configuration disabled, no pager,
    no prompt, a timeout. Returns the CompletedProcess, or None if git could not run."""
    import subprocess  # deferred: only the git paths need it

    try:
        return subprocess.run(
            ["git", "--no-pager", *GIT_SAFE_CONFIG, *args],
            cwd=cwd,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            env=_git_env(),
            timeout=timeout,
        )
    except (OSError, subprocess.SubprocessError):
        return None


def git_root(start: Path) -> Path | None:
    """The work tree `start` is in: the nearest directory holding `.git` (a directory, or
    the file of a linked worktree or submodule). Found on the file system rather than with
    `git rev-parse`, so a run starts git once (the listing); a `.git` that git would reject
    only makes the listing fall back to walking the tree."""
    try:
        here = Path(os.path.realpath(start))
    except (OSError, ValueError):
        return None
    if not here.is_dir() or ".git" in here.parts:
        return _git_root_by_git(start)  # inside a git directory: ask git itself
    for directory in (here, *here.parents):
        if os.path.lexists(os.path.join(directory, ".git")):
            return directory
    return None


def _git_root_by_git(start: Path) -> Path | None:
    out = run_git(["rev-parse", "--show-toplevel"], start, 20)
    if out is None or out.returncode != 0:
        return None
    top = out.stdout.decode("utf-8", "surrogateescape").strip()
    return Path(top) if top else None


def _git_listing(directory: Path) -> list[Path] | None:
    out = run_git(
        ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."], directory, 60
    )
    if out is None or out.returncode != 0:
        return None
    names = [n for n in out.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    return [directory / n for n in names if _is_python(n)]


class _GitIgnore:
    """Enough of .gitignore for trees outside git: globs, `dir/`, `/anchored`, `!negation`."""

    def __init__(self):
        self.rules: list[tuple[str, str, bool]] = []  # base dir, pattern, negated

    def load(self, file: str, base: str) -> None:
        try:
            with open(file, encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            return
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            self.rules.append((base, line[1:] if negated else line, negated))

    def ignored(self, rel: str, is_dir: bool) -> bool:
        result = False
        for base, pattern, negated in self.rules:
            if base and not rel.startswith(base + "/"):
                continue
            sub = rel[len(base) + 1 :] if base else rel
            dir_only = pattern.endswith("/")
            pat = pattern.rstrip("/")
            if dir_only and not is_dir:
                continue
            anchored = pat.startswith("/") or "/" in pat
            matched = (
                glob_match(pat.lstrip("/"), sub)
                if anchored
                else glob_match(pat, sub.split("/")[-1])
            )
            if matched:
                result = not negated
        return result


def _walk(
    directory: Path, root: Path, hidden: HiddenPlaces | None = None
) -> list[tuple[str, str, bool]]:
    """(relative path, absolute path, is a symlink) of every Python file below `directory`.

    os.scandir already knows each entry's type, so the walk costs no stat per
    file; paths are plain strings until the caller needs more. `hidden` collects the
    dot-directories and `.gitignore`d directories and `.py` files the walk leaves out.
    """
    ignore = _GitIgnore()
    out: list[tuple[str, str, bool]] = []
    seen_dirs: set[tuple[int, int]] = set()
    start = _relative(directory, root)
    stack = [(os.fspath(directory), "" if start == "." else start)]
    while stack:
        here, rel_here = stack.pop()
        try:
            entries = _scan_once(here, seen_dirs)
        except PermissionError:
            # Said, never skipped in silence: its files may hold declarations.
            notice(f"{rel_here or '.'}/: not analysed: permission denied")
            continue
        except OSError:
            continue
        if entries is None:
            continue
        if any(e.name == ".gitignore" for e in entries):
            ignore.load(os.path.join(here, ".gitignore"), rel_here)
        subdirs = []
        for entry in entries:
            name = entry.name
            rel = f"{rel_here}/{name}" if rel_here else name
            if _is_dir(entry):
                # Symlinked directories are not followed (as os.walk would not).
                if _is_symlink(entry):
                    continue
                if skipped_dir(name) or (ignore.rules and ignore.ignored(rel, True)):
                    if hidden is not None and name not in _hidden_skipped():
                        hidden.dirs.append((rel, entry.path))
                    continue
                subdirs.append((entry.path, rel))
            elif _is_python(name) and _listable(entry):
                if not (ignore.rules and ignore.ignored(rel, False)):
                    out.append((rel, entry.path, _is_symlink(entry)))
                elif hidden is not None and name.endswith(".py"):
                    hidden.files.append((rel, entry.path, _is_symlink(entry)))
        # Depth-first in name order; the caller sorts the result anyway.
        stack.extend(sorted(subdirs, reverse=True))
    return out


def _scan_once(here: str, seen: set[tuple[int, int]]) -> list[os.DirEntry] | None:
    """The entries of the directory `here`, or None when the walk has been there already (a
    bind mount can make a directory its own descendant). OSError is the caller's."""
    info = os.stat(here)
    key = (info.st_dev, info.st_ino)
    if key in seen:
        return None
    seen.add(key)
    with os.scandir(here) as entries:
        return list(entries)


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_symlink(entry: os.DirEntry) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False


def _listable(entry: os.DirEntry) -> bool:
    """Regular files and symlinks (even dangling: reported as unreadable); not FIFOs,
    sockets or devices, which a read would block on or which cannot hold code."""
    try:
        return entry.is_symlink() or entry.is_file(follow_symlinks=False)
    except OSError:
        return False


def _relative(path: Path, root: Path) -> str:
    try:
        rel = os.path.relpath(path, root)
    except ValueError:  # another drive on Windows
        rel = str(path)
    return rel.replace(os.sep, "/")


def _relative_fast(abspath: str, root_prefix: str, root: Path) -> str:
    if abspath.startswith(root_prefix):
        return abspath[len(root_prefix) :].replace(os.sep, "/")
    return _relative(Path(abspath), root)


def list_files(
    paths: list[str],
    root: Path,
    exclude: list[str],
    in_git: bool,
    cwd: Path | None = None,
    hidden: HiddenPlaces | None = None,
) -> list[SourceFile]:
    """Every Python file under `paths`, de-duplicated, excludes applied.

    Hidden, venv and similar directories are skipped only below each given path (a project
    checked as `/srv/.ci/app` is still checked), and excludes only match the part of a path
    below the project root. A file given explicitly that is dropped here, and every symlink
    whose real path leaves the project, is named on stderr. `hidden`, when given, collects
    the places below a given directory that were left out but that runpod 2.0's discovery
    would import from (see `list_hidden_runpod2`).
    """
    found: dict[str, SourceFile] = {}
    cwd = os.getcwd() if cwd is None else os.fspath(cwd)  # what relative `paths` start from
    root_prefix = os.path.join(os.path.normpath(os.path.abspath(root)), "")
    real_root = os.path.realpath(root)
    refused = 0  # given paths none of whose files can be analysed
    for raw in paths:
        target = Path(raw)
        if not target.is_absolute():
            target = Path(cwd) / target
        try:
            os.lstat(target)
        except PermissionError:  # a directory above it denies search: one path, not the run
            notice(f"{raw}: not analysed: permission denied")
            refused += 1
            continue
        except FileNotFoundError:
            raise UsageError(f"{_shown(raw)}: no such file or directory") from None
        except OSError as exc:  # a name too long, a loop of symlinks above it
            raise UsageError(f"{_shown(raw)}: {(exc.strerror or str(exc)).lower()}") from None
        explicit = False
        if target.is_dir():
            listed = _git_listing(target) if in_git else None
            if listed is None:
                walked = _walk(target, root, hidden)
            else:
                walked = _listed(listed, target, root_prefix, root, hidden)
                if hidden is not None:
                    hidden.git_targets.append(target)
        elif target.is_file() or target.is_symlink():
            explicit = True
            absolute = os.path.normpath(os.path.abspath(target))
            walked = [(_relative_fast(absolute, root_prefix, root), os.fspath(target), True)]
        else:
            notice(f"{raw}: not analysed: not a regular file or directory")
            refused += 1
            continue
        for rel, absolute, is_link in walked:
            if not rel.isascii():
                rel = printable(rel)
            if rel in found:
                continue
            if is_link and _leaves(absolute, real_root):
                # e.g. `worker.py -> /proc/self/pagemap` or `-> ~/.ssh/config`: never read.
                linked = not explicit or os.path.islink(absolute)
                where = "a symlink to a file outside" if linked else "outside"
                notice(f"{rel}: not analysed: {where} the project")
                refused += explicit
                continue
            if explicit:
                reason = _explicit_reason(rel, exclude)
                if reason is not None:
                    notice(f"{raw}: not analysed: {reason}")
                    # The configuration (or the always-skipped directories) asked for this
                    # one: leaving it out is no failure.
                    refused += reason != EXCLUDED_REASON and not reason.startswith("it is under ")
                    continue
            elif exclude and not rel.startswith("../") and any_match(exclude, rel):
                continue
            found[rel] = SourceFile(rel, absolute)
    if paths and refused == len(paths):
        # Nothing asked for can be checked: "no endpoints" would be a silent pass.
        raise UsageError("none of the given paths can be analysed")
    return [found[k] for k in sorted(found)]


# ---- runpod 2.0: what discovery imports that the listing leaves out ----------------------
#
# `rp flash deploy` (runpod 2.0) imports every `*.py` below the project but those under its
# own skip list (discovery.py `_SKIP_DIRS`), and never reads `.gitignore`: an App in `.ci/`
# or in an ignored file is deployed. The listing keeps its contract (dot-directories and
# ignored files are not analysed), but for a project that uses runpod 2.0 the files it left
# out there are read, and kept, as first-pass candidates, only when their bytes show a 2.0
# App. Bounded: never below rc2's skip list or the tool directories (`site-packages`, a
# venv's packages under any name), at most HIDDEN_READ_LIMIT files read, none larger than
# HIDDEN_MAX_BYTES, at most HIDDEN_WALK_LIMIT directory entries walked.
HIDDEN_READ_LIMIT = 2000
HIDDEN_MAX_BYTES = 1 << 20
HIDDEN_WALK_LIMIT = 200_000
# The bare name `runpod` (not `runpod_flash`, not `x.runpod`), and the word `App` (not
# `Application`).
_RUNPOD2_NAME = re.compile(rb"(?<![\w.])runpod(?!\w)")
_APP_WORD = re.compile(rb"(?<!\w)App(?!\w)")
# A resource declared on an App another module built (`from app import app` then
# `@app.queue(...)`, or the call form `app.api(...)(Svc)`): rc2's discovery imports the
# ignored file too, so its resource joins the App and deploys (FG306).
_RESOURCE_ON_AN_APP = re.compile(
    rb"(?m)^[ \t]*(?:@|[\w.]+[ \t]*=[ \t]*)[\w.]+\.(?:queue|api)[ \t]*\("
)


@functools.cache
def _hidden_skipped() -> frozenset[str]:
    """Directories never looked into for hidden 2.0 Apps: rc2's skip list and the tool ones
    every listing skips (`site-packages`, `node_modules`, ...)."""
    from flash_guard.project.skipped import ALWAYS_SKIPPED_DIRS
    from flash_guard.sdk.runpod2_tables import DISCOVERY_SKIP_DIRS

    return DISCOVERY_SKIP_DIRS | ALWAYS_SKIPPED_DIRS


@dataclass
class HiddenPlaces:
    """What a listing left out below the directories it was given that rc2's discovery
    imports: directories (dot-directories, `.gitignore`d ones) and ignored `.py` files, as
    (path relative to the root, absolute path[, is a symlink]); and the directories listed
    by git, whose ignored files git is asked for only if they are needed."""

    dirs: list[tuple[str, str]] = field(default_factory=list)
    files: list[tuple[str, str, bool]] = field(default_factory=list)
    git_targets: list[Path] = field(default_factory=list)
    seen_dirs: set[str] = field(default_factory=set)


def shows_runpod2_app(data: bytes) -> bool:
    """The cheap filter of a hidden file: it imports an SDK (as the first pass decides a
    candidate), names `runpod` itself and has the word `App` (`runpod.App(`, `import App`);
    or it declares a queue or api resource on an App it may import from a module of the
    project (`@app.queue(...)`), which discovery then finds."""
    declares = b".queue" in data or b".api" in data
    if declares and b"import" in data and _RESOURCE_ON_AN_APP.search(data) is not None:
        return True
    return (
        b"App" in data
        and _APP_WORD.search(data) is not None
        and _RUNPOD2_NAME.search(data) is not None
        and _scan_imports(data, stop_at_sdk=True)[1]
    )


def list_hidden_runpod2(
    hidden: HiddenPlaces, root: Path, exclude: list[str], known: set[str]
) -> list[SourceFile]:
    """The files rc2's discovery imports that the listing left out (`hidden`), and that
    hold a runpod 2.0 App by `shows_runpod2_app`: read and decoded, as candidates. Files in
    `known` (listed already) and those the configuration excludes are not read; symlinks
    leaving the project, unreadable files and files over HIDDEN_MAX_BYTES are left out in
    silence (the listing never lists them)."""
    root_prefix = os.path.join(os.path.normpath(os.path.abspath(root)), "")
    real_root = os.path.realpath(root)
    files = list(hidden.files)
    dirs = list(hidden.dirs)
    for target in hidden.git_targets:
        _git_ignored(target, root_prefix, root, files, dirs)
    budget = [HIDDEN_WALK_LIMIT]
    for rel, folder in sorted(set(dirs)):
        files.extend(_walk_hidden(folder, rel, budget))
    if budget[0] <= 0:
        notice(
            f"stopped looking for runpod 2.0 Apps in hidden and ignored directories after "
            f"{HIDDEN_WALK_LIMIT} entries"
        )
    out: list[SourceFile] = []
    seen = set(known)
    reads = 0
    for rel, absolute, is_link in sorted(files):
        if not rel.isascii():
            rel = printable(rel)
        if rel in seen or not rel.endswith(".py") or rel.startswith("../"):
            continue
        seen.add(rel)
        if exclude and any_match(exclude, rel):
            continue
        if is_link and _leaves(absolute, real_root):
            continue
        if reads >= HIDDEN_READ_LIMIT:
            notice(
                f"stopped looking for runpod 2.0 Apps in hidden and ignored files after "
                f"{HIDDEN_READ_LIMIT} files"
            )
            break
        reads += 1
        try:
            if os.stat(absolute).st_size > HIDDEN_MAX_BYTES:
                continue
            data = _read_bytes(absolute)
        except (OSError, ValueError):
            continue
        if not shows_runpod2_app(data):
            continue
        source = SourceFile(rel, absolute, candidate=True)
        _decode(source, data)
        out.append(source)
    return out


def _git_ignored(
    target: Path,
    root_prefix: str,
    root: Path,
    files: list[tuple[str, str, bool]],
    dirs: list[tuple[str, str]],
) -> None:
    """The ignored `.py` files and wholly ignored directories below `target`, by git (which
    names a directory it ignores whole once, as `dir/`, rather than every file in it)."""
    out = run_git(
        ["ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory", "--", "."],
        target,
        60,
    )
    if out is None or out.returncode != 0:
        return
    skip = _hidden_skipped()
    for name in out.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if not name:
            continue
        is_dir = name.endswith("/")
        parts = [p for p in name.rstrip("/").split("/") if p not in ("", ".")]
        if any(part in skip for part in (parts if is_dir else parts[:-1])):
            continue
        absolute = os.path.normpath(os.path.join(target, name))
        rel = _relative_fast(absolute, root_prefix, root)
        if is_dir:
            dirs.append((rel, absolute))
            continue
        if not name.endswith(".py"):
            continue
        try:
            info = os.lstat(absolute)
        except OSError:
            continue
        if stat.S_ISLNK(info.st_mode) or stat.S_ISREG(info.st_mode):
            files.append((rel, absolute, stat.S_ISLNK(info.st_mode)))


def _walk_hidden(folder: str, rel_folder: str, budget: list[int]) -> list[tuple[str, str, bool]]:
    """Every `.py` file below `folder` but under the skipped directories, symlinked
    directories not followed; `budget` (entries left to look at) bounds the walk."""
    skip = _hidden_skipped()
    out: list[tuple[str, str, bool]] = []
    seen: set[tuple[int, int]] = set()
    stack = [(folder, "" if rel_folder == "." else rel_folder)]
    while stack and budget[0] > 0:
        here, rel_here = stack.pop()
        try:
            entries = _scan_once(here, seen)
        except OSError:
            continue
        if entries is None:
            continue
        budget[0] -= len(entries)
        subdirs = []
        for entry in entries:
            name = entry.name
            rel = f"{rel_here}/{name}" if rel_here else name
            if _is_dir(entry):
                if name not in skip and not _is_symlink(entry):
                    subdirs.append((entry.path, rel))
            elif name.endswith(".py") and _listable(entry):
                out.append((rel, entry.path, _is_symlink(entry)))
        stack.extend(sorted(subdirs, reverse=True))
    return out


def _shown(raw: str) -> str:
    """A path as an error shows it: its start and end past 200 characters."""
    return raw if len(raw) <= 200 else f"{raw[:100]}...{raw[-60:]}"


def notice(text: str) -> None:
    """One line on stderr about a file that is not analysed; untrusted text escaped."""
    from flash_guard.report.escape import stderr_line

    stderr_line(f"flash-guard: {text}")


def _listed(
    files: list[Path],
    target: Path,
    root_prefix: str,
    root: Path,
    hidden: HiddenPlaces | None = None,
) -> list[tuple[str, str, bool]]:
    """git's listing as (relative path, absolute path, is a symlink), skipping hidden and
    tool directories below `target` (git names files relative to it). `hidden` collects the
    dot-directories skipped (each once, the outermost)."""
    out = []
    for file in files:
        below = os.path.relpath(file, target).replace(os.sep, "/").split("/")
        skipped = next((i for i, part in enumerate(below[:-1]) if skipped_dir(part)), None)
        if skipped is not None:
            if hidden is not None and below[skipped] not in _hidden_skipped():
                folder = os.path.normpath(os.path.join(target, *below[: skipped + 1]))
                if folder not in hidden.seen_dirs:
                    hidden.seen_dirs.add(folder)
                    rel = _relative_fast(folder, root_prefix, root)
                    hidden.dirs.append((rel, folder))
            continue
        try:
            info = os.lstat(file)
        except OSError:
            info = None
        # A git submodule or a directory named `x.py` is not a file to read.
        if info is not None and stat.S_ISDIR(info.st_mode):
            continue
        is_link = info is not None and stat.S_ISLNK(info.st_mode)
        absolute = os.path.normpath(os.path.abspath(file))
        out.append((_relative_fast(absolute, root_prefix, root), os.fspath(file), is_link))
    return out


def _leaves(path: str, real_root: str) -> bool:
    real = os.path.realpath(path)
    return not (real == real_root or real.startswith(os.path.join(real_root, "")))


def _explicit_reason(rel: str, exclude: list[str]) -> str | None:
    """Why a file named on the command line is dropped, judged below the project root only
    (a file outside the root has no project-relative path for these rules to read)."""
    if not _is_python(rel.rsplit("/", 1)[-1]):
        return "not a .py or .pyi file"
    if rel.startswith("../"):
        return None
    parts = rel.split("/")
    hidden = next((p for p in parts[:-1] if skipped_dir(p)), None)
    if hidden is not None:
        return f"it is under `{hidden}/`, which is never analysed"
    if exclude and any_match(exclude, rel):
        return EXCLUDED_REASON
    return None


EXCLUDED_REASON = "excluded by the configuration's `exclude`"


def printable(rel: str) -> str:
    """A file name that is not valid UTF-8 arrives with surrogate escapes, which no report
    can encode; show its odd bytes as `\\xe9` instead (still one name per file)."""
    try:
        raw = rel.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that no decoding made
        return rel.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


# Texts read instead of files, by real path: the fix engine re-analyses its edits between
# rounds without writing anything (flash_guard/fix/engine.py sets and clears it).
OVERLAY: dict[str, bytes] = {}


def _read_bytes(path: str | Path) -> bytes:
    """The file's bytes; OSError for anything that is not a readable regular file."""
    if OVERLAY and os.path.realpath(path) in OVERLAY:
        return OVERLAY[os.path.realpath(path)]
    fd = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise OSError(0, "not a regular file")
        # One read for the whole file; the loop only matters if it grows or shrinks.
        chunk = os.read(fd, info.st_size + 4096)
        if len(chunk) == info.st_size:
            return chunk  # all fstat promised (an empty file too): no read to see the end
        chunks = []
        total = 0
        while chunk:
            chunks.append(chunk)
            total += len(chunk)
            # A file that keeps growing (or a kernel file reporting size 0) is not source.
            if total > info.st_size + _GROWTH_ALLOWED:
                raise OSError(0, "file grows while being read")
            chunk = os.read(fd, info.st_size + 4096)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _read_problem(exc: OSError) -> str:
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    return f"cannot read: {exc.strerror or exc.__class__.__name__}"


def read_source(source: SourceFile) -> None:
    """Read bytes once; decide whether the file is a first-pass candidate."""
    try:
        data = _read_bytes(source.location)
    except OSError as exc:
        source.problem = _read_problem(exc)
        return
    if data[:2] in WIDE_BOMS and wide_sdk_import(data):
        # UTF-16/32 with a BOM (PowerShell's `>` writes UTF-16): Python refuses the file,
        # and the byte search below cannot see its import. Say so, never skip it silently.
        source.candidate = True
        codec = "UTF-32" if data[:4] in _UTF32_BOMS else "UTF-16"
        source.problem = f"{codec}-encoded, which Python refuses as source: save it as UTF-8"
        return
    # A first-pass candidate imports an SDK; mentioning one elsewhere (a string, a comment,
    # a URL) is not enough. The import lines are kept anyway for the second pass.
    lines, candidate = _scan_imports(data, stop_at_sdk=True)
    source.candidate = candidate
    if not candidate:
        source.import_lines = lines
        return
    _decode(source, data)


WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00")
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")


def wide_sdk_import(data: bytes) -> bool:
    """A UTF-16/32 file with a BOM that, read as text, imports an SDK."""
    codec = "utf-32" if data[:4] in _UTF32_BOMS else "utf-16"
    if data[:2] == b"\x00\x00" and codec != "utf-32":
        return False
    text = data.decode(codec, "replace")
    return _scan_imports(text.encode("utf-8", "replace"), stop_at_sdk=True)[1]


# A candidate has an SDK name in a logical line that contains `import`. (An import line
# whose module is an SDK is such a line too, so the import lines themselves decide nothing
# more.)
_SDK_MARKERS = (b"runpod", b"tetra_rp")


def _sdk_on_an_import_line(data: bytes) -> bool:
    """The import statements the line pattern does not read (`try: import runpod_flash`,
    `import os; import runpod`, backslash continuations): an SDK name in a logical line
    (physical lines joined by backslashes) that contains `import`. The reference version of
    what `_scan_imports` decides on the way, used as is only for a file with a lone CR."""
    for marker in _SDK_MARKERS:
        pos = data.find(marker)
        while pos != -1:
            start = data.rfind(b"\n", 0, pos) + 1
            while start > 1 and data[: start - 1].rstrip(b"\r").endswith(b"\\"):
                start = data.rfind(b"\n", 0, start - 1) + 1
            end = data.find(b"\n", pos)
            while end != -1 and data[:end].rstrip(b"\r").endswith(b"\\"):
                end = data.find(b"\n", end + 1)
            if b"import" in data[start : end if end != -1 else len(data)]:
                return True
            pos = data.find(marker, pos + len(marker))
    return False


def decode_late(source: SourceFile) -> None:
    """Second-pass files were only sniffed; read them for real now."""
    try:
        data = _read_bytes(source.location)
    except OSError as exc:
        source.problem = _read_problem(exc)
        return
    _decode(source, data)


def _decode(source: SourceFile, data: bytes) -> None:
    if b"\0" in data:
        source.problem = "binary file (contains NUL bytes)"
        return
    # A coding line is read once: it decides the codec, or that Python refuses the file.
    cookie = _cookie(data) if b"coding" in data[:400] else None
    codec = _codec_for(cookie) if cookie is not None else None
    if cookie is not None and codec is None:
        shown = cookie.decode("ascii", "replace")
        source.problem = (
            f"its coding line names {shown!r}, which Python cannot read source with "
            "(it refuses the file)"
        )
        return
    try:
        source.text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if codec is None:
            source.problem = f"not valid UTF-8 (byte {exc.start})"
            return
        try:
            source.text = data.decode(codec)
        except UnicodeDecodeError as declared:
            source.problem = (
                f"not valid {codec}, as its coding line declares (byte {declared.start})"
            )


# PEP 263: `# -*- coding: latin-1 -*-` on line 1 or 2 (as Python's tokenizer reads it).
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def _cookie(data: bytes) -> bytes | None:
    """The encoding name of a PEP 263 coding line (line 1, or line 2 after a comment or blank
    line 1), as written; None when there is none."""
    lines = data.split(b"\n", 2)[:2]
    for index, line in enumerate(lines):
        match = _CODING.match(line)
        if match is not None:
            return match.group(1)
        if index == 0 and line.strip() and not line.lstrip().startswith(b"#"):
            return None  # code on line 1: a cookie on line 2 does not count
    return None


def _normal_name(name: str) -> str:
    """CPython's tokenizer spelling: `utf-8-unix`, `latin-1-dos`, `iso_latin_1` and the like
    name the base codec (Emacs adds the line-ending suffix)."""
    folded = name.lower().replace("_", "-")
    if folded == "utf-8" or folded.startswith("utf-8-"):
        return "utf-8"
    for latin in ("latin-1", "iso-8859-1", "iso-latin-1"):
        if folded == latin or folded.startswith(latin + "-"):
            return "iso-8859-1"
    return name


def _codec_for(cookie: bytes) -> str | None:
    """The codec a coding line's name means to Python: a known one that keeps ASCII as is
    (not utf-16, not a bytes-to-bytes codec), else None."""
    name = _normal_name(cookie.decode("ascii", "replace"))
    try:
        info = codecs.lookup(name)
        b"".decode(info.name)  # LookupError for a bytes-to-bytes codec (base64, zlib)
        ascii_safe = "# x\n".encode(info.name) == b"# x\n"
    except (LookupError, UnicodeError, TypeError, ValueError):
        return None
    return info.name if ascii_safe else None


def _import_hints(data: bytes) -> list[tuple[str, list[str]]]:
    """(module, imported names) of every import statement the line pattern reads."""
    hints: list[tuple[str, list[str]]] = []
    for groups in _scan_imports(data, stop_at_sdk=False)[0]:
        _add_groups(hints, groups)
    return hints


_BACKSLASH = 0x5C


def _scan_imports(data: bytes, stop_at_sdk: bool) -> tuple[list[tuple], bool]:
    """The regex groups of each import statement, and whether an SDK name is in a logical
    line that contains `import` (`_sdk_on_an_import_line`); with `stop_at_sdk`, the scan
    ends at the first such line (a candidate's import lines are not needed)."""
    # Only lines that contain `import` can match, and a match always starts at a
    # line start, so jump from one such line to the next with bytes.find (fast,
    # in C) instead of trying the pattern at every line of the file. The SDK names are
    # looked for in those lines only, not in the whole file.
    lines: list[tuple] = []
    sdk = False
    if b"\r" in data:  # a lone CR ends a line for Python, as `\r\n` does
        original, data = data, data.replace(b"\r\n", b"\n")
        if b"\r" in data:  # lone CRs: the reference check, on the bytes as they are
            sdk = _sdk_on_an_import_line(original)
            if sdk and stop_at_sdk:
                return lines, True
            data = data.replace(b"\r", b"\n")
        # Else dropping the CR of each CRLF changes no logical line's words.
    find, rfind, match = data.find, data.rfind, _IMPORT_LINE.match
    pos = find(b"import")
    resume = 0  # a parenthesised list can span lines: no match starts inside one
    while pos != -1:
        line_start = rfind(b"\n", 0, pos) + 1
        if line_start >= resume:
            found = match(data, line_start)
            if found is not None:
                lines.append(found.groups())
                resume = found.end()
        line_end = find(b"\n", pos)
        if not sdk:
            # This line's logical line: physical lines joined by a backslash before the LF.
            start = line_start
            while start > 1 and data[start - 2] == _BACKSLASH:
                start = rfind(b"\n", 0, start - 1) + 1
            end = line_end
            while end > 0 and data[end - 1] == _BACKSLASH:
                end = find(b"\n", end + 1)
            logical = data[start:end] if end != -1 else data[start:]
            if b"runpod" in logical or b"tetra_rp" in logical:
                sdk = True
                if stop_at_sdk:
                    return lines, True
        if line_end == -1:
            break
        pos = find(b"import", line_end)
    return lines, sdk


def _add_hint(hints: list[tuple[str, list[str]]], match: re.Match[bytes]) -> None:
    _add_groups(hints, match.groups())


def _add_groups(hints: list[tuple[str, list[str]]], groups: tuple) -> None:
    """One import statement's (module, names), from its `_IMPORT_LINE` groups."""
    module, parenthesised, listed, imported = groups
    if imported is not None:
        for part in imported.split(b","):
            name = part.strip().split()[0] if part.strip() else b""
            if name:
                hints.append((name.decode("ascii", "replace"), []))
        return
    if listed is None:
        listed = re.sub(rb"#[^\n]*", b"", parenthesised)
    names = [
        n.strip().split()[0].decode("ascii", "replace") for n in listed.split(b",") if n.strip()
    ]
    hints.append((module.decode("ascii", "replace"), names))
