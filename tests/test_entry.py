"""The console script leaves through os._exit: output must be complete and the code right."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_console_script_flushes_everything_and_keeps_the_exit_code(tmp_path):
    args = [sys.executable, "-c", "from flash_guard.entry import console_main; console_main()"]
    out = tmp_path / "out.json"
    with out.open("w") as stdout:
        proc = subprocess.run(
            [*args, "check", "--format", "json", str(EXAMPLES)],
            stdout=stdout,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )
    assert proc.returncode == 1  # the examples have deliberate errors
    doc = json.loads(out.read_text())  # complete: the last byte was flushed
    assert doc["summary"]["errors"] > 0
    usage = subprocess.run([*args, "nonsense"], capture_output=True, timeout=60, check=False)
    assert usage.returncode == 2
