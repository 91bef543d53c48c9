"""Python-backed checks, one module each; importing this package registers them all."""

from __future__ import annotations

import importlib
import pkgutil

from flash_guard.checks.base import REGISTRY, Check

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _module != "base":
        importlib.import_module(f"{__name__}.{_module}")

__all__ = ["REGISTRY", "Check"]
