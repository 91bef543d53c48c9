"""A small, picklable expression tree built from the tree-sitter parse.

Files are parsed in worker processes, but resolving a name can need another
module's constants, so each file's relevant expressions are converted into this
plain-data form and resolved later in one place (see `flash_guard.discover.resolve`).
"""

from __future__ import annotations

import keyword
import re
from contextlib import suppress
from dataclasses import dataclass
from sys import intern
from typing import Any

from flash_guard.discover.lexical import Unanalysable
from flash_guard.model import Span

# A literal with more elements than this is not a Flash value (resolution would
# call it too big anyway); it is kept as `other` rather than converted item by item.
MAX_CHILDREN = 10_000
# Literal kinds whose text `ast.literal_eval` can decode. literal_eval parses a
# single literal token; it never runs code, so the "static only" promise holds.
_LITERAL_KINDS = {"integer", "float", "string", "concatenated_string"}
_CONSTANT_KINDS = {"true": True, "false": False, "none": None}


@dataclass(slots=True)
class Expr:
    """One expression.

    kind: lit | name | attr | tuple | list | dict | call | binop | unary |
          subscript | starred | fstring | ifexp | dictcomp | named | other
    fstring items are the parts in order (string `lit`s and interpolated expressions);
    ifexp items are (value if true, condition, value if false).
    named (`n := v`): value the name bound, items (v,).
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


# The snippets holding a conversion (`expr()`'s memo), for `forget_conversions`.
_converted: list[Snippet] = []


# The snippets whose conversion `forget_conversions` leaves (`keep_conversion`), by id: the
# snippet is held, so its id stays its own.
_kept: dict[int, Snippet] = {}
_kept_text = 0  # the length of their texts together
# At most this much text kept converted: a tree costs ~10 bytes a character, so ~0.5 MiB. A
# project of a few hundred declarations keeps them all (the bench's 200-app tree: 392, 57k
# characters); a big tree keeps its first ones (all of /tmp/bt1600's were +4.4 MiB at the peak).
KEPT_TEXT = 65_536


def forget_conversions() -> None:
    """Drop every snippet's conversion (a cache: converting again gives an equal tree), but
    the kept ones'. Once the declarations are found, most of them are not read again, and on
    a big tree they are megabytes at the peak; what evaluation reads again is converted again."""
    kept = _kept
    for snippet in _converted:  # each listed once: when its memo was made
        if id(snippet) not in kept:
            del snippet._memo
    _converted.clear()


def keep_conversion(snippet: Snippet) -> None:
    """Keep `snippet`'s conversion until `forget_kept_conversions` (up to KEPT_TEXT): a
    declaration's call, which evaluation's checks read again (FG301-FG303 and others, through
    checks/sites). Converting each again was a quarter of what a warm run of an edited tree
    converts (every decorator is kept as a snippet: see Decorated)."""
    global _kept_text
    if _kept_text < KEPT_TEXT and id(snippet) not in _kept:
        _kept[id(snippet)] = snippet
        _kept_text += len(snippet.text)


def forget_kept_conversions() -> None:
    """Drop the kept conversions too (evaluation is done with the declarations)."""
    global _kept_text
    kept = list(_kept.values())
    _kept.clear()
    _kept_text = 0
    forget_conversions()  # the listed ones, kept ones among them
    for snippet in kept:
        with suppress(AttributeError):  # dropped just now, or never made (`tree` is set)
            del snippet._memo


def untrack_conversions() -> None:
    """Keep the conversions made so far, but no longer for `forget_conversions`: called when
    a new analysis starts, so the list holds one analysis's snippets, not every earlier one's."""
    global _kept_text
    _converted.clear()
    _kept.clear()
    _kept_text = 0


class _Conversions:
    """Where a snippet keeps its conversions once made: slots outside the record's fields, so
    the facts cache (which stores fields) never holds them, and a snippet that is never read
    costs no instance dict (a big tree has tens of thousands of snippets)."""

    __slots__ = ("_memo", "_callee")


@dataclass(slots=True)
class Snippet(_Conversions):
    """An expression kept as its source text, converted to an `Expr` when first needed.

    Most of a file's expressions (constants, helpers' defaults and returns) are never read by
    a declaration, so extraction records where each one stands and its text (what the facts
    cache stores) and only `expr()` parses it, as the right-hand side of an assignment: the
    same grammar context it had (assignments' values, defaults, returns and decorators are
    all plain expressions there), with every span placed where the whole file's parse put it.
    A file with a syntax error keeps its trees (`tree`): error recovery depends on the
    surrounding text, which a snippet no longer has.
    """

    text: str  # the expression's text, as the parser saw it (comments blanked)
    line: int  # where it starts, as span_of counts (its end follows from the text)
    column: int
    kind: str  # the parser's node kind: "call" for a call
    tree: Expr | None = None  # converted at extraction (a syntax error, a parenthesised value)
    # A call that converts to a call: the length of its callee's text (what `callee()` reads)
    callee_end: int = 0

    def expr(self) -> Expr:
        tree = self.tree
        if tree is None:
            try:
                tree = self._memo
            except AttributeError:
                tree = self._memo = _convert_snippet(self)
                _converted.append(self)
        return tree

    def callee(self) -> Expr | None:
        """The callee of a call whose conversion is a call, converted alone (equal to
        `expr().items[0]`): what a call's value is decided by first. None otherwise."""
        if self.tree is not None or not self.callee_end:
            return None
        try:
            return self._callee
        except AttributeError:
            pass
        callee = self._callee = self._convert_callee()
        return callee

    def _convert_callee(self) -> Expr | None:
        text = self.text[: self.callee_end]
        callee = dotted_expr(text, self.line, self.column)
        if callee is None:
            right = _parsed(text)
            callee = None if right is None else _rebased(self, lambda: to_expr(right, 1))
        return callee

    @property
    def span(self) -> Span:
        text = self.text
        newlines = text.count("\n")
        if not newlines:
            return Span(self.line, self.column, self.line, self.column + len(text))
        return Span(self.line, self.column, self.line + newlines, len(text) - text.rfind("\n"))

    # What `expr()` would say, without converting.
    def expr_span(self) -> Span:
        return self.span if self.tree is None else self.tree.span

    def has_expr_span(self, span: Span) -> bool:
        """`expr().span == span`, most often told by the start alone."""
        if self.tree is not None:
            return self.tree.span == span
        return self.line == span.line and self.column == span.column and self.span == span

    def expr_text(self) -> str:
        return self.text if self.tree is None else self.tree.text

    def head(self) -> Expr:
        """`expr().items[0]` for a call (`is_call()`), else `expr()`: what a decorator's
        meaning is decided by first, its callee converted alone where it can be."""
        if self.is_call():
            # Not memoised (as `callee()` is): a big tree's decorators would keep theirs
            # for the whole run, and a dotted callee (most) is converted without a parse.
            tree = self.tree
            if tree is None:
                try:
                    callee = self._callee
                except AttributeError:
                    callee = self._convert_callee()
                if callee is not None:
                    return callee
            return self.expr().items[0]
        return self.expr()

    def is_call(self) -> bool:
        """`expr().kind == "call"`, converting only the callee."""
        if self.tree is not None:
            return self.tree.kind == "call"
        return self.callee_end > 0

    def may_be_call(self) -> bool:
        """A call node (its conversion may still be `other`): no parse at all."""
        return (self.kind if self.tree is None else self.tree.kind) == "call"


