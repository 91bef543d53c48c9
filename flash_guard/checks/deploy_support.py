"""What the deploy-breaker checks (FG2xx) share: keywords as written, the SDK's coercions,
and the inventory of `NetworkVolume(...)` objects.

Not a check itself: it registers nothing. The FG2xx checks mirror what the SDK raises on, so
they read the keywords exactly as the code wrote them (`Endpoint.kwargs`), before
normalisation turned a tuple into a list or filled in a default.
"""

from __future__ import annotations

import re
from typing import Any

from flash_guard.checks.base import Check, Outcome, fail_at, spread_unknown, unknown
from flash_guard.discover.normalize import LEGACY_TO_CANONICAL, python_int  # noqa: F401 (FG201)
from flash_guard.model import Endpoint, EnumRef, Opaque, Span, Value
from flash_guard.sdk.flash_tables import did_you_mean

_CANONICAL_TO_LEGACY = {v: k for k, v in LEGACY_TO_CANONICAL.items()}


class EveryDeclaration(Check):
    """A check of something the SDK rejects while `Endpoint(...)` is constructed or used as a
    decorator. Those errors hit clients (`Endpoint(id=...)`) too, and the engine runs
    endpoint-scope checks only on deployable endpoints, so these run project-wide and visit
    every declaration themselves."""

    scope = "project"

    def check_project(self, endpoints, params, ctx) -> list[Outcome]:
        out: list[Outcome] = []
        for endpoint in endpoints:
            out += self.check(endpoint, params, ctx)
        return tidy(out)


def tidy(outcomes: list[Outcome]) -> list[Outcome]:
    """Drop repeats: one spread can block several keywords, but FG002 is one finding per rule."""
    seen = set()
    out = []
    for outcome in outcomes:
        key = (outcome.status, outcome.path, outcome.span, id(outcome.endpoint))
        if outcome.status == "fail":
            key += (outcome.message,)
        if key not in seen:
            seen.add(key)
            out.append(outcome)
    return out


def label(endpoint: Endpoint) -> str:
    return f"`{endpoint.display_name}`"


def keyword(endpoint: Endpoint, canonical: str) -> str:
    """The keyword as the endpoint's API spells it: `idle_timeout` or legacy `idleTimeout`."""
    if endpoint.api == "legacy":
        return _CANONICAL_TO_LEGACY.get(canonical, canonical)
    return canonical


def written(endpoint: Endpoint, name: str) -> tuple[Value, Span] | None:
    """The keyword `name` as the declaration wrote it (value, span of `name=value`)."""
    for key, value, span in endpoint.kwargs:
        if key == name:
            return value, span
    return None


def written_value(endpoint: Endpoint, name: str, parameter: str) -> tuple[Value | None, list]:
    """The known value of keyword `name` as written, or else the outcomes to return instead:
    none when it is not written (FG002 when an unresolved `**spread` may set it), FG002 when
    its value is not statically known."""
    found = written(endpoint, name)
    if found is None:
        return None, spread_unknown(endpoint, name)
    value, _ = found
    if not value.known:
        return None, [unknown(endpoint, value, f"`{name}`", parameter)]
    return value, []


def shown(value: Value) -> str:
    """`text`, or `CONSTANT` (= value) when it came through a module-level constant."""
    text = value.text or python_repr(value)
    if value.via:
        return f"`{value.via}` (= {python_repr(value)})"
    return f"`{text}`"


def python_repr(raw: Any) -> str:
    """A known value written back the way Python code would spell it."""
    if isinstance(raw, Value):
        return python_repr(raw.value) if raw.known else raw.text
    if isinstance(raw, EnumRef):
        return str(raw)
    if isinstance(raw, Opaque):
        return f"{raw.callee}(...)"
    if isinstance(raw, list):
        return "[" + ", ".join(python_repr(x) for x in raw) + "]"
    if isinstance(raw, tuple):
        inner = ", ".join(python_repr(x) for x in raw)
        return f"({inner},)" if len(raw) == 1 else f"({inner})"
    if isinstance(raw, dict):
        return "{" + ", ".join(f"{k!r}: {python_repr(v)}" for k, v in raw.items()) + "}"
    return repr(raw)


def type_name(raw: Any) -> str:
    if isinstance(raw, EnumRef):
        return raw.enum
    if isinstance(raw, Opaque):
        return raw.callee
    return type(raw).__name__


