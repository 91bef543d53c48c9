"""The literal behind a declaration keyword that names configuration held in this file:
`gpu=GPU` (a module constant), `gpu=SPEC.gpu` (an instance of a dataclass or of a plain
settings class built once at module level), `gpu=Settings.gpu` (a class attribute).

Only what nothing can change before the declaration runs counts: one module-level binding,
no `global`, no attribute of that name assigned anywhere in the file, no `setattr`, and a
class without bases, metaclass, `__init__`/`__post_init__`/`__getattr__`-style hooks or other
decorators than `@dataclass` (a pydantic `BaseSettings` reads the environment: not static).
Anything else is None: the mapping then treats the keyword as it did before.
"""

from __future__ import annotations

import ast

_HOOKS = ("__init__", "__new__", "__post_init__", "__getattr__", "__getattribute__", "__setattr__")
_MAX_DEPTH = 8
_SIMPLE = (
    ast.Assign,
    ast.AnnAssign,
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Import,
    ast.ImportFrom,
)


class StaticValues:
    def __init__(self, tree: ast.Module):
        self.tree = tree
        self.bindings: dict[str, list[ast.stmt]] = {}
        for stmt in tree.body:
            for name in _bound_names(stmt):
                self.bindings.setdefault(name, []).append(stmt)
        self.stored_attrs: set[str] = set()
        self.rebound: set[str] = set()  # `global x`, or stored outside the module level
        self.dynamic = False  # setattr(...) somewhere: no attribute is static
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
                self.stored_attrs.add(node.attr)
            elif isinstance(node, ast.Global):
                self.rebound.update(node.names)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                self.dynamic |= node.func.id in ("setattr", "delattr", "vars", "globals")
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                self.rebound.add(node.target.id)
        for stmt in tree.body:
            # a name bound in a module-level `if`/`for`/`try`/`with` block: not one binding
            if not isinstance(stmt, _SIMPLE):
                self.rebound.update(
                    n.id
                    for n in ast.walk(stmt)
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
                )

    def literal(self, node: ast.expr, depth: int = 0) -> ast.expr | None:
        """The value expression `node` stands for, or None when not known statically."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, ast.Name):
            stmt = self._one_assign(node.id)
            if stmt is None:
                return None
            return self._settle(stmt.value, depth)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if self.dynamic or node.attr in self.stored_attrs:
                return None
            return self._attribute(node.value.id, node.attr, depth)
        return None

    def _settle(self, value: ast.expr | None, depth: int) -> ast.expr | None:
        if value is None:
            return None
        if isinstance(value, (ast.Name, ast.Attribute)):
            deeper = self.literal(value, depth + 1)
            # `GpuGroup.X` is itself the literal: an attribute of an imported name
            return deeper if deeper is not None else value
        return value

    def _one_assign(self, name: str) -> ast.Assign | ast.AnnAssign | None:
        stmts = self.bindings.get(name, [])
        if len(stmts) != 1 or name in self.rebound:
            return None
        stmt = stmts[0]
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
        ):
            return stmt
        if isinstance(stmt, ast.AnnAssign) and stmt.value is not None and stmt.simple:
            return stmt
        return None

    def _class(self, name: str) -> tuple[ast.ClassDef, bool] | None:
        """(the class, is a dataclass) when `name` is a settings class whose attributes are
        what its body says."""
        stmts = self.bindings.get(name, [])
        if len(stmts) != 1 or not isinstance(stmts[0], ast.ClassDef) or name in self.rebound:
            return None
        cls = stmts[0]
        if cls.bases or cls.keywords:
            return None
        marks = [_decorator_name(d) for d in cls.decorator_list]
        if any(m != "dataclass" for m in marks) or len(marks) > 1:
            return None
        if any(_no_init(d) for d in cls.decorator_list):
            return None
        for stmt in cls.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name in _HOOKS:
                return None
        return cls, bool(marks)

    def _attribute(self, owner: str, attr: str, depth: int) -> ast.expr | None:
        found = self._class(owner)
        if found is not None:  # `Settings.gpu`
            return self._settle(_class_attr(found[0], attr), depth)
        stmt = self._one_assign(owner)
        if stmt is None or not isinstance(stmt.value, ast.Call):
            return None
        call = stmt.value
        if not isinstance(call.func, ast.Name):
            return None
        found = self._class(call.func.id)
        if found is None:
            return None
        cls, is_dataclass = found
        if call.args or any(k.arg is None for k in call.keywords):
            return None
        given = next((k.value for k in call.keywords if k.arg == attr), None)
        if given is not None:
            return self._settle(given, depth) if is_dataclass else None
        if call.keywords and not is_dataclass:
            return None  # a plain class called with arguments it has no __init__ for
        return self._settle(_class_attr(cls, attr), depth)


def _bound_names(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, ast.Assign):
        return [n.id for t in stmt.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
    if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)):
        return [stmt.target.id] if isinstance(stmt.target, ast.Name) else []
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [stmt.name]
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split(".")[0] for a in stmt.names]
    return []


def _decorator_name(node: ast.expr) -> str:
    func = node.func if isinstance(node, ast.Call) else node
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _no_init(node: ast.expr) -> bool:
    """`@dataclass(init=False)`: the call's keywords would not set the fields."""
    if not isinstance(node, ast.Call):
        return False
    return any(
        k.arg == "init" and not (isinstance(k.value, ast.Constant) and k.value.value)
        for k in node.keywords
    )


def _class_attr(cls: ast.ClassDef, attr: str) -> ast.expr | None:
    """The one value the class body gives `attr` (`attr = v` or `attr: T = v`), else None;
    a dataclass `field(...)` default is not read."""
    values = []
    for stmt in cls.body:
        if isinstance(stmt, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == attr for t in stmt.targets
        ):
            values.append(stmt.value if len(stmt.targets) == 1 else None)
        elif (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == attr
        ):
            values.append(stmt.value)
        elif (
            isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and stmt.name == attr
        ):
            return None
    if len(values) != 1 or values[0] is None:
        return None
    value = values[0]
    if isinstance(value, ast.Call) and _decorator_name(value) == "field":
        return None
    return value
