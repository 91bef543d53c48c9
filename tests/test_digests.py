"""flash_guard.digests: the same digests as hashlib and hmac, without loading OpenSSL."""

from __future__ import annotations

import hashlib
import hmac
import subprocess
import sys

import pytest

from flash_guard.digests import blake2b, hmac_sha256, sha256


@pytest.mark.parametrize("key_length", [0, 1, 32, 63, 64, 65, 200])
def test_hmac_matches_the_standard_library(key_length):
    key = bytes(range(key_length % 256)) * (key_length // 256 + 1)
    key = key[:key_length]
    message = b"flash-guard\n" * 1000
    streamed = hmac_sha256(key)
    streamed.update(message[:7])
    streamed.update(message[7:])
    expected = hmac.new(key, message, hashlib.sha256).hexdigest()
    assert streamed.hexdigest() == expected
    assert hmac_sha256(key, message).hexdigest() == expected
    assert hmac_sha256(key, message).digest() == bytes.fromhex(expected)


def test_digests_match_hashlib():
    data = "é∑ text".encode()
    assert sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    assert blake2b(data, digest_size=20).hexdigest() == (
        hashlib.blake2b(data, digest_size=20).hexdigest()
    )


def test_a_run_does_not_load_openssl(tmp_path):
    (tmp_path / "worker.py").write_text(
        "from runpod_flash import Endpoint\n\n@Endpoint(name='w')\ndef f(x):\n    return x\n"
    )
    code = (
        "import sys\n"
        "from flash_guard import cli\n"
        "try:\n"
        "    cli.main(['check', '.', '--cache-dir', sys.argv[1], '--format', 'sarif'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write(repr(sorted(m for m in ('_hashlib', 'hmac') if m in sys.modules)))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "cache")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "FG" in proc.stdout  # the run reported, so it did sign and write its caches
    assert proc.stderr.rstrip().endswith("[]"), proc.stderr
