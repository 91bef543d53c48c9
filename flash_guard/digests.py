"""SHA-256, BLAKE2b and HMAC-SHA256 from CPython's own implementations.

`hashlib` (and `hmac`, which imports it) loads OpenSSL's libcrypto for algorithms flash-guard
never uses: about 4 MiB of a run's resident memory, a twentieth of a big tree's peak. The
interpreter's built-in `_sha256`/`_sha2` and `_blake2` modules compute the same digests; a
Python built without them falls back to hashlib. HMAC is RFC 2104 over that SHA-256: the
signatures are byte-for-byte those of `hmac.new(key, body, hashlib.sha256)`.
"""

from __future__ import annotations

try:
    from _sha2 import sha256  # Python 3.12+
except ImportError:
    try:
        from _sha256 import sha256  # Python 3.10 and 3.11
    except ImportError:  # a build without the module: OpenSSL's
        from hashlib import sha256
try:
    from _blake2 import blake2b
except ImportError:
    from hashlib import blake2b
try:
    from _operator import _compare_digest as compare_digest  # what hmac.compare_digest is
except ImportError:
    from hmac import compare_digest

__all__ = ["blake2b", "compare_digest", "hmac_sha256", "sha256"]

_BLOCK = 64  # SHA-256's block size in bytes
_INNER = bytes(x ^ 0x36 for x in range(256))
_OUTER = bytes(x ^ 0x5C for x in range(256))


class hmac_sha256:  # noqa: N801 - named like the digest constructors it sits beside
    """HMAC-SHA256 of what is fed to `update`, keyed by `key`."""

    def __init__(self, key: bytes, message: bytes = b""):
        if len(key) > _BLOCK:
            key = sha256(key).digest()
        key = key.ljust(_BLOCK, b"\0")
        self._inner = sha256(key.translate(_INNER))
        self._outer = sha256(key.translate(_OUTER))
        if message:
            self._inner.update(message)

    def update(self, data: bytes) -> None:
        self._inner.update(data)

    def digest(self) -> bytes:
        outer = self._outer.copy()
        outer.update(self._inner.digest())
        return outer.digest()

    def hexdigest(self) -> str:
        return self.digest().hex()
