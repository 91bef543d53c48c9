"""Shapes chosen for a big tree's peak memory (issue 17): they must keep their meaning."""

from __future__ import annotations

import gc
import weakref

from flash_guard import model
from flash_guard.model import Span
from flash_guard.project.apps import AppMap


def test_equal_spans_are_one_object_whatever_their_size():
    assert Span(3, 4, 5, 6) is Span(3, 4, 5, 6)
    big = (1 << 15) + 1
    assert Span(big, 1, big, 2) is Span(big, 1, big, 2)
    assert Span(1, big, 1, big) is not Span(1, 1, 1, 1)
    assert Span(-1, 0, 0, 0) is Span(-1, 0, 0, 0)
    # fields packed into one key never collide with a neighbouring field's bits
    assert Span(1, 0, 0, 0) != Span(0, 1 << 15, 0, 0)
    assert Span(0, 1, 0, 0) != Span(0, 0, 1 << 15, 0)


def test_a_small_span_is_keyed_by_one_int():
    span = Span(12, 34, 56, 78)
    keys = [key for key, value in model._SPANS.items() if value is span]
    assert keys and all(type(key) is int for key in keys)


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
