"""Static evaluation of expressions across the modules of one project.

Names are followed through module-level assignments, imports of Flash
(`runpod_flash`, `tetra_rp`, any submodule, any alias) and imports of other
project modules (absolute or relative). Containers, `dict(...)`, `**spread`,
and integer/string arithmetic are folded. Anything else is an unknown `Value`
that keeps its source text, so a check can say exactly what it could not
decide. Nothing is imported or executed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import operator
import re
from dataclasses import dataclass
from typing import Any

from flash_guard.discover.facts import (
    ENV_GETTERS,
    Assignment,
    ClassDef,
    FileFacts,
    FunctionDef,
    ImportBinding,
    ItemWrite,
)
from flash_guard.discover.parse import (
    MAX_INT_BITS,
    Expr,
    Snippet,
    comparison,
    dotted_expr,
    forget_conversions,
)
from flash_guard.discover.writes import apply_writes, writes_of
from flash_guard.model import BodyFacts, EnumRef, Opaque, Span, Value
from flash_guard.sdk import flash_tables, releases, runpod2_tables
from flash_guard.sdk.runpod2_tables import IMPORT_PATHS as _SDK2_IMPORT_PATHS

FLASH_PACKAGES = ("runpod_flash", "tetra_rp")
# runpod 2.0 (the Apps API, runpod-sdk2.md §1.1): its names resolve to FlashSymbols of package
# "runpod"; every other `runpod.*` name (the 1.x worker SDK, API verbs) stays unknown.
SDK2_PACKAGE = "runpod"
# The text of the unknown spread a project subclass of `Endpoint` with its own `__init__` adds.
SUBCLASS_INIT = ".__init__(...)"
SDK2_SYMBOLS = frozenset(_SDK2_IMPORT_PATHS)
# `runpod.Endpoint` is the legacy HTTP client: deliberately not an object factory here.
SDK2_FACTORIES = frozenset(
    {"App", "NetworkVolume", "GlobalVolume", "Volume", "Secret", "Model", "Queue", "Api"}
)
# The methods of a runpod.App whose call makes a decorator (`app.queue(...)`); the frontend
# declares a resource wherever that decorator is applied, also when it is kept in a name
# (`cpu_step = app.queue(...)`) or returned by a project helper.
SDK2_APP_METHODS = frozenset({"queue", "api", "task"})

ENUMS = frozenset(
    {
        "GpuGroup",
        "GpuType",
        "CpuInstanceType",
        "DataCenter",
        "CudaVersion",
        "ServerlessScalerType",
        "ServerlessType",
    }
)
LEGACY_CLASSES = frozenset(
    {
        "LiveServerless",
        "CpuLiveServerless",
        "ServerlessEndpoint",
        "CpuServerlessEndpoint",
        "LiveLoadBalancer",
        "CpuLiveLoadBalancer",
        "LoadBalancerSlsResource",
        "CpuLoadBalancerSlsResource",
        "ServerlessResource",
    }
)
OBJECT_FACTORIES = frozenset({"Endpoint", "NetworkVolume", "PodTemplate"}) | LEGACY_CLASSES
FLASH_SYMBOLS = (
    ENUMS
    | OBJECT_FACTORIES
    | frozenset({"remote", "CPU_DATACENTERS", "EndpointJob", "FlashApp", "ResourceManager"})
)

_BINOPS = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "//": operator.floordiv,
    "/": operator.truediv,
    "%": operator.mod,
    "**": operator.pow,
}
_MAX_DEPTH = 40
# Project helpers are followed this many calls deep (a shim's `endpoint_class()` calls
# `_sdk()`, which calls `importlib.import_module`): enough for real code, bounded for any.
MAX_HELPER_FRAMES = 3
# A value with more candidates than this is simply unknown.
MAX_CANDIDATES = 16
# A class and the project base classes walked for it (methods, fields, App or settings bases).
MAX_LINEAGE = 16
CONVERTERS = {"int": int, "float": float, "str": str, "bool": bool}
# `list(deps)`, `tuple(WORKERS)` of a known list or tuple: the same items (a factory's
# `dependencies=list(deps)`); of anything else (a string, a dict, a generator) unknown.
SEQUENCE_CONVERTERS = {"list": list, "tuple": tuple}
_UNRESOLVED = object()  # `_evaluate_call_uncached` resolves the callee itself
IMPORTERS = frozenset({"importlib.import_module", "import_module", "__import__"})
# `value.strip()` and its kin without arguments: a known string stays known (an environment
# read's default too, still noted as one), as `os.getenv("NAME", "x").strip()` helpers use it.
STR_METHODS = {
    "strip": str.strip,
    "lstrip": str.lstrip,
    "rstrip": str.rstrip,
    "lower": str.lower,
    "upper": str.upper,
    "casefold": str.casefold,
    # `os.getenv("GPUS", "ADA_24,AMPERE_24").split(",")`: a list of strings; the separator,
    # when given, is one literal string (checked in _str_method)
    "split": str.split,
}
# `D.values()`, `D.keys()`, `D.items()` on a known dict: its entries, in order.
DICT_VIEWS = frozenset({"values", "keys", "items"})
# Block kinds whose assignments are alternatives: a name assigned in them has candidates.
_BRANCH_BLOCKS = frozenset({"if", "elif", "else", "try", "except", "finally", "match", "case"})
ENUM_MEMBERS = {
    "GpuGroup": flash_tables.GPU_GROUPS,
    "GpuType": flash_tables.GPU_TYPES,
    "CpuInstanceType": frozenset(flash_tables.CPU_INSTANCE_TYPES),
    "DataCenter": frozenset(flash_tables.DATACENTERS),
    "CudaVersion": frozenset(flash_tables.CUDA_VERSIONS),
    "ServerlessScalerType": flash_tables.SCALER_TYPES,
    "ServerlessType": flash_tables.SERVERLESS_TYPES,
}
# Each SDK enum's member values (`DataCenter("US-KS-2")` is `DataCenter.US_KS_2`): value ->
# member name. GpuGroup's values are its names, but for ANY ("any").
ENUM_VALUES = {
    "GpuGroup": {("any" if n == "ANY" else n): n for n in flash_tables.GPU_GROUPS},
    "GpuType": {v: n for n, v in flash_tables.GPU_TYPE_VALUES.items()},
    "CpuInstanceType": {v: n for n, v in flash_tables.CPU_INSTANCE_TYPES.items()},
    "DataCenter": {v: n for n, v in flash_tables.DATACENTERS.items()},
    "CudaVersion": {v: n for n, v in flash_tables.CUDA_VERSIONS.items()},
}
# Folding is bounded so that a few lines (`L2 = [*L1, *L1]`, `S2 = S1 + S1`, ...
# doubling twenty times) cannot take gigabytes, and so that every folded integer
# still prints (see syntax.MAX_INT_BITS). No Flash parameter comes near these
# sizes; past them a value is unknown.
MAX_ITEMS = 10_000
MAX_STRING = 100_000


@dataclass(frozen=True)
class FlashSymbol:
    name: str
    package: str


@dataclass(frozen=True)
class Exhausted:
    """A lookup that hit a depth or cycle bound: unknown, and said so (never dropped)."""

    name: str


@dataclass(frozen=True, slots=True)
class SettingsRead:
    """A pydantic-settings field read (`settings.model_id`): the environment variable it
    comes from, whether names are case-sensitive, whether the field has a default."""

    variable: str
    case_sensitive: bool
    has_default: bool
    text: str
    # Other variables that give the field as well: the later names of an `AliasChoices`,
    # a nested model's own variable (`APP_DB`, JSON) beside `APP_DB__URL`
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bound:
    """A helper's parameter bound to its argument while the helper's body is evaluated."""

    value: Value


# Where a comprehension's iterable sits among its items (its condition, if any, follows).
_ITERABLE_AT = {"dictcomp": 2, "listcomp": 1}


@dataclass(frozen=True)
class Instance:
    """An instance of a project class (a settings object): its attributes are the class's
    literal defaults, or the keywords it was built with."""

    path: str
    cls: ClassDef
    kwargs: tuple[tuple[str, Value], ...] = ()

    def __hash__(self) -> int:  # pragma: no cover - identity is enough
        return id(self)


class RecordTuple(tuple):
    """An instance of a project `typing.NamedTuple` class: a tuple of its fields' values (what
    `workers=SPEC`, `tuple(SPEC)` and `SPEC[0]` see) that also reads as `SPEC.field` and
    `SPEC._asdict()` through `record`, the Instance it was built as."""

    record: Instance

    def __new__(cls, items, record: Instance):
        made = super().__new__(cls, items)
        made.record = record
        return made


@dataclass(frozen=True)
class ModuleRef:
    module: str
    path: str | None  # project file, or None for a Flash (or unknown) module
    flash_package: str | None = None


def is_flash_module(module: str) -> str | None:
    head = module.split(".", 1)[0]
    return head if head in FLASH_PACKAGES else None


def sdk_package(module: str) -> str | None:
    """The SDK package `module` belongs to: a Flash package or runpod 2.0's `runpod`."""
    head = module.split(".", 1)[0]
    return head if head in FLASH_PACKAGES or head == SDK2_PACKAGE else None


def symbols_of(package: str) -> frozenset[str]:
    return SDK2_SYMBOLS if package == SDK2_PACKAGE else FLASH_SYMBOLS


def factories_of(package: str) -> frozenset[str]:
    return SDK2_FACTORIES if package == SDK2_PACKAGE else OBJECT_FACTORIES


# The text of the dict a helper's `**kw` parameter collects from its caller's keywords.
_COLLECTED = "**<keywords of the call>"


# Comparison operators on plain values (`is`/`is not` are `_compared`'s own).
_COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda a, b: operator.contains(b, a),
    "not in": lambda a, b: not operator.contains(b, a),
}
_NOT_PLAIN = object()


