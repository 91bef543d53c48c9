"""Signed cache documents: the HMAC key, and JSON files whose first line signs the rest.

Every cache flash-guard keeps between runs (the facts cache, discover/cache.py; the fix
cache, fix/cache.py; run records, run_cache.py) stores data only, signed with a key that
lives outside the analysed tree: a cache file planted in a repository fails the check and
is ignored. Kept apart from the caches themselves so that the lean start of a replayed run
(run_cache.py) can verify a record without importing the analysis.
Paths are strings or path objects: pathlib is not imported, as the lean start needs none.
"""

from __future__ import annotations

import json
import os
import stat

from flash_guard.digests import compare_digest, hmac_sha256

KEY_FILE = "key"
# The in-tree cache directory in a project root (discover/cache.py), and the variable that
# moves every cache elsewhere.
CACHE_DIR_NAME = ".flash-guard-cache"
ENV_CACHE_DIR = "FLASH_GUARD_CACHE_DIR"
MAX_CACHE_BYTES = 512 << 20
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)


def user_cache_home(environ=None) -> str | None:
    """flash-guard's directory in the user's cache home, as `environ` (the process's
    environment by default) places it."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_CACHE_HOME")
    if not base:
        home = environ.get("HOME") or os.path.expanduser("~")
        if home == "~":  # no home directory to keep a key in
            return None
        base = os.path.join(home, ".cache")
    return os.path.join(base, "flash-guard")


def verified_document(raw: bytes, key: bytes):
    """The JSON document signed by `key` (its first line is the HMAC of the rest), or None
    when the signature or the JSON is bad: a file not ours, or damaged."""
    mac, sep, body = raw.partition(b"\n")
    expected = hmac_sha256(key, body).hexdigest().encode()
    if not sep or not compare_digest(mac, expected):
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


def signed_entries(path: str | os.PathLike[str], key: bytes, fingerprint: str) -> tuple[dict, bool]:
    """(the `entries` of the signed cache document at `path` written under `fingerprint`,
    False); ({}, False) when there is none; ({}, True) when the file is not ours, damaged
    or of other code."""
    raw = read_regular(path)
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


def write_signed(
    directory: str | os.PathLike[str],
    top: str | os.PathLike[str],
    name: str,
    key: bytes,
    document: dict,
) -> bool:
    """Write `document` signed by `key` to directory/name, atomically; False when it could
    not be written (that costs the next run time, nothing else). The JSON is written as it
    is encoded and signed as it goes: a big project's facts are tens of megabytes, which
    must not be held as one string (or three) beside the analysis."""
    encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True)
    try:
        ensure_directory(directory, top)
        _write_signed_chunks(os.path.join(directory, name), key, encoder.iterencode(document))
    except (OSError, ValueError):
        return False
    return True


def extend_signed_entries(
    directory: str | os.PathLike[str],
    top: str | os.PathLike[str],
    name: str,
    key: bytes,
    fingerprint: str,
    entries: dict,
) -> bool | None:
    """Add `entries` to the `entries` object of the signed document directory/name written
    by `write_signed` under `fingerprint`, without decoding the document or holding its
    text: it is read twice in chunks, to check its signature and that it holds none of the
    paths, then to copy it with the new entries before its closing braces. The result is the
    document that decoding, updating and writing it again would give; a big project's
    entries are never decoded beside the analysis (megabytes at a run's peak). True when
    written, False when the write failed, None when the file is not such a document, holds
    one of the paths already, or there are too many entries to look for (decode instead)."""
    if not entries:
        return True
    if len(entries) > _MAX_EXTEND:
        return None
    path = os.path.join(directory, name)
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        return None
    try:
        return _extend_open(fd, directory, top, path, key, fingerprint, entries)
    except OSError:
        return None
    finally:
        os.close(fd)


# Paths added by one extension at most (one pattern looks for them all); past it, decode.
_MAX_EXTEND = 1024
_CHUNK = 1 << 16


def _extend_open(fd, directory, top, path, key, fingerprint, entries) -> bool | None:
    info = os.fstat(fd)
    size = info.st_size
    if not stat.S_ISREG(info.st_mode) or size > MAX_CACHE_BYTES:
        return None
    start = _MAC_LENGTH + 1
    head = b'{"fingerprint":' + json.dumps(fingerprint).encode() + b',"entries":{'
    signature = os.pread(fd, start, 0)
    if (
        size < start + len(head) + 2
        or signature[-1:] != b"\n"
        or os.pread(fd, len(head), start) != head
        or os.pread(fd, 2, size - 2) != b"}}"
    ):
        return None
    # base64 and hex hold no '"': `"path":` in the text is that path's key
    import re  # deferred: a replay needs no regular expression

    keys = [json.dumps(p).encode() + b":" for p in entries]
    # One pass for all: every key starts with '"', and the text has a few per entry.
    any_key = re.compile(b"|".join(map(re.escape, keys)))
    overlap = max(map(len, keys)) - 1
    mac, carry = hmac_sha256(key), b""
    for data in _chunks(fd, start, size):
        if not data.isascii():
            return None
        mac.update(data)
        window = carry + data
        if any_key.search(window):
            return None
        carry = window[-overlap:]
    if not compare_digest(signature[:-1], mac.hexdigest().encode()):
        return None
    separator = "" if os.pread(fd, 3, size - 3) == b"{}}" else ","
    items = (json.dumps(p) + ":" + json.dumps(e, separators=(",", ":")) for p, e in entries.items())
    tail = separator + ",".join(items) + "}}"

    def body():
        for data in _chunks(fd, start, size - 2):
            yield data.decode("ascii")
        yield tail

    try:
        ensure_directory(directory, top)
        _write_signed_chunks(path, key, body())
    except (OSError, ValueError):
        return False
    return True


def _chunks(fd: int, start: int, end: int):
    """The bytes of the open file `fd` from `start` to `end`, in chunks; OSError when the file
    is shorter than that (it changed under us)."""
    offset = start
    while offset < end:
        data = os.pread(fd, min(_CHUNK, end - offset), offset)
        if not data:
            raise OSError("the file is shorter than it was")
        yield data
        offset += len(data)


_MAC_LENGTH = 64  # hex SHA-256


def _write_signed_chunks(path: str, key: bytes, chunks) -> None:
    """`mac\nbody` at `path` (atomically) from the body's ASCII chunks: a placeholder line
    first, the body hashed while written, then the mac over the placeholder."""
    from flash_guard.project.writes import atomic_file  # deferred: a replay writes nothing

    mac = hmac_sha256(key)
    with atomic_file(path, durable=False) as handle:  # verified on every read
        handle.write(b"0" * _MAC_LENGTH + b"\n")
        pending, size = [], 0
        for chunk in chunks:
            pending.append(chunk)
            size += len(chunk)
            if size >= 1 << 16:
                data = "".join(pending).encode("ascii")
                mac.update(data)
                handle.write(data)
                pending, size = [], 0
        data = "".join(pending).encode("ascii")
        mac.update(data)
        handle.write(data)
        handle.seek(0)
        handle.write(mac.hexdigest().encode("ascii"))


def key_at(path: str | os.PathLike[str], directory: str | os.PathLike[str]) -> bytes | None:
    """The HMAC key at `path`, created on first use (private, never replaced once there)."""
    raw = read_regular(path)
    if raw is not None and len(raw) == 64:
        try:
            return bytes.fromhex(raw.decode("ascii"))
        except ValueError:
            pass
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        temp = os.path.join(directory, f".key.{os.urandom(8).hex()}")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(os.urandom(32).hex())  # what secrets.token_hex does; secrets imports hmac
        try:
            if raw is None:
                os.link(temp, path)  # fails if another run created it meanwhile: use theirs
            else:
                os.replace(temp, path)  # an unreadable or damaged key: a new one
        except FileExistsError:
            pass
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
    except OSError:
        return None
    raw = read_regular(path)
    if raw is None or len(raw) != 64:
        return None
    try:
        return bytes.fromhex(raw.decode("ascii"))
    except ValueError:
        return None


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_regular(path: str | os.PathLike[str]) -> bytes | None:
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


def ensure_directory(directory: str | os.PathLike[str], top: str | os.PathLike[str]) -> None:
    os.makedirs(directory, exist_ok=True)
    if os.path.islink(directory) or os.path.islink(top):
        raise OSError("the cache directory is a symlink")
    ignore = os.path.join(top, ".gitignore")
    if not os.path.lexists(ignore):
        from flash_guard.project.writes import write_atomically

        write_atomically(ignore, "# Written by flash-guard: its facts cache.\n*\n", durable=False)
