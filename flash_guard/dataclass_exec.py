"""The methods `dataclasses` writes for flash_guard's dataclasses, compiled at install, not per run.

`@dataclass` writes the text of `__init__`, `__repr__`, `__eq__`... and compiles it with
`exec(text, globals, ns)` at import: for flash_guard's ~120 dataclasses that is ~470 texts
(~190 KB) compiled on every run, about a third of the import time of the whole package.
Python keeps the bytecode of our modules in `__pycache__`, not that of exec'd text.

`python -m flash_guard.dataclass_exec --write` records the texts on the running Python and
writes them into `flash_guard/dataclass_code/py3NN_<module>.py`, one table per module of
ours, as real `def`s, so Python's own bytecode cache (written by pip at install) holds
their code. The console script and
`python -m flash_guard` call `install()` before the analysis is imported: it puts an `exec`
into the `dataclasses` module's namespace (its methods call the module-global name `exec`,
CPython 3.10-3.13) that takes the code for a known text from the table of the module the
class is defined in (`globals["__name__"]`) and hands the
builtin `exec` the code object the text would compile to: same file name (`<string>`), lines,
names and constants, so the methods are the same. A text that is not in the module (another
Python, a changed class, another package's dataclass) is passed on unchanged. Code comes only
from flash_guard's own package, never from a cache directory. A library caller that imports
flash_guard gets the plain `dataclasses`.

No `from __future__ import annotations` here: `exec` of a text compiles it with the future
flags of its caller, and `dataclasses` has none, so neither may this module (its own
`compile` calls say `dont_inherit=True` as well).
"""

import sys
from types import CodeType

_BUILTIN_EXEC = exec
_TEMPLATE_TEXT = "def __create_fn__():\n pass"
TABLE_PACKAGE = "flash_guard.dataclass_code"


def table_module_name(table: str, version=None) -> str:
    """`flash_guard.dataclass_code.py311_discover_resolve`: the table of
    flash_guard.discover.resolve on Python 3.11. One table per module, not one for all:
    a run loads only the tables of the modules it imports, each when that module's classes
    are made, and each is used up at once. One big table cost a run that imports a few
    modules more than it saved, and left a big run ~0.2 MiB more at its peak."""
    major, minor = (version or sys.version_info)[:2]
    return f"{TABLE_PACKAGE}.py{major}{minor}_{table}"


def table_of(module_name) -> str | None:
    """The table name of a module of flash_guard (`discover_resolve`), or None for any
    other module."""
    if type(module_name) is not str or not module_name.startswith("flash_guard."):
        return None
    parts = module_name.split(".")
    if parts[1] == "dataclass_code":
        return None
    return "_".join(parts[1:])


def install() -> None:
    """Give `dataclasses` the caching `exec` for the rest of this process. Only the console
    script and `python -m flash_guard` call this; anything already standing there is kept."""
    import dataclasses

    if "exec" not in vars(dataclasses):
        dataclasses.exec = caching_exec(_load_table)


def caching_exec(load_table):
    """An `exec` that runs a known text's stored code and any other source as given.
    `load_table(table)` is called once per table, at its first text: {text: (code of its
    `__create_fn__`, line table of the text's module code)}."""
    tables = {}
    template = None
    stats = {"hits": 0, "misses": 0}

    def exec(source, globals=None, locals=None, /):  # noqa: A001 - it stands in for exec
        nonlocal template
        entry = None
        if type(source) is str and type(globals) is dict:
            table = table_of(globals.get("__name__"))
            if table is not None:
                if table not in tables:
                    tables[table] = load_table(table)
                # Popped: the relocated copy made below is the one the methods keep.
                entry = tables[table].pop(source, None)
        if entry is None:
            stats["misses"] += 1
            return _BUILTIN_EXEC(source, globals, locals)
        if template is None:
            template = compile(_TEMPLATE_TEXT, "<string>", "exec", dont_inherit=True)
        stats["hits"] += 1
        return _BUILTIN_EXEC(text_code(*entry, template), globals, locals)

    exec.stats = stats
    return exec


def text_code(create_fn: CodeType, linetable: bytes, template: CodeType) -> CodeType:
    """The module code object `compile(text, "<string>", "exec")` gives for a text that is
    one `def __create_fn__` statement whose code, defined in the table module, is
    `create_fn`: that code moved to line 1 of `<string>`, in the code that defines it. The
    defining code is the template's (`def __create_fn__(): pass` compiles to the same
    instructions); only its positions, which span the whole text, come from the table."""
    inner = _relocated(create_fn, create_fn.co_firstlineno - 1)
    consts = tuple(inner if isinstance(c, CodeType) else c for c in template.co_consts)
    return template.replace(co_consts=consts, co_linetable=linetable)


