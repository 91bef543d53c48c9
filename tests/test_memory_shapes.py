"""Shapes chosen for a big tree's peak memory (issue 17): they must keep their meaning."""

from __future__ import annotations

import gc
import weakref

from flash_guard.project.apps import AppMap


def test_an_app_map_is_not_kept_alive_by_its_lookups(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "pyproject.toml").write_text("")
    apps = AppMap(tmp_path)
    assert apps.app_of("app/sub/worker.py") == "app"
    assert apps.app_of("other/worker.py") == "."
    assert apps.app_of("top.py") == "."
    ref = weakref.ref(apps)
    del apps
    gc.collect()
    assert ref() is None