def via_note(*values: Value | None) -> str:
    """` (via `NAME`)` for the first value that came through a module-level constant, so a
    finding at the constant's use names it (rules.md "Where a finding points"); else ""."""
    name = next((v.via for v in values if v is not None and v.via), None)
    return f" (via `{name}`)" if name else ""


def at_item(item: Value, whole: Value) -> Value:
    """Point at one element of a list when it was written in the declaration; when the list
    came through a constant, at the constant's use (the message names it)."""
    if whole.via or item.span is None:
        return whole
    if item.path is not None and whole.path is not None and item.path != whole.path:
        return whole
    return item


def is_number(raw: Any) -> bool:
    return isinstance(raw, (bool, int, float))


def project_volumes(endpoints: list[Endpoint], analysis) -> list[tuple[Value, Endpoint | None]]:
    """Every `NetworkVolume(...)` the project builds, once each, with the first endpoint that
    mounts it (None for a volume no endpoint uses: the SDK still validates it at import)."""
    found: dict[int, tuple[Value, Endpoint | None]] = {}

    def visit(value: Any, owner: Endpoint | None) -> None:
        if isinstance(value, Value):
            if not value.known:
                return
            inner = value.value
            if isinstance(inner, Opaque) and inner.callee == "NetworkVolume":
                if inner.package == "runpod":
                    return  # a runpod 2.0 volume: normalize_runpod2 checks it
                key = id(inner)
                if key not in found or (found[key][1] is None and owner is not None):
                    found[key] = (value, owner)
                return
            visit(inner, owner)
        elif isinstance(value, (list, tuple)):
            for item in value:
                visit(item, owner)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item, owner)

    for endpoint in sorted(endpoints, key=lambda e: (e.path, e.span)):
        volume = endpoint.params.get("volume")
        if volume is not None:
            visit(volume, endpoint)
    if analysis is not None:
        project = analysis.modules
        for path in sorted(project.files):
            for assign in list(project.files[path].assignments):
                # Only what visibly builds a volume: evaluating arbitrary calls would follow
                # imports into modules discovery never needed.
                if assign.namespace is None and "NetworkVolume" in assign.value.expr_text():
                    visit(project.evaluate(assign.expr, path, None), None)
    return sorted(
        found.values(),
        key=lambda item: (item[0].value.path or "", item[0].value.span or Span(0, 0, 0, 0)),
    )


def volume_label(obj: Opaque) -> str:
    for key in ("name", "id"):
        value = obj.kwargs.get(key)
        if value is not None and value.known and isinstance(value.value, str) and value.value:
            return value.value
    return "unknown"


def volume_outcome(
    status: str, message: str, obj: Opaque, key: str | None, owner: Endpoint | None, parameter: str
) -> Outcome:
    """An outcome about a `NetworkVolume(...)` call, at keyword `key`'s value (or the call).

    Volumes are reported where they are declared, which may be another file than the
    endpoint that mounts them, or no endpoint at all.
    """
    value = obj.kwargs.get(key) if key else None
    path = obj.path or (owner.path if owner else "")
    span = obj.span
    if value is not None and value.span is not None:
        path, span = value.path or path, value.span
    text = value.text if value is not None and not value.known else ""
    if status == "unknown":
        message = f"{message} is `{text or '?'}`"
    return Outcome(status, message, path, span or Span(1, 1, 1, 1), parameter, owner, None, text)


def closest(word: str, candidates) -> str | None:
    """`did_you_mean`, except that a single candidate extending the word wins: `ADA_48` is
    `ADA_48_PRO` (difflib alone prefers `ADA_24`)."""
    pool = sorted(set(candidates))
    extending = [c for c in pool if c.startswith(word) and c != word]
    if word and len(extending) == 1:
        return extending[0]
    return did_you_mean(word, pool)


