"""Imports that `flash build`'s module scan cannot satisfy: a name taken from a project
package that only its `__init__.py` provides (FG301).

From runpod-flash 1.11.0 (RuntimeScanner; 1.21 unchanged) `flash build` imports every module
of the app except `__init__.py` files, after putting an empty stand-in module in `sys.modules`
for each directory that holds one of them (`_register_parent_packages`). The stand-in has a
`__path__`, so submodules still import (`from workers import tts`, `import workers.tts`,
`from workers.tts import speak`), but the package's `__init__.py` never runs: `from workers
import speak`, where `speak` is defined or re-exported there, raises `ImportError: cannot
import name 'speak' from 'workers' (unknown location)`, the module fails to load and the build
stops (`Failed to load:`, exit 1). So does `import workers` followed by `workers.speak` in
code the import runs (`AttributeError: module 'workers' has no attribute 'speak'`). The
deployed worker imports the real package and would work. Before 1.11 the build parsed the
source; tetra-rp never imports modules to build.

The scan imports helper modules that never name the SDK too. Discovery does not parse them;
their import lines, read by the byte scan, are kept, and only the few that name a package
whose `__init__.py` provides an imported name are parsed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flash_guard.checks.sites import build_ignored
from flash_guard.discover.analysis import decoded_hints, extract_safely, text_of
from flash_guard.discover.facts import (
    NEVER_RUNS,
    ImportBinding,
    guarding_if,
    is_write_target,
    never_runs_body,
)
from flash_guard.discover.lexical import lex
from flash_guard.discover.parse import node_within, span_of
from flash_guard.model import Span
from flash_guard.project.apps import app_map

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
    # `import workers` when the finding is a use, `workers.speak`, of the package it binds
    after: str | None = None


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
    apps = app_map(analysis)

    def built(path: str) -> bool:
        return apps.app_of(path) == app and not (ignore_list and build_ignored(path, app))

    scanned = [p for p in sorted(modules.known_paths) if p.endswith(".py") and built(p)]
    stand_ins = _stand_in_packages(scanned, app)
    out = []
    for path in scanned:
        if path.rsplit("/", 1)[-1] == INIT:
            continue  # never imported by the scan (a stand-in's own file is not run either)
        module = _Module(analysis, path)
        if module.facts is None:
            # A helper no pass parsed: its import lines were kept by discovery. Reading every
            # module of a big tree again doubled a cold run's time and memory, so only the
            # few whose lines name a package whose `__init__.py` provides the name are parsed.
            hints = decoded_hints(analysis.package_import_hints.get(path, ""))
            if not any(_hint_may_fail(analysis, path, h, app, stand_ins) for h in hints):
                continue
            module.parse()
        for binding in module.facts.imports if module.facts is not None else ():
            found = _init_only(modules, path, binding, app, stand_ins, analysis.sources)
            if found is not None:
                out.append(found)
        out.extend(_attribute_uses(modules, module, app, stand_ins))
    return out


class _Module:
    """One module of the app: its facts when discovery parsed it, its text read on demand."""

    def __init__(self, analysis, path: str):
        self.path = path
        self.sources = analysis.sources
        self.facts = analysis.modules.files.get(path)
        self._text: str | None = None

    def text(self) -> str | None:
        if self._text is None:
            self._text = text_of(self.sources, self.path)
        return self._text

    def parse(self) -> None:
        """Facts of a module discovery did not parse, kept out of the module index (a rule
        evaluated later sees the files it always saw); none when it cannot be read or parsed
        (the build's own import fails on it then: not this check's to say)."""
        text = self.text()
        facts = extract_safely((self.path, text)) if text is not None else None
        self.facts = facts if facts is not None and not facts.read_error else None


def _hint_may_fail(analysis, path: str, hint, app: str, stand_ins) -> bool:
    """Whether one import line of an unparsed module, as the byte scan read it, may take a
    name only a stand-in package's `__init__.py` provides (`from workers import speak`), or
    bind such a package whose `__init__.py` provides names (`import workers`). The
    `__init__.py`'s text is searched before it is parsed: most never mention the name."""
    modules = analysis.modules
    written, names = hint
    level = len(written) - len(written.lstrip("."))
    module = written.lstrip(".")
    if not names:  # `import a.b [as c]`: binds `a` (or `c`, the package `a.b`)
        inits = {
            _stand_in_init(modules, path, m, 0, app, stand_ins)
            for m in {module, module.split(".")[0]}
        }
        return any(
            _mentions(analysis, init, _BINDS) and _provides_any(modules, init)
            for init in inits
            if init is not None
        )
    init = _stand_in_init(modules, path, module, level, app, stand_ins)
    if init is None:
        return False
    package = init.rsplit("/", 1)[0]
    return any(
        not _is_submodule(modules, package, name)
        and _mentions(analysis, init, re.compile(rf"\b{re.escape(name)}\b|\*"))
        and _provided_by_init(modules, init, name, analysis.sources) is not None
        for name in names
    )


# A line of an `__init__.py` that may bind a name at its top level.
_BINDS = re.compile(r"^(?:async\s+def|def|class|from|import|[A-Za-z_]\w*\s*(?::|=[^=]))", re.M)


def _mentions(analysis, path: str, pattern: re.Pattern) -> bool:
    """Whether `path`'s text matches `pattern`; True when it was parsed already (cheap)."""
    if path in analysis.modules.files:
        return True
    text = text_of(analysis.sources, path)
    return text is not None and pattern.search(text) is not None


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


