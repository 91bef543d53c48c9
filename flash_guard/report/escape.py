"""Untrusted text on its way out: the one place each output format escapes it.

Everything a report shows that came from the analysed tree (endpoint names, values, file
names, comments quoted in messages, configuration keys) may contain control characters,
bidi overrides, line breaks or lone surrogates. Shown raw they move the cursor, recolour
or reorder what a reviewer reads, forge extra lines (a GitHub `::error` workflow command,
a second finding) or crash the encoder. Each format calls one function here on each piece
of untrusted text (or on the whole document for JSON), never its own ad-hoc replace.
"""

from __future__ import annotations

import math
import re
import sys

# Bidi embedding/override/isolate controls and marks (Unicode TR9), which reorder the
# characters around them on screen: U+061C, U+200E-200F, U+202A-202E, U+2066-2069.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# C0 and C1 controls and DEL (ESC, CR, LF, NEL...), line/paragraph separators, bidi
# controls, BOM/zero-width no-break space, and lone surrogates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff" + _BIDI + "\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# A line of our output must never start a GitHub Actions workflow command: `::name ...`
# (and the older `##[name]` form the runner still accepts). The runner trims leading
# whitespace before it looks.
_COMMAND_START = re.compile(r"^([ \t]*)(:(?=:)|#(?=#\[))", re.M)


def _escape_char(match: re.Match) -> str:
    char = match.group(0)
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_text(text) -> str:
    """One line of plain, inert text: unsafe characters shown as `\\n`, `\\x1b`, `\\u202e`."""
    text = str(text)
    if text.isascii() and text.isprintable():
        return text
    return _UNSAFE.sub(_escape_char, text)


def guard_lines(text: str) -> str:
    """Make sure no line of a finished text block starts a workflow command.

    Untrusted text cannot contain a line break after escape_text, but it can be the
    first thing on one of our lines (a file named `::error ...py`). The first character
    of the prefix is shown as a hex escape, which the runner does not read as a command.
    """
    if "::" not in text and "##[" not in text:
        return text
    return _COMMAND_START.sub(_defuse, text)


def _defuse(match: re.Match) -> str:
    return match.group(1) + ("\\x3a" if match.group(2) == ":" else "\\x23")


# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that
# start emphasis, code, links, images, autolinks, HTML, tables, strikethrough, mentions
# and references inside a table cell. `&`, `<` and `>` become entities so no raw HTML
# survives; line breaks were already escaped by escape_text.
_MARKDOWN_PUNCTUATION = '\\`*_{}[]()#+!|~@^$"'
# In this order: `&` before the entities that hold one, `\\` before the escapes that add
# one. A check for each character and a replace for those present costs less than any
# one-pass substitution in CPython (a regular expression calls back per match).
_MARKDOWN = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")) + tuple(
    (char, "\\" + char) for char in _MARKDOWN_PUNCTUATION
)


def markdown_cell(text) -> str:
    """Text for one markdown table cell: inert, one line, no markup from the analysed code."""
    text = escape_text(text)
    for char, replacement in _MARKDOWN:
        if char in text:
            text = text.replace(char, replacement)
    return text


def json_safe(value):
    """A JSON-encodable copy that strict JSON parsers and any UTF-8 writer accept.

    Non-finite floats (`NaN`, `Infinity`) are not JSON: they become the strings "NaN",
    "Infinity", "-Infinity". A lone surrogate cannot be encoded as UTF-8: it is shown as
    the text `\\udc80`. Dumps with `allow_nan=False` then guarantee nothing else slipped by.
    """
    if isinstance(value, str):
        return _clean_str(value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {_clean_str(str(k)): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return _clean_str(str(value))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean_str(text: str) -> str:
    if text.isascii():
        return text
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def stderr_line(text: str) -> None:
    """Write one line to stderr with untrusted parts already inert."""
    sys.stderr.write(guard_lines(escape_text(text)) + "\n")