SNIPPET_PREFIX = "_ = "


def snippet_of(node, eager: bool = False) -> Snippet:
    """The snippet of an expression node of a file being extracted; converted now when
    `eager` (a file with a syntax error), when parenthesised (the conversion looks through
    the parentheses, so its span is not the node's) or when on lines too long to locate
    cheaply later."""
    kind = intern(node.kind())
    span = span_of(node)
    text = node.text()
    if len(text) <= SHARED_TEXT:
        text = intern(text)
    snippet = Snippet(text, span.line, span.column, kind)
    if eager or kind == "parenthesized_expression" or not _cheap_to_locate(text, span.column):
        snippet.tree = to_expr(node)
    elif kind == "call":
        # The conditions under which `_call_expr` gives a call, not `other`.
        func, arguments = node.field("function"), node.field("arguments")
        if (
            func is not None
            and arguments is not None
            and arguments.kind() == "argument_list"
            and not _too_many_children(arguments)
        ):
            snippet.callee_end = len(func.text())
    return snippet


# `a.b.c` written without spaces: most callees. Names the grammar may read otherwise
# (keywords, `print`/`exec` statements) and long chains go to the parser.
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*){0,40}")
_NOT_PLAIN_NAMES = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | {"print", "exec"}


def dotted_expr(text: str, line: int, column: int) -> Expr | None:
    """What `to_expr` makes of `a.b.c` at (line, column), without parsing; None when the
    text is not such a chain."""
    if _DOTTED.fullmatch(text) is None:
        return None
    parts = text.split(".")
    if any(part in _NOT_PLAIN_NAMES for part in parts):
        return None
    expr = Expr("name", Span(line, column, line, column + len(parts[0])), parts[0], parts[0])
    end = column + len(parts[0])
    for part in parts[1:]:
        end += 1 + len(part)
        chain = text[: end - column]
        expr = Expr("attr", Span(line, column, line, end), chain, part, (expr,))
    return expr


