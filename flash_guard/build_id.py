"""flash-guard's own installation, as the caches' keys see it: the parser build, and every
file of the package.

Found by looking at files, never by importing them: a warm run may need neither the parser
nor most of the package.
"""

from __future__ import annotations

import functools
import os
import sys

from flash_guard.digests import blake2b

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_TABLES_DIR = os.path.join(PACKAGE_DIR, "dataclass_code")  # see installation_signature


@functools.cache  # every cache asks; the answer cannot change within a run
def parser_build() -> str:
    """The installed ast-grep extension (name, size, mtime): its grammar shapes the trees
    extraction and the fixers read."""
    from importlib.machinery import PathFinder  # loaded at start-up: costs nothing

    try:
        spec = PathFinder.find_spec("ast_grep_py")
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


def installation_signature() -> str:
    """Python, the parser build and the (name, size, mtime) of every file of the package:
    what a run's whole output may depend on in flash-guard itself. An edit of an editable
    install, or a new wheel, changes it. The dataclass method tables are left out: an entry
    is used only for the exact text it was compiled from and is that text's code, so they
    change no output, only the time a run takes (~240 files, and a folder whose mtime moves
    when Python first writes its bytecode cache there)."""
    digest = blake2b(digest_size=16)
    digest.update(f"{sys.version}\n{sys.executable}\n{parser_build()}\n".encode())
    stack = [PACKAGE_DIR]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError:
            digest.update(f"?{folder}\n".encode())
            continue
        for entry in entries:
            if entry.name == "__pycache__" or entry.path == _TABLES_DIR:
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                    continue
                info = entry.stat()
            except OSError:
                digest.update(f"?{entry.path}\n".encode())
                continue
            line = f"{entry.path}\0{info.st_size}\0{info.st_mtime_ns}\n"
            digest.update(line.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()