def _relocated(code: CodeType, shift: int) -> CodeType:
    # Line tables are relative to co_firstlineno: moving it moves every line.
    consts = tuple(_relocated(c, shift) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(
        co_filename="<string>", co_firstlineno=code.co_firstlineno - shift, co_consts=consts
    )


def _load_table(table: str) -> dict:
    """The running Python's table of a module, or {} when there is none or when loading it
    would compile it (no bytecode and none may be written): that costs more than it saves."""
    import importlib.util

    spec = importlib.util.find_spec(table_module_name(table))
    if spec is None or spec.origin is None or spec.loader is None:
        return {}
    if sys.dont_write_bytecode and not _has_bytecode(spec.origin):
        return {}
    # Run, not registered in sys.modules: its table is all that is kept, and each entry is
    # freed once used.
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CODES


def _has_bytecode(source_path: str) -> bool:
    import importlib.util
    import os

    try:
        return os.path.exists(importlib.util.cache_from_source(source_path))
    except (NotImplementedError, ValueError):
        return False


# --- generating the table -----------------------------------------------------------------

_COLLECT = r"""
import dataclasses, importlib, json, pkgutil, sys
texts = []
real_exec = exec
def recording_exec(source, globals=None, locals=None, /):
    if type(source) is str and type(globals) is dict:
        texts.append((globals.get("__name__"), source))
    return real_exec(source, globals, locals)
assert "exec" not in vars(dataclasses), "dataclasses.exec is already replaced"
dataclasses.exec = recording_exec
import flash_guard
for info in pkgutil.walk_packages(flash_guard.__path__, "flash_guard."):
    if info.name == "flash_guard.__main__" or info.name.startswith(sys.argv[1] + "."):
        continue
    importlib.import_module(info.name)
json.dump(texts, sys.stdout)
"""


def collect_texts() -> dict[str, list[str]]:
    """{table: its texts} of every text `dataclasses` execs for flash_guard's modules while
    all of them are imported, in a fresh interpreter (here they may be imported already)."""
    import json
    import os
    import subprocess
    from pathlib import Path

    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-c", _COLLECT, TABLE_PACKAGE],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    tables: dict[str, set[str]] = {}
    modules: dict[str, str] = {}
    for module_name, text in json.loads(proc.stdout):
        table = table_of(module_name)
        if table is None:
            continue
        if modules.setdefault(table, module_name) != module_name:
            raise ValueError(f"{module_name} and {modules[table]} would share table {table}")
        tables.setdefault(table, set()).add(text)
    return {table: sorted(texts) for table, texts in sorted(tables.items())}


def module_text(texts: list[str]) -> str:
    version = "{}.{}".format(*sys.version_info[:2])
    parts = [
        f'"""Generated by `python -m flash_guard.dataclass_exec --write` on Python {version}: '
        "do not edit.\n\nThe code of method texts `dataclasses` compiles for flash_guard's"
        " dataclasses\non this Python, as `def`s (see flash_guard/dataclass_exec.py).\n"
        '"""\n\n# ruff: noqa\n# fmt: off\n\nCODES = {}\n\n'
    ]
    for text in texts:
        if not text.startswith("def __create_fn__("):
            raise ValueError(f"not a __create_fn__ text: {text[:60]!r}")
        linetable = compile(text, "<string>", "exec", dont_inherit=True).co_linetable
        parts.append(f"{text}\nCODES[{text!r}] = (__create_fn__.__code__, {linetable!r})\n\n")
    parts.append("del __create_fn__\n")
    return "".join(parts)


def table_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent / "dataclass_code"


def table_files() -> dict:
    """{path: text} of every table of the running Python, as generated now."""
    return {
        table_dir() / (table_module_name(table).rsplit(".", 1)[1] + ".py"): module_text(texts)
        for table, texts in collect_texts().items()
    }


def written_table_files() -> list:
    """The running Python's table files on disk."""
    prefix = table_module_name("").rsplit(".", 1)[1]
    return sorted(table_dir().glob(f"{prefix}*.py"))


def main(argv: list[str] | None = None) -> int:
    """`--write`: (re)write the running Python's tables; `--check`: exit 1 when they are
    out of date. Run once with each Python flash_guard supports."""
    import argparse

    from flash_guard.project.writes import write_atomically

    parser = argparse.ArgumentParser(prog="python -m flash_guard.dataclass_exec")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    wanted = table_files()
    stale = [path for path in written_table_files() if path not in wanted]
    if args.write:
        for path in stale:
            path.unlink()
        for path, text in wanted.items():
            write_atomically(path, text)
        return 0
    outdated = stale + [
        path
        for path, text in wanted.items()
        if not path.exists() or path.read_text("utf-8") != text
    ]
    for path in outdated:
        print(f"{path}: out of date", file=sys.stderr)
    if outdated:
        print("run: python -m flash_guard.dataclass_exec --write", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
