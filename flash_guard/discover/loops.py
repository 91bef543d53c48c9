"""Module-level `for` loops over a known table, unrolled one item at a time.

Both frontends use them: a runpod 2.0 resource declared in such a loop is one resource per
item (`for name in MODELS: app.queue(name=name)(...)`), and a runpod-flash route registered in
one is one route per item (`for path, fn in ROUTES: api.get(path)(fn)`). Each iteration is
evaluated with the loop's names bound to its item (pushed on `ModuleIndex._loops`).

What unrolls: loops nested directly in one another (`for fam in F: for size in S:`, one
iteration per combination, an inner iterable evaluated with the outer names bound), the
outermost at module level or in module-level `if`/`elif`/`else`, `try`/`except`/`finally`,
`with` or `match` blocks (the frontends place those as they place any declaration there). An
iterable is a known tuple, list or dict (`D`, `D.items()`, `D.keys()`, `D.values()`), a
project Enum class (its members), or `enumerate(T[, start])` or `zip(A, B, ...)` of them; its
targets are names or tuples of names (`for i, (name, gpu) in enumerate(T)`). At most
MAX_ITEMS iterations in all.
"""

from __future__ import annotations

import ast
import dataclasses
from dataclasses import dataclass

from flash_guard.discover.parse import Expr
from flash_guard.discover.resolve import MAX_ITEMS, ModuleIndex, bind_loop_names
from flash_guard.model import Span, Value

# Blocks a module-level loop may sit in and still be unrolled: what runs at import, perhaps
# depending on a branch (the frontends report the branch as for any declaration there).
_AROUND_A_LOOP = frozenset(
    {"if", "elif", "else", "try", "except", "finally", "with", "match", "case"}
)
_DICT_VIEWS = ("items", "keys", "values")


@dataclass(frozen=True)
class Unrolled:
    """A declaration's unrollable loops: one dict of the loop names' values per iteration
    (outermost loop slowest), the innermost loop's header, and the blocks around the outermost
    loop (innermost first: the branch it runs in, if any)."""

    iterations: list[dict[str, Value]]
    header: str
    around: tuple


def unroll(project: ModuleIndex, path: str, blocks, span: Span, ns=None) -> Unrolled | None:
    """The iterations of the `for` loops directly around a module-level declaration, when
    each runs over a known table; None otherwise (the one declaration stays, its
    loop-dependent values unknown). `span`: the declaration, where an item written in the
    loop header is located (as a finding on it always was: within the declaration's lines).
    `ns`: the function whose body `blocks` are (its loops, read with its local names)."""
    loops = _loop_chain(blocks)
    if loops is None:
        return None
    iterations: list[dict[str, Value]] = [{}]
    for block in reversed(loops):  # outermost first
        pattern = target_pattern(block.target)
        if pattern is None:
            return None
        deeper = []
        for outer in iterations:
            items = _items(project, path, block, span, outer, ns)
            if items is None:
                return None
            for item in items:
                bindings = bind_loop_names(pattern, item)
                if bindings is None:
                    return None
                deeper.append({**outer, **bindings})
                if len(deeper) > MAX_ITEMS:
                    return None
        iterations = deeper
    if not iterations:
        return None
    return Unrolled(iterations, loops[0].header.strip(), tuple(blocks[len(loops) :]))


def loop_names(blocks) -> set[str]:
    """The names the `for` loops among `blocks` bind (those whose targets are names)."""
    out: set[str] = set()
    for block in blocks:
        pattern = target_pattern(block.target) if block.kind == "loop" and block.target else None
        stack = list(pattern or ())
        while stack:
            part = stack.pop()
            if isinstance(part, str):
                out.add(part)
            else:
                stack.extend(part)
    return out


def _loop_chain(blocks) -> list | None:
    """The `for` loops nested directly around the declaration (innermost first), when only
    blocks that run at import surround the outermost; None otherwise."""
    loops = []
    for block in blocks:
        if block.kind != "loop":
            break
        if block.iterable is None or not block.target:
            return None  # a `while` loop
        loops.append(block)
    if not loops or any(b.kind not in _AROUND_A_LOOP for b in blocks[len(loops) :]):
        return None
    return loops


def target_pattern(text: str) -> list | None:
    """`name, cfg` -> ["name", "cfg"]; `i, (name, gpu)` -> ["i", ["name", "gpu"]]. None for
    targets that are not names or tuples of names (`*rest`, `obj.attr`, `d[k]`, `a,`)."""
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if isinstance(tree, ast.Name):
        return [tree.id]
    if isinstance(tree, (ast.Tuple, ast.List)) and len(tree.elts) > 1:
        return _pattern(tree)
    return None


def _pattern(node) -> str | list | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, (ast.Tuple, ast.List)) and node.elts:
        parts = [_pattern(elt) for elt in node.elts]
        return None if any(p is None for p in parts) else parts
    return None


