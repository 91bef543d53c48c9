"""The per-file facts cache: a file whose bytes were analysed before is not parsed again.

An entry is keyed by the file's project-relative path and the hash of the text actually read
in this run, under a fingerprint of flash-guard's version, the extraction code, the facts'
record shapes and the SDK tables; anything else (size, mtime) cannot make a stale entry match,
so a fresh CI checkout (new mtimes, same bytes) still hits.

Where: `.flash-guard-cache/` in the project root (with a `.gitignore` of `*`), or the
directory given by `--cache-dir` / `FLASH_GUARD_CACHE_DIR` (one subdirectory per project
root). What: one JSON document per project, `facts.json`, whose first line is an HMAC of the
rest (the fix engine keeps `fixes.json` beside it the same way: fix/cache.py). The HMAC key
of the in-tree cache lives in the user's cache home, never in the analysed tree, so a
`.flash-guard-cache/` committed to a repository (a pull request planting entries that hide
its findings) fails the check and is ignored; an explicitly chosen directory is the user's
to trust and holds its own key. Entries are data only (discover/codec.py, never pickle) and
are checked against the facts' annotations on load; a bad file or entry is ignored and
rewritten. Writes are atomic (project/writes.py), so concurrent runs each see a whole file:
the last writer wins and every version is valid.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import stat
from pathlib import Path

from flash_guard import __version__
from flash_guard.discover import codec
from flash_guard.discover.facts import FileFacts

CACHE_DIR_NAME = ".flash-guard-cache"
ENV_CACHE_DIR = "FLASH_GUARD_CACHE_DIR"
FACTS_FILE = "facts.json"
KEY_FILE = "key"
MAX_CACHE_BYTES = 512 << 20
_PACKAGE = Path(__file__).resolve().parent.parent
# The code whose change changes what extraction produces, and the SDK tables.
_FINGERPRINTED = (
    "discover/cache.py",  # the document's layout
    "discover/lexical.py",
    "discover/parse.py",
    "discover/facts.py",
    "discover/codec.py",
    "model.py",
    "sdk/flash_tables.py",
    "sdk/runpod2_tables.py",
)
# The content hashes of the texts this process extracted facts from without error, so that
# `lex` accepted them: the fix engine need not lex such a text again to know it may parse it
# (fix/locate.py). Filled from fresh extractions only, never from what a cache file says.
LEXED_HERE: set[str] = set()
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)


def fingerprint() -> str:
    return code_fingerprint(codec.schema(FileFacts), _FINGERPRINTED)


def code_fingerprint(schema: str, names: tuple[str, ...]) -> str:
    """What a cache's entries depend on besides their input: flash-guard's version, the
    entries' record shape (`schema`), the package files or directories `names` (relative
    to the package) and the parser build."""
    digest = hashlib.sha256(f"{__version__}\n{schema}\n".encode())
    for name in names:
        path = _PACKAGE / name
        for member in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            digest.update(member.name.encode() + b"\0")
            try:
                digest.update(member.read_bytes())
            except OSError:
                digest.update(b"?")
    digest.update(parser_build().encode())
    return digest.hexdigest()[:32]


@functools.cache  # both caches ask; the answer cannot change within a run
def parser_build() -> str:
    """The installed ast-grep extension (name, size, mtime): its grammar shapes the trees
    extraction and the fixers read. Found without importing it (a warm run may never need
    it)."""
    from importlib.util import find_spec

    try:
        spec = find_spec("ast_grep_py")
        origin = spec.origin if spec is not None else None
        if origin is None:
            return "?"
        folder = os.path.dirname(origin)
        parts = []
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.name.endswith((".so", ".pyd")):
                info = entry.stat()
                parts.append(f"{entry.name}:{info.st_size}:{info.st_mtime_ns}")
        return ";".join(parts) or "?"
    except (OSError, ImportError, ValueError):
        return "?"


def content_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def user_cache_home() -> Path | None:
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        if home == "~":  # no home directory to keep a key in
            return None
        base = os.path.join(home, ".cache")
    return Path(base) / "flash-guard"


class FactsCache:
    def __init__(self, directory: Path, key: bytes, top: Path):
        self.directory = directory  # where facts.json is
        self.key = key
        self.top = top  # the cache directory as configured, where the .gitignore is
        self.fingerprint = fingerprint()
        # path -> [content hash, encoded facts as JSON text]: one string per file, parsed only
        # when the file is looked up (a big project's entries as lists of lists would take
        # several times the memory of their text, for the whole run).
        self.entries: dict[str, list] = {}
        self.dirty = False
        self.hits = 0
        self._load()

    # -- reading -------------------------------------------------------------------------

    def _load(self) -> None:
        # Damaged, unsigned or of other code: rewritten at the end of the run.
        self.entries, self.dirty = signed_entries(
            self.directory / FACTS_FILE, self.key, self.fingerprint
        )

    def get(self, path: str, text: str) -> FileFacts | None:
        entry = self.entries.get(path)
        if type(entry) is not list or len(entry) != 2 or entry[0] != content_hash(text):
            return None
        try:
            if type(entry[1]) is not str:
                raise codec.BadEntry("expected the facts as JSON text")
            facts = codec.decode(FileFacts, json.loads(entry[1]))
        except (codec.BadEntry, ValueError, RecursionError):
            del self.entries[path]
            self.dirty = True
            return None
        if facts.path != path:
            del self.entries[path]
            self.dirty = True
            return None
        self.hits += 1
        return facts

    # -- writing -------------------------------------------------------------------------

    def put(self, path: str, text: str, facts: FileFacts) -> None:
        """Record freshly extracted facts (encoded now: later stages may annotate them)."""
        if facts.read_error is not None:
            return  # an internal failure need not recur; let the next run try again
        text_hash = content_hash(text)
        LEXED_HERE.add(text_hash)
        try:
            encoded = json.dumps(codec.encode(FileFacts, facts), separators=(",", ":"))
        except (codec.NotEncodable, RecursionError, ValueError):
            return
        self.entries[path] = [text_hash, encoded]
        self.dirty = True

    def save(self, keep: set[str] | None = None) -> None:
        """Write the cache if it changed; `keep`, when given, drops entries of other paths
        (files deleted since). Failing to write costs the next run time, nothing else."""
        if not self.dirty:
            return
        if keep is not None:
            self.entries = {p: e for p, e in self.entries.items() if p in keep}
        document = {"fingerprint": self.fingerprint, "entries": self.entries}
        if write_signed(self.directory, self.top, FACTS_FILE, self.key, document):
            self.dirty = False


def open_cache(root: Path, cache_dir: Path | None) -> FactsCache | None:
    """The cache for the project at `root`, or None when none can be used safely."""
    place = cache_location(root, cache_dir)
    return FactsCache(*place) if place is not None else None


def cache_location(root: Path, cache_dir: Path | None) -> tuple[Path, bytes, Path] | None:
    """(directory of the project's cache files, HMAC key, the directory holding the
    .gitignore) for the project at `root`, or None when no cache can be used safely."""
    if cache_dir is not None:
        base = Path(os.path.abspath(cache_dir))
        name = hashlib.sha256(os.fsencode(os.path.realpath(root))).hexdigest()[:16]
        directory = base / name
        key = _key(base / KEY_FILE, base)
        top = base
    else:
        directory = Path(root) / CACHE_DIR_NAME
        # A symlink (or a file) committed at this name must not redirect our writes.
        if os.path.lexists(directory) and (
            os.path.islink(directory) or not os.path.isdir(directory)
        ):
            return None
        home = user_cache_home()
        key = _key(home / KEY_FILE, home) if home is not None else None
        top = directory
    if key is None:
        return None
    return directory, key, top


def verified_document(raw: bytes, key: bytes):
    """The JSON document signed by `key` (its first line is the HMAC of the rest), or None
    when the signature or the JSON is bad: a file not ours, or damaged."""
    mac, sep, body = raw.partition(b"\n")
    expected = hmac.new(key, body, hashlib.sha256).hexdigest().encode()
    if not sep or not hmac.compare_digest(mac, expected):
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def signed_entries(path: Path, key: bytes, fingerprint: str) -> tuple[dict, bool]:
    """(the `entries` of the signed cache document at `path` written under `fingerprint`,
    False); ({}, False) when there is none; ({}, True) when the file is not ours, damaged
    or of other code."""
    raw = _read_regular(path)
    if raw is None:
        return {}, False
    data = verified_document(raw, key)
    if (
        type(data) is not dict
        or data.get("fingerprint") != fingerprint
        or type(data.get("entries")) is not dict
    ):
        return {}, True
    return data["entries"], False


def write_signed(directory: Path, top: Path, name: str, key: bytes, document: dict) -> bool:
    """Write `document` signed by `key` to directory/name, atomically; False when it could
    not be written (that costs the next run time, nothing else)."""
    from flash_guard.project.writes import write_atomically

    body = json.dumps(document, separators=(",", ":"), ensure_ascii=True)
    mac = hmac.new(key, body.encode("ascii"), hashlib.sha256).hexdigest()
    try:
        _ensure_directory(directory, top)
        write_atomically(directory / name, f"{mac}\n{body}")
    except (OSError, ValueError):
        return False
    return True


def _key(path: Path, directory: Path) -> bytes | None:
    """The HMAC key at `path`, created on first use (private, never replaced once there)."""
    raw = _read_regular(path)
    if raw is not None and len(raw) == 64:
        try:
            return bytes.fromhex(raw.decode("ascii"))
        except ValueError:
            pass
    import secrets  # deferred: only a first run makes a key (~2 ms to import)

    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        temp = directory / f".key.{secrets.token_hex(8)}"
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32))
        try:
            if raw is None:
                os.link(temp, path)  # fails if another run created it meanwhile: use theirs
            else:
                os.replace(temp, path)  # an unreadable or damaged key: a new one
        except FileExistsError:
            pass
        finally:
            if temp.exists():
                os.unlink(temp)
    except OSError:
        return None
    raw = _read_regular(path)
    if raw is None or len(raw) != 64:
        return None
    try:
        return bytes.fromhex(raw.decode("ascii"))
    except ValueError:
        return None


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _read_regular(path: Path) -> bytes | None:
    """A regular file's bytes (never following a symlink, never blocking on a FIFO)."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CACHE_BYTES:
            return None
        chunks, total = [], 0
        while total <= info.st_size:
            chunk = os.read(fd, info.st_size + 1 - total)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        return None if total > info.st_size else b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _ensure_directory(directory: Path, top: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    if os.path.islink(directory) or os.path.islink(top):
        raise OSError("the cache directory is a symlink")
    ignore = top / ".gitignore"
    if not os.path.lexists(ignore):
        from flash_guard.project.writes import write_atomically

        write_atomically(ignore, "# Written by flash-guard: its facts cache.\n*\n")
