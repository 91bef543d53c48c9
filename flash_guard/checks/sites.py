"""Where an endpoint's pieces sit in the source, for the checks that mirror `flash build`.

`flash build` finds endpoints by importing each module and reading its globals, and finds
`dependencies=` by reading the syntax of `Endpoint(...)`/`remote(...)` calls (flash-sdk.md
§5). The FG3xx checks therefore need more than resolved values: the calls as written, where
each decorator use and route sits, and which blocks enclose them. This module answers that
from the facts discovery already extracted (including the blocks enclosing each
declaration), without reading or parsing any file again.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from flash_guard.checks.base import worker_bodies
from flash_guard.discover.facts import Block, Decorated, FileFacts
from flash_guard.discover.parse import Expr, Snippet, dotted_expr, span_of, to_expr
from flash_guard.discover.resolve import ModuleIndex, SettingsRead, same_keys
from flash_guard.model import BodyFacts, Endpoint, Span, Value

# Paths the build never copies or imports (runpod_flash/cli/utils/ignore.py, built-ins).
# Directory patterns match a path segment at any depth, as gitignore's `tests/` does.
BUILD_IGNORED_DIRS = (
    ".build",
    ".flash",
    ".runpod",
    ".git",
    "__pycache__",
    "dist",
    "build",
    ".venv",
    "venv",
    "env",
    ".vscode",
    ".idea",
    "tests",
    "docs",
)


@dataclass
class Call:
    """A call that carries an endpoint's build parameters, as written."""

    expr: Expr
    path: str
    namespace: Span | None
    placement: str
    statement: Span | None = None  # the assignment around the call, when it is assigned
    is_remote: bool = False  # a legacy `@remote(...)`, not the declaration call
    blocks: tuple[Block, ...] = ()  # enclosing blocks, innermost first
    annotated: bool = False  # assigned with an annotation, `x: T = Endpoint(...)`
    unpacked: bool = False  # one of a tuple unpacked into names, `a, b = Endpoint(...), ...`
    applied: bool = False  # the call form, `Endpoint(...)(fn)`

    @property
    def callee(self) -> str:
        return self.expr.items[0].text

    @property
    def callee_name(self) -> str:
        """The last name of the callee as the build's AST scan sees it (`rf.Endpoint` ->
        `Endpoint`, an alias `E` -> `E`)."""
        func = self.expr.items[0]
        return func.value if func.kind in ("name", "attr") else func.text


@dataclass
class Use:
    """One place the endpoint is put to work: `@ep`, `@Endpoint(...)`, `@remote(...)` or a
    route decorator."""

    kind: str  # "decorator" | "route"
    path: str
    span: Span
    target: str  # the decorated function or class
    placement: str
    label: str  # how a message names it, e.g. "`@api.post("/run")` on `run`"
    blocks: tuple[Block, ...] = ()  # enclosing blocks, innermost first
    # A route of an unrolled loop that the build does not deploy: (where, why) (Route.dropped)
    dropped: tuple[str, str] | None = None


def build_ignored(path: str, app: str = ".") -> str | None:
    """The built-in `flash build` ignore pattern that excludes `path`, if any. The build runs
    in the app's directory (`app`, project-relative): only the part of `path` below it is
    matched (an app kept under a `tests/` directory of the repository is still built)."""
    if app not in (".", "") and path.startswith(app + "/"):
        path = path[len(app) + 1 :]
    *dirs, name = path.split("/")
    for segment in dirs:
        if segment in BUILD_IGNORED_DIRS:
            return f"{segment}/"
        if segment.endswith(".egg-info"):
            return "*.egg-info/"
    if name.startswith("test_") and name.endswith(".py"):
        return "test_*.py"
    if name.endswith("_test.py"):
        return "*_test.py"
    return None


class _FileIndex:
    """One file's declarations indexed by where they start: the checks ask per endpoint, and
    a scan of the whole file each time is quadratic (10,000 stacked decorators)."""

    __slots__ = ("facts", "assignments", "decorators", "by_target", "by_span")

    def __init__(self, facts: FileFacts):
        self.facts = facts
        self.assignments: dict[tuple[int, int], list] = {}
        for assign in facts.assignments:
            if assign.value.may_be_call():  # a declaration's span is a call's
                start = assign.value.expr_span()
                self.assignments.setdefault((start.line, start.column), []).append(assign)
        # line -> (decorated, decorator) of every decorator covering the line, in file order.
        # Snippets, converted when asked for: the index lives through the evaluation.
        self.decorators: dict[int, list[tuple[Decorated, Snippet]]] = {}
        self.by_target: dict[int, Decorated] = {}
        self.by_span: dict[tuple[int, Span], Snippet] = {}
        for decorated in facts.decorated:
            self.by_target[id(decorated.target)] = decorated
            for snippet in decorated.written:
                span = snippet.expr_span()
                self.by_span.setdefault((id(decorated), span), snippet)
                for line in range(span.line, span.end_line + 1):
                    self.decorators.setdefault(line, []).append((decorated, snippet))


