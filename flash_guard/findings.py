"""The finding: what a check reports, and what every reporter prints."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from flash_guard.model import Span

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}
# What a finding has until something is added: shared, as most findings never get any (a big
# tree has tens of thousands of findings, and an empty dict and list each were 7% of them).
NO_EXTRA: Mapping = MappingProxyType({})


@dataclass(slots=True)
class Finding:
    code: str
    slug: str
    severity: str
    message: str
    fix: str
    path: str
    span: Span
    endpoint: str | None = None
    profile: str = "production"
    parameter: str | None = None  # part of the semantic identity
    title: str = ""
    # Replaced, never changed in place (set_baseline_state). A factory only because a
    # dataclass refuses an unhashable default; every finding shares NO_EXTRA.
    extra: Mapping = field(default_factory=lambda: NO_EXTRA)
    # The endpoint's files (Endpoint.depends_on); not serialised: it decides only which
    # findings a pre-commit run reports.
    depends_on: frozenset[str] = frozenset()
    fixes: Sequence = ()  # flash_guard.fix.edits.Fix, set by the fix engine

    def set_baseline_state(self, state: str) -> None:
        self.extra = {**self.extra, "baseline_state": state}

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def column(self) -> int:
        return self.span.column

    @property
    def identity(self) -> tuple[str, str, str, str]:
        """code + endpoint + parameter + path: stable when code moves within a file."""
        return (self.code, self.endpoint or "", self.parameter or "", self.path)

    @property
    def fingerprint(self) -> str:
        from flash_guard.digests import sha256  # deferred: only some formats show it

        # surrogatepass: an identity may hold a lone surrogate from the analysed code.
        return sha256("\x1f".join(self.identity).encode("utf-8", "surrogatepass")).hexdigest()[:16]

    def sort_key(self) -> tuple:
        return (self.path, self.span.line, self.span.column, self.code)

    def to_json(self) -> dict:
        return {
            "code": self.code,
            "slug": self.slug,
            "severity": self.severity,
            "message": self.message,
            "fix": self.fix,
            "path": self.path,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "endpoint": self.endpoint,
            "profile": self.profile,
            "fingerprint": self.fingerprint,
            **({"fixes": [f.to_json() for f in self.fixes]} if self.fixes else {}),
            # --diff-base: new | updated (unchanged ones are not reported)
            **(
                {"baseline_state": self.extra["baseline_state"]}
                if "baseline_state" in self.extra
                else {}
            ),
        }


def at_or_above(severity: str, threshold: str) -> bool:
    if threshold == "never":
        return False
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold]


DOCS_BASE_URL = "https://github.com/flash-guard/flash-guard/blob/main/docs/rules"

PASS, FAIL, UNKNOWN, NOT_APPLICABLE = "pass", "fail", "unknown", "n/a"


@dataclass
class RuleInfo:
    """One checklist item as the catalog shows it."""

    code: str
    slug: str
    title: str
    severity: str
    summary: str = ""
    fix: str = ""
    profiles: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    doc: str = ""  # the rule's markdown page
    builtin: bool = True  # False for the user's own checklist items

    @property
    def doc_filename(self) -> str:
        return f"{self.code}-{self.slug}.md"

    @property
    def help_uri(self) -> str:
        return f"{DOCS_BASE_URL}/{self.doc_filename}"