def _items(project: ModuleIndex, path: str, block, span: Span, outer: dict, ns=None) -> list | None:
    """What the loop of `block` runs over, its iterable evaluated with the names of the loops
    around it bound to `outer`."""
    expr = block.iterable.expr()
    if outer:
        project._loops.append(((path, ns), outer))
    try:
        items = sequence(project, path, expr, span, ns)
    finally:
        if outer:
            project._loops.pop()
    if items is None or len(items) > MAX_ITEMS:
        return None
    return items


def sequence(project: ModuleIndex, path: str, expr: Expr, span: Span, ns=None) -> list | None:
    """What iterating `expr` yields, as Values; None when it is not known. `ns`: the
    function it is read in (its local names), None at module level."""
    if expr.kind == "call" and not _shadowed(project, path, expr, ns):
        func = expr.items[0]
        if func.kind == "name" and func.value == "enumerate":
            return _enumerate(project, path, expr, span, ns)
        if func.kind == "name" and func.value == "zip":
            return _zip(project, path, expr, span, ns)
        if func.kind == "attr" and func.value in _DICT_VIEWS and len(expr.items) == 1:
            if expr.keywords:
                return None
            return _dict_view(_known(project, path, func.items[0], span, ns), func.value)
    value = _known(project, path, expr, span, ns)
    if value is None:
        # `for model in Model:`: a project Enum's members, as a comprehension iterates them
        members = project._enum_members(expr, path, ns, 0)
        return list(members.value) if members is not None and members.known else None
    if isinstance(value.value, dict):
        return _dict_view(value, "keys")
    if isinstance(value.value, (list, tuple)):
        return list(value.value)
    return None


def _known(project: ModuleIndex, path: str, expr: Expr, span: Span, ns=None) -> Value | None:
    """`expr`'s value when it is fully known; a literal written in the loop header is
    located at the declaration."""
    value = project.evaluate(expr, path, ns)
    if not value.known or value.partial is not None or value.candidates:
        return None
    if expr.kind in ("tuple", "list", "dict"):
        return _located(value, span)
    return value


def _located(value: Value, span: Span) -> Value:
    raw = value.value
    if isinstance(raw, (list, tuple)):
        raw = type(raw)(_located(v, span) if isinstance(v, Value) else v for v in raw)
    elif isinstance(raw, dict):
        raw = {k: _located(v, span) if isinstance(v, Value) else v for k, v in raw.items()}
    return dataclasses.replace(value, value=raw, span=span)


def _dict_view(value: Value | None, method: str) -> list | None:
    """A known dict's keys, values or (key, value) pairs, as a `for` over them sees them."""
    if value is None or not isinstance(value.value, dict):
        return None
    raw = value.value
    keys = [Value(k, True, value.span, repr(k), path=value.path) for k in raw]
    if method == "keys":
        return keys
    if method == "values":
        return list(raw.values())
    return [
        Value((k, v), True, value.span, f"{k.text}, {v.text}", path=value.path)
        for k, v in zip(keys, raw.values(), strict=True)
    ]


def _enumerate(project: ModuleIndex, path: str, expr: Expr, span: Span, ns) -> list | None:
    """`enumerate(T)`, `enumerate(T, 1)`, `enumerate(T, start=1)`: (index, item) pairs."""
    args = list(expr.items[1:])
    keywords = [(k, v) for k, v, _ in expr.keywords]
    if any(k != "start" for k, _ in keywords):
        return None
    starts = args[1:] + [v for _, v in keywords]
    if not args or len(args) + len(keywords) > 2:
        return None
    start = 0
    if starts:
        known = _known(project, path, starts[0], span, ns)
        if known is None or type(known.value) is not int:
            return None
        start = known.value
    items = sequence(project, path, args[0], span, ns)
    if items is None or len(items) > MAX_ITEMS:
        return None
    return [
        Value((Value(start + i, True, span, str(start + i), path=path), item), True, span,
              f"{start + i}, {item.text}", path=path)
        for i, item in enumerate(items)
    ]  # fmt: skip


def _zip(project: ModuleIndex, path: str, expr: Expr, span: Span, ns) -> list | None:
    """`zip(A, B, ...)`: tuples of the items at each position, as long as the shortest.
    (`strict=` is left alone: a length mismatch raises at import only with it.)"""
    if expr.keywords or len(expr.items) < 2:
        return None
    columns = []
    for arg in expr.items[1:]:
        items = sequence(project, path, arg, span, ns)
        if items is None or len(items) > MAX_ITEMS:
            return None
        columns.append(items)
    return [
        Value(tuple(row), True, span, ", ".join(v.text for v in row), path=path)
        for row in zip(*columns, strict=False)
    ]


def _shadowed(project: ModuleIndex, path: str, call: Expr, ns=None) -> bool:
    """`enumerate`/`zip` (or a dict view's receiver) resolved to something of the project:
    not the builtin."""
    func = call.items[0]
    if func.kind != "name":
        return False
    return project.resolve_symbol(func, path, ns) is not None