def _plain(value):
    """A known value as the Python object it is (tuples and lists of Values unwrapped), or
    _NOT_PLAIN for what this model does not compare (SDK enums, calls, instances)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        items = []
        for item in value:
            inner = _plain(item.value) if isinstance(item, Value) and item.known else _NOT_PLAIN
            if inner is _NOT_PLAIN:
                return _NOT_PLAIN
            items.append(inner)
        return type(value)(items)
    return _NOT_PLAIN


def _member_attr(member: Value, expr: Expr, path: str) -> Value:
    """`.value` or `.name` of a project Enum member, which reads as its value (via
    `Size.SMALL`, whose last part is its name)."""
    if not member.known:
        return Value.unknown(expr.text, expr.span, path)
    if expr.value == "name" and member.via:
        return Value(member.via.rsplit(".", 1)[-1], True, expr.span, expr.text, path=path)
    if expr.value == "name":
        return Value.unknown(expr.text, expr.span, path)
    return dataclasses.replace(member, span=expr.span, path=path, text=expr.text, enum_member=None)


def _is_enum_class(cls: ClassDef) -> bool:
    """A project class deriving from an Enum (`Enum`, `StrEnum`, `enum.IntEnum`, ...)."""
    return any(b.text.rsplit(".", 1)[-1].endswith("Enum") for b in cls.bases)


def truthiness(value) -> bool | None:
    """Python truthiness of a known value, None when this model cannot tell."""
    if value is None or isinstance(value, (bool, int, float, str, bytes, list, tuple, dict)):
        return bool(value)
    return True if isinstance(value, (EnumRef, Opaque)) else None


class ModuleIndex:
    """Every parsed file of one project, and name lookup across them."""

    def __init__(self, files: dict[str, FileFacts], known_paths=(), loader=None, installs=None):
        self.files = files
        # runpod 2.0 problems of no declaration, (code, message, path, span): set by
        # frontend_runpod2.discover_runpod2 (a route marker on a module-level function)
        self.runpod2_stray: list = []
        # (path, SDK module) -> whether the app of `path` names that module's distribution in
        # a requirement or lock file: decides a `try`/`except ImportError` pair of SDK imports.
        self.installs = installs
        # Import bindings (path, span) that a `try`/`except ImportError` pair does not use: the
        # try body's, when only the fallback's package is installed, else the fallback's.
        self.unused_imports: set[tuple[str, Span]] = set()
        # Every file of the file set can be imported from, parsed or not; files
        # that were not parsed up front are parsed by `loader` on first use.
        self.known_paths = set(known_paths) | set(files)
        self.loader = loader
        self._module_index: dict[str, list[str]] = {}
        for path in self.known_paths:
            self._index_module(path)
        self._module_assigns: dict[str, dict[str, Assignment]] = {}
        self._importers: tuple[int, dict] | None = None
        self._prefixes: dict[str, tuple[int, dict[str, list[str]]]] = {}
        self._local_assigns: dict[tuple[str, Span], dict[str, Assignment]] = {}
        self._imports: dict[str, dict[str, ImportBinding]] = {}
        self._star_imports: dict[str, list[ImportBinding]] = {}
        self._functions: dict[str, dict[str, FunctionDef]] = {}
        self._classes: dict[str, dict[str, ClassDef]] = {}
        # (path, namespace, name) -> every assignment of that name there, in source order;
        # only names assigned more than once (the rest: assignments_of)
        self._rebound: dict[tuple, list[Assignment]] = {}
        # (path, namespace, name) -> the in-place changes made to it there (writes.py)
        self._writes: dict[tuple, list[ItemWrite]] = {}
        self._written: dict[tuple[str, Span | None], set[str]] = {}  # (path, namespace) -> names
        self._call_statements: dict[str, list[ItemWrite]] = {}  # path -> `configure(ENV)`
        self._changing: dict[str, tuple] = {}  # path -> _changing_calls' answer
        self._aliases: dict[tuple, list[str]] = {}  # (path, namespace, name) -> `alias = name`
        self._frames: list[tuple[tuple[str, Span], dict[str, Value]]] = []
        # id(App object) -> (path, class) for an App built from a project subclass of
        # runpod.App: its own methods (`app.gpu_queue(...)`) are followed with `self` bound
        self._app_classes: dict[int, tuple[str, ClassDef]] = {}
        # A dict comprehension's loop name while its body is evaluated, keyed like a frame
        # by (path, namespace); calls are not memoised meanwhile (their value varies by item).
        self._loops: list[tuple[tuple[str, Span | None], dict[str, Value]]] = []
        # (path, span) of objects a helper call built: the factory's own body is no declaration
        self.factory_made: set[tuple[str, Span]] = set()
        self.factory_objects: dict[int, Opaque] = {}  # id -> the object a factory call built
        # id -> (the `app.queue(...)` decorator object, "queue"/"api"/"task", the App's Value)
        self.app_decorators: dict[int, tuple[Opaque, str, Value]] = {}
        # (path, span, text) where a bound was hit, for diagnostics and tests
        self.exhausted: list[tuple[str, Span | None, str]] = []
        for path, facts in files.items():
            self._index_file(path, facts)
        self._memo: dict[tuple, Value] = {}
        self._in_progress: set[tuple] = set()
        # Which files each memoised evaluation consulted (see `files_behind`): the
        # pre-commit hook reports a finding when any file its verdict depends on changed.
        self._consulted: set[str] | None = None
        self._memo_files: dict[tuple, frozenset[str]] = {}
        self._file_sets: dict[frozenset[str], frozenset[str]] = {}
        self._keep_files = True  # until the dependency record is made (forget_files_behind)
        # id(container) -> (container, number of values in it): see _too_big.
        self._weights: dict[int, tuple[Any, int]] = {}
        # ids of unknown values that came out of a hit bound (see resolve_symbol)
        # Held, not only their ids: a freed value's id is reused by an unrelated one (a
        # `router = APIRouter()` then looked exhausted and became an unresolved declaration).
        self._bounded: dict[int, Value] = {}

    # -- indexing ---------------------------------------------------------
    def _index_module(self, path: str) -> None:
        parts = path[:-3].split("/") if path.endswith(".py") else path.split("/")
        if parts and parts[-1] == "__init__":
            parts = parts[:-1]
        # Every dotted suffix names the module: the project root is not known,
        # so `from workers.gpu import x` matches `app/workers/gpu.py` too.
        for start in range(len(parts)):
            self._module_index.setdefault(".".join(parts[start:]), []).append(path)

    def _index_file(self, path: str, facts: FileFacts) -> None:
        module_assigns: dict[str, Assignment] = {}
        for assign in facts.assignments:
            names = (
                module_assigns
                if assign.namespace is None
                else self._local_assigns.setdefault((path, assign.namespace), {})
            )
            previous = names.get(assign.target)
            if previous is not None:
                key = (path, assign.namespace, assign.target)
                group = self._rebound.get(key)
                if group is None:
                    self._rebound[key] = [previous, assign]
                else:
                    group.append(assign)
            names[assign.target] = assign
        self._module_assigns[path] = module_assigns
        for write in facts.writes:
            if write.op == "call":  # `configure(ENV)`: see _changed_by_call
                self._call_statements.setdefault(path, []).append(write)
                continue
            self._writes.setdefault((path, write.namespace, write.target), []).append(write)
            self._written.setdefault((path, write.namespace), set()).add(write.target)
        for assign in facts.assignments:
            if assign.value.kind == "identifier" and assign.value.text.isidentifier():
                # `env = ENV`: one object under two names; a change through either counts
                key = (path, assign.namespace, assign.value.text)
                self._aliases.setdefault(key, []).append(assign.target)
        imports: dict[str, ImportBinding] = {}
        for binding in facts.imports:
            if binding.local == "*":
                self._star_imports.setdefault(path, []).append(binding)
                continue
            tried = imports.get(binding.local)
            if tried is not None and is_fallback(binding):
                # `try: from runpod_flash import X` / `except ImportError: from tetra_rp import
                # X`: the name is the try body's wherever that import works; the fallback's
                # only when the app installs its package and not the try body's.
                if not is_fallback(tried) and self._installs_instead(path, tried, binding):
                    imports[binding.local] = binding
                    self.unused_imports.add((path, tried.span))
                else:
                    self.unused_imports.add((path, binding.span))
                continue
            imports[binding.local] = binding
        self._imports[path] = imports
        self._functions[path] = {f.name: f for f in facts.functions if f.namespace is None}
        self._classes[path] = {c.name: c for c in facts.classes if c.namespace is None}

    def _installs_instead(self, path: str, tried: ImportBinding, fallback: ImportBinding) -> bool:
        first, second = (sdk_package(b.module) for b in (tried, fallback))
        if self.installs is None or first is None or second is None or first == second:
            return False
        return self.installs(path, second) and not self.installs(path, first)

    def body_of(self, path: str, expr: Expr) -> BodyFacts:
        """The body facts of the function or class a call form is applied to: a module-level
        definition of this file, else of the module it is imported from; a bare record when it
        is neither (a lambda, an attribute, a call result)."""
        bare = BodyFacts(name=expr.text, span=expr.span, path=path)
        if expr.kind != "name":
            return bare
        files = self.files
        own = files.get(path)
        # The file's own definition first: `Inference = app.api(...)(Inference)` rebinds it.
        for facts in (own,) if own is not None else ():
            found = facts.helper_bodies.get(expr.value) or facts.class_bodies.get(expr.value)
            if found is not None:
                return found
        home = self.lookup(path, expr.value, None)
        if isinstance(home, tuple) and home[0] != path and home[0] in files:
            facts = files[home[0]]
            name = getattr(home[1], "name", expr.value)
            return facts.helper_bodies.get(name) or facts.class_bodies.get(name) or bare
        return bare

    def add_file(self, facts: FileFacts) -> None:
        if facts.path not in self.known_paths:
            self.known_paths.add(facts.path)
            self._index_module(facts.path)
        self.files[facts.path] = facts
        self._index_file(facts.path, facts)

    def ensure_parsed(self, path: str) -> bool:
        if path in self.files:
            return True
        if self.loader is None or path not in self.known_paths:
            return False
        facts = self.loader(path)
        if facts is None:
            return False
        self.add_file(facts)
        return True

    def importers(self) -> dict[str, list[tuple[str, ImportBinding, str]]]:
        """Who imports each project module, computed once per set of parsed files:
        {module path: [(importer, binding, how)]}, `how` being "module" (`import
        pkg.builder [as b]`), "name" (`from pkg.builder import make`) or "submodule" (`from pkg
        import builder`). Lets a question about one module's importers skip every other file."""
        cached = self._importers
        if cached is not None and cached[0] == len(self.files):
            return cached[1]
        index: dict[str, list[tuple[str, ImportBinding, str]]] = {}
        for path, facts in self.files.items():
            for binding in facts.imports:
                found = self.find_module(path, binding.module, binding.level)
                if found is not None:
                    how = "module" if binding.name is None else "name"
                    index.setdefault(found, []).append((path, binding, how))
                if binding.name not in (None, "*"):
                    sub = f"{binding.module}.{binding.name}" if binding.module else binding.name
                    found = self.find_module(path, sub, binding.level)
                    if found is not None:
                        index.setdefault(found, []).append((path, binding, "submodule"))
        self._importers = (len(self.files), index)
        return index

    def find_module(self, from_path: str, module: str, level: int) -> str | None:
        """The project file for `module` imported from `from_path`, if any."""
        if level:
            base = from_path.split("/")[:-1]
            if level > 1:
                base = base[: len(base) - (level - 1)]
            rel = "/".join(base + (module.split(".") if module else []))
            for candidate in (f"{rel}.py", f"{rel}/__init__.py"):
                if candidate.lstrip("/") in self.known_paths:
                    return candidate.lstrip("/")
            return None
        candidates = self._module_index.get(module)
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        # Prefer the file closest to the importer: the deepest directory of `from_path` that
        # holds a candidate, then the shortest path there (the first, in index order, of equals).
        by_prefix = self._by_prefix(module, candidates)
        here = from_path.split("/")
        for depth in range(len(here), -1, -1):
            group = by_prefix.get("/".join(here[:depth]))
            if group:
                return min(group, key=len)
        return None

    def _by_prefix(self, module: str, candidates: list[str]) -> dict[str, list[str]]:
        """{directory: the candidates below it}, for every directory of every candidate: one
        dict lookup per level of the importer instead of a comparison per candidate (a tree of
        many apps has a `builder.py` in each)."""
        cached = self._prefixes.get(module)
        if cached is not None and cached[0] == len(candidates):
            return cached[1]
        out: dict[str, list[str]] = {}
        for candidate in candidates:
            parts = candidate.split("/")
            for depth in range(len(parts) + 1):  # the file itself too: a module's own name
                out.setdefault("/".join(parts[:depth]), []).append(candidate)
        self._prefixes[module] = (len(candidates), out)
        return out

    # -- lookup -------------------------------------------------------------
    def lookup(self, path: str, name: str, namespace: Span | None, depth: int = 0, seen=None):
        """What `name` means in `path`: (path, Assignment | FunctionDef | ClassDef),
        FlashSymbol, ModuleRef, Bound, Exhausted or None. Every hop (import, re-export, star
        import) counts towards the depth bound and is visited once."""
        if depth > _MAX_DEPTH:
            self.exhausted.append((path, None, name))
            return Exhausted(name)
        if not self.ensure_parsed(path):
            return None
        seen = set() if seen is None else seen
        if (path, name) in seen:
            return None  # a cycle of imports: this module was already asked
        seen.add((path, name))
        if self._consulted is not None:
            self._consulted.add(path)
        for key, bindings in reversed(self._loops):
            if key == (path, namespace) and name in bindings:
                return Bound(bindings[name])
        if namespace is not None:
            local = self._local_assigns.get((path, namespace), {})
            for key, bindings in reversed(self._frames):
                if key == (path, namespace) and name in bindings:
                    rebound = local.get(name)
                    if rebound is None or ("assign", path, rebound.span) in self._in_progress:
                        # the parameter itself, or read by the body's own rebinding of it
                        # (`kw = {k: v for k, v in kw.items() if ...}`)
                        return Bound(bindings[name])
                    return (path, rebound)  # the body rebinds the parameter: its new value
            if name in local:
                return (path, local[name])
        assign = self._module_assigns.get(path, {}).get(name)
        if assign is not None:
            return (path, assign)
        function = self._functions.get(path, {}).get(name)
        if function is not None:
            return (path, function)
        cls = self._classes.get(path, {}).get(name)
        if cls is not None:
            return (path, cls)
        binding = self._imports.get(path, {}).get(name)
        if binding is not None:
            return self._follow_import(path, binding, depth, seen)
        for star in self._star_imports.get(path, []):
            package = sdk_package(star.module) if not star.level else None
            if package and name in symbols_of(package):
                return FlashSymbol(name, package)
            target = self.find_module(path, star.module, star.level)
            if target and target != path:
                found = self.lookup(target, name, None, depth + 1, seen)
                if found is not None:
                    return found
        return None

    def _follow_import(self, path: str, binding: ImportBinding, depth: int, seen=None):
        package = sdk_package(binding.module) if not binding.level else None
        if package:
            if binding.name is None:
                return ModuleRef(binding.module, None, package)
            if binding.name in symbols_of(package):
                return FlashSymbol(binding.name, package)
            return ModuleRef(f"{binding.module}.{binding.name}", None, package)
        if binding.name is None:
            target = self.find_module(path, binding.module, binding.level)
            return ModuleRef(binding.module, target)
        target = self.find_module(path, binding.module, binding.level)
        if target is not None and target != path:
            found = self.lookup(target, binding.name, None, depth + 1, seen)
            if found is not None:
                return found
        sub = f"{binding.module}.{binding.name}" if binding.module else binding.name
        sub_target = self.find_module(path, sub, binding.level)
        if sub_target is not None:
            return ModuleRef(sub, sub_target)
        return None

    def _attribute(self, base: Any, attr: str, depth: int = 0):
        if isinstance(base, ModuleRef):
            if base.flash_package:
                if attr in symbols_of(base.flash_package):
                    return FlashSymbol(attr, base.flash_package)
                return ModuleRef(f"{base.module}.{attr}", None, base.flash_package)
            if base.path is not None:
                found = self.lookup(base.path, attr, None, depth + 1)
                if found is not None:
                    return found
            sub = self.find_module(base.path or "", f"{base.module}.{attr}", 0)
            if sub is not None:
                return ModuleRef(f"{base.module}.{attr}", sub)
        return None

    # -- evaluation ---------------------------------------------------------
    def evaluate(
        self, expr: Expr, path: str, namespace: Span | None = None, depth: int = 0
    ) -> Value:
        if depth > _MAX_DEPTH:
            self.exhausted.append((path, expr.span, expr.text))
            return Value.unknown(expr.text, expr.span, path)
        kind = expr.kind
        if kind == "fstring":
            return self._evaluate_fstring(expr, path, namespace, depth)
        if kind == "ifexp":
            return self._evaluate_ifexp(expr, path, namespace, depth)
        if kind == "lit":
            return Value(expr.value, True, expr.span, expr.text, path=path)
        if kind in ("name", "attr"):
            return self._evaluate_reference(expr, path, namespace, depth)
        if kind in ("tuple", "list"):
            return self._evaluate_sequence(expr, path, namespace, depth)
        if kind == "dict":
            entries = [(k, v, s) for k, v, s in expr.keywords]
            return self._evaluate_mapping(entries, expr, path, namespace, depth)
        if kind == "dictcomp":
            return self._evaluate_dictcomp(expr, path, namespace, depth)
        if kind == "listcomp":
            return self._evaluate_listcomp(expr, path, namespace, depth)
        if kind == "call":
            return self._evaluate_call(expr, path, namespace, depth)
        if kind == "binop":
            return self._evaluate_binop(expr, path, namespace, depth)
        if kind == "boolop":
            return self._evaluate_boolop(expr, path, namespace, depth)
        if kind == "unary":
            operand = self.evaluate(expr.items[0], path, namespace, depth + 1)
            value = operand.value
            if operand.known and isinstance(value, (int, float)) and not isinstance(value, bool):
                if expr.value == "-":
                    return Value(-value, True, expr.span, expr.text, path=path)
                if expr.value == "+":
                    return Value(value, True, expr.span, expr.text, path=path)
            return Value.unknown(expr.text, expr.span, path)
        if kind == "subscript":
            return self._evaluate_subscript(expr, path, namespace, depth)
        if kind == "named":  # `(n := "x")` is "x"
            return self.evaluate(expr.items[0], path, namespace, depth + 1)
        return Value.unknown(expr.text, expr.span, path)

    def _evaluate_dictcomp(self, expr: Expr, path, namespace, depth) -> Value:
        """`{k: os.environ[k] for k in FORWARDED}` over a known tuple or list: one entry per
        item, each evaluated with the loop name bound to it."""
        key_expr, value_expr = expr.items[:2]
        unknown = Value.unknown(expr.text, expr.span, path)
        loop = self.comprehension_bindings(expr, path, namespace, depth)
        if loop is None:
            return unknown
        result: dict[Any, Value] = {}
        for bindings in loop:
            self._loops.append(((path, namespace), bindings))
            try:
                key = self.evaluate(key_expr, path, namespace, depth + 1)
                value = self.evaluate(value_expr, path, namespace, depth + 1)
            finally:
                self._loops.pop()
            if not key.known or not isinstance(key.value, (str, int)):
                return unknown
            result[key.value] = value
        out = Value(result, True, expr.span, expr.text, path=path)
        return unknown if self._too_big(out) else out

    def _evaluate_listcomp(self, expr: Expr, path, namespace, depth) -> Value:
        """`[GpuGroup[n] for n in NAMES]`, `[s.value for s in Size]` over a known tuple or
        list: one element per item, each evaluated with the loop name bound to it."""
        loop = self.comprehension_bindings(expr, path, namespace, depth)
        if loop is None:
            return Value.unknown(expr.text, expr.span, path)
        items: list[Value] = []
        for bindings in loop:
            self._loops.append(((path, namespace), bindings))
            try:
                items.append(self.evaluate(expr.items[0], path, namespace, depth + 1))
            finally:
                self._loops.pop()
        out = Value(items, True, expr.span, expr.text, path=path)
        return Value.unknown(expr.text, expr.span, path) if self._too_big(out) else out

    def comprehension_bindings(
        self, expr: Expr, path, namespace, depth: int = 0
    ) -> list[dict[str, Value]] | None:
        """The loop names' values, one dict per iteration, of a `dictcomp` (or a `listcomp`)
        over a known tuple or list (`D.items()` of a known dict is one); `for k, v in
        MODELS.items()` unpacks each item. None when the iterable is not known or an item
        does not unpack."""
        names = expr.value.split(",")
        at = _ITERABLE_AT[expr.kind]
        found = self.evaluate(expr.items[at], path, namespace, depth + 1)
        if not found.known:  # `for s in Size`: a project Enum's members
            found = self._enum_members(expr.items[at], path, namespace, depth) or found
        if not found.known or found.partial or not isinstance(found.value, (tuple, list)):
            return None
        if len(found.value) > MAX_ITEMS:
            return None
        out = [bind_loop_names(names, item) for item in found.value]
        if any(bindings is None for bindings in out):
            return None
        if len(expr.items) > at + 1:
            return self._filtered(expr.items[at + 1], out, path, namespace, depth)
        return out

    def _compared(self, operators, operands, expr: Expr, path, namespace, depth) -> Value:
        """A comparison chain of known plain values (str, numbers, None, tuples and lists of
        them), as Python decides it; `is`/`is not` only against None or between members of
        project Enums (whose identity is their value here). Unknown otherwise."""
        unknown = Value.unknown(expr.text, expr.span, path)
        values = [self.evaluate(o, path, namespace, depth + 1) for o in operands]
        if not all(v.known for v in values):
            return unknown
        plain = [_plain(v.value) for v in values]
        if any(p is _NOT_PLAIN for p in plain):
            return unknown
        for i, op in enumerate(operators):
            left, right = plain[i], plain[i + 1]
            if op in ("is", "is not"):
                members = all(
                    self._enum_value(v, path, namespace, depth) for v in values[i : i + 2]
                )
                if left is not None and right is not None and not members:
                    return unknown
                result = left == right if members else left is right
                result = result if op == "is" else not result
            elif op in _COMPARE:
                try:
                    result = _COMPARE[op](left, right)
                except TypeError:
                    return unknown  # what Python raises: not this model's to say
            else:
                return unknown
            if not result:
                return Value(False, True, expr.span, expr.text, path=path)
        return Value(True, True, expr.span, expr.text, path=path)

    def _enum_members(self, expr: Expr, path, namespace, depth) -> Value | None:
        """Iterating a project Enum class (`[s.value for s in Size]`): its members in
        definition order, each read as its value (an alias, a second name for a value, is
        not iterated, as in Python). None when it is not one or a member's value is unknown
        (`auto()`)."""
        if expr.kind not in ("name", "attr"):
            return None
        owner = self.resolve_symbol(expr, path, namespace, depth + 1)
        if not (isinstance(owner, tuple) and isinstance(owner[1], ClassDef)):
            return None
        home, cls = owner
        if not any(b.text.rsplit(".", 1)[-1].endswith("Enum") for b in cls.bases):
            return None
        body = self._local_assigns.get((home, cls.span), {})
        names = sorted(
            (a.span.line, a.span.column, name) for name, a in body.items() if name[:1] != "_"
        )
        items, seen = [], []
        for _, _, name in names:
            member = Expr("attr", expr.span, f"{expr.text}.{name}", name, (expr,))
            value = self.evaluate(member, path, namespace, depth + 1)
            plain = _plain(value.value) if value.known else _NOT_PLAIN
            if plain is _NOT_PLAIN:
                return None
            if plain not in seen:
                seen.append(plain)
                items.append(value)
        if not items or len(items) > MAX_ITEMS:
            return None
        return Value(items, True, expr.span, expr.text, path=path)

    def _enum_value(self, value: Value, path, namespace, depth) -> bool:
        """Whether `value` is a member of a project Enum (read as its value: `Pool.B`, or a
        loop name bound to one)."""
        via = dotted_expr(value.via, 1, 1) if value.via else None
        return via is not None and self._project_enum_member(via, path, namespace, depth)

    def _filtered(self, condition: Expr, loop: list, path, namespace, depth) -> list | None:
        """The iterations an `if` keeps. A test the deployer's environment decides
        (`if value` for `os.getenv("HF_TOKEN")`) keeps its item: it is what the code sends
        whenever the variable is set. None when a test cannot be read."""
        kept = []
        for bindings in loop:
            self._loops.append(((path, namespace), bindings))
            try:
                parts = comparison(condition)
                if parts is not None:  # `if n != "X"`, `if p is not Pool.B`
                    test = self._compared(*parts, condition, path, namespace, depth + 1)
                else:
                    test = self.evaluate(condition, path, namespace, depth + 1)
            finally:
                self._loops.pop()
            truth = truthiness(test.value) if test.known else None
            if test.env_key:
                truth = True  # set or not when the deployer runs it
            if truth is None:
                return None
            if truth:
                kept.append(bindings)
        return kept

    def _evaluate_subscript(self, expr: Expr, path, namespace, depth) -> Value:
        enum = self.resolve_symbol(expr.items[0], path, namespace, depth + 1)
        if isinstance(enum, FlashSymbol) and enum.name in ENUMS:  # `GpuType[NAME]`
            index = self.evaluate(expr.items[1], path, namespace, depth + 1)
            return self._lift(
                [index],
                lambda v: self._enum_member(enum, v[0], None, expr, path, "KeyError"),
                expr,
                path,
            )
        dotted = expr.items[0].dotted()
        if dotted is not None and self.env_dotted(dotted, path) != dotted:
            # `ENV["K"]` with `from os import environ as ENV`: read when the code runs, as
            # `os.environ["K"]` is (whose text the rules recognise); the variable is kept.
            read = Value.unknown(expr.text, expr.span, path)
            key = self.evaluate(expr.items[1], path, namespace, depth + 1)
            read.env_key = key.value if key.known and isinstance(key.value, str) else None
            return read
        base = self.evaluate(expr.items[0], path, namespace, depth + 1)
        index = self.evaluate(expr.items[1], path, namespace, depth + 1)
        # An unknown key: any entry may be the one deployed, so the entries are candidate
        # values (rules.md).
        unknown_key = not index.known and not index.candidates
        if unknown_key and base.known and isinstance(base.value, dict) and not base.partial:
            return self._candidates(list(base.value.values()), expr, path)
        return self._lift([base, index], lambda v: self._item(v[0], v[1], expr, path), expr, path)

    def _item(self, base: Value, index: Value, expr: Expr, path: str) -> Value:
        """`base[index]` for one known container and key. A key the environment chooses
        (`CONFIG[os.getenv("STAGE", "dev")]`) is its default, as everywhere (rules.md "value
        with an environment default"): the entry is the default key's, marked with the
        variable that can override it, and so is whatever is read from it next
        (`CFG = CONFIG[STAGE]`, then `CFG["workers"]`)."""
        if not (base.known and index.known and isinstance(base.value, (dict, tuple, list))):
            return Value.unknown(expr.text, expr.span, path)
        try:
            item = base.value[index.value]
        except (KeyError, IndexError, TypeError):
            return Value.unknown(expr.text, expr.span, path)
        env = item.env_key or index.env_key or base.env_key
        # Read through a constant (`CONF["workers"]` with CONF in settings.py): reported at the
        # use, naming what it came through, as the constant itself is.
        via = expr.text if base.via else item.via
        return dataclasses.replace(
            item, span=expr.span, path=path, text=expr.text, env_key=env, via=via
        )

    def resolve_symbol(self, expr: Expr, path: str, namespace: Span | None, depth: int = 0):
        """What a name/attribute chain refers to: a FlashSymbol, ModuleRef, project definition
        ((path, FunctionDef | ClassDef | Assignment)), Exhausted (a bound was hit) or None."""
        if depth > _MAX_DEPTH:
            self.exhausted.append((path, expr.span, expr.text))
            return Exhausted(expr.text)
        if expr.kind == "name":
            found = self.lookup(path, expr.value, namespace, depth)
            if isinstance(found, tuple) and isinstance(found[1], Assignment):
                # `E = Endpoint` style aliases, and `Endpoint = endpoint_class()` shims
                before = len(self.exhausted)
                value = self._evaluate_assignment(found[0], found[1], depth + 1)
                if value.known and isinstance(value.value, (FlashSymbol, ModuleRef)):
                    return value.value
                bounded = self._bounded.get(id(value)) is value
                if not value.known and (len(self.exhausted) > before or bounded):
                    self._bounded[id(value)] = value
                    return Exhausted(expr.text)
            if isinstance(found, Bound):
                bound = found.value
                if bound.known and isinstance(bound.value, (FlashSymbol, ModuleRef)):
                    return bound.value
            return found
        if expr.kind == "attr":
            base = self.resolve_symbol(expr.items[0], path, namespace, depth + 1)
            if isinstance(base, Exhausted):
                return base
            if not isinstance(base, (ModuleRef, FlashSymbol)) and expr.items[0].kind == "call":
                # `_sdk().Endpoint`: a helper that returns a Flash module
                value = self.evaluate(expr.items[0], path, namespace, depth + 1)
                if value.known and isinstance(value.value, (ModuleRef, FlashSymbol)):
                    base = value.value
            if isinstance(base, (ModuleRef, FlashSymbol)):
                if isinstance(base, FlashSymbol):
                    return base if base.name in ENUMS else None
                return self._attribute(base, expr.value, depth)
        return None

    def _evaluate_reference(self, expr: Expr, path, namespace, depth) -> Value:
        # Recorded (not memoised) so that `files_behind` can name the module a keyword's
        # constant came from, e.g. `@remote(idle_timeout=config.IDLE)`.
        outer = self._start_recording()
        try:
            return self._evaluate_reference_uncached(expr, path, namespace, depth)
        finally:
            self._stop_recording(("ref", path, expr.span), path, outer)

    def _evaluate_reference_uncached(self, expr: Expr, path, namespace, depth) -> Value:
        if expr.kind == "attr":
            base_symbol = self.resolve_symbol(expr.items[0], path, namespace, depth + 1)
            if isinstance(base_symbol, FlashSymbol) and base_symbol.name in ENUMS:
                member = EnumRef(base_symbol.name, expr.value, base_symbol.package)
                return Value(member, True, expr.span, expr.text, path=path)
            if isinstance(base_symbol, ModuleRef):
                target = self._attribute(base_symbol, expr.value, depth)
                return self._symbol_value(target, expr, path, depth)
            if isinstance(base_symbol, tuple) and isinstance(base_symbol[1], ClassDef):
                value = self._class_field(base_symbol[0], base_symbol[1], (), expr, path, depth)
                if value.known and _is_enum_class(base_symbol[1]):
                    member = (base_symbol[0], base_symbol[1], expr.text)
                    value = dataclasses.replace(value, text=expr.text, enum_member=member)
                return value
            if (
                expr.value in ("value", "name")
                and isinstance(base_symbol, Bound)
                and base_symbol.value.known
                and self._enum_value(base_symbol.value, path, namespace, depth)
            ):
                # `s.value`, `s.name` where `for s in Size` bound `s` to a member
                return _member_attr(base_symbol.value, expr, path)
            if expr.value == "name" and self._project_enum_member(
                expr.items[0], path, namespace, depth
            ):
                member = self.evaluate(expr.items[0], path, namespace, depth + 1)
                return _member_attr(member, expr, path)
            if expr.value == "value" and self._project_enum_member(
                expr.items[0], path, namespace, depth
            ):
                # `Gpu.SMALL.value`: a member of a project Enum reads as its value already
                member = self.evaluate(expr.items[0], path, namespace, depth + 1)
                if member.known:
                    return dataclasses.replace(
                        member, span=expr.span, path=path, text=expr.text, enum_member=None
                    )
            # `settings.FIELD`, `get_settings().FIELD`, `BACKENDS["a"].name` (an instance
            # kept in a known container)
            # `settings.scaling.idle_timeout`: a config object held by a field of another
            if isinstance(base_symbol, (tuple, Bound)) or expr.items[0].kind in (
                "call",
                "subscript",
                "attr",
            ):
                base = self.evaluate(expr.items[0], path, namespace, depth + 1)
                inner = base.value if base.known else None
                if isinstance(inner, RecordTuple):  # `SPEC.gpu` on a NamedTuple instance
                    inner = inner.record
                if isinstance(inner, Instance):  # `settings.FIELD`, `get_settings().FIELD`
                    return self._class_field(inner.path, inner.cls, inner.kwargs, expr, path, depth)
                if isinstance(inner, FlashSymbol) and inner.name in ENUMS:
                    member = EnumRef(inner.name, expr.value, inner.package)
                    return Value(member, True, expr.span, expr.text, path=path)
                if isinstance(inner, ModuleRef):
                    target = self._attribute(inner, expr.value, depth)
                    return self._symbol_value(target, expr, path, depth)
            return Value.unknown(expr.text, expr.span, path)
        symbol = self.lookup(path, expr.value, namespace, depth)
        if namespace is None and isinstance(symbol, tuple) and symbol[0] == path:
            symbol = (path, self._in_effect_at(path, symbol[1], expr.span))
        value = self._symbol_value(symbol, expr, path, depth)
        if isinstance(symbol, tuple) and symbol[0] != path and isinstance(symbol[1], Assignment):
            # `from config import BASE_ENV` then `BASE_ENV["HF_TOKEN"] = ...` here: this
            # module's changes to the imported object count where this module reads it.
            writes = self._writes.get((path, None, expr.value))
            if writes:
                value = apply_writes(self, value, writes, path, depth + 1)
        return value

    def _in_effect_at(self, path: str, found, use: Span):
        """The module-level assignment a module-level read at `use` sees: the last one before
        it. A name the module binds again for the next declaration (`config =
        LiveServerless(...)`, `@remote(config)`, `config = CpuLiveServerless(...)`,
        `@remote(config)`) is a different value at each decorator, which runs at import.
        Only for plain top-level statements: a name assigned in a branch or loop keeps the
        candidate reading (rules.md "candidate values")."""
        if not isinstance(found, Assignment) or found.namespace is not None or self._loops:
            return found
        group = self._rebound.get((path, None, found.target))
        if group is None or group[-1] is not found or any(a.blocks for a in group):
            return found
        earlier = [a for a in group if a.statement_lines[1] < use.line]
        return earlier[-1] if earlier else found

    def _project_enum_member(self, expr: Expr, path: str, namespace, depth: int) -> bool:
        """`expr` is `Cls.MEMBER` of a project class deriving from an Enum."""
        if expr.kind != "attr":
            return False
        owner = self.resolve_symbol(expr.items[0], path, namespace, depth + 1)
        if not (isinstance(owner, tuple) and isinstance(owner[1], ClassDef)):
            return False
        return _is_enum_class(owner[1])

    def _symbol_value(self, symbol, expr: Expr, path: str, depth: int) -> Value:
        if isinstance(symbol, (FlashSymbol, ModuleRef)):
            return Value(symbol, True, expr.span, expr.text, path=path)
        if isinstance(symbol, Bound):
            return symbol.value
        if isinstance(symbol, tuple) and isinstance(symbol[1], Assignment):
            def_path, assign = symbol
            value = self._evaluate_assignment(def_path, assign, depth)
            origin = value.origin
            # Not a constant a call changes (`ENV (changed by add_secrets())`): that unknown is
            # the whole assignment, and the FG002 stays at its use.
            written = value.span is not None and value.span != assign.span
            if not value.known and origin is None and written:
                origin = (value.path or def_path, value.span)
            # Point at the use in this file and remember which constant it came through.
            # Candidates are named by the name they came through. A function's local holding
            # an environment read keeps the read (`os.getenv(key, "")`) as its text: messages
            # show that expression, where the local's name tells a reader nothing.
            keep_read = value.env_key and assign.namespace is not None and value.text
            named = (value.known and not keep_read) or value.candidates
            return dataclasses.replace(
                value,
                span=expr.span,
                path=path,
                text=expr.text if named else value.text,
                via=value.via or expr.text,
                origin=origin,
            )
        return Value.unknown(expr.text, expr.span, path)

    def _evaluate_assignment(self, path: str, assign: Assignment, depth: int) -> Value:
        key = ("assign", path, assign.span)
        # In a helper's frame or a loop's iteration (writes.py: `for k in KEYS: env[k] = v`),
        # a local's value depends on the names bound there.
        use_memo = not (assign.namespace is not None and (self._frames or self._loops))
        if use_memo and key in self._memo:
            self._note_files(key)
            return self._memo[key]
        if key in self._in_progress:
            return Value.unknown(assign.expr.text, assign.expr.span, path)
        self._in_progress.add(key)
        outer = self._start_recording()
        try:
            group = self.assignments_of(path, assign.namespace, assign.target)
            alternatives = _alternatives(group) if group and group[-1] is assign else []
            if len(alternatives) > 1:
                values = [self._assigned(a, path, depth) for a in alternatives]
                value = self._candidates(values, assign.expr, path)
            else:
                value = self._assigned(assign, path, depth)
            writes = self.writes_to(path, assign)
            if writes:
                writes = writes_of(writes, assign, group or [assign])
                value = apply_writes(self, value, writes, path, depth + 1)
            changer = self._changed_by_call(path, assign) if assign.namespace is None else None
            if changer is not None and (value.known or value.candidates):
                text = f"{assign.target} (changed by {changer}())"
                value = Value.unknown(text, assign.span, path)
        finally:
            self._in_progress.discard(key)
            self._stop_recording(key, path, outer)
        if use_memo:
            self._memo[key] = value
        return value

    def local_assignments(self, path: str, namespace: Span) -> list[Assignment]:
        """The assignments of a function's own body (the last one per name)."""
        return list(self._local_assigns.get((path, namespace), {}).values())

    def aliases_of(self, path: str, assign: Assignment) -> tuple[str, ...]:
        """The names bound to what `assign` binds by `alias = name` in its own namespace."""
        return tuple(self._aliases.get((path, assign.namespace, assign.target), ()))

    def writes_to(self, path: str, assign: Assignment) -> list[ItemWrite]:
        """The in-place changes made to what `assign` binds, in its own namespace, through its
        name or an alias (`r = router`), in source order."""
        own = self._writes.get((path, assign.namespace, assign.target), [])
        aliases = self._aliases.get((path, assign.namespace, assign.target), ())
        if not aliases:
            return own
        through = [w for a in aliases for w in self._writes.get((path, assign.namespace, a), [])]
        return sorted([*own, *through], key=lambda w: (w.span.line, w.span.column))

    def _changed_by_call(self, path: str, assign: Assignment) -> str | None:
        """The helper a module-level call statement after `assign` runs that changes the name
        in place: given it as an argument (`add_secrets(ENV)`, the parameter changed inside),
        or a function of this file that changes the global itself (`_configure()`)."""
        calls, consulted = self._changing_calls(path)
        if self._consulted is not None:
            self._consulted |= consulted
        after = (assign.span.line, assign.span.column)
        for at, callee, names in calls:
            if at > after and assign.target in names:
                return callee
        return None

    def _changing_calls(self, path: str):
        """Once per file: each module-level call statement of a project helper that changes
        something in place, as (where, callee, the names of this module it changes), and
        the files resolving the callees consulted (the pre-commit hook's dependencies)."""
        cached = self._changing.get(path)
        if cached is not None:
            return cached
        outer, self._consulted = self._consulted, set()
        calls = []
        try:
            for write in self._call_statements.get(path, ()):
                call = write.value.expr() if write.value is not None else None
                found = self.lookup(path, write.target, None) if call is not None else None
                if call is None or call.kind != "call":
                    continue
                if not (isinstance(found, tuple) and isinstance(found[1], FunctionDef)):
                    continue
                home, fn = found
                changed = self._written.get((home, fn.span), set())
                positional = [name for name, _, mode in fn.params if mode == ""]
                names = {
                    arg.value
                    for param, arg in zip(positional, call.items[1:], strict=False)
                    if param in changed and arg.kind == "name"
                }
                names |= {v.value for k, v, _ in call.keywords if k in changed and v.kind == "name"}
                if home == path:  # a global the function changes without binding it itself
                    inside = {name for name, _, _ in fn.params}
                    inside |= set(self._local_assigns.get((home, fn.span), {}))
                    names |= changed - inside
                if names:
                    calls.append(((write.span.line, write.span.column), write.target, names))
        finally:
            consulted, self._consulted = frozenset(self._consulted), outer
        self._changing[path] = (calls, consulted)
        return calls, consulted

    def _assigned(self, assign: Assignment, path: str, depth: int) -> Value:
        value = self.evaluate(assign.expr, path, assign.namespace, depth + 1)
        return _unpacked(value, assign, path) if assign.unpack[1] else value

    # -- which files an evaluation consulted ---------------------------------
    def _start_recording(self) -> set[str] | None:
        outer = self._consulted
        self._consulted = set()
        return outer

    def _stop_recording(self, key: tuple, path: str, outer: set[str] | None) -> None:
        files = self._consulted or set()
        files.add(path)
        consulted = frozenset(files)
        # Most evaluations consult the same few sets of files (often just their own): one
        # shared copy of each set, not one per memo entry.
        if self._keep_files:
            self._memo_files[key] = self._file_sets.setdefault(consulted, consulted)
        self._consulted = outer
        if outer is not None:
            outer |= files

    def _note_files(self, key: tuple) -> None:
        if self._consulted is not None:
            self._consulted |= self._memo_files.get(key, frozenset())

    def assignments_of(self, path: str, namespace: Span | None, name: str) -> list[Assignment]:
        """Every assignment of `name` in that namespace of `path`, in source order. A name
        assigned once (most are) is kept only in the per-namespace index: a big project has
        tens of thousands, and a list and key each were megabytes at the peak."""
        group = self._rebound.get((path, namespace, name))
        if group is not None:
            return group
        names = (
            self._module_assigns.get(path, {})
            if namespace is None
            else self._local_assigns.get((path, namespace), {})
        )
        only = names.get(name)
        return [only] if only is not None else []

    def forget_discovery_caches(self) -> None:
        """Drop what discovery and the dependency record were the main readers of (on a big
        tree, megabytes at the peak): the record `files_behind` reads (and keep no more),
        the containers' sizes, the snippets' conversions. Evaluation makes again what it
        reads again."""
        self._keep_files = False
        self._memo_files = {}
        self._file_sets = {}
        self._weights = {}
        forget_conversions()

    def forget_weights(self) -> None:
        """Drop the containers' sizes (`_weight`'s memo): a cache, and one entry per container
        evaluation met is ~1 MiB of a big tree by the end of evaluation."""
        self._weights = {}

    def files_behind(self, path: str, span: Span) -> frozenset[str]:
        """The files consulted to evaluate the call or name at `span` in `path` (the file
        itself included; empty when nothing was evaluated there)."""
        return self._memo_files.get(("call", path, span)) or self._memo_files.get(
            ("ref", path, span), frozenset()
        )

    # -- value flow (rules.md "value with an environment default", "candidate values") ------
    def _candidates(self, values: list[Value], expr: Expr, path: str) -> Value:
        flat: list[Value] = []
        for value in values:
            flat.extend(value.candidates if value.candidates else (value,))
        unique: list[Value] = []
        seen = set()
        for value in flat:
            if not value.known:
                return Value.unknown(expr.text, expr.span, path)
            marker = repr(value.plain())
            if marker not in seen:
                seen.add(marker)
                unique.append(value)
        if len(unique) > MAX_CANDIDATES:
            return Value.unknown(expr.text, expr.span, path)
        if len(unique) == 1:
            return dataclasses.replace(unique[0], span=expr.span, path=path)
        return Value(None, False, expr.span, expr.text, path=path, candidates=tuple(unique))

    def _lift(self, operands: list[Value], compute, expr: Expr, path: str) -> Value:
        """`compute` over known operands; over each combination when some have candidates."""
        if not any(o.candidates for o in operands):
            return compute(operands)
        combos: list[list[Value]] = [[]]
        for operand in operands:
            options = operand.candidates or (operand,)
            combos = [c + [o] for c in combos for o in options]
            if len(combos) > MAX_CANDIDATES:
                return Value.unknown(expr.text, expr.span, path)
        return self._candidates([compute(c) for c in combos], expr, path)

    def _evaluate_fstring(self, expr: Expr, path, namespace, depth) -> Value:
        parts = [self.evaluate(p, path, namespace, depth + 1) for p in expr.items]

        def join(values: list[Value]) -> Value:
            out = []
            for value in values:
                plain = value.value
                if not value.known or not isinstance(plain, (str, int, float)):
                    return Value.unknown(expr.text, expr.span, path)
                out.append(str(plain))
            text = "".join(out)
            if len(text) > MAX_STRING:
                return Value.unknown(expr.text, expr.span, path)
            env = next((v.env_key for v in values if v.env_key), None)
            return Value(text, True, expr.span, expr.text, path=path, env_key=env)

        return self._lift(parts, join, expr, path)

    def _evaluate_ifexp(self, expr: Expr, path, namespace, depth) -> Value:
        body, test, orelse = expr.items
        condition = self.evaluate(test, path, namespace, depth + 1)
        decided = condition.known and condition.env_key is None
        if decided and isinstance(condition.value, (str, int, float, bool, type(None))):
            chosen = body if condition.value else orelse
            return self.evaluate(chosen, path, namespace, depth + 1)
        values = [self.evaluate(e, path, namespace, depth + 1) for e in (body, orelse)]
        result = self._candidates(values, expr, path)
        test = self._member_test(test, path, namespace, depth)
        if test is not None and result.candidates is not None and len(result.candidates) == 2:
            # `A if hasattr(GpuType, "X") else B`, X in some releases only: one of the two,
            # decided once the release in use is known
            same = all(c is v for c, v in zip(result.candidates, values, strict=True))
            if same:
                result = dataclasses.replace(result, member_test=test)
        return result

    def _member_test(self, test: Expr, path, namespace, depth) -> tuple[str, str, str] | None:
        """(SDK module, enum, member) of a `hasattr(Enum, "MEMBER")` test on an SDK enum."""
        if test.kind != "call" or len(test.items) != 3 or test.keywords:
            return None
        func = test.items[0]
        if func.kind != "name" or func.value != "hasattr":
            return None
        if self.resolve_symbol(func, path, namespace, depth + 1) is not None:
            return None  # a project's own `hasattr`
        enum = self.resolve_symbol(test.items[1], path, namespace, depth + 1)
        if not (isinstance(enum, FlashSymbol) and enum.name in ENUMS):
            return None
        name = self.evaluate(test.items[2], path, namespace, depth + 1)
        if not name.known or name.candidates or not isinstance(name.value, str):
            return None
        return (enum.package, enum.name, name.value)

    def _env_read(self, expr: Expr, path, namespace, depth) -> Value:
        args = [a for a in expr.items[1:]]
        keywords = {name: e for name, e, _ in expr.keywords if name}
        if "default" in keywords and len(args) == 1:
            args.append(keywords.pop("default"))
        unknown = Value.unknown(expr.text, expr.span, path)
        if len(args) not in (1, 2) or keywords or any(a.kind == "starred" for a in args):
            return unknown
        key = self.evaluate(args[0], path, namespace, depth + 1)
        variable = key.value if key.known and isinstance(key.value, str) else None
        if len(args) == 1:
            # No default: known at run time only. The variable is kept for `getenv(K) or d`.
            unknown.env_key = variable
            return unknown
        default = self.evaluate(args[1], path, namespace, depth + 1)
        if variable is None or not default.known:
            return unknown
        return Value(default.value, True, expr.span, expr.text, path=path, env_key=variable)

    def _convert(self, name: str, expr: Expr, path, namespace, depth) -> Value:
        args = expr.items[1:]
        if len(args) != 1 or expr.keywords or args[0].kind == "starred":
            return Value.unknown(expr.text, expr.span, path)
        operand = self.evaluate(args[0], path, namespace, depth + 1)

        def convert(values: list[Value]) -> Value:
            value = values[0]
            raw = value.value
            if name in SEQUENCE_CONVERTERS:
                if not value.known or value.partial or not isinstance(raw, (list, tuple)):
                    return Value.unknown(expr.text, expr.span, path)
                items = SEQUENCE_CONVERTERS[name](raw)
                return Value(items, True, expr.span, expr.text, path=path)
            if not value.known or not isinstance(raw, (str, int, float, bool)):
                return Value.unknown(expr.text, expr.span, path)
            if isinstance(raw, str) and len(raw) > 100:
                return Value.unknown(expr.text, expr.span, path)
            try:
                result = CONVERTERS[name](raw)
            except (ValueError, OverflowError):
                return Value.unknown(expr.text, expr.span, path)
            return Value(result, True, expr.span, expr.text, path=path, env_key=value.env_key)

        return self._lift([operand], convert, expr, path)

    def _is_timedelta(self, callee: Expr, path: str) -> bool:
        """`timedelta` imported from datetime, or `datetime.timedelta` (also `import datetime
        as dt`: `dt.timedelta`)."""
        imports = self._imports.get(path, {})
        if callee.kind == "name":
            binding = imports.get(callee.value)
            return binding is not None and (binding.module, binding.name) == (
                "datetime",
                "timedelta",
            )
        if callee.kind == "attr" and callee.value == "timedelta" and callee.items:
            base = callee.items[0]
            binding = imports.get(base.value) if base.kind == "name" else None
            return binding is not None and binding.module == "datetime" and binding.name is None
        return False

    def _total_seconds(self, expr: Expr, path, namespace, depth) -> Value | None:
        """`timedelta(minutes=15).total_seconds()`, its arguments known numbers."""
        made = expr.items[0].items[0]
        if len(expr.items) != 1 or expr.keywords or made.kind != "call" or not made.items:
            return None
        if not self._is_timedelta(made.items[0], path):
            return None
        order = ("days", "seconds", "microseconds", "milliseconds", "minutes", "hours", "weeks")
        args = made.items[1:]
        if len(args) > len(order) or any(a.kind == "starred" for a in args):
            return None
        named = list(zip(order, args, strict=False))
        for key, value, _ in made.keywords:
            if key not in order:
                return None
            named.append((key, value))
        operands = [self.evaluate(value, path, namespace, depth + 1) for _, value in named]

        def compute(values: list[Value]) -> Value:
            raw = [v.value for v in values]
            if any(not v.known or isinstance(r, bool) for v, r in zip(values, raw, strict=True)):
                return Value.unknown(expr.text, expr.span, path)
            if any(not isinstance(r, (int, float)) for r in raw):
                return Value.unknown(expr.text, expr.span, path)
            try:
                seconds = datetime.timedelta(
                    **{k: r for (k, _), r in zip(named, raw, strict=True)}
                ).total_seconds()
            except (OverflowError, ValueError):
                return Value.unknown(expr.text, expr.span, path)
            return Value(seconds, True, expr.span, expr.text, path=path)

        if not operands:
            return Value(0.0, True, expr.span, expr.text, path=path)
        return self._lift(operands, compute, expr, path)

    def _str_method(self, expr: Expr, path, namespace, depth) -> Value:
        """`text.strip()` (and the other STR_METHODS) on a known string, else unknown."""
        unknown = Value.unknown(expr.text, expr.span, path)
        func = expr.items[0]
        separator = _split_separator(expr) if func.value == "split" else ()
        if separator is None or (len(expr.items) != 1 + len(separator) or expr.keywords):
            return unknown  # `strip("/")` and the like: only the argument-less forms
        operand = self.evaluate(func.items[0], path, namespace, depth + 1)

        def apply(values: list[Value]) -> Value:
            value = values[0]
            if not value.known or not isinstance(value.value, str):
                return unknown
            result = STR_METHODS[func.value](value.value, *separator)
            if isinstance(result, list):
                result = [
                    Value(part, True, expr.span, expr.text, path=path, env_key=value.env_key)
                    for part in result
                ]
            return Value(result, True, expr.span, expr.text, path=path, env_key=value.env_key)

        return self._lift([operand], apply, expr, path)

    def _enum_member(
        self,
        enum: FlashSymbol,
        name: Value,
        default,
        expr: Expr,
        path: str,
        raises="AttributeError",
    ):
        if not (name.known and isinstance(name.value, str)):
            return Value.unknown(expr.text, expr.span, path)
        if name.value in ENUM_MEMBERS.get(enum.name, ()):
            ref = EnumRef(enum.name, name.value)
            return Value(ref, True, expr.span, expr.text, path=path, env_key=name.env_key)
        if default is None:
            # Not a member: the SDK raises at import. Kept as the member written, as
            # `DataCenter.US_GA_2` is, so FG205/FG206 name it (with the variable that can
            # override it) rather than FG002 saying nothing can be read.
            ref = EnumRef(enum.name, name.value, enum.package, raises or "AttributeError")
            return Value(ref, True, expr.span, expr.text, path=path, env_key=name.env_key)
        return dataclasses.replace(default, span=expr.span, path=path, env_key=name.env_key)

    def _enum_by_value(self, enum: FlashSymbol, expr: Expr, path, namespace, depth) -> Value:
        """`DataCenter("US-KS-2")`, `GpuType(os.getenv("GPU", "NVIDIA L4"))`: the member whose
        value the one argument is. A known string no member has is kept, marked as raising
        ValueError as the SDK does at import, so FG205/FG206 name it; anything else is
        unknown."""
        unknown = Value.unknown(expr.text, expr.span, path)
        if len(expr.items) != 2 or expr.keywords:
            return unknown
        values = ENUM_VALUES[enum.name]

        def member(found: list[Value]) -> Value:
            arg = found[0]
            if not (arg.known and isinstance(arg.value, str)):
                return unknown
            name = values.get(arg.value)
            ref = (
                EnumRef(enum.name, name)
                if name is not None
                else EnumRef(enum.name, arg.value, enum.package, "ValueError")
            )
            return Value(ref, True, expr.span, expr.text, path=path, env_key=arg.env_key)

        argument = self.evaluate(expr.items[1], path, namespace, depth + 1)
        return self._lift([argument], member, expr, path)

    def _getattr(self, expr: Expr, path, namespace, depth) -> Value:
        args = expr.items[1:]
        if len(args) not in (2, 3) or expr.keywords:
            return Value.unknown(expr.text, expr.span, path)
        enum = self.resolve_symbol(args[0], path, namespace, depth + 1)
        if isinstance(enum, ModuleRef):
            # `getattr(flash, "Endpoint")` on an SDK module (a compat shim's import): the
            # attribute, as `flash.Endpoint` reads (a default is unused when it exists)
            name = self.evaluate(args[1], path, namespace, depth + 1)
            if name.known and isinstance(name.value, str) and name.value.isidentifier():
                target = self._attribute(enum, name.value, depth)
                if isinstance(target, FlashSymbol) or (
                    isinstance(target, ModuleRef) and len(args) == 2
                ):
                    return Value(target, True, expr.span, expr.text, path=path)
            return Value.unknown(expr.text, expr.span, path)
        if not (isinstance(enum, FlashSymbol) and enum.name in ENUMS):
            return Value.unknown(expr.text, expr.span, path)
        name = self.evaluate(args[1], path, namespace, depth + 1)
        default = self.evaluate(args[2], path, namespace, depth + 1) if len(args) == 3 else None
        return self._lift(
            [name], lambda v: self._enum_member(enum, v[0], default, expr, path), expr, path
        )

    def _hasattr(self, expr: Expr, path, namespace, depth) -> Value:
        """`hasattr(GpuType, "ADA_24")` on an SDK enum: whether the member exists, from the
        release tables, when every recorded release of the package agrees (runpod 2.0 has
        one); unknown when it depends on the release in use, or on anything else."""
        args = expr.items[1:]
        unknown = Value.unknown(expr.text, expr.span, path)
        if len(args) != 2 or expr.keywords or any(a.kind == "starred" for a in args):
            return unknown
        enum = self.resolve_symbol(args[0], path, namespace, depth + 1)
        if not (isinstance(enum, FlashSymbol) and enum.name in ENUMS):
            return unknown
        name = self.evaluate(args[1], path, namespace, depth + 1)
        if not name.known or name.candidates or not isinstance(name.value, str):
            return unknown
        exists = enum_member_exists(enum.package, enum.name, name.value)
        if exists is None:
            return unknown
        return Value(exists, True, expr.span, expr.text, path=path, env_key=name.env_key)

    def _import_module(self, expr: Expr, path, namespace, depth) -> Value:
        args = expr.items[1:]
        name = self.evaluate(args[0], path, namespace, depth + 1) if len(args) == 1 else None
        package = is_flash_module(name.value) if name and isinstance(name.value, str) else None
        if package is None:
            return Value.unknown(expr.text, expr.span, path)
        return Value(ModuleRef(name.value, None, package), True, expr.span, expr.text, path=path)

    def _dict_view(self, expr: Expr, path, namespace, depth) -> Value | None:
        """`D.values()`, `D.keys()` or `D.items()` on a known dict: its entries in order, as
        a list (what a comprehension or a `for` over it sees); None when the receiver is not
        a known dict."""
        method = expr.items[0]
        if len(expr.items) != 1 or expr.keywords:
            return None
        base = self.evaluate(method.items[0], path, namespace, depth + 1)
        if not (base.known and isinstance(base.value, dict)) or base.partial is not None:
            return None

        def key(k) -> Value:
            return Value(k, True, expr.span, repr(k), path=path)

        entries = base.value
        if method.value == "values":
            items = list(entries.values())
        elif method.value == "keys":
            items = [key(k) for k in entries]
        else:
            items = [
                Value((key(k), v), True, expr.span, expr.text, path=path)
                for k, v in entries.items()
            ]
        return Value(items, True, expr.span, expr.text, path=path)

    def _dict_get(self, expr: Expr, path, namespace, depth) -> Value | None:
        """`D.get(k, default)` on a dict literal; None when the receiver is not one."""
        base = self.evaluate(expr.items[0].items[0], path, namespace, depth + 1)
        args = expr.items[1:]
        if not (base.known and isinstance(base.value, dict)) or base.partial is not None:
            return None
        if not 1 <= len(args) <= 2 or expr.keywords:
            return Value.unknown(expr.text, expr.span, path)
        key = self.evaluate(args[0], path, namespace, depth + 1)
        if len(args) == 2:
            default = self.evaluate(args[1], path, namespace, depth + 1)
        else:
            default = Value(None, True, expr.span, expr.text, path=path)
        # A key the environment chooses (`BY_STAGE.get(STAGE, ...)` with STAGE an env default)
        # is its default, marked with the variable, as `BY_STAGE[STAGE]` is (`_item`).
        if key.known and not key.candidates:
            try:
                found = base.value.get(key.value)
            except TypeError:
                return Value.unknown(expr.text, expr.span, path)
            chosen = found if found is not None else default
            env = chosen.env_key or key.env_key or base.env_key
            return dataclasses.replace(chosen, span=expr.span, path=path, env_key=env)
        return self._candidates([*base.value.values(), default], expr, path)

    def _helper_bindings(self, fn_path: str, fn: FunctionDef, expr: Expr, path, namespace, depth):
        """The helper's parameters bound to the call's arguments (defaults, `*args`/`**kw`
        collected), or None when the call's arguments cannot be bound statically."""
        args = expr.items[1:]
        if any(a.kind == "starred" for a in args):
            return None
        keywords = self._call_keywords(expr, path, namespace, depth)
        if keywords is None:
            return None
        positional = [p for p in fn.params if p[2] == ""]
        if len(args) > len(positional):
            return None
        bindings: dict[str, Value] = {}
        for (name, _, _), arg in zip(positional, args, strict=False):
            bindings[name] = self.evaluate(arg, path, namespace, depth + 1)
        modes = {p[0]: p[2] for p in fn.params}
        rest = next((p[0] for p in fn.params if p[2] == "**"), None)
        extra: dict[str, Value] = {}  # keywords a `**kw` parameter collects
        for name, value in keywords:
            if modes.get(name) in ("", "kw") and name not in bindings:
                bindings[name] = value
            elif rest is not None and name not in modes and name not in extra:
                extra[name] = value
            else:
                return None
        for name, default, mode in fn.params:
            if name in bindings:
                continue
            if mode in ("*", "**"):
                collected, text = ((), "") if mode == "*" else (extra, _COLLECTED)
                bindings[name] = Value(collected, True, expr.span, text, path=path)
            elif default is not None:
                bindings[name] = self.evaluate(default.expr(), fn_path, fn.namespace, depth + 1)
            else:
                bindings[name] = Value.unknown(name, expr.span, path)
        for name in self._mutated(fn_path, fn):
            # `kwargs.update(overrides)`: what the name holds is not its assignment's value
            bindings[name] = Value.unknown(f"{name} (changed in {fn.name}())", expr.span, path)
        return bindings

    def _call_keywords(self, expr: Expr, path, namespace, depth) -> list | None:
        """A call's keyword arguments as (name, Value), a `**cfg` of a known dict with string
        keys spread into them (`add_model(app, name, **cfg)` with `cfg` a loop's item); None
        when a `**` mapping is not known or repeats a keyword (Python raises TypeError)."""
        out: list[tuple[str, Value]] = []
        for name, value_expr, _ in expr.keywords:
            if name is not None:
                out.append((name, self.evaluate(value_expr, path, namespace, depth + 1)))
                continue
            mapping = self.evaluate(value_expr, path, namespace, depth + 1)
            if not mapping.known or mapping.partial is not None or mapping.candidates:
                return None
            if not isinstance(mapping.value, dict):
                return None
            for key, value in mapping.value.items():
                if not isinstance(key, str) or not isinstance(value, Value):
                    return None
                out.append((key, value))
        names = [name for name, _ in out]
        return out if len(names) == len(set(names)) else None

    def evaluate_in_call(
        self, fn_path: str, fn: FunctionDef, call: Expr, path, namespace, expr, inner=None,
        receiver=None,
    ) -> Value:  # fmt: skip
        """`expr`, written in `fn`'s body (or in `inner`, a function nested in `fn`), with
        `fn`'s parameters bound to `call`'s arguments: a factory's `app.queue(name=name)(run)`
        for one `make("small-q")` call, a decorator factory's `app.queue(name=name)(f)`.
        `receiver`: (name, Value) of a bound method's first parameter (`self`)."""
        bindings = self._helper_bindings(fn_path, fn, call, path, namespace, 0)
        if bindings is not None and receiver is not None:
            bindings[receiver[0]] = receiver[1]
        if bindings is None or len(self._frames) >= MAX_HELPER_FRAMES:
            return Value.unknown(expr.text, expr.span, fn_path)
        scopes = [fn] if inner is None else [fn, inner]
        for scope in scopes:
            self._frames.append(((fn_path, scope.span), bindings))
        try:
            return self.evaluate(expr, fn_path, scopes[-1].span, 1)
        finally:
            del self._frames[-len(scopes) :]

    @contextlib.contextmanager
    def call_frame(self, fn_path: str, fn: FunctionDef, call: Expr, path, namespace, receiver=None):
        """While open, `fn`'s body reads its parameters bound to `call`'s arguments (written in
        `path` within `namespace`): an outer helper of a chain (`register_all(app)` calling
        `register_asr(app)`). Yields whether they could be bound. `receiver`: (name, Value)
        of a bound method's first parameter (`self`)."""
        bindings = self._helper_bindings(fn_path, fn, call, path, namespace, 0)
        if bindings is not None and receiver is not None:
            bindings[receiver[0]] = receiver[1]
        if bindings is None or len(self._frames) >= MAX_HELPER_FRAMES:
            yield False
            return
        self._frames.append(((fn_path, fn.span), bindings))
        try:
            yield True
        finally:
            self._frames.pop()

    @contextlib.contextmanager
    def receiver_frame(self, fn_path: str, fn: FunctionDef, name: str, value: Value):
        """While open, `fn`'s body reads its parameter `name` (`self`) as `value` (an instance
        of the class whose method it runs for), its other parameters unknown."""
        bindings = {p: Value.unknown(p, fn.span, fn_path) for p, _, _ in fn.params}
        bindings[name] = value
        self._frames.append(((fn_path, fn.span), bindings))
        try:
            yield
        finally:
            self._frames.pop()

    def _call_method(self, expr: Expr, path, namespace, depth) -> Value | None:
        """`self.models()` where `self` is bound to an instance of a project class (a plugin
        a hand-off chain runs on): the method along the class's lineage called with its first
        parameter bound to the instance; None when it is not such a call."""
        func = expr.items[0]
        if func.kind != "attr" or not isinstance(
            self.resolve_symbol(func.items[0], path, namespace, depth + 1), Bound
        ):
            return None
        receiver = self.evaluate(func.items[0], path, namespace, depth + 1)
        inner = receiver.value if receiver.known else None
        if not isinstance(inner, Instance):
            return None
        for here, klass, _ in self.lineage((inner.path, inner.cls), depth + 1):
            facts = self.files.get(here)
            fn = next(
                (
                    f
                    for f in (facts.functions if facts else ())
                    if f.namespace == klass.span and f.name == func.value
                ),
                None,
            )
            if fn is None:
                continue
            if not fn.params or fn.params[0][0] != "self" or fn.params[0][2] != "":
                return None  # a static or class method, or an odd signature: not followed
            bound = dataclasses.replace(fn, params=fn.params[1:])
            return self._call_helper(here, bound, expr, path, namespace, depth, ("self", receiver))
        return None

    def _call_helper(
        self, fn_path: str, fn: FunctionDef, expr: Expr, path, namespace, depth, receiver=None
    ):
        """A project function's return value for constant arguments, one level at a time.
        `receiver`: (name, Value) of a bound method's first parameter."""
        key = (fn_path, fn.span)
        unknown = Value.unknown(expr.text, expr.span, path)
        if not fn.returns or any(k == key for k, _ in self._frames):
            return unknown
        if len(self._frames) >= MAX_HELPER_FRAMES:
            self.exhausted.append((path, expr.span, expr.text))
            return unknown
        bindings = self._helper_bindings(fn_path, fn, expr, path, namespace, depth)
        if bindings is None:
            return unknown
        if receiver is not None:
            bindings[receiver[0]] = receiver[1]
        self._frames.append((key, bindings))
        try:
            results = [self.evaluate(r.expr(), fn_path, fn.span, depth + 1) for r in fn.returns]
        finally:
            self._frames.pop()
        value = results[0] if len(results) == 1 else self._candidates(results, expr, path)
        if not value.known and not value.candidates:
            return unknown
        if isinstance(value.value, (Opaque, ModuleRef, FlashSymbol, Instance)):
            return value
        if value.candidates:  # named by the call, as a name's candidates are by the name
            return dataclasses.replace(value, span=expr.span, path=path, text=expr.text)
        return dataclasses.replace(value, span=expr.span, path=path, via=value.via or expr.text)

    def _mutated(self, fn_path: str, fn: FunctionDef) -> set[str]:
        """The helper's parameters it changes in place (`kwargs.update(...)`, `env["K"] =
        ...`): the caller's value is not what the helper passes on. A local name's changes
        are applied where its assignment is resolved (writes.py)."""
        if fn.namespace is not None:
            return set()
        params = {name for name, _, _ in fn.params}
        return self._written.get((fn_path, fn.span), set()) & params

    def _instance(self, cls_path: str, cls: ClassDef, expr: Expr, path, namespace, depth) -> Value:
        if self._derives_app(cls_path, cls, depth):
            return self._app_subclass(cls_path, cls, expr, path, namespace, depth)
        endpoint = self._endpoint_base(cls_path, cls, depth)
        if endpoint is not None:
            return self._endpoint_subclass(endpoint, cls_path, cls, expr, path, namespace, depth)
        if _is_named_tuple(cls):
            return self._named_tuple(cls_path, cls, expr, path, namespace, depth)
        generated = any(d.split("(")[0].endswith("dataclass") for d in cls.decorators)
        positional = expr.items[1:]
        if any(n is None for n, _, _ in expr.keywords) or any(
            a.kind == "starred" for a in positional
        ):
            return Value.unknown(expr.text, expr.span, path)
        by_position = generated and not any("kw_only=True" in d for d in cls.decorators)
        if positional and not (
            by_position and not cls.bases and len(positional) <= len(cls.fields)
        ):
            # Only a dataclass of its own fields binds arguments by position (in field order).
            return Value.unknown(expr.text, expr.span, path)
        facts = self.files.get(cls_path)
        own_init = facts is not None and any(
            f.name == "__init__" and f.namespace == cls.span for f in facts.functions
        )
        if own_init and positional:
            return Value.unknown(expr.text, expr.span, path)  # its own `__init__` binds them
        if own_init and not generated and not self._is_settings(cls_path, cls, depth):
            # A hand-written `__init__` may set any attribute at run time: not the defaults.
            return Value.unknown(expr.text, expr.span, path)
        named = [(n, e) for n, e, _ in expr.keywords]
        if {n for n, _ in named} & set(cls.fields[: len(positional)]):
            return Value.unknown(expr.text, expr.span, path)  # a TypeError: given twice
        named = [*zip(cls.fields, positional, strict=False), *named]
        kwargs = tuple((n, self.evaluate(e, path, namespace, depth + 1)) for n, e in named)
        return Value(Instance(cls_path, cls, kwargs), True, expr.span, expr.text, path=path)

    def _named_tuple(self, cls_path: str, cls: ClassDef, expr: Expr, path, namespace, depth):
        """`Workers(0, 3)` of a project `class Workers(NamedTuple)`: a RecordTuple of its
        fields in order, each the argument given by position or keyword, else the class's
        default. Unknown when a field has neither (a TypeError), an argument is a spread, or
        one is given twice, or the class has methods (`__new__` may change the fields)."""
        positional = expr.items[1:]
        named = [(n, e) for n, e, _ in expr.keywords]
        facts = self.files.get(cls_path)
        has_methods = facts is not None and any(f.namespace == cls.span for f in facts.functions)
        if (
            has_methods
            or any(n is None for n, _ in named)
            or any(a.kind == "starred" for a in positional)
            or len(positional) > len(cls.fields)
            or {n for n, _ in named} & set(cls.fields[: len(positional)])
            or {n for n, _ in named} - set(cls.fields)
        ):
            return Value.unknown(expr.text, expr.span, path)
        bound = [*zip(cls.fields, positional, strict=False), *named]
        kwargs = tuple((n, self.evaluate(e, path, namespace, depth + 1)) for n, e in bound)
        record = Instance(cls_path, cls, kwargs)
        items = []
        for name in cls.fields:
            attr = Expr("attr", expr.span, f"{expr.text}.{name}", name, (expr,))
            item = self._class_field(cls_path, cls, kwargs, attr, path, depth)
            given = any(n == name for n, _ in kwargs)
            if not item.known and not given and not self._has_default(cls_path, cls, name):
                return Value.unknown(expr.text, expr.span, path)  # a required field left out
            items.append(item)
        return Value(RecordTuple(items, record), True, expr.span, expr.text, path=path)

    def _has_default(self, cls_path: str, cls: ClassDef, name: str) -> bool:
        return name in self._local_assigns.get((cls_path, cls.span), {})

    def _record_asdict(self, expr: Expr, path, namespace, depth) -> Value | None:
        """`SPEC._asdict()` on a NamedTuple instance: {field: its value}, in field order."""
        if len(expr.items) != 1 or expr.keywords:
            return None
        base = self.evaluate(expr.items[0].items[0], path, namespace, depth + 1)
        if not (base.known and isinstance(base.value, RecordTuple)):
            return None
        receiver = expr.items[0].items[0].text
        fields = base.value.record.cls.fields
        # Each value is named as the field it came from (`BIG.idle_timeout`), not the call.
        entries = {
            name: dataclasses.replace(item, via=f"{receiver}.{name}")
            for name, item in zip(fields, base.value, strict=True)
        }
        return Value(entries, True, expr.span, expr.text, path=path)

    def _asdict(self, expr: Expr, path, namespace, depth) -> Value | None:
        """`dataclasses.asdict(CFG)` where `CFG` is an instance of a project dataclass of its
        own fields (`@app.queue(**asdict(SMALL))`): {field: its value}, each read as
        `CFG.field` is (the keyword it was built with, else the class's default). None (the
        call's value unknown) for anything else: another `asdict`, a dataclass with base
        classes (their fields come first), a field holding another dataclass (converted
        recursively)."""
        if not self._imported_from(path, expr.items[0], "dataclasses", "asdict"):
            return None
        if len(expr.items) != 2 or expr.keywords:
            return None
        arg = self.evaluate(expr.items[1], path, namespace, depth + 1)
        inner = arg.value if arg.known else None
        if not isinstance(inner, Instance) or inner.cls.bases or not inner.cls.fields:
            return None
        if not any(d.split("(")[0].endswith("dataclass") for d in inner.cls.decorators):
            return None
        result: dict[Any, Value] = {}
        for name in inner.cls.fields:
            attr = Expr("attr", expr.span, f"{expr.items[1].text}.{name}", name, (expr.items[1],))
            field_value = self._class_field(inner.path, inner.cls, inner.kwargs, attr, path, depth)
            if isinstance(field_value.value, Instance):
                return None
            result[name] = field_value
        return Value(result, True, expr.span, expr.text, path=path)

    def _imported_from(self, path: str, func: Expr, module: str, name: str) -> bool:
        """`func` is `name` imported from `module`, or `module.name` with `module` imported."""
        imports = self._imports.get(path, {})
        if func.kind == "name":
            binding = imports.get(func.value)
            return binding is not None and binding.module == module and binding.name == name
        if func.kind == "attr" and func.value == name and func.items[0].kind == "name":
            binding = imports.get(func.items[0].value)
            return binding is not None and binding.module == module and binding.name is None
        return False

    def _derives_app(self, cls_path: str, cls: ClassDef, depth: int) -> bool:
        """A project class deriving runpod 2.0's `App` (`class PlatformApp(runpod.App)`),
        through project base classes too: constructing it registers an App (app.py appends
        every instance to the registry in `App.__init__`)."""
        return any(
            isinstance(found, FlashSymbol) and found.package == SDK2_PACKAGE and found.name == "App"
            for _, _, bases in self.lineage((cls_path, cls), depth + 1)
            for _, found in bases
        )

    def _endpoint_base(self, cls_path: str, cls: ClassDef, depth: int) -> FlashSymbol | None:
        """The runpod-flash (or tetra-rp) `Endpoint` a project class derives from, through
        project base classes too (`class GpuEndpoint(Endpoint)`), else None. `flash build`
        finds an instance of it as it finds an `Endpoint` (scanner: `isinstance(obj,
        Endpoint)`), so a decorator or route on it deploys. runpod 2.0's `Endpoint` is the
        HTTP client, not a declaration."""
        for _, _, bases in self.lineage((cls_path, cls), depth + 1):
            for _, found in bases:
                if (
                    isinstance(found, FlashSymbol)
                    and found.name == "Endpoint"
                    and found.package != SDK2_PACKAGE
                ):
                    return found
        return None

    def _endpoint_subclass(
        self, base: FlashSymbol, cls_path, cls: ClassDef, expr: Expr, path, namespace, depth
    ) -> Value:
        """`GpuEndpoint("embedder", dependencies=[...])`: an `Endpoint`. Without an `__init__`
        of its own (in the class or a project base) the arguments are Endpoint's. With one
        that only forwards (keyword defaults on its `**kwargs`, then `super().__init__(...)`)
        they are what that call passes (`_forwarded`). With any other, the call's keywords
        are taken as passed on, and whatever else that `__init__` gives `super().__init__`
        is an unknown spread at the `__init__`: a rule that needs a keyword the call does not
        give says it cannot tell (FG002), rather than judge the SDK default."""
        init = self._project_init(cls_path, cls, depth)
        if init is None:
            return self._make_object(base, expr, path, namespace, depth)
        init_path, init_fn = init
        forwarded = self._forwarded(base, init_path, init_fn, expr, path, namespace, depth)
        if forwarded is not None:
            return forwarded
        kwargs, spans, spreads, repeated = self._keywords(expr, path, namespace, depth)
        # Only a first parameter called `name` is known to be Endpoint's `name`.
        params = [p for p, _, kind in init_fn.params[1:] if kind == ""]
        positional = expr.items[1:2] if params[:1] == ["name"] else []
        args = tuple(self.evaluate(arg, path, namespace, depth + 1) for arg in positional)
        given = Value.unknown(f"{cls.name}{SUBCLASS_INIT}", init_fn.span, init_path)
        return self._object(
            base, kwargs, spans, [*spreads, given], args, expr, path, repeated=repeated
        )

    def _forwarded(self, base, init_path: str, init_fn: FunctionDef, expr: Expr, path, ns, depth):
        """What an `__init__` that only forwards (facts.py `_forwarding`) gives `Endpoint`:
        its parameters bound to the call's arguments (defaults included, the rest collected
        by its `**kwargs`), the keyword defaults it sets on that dict applied in order, then
        its `super().__init__(...)` call read with those bindings. Each keyword points where
        it was written: the call for what the call passes, the `__init__` for its defaults.
        None when the call's arguments cannot be bound statically, or the defaults are set
        on another dict than the `**` parameter."""
        call = init_fn.super_init
        if call is None or not init_fn.params or len(self._frames) >= MAX_HELPER_FRAMES:
            return None
        bound_fn = dataclasses.replace(init_fn, params=init_fn.params[1:])  # without `self`
        bindings = self._helper_bindings(init_path, bound_fn, expr, path, ns, depth)
        if bindings is None:
            return None
        rest = next((name for name, _, mode in bound_fn.params if mode == "**"), None)
        self._frames.append(((init_path, init_fn.span), bindings))
        try:
            if init_fn.forward_defaults:
                if rest is None or any(t != rest for t, _, _, _ in init_fn.forward_defaults):
                    return None
                collected = dict(bindings[rest].value)
                for _, op, key, snippet in init_fn.forward_defaults:
                    if op == "set" or key not in collected:
                        collected[key] = self.evaluate(
                            snippet.expr(), init_path, init_fn.span, depth + 1
                        )
                bindings[rest] = dataclasses.replace(bindings[rest], value=collected)
            super_call = call.expr()
            kwargs, spans, spreads, repeated = self._keywords(
                super_call, init_path, init_fn.span, depth
            )
            args = tuple(
                self.evaluate(arg, init_path, init_fn.span, depth + 1)
                for arg in super_call.items[1:]
            )
        finally:
            self._frames.pop()
        return self._object(base, kwargs, spans, spreads, args, expr, path, repeated=repeated)

    def _project_init(self, cls_path: str, cls: ClassDef, depth: int):
        """(path, FunctionDef) of the `__init__` of the class or its nearest project base."""
        for here, klass, _ in self.lineage((cls_path, cls), depth + 1):
            facts = self.files.get(here)
            for fn in facts.functions if facts is not None else ():
                if fn.name == "__init__" and fn.namespace == klass.span:
                    return here, fn
        return None

    def _app_subclass(self, cls_path, cls: ClassDef, expr: Expr, path, namespace, depth):
        """`PlatformApp("jobs")`: an App. Without an `__init__` of its own (in the class or a
        project base) the arguments are App's; with one, it passes App whatever it computes,
        so the name and env are unknown (said where a rule needs them)."""
        facts = self.files.get(cls_path)
        own_init = facts is not None and any(
            f.name == "__init__" and f.namespace == cls.span for f in facts.functions
        )
        app = FlashSymbol("App", SDK2_PACKAGE)
        if not own_init and len(cls.bases) == 1:
            value = self._make_object(app, expr, path, namespace, depth)
        else:
            unknown = Value.unknown(expr.text, expr.span, path)
            value = self._object(app, {"env": unknown}, {}, (), (unknown,), expr, path)
        self._app_classes[id(value.value)] = (cls_path, cls)
        return value

    def may_call_app_method(self, func: Expr, is_call: bool) -> bool:
        """False when a call with callee `func` (or no call) cannot be `app_method_call`'s,
        told without the whole call (a decorator is converted only past this)."""
        return bool(self._app_classes) and is_call and func.kind == "attr" and bool(func.items)

    def app_method_call(self, expr: Expr, path, namespace, depth: int = 0) -> Value | None:
        """`app.gpu_queue(name="caption")` with `app` built from a project subclass of App
        and `gpu_queue` a method of it (or of a project base) that returns a value: that
        value, with `self` bound to the App (`return self.queue(gpu="ADA_24", **kw)` is the
        decorator). None when `expr` is no such call."""
        func = expr.items[0] if expr.kind == "call" and expr.items else None
        if not self._app_classes or func is None or func.kind != "attr" or not func.items:
            return None
        receiver = self.evaluate(func.items[0], path, namespace, depth + 1)
        home = self._app_classes.get(id(receiver.value)) if receiver.known else None
        method = self._method_of(home, func.value) if home is not None else None
        if method is None or not method[1].params:
            return None
        fn_path, fn = method
        # the call's arguments bind the parameters after `self`; `self` is the receiver
        bound_fn = dataclasses.replace(fn, params=fn.params[1:])
        bindings = self._helper_bindings(fn_path, bound_fn, expr, path, namespace, depth)
        if bindings is None or not fn.returns or len(self._frames) >= MAX_HELPER_FRAMES:
            return None
        bindings = {**bindings, fn.params[0][0]: receiver}
        self._frames.append(((fn_path, fn.span), bindings))
        try:
            results = [self.evaluate(r.expr(), fn_path, fn.span, depth + 1) for r in fn.returns]
        finally:
            self._frames.pop()
        return results[0] if len(results) == 1 else None

    def _method_of(self, home: tuple[str, ClassDef], name: str):
        """(path, FunctionDef) of method `name` defined in the class or a project base."""
        for here, klass, _ in self.lineage(home, 0):
            facts = self.files.get(here)
            for fn in facts.functions if facts is not None else ():
                if fn.name == name and fn.namespace == klass.span:
                    return here, fn
        return None

    def lineage(self, home: tuple[str, ClassDef], depth: int):
        """(path, ClassDef, [(base expression, what it resolves to at `depth`)]) for the class
        and each project base class it derives from, breadth first, each once, at most
        MAX_LINEAGE."""
        todo, seen = [home], set()
        while todo and len(seen) < MAX_LINEAGE:
            here, klass = todo.pop(0)
            if (here, klass.span) in seen:
                continue
            seen.add((here, klass.span))
            bases = [(b, self.resolve_symbol(b, here, None, depth)) for b in klass.bases]
            todo += [f for _, f in bases if isinstance(f, tuple) and isinstance(f[1], ClassDef)]
            yield here, klass, bases

    def _class_field(self, cls_path, cls: ClassDef, kwargs, expr: Expr, path, depth) -> Value:
        """A settings field: the keyword it was built with, else the class's literal default
        (like an environment default for a pydantic `BaseSettings`: the field's name can
        override it at deploy time)."""
        attr = expr.value
        for name, value in kwargs:
            if name == attr:
                return dataclasses.replace(value, span=expr.span, path=path, via=expr.text)
        settings = False
        for here, klass, bases in self.lineage((cls_path, cls), depth + 1):
            settings = settings or any(_names_base_settings(base) for base, _ in bases)
            assign = self._local_assigns.get((here, klass.span), {}).get(attr)
            if assign is None:
                continue
            value_expr = _field_default(assign.expr)
            if value_expr is None:
                break
            value = self.evaluate(value_expr, here, klass.span, depth + 1)
            if not value.known:
                break
            settings = settings or self._is_settings(here, klass, depth)
            prefix = self._env_prefix(cls_path, cls) if settings else ""
            alias = _field_env_alias(assign.expr) if settings else None
            env = value.env_key or alias or (f"{prefix}{attr}".upper() if settings else None)
            return dataclasses.replace(value, span=expr.span, path=path, via=expr.text, env_key=env)
        prop = self._property_of((cls_path, cls), attr, depth)
        if prop is not None:
            # `settings.scaling.workers` read through `@property def workers(self)`: its
            # return with `self` bound to the instance, as a method call would be
            here, fn = prop
            receiver = Value(Instance(cls_path, cls, kwargs), True, expr.span, expr.text, path=path)
            call = Snippet(f"{expr.text}()", expr.span.line, expr.span.column, "call").expr()
            bound = dataclasses.replace(fn, params=fn.params[1:])
            value = self._call_helper(here, bound, call, path, None, depth, ("self", receiver))
            if value.known:
                return dataclasses.replace(value, span=expr.span, path=path, via=expr.text)
        return Value.unknown(expr.text, expr.span, path)

    def _property_of(self, home: tuple[str, ClassDef], attr: str, depth: int):
        """(path, FunctionDef) of `@property` (or `cached_property`) `attr(self)` along the
        class's lineage; None when the attribute is no such property."""
        for here, klass, _ in self.lineage(home, depth + 1):
            facts = self.files.get(here)
            if facts is None:
                continue
            decorated = any(
                d.namespace == klass.span
                and d.target.name == attr
                and any(w.text.rsplit(".", 1)[-1] in _PROPERTIES for w in d.written)
                for d in facts.decorated
            )
            if not decorated:
                continue
            for fn in facts.functions:
                if fn.namespace == klass.span and fn.name == attr:
                    plain = len(fn.params) == 1 and fn.params[0][2] == ""
                    return (here, fn) if plain and fn.returns else None
            return None
        return None

    def settings_field_env(self, expr: Expr, path: str, namespace) -> SettingsRead | None:
        """`settings.FIELD` where `settings` is an instance of a project pydantic-settings
        class (`BaseSettings`) not built with FIELD as a keyword: the environment variable the
        field is read from when the instance is built (its alias, else the class's
        `env_prefix` + the field's name; the first name of an `AliasChoices`, the others as
        alternatives), or for `settings.db.url`, a field of a nested model (pydantic-settings
        2.16: `APP_DB__URL` with `env_nested_delimiter="__"`, or `APP_DB` as JSON). None for
        anything else, or when that variable is not known statically (a computed alias, an
        `AliasPath`, a configuration flash-guard cannot read, a model nested deeper)."""
        if expr.kind != "attr" or expr.items[0].kind not in ("name", "attr", "call"):
            return None
        owner = self._settings_instance(expr.items[0], path, namespace)
        if owner is None:
            return self._nested_settings_read(expr, path, namespace)
        found = self._settings_field(owner, expr.value)
        if found is None:
            return None
        variables, case_sensitive, has_default, _ = found
        return SettingsRead(variables[0], case_sensitive, has_default, expr.text, variables[1:])

    def _settings_instance(self, expr: Expr, path: str, namespace) -> Instance | None:
        base = self.evaluate(expr, path, namespace, 1)
        inner = base.value if base.known else None
        if not isinstance(inner, Instance) or not self._is_settings(inner.path, inner.cls, 0):
            return None
        return inner

    def _settings_field(self, inner: Instance, attr: str):
        """(variables, case_sensitive, has_default, (file, class, field assignment or None))
        of the field `attr` of a settings instance; None when it is given when built, not a
        field, or read from a variable not known statically."""
        if any(name == attr for name, _ in inner.kwargs):
            return None  # given when built: not read from the environment
        config = self._settings_config(inner.path, inner.cls)
        if config is None:
            return None
        prefix, case_sensitive, _ = config

        def variable(name: str) -> str:  # shown as it is usually written, when case is free
            return name if case_sensitive else name.upper()

        for here, klass, _ in self.lineage((inner.path, inner.cls), 1):
            assign = self._local_assigns.get((here, klass.span), {}).get(attr)
            if assign is None and attr not in klass.fields:
                continue
            if assign is None:  # `model_id: str`: required
                return (variable(f"{prefix}{attr}"),), case_sensitive, False, (here, klass, None)
            value = assign.expr
            named = value.kind == "call" and (value.items[0].dotted() or "").endswith("Field")
            aliased = named and any(
                k in ("validation_alias", "alias", "env") for k, _, _ in value.keywords
            )
            aliases = _field_env_aliases(value) if aliased else None
            if aliased and not aliases:
                return None  # an `AliasPath`, a computed alias: not known
            has_default = _field_default(value) is not None
            names = aliases or (f"{prefix}{attr}",)
            return tuple(map(variable, names)), case_sensitive, has_default, (here, klass, assign)
        return None

    def _nested_settings_read(self, expr: Expr, path: str, namespace) -> SettingsRead | None:
        """`settings.db.url`: `db` a field of a settings instance whose type is a project model
        (its annotation, or its default `Db()`), `url` a field of that model without an alias.
        pydantic-settings reads `<prefix>DB` as JSON for the whole model and, with
        `env_nested_delimiter`, `<prefix>DB<delimiter>URL` for the one field (checked with
        2.16.3)."""
        outer = expr.items[0]
        if outer.kind != "attr" or outer.items[0].kind not in ("name", "attr", "call"):
            return None
        owner = self._settings_instance(outer.items[0], path, namespace)
        found = self._settings_field(owner, outer.value) if owner is not None else None
        if found is None:
            return None
        variables, case_sensitive, has_default, (home, klass, assign) = found
        model = self._field_model(home, klass, outer.value, assign)
        if model is None or not self._model_field(model, expr.value):
            return None
        delimiter = self._settings_config(owner.path, owner.cls)[2]
        if delimiter and len(variables) == 1:
            name = f"{variables[0]}{delimiter}{expr.value}"
            nested = (name if case_sensitive else name.upper(), *variables)
        else:
            nested = variables  # the whole model as JSON only
        return SettingsRead(nested[0], case_sensitive, has_default, expr.text, nested[1:])

    def _field_model(self, home: str, klass: ClassDef, attr: str, assign):
        """(file, class) of the project model a settings field holds: its annotation when a
        plain (dotted) name of a project class, else the class of its default instance."""
        if attr in klass.fields:
            written = klass.field_types[klass.fields.index(attr)]
            expr = dotted_expr(written, 1, 1)
            found = self.resolve_symbol(expr, home, None) if expr is not None else None
            if isinstance(found, tuple) and isinstance(found[1], ClassDef):
                return found
        default = _field_default(assign.expr) if assign is not None else None
        value = self.evaluate(default, home, klass.span, 1) if default is not None else None
        inner = value.value if value is not None and value.known else None
        return (inner.path, inner.cls) if isinstance(inner, Instance) else None

    def _model_field(self, model, attr: str) -> bool:
        """Whether `attr` is a field of the model without an alias of its own (an alias on a
        nested model's field changes its variable in ways not read here)."""
        for here, klass, _ in self.lineage(model, 1):
            assign = self._local_assigns.get((here, klass.span), {}).get(attr)
            if assign is None:
                if attr in klass.fields:
                    return True
                continue
            value = assign.expr
            return not (
                value.kind == "call"
                and (value.items[0].dotted() or "").endswith("Field")
                and any(k in ("validation_alias", "alias", "env") for k, _, _ in value.keywords)
            )
        return False

    def _settings_config(self, path: str, cls: ClassDef) -> tuple[str, bool, str] | None:
        """(env_prefix, case_sensitive, env_nested_delimiter) of a pydantic-settings class:
        its `model_config = SettingsConfigDict(...)` (or a dict literal), the nearest along
        its lineage; None when one is written in a form not read here (a pydantic v1 `class
        Config:`, a computed prefix)."""
        for here, klass, _ in self.lineage((path, cls), 1):
            local = self._local_assigns.get((here, klass.span), {})
            if "Config" in local or self._nested_config(here, klass):
                return None
            config = local.get("model_config")
            if config is None:
                continue
            value = config.expr
            if value.kind == "call":
                entries = [(k, v) for k, v, _ in value.keywords]
                if value.items[1:] or any(k is None for k, _ in entries):
                    return None
            elif value.kind == "dict":
                entries = [(k.value if k is not None and k.kind == "lit" else None, v)
                           for k, v, _ in value.keywords]  # fmt: skip
                if any(k is None for k, _ in entries):
                    return None
            else:
                return None
            options = dict(entries)
            prefix = options.get("env_prefix")
            sensitive = options.get("case_sensitive")
            delimiter = options.get("env_nested_delimiter")
            for text in (prefix, delimiter):
                if text is not None and not (text.kind == "lit" and isinstance(text.value, str)):
                    return None
            if sensitive is not None and sensitive.kind != "lit":
                return None
            return (
                prefix.value if prefix is not None else "",
                bool(sensitive and sensitive.value),
                delimiter.value if delimiter is not None else "",
            )
        return "", False, ""

    def _nested_config(self, path: str, cls: ClassDef) -> bool:
        facts = self.files.get(path)
        return facts is not None and any(
            c.name == "Config" and c.namespace == cls.span for c in facts.classes
        )

    def _env_prefix(self, path: str, cls: ClassDef) -> str:
        """`model_config = SettingsConfigDict(env_prefix="APP_")`: the variables' prefix."""
        config = self._local_assigns.get((path, cls.span), {}).get("model_config")
        if config is None or config.expr.kind != "call":
            return ""
        for keyword, value, _ in config.expr.keywords:
            if keyword == "env_prefix" and value.kind == "lit" and isinstance(value.value, str):
                return value.value
        return ""

    def _is_settings(self, path: str, cls: ClassDef, depth: int) -> bool:
        return any(
            _names_base_settings(base)
            for _, _, bases in self.lineage((path, cls), depth + 1)
            for base, _ in bases
        )

    def _evaluate_sequence(self, expr: Expr, path, namespace, depth) -> Value:
        items: list[Value] = []
        partial = None
        for item in expr.items:
            if item.kind == "starred" and item.value == "*" and item.items:
                inner = self.evaluate(item.items[0], path, namespace, depth + 1)
                if inner.known and isinstance(inner.value, (tuple, list)):
                    if len(items) + len(inner.value) > MAX_ITEMS:
                        return Value.unknown(expr.text, expr.span, path)
                    items.extend(inner.value)
                else:
                    partial = partial or Value.unknown(item.text, item.span, path)
                continue
            items.append(self.evaluate(item, path, namespace, depth + 1))
        if partial is None and any(item.candidates for item in items):
            # `(MIN, 3)` with candidates for MIN: a tuple per candidate
            def build(values: list[Value]) -> Value:
                shape = list(values) if expr.kind == "list" else tuple(values)
                return Value(shape, True, expr.span, expr.text, path=path)

            return self._lift(items, build, expr, path)
        container = list(items) if expr.kind == "list" else tuple(items)
        out = Value(container, True, expr.span, expr.text, path=path)
        if self._too_big(out):
            return Value.unknown(expr.text, expr.span, path)
        if partial is not None:
            out.known = False
            out.partial = partial
        return out

    def _copied_as_of(self, value: Value, expr: Expr, path, namespace, depth) -> Value:
        """`{**BASE}`, `dict(BASE)`, `X.update(BASE)` copy BASE as it is on that line: changes
        made to BASE further down (which a plain reference `env=BASE` does see) are not in
        the copy."""
        if expr.kind != "name" or not value.known:
            return value
        found = self.lookup(path, expr.value, namespace)
        if not (isinstance(found, tuple) and found[0] == path and isinstance(found[1], Assignment)):
            return value
        assign = found[1]
        writes = self.writes_to(path, assign)
        at = (expr.span.line, expr.span.column)
        if not any((w.span.line, w.span.column) > at for w in writes):
            return value
        group = self.assignments_of(path, assign.namespace, assign.target)
        before = [w for w in writes_of(writes, assign, group) if (w.span.line, w.span.column) < at]
        snapshot = apply_writes(self, self._assigned(assign, path, depth), before, path, depth + 1)
        return dataclasses.replace(
            value,
            value=snapshot.value,
            known=snapshot.known,
            partial=snapshot.partial,
            candidates=snapshot.candidates,
        )

    def _evaluate_mapping(self, entries, expr: Expr, path, namespace, depth) -> Value:
        result: dict[Any, Value] = {}
        partial = None
        for key, value_expr, entry_span in entries:
            if key is None:
                spread = self.evaluate(value_expr, path, namespace, depth + 1)
                spread = self._copied_as_of(spread, value_expr, path, namespace, depth)
                if spread.known and isinstance(spread.value, dict) and value_expr.kind == "dict":
                    result.update(spread.value)  # `**{"K": v}` inline: each value is written here
                elif spread.known and isinstance(spread.value, dict):
                    # Entries that came through `**NAME` point at the spread, naming NAME.
                    for k, item in spread.value.items():
                        result[k] = dataclasses.replace(
                            item,
                            span=entry_span,
                            path=path,
                            via=item.via or value_expr.text,
                            origin=_origin_of(item),
                        )
                    partial = partial or spread.partial
                else:
                    partial = partial or Value.unknown(
                        value_expr.text, entry_span if entry_span else value_expr.span, path
                    )
                continue
            if isinstance(key, str):  # keyword argument of dict(...)
                result[key] = self.evaluate(value_expr, path, namespace, depth + 1)
                continue
            key_value = self.evaluate(key, path, namespace, depth + 1)
            if not key_value.known or not isinstance(key_value.value, (str, int)):
                partial = partial or Value.unknown(key.text, key.span, path)
                continue
            result[key_value.value] = self.evaluate(value_expr, path, namespace, depth + 1)
        out = Value(result, True, expr.span, expr.text, path=path, partial=partial)
        return Value.unknown(expr.text, expr.span, path) if self._too_big(out) else out

    def _evaluate_call(self, expr: Expr, path, namespace, depth) -> Value:
        return self._memoised_call(
            expr.span,
            path,
            namespace,
            lambda: self._evaluate_call_uncached(expr, path, namespace, depth),
        )

    def _memoised_call(self, span, path, namespace, compute) -> Value:
        """A call's value, memoised by its place (unless evaluated inside a helper's frame)
        and recorded with the files it was resolved through."""
        key = ("call", path, span)
        use_memo = not (namespace is not None and self._frames) and not self._loops
        if use_memo and key in self._memo:
            self._note_files(key)
            return self._memo[key]
        outer = self._start_recording()
        try:
            value = compute()
        finally:
            self._stop_recording(key, path, outer)
        if use_memo:
            self._memo[key] = value
        return value

    def evaluate_call_snippet(self, snippet: Snippet, path: str, namespace: Span | None):
        """`evaluate(snippet.expr(), path, namespace)` for a call kept as a snippet, converting
        the arguments only when the callee says they are read (most module-level calls are
        to other libraries: their value is unknown whatever the arguments). Memoised and
        recorded as `_evaluate_call` does. None when the snippet is not such a call: the
        caller evaluates `snippet.expr()`."""
        func = snippet.callee()
        if func is None:
            return None

        def compute() -> Value:
            symbol = self.resolve_symbol(func, path, namespace, 1)
            if self._call_route(func, symbol, path) is None:
                return Value.unknown(snippet.text, snippet.span, path)
            return self._evaluate_call_uncached(snippet.expr(), path, namespace, 0, symbol)

        return self._memoised_call(snippet.span, path, namespace, compute)

    def env_dotted(self, dotted: str, path) -> str:
        """`dotted` with an import alias of `os`, `os.environ` or `os.getenv` at its head
        replaced by the name it stands for (`import os as _os`: `_os.getenv` -> `os.getenv`),
        so each spelling of an environment read is read as one."""
        head, dot, rest = dotted.partition(".")
        binding = self._imports.get(path, {}).get(head)
        if binding is None or binding.module != "os" or binding.level:
            return dotted
        canonical = binding.name or "os"
        if canonical == head or canonical not in ("os", "environ", "getenv"):
            return dotted
        return f"{canonical}{dot}{rest}"

    def _call_route(self, func: Expr, symbol, path) -> str | None:
        """How a call with this callee (resolved to `symbol`) is evaluated; None: its value is
        unknown, and nothing else is read."""
        dotted = func.dotted()
        project = symbol if isinstance(symbol, tuple) else None
        if isinstance(symbol, (tuple, Bound, Exhausted)):  # a name bound to something else
            symbol = None
        builtin = symbol is None and project is None
        if func.kind == "name" and func.value == "dict" and builtin:
            return "dict"
        if isinstance(symbol, FlashSymbol) and symbol.name in factories_of(symbol.package):
            return "object"
        if (
            isinstance(symbol, FlashSymbol)
            and symbol.name in ENUM_VALUES
            and symbol.package != SDK2_PACKAGE  # runpod 2.0's enums are its own
        ):
            return "enum_value"
        if builtin and dotted is not None and self.env_dotted(dotted, path) in ENV_GETTERS:
            return "env"
        if project is None and dotted in ("asdict", "dataclasses.asdict"):
            return "asdict"
        if builtin and (dotted in CONVERTERS or dotted in SEQUENCE_CONVERTERS):
            return "convert"
        if builtin and dotted == "getattr":
            return "getattr"
        if builtin and dotted == "hasattr":
            return "hasattr"
        if builtin and dotted in IMPORTERS:
            return "import"
        if project is not None and isinstance(project[1], FunctionDef):
            return "helper"
        if project is not None and isinstance(project[1], Assignment):
            if self._partial_of(project[0], project[1]) is not None:
                return "partial"
            return "alias" if _app_method_alias(project[1]) is not None else None
        if project is not None and isinstance(project[1], ClassDef):
            return "instance"
        if func.kind == "attr" and func.value == "total_seconds" and func.items:
            return "timedelta"
        if func.kind == "attr" and func.value == "get":
            return "get"
        if func.kind == "attr" and func.value == "_asdict" and func.items:
            return "record_asdict"
        if func.kind == "attr" and func.value in DICT_VIEWS and func.items:
            return "dict_view"
        if builtin and func.kind == "attr" and func.value in STR_METHODS:
            return "str_method"
        if func.kind == "attr" and func.value in SDK2_APP_METHODS:
            return "app_method"
        return None

    def _evaluate_call_uncached(
        self, expr: Expr, path, namespace, depth, symbol: object = _UNRESOLVED
    ) -> Value:
        func = expr.items[0]
        if symbol is _UNRESOLVED:
            symbol = self.resolve_symbol(func, path, namespace, depth + 1)
        route = self._call_route(func, symbol, path)
        value = None
        if route == "dict":
            entries = [(name, value, span) for name, value, span in expr.keywords]
            positional = [(None, arg, arg.span) for arg in expr.items[1:]]
            value = self._evaluate_mapping(positional + entries, expr, path, namespace, depth)
        elif route == "object":
            value = self._make_object(symbol, expr, path, namespace, depth)
        elif route == "env":
            value = self._env_read(expr, path, namespace, depth)
        elif route == "convert":
            value = self._convert(func.dotted(), expr, path, namespace, depth)
        elif route == "getattr":
            value = self._getattr(expr, path, namespace, depth)
        elif route == "hasattr":
            value = self._hasattr(expr, path, namespace, depth)
        elif route == "import":
            value = self._import_module(expr, path, namespace, depth)
        elif route == "helper":
            value = self._call_helper(symbol[0], symbol[1], expr, path, namespace, depth)
        elif route == "instance":
            value = self._instance(symbol[0], symbol[1], expr, path, namespace, depth)
        elif route == "asdict":
            value = self._asdict(expr, path, namespace, depth)
        elif route == "partial":
            value = self._call_partial(symbol[0], symbol[1], expr, path, namespace, depth)
        elif route == "alias":
            value = self._call_alias(symbol[0], symbol[1], expr, path, namespace, depth)
        elif route == "timedelta":
            value = self._total_seconds(expr, path, namespace, depth)
        elif route == "get":
            value = self._dict_get(expr, path, namespace, depth)
        elif route == "record_asdict":
            value = self._record_asdict(expr, path, namespace, depth)
        elif route == "dict_view":
            value = self._dict_view(expr, path, namespace, depth)
        elif route == "str_method":
            value = self._str_method(expr, path, namespace, depth)
        elif route == "app_method":
            value = self._app_decorator(expr, path, namespace, depth)
        elif route == "enum_value":
            value = self._enum_by_value(symbol, expr, path, namespace, depth)
        elif route is None and self._frames and func.kind == "attr":
            value = self._call_method(expr, path, namespace, depth)  # `self.models()`
        if value is None:
            value = Value.unknown(expr.text, expr.span, path)
        return value

    def _app_decorator(self, expr: Expr, path, namespace, depth) -> Value | None:
        """`app.queue(...)` on a runpod.App: the decorator, an object recorded with its App."""
        return self._decorator_of_app(expr.items[0], path, namespace, expr, path, namespace, depth)

    def _decorator_of_app(self, method: Expr, home, home_ns, expr, path, namespace, depth):
        """`method` (`app.queue`, read in `home`) called as `expr`: the decorator object,
        recorded with its App; None when `method`'s base is not a runpod.App."""
        app = self.evaluate(method.items[0], home, home_ns, depth + 1)
        if not is_sdk2_app(app):
            return None
        symbol = FlashSymbol(f"App.{method.value}", SDK2_PACKAGE)
        value = self._make_object(symbol, expr, path, namespace, depth)
        if isinstance(value.value, Opaque):
            self.app_decorators[id(value.value)] = (value.value, method.value, app)
        return value

    def app_decorator(self, value: Value) -> tuple[Opaque, str, Value] | None:
        """What `app_decorators` holds for a resolved value, None when it is no such object."""
        entry = self.app_decorators.get(id(value.value)) if value.known else None
        return entry if entry is not None and entry[0] is value.value else None

    def _partial_of(self, home: str, assign: Assignment) -> Expr | None:
        """`gpu_endpoint = functools.partial(Endpoint, gpu=..., workers=...)`: the partial's
        call when `assign` binds one (an SDK callable first), else None."""
        if not assign.value.may_be_call() or assign.unpack[1]:
            return None
        callee = assign.value.callee()
        if callee is None or not self._is_functools_partial(home, callee.dotted()):
            return None
        expr = assign.expr
        return expr if expr.kind == "call" and len(expr.items) > 1 else None

    def _is_functools_partial(self, home: str, dotted: str | None) -> bool:
        """`functools.partial`, or the same under an alias teams use: `ft.partial` after
        `import functools as ft`, `p` after `from functools import partial as p`."""
        parts = (dotted or "").split(".")
        binding = self._imports.get(home, {}).get(parts[0])
        if binding is None or binding.module != "functools" or len(parts) > 2:
            return False
        if len(parts) == 2:
            return binding.name is None and parts[1] == "partial"
        return binding.name == "partial"

    def _partial_chain(self, home: str, assign: Assignment, depth: int):
        """The partials a call goes through, innermost first, as (home, assign, partial
        call): one for `G = partial(Endpoint, ...)`, two for `B = partial(A, ...)` over `A =
        partial(Endpoint, ...)`. None when `assign` binds no partial."""
        chain: list[tuple[str, Assignment, Expr]] = []
        seen: set[tuple[str, Span]] = set()
        while (home, assign.span) not in seen:
            seen.add((home, assign.span))
            bound = self._partial_of(home, assign)
            if bound is None:
                break
            chain.append((home, assign, bound))
            func = bound.items[1]
            found = (
                self.lookup(home, func.value, assign.namespace, depth + 1)
                if func.kind == "name"
                else None
            )
            if not (isinstance(found, tuple) and isinstance(found[1], Assignment)):
                break
            home, assign = found
        return chain[::-1] or None

    def _call_partial(self, home: str, assign: Assignment, expr: Expr, path, namespace, depth):
        """A call of a `functools.partial` of `Endpoint`, another SDK resource class or a
        runpod 2.0 `app.queue/api/task` (or of a partial of one): the object that call
        builds, each partial's keywords (evaluated where it was written) overridden by the
        next one's and then the call's own, as Python merges them. None (unknown) for a
        partial of anything else."""
        chain = self._partial_chain(home, assign, depth)
        if chain is None:
            return None
        inner_home, inner, inner_bound = chain[0]
        func, ns = inner_bound.items[1], inner.namespace
        symbol = self.resolve_symbol(func, inner_home, ns, depth + 1)
        app = None
        if not (isinstance(symbol, FlashSymbol) and symbol.name in factories_of(symbol.package)):
            if func.kind != "attr" or func.value not in SDK2_APP_METHODS:
                return None
            app = self.evaluate(func.items[0], inner_home, ns, depth + 1)
            if not is_sdk2_app(app):
                return None
            symbol = FlashSymbol(f"App.{func.value}", SDK2_PACKAGE)
        kwargs: dict[str, Value] = {}
        spans: dict[str, Span] = {}
        spreads: list[Value] = []
        repeated: list = []
        args: list[Value] = []
        for layer_home, layer, bound in chain:
            layer_ns = layer.namespace
            own = self._keywords(bound, layer_home, layer_ns, depth)
            # named by the partial they came through (FG303: flash build's scan never reads
            # them)
            kwargs.update(
                {k: dataclasses.replace(v, via=v.via or layer.target) for k, v in own[0].items()}
            )
            # keywords as written in this file (FG210): another file's partial's at the call
            spans.update(own[1] if layer_home == path else dict.fromkeys(own[1], expr.span))
            spreads += own[2]
            # a later partial's keywords override an earlier one's (no TypeError); a keyword
            # given twice within one call raises
            repeated += own[3]
            args += [self.evaluate(arg, layer_home, layer_ns, depth + 1) for arg in bound.items[2:]]
        own = self._keywords(expr, path, namespace, depth)
        kwargs.update(own[0])
        spans.update(own[1])
        args += [self.evaluate(arg, path, namespace, depth + 1) for arg in expr.items[1:]]
        repeated += own[3]
        value = self._object(
            symbol, kwargs, spans, spreads + own[2], tuple(args), expr, path, repeated=repeated
        )
        if app is not None and isinstance(value.value, Opaque):
            self.app_decorators[id(value.value)] = (value.value, func.value, app)
        return value

    def _call_alias(self, home: str, assign: Assignment, expr: Expr, path, namespace, depth):
        """`queue = app.queue` (or `.api`, `.task`), then `queue(name=...)`: the decorator
        `app.queue(name=...)` builds (rc2 registers what it decorates). None when the name's
        base is not a runpod.App."""
        method = _app_method_alias(assign)
        return self._decorator_of_app(method, home, assign.namespace, expr, path, namespace, depth)

    def _make_object(self, symbol: FlashSymbol, expr: Expr, path, namespace, depth) -> Value:
        kwargs, kwarg_spans, spreads, repeated = self._keywords(expr, path, namespace, depth)
        args = tuple(self.evaluate(arg, path, namespace, depth + 1) for arg in expr.items[1:])
        return self._object(
            symbol, kwargs, kwarg_spans, spreads, args, expr, path, repeated=repeated
        )

    def _keywords(self, expr: Expr, path, namespace, depth):
        """A call's keywords as (values, where each was written, unknown `**` spreads,
        keywords given twice). A keyword a `**` spread gives again, or an explicit one after
        a spread that holds it, is a TypeError ("got multiple values for keyword argument")
        when the call runs: each repeat is (keyword, path, span, what gives it the second time)."""
        kwargs: dict[str, Value] = {}
        kwarg_spans: dict[str, Span] = {}
        spreads: list[Value] = []
        repeated: list[tuple[str, str, Span, str]] = []
        for name, value_expr, kw_span in expr.keywords:
            if name is None:
                spread = self.evaluate(value_expr, path, namespace, depth + 1)
                keys = ()
                if spread.known and isinstance(spread.value, dict):
                    keys = spread.value
                elif same_keys(spread.candidates):
                    keys = spread.candidates[0].value
                again = f"`**{value_expr.text}`"
                repeated += [(str(k), path, kw_span, again) for k in keys if str(k) in kwargs]
                if spread.known and isinstance(spread.value, dict) and spread.text == _COLLECTED:
                    # a factory's `**kw`: each keyword points where its caller wrote it
                    kwargs.update({str(k): item for k, item in spread.value.items()})
                    kwarg_spans.update({str(k): item.span for k, item in spread.value.items()})
                elif spread.known and isinstance(spread.value, dict) and value_expr.kind == "dict":
                    # `**{"gpu": GpuGroup.ANY}` inline: each value is written at the call.
                    kwargs.update({str(k): item for k, item in spread.value.items()})
                    kwarg_spans.update({str(k): item.span for k, item in spread.value.items()})
                    if spread.partial is not None:
                        spreads.append(dataclasses.replace(spread.partial, span=kw_span, path=path))
                elif spread.known and isinstance(spread.value, dict):
                    for key, item in spread.value.items():
                        # Findings for spread keywords point at the spread.
                        kwargs[str(key)] = dataclasses.replace(
                            item,
                            span=kw_span,
                            path=path,
                            via=item.via or value_expr.text,
                            origin=_origin_of(item),
                        )
                        kwarg_spans[str(key)] = kw_span
                    if spread.partial is not None:
                        spreads.append(dataclasses.replace(spread.partial, span=kw_span, path=path))
                elif same_keys(spread.candidates):
                    # `**SCALE` with SCALE a dict in each branch of an `if`, with one key set:
                    # each keyword is a candidate value (rules.md), read at the spread.
                    for key in spread.candidates[0].value:
                        items = [c.value[key] for c in spread.candidates]
                        via = value_expr.text
                        value = self._candidates(items, value_expr, path)
                        text = f"{via}[{key!r}]" if value.candidates else value.text
                        kwargs[str(key)] = dataclasses.replace(
                            value, span=kw_span, via=via, text=text
                        )
                        kwarg_spans[str(key)] = kw_span
                else:
                    spreads.append(Value.unknown(value_expr.text, kw_span, path))
                continue
            if name in kwargs:
                repeated.append((name, path, kw_span, f"`{name}=`"))
            kwargs[name] = self.evaluate(value_expr, path, namespace, depth + 1)
            kwarg_spans[name] = kw_span
        return kwargs, kwarg_spans, spreads, repeated

    def _object(
        self, symbol, kwargs, kwarg_spans, spreads, args, expr: Expr, path, repeated=()
    ) -> Value:
        obj = Opaque(
            symbol.name,
            {key: _no_module(value) for key, value in kwargs.items()},
            tuple(_no_module(arg) for arg in args),
            expr.span,
            path,
            kwarg_spans,
            tuple(spreads),
            symbol.package,
            tuple(repeated),
        )
        out = Value(obj, True, expr.span, expr.text, path=path)
        if self._frames:
            self.factory_made.add((path, expr.span))
            self.factory_objects[id(obj)] = obj
        return Value.unknown(expr.text, expr.span, path) if self._too_big(out) else out

    def _too_big(self, value: Value) -> bool:
        """More than MAX_ITEMS values inside, counting shared parts each time they appear.

        Constants can share containers (`L2 = [L1, L1]`): the folded value is then a small
        graph that anything walking it (checks, reports) sees as an exponentially large
        tree. Weights are memoised per container, so this costs one visit per container."""
        return self._weight(value) > MAX_ITEMS

    def _weight(self, value: Value) -> int:
        obj = value.value
        if isinstance(obj, (list, tuple)):
            children = obj
        elif isinstance(obj, dict):
            children = obj.values()
        elif isinstance(obj, Opaque):
            children = (*obj.kwargs.values(), *obj.args)
        else:
            return 1
        known = self._weights.get(id(obj))
        if known is not None and known[0] is obj:
            return known[1]
        total = 1
        for child in children:
            total += self._weight(child) if isinstance(child, Value) else 1
            if total > MAX_ITEMS:
                break
        self._weights[id(obj)] = (obj, total)
        return total

    def _evaluate_boolop(self, expr: Expr, path, namespace, depth) -> Value:
        """`a or b`, `a and b` on a known `a`; `os.getenv(K) or d` (through constants too) is
        an environment read with the default `d`, like `os.getenv(K, d)`."""
        left = self.evaluate(expr.items[0], path, namespace, depth + 1)
        if left.known and not left.candidates:
            truthy = truthiness(left.value)
            if truthy is not None:
                if truthy == (expr.value == "or"):
                    return dataclasses.replace(left, span=expr.span, path=path)
                right = self.evaluate(expr.items[1], path, namespace, depth + 1)
                return dataclasses.replace(right, span=expr.span, path=path)
        elif expr.value == "or" and left.env_key is not None:
            right = self.evaluate(expr.items[1], path, namespace, depth + 1)
            if right.known and not right.candidates and right.env_key is None:
                return Value(
                    right.value, True, expr.span, expr.text, path=path, env_key=left.env_key
                )
        return Value.unknown(expr.text, expr.span, path)

    def _evaluate_binop(self, expr: Expr, path, namespace, depth) -> Value:
        left = self.evaluate(expr.items[0], path, namespace, depth + 1)
        right = self.evaluate(expr.items[1], path, namespace, depth + 1)
        return self._lift([left, right], lambda v: self._binop(expr, path, *v), expr, path)

    def _binop(self, expr: Expr, path: str, left: Value, right: Value) -> Value:
        if expr.value == "|" and left.known and right.known:
            # `BASE_ENV | {"K": v}` (Python 3.9 dict union): the right side's entries win
            a, b = left.value, right.value
            whole = not (left.partial or right.partial)
            if isinstance(a, dict) and isinstance(b, dict) and whole:
                if len(a) + len(b) > MAX_ITEMS:
                    return Value.unknown(expr.text, expr.span, path)
                return Value({**a, **b}, True, expr.span, expr.text, path=path)
        op = _BINOPS.get(expr.value)
        if op is None or not (left.known and right.known):
            return Value.unknown(expr.text, expr.span, path)
        a, b = left.value, right.value
        if expr.value == "+" and type(a) is type(b) and isinstance(a, (list, tuple)):
            if len(a) + len(b) > MAX_ITEMS:  # `BASE + ["x"]`: the items stay as resolved
                return Value.unknown(expr.text, expr.span, path)
            return Value(a + b, True, expr.span, expr.text, path=path)
        numbers = all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))
        strings = isinstance(a, str) and isinstance(b, str) and expr.value == "+"
        if not (numbers or strings):
            return Value.unknown(expr.text, expr.span, path)
        if expr.value == "**" and (abs(b) > 64 or abs(a) > 10**6):
            return Value.unknown(expr.text, expr.span, path)  # refuse huge powers
        if strings and len(a) + len(b) > MAX_STRING:
            return Value.unknown(expr.text, expr.span, path)
        try:
            result = op(a, b)
        except (ZeroDivisionError, OverflowError, ValueError):
            return Value.unknown(expr.text, expr.span, path)
        if isinstance(result, int) and result.bit_length() > MAX_INT_BITS:
            return Value.unknown(expr.text, expr.span, path)
        env = left.env_key or right.env_key
        return Value(result, True, expr.span, expr.text, path=path, env_key=env)


