"""Message text: how a model value is shown to a reader, and the templates of declarative
items. Every reporter and rule shows values through `show`."""

from __future__ import annotations

import re

from flash_guard.model import EnumRef, Opaque, Value
from flash_guard.sdk.in_use import version_fields

# Templates take `{name}` fields only: no format specs, conversions or attribute access, so a
# configuration (which a pull request can edit) cannot ask for `{value:>300000000}`.
TEMPLATE_FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
ANY_BRACE_FIELD = re.compile(r"\{[A-Za-z_][^{}]*\}")


def template_problem(template: str) -> str | None:
    """Why a message or fix template is not accepted, or None."""
    for match in ANY_BRACE_FIELD.finditer(template):
        if not TEMPLATE_FIELD.fullmatch(match.group(0)):
            return f"`{match.group(0)}`: a template field is a plain name like {{endpoint}}"
    return None


def fill(template: str, fields: dict) -> str:
    """Substitute `{name}` fields; unknown names stay as written."""

    def one(match: re.Match) -> str:
        name = match.group(1)
        return str(fields[name]) if name in fields else match.group(0)

    return TEMPLATE_FIELD.sub(one, template)


def show(value, unit: str | tuple[str, str] | None = None) -> str:
    """A model value as a reader expects to see it in a message. `unit` follows the number
    (`"s"`, or a (singular, plural) noun such as ("worker", "workers")), before any note on
    the constant it came through or its environment default: `1800 s (via `HALF_HOUR`)`."""
    if isinstance(value, Value):
        if not value.known:
            return value.text
        shown = with_unit(show(value.value), value.value, unit)
        notes = []
        # A helper call that reads the environment (`env_int("MIN_W", 0)`) is named by the
        # note on its variable; a constant or a dict spread is named here.
        if value.via and not (value.env_key and "(" in value.via):
            notes.append(f"via `{value.via}`")
        if value.env_key:
            # rules.md "value with an environment default": decided on the default
            notes.append(env_note(value))
        if notes:
            shown = f"{shown} ({'; '.join(notes)})"
        return shown
    if unit is not None:
        return with_unit(show(value), value, unit)
    if isinstance(value, EnumRef):
        return str(value)
    if isinstance(value, Opaque):
        return f"{value.callee}(...)"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(show(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {show(v)}" for k, v in value.items()) + "}"
    return repr(value) if isinstance(value, str) else str(value)


def with_unit(shown: str, raw, unit: str | tuple[str, str] | None) -> str:
    """`shown` followed by its unit; a (singular, plural) unit agrees with the count."""
    if unit is None:
        return shown
    if isinstance(unit, tuple):
        unit = unit[0] if raw == 1 and not isinstance(raw, bool) else unit[1]
    return f"{shown} {unit}"


def env_note(value: Value) -> str:
    """What a message adds about a value decided on its environment default (or on several:
    `workers=(int(os.getenv("WMIN", "1")), int(os.getenv("WMAX", "3")))`)."""
    keys = env_keys(value)
    if len(keys) > 1:
        named = ", ".join(f"`{k}`" for k in keys)
        return f"defaults: {named} can override them at deploy time"
    return f"a default: `{keys[0] if keys else value.env_key}` can override it at deploy time"


def env_keys(value: Value | None) -> list[str]:
    """The environment variables a value defaults from: its own, or for a pair such as
    `workers=(min, max)`, its items' (a list or dict is judged item by item: the note
    belongs to the item a finding is about, not to its neighbours)."""
    if value is None or not value.known:
        return []
    keys = [value.env_key] if value.env_key else []
    if isinstance(value.value, tuple):
        for item in value.value:
            if isinstance(item, Value) and item.known and item.env_key not in (None, *keys):
                keys.append(item.env_key)
    return keys


def render_template(template: str, ep, attr, value, op, operand, params) -> str:
    if not template:
        template = "{endpoint}: `{attribute}` is {value}, expected {operator} {expected}"
    fields = dict(
        endpoint=f"`{ep.display_name}`",
        attribute=attr,
        value=_bare_workers_min(ep, attr, value) or shown_found(value),
        # the value with its unit, before any note: "1800 s (via `HALF_HOUR`)", "2 workers"
        value_seconds=shown_found(value, "s"),
        value_workers=shown_found(value, ("worker", "workers")),
        operator=op,
        expected=show(operand) if not isinstance(operand, str) else operand,
        kind=ep.kind,
        **version_fields(ep),
        **{k: v for k, v in params.items()},
    )
    return fill(template, fields)


def shown_found(value, unit: str | tuple[str, str] | None = None) -> str:
    """The value a declarative item found: "not set", a default marked as the SDK's, or the
    value as written."""
    if value is None:
        return "not set"
    if value.defaulted:
        # A default of None means "no value at all" (tetra-rp's executionTimeoutMs).
        if value.known and value.value is None:
            return "not set (the SDK default)"
        return f"{show(value, unit)} (the SDK default)"
    return show(value, unit)


def _bare_workers_min(ep, attr: str, value) -> str | None:
    """The min of `workers=N`, which both SDKs read as (0, N): said so, since no 0 is written
    (`0 (`workers=3` means (0, 3))`)."""
    whole = ep.params.get("workers") if attr == "workers.min" else None
    if value is None or value.defaulted or whole is None or not whole.known:
        return None
    pair = whole.value
    high = pair.get("max") if isinstance(pair, dict) else None
    if not (isinstance(high, Value) and high.known and whole.text):
        return None
    if not value.text == high.text == whole.text:
        return None  # a (min, max) pair or legacy workersMin: its min is written
    n = high.value
    if value.value != 0 or not isinstance(n, int) or isinstance(n, bool):
        return None
    # An environment read is named by its note, not by its expression.
    written = str(n) if high.env_key else whole.via or whole.text or str(n)
    said = f"`workers={written}`" + ("" if written == str(n) else f" is {n}, which")
    notes = [f"{said} means (0, {n})"]
    if high.env_key:
        notes.append(env_note(high))
    return f"0 ({'; '.join(notes)})"
