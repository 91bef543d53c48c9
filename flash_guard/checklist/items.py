"""Checklist items: parsing and validating one item from YAML.

Built-in items and users' items go through the same parser, so the built-ins
are written in exactly the language users write.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flash_guard.checklist.conditions import OPERATORS, WHEN_FILTERS, operand_problem, when_problem
from flash_guard.checks.base import coerce_params
from flash_guard.config.yamlsrc import YamlSource
from flash_guard.findings import SEVERITIES
from flash_guard.messages import template_problem
from flash_guard.model import APIS, COMPUTES, KINDS
from flash_guard.rules import REGISTRY, RENAMED_CHECKS

ITEM_KEYS = (
    "id",
    "slug",
    "title",
    "severity",
    "profiles",
    "when",
    "require",
    "check",
    "params",
    "message",
    "fix",
    "fix_runpod2",
    "fix_legacy",
    "docs",
    "tags",
)
DOC_KEYS = ("summary", "why", "bad", "good", "notes")
_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,9}[0-9]{3}$")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_PARAM_REF = re.compile(r"^\$([a-z_][a-z0-9_]*)$")


# -- the attributes a declarative `require:` can read, and which operators suit each ----------
# A checklist item is validated like code: `workers.mn: {gte: 1}` (no such attribute) or
# `gpu: {gte: 1}` (`gte` on a list) would otherwise fail or pass on every endpoint, so both
# are configuration errors, with a did-you-mean. Attributes are those of the normalised model
# (discover/normalize.py: one vocabulary for both APIs) and of the record itself.

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


@dataclass
class Item:
    code: str
    slug: str
    title: str
    severity: str
    message: str = ""
    fix: str = ""
    # The fix hint for a runpod 2.0 declaration, where the runpod_flash one would mislead
    # (legacy field names, `Endpoint` forms); empty: `fix` serves both.
    fix_runpod2: str = ""
    # The fix hint for a legacy declaration (`@remote(LiveServerless(...))`), whose fields are
    # spelt otherwise (`gpus=`, `workersMin`); empty: `fix` serves it too.
    fix_legacy: str = ""
    when: dict = field(default_factory=dict)
    require: dict = field(default_factory=dict)  # attribute -> {operator: operand}
    check: str | None = None
    params: Any = None  # a Params dataclass for checks, a dict for declarative items
    raw_params: dict = field(default_factory=dict)
    docs: dict = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    source: str = ""  # file that defined it
    builtin: bool = True
    profiles: tuple[str, ...] = ()  # built-in profiles that carry it; () means all

    def operand(self, operand: Any, raw_params: dict | None = None) -> Any:
        """`$name` in a declarative condition is the item's parameter `name` (in `raw_params`,
        the item's with the configuration's on top, when given)."""
        if isinstance(operand, str):
            match = _PARAM_REF.match(operand)
            if match:
                return (self.raw_params if raw_params is None else raw_params).get(match.group(1))
        return operand


def parse_item(src: YamlSource, keypath: list, raw: Any, builtin: bool) -> Item:
    if not isinstance(raw, dict):
        raise src.error(keypath, "a checklist item must be a mapping")
    for key in raw:
        if key not in ITEM_KEYS:
            raise src.error(keypath + [key], f"unknown key{did_you_mean(str(key), ITEM_KEYS)}")
    for key in ("id", "slug", "title", "severity"):
        if key not in raw:
            raise src.error(keypath, f"missing required key `{key}`")
    code, slug = str(raw["id"]), str(raw["slug"])
    if not _CODE.match(code):
        raise src.error(keypath + ["id"], f"`{code}` is not a rule code like ACME001")
    if code.startswith("FG") and not builtin:
        raise src.error(keypath + ["id"], "the FG prefix is reserved for built-in rules")
    if not _SLUG.match(slug):
        raise src.error(keypath + ["slug"], f"`{slug}` is not a lower-case-dashed slug")
    if raw["severity"] not in SEVERITIES:
        raise src.error(keypath + ["severity"], f"must be one of {', '.join(SEVERITIES)}")
    has_check, has_require = "check" in raw, "require" in raw
    if has_check == has_require:
        raise src.error(keypath, "an item needs exactly one of `require` or `check`")
    item = Item(
        code=code,
        slug=slug,
        title=str(raw["title"]),
        severity=raw["severity"],
        message=str(raw.get("message", "")),
        fix=str(raw.get("fix", "")),
        fix_runpod2=str(raw.get("fix_runpod2", "")),
        fix_legacy=str(raw.get("fix_legacy", "")),
        tags=tuple(raw.get("tags") or ()),
        source=src.label,
        builtin=builtin,
    )
    for key in ("message", "fix", "fix_runpod2", "fix_legacy"):
        problem = template_problem(str(raw.get(key, "")))
        if problem:
            raise src.error(keypath + [key], problem)
    item.profiles = _parse_profiles(src, keypath + ["profiles"], raw.get("profiles"))
    item.when = _parse_when(src, keypath + ["when"], raw.get("when"))
    docs = raw.get("docs") or {}
    if not isinstance(docs, dict):
        raise src.error(keypath + ["docs"], "must be a mapping")
    for key in docs:
        if key not in DOC_KEYS:
            raise src.error(keypath + ["docs", key], f"unknown key (known: {', '.join(DOC_KEYS)})")
    item.docs = docs
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        raise src.error(keypath + ["params"], "must be a mapping")
    item.raw_params = dict(params)
    if has_check:
        check_id = RENAMED_CHECKS.get(raw["check"], raw["check"])
        if check_id not in REGISTRY:
            known = ", ".join(sorted(REGISTRY))
            raise src.error(keypath + ["check"], f"unknown check `{check_id}` (known: {known})")
        item.check = check_id
        item.params = build_params(src, keypath + ["params"], check_id, params)
    else:
        item.require = _parse_require(src, keypath + ["require"], raw["require"], item)
        item.params = dict(params)
    return item


def build_params(src: YamlSource, keypath: list, check_id: str, params: dict) -> Any:
    built, errors = coerce_params(REGISTRY[check_id].Params, params, "params")
    if errors:
        first = errors[0]
        key = first.split(":", 1)[0].split(".", 1)[1]
        raise src.error(keypath + [key], first.split(": ", 1)[1])
    return built


def _parse_profiles(src: YamlSource, keypath: list, raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    names = raw if isinstance(raw, list) else [raw]
    if not all(isinstance(name, str) for name in names):
        raise src.error(keypath, "must be a profile name or a list of them")
    return tuple(names)


def _parse_when(src: YamlSource, keypath: list, raw: Any) -> dict:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise src.error(keypath, "must be a mapping")
    allowed = {"kind": KINDS, "compute": COMPUTES, "api": APIS}
    for key, value in raw.items():
        if key not in WHEN_FILTERS:
            hint = did_you_mean(str(key), WHEN_FILTERS)
            raise src.error(keypath + [key], f"unknown filter{hint}")
        problem = when_problem(key, value)
        if problem:
            raise src.error(keypath + [key], problem)
        if key in allowed:
            for choice in value if isinstance(value, list) else [value]:
                if choice not in allowed[key]:
                    hint = did_you_mean(str(choice), allowed[key])
                    raise src.error(keypath + [key], f"unknown {key} `{choice}`{hint}")
    return dict(raw)


def _parse_require(src: YamlSource, keypath: list, raw: Any, item: Item) -> dict:
    if not isinstance(raw, dict) or not raw:
        raise src.error(keypath, "must be a non-empty mapping of attribute: {operator: value}")
    for attribute, condition in raw.items():
        kind = attribute_type(str(attribute))
        if kind is None:
            hint = did_you_mean(str(attribute), ATTRIBUTES)
            raise src.error(keypath + [attribute], f"unknown attribute{hint}")
        if not isinstance(condition, dict) or not condition:
            raise src.error(keypath + [attribute], "must be a mapping like {gte: 1}")
        for op, operand in condition.items():
            if op not in OPERATORS:
                hint = did_you_mean(str(op), OPERATORS)
                raise src.error(keypath + [attribute, op], f"unknown operator `{op}`{hint}")
            problem = operator_problem(str(attribute), kind, op) or _param_problem(item, operand)
            problem = problem or operand_problem(op, item.operand(operand))
            if problem:
                raise src.error(keypath + [attribute, op], problem)
    return dict(raw)


def _param_problem(item: Item, operand: Any) -> str | None:
    """`$name` must be one of the item's own `params`."""
    if isinstance(operand, str):
        match = _PARAM_REF.match(operand)
        if match and match.group(1) not in item.raw_params:
            known = list(item.raw_params)
            hint = did_you_mean(match.group(1), known) if known else " (the item has no params)"
            return f"unknown parameter `{operand}`{hint}"
    return None


def override_param_problem(item: Item, name: str, value: Any) -> str | None:
    """Why `value` cannot replace the declarative item's parameter `name` (a `rules:`
    override): it must be of the default's kind, and every condition reading `$name` must
    accept it. Unchecked, `max: "3"` failed every endpoint (a string is no number to compare)
    and `fix_execution_timeout_ms: "abc"` quietly turned its fix off."""
    default = item.raw_params[name]
    expected, given = _kind_of(default), _kind_of(value)
    if given == "a whole number" and expected == "a number":
        given = expected
    if expected is not None and given != expected:
        shown, default_shown = _shown_value(value), _shown_value(default)
        return f"expected {expected} like the default {default_shown}, got {shown}"
    reference = f"${name}"
    for condition in item.require.values():
        for op, operand in condition.items():
            if operand == reference:
                problem = operand_problem(op, value)
                if problem:
                    return problem
    return None


def _kind_of(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return None


def _shown_value(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def did_you_mean(name: str, known) -> str:
    import difflib

    names = [str(k) for k in known]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if close:
        return f" (did you mean `{close[0]}`?)"
    return f" (known: {', '.join(names)})"
