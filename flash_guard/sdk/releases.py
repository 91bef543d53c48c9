"""What every published runpod-flash and tetra-rp release accepts, read from releases.json.

The JSON is written by `scripts/regen_release_tables.py`, which installs each release and
introspects it; flash-guard itself never imports the SDK. Each fact is stored once with the
ranges of releases it holds for; `facts(package, version)` puts one release back together.

Fact kinds (the `kind` argument of `first_release_with` / `last_release_with`):
`export` (names `from <module> import X` resolves), `submodule` (top-level modules), `module`
(deeper modules and packages, dotted relative to the package: `core.resources`),
`enum:<Enum>` (member name -> value), `endpoint_param`, `remote_param`, `model_field:<Class>`,
`model_extra` (pydantic `extra=` per class), `datacenters` (`gpu`/`cpu` -> accepted values),
`deploy_forward` (fields `flash deploy` passes to the resource class) and `scalar` (single
values such as `idle_timeout_default`, and `idle_timeout_range`: the [low, high] `idleTimeout`
accepts at construction, an end None when open, the whole value None when nothing is checked).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

__all__ = [
    "Field",
    "Param",
    "SdkFacts",
    "facts",
    "first_release_with",
    "held_by_all",
    "has_module",
    "last_release_with",
    "module_name",
    "newest",
    "packages",
    "pick_version",
    "raw_facts",
    "releases",
    "removed_in",
    "skipped",
    "version_matches",
]

_DATA = Path(__file__).with_name("releases.json")
_MISSING = object()


@functools.lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(_DATA.read_text(encoding="utf-8"))


def _package(package: str) -> dict:
    try:
        return _data()["packages"][package]
    except KeyError:
        raise KeyError(f"unknown SDK package {package!r}; known: {packages()}") from None


def packages() -> tuple[str, ...]:
    """The distributions with recorded releases: ('runpod-flash', 'tetra-rp')."""
    return tuple(_data()["packages"])


def module_name(package: str) -> str:
    """The import name of a distribution: 'runpod-flash' -> 'runpod_flash'."""
    return _package(package)["module"]


def releases(package: str) -> tuple[str, ...]:
    """Every recorded release of `package`, oldest first."""
    return tuple(_package(package)["releases"])


def newest(package: str) -> str:
    return releases(package)[-1]


def skipped(package: str) -> Mapping[str, str]:
    """Published releases that could not be recorded, with the reason."""
    return MappingProxyType(dict(_package(package)["skipped"]))


@functools.cache
def _index(package: str) -> Mapping[str, int]:
    return MappingProxyType({v: i for i, v in enumerate(releases(package))})


def _position(package: str, version: str) -> int:
    try:
        return _index(package)[version]
    except KeyError:
        raise KeyError(f"{package} {version} is not a recorded release") from None


def _holds(package: str, ranges: list[list[str]], at: int) -> bool:
    index = _index(package)
    return any(index[first] <= at <= index[last] for first, last in ranges)


def _variant(package: str, kind: str, name: str, at: int) -> object:
    for variant in _package(package)["facts"].get(kind, {}).get(name, ()):
        if _holds(package, variant["releases"], at):
            return variant["value"]
    return _MISSING


@functools.cache
def _raw(package: str, version: str) -> dict[str, dict[str, object]]:
    at = _position(package, version)
    out: dict[str, dict[str, object]] = {}
    for kind, names in _package(package)["facts"].items():
        for name in names:
            value = _variant(package, kind, name, at)
            if value is not _MISSING:
                out.setdefault(kind, {})[name] = value
    return out


def raw_facts(package: str, version: str) -> dict[str, dict[str, object]]:
    """One release's facts as {kind: {name: value}}, exactly as the generator recorded them."""
    return json.loads(json.dumps(_raw(package, version)))


def _positions_with(package: str, kind: str, name: str, value: object) -> list[int]:
    variants = _package(package)["facts"].get(kind, {}).get(name, ())
    index = _index(package)
    found: set[int] = set()
    for variant in variants:
        if value is not _MISSING and variant["value"] != value:
            continue
        for first, last in variant["releases"]:
            found.update(range(index[first], index[last] + 1))
    return sorted(found)


def first_release_with(package: str, kind: str, name: str, value: object = _MISSING) -> str | None:
    """The oldest release that has `name` under `kind` (with `value`, when given)."""
    found = _positions_with(package, kind, name, value)
    return releases(package)[found[0]] if found else None


def last_release_with(package: str, kind: str, name: str, value: object = _MISSING) -> str | None:
    """The newest release that has `name` under `kind` (with `value`, when given)."""
    found = _positions_with(package, kind, name, value)
    return releases(package)[found[-1]] if found else None


def held_by_all(package: str, kind: str, name: str) -> bool | None:
    """True when every recorded release has `name` under `kind`, False when none does, None
    when only some do or `kind` is not recorded at all."""
    if not _package(package)["facts"].get(kind):
        return None
    found = _positions_with(package, kind, name, _MISSING)
    if not found:
        return False
    return True if len(found) == len(releases(package)) else None


