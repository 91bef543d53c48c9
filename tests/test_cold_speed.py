"""Work a cold run does once, not once per stage or rule (issue 17). Counts, never times."""

from __future__ import annotations

import collections

from flash_guard.project import apps as apps_module

WORKER = """from runpod_flash import Endpoint


@Endpoint(name="{name}", gpu="AMPERE_16", workers=(0, 1), idle_timeout=60)
async def handler(data):
    return data
"""


def _project(root):
    (root / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = []\n')
    for app in ("one", "two"):
        (root / app / "workers").mkdir(parents=True)
        (root / app / "requirements.txt").write_text("runpod-flash\n")
        (root / app / "workers" / "worker.py").write_text(WORKER.format(name=app))
    return root


def test_a_run_looks_up_each_directorys_app_markers_once(tmp_path, monkeypatch):
    """Discovery and every rule that groups by app (FG111, FG207, FG213, FG301, FG307,
    FG308, ...) share one AppMap: a directory's marker files are looked for once a run."""
    from flash_guard.pipeline import RunRequest, run_check

    root = _project(tmp_path)
    asked = collections.Counter()
    real = apps_module.AppMap._is_marked

    def counting(self, directory):
        asked[directory] += 1
        return real(self, directory)

    monkeypatch.setattr(apps_module.AppMap, "_is_marked", counting)
    result, *_ = run_check(RunRequest(paths=[str(root)], cwd=root, cache=False))
    assert sorted(ep.app for ep in result.endpoints) == ["one", "two"]
    assert asked and set(asked.values()) == {1}, asked
