"""A declaration's call is converted once per run (parse.keep_conversion), and a decorator no
front-end reads is not converted at all: a warm run of an edited tree converts every
declaration it reads (the facts hold decorators as snippets)."""

from __future__ import annotations

import collections

import pytest

from flash_guard.discover import parse

FLASH = """from runpod_flash import Endpoint

cpu = Endpoint(name="cpu-worker", cpu="cpu3c-1-2")


@Endpoint(name="gpu-worker", gpu="AMPERE_16", workers=(0, 1))
async def embed(data):
    return data


@cpu.get("/health")
async def health():
    return {"ok": True}
"""

RUNPOD2 = """import runpod

app = runpod.App("demo")


@app.queue(name="embed", gpu="AMPERE_16")
def embed(data):
    return data
"""

UNRELATED = (
    RUNPOD2
    + """

@cache.memo("x")
def helper(data):
    return data
"""
)


def _conversions(tmp_path, monkeypatch, text: str) -> collections.Counter:
    from flash_guard.pipeline import RunRequest, run_check

    (tmp_path / "worker.py").write_text(text)
    counted: collections.Counter = collections.Counter()
    real = parse._convert_snippet

    def counting(snippet):
        counted[snippet.text] += 1
        return real(snippet)

    monkeypatch.setattr(parse, "_convert_snippet", counting)
    run_check(RunRequest(paths=[str(tmp_path)], cwd=tmp_path))
    return counted


@pytest.mark.parametrize(
    "text, calls",
    [
        (
            FLASH,
            [
                'Endpoint(name="cpu-worker", cpu="cpu3c-1-2")',
                'Endpoint(name="gpu-worker", gpu="AMPERE_16", workers=(0, 1))',
            ],
        ),
        (RUNPOD2, ['app.queue(name="embed", gpu="AMPERE_16")']),
    ],
    ids=["flash", "runpod2"],
)
def test_a_declarations_call_is_converted_once_in_a_run(tmp_path, monkeypatch, text, calls):
    counted = _conversions(tmp_path, monkeypatch, text)
    assert {call: counted[call] for call in calls} == dict.fromkeys(calls, 1)
    assert not parse._kept  # dropped once evaluation is done


def test_a_decorator_no_front_end_reads_is_not_converted(tmp_path, monkeypatch):
    """`@cache.memo("x")` names nothing of the project's: neither front-end needs the call
    (the runpod 2.0 one reads an unresolved callee only as a method of an App subclass)."""
    counted = _conversions(tmp_path, monkeypatch, UNRELATED)
    assert counted['cache.memo("x")'] == 0
    # a route on a Flash Endpoint is converted once, by the front-end that reads it
    counted = _conversions(tmp_path, monkeypatch, FLASH)
    assert counted['cpu.get("/health")'] == 1


def _snippets(count: int, width: int) -> list[parse.Snippet]:
    text = "f(" + "x" * (width - 4) + ")"
    return [parse.Snippet(text, line, 1, "call", callee_end=1) for line in range(1, count + 1)]


def test_kept_conversions_outlive_forget_conversions_up_to_a_bound(monkeypatch):
    monkeypatch.setattr(parse, "KEPT_TEXT", 100)
    monkeypatch.setattr(parse, "_converted", [])
    monkeypatch.setattr(parse, "_kept", {})
    monkeypatch.setattr(parse, "_kept_text", 0)
    kept, plain = _snippets(3, 40), _snippets(1, 40)[0]
    trees = [snippet.expr() for snippet in kept]
    for snippet in kept:
        parse.keep_conversion(snippet)
    parse.keep_conversion(kept[0])  # once only
    plain.expr()
    parse.forget_conversions()
    # the first three fit the bound (40 + 40 + 40 reaches it only with the third)
    assert [snippet.expr() is tree for snippet, tree in zip(kept, trees, strict=True)] == [True] * 3
    assert not hasattr(plain, "_memo")
    late = _snippets(1, 40)[0]
    parse.keep_conversion(late)  # past the bound: not kept
    late.expr()
    parse.forget_conversions()
    assert not hasattr(late, "_memo")
    kept[1].expr()
    parse.forget_kept_conversions()
    assert not any(hasattr(snippet, "_memo") for snippet in kept)
    assert parse._kept == {} and parse._kept_text == 0 and parse._converted == []
    assert kept[0].expr() == trees[0]  # converted again, equal
