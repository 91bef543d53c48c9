"""Finding and validating the user's configuration.

`.flash-guard.yaml`, or `[tool.flash-guard]` in `pyproject.toml`: for each checked path,
the nearest one found walking up from it (to the git root inside git, to the filesystem root
outside), or `--config`. Both in one directory is an error: which one counts would be a guess.
A configuration can `extend` another (its parent, typically): the keys it sets replace the
extended file's, `rules` and `profiles` are merged per entry, `checklist` items are added.
Every unknown key, operator or rule code is an error naming the file and key.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flash_guard.checklist.catalog import PROFILES, builtin_catalog
from flash_guard.checklist.items import (
    Item,
    build_params,
    did_you_mean,
    override_param_problem,
    parse_item,
)
from flash_guard.config.input_file import read_input_text
from flash_guard.config.yamlsrc import ConfigError, YamlSource, load_yaml_file
from flash_guard.findings import SEVERITIES
from flash_guard.project.globs import glob_match, glob_problem

CONFIG_NAMES = (".flash-guard.yaml", ".flash-guard.yml")
CONFIG_KEYS = (
    "profile",
    "profiles",
    "rules",
    "checklist",
    "exclude",
    "require_suppression_reason",
    "fail_on",
    "extend",
    # `extends` (the word a profile of `profiles:` uses) is read as `extend`.
    "extends",
    "select",
    "ignore",
    "extend_select",
    "sdk_version",
)
RULE_KEYS = ("enabled", "severity", "params")
FAIL_ON = ("error", "warning", "info", "never")
# The configuration is untrusted (a pull request can edit it): bounded work per file.
MAX_GLOBS = 1000
# pyproject.toml is read whole to find [tool.flash-guard]; real ones are a few KB.
MAX_PYPROJECT_BYTES = 16 * 2**20
MAX_ITEMS = 1000
# What a profile may be called: in `profiles:`, `profile:` and the `profile=NAME` pragma alike.
PROFILE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


@dataclass
class RuleOverride:
    enabled: bool | None = None
    severity: str | None = None
    params: dict = field(default_factory=dict)


@dataclass
class CustomProfile:
    """A profile of the configuration's own: another profile's items, its own overrides."""

    extends: str
    rules: dict[str, RuleOverride] = field(default_factory=dict)


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
    # ruff-style rule selection (`select`, `ignore`, `extend_select`); None: not set.
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    custom_profiles: dict[str, CustomProfile] = field(default_factory=dict)
    # Where each top-level setting came from ("file:line"), for --show-settings.
    origins: dict[str, str] = field(default_factory=dict)
    # The configuration files read, the extended ones first.
    files: list[Path] = field(default_factory=list)

    def item_profiles(self, item: Item) -> tuple[str, ...]:
        return tuple(self.user_item_profiles.get(item.code) or self.all_profiles())

    def all_profiles(self) -> tuple[str, ...]:
        return PROFILES + tuple(p for p in self.custom_profiles if p not in PROFILES)

    def lineage(self, profile: str) -> list[str]:
        """`profile`, the profile it extends, ... down to a built-in one."""
        chain = [profile]
        while chain[-1] in self.custom_profiles and len(chain) <= len(self.custom_profiles):
            chain.append(self.custom_profiles[chain[-1]].extends)
        return chain

    def builtin_base(self, profile: str) -> str:
        return self.lineage(profile)[-1]

    def carries(self, item: Item, profile: str) -> bool:
        """Whether a user item is in `profile`: listed for it or for a profile it extends."""
        listed = self.item_profiles(item)
        return any(p in listed for p in self.lineage(profile))

    def rule_override(self, code: str, profile: str) -> RuleOverride | None:
        """The configuration's `rules` entry, then the profile chain's, most specific last."""
        layers = [self.rules.get(code)]
        for name in reversed(self.lineage(profile)):
            custom = self.custom_profiles.get(name)
            layers.append(custom.rules.get(code) if custom else None)
        layers = [layer for layer in layers if layer is not None]
        if len(layers) <= 1:
            return layers[0] if layers else None
        merged = RuleOverride()
        for layer in layers:
            if layer.enabled is not None:
                merged.enabled = layer.enabled
            if layer.severity is not None:
                merged.severity = layer.severity
            merged.params = {**merged.params, **layer.params}
        return merged


def find_config(start: Path, stop: Path | None) -> Path | None:
    """The nearest configuration in `start` or above, up to `stop` (None: the filesystem
    root)."""
    here = start.resolve()
    stop = stop.resolve() if stop else None
    while True:
        found = config_in(here)
        if found is not None:
            return found
        if here == stop or here.parent == here:
            return None
        here = here.parent


def config_in(directory: Path) -> Path | None:
    """The configuration file of `directory` itself, if it has one."""
    # Whatever stands under a configuration's name counts, a regular file or not: a dangling
    # symlink, a FIFO or a directory named .flash-guard.yaml is an error when loaded (exit 2),
    # never a configuration silently missing.
    found = [directory / name for name in CONFIG_NAMES if _exists(directory / name)]
    pyproject = directory / "pyproject.toml"
    if _exists(pyproject) and _has_tool_table(pyproject):
        found.append(pyproject)
    for path in found:
        check_found_config(path)
    if len(found) > 1:
        names = " and ".join(str(f) for f in found)
        raise ConfigError(f"{names}: both configure flash-guard; keep one of them")
    return found[0] if found else None


def _exists(path: Path) -> bool:
    """Whether anything has that name (a dangling symlink too); False when the directory
    cannot be searched: no configuration is seen there."""
    try:
        os.lstat(path)
    except (OSError, ValueError):
        return False
    return True


def _has_tool_table(pyproject: Path) -> bool:
    """Whether the file configures flash-guard, however TOML spells the table
    (`[tool.flash-guard]`, `[tool."flash-guard"]`, only subtables, `[tool]` with a
    `flash-guard = {...}` key). A file that does not parse counts when a header names it:
    loading it then reports the TOML error rather than ignoring the configuration. A file
    that cannot be read (not UTF-8, too large, not a regular file, no permission) is a
    ConfigError naming it: whether it configures flash-guard cannot be told."""
    text = read_input_text(pyproject, f"{pyproject}: cannot read: ", MAX_PYPROJECT_BYTES)
    if "flash-guard" not in text:
        return False
    try:
        data = _toml().loads(text)
    except (ValueError, RecursionError):  # TOMLDecodeError is a ValueError
        return re.search(r"^\s*\[\s*tool\s*\.\s*\"?flash-guard", text, re.M) is not None
    tool = data.get("tool")
    return isinstance(tool, dict) and "flash-guard" in tool


def _toml():
    # Imported here: only a pyproject.toml configuration needs a TOML parser.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    return tomllib


# Where a configuration may come from. The analysed tree is untrusted (a pull request's
# `.flash-guard.yaml` can say `extend: /home/runner/.ssh/config`, or be a symlink to it), and
# an exit-2 error quotes the file's keys and values (the Action turns it into an annotation).
# So an `extend:` target, and a configuration found through a symlink, stay inside the git
# repository of the file that names them (a nested app's `extend: ../../.flash-guard.yaml`
# does); kernel and device files (/proc, /sys, /dev) are never read. Outside git there is no
# repository to stay in: such a file outside the project is read, but an error in it is
# reported without its contents.
_PSEUDO_FILESYSTEMS = (Path("/proc"), Path("/sys"), Path("/dev"))


def _repository_of(path: Path) -> Path | None:
    """The outermost git work tree holding `path`: a submodule's configuration may extend
    its superproject's (the `.git` of a submodule is a file, and its work tree lies inside the
    superproject's)."""
    from flash_guard.project.files import git_root  # imports project.globs, as we do

    root = git_root(path.parent)
    if root is None:
        return None
    for above in root.parents:
        if os.path.lexists(above / ".git"):
            root = above
    return root