# -- runpod 2.0 -------------------------------------------------------------------------
# How the catalog reads a runpod 2.0 declaration where the runpod_flash check does not apply:
# the FG2xx rules report what frontend_runpod2/normalize_runpod2 reproduced from rc2 as
# `Endpoint.problems` (code, message, span); FG303/FG304 have no 2.0 counterpart, and FG301
# reads a 2.0 declaration in 2.0 terms (FG306 says what the 2.0 build deploys but cannot
# serve). The engine asks `replaced(code, endpoint)` before running a check.
RUNPOD2 = "runpod2"
# Codes whose runpod_flash check never runs on a 2.0 declaration.
REPLACED = frozenset(
    {
        *(f"FG2{n:02d}" for n in range(1, 15)),
        "FG303",  # 2.0 collects dependencies by running the code: any list works
        "FG304",
    }
)
# Parameters `@app.task` does not have: rules requiring them skip tasks.
TASK_ABSENT = ("workers", "idle_timeout", "execution_timeout_ms")


def replaced(code: str, endpoint: Endpoint) -> bool:
    return endpoint.sdk == RUNPOD2 and code in REPLACED


def skips_task(endpoint: Endpoint, attributes) -> bool:
    return endpoint.kind == "task" and any(a.split(".")[0] in TASK_ABSENT for a in attributes)


def outcomes(endpoint: Endpoint, code: str) -> list[Outcome]:
    """The decoration-time (and build-time) problems of `endpoint` that rule `code` reports."""
    out = []
    elsewhere = {(c, s): p for c, s, p in endpoint.problem_files}
    for problem_code, message, span in endpoint.problems:
        if problem_code == code:
            label = f"`{endpoint.display_name}`"
            at = next((v for _, v, _ in endpoint.kwargs if v.span == span), None)
            if (
                code != "FG210"  # the keyword is the problem there, not its value
                and at is not None
                and at.via
                and not re.search(rf"\b{re.escape(at.via)}\b", message)
                # keywords of one spread (`**asdict(CFG)`) share its span, so `at` may be
                # another of them: a message naming its constant already is not added to
                and "(through `" not in message
            ):
                # through a module-level constant: the message names it (rules.md)
                message += f" (through `{at.via}`)"
            text = f"{label}: {message}{_other_release(endpoint)}"
            # the keyword's value the problem is at, for the note on its environment default
            keyword = _SPREAD_MAY_SET.get(code, ("",))[0]
            value = next((v for _, v, _ in endpoint.kwargs if v.span == span), None) or next(
                (v for k, v, _ in endpoint.kwargs if k == keyword), None
            )
            path = elsewhere.get((problem_code, span), endpoint.path)
            out.append(fail_at(endpoint, text, path, span, value=value))
    if not out:
        out = [
            unknown(endpoint, value, what, parameter)
            for problem_code, what, parameter, value in endpoint.undecided
            if problem_code == code
        ]
    if not out and endpoint.spreads and code in _SPREAD_MAY_SET:
        name, kinds = _SPREAD_MAY_SET[code]
        written = {key for key, _, _ in endpoint.kwargs}
        if name not in written and (not kinds or endpoint.kind in kinds):
            out = spread_unknown(endpoint, name)
    return out


def _other_release(endpoint: Endpoint) -> str:
    """What to add when the app names a runpod 2.x release other than the one the 2.0
    problems were reproduced from (a later release may accept what rc2 rejects)."""
    from flash_guard.sdk.in_use import sdk_of
    from flash_guard.sdk.runpod2_tables import SDK_VERSION

    sdk = sdk_of(endpoint)
    if sdk is None or sdk.package != "runpod" or not sdk.version.startswith("2"):
        return ""
    if sdk.version == SDK_VERSION:
        return ""
    return (
        f" (as runpod {SDK_VERSION} decides, the 2.0 release flash-guard knows; this app names "
        f"{sdk.version}, {sdk.source})"
    )


# runpod 2.0: the keyword whose value each FG2xx check reads (and the kinds it applies to), so
# an unresolved `**spread` that may set it leaves the check undecided, as in runpod_flash.
_SPREAD_MAY_SET = {
    "FG201": ("workers", ("queue", "load_balancer")),
    "FG202": ("scaler_type", ()),
    "FG205": ("gpu", ()),
    "FG206": ("datacenter", ()),
    "FG209": ("min_cuda_version", ()),
    "FG210": ("any keyword", ()),
    "FG211": ("mounts", ()),
    "FG212": ("scaler_type", ("load_balancer",)),
    "FG216": ("name", ("queue", "load_balancer")),
}


def project_outcomes(endpoints: list[Endpoint], code: str) -> list[Outcome]:
    return [o for e in endpoints if e.sdk == RUNPOD2 for o in outcomes(e, code)]
