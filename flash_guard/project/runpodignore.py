"""Which project files the runpod 2.0 build leaves out of the artifact (runpod-sdk2.md §5.3).

`rp flash deploy` walks the project directory and tests every directory (as `dir/`) and file
against Git-style pattern lists, in order: the SDK's default ignores, each directory's
`.gitignore` from the root down to the one being walked, then the root's `.runpodignore`. The
last pattern that matches decides, so `.runpodignore` can re-include a default (`!tests/`);
an excluded directory is not entered, so nothing below it ships; the protected list (`.env`,
`*.pem`, `/env`, ...) can never be re-included. Discovery ignores all of these lists: a
resource declared in an excluded file is deployed, but its worker cannot import it.

The files are read as text (never a symlink, as the SDK skips those too) and matched here with
the gitignore rules the SDK's pathspec applies: `#` comments, `!` negation, a trailing `/` for
directories only, a pattern with an inner `/` anchored at its file's directory and one without
matching at any depth, `*`, `?`, `[...]` and `**`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from flash_guard.project.sdk_version import read_text
from flash_guard.sdk.runpod2_tables import PACKAGE_DEFAULT_IGNORES, PACKAGE_PROTECTED_IGNORES

RUNPODIGNORE = ".runpodignore"
GITIGNORE = ".gitignore"
DEFAULTS = "the build's default ignores"
PROTECTED = "the build's protected list"


@dataclass(frozen=True)
class Pattern:
    regex: re.Pattern[str]
    negated: bool
    text: str
    source: str  # "`.runpodignore` line 3", "`tests/.gitignore` line 1", DEFAULTS, PROTECTED


def compile_line(line: str, source: str) -> Pattern | None:
    """One gitignore line as a pattern over '/'-separated paths relative to the directory of
    the file it is in (directories end in '/'); None for blanks and comments."""
    text = line.rstrip("\r")
    stripped = text.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(text):
        stripped += " "  # an escaped trailing space stays
    text = stripped
    if not text or text.startswith("#"):
        return None
    negated = text.startswith("!")
    body = text[1:] if negated else text
    dir_only = body.endswith("/")
    body = body.rstrip("/") if dir_only else body
    if not body:
        return None
    if body.startswith("**/"):
        prefix, body = "(?:.*/)?", body[3:]
    elif "/" in body:
        prefix, body = "", body.lstrip("/")
    else:
        prefix = "(?:.*/)?"
    regex = "^" + prefix + _translate(body) + ("/.*" if dir_only else "(?:/.*)?") + "$"
    try:
        return Pattern(re.compile(regex, re.DOTALL), negated, text, source)
    except re.error:
        return None


def _translate(body: str) -> str:
    out = []
    segments = body.split("/")
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            out.append(".*" if last else "(?:.*/)?")
            continue
        out.append(_segment(segment))
        if not last:
            out.append("/")
    return "".join(out)


def _segment(segment: str) -> str:
    out, i = [], 0
    while i < len(segment):
        char = segment[i]
        if char == "*":
            while i + 1 < len(segment) and segment[i + 1] == "*":
                i += 1  # `**` inside a segment is a plain `*`
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "\\" and i + 1 < len(segment):
            i += 1
            out.append(re.escape(segment[i]))
        elif char == "[":
            end = segment.find("]", i + 2)
            if end == -1:
                out.append(re.escape(char))
            else:
                inner = segment[i + 1 : end]
                if inner.startswith("!"):
                    inner = "^" + inner[1:]
                out.append("[" + inner.replace("\\", "\\\\") + "]")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def patterns_of(lines, source_name: str) -> list[Pattern]:
    out = []
    for number, line in enumerate(lines, 1):
        pattern = compile_line(line, f"`{source_name}` line {number}")
        if pattern is not None:
            out.append(pattern)
    return out


@functools.cache  # compiled when first asked: most runs never ask (no runpod 2.0 app)
def _builtin(lines: tuple[str, ...], source_name: str) -> list[Pattern]:
    return [p for p in (compile_line(x, source_name) for x in lines) if p]


class ShippedFiles:
    """Answers "does the build ship this file?" for one app directory, reading its
    `.runpodignore` and `.gitignore` files once."""

    def __init__(self, app_dir: Path | None):
        """`app_dir` None: the SDK's defaults only (no project files at hand)."""
        self.app_dir = app_dir
        self._gitignores: dict[str, list[Pattern]] = {}
        text = read_text(app_dir / RUNPODIGNORE) if app_dir is not None else None
        self.runpodignore = patterns_of(text.splitlines(), RUNPODIGNORE) if text else []

    def _gitignore(self, directory: str) -> list[Pattern]:
        """The patterns of `directory/.gitignore` ('' for the app's own)."""
        if directory not in self._gitignores:
            rel = f"{directory}/{GITIGNORE}" if directory else GITIGNORE
            text = read_text(self.app_dir / rel) if self.app_dir is not None else None
            self._gitignores[directory] = patterns_of(text.splitlines(), rel) if text else []
        return self._gitignores[directory]

    def excluded(self, rel: str) -> str | None:
        """Why the build leaves `rel` (a file, relative to the app) out: the pattern's text
        and where it is written, or None when it ships."""
        parts = rel.split("/")
        for depth in range(1, len(parts) + 1):
            is_dir = depth < len(parts)
            candidate = "/".join(parts[:depth]) + ("/" if is_dir else "")
            why = self._decide(candidate, parts[: depth - 1])
            if why is not None:
                what = f"`{candidate}`" if is_dir else "it"
                return f"{what} matches `{why.text}` in {why.source}"
        return None

    def _decide(self, candidate: str, walked: list[str]) -> Pattern | None:
        """The last matching pattern when it excludes `candidate`, in the order the build
        applies them while walking the directories `walked`."""
        for pattern in _builtin(PACKAGE_PROTECTED_IGNORES, PROTECTED):
            if pattern.regex.match(candidate):
                return pattern
        layers: list[tuple[str, list[Pattern]]] = [
            ("", _builtin(PACKAGE_DEFAULT_IGNORES, DEFAULTS))
        ]
        for depth in range(len(walked) + 1):
            directory = "/".join(walked[:depth])
            layers.append((directory + "/" if directory else "", self._gitignore(directory)))
        layers.append(("", self.runpodignore))
        decided: Pattern | None = None
        for prefix, patterns in layers:
            sub = candidate[len(prefix) :]
            for pattern in patterns:
                if pattern.regex.match(sub):
                    decided = pattern
        return decided if decided is not None and not decided.negated else None
