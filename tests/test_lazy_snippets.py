"""Lazily converted expressions (discover/parse.Snippet) equal the ones the whole file's parse
gives: same trees, same texts, same spans, on every Python file of the fixtures and corpus and
on shapes chosen to stress positions (multi-line values, non-ASCII text, parentheses,
f-strings, deep nesting)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flash_guard.discover import facts as facts_module
from flash_guard.discover.facts import extract
from flash_guard.discover.parse import Snippet

TESTS = Path(__file__).parent
FILES = sorted(
    p
    for base in (TESTS / "fixtures", TESTS / "corpus")
    for p in base.rglob("*.py")
    if p.stat().st_size < 200_000
)


def _snippets(facts) -> list[Snippet]:
    out = [a.value for a in facts.assignments]
    for function in facts.functions:
        out += [default for _, default, _ in function.params if default is not None]
        out += function.returns
    for decorated in facts.decorated:  # decorators are snippets too (converted when read)
        out += decorated.written
    return out


def _pairs(monkeypatch, path: str, text: str) -> list[tuple[Snippet, Snippet]]:
    lazy = extract(path, text)
    original = facts_module.snippet_of
    with monkeypatch.context() as patch:
        patch.setattr(facts_module, "snippet_of", lambda node, eager=False: original(node, True))
        eager = extract(path, text)
    lazy_snippets, eager_snippets = _snippets(lazy), _snippets(eager)
    assert len(lazy_snippets) == len(eager_snippets)
    assert all(s.tree is not None for s in eager_snippets)
    return list(zip(lazy_snippets, eager_snippets, strict=True))


def _check(monkeypatch, path: str, text: str) -> int:
    converted = 0
    for lazy, eager in _pairs(monkeypatch, path, text):
        if lazy.tree is None:
            converted += 1
        # The callee alone (before the whole call is converted) is the whole call's callee.
        assert lazy.is_call() == (eager.tree.kind == "call"), (path, lazy.text)
        # What a decorator is judged by first: the callee of a call, else the whole.
        head = eager.tree.items[0] if eager.tree.kind == "call" else eager.tree
        assert lazy.head() == head, (path, lazy.text)
        if lazy.tree is None and eager.tree.kind == "call":
            assert lazy.callee() == eager.tree.items[0], (path, lazy.text)
        assert lazy.expr() == eager.tree, (path, lazy.text)
        assert lazy.expr_span() == eager.tree.span
        assert lazy.has_expr_span(eager.tree.span)
        assert lazy.expr_text() == eager.tree.text
        # A superset: `f(x for x in y)` is a call node whose conversion is `other`.
        assert lazy.may_be_call() or eager.tree.kind != "call"
    return converted


def test_fixture_and_corpus_files(monkeypatch):
    assert len(FILES) > 100
    converted = 0
    for path in FILES:
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        try:
            converted += _check(monkeypatch, str(path), text)
        except facts_module.Unanalysable:
            continue
    assert converted > 1000  # the lazy path was exercised, not only the eager fallback


SHAPES = [
    'X = "é€😀" + Y\n',
    "def f():\n    x = {\n        'a': [1, 2,\n  3],\n        'b': (4, 5),\n    }\n    return x\n",
    "X = (\n    'one'\n    'two'\n)\n",
    'X = f"{A}-é-{B}" if C else D\n',
    "X = a + \\\n    b * c\n",
    "Y = " + "(" * 70 + "1" + ")" * 70 + "\n",
    "Z = " + "[" * 70 + "1" + "]" * 70 + "\n",
    "def g(a=1, *, b=Endpoint(name='x', gpu=GpuGroup.ANY), **k):\n    return E(\n  x=1)\n",
    "class S:\n    n: int = field(default=3)\n    m = 'é' * 2\n",
    "A = B = C(1)\nD = yield_ = lambda: 0\nE = *F, G\n",
    "X = 1 if\nY = 2\n",  # a syntax error: converted eagerly
    "    X = 1\n",
]


@pytest.mark.parametrize("text", SHAPES)
def test_shapes(monkeypatch, text):
    pairs = _pairs(monkeypatch, "shape.py", text)
    assert pairs
    _check(monkeypatch, "shape.py", text)


def test_syntax_error_files_keep_their_trees():
    facts = extract("bad.py", "X = [1, 2]\ndef f(:\n    pass\n")
    assert facts.parse_error is not None
    assert facts.assignments and all(a.value.tree is not None for a in facts.assignments)


def test_conversion_is_memoised():
    facts = extract("m.py", "X = {'a': [1, 2]}\n")
    value = facts.assignments[0].value
    assert value.tree is None
    assert value.expr() is value.expr()


def test_values_on_very_long_lines_are_converted_under_the_files_meter():
    # Locating nodes on a long line costs the line's width each (see parse.span_of): such a
    # value is converted at extraction, where the file's budget applies, never later.
    wide = "W = {" + ", ".join(f"'k{i}': [{i}, {i}]" for i in range(1_500)) + "}\n"
    facts = extract("wide.py", "A = {'a': 1}\n" + wide)
    narrow, long_line = facts.assignments
    assert narrow.value.tree is None
    assert long_line.value.tree is not None and long_line.expr.kind == "dict"


@pytest.mark.parametrize(
    "callee",
    ["f", "os.path.join", "a1._b.C_2", "print", "match.group", "type.x", "café.x", "a . b"],
)
def test_callees_read_without_the_parser_equal_the_parsed_ones(monkeypatch, callee):
    # `a.b.c` is built without a parse (parse.dotted_expr); anything the grammar may read
    # otherwise (keywords, `print`, non-ASCII, spaces) still goes to the parser.
    text = f"X = 1\nVALUE = {callee}(1, k=2)\n"
    for lazy, eager in _pairs(monkeypatch, "callee.py", text):
        if eager.tree.kind == "call":
            assert lazy.callee() == eager.tree.items[0], callee


@pytest.mark.parametrize("text", ["f", "os.path.join", "a1._b.C_2", "print", "match", "a . b"])
def test_dotted_values_converted_without_the_parser_equal_the_parsed_ones(monkeypatch, text):
    source = f"X = {text}\n\n\n@{text}\ndef g():\n    pass\n"
    pairs = _pairs(monkeypatch, "dotted.py", source)
    assert len(pairs) == 2
    for lazy, eager in pairs:
        assert lazy.expr() == eager.tree, text
