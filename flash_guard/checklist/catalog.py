"""The built-in catalog: one YAML file per rule under `flash_guard/rules/<family>/`, and the
built-in profiles as overlays in the configuration language (`flash_guard/profiles/`).

A rule file `fgNNN_<slug>.yaml` is one checklist item in the language users write. When a
`fgNNN_<slug>.py` sits beside it, the item runs that Python check (whose id is the slug);
otherwise the YAML's `require:` decides. A rule's `profiles:` names the built-in profiles
that carry it; a rule without `profiles:` is in every profile. A profile overlay may change
a rule's `params` (or `severity`) for that profile, exactly as a user's `rules:` would.
"""

from __future__ import annotations

import dataclasses
import functools
import os

from flash_guard.checklist.compiled import compiled_data
from flash_guard.checklist.items import Item, build_params, parse_item
from flash_guard.config.yamlsrc import YamlSource, load_yaml_text

PROFILES = ("production", "development", "cost")
PROFILE_KEYS = ("profile", "description", "rules")
OVERLAY_RULE_KEYS = ("params", "severity")

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES_DIR = os.path.join(_PACKAGE, "rules")
PROFILES_DIR = os.path.join(_PACKAGE, "profiles")


def _read(path: str, label: str) -> YamlSource:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # Compiled at build time (checklist/compiled.py): no PyYAML on a run without user YAML.
    found, data = compiled_data(label, text)
    if found:
        return YamlSource(label, text, data)
    return load_yaml_text(text, label, fast=True)


def rule_files() -> list[tuple[str, str]]:
    """(family, file stem) of every built-in rule, in code order."""
    out = []
    for family in sorted(os.listdir(RULES_DIR)):
        folder = os.path.join(RULES_DIR, family)
        if not os.path.isdir(folder) or family.startswith(("_", ".")):
            continue
        for name in os.listdir(folder):
            if name.endswith(".yaml"):
                out.append((family, name[: -len(".yaml")]))
    return sorted(out, key=lambda entry: entry[1])


def rule_source_paths(code: str) -> dict[str, str]:
    """Repository-relative paths of a rule's YAML and (when it has one) Python check."""
    for family, stem in rule_files():
        if stem.split("_", 1)[0] == code.lower():
            base = f"flash_guard/rules/{family}/{stem}"
            out = {"yaml": f"{base}.yaml"}
            if os.path.exists(os.path.join(RULES_DIR, family, f"{stem}.py")):
                out["python"] = f"{base}.py"
            return out
    return {}


@functools.cache
def builtin_items() -> tuple[Item, ...]:
    """Every built-in rule once, as defined in its own file, in code order."""
    items = []
    for family, stem in rule_files():
        label = f"flash_guard/rules/{family}/{stem}.yaml"
        src = _read(os.path.join(RULES_DIR, family, f"{stem}.yaml"), label)
        raw = src.data
        has_python = os.path.exists(os.path.join(RULES_DIR, family, f"{stem}.py"))
        if isinstance(raw, dict) and has_python and "check" not in raw:
            raw = {**raw, "check": raw.get("slug")}
        item = parse_item(src, [], raw, builtin=True)
        expected = f"{item.code.lower()}_{item.slug.replace('-', '_')}"
        if stem != expected:
            raise src.error(["id"], f"a rule's file is named after its code and slug: {expected}")
        for profile in item.profiles:
            if profile not in PROFILES:
                raise src.error(["profiles"], f"unknown profile `{profile}`")
        items.append(item)
    return tuple(items)


@functools.cache
def _overlay(profile: str) -> YamlSource:
    return _read(
        os.path.join(PROFILES_DIR, f"{profile}.yaml"), f"flash_guard/profiles/{profile}.yaml"
    )


@functools.cache
def profile_items(profile: str) -> tuple[Item, ...]:
    """The built-in items `profile` carries, with the profile's overlay applied."""
    src = _overlay(profile)
    data = src.data or {}
    for key in data:
        if key not in PROFILE_KEYS:
            raise src.error([key], "unknown key")
    overrides = data.get("rules") or {}
    by_code = {item.code: item for item in builtin_items()}
    for code, spec in overrides.items():
        if code not in by_code:
            raise src.error(["rules", code], "unknown rule code")
        for key in spec or {}:
            if key not in OVERLAY_RULE_KEYS:
                raise src.error(["rules", code, key], "unknown key")
    out = []
    for item in builtin_items():
        if item.profiles and profile not in item.profiles:
            continue
        spec = overrides.get(item.code)
        if spec:
            item = _overlaid(src, item, spec)
        out.append(item)
    return tuple(out)


def _overlaid(src: YamlSource, item: Item, spec: dict) -> Item:
    raw_params = {**item.raw_params, **(spec.get("params") or {})}
    if item.check:
        params = build_params(src, ["rules", item.code, "params"], item.check, raw_params)
    else:
        params = dict(raw_params)
    return dataclasses.replace(
        item,
        raw_params=raw_params,
        params=params,
        severity=spec.get("severity", item.severity),
    )


def profile_description(profile: str) -> str:
    return str((_overlay(profile).data or {}).get("description", ""))


def builtin_catalog() -> dict[str, list[tuple[str, Item]]]:
    """code -> [(profile, item)] across every built-in profile, in code order."""
    out: dict[str, list[tuple[str, Item]]] = {}
    for profile in PROFILES:
        for item in profile_items(profile):
            out.setdefault(item.code, []).append((profile, item))
    return dict(sorted(out.items()))