def _no_module(value: Value) -> Value:
    """A module (`rf.DataCentre.EU_RO_1`, a misspelt SDK attribute, resolves to one) is never
    a parameter's value: unknown, which FG213 reports at the same place as the real cause."""
    inner = value.value if value.known else None
    if isinstance(inner, ModuleRef):
        return Value.unknown(value.text, value.span, value.path)
    if isinstance(inner, (list, tuple)) and any(
        isinstance(item, Value) and isinstance(item.value, ModuleRef) for item in inner
    ):
        items = type(inner)(_no_module(item) if isinstance(item, Value) else item for item in inner)
        return dataclasses.replace(value, value=items)
    return value


def is_sdk2_app(value: Value) -> bool:
    """A resolved `runpod.App(...)`."""
    obj = value.value if value.known else None
    return isinstance(obj, Opaque) and obj.callee == "App" and obj.package == SDK2_PACKAGE


def _branched(assign: Assignment) -> bool:
    """Assigned inside an `if`/`try`/`match` branch of its own namespace."""
    for block in assign.blocks:
        if block.kind in ("function", "class"):
            return False
        if block.kind in _BRANCH_BLOCKS:
            return True
    return False


def _unpacked(value: Value, assign: Assignment, path: str) -> Value:
    """`a, b = value`: the item at this target's position, when the value is a sequence of
    exactly that many items."""
    index, count = assign.unpack
    items = value.value if value.known else None
    if isinstance(items, (tuple, list)) and len(items) == count and not value.partial:
        return items[index]
    text = f"{assign.target} (unpacked from {assign.expr.text})"
    return Value.unknown(text, assign.span, path)


