"""Static evaluation of expressions across the modules of one project.

Names are followed through module-level assignments, imports of Flash
(`runpod_flash`, `tetra_rp`, any submodule, any alias) and imports of other
project modules (absolute or relative). Containers, `dict(...)`, `**spread`,
and integer/string arithmetic are folded. Anything else is an unknown `Value`
that keeps its source text, so a check can say exactly what it could not
decide. Nothing is imported or executed.
"""

from __future__ import annotations

import dataclasses
import operator
from dataclasses import dataclass
from typing import Any

from flash_guard.discover.facts import Assignment, FileFacts, ImportBinding
from flash_guard.discover.parse import MAX_INT_BITS, Expr
from flash_guard.model import EnumRef, Opaque, Span, Value
from flash_guard.sdk.runpod2_tables import IMPORT_PATHS as _SDK2_IMPORT_PATHS

FLASH_PACKAGES = ("runpod_flash", "tetra_rp")
# runpod 2.0 (the Apps API, runpod-sdk2.md §1.1): its names resolve to FlashSymbols of package
# "runpod"; every other `runpod.*` name (the 1.x worker SDK, API verbs) stays unknown.
SDK2_PACKAGE = "runpod"
SDK2_SYMBOLS = frozenset(_SDK2_IMPORT_PATHS)
# `runpod.Endpoint` is the legacy HTTP client: deliberately not an object factory here.
SDK2_FACTORIES = frozenset(
    {"App", "NetworkVolume", "GlobalVolume", "Volume", "Secret", "Model", "Queue", "Api"}
)

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