def _inside(real: Path, directory: Path) -> bool:
    return real == directory or directory in real.parents


def _pseudo(real: Path) -> bool:
    return any(_inside(real, p) for p in _PSEUDO_FILESYSTEMS)


def check_found_config(path: Path) -> None:
    """A configuration found in a directory (not named by --config) that is a symlink must
    lead to a file inside the same repository (outside git: anywhere but /proc, /sys, /dev)."""
    if not os.path.islink(path):
        return
    real = Path(os.path.realpath(path))
    if _pseudo(real):
        raise ConfigError(f"{path}: a symlink to a system file; not read")
    repository = _repository_of(path)
    # Outside git a configuration may live anywhere, as `extend:` may lead anywhere there.
    if repository is not None and not _inside(real, repository):
        raise ConfigError(f"{path}: a symlink to a file outside the repository; not read")


def load_config(path: Path | None, label: str | None = None, _seen: tuple = ()) -> Config:
    if path is None:
        return Config()
    if path.name == "pyproject.toml":
        src = _pyproject_source(path, label or str(path))
    else:
        src = load_yaml_file(path, label)
    base = None
    data = src.data if isinstance(src.data, dict) else {}
    if "extend" in data and "extends" in data:
        raise src.error(["extends"], "`extend` and `extends` are the same key; keep one")
    key = "extends" if "extends" in data else "extend"
    if key in data:
        target = data[key]
        if not isinstance(target, str) or not target:
            raise src.error([key], "must be the path of another configuration file")
        parent = (path.parent / target).resolve()
        if parent in _seen or parent == path.resolve():
            raise src.error([key], f"`{target}` extends this file again (a cycle)")
        if _pseudo(parent):
            raise src.error([key], f"`{target}` is not a configuration file")
        repository = _repository_of(path.resolve())
        if repository is not None and not _inside(parent, repository):
            raise src.error([key], f"`{target}` is outside the repository; extend a file inside it")
        if not parent.is_file():
            raise src.error([key], f"`{target}`: no such file")
        parent_label = _label(parent, path, label)
        project = (_seen[0] if _seen else path.resolve()).parent
        try:
            base = load_config(parent, parent_label, (*_seen, path.resolve()))
        except ConfigError:
            if repository is not None or _inside(parent, project):
                raise
            # outside git and outside the project: say where, not what the file holds
            raise ConfigError(
                f"{parent_label}: not a valid configuration (extended by {label or path}; "
                "its contents are not shown, as it is outside the project)"
            ) from None
        _rebase_globs(base, parent.parent, path.resolve().parent)
    return parse_config(src, path, base)


