"""Environment reads at module level that a worker's body depends on (FG108).

`MODEL_ID = os.getenv("MODEL_ID", "x")` at module level runs when the module is imported.
The deployed worker imports the declaring module (runpod 2.0 imports the manifest's
`module`; the handler `flash build` generates for a runpod-flash `Endpoint` does
`importlib.import_module(module)`), and with it the project modules it imports, so a
constant the body uses was read from the worker's environment, where only `env=` arrives.
Found in a re-parse of the files involved: discovery keeps no facts about module-level
statements that are not declarations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flash_guard.discover.facts import ENV_GETTERS, ENV_MAPPINGS, NEVER_RUNS
from flash_guard.discover.parse import span_of, to_expr
from flash_guard.model import BodyFacts, Span

ENV_SETTERS = frozenset({f"{m}.{w}" for m in ENV_MAPPINGS for w in ("setdefault", "update")})
# How far a constant is followed through other constants (`URL = BASE + "/v1"`).
MAX_HOPS = 4
# Nodes whose identifiers bind a name in the body (its locals: not module constants).
_BINDERS = frozenset(
    {
        "assignment",
        "augmented_assignment",
        "for_statement",
        "for_in_clause",
        "with_item",
        "as_pattern",
        "named_expression",
        "except_clause",
        "global_statement",
        "nonlocal_statement",
    }
)
_PARAMETERS = frozenset(
    {
        "parameters",
        "lambda_parameters",
        "default_parameter",
        "typed_parameter",
        "typed_default_parameter",
        "list_splat_pattern",
        "dictionary_splat_pattern",
    }
)


@dataclass(frozen=True, slots=True)
class ModuleRead:
    """One environment read at module level that the body depends on."""

    variable: str
    path: str  # the file holding the read
    span: Span  # the read
    constant: str  # the name the body uses (`MODEL_ID`, `config.MODEL_ID`)
    use: Span  # where the body uses it
    how: str  # "index" (os.environ[K]), "get" (no default), "default", "test" (K in environ)


def module_env_reads(body: BodyFacts, analysis) -> list[ModuleRead]:
    """The module-level environment reads behind the names the body uses: constants of its
    own module and those imported from project modules, followed through other constants."""
    if analysis is None or not body.path:
        return []
    memo = analysis.__dict__.setdefault("_fg108_module_reads", {})
    key = (body.path, body.span.line, body.span.column)
    if key not in memo:
        memo[key] = _reads(body, analysis)
    return memo[key]


def _reads(body: BodyFacts, analysis) -> list[ModuleRead]:
    if not _may_read(analysis, body.path):
        return []
    definition = _own_definition(analysis, body)
    if definition is None:
        definition = _definitions(analysis, body.path).get((body.span.line, body.span.column))
    if definition is None:
        return []
    modules = analysis.modules
    out: list[ModuleRead] = []
    done: set[tuple[str, str]] = set()
    wanted = _env_constants(analysis)
    for shown, use, path, name in _constants_used(definition, body.path, modules, wanted):
        if (path, name) in done:
            continue
        done.add((path, name))
        for variable, where, span, how in _constant_reads(path, name, analysis, 0, set()):
            out.append(ModuleRead(variable, where, span, shown, use, how))
    return out


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ENV_WORDS = frozenset({"environ", "getenv"})


def _may_read(analysis, path: str) -> bool:
    """Whether the file may use a module-level constant holding an environment read: one
    whose assigned text mentions `environ`/`getenv`, or names such a constant (a chain as
    long as `_constant_reads` follows), named bare and found from this file, or as an
    attribute (`config.MODEL_ID`). Most files use none, and skip the re-parse."""
    memo = analysis.__dict__.setdefault("_fg108_may_read", {})
    if path not in memo:
        pattern = _env_constants_pattern(analysis)
        from flash_guard.checks.placement import source_text  # deferred: import cycle

        # the last file read is kept: `_own_definition` asks for the same one next
        text = source_text(analysis, path) if pattern is not None else None
        memo[path] = False
        for match in pattern.finditer(text) if text else ():
            dotted = match.start() > 0 and text[match.start() - 1] == "."
            if dotted or _is_module_constant(analysis.modules.lookup(path, match[0], None)):
                memo[path] = True
                break
    return memo[path]


def _env_constants_pattern(analysis) -> re.Pattern | None:
    """`_env_constants` as one search: whole words, not after a letter or digit."""
    memo = analysis.__dict__
    if "_fg108_env_pattern" not in memo:
        names = sorted(_env_constants(analysis), key=len, reverse=True)
        alternation = "|".join(map(re.escape, names))
        memo["_fg108_env_pattern"] = (
            re.compile(rf"(?<![A-Za-z0-9_])(?:{alternation})(?![A-Za-z0-9_])") if names else None
        )
    return memo["_fg108_env_pattern"]


def _is_module_constant(found) -> bool:
    from flash_guard.discover.facts import Assignment

    return isinstance(found, tuple) and isinstance(found[1], Assignment)


def _env_constants(analysis) -> frozenset[str]:
    """The targets of module-level assignments anywhere in the project whose value may read
    the environment, directly or through such a target (words of the assigned text)."""
    memo = analysis.__dict__
    if "_fg108_env_constants" not in memo:
        assigned = []
        found = set()
        for facts in analysis.modules.files.values():
            # `import os as _os`, `from os import environ as ENV`: the file's names for them
            env_words = _ENV_WORDS.union(
                b.local for b in facts.imports if b.module == "os" and b.name in (None, *_ENV_WORDS)
            )
            for a in facts.assignments:
                if a.namespace is None:
                    words = frozenset(_WORD.findall(a.value.text))
                    assigned.append((a.target, words))
                    if not words.isdisjoint(env_words):
                        found.add(a.target)
        for _ in range(MAX_HOPS):
            more = {t for t, words in assigned if t not in found and not words.isdisjoint(found)}
            if not more:
                break
            found |= more
        memo["_fg108_env_constants"] = frozenset(found - _ENV_WORDS)
    return memo["_fg108_env_constants"]


def _own_definition(analysis, body: BodyFacts):
    """The body's `def`/`class` parsed from its own lines only, at their places in the file
    (blank lines above it, and an `if 1:` line for an indented one): a long module is not
    parsed again for one function. None when the file's facts do not give its extent."""
    facts = analysis.modules.files.get(body.path)
    if facts is None:
        return None
    name_at = (body.span.line, body.span.column)
    defs = facts.classes if body.is_class else facts.functions
    extent = next(
        (
            d.span
            for d in defs
            if d.name == body.name and d.span.line <= name_at[0] <= d.span.end_line
        ),
        None,
    )
    from flash_guard.checks.placement import source_text  # deferred: import cycle

    text = source_text(analysis, body.path) if extent is not None else None
    if not text:
        return None
    lines = text.splitlines()[extent.line - 1 : extent.end_line]
    indent = extent.column - 1
    if not lines or lines[0][:indent].strip() or (indent and extent.line < 2):
        return None  # `class A: def f(): ...` on one line, or an indented first line
    head = "\n" * (extent.line - 1) if not indent else "\n" * (extent.line - 2) + "if 1:\n"
    from ast_grep_py import SgRoot  # deferred: few runs parse a body again

    root = SgRoot(head + "\n".join(lines) + "\n", "python").root()
    kind = "class_definition" if body.is_class else "function_definition"
    return _by_name_position(root, (kind,)).get(name_at)


