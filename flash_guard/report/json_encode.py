"""JSON text of report records: the bytes of `json_safe` + the standard encoder, made faster.

`json_safe` copies a whole record to clean it, and `indent=` switches the standard library
to its pure-Python encoder (a generator per container, one write per token); for a large
report both cost more than building the findings did. Here the C encoder runs first and the
copy is made only when it is needed, and the indented (SARIF) text is built by one walk that
cleans as it goes and hands out one piece per streamed item.
"""

from __future__ import annotations

import json
import math
import re
from json.encoder import encode_basestring  # the C function, as the encoder itself uses

from flash_guard.report.escape import _clean_str, json_safe

# What json.dumps(..., allow_nan=False) builds: ensure_ascii, compact ", " / ": ".
_STRICT = json.JSONEncoder(allow_nan=False)
# ensure_ascii writes every surrogate code point as `\udXXX` (X from 8 to f): a lone one
# (which json_safe shows as text instead) or half of a pair (an astral character, fine).
_SURROGATE_ESCAPE = re.compile(r"\\ud[89a-f]")
_ONLY_STR = {str}


def dumps_strict(record) -> str:
    """`json.dumps(json_safe(record), allow_nan=False)`, by the C encoder alone when the
    record needs no cleaning.

    Every dict key in `record` must be a str, as the reporters build them (json_safe would
    show a `True` key as "True", the encoder as "true"). Anything else json_safe changes
    stops the fast path: a non-finite float (the encoder refuses it), an object the encoder
    cannot encode, a surrogate (seen in the escaped text; an astral character also takes
    the slow path, which encodes it the same).
    """
    try:
        text = _STRICT.encode(record)
    except (ValueError, TypeError):
        return _STRICT.encode(json_safe(record))
    if "\\ud" in text and _SURROGATE_ESCAPE.search(text):
        return _STRICT.encode(json_safe(record))
    return text


class Streamed:
    """A list whose items are made and encoded one at a time while the text is written.

    `items` is called once, when the text reaches the list, and returns an iterator."""

    def __init__(self, items):
        self.items = items


def indented_pieces(value):
    """The text of `json.JSONEncoder(indent=2, ensure_ascii=False, allow_nan=False)
    .iterencode(json_safe(value))`, in pieces: one before each item of a `Streamed` list
    in `value`, the rest joined. A `Streamed` is encoded as the list of its items."""
    out: list = []
    _encode(value, "\n", out)
    text: list[str] = []
    for part in out:
        if type(part) is str:
            text.append(part)
            continue
        streamed, newline = part
        inner = newline + "  "
        empty = True
        for item in streamed.items():
            item_out: list[str] = []
            _encode(item, inner, item_out)
            text.append(("[" if empty else ",") + inner)
            text.extend(item_out)
            yield "".join(text)
            text = []
            empty = False
        text.append("[]" if empty else newline + "]")
    yield "".join(text)


def _encode(value, newline: str, out: list) -> None:
    """Append `value`'s encoded text to `out`; `newline` is a line break and the indent of
    the line `value` starts on. The cases are json_safe's, in its order, each written as
    the pure-Python encoder writes the cleaned value."""
    if isinstance(value, str):
        out.append(encode_basestring(value if value.isascii() else _clean_str(value)))
    elif isinstance(value, bool) or value is None:
        out.append("true" if value is True else "false" if value is False else "null")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        if math.isfinite(value):
            out.append(float.__repr__(value))
        else:
            out.append(encode_basestring(json_safe(value)))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        if {*map(type, value)} != _ONLY_STR or not "".join(value).isascii():
            # json_safe's keys: str() of each, surrogates shown; keys that become equal merge
            value = {_clean_str(str(k)): v for k, v in value.items()}
        inner = newline + "  "
        lead = "{" + inner
        for key, item in value.items():
            kind = type(item)
            if kind is str and item.isascii():  # the common leaf, without a call
                out.append(lead + encode_basestring(key) + ": " + encode_basestring(item))
            elif kind is int:
                out.append(lead + encode_basestring(key) + ": " + int.__repr__(item))
            else:
                out.append(lead + encode_basestring(key) + ": ")
                _encode(item, inner, out)
            lead = "," + inner
        out.append(newline + "}")
    elif isinstance(value, Streamed):
        out.append((value, newline))
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        lead = "[" + inner
        for item in value:
            out.append(lead)
            lead = "," + inner
            _encode(item, inner, out)
        out.append(newline + "]")
    else:
        out.append(encode_basestring(_clean_str(str(value))))
