"""The one ast-grep search of facts extraction (discover/facts.py, _FILE_RULE) and the calls
it leaves `_call` to tell apart."""

from __future__ import annotations

from flash_guard.discover import facts as facts_module
from flash_guard.discover.facts import extract


def _regexes(rule) -> list[str]:
    if isinstance(rule, dict):
        found = [rule["regex"]] if "regex" in rule else []
        return found + [r for value in rule.values() for r in _regexes(value)]
    if isinstance(rule, list):
        return [r for item in rule for r in _regexes(item)]
    return []


def test_the_file_search_compiles_no_regex_but_the_syntax_error_one():
    # ast-grep compiles a rule at every search, once per file: the method-name regexes the
    # search once held took 135 us of every file's search (~40 ms on 291 Flash files).
    suspect = _regexes(facts_module._SUSPECT)
    assert _regexes(facts_module._FILE_RULE) == suspect == ["^$"]


SOURCE = """\
import runpod
from fastapi import FastAPI

ENV = {}
web = FastAPI()
embed = runpod.Endpoint("x")
embed.remote(1)
embed.remote.aio(2)
embed . get(3)
a.b.get(4)
x.aio(5)
ENV.update(K="v")
a.b.update(K="v")
web.mount("/s", None)
log.info("not a write")
if ready:
    embed.spawn(6)


class Svc:
    for r in ROUTES:
        embed.post("/x", r)
    ENV.append(1)


def handler():
    embed.stream(7)
    ENV.pop("K")


run = lambda: embed.delete(8)
"""


def test_invocations_at_import_and_writes_in_place_are_told_apart():
    facts = extract("app.py", SOURCE)
    assert [(i.receiver, i.method, i.span.line) for i in facts.invocations] == [
        ("embed", "remote", 7),
        ("embed", "remote", 8),
        ("embed", "get", 9),
        ("embed", "spawn", 17),
    ]
    writes = [(w.target, w.op, w.span.line) for w in facts.writes if w.op != "call"]
    assert writes == [
        ("ENV", "update", 12),
        ("web", "mount", 14),
        ("ENV", "append", 23),
        ("ENV", "pop", 28),
    ]
