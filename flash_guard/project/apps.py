"""Apps: the unit `flash build` (or `rp flash deploy`) packages (rules.md "Words: App").

A directory that holds a project marker starts an app; a file belongs to the app of its
nearest such directory, else to the scanned root. Cross-declaration rules never mix apps.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_MARKERS = ("pyproject.toml", "requirements.txt", ".flash", ".flashignore")
ROOT_APP = "."


class AppMap:
    """Maps project-relative file paths to their app (a project-relative directory, or ".")."""

    def __init__(self, root: Path):
        self.root = root
        # directory -> its app. This map's own: a functools.cache on the method kept every
        # map of the run alive, keyed by (map, directory), 1.3 MiB on a 4,000-file tree.
        self._apps: dict[str, str] = {}

    def app_of(self, path: str) -> str:
        parent = path.rsplit("/", 1)[0] if "/" in path else ""
        return self._app_of_dir(parent)

    def split_routes(self, endpoint) -> tuple[list, list]:
        """An endpoint's routes registered from files of its own app, and those registered
        from another app's files: each app is built on its own, so a route module of another
        app never reaches this endpoint's build (FG109 and FG207 never mix two apps)."""
        own_app = self.app_of(endpoint.path)
        own, other = [], []
        for route in endpoint.routes:
            (own if self.app_of(route.file) == own_app else other).append(route)
        return own, other

    def _app_of_dir(self, directory: str) -> str:
        app = self._apps.get(directory)
        if app is None:
            if directory == "":
                app = ROOT_APP
            elif self._is_marked(directory):
                app = directory
            else:
                app = self._app_of_dir(directory.rsplit("/", 1)[0] if "/" in directory else "")
            self._apps[directory] = app
        return app

    def _is_marked(self, directory: str) -> bool:
        base = os.path.join(self.root, directory)
        # lexists: a marker is a name in the directory; a symlinked one is never followed
        return any(os.path.lexists(os.path.join(base, marker)) for marker in APP_MARKERS)


def app_map(analysis) -> AppMap:
    """The one AppMap of `analysis`'s run (discovery's, shared by every rule that asks):
    each directory's markers are looked up once per run, not once per rule (on a big tree,
    thousands of `lexists` calls per map)."""
    apps = analysis.__dict__.get(_RUN_MAP)
    if apps is None:
        apps = analysis.__dict__[_RUN_MAP] = AppMap(analysis.root)
    return apps


def keep_app_map(analysis, apps: AppMap) -> None:
    """Make `apps` (discovery's, for `analysis.root`) the run's `app_map`."""
    analysis.__dict__[_RUN_MAP] = apps


_RUN_MAP = "_app_map"
