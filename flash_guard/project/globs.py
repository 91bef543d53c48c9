"""Path and name globs as users write them: `*`, `?`, `[...]` and `**` across directories.

Globs come from the configuration and .gitignore files and are matched against file names
from the tree: both can come from a pull request. A backtracking regex can take minutes on
`*a*a*a*b` and a long name, so a glob is matched by simulating its automaton, all states at
once (bit-parallel, one Python int for a whole list of globs): the work is linear in the
length of the text times the number of states, whatever the pattern.
"""

from __future__ import annotations

import functools
import re
import warnings

MAX_GLOB_LENGTH = 1000

# Token kinds. A token at position k moves the automaton from state k to k+1 (CHAR) or
# loops on k and may be skipped (STAR: not `/`, ANY: anything). `**/` is `(?:.*/)?`:
# OPT (skip the next two tokens, or go on), an ANY loop, then a `/` token.
_CHAR, _STAR, _ANY, _OPT = range(4)


def _char_class(body: str) -> re.Pattern[str] | None:
    """`[body]` as one regex class matched against one character (no backtracking)."""
    negate = body.startswith("!")
    body = re.sub(r"([\\&~|\[\^])", r"\\\1", body[1:] if negate else body)
    try:
        with warnings.catch_warnings():  # `--` in a class: a FutureWarning, still a range
            warnings.simplefilter("ignore", FutureWarning)
            return re.compile(f"[{'^' if negate else ''}{body}]")
    except re.error:
        return None


@functools.lru_cache(maxsize=1024)
def _tokens(pattern: str, strict: bool = False) -> tuple[tuple[int, object], ...]:
    out: list[tuple[int, object]] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out += [(_OPT, None), (_ANY, None), (_CHAR, "/")]
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append((_ANY, None))
            i += 2
            continue
        if char == "*":
            out.append((_STAR, None))
        elif char == "?":
            out.append((_CHAR, re.compile("[^/]")))
        elif char == "[":
            # As in fnmatch: a `]` right after `[` or `[!` is a member, not the end.
            first = i + 2 if pattern.startswith("[!", i) else i + 1
            end = pattern.find("]", first + 1)
            body = pattern[i + 1 : end] if end != -1 else ""
            cls = _char_class(body) if end != -1 else None
            if cls is None:
                if end != -1 and strict:
                    raise re.error(f"bad character class [{body}]")
                out.append((_CHAR, char))  # a literal `[`
            else:
                out.append((_CHAR, cls))
                i = end
        else:
            out.append((_CHAR, char))
        i += 1
    return tuple(out)


_REGEX_BUDGET = 1_000_000


def _regex(tokens) -> str:
    out, i = [], 0
    while i < len(tokens):
        kind, what = tokens[i]
        if kind == _OPT:
            out.append("(?:.*/)?")  # the OPT, ANY, `/` triple of `**/`
            i += 3
            continue
        if kind == _STAR:
            out.append("[^/]*")
        elif kind == _ANY:
            out.append(".*")
        else:
            out.append(re.escape(what) if isinstance(what, str) else what.pattern)
        i += 1
    return "".join(out)


def _loops(tokens) -> int:
    return sum(1 for kind, _ in tokens if kind in (_STAR, _ANY))


def compile_glob(pattern: str) -> None:
    """Raise re.error if the pattern has an invalid character class (`[z-a]`); when matching,
    such a `[` is a literal character instead."""
    _tokens(pattern, strict=True)


