"""One Python file parsed for migration: the `ast` tree and character offsets of its nodes.

Discovery's limits apply first (`discover.lexical.lex`), so migrate never parses a file the
linter would refuse. `ast` counts columns in UTF-8 bytes; edits count characters.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from flash_guard.discover.lexical import Unanalysable, lex
from flash_guard.fix.edits import LineIndex


class Unparsable(Exception):
    """The file is not Python that migrate can read (a syntax error or past discovery's limits)."""


@dataclass
class ParsedFile:
    path: str  # project-relative, '/'-separated
    text: str
    tree: ast.Module = field(init=False)
    lines: LineIndex = field(init=False)

    def __post_init__(self) -> None:
        if "\r" in self.text.replace("\r\n", ""):
            # Python reads a lone CR as a line break, the edit offsets do not: not rewritten.
            raise Unparsable("lone carriage-return line endings: not migrated")
        try:
            lex(self.text)
            self.tree = ast.parse(self.text)
        except (Unanalysable, SyntaxError, ValueError) as exc:
            raise Unparsable(str(exc)) from None
        except (RecursionError, MemoryError):  # `1+1+...` a million terms long
            raise Unparsable("too deeply nested for Python's parser: not migrated") from None
        self.lines = LineIndex(self.text)
        self._line_text = self.text.split("\n")

    def offset(self, line: int, byte_col: int) -> int:
        prefix = self._line_text[line - 1].encode("utf-8", "surrogatepass")[:byte_col]
        return self.lines.starts[line - 1] + len(prefix.decode("utf-8", "surrogatepass"))

    def start(self, node: ast.AST) -> int:
        return self.offset(node.lineno, node.col_offset)

    def end(self, node: ast.AST) -> int:
        return self.offset(node.end_lineno, node.end_col_offset)

    def segment(self, node: ast.AST) -> str:
        return self.text[self.start(node) : self.end(node)]

    def line_start(self, line: int) -> int:
        return self.lines.starts[line - 1]

    def line_end(self, line: int) -> int:
        """Offset just past the newline ending `line` (or the end of the text)."""
        return self.lines.starts[line] if line < len(self.lines.starts) else len(self.text)

    def line(self, line: int) -> str:
        return self._line_text[line - 1] if 1 <= line <= len(self._line_text) else ""

    def first_line(self, node: ast.AST) -> int:
        """The first line of a statement, counting its decorators."""
        decorators = getattr(node, "decorator_list", None) or []
        return min([node.lineno] + [d.lineno for d in decorators])

    @property
    def newline(self) -> str:
        return "\r\n" if "\r\n" in self.text else "\n"

    def comments_in(self, node: ast.AST) -> list[str]:
        """The comments inside a node's text (a rewrite that re-renders it would lose them)."""
        import io
        import tokenize

        out = []
        try:
            tokens = tokenize.generate_tokens(io.StringIO(self.segment(node)).readline)
            out = [t.string for t in tokens if t.type == tokenize.COMMENT]
        except (tokenize.TokenError, SyntaxError):
            pass
        return out
