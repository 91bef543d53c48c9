"""Imports that `flash build`'s module scan cannot satisfy: a name taken from a project
package that only its `__init__.py` provides (FG301).

From runpod-flash 1.11.0 (RuntimeScanner; 1.21 unchanged) `flash build` imports every module
of the app except `__init__.py` files, after putting an empty stand-in module in `sys.modules`
for each directory that holds one of them (`_register_parent_packages`). The stand-in has a
`__path__`, so submodules still import (`from workers import tts`, `import workers.tts`,
`from workers.tts import speak`), but the package's `__init__.py` never runs: `from workers
import speak`, where `speak` is defined or re-exported there, raises `ImportError: cannot
import name 'speak' from 'workers' (unknown location)`, the module fails to load and the build
stops (`Failed to load:`, exit 1). The deployed worker imports the real package and would
work. Before 1.11 the build parsed the source; tetra-rp never imports modules to build.
"""

from __future__ import annotations

from dataclasses import dataclass

from flash_guard.checks.sites import build_ignored
from flash_guard.discover.facts import NEVER_RUNS, ImportBinding, guarding_if
from flash_guard.model import Span
from flash_guard.project.apps import AppMap

INIT = "__init__.py"


@dataclass(frozen=True)
class InitOnlyImport:
    """`from <package> import <name>` in `path` where only the package's `__init__.py`
    provides `name`: the statement as written, the package's `__init__.py`, and the import
    that works under the build (None when the `__init__.py` defines the name itself)."""

    path: str
    span: Span
    statement: str
    init: str
    instead: str | None


def init_only_imports(analysis, app: str, ignore_list: bool) -> list[InitOnlyImport]:
    """Every import-time `from <package> import <name>` of the app's parsed modules that the
    build's stand-in packages cannot satisfy, in path order. `ignore_list`: whether the
    release leaves `tests/`, `docs/`, ... out of the build (those files are never imported,
    and their directories get no stand-in)."""
    memo = analysis.__dict__.setdefault("_init_only_imports", {})
    key = (app, ignore_list)
    if key not in memo:
        memo[key] = _find(analysis, app, ignore_list)
    return memo[key]


def _find(analysis, app: str, ignore_list: bool) -> list[InitOnlyImport]:
    modules = analysis.modules
    apps = _app_map(analysis)

    def built(path: str) -> bool:
        return apps.app_of(path) == app and not (ignore_list and build_ignored(path, app))

    scanned = [p for p in sorted(modules.known_paths) if p.endswith(".py") and built(p)]
    stand_ins = _stand_in_packages(scanned, app)
    out = []
    for path in scanned:
        if path.rsplit("/", 1)[-1] == INIT:
            continue  # never imported by the scan (a stand-in's own file is not run either)
        # Only the modules discovery parsed (they mention an SDK, or a declaration reads
        # them): reading every module of a big tree again to look for such imports doubled
        # a cold run's time and memory (a helper module that never names the SDK is missed)
        facts = modules.files.get(path)
        for binding in facts.imports if facts is not None else ():
            found = _init_only(modules, path, binding, app, stand_ins)
            if found is not None:
                out.append(found)
    return out


def _app_map(analysis) -> AppMap:
    apps = analysis.__dict__.get("_package_imports_apps")
    if apps is None:
        apps = analysis.__dict__["_package_imports_apps"] = AppMap(analysis.root)
    return apps


def _stand_in_packages(scanned: list[str], app: str) -> set[str]:
    """The app-relative directories the scan registers as empty packages: every directory
    above a module it imports (`__init__.py` files are not imported, so a directory holding
    only one gets no stand-in and imports normally)."""
    out = set()
    for path in scanned:
        rel = _below(path, app)
        if rel.rsplit("/", 1)[-1] == INIT:
            continue
        parts = rel.split("/")[:-1]
        out.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    return out


def _below(path: str, app: str) -> str:
    return path[len(app) + 1 :] if app not in (".", "") else path


def _init_only(modules, path, binding: ImportBinding, app, stand_ins) -> InitOnlyImport | None:
    if binding.name in (None, "*") or not _runs_at_import(binding):
        return None
    init = modules.find_module(path, binding.module, binding.level)
    if init is None or init.rsplit("/", 1)[-1] != INIT:
        return None
    package = init.rsplit("/", 1)[0] if "/" in init else ""
    if not package or _below(package, app) not in stand_ins or not _inside(package, app):
        return None
    if not binding.level and binding.module != _below(package, app).replace("/", "."):
        return None  # found through another root: the scan's module names differ
    if _is_submodule(modules, package, binding.name):
        return None  # the stand-in's __path__ finds it
    provided = _provided_by_init(modules, init, binding.name)
    if provided is None:
        return None  # not the `__init__.py`'s either: an import error of another kind
    written = "." * binding.level + binding.module
    alias = f" as {binding.local}" if binding.local != binding.name else ""
    return InitOnlyImport(
        path,
        binding.span,
        f"from {written} import {binding.name}{alias}",
        init,
        _instead(binding, provided) if provided else None,
    )


def _inside(package: str, app: str) -> bool:
    return app in (".", "") or package.startswith(app + "/")


def _runs_at_import(binding: ImportBinding) -> bool:
    """Module-level code the scan's import runs, where an ImportError is not caught: not in
    a function, not under `if __name__ == "__main__":`/`if TYPE_CHECKING:`, not in a `try`."""
    if any(b.kind in ("function", "try", "except") for b in binding.blocks):
        return False
    return guarding_if(binding.blocks, NEVER_RUNS.match) is None


def _is_submodule(modules, package: str, name: str) -> bool:
    prefix = f"{package}/{name}/"
    return f"{package}/{name}.py" in modules.known_paths or any(
        p.startswith(prefix) for p in modules.known_paths
    )


def _provided_by_init(modules, init: str, name: str) -> ImportBinding | str | None:
    """How the package's `__init__.py` binds `name`: the import that re-exports it, "" when
    it defines it (or a star import may bring it), None when it does not bind it."""
    if not modules.ensure_parsed(init):
        return None
    facts = modules.files[init]
    for binding in facts.imports:
        if binding.local == name and binding.name not in (None, "*") and binding.top_level:
            return binding
    defined = {a.target for a in facts.assignments if a.namespace is None}
    defined |= {f.name for f in facts.functions if f.namespace is None}
    defined |= {c.name for c in facts.classes if c.namespace is None}
    if name in defined or any(b.name == "*" for b in facts.imports):
        return ""
    return None


def _instead(binding: ImportBinding, source) -> str | None:
    """The user's import rewritten to the module the `__init__.py` re-exports from, in the
    user's own style (relative stays relative)."""
    if not isinstance(source, ImportBinding):
        return None
    if source.level:  # `from .tts import speak` in the package: relative to the package
        if source.level > 1 or not source.module:
            return None  # from a parent or `from . import x`: leave the wording general
        module = "." * binding.level + (
            f"{binding.module}.{source.module}" if binding.module else source.module
        )
    else:
        module = source.module
    alias = f" as {binding.local}" if binding.local != source.name else ""
    return f"from {module} import {source.name}{alias}"
