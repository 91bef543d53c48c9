"""One fixer per rule code.

A fixer gets the finding, the file's `Source` (text + ast-grep tree) and the rule's parameters
for the finding's profile. It re-locates the syntax at the finding's span and returns a `Fix`,
or None whenever the rewrite is not certain: a value that is not written at the span (a
constant, a spread, another file), a form it does not recognise, or a message it cannot read.

Safe: the deployed endpoint is provably the same, or the code now imports/builds where it
failed. Unsafe: the fix changes behaviour or cost (a value had to be chosen).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from flash_guard.discover.parse import node_within
from flash_guard.findings import Finding
from flash_guard.fix.edits import SAFE, UNSAFE, Edit, Fix
from flash_guard.fix.locate import (
    Source,
    add_keyword,
    callee_name,
    enclosing_call,
    insert_at,
    keyword_args,
    keyword_of,
    replace,
    string_body_start,
    string_value,
)

Fixer = Callable[[Finding, Source, dict], "Fix | None"]

# FG104's value when the rule's parameters do not set `fix_execution_timeout_ms`:
# the rule's own example (10 minutes).
DEFAULT_EXECUTION_TIMEOUT_MS = 600_000
_INTEGER = re.compile(r"[0-9]+")


def _fix(applicability: str, message: str, *edits, notice: str = "") -> Fix | None:
    if not edits or any(e is None for e in edits):
        return None
    return Fix(applicability, message, tuple(edits), notice=notice)


def _is_legacy_call(call) -> bool:
    return callee_name(call) not in ("Endpoint", "")


# --- safe ------------------------------------------------------------------------------


def fg210_unknown_parameter(finding: Finding, source: Source, params: dict) -> Fix | None:
    """The did-you-mean rename, when the rule found exactly one candidate."""
    match = re.fullmatch(r"Rename `(\w+)=` to `(\w+)=`\.", finding.fix or "")
    node = source.node_at(finding)
    if match is None or node is None or node.kind() != "keyword_argument":
        return None
    old, new = match.groups()
    name = node.field("name")
    siblings = keyword_args(node.parent().parent())
    if name is None or name.text() != old or new in siblings:
        return None
    # Endpoint()/remote() raise TypeError at import: renaming makes the module import.
    # A legacy resource class drops the unknown field silently: renaming makes a setting
    # take effect that never did, so the deployed endpoint changes.
    dropped = "pydantic drops it" in finding.message
    if dropped and old == "workers":
        return None  # `workers=(min, max)` is no value for workersMax/workersMin
    return _fix(UNSAFE if dropped else SAFE, f"Rename `{old}=` to `{new}=`", replace(name, new))


def fg204_invalid_route(finding: Finding, source: Source, params: dict) -> Fix | None:
    """A route path without its leading `/`; a lower-case legacy `method=`."""
    call = enclosing_call(source.node_at(finding))
    if call is None:
        return None
    path = re.search(r"route path '([^'/][^']*)' does not start with '/'", finding.message)
    if path is not None:
        literal = _route_path_literal(call)
        body = string_body_start(literal) if literal is not None else None
        if body is None or string_value(literal) != path.group(1):
            return None
        if _route_taken(source, call, "/" + path.group(1)):
            return None  # the fixed path would be a duplicate route: still an error
        return _fix(SAFE, f"Add the leading `/`: '/{path.group(1)}'", insert_at(body, "/"))
    method = re.search(r"route method='(\w+)': remote\(\) raises", finding.message)
    if method is not None:
        node = keyword_args(call).get("method")
        literal = node.field("value") if node is not None else None
        value = string_value(literal)
        if value != method.group(1) or value.upper() not in _HTTP_METHODS:
            return None
        upper = literal.text().replace(value, value.upper())
        return _fix(SAFE, f"Write method='{value.upper()}'", replace(literal, upper))
    return None


_HTTP_METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH"}


def _route_taken(source: Source, call, path: str) -> bool:
    """Another route of the same decorator form (`api.post`, or `remote` with the same
    endpoint and method) in this file already has `path`."""
    first = _first_argument(call)
    method = keyword_args(call).get("method")
    method_text = method.field("value").text() if method is not None else None
    for other in source.root.find_all(kind="call"):
        if other.field("function").text() != call.field("function").text():
            continue
        if string_value(_route_path_literal(other)) != path:
            continue
        if callee_name(call) != "remote":
            return True
        other_method = keyword_args(other).get("method")
        other_first = _first_argument(other)
        same_target = first is not None and other_first is not None
        same_target = same_target and other_first.text() == first.text()
        known = same_target and other_method is not None and method_text is not None
        if known and other_method.field("value").text().upper() == method_text.upper():
            return True
    return False


def _first_argument(call):
    args = call.field("arguments")
    return next((c for c in args.children() if c.is_named()), None) if args else None


def _route_path_literal(call):
    path = keyword_args(call).get("path")
    if path is not None:
        return path.field("value")
    args = call.field("arguments")
    positional = [
        c for c in (args.children() if args else []) if c.is_named() and c.kind() != "comment"
    ]
    if positional and positional[0].kind() == "string" and callee_name(call) != "remote":
        return positional[0]
    return None


def _as_int(node) -> str | None:
    """The one integer a float like `2.0` or a string like "3" can mean, else None."""
    if node is None:
        return None
    if node.kind() == "float":
        try:
            number = float(node.text().replace("_", ""))
        except ValueError:
            return None
        return str(int(number)) if number.is_integer() and number >= 0 else None
    value = string_value(node)
    return value if value is not None and _INTEGER.fullmatch(value) else None


def fg201_invalid_workers(finding: Finding, source: Source, params: dict) -> Fix | None:
    """`workers=2.0` -> 2, `workers="3"` -> 3: a number written in the wrong type."""
    node = source.node_at(finding)
    keyword, _ = keyword_of(node) if node is not None else (None, None)
    number = _as_int(node)
    if keyword != "workers" or number is None:
        return None
    return _fix(SAFE, f"Write workers={number}", replace(node, number))


def fg202_conflicting_arguments(finding: Finding, source: Source, params: dict) -> Fix | None:
    """`max_concurrency="4"` -> 4 (the only conflicting value with one certain reading)."""
    node = source.node_at(finding)
    keyword, _ = keyword_of(node) if node is not None else (None, None)
    number = _as_int(node) if node is not None and node.kind() == "string" else None
    if keyword != "max_concurrency" or number is None or int(number) < 1:
        return None
    return _fix(SAFE, f"Write max_concurrency={number}", replace(node, number))


def fg209_invalid_cuda_version(finding: Finding, source: Source, params: dict) -> Fix | None:
    """`min_cuda_version=12.8` or `"V12_8"` -> "12.8", the value the message names."""
    wanted = re.search(r"write '(\d+\.\d+)'", finding.message)
    node = source.node_at(finding)
    if wanted is None or node is None or keyword_of(node)[0] not in _CUDA_KEYWORDS:
        return None
    version = wanted.group(1)
    if node.kind() == "float" and node.text() == version:
        pass
    elif string_value(node) is None or "member name" not in finding.message:
        return None
    return _fix(SAFE, f'Write min_cuda_version="{version}"', replace(node, f'"{version}"'))


_CUDA_KEYWORDS = ("min_cuda_version", "minCudaVersion")


def fg303_dependencies_not_literal(finding: Finding, source: Source, params: dict) -> Fix | None:
    """A tuple of string literals -> the list flash build reads."""
    node = source.node_at(finding)
    if node is None or node.kind() != "tuple" or "is a tuple, not a list" not in finding.message:
        return None
    items = [c for c in node.children() if c.is_named() and c.kind() != "comment"]
    if not items or any(string_value(c) is None for c in items):
        return None
    tokens = node.children()
    if tokens[0].text() != "(" or tokens[-1].text() != ")":
        return None
    return _fix(
        SAFE, "Write dependencies as a list", replace(tokens[0], "["), replace(tokens[-1], "]")
    )


# --- unsafe ----------------------------------------------------------------------------


def fg104_no_execution_timeout(finding: Finding, source: Source, params: dict) -> Fix | None:
    """Set an execution timeout: the value chosen is `fix_execution_timeout_ms`."""
    value = params.get("fix_execution_timeout_ms", DEFAULT_EXECUTION_TIMEOUT_MS)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None
    message = f"Set an execution timeout of {value:_} ms"
    node = source.node_at(finding)
    keyword, _ = keyword_of(node) if node is not None else (None, None)
    if keyword in ("execution_timeout_ms", "executionTimeoutMs"):
        return _fix(UNSAFE, message, replace(node, f"{value:_}"))
    call = enclosing_call(node)
    if call is None or not _declares(call):
        return None
    name = "executionTimeoutMs" if _is_legacy_call(call) else "execution_timeout_ms"
    if name in keyword_args(call):
        return None
    return _fix(UNSAFE, message, add_keyword(source, call, f"{name}={value:_}"))


def _declares(call) -> bool:
    """A resource declaration we can add keywords to: Endpoint(...) or a legacy class."""
    name = callee_name(call)
    return name == "Endpoint" or name.endswith(("Serverless", "LoadBalancer"))


def fg102_lb_cold_start(finding: Finding, source: Source, params: dict) -> Fix | None:
    """Raise min workers to the profile's `min_workers`."""
    minimum = params.get("min_workers", 1)
    if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 1:
        return None
    message = f"Keep {minimum} worker{'s' * (minimum != 1)} warm"
    node = source.node_at(finding)
    if node is None:
        return None
    keyword, argument = keyword_of(node)
    if keyword == "workersMin":
        top = keyword_args(argument.parent().parent()).get("workersMax")
        top = top.field("value") if top is not None else None
        # workersMax defaults to 1; above it, the SDK raises 'workersMin cannot be greater'.
        if (top is None and minimum > 1) or (top is not None and not _int_at_least(top, minimum)):
            return None
        return _fix(UNSAFE, message, replace(node, str(minimum)))
    if keyword == "workers" and node.kind() == "integer":
        top = max(minimum, int(node.text()))
        return _fix(UNSAFE, message, replace(node, f"({minimum}, {top})"))
    parent = node.parent()
    if parent is not None and parent.kind() in ("tuple", "list"):
        bounds = [c for c in parent.children() if c.is_named() and c.kind() != "comment"]
        if len(bounds) == 2 and keyword_of(parent)[0] == "workers" and _same(bounds[0], node):
            if not _int_at_least(bounds[1], minimum):
                return None
            return _fix(UNSAFE, message, replace(node, str(minimum)))
        return None
    call = enclosing_call(node)
    if call is None or not _declares(call):
        return None
    present = keyword_args(call)
    if _is_legacy_call(call):
        if "workersMin" in present or "workersMax" in present and minimum > 1:
            return None
        extra = f", workersMax={minimum}" if minimum > 1 else ""
        return _fix(UNSAFE, message, add_keyword(source, call, f"workersMin={minimum}{extra}"))
    if "workers" in present:
        return None
    # The SDK's default max is 1: (m, m) keeps it unless m is more. Review the max: once
    # written, FG110 (default max workers) no longer reports it.
    note = f"{message}; max workers {minimum} (review it)"
    return _fix(UNSAFE, note, add_keyword(source, call, f"workers=({minimum}, {minimum})"))


