"""FileFacts <-> JSON-ready data, driven by the dataclasses' own type annotations.

The facts cache (discover/cache.py) stores what extraction produced without pickle: a cache
entry is data a pull request may have planted, and unpickling runs code. Encoding walks each
dataclass's fields by their annotations, so a field someone adds to `FileFacts` (or to any
record it holds) is stored without a change here; a type this module does not know makes
encoding fail (`NotEncodable`), and the file is simply not cached. Decoding checks every
value against the same annotations (`BadEntry` on any mismatch): a decoded entry has exactly
the shape extraction would have built, whatever the file held.

A record is a list of its fields in order, with a record or fixed tuple held in a field
spliced in place (`width`); a list, dict or optional value is one item. Each record type
gets one generated decoder (`_Generator`) that checks and builds everything under it inline.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import types
import typing
from collections.abc import Callable
from typing import Any


class NotEncodable(TypeError):
    """A value whose type has no encoding here."""


class BadEntry(ValueError):
    """Data that does not have the shape the annotations call for."""


_NONE = type(None)


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _parts(hint) -> tuple[Any, tuple]:
    return typing.get_origin(hint), typing.get_args(hint)


def _is_union(origin) -> bool:
    return origin is typing.Union or origin is types.UnionType


@functools.cache
def dataclass_types(root: type) -> tuple[type, ...]:
    """Every dataclass reachable from `root`'s annotations, `root` first."""
    seen: dict[type, None] = {}

    def visit(hint) -> None:
        if dataclasses.is_dataclass(hint) and isinstance(hint, type):
            if hint in seen:
                return
            seen[hint] = None
            for field_hint in _hints(hint).values():
                visit(field_hint)
            return
        for arg in typing.get_args(hint):
            if arg is not Ellipsis:
                visit(arg)

    visit(root)
    return tuple(seen)


def schema(root: type) -> str:
    """The field names and annotations of every record under `root`: part of the cache key,
    so a changed record never reads an entry written for the old one."""
    return ";".join(
        f"{cls.__module__}.{cls.__qualname__}("
        + ",".join(f"{name}:{hint!r}" for name, hint in _hints(cls).items())
        + ")"
        for cls in dataclass_types(root)
    )


def _is_record(hint) -> bool:
    return dataclasses.is_dataclass(hint) and isinstance(hint, type)


def _is_fixed(hint) -> bool:
    origin, args = _parts(hint)
    return origin is tuple and bool(args) and args[-1] is not Ellipsis


@functools.cache
def width(hint) -> int:
    """How many JSON values a value of `hint` takes in its container's list. A record or a
    fixed tuple is spliced into the record or tuple holding it (a `Span` field is four
    numbers there, not a list of four): fewer lists to parse and check. Anything else, and
    a record or tuple standing alone (a list item, an optional value), is one value."""
    return sum(map(width, _slots(hint))) if _flat(hint) else 1


def _slots(hint) -> tuple:
    """The hints of a record's fields or a fixed tuple's items, in order."""
    if _is_record(hint):
        hints = _hints(hint)
        return tuple(hints[f.name] for f in dataclasses.fields(hint))
    return _parts(hint)[1]


@functools.cache
def _flat(hint, _seen: frozenset = frozenset()) -> bool:
    """Whether `hint` is spliced: a record or fixed tuple that does not hold itself directly
    (through a list or an optional, which are one value, it may)."""
    if not (_is_record(hint) or _is_fixed(hint)) or hint in _seen:
        return False
    inner = _seen | {hint}
    return all(_flat(h, inner) or not (_is_record(h) or _is_fixed(h)) for h in _slots(hint))


# -- encoding ---------------------------------------------------------------------------------


@functools.cache
def encoder(hint) -> Callable[[Any], Any]:
    if hint is Any or hint is object:
        return _encode_any
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass_encoder(hint)
    if hint in (str, int, bool):
        return _scalar_encoder(hint)
    if hint is float:
        return _float_encoder
    if hint is _NONE:
        return _none_encoder
    origin, args = _parts(hint)
    if _is_union(origin):
        return _union_encoder(args)
    if origin in (list, tuple, frozenset, set, dict):
        return _container_encoder(origin, args)
    raise NotEncodable(f"no encoding for {hint!r}")


