"""Per-file extraction: one parse with ast-grep, then plain facts out.

The ast-grep rules here find the syntax that can matter to a Flash endpoint:
imports, assignments, decorated definitions, and within a worker's body the
environment reads, calls and imports. Nothing is resolved yet; a decorator
`@E(...)` is only known to be Flash once `E`'s import is followed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from sys import intern

from flash_guard.discover.lexical import Lexed, lex, line_starts
from flash_guard.discover.parse import (
    EXTRAS,
    Expr,
    Snippet,
    metered_range,
    shared,
    snippet_of,
    span_of,
    start_meter,
    stop_meter,
    to_expr,
)
from flash_guard.model import BodyFacts, Span

# A node nested in one of these is not at module level; the placement decides
# whether `flash build` (which imports modules and reads their globals) sees it.
_PLACEMENT = {
    "function_definition": "function",
    "lambda": "function",
    "for_statement": "loop",
    "while_statement": "loop",
    "if_statement": "conditional",
    "try_statement": "conditional",
    "with_statement": "conditional",
    "match_statement": "conditional",
    "class_definition": "class",
}
_PLACEMENT_PRIORITY = ("function", "loop", "conditional", "class")
_NAMESPACE_KINDS = {"function_definition", "class_definition", "lambda"}

# Methods that change a dict or list in place (ItemWrite).
_MUTATORS = frozenset(
    {"update", "setdefault", "pop", "popitem", "clear", "append", "extend", "insert", "remove"}
)
# Methods that register routes on a FastAPI/Starlette app kept in a name (`web.mount(...)`):
# recorded the same way, so a factory returning a module-level app knows its routes are not
# all decorators (frontend_runpod2).
ROUTE_REGISTRARS = frozenset(
    {"add_api_route", "api_route", "add_route", "route", "include_router", "mount"}
)
_WRITE_METHODS = _MUTATORS | ROUTE_REGISTRARS
# A runpod 2.0 handle's calling methods (handles.py): each refuses to run during a discovery
# scan. `X.remote.aio(...)` is `X.remote` then `.aio`; the route callers are an ApiHandle's.
INVOKE_METHODS = frozenset({"remote", "spawn", "stream", "get", "post", "put", "delete", "patch"})
_INVOKE_PATTERN = re.compile(
    rf"^[A-Za-z_][A-Za-z0-9_]*\s*\.\s*(?:{'|'.join(sorted(INVOKE_METHODS))})(?:\s*\.\s*aio)?$"
)
# The spellings of an environment read (after `_env_text` has undone an alias of `os`): also
# what resolution (an `os.getenv(K, d)` value) and FG108's module-level reads look for.
ENV_GETTERS = frozenset({"os.getenv", "getenv", "os.environ.get", "environ.get"})
ENV_MAPPINGS = frozenset({"os.environ", "environ"})
# Local names the file being extracted binds to `os` or to its environment functions
# (`import os as _os`, `from os import environ as ENV, getenv as env`): each maps to the
# name the env-read tables above use. Set by `extract` for the file it reads.
_os_aliases: dict[str, str] = {}
_OS_MODULE_ALIAS = re.compile(r"^[ \t]*import[ \t]+os[ \t]+as[ \t]+(\w+)", re.M)
_OS_NAME_IMPORT = re.compile(r"^[ \t]*from[ \t]+os[ \t]+import[ \t]+\(?([^)\n]*)", re.M)
_OS_NAME_ALIAS = re.compile(r"^(environ|getenv)\s+as\s+(\w+)$")


def os_aliases(text: str) -> dict[str, str]:
    """What `_os_aliases` holds for a file of source `text` (module-level imports only)."""
    if " as " not in text:
        return {}
    aliases = {m.group(1): "os" for m in _OS_MODULE_ALIAS.finditer(text)}
    for names in _OS_NAME_IMPORT.finditer(text):
        for item in names.group(1).split(","):
            found = _OS_NAME_ALIAS.match(item.strip())
            if found:
                aliases[found.group(2)] = found.group(1)
    return aliases


def _env_text(text: str) -> str:
    """`text` (a callee or a mapping expression) with an alias of `os`, `environ` or
    `getenv` at its head replaced by the name it stands for: `_os.getenv` -> `os.getenv`."""
    if not _os_aliases:
        return text
    head, dot, rest = text.partition(".")
    canonical = _os_aliases.get(head)
    return f"{canonical}{dot}{rest}" if canonical else text


# Every node the walk in first_syntax_error reports matches this rule (an ERROR
# node, or a zero-width MISSING token, whose text is empty).
# An ERROR node, or an empty leaf (a MISSING token). The regex alone read every node's text,
# quadratic on a deep tree (`1+1+...+1` 300k long took 7 s); a node with a child is tested
# first, and the regex is left only for leaves.
_SUSPECT = {
    "any": [{"kind": "ERROR"}, {"all": [{"not": {"has": {"pattern": "$A"}}}, {"regex": "^$"}]}]
}
_IMPORT_KINDS = [{"kind": "import_statement"}, {"kind": "import_from_statement"}]
_FILE_RULE = {
    "any": [
        *_IMPORT_KINDS,
        {"kind": "assignment"},
        {"kind": "decorated_definition"},
        # Helper bodies (rules.md "the worker's body") and value flow (resolve.py): helper
        # functions, settings classes, `Endpoint(...)(fn)`.
        {"kind": "function_definition"},
        {"kind": "class_definition"},
        {"kind": "return_statement"},
        {"kind": "call", "has": {"field": "function", "kind": "call"}},
        # In-place changes to a name's dict or list (ItemWrite); a subscript assignment is
        # an `assignment` above.
        {"kind": "augmented_assignment"},
        {"kind": "delete_statement"},
        {
            "kind": "call",
            "has": {"field": "function", "kind": "identifier"},
            "inside": {"kind": "expression_statement", "inside": {"kind": "module"}},
        },
        # `NAME.update(...)`: `_call` keeps those whose method is in _WRITE_METHODS. No
        # regex in this rule: ast-grep compiles the rule at every search, once per file,
        # and the method-name regex alone cost 55 us of it (~16 ms on 291 files).
        {
            "kind": "call",
            "has": {
                "field": "function",
                "kind": "attribute",
                "has": {"field": "object", "kind": "identifier"},
            },
        },
        # `embed.remote(...)`, `embed.remote.aio(...)`, `Svc.post("/x", body)` outside any
        # function or class: a runpod 2.0 handle invoked while its module is imported
        # (`_call` matches _INVOKE_PATTERN: a regex here cost 80 us a file to compile).
        {
            "kind": "call",
            "has": {"field": "function", "kind": "attribute"},
            "not": {
                "inside": {
                    "any": [
                        {"kind": "function_definition"},
                        {"kind": "class_definition"},
                        {"kind": "lambda"},
                    ],
                    "stopBy": "end",
                }
            },
        },
        *_SUSPECT["any"],
    ]
}
_BODY_RULE = {
    "any": [
        {"kind": "call"},
        {"kind": "subscript"},
        {"kind": "comparison_operator"},
        *_IMPORT_KINDS,
    ]
}
_ENV_WRITERS = {f"{m}.{w}" for m in ENV_MAPPINGS for w in ("setdefault", "pop", "update")}


# Compound statements that enclose a declaration, named as a message names them.
_BLOCK_KINDS = {
    "function_definition": "function",
    "lambda": "function",
    "class_definition": "class",
    "for_statement": "loop",
    "while_statement": "loop",
    "if_statement": "if",
    "elif_clause": "elif",
    "else_clause": "else",
    "match_statement": "match",
    "case_clause": "case",
    "try_statement": "try",
    "except_clause": "except",
    "except_group_clause": "except",
    "finally_clause": "finally",
    "with_statement": "with",
}


_set_field = object.__setattr__  # a frozen record's own fields, once, as it is made


@dataclass(frozen=True, slots=True)
class Block:
    """A compound statement around a declaration: `flash build` only sees module globals."""

    kind: str  # function class loop if elif else match case try except finally with
    header: str  # the block's first line, e.g. `if __name__ == "__main__":`
    name: str = ""  # function or class name
    # A `for` loop's target as written (`name, cfg`) and its iterable (the header may span
    # lines): what discover/loops.py unrolls. Not compared, so a Block stays hashable.
    target: str = ""
    iterable: Snippet | None = field(default=None, compare=False)

    def __post_init__(self):
        # The names and short texts of the records below repeat across a project's files
        # (`if __name__ == "__main__":`, `runpod_flash`, `Endpoint`): one shared copy each,
        # ~4 MiB of a big tree's peak.
        for name in ("kind", "header", "name", "target"):
            _set_field(self, name, shared(getattr(self, name)))


@dataclass(slots=True)
class ImportBinding:
    """`local` is bound to module `module` (name None) or to `module.name`."""

    local: str
    module: str
    name: str | None
    level: int
    span: Span
    top_level: bool
    blocks: tuple[Block, ...] = ()  # enclosing blocks, innermost first
    dotted: str = ""  # `import a.b.c` binds `a`; the whole path, for FG213's submodule check

    def __post_init__(self):  # shared texts: see Block
        self.local, self.module = shared(self.local), shared(self.module)
        self.name, self.dotted = shared(self.name), shared(self.dotted)


@dataclass(slots=True)
class Assignment:
    target: str
    value: Snippet  # the assigned expression, converted when read (`expr`)
    span: Span
    namespace: Span | None  # the enclosing function/class, None at module level
    placement: str
    statement_lines: tuple[int, int] = (0, 0)
    blocks: tuple[Block, ...] = ()  # enclosing blocks, innermost first
    annotated: bool = False  # `x: T = ...`, which the build's AST scan does not read
    # `a, b = value`: this target's position and the number of targets (-1, 0: not unpacked)
    unpack: tuple[int, int] = (-1, 0)

    def __post_init__(self):  # shared texts: see Block
        self.target, self.placement = shared(self.target), shared(self.placement)

    @property
    def expr(self) -> Expr:
        return self.value.expr()


@dataclass(slots=True)
class ItemWrite:
    """A change in place to what a name holds: `ENV["K"] = v` (op "set"), `ENV.update(...)`,
    `DEPS.append(x)` (the method's name; `value` is the whole call), `del ENV["K"]` ("del"),
    `DEPS += [...]` ("iadd"), `ENV |= {...}` ("ior"); any other augmented operator is
    "other". A module-level call statement `configure(ENV)` is op "call" with `target` the
    callee's name (the helper may change what it is given, or a global). Resolution applies
    them to the name's assigned value (writes.py)."""

    target: str
    op: str
    span: Span
    namespace: Span | None  # the enclosing function/class, None at module level
    key: Snippet | None = None  # the subscript of "set"/"del"
    value: Snippet | None = None  # the assigned value, right operand, or the method call
    # Under `if __name__ == "__main__":` or `if TYPE_CHECKING:`: never runs on import.
    untaken: bool = False
    # A route registrar called in a `for NAME in ITERABLE:` loop of its own frame (`for r in
    # (health, search): web.include_router(r.router)`), or an item set in one (directly or
    # under `if` branches: `for k in KEYS: env[k] = os.getenv(k, "")`): the loop's name and
    # iterable.
    loop: tuple[str, Snippet] | None = None


@dataclass(slots=True)
class Decorated:
    # The decorators as snippets, converted when read (`decorators`): a big tree's decorator
    # trees were ~4 MiB at the peak, and evaluation reads only those of a few declarations.
    written: list[Snippet]
    target: BodyFacts
    namespace: Span | None
    placement: str
    lines: tuple[int, int]  # first decorator line .. definition header line
    blocks: tuple[Block, ...] = ()  # enclosing blocks, innermost first

    @property
    def decorators(self) -> list[Expr]:
        return [snippet.expr() for snippet in self.written]


@dataclass(slots=True)
class FunctionDef:
    """A function resolution may follow one level into: its parameters and returns."""

    name: str
    span: Span  # the definition: the namespace its local assignments are keyed by
    namespace: Span | None  # the enclosing function/class, None at module level
    # (name, default or None, kind): kind is "" (positional or keyword), "kw" (keyword-only),
    # "*" or "**"
    params: list[tuple[str, Snippet | None, str]] = field(default_factory=list)
    returns: list[Snippet] = field(default_factory=list)
    # An `__init__` whose body only forwards (`_forwarding`): its `super().__init__(...)`
    # call, and the keyword defaults set before it, in order, as (dict, "setdefault" or
    # "set", key, value): `kwargs.setdefault("gpu", GPU)`, `kwargs["workers"] = (1, 3)`.
    super_init: Snippet | None = None
    forward_defaults: tuple[tuple[str, str, str, Snippet], ...] = ()

    def __post_init__(self):  # shared texts: see Block
        self.name = shared(self.name)


@dataclass(slots=True)
class ClassDef:
    """A class whose literal attribute defaults a settings object reads."""

    name: str
    span: Span  # the namespace its attribute assignments are keyed by
    namespace: Span | None
    bases: list[Expr] = field(default_factory=list)
    decorators: list[str] = field(default_factory=list)
    # The names annotated in the class body, in order (`gpu: str`, `workers: tuple = (1, 2)`):
    # a dataclass's fields, which its generated `__init__` takes positionally in that order.
    fields: list[str] = field(default_factory=list)
    # Each field's annotation as written, in the same order (`DbSettings` for `db:
    # DbSettings`): a pydantic-settings nested model's class.
    field_types: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Applied:
    """`Endpoint(...)(fn)`: a call whose callee is itself a call."""

    expr: Expr
    namespace: Span | None
    placement: str
    lines: tuple[int, int]
    blocks: tuple[Block, ...] = ()


@dataclass(slots=True)
class Unbinding:
    """A module-level `del NAME`: the name is no longer a module global afterwards."""

    name: str
    span: Span
    blocks: tuple[Block, ...] = ()  # enclosing blocks, innermost first


@dataclass(slots=True)
class Invocation:
    """`NAME.method(...)` (or `NAME.method.aio(...)`) outside any function or class, for a
    method in INVOKE_METHODS: it runs when the module is imported, unless a block says it
    may not (`blocks`: an `if`, a `try`, ...)."""

    receiver: str
    method: str
    span: Span
    blocks: tuple[Block, ...] = ()  # enclosing blocks, innermost first

    def __post_init__(self):  # shared texts: see Block
        self.receiver, self.method = shared(self.receiver), shared(self.method)


@dataclass(slots=True)
class FileFacts:
    path: str  # relative to the project root, '/'-separated
    parse_error: Span | None = None
    parse_error_text: str = ""
    imports: list[ImportBinding] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    decorated: list[Decorated] = field(default_factory=list)
    comments: list[tuple[int, int, str]] = field(default_factory=list)  # line, column, text
    # Module-level functions by name: the helpers a worker's body calls, one level deep
    # (rules.md "the worker's body": the lazy `_get_model()` singleton).
    helper_bodies: dict[str, BodyFacts] = field(default_factory=dict)
    # Module-level classes by name: the body of a runpod 2.0 call form `app.api(...)(Cls)`.
    class_bodies: dict[str, BodyFacts] = field(default_factory=dict)
    functions: list[FunctionDef] = field(default_factory=list)
    classes: list[ClassDef] = field(default_factory=list)
    applied: list[Applied] = field(default_factory=list)
    writes: list[ItemWrite] = field(default_factory=list)
    # Module-level `del NAME`: `flash build` reads the globals left after the import (FG207).
    unbinds: list[Unbinding] = field(default_factory=list)
    # `embed.remote(...)` run at import (runpod 2.0 discovery refuses it, FG307)
    invocations: list[Invocation] = field(default_factory=list)
    # `rf.Name` where `rf` is bound to an SDK package itself (`import runpod_flash as rf`):
    # (local name, attribute, span of the `rf.Name` node), for FG213.
    sdk_attributes: list[tuple[str, str, Span]] = field(default_factory=list)
    line_count: int = 0
    read_error: str | None = None
    # read_error means the file was not analysed at all: an FG001 error, which fails
    # the run, rather than the warning a partly parsed file gets.


def _placement(node, lines: _Lines) -> tuple[str, Span | None, tuple[Block, ...]]:
    """Where `node` sits: its placement, the namespace it binds names in, and the chain of
    enclosing blocks, innermost first (empty at module level)."""
    kinds, namespace, blocks = _walk_up(node, lines)
    for candidate in _PLACEMENT_PRIORITY:
        if candidate in kinds:
            return candidate, namespace, tuple(blocks)
    return "module", namespace, tuple(blocks)


def _walk_up(node, lines: _Lines) -> tuple[set[str], Span | None, list[Block]]:
    """The placement kinds, namespace and blocks above `node`: its own up to the nearest
    statement list, then that list's (worked out once per list, `_around`)."""
    kinds: set[str] = set()
    blocks: list[Block] = []
    namespace, container = _enclosing(node, lines, kinds, blocks)
    if container is not None:
        outer_kinds, outer_namespace, outer_blocks = _around(container, lines)
        kinds |= outer_kinds
        namespace = namespace if namespace is not None else outer_namespace
        blocks += outer_blocks
    return kinds, namespace, blocks


_CONTAINERS = frozenset({"block", "module"})  # statement lists: they add nothing themselves
_RECENT_CONTAINERS = 8


def _around(container, lines: _Lines) -> tuple[frozenset, Span | None, tuple[Block, ...]]:
    """What encloses a statement list: worked out once for all the statements in it (nodes
    come in source order, so the lists still open are among the last few seen)."""
    for entry in reversed(lines.recent):
        if entry[0] == container:
            return entry[1]
    kinds, namespace, blocks = _walk_up(container, lines)
    result = (frozenset(kinds), namespace, tuple(blocks))
    lines.recent.append((container, result))
    if len(lines.recent) > _RECENT_CONTAINERS:
        del lines.recent[0]
    return result


def _enclosing(node, lines: _Lines, kinds: set, blocks: list):
    """Walk `node`'s ancestors up to the statement list it is in, adding their placements
    and blocks: (the innermost namespace among them, that statement list or None)."""
    namespace = None
    anc = node.parent()
    while anc is not None:
        kind = anc.kind()
        if kind in _CONTAINERS:
            return namespace, anc
        if kind in _PLACEMENT:
            kinds.add(_PLACEMENT[kind])
        if namespace is None and kind in _NAMESPACE_KINDS:
            namespace = span_of(anc)
        block = _BLOCK_KINDS.get(kind)
        if block is not None:
            name_node = anc.field("name") if block in ("function", "class") else None
            header = lines.line(span_of(anc).line - 1)
            name = name_node.text() if name_node is not None else ""
            blocks.append(Block(block, header, name, *_for_parts(anc, kind, lines)))
        anc = anc.parent()
    return namespace, None


def _for_parts(node, kind: str, lines: _Lines) -> tuple[str, Snippet | None]:
    """A `for` statement's target text and iterable snippet; ("", None) for other blocks."""
    if kind != "for_statement":
        return "", None
    left, right = node.field("left"), node.field("right")
    if left is None or right is None:
        return "", None
    return left.text(), snippet_of(right, lines.eager)


class _Lines:
    """The source's lines, split only if a block header is ever needed; and whether the
    file's expressions are converted now (a file with a syntax error: see parse.Snippet)."""

    def __init__(self, source: str, eager: bool = False):
        self.source = source
        self.eager = eager
        self._lines: list[str] | None = None
        # _placement's memo: the statement lists last seen, and what encloses each.
        self.recent: list[tuple] = []

    def line(self, index: int) -> str:
        if self._lines is None:
            # Only `\n` ends a line once newlines are normalised; str.splitlines would
            # also split at form feeds and Unicode separators, which Python does not.
            self._lines = self.source.split("\n")
        return self._lines[index].strip() if index < len(self._lines) else ""


SourceLines = _Lines


def first_syntax_error(root) -> tuple[Span, str] | None:
    """The first ERROR node, or MISSING token (a zero-width leaf), in source order."""
    # Most files are clean: one search in ast-grep's own (native) traversal
    # rules that out; only a suspect tree is walked node by node here.
    if root.find(**_SUSPECT) is None:
        return None
    return _walk_for_syntax_error(root)


# `await` that tree-sitter parses but Python refuses to compile: at module level (a notebook
# cell pasted into a module) or in a function that is not `async def`.
def _await_outside_async(root) -> tuple[Span, str] | None:
    for node in root.find_all(kind="await"):
        # the nearest enclosing function decides: an `async def` nested in a plain one is fine
        function = next(
            (a for a in node.ancestors() if a.kind() in ("function_definition", "lambda")),
            None,
        )
        if function is None:
            return span_of(node), "'await' outside function"  # Python's own words
        if function.kind() == "lambda" or not any(c.kind() == "async" for c in function.children()):
            return span_of(node), "'await' outside async function"
    return None


def _walk_for_syntax_error(root) -> tuple[Span, str] | None:
    # The outermost ERROR nodes and the zero-width leaves outside them, found by
    # ast-grep's native search; a walk in Python would list every child of every
    # node (a million for a 2 MB list literal).
    best = None
    for node in root.find_all(**_SUSPECT):
        kind = node.kind()
        if kind != "ERROR" and (kind == "module" or not node.is_leaf()):
            continue  # empty but not a token: its empty leaves are matched themselves
        if node.inside(kind="ERROR"):
            continue  # reported as part of the enclosing ERROR node
        span = span_of(node)
        if best is None or span < best[0]:
            best = (span, "unexpected syntax" if kind == "ERROR" else f"missing `{kind}`")
    return best


def _import(node, facts: FileFacts, lines: _Lines) -> None:
    placement, _, blocks = _placement(node, lines)
    top = placement in ("module", "conditional")
    span = span_of(node)
    start = len(facts.imports)
    if node.kind() == "import_statement":
        for item in node.field_children("name"):
            if item.kind() == "aliased_import":
                dotted, alias = item.field("name"), item.field("alias")
                if dotted is not None and alias is not None:
                    facts.imports.append(
                        ImportBinding(alias.text(), dotted.text(), None, 0, span, top)
                    )
            else:
                dotted = item.text()
                # `import a.b.c` binds `a`; attribute access walks the rest.
                first = dotted.split(".", 1)[0]
                facts.imports.append(ImportBinding(first, first, None, 0, span, top, dotted=dotted))
        _set_blocks(facts.imports, start, blocks)
        return
    module_node = node.field("module_name")
    if module_node is None:
        return
    module_text = module_node.text()
    level = len(module_text) - len(module_text.lstrip("."))
    module = module_text.lstrip(".")
    names = node.field_children("name")
    if not names:  # `from m import *`
        facts.imports.append(ImportBinding("*", module, "*", level, span, top))
    for item in names:
        if item.kind() == "aliased_import":
            name, alias = item.field("name"), item.field("alias")
            if name is not None and alias is not None:
                facts.imports.append(
                    ImportBinding(alias.text(), module, name.text(), level, span, top)
                )
        else:
            facts.imports.append(ImportBinding(item.text(), module, item.text(), level, span, top))
    _set_blocks(facts.imports, start, blocks)


def _set_blocks(bindings: list[ImportBinding], start: int, blocks: tuple[Block, ...]) -> None:
    for binding in bindings[start:]:
        binding.blocks = blocks


def _assignment(node, facts: FileFacts, lines: _Lines) -> None:
    left, right = node.field("left"), node.field("right")
    if left is None or right is None:
        return
    if left.kind() == "subscript":
        _item_write(left, "set", right, facts, lines)
        return
    if left.kind() in _UNPACK_KINDS:
        _unpacking(node, left, right, facts, lines)
        return
    if left.kind() != "identifier":
        return
    placement, namespace, blocks = _placement(node, lines)
    # Function-local names and class attributes are followed too (helpers, settings).
    stmt = node.parent() or node
    stmt_span = span_of(stmt)
    facts.assignments.append(
        Assignment(
            left.text(),
            snippet_of(right, lines.eager),
            span_of(node),
            namespace,
            placement,
            (stmt_span.line, stmt_span.end_line),
            blocks,
            node.field("type") is not None,
        )
    )


_UNPACK_KINDS = frozenset({"pattern_list", "tuple_pattern", "list_pattern"})


def _unpacking(node, left, right, facts: FileFacts, lines: _Lines) -> None:
    """`MIN, MAX = 1, 3`, `Endpoint, GpuGroup = load_flash()`: one assignment per name, each
    reading its position of the value (only when every target is a plain name)."""
    targets = [c for c in left.children() if c.is_named() and c.kind() not in EXTRAS]
    if not targets or any(t.kind() != "identifier" for t in targets):
        return
    placement, namespace, blocks = _placement(node, lines)
    stmt = node.parent() or node
    stmt_span = span_of(stmt)
    value = snippet_of(right, lines.eager)
    for index, target in enumerate(targets):
        facts.assignments.append(
            Assignment(
                target.text(),
                value,
                span_of(target),  # each target its own place: resolution memoises by it
                namespace,
                placement,
                (stmt_span.line, stmt_span.end_line),
                blocks,
                False,
                (index, len(targets)),
            )
        )


def _item_write(subscript, op: str, value, facts: FileFacts, lines: _Lines) -> None:
    """`NAME[key] = value` (op "set") or `del NAME[key]` ("del"): a write to NAME's item."""
    base, key = subscript.field("value"), subscript.field("subscript")
    if base is None or base.kind() != "identifier":
        return
    _, namespace, blocks = _placement(subscript, lines)
    facts.writes.append(
        ItemWrite(
            base.text(),
            op,
            span_of(subscript.parent() or subscript),
            namespace,
            snippet_of(key, lines.eager) if key is not None else None,
            snippet_of(value, lines.eager) if value is not None else None,
            _untaken(blocks),
            _set_loop_of(subscript.parent(), lines) if op == "set" else None,
        )
    )


# A `for` target an item set in its loop is unrolled with: a name, or names to unpack
# (`for key, spec in MODELS.items():`).
_LOOP_TARGETS = frozenset({"identifier", "pattern_list", "tuple_pattern"})


def _set_loop_of(assignment, lines: _Lines) -> tuple[str, Snippet] | None:
    """The `for TARGET in ITERABLE:` loop an item assignment is in, directly or under `if`
    branches of the loop's body (`for key in KEYS: value = os.getenv(key, ""); if value:
    env[key] = value`), as (TARGET's text, ITERABLE); None for any other statement between
    them (a nested loop, `try`, `with`, a `for ... else:` branch) or another frame."""
    statement = assignment.parent() if assignment is not None else None
    if statement is None or statement.kind() != "expression_statement":
        return None
    node = statement
    while True:
        body = node.parent()
        if body is None or body.kind() != "block":
            return None
        owner = body.parent()
        if owner is None:
            return None
        kind = owner.kind()
        if kind in ("elif_clause", "else_clause"):
            owner = owner.parent()
            if owner is None or owner.kind() != "if_statement":
                return None  # `for ... else:`, `try ... else:`
            kind = "if_statement"
        if kind == "if_statement":
            node = owner
            continue
        if kind != "for_statement":
            return None
        left, right = owner.field("left"), owner.field("right")
        if left is None or right is None or left.kind() not in _LOOP_TARGETS:
            return None
        return left.text(), snippet_of(right, lines.eager)


_AUGMENTED_OPS = {"+=": "iadd", "|=": "ior"}


def _augmented(node, facts: FileFacts, lines: _Lines) -> None:
    left, right, operator = node.field("left"), node.field("right"), node.field("operator")
    if left is None or right is None:
        return
    op = _AUGMENTED_OPS.get(operator.text() if operator is not None else "", "other")
    if left.kind() == "subscript":  # `ENV["K"] += ...`: the item's new value is not modelled
        base = left.field("value")
        target = base.text() if base is not None and base.kind() == "identifier" else None
        op = "other"
    else:
        target = left.text() if left.kind() == "identifier" else None
    if target is None:
        return
    _, namespace, blocks = _placement(node, lines)
    value = snippet_of(right, lines.eager) if op != "other" else None
    write = ItemWrite(target, op, span_of(node), namespace, None, value, _untaken(blocks))
    facts.writes.append(write)


def _delete(node, facts: FileFacts, lines: _Lines) -> None:
    for child in node.children():
        items = child.children() if child.kind() == "expression_list" else [child]
        for item in items:
            if item.kind() == "subscript":
                _item_write(item, "del", None, facts, lines)
            elif item.kind() == "identifier":
                _, namespace, blocks = _placement(node, lines)
                if namespace is None:
                    facts.unbinds.append(Unbinding(item.text(), span_of(item), blocks))


def _method_write(node, facts: FileFacts, lines: _Lines) -> None:
    """`NAME.update(...)`, `NAME.append(x)`...: the call is kept whole (ItemWrite.value)."""
    func = node.field("function")
    receiver = func.field("object") if func is not None else None
    method = func.field("attribute") if func is not None else None
    if receiver is None or method is None:
        return
    _, namespace, blocks = _placement(node, lines)
    op = method.text()
    facts.writes.append(
        ItemWrite(
            receiver.text(),
            op,
            span_of(node),
            namespace,
            None,
            snippet_of(node, lines.eager),
            _untaken(blocks),
            _loop_of(node, lines) if op in ROUTE_REGISTRARS else None,
        )
    )


def _loop_of(node, lines: _Lines) -> tuple[str, Snippet] | None:
    """The `for NAME in ITERABLE:` loop the statement `node` is directly in (its body, in the
    same function), as (NAME, ITERABLE)."""
    statement = node.parent()
    if statement is None or statement.kind() != "expression_statement":
        return None
    body = statement.parent()
    loop = body.parent() if body is not None and body.kind() == "block" else None
    if loop is None or loop.kind() != "for_statement":
        return None
    left, right = loop.field("left"), loop.field("right")
    if left is None or right is None or left.kind() != "identifier":
        return None
    return left.text(), snippet_of(right, lines.eager)


def _call_statement(node, facts: FileFacts, lines: _Lines) -> None:
    """`configure(ENV)` as a statement of its own at module level (op "call"); the search
    matches only statements directly in the module, so no block encloses it."""
    func = node.field("function")
    if func is not None:
        facts.writes.append(
            ItemWrite(func.text(), "call", span_of(node), None, None, snippet_of(node, lines.eager))
        )


# `if` headers whose body never runs when a module is imported by name (as a build does):
# the `__main__` guard and `TYPE_CHECKING`, either spelling of each.
NEVER_RUNS = re.compile(
    r"""^if\s+(?:__name__\s*==\s*['"]__main__['"]|['"]__main__['"]\s*==\s*__name__"""
    r"""|(?:typing\.)?TYPE_CHECKING)\s*:"""
)


def never_runs_body(if_node, body) -> bool:
    """Whether ast-grep `body` is the body (not an `elif`/`else`) of the `if` statement
    `if_node` and that `if` is a `__main__` or `TYPE_CHECKING` guard (NEVER_RUNS)."""
    condition, consequence = if_node.field("condition"), if_node.field("consequence")
    if condition is None or consequence is None or consequence.range() != body.range():
        return False
    return NEVER_RUNS.match(f"if {condition.text()}:") is not None


def blocks_around(node, lines: SourceLines) -> tuple[Block, ...]:
    """The blocks enclosing the syntax node `node` of a file read as `lines`, innermost first,
    as a declaration there records them (for a call the facts keep no record of)."""
    return _placement(node, lines)[2]


def guarding_if(blocks: tuple[Block, ...], header_test) -> Block | None:
    """The enclosing `if` whose header passes `header_test` and whose own body (not an
    `elif`/`else` branch of it) holds the code; `blocks` are innermost first."""
    for i, block in enumerate(blocks):
        in_branch = i > 0 and blocks[i - 1].kind in ("elif", "else")
        if block.kind == "if" and not in_branch and header_test(block.header):
            return block
    return None


def _untaken(blocks: tuple[Block, ...]) -> bool:
    return guarding_if(blocks, NEVER_RUNS.match) is not None


# BodyFacts' sequences: gathered into lists while the body is walked, then frozen (model.py).
_BODY_SEQUENCES = tuple(f.name for f in fields(BodyFacts) if str(f.type).startswith("tuple["))


def _body_facts(definition, name: str, path: str) -> BodyFacts:
    facts = BodyFacts(
        name=name,
        span=span_of(definition.field("name") or definition),
        path=path,
        is_class=definition.kind() == "class_definition",
        is_async=any(c.kind() == "async" for c in definition.children()),
        **{sequence: [] for sequence in _BODY_SEQUENCES},
    )
    body = definition.field("body")
    if body is not None:
        _gather_body(definition, body, facts)
    for sequence in _BODY_SEQUENCES:
        gathered = getattr(facts, sequence)
        setattr(facts, sequence, tuple(gathered) if gathered else ())
    return facts


def _gather_body(definition, body, facts: BodyFacts) -> None:
    _signature(definition, body, facts)
    subscript_reads = []  # after the calls' reads, as callers have always seen them
    for node in body.find_all(**_BODY_RULE):
        kind = node.kind()
        if kind == "call":
            _body_call(node, facts, body)
        elif kind == "subscript":
            base, index = node.field("value"), node.field("subscript")
            if base is not None and index is not None and _env_text(base.text()) in ENV_MAPPINGS:
                expr = to_expr(index)
                if expr.kind == "lit" and isinstance(expr.value, str):
                    if is_write_target(node):
                        facts.env_writes.append((expr.value, span_of(node)))
                    else:
                        subscript_reads.append((expr.value, span_of(node)))
                elif expr.kind == "name" and is_write_target(node):
                    if not _bound_in(body, expr.value, facts):
                        facts.env_key_writes.append((expr.value, span_of(node)))
                elif expr.kind == "name":
                    _keyed_read(node, expr.value, body, facts, subscript_reads)
        elif kind == "comparison_operator":
            _membership_read(node, subscript_reads)
        else:
            _body_import(node, facts)
    facts.env_reads.extend(subscript_reads)


_PARAM_KINDS = {
    "identifier": "req",
    "typed_parameter": "req",
    "default_parameter": "opt",
    "typed_default_parameter": "opt",
    "list_splat_pattern": "star",
    "dictionary_splat_pattern": "dstar",
}


def _signature(definition, body, facts: BodyFacts) -> None:
    """Parameters (a class: its `__init__`'s) and base classes, for runpod 2.0 handler shapes."""
    if definition.kind() == "class_definition":
        bases = definition.field("superclasses")
        if bases is not None:
            facts.bases = [
                c.text() for c in bases.children() if c.kind() in ("identifier", "attribute")
            ]
        for child in body.children():
            inner = child.field("definition") if child.kind() == "decorated_definition" else child
            if inner is None or inner.kind() != "function_definition":
                continue
            name = inner.field("name")
            if name is not None and name.text() == "__init__":
                _parameters(inner, facts)
            if name is not None and child is inner and not name.text().startswith("_"):
                is_async = any(c.kind() == "async" for c in inner.children())
                facts.methods.append((name.text(), is_async, span_of(name)))
        return
    _parameters(definition, facts)


def _parameters(definition, facts: BodyFacts) -> None:
    params = definition.field("parameters")
    if params is None:
        return
    keyword_only = False
    for child in params.children():
        kind = child.kind()
        if kind == "keyword_separator":
            keyword_only = True
            continue
        shape = _PARAM_KINDS.get(kind)
        if shape is None:
            continue
        if shape == "star":
            keyword_only = True
        elif keyword_only and shape in ("req", "opt"):
            shape = "kw" + shape
        whole = kind in ("identifier", "list_splat_pattern", "dictionary_splat_pattern")
        name = child.text() if whole else (child.child(0) or child).text()
        name = name.split(":")[0].split("=")[0].strip(" *")
        facts.params.append((name, shape))
        annotation = None if whole else child.field("type")
        if annotation is not None:
            facts.annotations.append((name, annotation.text()))


def _body_call(call, facts: BodyFacts, body=None) -> None:
    func = call.field("function")
    if func is None:
        return
    callee = intern(func.text())
    if func.kind() not in ("identifier", "attribute"):
        return
    facts.calls.append(callee)
    facts.call_spans.append(span_of(call))
    callee = _env_text(callee)
    if callee in ENV_GETTERS:
        first = _first_arg(call)
        if first is not None and first.kind == "lit" and isinstance(first.value, str):
            facts.env_reads.append((first.value, span_of(call)))
        elif first is not None and first.kind == "name" and body is not None:
            _keyed_read(call, first.value, body, facts, facts.env_reads)
    elif callee in _ENV_WRITERS:
        names = [_first_string_arg(call)] if not callee.endswith("update") else []
        first = _first_arg(call) if not callee.endswith("update") else None
        keyed = first is not None and first.kind == "name" and body is not None
        if keyed and not _bound_in(body, first.value, facts):
            facts.env_key_writes.append((first.value, span_of(call)))
        args = call.field("arguments")
        for child in args.children() if callee.endswith("update") and args is not None else []:
            if child.kind() == "keyword_argument" and child.field("name") is not None:
                names.append(child.field("name").text())
            elif child.kind() == "dictionary":
                for pair in child.children():
                    key = pair.field("key") if pair.kind() == "pair" else None
                    expr = to_expr(key) if key is not None else None
                    if expr is not None and expr.kind == "lit" and isinstance(expr.value, str):
                        names.append(expr.value)
        facts.env_writes.extend((n, span_of(call)) for n in names if n is not None)


def is_write_target(subscript) -> bool:
    """`os.environ[K] = v`, `os.environ[K] += v` and `del os.environ[K]` write, not read."""
    parent = subscript.parent()
    if parent is None:
        return False
    if parent.kind() in ("assignment", "augmented_assignment"):
        left = parent.field("left")
        return left is not None and left.range().start.index == subscript.range().start.index
    return parent.kind() == "delete_statement"


def _membership_read(node, reads: list) -> None:
    """`"K" in os.environ` reads K (`not in` too)."""
    children = [c for c in node.children() if c.is_named() and c.kind() not in EXTRAS]
    if len(children) != 2 or _env_text(children[1].text()) not in ENV_MAPPINGS:
        return
    operators = [c.text() for c in node.children() if not c.is_named()]
    if "in" not in operators:
        return
    expr = to_expr(children[0])
    if expr.kind == "lit" and isinstance(expr.value, str):
        reads.append((expr.value, span_of(node)))


def _body_import(imp, facts: BodyFacts) -> None:
    module = imp.field("module_name")
    if module is not None:
        facts.imports.append(module.text().lstrip("."))
        return
    for item in imp.field_children("name"):
        dotted = item.field("name") if item.kind() == "aliased_import" else item
        if dotted is not None:
            facts.imports.append(dotted.text())


def _first_string_arg(call) -> str | None:
    expr = _first_arg(call)
    return expr.value if expr is not None and expr.kind == "lit" else None


def _first_arg(call) -> Expr | None:
    args = call.field("arguments")
    if args is None:
        return None
    for child in args.children():
        if child.is_named() and child.kind() not in (*EXTRAS, "keyword_argument"):
            expr = to_expr(child)
            return expr if expr.kind != "lit" or isinstance(expr.value, str) else None
    return None


_COMPREHENSIONS = frozenset(
    {"list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression"}
)


def _keyed_read(node, name: str, body, facts: BodyFacts, reads: list) -> None:
    """An environment read keyed by the name `name`: each string of a literal the loop binding
    it runs over (`for k in ("A", "B")`), or, for a loop over a name or a name the body does not
    assign, that name, for the rule to resolve (`env_key_names`)."""
    span = span_of(node)
    anc = node.parent()
    while anc is not None and anc != body:
        kind = anc.kind()
        loops = [anc] if kind == "for_statement" else []
        if kind in _COMPREHENSIONS:
            loops = [c for c in anc.children() if c.kind() == "for_in_clause"]
        for loop in loops:
            left, right = loop.field("left"), loop.field("right")
            if left is not None and right is not None and left.text() == name:
                items = to_expr(right)
                if items.kind in ("tuple", "list", "set"):
                    keys = [i.value for i in items.items if i.kind == "lit"]
                    if all(isinstance(k, str) for k in keys) and len(keys) == len(items.items):
                        reads.extend((key, span) for key in keys)
                elif items.kind in ("name", "attr") and not _bound_in(body, items.text, facts):
                    facts.env_key_names.append((items.text, span))
                return
        anc = anc.parent()
    if not _bound_in(body, name, facts):
        facts.env_key_names.append((name, span))


def _bound_in(body, name: str, facts: BodyFacts) -> bool:
    head = name.split(".", 1)[0]
    return any(param == head for param, _ in facts.params) or _assigned_in(body, head)


def _assigned_in(body, name: str) -> bool:
    """`name` is bound in the function body: assigned, a loop target, unpacked, `as` or
    `global` (its parameters are `facts.params`)."""
    for found in body.find_all(kind="identifier", regex=f"^{re.escape(name)}$"):
        parent = found.parent()
        if parent is None:
            continue
        if parent.kind() in (
            "assignment",
            "augmented_assignment",
            "for_statement",
            "for_in_clause",
        ):
            left = parent.field("left")
            if left is not None and left.range() == found.range():
                return True
        if parent.kind() in (
            "pattern_list",
            "tuple_pattern",
            "as_pattern_target",
            "global_statement",
        ):
            return True
    return False


def _decorated(node, facts: FileFacts, lines: _Lines) -> None:
    definition = node.field("definition")
    if definition is None:
        return
    name_node = definition.field("name")
    name = name_node.text() if name_node is not None else "<anonymous>"
    decorators = []
    for dec in node.children():
        if dec.kind() != "decorator":
            continue
        inner = [c for c in dec.children() if c.is_named() and c.kind() not in EXTRAS]
        if inner:
            # `@x := y` is no assignment's value (`_ = x := y`), which a snippet is parsed as
            eager = lines.eager or inner[0].kind() == "named_expression"
            decorators.append(snippet_of(inner[0], eager))
    placement, namespace, blocks = _placement(node, lines)
    header_line = span_of(name_node).line if name_node is not None else span_of(node).line
    facts.decorated.append(
        Decorated(
            decorators,
            _body_facts(definition, name, facts.path),
            namespace,
            placement,
            (span_of(node).line, header_line),
            blocks,
        )
    )


def _helper_body(node, facts: FileFacts, into: dict | None = None) -> None:
    parent = node.parent()
    if parent is not None and parent.kind() == "decorated_definition":
        parent = parent.parent()  # `@lru_cache def _get_model()` is a helper too
    if parent is None or parent.kind() != "module":
        return
    name_node = node.field("name")
    if name_node is not None:
        (facts.helper_bodies if into is None else into).setdefault(
            name_node.text(), _body_facts(node, name_node.text(), facts.path)
        )


_DEF_PARAM_MODES = {
    "identifier": "",
    "typed_parameter": "",
    "default_parameter": "",
    "typed_default_parameter": "",
    "list_splat_pattern": "*",
    "dictionary_splat_pattern": "**",
}


def _function(node, facts: FileFacts, lines: _Lines) -> None:
    _helper_body(node, facts)
    name_node = node.field("name")
    if name_node is None:
        return
    _, namespace, _ = _placement(node, lines)
    params: list[tuple[str, Snippet | None, str]] = []
    keyword_only = False
    parameters = node.field("parameters")
    for child in parameters.children() if parameters is not None else ():
        kind = child.kind()
        if kind == "keyword_separator":
            keyword_only = True
            continue
        if kind not in _DEF_PARAM_MODES:
            continue
        ident = child if kind == "identifier" else child.field("name")
        if ident is None:
            ident = next((c for c in child.children() if c.kind() == "identifier"), None)
        if ident is None:
            continue
        default = child.field("value") if "default" in kind else None
        mode = _DEF_PARAM_MODES[kind] or ("kw" if keyword_only else "")
        keyword_only = keyword_only or mode == "*"
        snippet = snippet_of(default, lines.eager) if default is not None else None
        params.append((ident.text(), snippet, mode))
    fn = FunctionDef(name_node.text(), span_of(node), namespace, params)
    if fn.name == "__init__" and namespace is not None:
        forwarding = _forwarding(node, lines)
        if forwarding is not None:
            fn.super_init, fn.forward_defaults = forwarding
    facts.functions.append(fn)


_SUPER_INIT = re.compile(r"super\(\s*(?:\w+\s*,\s*\w+\s*)?\)\.__init__")


def _forwarding(node, lines: _Lines) -> tuple[Snippet, tuple] | None:
    """An `__init__` whose body is only a docstring, keyword defaults set on a dict
    (`kwargs.setdefault("k", v)`, `kwargs["k"] = v`) and, last, one `super().__init__(...)`:
    (that call, those defaults). None for any other body (the base then gets what the body
    computes, which is not followed)."""
    body = node.field("body")
    statements = [c for c in body.children() if c.is_named()] if body is not None else []
    statements = [c for c in statements if c.kind() != "comment"]
    if statements and _is_docstring(statements[0]):
        statements = statements[1:]
    if not statements:
        return None
    call = _only_child(statements[-1], "call")
    func = call.field("function") if call is not None else None
    if func is None or not _SUPER_INIT.fullmatch(func.text()):
        return None
    defaults = []
    for statement in statements[:-1]:
        default = _keyword_default(statement, lines)
        if default is None:
            return None
        defaults.append(default)
    return snippet_of(call, lines.eager), tuple(defaults)


def _only_child(statement, kind: str):
    """The expression of an expression statement when it is of `kind`, else None."""
    if statement.kind() != "expression_statement":
        return None
    children = [c for c in statement.children() if c.is_named()]
    return children[0] if len(children) == 1 and children[0].kind() == kind else None


def _is_docstring(statement) -> bool:
    return _only_child(statement, "string") is not None


def _keyword_default(statement, lines: _Lines) -> tuple[str, str, str, Snippet] | None:
    """`kw.setdefault("k", v)` or `kw["k"] = v` as (kw, op, "k", v); None for anything else."""
    call = _only_child(statement, "call")
    if call is not None:
        func, arguments = call.field("function"), call.field("arguments")
        target = func.field("object") if func is not None and func.kind() == "attribute" else None
        method = func.field("attribute") if target is not None else None
        args = [a for a in arguments.children() if a.is_named()] if arguments is not None else []
        if (
            target is None
            or target.kind() != "identifier"
            or method is None
            or method.text() != "setdefault"
            or len(args) != 2
        ):
            return None
        key = _string_key(args[0])
        if key is None or args[1].kind() in ("keyword_argument", "list_splat", "dictionary_splat"):
            return None
        return target.text(), "setdefault", key, snippet_of(args[1], lines.eager)
    assignment = _only_child(statement, "assignment")
    left = assignment.field("left") if assignment is not None else None
    right = assignment.field("right") if assignment is not None else None
    if left is None or right is None or left.kind() != "subscript":
        return None
    target, index = left.field("value"), left.field("subscript")
    key = _string_key(index) if index is not None else None
    if target is None or target.kind() != "identifier" or key is None:
        return None
    return target.text(), "set", key, snippet_of(right, lines.eager)


def _string_key(node) -> str | None:
    """The text of a plain string literal (no f-string, no concatenation), else None."""
    if node.kind() != "string" or any(c.kind() == "interpolation" for c in node.children()):
        return None
    import ast  # deferred: only an `__init__` that forwards gets here

    try:
        value = ast.literal_eval(node.text())
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None


def _class(node, facts: FileFacts, lines: _Lines) -> None:
    _helper_body(node, facts, facts.class_bodies)
    name_node = node.field("name")
    if name_node is None:
        return
    _, namespace, _ = _placement(node, lines)
    bases = []
    superclasses = node.field("superclasses")
    for child in superclasses.children() if superclasses is not None else ():
        if child.is_named() and child.kind() in ("identifier", "attribute"):
            bases.append(to_expr(child))
    decorators = []
    parent = node.parent()
    if parent is not None and parent.kind() == "decorated_definition":
        decorators = [
            d.text().lstrip("@").strip() for d in parent.children() if d.kind() == "decorator"
        ]
    facts.classes.append(
        ClassDef(name_node.text(), span_of(node), namespace, bases, decorators, *_fields(node))
    )


def _fields(node) -> tuple[list[str], list[str]]:
    """The annotated names of a class body, in order (`x: T` and `x: T = v`), up to a
    `_: KW_ONLY` marker, and their annotations' texts; `ClassVar`s are left out."""
    body = node.field("body")
    names, types = [], []
    for statement in body.children() if body is not None else ():
        if statement.kind() != "expression_statement":
            continue
        for child in statement.children():
            if child.kind() != "assignment" or child.field("type") is None:
                continue
            annotation = child.field("type").text()
            if "KW_ONLY" in annotation:
                return names, types  # the fields after `_: KW_ONLY` are keyword-only
            if "ClassVar" in annotation:
                continue  # a class attribute, not a field
            left = child.field("left")
            if left is not None and left.kind() == "identifier":
                names.append(left.text())
                types.append(shared(annotation))
    return names, types


def _return(node, facts: FileFacts, lines: _Lines) -> None:
    values = [c for c in node.children() if c.is_named() and c.kind() not in EXTRAS]
    if len(values) != 1:
        return
    _, namespace, _ = _placement(node, lines)
    # Functions are found before their bodies (source order), so the owner is already listed.
    for function in reversed(facts.functions):
        if function.span == namespace:
            function.returns.append(snippet_of(values[0], lines.eager))
            return


def _call(node, facts: FileFacts, lines: _Lines) -> None:
    """A call _FILE_RULE found: `Endpoint(...)(fn)`, a module-level `configure(ENV)`, or
    `NAME.attr(...)`, which the rule leaves to this function to tell apart (see there)."""
    func = node.field("function")
    if func is None:
        return
    kind = func.kind()
    if kind == "call":
        _applied(node, facts, lines)
    elif kind == "identifier":
        _call_statement(node, facts, lines)
    elif kind != "attribute":
        return
    elif _INVOKE_PATTERN.match(func.text()):
        if not any(a.kind() in _NAMESPACE_KINDS for a in node.ancestors()):
            _invocation(node, func, facts, lines)
    elif _writes_in_place(func):
        _method_write(node, facts, lines)


def _writes_in_place(func) -> bool:
    """`NAME.method` for a method in _WRITE_METHODS (`ENV.update`, `web.mount`)."""
    receiver, method = func.field("object"), func.field("attribute")
    return (
        receiver is not None
        and receiver.kind() == "identifier"
        and method is not None
        and method.text() in _WRITE_METHODS
    )


def _invocation(node, func, facts: FileFacts, lines: _Lines) -> None:
    """`embed.remote(...)` outside any function or class (`_call` leaves out the rest)."""
    parts = [p.strip() for p in func.text().split(".")]
    placement, _, blocks = _placement(node, lines)
    if placement in ("function", "class"):
        return
    facts.invocations.append(Invocation(parts[0], parts[1], span_of(node), blocks))


def _applied(node, facts: FileFacts, lines: _Lines) -> None:
    placement, namespace, blocks = _placement(node, lines)
    span = span_of(node)
    lines_ = (span.line, span.end_line)
    facts.applied.append(Applied(to_expr(node), namespace, placement, lines_, blocks))


_HANDLERS = {
    "import_statement": _import,
    "import_from_statement": _import,
    "assignment": _assignment,
    "decorated_definition": _decorated,
    "function_definition": _function,
    "class_definition": _class,
    "return_statement": _return,
    "augmented_assignment": _augmented,
    "delete_statement": _delete,
    "call": _call,
}


def extract(path: str, source: str) -> FileFacts:
    """Parse `source` once and pull out every fact discovery needs; Unanalysable (from
    `lex` or the span meter) when the file cannot be analysed at all."""
    from ast_grep_py import SgRoot  # deferred: most files never reach a parse

    lexed = lex(source)
    text = lexed.text
    facts = FileFacts(path=path, line_count=text.count("\n") + 1)
    _add_comments(lexed, facts)
    root = SgRoot(text, "python").root()
    global _os_aliases
    _os_aliases = os_aliases(text)
    # One native traversal finds every node of interest, in source order (each
    # kind's facts keep the order separate searches gave), and any sign of a
    # syntax error; only then is the tree walked for the first error.
    handlers = _HANDLERS
    start_meter()  # raises TooCostly from span_of on pathological files
    try:
        nodes = root.find_all(**_FILE_RULE)
        kinds = [node.kind() for node in nodes]
        # An ERROR node or a zero-width (MISSING) token: the only kinds without a handler.
        suspect = any(kind not in handlers for kind in kinds)
        lines = _Lines(text, eager=suspect)
        for node, kind in zip(nodes, kinds, strict=True):
            handler = handlers.get(kind)
            if handler is not None:
                handler(node, facts, lines)
        _sdk_attributes(root, facts)
        error = _walk_for_syntax_error(root) if suspect else None
        if error is None:
            error = _lexical_disagreement(root, lexed)
        if error is None and "await" in text:
            error = _await_outside_async(root)
        if error is not None:
            facts.parse_error, facts.parse_error_text = error
    finally:
        stop_meter()
        _os_aliases = {}
    return facts


# Packages whose top-level names FG213 checks; their attribute uses are collected only in
# files that bind one of them as a module, so other files pay nothing.
_SDK_PACKAGES = ("runpod_flash", "tetra_rp", "runpod")


def _sdk_attributes(root, facts: FileFacts) -> None:
    aliases = sorted(
        {
            b.local
            for b in facts.imports
            if b.name is None and not b.level and b.module in _SDK_PACKAGES
        }
    )
    if not aliases:
        return
    rule = {
        "kind": "attribute",
        "has": {"field": "object", "kind": "identifier", "regex": f"^(?:{'|'.join(aliases)})$"},
    }
    for node in root.find_all(**rule):
        obj, attr = node.field("object"), node.field("attribute")
        if obj is None or attr is None or is_write_target(node):
            continue
        if _shadowed(node, obj.text()):
            continue
        facts.sdk_attributes.append((obj.text(), attr.text(), span_of(node)))


def _shadowed(node, name: str) -> bool:
    """Whether an enclosing function rebinds `name` (a parameter, or an assignment in its
    body), so `name.attr` there is not the SDK package: `def f(rf): rf.y`."""
    for anc in node.ancestors():
        if anc.kind() not in ("function_definition", "lambda"):
            continue
        params = anc.field("parameters")
        if params is not None and any(n.text() == name for n in params.find_all(kind="identifier")):
            return True
        body = anc.field("body")
        if body is not None and body.find(
            any=[
                {"kind": "assignment", "has": {"field": "left", "regex": f"^{name}$"}},
                {"kind": "for_statement", "has": {"field": "left", "regex": f"^{name}$"}},
            ]
        ):
            return True
    return False


def _add_comments(lexed: Lexed, facts: FileFacts) -> None:
    """Suppression comments, located as Python's tokenizer finds them (the parser sees
    comments blanked)."""
    if not lexed.comments:
        return
    from bisect import bisect_right

    starts = line_starts(lexed.text)
    for offset, text in lexed.comments:
        line = bisect_right(starts, offset)
        facts.comments.append((line, offset - starts[line - 1] + 1, text))


def _lexical_disagreement(root, lexed: Lexed) -> tuple[Span, str] | None:
    """Where tree-sitter's string literals differ from Python's (their extents, in
    character offsets): code one of them reads as text. None when they agree."""
    ours = lexed.strings
    i = 0
    last_end = -1
    for node in root.find_all(kind="string"):
        rng = metered_range(node)  # one long line of strings: bounded like every span
        start, end = rng.start.index, rng.end.index
        if start < last_end:
            continue  # a string inside an f-string's braces: part of the outer literal
        last_end = end
        if i >= len(ours) or ours[i] != (start, end):
            return _disagreement_at(lexed, min(start, ours[i][0]) if i < len(ours) else start)
        i += 1
    if i < len(ours):
        return _disagreement_at(lexed, ours[i][0])
    return None


def _disagreement_at(lexed: Lexed, offset: int) -> tuple[Span, str]:
    from bisect import bisect_right

    starts = line_starts(lexed.text)
    line = bisect_right(starts, offset)
    column = offset - starts[line - 1] + 1
    return (
        Span(line, column, line, column),
        "Python and the parser read a string literal here differently",
    )
