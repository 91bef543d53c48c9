"""The mechanism every Python-backed check shares.

A check is a typed, documented template (kube-linter's "check types"): it
knows how to decide one thing about an endpoint, with parameters. Which checks
run, under which code, severity and parameters is policy, and lives in the
checklist YAML. A check returns outcomes: nothing (pass), `fail`, or `unknown`
(a value it needs is not statically known; the engine reports FG002).
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from flash_guard.messages import env_keys, env_note, show
from flash_guard.model import Endpoint, Span, Value

if TYPE_CHECKING:  # the analysis imports the rules' registry users; only its type is needed
    from flash_guard.discover.analysis import Analysis

REGISTRY: dict[str, type[Check]] = {}


@dataclass
class Outcome:
    status: str  # "fail" | "unknown"
    message: str
    path: str
    span: Span
    parameter: str | None = None
    endpoint: Endpoint | None = None
    fix: str | None = None  # overrides the item's fix hint when set
    unknown_text: str = ""
    # This finding's severity instead of the item's default (FG304 warns for legacy classes
    # `flash deploy` cannot provision). A severity the user configured always wins.
    severity: str | None = None
    # An unknown that came through a constant: where the expression was written (Value.origin).
    origin: tuple | None = None


@dataclass
class NoParams:
    pass


@dataclass
class Context:
    """What a check may look at besides its endpoint."""

    endpoints: list[Endpoint]
    analysis: Analysis | None = None
    profile: str = "production"
    code: str = ""
    slug: str = ""


class Check:
    """Base class. Subclasses set `id`, `Params`, and implement `check` or `check_project`.

    The class docstring is the "What it does" section of the rule page.
    """

    id: ClassVar[str]
    Params: ClassVar[type] = NoParams
    scope: ClassVar[str] = "endpoint"  # "endpoint" or "project"
    # Which kinds the check looks at; clients are never checked.
    kinds: ClassVar[tuple[str, ...]] = ("queue", "load_balancer", "image")

    def applies(self, endpoint: Endpoint) -> bool:
        return endpoint.kind in self.kinds

    def __init_subclass__(cls, **kwargs):
        # Every endpoint check decides candidate values the same way (rules.md "candidate
        # values"), so no rule can read a candidate set as one unknown or one value.
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("check")
        if own is None or getattr(own, "decides_candidates", False):
            return

        def check(self, endpoint, params, ctx, _own=own):
            return decide_candidates(endpoint, None, lambda ep: _own(self, ep, params, ctx))

        check.decides_candidates = True
        check.__doc__ = own.__doc__
        cls.check = check

    def check(self, endpoint: Endpoint, params: Any, ctx: Context) -> list[Outcome]:
        raise NotImplementedError

    def check_project(self, endpoints: list[Endpoint], params: Any, ctx: Context) -> list[Outcome]:
        raise NotImplementedError


def register(cls: type[Check]) -> type[Check]:
    if cls.id in REGISTRY:
        raise ValueError(f"duplicate check id {cls.id}")
    REGISTRY[cls.id] = cls
    return cls


def param_doc(**kwargs) -> Any:
    """A parameter with its documentation: `field(default=..., metadata={"doc": ...})`."""
    doc = kwargs.pop("doc")
    if "default" in kwargs and isinstance(kwargs["default"], (list, dict, set)):
        value = kwargs.pop("default")
        kwargs["default_factory"] = lambda: type(value)(value)
    return field(metadata={"doc": doc}, **kwargs)


# -- helpers for checks ------------------------------------------------------


def where(endpoint: Endpoint, value: Value | None) -> tuple[str, Span]:
    """Where a finding about `value` points: at the value where it was written (the
    declaration, or the call of a factory in another module that passed it on), else at the
    declaration."""
    written = value is not None and value.span is not None and not value.defaulted
    if written:
        return value.path or endpoint.path, value.span
    return endpoint.path, endpoint.span


def fail(
    endpoint: Endpoint,
    message: str,
    value: Value | None = None,
    parameter: str | None = None,
    fix: str | None = None,
) -> Outcome:
    path, span = where(endpoint, value)
    # The note itself, not the variable's name: `IDLE = int(os.getenv("IDLE", ...))` names
    # the constant `IDLE` in the message and still needs the note.
    if env_keys(value) and env_note(value) not in message:
        # rules.md "value with an environment default": decided on the default, and said so
        message = f"{message} ({env_note(value)})"
    return Outcome("fail", message, path, span, parameter, endpoint, fix)


def fail_at(
    endpoint: Endpoint,
    message: str,
    path: str,
    span: Span,
    parameter: str | None = None,
    fix: str | None = None,
    value: Value | None = None,
) -> Outcome:
    """A failure at a place of the check's choosing; `value`, when the verdict rests on one,
    adds the note on its environment defaults (rules.md), as `fail` does."""
    if env_keys(value) and env_note(value) not in message:
        message = f"{message} ({env_note(value)})"
    return Outcome("fail", message, path, span, parameter, endpoint, fix)


def unknown(endpoint: Endpoint, value: Value, what: str, parameter: str | None = None) -> Outcome:
    path, span = where(endpoint, value)
    if value.span is not None and value.path not in (None, endpoint.path):
        path, span = value.path, value.span
    text = value.text or "?"
    message = f"{what} is `{text}`"
    if value.origin is not None and value.via and value.via != text:
        message += f" (through `{value.via}`)"
    return Outcome(
        "unknown", message, path, span, parameter, endpoint, None, text, origin=value.origin
    )


def spread_unknown(endpoint: Endpoint, name: str, parameter: str | None = None) -> list[Outcome]:
    """A keyword the code does not write may still arrive through an unresolved `**spread`:
    that makes the rule undecidable (FG002 at the spread), not a pass or a failure."""
    if not endpoint.spreads:
        return []
    spread = endpoint.spreads[0]
    return [unknown(endpoint, spread, f"the `**` spread that may set `{name}`", parameter or name)]


# Checks are cheap; past this many combinations the values are simply unknown.
MAX_VARIANTS = 64


def candidate_variants(endpoint: Endpoint, keys=None) -> list[tuple[dict, Endpoint]] | None:
    """One copy of the endpoint per combination of its parameters' candidates (each pointing at
    where the candidates were written), with the choice made in `params` and in the keywords as
    written; None when there are none."""
    params = endpoint.params
    split = _split(params)
    if not split:
        return None  # the common case, remembered for the endpoint's every check
    if keys is not None:
        held = dict(split)
        split = [(k, held[k]) for k in keys if k in held]
        if not split:
            return None
    combos: list[dict] = [{}]
    for key, value in split:
        combos = [{**c, key: i} for c in combos for i in range(len(value.candidates))]
        if len(combos) > MAX_VARIANTS:
            return None
    out = []
    for combo in combos:
        params = dict(endpoint.params)
        chosen = {}
        for key, index in combo.items():
            held = endpoint.params[key]
            option = held.candidates[index]
            # through a constant (`gpu=GPU`), named as a single value through one is
            params[key] = chosen[key] = dataclasses.replace(
                option, span=held.span, path=held.path, via=option.via or held.via
            )
        kwargs = []
        for name, value, span in endpoint.kwargs:
            key = _canonical(endpoint, name)
            count = len(endpoint.params[key].candidates) if key in combo else 0
            if key in combo and value.candidates and len(value.candidates) == count:
                option = value.candidates[combo[key]]
                value = dataclasses.replace(option, span=value.span, path=value.path)
            kwargs.append((name, value, span))
        variant = dataclasses.replace(endpoint, params=params, kwargs=kwargs)
        out.append(({k: chosen[k] for k in combo}, variant))
    return out


def _split_of(params: dict) -> list[tuple[str, Value]]:
    return [(k, v) for k, v in params.items() if isinstance(v, Value) and v.candidates]


# Every check of an endpoint asks in turn, for the same parameters: remember the last answer.
_last_split: tuple = (None, ())


def _split(params: dict) -> list[tuple[str, Value]]:
    global _last_split
    held, split = _last_split
    if held is not params:
        split = tuple(_split_of(params))
        _last_split = (params, split)
    return list(split)


def _canonical(endpoint: Endpoint, name: str) -> str:
    if endpoint.api != "legacy":
        return name
    from flash_guard.discover.normalize import LEGACY_TO_CANONICAL  # discovery's vocabulary

    return LEGACY_TO_CANONICAL.get(name, name)


def decide_candidates(endpoint: Endpoint, keys, run) -> list[Outcome]:
    """`run(endpoint)` decided over candidate values: every candidate passes -> pass; every
    candidate fails -> the failure; a split -> unknown naming the candidates (FG002)."""
    variants = candidate_variants(endpoint, keys)
    if variants is None:
        return run(endpoint)
    results = [run(variant) for _, variant in variants]
    verdicts = [_verdict(r) for r in results]
    if all(v == "pass" for v in verdicts):
        return []
    if all(v == "fail" for v in verdicts):
        return [dataclasses.replace(o, endpoint=endpoint) for o in results[0]]
    if all(v != "pass" for v in verdicts) and "unknown" in verdicts:
        first = verdicts.index("unknown")
        return [dataclasses.replace(o, endpoint=endpoint) for o in results[first]]
    key = _splitting_key(variants, verdicts)
    held = endpoint.params[key]
    shown = " / ".join(show(c) for c in held.candidates)
    path, span = where(endpoint, held)
    if held.span is not None and held.path not in (None, endpoint.path):
        path, span = held.path, held.span
    parameter = next((o.parameter for r in results for o in r if o.parameter), key)
    message = f"`{key}` is `{held.text}`, whose candidates {shown} do not all agree"
    return [
        Outcome(
            "unknown", message, path, span, parameter, endpoint, None, held.text, origin=held.origin
        )
    ]


def _verdict(outcomes: list[Outcome]) -> str:
    if any(o.status == "fail" for o in outcomes):
        return "fail"
    return "unknown" if outcomes else "pass"


def _splitting_key(variants, verdicts) -> str:
    """The parameter whose candidates change the verdict (the first one, when several do)."""
    keys = list(variants[0][0])
    for key in keys:
        others = [k for k in keys if k != key]
        groups: dict[tuple, set] = {}
        for (combo, _), verdict in zip(variants, verdicts, strict=True):
            # By what the other candidates say: each variant holds its own copies of them.
            rest = tuple(show(combo[k]) for k in others)
            groups.setdefault(rest, set()).add(verdict)
        if any(len(g) > 1 for g in groups.values()):
            return key
    return keys[0]


def coerce_params(params_cls: type, raw: dict, where_: str) -> tuple[Any, list[str]]:
    """Build a Params dataclass from YAML, checking each value's type."""
    errors: list[str] = []
    if not dataclasses.is_dataclass(params_cls):
        return params_cls(), errors
    fields = {f.name: f for f in dataclasses.fields(params_cls)}
    hints = typing.get_type_hints(params_cls)
    values = {}
    for key, value in (raw or {}).items():
        if key not in fields:
            known = ", ".join(sorted(fields)) or "none"
            errors.append(f"{where_}.{key}: unknown parameter (known: {known})")
            continue
        problem = _type_problem(hints[key], value)
        if problem:
            errors.append(f"{where_}.{key}: {problem}")
            continue
        values[key] = tuple(value) if _is_tuple_hint(hints[key]) else value
    built = params_cls(**values)
    # Constraints between values or within one (a range's low end below its high end) are
    # the Params class's own `problems()`: "name: what is wrong" each.
    if not errors and hasattr(built, "problems"):
        errors = [f"{where_}.{problem}" for problem in built.problems()]
    return built, errors