def _definitions(analysis, path: str) -> dict:
    """(line, column) of its name -> each `def`/`class` of the file, found once per file (a
    file declaring hundreds of endpoints asks for each of them)."""
    memo = analysis.__dict__.setdefault("_fg108_definitions", {})
    if path not in memo:
        from flash_guard.checks.placement import parsed_root  # deferred: import cycle

        root = parsed_root(analysis, path)
        kinds = ("function_definition", "class_definition")
        memo[path] = _by_name_position(root, kinds) if root is not None else {}
    return memo[path]


def _by_name_position(root, kinds: tuple[str, ...]) -> dict:
    """(line, column) of its name -> each definition of those kinds under `root`."""
    found = {}
    for kind in kinds:
        for node in root.find_all(kind=kind):
            name = node.field("name")
            if name is not None:
                start = name.range().start
                found.setdefault((start.line + 1, start.column + 1), node)
    return found


def _constants_used(definition, path: str, modules, wanted: frozenset[str]):
    """(as written, where, file, name) of each module-level assignment the body reads by
    name: `MODEL_ID`, or `config.MODEL_ID` with `config` a project module. Only names in
    `wanted` (`_env_constants`) can lead to a read: the others are not looked at."""
    from flash_guard.discover.facts import Assignment

    scopes: dict = {}
    found_by_name: dict = {}
    for node in definition.find_all(kind="identifier"):
        name = node.text()
        if name not in wanted and not _attribute_wanted(node, wanted):
            continue
        if not _read_here(node) or name in _locals_around(node, definition, scopes):
            continue
        if name not in found_by_name:
            found_by_name[name] = modules.lookup(path, name, None)
        found = found_by_name[name]
        if isinstance(found, tuple) and isinstance(found[1], Assignment):
            owner, assign = found
            if assign.namespace is None:
                yield name, span_of(node), owner, assign.target
            continue
        module_path = getattr(found, "path", None)  # a ModuleRef of a project module
        parent = node.parent()
        if module_path and parent is not None and parent.kind() == "attribute":
            attr = parent.field("attribute")
            if attr is None or _same(attr, node):
                continue
            inner = modules.lookup(module_path, attr.text(), None)
            if (
                isinstance(inner, tuple)
                and isinstance(inner[1], Assignment)
                and inner[1].namespace is None
            ):
                yield parent.text(), span_of(parent), inner[0], inner[1].target


