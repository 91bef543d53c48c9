"""FileFacts <-> JSON-ready data, driven by the dataclasses' own type annotations.

The facts cache (discover/cache.py) stores what extraction produced without pickle: a cache
entry is data a pull request may have planted, and unpickling runs code. Encoding walks each
dataclass's fields by their annotations, so a field someone adds to `FileFacts` (or to any
record it holds) is stored without a change here; a type this module does not know makes
encoding fail (`NotEncodable`), and the file is simply not cached. Decoding checks every
value against the same annotations (`BadEntry` on any mismatch): a decoded entry has exactly
the shape extraction would have built, whatever the file held.
"""

from __future__ import annotations

import dataclasses
import functools
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
    names = [f.name for f in dataclasses.fields(cls)]
    plan: list = []  # per field (name, scalar types, encoder), built on first use

    def encode(value):
        if type(value) is not cls:
            raise NotEncodable(f"expected {cls.__name__}, got {type(value).__name__}")
        if not plan:
            hints = _hints(cls)
            for name in names:
                scalars = _scalar_types(hints[name])
                plan.append((name, scalars, None if scalars else encoder(hints[name])))
        fields = value.__dict__
        out = []
        for name, scalars, field_encoder in plan:
            item = fields[name]
            if scalars is not None:
                if type(item) not in scalars:
                    raise NotEncodable(f"{cls.__name__}.{name}: {type(item).__name__}")
                out.append(item)
            else:
                out.append(field_encoder(item))
        return out

    return encode


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
            return [encoder(h)(v) for h, v in zip(args, value, strict=True)]

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


def _compile_fixed(args: tuple) -> Callable[[Any], Any]:
    """A decoder for a fixed-length tuple, unrolled like a record's (`_compile_decoder`)."""
    scope: dict[str, Any] = {"BadEntry": BadEntry}
    count = len(args)
    body = [
        "def decode(data):",
        f"    if type(data) is not list or len(data) != {count}:",
        f"        raise BadEntry('expected {count} items')",
        f"    {', '.join(f'v{i}' for i in range(count))}, = data",
    ]
    for i, hint in enumerate(args):
        scalars = _scalar_types(hint) if hint is not Any else None
        if scalars is not None:
            scope[f"S{i}"] = scalars
            body.append(f"    if type(v{i}) not in S{i}:")
            body.append("        raise BadEntry('wrong item type')")
        else:
            scope[f"D{i}"] = decoder(hint)
            body.append(f"    v{i} = D{i}(v{i})")
    body.append(f"    return ({', '.join(f'v{i}' for i in range(count))},)")
    exec("\n".join(body), scope)  # noqa: S102 - generated from annotations, no input
    return scope["decode"]


def _compile_decoder(cls: type) -> Callable[[Any], Any]:
    """A decoder for `cls` with its fields unrolled: a record is decoded in one call, with
    each scalar field's type checked inline (a cache holds a hundred thousand records). The
    source is built from the record's field names only (identifiers), never from data."""
    names = [f.name for f in dataclasses.fields(cls)]
    hints = _hints(cls)
    scope: dict[str, Any] = {"BadEntry": BadEntry, "new": object.__new__, "cls": cls}
    label = cls.__name__
    body = [
        "def decode(data):",
        f"    if type(data) is not list or len(data) != {len(names)}:",
        f"        raise BadEntry({label + ': expected ' + str(len(names)) + ' fields'!r})",
    ]
    if names:
        body.append(f"    {', '.join(f'v{i}' for i in range(len(names)))}, = data")
    for i, name in enumerate(names):
        hint = hints[name]
        if hint is Any:  # mostly a plain literal: checked inline, tagged ones decoded
            scope[f"S{i}"], scope[f"D{i}"] = (str, int, bool, _NONE), _decode_any
            body.append(f"    if type(v{i}) not in S{i}:")
            body.append(f"        v{i} = D{i}(v{i})")
            continue
        scalars = _scalar_types(hint)
        if scalars is not None:
            scope[f"S{i}"] = scalars
            body.append(f"    if type(v{i}) not in S{i}:")
            body.append(f"        raise BadEntry({label + '.' + name + ': wrong type'!r})")
        else:
            scope[f"D{i}"] = decoder(hint)
            body.append(f"    v{i} = D{i}(v{i})")
    # Filled in directly, as unpickling would: the records have no __post_init__ or slots,
    # and a frozen record's __init__ would set each field through a slow path.
    body.append("    obj = new(cls)")
    fields = ", ".join(f"{name!r}: v{i}" for i, name in enumerate(names))
    body.append(f"    obj.__dict__.update({{{fields}}})")
    body.append("    return obj")
    exec("\n".join(body), scope)  # noqa: S102 - our own record's field names, no input
    return scope["decode"]


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
        return _compile_fixed(args)
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
