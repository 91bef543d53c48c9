"""Every file flash-guard writes (reports, baselines, the starter config) goes through here.

A write is atomic: the text goes to a new temporary file in the destination's directory,
is flushed to disk (synced, except a cache's own files: `atomic_file`), and is then renamed
over the destination. A reader (or a run that
fails half-way) sees the old file or the new one, never a truncated one. Renaming
replaces a symlink at the destination instead of following it, so a symlink committed
in the analysed tree as `flash-guard.sarif` cannot redirect the write elsewhere. The one
exception is `write_output`: a destination the command line names under /dev or /proc, or a
device or FIFO, is written through rather than replaced.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def write_atomically(path: Path, text: str, durable: bool = True) -> None:
    """Write `text` (UTF-8) to `path`; OSError if it cannot be done, leaving `path` as it was.
    `durable`: see atomic_file."""
    with atomic_file(path, durable) as handle:
        handle.write(text.encode("utf-8"))


_SYSTEM_DIRS = ("/dev/", "/proc/")


def write_output(path: Path, text: str) -> None:
    """A destination the user named (`--output`, `--write-baseline`). Named under /dev or
    /proc (`/dev/stdout`, `/dev/null`, `/proc/self/fd/1`), or a device or FIFO itself, it is
    written to, as any tool writes there: replacing it with a regular file would lose the
    output (and, as root, replace `/dev/stdout` for the whole machine). Anything else,
    including a symlink that points there (a pull request can commit `report.sarif ->
    /dev/null`), is replaced atomically, so the report lands in a file of its own."""
    try:
        info = os.lstat(path)
    except (OSError, ValueError):
        info = None
    stream = info is not None and (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode))
    named_system = os.path.abspath(path).startswith(_SYSTEM_DIRS)
    if not (stream or (named_system and info is not None)):
        write_atomically(path, text)
        return
    # No O_CREAT or O_TRUNC: only what is already there, appended to a redirected file; a
    # FIFO without a reader is ENXIO rather than a wait.
    try:
        target = os.stat(path)
    except OSError:
        target = info
    into_stream = stat.S_ISCHR(target.st_mode) or stat.S_ISFIFO(target.st_mode)
    flags = os.O_WRONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags | (0 if into_stream else os.O_APPEND))
    try:
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        data = text.encode("utf-8")
        while data:
            data = data[os.write(fd, data) :]
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str], durable: bool = True) -> Iterator[BinaryIO]:
    """A binary handle on a new temporary file beside `path`; when the block ends without
    an error it is flushed, synced and renamed over `path`, else removed. Not synced when
    not `durable`: a cache's own files, which every read verifies (signed_cache.py), so one
    a crash left empty or cut short is a cache miss; the sync cost a cold run 15-45 ms."""
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        raise IsADirectoryError(21, "Is a directory", str(path))
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def generated_file_main(prog: str, path: Path, make_text, argv: list[str] | None) -> int:
    """`python -m <prog> --write|--check` for a file generated from the package itself (the
    config schema, the compiled checklist): --check exits 1 when the file is out of date."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog=f"python -m {prog}")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    text = make_text()
    if args.write:
        write_atomically(path, text)
        return 0
    if not path.exists() or path.read_text("utf-8") != text:
        print(f"{path}: out of date", file=sys.stderr)
        print(f"run: python -m {prog} --write", file=sys.stderr)
        return 1
    return 0
