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


WORKER = """from runpod_flash import Endpoint


@Endpoint(name="{name}", gpu="AMPERE_16", workers=(0, 1), idle_timeout=60)
async def {function}(data):
    return data
"""


def test_equal_scorecard_rows_are_one_dict_and_a_project_failure_moves_one_row(tmp_path):
    """Rows are shared once complete; FG207 (a project check) fails only the endpoint that
    reuses another's name, never the rows that endpoint's row was shared with."""
    from flash_guard.pipeline import RunRequest, run_check

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = []\n')
    for index, name in enumerate(("alpha", "beta", "gamma", "gamma")):
        text = WORKER.format(name=name, function=f"handler_{index}")
        (tmp_path / f"w{index}.py").write_text(text)
    result, *_ = run_check(RunRequest(paths=[str(tmp_path)], cwd=tmp_path))
    rows = {ep.path: result.scorecard[i] for i, ep in enumerate(result.endpoints)}
    assert rows["w0.py"] is rows["w1.py"]
    assert rows["w0.py"].get("FG207") == "pass"
    failed = [path for path, row in rows.items() if row.get("FG207") == "fail"]
    assert len(failed) == 1 and failed[0] in ("w2.py", "w3.py")
    others = [row for path, row in rows.items() if path != failed[0]]
    assert all(row == rows["w0.py"] for row in others)
    assert list(rows[failed[0]]) == list(rows["w0.py"])  # the same items, in the same order


def test_a_body_keeps_its_callees_and_their_spans_as_two_tuples():
    from flash_guard.discover.facts import extract

    text = "import os\n\n\ndef work(x):\n    os.makedirs(x)\n    return load(x)\n"
    facts = extract("w.py", text)
    (body,) = facts.helper_bodies.values()
    assert body.calls == ("os.makedirs", "load")
    assert body.call_spans == (Span(5, 5, 5, 19), Span(6, 12, 6, 19))


def test_findings_share_one_copy_of_an_equal_fix_and_parameter():
    from types import SimpleNamespace

    from flash_guard.checks.base import Outcome
    from flash_guard.evaluate import _finding

    item = SimpleNamespace(
        code="FG101", slug="s", title="t", fix="f", fix_legacy="", fix_runpod2=""
    )
    made = [
        _finding(
            item,
            "warning",
            Outcome(
                "fail",
                "m",
                "a.py",
                Span(1, 1, 1, 2),
                "".join(["work", "ers"]),
                None,
                "".join(["Set ", "it"]),
            ),
            "default",
        )
        for _ in range(2)
    ]
    assert made[0].fix == "Set it" and made[0].parameter == "workers"
    assert made[0].fix is made[1].fix and made[0].parameter is made[1].parameter


def test_a_source_file_has_slots_and_its_hints_are_forgotten():
    from flash_guard.project.files import SourceFile

    source = SourceFile("m.py", "m.py", import_lines=[(None, None, None, b"os, json")])
    assert not hasattr(source, "__dict__")
    first = source.import_hints
    assert first == [("os", []), ("json", [])] and source.import_hints is first
    source.forget_imports()
    assert source.import_hints == [] and source.import_lines == ()
    assert SourceFile("n.py", "n.py").import_lines is source.import_lines  # one shared ()


def test_short_expression_texts_are_shared_across_files():
    from flash_guard.discover.facts import extract

    text = 'from runpod_flash import Endpoint\n\nGPU = "AMPERE_16" if X else "ADA_24"\n'
    first, second = (extract(path, text).assignments[0] for path in ("a.py", "b.py"))
    one, other = first.value.expr(), second.value.expr()
    assert one.items[0].text == '"AMPERE_16"' and one.items[0].value == "AMPERE_16"
    assert one.text is other.text
    assert one.items[0].text is other.items[0].text
    assert one.items[0].value is other.items[0].value


def test_the_names_of_facts_records_are_shared_across_files():
    from flash_guard.discover.facts import extract

    text = (
        "from runpod_flash import Endpoint\n"
        "import os.path\n\n"
        'if __name__ == "__main__":\n'
        "    TIMEOUT = 60\n"
    )
    first, second = (extract(path, text) for path in ("a.py", "b.py"))
    for one, other in zip(first.imports, second.imports, strict=True):
        assert one.module is other.module and one.local is other.local
        assert one.dotted is other.dotted
    (one,), (other,) = first.assignments, second.assignments
    assert one.target is other.target and one.placement is other.placement
    assert one.blocks[0].header == 'if __name__ == "__main__":'
    assert one.blocks[0].header is other.blocks[0].header


