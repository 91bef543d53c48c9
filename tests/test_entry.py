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


def test_a_reader_that_leaves_early_ends_the_run_quietly(tmp_path):
    # `flash-guard check . | head -1`: the closed pipe is not an internal error. The output
    # must outgrow the pipe's buffer for the write to fail: 300 endpoints of findings.
    body = "".join(
        f'@Endpoint(name="worker-{i}", gpu=GpuGroup.ANY)\nasync def work_{i}(x): return x\n\n'
        for i in range(300)
    )
    (tmp_path / "app.py").write_text("from runpod_flash import Endpoint, GpuGroup\n\n" + body)
    for args in (
        [sys.executable, "-c", "from flash_guard.entry import console_main; console_main()"],
        [sys.executable, "-m", "flash_guard"],
    ):
        proc = subprocess.Popen(
            [*args, "check", "--no-cache", "."],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
        )
        proc.stdout.readline()
        proc.stdout.close()  # the reader leaves after one line
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=120) == 1
        assert "internal error" not in err and "Traceback" not in err, err