def _cheap_to_locate(text: str, column: int) -> bool:
    # At most one node per character, each costing about twice its line's width.
    size = len(text)
    if size * (2 * (column + size) + NODE_COST) <= LAZY_SPAN_COST:
        return True
    widest = column + max(len(line) for line in text.split("\n"))
    return size * (2 * widest + NODE_COST) <= LAZY_SPAN_COST


def _parsed(text: str):
    """`text` parsed as an assignment's value: its node, or None if it does not parse back to
    one expression (not reachable for text the file's parse gave as one)."""
    from ast_grep_py import SgRoot  # deferred: the parser is loaded only when needed

    root = SgRoot(SNIPPET_PREFIX + text, "python").root()
    assignment = root.find(kind="assignment")
    right = assignment.field("right") if assignment is not None else None
    return right if right is not None and right.text() == text else None


@dataclass(frozen=True, slots=True)
class _At:
    line: int
    column: int


def comparison(expr: Expr) -> tuple[list[str], list[Expr]] | None:
    """`n != "X"`, `p is not Pool.B`, `1 < n <= 3` (an `other` expression): its operators and
    operands, parsed from its text on demand (a comprehension's filter); None for anything
    else."""
    if expr.kind != "other" or "\n" in expr.text:
        return None
    node = _parsed(expr.text)
    if node is None or node.kind() != "comparison_operator":
        return None
    operators = [" ".join(c.text().split()) for c in node.children() if not c.is_named()]
    named = [c for c in node.children() if c.is_named() and c.kind() not in EXTRAS]
    if len(named) != len(operators) + 1:
        return None
    at = _At(expr.span.line, expr.span.column)
    return operators, [_rebased(at, lambda n=n: to_expr(n)) for n in named]


def _rebased(snippet: Snippet, convert):
    global _rebase
    saved, _rebase = _rebase, (snippet.line, snippet.column - len(SNIPPET_PREFIX))
    try:
        return convert()
    finally:
        _rebase = saved


def _convert_snippet(snippet: Snippet) -> Expr:
    # `name` / `a.b.c` (most decorators, many values): what the parse would give, unparsed
    dotted = dotted_expr(snippet.text, snippet.line, snippet.column)
    if dotted is not None:
        return dotted
    right = _parsed(snippet.text)
    if right is None:
        return Expr("other", snippet.span, snippet.text)
    return _rebased(snippet, lambda: to_expr(right))


class TooCostly(Unanalysable):
    """Locating this file's nodes would take too long (see `span_of`)."""


# ast-grep computes a node's column by scanning its line from the start (its character
# offset comes with the node, at no cost), so locating one node costs about `column`
# character steps of ~1 ns plus a fixed overhead. Ordinary code of any size (short
# lines) stays far below this budget, linear in the node count; a 2 MB single line of
# statements (2 ms per node) reaches it within about two seconds instead of running for
# hours.
SPAN_BUDGET = 2_000_000_000
NODE_COST = 200  # the fixed part, in the same character steps
# A snippet whose conversion could cost more than this (in the span meter's steps) is
# converted at extraction, under the file's meter (long lines: minified or hostile files keep
# exactly the bound they had); any other is cheap to convert whenever it is needed.
LAZY_SPAN_COST = SPAN_BUDGET // 10
_meter: list[int] | None = None  # the budget left for the file being extracted
# While a snippet is converted (Snippet.expr): its line offset and the column offset of its
# first line, so every span is the one the whole file's parse gave.
_rebase: tuple[int, int] | None = None


def start_meter(budget: int = SPAN_BUDGET) -> None:
    global _meter
    _meter = [budget]


def stop_meter() -> None:
    global _meter
    _meter = None


