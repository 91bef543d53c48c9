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


def show(value) -> str:
    """A model value as a reader expects to see it in a message."""
    if isinstance(value, Value):
        if not value.known:
            return value.text
        shown = show(value.value)
        if value.via and value.via != value.text:
            shown = f"{value.via} = {shown}"
        elif value.via:
            shown = f"{value.via} (= {shown})"
        if value.env_key:
            # rules.md "value with an environment default": decided on the default
            shown = f"{shown} ({env_note(value)})"
        return shown
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
    shown = "not set" if value is None or value.defaulted else show(value)
    if value is not None and value.defaulted:
        # A default of None means "no value at all" (tetra-rp's executionTimeoutMs).
        default = "not set" if value.known and value.value is None else show(value)
        shown = f"{default} (the SDK default)"
    fields = dict(
        endpoint=f"`{ep.display_name}`",
        attribute=attr,
        value=shown,
        operator=op,
        expected=show(operand) if not isinstance(operand, str) else operand,
        kind=ep.kind,
        **version_fields(ep),
        **{k: v for k, v in params.items()},
    )
    return fill(template, fields)