_INDEXES: dict[int, _FileIndex] = {}
# Files; past this the indexes start over. Checks ask about an endpoint's own few files, in
# the endpoints' (path) order: a few suffice, where one per file was megabytes at the peak.
_MAX_INDEXES = 64


def forget_indexes() -> None:
    """Drop the per-file indexes once the checks that ask for sites are done."""
    _INDEXES.clear()


def _file_index(facts: FileFacts) -> _FileIndex:
    index = _INDEXES.get(id(facts))
    if index is None or index.facts is not facts:
        if len(_INDEXES) >= _MAX_INDEXES:
            _INDEXES.clear()
        index = _INDEXES[id(facts)] = _FileIndex(facts)
    return index


def _decorated_by_target(files: dict[str, FileFacts], paths) -> dict[int, Decorated]:
    index: dict[int, Decorated] = {}
    for path in paths:
        facts = files.get(path)
        if facts is not None:
            index.update(_file_index(facts).by_target)
    return index


def _decorator_call(decorated: Decorated, span: Span, files=None, path=None) -> Expr | None:
    written = _decorator_written(decorated, span, files, path)
    return written.expr() if written is not None else None


def _decorator_written(decorated: Decorated, span: Span, files=None, path=None) -> Snippet | None:
    """The decorator at `span` as written (`_decorator_call` unconverted)."""
    facts = files.get(path) if files is not None else None
    if facts is not None:
        found = _file_index(facts).by_span.get((id(decorated), span))
        if found is not None:
            return found
    for snippet in decorated.written:
        if snippet.has_expr_span(span):
            return snippet
    return None


def declaration_call(endpoint: Endpoint, files: dict[str, FileFacts]) -> Call:
    """The `Endpoint(...)` or resource-class call, with the statement it sits in; for one a
    project factory built, placed where the factory is called (that is what the build sees).

    Falls back to the endpoint's own record when the syntax is not found (it always is for
    the forms discovery produces)."""
    call = _written_call(endpoint, files)
    if endpoint.factory_call is None:
        return call
    site_path, site_span = endpoint.factory_call
    site = files.get(site_path)
    for assign in site.assignments if site is not None else ():
        if assign.value.has_expr_span(site_span):
            return dataclasses.replace(
                call, namespace=assign.namespace, placement=assign.placement, blocks=assign.blocks
            )
    for decorated in site.decorated if site is not None else ():  # `@factory(...)`
        if any(d.has_expr_span(site_span) for d in decorated.written):
            return dataclasses.replace(
                call,
                namespace=decorated.namespace,
                placement=decorated.placement,
                blocks=decorated.blocks,
            )
    return call


def factory_of(endpoint: Endpoint, files: dict[str, FileFacts]) -> str | None:
    """For a declaration a project factory built (`endpoint.factory_call`): the name of the
    function its `Endpoint(...)` is written in, where findings about it point."""
    if endpoint.factory_call is None:
        return None
    facts = files.get(endpoint.path)
    span = endpoint.span
    around = [
        f
        for f in (facts.functions if facts is not None else ())
        if f.span.contains(span) and f.span != span
    ]
    # the innermost: the one that starts last
    inner = max(around, key=lambda f: (f.span.line, f.span.column), default=None)
    return inner.name if inner is not None else None


