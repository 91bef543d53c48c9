"""File mode evaluates only the endpoints whose findings it can report
(project/selection.endpoints_to_evaluate): the text and SARIF it prints are exactly those of
a run that evaluates every endpoint (forced here by also writing JSON, which shows every
endpoint's scorecard)."""

from __future__ import annotations

import contextlib
import io
import shutil

import pytest
from test_cache import PROJECTS, _id

from flash_guard.cli import main
from flash_guard.evaluate import _Run

MAX_FILES_PER_PROJECT = 4


def _run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("project", PROJECTS, ids=_id)
def test_file_mode_output_is_that_of_a_full_evaluation(project, tmp_path, monkeypatch):
    root = tmp_path / "project"
    shutil.copytree(project, root, symlinks=True, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(root)
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))
    config = ["--config", ".flash-guard.yaml"] if (root / ".flash-guard.yaml").exists() else []
    for file in files[:MAX_FILES_PER_PROJECT]:
        for fmt in ("text", "sarif"):
            base = ["check", "--format", fmt, "--fail-on", "warning", *config, file]
            subset = _run(base)
            full = _run([*base, "--output", f"json={tmp_path / 'full.json'}"])
            assert subset == full, (file, fmt)


def test_an_unrelated_endpoint_is_not_evaluated(tmp_path, monkeypatch):
    for name in ("a", "b"):
        (tmp_path / f"{name}.py").write_text(
            "from runpod_flash import Endpoint\n\n"
            f"@Endpoint(name='{name}', gpu='AMPERE_16')\ndef {name}(job):\n    return job\n"
        )
    (tmp_path / "uv.lock").write_text("version = 1\n")
    monkeypatch.chdir(tmp_path)
    evaluated: list[str] = []
    real = _Run.endpoint_items

    def counting(run, index, endpoint):
        evaluated.append(endpoint.display_name)
        return real(run, index, endpoint)

    monkeypatch.setattr(_Run, "endpoint_items", counting)
    _run(["check", "a.py"])
    assert evaluated == ["a"]
    evaluated.clear()
    _run(["check", "--format", "json", "a.py"])  # every scorecard shown: all evaluated
    assert sorted(evaluated) == ["a", "b"]