def _app_method_alias(assign: Assignment) -> Expr | None:
    """`queue = app.queue`: the `app.queue` attribute when `assign` binds one, else None."""
    if assign.unpack[1] or assign.value.may_be_call():
        return None
    expr = assign.expr
    if expr.kind == "attr" and expr.value in SDK2_APP_METHODS and expr.items:
        return expr
    return None


def is_fallback(binding: ImportBinding) -> bool:
    """An import in an `except` clause: what a failed import in the `try` body falls back to."""
    return bool(binding.blocks) and binding.blocks[0].kind == "except"


# An SDK enum's members for `hasattr`: runpod 2.0's one release (sdk/runpod2_tables.py).
_SDK2_ENUM_MEMBERS = {
    "GpuGroup": runpod2_tables.GPU_GROUPS,
    "GpuType": runpod2_tables.GPU_TYPES,
    "CpuInstanceType": runpod2_tables.CPU_INSTANCE_TYPES,
    "DataCenter": runpod2_tables.DATACENTERS,
    "CudaVersion": runpod2_tables.CUDA_VERSIONS,
}
_DISTRIBUTIONS = {"runpod_flash": "runpod-flash", "tetra_rp": "tetra-rp"}


def enum_member_exists(package: str, enum: str, member: str) -> bool | None:
    """Whether `enum.member` exists in the SDK `package` (a module name): True or False when
    every release flash-guard records agrees, None when it depends on the release (added or
    removed along the way) or the enum is not recorded."""
    if package == SDK2_PACKAGE:
        members = _SDK2_ENUM_MEMBERS.get(enum)
        return None if members is None else member in members
    distribution = _DISTRIBUTIONS.get(package)
    if distribution is None:
        return None
    return releases.held_by_all(distribution, f"enum:{enum}", member)