def metered_range(node):
    """`node.range()`, charged to the file's span meter like `span_of` (TooCostly past it)."""
    rng = node.range()
    if _meter is not None:
        _meter[0] -= rng.start.column + rng.end.column + NODE_COST
        if _meter[0] < 0:
            raise TooCostly("lines too long to locate this file's syntax in time")
    return rng


def node_within(node, outer) -> bool:
    """Whether ast-grep `node` lies inside `outer` (or is it)."""
    inner, around = node.range(), outer.range()
    return around.start.index <= inner.start.index and inner.end.index <= around.end.index


def span_of(node) -> Span:
    rng = metered_range(node)
    start, end = rng.start, rng.end
    if _rebase is not None:
        lines, first = _rebase
        return Span(
            start.line + lines,
            start.column + (first if start.line == 0 else 1),
            end.line + lines,
            end.column + (first if end.line == 0 else 1),
        )
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _literal(node, text: str) -> tuple[bool, Any]:
    fast = _simple_literal(text)
    if fast is not None:
        return fast
    if node.kind() == "string" and any(c.kind() == "interpolation" for c in node.children()):
        return False, None
    if node.kind() == "concatenated_string" and any(
        g.kind() == "interpolation" for c in node.children() for g in c.children()
    ):
        return False, None
    import ast  # deferred: most literals take the fast path

    try:
        # Parenthesised: implicit concatenation may span lines (`"transformers"\n">=4.40"`).
        value = ast.literal_eval(f"({text})" if node.kind() == "concatenated_string" else text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return False, None
    return _printable(value)


# Hex, octal and binary literals have no length limit, but Python refuses to print
# ints of more than 4,300 decimal digits; no Flash parameter is anywhere near this.
MAX_INT_BITS = 4_096


def _printable(value: Any) -> tuple[bool, Any]:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        return False, None
    return True, value


def _simple_literal(text: str) -> tuple[bool, Any] | None:
    """Plain decimal integers and prefix-less strings without escapes, decoded without
    `ast.literal_eval` (which compiles every literal: most of the extraction time).
    None when the text needs the full decoder."""
    first = text[:1]
    if first.isdigit():
        if not (text.isascii() and text.isdigit() and (first != "0" or len(text) == 1)):
            return None  # 0x.., 1_000, 1.5, 1e3, 1j, 007: the full decoder knows
        try:
            return _printable(int(text))
        except ValueError:  # more digits than int() converts; literal_eval refuses too
            return False, None
    # Prefixed strings (f, r, b...), escapes and carriage returns (which Python
    # normalises inside literals) go to the full decoder.
    if first not in ("'", '"') or "\\" in text or "\r" in text:
        return None
    quote = first * 3 if text.startswith(first * 3) and len(text) >= 6 else first
    if len(text) < 2 * len(quote) or not text.endswith(quote):
        return None
    body = text[len(quote) : len(text) - len(quote)]
    if (
        quote in body
        or (len(quote) == 1 and "\n" in body)
        or (len(quote) == 3 and body.endswith(first))
    ):
        return None  # not one well-formed literal
    return True, body


_OPERATORS = {"binary_operator": "binop", "boolean_operator": "boolop"}


# Nodes tree-sitter puts anywhere between tokens: a comment, and a backslash-newline
# (`line_continuation`), which is whitespace to Python, never a value or a decorator.
EXTRAS = frozenset(("comment", "line_continuation"))


# Texts up to this long are shared (sys.intern): short expressions (`"AMPERE_16"`, `60`,
# `GpuType.ANY`, `(0, 3)`) repeat across a project's files, and their copies were ~3 MiB of
# a big tree's peak, a tenth of that once shared.
SHARED_TEXT = 100


def shared(text):
    """`text`, as one shared copy when it is a short string (SHARED_TEXT)."""
    return intern(text) if type(text) is str and len(text) <= SHARED_TEXT else text


def to_expr(node, depth: int = 0) -> Expr:
    """Convert a tree-sitter expression node; anything unusual becomes `other`."""
    kind = node.kind()
    text = node.text()
    if len(text) <= SHARED_TEXT:
        text = intern(text)
    span = span_of(node)
    # Deeply nested input must not exhaust the stack; past this depth nothing
    # a Flash declaration needs can be resolved anyway.
    if depth > 60:
        return Expr("other", span, text)
    if kind == "string" and any(c.kind() == "interpolation" for c in node.children()):
        return _fstring_expr(node, span, text, depth)
    if kind == "conditional_expression":
        parts = [c for c in node.children() if c.is_named() and c.kind() not in EXTRAS]
        if len(parts) != 3:
            return Expr("other", span, text)
        return Expr("ifexp", span, text, None, tuple(to_expr(p, depth + 1) for p in parts))
    if kind in _LITERAL_KINDS:
        ok, value = _literal(node, text)
        if type(value) is str and len(value) <= SHARED_TEXT:
            value = intern(value)
        return Expr("lit", span, text, value) if ok else Expr("other", span, text)
    if kind in _CONSTANT_KINDS:
        return Expr("lit", span, text, _CONSTANT_KINDS[kind])
    if kind == "identifier":
        # Names, attribute names, keyword names and node kinds repeat across thousands of
        # files: one shared copy each (sys.intern) is ~5% of a big tree's peak memory.
        text = intern(text)
        return Expr("name", span, text, text)
    if kind == "parenthesized_expression":
        inner = [c for c in node.children() if c.is_named() and c.kind() not in EXTRAS]
        return to_expr(inner[0], depth + 1) if len(inner) == 1 else Expr("other", span, text)
    if kind == "attribute":
        obj, attr = node.field("object"), node.field("attribute")
        if obj is None or attr is None:
            return Expr("other", span, text)
        return Expr("attr", span, text, intern(attr.text()), (to_expr(obj, depth + 1),))
    if kind in ("tuple", "list", "expression_list"):
        if _too_many_children(node):
            return Expr("other", span, text)
        children = [c for c in node.children() if c.is_named() and c.kind() not in EXTRAS]
        items = tuple(to_expr(c, depth + 1) for c in children)
        return Expr("list" if kind == "list" else "tuple", span, text, None, items)
    if kind == "dictionary":
        return _dict_expr(node, span, text, depth)
    if kind in ("dictionary_comprehension", "list_comprehension"):
        return _dictcomp_expr(node, span, text, depth)
    if kind == "call":
        return _call_expr(node, span, text, depth)
    if kind in _OPERATORS:  # `a + b` and `a or b`
        left, op, right = node.field("left"), node.field("operator"), node.field("right")
        if left is None or op is None or right is None:
            return Expr("other", span, text)
        operands = (to_expr(left, depth + 1), to_expr(right, depth + 1))
        return Expr(_OPERATORS[kind], span, text, op.text(), operands)
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
    if kind == "named_expression":  # `(n := "x")`: its value, under the name it binds
        name, value = node.field("name"), node.field("value")
        if name is None or value is None:
            return Expr("other", span, text)
        return Expr("named", span, text, intern(name.text()), (to_expr(value, depth + 1),))
    if kind in ("list_splat", "dictionary_splat"):
        inner = [c for c in node.children() if c.is_named() and c.kind() not in EXTRAS]
        items = (to_expr(inner[0], depth + 1),) if inner else ()
        return Expr("starred", span, text, "**" if kind == "dictionary_splat" else "*", items)
    return Expr("other", span, text)


def _dictcomp_expr(node, span: Span, text: str, depth: int) -> Expr:
    """`{k: f(k) for k in KEYS}` (one `for` over a plain name or a tuple of names, at most
    one `if`): kind `dictcomp`, value the loop name (names joined by "," for `for k, v in
    ...`), items (key, value, iterable[, condition]); `[f(k) for k in KEYS]` likewise: kind
    `listcomp`, items (element, iterable[, condition]); anything else stays `other`."""
    named = [c for c in node.children() if c.is_named() and c.kind() not in EXTRAS]
    listed = node.kind() == "list_comprehension"
    condition = None
    if len(named) == 3 and named[2].kind() == "if_clause":
        # `{k: v for k, v in D.items() if v}`: one filter, kept as a fourth item
        tests = [c for c in named[2].children() if c.is_named() and c.kind() not in EXTRAS]
        if len(tests) != 1:
            return Expr("other", span, text)
        condition = to_expr(tests[0], depth + 1)
        named = named[:2]
    if len(named) != 2 or named[1].kind() != "for_in_clause":
        return Expr("other", span, text)
    if (named[0].kind() == "pair") == listed:
        return Expr("other", span, text)
    pair, clause = named
    key, value = (pair, pair) if listed else (pair.field("key"), pair.field("value"))
    left, right = clause.field("left"), clause.field("right")
    if key is None or value is None or left is None or right is None:
        return Expr("other", span, text)
    if any(c.kind() == "async" for c in clause.children()):
        return Expr("other", span, text)
    if left.kind() == "identifier":
        names = left.text()
    elif left.kind() in ("pattern_list", "tuple_pattern"):
        # `for key, gpu in MODELS.items()`: the names joined by ","
        parts = [c for c in left.children() if c.is_named() and c.kind() not in EXTRAS]
        if not parts or any(c.kind() != "identifier" for c in parts):
            return Expr("other", span, text)
        names = ",".join(c.text() for c in parts)
    else:
        return Expr("other", span, text)
    parts = (to_expr(key, depth + 1), to_expr(value, depth + 1), to_expr(right, depth + 1))
    if listed:
        parts = parts[1:]
    if condition is not None:
        parts += (condition,)
    return Expr("listcomp" if listed else "dictcomp", span, text, names, parts)


def _fstring_expr(node, span: Span, text: str, depth: int) -> Expr:
    """`f"{A}-worker"` as its parts; format specs, conversions and escapes stay `other`."""
    parts: list[Expr] = []
    for child in node.children():
        kind = child.kind()
        if kind == "string_start":
            if child.text().lower().lstrip("f") not in ('"', "'", '"""', "'''"):
                return Expr("other", span, text)  # rf"..", fb"..": not modelled
        elif kind == "string_content":
            raw = child.text()
            if "\\" in raw:
                return Expr("other", span, text)
            value = raw.replace("{{", "{").replace("}}", "}")
            parts.append(Expr("lit", span_of(child), raw, value))
        elif kind == "interpolation":
            inner = [c for c in child.children() if c.is_named() and c.kind() not in EXTRAS]
            marks = [c.text() for c in child.children() if not c.is_named()]
            if len(inner) != 1 or marks != ["{", "}"]:
                return Expr("other", span, text)  # `!r`, `:>3`, `=`: not modelled
            parts.append(to_expr(inner[0], depth + 1))
        elif kind == "escape_sequence" or (child.is_named() and kind != "string_end"):
            return Expr("other", span, text)
    return Expr("fstring", span, text, None, tuple(parts))


def _too_many_children(node) -> bool:
    # Asks for one child by index instead of listing a million of them (each
    # listed child is a Python object): items plus commas plus brackets.
    return node.child(2 * MAX_CHILDREN + 2) is not None


def _dict_expr(node, span: Span, text: str, depth: int) -> Expr:
    entries = []
    if _too_many_children(node):
        return Expr("other", span, text)
    for child in node.children():
        if child.kind() == "pair":
            key, value = child.field("key"), child.field("value")
            if key is not None and value is not None:
                entries.append((to_expr(key, depth + 1), to_expr(value, depth + 1), span_of(child)))
        elif child.kind() == "dictionary_splat":
            inner = [c for c in child.children() if c.is_named() and c.kind() not in EXTRAS]
            if inner:
                entries.append((None, to_expr(inner[0], depth + 1), span_of(child)))
        elif child.is_named() and child.kind() not in EXTRAS:
            # A comprehension or anything we do not model makes the dict unknowable.
            return Expr("other", span, text)
    return Expr("dict", span, text, None, (), tuple(entries))


def _call_expr(node, span: Span, text: str, depth: int) -> Expr:
    func, arguments = node.field("function"), node.field("arguments")
    if func is None or arguments is None or arguments.kind() != "argument_list":
        return Expr("other", span, text)
    args: list[Expr] = []
    keywords: list[tuple[Any, Expr, Span]] = []
    if _too_many_children(arguments):
        return Expr("other", span, text)
    for child in arguments.children():
        ckind = child.kind()
        if ckind == "keyword_argument":
            name, value = child.field("name"), child.field("value")
            if name is not None and value is not None:
                keywords.append((intern(name.text()), to_expr(value, depth + 1), span_of(child)))
        elif ckind == "dictionary_splat":
            inner = [c for c in child.children() if c.is_named() and c.kind() not in EXTRAS]
            if inner:
                keywords.append((None, to_expr(inner[0], depth + 1), span_of(child)))
        elif child.is_named() and ckind not in EXTRAS:
            args.append(to_expr(child, depth + 1))
    return Expr("call", span, text, None, (to_expr(func, depth + 1), *args), tuple(keywords))