def _written_call(endpoint: Endpoint, files: dict[str, FileFacts]) -> Call:
    facts = files.get(endpoint.path)
    if facts is not None:
        index = _file_index(facts)
        span = endpoint.span
        for assign in index.assignments.get((span.line, span.column), ()):
            if assign.value.has_expr_span(endpoint.span):
                return Call(
                    assign.expr,
                    endpoint.path,
                    assign.namespace,
                    assign.placement,
                    assign.span,
                    blocks=assign.blocks,
                    annotated=assign.annotated,
                )
        for decorated, snippet in index.decorators.get(span.line, ()):
            if snippet.expr_span().contains(endpoint.span):
                call = _find(snippet.expr(), endpoint.span)
                if call is not None:
                    return Call(
                        call,
                        endpoint.path,
                        decorated.namespace,
                        decorated.placement,
                        blocks=decorated.blocks,
                    )
        for applied in facts.applied:  # `Endpoint(...)(fn)`
            inner = applied.expr.items[0] if applied.expr.items else None
            if inner is not None and inner.span == endpoint.span:
                return Call(
                    inner,
                    endpoint.path,
                    applied.namespace,
                    applied.placement,
                    blocks=applied.blocks,
                    applied=True,
                )
        for assign in facts.assignments:  # `a, b = Endpoint(...), Endpoint(...)`
            first, last = assign.statement_lines
            if assign.unpack[1] and first <= span.line <= last:
                call = _find(assign.expr, span)
                if call is not None:
                    return Call(
                        call,
                        endpoint.path,
                        assign.namespace,
                        assign.placement,
                        assign.span,
                        blocks=assign.blocks,
                        unpacked=True,
                    )
        # `return Endpoint(...)` in a function or method, declared there (a factory's return
        # built for a call elsewhere is placed by that call)
        for fn in facts.functions if endpoint.scope == "function" else ():
            for returned in fn.returns:
                if returned.has_expr_span(span):
                    blocks = [Block("function", f"def {fn.name}(...):", fn.name)]
                    owner = next((c for c in facts.classes if c.span == fn.namespace), None)
                    if owner is not None:
                        blocks.append(Block("class", f"class {owner.name}:", owner.name))
                    return Call(
                        returned.expr(),
                        endpoint.path,
                        fn.span,
                        "function",
                        blocks=tuple(blocks),
                    )
    placeholder = Expr("other", endpoint.span, "")
    return Call(placeholder, endpoint.path, None, endpoint.scope)


def _find(expr: Expr, span: Span) -> Expr | None:
    if expr.span == span:
        return expr
    children = list(expr.items) + [value for _, value, _ in expr.keywords]
    for child in children:
        if isinstance(child, Expr) and child.span.contains(span):
            found = _find(child, span)
            if found is not None:
                return found
    return None


def uses(endpoint: Endpoint, files: dict[str, FileFacts]) -> list[Use]:
    """Every decorator use and route of the endpoint, each with its placement."""
    paths = {t.path for t in endpoint.targets} | {r.file for r in endpoint.routes}
    index = _decorated_by_target(files, paths)
    out: list[Use] = []
    seen: set[int] = set()
    for target, (path, span) in zip(endpoint.targets, endpoint.decorator_uses, strict=False):
        seen.add(id(target))
        decorated = index.get(id(target))
        placement = decorated.placement if decorated is not None else "module"
        # Only its label is read: the callee's text (no conversion of the whole call)
        written = _decorator_written(decorated, span, files, path) if decorated else None
        blocks = decorated.blocks if decorated is not None else ()
        label = f"{_shown(written)} on `{target.name}`"
        out.append(Use("decorator", path, span, target.name, placement, label, blocks))
    for route in endpoint.routes:
        facts = route.handler_facts
        if facts is not None and id(facts) in seen:
            continue  # a legacy `@remote(cfg, method=, path=)` is already a decorator use
        decorated = index.get(id(facts)) if facts is not None and not route.placement else None
        placement = decorated.placement if decorated is not None else "module"
        label = f"the route `{route.shown()}` on `{route.handler}`"
        blocks = decorated.blocks if decorated is not None else ()
        if route.placement:  # a call form: `api.get("/health")(health)`
            placement, blocks = route.placement, route.blocks
        out.append(
            Use(
                "route", route.file, route.span, route.handler, placement, label, blocks,
                route.dropped,
            )
        )  # fmt: skip
    return out


def _shown(decorator: Snippet | None) -> str:
    if decorator is None:
        return "the decorator"
    if decorator.is_call():
        return f"`@{decorator.head().text}(...)`"
    return f"`@{decorator.expr_text()}`"


def build_calls(endpoint: Endpoint, files: dict[str, FileFacts]) -> list[Call]:
    """The calls whose `dependencies=` the build reads: the `Endpoint(...)` call, or for the
    legacy API every `@remote(...)` that uses the resource."""
    if endpoint.api != "legacy":
        return [declaration_call(endpoint, files)]
    paths = {t.path for t in endpoint.targets}
    index = _decorated_by_target(files, paths)
    calls = []
    for target, (path, span) in zip(endpoint.targets, endpoint.decorator_uses, strict=False):
        decorated = index.get(id(target))
        call = _decorator_call(decorated, span, files, path) if decorated is not None else None
        if call is not None and call.kind == "call":
            calls.append(
                Call(
                    call,
                    path,
                    decorated.namespace,
                    decorated.placement,
                    is_remote=True,
                    blocks=decorated.blocks,
                )
            )
    return calls