def bind_loop_names(names: list, item: Value) -> dict[str, Value] | None:
    """A `for` loop's names (`for k, v in ...`, a comprehension's or a statement's) bound to
    one item; None when the item does not unpack into them. A name may itself be a list of
    names, unpacked from its part (`for i, (name, gpu) in ...`: ["i", ["name", "gpu"]])."""
    if len(names) == 1 and isinstance(names[0], str):
        return {names[0]: item}
    return _bind_unpacked(names, item)


def _bind_unpacked(names: list, item: Value) -> dict[str, Value] | None:
    parts = item.value if item.known and not item.partial else None
    if not isinstance(parts, (list, tuple)) or len(parts) != len(names):
        return None
    if not all(isinstance(p, Value) for p in parts):
        return None
    out: dict[str, Value] = {}
    for name, part in zip(names, parts, strict=True):
        if isinstance(name, str):
            out[name] = part
            continue
        inner = _bind_unpacked(name, part)
        if inner is None:
            return None
        out.update(inner)
    return out


def _alternatives(group: list[Assignment]) -> list[Assignment]:
    """The assignments whose value a later read may see: from the last unconditional one on,
    when any of them sits in a branch (rules.md "candidate values")."""
    if len(group) < 2 or not any(_branched(a) for a in group):
        return []
    start = 0
    for index, assign in enumerate(group):
        if not _branched(assign):
            start = index
    return group[start:]


