"""The condition language's operators, one truth table each.

Every operator of checklist/conditions.py is exercised on values that must pass and values that
must fail, on a missing attribute, on an SDK default, on an unresolved value and on an
unresolved `**spread`. A reversed `not_in`, swapped `contains`/`not_contains` or an `absent`
that behaves like `exists` each break several rows here.
"""

from __future__ import annotations

import pytest

from flash_guard.checklist.conditions import OPERATORS, Missing, apply, operand_problem
from flash_guard.model import EnumRef, Span, Value

SPAN = Span(1, 1, 1, 2)


def v(x, defaulted: bool = False) -> Value:
    return Value(x, True, SPAN, repr(x), defaulted=defaulted)


UNKNOWN = Value.unknown("os.getenv('X')", SPAN)
SPREAD = Missing(Value.unknown("**opts", SPAN))
ABSENT = Missing()
ANY = EnumRef("GpuGroup", "ANY")
ADA = EnumRef("GpuGroup", "ADA_24")

# (operator, operand, value, expected verdict)
TABLE = [
    ("equals", 3, v(3), "pass"),
    ("equals", 3, v(4), "fail"),
    ("equals", "GpuGroup.ANY", v(ANY), "pass"),
    ("equals", "ANY", v([ANY]), "pass"),  # a one-item list equals its item
    ("equals", 3, ABSENT, "fail"),
    ("not_equals", 3, v(3), "fail"),
    ("not_equals", 3, v(4), "pass"),
    ("not_equals", 3, ABSENT, "pass"),
    ("in", [1, 2], v(1), "pass"),
    ("in", [1, 2], v(3), "fail"),
    ("in", [1, 2], v([1, 2]), "pass"),
    ("in", [1, 2], v([1, 3]), "fail"),
    ("in", [1, 2], ABSENT, "fail"),
    ("not_in", [1, 2], v(1), "fail"),
    ("not_in", [1, 2], v(3), "pass"),
    ("not_in", ["ANY"], v([ADA]), "pass"),
    ("not_in", ["ANY"], v([ADA, ANY]), "fail"),
    ("not_in", [1, 2], ABSENT, "pass"),
    ("gt", 1, v(2), "pass"),
    ("gt", 1, v(1), "fail"),
    ("gte", 1, v(1), "pass"),
    ("gte", 1, v(0), "fail"),
    ("gte", 1, v("1"), "fail"),  # a string is not a number
    ("gte", 1, v(True), "fail"),  # nor is a bool
    ("lt", 5, v(4), "pass"),
    ("lt", 5, v(5), "fail"),
    ("lte", 5, v(5), "pass"),
    ("lte", 5, v(6), "fail"),
    ("between", [900, 1800], v(900), "pass"),  # ranges are inclusive
    ("between", [900, 1800], v(1800), "pass"),
    ("between", [900, 1800], v(899), "fail"),
    ("between", [900, 1800], v(1801), "fail"),
    ("exists", True, v(1), "pass"),
    ("exists", True, ABSENT, "fail"),
    ("exists", True, v(60, defaulted=True), "fail"),  # an SDK default was not written
    ("exists", True, v(None), "fail"),  # `x=None` counts as omitted
    ("exists", False, ABSENT, "pass"),
    ("exists", False, v(1), "fail"),
    ("absent", True, ABSENT, "pass"),
    ("absent", True, v(1), "fail"),
    ("absent", True, v(60, defaulted=True), "pass"),
    ("absent", False, v(1), "pass"),
    ("absent", False, ABSENT, "fail"),
    ("contains", "HF_TOKEN", v({"HF_TOKEN": "x"}), "pass"),
    ("contains", "HF_TOKEN", v({"OTHER": "x"}), "fail"),
    ("contains", 2, v([1, 2]), "pass"),
    ("contains", 3, v([1, 2]), "fail"),
    ("contains", "gpu", v("my-gpu-worker"), "pass"),
    ("contains", "cpu", v("my-gpu-worker"), "fail"),
    ("contains", "ANY", v(ANY), "pass"),
    ("contains", 3, ABSENT, "fail"),
    ("not_contains", "HF_TOKEN", v({"HF_TOKEN": "x"}), "fail"),
    ("not_contains", "HF_TOKEN", v({"OTHER": "x"}), "pass"),
    ("not_contains", 2, v([1, 2]), "fail"),
    ("not_contains", 3, v([1, 2]), "pass"),
    ("not_contains", 3, ABSENT, "pass"),
    ("subset_of", [1, 2, 3], v([1, 3]), "pass"),
    ("subset_of", [1, 2], v([1, 3]), "fail"),
    ("matches", "^api-", v("api-prod"), "pass"),
    ("matches", "^api-", v("web-prod"), "fail"),
    ("matches", "ANY$", v(ANY), "pass"),
]


@pytest.mark.parametrize(("op", "operand", "value", "verdict"), TABLE)
def test_operator_truth_table(op, operand, value, verdict):
    assert operand_problem(op, operand) is None
    assert apply(op, value, operand) == verdict


def test_every_operator_has_a_pass_and_a_fail_row():
    for op in OPERATORS:
        verdicts = {row[3] for row in TABLE if row[0] == op}
        assert verdicts == {"pass", "fail"}, op


@pytest.mark.parametrize("op", OPERATORS)
def test_an_unknown_value_is_undecided_for_every_operator(op):
    operand = {"between": [1, 2], "exists": True, "absent": True, "matches": "x"}.get(op, [1])
    if op in ("gt", "gte", "lt", "lte"):
        operand = 1
    if op in ("equals", "not_equals", "contains", "not_contains"):
        operand = 1
    if op in ("exists", "absent"):
        # Presence is known even when the value is not: `idle_timeout=os.getenv(...)` exists.
        assert apply(op, UNKNOWN, operand) == ("pass" if op == "exists" else "fail")
    else:
        assert apply(op, UNKNOWN, operand) == "unknown"
    # An unresolved `**spread` may or may not set the attribute: undecided either way.
    assert apply(op, SPREAD, operand) == "unknown"


@pytest.mark.parametrize(
    ("op", "operand"),
    [("gte", "1"), ("between", [1]), ("exists", "yes"), ("in", 1), ("matches", "("), ("bogus", 1)],
)
def test_operands_that_cannot_work_are_rejected(op, operand):
    assert operand_problem(op, operand)