# -- dependencies= ------------------------------------------------------------


@dataclass
class DependencyArg:
    """`dependencies` as one call gives it: as written, or through a `**spread`."""

    call: Call
    expr: Expr | None  # the value as written; None when it came through a spread
    value: Value  # the value resolved
    span: Span  # where findings about it point: the value, or the spread
    spread: str | None = None  # `**x` when it came through one
    positional: bool = False  # `remote(cfg, [...])`: the second positional argument


def dependency_args(
    call: Call, project: ModuleIndex, bindings: dict[str, Value] | None = None
) -> tuple[list[DependencyArg], list[Value]]:
    """Every `dependencies` the call gives, and the unresolved spreads that might hold one.
    `bindings`: the loop names of a declaration unrolled from a module-level `for` loop
    (Endpoint.loop_bindings), bound again while the call is evaluated."""
    if not bindings:
        return _dependency_args(call, project)
    project._loops.append(((call.path, call.namespace), bindings))
    try:
        return _dependency_args(call, project)
    finally:
        project._loops.pop()


def _dependency_args(call: Call, project: ModuleIndex) -> tuple[list[DependencyArg], list[Value]]:
    found: list[DependencyArg] = []
    undecided: list[Value] = []
    args = call.expr.items[1:] if call.expr.kind == "call" else ()
    if call.is_remote and len(args) >= 2 and args[1].kind != "starred":
        value = project.evaluate(args[1], call.path, call.namespace)
        found.append(DependencyArg(call, args[1], value, args[1].span, positional=True))
    for name, value_expr, kw_span in call.expr.keywords:
        if name == "dependencies":
            value = project.evaluate(value_expr, call.path, call.namespace)
            found.append(DependencyArg(call, value_expr, value, value_expr.span))
        elif name is None:
            spread = project.evaluate(value_expr, call.path, call.namespace)
            shown = f"**{value_expr.text}"
            if spread.known and isinstance(spread.value, dict) and "dependencies" in spread.value:
                value = spread.value["dependencies"]
                found.append(DependencyArg(call, None, value, kw_span, spread=shown))
            elif same_keys(spread.candidates):  # a dict chosen by an `if`, one key set
                if "dependencies" in spread.candidates[0].value:
                    value = spread.candidates[0].value["dependencies"]
                    found.append(DependencyArg(call, None, value, kw_span, spread=shown))
            elif not (spread.known and isinstance(spread.value, dict)) or spread.partial:
                undecided.append(Value.unknown(shown, kw_span, call.path))
    return found, undecided


def body_with_helpers(endpoint: Endpoint, files: dict[str, FileFacts]) -> list[BodyFacts]:
    """The worker's body as rules.md defines it: the decorated functions/classes and route
    handlers, plus the module-level functions of the same module they call by name, one
    level deep (the lazy `_get_model()` singleton is the common case)."""
    bodies = worker_bodies(endpoint)
    seen = {id(b) for b in bodies}
    helpers = []
    for body in bodies:
        facts = files.get(body.path or endpoint.path)
        if facts is None:
            continue
        for callee in body.calls:
            helper = facts.helper_bodies.get(callee)
            if helper is not None and helper.name != body.name and id(helper) not in seen:
                seen.add(id(helper))
                helpers.append(helper)
    return bodies + helpers


def env_reads_of(body: BodyFacts, modules) -> list[tuple[str, Span]]:
    """The environment variables a body reads: literal keys, and those keyed by a module
    constant (`os.environ[TOKEN_VAR]`, `for k in FORWARDED: os.environ[k]`) whose value is a
    known string or sequence of strings; a key that cannot be resolved is not guessed at."""
    return list(body.env_reads) + _keyed(body.env_key_names, body.path, modules)


def env_writes_of(body: BodyFacts, modules) -> list[tuple[str, Span]]:
    """The environment variables a body sets, keyed by literals or module constants."""
    return list(body.env_writes) + _keyed(body.env_key_writes, body.path, modules)