def _scalar_encoder(kind: type) -> Callable[[Any], Any]:
    def encode(value):
        if type(value) is not kind:
            raise NotEncodable(f"expected {kind.__name__}, got {type(value).__name__}")
        return value

    return encode


def _float_encoder(value):
    if type(value) not in (float, int):
        raise NotEncodable(f"expected float, got {type(value).__name__}")
    return float(value)


def _none_encoder(value):
    if value is not None:
        raise NotEncodable(f"expected None, got {type(value).__name__}")
    return None


def _dataclass_encoder(cls: type) -> Callable[[Any], Any]:
    """One generated function per record: each field read and its type checked inline, in
    field order, as are the fields of a spliced record of scalars (a span) it holds; other
    records are encoded by their own functions. A cache write encodes ~140 records a file,
    half of them spans: a loop over a plan per record was most of its cost. The source is
    built from field names and annotations only (identifiers), never from data; it checks
    exactly what a loop over the fields would."""
    scope: dict[str, Any] = {"NotEncodable": NotEncodable}
    lines = ["def encode(value):"]
    parts = _encode_fields(cls, "value", lines, scope)
    lines.append(f"    return [{', '.join(parts)}]")
    exec("\n".join(lines), scope)  # noqa: S102 - annotations only, no input
    return scope["encode"]


def _encode_fields(cls: type, var: str, lines: list[str], scope: dict[str, Any]) -> list[str]:
    """Statements checking the record in `var` and reading its fields into variables; the
    list items (a `*name` for a spliced part) that encode it."""
    scope[f"C_{var}"] = cls
    lines.append(f"    if type({var}) is not C_{var}:")
    lines.append(
        f"        raise NotEncodable(f'expected {cls.__name__}, got {{type({var}).__name__}}')"
    )
    hints = _hints(cls)
    parts = []
    for i, field in enumerate(dataclasses.fields(cls)):
        hint, item = hints[field.name], f"{var}_{i}"
        lines.append(f"    {item} = {var}.{field.name}")
        scalars = _scalar_types(hint)
        if scalars is not None:
            scope[f"S_{item}"] = scalars
            lines.append(f"    if type({item}) not in S_{item}:")
            lines.append(
                f"        raise NotEncodable(f'{cls.__name__}.{field.name}: "
                f"{{type({item}).__name__}}')"
            )
            parts.append(item)
        elif _is_record(hint) and _flat(hint) and _all_scalars(hint):
            parts += _encode_fields(hint, item, lines, scope)
        else:
            scope[f"E_{item}"] = encoder(hint)
            lines.append(f"    {item} = E_{item}({item})")
            parts.append(f"*{item}" if _flat(hint) else item)
    return parts


def _all_scalars(cls: type) -> bool:
    return all(_scalar_types(hint) is not None for hint in _hints(cls).values())


def _union_encoder(args: tuple) -> Callable[[Any], Any]:
    members = [a for a in args if a is not _NONE]
    optional = len(members) < len(args)
    if len(members) == 1:
        inner = members[0]
        cell: list = []

        def encode_optional(value):
            if value is None and optional:
                return None
            if not cell:
                cell.append(encoder(inner))
            return cell[0](value)

        return encode_optional

    def encode(value):
        if value is None and optional:
            return None
        for index, member in enumerate(members):
            try:
                return [index, encoder(member)(value)]
            except NotEncodable:
                continue
        raise NotEncodable(f"{type(value).__name__} is none of {members!r}")

    return encode


def _container_encoder(origin, args: tuple) -> Callable[[Any], Any]:
    if origin is dict:
        key_hint, value_hint = args or (Any, Any)

        def encode_dict(value):
            if not isinstance(value, dict):
                raise NotEncodable(f"expected dict, got {type(value).__name__}")
            keys, values = encoder(key_hint), encoder(value_hint)
            return [[keys(k), values(v)] for k, v in value.items()]

        return encode_dict
    if origin is tuple and args and args[-1] is not Ellipsis:

        def encode_fixed(value):
            if not isinstance(value, tuple) or len(value) != len(args):
                raise NotEncodable(f"expected a {len(args)}-tuple")
            out = []
            for hint, item in zip(args, value, strict=True):
                if _flat(hint):
                    out.extend(encoder(hint)(item))
                else:
                    out.append(encoder(hint)(item))
            return out

        return encode_fixed
    item_hint = args[0] if args else Any
    cell: list = []

    def encode_items(value):
        if not isinstance(value, origin):
            raise NotEncodable(f"expected {origin.__name__}, got {type(value).__name__}")
        if not cell:
            cell.append(encoder(item_hint))
        items = cell[0]
        return [items(v) for v in value]

    return encode_items


