"""Reading a configuration, pyproject or baseline file: untrusted input that must not hang.

These paths come from the command line or the analysed tree, where a pull request can commit
a symlink to `/dev/zero` (endless) or a FIFO (blocks on open and read). Only a regular file is
read, opened without blocking, and no more than a bound: anything else is a one-line
ConfigError (exit 2), never a hang or an unbounded read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from flash_guard.config.yamlsrc import ConfigError

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def read_input_text(path: Path, prefix: str, limit: int) -> str:
    """The UTF-8 text of `path`; otherwise ConfigError `{prefix}{why}` (the caller's wording,
    e.g. `cfg.yaml:1: cannot read: `)."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if isinstance(exc, FileNotFoundError) and os.path.islink(path):
            raise ConfigError(f"{prefix}a symlink to a missing file") from None
        raise ConfigError(f"{prefix}{exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ConfigError(f"{prefix}it is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{prefix}not a regular file")
        if info.st_size > limit:
            raise ConfigError(f"{prefix}larger than {limit:,} bytes")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(limit + 1 - total, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # grew since fstat (or a kernel file that reports size 0)
                raise ConfigError(f"{prefix}larger than {limit:,} bytes")
    except OSError as exc:
        raise ConfigError(f"{prefix}{exc.strerror or exc}") from None
    finally:
        os.close(fd)
    try:
        # A leading BOM (Windows editors write one) is no content: YAML skips it, but JSON
        # and TOML parsers reject it, and a pyproject.toml with one lost its configuration.
        return b"".join(chunks).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{prefix}not UTF-8 ({exc.reason})") from None
