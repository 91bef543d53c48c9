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


THREE = """from runpod_flash import Endpoint


@Endpoint(name="a", gpu="AMPERE_16", workers=(0, 1), idle_timeout=60)
async def first(data):
    return data


@Endpoint(name="b", gpu="AMPERE_16", workers=(0, 1), idle_timeout=60)
async def second(data):
    return data


@Endpoint(name="c", gpu="AMPERE_16", workers=(0, 1), idle_timeout=60)
async def third(data):
    return data
"""


def test_a_files_declarations_read_its_text_once(tmp_path, monkeypatch):
    """FG301 reads a declaration's file again to see whether import-time code calls the
    worker (checks/placement.called_at_import); a file's declarations are evaluated one after
    another and share that read."""
    from pathlib import Path

    from flash_guard.pipeline import RunRequest, run_check

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = []\n')
    (tmp_path / "requirements.txt").write_text("runpod-flash\n")
    (tmp_path / "workers.py").write_text(THREE)
    reads = collections.Counter()
    real = Path.read_text

    def counting(self, *args, **kwargs):
        reads[self.name] += 1
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counting)
    result, *_ = run_check(RunRequest(paths=[str(tmp_path)], cwd=tmp_path, cache=False))
    assert len(result.endpoints) == 3
    assert reads["workers.py"] == 1, reads
