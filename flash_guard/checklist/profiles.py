"""Which profile a file or an endpoint is checked under. The one place that decides it, used by
evaluation (which items run) and by suppression (which codes are enabled for FG003).

Order: the file's `# flash-guard: profile=NAME` pragma, then the configuration's `profiles:`
mapping by path or by endpoint name, then the run's profile (`--profile`, else the config's).
A file without endpoints follows the same order without the name mapping; a file with
endpoints takes the profile of its first endpoint when no pragma or path mapping decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from flash_guard.checklist.catalog import PROFILES
from flash_guard.config.loader import PROFILE_NAME, Config
from flash_guard.model import Endpoint
from flash_guard.project.globs import any_match

# The one reading of `# flash-guard: profile=NAME`, for evaluation (which profile a file gets)
# and for FG003 (suppress.py) alike. A directive starts a comment, or a second comment on a
# line; the name is everything up to the end of the comment (or a further ` # comment`), so
# `profile=cost2` names `cost2`, never `cost`.
_PRAGMA = re.compile(r"(?:^|(?<=\s))#\s*(?i:flash-guard)\s*:\s*(?i:profile)\s*=\s*(?P<rest>.*)$")
# A second comment on the same line (`... reason  # note`) is not part of a directive.
NEXT_COMMENT = re.compile(r"(?:^|\s)#(?:\s|$)")


def pragma_name(text: str) -> str | None:
    """The profile name a comment's `# flash-guard: profile=NAME` gives, as written (it may be
    empty or not a name at all), or None when the comment is no profile pragma."""
    match = _PRAGMA.search(text)
    if match is None:
        return None
    return NEXT_COMMENT.split(match.group("rest"), maxsplit=1)[0].strip()


@dataclass(frozen=True)
class Pragma:
    """One profile pragma of a file. `problem` and `fix` say why it does not apply (FG003);
    both None for the pragma that decides the file's profile."""

    line: int
    column: int
    name: str
    problem: str | None = None
    fix: str | None = None


def read_pragmas(comments: Iterable[tuple[int, int, str]], known: Iterable[str]) -> list[Pragma]:
    """A file's profile pragmas in order. The first decides the file's profile when it names a
    known profile; a later one never does (FG003), and an unknown name leaves the file the
    profile the configuration and the run give it."""
    known = tuple(known)
    out: list[Pragma] = []
    for line, column, text in comments:
        name = pragma_name(text)
        if name is None:
            continue
        if out:
            first = out[0].line
            out.append(
                Pragma(
                    line,
                    column,
                    name,
                    f"a second profile pragma is ignored: only a file's first, on line "
                    f"{first}, is read",
                    "Keep one `# flash-guard: profile=NAME` per file.",
                )
            )
        elif not PROFILE_NAME.fullmatch(name):
            out.append(
                Pragma(
                    line,
                    column,
                    name,
                    f"profile pragma `profile={name}` names no profile (a profile name is "
                    "letters, digits, - and _, and nothing follows it); the file keeps its "
                    "profile",
                    f"Write one name: `# flash-guard: profile=NAME` with NAME one of "
                    f"{', '.join(known)}.",
                )
            )
        elif name not in known:
            out.append(
                Pragma(
                    line,
                    column,
                    name,
                    f"profile pragma names an unknown profile `{name}`; the file keeps its profile",
                    f"Use one of {', '.join(known)}, or define `{name}` under `profiles:` in "
                    "the configuration (with `extends:`).",
                )
            )
        else:
            out.append(Pragma(line, column, name))
    return out


def file_pragmas(
    comments_by_file: Iterable[tuple[str, list]], known: Iterable[str] = PROFILES
) -> dict[str, str]:
    """path -> the profile its pragma names: the file's first profile pragma, when that names
    a known profile (the others are FG003, reported by suppress.py from read_pragmas)."""
    known = tuple(known)
    out = {}
    for path, comments in comments_by_file:
        pragmas = read_pragmas(comments, known)
        if pragmas and pragmas[0].problem is None:
            out[path] = pragmas[0].name
    return out


class ProfileMap:
    def __init__(self, config: Config, run_profile: str | None, pragmas: dict[str, str]):
        self.config = config
        self.default = run_profile or config.profile
        # Built-in profiles first, then the configuration's own, in the order written.
        self.known = config.all_profiles()
        self.pragmas = pragmas
        self._first_endpoint_profile: dict[str, str] = {}

    def for_endpoint(self, endpoint: Endpoint) -> str:
        profile = self._decide(endpoint.path, endpoint.display_name)
        self._first_endpoint_profile.setdefault(endpoint.path, profile)
        return profile

    def for_file(self, path: str) -> str:
        if path in self.pragmas:
            return self.pragmas[path]
        for profile in self.known:
            if any_match(self.config.profile_paths.get(profile, []), path):
                return profile
        return self._first_endpoint_profile.get(path, self.default)

    def _decide(self, path: str, endpoint_name: str | None) -> str:
        if path in self.pragmas:
            return self.pragmas[path]
        for profile in self.known:
            if any_match(self.config.profile_paths.get(profile, []), path):
                return profile
            if endpoint_name and any_match(
                self.config.profile_endpoints.get(profile, []), endpoint_name
            ):
                return profile
        return self.default
