"""`ModuleIndex.find_module` picks, among files a dotted name can mean, the one closest to the
importer. Its prefix index (one lookup per directory level) must choose exactly what the plain
rule chooses: most leading path components shared, then the shortest path, then index order."""

from __future__ import annotations

import random

from flash_guard.discover.resolve import ModuleIndex


def closest(importer: str, candidates: list[str]) -> str:
    here = importer.split("/")

    def shared(path: str) -> int:
        n = 0
        for a, b in zip(here, path.split("/"), strict=False):
            if a != b:
                break
            n += 1
        return n

    return max(candidates, key=lambda p: (shared(p), -len(p)))


def test_the_prefix_index_agrees_with_the_plain_rule():
    rng = random.Random(7)
    dirs = ["", "a", "a/b", "c", "a/b/c", "app_1", "app_2/x", "b"]
    importers = ["a/b/x.py", "x.py", "a/m.py", "c/d/e.py", "app_2/x/y.py", "b/m.py", "m.py"]
    checked = 0
    for _ in range(2000):
        names = [f"{rng.choice(dirs)}/{rng.choice(['m.py', 'm/__init__.py'])}" for _ in range(5)]
        candidates = list(dict.fromkeys(n.lstrip("/") for n in names))
        if len(candidates) < 2:
            continue
        index = ModuleIndex({}, candidates, lambda path: None)
        indexed = index._module_index["m"]  # the candidates in the order the index holds them
        for importer in importers:
            assert index.find_module(importer, "m", 0) == closest(importer, indexed)
            checked += 1
    assert checked > 5000