# -- path globs of an extended file, rebased to the extending file's directory --------------
# As in ruff, a path glob means a path relative to the directory of the configuration that
# wrote it: the root's `exclude: [services/a/legacy/**]`, inherited by services/a's
# configuration (whose files are matched relative to services/a), becomes `legacy/**`. A glob
# without `/` names a file or directory at any depth and is kept as it is.


def _rebase_globs(config: Config, written_in: Path, used_in: Path) -> None:
    config.exclude = rebase_globs(config.exclude, written_in, used_in)
    config.profile_paths = {
        profile: rebase_globs(globs, written_in, used_in)
        for profile, globs in config.profile_paths.items()
    }


def rebase_globs(globs: list[str], written_in: Path, used_in: Path) -> list[str]:
    """`globs`, relative to `written_in`, as globs relative to `used_in` that match the same
    files below `used_in`; globs that cannot match there are dropped."""
    if written_in == used_in:
        return list(globs)
    out: list[str] = []
    for glob in globs:
        for rebased in _rebase_one(glob, written_in, used_in):
            if rebased not in out:
                out.append(rebased)
    return out


def _rebase_one(glob: str, written_in: Path, used_in: Path) -> list[str]:
    # Read as project.globs reads it: `dir/` is `dir/**`, a path from this directory.
    pattern = glob.strip()
    if pattern.endswith("/"):
        pattern += "**"
    if pattern.startswith("./"):
        pattern = pattern[2:]
    body = pattern.lstrip("/")
    below = used_in.relative_to(written_in).parts if used_in.is_relative_to(written_in) else None
    if "/" not in pattern.rstrip("/"):
        # A name matches at any depth: in the directories down to `used_in` too.
        if below and any(glob_match(body, part) for part in below):
            return ["/**"]
        return [glob]
    if below is not None:
        return [
            "/".join(parts) if len(parts) > 1 else "/" + parts[0]
            for parts in _strip_prefix(body.rstrip("/").split("/"), list(below))
        ]
    if written_in.is_relative_to(used_in):
        # The extended file sits below the extending one: its globs stay under its directory.
        return [written_in.relative_to(used_in).as_posix() + "/" + body]
    return []  # a sibling's paths: nothing under `used_in` is among them


