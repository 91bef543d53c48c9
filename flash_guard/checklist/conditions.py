"""The declarative condition language of checklist items (design.md).

`require: {workers.min: {gte: 1}}` reads the model attribute `workers.min` of an
endpoint and applies the operator. A condition on a value that is not
statically known is undecided, and the engine turns that into FG002.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

from flash_guard.model import Endpoint, EnumRef, Opaque, Value
from flash_guard.project.globs import glob_match, glob_problem
from flash_guard.sdk import flash_tables

OPERATORS = (
    "equals",
    "not_equals",
    "in",
    "not_in",
    "gt",
    "gte",
    "lt",
    "lte",
    "between",
    "exists",
    "absent",
    "contains",
    "not_contains",
    "subset_of",
    "matches",
)
# Attributes of the record itself rather than of its parameters.
RECORD_ATTRIBUTES = ("kind", "compute", "api", "name", "path", "scope", "resource_class", "package")
WHEN_FILTERS = ("kind", "compute", "api", "name", "path")

_ENUM_VALUES = {
    "CpuInstanceType": flash_tables.CPU_INSTANCE_TYPES,
    "DataCenter": flash_tables.DATACENTERS,
    "CudaVersion": flash_tables.CUDA_VERSIONS,
}


class Missing:
    """The attribute is not there; `maybe` is an unresolved spread that could supply it."""

    def __init__(self, maybe: Value | None = None):
        self.maybe = maybe


def attribute(endpoint: Endpoint, dotted: str) -> Value | Missing:
    head, *rest = dotted.split(".")
    if head in RECORD_ATTRIBUTES and not rest:
        if head == "name":
            return Value(endpoint.display_name, True, endpoint.name.span, endpoint.name.text)
        return Value(getattr(endpoint, head), True, endpoint.span)
    if head == "routes" and not rest:
        return _routes_value(endpoint)
    value: Value | Missing = endpoint.params.get(head) or Missing(
        endpoint.spreads[0] if endpoint.spreads else None
    )
    for key in rest:
        if isinstance(value, Missing) or not value.known:
            return value
        inner = value.value
        if isinstance(inner, Opaque):
            value = inner.kwargs.get(key) or Missing(inner.spreads[0] if inner.spreads else None)
        elif isinstance(inner, dict):
            value = inner.get(key) or Missing(value.partial)
        else:
            return Missing()
    if isinstance(value, Value) and value.defaulted and endpoint.spreads:
        # The SDK default holds only if the unresolved `**spread` does not set it.
        return Missing(endpoint.spreads[0])
    return value


def _routes_value(endpoint: Endpoint) -> Value:
    items = []
    for route in endpoint.routes:
        if not (route.method.known and route.path.known):
            bad = route.method if not route.method.known else route.path
            return Value.unknown(bad.text, bad.span, route.file)
        items.append(Value(f"{route.method.value} {route.path.value}", True, route.span))
    return Value(items, True, endpoint.span, defaulted=not items)


def aliases(x: Any) -> set:
    """Every spelling that names the same thing: `GpuGroup.ANY`, `ANY`, and enum values."""
    if isinstance(x, EnumRef):
        out = {str(x), x.member}
        value = _ENUM_VALUES.get(x.enum, {}).get(x.member)
        if value is not None:
            out.add(value)
        return out
    if isinstance(x, str):
        # A member name written in YAML (`US_IL_1`) names the SDK's string too ("US-IL-1").
        out = {x}
        for table in _ENUM_VALUES.values():
            if x in table:
                out.add(table[x])
            out.update(member for member, value in table.items() if value == x)
        return out
    return {("plain", repr(x))}


def equal(a: Any, b: Any) -> bool:
    if isinstance(a, Value):
        a = a.plain()
    if isinstance(a, (EnumRef, str)) or isinstance(b, (EnumRef, str)):
        return bool(aliases(a) & aliases(b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (isinstance(a, bool) and isinstance(b, bool) and a == b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _elements(plain: Any) -> list | None:
    if isinstance(plain, (list, tuple)):
        return list(plain)
    return None


def _number(x: Any) -> float | None:
    return x if isinstance(x, (int, float)) and not isinstance(x, bool) else None


def _finite(x: Any) -> bool:
    return _number(x) is not None and math.isfinite(x)


def apply(op: str, value: Value | Missing, operand: Any) -> str:
    """pass | fail | unknown for one operator on one attribute value."""
    if op in ("exists", "absent"):
        if isinstance(value, Missing):
            if value.maybe is not None:
                return "unknown"
            present = False
        else:
            present = not value.defaulted and not (value.known and value.value is None)
        wanted = bool(operand) if op == "exists" else not bool(operand)
        return "pass" if present == wanted else "fail"
    if isinstance(value, Missing):
        return "unknown" if value.maybe is not None else _missing_verdict(op)
    if not value.known:
        return "unknown"
    plain = value.plain()
    # A container with an unresolved part cannot be judged as a whole.
    if value.partial is not None and op in ("contains", "not_contains", "subset_of", "in"):
        return "unknown"
    try:
        result = _compare(op, plain, operand)
    except Undecidable:
        return "unknown"
    return "pass" if result else "fail"


def _missing_verdict(op: str) -> str:
    # A missing attribute contains nothing and equals nothing.
    return "pass" if op in ("not_equals", "not_in", "not_contains") else "fail"


def _compare(op: str, plain: Any, operand: Any) -> bool:
    items = _elements(plain)
    if op == "equals":
        if items is not None and len(items) == 1 and _elements(operand) is None:
            return equal(items[0], operand)
        return equal(plain, operand)
    if op == "not_equals":
        return not _compare("equals", plain, operand)
    if op in ("in", "subset_of"):
        choices = operand if isinstance(operand, list) else [operand]
        members = items if items is not None else [plain]
        return all(any(equal(m, c) for c in choices) for m in members)
    if op == "not_in":
        choices = operand if isinstance(operand, list) else [operand]
        members = items if items is not None else [plain]
        return not any(equal(m, c) for m in members for c in choices)
    if op in ("gt", "gte", "lt", "lte"):
        number, limit = _number(plain), _number(operand)
        if number is None or limit is None:
            return False
        return {
            "gt": number > limit,
            "gte": number >= limit,
            "lt": number < limit,
            "lte": number <= limit,
        }[op]
    if op == "between":
        number = _number(plain)
        low, high = operand
        return number is not None and low <= number <= high
    if op in ("contains", "not_contains"):
        if isinstance(plain, dict):
            found = any(equal(k, operand) for k in plain)
        elif items is not None:
            found = any(equal(x, operand) for x in items)
        elif isinstance(plain, str):
            found = str(operand) in plain
        elif isinstance(plain, EnumRef):
            found = equal(plain, operand)
        else:
            found = False
        return found if op == "contains" else not found
    if op == "matches":
        text = str(plain)
        if not _short_enough(operand, text):
            raise Undecidable
        return re.search(operand, text) is not None
    raise ValueError(op)


# `matches` takes a pattern from the configuration (a pull request can edit it) and runs it
# on a value from the analysed code (ditto), so the backtracking engine is only given
# patterns whose work is polynomial and small: a quantifier applies to one character or
# class (no `(a+)+`, `(a|a)*`), no back-references or lookarounds, at most
# MAX_VARIABLE_QUANTIFIERS quantifiers of variable length (an unanchored search counts as
# one more), and a value is matched only if len(value) ** quantifiers <= MATCH_BUDGET
# (otherwise the verdict is "unknown": FG002 says the check could not tell).
MAX_PATTERN_LENGTH = 1000
MAX_VARIABLE_QUANTIFIERS = 3
MATCH_BUDGET = 10_000_000
_SINGLE_CHARACTER = {"LITERAL", "NOT_LITERAL", "ANY", "IN", "CATEGORY"}
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}
_REFUSED = {"GROUPREF", "GROUPREF_EXISTS", "ASSERT", "ASSERT_NOT"}


class Undecidable(Exception):
    """The value is too long for this pattern's bounded work."""