class _Automaton:
    """Several globs side by side in one bit vector; `match` is true if any matches all
    of the text."""

    def __init__(self, patterns: list[str]):
        self.start = self.accept = self.skip1 = self.skip3 = 0
        self.loop_any = self.loop_noslash = 0
        self.chars: list[tuple[int, object]] = []  # (bit, str or compiled class)
        offset = 0
        for pattern in patterns:
            tokens = _tokens(pattern)
            self.start |= 1 << offset
            for k, (kind, what) in enumerate(tokens):
                bit = 1 << (offset + k)
                if kind == _CHAR:
                    self.chars.append((bit, what))
                elif kind == _STAR:
                    self.loop_noslash |= bit
                    self.skip1 |= bit
                elif kind == _ANY:
                    self.loop_any |= bit
                    self.skip1 |= bit
                else:  # _OPT: consumes nothing
                    self.skip1 |= bit
                    self.skip3 |= bit
            self.accept |= 1 << (offset + len(tokens))
            offset += len(tokens) + 1
        self._masks: dict[str, tuple[int, int]] = {}
        self.initial = self._close(self.start)
        # The fast path: the same globs as one regex, used only on texts short enough that
        # backtracking is bounded (about len(text) ** wildcards steps per glob).
        self.regex = re.compile(
            "(?:" + "|".join(_regex(_tokens(p)) for p in patterns) + r")\Z", re.S
        )
        loops = max((_loops(_tokens(p)) for p in patterns), default=0)
        per_glob = _REGEX_BUDGET / max(len(patterns), 1)
        self.regex_max_len = int(per_glob ** (1 / loops)) if loops else 1 << 30

    def _step(self, char: str) -> tuple[int, int]:
        """(states whose token consumes `char`, states that loop on it), cached per char."""
        step = self._masks.get(char)
        if step is None:
            mask = 0
            for bit, what in self.chars:
                if (what == char) if isinstance(what, str) else what.match(char):
                    mask |= bit
            loops = self.loop_any if char == "/" else self.loop_any | self.loop_noslash
            step = self._masks[char] = (mask, loops)
        return step

    def _close(self, state: int) -> int:
        while True:
            grown = state | ((state & self.skip1) << 1) | ((state & self.skip3) << 3)
            if grown == state:
                return state
            state = grown

    def match(self, text: str) -> bool:
        if len(text) <= self.regex_max_len:
            return self.regex.match(text) is not None
        state, skip, masks = self.initial, self.skip1, self._masks
        for char in text:
            mask, loops = masks.get(char) or self._step(char)
            state = ((state & mask) << 1) | (state & loops)
            if state & skip:
                state = self._close(state)
            elif not state:
                return False
        return bool(state & self.accept)


class GlobSet:
    """`glob_match` for a list of globs at once."""

    def __init__(self, patterns):
        whole, parts = [], []
        for raw in patterns:
            pattern = raw.strip()
            if not pattern:
                continue
            if pattern.endswith("/"):
                pattern += "**"
            if pattern.startswith("./"):
                pattern = pattern[2:]
            body = pattern.lstrip("/")
            whole.append(body)
            if "/" not in pattern.rstrip("/"):
                parts.append(body)  # a name pattern also matches any path component
            else:
                whole.append(body.rstrip("/") + "/**")  # `dir/sub` also covers below it
        self._whole = _Automaton(whole) if whole else None
        self._parts = _Automaton(parts) if parts else None

    def match(self, text: str) -> bool:
        if self._whole is not None and self._whole.match(text):
            return True
        if self._parts is not None:
            return any(self._parts.match(part) for part in text.split("/"))
        return False


@functools.lru_cache(maxsize=4096)  # one per .gitignore line outside git, too
def _glob_set(patterns: tuple[str, ...]) -> GlobSet:
    return GlobSet(patterns)


def glob_problem(pattern: str) -> str | None:
    """Why a glob from the configuration is refused: too long, or an invalid class."""
    if len(pattern) > MAX_GLOB_LENGTH:
        return f"a glob longer than {MAX_GLOB_LENGTH} characters"
    try:
        compile_glob(pattern.strip())
    except re.error as exc:
        return f"`{pattern}` is not a valid glob: {exc}"
    return None


def glob_match(pattern: str, text: str) -> bool:
    """Match a `/`-separated path or a name; a pattern without `/` also matches any basename,
    and a directory pattern (`build/`, `sandbox/**`) matches everything below it."""
    return _glob_set((pattern,)).match(text)


def any_match(patterns, text: str) -> bool:
    return _glob_set(tuple(patterns)).match(text)