def removed_in(package: str, kind: str, name: str) -> str | None:
    """The first release after the last one that had `name`: "removed in runpod-flash 1.17"."""
    last = last_release_with(package, kind, name)
    if last is None:
        return None
    ordered = releases(package)
    at = ordered.index(last)
    return ordered[at + 1] if at + 1 < len(ordered) else None


# ---------------------------------------------------------------------------------------------
# One release, typed.
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """A parameter of `Endpoint.__init__` or `remote()`. `default` is the recorded JSON value:
    enum members as {"enum": "GpuGroup.ANY"}, opaque objects as {"repr": ...}."""

    name: str
    kind: str
    annotation: str | None
    required: bool
    has_default: bool
    default: object


@dataclass(frozen=True)
class Field:
    """A pydantic field of a resource class (LiveServerless, NetworkVolume, ...)."""

    name: str
    annotation: str | None
    required: bool
    has_default: bool
    default: object
    default_factory: str | None
    alias: str | None


@dataclass(frozen=True)
class SdkFacts:
    package: str
    version: str
    exports: frozenset[str]
    submodules: frozenset[str]
    modules: frozenset[str]
    enums: Mapping[str, Mapping[str, object]]
    endpoint_params: Mapping[str, Param] | None
    remote_params: Mapping[str, Param] | None
    remote_rejects_unknown_kwargs: bool | None
    legacy_fields: Mapping[str, Mapping[str, Field]]
    legacy_extra: Mapping[str, str | None]
    datacenters: Mapping[str, tuple[str, ...]]
    cuda_versions: Mapping[str, object]
    python_versions: tuple[str, ...]
    default_python_version: str | None
    idle_timeout_default: int | None
    endpoint_idle_timeout_default: int | None
    idle_timeout_range: tuple[int | None, int | None] | None
    deploy_forwards: frozenset[str] | None
    deploy_forwards_execution_timeout: bool | None


def _params(entries: Mapping[str, dict] | None) -> Mapping[str, Param] | None:
    if entries is None:
        return None
    return MappingProxyType(
        {
            name: Param(
                name=name,
                kind=e["kind"],
                annotation=e.get("annotation"),
                required=bool(e.get("required", False)),
                has_default="default" in e,
                default=e.get("default"),
            )
            for name, e in entries.items()
        }
    )


def _fields(entries: Mapping[str, dict]) -> Mapping[str, Field]:
    return MappingProxyType(
        {
            name: Field(
                name=name,
                annotation=e.get("annotation"),
                required=bool(e.get("required", False)),
                has_default="default" in e or "default_factory" in e,
                default=e.get("default"),
                default_factory=e.get("default_factory"),
                alias=e.get("alias"),
            )
            for name, e in entries.items()
        }
    )


def _range(value: object) -> tuple[int | None, int | None] | None:
    return (value[0], value[1]) if isinstance(value, list) and len(value) == 2 else None


def has_module(facts: SdkFacts, dotted: str) -> bool:
    """Whether `<package>.<dotted>` is a module of the release ('core.resources')."""
    return dotted in facts.submodules if "." not in dotted else dotted in facts.modules


@functools.cache
def facts(package: str, version: str) -> SdkFacts:
    """Everything recorded for one release of `package`."""
    raw = _raw(package, version)
    scalar = raw.get("scalar", {})
    prefix_enum, prefix_model = "enum:", "model_field:"
    enums = {
        kind[len(prefix_enum) :]: MappingProxyType(dict(members))
        for kind, members in raw.items()
        if kind.startswith(prefix_enum)
    }
    has_endpoint = bool(scalar.get("endpoint_class"))
    forwards = raw.get("deploy_forward")
    return SdkFacts(
        package=package,
        version=version,
        exports=frozenset(raw.get("export", {})),
        submodules=frozenset(raw.get("submodule", {})),
        modules=frozenset(raw.get("module", {})),
        enums=MappingProxyType(enums),
        endpoint_params=_params(raw.get("endpoint_param", {}) if has_endpoint else None),
        remote_params=_params(raw.get("remote_param")),
        remote_rejects_unknown_kwargs=scalar.get("remote_rejects_unknown_kwargs"),
        legacy_fields=MappingProxyType(
            {
                kind[len(prefix_model) :]: _fields(fields)
                for kind, fields in raw.items()
                if kind.startswith(prefix_model)
            }
        ),
        legacy_extra=MappingProxyType(dict(raw.get("model_extra", {}))),
        datacenters=MappingProxyType({k: tuple(v) for k, v in raw.get("datacenters", {}).items()}),
        cuda_versions=enums.get("CudaVersion", MappingProxyType({})),
        python_versions=tuple(scalar.get("python_versions") or ()),
        default_python_version=scalar.get("default_python_version"),
        idle_timeout_default=scalar.get("idle_timeout_default"),
        endpoint_idle_timeout_default=scalar.get("endpoint_idle_timeout_default"),
        idle_timeout_range=_range(scalar.get("idle_timeout_range")),
        deploy_forwards=frozenset(forwards) if forwards is not None else None,
        deploy_forwards_execution_timeout=scalar.get("deploy_forwards_execution_timeout"),
    )