def _int_at_least(node, minimum: int) -> bool:
    return (
        node.kind() == "integer"
        and _INTEGER.fullmatch(node.text()) is not None
        and (int(node.text()) >= minimum)
    )


def _same(a, b) -> bool:
    ra, rb = a.range(), b.range()
    return (ra.start.index, ra.end.index) == (rb.start.index, rb.end.index)


def fg107_hardcoded_secret(finding: Finding, source: Source, params: dict) -> Fix | None:
    """Replace a literal env secret with a Runpod secret reference the user then creates."""
    key = (finding.parameter or "").removeprefix("env.")
    node = source.node_at(finding)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) or string_value(node) is None:
        return None
    pair = node.parent()
    if pair is None or pair.kind() != "pair" or string_value(pair.field("key")) != key:
        return None
    if not _same(pair.field("value"), node):
        return None
    reference = f'"{{{{ RUNPOD_SECRET_{key} }}}}"'
    notice = (
        f"create the Runpod secret `{key}` (console: Settings > Secrets) holding the value "
        f"that was written in {finding.path}, and rotate it: it is in your git history"
    )
    return _fix(
        UNSAFE,
        f"Read `{key}` from the Runpod secret `{key}`",
        replace(node, reference),
        notice=notice,
    )


def fg109_no_health_route(finding: Finding, source: Source, params: dict) -> Fix | None:
    """Add `GET /health` returning {"status": "ok"} after the endpoint's last route in the
    file that declares it (routes elsewhere, or a name that is not a plain module-level
    variable, leave the place uncertain)."""
    name = _module_variable(enclosing_call(source.node_at(finding)))
    if name is None:
        return None
    routes = [d for d in _module_definitions(source) if _routes_to(d, name)]
    taken = {_defined_name(d) for d in source.root.children()}
    # Named after the endpoint: two endpoints fixed in one round get two different names.
    function = next((f for f in (f"{name}_health", f"{name}_get_health") if f not in taken), None)
    if not routes or function is None:
        return None
    legacy = _routes_to(routes[-1], name) == "remote"
    decorator = (
        f'@remote({name}, method="GET", path="/health")' if legacy else f'@{name}.get("/health")'
    )
    nl = source.newline
    route = f'{nl}{nl}{nl}{decorator}{nl}async def {function}():{nl}    return {{"status": "ok"}}'
    return _fix(
        UNSAFE,
        f"Add a GET /health route to `{name}`",
        insert_at(routes[-1].range().end.index, route),
    )


