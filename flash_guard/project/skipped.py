"""The directories no listing descends into below a checked path: hidden ones (`.git`,
`.venv`, caches) and tool ones. Kept apart so the lean start (run_cache.py) walks the tree
the same way without importing the listing."""

from __future__ import annotations

ALWAYS_SKIPPED_DIRS = frozenset({"venv", "__pycache__", "node_modules", "site-packages"})


def skipped_dir(name: str) -> bool:
    return name.startswith(".") or name in ALWAYS_SKIPPED_DIRS
