"""Re-locating a finding's syntax with ast-grep, and the edit helpers fixers share."""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass, field

from flash_guard.findings import Finding
from flash_guard.fix.edits import Edit, LineIndex

_STRING_PREFIX = re.compile(r"[rRuUbB]{0,2}")


# Above this many comments a file is parsed with its comments blanked (see Source).
MANY_COMMENTS = 2_000
# Children past which node_at lists a node once and bisects (see _child_containing).
WIDE_NODE = 64


class NotFixable(Exception):
    """The file is outside what discovery analyses (size, nesting): no fix is offered."""


@dataclass
class Source:
    """One file's text, parsed once per round and shared by the fixers of its findings."""

    path: str
    text: str
    # True when `lex` is known to accept this very text (discovery extracted it in this
    # process: discover/cache.LEXED_HERE), so only the comment count could matter.
    accepted: bool = False
    lines: LineIndex = field(init=False)
    root: object = field(init=False)  # the ast-grep root node
    # (start, end, kind) of a node with many children -> (children, their ranges, starts)
    _wide: dict = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        from ast_grep_py import SgRoot

        from flash_guard.discover.lexical import Unanalysable, lex

        self.lines = LineIndex(self.text)
        parsed = self.text
        if self.accepted and ("\r" in self.text or self.text.count("#") <= MANY_COMMENTS):
            # Every comment starts with a '#' of its own, so lex would neither refuse this
            # text nor blank its comments: the same tree without lexing it a second time.
            self.root = SgRoot(parsed, "python").root()
            return
        try:
            lexed = lex(self.text)  # the same size and shape limits as discovery
        except Unanalysable as exc:
            raise NotFixable(str(exc)) from None
        if len(lexed.comment_spans) > MANY_COMMENTS and "\r" not in self.text:
            # tree-sitter slows down badly on long runs of comments; the blanked text has the
            # same offsets (fixers take text by range from `self.text`, never from comments).
            parsed = lexed.text
        self.root = SgRoot(parsed, "python").root()

    @property
    def newline(self) -> str:
        return "\r\n" if "\r\n" in self.text else "\n"

    def node_at(self, finding: Finding):
        """The smallest node containing the finding's span, or None."""
        span = finding.span
        start = self.lines.offset(span.line, span.column)
        end = self.lines.offset(span.end_line, span.end_column)
        if start is None or end is None or end < start:
            return None
        node = self.root
        while True:
            child = self._child_containing(node, start, end)
            if child is None:
                return node
            node = child

    def _child_containing(self, node, start: int, end: int):
        """The first child of `node` whose range holds [start, end], or None. A node with
        many children (10,000 stacked decorators) has them listed once and searched by
        bisection; asking each one per finding made a run quadratic."""
        rng = node.range()
        key = (rng.start.index, rng.end.index, node.kind())
        wide = self._wide.get(key)
        if wide is None:
            children = node.children()
            if len(children) < WIDE_NODE:
                for child in children:
                    r = child.range()
                    if r.start.index <= start and end <= r.end.index:
                        return child
                return None
            ranges = [(c.range().start.index, c.range().end.index) for c in children]
            wide = self._wide[key] = (children, ranges, [r[0] for r in ranges])
        children, ranges, starts = wide
        # Children do not overlap: only those starting at or before `start` can hold it, and
        # of those the last few (several may start there, or end exactly at a zero-width span).
        i = bisect.bisect_right(starts, start)
        first = i
        while first > 0 and ranges[first - 1][1] >= start:
            first -= 1
        for j in range(first, i):
            if ranges[j][0] <= start and end <= ranges[j][1]:
                return children[j]
        return None

    def error_count(self) -> int:
        return len(self.root.find_all(kind="ERROR"))

    def line_indent(self, node) -> str:
        line_start = self.lines.starts[node.range().start.line]
        text = self.text[line_start:]
        return text[: len(text) - len(text.lstrip(" \t"))]


def replace(node, content: str) -> Edit:
    rng = node.range()
    return Edit(rng.start.index, rng.end.index, content)


def insert_at(offset: int, content: str) -> Edit:
    return Edit(offset, offset, content)