def _module_variable(call) -> str | None:
    """`name` when `call` is the whole right-hand side of a module-level `name = call`."""
    parent = call.parent() if call is not None else None
    if parent is None or parent.kind() != "assignment":
        return None
    left, right = parent.field("left"), parent.field("right")
    statement = parent.parent()
    if left is None or left.kind() != "identifier" or right is None or not _same(right, call):
        return None
    if statement is None or statement.parent() is None or statement.parent().kind() != "module":
        return None
    return left.text()


def _module_definitions(source: Source) -> list:
    return [c for c in source.root.children() if c.kind() == "decorated_definition"]


def _defined_name(node) -> str | None:
    if node.kind() == "decorated_definition":
        node = node.field("definition")
    if node is not None and node.kind() in ("function_definition", "class_definition"):
        return node.field("name").text()
    return None


def _routes_to(definition, name: str) -> str | None:
    """ "route" for `@name.get(...)`-style decorators, "remote" for `@remote(name, ...)`."""
    for decorator in definition.children():
        call = enclosing_call(decorator) if decorator.kind() == "decorator" else None
        if call is None:
            continue
        function = call.field("function").text()
        if function in (f"{name}.{m.lower()}" for m in _HTTP_METHODS):
            return "route"
        args = call.field("arguments")
        first = next((c for c in args.children() if c.is_named()), None) if args else None
        targets_name = first is not None and first.text() == name
        if callee_name(call) == "remote" and targets_name and "path" in keyword_args(call):
            return "remote"
    return None


