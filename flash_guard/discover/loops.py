"""Module-level `for` loops over a known table, unrolled one item at a time.

Both frontends use them: a runpod 2.0 resource declared in such a loop is one resource per item
(`for name in MODELS: app.queue(name=name)(...)`), and a runpod-flash route registered in one is
one route per item (`for path, fn in ROUTES: api.get(path)(fn)`). Each item is evaluated with
the loop's names bound to it (pushed on `ModuleIndex._loops`).
"""

from __future__ import annotations

import re

from flash_guard.discover.parse import dotted_expr
from flash_guard.discover.resolve import MAX_ITEMS, ModuleIndex
from flash_guard.discover.resolve import bind_loop_names as bind  # the frontends' name
from flash_guard.model import Span, Value

_FOR_HEADER = re.compile(r"^\s*for\s+(.+?)\s+in\s+(.+?)\s*:\s*(?:#.*)?$")
_DOTTED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def loop_header(blocks) -> tuple[list[str], str] | None:
    """(loop names, iterable text) when the declaration sits directly in one module-level
    `for` loop (`for name, cfg in MODELS.items():`), else None."""
    if len(blocks) != 1 or blocks[0].kind != "loop":
        return None
    match = _FOR_HEADER.match(blocks[0].header)
    if match is None:
        return None
    names = [n.strip() for n in match.group(1).strip("()").split(",") if n.strip()]
    if not names or not all(_DOTTED_NAME.fullmatch(n) and "." not in n for n in names):
        return None
    return names, match.group(2).strip()


def _literal_items(text: str, span: Span, path: str) -> Value | None:
    """`("a", "b")` or `["a", "b"]` written in the loop header: its items (located at the
    declaration, the header's own position not being recorded)."""
    import ast

    try:
        raw = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    if not isinstance(raw, (list, tuple)) or not all(isinstance(x, (str, int)) for x in raw):
        return None
    items = [Value(x, True, span, repr(x), path=path) for x in raw]
    return Value(items, True, span, text, path=path)


def loop_items(
    project: ModuleIndex, path: str, loop: tuple[list[str], str], span: Span
) -> list | None:
    """The items a module-level `for` loop runs over, when its iterable is a known list,
    tuple or dict (or `.items()`/`.keys()`/`.values()` of one) of at most MAX_ITEMS, and
    each item unpacks into the loop's names; None otherwise (the one declaration stays,
    its loop-dependent values unknown)."""
    names, text = loop
    method = next((m for m in ("items", "keys", "values") if text.endswith(f".{m}()")), None)
    base = text[: -len(f".{method}()")] if method else text
    if _DOTTED_NAME.fullmatch(base):
        expr = dotted_expr(base, span.line, span.column)
        if expr is None:
            return None
        value = project.evaluate(expr, path, None)
    else:
        value = _literal_items(base, span, path)
    if value is None or not value.known or value.partial is not None:
        return None
    raw = value.value
    if isinstance(raw, dict):
        keys = [Value(k, True, value.span, repr(k), path=value.path) for k in raw]
        if method in (None, "keys"):
            items = keys
        elif method == "values":
            items = list(raw.values())
        else:
            items = [
                Value((k, v), True, value.span, f"{k.text}, {v.text}", path=value.path)
                for k, v in zip(keys, raw.values(), strict=True)
            ]
    elif isinstance(raw, (list, tuple)) and method is None:
        items = list(raw)
    else:
        return None
    if not items or len(items) > MAX_ITEMS:
        return None
    if any(bind(names, item) is None for item in items):
        return None
    return items
