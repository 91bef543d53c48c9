"""The dataclass method tables (flash_guard/dataclass_exec.py): in step with the classes, each
entry the code its text compiles to, and with the hook every flash_guard dataclass gets the
same methods as without it; a text not in a table is compiled as before."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import CodeType

import pytest

from flash_guard import dataclass_exec

REPO = Path(__file__).resolve().parent.parent
NO_TABLES = (
    f"no dataclass method tables for Python {sys.version_info[0]}.{sys.version_info[1]}: run "
    "`python -m flash_guard.dataclass_exec --write` with it (runs compile the texts meanwhile)"
)


def _tables() -> list[Path]:
    return dataclass_exec.written_table_files()


def _run(code: str, tmp_path: Path, hook: bool) -> dict:
    """Run `code` in a fresh interpreter with bytecode written (to tmp_path) as an installed
    flash-guard has it; the hook installed first when `hook`. Its stdout is JSON."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "pycache")
    env["PYTHONHASHSEED"] = "0"  # set defaults are compared by their repr
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    prefix = "from flash_guard import dataclass_exec\ndataclass_exec.install()\n" if hook else ""
    proc = subprocess.run(
        [sys.executable, "-c", prefix + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_the_tables_of_this_python_are_up_to_date():
    if not _tables():
        pytest.skip(NO_TABLES)
    assert dataclass_exec.main(["--check"]) == 0, (
        "run: python -m flash_guard.dataclass_exec --write"
    )


def _assert_same_code(made: CodeType, compiled: CodeType, where: str) -> None:
    assert made == compiled, where
    for attr in ("co_filename", "co_name", "co_qualname", "co_firstlineno", "co_linetable"):
        assert getattr(made, attr, None) == getattr(compiled, attr, None), (where, attr)
    assert list(made.co_lines()) == list(compiled.co_lines()), where
    if hasattr(made, "co_positions"):
        assert list(made.co_positions()) == list(compiled.co_positions()), where
    inner = [c for c in made.co_consts if isinstance(c, CodeType)]
    expected = [c for c in compiled.co_consts if isinstance(c, CodeType)]
    assert len(inner) == len(expected), where
    for a, b in zip(inner, expected, strict=True):
        _assert_same_code(a, b, f"{where}/{a.co_name}")


def test_every_table_entry_is_the_code_its_text_compiles_to():
    if not _tables():
        pytest.skip(NO_TABLES)
    # dont_inherit: this file's `from __future__ import annotations` is not dataclasses'.
    template = compile(dataclass_exec._TEMPLATE_TEXT, "<string>", "exec", dont_inherit=True)
    count = 0
    for path in _tables():
        table = importlib.import_module(f"{dataclass_exec.TABLE_PACKAGE}.{path.stem}")
        for text, entry in table.CODES.items():
            made = dataclass_exec.text_code(*entry, template)
            compiled = compile(text, "<string>", "exec", dont_inherit=True)
            _assert_same_code(made, compiled, f"{path.name}: {text}")
            count += 1
    assert count > 100


_DESCRIBE = """
import dataclasses, importlib, inspect, json, pkgutil, re, sys
import flash_guard

def clean(value):
    return re.sub(r" at 0x[0-9a-f]+", "", repr(value))

def code(c):
    return {
        "code": c.co_code.hex(), "names": c.co_names, "varnames": c.co_varnames,
        "freevars": c.co_freevars, "cellvars": c.co_cellvars, "flags": c.co_flags,
        "file": c.co_filename, "line": c.co_firstlineno, "table": c.co_linetable.hex(),
        "qualname": getattr(c, "co_qualname", None), "lines": list(c.co_lines()),
        "consts": [code(k) if isinstance(k, type(c)) else clean(k) for k in c.co_consts],
    }

def method(fn):
    fn = inspect.unwrap(fn)
    return {
        "qualname": fn.__qualname__, "module": fn.__module__, "code": code(fn.__code__),
        "defaults": clean(fn.__defaults__), "kwdefaults": clean(fn.__kwdefaults__),
        "annotations": clean(fn.__annotations__),
        "closure": [clean(cell.cell_contents) for cell in fn.__closure__ or ()],
    }

def field(f):
    return [f.name, clean(f.type), f.init, f.repr, f.hash, f.compare, clean(f.default),
            clean(f.default_factory), getattr(f, "kw_only", None), clean(f._field_type)]

classes = {}
for info in pkgutil.walk_packages(flash_guard.__path__, "flash_guard."):
    if info.name == "flash_guard.__main__" or info.name.startswith("flash_guard.dataclass_code."):
        continue
    module = importlib.import_module(info.name)
    for name, cls in vars(module).items():
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            continue
        if cls.__module__ != info.name:
            continue
        generated = {
            key: method(value) for key, value in vars(cls).items()
            if callable(value) and getattr(inspect.unwrap(value), "__code__", None) is not None
            and inspect.unwrap(value).__code__.co_filename == "<string>"
        }
        classes[f"{info.name}.{cls.__qualname__}"] = {
            "signature": clean(str(inspect.signature(cls))),
            "params": clean(cls.__dataclass_params__),
            "fields": [field(f) for f in dataclasses.fields(cls)],
            "hash": "__hash__" in vars(cls) and vars(cls)["__hash__"] is None,
            "match_args": getattr(cls, "__match_args__", None),
            "slots": clean(vars(cls).get("__slots__")),
            "methods": generated,
        }
stats = getattr(dataclasses.__dict__.get("exec"), "stats", None)
json.dump({"classes": classes, "stats": stats}, sys.stdout)
"""


def test_with_the_hook_every_flash_guard_dataclass_gets_the_same_methods(tmp_path):
    plain = _run(_DESCRIBE, tmp_path, hook=False)
    hooked = _run(_DESCRIBE, tmp_path, hook=True)
    assert len(plain["classes"]) > 100
    assert plain["stats"] is None  # importing flash_guard alone leaves dataclasses as it is
    assert hooked["classes"].keys() == plain["classes"].keys()
    for name, described in plain["classes"].items():
        assert hooked["classes"][name] == described, name
    methods = sum(len(c["methods"]) for c in plain["classes"].values())
    assert methods > 300
    if _tables():  # on a Python with tables, every text came from them
        assert hooked["stats"]["misses"] == 0
        assert hooked["stats"]["hits"] > 100
    else:
        assert hooked["stats"]["hits"] == 0, NO_TABLES


_NOT_IN_A_TABLE = """
import dataclasses, json, sys
import flash_guard.model

@dataclasses.dataclass(order=True, frozen=True)
class Local:
    a: int
    b: tuple = dataclasses.field(default_factory=tuple)

# A flash_guard module's class whose text no table holds (a class changed since --write).
space = {"__name__": "flash_guard.model"}
exec(
    "import dataclasses\\n"
    "@dataclasses.dataclass(order=True)\\n"
    "class Changed:\\n"
    "    novel_field_name: int\\n"
    "    other: str = 'x'\\n",
    space,
)
Changed = space["Changed"]

out = {"stats": dict(dataclasses.exec.stats)}
x, y = Local(1), Local(2, (3,))
out["local"] = [repr(x), x < y, x == Local(1), hash(x) == hash(Local(1)),
                repr(dataclasses.replace(y, a=5)), [f.name for f in dataclasses.fields(Local)]]
try:
    x.a = 2
except dataclasses.FrozenInstanceError as exc:
    out["frozen"] = type(exc).__name__
out["annotation_is_a_type"] = Local.__init__.__annotations__["a"] is int
c = Changed(1)
out["changed"] = [repr(c), c < Changed(2), c == Changed(1, "x"), type(Changed.__init__).__name__,
                  Changed.__init__.__code__.co_filename, Changed.__init__.__qualname__]
json.dump(out, sys.stdout)
"""


def test_a_text_not_in_a_table_is_compiled_as_before(tmp_path):
    hooked = _run(_NOT_IN_A_TABLE, tmp_path, hook=True)
    plain = _run(_NOT_IN_A_TABLE.replace("dict(dataclasses.exec.stats)", "None"), tmp_path, False)
    assert hooked["stats"]["misses"] >= 2  # Local (not ours) and Changed (not in the table)
    for key in ("local", "frozen", "annotation_is_a_type", "changed"):
        assert hooked[key] == plain[key], key
    assert hooked["annotation_is_a_type"] is True
    assert hooked["frozen"] == "FrozenInstanceError"
    assert hooked["changed"][4:] == ["<string>", "Changed.__init__"]


def test_both_entry_points_install_the_hook(tmp_path):
    probe = """
    import contextlib, dataclasses, io, json, runpy, sys
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        sys.argv = ["flash-guard", "--version"]
        runpy.run_module("flash_guard", run_name="__main__")
    by_main = "exec" in vars(dataclasses)
    del dataclasses.exec
    from flash_guard import entry
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        entry._replayed_or_run(["--version"])
    json.dump([by_main, "exec" in vars(dataclasses)], sys.stdout)
    """
    assert _run(probe, tmp_path, hook=False) == [True, True]


def test_install_keeps_an_exec_already_in_dataclasses(monkeypatch):
    import dataclasses

    def other(*args):
        raise AssertionError("not called")

    monkeypatch.setattr(dataclasses, "exec", other, raising=False)
    dataclass_exec.install()
    assert dataclasses.exec is other


def test_no_table_is_loaded_when_it_would_be_compiled(monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    monkeypatch.setattr(dataclass_exec, "_has_bytecode", lambda path: False)
    assert dataclass_exec._load_table("model") == {}


def test_tables_are_per_module_of_flash_guard_only():
    assert dataclass_exec.table_of("flash_guard.discover.resolve") == "discover_resolve"
    assert dataclass_exec.table_of("flash_guard.cli") == "cli"
    assert dataclass_exec.table_of("flash_guard.dataclass_code.py311_cli") is None
    assert dataclass_exec.table_of("flash_guardian.x") is None
    assert dataclass_exec.table_of("__main__") is None
    assert dataclass_exec.table_of(None) is None


def test_the_installation_signature_leaves_the_tables_out(tmp_path, monkeypatch):
    # A replay must not be lost because Python wrote the tables' bytecode cache (the folder's
    # mtime moves) or because a table was regenerated: tables change no output.
    from flash_guard import build_id

    tables = tmp_path / "dataclass_code"
    tables.mkdir()
    (tmp_path / "cli.py").write_text("x = 1\n")
    (tables / "py311_cli.py").write_text("CODES = {}\n")
    monkeypatch.setattr(build_id, "PACKAGE_DIR", str(tmp_path))
    monkeypatch.setattr(build_id, "_TABLES_DIR", str(tables))
    before = build_id.installation_signature()
    (tables / "__pycache__").mkdir()
    (tables / "py311_model.py").write_text("CODES = {}\n")
    (tables / "py311_cli.py").write_text("CODES = {1: 2}\n")
    assert build_id.installation_signature() == before
    (tmp_path / "cli.py").write_text("x = 22\n")  # any other file of the package counts
    assert build_id.installation_signature() != before