# `Any` (an Expr's literal, a keyword's key): the value says what it is, in a tagged form.
def _encode_any(value):
    kind = type(value)
    if value is None or kind in (str, int, bool):
        return value
    if kind is float:
        return {"f": repr(value)}  # repr keeps inf, nan and -0.0 exact
    if kind is bytes:
        import base64  # deferred: byte literals are rare

        return {"b": base64.b64encode(value).decode("ascii")}
    if kind is complex:
        return {"c": [repr(value.real), repr(value.imag)]}
    if value is Ellipsis:
        return {"e": 0}
    if kind in (tuple, list, frozenset, set):
        return {kind.__name__[0] + kind.__name__[-1]: [_encode_any(v) for v in value]}
    if kind is dict:
        return {"d": [[_encode_any(k), _encode_any(v)] for k, v in value.items()]}
    if dataclasses.is_dataclass(value) and kind in _ANY_TYPES():
        return {"o": kind.__qualname__, "v": encoder(kind)(value)}
    raise NotEncodable(f"no encoding for a value of type {kind.__name__}")


# -- decoding ---------------------------------------------------------------------------------


@functools.cache
def decoder(hint) -> Callable[[Any], Any]:
    if hint is Any or hint is object:
        return _decode_any
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass_decoder(hint)
    if hint in (str, int, bool):
        return _scalar_decoder(hint)
    if hint is float:
        return _float_decoder
    if hint is _NONE:
        return _none_decoder
    origin, args = _parts(hint)
    if _is_union(origin):
        return _union_decoder(args)
    if origin in (list, tuple, frozenset, set, dict):
        return _container_decoder(origin, args)
    raise NotEncodable(f"no decoding for {hint!r}")


def _scalar_decoder(kind: type) -> Callable[[Any], Any]:
    def decode(data):
        if type(data) is not kind:
            raise BadEntry(f"expected {kind.__name__}")
        return data

    return decode


def _float_decoder(data):
    if type(data) not in (float, int):
        raise BadEntry("expected a number")
    return float(data)


def _none_decoder(data):
    if data is not None:
        raise BadEntry("expected null")
    return None


def _scalar_types(hint) -> tuple[type, ...] | None:
    """The JSON types a field of this annotation holds when it is a plain scalar (checked
    inline, the hot path of decoding), else None."""
    if hint in (str, int, bool):
        return (hint,)
    origin, args = _parts(hint)
    if _is_union(origin) and all(a in (str, int, bool, _NONE) for a in args):
        return tuple(args)
    return None


def _dataclass_decoder(cls: type) -> Callable[[Any], Any]:
    return _compile_decoder(cls)


def _compile_decoder(cls: type) -> Callable[[Any], Any]:
    """A decoder for `cls` as one generated function: each scalar field's type is checked
    inline, and the records, optional values, fixed tuples, lists and dicts under it are
    decoded inline too (a cache holds a hundred thousand records, and calls were most of
    the cost). The source is built from the records' field names and annotations only
    (identifiers), never from data; it checks exactly what the per-type decoders check."""
    return _Generator(cls).build()


# How many records deep a generated decoder inlines; deeper ones (and a record inside
# itself, as an `Expr` in an `Expr`) are decoded by a call.
_INLINE_DEPTH = 4
# Strings shorter than this are interned on decoding: names, attributes, short literals.
_INTERNED_LENGTH = 64
_LITERAL = (str, int, bool, _NONE)


