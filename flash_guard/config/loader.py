"""Finding and validating the user's configuration.

`.flash-guard.yaml`, or `[tool.flash-guard]` in `pyproject.toml`: the first one
found walking up from the working directory to the git root, or `--config`.
Every unknown key, operator or rule code is an error naming the file and key.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flash_guard.checklist.catalog import PROFILES, builtin_catalog
from flash_guard.checklist.items import Item, build_params, parse_item
from flash_guard.config.yamlsrc import ConfigError, YamlSource, load_yaml_file
from flash_guard.findings import SEVERITIES

CONFIG_NAMES = (".flash-guard.yaml", ".flash-guard.yml")
CONFIG_KEYS = (
    "profile",
    "profiles",
    "rules",
    "checklist",
    "exclude",
    "require_suppression_reason",
    "fail_on",
    "sdk_version",
)
RULE_KEYS = ("enabled", "severity", "params")
FAIL_ON = ("error", "warning", "info", "never")


@dataclass
class RuleOverride:
    enabled: bool | None = None
    severity: str | None = None
    params: dict = field(default_factory=dict)


@dataclass
class Config:
    path: Path | None = None
    profile: str = "production"
    profile_paths: dict[str, list[str]] = field(default_factory=dict)
    profile_endpoints: dict[str, list[str]] = field(default_factory=dict)
    rules: dict[str, RuleOverride] = field(default_factory=dict)
    checklist: list[Item] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    require_suppression_reason: bool = False
    fail_on: str = "error"
    # The SDK release to check against when an app neither locks nor pins one.
    sdk_version: str | None = None
    source: YamlSource | None = None
    # Which profiles each user item joins (all of them unless it says).
    user_item_profiles: dict[str, list[str]] = field(default_factory=dict)

    def item_profiles(self, item: Item) -> tuple[str, ...]:
        return tuple(self.user_item_profiles.get(item.code) or PROFILES)


def find_config(start: Path, stop: Path | None) -> Path | None:
    here = start.resolve()
    stop = stop.resolve() if stop else None
    while True:
        for name in CONFIG_NAMES:
            candidate = here / name
            if candidate.is_file():
                return candidate
        pyproject = here / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
        if stop is None or here == stop or here.parent == here:
            return None
        here = here.parent


def _has_tool_table(pyproject: Path) -> bool:
    try:
        return re.search(r"^\[tool\.flash-guard\]", pyproject.read_text("utf-8"), re.M) is not None
    except (OSError, UnicodeDecodeError):
        return False


def load_config(path: Path | None, label: str | None = None) -> Config:
    if path is None:
        return Config()
    if path.name == "pyproject.toml":
        src = _pyproject_source(path, label or str(path))
    else:
        src = load_yaml_file(path, label)
    return parse_config(src, path)


def _pyproject_source(path: Path, label: str) -> YamlSource:
    # Imported here: only a pyproject.toml configuration needs a TOML parser.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib

    try:
        text = path.read_text("utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{label}:1: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}:1: invalid TOML: {exc}") from None
    table = data.get("tool", {}).get("flash-guard", {})
    return _TomlSource(label, text, table)


class _TomlSource(YamlSource):
    """Line lookup for `[tool.flash-guard]`: the first line after the header naming the key."""

    def line_of(self, keypath: list) -> int:
        lines = self.text.splitlines()
        start = next(
            (i for i, line in enumerate(lines) if line.strip().startswith("[tool.flash-guard")), 0
        )
        for key in reversed([k for k in keypath if isinstance(k, str)]):
            pattern = re.compile(
                rf'^\s*"?{re.escape(key)}"?\s*=|^\[tool\.flash-guard\.{re.escape(key)}'
            )
            for i in range(start, len(lines)):
                if pattern.search(lines[i]):
                    return i + 1
        return start + 1


def parse_config(src: YamlSource, path: Path | None) -> Config:
    data = src.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise src.error([], "the configuration must be a mapping")
    for key in data:
        if key not in CONFIG_KEYS:
            raise src.error([key], f"unknown key (known: {', '.join(CONFIG_KEYS)})")
    config = Config(path=path, source=src)
    profile = data.get("profile", "production")
    if profile not in PROFILES:
        raise src.error(["profile"], f"unknown profile `{profile}` (known: {', '.join(PROFILES)})")
    config.profile = profile
    _parse_profile_map(src, data.get("profiles"), config)
    config.exclude = _string_list(src, ["exclude"], data.get("exclude", []))
    reason = data.get("require_suppression_reason", False)
    if not isinstance(reason, bool):
        raise src.error(["require_suppression_reason"], "must be true or false")
    config.require_suppression_reason = reason
    fail_on = data.get("fail_on", "error")
    if fail_on not in FAIL_ON:
        raise src.error(["fail_on"], f"must be one of {', '.join(FAIL_ON)}")
    config.fail_on = fail_on
    sdk_version = data.get("sdk_version")
    if sdk_version is not None and not (isinstance(sdk_version, str) and sdk_version.strip()):
        raise src.error(["sdk_version"], "must be a version string, e.g. 1.21.0 or >=1.16,<1.17")
    config.sdk_version = sdk_version
    user_items = data.get("checklist") or []
    if not isinstance(user_items, list):
        raise src.error(["checklist"], "must be a list of checklist items")
    builtin = builtin_catalog()
    for i, raw in enumerate(user_items):
        item = parse_item(src, ["checklist", i], raw, builtin=False)
        if item.code in builtin or any(u.code == item.code for u in config.checklist):
            raise src.error(["checklist", i, "id"], f"`{item.code}` is already defined")
        profiles = raw.get("profiles") if isinstance(raw, dict) else None
        if profiles is not None:
            for p in profiles if isinstance(profiles, list) else [profiles]:
                if p not in PROFILES:
                    raise src.error(["checklist", i, "profiles"], f"unknown profile `{p}`")
            config.user_item_profiles[item.code] = (
                profiles if isinstance(profiles, list) else [profiles]
            )
        config.checklist.append(item)
    _parse_rules(src, data.get("rules"), config, builtin)
    return config


def _string_list(src: YamlSource, keypath: list, value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise src.error(keypath, "must be a list of strings")
    return list(value)


def _parse_profile_map(src: YamlSource, raw: Any, config: Config) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict):
        raise src.error(["profiles"], "must map a profile to {paths: [...], endpoints: [...]}")
    for profile, spec in raw.items():
        if profile not in PROFILES:
            raise src.error(
                ["profiles", profile], f"unknown profile (known: {', '.join(PROFILES)})"
            )
        if not isinstance(spec, dict):
            raise src.error(
                ["profiles", profile], "must be a mapping with `paths` and/or `endpoints`"
            )
        for key in spec:
            if key not in ("paths", "endpoints"):
                raise src.error(["profiles", profile, key], "unknown key (known: paths, endpoints)")
        config.profile_paths[profile] = _string_list(
            src, ["profiles", profile, "paths"], spec.get("paths")
        )
        config.profile_endpoints[profile] = _string_list(
            src, ["profiles", profile, "endpoints"], spec.get("endpoints")
        )


def _parse_rules(src: YamlSource, raw: Any, config: Config, builtin: dict) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict):
        raise src.error(["rules"], "must map a rule code or slug to {enabled, severity, params}")
    known: dict[str, Item] = {}
    for code, entries in builtin.items():
        known[code] = entries[0][1]
    for item in config.checklist:
        known[item.code] = item
    slugs = {item.slug: code for code, item in known.items()}
    for key, spec in raw.items():
        code = key if key in known else slugs.get(str(key))
        if code is None:
            raise src.error(["rules", key], "unknown rule code or slug")
        if spec is None:
            spec = {}
        if not isinstance(spec, dict):
            raise src.error(["rules", key], "must be a mapping with enabled, severity or params")
        for sub in spec:
            if sub not in RULE_KEYS:
                raise src.error(["rules", key, sub], f"unknown key (known: {', '.join(RULE_KEYS)})")
        override = RuleOverride()
        if "enabled" in spec:
            if not isinstance(spec["enabled"], bool):
                raise src.error(["rules", key, "enabled"], "must be true or false")
            override.enabled = spec["enabled"]
        if "severity" in spec:
            if spec["severity"] not in SEVERITIES:
                raise src.error(
                    ["rules", key, "severity"], f"must be one of {', '.join(SEVERITIES)}"
                )
            override.severity = spec["severity"]
        params = spec.get("params") or {}
        if not isinstance(params, dict):
            raise src.error(["rules", key, "params"], "must be a mapping")
        item = known[code]
        if item.check is not None:
            build_params(src, ["rules", key, "params"], item.check, {**item.raw_params, **params})
        else:
            for name in params:
                if name not in item.raw_params:
                    raise src.error(["rules", key, "params", name], "unknown parameter")
        override.params = params
        config.rules[code] = override