def _strip_prefix(segments: list[str], prefix: list[str]) -> list[list[str]]:
    """Glob segments matching `prefix/<rest>` -> the segment lists matching `<rest>`."""
    if not segments:
        return [["**"]]  # the glob named a directory above: everything below it
    if not prefix:
        return [segments]
    head, rest = segments[0], segments[1:]
    if "**" in head:
        # `**` takes all of the prefix (and maybe more), or some of it before `rest` goes on.
        options = [["**", *rest]]
        for k in range(len(prefix)):
            options += _strip_prefix(rest, prefix[k:])
        return options
    if glob_match(head, prefix[0]):
        return _strip_prefix(rest, prefix[1:])
    return []


def _label(parent: Path, child: Path, child_label: str | None) -> str:
    """The extended file named like the file extending it (relative when that is)."""
    if child_label is None:
        return str(parent)
    import os

    start = Path(child_label).parent
    base = child.resolve().parent
    return os.path.normpath(str(start / os.path.relpath(parent, base)))


def _pyproject_source(path: Path, label: str) -> YamlSource:
    tomllib = _toml()
    text = read_input_text(path, f"{label}:1: cannot read: ", MAX_PYPROJECT_BYTES)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}:1: invalid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{label}:1: invalid TOML: nested too deeply") from None
    except ValueError:  # an integer of more digits than Python converts (over 4,300)
        raise ConfigError(f"{label}:1: invalid TOML: a number too large") from None
    table = data.get("tool", {}).get("flash-guard", {})
    return _TomlSource(label, text, table)


# `[tool.flash-guard]`, `[tool."flash-guard"]`, `[ tool.flash-guard.rules.X ]`: the table's
# first header, where a key's line is looked for.
_TOOL_HEADER = re.compile(
    r"""^\s*\[\[?\s*tool\s*\.\s*(?:"flash-guard"|'flash-guard'|flash-guard)"""
)


class _TomlSource(YamlSource):
    """Line lookup for `[tool.flash-guard]`: the first line after the header naming the key."""

    def line_of(self, keypath: list) -> int:
        lines = self.text.splitlines()
        start = next((i for i, line in enumerate(lines) if _TOOL_HEADER.match(line)), 0)
        for key in reversed([k for k in keypath if isinstance(k, str)]):
            quoted = rf"""(?:"{re.escape(key)}"|'{re.escape(key)}'|{re.escape(key)})"""
            # `key = ...`, or a table header naming it: `[tool.flash-guard.key]`,
            # `[[tool.flash-guard.key]]`, `[tool.flash-guard.rules.key]`.
            pattern = re.compile(
                rf"^\s*{quoted}\s*=|{_TOOL_HEADER.pattern}(?:\s*\.\s*[^\].]+)*?\s*\.\s*{quoted}\s*[.\]]"
            )
            for i in range(start, len(lines)):
                if pattern.search(lines[i]):
                    return i + 1
        return start + 1


