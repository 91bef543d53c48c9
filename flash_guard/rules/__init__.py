"""The built-in rules: `<family>/fgNNN_<slug>.yaml` (+ `.py` when the rule needs Python).

Importing this package imports every rule's Python check, which registers it under its slug.
"""

from __future__ import annotations

import importlib
import os

from flash_guard.checks.base import REGISTRY, Check

# Check ids before each check was named after its rule's slug; users' `check:` items may
# still name them.
RENAMED_CHECKS = {
    "gpu-pinning": "gpu-not-pinned",
    "health-route": "no-health-route",
    "dependency-imports": "top-level-dependency-import",
    "dependencies-literal": "dependencies-not-literal",
}


def _import_all() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    for family in sorted(os.listdir(here)):
        folder = os.path.join(here, family)
        if not os.path.isfile(os.path.join(folder, "__init__.py")):
            continue
        for name in sorted(os.listdir(folder)):
            if name.startswith("fg") and name.endswith(".py"):
                importlib.import_module(f"{__name__}.{family}.{name[:-3]}")


_import_all()

__all__ = ["REGISTRY", "RENAMED_CHECKS", "Check"]