def same_keys(candidates: tuple[Value, ...] | None) -> bool:
    """Candidate dicts (all known) that name the same keys: a spread of any of them sets the
    same keywords, each a candidate value."""
    if not candidates or not all(c.known and isinstance(c.value, dict) for c in candidates):
        return False
    keys = set(candidates[0].value)
    return all(set(c.value) == keys for c in candidates) and all(isinstance(k, str) for k in keys)


def _field_env_alias(expr: Expr) -> str | None:
    """The variable a pydantic-settings field reads when it names one: `Field(alias="X")`,
    `Field(validation_alias="X")` (pydantic-settings: no env_prefix), or pydantic v1's
    `Field(env="X")`."""
    if expr.kind != "call" or (expr.items[0].dotted() or "").rsplit(".", 1)[-1] != "Field":
        return None
    for keyword, value, _ in expr.keywords:
        if keyword not in ("validation_alias", "alias", "env") or value.kind != "lit":
            continue
        if isinstance(value.value, str) and value.value:
            return value.value
    return None


def _field_env_aliases(expr: Expr) -> tuple[str, ...] | None:
    """The variables a pydantic-settings field reads, in order: its one alias
    (`_field_env_alias`), or every name of `validation_alias=AliasChoices("A", "B")` (the
    first one set wins; no env_prefix); None when they are not all plain strings."""
    alias = _field_env_alias(expr)
    if alias is not None:
        return (alias,)
    for keyword, value, _ in expr.keywords if expr.kind == "call" else ():
        if keyword != "validation_alias" or value.kind != "call" or value.keywords:
            continue
        if (value.items[0].dotted() or "").rsplit(".", 1)[-1] != "AliasChoices":
            continue
        names = value.items[1:]
        if names and all(n.kind == "lit" and isinstance(n.value, str) and n.value for n in names):
            return tuple(n.value for n in names)
    return None