def _init_only(
    modules, path, binding: ImportBinding, app, stand_ins, sources=None
) -> InitOnlyImport | None:
    if binding.name in (None, "*") or not _runs_at_import(binding):
        return None
    init = _stand_in_init(modules, path, binding.module, binding.level, app, stand_ins)
    if init is None:
        return None
    if _is_submodule(modules, init.rsplit("/", 1)[0], binding.name):
        return None  # the stand-in's __path__ finds it
    provided = _provided_by_init(modules, init, binding.name, sources)
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


def _stand_in_init(modules, path: str, module: str, level: int, app, stand_ins) -> str | None:
    """The `__init__.py` of the app's package `module` names from `path`, when the build's
    scan stands an empty package in for its directory; else None."""
    init = modules.find_module(path, module, level)
    if init is None or init.rsplit("/", 1)[-1] != INIT:
        return None
    package = init.rsplit("/", 1)[0] if "/" in init else ""
    if not package or _below(package, app) not in stand_ins or not _inside(package, app):
        return None
    if not level and module != _below(package, app).replace("/", "."):
        return None  # found through another root: the scan's module names differ
    return init


def _attribute_uses(modules, module: _Module, app: str, stand_ins) -> list[InitOnlyImport]:
    """`import workers` then `workers.speak` in code the import runs, where only
    `workers/__init__.py` provides `speak`: the stand-in package has no such attribute
    (1.21: `AttributeError: module 'workers' has no attribute 'speak'`). The first use of
    each such name in the module; uses in functions, lambdas, `try` bodies, annotations and
    `__main__`/`TYPE_CHECKING` guards are left out."""
    packages = _imported_packages(modules, module, app, stand_ins)
    if not packages:
        return []
    text = module.text()
    if text is None:
        return []
    from ast_grep_py import SgRoot  # deferred: few modules import a package this way

    names = "|".join(re.escape(local) for local in packages)
    rule = {
        "kind": "attribute",
        "has": {"field": "object", "kind": "identifier", "regex": f"^(?:{names})$"},
    }
    out, seen = [], set()
    for node in SgRoot(lex(text).text, "python").root().find_all(**rule):
        local, attr = node.field("object").text(), node.field("attribute").text()
        init, binding = packages[local]
        span = span_of(node)
        if (local, attr) in seen or span.line <= binding.span.end_line:
            continue
        if is_write_target(node) or not _runs_when_imported(node):
            continue
        if _is_submodule(modules, init.rsplit("/", 1)[0], attr):
            continue  # bound on the stand-in once imported: not this check's case
        provided = _provided_by_init(modules, init, attr, module.sources)
        if provided is None:
            continue
        seen.add((local, attr))
        statement = f"import {binding.dotted or binding.module}"
        if binding.local != (binding.dotted or binding.module).split(".", 1)[0]:
            statement += f" as {binding.local}"
        out.append(
            InitOnlyImport(
                module.path,
                span,
                f"{local}.{attr}",
                init,
                _instead_of_attribute(binding.module, provided),
                after=statement,
            )
        )
    return out


def _imported_packages(modules, module: _Module, app, stand_ins) -> dict:
    """{local name: (`__init__.py`, binding)} of the module's import-time `import <package>`
    bindings of a stand-in package whose `__init__.py` provides names."""
    out = {}
    for binding in module.facts.imports if module.facts is not None else ():
        if binding.name is not None or not _runs_at_import(binding):
            continue
        init = _stand_in_init(modules, module.path, binding.module, 0, app, stand_ins)
        if _provides_any(modules, init):
            out.setdefault(binding.local, (init, binding))
    return out


def _provides_any(modules, init: str | None) -> bool:
    """Whether a package's `__init__.py` binds any name at its top level."""
    if init is None or not modules.ensure_parsed(init):
        return False
    facts = modules.files[init]
    return any(b.top_level and b.module != "__future__" for b in facts.imports) or any(
        item.namespace is None for item in (*facts.assignments, *facts.functions, *facts.classes)
    )


def _runs_when_imported(node) -> bool:
    """Whether code at `node` runs when its module is imported and an error there is not
    caught: not in a function body or lambda, a `try`, an annotation (never evaluated under
    `from __future__ import annotations`), or a `__main__`/`TYPE_CHECKING` guard."""
    for outer in node.ancestors():
        kind = outer.kind()
        if kind in ("function_definition", "lambda", "try_statement", "type"):
            return False
        if kind == "if_statement":
            body = outer.field("consequence")
            if body is not None and node_within(node, body) and never_runs_body(outer, body):
                return False
    return True


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


def _provided_by_init(modules, init: str, name: str, sources=None) -> ImportBinding | str | None:
    """How the package's `__init__.py` binds `name`: the import that re-exports it, "" when
    it defines it (or a star import may bring it), None when it does not bind it. An
    `__init__.py` not parsed yet whose text defines the name at column 0 (`def name`,
    `name = ...`) is not parsed for it: a package's `__init__.py` can be thousands of lines."""
    if init not in modules.files and sources is not None:
        text = text_of(sources, init)
        if text is not None and _defined_at_top(text, name):
            return ""
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


def _defined_at_top(text: str, name: str) -> bool:
    """A column-0 `def`/`class`/assignment of `name` (module level, as written)."""
    word = re.escape(name)
    pattern = rf"^(?:(?:async\s+)?def\s+{word}\s*\(|class\s+{word}\b|{word}\s*(?::[^=\n]*)?=(?!=))"
    return re.search(pattern, text, re.M) is not None


def _instead_of_attribute(package: str, source) -> str | None:
    """The import that gives `package.<name>` without the package's `__init__.py`, from the
    `__init__.py`'s own re-export (`from .tts import speak` -> `from workers.tts import speak`)."""
    if not isinstance(source, ImportBinding):
        return None
    if source.level:
        if source.level > 1 or not source.module:
            return None
        module = f"{package}.{source.module}"
    else:
        module = source.module
    return f"from {module} import {source.name}"


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