def _short_enough(pattern: str, text: str) -> bool:
    loops = regex_quantifiers(pattern)
    return loops == 0 or len(text) ** loops <= MATCH_BUDGET


@functools.lru_cache(maxsize=256)
def regex_quantifiers(pattern: str) -> int:
    """How many variable-length quantifiers a `matches` pattern has (ValueError if it
    is one the bounded matcher refuses)."""
    try:
        from re import _parser as sre_parse  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse
    parsed = list(sre_parse.parse(pattern))
    anchored = (
        bool(parsed)
        and str(parsed[0][0]) == "AT"
        and str(parsed[0][1])
        in (
            "AT_BEGINNING",
            "AT_BEGINNING_STRING",
        )
    )
    loops = _count_loops(parsed) + (0 if anchored else 1)
    if loops > MAX_VARIABLE_QUANTIFIERS:
        raise ValueError(
            f"more than {MAX_VARIABLE_QUANTIFIERS} variable-length quantifiers "
            "(an unanchored pattern counts one more; start it with ^ to save one)"
        )
    return loops


def _count_loops(items) -> int:
    loops = 0
    for op, arg in items:
        name = str(op)
        if name in _REFUSED:
            raise ValueError("back-references and lookarounds are not supported")
        if name in _REPEATS:
            low, high, body = arg
            body = list(body)
            if len(body) != 1 or str(body[0][0]) not in _SINGLE_CHARACTER:
                raise ValueError("a quantifier may only follow one character or class")
            loops += low != high
        elif name == "SUBPATTERN":
            loops += _count_loops(arg[-1])
        elif name == "BRANCH":
            loops += max((_count_loops(branch) for branch in arg[1]), default=0)
        elif name == "ATOMIC_GROUP":
            loops += _count_loops(arg)
    return loops


