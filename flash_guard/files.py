"""The file set: which Python files a run looks at, and the cheap bytes pre-filter.

In a git work tree the tracked and untracked-but-not-ignored files are listed
by git itself; elsewhere the tree is walked with `.gitignore` patterns applied.
Reading bytes is cheap and parsing is not, so only files whose bytes mention a
Flash package are parsed in the first pass.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from flash_guard.globs import any_match, glob_match

FLASH_MARKERS = (b"runpod_flash", b"tetra_rp")
ALWAYS_SKIPPED_DIRS = {"venv", "__pycache__", "node_modules", "site-packages"}
PYTHON_SUFFIXES = (".py", ".pyi")

# Import lines of files that are not parsed in the first pass; the second pass
# uses them to find route modules that only import an endpoint from a sibling.
_IMPORT_LINE = re.compile(
    rb"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([\w., \t]+)|import[ \t]+([\w., \t]+))",
    re.MULTILINE,
)


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

    def load(self, directory: Path, base: str) -> None:
        try:
            lines = (directory / ".gitignore").read_text("utf-8", "replace").splitlines()
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


def _walk(directory: Path, root: Path) -> list[Path]:
    ignore = _GitIgnore()
    out = []
    seen_dirs: set[tuple[int, int]] = set()
    for current, dirs, files in os.walk(directory, followlinks=False):
        here = Path(current)
        try:
            stat = here.stat()
        except OSError:
            continue
        if (stat.st_dev, stat.st_ino) in seen_dirs:
            dirs[:] = []
            continue
        seen_dirs.add((stat.st_dev, stat.st_ino))
        rel_here = _relative(here, root)
        ignore.load(here, "" if rel_here == "." else rel_here)
        kept = []
        for d in sorted(dirs):
            rel = _join(rel_here, d)
            if not _skipped_dir(d) and not ignore.ignored(rel, True):
                kept.append(d)
        dirs[:] = kept
        for name in sorted(files):
            if _is_python(name) and not ignore.ignored(_join(rel_here, name), False):
                out.append(here / name)
    return out


def _join(base: str, name: str) -> str:
    return name if base in ("", ".") else f"{base}/{name}"


def _relative(path: Path, root: Path) -> str:
    try:
        rel = os.path.relpath(path, root)
    except ValueError:  # another drive on Windows
        rel = str(path)
    return rel.replace(os.sep, "/")


def list_files(paths: list[str], root: Path, exclude: list[str], in_git: bool) -> list[SourceFile]:
    """Every Python file under `paths`, de-duplicated, excludes applied."""
    found: dict[str, SourceFile] = {}
    for raw in paths:
        target = Path(raw)
        if not target.is_absolute():
            target = Path.cwd() / target
        if not os.path.lexists(target):
            raise UsageError(f"{raw}: no such file or directory")
        if target.is_dir():
            listed = _git_listing(target) if in_git else None
            candidates = listed if listed is not None else _walk(target, root)
        elif target.is_file() or target.is_symlink():
            candidates = [target]
        else:
            continue
        for file in candidates:
            rel = _relative(file, root)
            parts = rel.split("/")
            if any(_skipped_dir(p) for p in parts[:-1] if p not in ("..", ".")):
                continue
            if exclude and any_match(exclude, rel):
                continue
            if rel not in found and not (file.is_dir() and not file.is_symlink()):
                found[rel] = SourceFile(rel, file)
    return [found[k] for k in sorted(found)]


def read_source(source: SourceFile) -> None:
    """Read bytes once; decide whether the file is a first-pass candidate."""
    try:
        if source.abspath.is_dir():
            source.problem = "is a directory"
            return
        data = source.abspath.read_bytes()
    except OSError as exc:
        source.problem = f"cannot read: {exc.strerror or exc.__class__.__name__}"
        return
    source.candidate = any(marker in data for marker in FLASH_MARKERS)
    if not source.candidate:
        source.import_hints = _import_hints(data)
        return
    if b"\0" in data:
        source.problem = "binary file (contains NUL bytes)"
        return
    try:
        source.text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        source.problem = f"not valid UTF-8 (byte {exc.start})"


def decode_late(source: SourceFile) -> None:
    """Second-pass files were only sniffed; read them for real now."""
    try:
        data = source.abspath.read_bytes()
    except OSError as exc:
        source.problem = f"cannot read: {exc.strerror or exc.__class__.__name__}"
        return
    if b"\0" in data:
        source.problem = "binary file (contains NUL bytes)"
        return
    try:
        source.text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        source.problem = f"not valid UTF-8 (byte {exc.start})"


def _import_hints(data: bytes) -> list[tuple[str, list[str]]]:
    if b"import" not in data:
        return []
    hints = []
    for match in _IMPORT_LINE.finditer(data):
        if match.group(3) is not None:
            for part in match.group(3).split(b","):
                name = part.strip().split()[0] if part.strip() else b""
                if name:
                    hints.append((name.decode("ascii", "replace"), []))
        else:
            module = match.group(1).decode("ascii", "replace")
            names = [
                n.strip().split()[0].decode("ascii", "replace")
                for n in match.group(2).split(b",")
                if n.strip()
            ]
            hints.append((module, names))
    return hints
