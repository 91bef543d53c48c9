"""Reports are written as they are made (report.write): the bytes are those of `render`,
and the streaming formats hand the stream many pieces, not one string."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from flash_guard.pipeline import RunRequest, run_check
from flash_guard.report import FORMATS, render, write

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


class _Recorder(io.StringIO):
    def __init__(self):
        super().__init__()
        self.writes = 0

    def write(self, text):
        self.writes += 1
        return super().write(text)


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    root = tmp_path_factory.mktemp("examples") / "examples"
    shutil.copytree(EXAMPLES, root)
    found, *_ = run_check(RunRequest(paths=[str(root)], cwd=root))
    assert found.findings and found.endpoints
    return found


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("options", [{}, {"statistics": True}, {"quiet": True}, {"color": True}])
def test_written_equals_rendered(result, fmt, options):
    stream = _Recorder()
    write(fmt, result, stream, **options)
    assert stream.getvalue() == render(fmt, result, **options)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif"])
def test_the_streaming_formats_write_piece_by_piece(result, fmt):
    stream = _Recorder()
    write(fmt, result, stream)
    assert stream.writes > len(result.findings)