def parse_config(src: YamlSource, path: Path | None, base: Config | None = None) -> Config:
    data = src.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise src.error([], "the configuration must be a mapping")
    for key in data:
        if key not in CONFIG_KEYS:
            raise src.error([key], f"unknown key{did_you_mean(str(key), CONFIG_KEYS)}")
    config = _inherit(base, path, src)
    for key in data:
        config.origins[key] = f"{src.label}:{src.line_of([key])}"
    custom_rules = _parse_profile_map(src, data.get("profiles"), config)
    if "profile" in data:
        profile = data["profile"]
        if not isinstance(profile, str):  # `{a: 1}` was "unknown profile `{'a': 1}`"
            known = ", ".join(config.all_profiles())
            raise src.error(["profile"], f"must be a profile name ({known})")
        if profile not in config.all_profiles():
            known = config.all_profiles()
            raise src.error(
                ["profile"], f"unknown profile `{profile}`{did_you_mean(str(profile), known)}"
            )
        config.profile = profile
    if "exclude" in data:
        config.exclude = _string_list(src, ["exclude"], data.get("exclude", []))
    if "require_suppression_reason" in data:
        reason = data["require_suppression_reason"]
        if not isinstance(reason, bool):
            raise src.error(["require_suppression_reason"], "must be true or false")
        config.require_suppression_reason = reason
    if "fail_on" in data:
        fail_on = data["fail_on"]
        if fail_on not in FAIL_ON:
            raise src.error(["fail_on"], f"must be one of {', '.join(FAIL_ON)}")
        config.fail_on = fail_on
    if "select" in data:
        config.select = _code_list(src, ["select"], data["select"])
        config.extend_select = []  # as in ruff: a `select` replaces what was extended
    if "ignore" in data:
        config.ignore = _code_list(src, ["ignore"], data["ignore"])
    if "extend_select" in data:
        config.extend_select = config.extend_select + _code_list(
            src, ["extend_select"], data["extend_select"]
        )
    if "sdk_version" in data:
        sdk_version = data["sdk_version"]
        if not (isinstance(sdk_version, str) and sdk_version.strip()):
            raise src.error(
                ["sdk_version"], "must be a version string, e.g. 1.21.0 or >=1.16,<1.17"
            )
        _check_sdk_version(src, sdk_version)
        config.sdk_version = sdk_version
    user_items = data.get("checklist") or []
    if not isinstance(user_items, list):
        raise src.error(["checklist"], "must be a list of checklist items")
    if len(user_items) > MAX_ITEMS:
        raise src.error(["checklist"], f"more than {MAX_ITEMS} checklist items")
    builtin = builtin_catalog()
    for i, raw in enumerate(user_items):
        item = parse_item(src, ["checklist", i], raw, builtin=False)
        if item.code in builtin or any(u.code == item.code for u in config.checklist):
            raise src.error(["checklist", i, "id"], f"`{item.code}` is already defined")
        # A slug names one rule everywhere (`ignore[slug]`, --select, rules:): a second item
        # with the same slug would make it mean different rules in different places.
        owner = next(
            (code for code, entries in builtin.items() if entries[0][1].slug == item.slug),
            None,
        ) or next((u.code for u in config.checklist if u.slug == item.slug), None)
        if owner is not None:
            raise src.error(
                ["checklist", i, "slug"], f"`{item.slug}` is already the slug of {owner}"
            )
        profiles = raw.get("profiles") if isinstance(raw, dict) else None
        if profiles is not None:
            for p in profiles if isinstance(profiles, list) else [profiles]:
                if p not in config.all_profiles():
                    hint = did_you_mean(str(p), config.all_profiles())
                    raise src.error(["checklist", i, "profiles"], f"unknown profile `{p}`{hint}")
            config.user_item_profiles[item.code] = (
                profiles if isinstance(profiles, list) else [profiles]
            )
        config.checklist.append(item)
    _parse_rules(src, data.get("rules"), config, builtin)
    for name, raw_rules in custom_rules.items():
        keypath = ["profiles", name, "rules"]
        profile_rules = dict(config.custom_profiles[name].rules)
        _parse_rules(src, raw_rules, config, builtin, keypath, profile_rules)
        config.custom_profiles[name].rules = profile_rules
    return config