def _keyed(names: list[tuple[str, Span]], path: str, modules) -> list[tuple[str, Span]]:
    out = []
    for name, span in names:
        expr = dotted_expr(name, span.line, span.column)
        value = modules.evaluate(expr, path, None) if expr is not None else None
        keys = value.value if value is not None and value.known else None
        if isinstance(keys, str):
            out.append((keys, span))
        elif isinstance(keys, (list, tuple)):
            items = [k.value if k.known else None for k in keys]
            out.extend((k, span) for k in items if isinstance(k, str))
    return out


# An f-string (any prefix), or `.get(K, "literal")` / `getenv(K, "literal")`.
_FSTRING = re.compile(r"""^[rRbBuU]?[fF][rR]?['"]|^[rR][fF]['"]""")
_GET_WITH_LITERAL = re.compile(
    r"""(?:\.get|getenv)\(\s*[^,]+,\s*(?:[rRuU]?['"][^'"]*['"]|[0-9.]+)\s*\)\s*$"""
)


def given(value: Value | None) -> bool:
    """Whether a keyword counts as given for a rule that only asks if it is (rules.md FG002):
    a known non-None value, a string literal, an f-string, or `.get(k, "literal")`."""
    if value is None or value.defaulted:
        return False
    if value.known:
        return value.value is not None
    text = (value.text or "").strip()
    return bool(_FSTRING.match(text) or _GET_WITH_LITERAL.search(text))


def settings_reads(body: BodyFacts, analysis) -> list[tuple[SettingsRead, Span]]:
    """The pydantic-settings fields a body reads (`settings.model_id`, `get_settings().gpu`):
    each instance built at import, on the worker too, reads them from the worker's
    environment. Found in a re-parse of the body's file, only in projects that define a
    `BaseSettings` class (discovery keeps no attribute reads)."""
    if analysis is None or not body.path or not _defines_settings(analysis):
        return []
    from flash_guard.checks.placement import parsed_root  # deferred: import cycle

    root = parsed_root(analysis, body.path)
    definition = _definition_at(root, body.span) if root is not None else None
    if definition is None:
        return []
    facts = analysis.modules.files.get(body.path)
    functions = {(f.span.line, f.span.column): f.span for f in facts.functions} if facts else {}
    out = []
    for node in definition.find_all(kind="attribute"):
        if not _read_as_value(node):
            continue
        namespace = _enclosing_function(node, functions)
        read = analysis.modules.settings_field_env(to_expr(node), body.path, namespace)
        if read is not None:
            out.append((read, span_of(node)))
    return out


def _defines_settings(analysis) -> bool:
    """Whether a project class derives from pydantic-settings' `BaseSettings` by name (a
    class deriving from such a project class implies one that does)."""
    cached = analysis.__dict__.get("_defines_settings")
    if cached is None:
        cached = any(
            (base.dotted() or "").rsplit(".", 1)[-1] == "BaseSettings"
            for facts in analysis.modules.files.values()
            for cls in facts.classes
            for base in cls.bases
        )
        analysis.__dict__["_defines_settings"] = cached
    return cached


def _definition_at(root, span: Span):
    """The `def`/`class` whose name sits at `span`."""
    for kind in ("function_definition", "class_definition"):
        for node in root.find_all(kind=kind):
            name = node.field("name")
            start = name.range().start if name is not None else None
            if start is not None and (start.line + 1, start.column + 1) == (span.line, span.column):
                return node
    return None


def _read_as_value(node) -> bool:
    """`a.b` read as a value: not a method called (`settings.model_dump()`), not assigned to,
    and not the object of a further attribute (`settings.llm.model_id` is a nested model's,
    whose variable is not the field's), unless that attribute is a method called on it
    (`settings.token.get_secret_value()`)."""
    parent = node.parent()
    if parent is None:
        return True
    kind = parent.kind()
    if kind == "call" and _same(parent.field("function"), node):
        return False
    if kind in ("assignment", "augmented_assignment") and _same(parent.field("left"), node):
        return False
    if kind == "attribute" and _same(parent.field("object"), node):
        outer = parent.parent()
        return (
            outer is not None and outer.kind() == "call" and _same(outer.field("function"), parent)
        )
    return True


def _same(a, b) -> bool:
    return a is not None and a.range() == b.range()


def _enclosing_function(node, functions: dict):
    """The span facts give the innermost function around `node` (its local names), or None."""
    for anc in node.ancestors():
        if anc.kind() == "function_definition":
            start = anc.range().start
            return functions.get((start.line + 1, start.column + 1))
    return None
