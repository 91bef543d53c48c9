"""The file set: which Python files a run looks at, and the cheap bytes pre-filter.

In a git work tree the tracked and untracked-but-not-ignored files are listed
by git itself; elsewhere the tree is walked with `.gitignore` patterns applied.
Reading bytes is cheap and parsing is not, so only files whose bytes mention a
Flash package are parsed in the first pass.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from flash_guard.project.globs import any_match, glob_match

FLASH_MARKERS = (b"runpod_flash", b"tetra_rp")
ALWAYS_SKIPPED_DIRS = {"venv", "__pycache__", "node_modules", "site-packages"}
PYTHON_SUFFIXES = (".py", ".pyi")

# Import lines of files that are not parsed in the first pass; the second pass
# uses them to find route modules that only import an endpoint from a sibling.
# Matched only at the start of a line that contains `import` (see _import_hints).
_IMPORT_LINE = re.compile(
    rb"[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([\w., \t]+)|import[ \t]+([\w., \t]+))"
)
# Never block on a FIFO or device that a symlink or a git listing points at.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


class UsageError(Exception):
    """A problem with what the user asked for (exit 2)."""


@dataclass
class SourceFile:
    path: str  # relative to the project root, '/'-separated
    abspath: Path
    text: str | None = None
    candidate: bool = False
    problem: str | None = None  # why it could not be read or decoded
    import_hints: list[tuple[str, list[str]]] = field(default_factory=list)


def _skipped_dir(name: str) -> bool:
    return name.startswith(".") or name in ALWAYS_SKIPPED_DIRS


def _is_python(name: str) -> bool:
    return name.endswith(PYTHON_SUFFIXES)


def git_root(start: Path) -> Path | None:
    import subprocess  # deferred: only the git paths need it

    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=start,
            capture_output=True,
            text=True,
            timeout=20,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0 or not out.stdout.strip():
        return None
    return Path(out.stdout.strip())


def _git_listing(directory: Path) -> list[Path] | None:
    import subprocess

    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            cwd=directory,
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
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


def _walk(directory: Path, root: Path) -> list[tuple[str, str]]:
    """(relative path, absolute path) of every Python file below `directory`.

    os.scandir already knows each entry's type, so the walk costs no stat per
    file; paths are plain strings until the caller needs more.
    """
    ignore = _GitIgnore()
    out: list[tuple[str, str]] = []
    seen_dirs: set[tuple[int, int]] = set()
    start = _relative(directory, root)
    stack = [(os.fspath(directory), "" if start == "." else start)]
    while stack:
        here, rel_here = stack.pop()
        try:
            info = os.stat(here)
            # A bind mount can make a directory its own descendant.
            key = (info.st_dev, info.st_ino)
            if key in seen_dirs:
                continue
            seen_dirs.add(key)
            with os.scandir(here) as entries:
                entries = list(entries)
        except OSError:
            continue
        if any(e.name == ".gitignore" for e in entries):
            ignore.load(os.path.join(here, ".gitignore"), rel_here)
        subdirs = []
        for entry in entries:
            name = entry.name
            rel = f"{rel_here}/{name}" if rel_here else name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                # Symlinked directories are not followed (as os.walk would not).
                if _skipped_dir(name) or _is_symlink(entry):
                    continue
                if ignore.rules and ignore.ignored(rel, True):
                    continue
                subdirs.append((entry.path, rel))
            elif (
                _is_python(name)
                and _listable(entry)
                and not (ignore.rules and ignore.ignored(rel, False))
            ):
                out.append((rel, entry.path))
        # Depth-first in name order; the caller sorts the result anyway.
        stack.extend(sorted(subdirs, reverse=True))
    return out


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


def list_files(paths: list[str], root: Path, exclude: list[str], in_git: bool) -> list[SourceFile]:
    """Every Python file under `paths`, de-duplicated, excludes applied."""
    found: dict[str, SourceFile] = {}
    cwd = os.getcwd()
    root_prefix = os.path.join(os.path.normpath(os.path.abspath(root)), "")
    for raw in paths:
        target = Path(raw)
        if not target.is_absolute():
            target = Path(cwd) / target
        if not os.path.lexists(target):
            raise UsageError(f"{raw}: no such file or directory")
        walked: list[tuple[str, str]] | None = None
        candidates: list[Path] = []
        if target.is_dir():
            listed = _git_listing(target) if in_git else None
            if listed is None:
                walked = _walk(target, root)
            else:
                candidates = listed
        elif target.is_file() or target.is_symlink():
            candidates = [target]
        else:
            continue
        if walked is None:
            walked = []
            for file in candidates:
                # A git submodule or a directory named `x.py` is not a file to read.
                if file.is_dir() and not file.is_symlink():
                    continue
                absolute = os.path.normpath(os.path.abspath(file))
                walked.append((_relative_fast(absolute, root_prefix, root), os.fspath(file)))
        for rel, absolute in walked:
            if not rel.isascii():
                rel = _printable(rel)
            if rel in found:
                continue
            parts = rel.split("/")
            if any(_skipped_dir(p) for p in parts[:-1] if p not in ("..", ".")):
                continue
            if exclude and any_match(exclude, rel):
                continue
            found[rel] = SourceFile(rel, Path(absolute))
    return [found[k] for k in sorted(found)]


def _printable(rel: str) -> str:
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


def _read_bytes(path: Path) -> bytes:
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
        chunks = []
        while True:
            # One read for the whole file; the loop only matters if it grows.
            chunk = os.read(fd, info.st_size + 4096)
            if not chunk:
                break
            chunks.append(chunk)
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
        data = _read_bytes(source.abspath)
    except OSError as exc:
        source.problem = _read_problem(exc)
        return
    source.candidate = any(marker in data for marker in FLASH_MARKERS)
    if not source.candidate:
        source.import_hints = _import_hints(data)
        return
    _decode(source, data)


def decode_late(source: SourceFile) -> None:
    """Second-pass files were only sniffed; read them for real now."""
    try:
        data = _read_bytes(source.abspath)
    except OSError as exc:
        source.problem = _read_problem(exc)
        return
    _decode(source, data)


def _decode(source: SourceFile, data: bytes) -> None:
    if b"\0" in data:
        source.problem = "binary file (contains NUL bytes)"
        return
    try:
        source.text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        source.problem = f"not valid UTF-8 (byte {exc.start})"


def _import_hints(data: bytes) -> list[tuple[str, list[str]]]:
    # Only lines that contain `import` can match, and a match always starts at a
    # line start, so jump from one such line to the next with bytes.find (fast,
    # in C) instead of trying the pattern at every line of the file.
    hints: list[tuple[str, list[str]]] = []
    find, match = data.find, _IMPORT_LINE.match
    pos = find(b"import")
    while pos != -1:
        line_start = data.rfind(b"\n", 0, pos) + 1
        found = match(data, line_start)
        if found is not None:
            _add_hint(hints, found)
        line_end = data.find(b"\n", pos)
        if line_end == -1:
            break
        pos = find(b"import", line_end)
    return hints


def _add_hint(hints: list[tuple[str, list[str]]], match: re.Match[bytes]) -> None:
    if match.group(3) is not None:
        for part in match.group(3).split(b","):
            name = part.strip().split()[0] if part.strip() else b""
            if name:
                hints.append((name.decode("ascii", "replace"), []))
        return
    module = match.group(1).decode("ascii", "replace")
    names = [
        n.strip().split()[0].decode("ascii", "replace")
        for n in match.group(2).split(b",")
        if n.strip()
    ]
    hints.append((module, names))
