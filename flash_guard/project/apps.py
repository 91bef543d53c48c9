"""Apps: the unit `flash build` (or `rp flash deploy`) packages (rules.md "Words: App").

A directory that holds a project marker starts an app; a file belongs to the app of its
nearest such directory, else to the scanned root. Cross-declaration rules never mix apps.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

APP_MARKERS = ("pyproject.toml", "requirements.txt", ".flash", ".flashignore")
ROOT_APP = "."


class AppMap:
    """Maps project-relative file paths to their app (a project-relative directory, or ".")."""

    def __init__(self, root: Path):
        self.root = root

    def app_of(self, path: str) -> str:
        parent = path.rsplit("/", 1)[0] if "/" in path else ""
        return self._app_of_dir(parent)

    @functools.cache  # noqa: B019 - one AppMap per run; directories repeat across files
    def _app_of_dir(self, directory: str) -> str:
        if directory == "":
            return ROOT_APP
        if self._is_marked(directory):
            return directory
        parent = directory.rsplit("/", 1)[0] if "/" in directory else ""
        return self._app_of_dir(parent)

    def _is_marked(self, directory: str) -> bool:
        base = os.path.join(self.root, directory)
        # lexists: a marker is a name in the directory; a symlinked one is never followed
        return any(os.path.lexists(os.path.join(base, marker)) for marker in APP_MARKERS)
