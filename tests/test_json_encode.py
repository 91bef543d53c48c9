"""The reporters' fast JSON text (report/json_encode.py) is byte for byte what json_safe plus
the standard encoder make, including on the values that need cleaning."""

from __future__ import annotations

import json
import random

import pytest

from flash_guard.model import EnumRef
from flash_guard.report.escape import json_safe, markdown_cell
from flash_guard.report.json_encode import Streamed, dumps_strict, indented_pieces


class _Int(int):
    def __repr__(self) -> str:  # the encoder must not use it
        return "not-an-int"


class _Text(str):
    pass


# Values json_safe changes and values it keeps, nested the ways reports nest them.
SAMPLES = [
    "plain",
    "",
    "caf\u00e9 \u2603 \U0001f600",  # astral: a surrogate pair under ensure_ascii
    "lone \udc80 surrogate",
    "\ud800",
    "text that says \\udc80",  # a backslash, not a surrogate
    "\ud7a3\ud000 hangul",  # escapes as \ud7a3, \ud000: not surrogates
    'quote " backslash \\ newline \n tab \t nul \x00 del \x7f',
    float("nan"),
    float("inf"),
    float("-inf"),
    1.5,
    -0.0,
    1e300,
    0,
    -3,
    True,
    False,
    None,
    _Int(7),
    _Text("sub"),
    EnumRef("GpuGroup", "ADA_24"),
    object.__new__(EnumRef),  # str() of it fails: the caller's bug, raised by both
    (),
    [],
    {},
    (1, "a", None),
    {"a": float("nan"), "b": ["\udcff", {"c": float("-inf")}], "d": {}},
    {"k\udc80": 1, "k\\udc80": 2},  # keys that json_safe makes equal
    {"nested": [[[]], [{}], [{"x": (float("inf"),)}]]},
    {"obj": EnumRef("CpuInstanceType", "CPU3C_1_2"), "astral": "\U0001f680"},
]
# Keys json_safe turns into str() and the encoder would not: only indented_pieces takes them.
NON_STR_KEYS = [
    {True: 1, None: 2, 3: 3, 1.5: 4},
    {1: "int", "1": "str"},
    {("a", 1): "tuple key"},
    {float("nan"): "nan key"},
    {EnumRef("GpuGroup", "ANY"): [1, 2]},
]


def _reference_compact(value) -> str:
    return json.dumps(json_safe(value), allow_nan=False)


def _reference_indented(value) -> str:
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False, allow_nan=False)
    return "".join(encoder.iterencode(json_safe(value)))


def _outcome(function, value):
    try:
        return ("ok", function(value))
    except Exception as exc:  # noqa: BLE001 - both sides must fail the same way
        return ("raised", type(exc))


@pytest.mark.parametrize("value", SAMPLES)
def test_dumps_strict_is_json_safe_then_dumps(value):
    assert _outcome(dumps_strict, value) == _outcome(_reference_compact, value)
    wrapped = {"record": value, "list": [value, value]}
    assert _outcome(dumps_strict, wrapped) == _outcome(_reference_compact, wrapped)


@pytest.mark.parametrize("value", SAMPLES + NON_STR_KEYS)
def test_indented_pieces_are_json_safe_then_the_indenting_encoder(value):
    def joined(v):
        return "".join(indented_pieces(v))

    assert _outcome(joined, value) == _outcome(_reference_indented, value)
    wrapped = {"a": [value, {"b": value}], "c": value}
    assert _outcome(joined, wrapped) == _outcome(_reference_indented, wrapped)


def test_a_streamed_list_is_one_piece_per_item_and_encodes_as_a_list():
    made = []

    def items():
        for n in range(3):
            made.append(n)  # made only when the text reaches the list
            yield {"n": n, "text": "\udc80" if n == 1 else "ok", "nan": float("nan")}

    doc = {"head": "h", "runs": [{"results": Streamed(items), "tail": 1}]}
    pieces = indented_pieces(doc)
    first = next(pieces)
    assert made == [0] and first.endswith('"nan": "NaN"\n        }')
    rest = list(pieces)
    assert len(rest) == 3
    expected = {"head": "h", "runs": [{"results": list(items()), "tail": 1}]}
    assert first + "".join(rest) == _reference_indented(expected)


def test_an_empty_streamed_list_is_an_empty_list():
    doc = {"results": Streamed(lambda: iter(())), "after": True}
    assert "".join(indented_pieces(doc)) == _reference_indented({"results": [], "after": True})


def _markdown_reference(text) -> str:
    # The escaping as CommonMark needs it, written the slow, obvious way.
    from flash_guard.report.escape import escape_text

    out = []
    for char in escape_text(text):
        if char in "&<>":
            out.append({"&": "&amp;", "<": "&lt;", ">": "&gt;"}[char])
        elif char in '\\`*_{}[]()#+!|~@^$"':
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def test_markdown_cell_escapes_each_character_once():
    alphabet = 'ab \\`*_{}[]()#+!|~@^$"&<>;\n\x1b\u202e\udc80é'
    rng = random.Random(17)
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(30))) for _ in range(500)]
    texts += ["&lt;", "\\&", "a&b<c>d", "`code` *x* [l](u)", alphabet]
    for text in texts:
        assert markdown_cell(text) == _markdown_reference(text), repr(text)