def _is_named_tuple(cls: ClassDef) -> bool:
    """`class Spec(NamedTuple)` / `(typing.NamedTuple)`: its fields are a tuple's items."""
    return len(cls.bases) == 1 and cls.bases[0].text.rsplit(".", 1)[-1] == "NamedTuple"


def _field_default(expr: Expr) -> Expr | None:
    """`X: int = 5` -> 5; `Field(default=5)`, `Field(5)`, `field(default=5)` -> 5;
    `field(default_factory=lambda: ["a"])` -> `["a"]`, `default_factory=list` -> `[]`."""
    if expr.kind != "call":
        return expr
    name = (expr.items[0].dotted() or "").rsplit(".", 1)[-1]
    if name not in ("Field", "field"):
        return expr
    for keyword, value, _ in expr.keywords:
        if keyword == "default":
            return value
        if keyword == "default_factory":
            return _factory_default(value)
    args = expr.items[1:]
    return args[0] if args and args[0].kind != "starred" else None


_PROPERTIES = frozenset({"property", "cached_property"})
_EMPTY_FACTORIES = {"list": ("list", "[]"), "tuple": ("tuple", "()"), "dict": ("dict", "{}")}
_LAMBDA_NO_ARGS = re.compile(r"lambda\s*:\s*")


def _factory_default(value: Expr) -> Expr | None:
    """What a dataclass/pydantic `default_factory` returns, as an expression: the body of a
    one-line `lambda: ...` without parameters, an empty list/tuple/dict for `list`,
    `tuple`, `dict`, or a call of any other name (`Scaling` -> `Scaling()`, resolved as any
    call is); None otherwise (the field stays unknown)."""
    if value.kind == "name" and value.value in _EMPTY_FACTORIES:
        kind, text = _EMPTY_FACTORIES[value.value]
        return Expr(kind, value.span, text, None if kind != "dict" else None, ())
    if value.kind in ("name", "attr") and "\n" not in value.text:
        # `field(default_factory=Scaling)`: the field holds `Scaling()`, a nested config
        # object whose own fields then read as constants (`settings.scaling.idle_timeout`).
        return Snippet(f"{value.text}()", value.span.line, value.span.column, "call").expr()
    match = _LAMBDA_NO_ARGS.match(value.text) if value.kind == "other" else None
    if match is None or "\n" in value.text:
        return None
    body = value.text[match.end() :]
    if not body:
        return None
    return Snippet(body, value.span.line, value.span.column + match.end(), "expression").expr()


def _origin_of(item: Value) -> tuple | None:
    """Where an unknown item of a dict spread (`**SCALE`) was written: one expression for
    every declaration that spreads the dict (FG002 once, naming them all)."""
    if item.known or item.origin is not None or item.span is None:
        return item.origin
    return (item.path, item.span)


def _split_separator(expr: Expr) -> tuple[str, ...] | None:
    """The arguments of `text.split(...)` as str.split takes them: () for none, (sep,) for
    one non-empty literal string, None for anything else."""
    if len(expr.items) == 1:
        return ()
    arg = expr.items[1]
    if len(expr.items) == 2 and arg.kind == "lit" and isinstance(arg.value, str) and arg.value:
        return (arg.value,)
    return None


def _names_base_settings(base: Expr) -> bool:
    """`class Settings(BaseSettings)` or `(pydantic_settings.BaseSettings)`."""
    return (base.dotted() or "").rsplit(".", 1)[-1] == "BaseSettings"