class _Generator:
    def __init__(self, root: type):
        self.root = root
        self.scope: dict[str, Any] = {
            "BadEntry": BadEntry,
            "new": object.__new__,
            "put": object.__setattr__,
            "intern": sys.intern,
            "decode_any": _decode_any,
            "LITERAL": _LITERAL,
        }
        self.lines: list[str] = []
        self.count = 0

    def build(self) -> Callable[[Any], Any]:
        self.lines.append("def decode(data):")
        self.value("data", self.root, 1, ())
        self.lines.append("    return data")
        exec("\n".join(self.lines), self.scope)  # noqa: S102 - annotations only, no input
        decode = self.scope["decode"]
        self.scope["SELF"] = decode  # a record inside itself
        return decode

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def constant(self, value, prefix: str) -> str:
        name = self.fresh(prefix)
        self.scope[name] = value
        return name

    def emit(self, indent: int, text: str) -> None:
        self.lines.append("    " * indent + text)

    def fail(self, indent: int, what: str) -> None:
        self.emit(indent, f"raise BadEntry({what!r})")

    def call(self, var: str, function, indent: int) -> None:
        self.emit(indent, f"{var} = {self.constant(function, 'D')}({var})")

    def value(self, var: str, hint, indent: int, stack: tuple) -> None:
        """Statements that check `var` against `hint` and bind it to the decoded value."""
        if hint is Any or hint is object:
            self.emit(indent, f"if type({var}) not in LITERAL:")
            self.emit(indent + 1, f"{var} = decode_any({var})")
            return
        scalars = _scalar_types(hint)
        if scalars is not None:
            if len(scalars) == 1:  # a builtin's name: `is not` is the cheapest check
                self.emit(indent, f"if type({var}) is not {scalars[0].__name__}:")
            else:
                self.emit(indent, f"if type({var}) not in {self.constant(scalars, 'S')}:")
            self.fail(indent + 1, f"expected {hint!r}")
            if scalars == (str,):
                # One shared copy of each name, as extraction keeps (parse.to_expr): a warm
                # run's facts would otherwise hold a copy per occurrence.
                self.emit(indent, f"if len({var}) < {_INTERNED_LENGTH}:")
                self.emit(indent + 1, f"{var} = intern({var})")
            return
        if _is_record(hint):
            if self.by_call(hint, stack):
                self.record_call(var, hint, indent, stack)
            else:
                self.whole(var, hint, indent, (*stack, hint))
            return
        origin, args = _parts(hint)
        members = [a for a in args if a is not _NONE]
        if _is_union(origin) and len(members) == 1 and len(members) < len(args):
            self.emit(indent, f"if {var} is not None:")
            self.value(var, members[0], indent + 1, stack)
        elif _is_fixed(hint):
            self.whole(var, hint, indent, stack)
        elif origin in (list, tuple, frozenset, set):
            self.items(var, origin, args[0] if args else Any, indent, stack)
        elif origin is dict:
            self.pairs(var, args or (Any, Any), indent, stack)
        else:  # float, a union of records, ...: the per-type decoder
            self.call(var, decoder(hint), indent)

    @staticmethod
    def by_call(record: type, stack: tuple) -> bool:
        """A record inside itself (an `Expr` in an `Expr`) or nested deep: decoded by a call."""
        return record in stack or len(stack) >= _INLINE_DEPTH

    def record_call(self, var: str, record: type, indent: int, stack: tuple) -> None:
        if record is self.root and stack:
            self.emit(indent, f"{var} = SELF({var})")
        else:
            self.call(var, decoder(record), indent)

    def unpack(self, var: str, count: int, what: str, indent: int) -> list[str]:
        self.emit(indent, f"if type({var}) is not list or len({var}) != {count}:")
        self.fail(indent + 1, f"{what}: expected {count} items")
        names = [self.fresh("v") for _ in range(count)]
        if names:
            self.emit(indent, f"{', '.join(names)}, = {var}")
        return names

    def whole(self, var: str, hint, indent: int, stack: tuple) -> None:
        """A record or fixed tuple that is one list: its slots, its spliced parts' too."""
        count = sum(map(width, _slots(hint)))
        slots = iter(self.unpack(var, count, getattr(hint, "__name__", "tuple"), indent))
        self.emit(indent, f"{var} = {self.assemble(slots, hint, indent, stack)}")

    def assemble(self, slots, hint, indent: int, stack: tuple) -> str:
        """A name bound to the record or tuple built from the next slots."""
        parts = []
        for part_hint in _slots(hint):
            if _is_record(part_hint) and _flat(part_hint) and self.by_call(part_hint, stack):
                # Its slots, gathered into the one list its own decoder reads.
                part = self.fresh("p")
                packed = ", ".join(next(slots) for _ in range(width(part_hint)))
                self.emit(indent, f"{part} = [{packed}]")
                self.record_call(part, part_hint, indent, stack)
                parts.append(part)
            elif _flat(part_hint):
                inner = (*stack, part_hint) if _is_record(part_hint) else stack
                parts.append(self.assemble(slots, part_hint, indent, inner))
            else:
                part = next(slots)
                self.value(part, part_hint, indent, stack)
                parts.append(part)
        out = self.fresh("r")
        if not _is_record(hint):
            self.emit(indent, f"{out} = ({', '.join(parts)},)" if parts else f"{out} = ()")
            return out
        names = [f.name for f in dataclasses.fields(hint)]
        # Filled in directly, as unpickling would: the records have no __post_init__, and a
        # frozen record's __init__ would set each field through a slow path. A record with
        # __slots__ (the many small ones: spans, values, expressions) has its slots set
        # through object.__setattr__; any other is stored into its instance dict one by one,
        # cheaper than building a dict to merge.
        if "__new__" in vars(hint):  # a record that makes its own instances (Span interns)
            self.emit(indent, f"{out} = {self.constant(hint, 'C')}({', '.join(parts)})")
            return out
        self.emit(indent, f"{out} = new({self.constant(hint, 'C')})")
        if "__slots__" in vars(hint):
            for name, part in zip(names, parts, strict=True):
                self.emit(indent, f"put({out}, {name!r}, {part})")
        elif names:
            state = self.fresh("d")
            self.emit(indent, f"{state} = {out}.__dict__")
            for name, part in zip(names, parts, strict=True):
                self.emit(indent, f"{state}[{name!r}] = {part}")
        return out

    def items(self, var: str, origin: type, hint, indent: int, stack: tuple) -> None:
        self.emit(indent, f"if type({var}) is not list:")
        self.fail(indent + 1, "expected a list")
        kind = self.constant(origin, "T")
        item = self.fresh("item")
        if hint is not Any and _scalar_types(hint) is not None:
            # Plain values: checked in place, then copied (the cache keeps its data).
            self.emit(indent, f"for {item} in {var}:")
            self.value(item, hint, indent + 1, stack)
            self.build_container(var, kind, origin, var, indent)
            return
        if origin is tuple:  # most tuples of records here are empty (`blocks`)
            self.emit(indent, f"if not {var}:")
            self.emit(indent + 1, f"{var} = ()")
            self.emit(indent, "else:")
            indent += 1
        out = self.fresh("out")
        self.emit(indent, f"{out} = []")
        self.emit(indent, f"for {item} in {var}:")
        self.value(item, hint, indent + 1, stack)
        self.emit(indent + 1, f"{out}.append({item})")
        if origin is list:
            self.emit(indent, f"{var} = {out}")
        else:
            self.build_container(var, kind, origin, out, indent)

    def build_container(self, var: str, kind: str, origin: type, items: str, indent: int) -> None:
        if origin in (list, tuple):
            self.emit(indent, f"{var} = {kind}({items})")
            return
        self.emit(indent, "try:")  # an unhashable member of a set
        self.emit(indent + 1, f"{var} = {kind}({items})")
        self.emit(indent, "except TypeError:")
        self.emit(indent + 1, "raise BadEntry('unhashable member') from None")

    def pairs(self, var: str, args: tuple, indent: int, stack: tuple) -> None:
        self.emit(indent, f"if type({var}) is not list:")
        self.fail(indent + 1, "expected a list of pairs")
        out, pair = self.fresh("out"), self.fresh("pair")
        self.emit(indent, f"{out} = {{}}")
        self.emit(indent, f"for {pair} in {var}:")
        key, value = self.unpack(pair, 2, "pair", indent + 1)
        self.value(key, args[0], indent + 1, stack)
        self.value(value, args[1], indent + 1, stack)
        self.emit(indent + 1, "try:")
        self.emit(indent + 2, f"{out}[{key}] = {value}")
        self.emit(indent + 1, "except TypeError:")
        self.emit(indent + 2, "raise BadEntry('unhashable key') from None")
        self.emit(indent, f"{var} = {out}")


