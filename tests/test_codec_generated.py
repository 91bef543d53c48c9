"""The generated record decoders (discover/codec.py) inline nested records, optionals, fixed
tuples, lists and dicts: whatever a damaged or hostile entry holds, they either reject it
(`BadEntry`, nothing else) or return exactly the records that encode back to it."""

from __future__ import annotations

import copy
import dataclasses
import json
import random
import types
import typing
from pathlib import Path

import pytest

from flash_guard.discover import codec
from flash_guard.discover.facts import FileFacts, extract

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Values a planted entry might put anywhere: wrong types, wrong lengths, tagged values.
_PLANTED = [
    None, 0, -1, True, "", "x", [], [0], [1, 1, 1, 1], [[]], {}, 1.5, {"f": "1.0"},
    {"o": "Span", "v": [1, 2, 3, 4]}, {"o": "os.system", "v": []}, {"te": [1, 2]},
    {"st": [[1]]}, {"d": [[[1], 2]]}, [None, None], ["a", 1], {"x": 1},
]  # fmt: skip


def _conforms(value, hint) -> bool:
    """An independent check of `value` against an annotation (the decoder's promise)."""
    if hint is typing.Any:
        return True
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        return type(value) is hint and all(
            _conforms(getattr(value, f.name), hints[f.name]) for f in dataclasses.fields(hint)
        )
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_conforms(value, member) for member in args)
    if origin is dict:
        return type(value) is dict and all(
            _conforms(k, args[0]) and _conforms(v, args[1]) for k, v in value.items()
        )
    if origin is tuple and args and args[-1] is not Ellipsis:
        return (
            type(value) is tuple
            and len(value) == len(args)
            and all(_conforms(v, h) for v, h in zip(value, args, strict=True))
        )
    if origin in (list, tuple, set, frozenset):
        return type(value) is origin and all(_conforms(v, args[0]) for v in value)
    return type(value) is hint


def _encoded_examples() -> list:
    out = []
    for file in sorted(EXAMPLES.rglob("*.py")):
        facts = extract(file.name, file.read_text(encoding="utf-8"))
        out.append(json.loads(json.dumps(codec.encode(FileFacts, facts))))
    return out


def _positions(data, path=()):
    yield path
    if isinstance(data, list):
        for i, item in enumerate(data):
            yield from _positions(item, (*path, i))


def _mutate(data, rng: random.Random):
    data = copy.deepcopy(data)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(list(_positions(data)))
        if not path:
            continue
        parent = data
        for i in path[:-1]:
            parent = parent[i]
        choice = rng.random()
        if choice < 0.6:
            parent[path[-1]] = copy.deepcopy(rng.choice(_PLANTED))
        elif choice < 0.8:
            del parent[path[-1]]
        else:
            parent.insert(path[-1], copy.deepcopy(parent[path[-1]]))
    return data


def test_a_mutated_entry_is_rejected_or_decodes_to_what_it_encodes():
    encoded = _encoded_examples()
    assert len(encoded) >= 5
    rng = random.Random(17)
    accepted = rejected = 0
    for _ in range(1500):
        data = _mutate(rng.choice(encoded), rng)
        try:
            facts = codec.decode(FileFacts, data)
        except codec.BadEntry:
            rejected += 1
            continue
        assert _conforms(facts, FileFacts)
        again = codec.encode(FileFacts, facts)
        assert codec.encode(FileFacts, codec.decode(FileFacts, again)) == again
        accepted += 1
    assert accepted and rejected


def test_a_decoded_entry_shares_no_list_with_the_cache_data():
    """Later stages may annotate the facts; the cache still holds (and saves) the data."""
    data = _encoded_examples()[0]
    before = json.dumps(data)
    facts = codec.decode(FileFacts, data)
    for record in facts.assignments:
        record.blocks = ("changed",)
    facts.imports.append("changed")
    assert json.dumps(data) == before


def test_the_generated_source_names_no_data():
    """The decoder's source comes from annotations: only its constants' names vary."""
    generator = codec._Generator(FileFacts)
    generator.build()
    source = "\n".join(generator.lines)
    assert "exec(" not in source and "eval(" not in source and "__import__" not in source
    assert codec.decoder(FileFacts) is codec.decoder(FileFacts)


def test_short_strings_decoded_from_separate_entries_are_one_object():
    """A warm run decodes every file's facts from JSON: a name repeated in thousands of files
    is held once (as extraction interns it), not once per occurrence."""
    text = "import runpod_flash as rf\n\n@rf.Endpoint(name='a')\ndef f(x):\n    return x\n"
    first, second = (
        codec.decode(FileFacts, json.loads(json.dumps(codec.encode(FileFacts, extract(p, text)))))
        for p in ("a.py", "b.py")
    )
    local, again = first.imports[0].local, second.imports[0].local
    assert local == again == "rf"
    assert local is again


def _reference_encode(value, hint):
    """An independent encoding by the annotations (the generated encoders' promise)."""
    if dataclasses.is_dataclass(hint):
        assert type(value) is hint
        hints = typing.get_type_hints(hint)
        out = []
        for f in dataclasses.fields(hint):
            part = _reference_encode(getattr(value, f.name), hints[f.name])
            out += part if codec.width(hints[f.name]) > 1 else [part]
        return out
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
        inner = args[0] if args[1] is type(None) else args[1]
        return None if value is None else _reference_encode(value, inner)
    if origin is tuple and args and args[-1] is not Ellipsis:
        out = []
        for v, h in zip(value, args, strict=True):
            part = _reference_encode(v, h)
            out += part if codec.width(h) > 1 else [part]
        return out
    if origin in (list, tuple) and args:
        return [_reference_encode(v, args[0]) for v in value]
    return codec.encode(hint, value)  # scalars, dicts, unions of records, Any


def test_the_generated_record_encoders_encode_as_the_annotations_say():
    """Each record is encoded by one generated function (its spans read inline), which
    gives what a walk over the annotations gives."""
    from flash_guard.discover.facts import Assignment

    assert codec.encoder(Assignment).__code__.co_filename == "<string>"
    for path in sorted(EXAMPLES.rglob("*.py"))[:40]:
        facts = extract(path.name, path.read_text("utf-8"))
        for record in facts.assignments + facts.imports:
            assert codec.encode(type(record), record) == _reference_encode(record, type(record))


def test_a_wrong_type_in_a_span_read_inline_is_not_encodable():
    from flash_guard.discover.facts import Unbinding
    from flash_guard.model import Span

    good = Unbinding("x", Span(1, 1, 1, 2))
    assert codec.encode(Unbinding, good) == ["x", 1, 1, 1, 2, []]
    span = object.__new__(Span)  # a float column: what Span() itself would refuse
    for name, value in zip(
        ("line", "column", "end_line", "end_column"), (1, 1.5, 1, 2), strict=True
    ):
        object.__setattr__(span, name, value)
    bad_span = Unbinding("x", span)
    not_a_span = Unbinding("x", (1, 1, 1, 2))  # type: ignore[arg-type]
    for record in (bad_span, not_a_span):
        with pytest.raises(codec.NotEncodable):
            codec.encode(Unbinding, record)
