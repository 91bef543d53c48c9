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

import base64
import json
import os
import zlib
from pathlib import Path

from flash_guard import __version__
from flash_guard.build_id import parser_build
from flash_guard.digests import blake2b, sha256
from flash_guard.discover import codec
from flash_guard.discover.facts import FileFacts
from flash_guard.signed_cache import (
    CACHE_DIR_NAME,
    KEY_FILE,
    extend_signed_entries,
    key_at,
    signed_entries,
    user_cache_home,
    write_signed,
)

FACTS_FILE = "facts.json"
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


def fingerprint() -> str:
    return code_fingerprint(codec.schema(FileFacts), _FINGERPRINTED)


def code_fingerprint(schema: str, names: tuple[str, ...]) -> str:
    """What a cache's entries depend on besides their input: flash-guard's version, the
    entries' record shape (`schema`), the package files or directories `names` (relative
    to the package) and the parser build."""
    digest = sha256(f"{__version__}\n{schema}\n".encode())
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


def content_hash(text: str) -> str:
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


class FactsCache:
    def __init__(self, directory: Path, key: bytes, top: Path):
        self.directory = directory  # where facts.json is
        self.key = key
        self.top = top  # the cache directory as configured, where the .gitignore is
        self.fingerprint = fingerprint()
        # path -> [content hash, encoded facts]: one string per file, decoded only when the
        # file is looked up (a big project's entries as lists of lists would take several
        # times the memory of their text, for the whole run). The string is the facts' JSON,
        # zlib-compressed and base64-encoded (`_pack`): a sixth of the JSON's size, held for
        # the whole run, and nothing for the document's parser to unescape.
        self.entries: dict[str, list] = {}
        self.dirty = False
        self.hits = 0
        # True once written: the entries this run looked up or recorded are then dropped
        # (their facts are in the module index; on a big tree, megabytes for the rest of
        # the run), and a later save adds what came since to the file.
        self.written = False
        self.used: set[str] = set()
        self.since_written: set[str] = set()  # paths recorded since (the file lacks them)
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
                raise codec.BadEntry("expected the facts as text")
            facts = codec.decode(FileFacts, json.loads(_unpack(entry[1])))
        except (codec.BadEntry, ValueError, RecursionError, zlib.error):
            del self.entries[path]
            self.dirty = True
            return None
        if facts.path != path:
            del self.entries[path]
            self.dirty = True
            return None
        self.hits += 1
        self.used.add(path)
        return facts

    # -- writing -------------------------------------------------------------------------

    def put(self, path: str, text: str, facts: FileFacts) -> None:
        """Record freshly extracted facts (encoded now: later stages may annotate them)."""
        if facts.read_error is not None:
            return  # an internal failure need not recur; let the next run try again
        text_hash = content_hash(text)
        try:
            encoded = _pack(json.dumps(codec.encode(FileFacts, facts), separators=(",", ":")))
        except (codec.NotEncodable, RecursionError, ValueError):
            return
        self.entries[path] = [text_hash, encoded]
        self.dirty = True
        if self.written:
            self.since_written.add(path)
        self.used.add(path)

    def save(self, keep: set[str] | None = None) -> None:
        """Write the cache if it changed; `keep`, when given, drops entries of other paths
        (files deleted since). Failing to write costs the next run time, nothing else."""
        if not self.dirty:
            self._release()
            return
        if self.written:  # the file holds the run's earlier entries: add to them
            if keep is None:
                since = self.since_written
                fresh = {p: e for p, e in self.entries.items() if p in since}  # in their order
                added = extend_signed_entries(
                    self.directory, self.top, FACTS_FILE, self.key, self.fingerprint, fresh
                )
                if added is not None:
                    self.dirty = not added
                    self._release()
                    return
            fresh = self.entries
            self._load()
            self.entries.update(fresh)
            self.dirty = True
        if keep is not None:
            self.entries = {p: e for p, e in self.entries.items() if p in keep}
        document = {"fingerprint": self.fingerprint, "entries": self.entries}
        if write_signed(self.directory, self.top, FACTS_FILE, self.key, document):
            self.dirty = False
            self._release()

    def _release(self) -> None:
        """Once the file has the entries (or needed no rewrite), drop those of the files this
        run already holds the facts of; a module parsed on demand later still finds its own."""
        if not self.dirty:
            used = self.used
            self.entries = {p: e for p, e in self.entries.items() if p not in used}
            self.written = True
            self.since_written = set()


# An entry inflates to at most this much JSON: a signed entry is ours, but a damaged one must
# not make a run allocate without bound.
MAX_ENTRY_JSON = 64 << 20


def _pack(encoded: str) -> str:
    return base64.b64encode(zlib.compress(encoded.encode("utf-8"), 1)).decode("ascii")


def _unpack(packed: str) -> bytes:
    """The JSON bytes of a packed entry; ValueError (binascii.Error) or zlib.error when it
    is not one, or inflates past MAX_ENTRY_JSON."""
    inflater = zlib.decompressobj()
    data = inflater.decompress(base64.b64decode(packed, validate=True), MAX_ENTRY_JSON)
    if inflater.unconsumed_tail or not inflater.eof:
        raise ValueError("not one whole entry of at most MAX_ENTRY_JSON bytes")
    return data


def open_cache(root: Path, cache_dir: Path | None) -> FactsCache | None:
    """The cache for the project at `root`, or None when none can be used safely."""
    place = cache_location(root, cache_dir)
    return FactsCache(*place) if place is not None else None


def cache_location(root: Path, cache_dir: Path | None) -> tuple[Path, bytes, Path] | None:
    """(directory of the project's cache files, HMAC key, the directory holding the
    .gitignore) for the project at `root`, or None when no cache can be used safely."""
    if cache_dir is not None:
        base = Path(os.path.abspath(cache_dir))
        name = sha256(os.fsencode(os.path.realpath(root))).hexdigest()[:16]
        directory = base / name
        key = key_at(base / KEY_FILE, base)
        top = base
    else:
        directory = Path(root) / CACHE_DIR_NAME
        # A symlink (or a file) committed at this name must not redirect our writes.
        if os.path.lexists(directory) and (
            os.path.islink(directory) or not os.path.isdir(directory)
        ):
            return None
        home = user_cache_home()
        key = key_at(os.path.join(home, KEY_FILE), home) if home is not None else None
        top = directory
    if key is None:
        return None
    return directory, key, top
