"""The configuration's JSON Schema, generated from the loader's own constants.

`python -m flash_guard.config.schema --write` rewrites `config.schema.json` beside this file;
`--check` exits 1 when the committed schema differs (a test runs it). Every key the loader
accepts must have a schema entry here, and every enum (profiles, severities, operators, `when`
filters and their choices) comes from the constants the loader and the checklist use.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from flash_guard.checklist.catalog import PROFILES
from flash_guard.checklist.conditions import OPERATORS, WHEN_FILTERS
from flash_guard.checklist.items import DOC_KEYS, ITEM_KEYS
from flash_guard.config.loader import CONFIG_KEYS, CUSTOM_PROFILE_KEYS, FAIL_ON, RULE_KEYS
from flash_guard.findings import SEVERITIES
from flash_guard.project.writes import generated_file_main

SCHEMA_PATH = Path(__file__).with_name("config.schema.json")
SCHEMA_ID = (
    "https://github.com/flash-guard/flash-guard/blob/main/flash_guard/config/config.schema.json"
)
CODE_PATTERN = "[A-Z][A-Z0-9]{0,9}[0-9]{3}"
SLUG_PATTERN = "[a-z0-9]+(-[a-z0-9]+)*"
STRINGS = {"type": "array", "items": {"type": "string"}}

# Operand shapes the YAML may hold; `$param` references are strings, so numeric and list
# operators also accept a string.
OPERAND_TYPES = {
    "in": {"type": ["array", "string"]},
    "not_in": {"type": ["array", "string"]},
    "subset_of": {"type": ["array", "string"]},
    "between": {"type": ["array", "string"]},
    "gt": {"type": ["number", "string"]},
    "gte": {"type": ["number", "string"]},
    "lt": {"type": ["number", "string"]},
    "lte": {"type": ["number", "string"]},
    "exists": {"type": "boolean"},
    "absent": {"type": "boolean"},
    "matches": {"type": "string"},
}


RULE_NAMES = {"anyOf": [{"type": "string"}, STRINGS]}  # a list, or "A,B" as on the CLI


def _rules() -> dict:
    return {
        "description": "Per rule, by code (FG101) or slug (gpu-not-pinned).",
        "type": "object",
        "propertyNames": {"pattern": f"^({CODE_PATTERN}|{SLUG_PATTERN})$"},
        "additionalProperties": {
            "type": ["object", "null"],
            "additionalProperties": False,
            "properties": {
                key: {
                    "enabled": {"type": "boolean"},
                    "severity": {"enum": list(SEVERITIES)},
                    "params": {"type": "object"},
                }[key]
                for key in RULE_KEYS
            },
        },
    }


def _properties() -> dict:
    builtin = "|".join(PROFILES)
    custom = {"paths": STRINGS, "endpoints": STRINGS, "extends": {"type": "string"}}
    custom["rules"] = _rules()
    return {
        "profile": {
            "description": "The default profile: a built-in one or one defined in `profiles`.",
            "type": "string",
            "default": PROFILES[0],
        },
        "profiles": {
            "description": "Use another profile for some paths or endpoint names (globs), or "
            "define a profile of your own that `extends` another.",
            "type": "object",
            "additionalProperties": False,
            "patternProperties": {
                f"^({builtin})$": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"paths": STRINGS, "endpoints": STRINGS},
                },
                f"^(?!({builtin})$)[A-Za-z][A-Za-z0-9_-]*$": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {key: custom[key] for key in CUSTOM_PROFILE_KEYS},
                },
            },
        },
        "rules": _rules(),
        "checklist": {
            "description": "Your own checklist items, in the same language as the built-ins.",
            "type": "array",
            "items": {"$ref": "#/$defs/item"},
        },
        "exclude": {
            "description": "Globs of files never checked, also when passed explicitly.",
            **STRINGS,
        },
        "require_suppression_reason": {
            "description": "Suppression comments must give a reason after the codes.",
            "type": "boolean",
            "default": False,
        },
        "fail_on": {
            "description": "Lowest severity that makes the run exit 1.",
            "enum": list(FAIL_ON),
            "default": FAIL_ON[0],
        },
        "sdk_version": {
            "description": "The runpod-flash (or tetra-rp) version to check against when the "
            "app neither locks nor pins one: an exact version or a range.",
            "type": "string",
            "minLength": 1,
        },
        "extend": {
            "description": "Another configuration file (relative to this one) to start from.",
            "type": "string",
        },
        "extends": {
            "description": "The same as `extend` (use one of the two).",
            "type": "string",
        },
        "select": {
            "description": "Only these rules: codes, slugs, code prefixes or ALL, any case.",
            **RULE_NAMES,
        },
        "ignore": {"description": "Rules left out (codes, slugs, prefixes).", **RULE_NAMES},
        "extend_select": {"description": "Rules added to `select`.", **RULE_NAMES},
    }


def _item() -> dict:
    profile_enum = {"type": "string"}  # a built-in profile or one of the configuration's
    properties = {
        "id": {"type": "string", "pattern": f"^(?!FG){CODE_PATTERN}$"},
        "slug": {"type": "string", "pattern": f"^{SLUG_PATTERN}$"},
        "title": {"type": "string"},
        "severity": {"enum": list(SEVERITIES)},
        "profiles": {"anyOf": [profile_enum, {"type": "array", "items": profile_enum}]},
        "when": {
            "type": "object",
            "additionalProperties": False,
            "properties": {key: {"$ref": "#/$defs/filter"} for key in WHEN_FILTERS},
        },
        "require": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"$ref": "#/$defs/condition"},
        },
        "check": {"type": "string"},
        "params": {"type": "object"},
        "message": {"type": "string"},
        "fix": {"type": "string"},
        "fix_runpod2": {"type": "string"},
        "fix_legacy": {"type": "string"},
        "tags": STRINGS,
        "docs": {
            "type": "object",
            "additionalProperties": False,
            "properties": {key: {"type": "string"} for key in DOC_KEYS},
        },
    }
    missing = set(ITEM_KEYS) ^ set(properties)
    if missing:
        raise RuntimeError(f"item keys without a schema entry (or stale): {sorted(missing)}")
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "slug", "title", "severity"],
        "oneOf": [{"required": ["require"]}, {"required": ["check"]}],
        "properties": properties,
    }


def build_schema() -> dict:
    properties = _properties()
    missing = set(CONFIG_KEYS) ^ set(properties)
    if missing:
        raise RuntimeError(f"config keys without a schema entry (or stale): {sorted(missing)}")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "flash-guard configuration",
        "description": "The contents of .flash-guard.yaml, or of [tool.flash-guard] in "
        "pyproject.toml.",
        "type": "object",
        "additionalProperties": False,
        "properties": {key: properties[key] for key in CONFIG_KEYS},
        "$defs": {
            "operand": {},
            "condition": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": False,
                "properties": {
                    op: OPERAND_TYPES.get(op, {"$ref": "#/$defs/operand"}) for op in OPERATORS
                },
            },
            "filter": {"anyOf": [{"type": "string"}, STRINGS]},
            "item": _item(),
        },
    }


def schema_text() -> str:
    return json.dumps(build_schema(), indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    return generated_file_main("flash_guard.config.schema", SCHEMA_PATH, schema_text, argv)


if __name__ == "__main__":
    sys.exit(main())