def fg302_top_level_dependency_import(finding: Finding, source: Source, params: dict) -> Fix | None:
    """Move a module-level import into every function that uses what it binds, when those are
    all decorated functions (the workers) and nothing at module level uses it."""
    node = source.node_at(finding)
    if node is None or node.kind() not in ("import_statement", "import_from_statement"):
        return None
    if node.parent() is None or node.parent().kind() != "module":
        return None
    if node.kind() == "import_from_statement" and node.field("module_name").text() == "__future__":
        return None
    bound = _bound_names(node)
    line_start = source.lines.starts[node.range().start.line]
    line_end = source.text.find("\n", node.range().end.index)
    line_end = len(source.text) if line_end < 0 else line_end + 1
    line = source.text[line_start:line_end]
    if bound is None or line_start != node.range().start.index or ";" in line:
        return None
    users = []
    for name in bound:
        for use in source.root.find_all(kind="identifier"):
            if use.text() != name or node_within(use, node):
                continue
            worker = _top_function(use)
            if worker is None:
                return None  # used at module level or in a class: moving it breaks that
            if not any(_same(worker, u) for u in users):
                users.append(worker)
    if not users:
        return None
    # A blank line left at the top of the file, or doubled, goes with the import.
    after = source.text[line_end:]
    next_blank = after.split("\n", 1)[0].strip() == "" and "\n" in after
    before = source.text[:line_start].rstrip("\r\n").rsplit("\n", 1)[-1]
    if next_blank and (line_start == 0 or before.strip() == ""):
        line_end += after.index("\n") + 1
    edits = [Edit(line_start, line_end, "")]
    for worker in users:
        edit = _first_statement_insert(source, worker, line.strip())
        if edit is None:
            return None
        edits.append(edit)
    return _fix(UNSAFE, "Import it inside the worker, where it runs", *edits)