def _inherit(base: Config | None, path: Path | None, src: YamlSource) -> Config:
    if base is None:
        return Config(path=path, source=src, files=[path] if path else [])
    return Config(
        path=path,
        profile=base.profile,
        profile_paths={k: list(v) for k, v in base.profile_paths.items()},
        profile_endpoints={k: list(v) for k, v in base.profile_endpoints.items()},
        rules=dict(base.rules),
        checklist=list(base.checklist),
        exclude=list(base.exclude),
        require_suppression_reason=base.require_suppression_reason,
        fail_on=base.fail_on,
        sdk_version=base.sdk_version,
        source=src,
        user_item_profiles=dict(base.user_item_profiles),
        custom_profiles={
            k: CustomProfile(v.extends, dict(v.rules)) for k, v in base.custom_profiles.items()
        },
        select=None if base.select is None else list(base.select),
        ignore=list(base.ignore),
        extend_select=list(base.extend_select),
        origins=dict(base.origins),
        files=[*base.files, path] if path else list(base.files),
    )


def _check_sdk_version(src: YamlSource, text: str) -> None:
    """A ConfigError unless `text` reads as a version or specifier (it was ignored)."""
    from flash_guard.sdk import releases

    text = text.strip()
    try:
        releases.version_matches("0", text if text[:1] in "<>=!~^" else f"=={text}")
    except ValueError:
        shown = text if len(text) <= 40 else text[:40] + "..."
        raise src.error(
            ["sdk_version"], f"`{shown}` is not a version or specifier, e.g. 1.21.0 or >=1.16,<1.17"
        ) from None


def _code_list(src: YamlSource, keypath: list, value: Any) -> list[str]:
    """Codes, slugs or prefixes: a list, or one comma-separated string as on the command line."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise src.error(keypath, "must be a list of rule codes, slugs or prefixes")
    return [part.strip() for v in value for part in v.split(",") if part.strip()]


def _string_list(src: YamlSource, keypath: list, value: Any) -> list[str]:
    """A list of globs: bounded in number and shape, since every file is matched against it."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise src.error(keypath, "must be a list of strings")
    if len(value) > MAX_GLOBS:
        raise src.error(keypath, f"more than {MAX_GLOBS} globs")
    for i, pattern in enumerate(value):
        problem = glob_problem(pattern)
        if problem:
            raise src.error(keypath + [i], problem)
    return list(value)


PROFILE_MAP_KEYS = ("paths", "endpoints")
CUSTOM_PROFILE_KEYS = ("extends", "rules", "paths", "endpoints")


