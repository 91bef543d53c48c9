"""The compiled built-in checklist (flash_guard/checklist/compiled.py): in step with the YAML,
the same items as parsing the YAML, and no PyYAML on a run without user YAML."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flash_guard.checklist import catalog, compiled

REPO = Path(__file__).resolve().parent.parent


def test_the_compiled_module_is_up_to_date():
    assert compiled.main(["--check"]) == 0, "run: python -m flash_guard.checklist.compiled --write"


def test_every_built_in_document_is_compiled():
    from flash_guard.checklist.builtin_yaml import DOCUMENTS

    labels = {label for label, _ in compiled._documents()}
    assert labels == set(DOCUMENTS)


def test_compiled_data_equals_the_parsed_yaml():
    from flash_guard.config.yamlsrc import load_yaml_text

    for label, path in compiled._documents():
        text = Path(path).read_text("utf-8")
        found, data = compiled.compiled_data(label, text)
        assert found, label
        assert data == load_yaml_text(text, label, fast=True).data, label


def test_an_edited_document_is_parsed_not_taken_from_the_module():
    label, path = compiled._documents()[0]
    text = Path(path).read_text("utf-8") + "\n# edited\n"
    assert compiled.compiled_data(label, text) == (False, None)


def test_a_run_without_user_yaml_does_not_import_pyyaml(tmp_path):
    (tmp_path / "worker.py").write_text(
        "from runpod_flash import Endpoint\n\n@Endpoint(name='w', gpu='AMPERE_16')\n"
        "def handler(job):\n    return job\n"
    )
    probe = (
        "import sys\n"
        "from flash_guard.cli import main\n"
        "code = main(['check', '--no-cache', '--format', 'json', '.'])\n"
        "print('yaml' in sys.modules, code, file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.stderr.strip().splitlines()[-1] in ("False 0", "False 1"), proc.stderr
    assert '"endpoints"' in proc.stdout
    # The same catalog either way.
    assert catalog.builtin_items()