def operand_problem(op: str, operand: Any) -> str | None:
    """Why an operand cannot work with its operator (checked when the YAML loads)."""
    if op not in OPERATORS:
        return f"unknown operator `{op}` (known: {', '.join(OPERATORS)})"
    if op in ("gt", "gte", "lt", "lte") and not _finite(operand):
        return f"`{op}` needs a number, got {_shown(operand)}"
    if op == "between":
        ok = isinstance(operand, list) and len(operand) == 2 and all(_finite(x) for x in operand)
        if not ok:
            return f"`between` needs [low, high] numbers, got {_shown(operand)}"
        if operand[0] > operand[1]:
            # No value lies in such a range: every endpoint would fail the item.
            return f"`between` needs [low, high] with low <= high, got {_shown(operand)}"
        return None
    if op in ("exists", "absent") and not isinstance(operand, bool):
        return f"`{op}` needs true or false, got {_shown(operand)}"
    if op in ("in", "not_in", "subset_of") and not isinstance(operand, list):
        return f"`{op}` needs a list, got {_shown(operand)}"
    if op == "matches":
        if not isinstance(operand, str):
            return f"`matches` needs a regular expression string, got {_shown(operand)}"
        if len(operand) > MAX_PATTERN_LENGTH:
            return f"`matches`: a pattern longer than {MAX_PATTERN_LENGTH} characters"
        try:
            re.compile(operand)
            regex_quantifiers(operand)
        except re.error as exc:
            return f"`matches` has an invalid regular expression: {exc}"
        except (ValueError, RecursionError, OverflowError) as exc:
            return f"`matches` pattern refused: {exc or 'nested too deeply'}"
    return None


def _shown(operand: Any) -> str:
    """An operand in an error message, cut short (aliases can make it huge)."""
    text = repr(operand)
    return text if len(text) <= 80 else text[:77] + "..."


def when_problem(key: str, value: Any) -> str | None:
    """Why a `when: {name: ..., path: ...}` filter cannot work (globs, checked at load)."""
    if key not in ("name", "path"):
        return None
    for choice in value if isinstance(value, list) else [value]:
        if not isinstance(choice, str):
            return f"`{key}` takes a glob or a list of globs, got {_shown(choice)}"
        problem = glob_problem(choice)
        if problem:
            return problem
    return None


def when_matches(when: dict, endpoint: Endpoint) -> bool:
    for key, wanted in (when or {}).items():
        choices = wanted if isinstance(wanted, list) else [wanted]
        if key in ("name", "path"):
            actual = endpoint.display_name if key == "name" else endpoint.path
            if not any(glob_match(str(c), actual) for c in choices):
                return False
        elif getattr(endpoint, key) not in choices:
            return False
    return True
