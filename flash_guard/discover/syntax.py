"""A small, picklable expression tree built from the tree-sitter parse.

Files are parsed in worker processes, but resolving a name can need another
module's constants, so each file's relevant expressions are converted into this
plain-data form and resolved later in one place (see `flash_guard.resolve`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Any

from flash_guard.model import Span

# Literal kinds whose text `ast.literal_eval` can decode. literal_eval parses a
# single literal token; it never runs code, so the "static only" promise holds.
_LITERAL_KINDS = {"integer", "float", "string", "concatenated_string"}
_CONSTANT_KINDS = {"true": True, "false": False, "none": None}


@dataclass
class Expr:
    """One expression.

    kind: lit | name | attr | tuple | list | dict | call | binop | unary |
          subscript | starred | other
    value: the literal (lit), identifier (name), attribute name (attr) or operator.
    items: children: elements, call positional args, operands, attr/subscript base.
    keywords: call keyword args as (name or None for `**x`, Expr, Span);
              dict entries as (key Expr or None for `**x`, value Expr, Span).
    """

    kind: str
    span: Span
    text: str
    value: Any = None
    items: tuple[Expr, ...] = ()
    keywords: tuple[tuple[Any, Expr, Span], ...] = ()

    def dotted(self) -> str | None:
        """`a.b.c` for a name/attribute chain, else None."""
        if self.kind == "name":
            return self.value
        if self.kind == "attr":
            base = self.items[0].dotted()
            return f"{base}.{self.value}" if base else None
        return None


def span_of(node) -> Span:
    rng = node.range()
    return Span(rng.start.line + 1, rng.start.column + 1, rng.end.line + 1, rng.end.column + 1)


def _literal(node, text: str) -> tuple[bool, Any]:
    if node.kind() == "string" and any(c.kind() == "interpolation" for c in node.children()):
        return False, None
    if node.kind() == "concatenated_string" and any(
        g.kind() == "interpolation" for c in node.children() for g in c.children()
    ):
        return False, None
    try:
        return True, ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False, None


def to_expr(node, depth: int = 0) -> Expr:
    """Convert a tree-sitter expression node; anything unusual becomes `other`."""
    kind = node.kind()
    text = node.text()
    span = span_of(node)
    # Deeply nested input must not exhaust the stack; past this depth nothing
    # a Flash declaration needs can be resolved anyway.
    if depth > 60:
        return Expr("other", span, text)
    if kind in _LITERAL_KINDS:
        ok, value = _literal(node, text)
        return Expr("lit", span, text, value) if ok else Expr("other", span, text)
    if kind in _CONSTANT_KINDS:
        return Expr("lit", span, text, _CONSTANT_KINDS[kind])
    if kind == "identifier":
        return Expr("name", span, text, text)
    if kind == "parenthesized_expression":
        inner = [c for c in node.children() if c.is_named() and c.kind() != "comment"]
        return to_expr(inner[0], depth + 1) if len(inner) == 1 else Expr("other", span, text)
    if kind == "attribute":
        obj, attr = node.field("object"), node.field("attribute")
        if obj is None or attr is None:
            return Expr("other", span, text)
        return Expr("attr", span, text, attr.text(), (to_expr(obj, depth + 1),))
    if kind in ("tuple", "list", "expression_list"):
        items = tuple(
            to_expr(c, depth + 1) for c in node.children() if c.is_named() and c.kind() != "comment"
        )
        return Expr("list" if kind == "list" else "tuple", span, text, None, items)
    if kind == "dictionary":
        return _dict_expr(node, span, text, depth)
    if kind == "call":
        return _call_expr(node, span, text, depth)
    if kind == "binary_operator":
        left, op, right = node.field("left"), node.field("operator"), node.field("right")
        if left is None or op is None or right is None:
            return Expr("other", span, text)
        operands = (to_expr(left, depth + 1), to_expr(right, depth + 1))
        return Expr("binop", span, text, op.text(), operands)
    if kind == "unary_operator":
        op, arg = node.field("operator"), node.field("argument")
        if op is None or arg is None:
            return Expr("other", span, text)
        return Expr("unary", span, text, op.text(), (to_expr(arg, depth + 1),))
    if kind == "subscript":
        base, index = node.field("value"), node.field("subscript")
        if base is None or index is None:
            return Expr("other", span, text)
        return Expr(
            "subscript", span, text, None, (to_expr(base, depth + 1), to_expr(index, depth + 1))
        )
    if kind in ("list_splat", "dictionary_splat"):
        inner = [c for c in node.children() if c.is_named()]
        items = (to_expr(inner[0], depth + 1),) if inner else ()
        return Expr("starred", span, text, "**" if kind == "dictionary_splat" else "*", items)
    return Expr("other", span, text)


def _dict_expr(node, span: Span, text: str, depth: int) -> Expr:
    entries = []
    for child in node.children():
        if child.kind() == "pair":
            key, value = child.field("key"), child.field("value")
            if key is not None and value is not None:
                entries.append((to_expr(key, depth + 1), to_expr(value, depth + 1), span_of(child)))
        elif child.kind() == "dictionary_splat":
            inner = [c for c in child.children() if c.is_named()]
            if inner:
                entries.append((None, to_expr(inner[0], depth + 1), span_of(child)))
        elif child.is_named() and child.kind() != "comment":
            # A comprehension or anything we do not model makes the dict unknowable.
            return Expr("other", span, text)
    return Expr("dict", span, text, None, (), tuple(entries))


def _call_expr(node, span: Span, text: str, depth: int) -> Expr:
    func, arguments = node.field("function"), node.field("arguments")
    if func is None or arguments is None or arguments.kind() != "argument_list":
        return Expr("other", span, text)
    args: list[Expr] = []
    keywords: list[tuple[Any, Expr, Span]] = []
    for child in arguments.children():
        ckind = child.kind()
        if ckind == "keyword_argument":
            name, value = child.field("name"), child.field("value")
            if name is not None and value is not None:
                keywords.append((name.text(), to_expr(value, depth + 1), span_of(child)))
        elif ckind == "dictionary_splat":
            inner = [c for c in child.children() if c.is_named()]
            if inner:
                keywords.append((None, to_expr(inner[0], depth + 1), span_of(child)))
        elif child.is_named() and ckind != "comment":
            args.append(to_expr(child, depth + 1))
    return Expr("call", span, text, None, (to_expr(func, depth + 1), *args), tuple(keywords))


def call_func(expr: Expr) -> Expr:
    return expr.items[0]


def call_args(expr: Expr) -> tuple[Expr, ...]:
    return expr.items[1:]