def _parse_profile_map(src: YamlSource, raw: Any, config: Config) -> dict[str, Any]:
    """Paths and names per profile, and new profiles (`staging: {extends: production}`);
    returns each new profile's raw `rules`, parsed once the checklist is known."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise src.error(["profiles"], "must map a profile to {paths: [...], endpoints: [...]}")
    custom_rules: dict[str, Any] = {}
    for profile, spec in raw.items():
        if not isinstance(spec, dict):
            raise src.error(
                ["profiles", profile], "must be a mapping with `paths` and/or `endpoints`"
            )
        new = profile not in PROFILES
        if new and "extends" not in spec and profile not in config.custom_profiles:
            known = config.all_profiles()
            raise src.error(
                ["profiles", profile],
                f"unknown profile{did_you_mean(str(profile), known)}; a new profile needs "
                "`extends: <profile>`",
            )
        allowed = CUSTOM_PROFILE_KEYS if new else PROFILE_MAP_KEYS
        for key in spec:
            if key not in allowed:
                hint = did_you_mean(str(key), allowed)
                raise src.error(["profiles", profile, key], f"unknown key{hint}")
        if not isinstance(profile, str) or not PROFILE_NAME.fullmatch(profile):
            raise src.error(["profiles", profile], "a profile name is letters, digits, - and _")
        if new and "extends" in spec:
            parent = spec["extends"]
            if not isinstance(parent, str):
                raise src.error(["profiles", profile, "extends"], "must be a profile name")
            config.custom_profiles[profile] = CustomProfile(parent)
        if new and "rules" in spec:
            custom_rules[profile] = spec["rules"]
        config.profile_paths[profile] = _string_list(
            src, ["profiles", profile, "paths"], spec.get("paths")
        )
        config.profile_endpoints[profile] = _string_list(
            src, ["profiles", profile, "endpoints"], spec.get("endpoints")
        )
    for profile, custom in config.custom_profiles.items():
        if custom.extends not in config.all_profiles():
            hint = did_you_mean(custom.extends, config.all_profiles())
            raise src.error(
                ["profiles", profile, "extends"], f"unknown profile `{custom.extends}`{hint}"
            )
        if config.builtin_base(profile) not in PROFILES:
            raise src.error(
                ["profiles", profile, "extends"], "profiles extend each other in a cycle"
            )
    return custom_rules


def _parse_rules(
    src: YamlSource,
    raw: Any,
    config: Config,
    builtin: dict,
    keypath: list | None = None,
    into: dict[str, RuleOverride] | None = None,
) -> None:
    keypath = keypath or ["rules"]
    into = config.rules if into is None else into
    if raw is None:
        return
    if not isinstance(raw, dict):
        raise src.error(keypath, "must map a rule code or slug to {enabled, severity, params}")
    known: dict[str, Item] = {}
    for code, entries in builtin.items():
        known[code] = entries[0][1]
    for item in config.checklist:
        known[item.code] = item
    slugs = {item.slug: code for code, item in known.items()}
    for key, spec in raw.items():
        code = key if key in known else slugs.get(str(key))
        if code is None:
            hint = did_you_mean(str(key), [*known, *slugs])
            raise src.error(keypath + [key], f"unknown rule code or slug{hint}")
        if spec is None:
            spec = {}
        if not isinstance(spec, dict):
            raise src.error(keypath + [key], "must be a mapping with enabled, severity or params")
        for sub in spec:
            if sub not in RULE_KEYS:
                raise src.error(
                    keypath + [key, sub], f"unknown key (known: {', '.join(RULE_KEYS)})"
                )
        inherited = into.get(code)
        override = RuleOverride(
            inherited.enabled if inherited else None,
            inherited.severity if inherited else None,
            dict(inherited.params) if inherited else {},
        )
        if "enabled" in spec:
            if not isinstance(spec["enabled"], bool):
                raise src.error(keypath + [key, "enabled"], "must be true or false")
            override.enabled = spec["enabled"]
        if "severity" in spec:
            if spec["severity"] not in SEVERITIES:
                raise src.error(
                    keypath + [key, "severity"], f"must be one of {', '.join(SEVERITIES)}"
                )
            override.severity = spec["severity"]
        params = spec.get("params") or {}
        if not isinstance(params, dict):
            raise src.error(keypath + [key, "params"], "must be a mapping")
        item = known[code]
        if item.check is not None:
            build_params(src, keypath + [key, "params"], item.check, {**item.raw_params, **params})
        else:
            for name, value in params.items():
                if name not in item.raw_params:
                    raise src.error(keypath + [key, "params", name], "unknown parameter")
                problem = override_param_problem(item, name, value)
                if problem:
                    raise src.error(keypath + [key, "params", name], problem)
        override.params = {**override.params, **params}
        into[code] = override
        origin = ".".join(str(k) for k in keypath)
        config.origins[f"{origin}.{code}"] = f"{src.label}:{src.line_of(keypath + [key])}"