def _attribute_wanted(node, wanted: frozenset[str]) -> bool:
    """`config.MODEL_ID` read through `config`: the attribute's name is wanted."""
    parent = node.parent()
    if parent is None or parent.kind() != "attribute":
        return False
    attr = parent.field("attribute")
    return attr is not None and attr.text() in wanted


_SCOPES = frozenset({"function_definition", "lambda", "class_definition"})


def _locals_around(node, definition, scopes: dict) -> set[str]:
    """The names bound in the scopes around `node`, from its innermost function (or lambda)
    out to the worker's definition. A class body's names count for its methods too: an
    over-approximation, since a local that shadows a constant must never be taken for it."""
    out: set[str] = set()
    anc = node.parent()
    while anc is not None:
        if anc.kind() in _SCOPES:
            marker = anc.range().start.index
            if marker not in scopes:
                scopes[marker] = _bound_names(anc)
            out |= scopes[marker]
        if _same(anc, definition):
            break
        anc = anc.parent()
    return out


def _read_here(node) -> bool:
    """An identifier read as a value: not an attribute's name (`x.MODEL_ID`), a keyword's
    name, a dotted import path or a definition's name."""
    parent = node.parent()
    if parent is None:
        return False
    kind = parent.kind()
    if kind == "attribute":
        return not _same(parent.field("attribute"), node)
    if kind == "keyword_argument":
        return not _same(parent.field("name"), node)
    if kind in ("function_definition", "class_definition"):
        return not _same(parent.field("name"), node)
    return kind not in ("dotted_name", "aliased_import", "import_from_statement", *_PARAMETERS)


def _bound_names(scope) -> set[str]:
    """The names a function, lambda or class binds in its own scope (parameters, assignments,
    loop, `with` and comprehension targets, imports, nested definitions' names, `global`
    names)."""
    names = {
        node.text()
        for node in scope.find_all(kind="identifier")
        if _binds(node) and _scope_of(node, scope)
    }
    params = scope.field("parameters")
    for child in params.find_all(kind="identifier") if params is not None else ():
        names.add(child.text())
    return names


def _scope_of(node, scope) -> bool:
    """Whether `scope` is the innermost scope around `node` (a parameter belongs to its
    function, a nested definition's name to the scope holding it)."""
    anc = node.parent()
    while anc is not None and not _same(anc, scope):
        if anc.kind() in _SCOPES:
            own_name = _same(anc.field("name"), node)
            in_params = _within(node, anc.field("parameters"))
            if not (own_name or in_params):
                return False
            # the name of a nested def, or its parameter list: a parameter is the nested
            # function's own
            return own_name
        anc = anc.parent()
    return True


def _within(node, outer) -> bool:
    if outer is None:
        return False
    a, b = node.range(), outer.range()
    return b.start.index <= a.start.index and a.end.index <= b.end.index


def _binds(node) -> bool:
    parent = node.parent()
    if parent is None:
        return False
    kind = parent.kind()
    if kind in _PARAMETERS:
        return True
    if kind in ("function_definition", "class_definition"):
        return _same(parent.field("name"), node)
    if kind in ("dotted_name", "aliased_import") and _in_import(parent):
        return True
    return _in_target(node)


def _in_import(node) -> bool:
    anc = node.parent()
    return anc is not None and anc.kind() in (
        "import_statement",
        "import_from_statement",
        "aliased_import",
    )


