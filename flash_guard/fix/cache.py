"""The fixes offered per file, kept between runs: a warm run marks a finding fixable (and
json/sarif embed its edits) without lexing and parsing the file again.

A fix is a function of the file's text, the finding and the rule's parameters, computed by the
code in fix/ on ast-grep's tree. So an entry is keyed by the hash of the text the fixer would
see (the current text of each fix round), by every field of the finding a fixer could read and
the parameters, under a fingerprint of that code, the parser build and the entry's record
shape; "no fix" is kept too. The store is the facts cache's (discover/cache.py): `fixes.json`
beside `facts.json`, signed with the same key, decoded by the records' annotations
(discover/codec.py, never pickle), checked against the text it is for, and written atomically.
A bad file or entry is ignored (the fix is computed again) and rewritten.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from flash_guard.digests import blake2b
from flash_guard.discover import codec
from flash_guard.discover.cache import cache_location, code_fingerprint, content_hash
from flash_guard.fix.edits import APPLICABILITIES, Edit, Fix
from flash_guard.model import Span
from flash_guard.signed_cache import signed_entries, write_signed

FIXES_FILE = "fixes.json"
_PACKAGE = Path(__file__).resolve().parent.parent
# Besides every module of fix/: what Source and the engine use to compute and place a fix.
_FINGERPRINTED = ("discover/lexical.py", "fix", "model.py", "findings.py")


@dataclass
class CachedEdit:
    start: int  # character offsets in the text, as Edit
    end: int
    content: str
    line: int  # where the engine located it: Span and byte offsets (BOM included)
    column: int
    end_line: int
    end_column: int
    start_byte: int
    end_byte: int


@dataclass
class CachedFix:
    applicability: str
    message: str
    notice: str
    edits: tuple[CachedEdit, ...]


def fingerprint() -> str:
    return code_fingerprint(codec.schema(CachedFix), _FINGERPRINTED)


class Uncacheable(Exception):
    """A parameter value with no canonical text: the finding's fix is computed every run."""


class FindingKeys:
    """The cache key of a finding: everything a fixer may read from it and from the rule's
    parameters, hashed. The parameters depend on the finding's profile and code only, so each
    pair's are written down once per run."""

    def __init__(self):
        self._params: dict[tuple[int, str, str], str | None] = {}

    def key(self, finding, params: dict, scope: int = 0) -> str | None:
        """None when a parameter has no exact text (the fix is then computed every run).
        `scope` tells apart workspaces whose configurations give one profile other
        parameters."""
        slot = (scope, finding.profile, finding.code)
        if slot not in self._params:
            try:
                self._params[slot] = _canonical(params)
            except Uncacheable:
                self._params[slot] = None
        params_text = self._params[slot]
        if params_text is None:
            return None
        span = finding.span
        fields = (
            finding.code,
            finding.slug,
            finding.severity,
            finding.message,
            finding.fix,
            finding.path,
            span.line,
            span.column,
            span.end_line,
            span.end_column,
            finding.endpoint,
            finding.profile,
            finding.parameter,
            finding.title,
            params_text,
        )
        # repr of str, int and None tells every value apart (strings are quoted).
        text = repr(fields).encode("utf-8", "surrogatepass")
        return blake2b(text, digest_size=20).hexdigest()


def _canonical(value) -> str:
    """Text that differs whenever the value (or its type: 1, 1.0, True, "1") differs."""
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return repr(value)
    if kind in (list, tuple):
        return f"{kind.__name__}[{','.join(_canonical(v) for v in value)}]"
    if kind in (set, frozenset):
        return f"{kind.__name__}[{','.join(sorted(_canonical(v) for v in value))}]"
    if kind is dict:
        items = sorted(f"{_canonical(k)}:{_canonical(v)}" for k, v in value.items())
        return f"dict[{','.join(items)}]"
    raise Uncacheable(kind.__name__)


def to_cached(fix: Fix) -> CachedFix:
    return CachedFix(
        fix.applicability,
        fix.message,
        fix.notice,
        tuple(
            CachedEdit(edit.start, edit.end, edit.content, *_span(span), start_byte, end_byte)
            for edit, span, start_byte, end_byte in fix.located
        ),
    )


def _span(span: Span) -> tuple[int, int, int, int]:
    return span.line, span.column, span.end_line, span.end_column


def from_cached(cached: CachedFix, path: str, code: str) -> Fix:
    edits = tuple(Edit(e.start, e.end, e.content) for e in cached.edits)
    located = tuple(
        (edit, Span(e.line, e.column, e.end_line, e.end_column), e.start_byte, e.end_byte)
        for edit, e in zip(edits, cached.edits, strict=True)
    )
    return Fix(cached.applicability, cached.message, edits, path, code, cached.notice, located)