def test_an_endpoints_empty_lists_are_one_shared_tuple_after_discovery(tmp_path):
    from flash_guard.pipeline import RunRequest, run_check

    text = WORKER.format(name="alpha", function="handler")
    (tmp_path / "w.py").write_text(text)
    result, *_ = run_check(RunRequest(paths=[str(tmp_path)], cwd=tmp_path))
    (endpoint,) = result.endpoints
    assert endpoint.spreads == () and endpoint.problems == () and endpoint.hooks == ()
    assert endpoint.spreads is endpoint.problems
    assert len(endpoint.targets) == 1  # a list with items stays as it is


def test_decorators_are_kept_as_snippets_and_converted_when_read():
    from flash_guard.discover.facts import extract
    from flash_guard.discover.parse import Expr, Snippet

    text = WORKER.format(name="alpha", function="handler") + "\n@(x := wrap)\ndef g():\n    pass\n"
    facts = extract("w.py", text)
    first, walrus = facts.decorated
    assert [type(d) for d in first.written] == [Snippet]
    assert first.written[0].tree is None  # nothing converted at extraction
    (decorator,) = first.decorators
    assert type(decorator) is Expr and decorator.kind == "call"
    assert decorator.items[0].text == "Endpoint" and decorator.span.line == 4
    assert first.written[0].has_expr_span(decorator.span)
    assert [d.kind for d in walrus.decorators] == ["named"]


def test_discovery_leaves_no_conversion_of_a_file_it_is_done_with(tmp_path):
    """Each front-end drops a file's conversions once it moves on: a big tree's are never
    all alive at once (they were megabytes at the peak)."""
    from flash_guard.discover import parse
    from flash_guard.discover.analysis import analyse

    for index, name in enumerate(("alpha", "beta")):
        text = WORKER.format(name=name, function=f"handler_{index}")
        (tmp_path / f"w{index}.py").write_text(text)
    seen = []
    real = parse.forget_conversions

    def counting():
        seen.append(len(parse._converted))
        real()

    parse.forget_conversions, saved = counting, parse.forget_conversions
    import flash_guard.discover.frontend_flash as flash
    import flash_guard.discover.frontend_runpod2 as runpod2

    flash.forget_conversions = runpod2.forget_conversions = counting
    try:
        analysis = analyse([str(tmp_path)], tmp_path, [], False)
    finally:
        parse.forget_conversions = saved
        flash.forget_conversions = runpod2.forget_conversions = saved
    assert [e.name.value for e in analysis.endpoints] == ["alpha", "beta"]
    # one drop per file and front-end, the first file's before the second is read
    assert len(seen) >= 4 and seen[0] > 0


def test_the_sites_indexes_are_bounded_to_a_few_files():
    from flash_guard.checks import sites

    assert sites._MAX_INDEXES <= 64


def test_a_values_rare_fields_share_one_slot_and_read_and_replace_as_fields():
    import dataclasses

    from flash_guard.model import Value

    plain = Value(1, True, Span(1, 1, 1, 2), "1", path="a.py")
    assert plain._rare is None and plain.env_key is None and plain.candidates is None
    assert "env_key" not in Value.__slots__ and len(Value.__slots__) == 8
    read = Value("", True, None, "os.getenv('K', '')", env_key="K")
    assert read.env_key == "K" and read._rare == (None, "K", None, None, None, None)
    both = dataclasses.replace(read, candidates=(plain,), text="x")
    assert (both.env_key, both.candidates, both.text) == ("K", (plain,), "x")
    assert dataclasses.replace(both, env_key=None, candidates=None)._rare is None
    assert both != read and dataclasses.replace(both) == both
    read.partial = plain  # set like a field
    assert read.partial is plain and read.env_key == "K"


def test_evaluation_drops_the_containers_sizes_as_it_goes(tmp_path, monkeypatch):
    """`_weight`'s memo is a cache: dropped with the conversions every FORGET_EVERY
    endpoints, not grown over the whole evaluation (~1 MiB of a big tree at the peak)."""
    from flash_guard import evaluate
    from flash_guard.discover.resolve import ModuleIndex
    from flash_guard.pipeline import RunRequest, run_check

    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = []\n')
    for index, name in enumerate(("alpha", "beta", "gamma")):
        text = WORKER.format(name=name, function=f"handler_{index}")
        (tmp_path / f"w{index}.py").write_text(text)
    sizes = []
    real = ModuleIndex.forget_weights

    def forget(self):
        sizes.append(len(self._weights))
        real(self)

    monkeypatch.setattr(evaluate, "FORGET_EVERY", 1)
    monkeypatch.setattr(ModuleIndex, "forget_weights", forget)
    result, _, _, _ = run_check(RunRequest(paths=[str(tmp_path)], cwd=tmp_path))
    assert len(result.endpoints) == 3 and len(sizes) == 3