def _is_tuple_hint(hint) -> bool:
    return typing.get_origin(hint) is tuple


def _type_problem(hint, value) -> str | None:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is bool:
        return None if isinstance(value, bool) else f"expected true/false, got {value!r}"
    if hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else f"expected an integer, got {value!r}"
    if hint is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return None if ok else f"expected a number, got {value!r}"
    if hint is str:
        return None if isinstance(value, str) else f"expected a string, got {value!r}"
    if origin is dict:
        if not isinstance(value, dict):
            return f"expected a mapping, got {value!r}"
        for key, item in value.items():
            problem = (_type_problem(args[0], key) if args else None) or (
                _type_problem(args[1], item) if args else None
            )
            if problem:
                return problem
        return None
    if origin in (list, tuple):
        if not isinstance(value, list):
            return f"expected a list, got {value!r}"
        if origin is tuple and len(args) == 2 and args[1] is not Ellipsis and len(value) != 2:
            return f"expected two items, got {value!r}"
        inner = args[0] if args else None
        for item in value:
            problem = _type_problem(inner, item) if inner else None
            if problem:
                return problem
        return None
    return None


def worker_bodies(endpoint: Endpoint) -> list:
    """The decorated functions/classes, their runpod 2.0 `@handle.init` hooks, and for a
    load-balanced endpoint its route handlers."""
    bodies = [*endpoint.targets, *endpoint.hooks]
    bodies += [r.handler_facts for r in endpoint.routes if r.handler_facts is not None]
    return bodies


RUNTIME_READS = ("os.environ", "os.getenv", "environ.get", "environ[", "getenv(")


def read_at_run_time(value: Value) -> bool:
    """An unknown value that is obviously computed when the code runs (an env read or a call),
    as opposed to a name we merely failed to resolve."""
    text = value.text or ""
    return any(marker in text for marker in RUNTIME_READS) or text.endswith(")")
