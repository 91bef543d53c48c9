"""checks/undefined.py: FG002 calls a name undefined only when nothing in the module binds it."""

from __future__ import annotations

import textwrap

import pytest

from flash_guard.checks.undefined import undefined_name
from flash_guard.model import Span

USE = 'ep = Endpoint(name="x", gpu=Gpu.ANY)\n'
# Each form binds `Gpu` somewhere in the module: no certainty.
BINDINGS = {
    "import": "import Gpu\n",
    "from-import": "from sdk import Gpu\n",
    "import-as": "import sdk as Gpu\n",
    "assignment": "Gpu = None\n",
    "annotated": "Gpu: object = None\n",
    "augmented": "Gpu += 1\n",
    "unpacking": "a, Gpu = 1, 2\n",
    "starred-target": "a, *Gpu = 1, 2\n",
    "for-target": "for Gpu in []:\n    pass\n",
    "with-target": "with open('x') as Gpu:\n    pass\n",
    "except-target": "try:\n    pass\nexcept Exception as Gpu:\n    pass\n",
    "walrus": "if (Gpu := 1):\n    pass\n",
    "global": "def f():\n    global Gpu\n",
    "def": "def Gpu():\n    pass\n",
    "class": "class Gpu:\n    pass\n",
    "parameter": "def f(Gpu):\n    pass\n",
    "default-parameter": "def f(Gpu=1):\n    pass\n",
    "lambda-parameter": "f = lambda Gpu: Gpu\n",
    "comprehension": "xs = [1 for Gpu in []]\n",
    "match-capture": "match 1:\n    case Gpu:\n        pass\n",
    "del": "del Gpu\n",
    "star-import": "from sdk import *\n",
    "globals": "globals()['Gpu'] = 1\n",
}


def _check(source: str, line: int, column: int = 29) -> str | None:
    return undefined_name(source, "app.py", Span(line, column, line, column + 7), "Gpu.ANY")


def test_a_name_nothing_binds_is_undefined():
    source = "from runpod_flash import Endpoint\n" + USE + "print(Gpu)\n"
    assert _check(source, 2) == "Gpu"


@pytest.mark.parametrize("form", list(BINDINGS))
def test_any_binding_anywhere_keeps_it_unknown(form):
    source = "from runpod_flash import Endpoint\n" + USE + textwrap.dedent(BINDINGS[form])
    assert _check(source, 2) is None, form


@pytest.mark.parametrize(
    "wrap",
    [
        "def f():\n    {}",
        "if X:\n    {}",
        "try:\n    {}\nexcept NameError:\n    pass",
    ],
)
def test_only_where_it_runs_at_import(wrap):
    source = "from runpod_flash import Endpoint\n" + wrap.format(USE)
    assert _check(source, 3, 33) is None


def test_not_a_builtin_a_dunder_or_an_init():
    assert _check("ep = Endpoint(name='x', gpu=Gpu.ANY)\n", 1, 29) == "Gpu"
    assert undefined_name("x = print.ANY\n", "app.py", Span(1, 5, 1, 14), "print.ANY") is None
    assert undefined_name("x = __name__\n", "app.py", Span(1, 5, 1, 13), "__name__") is None
    init = "ep = Endpoint(name='x', gpu=Gpu.ANY)\n"
    assert undefined_name(init, "pkg/__init__.py", Span(1, 29, 1, 36), "Gpu.ANY") is None


def test_a_module_level_class_body_runs_at_import():
    source = "from runpod_flash import Endpoint\nclass C:\n    " + USE
    assert _check(source, 3, 33) == "Gpu"