def _bound_names(statement) -> list[str] | None:
    """The names an import binds, or None for forms we do not move (`*`, several modules)."""
    if statement.kind() == "import_statement":
        modules = [c for c in statement.children() if c.is_named() and c.kind() != "comment"]
        if len(modules) != 1:
            return None
        module = modules[0]
        if module.kind() == "aliased_import":
            return [module.field("alias").text()]
        return [module.text().split(".", 1)[0]]
    names = []
    for child in statement.children():
        if child.kind() == "wildcard_import":
            return None
        if child.kind() == "aliased_import":
            names.append(child.field("alias").text())
        elif child.kind() == "dotted_name" and not _same(child, statement.field("module_name")):
            names.append(child.text())
    return names or None


def _top_function(node):
    """The module-level decorated function `node` is in, or None."""
    found = None
    for ancestor in node.ancestors():
        if ancestor.kind() in ("function_definition", "class_definition", "lambda"):
            found = ancestor
    if found is None or found.kind() != "function_definition":
        return None
    if not node_within(node, found.field("body")):
        return None  # annotations and defaults are evaluated when the module is imported
    holder = found.parent()
    if holder is None or holder.kind() != "decorated_definition":
        return None
    top = holder.parent()
    return found if top is not None and top.kind() == "module" else None


def _first_statement_insert(source: Source, function, statement: str) -> Edit | None:
    body = function.field("body")
    statements = [c for c in body.children() if c.is_named() and c.kind() != "comment"]
    if not statements or statements[0].range().start.line == function.range().start.line:
        return None  # `def f(): return x` on one line: no body line to add to
    indent = source.line_indent(statements[0])
    nl = source.newline
    # After the docstring and the imports already moved there, so that imports moved in
    # several rounds keep their order.
    skip = 0
    if statements[0].kind() == "expression_statement" and statements[0].child(0).kind() == "string":
        skip = 1
    while skip < len(statements) and statements[skip].kind() in _IMPORTS:
        skip += 1
    # ruff format separates an import block from the statements after it by a blank line.
    gap = nl if skip == len(statements) or statements[skip].kind() not in _IMPORTS else ""
    moved_before = skip > 0 and statements[skip - 1].kind() in _IMPORTS
    if skip:
        blank = "" if moved_before else gap
        return insert_at(_line_end(source, statements[skip - 1]), f"{nl}{indent}{statement}{blank}")
    first = statements[0]
    return insert_at(source.lines.starts[first.range().start.line], f"{indent}{statement}{nl}{gap}")


_IMPORTS = ("import_statement", "import_from_statement")


def _line_end(source: Source, node) -> int:
    """The end of `node`'s last line, before its newline (after a trailing comment)."""
    end = source.text.find("\n", node.range().end.index)
    end = len(source.text) if end < 0 else end
    return end - 1 if source.text[end - 1 : end] == "\r" else end


FIXERS: dict[str, Fixer] = {
    "FG210": fg210_unknown_parameter,
    "FG204": fg204_invalid_route,
    "FG201": fg201_invalid_workers,
    "FG202": fg202_conflicting_arguments,
    "FG209": fg209_invalid_cuda_version,
    "FG303": fg303_dependencies_not_literal,
    "FG104": fg104_no_execution_timeout,
    "FG102": fg102_lb_cold_start,
    "FG103": fg102_lb_cold_start,  # the same edit: raise min workers
    "FG107": fg107_hardcoded_secret,
    "FG109": fg109_no_health_route,
    "FG302": fg302_top_level_dependency_import,
}
