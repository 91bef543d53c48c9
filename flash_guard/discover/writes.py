"""In-place changes to a name's value, applied where the name's assignment is resolved.

`ENV = {...}` followed by `ENV["HF_TOKEN"] = ...`, `ENV.update(...)` or `DEPS.append(...)`:
what an endpoint receives is the assigned value with every later change made to it (a change
under an `if` counts, as a key that may be set is one the author meant to pass). An item set
in a `for` loop over a known list or tuple (`for k in KEYS: env[k] = os.getenv(k, "")`) is
one item per element (a dict's keys, `.items()` unpacked into `for k, v`). A change
this model cannot follow (an unknown key, `pop()` of an unknown key, `remove`, an operator
other than `+=`/`|=`) makes the value unknown, so the rules that read it say they cannot tell
(FG002) instead of judging the literal alone.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from flash_guard.discover.facts import ROUTE_REGISTRARS, Assignment, ItemWrite
from flash_guard.discover.parse import Expr
from flash_guard.model import Value

if TYPE_CHECKING:
    from flash_guard.discover.resolve import ModuleIndex

# Writes that add or replace entries of a dict: what `_evaluate_mapping` reads them as.
_DICT_MERGES = ("set", "update", "ior", "setdefault")


def writes_of(
    writes: list[ItemWrite], assign: Assignment, group: list[Assignment]
) -> list[ItemWrite]:
    """The writes that change the value `assign` gave: after it, before the next assignment
    of the same name in the same namespace (`group`, in source order)."""
    start = (assign.span.line, assign.span.column)
    later = [(a.span.line, a.span.column) for a in group if (a.span.line, a.span.column) > start]
    end = min(later) if later else None
    return [
        w
        for w in writes
        if (w.span.line, w.span.column) > start
        and (end is None or (w.span.line, w.span.column) < end)
    ]


def apply_writes(
    index: ModuleIndex, value: Value, writes: list[ItemWrite], path: str, depth: int
) -> Value:
    for write in writes:
        if write.op in ROUTE_REGISTRARS or write.op == "call" or write.untaken:
            # `web.include_router(...)`: routes of an app object, not its value; a call
            # statement is the caller's to judge (`calls_changing`); a `__main__` block never
            # runs when the module is imported.
            continue
        if value.candidates:
            # One value per branch (rules.md "candidate values"): the change made to each.
            changed = [apply_writes(index, c, [write], path, depth) for c in value.candidates]
            if any(not c.known for c in changed):
                return _changed(value, write, path)
            value = dataclasses.replace(value, candidates=tuple(changed))
            continue
        if not value.known:
            return value
        value = _apply(index, value, write, path, depth)
        if index._too_big(value):
            return _changed(value, write, path)
    return value


def _write_text(write: ItemWrite) -> str:
    if write.op == "set" and write.key is not None:
        return f"{write.target}[{write.key.text}]"
    return write.value.text if write.value is not None else write.target


def _changed(value: Value, write: ItemWrite, path: str) -> Value:
    return Value.unknown(f"{write.target} (changed on line {write.span.line})", write.span, path)


def _apply(index: ModuleIndex, value: Value, write: ItemWrite, path: str, depth: int) -> Value:
    held = value.value
    if isinstance(held, dict):
        return _apply_to_dict(index, value, write, path, depth)
    if isinstance(held, (list, tuple)):
        return _apply_to_sequence(index, value, write, path, depth)
    if write.op == "iadd" and isinstance(held, (int, float, str)) and write.value is not None:
        right = index.evaluate(write.value.expr(), path, write.namespace, depth + 1)
        if right.known and _addable(held, right.value):
            return dataclasses.replace(value, value=held + right.value)
        return _changed(value, write, path)
    if write.op in ("iadd", "ior", "other", "set", "del"):
        return _changed(value, write, path)
    return value  # a method of some other object (`client.update(...)`): not its value


def _addable(left, right) -> bool:
    if isinstance(left, str):
        return isinstance(right, str)
    return isinstance(right, (int, float)) and not isinstance(right, bool)


def _call_parts(write: ItemWrite) -> tuple[list[Expr], list] | None:
    """The positional arguments and keywords of a method call; None for `*args`."""
    call = write.value.expr() if write.value is not None else None
    if call is None or call.kind != "call":
        return None
    args = list(call.items[1:])
    if any(a.kind == "starred" for a in args):
        return None
    return args, list(call.keywords)


def _entries(write: ItemWrite) -> list[tuple] | None:
    """The write as `_evaluate_mapping` entries: (key expr or keyword or None, value, span)."""
    if write.op == "set":
        if write.key is None or write.value is None:
            return None
        return [(write.key.expr(), write.value.expr(), write.span)]
    if write.op == "ior":
        right = write.value.expr() if write.value is not None else None
        return [(None, right, right.span)] if right is not None else None
    parts = _call_parts(write)
    if parts is None:
        return None
    args, keywords = parts
    if write.op == "update" and len(args) <= 1:
        return [(None, a, a.span) for a in args] + keywords
    if write.op == "setdefault" and len(args) == 2 and not keywords:
        return [(args[0], args[1], write.span)]
    return None


def _apply_to_dict(
    index: ModuleIndex, value: Value, write: ItemWrite, path: str, depth: int
) -> Value:
    held: dict = value.value
    if write.op == "update" and _updates_with_none(index, write, path, depth):
        return value  # `if extra: env.update(extra)` with `extra=None`: not run
    if write.op == "set" and write.loop is not None:
        looped = _set_in_loop(index, value, write, path, depth)
        if looped is not None:
            return looped
    if write.op in _DICT_MERGES:
        entries = _entries(write)
        if entries is None:
            return _changed(value, write, path)
        anchor = Expr("dict", write.span, write.target)
        merged = index._evaluate_mapping(entries, anchor, path, write.namespace, depth + 1)
        if not merged.known:
            return _changed(value, write, path)
        if write.op == "update" and merged.partial is not None and held:
            # `kwargs.update(extra())`: unknown entries may replace any key already there
            return _changed(value, write, path)
        items = dict(held)
        for key, item in merged.value.items():
            if write.op != "setdefault" or key not in items:
                items[key] = item
        partial = value.partial
        if partial is None and merged.partial is not None:
            # `ENV[name] = ...`: the write is what adds keys no one can name
            partial = Value.unknown(_write_text(write), write.span, path)
        return dataclasses.replace(value, value=items, partial=partial)
    if write.op in ("del", "pop"):
        key = _removed_key(index, write, path, depth)
        if key is None:
            return _changed(value, write, path)
        return dataclasses.replace(value, value={k: v for k, v in held.items() if k != key})
    if write.op == "clear":
        return dataclasses.replace(value, value={}, partial=None)
    return _changed(value, write, path)


def _set_in_loop(
    index: ModuleIndex, value: Value, write: ItemWrite, path: str, depth: int
) -> Value | None:
    """`for key in KEYS: ... env[key] = os.getenv(key, "")` over a known list, tuple or dict
    (`for key, spec in MODELS.items(): ENDPOINTS[key] = Endpoint(...)`, `enumerate`, `zip`:
    what loops.sequence iterates): one item per element, key and value evaluated with the
    loop's names bound to it (a set under an `if` counts, as any write does). None when the
    loop cannot be unrolled: an unknown or open iterable, an item that does not unpack into
    the names, a key that is not known, or a loop name rebound in the loop."""
    # resolve imports this module, and loops imports resolve
    from flash_guard.discover.loops import sequence, target_pattern
    from flash_guard.discover.resolve import MAX_ITEMS, bind_loop_names

    target, iterable = write.loop
    pattern = target_pattern(target)
    if pattern is None or write.key is None or write.value is None:
        return None
    start = (iterable.span.end_line, iterable.span.end_column)
    end = (write.span.line, write.span.column)
    for name in _names_in(pattern):
        rebinds = index.assignments_of(path, write.namespace, name)
        if any(start < (a.span.line, a.span.column) < end for a in rebinds):
            return None  # `for key in KEYS: key = key.upper()`
    items = sequence(index, path, iterable.expr(), write.span, write.namespace)
    if items is None or len(items) > MAX_ITEMS:
        return None
    held = dict(value.value)
    for item in items:
        bindings = bind_loop_names(pattern, item)
        if bindings is None:
            return None
        index._loops.append(((path, write.namespace), bindings))
        try:
            key = index.evaluate(write.key.expr(), path, write.namespace, depth + 1)
            item_value = index.evaluate(write.value.expr(), path, write.namespace, depth + 1)
        finally:
            index._loops.pop()
        if not key.known or not isinstance(key.value, (str, int)):
            return None
        held[key.value] = item_value
    return dataclasses.replace(value, value=held)


def _names_in(pattern: list) -> list[str]:
    """Every name a loop target binds (`i, (name, gpu)` -> i, name, gpu)."""
    out: list[str] = []
    for part in pattern:
        out.extend([part] if isinstance(part, str) else _names_in(part))
    return out


def _updates_with_none(index: ModuleIndex, write: ItemWrite, path: str, depth: int) -> bool:
    parts = _call_parts(write)
    if parts is None or len(parts[0]) != 1 or parts[1]:
        return False
    arg = index.evaluate(parts[0][0], path, write.namespace, depth + 1)
    return arg.known and arg.value is None


def _removed_key(index: ModuleIndex, write: ItemWrite, path: str, depth: int):
    if write.op == "del":
        key_expr = write.key.expr() if write.key is not None else None
    else:
        parts = _call_parts(write)
        key_expr = parts[0][0] if parts is not None and parts[0] and not parts[1] else None
    if key_expr is None:
        return None
    key = index.evaluate(key_expr, path, write.namespace, depth + 1)
    return key.value if key.known and isinstance(key.value, (str, int)) else None


def _apply_to_sequence(
    index: ModuleIndex, value: Value, write: ItemWrite, path: str, depth: int
) -> Value:
    held = value.value
    if isinstance(held, tuple) and write.op != "iadd":
        return _changed(value, write, path)  # a tuple has no methods that change it
    added: list[Value]
    partial = value.partial
    if write.op in ("append", "insert"):
        parts = _call_parts(write)
        wanted = 1 if write.op == "append" else 2
        if parts is None or len(parts[0]) != wanted or parts[1]:
            return _changed(value, write, path)
        # Where an item goes does not matter to any rule (dependencies, datacenters): added.
        added = [index.evaluate(parts[0][-1], path, write.namespace, depth + 1)]
    elif write.op in ("extend", "iadd"):
        if write.op == "extend":
            parts = _call_parts(write)
            if parts is None or len(parts[0]) != 1 or parts[1]:
                return _changed(value, write, path)
            right_expr = parts[0][0]
        elif write.value is not None:
            right_expr = write.value.expr()
        else:
            return _changed(value, write, path)
        right = index.evaluate(right_expr, path, write.namespace, depth + 1)
        if not right.known or not isinstance(right.value, (list, tuple)):
            return _changed(value, write, path)
        added = list(right.value)
        partial = partial or right.partial
    elif write.op == "clear":
        return dataclasses.replace(value, value=type(held)(), partial=None)
    else:
        return _changed(value, write, path)
    return dataclasses.replace(value, value=type(held)([*held, *added]), partial=partial)