# ---------------------------------------------------------------------------------------------
# Versions: a small PEP 440 subset (release segments; pre/dev/post/local compared coarsely),
# plus Poetry's ^ and ~, so no `packaging` import is needed at run time.
# ---------------------------------------------------------------------------------------------

_VERSION_RE = re.compile(
    r"^\s*v?(?:(?P<epoch>\d+)!)?(?P<release>\d+(?:\.\d+)*)"
    r"(?P<rest>(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview|post|rev|r|dev)[-_.]?\d*)*)"
    r"(?:\+[a-z0-9.]+)?\s*$",
    re.IGNORECASE,
)
_CLAUSE_RE = re.compile(r"^\s*(===|==|!=|~=|<=|>=|<|>|\^|~)?\s*(\S+?)\s*$")


# No release number of either SDK has more than 4 digits (a date has 8): a longer one is no
# release, and converting a 10,000-digit one would be slow or fail (int's digit limit).
MAX_NUMBER_DIGITS = 12


def _release(text: str) -> tuple[int, ...]:
    match = _VERSION_RE.match(text)
    if not match:
        raise ValueError(f"not a version: {text[:40]!r}")
    parts = match["release"].split(".")
    if max(map(len, parts)) > MAX_NUMBER_DIGITS:
        raise ValueError(f"not a version: a number of more than {MAX_NUMBER_DIGITS} digits")
    return tuple(int(p) for p in parts)


def _pad(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    width = max(len(a), len(b))
    return a + (0,) * (width - len(a)), b + (0,) * (width - len(b))


def _compare(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    a, b = _pad(a, b)
    return (a > b) - (a < b)


def _bump(parts: tuple[int, ...], at: int) -> tuple[int, ...]:
    """Increment component `at` and drop the rest: (1, 16, 2), 1 -> (1, 17)."""
    return parts[:at] + (parts[at] + 1,)


def _clause(op: str, text: str, version: str) -> bool:
    if op == "===":
        return version.strip() == text.strip()
    have = _release(version)
    if text.endswith(".*"):
        if op not in ("==", "!="):
            raise ValueError(f"a wildcard is only allowed with == or !=: {op}{text}")
        prefix = _release(text[:-2])
        padded = have + (0,) * max(0, len(prefix) - len(have))
        same = padded[: len(prefix)] == prefix
        return same if op == "==" else not same
    want = _release(text)
    cmp = _compare(have, want)
    if op == "==":
        return cmp == 0
    if op == "!=":
        return cmp != 0
    if op == "<":
        return cmp < 0
    if op == "<=":
        return cmp <= 0
    if op == ">":
        return cmp > 0
    if op == ">=":
        return cmp >= 0
    if op == "~=":
        if len(want) < 2:
            raise ValueError(f"~= needs at least two release components: ~={text}")
        return cmp >= 0 and _compare(have, _bump(want, len(want) - 2)) < 0
    if op == "^":  # Poetry: the leftmost non-zero component may not change
        at = next((i for i, p in enumerate(want) if p != 0), len(want) - 1)
        return cmp >= 0 and _compare(have, _bump(want, at)) < 0
    if op == "~":  # Poetry: ~1.2.3 and ~1.2 allow patch changes, ~1 minor changes
        return cmp >= 0 and _compare(have, _bump(want, min(1, len(want) - 1))) < 0
    raise ValueError(f"unknown operator {op!r}")  # pragma: no cover - the regex allows no other


def _clauses(specifier: str) -> list[tuple[str, str]]:
    text = specifier.strip()
    if not text or text == "*":
        return []
    out = []
    for part in text.split(","):
        match = _CLAUSE_RE.match(part)
        if not match or not part.strip():
            raise ValueError(f"not a version specifier: {specifier!r}")
        op, version = match[1] or "==", match[2]
        if op != "===":
            _release(version[:-2] if version.endswith(".*") else version)  # validates
        out.append((op, version))
    return out


def version_matches(version: str, specifier: str) -> bool:
    """Whether `version` satisfies a specifier: '>=1.19,<1.21', '~=1.16', '1.16.*', '==1.16.0'.
    An empty specifier (or '*') allows every version. Raises ValueError for unparsable text."""
    return all(_clause(op, text, version) for op, text in _clauses(specifier))


def pick_version(package: str, specifier_text: str) -> str | None:
    """The newest recorded release of `package` that satisfies the specifier, or None."""
    clauses = _clauses(specifier_text)
    for version in reversed(releases(package)):
        if all(_clause(op, text, version) for op, text in clauses):
            return version
    return None
