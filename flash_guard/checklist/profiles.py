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

from flash_guard.checklist.catalog import PROFILES
from flash_guard.config.loader import Config
from flash_guard.model import Endpoint
from flash_guard.project.globs import any_match

PRAGMA = re.compile(r"#\s*flash-guard:\s*profile\s*=\s*([A-Za-z_-]+)")


def file_pragmas(
    comments_by_file: Iterable[tuple[str, list]], known: Iterable[str] = PROFILES
) -> dict[str, str]:
    """path -> the profile its pragma names (the last valid pragma wins; an unknown name is
    FG003, reported by suppress.py)."""
    known = set(known)
    out = {}
    for path, comments in comments_by_file:
        for _, _, text in comments:
            match = PRAGMA.search(text)
            if match and match.group(1) in known:
                out[path] = match.group(1)
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
