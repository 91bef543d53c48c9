"""Endpoints kept in a module-level dict comprehension registry that nothing applies.

`WORKERS = {k: Endpoint(name=k, ...) for k in NAMES}` builds one `Endpoint` per key, but
`flash build` (runpod-flash 1.21 RuntimeScanner) reads only module globals: it finds the
functions an entry stamps when applied (`@WORKERS["qwen"]`), never the dict's entries
themselves (and `Endpoint(image=...)` entries are not globals `flash deploy` provisions).
An entry nothing applies deploys nothing. The applied entries are declarations already
(the frontend's decorator and route forms); this finds the others, as long as every
import-time mention of the registry names its key literally: a registry read with a
computed key (`@WORKERS[k]` in a loop, `register(WORKERS)`) may apply any entry, so none
of its entries is called unused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from flash_guard.discover.resolve import ModuleIndex
from flash_guard.model import Opaque

# The parser's node kind of a dict comprehension (a snippet's), or its converted kind.
_COMPREHENSION_KINDS = ("dictionary_comprehension", "dictcomp")


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    path: str
    registry: str  # the module-level name the dict is bound to
    key: str | int
    obj: Opaque
    lines: tuple[int, int]  # the registry's statement

    @property
    def shown(self) -> str:
        """`WORKERS["llama"]`, as the source would write the entry."""
        key = f'"{self.key}"' if isinstance(self.key, str) else str(self.key)
        return f"{self.registry}[{key}]"


def unused_entries(project: ModuleIndex, drafted: set[int]) -> list[RegistryEntry]:
    """The `Endpoint` entries of module-level dict comprehension registries that are not
    declarations yet (`drafted`: ids of the objects that are) and whose key no import-time
    code names; empty for a registry some import-time code reads with a computed key."""
    out: list[RegistryEntry] = []
    for entry_list in _registries(project):
        registry = entry_list[0].registry
        mentions = _mentions(project, _aliases(project, registry))
        if mentions is None:
            continue  # read with a computed key: any entry may be applied
        out += [e for e in entry_list if id(e.obj) not in drafted and e.key not in mentions]
    return out


def _registries(project: ModuleIndex) -> Iterator[list[RegistryEntry]]:
    for path in sorted(project.files):
        for assign in project.files[path].assignments:
            if assign.namespace is not None or assign.placement != "module" or assign.unpack[1]:
                continue
            snippet = assign.value
            kind = snippet.kind if snippet.tree is None else snippet.tree.kind
            if kind not in _COMPREHENSION_KINDS:
                continue
            value = project.evaluate(assign.expr, path, None)
            if not value.known or value.partial or not isinstance(value.value, dict):
                continue
            entries = [
                RegistryEntry(path, assign.target, key, item.value, assign.statement_lines)
                for key, item in value.value.items()
                if item.known and isinstance(item.value, Opaque) and item.value.callee == "Endpoint"
            ]
            if entries and len(entries) == len(value.value):
                yield entries


def _aliases(project: ModuleIndex, registry: str) -> set[str]:
    """The registry's name and every name an import binds it to elsewhere (any module's
    `from m import WORKERS as W`: a name shared by another module only hides findings)."""
    names = {registry}
    for facts in project.files.values():
        names |= {b.local for b in facts.imports if b.name == registry}
    return names


def _mentions(project: ModuleIndex, names: set[str]) -> set | None:
    """The keys import-time code names the registry with (`WORKERS["qwen"]`, under any of
    its `names`): in decorators, call-form registrations, module-level assignments and call
    statements, and the headers of the blocks around them. None when one mentions it any
    other way (a computed key, the whole dict passed on or iterated)."""
    alternatives = "|".join(re.escape(n) for n in sorted(names))
    literal = re.compile(rf"\b(?:{alternatives})\s*\[\s*(?:\"([^\"\\]*)\"|'([^'\\]*)'|(\d+))\s*\]")
    bare = re.compile(rf"(?<![\w.])(?:{alternatives})\b")
    keys: set = set()
    for text in _import_time_texts(project):
        if not bare.search(text):
            continue
        for match in literal.finditer(text):
            double, single, number = match.groups()
            keys.add(
                int(number) if number is not None else (double if double is not None else single)
            )
        if bare.search(literal.sub("", text)):
            return None
    return keys


def _import_time_texts(project: ModuleIndex) -> Iterator[str]:
    """The source text of what runs when a module is imported and could apply an entry. A
    registry statement itself mentions only its own name as a target, not in these texts."""
    for facts in project.files.values():
        for decorated in facts.decorated:
            yield from (d.text for d in decorated.decorators)
            yield from (b.header for b in decorated.blocks)
        for applied in facts.applied:
            yield applied.expr.text
            yield from (b.header for b in applied.blocks)
        for assign in facts.assignments:
            if assign.namespace is None:
                yield assign.value.text
                yield from (b.header for b in assign.blocks)
        for write in facts.writes:
            if write.namespace is None and write.value is not None:
                yield write.value.text
