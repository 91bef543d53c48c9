"""Score flash-guard on the labelled corpus (tests/corpus/*/expected.yaml).

    python scripts/corpus_score.py [--per-code] [--verbose]

Each project is copied to a temporary directory (so no configuration above it applies) and
checked like tests/test_corpus.py does. Prints:

    precision  matched / reported      (findings matching a label by code, path and line)
    recall     matched / labelled
    FG002/endpoint  reported FG002 / discovered deployable declarations
    declarations    discovered / labelled

Run it from the checkout whose flash_guard you want to score (PYTHONPATH=<checkout>).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "corpus"


def _cli(args: list[str], cwd: Path) -> dict:
    from flash_guard.cli import main

    out, here = io.StringIO(), os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main([*args, "--format", "json", "."])
    finally:
        os.chdir(here)
    if code not in (0, 1):
        raise SystemExit(f"flash-guard {' '.join(args)} failed in {cwd} (exit {code})")
    return json.loads(out.getvalue())


def score(verbose: bool = False) -> dict:
    totals: Counter = Counter()
    per_code: dict[str, Counter] = {}
    with tempfile.TemporaryDirectory(prefix="flash-guard-corpus-") as tmp:
        for project in sorted(p for p in CORPUS.iterdir() if (p / "expected.yaml").is_file()):
            expected = yaml.safe_load((project / "expected.yaml").read_text("utf-8"))
            root = Path(tmp) / project.name
            shutil.copytree(project, root, ignore=shutil.ignore_patterns("expected.yaml"))
            report = _cli(["check", "--fail-on", "never"], root)
            endpoints = _cli(["endpoints"], root)["endpoints"]
            got = Counter((f["code"], f["path"], f["line"]) for f in report["findings"])
            labels = expected.get("findings") or []
            want = Counter((f["code"], f["path"], f["line"]) for f in labels)
            hit = got & want
            totals.update(
                reported=sum(got.values()),
                labelled=sum(want.values()),
                matched=sum(hit.values()),
                fg002=sum(n for (c, _, _), n in got.items() if c == "FG002"),
                endpoints=sum(1 for e in endpoints if e["kind"] != "client"),
                declarations=expected["declarations"],
            )
            for name, bag in (("reported", got), ("labelled", want), ("matched", hit)):
                for (code, _, _), n in bag.items():
                    per_code.setdefault(code, Counter())[name] += n
            if verbose and got != want:
                print(f"{project.name}: missing {sorted((want - got).elements())}")
                print(f"{project.name}: unexpected {sorted((got - want).elements())}")
    return {"totals": totals, "per_code": per_code}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-code", action="store_true", help="a row per finding code")
    parser.add_argument("--verbose", action="store_true", help="each project's differences")
    args = parser.parse_args(argv)
    result = score(args.verbose)
    t = result["totals"]
    print(f"precision {t['matched']}/{t['reported']}, recall {t['matched']}/{t['labelled']}")
    ratio = t["fg002"] / t["endpoints"] if t["endpoints"] else 0.0
    print(f"FG002/endpoint {t['fg002']}/{t['endpoints']} = {ratio:.3f}")
    print(f"declarations {t['endpoints']}/{t['declarations']}")
    if args.per_code:
        print("code   reported labelled matched")
        for code, c in sorted(result["per_code"].items()):
            print(f"{code}  {c['reported']:8} {c['labelled']:8} {c['matched']:7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