def _in_target(node) -> bool:
    """Whether the identifier sits in the bound part of a binding statement."""
    child = node
    anc = node.parent()
    while anc is not None:
        kind = anc.kind()
        if kind in ("global_statement", "nonlocal_statement"):
            return True
        if kind in _BINDERS:
            for field in ("left", "alias", "name"):
                target = anc.field(field)
                if target is not None and _same(target, child):
                    return True
            if kind == "with_item" or kind == "except_clause":
                return child.kind() == "as_pattern_target"
            return False
        if kind in ("pattern_list", "tuple_pattern", "list_pattern", "as_pattern_target"):
            child, anc = anc, anc.parent()
            continue
        if kind in ("expression_list", "tuple", "list", "parenthesized_expression"):
            child, anc = anc, anc.parent()
            continue
        return False
    return False


def _same(a, b) -> bool:
    return a is not None and b is not None and a.range() == b.range()


def _constant_reads(path: str, name: str, analysis, hops: int, seen: set):
    """(variable, file, span, how) of the environment reads a module-level constant's value
    makes when its module is imported, following the constants it is built from."""
    if hops > MAX_HOPS or (path, name) in seen:
        return
    seen.add((path, name))
    index = _module_assignments(analysis, path)
    for value in index.get(name, ()):
        for variable, span, how in _env_reads_in(value, path, analysis):
            if not _set_before(analysis, path, variable, span):
                yield variable, path, span, how
        for ident in _names_in(value):
            found = analysis.modules.lookup(path, ident, None)
            if not isinstance(found, tuple) or len(found) != 2:
                continue
            owner, assign = found
            if getattr(assign, "namespace", 1) is None and hasattr(assign, "target"):
                yield from _constant_reads(owner, assign.target, analysis, hops + 1, seen)


def _names_in(value) -> list[str]:
    out = []
    for node in value.find_all(kind="identifier"):
        if _read_here(node) and not _under_lambda(node, value) and node.text() not in out:
            out.append(node.text())
    return out


def _under_lambda(node, top) -> bool:
    """A lambda's body runs when it is called, not when the module is imported."""
    anc = node
    while anc is not None:
        if anc.kind() in ("lambda", "function_definition"):
            return True
        if _same(anc, top):
            return False
        anc = anc.parent()
    return False


def _module_assignments(analysis, path: str) -> dict[str, list]:
    """name -> [value node] of the assignments that run when `path` is imported:
    module level, under `if`/`try`/`with`/`for` too, not in a function or class, nor under
    `if __name__ == "__main__":` or `if TYPE_CHECKING:`."""
    memo = analysis.__dict__.setdefault("_fg108_module_assigns", {})
    if path in memo:
        return memo[path]
    from flash_guard.checks.placement import parsed_root  # deferred: import cycle

    root = parsed_root(analysis, path)
    index: dict[str, list] = {}
    writes: list[tuple[str, tuple[int, int]]] = []
    if root is not None:
        _index_block(root, index, writes)
    memo[path] = index
    analysis.__dict__.setdefault("_fg108_module_writes", {})[path] = writes
    return index


def _index_block(block, index: dict, writes: list) -> None:
    for statement in block.children():
        kind = statement.kind()
        if kind in ("function_definition", "class_definition", "decorated_definition"):
            continue
        if kind == "expression_statement":
            for inner in statement.children():
                if inner.kind() == "assignment":
                    _index_assignment(inner, index)
                _index_writes(inner, writes)
            continue
        if kind == "if_statement" and NEVER_RUNS.match(statement.text()):
            # the `else`/`elif` of a main guard do run: index them only
            for alternative in statement.children():
                if alternative.kind() in ("else_clause", "elif_clause"):
                    _index_nested(alternative, index, writes)
            continue
        _index_nested(statement, index, writes)


def _index_nested(statement, index: dict, writes: list) -> None:
    for child in statement.children():
        if child.kind() == "block":
            _index_block(child, index, writes)
        elif child.kind() in ("else_clause", "elif_clause", "except_clause", "finally_clause"):
            _index_nested(child, index, writes)


def _index_assignment(node, index: dict) -> None:
    left, right = node.field("left"), node.field("right")
    if left is None or right is None:
        return
    if right.kind() == "assignment":  # `A = B = os.getenv(...)`
        _index_assignment(right, index)
        right = right.field("right")
        if right is None:
            return
    if left.kind() == "identifier":
        index.setdefault(left.text(), []).append(right)
        return
    if left.kind() in ("pattern_list", "tuple_pattern", "list_pattern"):
        targets = [c for c in left.children() if c.is_named()]
        values = [c for c in right.children() if c.is_named()]
        paired = right.kind() in ("expression_list", "tuple", "list") and len(values) == len(
            targets
        )
        for position, target in enumerate(targets):
            if target.kind() == "identifier":
                index.setdefault(target.text(), []).append(values[position] if paired else right)