class ModuleIndex:
    """Every parsed file of one project, and name lookup across them."""

    def __init__(self, files: dict[str, FileFacts], known_paths=(), loader=None):
        self.files = files
        # Every file of the file set can be imported from, parsed or not; files
        # that were not parsed up front are parsed by `loader` on first use.
        self.known_paths = set(known_paths) | set(files)
        self.loader = loader
        self._module_index: dict[str, list[str]] = {}
        for path in self.known_paths:
            self._index_module(path)
        self._module_assigns: dict[str, dict[str, Assignment]] = {}
        self._local_assigns: dict[tuple[str, Span], dict[str, Assignment]] = {}
        self._imports: dict[str, dict[str, ImportBinding]] = {}
        self._star_imports: dict[str, list[ImportBinding]] = {}
        for path, facts in files.items():
            self._index_file(path, facts)
        self._memo: dict[tuple, Value] = {}
        self._in_progress: set[tuple] = set()
        # id(container) -> (container, number of values in it): see _too_big.
        self._weights: dict[int, tuple[Any, int]] = {}

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
            if assign.namespace is None:
                module_assigns[assign.target] = assign
            else:
                self._local_assigns.setdefault((path, assign.namespace), {})[assign.target] = assign
        self._module_assigns[path] = module_assigns
        imports: dict[str, ImportBinding] = {}
        for binding in facts.imports:
            if binding.local == "*":
                self._star_imports.setdefault(path, []).append(binding)
            else:
                imports[binding.local] = binding
        self._imports[path] = imports

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
        # Prefer the file closest to the importer.
        here = from_path.split("/")

        def shared(p: str) -> int:
            n = 0
            for a, b in zip(here, p.split("/"), strict=False):
                if a != b:
                    break
                n += 1
            return n

        return max(candidates, key=lambda p: (shared(p), -len(p)))

    # -- lookup -------------------------------------------------------------
    def lookup(self, path: str, name: str, namespace: Span | None, depth: int = 0):
        """What `name` means in `path`: an Assignment, FlashSymbol, ModuleRef or None."""
        if depth > _MAX_DEPTH or not self.ensure_parsed(path):
            return None
        if namespace is not None:
            local = self._local_assigns.get((path, namespace), {})
            if name in local:
                return (path, local[name])
        assign = self._module_assigns.get(path, {}).get(name)
        if assign is not None:
            return (path, assign)
        binding = self._imports.get(path, {}).get(name)
        if binding is not None:
            return self._follow_import(path, binding, depth)
        for star in self._star_imports.get(path, []):
            package = sdk_package(star.module) if not star.level else None
            if package and name in symbols_of(package):
                return FlashSymbol(name, package)
            target = self.find_module(path, star.module, star.level)
            if target and target != path:
                found = self.lookup(target, name, None, depth + 1)
                if found is not None:
                    return found
        return None

    def _follow_import(self, path: str, binding: ImportBinding, depth: int):
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
            found = self.lookup(target, binding.name, None, depth + 1)
            if found is not None:
                return found
        sub = f"{binding.module}.{binding.name}" if binding.module else binding.name
        sub_target = self.find_module(path, sub, binding.level)
        if sub_target is not None:
            return ModuleRef(sub, sub_target)
        return None

    def _attribute(self, base: Any, attr: str):
        if isinstance(base, ModuleRef):
            if base.flash_package:
                if attr in symbols_of(base.flash_package):
                    return FlashSymbol(attr, base.flash_package)
                return ModuleRef(f"{base.module}.{attr}", None, base.flash_package)
            if base.path is not None:
                found = self.lookup(base.path, attr, None)
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
            return Value.unknown(expr.text, expr.span, path)
        kind = expr.kind
        if kind == "lit":
            return Value(expr.value, True, expr.span, expr.text, path=path)
        if kind in ("name", "attr"):
            return self._evaluate_reference(expr, path, namespace, depth)
        if kind in ("tuple", "list"):
            return self._evaluate_sequence(expr, path, namespace, depth)
        if kind == "dict":
            entries = [(k, v, s) for k, v, s in expr.keywords]
            return self._evaluate_mapping(entries, expr, path, namespace, depth)
        if kind == "call":
            return self._evaluate_call(expr, path, namespace, depth)
        if kind == "binop":
            return self._evaluate_binop(expr, path, namespace, depth)
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
            base = self.evaluate(expr.items[0], path, namespace, depth + 1)
            index = self.evaluate(expr.items[1], path, namespace, depth + 1)
            if base.known and index.known and isinstance(base.value, (dict, tuple, list)):
                try:
                    item = base.value[index.value]
                except (KeyError, IndexError, TypeError):
                    return Value.unknown(expr.text, expr.span, path)
                return dataclasses.replace(item, span=expr.span, path=path, text=expr.text)
            return Value.unknown(expr.text, expr.span, path)
        return Value.unknown(expr.text, expr.span, path)

    def resolve_symbol(self, expr: Expr, path: str, namespace: Span | None, depth: int = 0):
        """What a name/attribute chain refers to, without evaluating assignments."""
        if expr.kind == "name":
            found = self.lookup(path, expr.value, namespace)
            if isinstance(found, tuple):  # `E = Endpoint` style aliases
                value = self._evaluate_assignment(found[0], found[1], depth + 1)
                if value.known and isinstance(value.value, (FlashSymbol, ModuleRef)):
                    return value.value
            return found
        if expr.kind == "attr":
            base = self.resolve_symbol(expr.items[0], path, namespace, depth + 1)
            if isinstance(base, (ModuleRef, FlashSymbol)):
                if isinstance(base, FlashSymbol):
                    return base if base.name in ENUMS else None
                return self._attribute(base, expr.value)
        return None

    def _evaluate_reference(self, expr: Expr, path, namespace, depth) -> Value:
        if expr.kind == "attr":
            base_symbol = self.resolve_symbol(expr.items[0], path, namespace, depth + 1)
            if isinstance(base_symbol, FlashSymbol) and base_symbol.name in ENUMS:
                return Value(
                    EnumRef(base_symbol.name, expr.value), True, expr.span, expr.text, path=path
                )
            if isinstance(base_symbol, ModuleRef):
                target = self._attribute(base_symbol, expr.value)
                return self._symbol_value(target, expr, path, depth)
            return Value.unknown(expr.text, expr.span, path)
        symbol = self.lookup(path, expr.value, namespace)
        return self._symbol_value(symbol, expr, path, depth)

    def _symbol_value(self, symbol, expr: Expr, path: str, depth: int) -> Value:
        if isinstance(symbol, (FlashSymbol, ModuleRef)):
            return Value(symbol, True, expr.span, expr.text, path=path)
        if isinstance(symbol, tuple):
            def_path, assign = symbol
            value = self._evaluate_assignment(def_path, assign, depth)
            # Point at the use in this file and remember which constant it came through.
            return dataclasses.replace(
                value,
                span=expr.span,
                path=path,
                text=expr.text if value.known else value.text,
                via=value.via or expr.text,
            )
        return Value.unknown(expr.text, expr.span, path)

    def _evaluate_assignment(self, path: str, assign: Assignment, depth: int) -> Value:
        key = ("assign", path, assign.span)
        if key in self._memo:
            return self._memo[key]
        if key in self._in_progress:
            return Value.unknown(assign.expr.text, assign.expr.span, path)
        self._in_progress.add(key)
        try:
            value = self.evaluate(assign.expr, path, assign.namespace, depth + 1)
        finally:
            self._in_progress.discard(key)
        self._memo[key] = value
        return value

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
        container = list(items) if expr.kind == "list" else tuple(items)
        out = Value(container, True, expr.span, expr.text, path=path)
        if self._too_big(out):
            return Value.unknown(expr.text, expr.span, path)
        if partial is not None:
            out.known = False
            out.partial = partial
        return out

    def _evaluate_mapping(self, entries, expr: Expr, path, namespace, depth) -> Value:
        result: dict[Any, Value] = {}
        partial = None
        for key, value_expr, entry_span in entries:
            if key is None:
                spread = self.evaluate(value_expr, path, namespace, depth + 1)
                if spread.known and isinstance(spread.value, dict):
                    # Entries that came through `**NAME` point at the spread, naming NAME.
                    for k, item in spread.value.items():
                        result[k] = dataclasses.replace(
                            item, span=entry_span, path=path, via=item.via or value_expr.text
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
        key = ("call", path, expr.span)
        if key in self._memo:
            return self._memo[key]
        func = expr.items[0]
        symbol = self.resolve_symbol(func, path, namespace)
        if isinstance(symbol, tuple):  # a name bound to something else
            symbol = None
        if func.kind == "name" and func.value == "dict" and symbol is None:
            entries = [(name, value, span) for name, value, span in expr.keywords]
            positional = [(None, arg, arg.span) for arg in expr.items[1:]]
            value = self._evaluate_mapping(positional + entries, expr, path, namespace, depth)
        elif isinstance(symbol, FlashSymbol) and symbol.name in factories_of(symbol.package):
            value = self._make_object(symbol, expr, path, namespace, depth)
        else:
            value = Value.unknown(expr.text, expr.span, path)
        self._memo[key] = value
        return value

    def _make_object(self, symbol: FlashSymbol, expr: Expr, path, namespace, depth) -> Value:
        kwargs: dict[str, Value] = {}
        kwarg_spans: dict[str, Span] = {}
        spreads: list[Value] = []
        for name, value_expr, kw_span in expr.keywords:
            if name is None:
                spread = self.evaluate(value_expr, path, namespace, depth + 1)
                if spread.known and isinstance(spread.value, dict):
                    for key, item in spread.value.items():
                        # Findings for spread keywords point at the spread.
                        kwargs[str(key)] = dataclasses.replace(
                            item, span=kw_span, path=path, via=item.via or value_expr.text
                        )
                        kwarg_spans[str(key)] = kw_span
                    if spread.partial is not None:
                        spreads.append(dataclasses.replace(spread.partial, span=kw_span, path=path))
                else:
                    spreads.append(Value.unknown(value_expr.text, kw_span, path))
                continue
            kwargs[name] = self.evaluate(value_expr, path, namespace, depth + 1)
            kwarg_spans[name] = kw_span
        args = tuple(self.evaluate(arg, path, namespace, depth + 1) for arg in expr.items[1:])
        obj = Opaque(
            symbol.name,
            kwargs,
            args,
            expr.span,
            path,
            kwarg_spans,
            tuple(spreads),
            symbol.package,
        )
        out = Value(obj, True, expr.span, expr.text, path=path)
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

    def _evaluate_binop(self, expr: Expr, path, namespace, depth) -> Value:
        left = self.evaluate(expr.items[0], path, namespace, depth + 1)
        right = self.evaluate(expr.items[1], path, namespace, depth + 1)
        op = _BINOPS.get(expr.value)
        if op is None or not (left.known and right.known):
            return Value.unknown(expr.text, expr.span, path)
        a, b = left.value, right.value
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
        return Value(result, True, expr.span, expr.text, path=path)
