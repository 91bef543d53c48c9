"""The attributes a declarative `require:` can read, and which operators suit each.

A checklist item is validated like code: `workers.mn: {gte: 1}` (no such attribute) or
`gpu: {gte: 1}` (`gte` on a list) would otherwise fail or pass on every endpoint, so both
are configuration errors, with a did-you-mean. Attributes are those of the normalised
model (discover/normalize.py: one vocabulary for both APIs) and of the record itself.
"""

from __future__ import annotations

NUMBER, LIST, STRING, BOOL, MAPPING, ANY = "number", "list", "string", "bool", "mapping", "any"

ATTRIBUTES: dict[str, str] = {
    # the record (checklist/conditions.py RECORD_ATTRIBUTES) and its routes
    "kind": STRING,
    "compute": STRING,
    "api": STRING,
    "name": STRING,
    "path": STRING,
    "scope": STRING,
    "resource_class": STRING,
    "package": STRING,
    "routes": LIST,
    # parameters (both APIs, normalised)
    "id": STRING,
    "gpu": LIST,
    "gpu_ids": LIST,
    "cpu": LIST,
    "workers": MAPPING,
    "workers.min": NUMBER,
    "workers.max": NUMBER,
    "idle_timeout": NUMBER,
    "execution_timeout_ms": NUMBER,
    "gpu_count": NUMBER,
    "scaler_type": STRING,
    "scaler_value": NUMBER,
    "max_concurrency": NUMBER,
    "flashboot": BOOL,
    "accelerate_downloads": BOOL,
    "dependencies": LIST,
    "system_dependencies": LIST,
    "volume": LIST,
    "datacenter": LIST,
    "locations": LIST,
    "env": MAPPING,
    "image": STRING,
    "template": ANY,
    "template_id": STRING,
    "min_cuda_version": STRING,
    "cuda_versions": LIST,
    "python_version": STRING,
}
# Attributes whose keys are the user's own (`env.HF_TOKEN`, `template.imageName`).
OPEN_MAPPINGS = ("env", "template")

_COMMON = ("equals", "not_equals", "exists", "absent")
OPERATORS_FOR: dict[str, tuple[str, ...]] = {
    NUMBER: (*_COMMON, "in", "not_in", "gt", "gte", "lt", "lte", "between"),
    LIST: (*_COMMON, "contains", "not_contains", "subset_of", "in", "not_in"),
    STRING: (*_COMMON, "in", "not_in", "matches", "contains", "not_contains"),
    BOOL: _COMMON,
    MAPPING: (*_COMMON, "contains", "not_contains"),
}


def attribute_type(dotted: str) -> str | None:
    """The type of `dotted`, ANY for a key inside an open mapping, None if unknown."""
    if dotted in ATTRIBUTES:
        return ATTRIBUTES[dotted]
    head, _, rest = dotted.partition(".")
    if rest and head in OPEN_MAPPINGS:
        return ANY
    return None


def operator_problem(dotted: str, kind: str, op: str) -> str | None:
    allowed = OPERATORS_FOR.get(kind)
    if allowed is None or op in allowed:
        return None
    return f"`{op}` does not apply to `{dotted}`, a {kind} (use one of: {', '.join(allowed)})"
