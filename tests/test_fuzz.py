"""Property-based tests: generated Flash code and mutated fixtures never crash a run, and
`ruff format` never changes what flash-guard finds.

The budget is small by default so CI stays fast; raise it for a long local run with
`FLASH_GUARD_FUZZ_EXAMPLES=2000 pytest tests/test_fuzz.py`. Runs are in-process (through
`flash_guard.cli.main` or `runner.run_check`); only `ruff format` is a subprocess.
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from file_tree import write_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flash_guard.cli import main
from flash_guard.pipeline import RunRequest, run_check
from flash_guard.sdk import flash_tables

EXAMPLES = int(os.environ.get("FLASH_GUARD_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_CASES = sorted({p.parent for p in FIXTURES.rglob("*.py") if "__pycache__" not in p.parts})


# -- running flash-guard ------------------------------------------------------------------------


@contextlib.contextmanager
def working_directory(path: Path):
    before = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def run_json(root: Path) -> tuple[int, dict]:
    """`flash-guard check --format json .` in `root`: the exit code must be 0 or 1, the
    output one JSON document, and nothing may reach stderr."""
    out, err = io.StringIO(), io.StringIO()
    with working_directory(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", "--format", "json", "--fail-on", "warning", "."])
    assert code in (0, 1), err.getvalue()
    # The one line allowed: a mutated project may have no Flash declaration left.
    assert err.getvalue() in ("", "warning: no Flash endpoints found in .\n")
    return code, json.loads(out.getvalue())


def finding_identities(root: Path) -> Counter:
    """(code, endpoint, parameter) of every finding: what a finding is, not where."""
    with working_directory(root):
        result, *_ = run_check(RunRequest(no_ignores=True, cwd=root))
    return Counter((f.code, f.endpoint, f.parameter) for f in result.findings)


# -- generating Flash declarations --------------------------------------------------------------

IDENTIFIER = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda s: s not in {"if", "in", "is", "or", "as", "and", "def", "for", "not", "del", "try"}
)
PARAMS = sorted(set(flash_tables.ENDPOINT_PARAMS) | {"name", "image", "id"}) + [
    "idle_timeout_s",
    "gpus",
    "workerz",
]
ENUMS = {
    "GpuType": sorted(flash_tables.GPU_TYPES) + ["NVIDIA_FAKE_9000"],
    "GpuGroup": sorted(flash_tables.GPU_GROUPS) + ["NOT_A_GROUP"],
    "CpuInstanceType": sorted(flash_tables.CPU_INSTANCE_TYPES) + ["CPU_FAKE"],
    "DataCenter": sorted(flash_tables.DATACENTERS) + ["MARS_1"],
    "CudaVersion": sorted(flash_tables.CUDA_VERSIONS) + ["V99_9"],
}


@st.composite
def import_style(draw) -> tuple[list[str], dict[str, str]]:
    """Import lines, and how the code spells each Flash name."""
    names = ["Endpoint", *ENUMS]
    package = draw(st.sampled_from(["runpod_flash", "runpod_flash", "tetra_rp"]))
    style = draw(st.sampled_from(["plain", "aliased", "module", "module_as", "submodule"]))
    if style == "plain":
        return [f"from {package} import {', '.join(names)}"], {n: n for n in names}
    if style == "aliased":
        aliases = {n: f"{n}_{draw(IDENTIFIER)}" for n in names}
        parts = ", ".join(f"{n} as {a}" for n, a in aliases.items())
        return [f"from {package} import ({parts},)"], aliases
    if style == "module":
        return [f"import {package}"], {n: f"{package}.{n}" for n in names}
    if style == "module_as":
        alias = draw(st.sampled_from(["rf", "flash", "sdk"]))
        return [f"import {package} as {alias}"], {n: f"{alias}.{n}" for n in names}
    return (
        [f"from {package}.endpoint import Endpoint", f"from {package} import {', '.join(ENUMS)}"],
        {n: n for n in names},
    )


def scalar(spell: dict[str, str], constants: list[str]):
    enum_refs = st.sampled_from(sorted(ENUMS)).flatmap(
        lambda enum: st.sampled_from(ENUMS[enum]).map(lambda m: f"{spell[enum]}.{m}")
    )
    options = [
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.integers(min_value=0, max_value=5000).map(lambda n: f"{n} * 60"),
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.text(max_size=12).map(repr),
        st.sampled_from(["True", "False", "None", '"cpu3c-1-2"', '"3.12"', "os.getenv('TOKEN')"]),
        enum_refs,
    ]
    if constants:
        options.append(st.sampled_from(constants))
    return st.one_of(*options)


def value(spell: dict[str, str], constants: list[str]):
    return st.recursive(
        scalar(spell, constants),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4).map(lambda xs: "(" + "".join(x + ", " for x in xs) + ")"),
            st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
            st.dictionaries(st.text(max_size=6).map(repr), inner, max_size=3).map(
                lambda d: "{" + ", ".join(f"{k}: {v}" for k, v in d.items()) + "}"
            ),
            st.dictionaries(IDENTIFIER, inner, max_size=3).map(
                lambda d: "dict(" + ", ".join(f"{k}={v}" for k, v in d.items()) + ")"
            ),
        ),
        max_leaves=8,
    )


@st.composite
def call_arguments(draw, spell: dict[str, str], constants: list[str]) -> str:
    keywords = draw(st.dictionaries(st.sampled_from(PARAMS), value(spell, constants), max_size=7))
    parts = [f"{k}={v}" for k, v in keywords.items()]
    if constants and draw(st.booleans()):
        parts.append(f"**{draw(st.sampled_from(constants))}")
    if not parts:
        return ""
    separators = draw(
        st.lists(
            st.sampled_from([", ", ",\n    ", ",  # a comment\n    ", ",\n\n    "]),
            min_size=len(parts) - 1,
            max_size=len(parts) - 1,
        )
    )
    out = parts[0]
    for sep, part in zip(separators, parts[1:], strict=True):
        out += sep + part
    trailing = draw(st.sampled_from(["", ",", ",\n"]))
    opening = draw(st.sampled_from(["", "\n    ", "  # why\n    "]))
    return opening + out + trailing


@st.composite
def flash_module(draw) -> str:
    imports, spell = draw(import_style())
    constants = []
    lines = ["import os", *imports, ""]
    for i in range(draw(st.integers(min_value=0, max_value=3))):
        name = f"CONST_{i}"
        lines.append(f"{name} = {draw(value(spell, constants))}")
        constants.append(name)
    if draw(st.booleans()):
        lines.append("BASE_ENV = {'A': '1', **dict(B='2')}")
        constants.append("BASE_ENV")
    endpoint = spell["Endpoint"]
    for i in range(draw(st.integers(min_value=1, max_value=3))):
        args = draw(call_arguments(spell, constants))
        comment = draw(st.sampled_from(["", "# flash-guard: profile=development\n", "# note\n"]))
        form = draw(st.sampled_from(["function", "class", "variable", "routes", "client"]))
        if form == "function":
            lines.append(
                f"{comment}@{endpoint}({args})\nasync def work_{i}(data):\n    return data"
            )
        elif form == "class":
            lines.append(f"@{endpoint}({args})\nclass Worker{i}:\n    def run(self, data): ...")
        elif form == "variable":
            lines.append(f"w{i} = {endpoint}({args})\n\n@w{i}\nasync def task_{i}(data): ...")
        elif form == "routes":
            method = draw(st.sampled_from(["get", "post", "put", "delete", "patch"]))
            lines.append(
                f"api{i} = {endpoint}({args})\n\n"
                f'@api{i}.{method}("/{draw(IDENTIFIER)}")\nasync def route_{i}(data): ...'
            )
        else:
            lines.append(f"client_{i} = {endpoint}(id={draw(st.text(max_size=8))!r})")
        lines.append("")
    return "\n".join(lines) + "\n"


# -- the properties -----------------------------------------------------------------------------


@FUZZ
@given(source=flash_module(), config=st.sampled_from([None, "x = 1\n"]))
def test_generated_declarations_never_crash(source, config):
    ast.parse(source)  # the generator writes valid Python; flash-guard must cope either way
    files = {"app.py": source}
    if config is not None:  # a sibling module the app does not need
        files["lib/helpers.py"] = config
    with tempfile.TemporaryDirectory() as tmp:
        write_tree(Path(tmp), files)
        _, doc = run_json(Path(tmp))
    assert isinstance(doc["findings"], list) and isinstance(doc["endpoints"], list)
    assert doc["summary"]["files"] == len(files)


MUTATION = st.tuples(
    st.sampled_from(["insert", "delete", "flip", "truncate"]),
    st.floats(min_value=0, max_value=1, exclude_max=True),
    st.integers(min_value=0, max_value=255),
)


def mutate(data: bytes, mutations: list[tuple[str, float, int]]) -> bytes:
    out = bytearray(data)
    for op, where, byte in mutations:
        at = int(where * (len(out) + 1))
        if op == "insert":
            out[at:at] = bytes([byte])
        elif op == "delete":
            del out[at : at + 1 + byte % 8]
        elif op == "flip" and at < len(out):
            out[at] ^= 1 << (byte % 8)
        elif op == "truncate":
            del out[at:]
    return bytes(out)


@pytest.mark.skipif(not FIXTURE_CASES, reason="no fixtures under tests/fixtures")
@FUZZ
@given(
    case=st.sampled_from(FIXTURE_CASES or [FIXTURES]),
    which=st.integers(min_value=0),
    mutations=st.lists(MUTATION, min_size=1, max_size=6),
)
def test_mutated_fixtures_never_crash(case, which, mutations):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "case"
        shutil.copytree(case, root)
        sources = sorted(root.rglob("*.py"))
        target = sources[which % len(sources)]
        target.write_bytes(mutate(target.read_bytes(), mutations))
        _, doc = run_json(root)
    assert isinstance(doc["findings"], list)


RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")


def ruff_format(path: Path) -> bool:
    proc = subprocess.run(
        [RUFF, "format", "--isolated", "--no-cache", "--quiet", str(path)],
        capture_output=True,
        timeout=60,
    )
    return proc.returncode == 0


@pytest.mark.skipif(RUFF is None, reason="the ruff binary is not installed")
@FUZZ
@given(source=flash_module(), width=st.sampled_from([40, 88, 120]))
def test_ruff_format_does_not_change_findings(source, width):
    with tempfile.TemporaryDirectory() as tmp:
        before, after = Path(tmp) / "before", Path(tmp) / "after"
        write_tree(before, {"app.py": source})
        write_tree(after, {"app.py": source})
        (after / "ruff.toml").write_text(f"line-length = {width}\n", "utf-8")
        proc = subprocess.run(
            [RUFF, "format", "--no-cache", "--quiet", "app.py"],
            cwd=after,
            capture_output=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        (after / "ruff.toml").unlink()
        assert finding_identities(after) == finding_identities(before)


@pytest.mark.skipif(RUFF is None, reason="the ruff binary is not installed")
@pytest.mark.parametrize(
    "case", FIXTURE_CASES, ids=[str(c.relative_to(FIXTURES)) for c in FIXTURE_CASES]
)
def test_ruff_format_of_each_fixture_does_not_change_findings(case, tmp_path):
    before, after = tmp_path / "before", tmp_path / "after"
    shutil.copytree(case, before)
    shutil.copytree(case, after)
    for path in sorted(after.rglob("*.py")):
        try:
            ast.parse(path.read_bytes().decode("utf-8"))
        except (SyntaxError, ValueError):  # UnicodeDecodeError is a ValueError
            continue  # a fixture that is broken on purpose: ruff would refuse it
        assert ruff_format(path), path
    assert finding_identities(after) == finding_identities(before)


# -- the fast paths agree with the slow definitions they replace --------------------------------

LITERAL_TEXT = st.one_of(
    st.text(alphabet="\"'\\\nrbf{}x0 \r\té", max_size=10),
    st.text(max_size=8).map(repr),
    st.integers(min_value=-5, max_value=10**30).map(str),
    st.text(alphabet="0123456789_xob.ej", max_size=8),
)


@FUZZ
@given(text=LITERAL_TEXT)
def test_fast_literals_agree_with_literal_eval(text):
    from flash_guard.discover.parse import _simple_literal

    fast = _simple_literal(text)
    if fast is None:
        return  # left to ast.literal_eval itself
    try:
        expected = (True, ast.literal_eval(text))
    except (ValueError, SyntaxError):
        expected = (False, None)
    assert fast == expected and type(fast[1]) is type(expected[1])


IMPORT_LINES = st.lists(
    st.sampled_from(
        [
            "import os",
            "import a.b as c, d",
            "from . import x",
            "from ..pkg.mod import (a, b as c,",
            "    d)",
            "  from app.main import api",
            "from importlib import util",
            "x = 'import y'",
            "# import z",
            "importx = 1",
            "from\tm\timport\tn",
            "\r",
            "",
            "é = 1  # import ü",
        ]
    ),
    max_size=12,
)


@FUZZ
@given(lines=IMPORT_LINES, newline=st.sampled_from(["\n", "\r\n"]))
def test_import_hints_match_the_anchored_regex(lines, newline):
    """`_import_hints` jumps between lines that contain `import`; it must find exactly what
    the pattern anchored at every line start (the obvious, slow way) finds."""
    import re

    from flash_guard.project.files import _IMPORT_LINE, _add_hint, _import_hints

    data = newline.join(lines).encode()
    anchored = re.compile(b"^" + _IMPORT_LINE.pattern, re.MULTILINE)
    expected: list = []
    for match in anchored.finditer(data):
        _add_hint(expected, match)
    assert _import_hints(data) == expected


@FUZZ
@given(
    case=st.sampled_from(FIXTURE_CASES or [FIXTURES]),
    which=st.integers(min_value=0),
    mutations=st.lists(MUTATION, min_size=1, max_size=4),
)
def test_syntax_error_search_matches_a_full_walk(case, which, mutations):
    """The native search for the first syntax error finds what walking every node finds."""
    from ast_grep_py import SgRoot

    from flash_guard.discover.facts import first_syntax_error
    from flash_guard.discover.parse import span_of

    sources = sorted(case.rglob("*.py"))
    if not sources:
        return
    data = mutate(sources[which % len(sources)].read_bytes(), mutations)
    root = SgRoot(data.decode("utf-8", "replace"), "python").root()
    stack, expected = [root], None
    while stack:
        node = stack.pop()
        kind = node.kind()
        if kind == "ERROR" or (node.is_leaf() and node.text() == "" and kind != "module"):
            span = span_of(node)
            if expected is None or span < expected[0]:
                missing = f"missing `{kind}`"
                expected = (span, "unexpected syntax" if kind == "ERROR" else missing)
            continue
        stack.extend(node.children())
    assert first_syntax_error(root) == expected


# -- generated project structures ---------------------------------------------------------------

# How module i takes `Endpoint` from module j (its source).
_REEXPORT_FORMS = {
    "from": "from {src} import Endpoint\n",
    "parenthesised": "from {src} import (\n    Endpoint,  # re-exported\n)\n",
    "star": "from {src} import *\n",
    "alias": "from {src} import Endpoint as _E{i}\nEndpoint = _E{i}\n",
    "module": "import {src}\nEndpoint = {src}.Endpoint\n",
    "package": "from .{src} import Endpoint\n",
}


@st.composite
def project_structures(draw):
    """A chain of modules each re-exporting `Endpoint` from the previous one (in any of the
    forms above, with any newline), extra imports between them that can close cycles, and
    a worker that declares an endpoint through the last link."""
    hops = draw(st.integers(min_value=1, max_value=8))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    files: dict[str, str | bytes] = {"pkg/__init__.py": ""}
    files["pkg/m0.py"] = "from runpod_flash import Endpoint\n"
    for i in range(1, hops):
        form = draw(st.sampled_from(sorted(_REEXPORT_FORMS)))
        src = f"m{i - 1}" if form == "package" else f"pkg.m{i - 1}"
        files[f"pkg/m{i}.py"] = _REEXPORT_FORMS[form].format(src=src, i=i)
    extra = draw(
        st.lists(st.tuples(st.integers(0, hops - 1), st.integers(0, hops - 1)), max_size=4)
    )
    for a, b in extra:  # back edges: cycles through the chain
        star = draw(st.booleans())
        line = f"from pkg.m{b} import *\n" if star else f"from pkg.m{b} import Endpoint as _x{b}\n"
        files[f"pkg/m{a}.py"] += line
    files["worker.py"] = (
        f"from pkg.m{hops - 1} import Endpoint\n\n"
        '@Endpoint(name="w", cpu="cpu3c-1-2")\nasync def f(data): ...\n'
    )
    return {k: v.replace("\n", newline).encode() for k, v in files.items()}


@settings(
    max_examples=max(10, EXAMPLES // 2),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(files=project_structures())
def test_generated_project_structures_finish_and_find_or_report(files):
    """Whatever the import graph (re-export chains, aliases, star imports, cycles), a run
    ends in bounded time without a crash, and the declaration reached through the chain is
    found or reported (FG001/FG002), never silently dropped. A subprocess with a timeout,
    so a hang fails the example instead of the suite."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_tree(root, files)
        proc = subprocess.run(
            [sys.executable, "-m", "flash_guard", "check", "--format", "json", "."],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        )
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    found = {e["name"] for e in doc["endpoints"]}
    reported = {f["code"] for f in doc["findings"]} & {"FG001", "FG002"}
    assert "w" in found or reported, files