def _union_decoder(args: tuple) -> Callable[[Any], Any]:
    members = [a for a in args if a is not _NONE]
    optional = len(members) < len(args)
    if len(members) == 1:
        inner = members[0]
        cell: list = []

        def decode_optional(data):
            if data is None and optional:
                return None
            if not cell:
                cell.append(decoder(inner))
            return cell[0](data)

        return decode_optional

    def decode(data):
        if data is None and optional:
            return None
        if type(data) is not list or len(data) != 2 or type(data[0]) is not int:
            raise BadEntry("expected a tagged union member")
        if not 0 <= data[0] < len(members):
            raise BadEntry("union member out of range")
        return decoder(members[data[0]])(data[1])

    return decode


def _container_decoder(origin, args: tuple) -> Callable[[Any], Any]:
    if origin is dict:
        key_hint, value_hint = args or (Any, Any)

        def decode_dict(data):
            if type(data) is not list:
                raise BadEntry("expected a list of pairs")
            keys, values = decoder(key_hint), decoder(value_hint)
            out = {}
            for pair in data:
                if type(pair) is not list or len(pair) != 2:
                    raise BadEntry("expected a pair")
                key = keys(pair[0])
                try:
                    out[key] = values(pair[1])
                except TypeError:  # an unhashable key
                    raise BadEntry("unhashable key") from None
            return out

        return decode_dict
    if origin is tuple and args and args[-1] is not Ellipsis:
        return _Generator(tuple[args]).build()
    item_hint = args[0] if args else Any
    cell: list = []

    def decode_items(data):
        if type(data) is not list:
            raise BadEntry("expected a list")
        if not cell:
            cell.append(decoder(item_hint))
        items = cell[0]
        if not data:
            return origin()
        try:
            return origin([items(v) for v in data])
        except TypeError:  # an unhashable member of a set
            raise BadEntry("unhashable member") from None

    return decode_items