def _index_writes(node, writes: list) -> None:
    """Module-level `os.environ["K"] = v`, `os.environ.setdefault("K", v)`,
    `os.environ.update({...}, K=v)`: the variable is set from then on."""
    at = (span_of(node).line, span_of(node).column)
    if node.kind() == "assignment":
        left = node.field("left")
        if left is not None and left.kind() == "subscript":
            key = _literal_key(left)
            if key is not None:
                writes.append((key, at))
        return
    if node.kind() != "call":
        return
    func = node.field("function")
    if func is None or func.text() not in ENV_SETTERS:
        return
    args = node.field("arguments")
    for child in args.children() if args is not None else ():
        if func.text().endswith("setdefault"):
            expr = to_expr(child) if child.is_named() else None
            if expr is not None and expr.kind == "lit" and isinstance(expr.value, str):
                writes.append((expr.value, at))
            if child.is_named():
                break
        elif child.kind() == "keyword_argument" and child.field("name") is not None:
            writes.append((child.field("name").text(), at))
        elif child.kind() == "dictionary":
            for pair in child.children():
                key = pair.field("key") if pair.kind() == "pair" else None
                expr = to_expr(key) if key is not None else None
                if expr is not None and expr.kind == "lit" and isinstance(expr.value, str):
                    writes.append((expr.value, at))


def _literal_key(subscript) -> str | None:
    base, index = subscript.field("value"), subscript.field("subscript")
    if base is None or index is None or base.text() not in ENV_MAPPINGS:
        return None
    expr = to_expr(index)
    return expr.value if expr.kind == "lit" and isinstance(expr.value, str) else None


def _set_before(analysis, path: str, variable: str, span: Span) -> bool:
    """Whether the module set the variable itself before the read, at module level."""
    writes = analysis.__dict__.get("_fg108_module_writes", {}).get(path, [])
    return any(key == variable and at < (span.line, span.column) for key, at in writes)


def _env_reads_in(value, path: str, analysis) -> list[tuple[str, Span, str]]:
    """(variable, span, how) of the environment reads in an assigned value, run at import
    (not inside a lambda): `os.getenv(K[, d])`, `os.environ.get(K[, d])`, `os.environ[K]`,
    `K in os.environ`; K a literal or a module constant holding a string."""
    out = []
    nodes = [value, *value.find_all(kind="call"), *value.find_all(kind="subscript")]
    nodes += value.find_all(kind="comparison_operator")
    seen = set()
    for node in nodes:
        marker = (node.range().start.index, node.kind())
        if marker in seen or _under_lambda(node, value):
            continue
        seen.add(marker)
        found = _env_read(node, path, analysis)
        if found is not None:
            out.append((found[0], span_of(node), found[1]))
    return out


def _env_read(node, path: str, analysis) -> tuple[str, str] | None:
    kind = node.kind()
    if kind == "call":
        func = node.field("function")
        if func is None or analysis.modules.env_dotted(func.text(), path) not in ENV_GETTERS:
            return None
        args = node.field("arguments")
        named = [c for c in args.children() if c.is_named()] if args is not None else []
        positional = [c for c in named if c.kind() not in ("keyword_argument", "comment")]
        if not positional:
            return None
        variable = _key(positional[0], path, analysis)
        has_default = len(positional) > 1 or any(
            c.kind() == "keyword_argument" and c.field("name").text() == "default" for c in named
        )
        return (variable, "default" if has_default else "get") if variable else None
    if kind == "subscript":
        base, index = node.field("value"), node.field("subscript")
        if base is None or index is None:
            return None
        if analysis.modules.env_dotted(base.text(), path) not in ENV_MAPPINGS:
            return None
        variable = _key(index, path, analysis)
        return (variable, "index") if variable else None
    if kind == "comparison_operator":
        parts = [c for c in node.children() if c.is_named()]
        operators = [c.text() for c in node.children() if not c.is_named()]
        mapping = analysis.modules.env_dotted(parts[1].text(), path) if len(parts) == 2 else None
        if "in" in operators and mapping in ENV_MAPPINGS:
            variable = _key(parts[0], path, analysis)
            return (variable, "test") if variable else None
    return None


def _key(node, path: str, analysis) -> str | None:
    """A literal key, or a module constant holding one (`os.getenv(MODEL_VAR)`)."""
    expr = to_expr(node)
    if expr.kind == "lit":
        return expr.value if isinstance(expr.value, str) else None
    if expr.kind in ("name", "attr"):
        value = analysis.modules.evaluate(expr, path, None)
        if value.known and isinstance(value.value, str):
            return value.value
    return None
