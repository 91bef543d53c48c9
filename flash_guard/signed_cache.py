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
    by `write_signed` under `fingerprint`, without decoding the document: its text is copied
    and the new entries are written before its closing braces. The result is the document
    that decoding, updating and writing it again would give, but a big project's entries are
    never decoded beside the analysis (megabytes at a run's peak). True when written, False
    when the write failed, None when the file is not such a document, or already holds one
    of the paths with another value (decode and update it instead)."""
    raw = read_regular(os.path.join(directory, name))
    if raw is None or not raw.isascii():
        return None
    start = raw.find(b"\n") + 1
    view = memoryview(raw)
    head = b'{"fingerprint":' + json.dumps(fingerprint).encode() + b',"entries":{'
    if not start or view[start : start + len(head)] != head or not raw.endswith(b"}}"):
        return None
    mac = hmac_sha256(key)
    mac.update(view[start:])
    if not compare_digest(raw[: start - 1], mac.hexdigest().encode()):
        return None
    added = []
    for path, entry in entries.items():
        item = json.dumps(path) + ":" + json.dumps(entry, separators=(",", ":"))
        if raw.find(item.encode(), start) != -1:  # already there (base64 and hex hold no '"')
            continue
        if raw.find(json.dumps(path).encode() + b":", start) != -1:
            return None  # there with another value
        added.append(item)
    if not added:
        return True
    end = len(raw) - 2  # before the closing braces of `entries` and of the document
    separator = "" if raw.endswith(b"{}}") else ","

    def chunks():
        for offset in range(start, end, 1 << 16):
            yield bytes(view[offset : min(offset + (1 << 16), end)]).decode("ascii")
        yield separator + ",".join(added) + "}}"

    try:
        ensure_directory(directory, top)
        _write_signed_chunks(os.path.join(directory, name), key, chunks())
    except (OSError, ValueError):
        return False
    finally:
        view.release()
    return True


_MAC_LENGTH = 64  # hex SHA-256


def _write_signed_chunks(path: str, key: bytes, chunks) -> None:
    """`mac\nbody` at `path` (atomically) from the body's ASCII chunks: a placeholder line
    first, the body hashed while written, then the mac over the placeholder."""
    from flash_guard.project.writes import atomic_file  # deferred: a replay writes nothing

    mac = hmac_sha256(key)
    with atomic_file(path) as handle:
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

        write_atomically(ignore, "# Written by flash-guard: its facts cache.\n*\n")