_ANY_CONTAINERS = {"te": tuple, "lt": list, "ft": frozenset, "st": set}


def _decode_any(data):
    kind = type(data)
    if data is None or kind in (str, int, bool):
        return data
    if kind is not dict or len(data) not in (1, 2):
        raise BadEntry("expected a tagged value")
    try:
        if len(data) == 2:
            cls = {c.__qualname__: c for c in _ANY_TYPES()}.get(data["o"])
            if cls is None:
                raise BadEntry("unknown record type")
            return decoder(cls)(data["v"])
        ((tag, payload),) = data.items()
        if tag == "f":
            return float(_text(payload))
        if tag == "b":
            import base64

            if type(payload) is not str:
                raise BadEntry("expected base64 text")
            return base64.b64decode(payload, validate=True)
        if tag == "c":
            if type(payload) is not list or len(payload) != 2:
                raise BadEntry("expected two parts")
            return complex(float(_text(payload[0])), float(_text(payload[1])))
        if tag == "e":
            return Ellipsis
        if tag == "d":
            return decoder(dict[Any, Any])(payload)
        container = _ANY_CONTAINERS.get(tag)
        if container is None or type(payload) is not list:
            raise BadEntry("unknown tag")
        return container(_decode_any(v) for v in payload)
    except (KeyError, ValueError, TypeError) as exc:
        if isinstance(exc, BadEntry):
            raise
        raise BadEntry(f"bad tagged value: {exc.__class__.__name__}") from None


def _text(data) -> str:
    if type(data) is not str or len(data) > 400:
        raise BadEntry("expected a short string")
    return data


@functools.cache
def _ANY_TYPES() -> tuple[type, ...]:  # noqa: N802 - a constant computed on first use
    """The records an `Any` field may hold: those of the facts (an `Expr` as a dict key)."""
    from flash_guard.discover.facts import FileFacts

    return dataclass_types(FileFacts)


def encode(root: type, value) -> Any:
    return encoder(root)(value)


def decode(root: type, data) -> Any:
    """`data` as a `root`; BadEntry if it is not exactly that shape. Nesting deeper than the
    interpreter allows is bad data too."""
    try:
        return decoder(root)(data)
    except RecursionError:
        raise BadEntry("nested too deeply") from None