def string_value(node) -> str | None:
    """The value of a plain string literal (no f-string, no bytes), else None."""
    if node is None or node.kind() != "string":
        return None
    if any(c.kind() == "interpolation" for c in node.children()):
        return None
    text = node.text()
    prefix = _STRING_PREFIX.match(text).group(0)
    if "b" in prefix.lower() or "f" in prefix.lower():
        return None
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def string_body_start(node) -> int | None:
    """Offset just after a string literal's opening quote(s)."""
    first = node.child(0)
    if first is None or first.kind() != "string_start":
        return None
    return first.range().end.index


def keyword_of(node):
    """(keyword name, keyword_argument node) when `node` is the value of `name=value`."""
    parent = node.parent()
    if parent is not None and parent.kind() == "keyword_argument":
        value = parent.field("value")
        name = parent.field("name")
        if value is not None and name is not None and _same(value, node):
            return name.text(), parent
    return None, None


def _same(a, b) -> bool:
    ra, rb = a.range(), b.range()
    return (ra.start.index, ra.end.index) == (rb.start.index, rb.end.index)


def enclosing_call(node):
    """The call `node` is, or the call of the decorator `node` is."""
    if node is None:
        return None
    if node.kind() == "decorator":
        inner = [c for c in node.children() if c.is_named()]
        node = inner[0] if inner else None
    return node if node is not None and node.kind() == "call" else None


def keyword_args(call) -> dict[str, object]:
    args = call.field("arguments")
    out = {}
    if args is None:
        return out
    for child in args.children():
        if child.kind() == "keyword_argument" and child.field("name") is not None:
            out[child.field("name").text()] = child
    return out


def callee_name(call) -> str:
    function = call.field("function")
    return function.text().rsplit(".", 1)[-1] if function is not None else ""


def add_keyword(source: Source, call, keyword: str) -> Edit | None:
    """Insert `keyword` (e.g. `x=1`) as the call's last argument, in the call's own layout:
    on its own line when the arguments are one per line, else after `, `."""
    args = call.field("arguments")
    if args is None or args.kind() != "argument_list":
        return None
    named = [c for c in args.children() if c.is_named() and c.kind() != "comment"]
    close = args.children()[-1]
    if close.text() != ")":
        return None
    if not named:
        return insert_at(close.range().start.index, keyword)
    last = named[-1]
    after_last = last.next()
    trailing_comma = after_last is not None and after_last.text() == ","
    open_line = args.range().start.line
    if last.range().start.line != open_line:  # one argument per line
        indent = source.line_indent(last)
        if trailing_comma:
            anchor = after_last
            comment = after_last.next()
            same_line = comment is not None and (
                comment.range().start.line == after_last.range().start.line
            )
            if same_line and comment.kind() == "comment":
                anchor = comment  # `last,  # a comment`: the new argument goes below it
            return insert_at(anchor.range().end.index, f"{source.newline}{indent}{keyword},")
        return insert_at(last.range().end.index, f",{source.newline}{indent}{keyword}")
    if trailing_comma:
        return insert_at(after_last.range().end.index, f" {keyword}")
    edit = insert_at(last.range().end.index, f", {keyword}")
    line_end = source.text.find("\n", edit.start)
    line_end = len(source.text) if line_end < 0 else line_end
    line_start = source.lines.starts[args.range().start.line]
    if _width(source.text[line_start:line_end]) + len(edit.content) <= LINE_LENGTH:
        return edit
    return _split(source, args, [*(c.text() for c in named), keyword])


# ruff format's default line length: a one-line call that the new argument makes longer is
# split the way the formatter would split it, so `ruff format` leaves the fixed file alone.
LINE_LENGTH = 88


def _width(line: str) -> int:
    return len(line.rstrip("\r"))


def _split(source: Source, args, items: list[str]) -> Edit:
    """The argument list on its own indented line, or one argument per line when that line
    is too long too (ruff format's two layouts, without and with the magic trailing comma)."""
    indent = source.line_indent(args)
    inner = indent + "    "
    nl = source.newline
    close_line = source.text[args.range().end.index :].split("\n", 1)[0]
    hugged = inner + ", ".join(items)
    if _width(hugged) <= LINE_LENGTH and _width(indent + ")" + close_line) <= LINE_LENGTH:
        return replace(args, f"({nl}{hugged}{nl}{indent})")
    body = "".join(f"{inner}{item},{nl}" for item in items)
    return replace(args, f"({nl}{body}{indent})")
