"""FG108's module-level reads (checks/module_env.py): a worker's definition is parsed from its
own lines, at their places in the file, and gives what the whole file's parse gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from flash_guard.checks import module_env
from flash_guard.discover.analysis import analyse

FIXTURE = (
    Path(__file__).parent
    / "fixtures/rules/FG108-env-not-forwarded/fire/module_level_reads_indented"
)


@pytest.mark.parametrize("name", ["run", "Worker"])
def test_a_body_parsed_from_its_own_lines_matches_the_whole_file(name):
    analysis = analyse([str(FIXTURE)], FIXTURE, [], False)
    (body,) = [t for e in analysis.endpoints for t in e.targets if t.name == name]
    own = module_env._own_definition(analysis, body)
    whole = module_env._definitions(analysis, body.path)[(body.span.line, body.span.column)]
    assert own is not None
    assert own.text() == whole.text()
    assert own.range().start.line == whole.range().start.line
    assert own.range().start.column == whole.range().start.column
