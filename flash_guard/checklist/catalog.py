"""The built-in checklists: one YAML file per profile, plus the items every profile has."""

from __future__ import annotations

import functools
import os

from flash_guard.checklist.items import Item, parse_item
from flash_guard.yamlsrc import YamlSource, load_yaml_text

PROFILES = ("production", "development", "cost")
DEFAULT_PROFILE = "production"
PROFILE_KEYS = ("profile", "description", "include", "checklist")


@functools.cache  # `common` is included by every profile: parse it once
def _read(name: str) -> YamlSource:
    text = _builtin_text(f"{name}.yaml")
    return load_yaml_text(text, f"flash_guard/checklist/{name}.yaml", fast=True)


def _builtin_text(filename: str) -> str:
    try:  # the package is a directory in every ordinary install
        with open(os.path.join(os.path.dirname(__file__), filename), encoding="utf-8") as f:
            return f.read()
    except OSError:  # e.g. a zipped package: importlib.resources (~12 ms to import) knows
        from importlib import resources

        return resources.files("flash_guard.checklist").joinpath(filename).read_text("utf-8")


@functools.cache
def profile_items(profile: str) -> tuple[Item, ...]:
    """The built-in items of `profile`, included files first."""
    src = _read(profile)
    data = src.data or {}
    for key in data:
        if key not in PROFILE_KEYS:
            raise src.error([key], "unknown key")
    items: list[Item] = []
    for included in data.get("include") or []:
        items.extend(_items_of(_read(included)))
    items.extend(_items_of(src))
    return tuple(items)


def _items_of(src: YamlSource) -> list[Item]:
    raw_items = (src.data or {}).get("checklist") or []
    return [parse_item(src, ["checklist", i], raw, builtin=True) for i, raw in enumerate(raw_items)]


def profile_description(profile: str) -> str:
    return str((_read(profile).data or {}).get("description", ""))


def builtin_catalog() -> dict[str, list[tuple[str, Item]]]:
    """code -> [(profile, item)] across every built-in profile, in code order."""
    out: dict[str, list[tuple[str, Item]]] = {}
    for profile in PROFILES:
        for item in profile_items(profile):
            out.setdefault(item.code, []).append((profile, item))
    return dict(sorted(out.items()))


def slug_index(items) -> dict[str, str]:
    """slug -> code, so users can name rules either way."""
    return {item.slug: item.code for item in items}
