"""Python's own line and token structure, applied before tree-sitter sees a file.

tree-sitter and CPython disagree on a few lexical points that an attacker can use to hide
code: a lone carriage return is a line break to Python but not to tree-sitter, and runs of
comment lines make tree-sitter's scanner quadratic. So the text is normalised here the way
Python's tokenizer reads it, comments are found by Python's rules (and blanked for the
parser), and the shapes Python itself refuses (too deep indentation or bracket nesting,
which also crash or stall tree-sitter) are rejected before any parse. Nothing here runs
the code: `tokenize` only splits text.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from flash_guard.digests import blake2b

# Files above this size are not analysed (FG001 error): every stage below is linear, and
# this keeps one file's time and memory (about 60x its size while parsed) bounded.
MAX_SOURCE_CHARS = 5 * 1024 * 1024
# CPython's tokenizer refuses more levels than these (MAXINDENT 100, MAXLEVEL 200), and
# tree-sitter aborts the process (a scanner-state assertion) or slows down sharply well
# beyond them, so a file past either is reported instead of parsed.
MAX_INDENT_LEVELS = 100
MAX_BRACKET_DEPTH = 200

# A string literal's prefix, when it has one, cannot continue an identifier (`xr"a"` is
# the name `xr` and the string `"a"`). The bodies are unrolled loops (no nested
# quantifier can backtrack), so matching stays linear even on unterminated literals.
# Every alternative starts with a fixed set of characters (`#`, a quote, a prefix letter),
# which lets the regex engine skip the other characters without trying the pattern: a
# quarter of the scan's time, against an optional prefix group before every quote.
_PREFIX = r"(?<!\w)(?:[rR][bBfF]?|[bBfF][rR]?|[uU])"
_TRIPLE_D = r'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'
_TRIPLE_S = r"'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"
_SINGLE_D = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
_SINGLE_S = r"'[^'\\\n]*(?:\\.[^'\\\n]*)*'"
_QUOTED = rf"(?:{_TRIPLE_D}|{_TRIPLE_S}|{_SINGLE_D}|{_SINGLE_S})"
_LEXEME = re.compile(
    rf"(?P<comment>#[^\n]*)|(?P<string>{_PREFIX}{_QUOTED}|{_QUOTED})",
    re.S,
)
_BRACKETS = re.compile(r"[][(){}]")
_INDENT = re.compile(r"^([ \t\f]*)[^ \t\f\n]", re.M)
_NEWLINES = re.compile(r"\r\n?")


# The texts this process extracted facts from without error, so that `lex` accepted them:
# the fix engine need not lex such a text again to know it may parse it (fix/locate.py).
# Filled from fresh extractions only (discover/analysis.py, with or without the facts
# cache), never from what a cache file says. Their 16-byte BLAKE2b digests, appended as
# extracted (16 bytes a file through evaluation, a run's peak) and sorted on the first
# question after (`_LEXED_SORTED`).
_LEXED = bytearray()
_LEXED_SORTED: list[bytes] = []
_DIGEST = 16


def note_lexed(text: str) -> None:
    """`lex` accepted `text` in this process."""
    _LEXED.extend(_digest(text))


def lexed_here(text: str) -> bool:
    """Whether `lex` accepted this very text in this process (`note_lexed`)."""
    global _LEXED_SORTED
    if len(_LEXED_SORTED) * _DIGEST != len(_LEXED):
        _LEXED_SORTED = sorted(
            bytes(_LEXED[i : i + _DIGEST]) for i in range(0, len(_LEXED), _DIGEST)
        )
    digest = _digest(text)
    index = bisect_left(_LEXED_SORTED, digest)
    return index < len(_LEXED_SORTED) and _LEXED_SORTED[index] == digest


def _digest(text: str) -> bytes:
    return blake2b(text.encode("utf-8", "surrogatepass"), digest_size=_DIGEST).digest()


class Unanalysable(Exception):
    """The file cannot be analysed at all (reported as an FG001 error)."""


@dataclass
class Lexed:
    text: str  # newlines normalised, comments blanked to spaces: what tree-sitter parses
    strings: list[tuple[int, int]] = field(default_factory=list)  # character offsets
    comments: list[tuple[int, str]] = field(default_factory=list)  # flash-guard comments
    comment_spans: list[tuple[int, int]] = field(default_factory=list)  # every comment


# Comments suppress.py reads besides ours: near misses (`flash-gaurd:`) and `# noqa: FG101`,
# which get FG003 with a fix.
_OURS = re.compile(r"flash|guard|noqa\s*:[^#]*\bFG\d{3}", re.IGNORECASE)


def normalise_newlines(source: str) -> str:
    """`\\r\\n` and a lone `\\r` become `\\n`, as Python's tokenizer reads them; every line
    and column number stays the one Python reports."""
    return _NEWLINES.sub("\n", source) if "\r" in source else source


def lex(source: str) -> Lexed:
    """Normalise, find strings and comments by Python's rules, and check the shapes
    Python refuses; Unanalysable when the file must not be parsed."""
    if len(source) > MAX_SOURCE_CHARS:
        raise Unanalysable(
            f"file too large to analyse ({len(source):,} characters; the limit is "
            f"{MAX_SOURCE_CHARS:,})"
        )
    text = normalise_newlines(source)
    out = Lexed(text)
    tree_parts: list[str] = []
    code_parts: list[str] = []
    prev = 0
    for match in _LEXEME.finditer(text):
        start, end = match.span()
        code_parts.append(text[prev:start])
        tree_parts.append(text[prev:start])
        if match.lastgroup == "comment":
            # Blank, not removed: offsets, lines and columns stay as they were.
            tree_parts.append(" " * (end - start))
            out.comment_spans.append((start, end))
            if "flash-guard" in match.group() or _OURS.search(match.group()):
                out.comments.append((start, match.group()))
        else:
            tree_parts.append(match.group())
            out.strings.append((start, end))
        prev = end
    code_parts.append(text[prev:])
    tree_parts.append(text[prev:])
    out.text = "".join(tree_parts)
    _check_brackets("".join(code_parts))
    _check_indentation(out.text)
    return out


def _check_brackets(code: str) -> None:
    depth = 0
    for match in _BRACKETS.finditer(code):
        if match.group() in "([{":
            depth += 1
            if depth > MAX_BRACKET_DEPTH:
                raise Unanalysable(
                    f"brackets nested more than {MAX_BRACKET_DEPTH} deep (Python refuses "
                    "this file: too many nested parentheses)"
                )
        elif depth:
            depth -= 1


def _check_indentation(text: str) -> None:
    # The indentation depth is at most the number of distinct indentation strings, so
    # ordinary files are cleared by one C-speed scan; only a file with very many runs
    # Python's tokenizer to count its real levels.
    if len(set(_INDENT.findall(text))) <= MAX_INDENT_LEVELS:
        return
    import io
    import tokenize

    depth = 0
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.INDENT:
                depth += 1
                if depth > MAX_INDENT_LEVELS:
                    raise Unanalysable(
                        f"more than {MAX_INDENT_LEVELS} levels of indentation (Python "
                        "refuses this file: too many levels of indentation)"
                    )
            elif token.type == tokenize.DEDENT:
                depth -= 1
    except (tokenize.TokenError, SyntaxError) as exc:
        # Too many indentation strings to rule out a parser abort, and no token stream
        # to count the real levels: not parsed.
        raise Unanalysable(f"Python cannot tokenise this file ({exc.__class__.__name__})") from None


def line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    pos = find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = find("\n", pos + 1)
    return starts