def _plausible(cached: CachedFix, length: int) -> bool:
    """A decoded fix that could have been computed for a text of `length` characters (a
    signed entry is ours, but an edit outside the text must never reach apply_edits)."""
    if cached.applicability not in APPLICABILITIES or not cached.edits:
        return False
    return all(
        0 <= e.start <= e.end <= length
        and 0 <= e.start_byte <= e.end_byte <= 4 * length + 3  # UTF-8, and a BOM
        and 1 <= e.line <= e.end_line
        and min(e.column, e.end_column) >= 1
        for e in cached.edits
    )


_MISSING = object()


class FixCache:
    """One project's fixes.json. `lookup` then, on a miss, `record`; `save` at the end."""

    def __init__(self, directory: Path, key: bytes, top: Path, whole: bool):
        self.directory, self.key, self.top = directory, key, top
        self.whole = whole  # the run saw every finding: entries not used now are dropped
        self.fingerprint = fingerprint()
        self.stored: dict = {}  # path -> [text hash, {finding key: encoded CachedFix | None}]
        self.used: dict[str, list] = {}  # the same, for what this run looked up or computed
        self.damaged = False
        self.hits = 0
        self._load()

    def _load(self) -> None:
        # Not ours, damaged, or of other code: rewritten at the end of the run.
        self.stored, self.damaged = signed_entries(
            self.directory / FIXES_FILE, self.key, self.fingerprint
        )

    def lookup(self, path: str, text_hash: str, key: str, length: int):
        """(True, the Fix or None) when this fix was computed for this text before; (False,
        None) otherwise."""
        entry = self.stored.get(path)
        if type(entry) is not list or len(entry) != 2 or entry[0] != text_hash:
            return False, None
        known = entry[1].get(key, _MISSING) if type(entry[1]) is dict else _MISSING
        if known is _MISSING:
            return False, None
        fix = None
        if known is not None:
            try:
                cached = codec.decode(CachedFix, known)
            except codec.BadEntry:
                cached = None
            if cached is None or not _plausible(cached, length):
                self.damaged = True
                return False, None
            fix = cached
        self._use(path, text_hash)[key] = known
        self.hits += 1
        return True, fix

    def record(self, path: str, text_hash: str, key: str, fix: Fix | None) -> None:
        encoded = None
        if fix is not None:
            try:
                encoded = codec.encode(CachedFix, to_cached(fix))
            except (codec.NotEncodable, RecursionError):
                return
        self._use(path, text_hash)[key] = encoded

    def _use(self, path: str, text_hash: str) -> dict:
        entry = self.used.get(path)
        if entry is None or entry[0] != text_hash:
            entry = self.used[path] = [text_hash, {}]
        return entry[1]

    def save(self) -> None:
        if self.whole:
            final = self.used
        else:  # a partial run keeps what it did not look at
            final = {
                path: entry
                for path, entry in self.stored.items()
                if type(entry) is list and len(entry) == 2 and type(entry[1]) is dict
            }
            for path, (text_hash, fixes) in self.used.items():
                old = final.get(path)
                same = old is not None and old[0] == text_hash
                final[path] = [text_hash, {**old[1], **fixes} if same else fixes]
        if final == self.stored and not self.damaged:
            return
        document = {"fingerprint": self.fingerprint, "entries": final}
        if write_signed(self.directory, self.top, FIXES_FILE, self.key, document):
            self.stored, self.damaged = final, False


class FixCaches:
    """The fix cache of each workspace of a run, found by a finding's path prefix."""

    def __init__(self, parts: list[tuple[str, FixCache]]):
        self.parts = sorted(parts, key=lambda part: -len(part[0]))  # nested apps first

    def cache_for(self, path: str) -> FixCache | None:
        for prefix, cache in self.parts:
            if path.startswith(prefix):
                return cache
        return None

    def save(self) -> None:
        for _, cache in self.parts:
            cache.save()


def open_fix_caches(request, workspace) -> FixCaches | None:
    """The caches for a run of `request` over `workspace` (pipeline.CheckedWorkspaces), or
    None when the run uses no cache."""
    from flash_guard.project.files import OVERLAY

    if not getattr(request, "cache", False) or OVERLAY:
        return None
    parts = []
    for part in getattr(workspace, "parts", None) or [workspace]:
        place = cache_location(part.root, request.cache_dir)
        if place is None:
            continue
        prefix = Path(part.root).relative_to(workspace.root).as_posix() + "/"
        whole = part.report_only is None and any(
            os.path.realpath(p) == os.path.realpath(part.root) for p in part.paths
        )
        parts.append(("" if prefix == "./" else prefix, FixCache(*place, whole)))
    return FixCaches(parts) if parts else None


__all__ = ["FindingKeys", "FixCache", "FixCaches", "content_hash", "open_fix_caches"]
