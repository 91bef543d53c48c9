"""Edits and fixes: plain data, applied to a file's text without touching anything else."""

from __future__ import annotations

from dataclasses import dataclass

from flash_guard.model import Span

SAFE, UNSAFE = "safe", "unsafe"
APPLICABILITIES = (SAFE, UNSAFE)


@dataclass(frozen=True, order=True)
class Edit:
    """Replace text[start:end] (character offsets, as ast-grep's `Edit` counts them)."""

    start: int
    end: int
    content: str


@dataclass
class Fix:
    applicability: str  # safe | unsafe
    message: str  # what the fix does, one sentence
    edits: tuple[Edit, ...]
    path: str = ""  # project-relative, '/'-separated (set by the engine)
    code: str = ""  # the rule code of the finding it fixes (set by the engine)
    # Text shown to the user once the fix is applied (e.g. a secret to create in Runpod).
    notice: str = ""
    # Filled in by the engine from the file text, for reporters (JSON, SARIF).
    located: tuple[tuple[Edit, Span, int, int], ...] = ()  # edit, span, byte start, byte end

    @property
    def start(self) -> int:
        return min(e.start for e in self.edits)

    @property
    def end(self) -> int:
        return max(e.end for e in self.edits)

    def overlaps(self, other: Fix) -> bool:
        # Two insertions at one point conflict too: their order would be arbitrary.
        return any(
            a.start < b.end and b.start < a.end or a.start == b.start
            for a in self.edits
            for b in other.edits
        )

    def to_json(self) -> dict:
        return {
            "applicability": self.applicability,
            "message": self.message,
            "edits": [
                {
                    "path": self.path,
                    "line": span.line,
                    "column": span.column,
                    "end_line": span.end_line,
                    "end_column": span.end_column,
                    "start_byte": start_byte,
                    "end_byte": end_byte,
                    "content": edit.content,
                }
                for edit, span, start_byte, end_byte in self.located
            ],
        }


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (the caller chose them) from the end backwards."""
    for edit in sorted(edits, reverse=True):
        text = text[: edit.start] + edit.content + text[edit.end :]
    return text


def choose(fixes: list[Fix]) -> list[Fix]:
    """The fixes of one file that can go in one round: in file order, each one that does not
    overlap a fix already chosen. The others wait for the next round, re-derived from the
    re-analysed text."""
    chosen: list[Fix] = []
    for fix in sorted(fixes, key=lambda f: (f.start, f.end)):
        if not any(fix.overlaps(c) for c in chosen):
            chosen.append(fix)
    return chosen


class LineIndex:
    """Character offsets <-> 1-based (line, column) as ast-grep and our spans count them."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0]
        at = text.find("\n")
        while at >= 0:
            self.starts.append(at + 1)
            at = text.find("\n", at + 1)

    def offset(self, line: int, column: int) -> int | None:
        if not 1 <= line <= len(self.starts):
            return None
        offset = self.starts[line - 1] + column - 1
        return offset if 0 <= offset <= len(self.text) else None

    def position(self, offset: int) -> tuple[int, int]:
        import bisect

        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        return Span(*self.position(start), *self.position(end))

    def byte_offset(self, offset: int, prefix: int = 0) -> int:
        return prefix + len(self.text[:offset].encode("utf-8", "surrogatepass"))
