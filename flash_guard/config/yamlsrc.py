"""YAML that remembers where each key was, so errors can say `file:line: key: problem`.

Data is loaded with `yaml.safe_load`; the node tree (composed with the safe
loader, nothing constructed) is only consulted to find a key's line. PyYAML is
imported on first use.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(Exception):
    """An invalid config or checklist file: exit 2 with this one-line message."""


@dataclass
class YamlSource:
    label: str  # the file name as errors show it
    text: str
    data: Any

    def line_of(self, keypath: list) -> int:
        yaml = _yaml()
        try:
            node = yaml.compose(self.text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            return 1
        line = 1
        for key in keypath:
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:
                    if k.value == key:
                        line = k.start_mark.line + 1
                        node = v
                        break
                else:
                    return line
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                if key >= len(node.value):
                    return line
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    def error(self, keypath: list, problem: str, line_offset: int = 0) -> ConfigError:
        key = format_keypath(keypath)
        line = self.line_of(keypath) + line_offset
        return ConfigError(
            f"{self.label}:{line}: {key}: {problem}" if key else f"{self.label}:{line}: {problem}"
        )


def format_keypath(keypath: list) -> str:
    out = ""
    for key in keypath:
        if isinstance(key, int):
            out += f"[{key}]"
        else:
            out += ("." if out else "") + str(key)
    return out


def _yaml():
    import yaml  # deferred: ~13 ms to import, which `--help` and `rule` need not pay

    return yaml


def _safe_load(text: str, fast: bool) -> Any:
    yaml = _yaml()
    loader = getattr(yaml, "CSafeLoader", None) if fast else None
    # libyaml's loader is about ten times faster, but it is used only for the
    # built-in checklists (known-good documents): it reads a NUL as the end of
    # the text and words its errors differently, and users' files deserve the
    # pure-Python loader's exact errors.
    return yaml.load(text, Loader=loader or _strict_loader())


class DuplicateKey(Exception):
    def __init__(self, key, line: int):
        super().__init__(key)
        self.key, self.line = key, line


@functools.cache
def _strict_loader():
    """yaml.SafeLoader that refuses a key given twice in one mapping: PyYAML keeps the last
    silently, so a second `fail_on:` or `rules:` lower in the file would undo the first."""
    yaml = _yaml()

    class StrictSafeLoader(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # `<<: *base` merges; its keys may repeat the mapping's
                key = self.construct_object(key_node, deep=True)
                try:
                    fresh = key not in seen
                    seen.add(key)
                except TypeError:  # an unhashable key: the base loader says so
                    continue
                if not fresh:
                    raise DuplicateKey(key, key_node.start_mark.line + 1)
            return super().construct_mapping(node, deep)

    return StrictSafeLoader


# A configuration is a pull request's to edit, so its size is bounded before anything is
# built from it. Aliases are allowed (they are handy for shared lists) but the document
# they describe, counted with every alias expanded, must stay small: a 700-byte "billion
# laughs" expands to billions of nodes and is rejected here instead of exhausting memory
# later, when the values are walked or shown in a message.
MAX_CONFIG_BYTES = 1_000_000
MAX_EXPANDED_NODES = 100_000


def load_yaml_text(text: str, label: str, fast: bool = False) -> YamlSource:
    yaml = _yaml()
    if not fast:
        _check_size(text, label)
    try:
        data = _safe_load(text, fast)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{label}:{line}: invalid YAML: {problem}") from None
    except RecursionError:  # PyYAML builds nested collections recursively
        raise ConfigError(f"{label}:1: invalid YAML: nested too deeply") from None
    except DuplicateKey as exc:
        raise ConfigError(
            f"{label}:{exc.line}: {format_keypath([exc.key])}: given twice in one mapping"
        ) from None
    except ValueError:  # an integer of more digits than Python converts (over 4,300)
        raise ConfigError(f"{label}:1: invalid YAML: a number too large") from None
    return YamlSource(label, text, data)


def _check_size(text: str, label: str) -> None:
    if len(text) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{label}:1: larger than {MAX_CONFIG_BYTES} characters")
    if "*" not in text:  # no alias, nothing can expand
        return
    yaml = _yaml()
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return  # the load below reports it with its line
    except RecursionError:
        raise ConfigError(f"{label}:1: invalid YAML: nested too deeply") from None
    sizes: dict[int, int] = {}
    for node in nodes:
        if node is not None and _expanded(node, sizes, set()) > MAX_EXPANDED_NODES:
            break
    else:
        return
    raise ConfigError(
        f"{label}:1: invalid YAML: aliases expand to more than {MAX_EXPANDED_NODES} values"
    )


def _expanded(node, sizes: dict[int, int], active: set[int]) -> int:
    """How many nodes `node` stands for with every alias expanded (shared nodes are
    counted once per use, which is what a reader of the data would walk). Stops counting
    once over the limit; a node that contains itself counts as over the limit."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in active:
        return MAX_EXPANDED_NODES + 1
    total = 1
    children = node.value if isinstance(node.value, list) else []
    active.add(key)
    for child in children:
        for part in child if isinstance(child, tuple) else (child,):
            total += _expanded(part, sizes, active)
            if total > MAX_EXPANDED_NODES:
                break
        if total > MAX_EXPANDED_NODES:
            break
    active.discard(key)
    sizes[key] = total
    return total


def load_yaml_file(path: Path, label: str | None = None) -> YamlSource:
    from flash_guard.config.input_file import read_input_text  # imports this module

    label = label or str(path)
    # Bytes: a character is at most 4 of them; the text's own limit is checked below.
    text = read_input_text(path, f"{label}:1: cannot read: ", 4 * MAX_CONFIG_BYTES)
    return load_yaml_text(text, label)
