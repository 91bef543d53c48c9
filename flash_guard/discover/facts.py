"""Per-file extraction: one parse with ast-grep, then plain facts out.

The ast-grep rules here find the syntax that can matter to a Flash endpoint:
imports, assignments, decorated definitions, and within a worker's body the
environment reads, calls and imports. Nothing is resolved yet; a decorator
`@E(...)` is only known to be Flash once `E`'s import is followed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flash_guard.discover.parse import Expr, span_of, start_meter, stop_meter, to_expr
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

_ENV_GETTERS = {"os.getenv", "getenv", "os.environ.get", "environ.get"}
_ENV_MAPPINGS = {"os.environ", "environ"}
# Every node the walk in first_syntax_error reports matches this rule (an ERROR
# node, or a zero-width MISSING token, whose text is empty).
_SUSPECT = {"any": [{"kind": "ERROR"}, {"regex": "^$"}]}
_IMPORT_KINDS = [{"kind": "import_statement"}, {"kind": "import_from_statement"}]
_FILE_RULE = {
    "any": [
        *_IMPORT_KINDS,
        {"kind": "assignment"},
        {"kind": "decorated_definition"},
        {"kind": "function_definition"},
        {"kind": "comment"},
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
_ENV_WRITERS = {f"{m}.{w}" for m in _ENV_MAPPINGS for w in ("setdefault", "pop", "update")}


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


@dataclass(frozen=True)
class Block:
    """A compound statement around a declaration: `flash build` only sees module globals."""

    kind: str  # function class loop if elif else match case try except finally with
    header: str  # the block's first line, e.g. `if __name__ == "__main__":`
    name: str = ""  # function or class name


@dataclass
class ImportBinding:
    """`local` is bound to module `module` (name None) or to `module.name`."""

    local: str
    module: str
    name: str | None
    level: int
    span: Span
    top_level: bool
    blocks: tuple[Block, ...] = ()  # enclosing blocks, innermost first


@dataclass
class Assignment:
    target: str
    expr: Expr
    span: Span
    namespace: Span | None  # the enclosing function/class, None at module level
    placement: str
    statement_lines: tuple[int, int] = (0, 0)
    blocks: tuple[Block, ...] = ()  # enclosing blocks, innermost first
    annotated: bool = False  # `x: T = ...`, which the build's AST scan does not read


@dataclass
class Decorated:
    decorators: list[Expr]
    target: BodyFacts
    namespace: Span | None
    placement: str
    lines: tuple[int, int]  # first decorator line .. definition header line
    blocks: tuple[Block, ...] = ()  # enclosing blocks, innermost first


@dataclass
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
    functions: dict[str, BodyFacts] = field(default_factory=dict)
    line_count: int = 0
    read_error: str | None = None

    @property
    def is_init(self) -> bool:
        return self.path.rsplit("/", 1)[-1] == "__init__.py"


def _placement(node, lines: _Lines) -> tuple[str, Span | None, tuple[Block, ...]]:
    """Where `node` sits: its placement, the namespace it binds names in, and the chain of
    enclosing blocks, innermost first (empty at module level)."""
    kinds = set()
    namespace = None
    blocks = []
    for anc in node.ancestors():
        kind = anc.kind()
        if kind in _PLACEMENT:
            kinds.add(_PLACEMENT[kind])
        if namespace is None and kind in _NAMESPACE_KINDS:
            namespace = span_of(anc)
        block = _BLOCK_KINDS.get(kind)
        if block is not None:
            name_node = anc.field("name") if block in ("function", "class") else None
            header = lines.line(span_of(anc).line - 1)
            blocks.append(Block(block, header, name_node.text() if name_node is not None else ""))
    for candidate in _PLACEMENT_PRIORITY:
        if candidate in kinds:
            return candidate, namespace, tuple(blocks)
    return "module", namespace, tuple(blocks)


class _Lines:
    """The source's lines, split only if a block header is ever needed."""

    def __init__(self, source: str):
        self.source = source
        self._lines: list[str] | None = None

    def line(self, index: int) -> str:
        if self._lines is None:
            self._lines = self.source.splitlines()
        return self._lines[index].strip() if index < len(self._lines) else ""


def first_syntax_error(root) -> tuple[Span, str] | None:
    """The first ERROR node, or MISSING token (a zero-width leaf), in source order."""
    # Most files are clean: one search in ast-grep's own (native) traversal
    # rules that out; only a suspect tree is walked node by node here.
    if root.find(**_SUSPECT) is None:
        return None
    return _walk_for_syntax_error(root)


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
                facts.imports.append(ImportBinding(first, first, None, 0, span, top))
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
    if left is None or right is None or left.kind() != "identifier":
        return
    placement, namespace, blocks = _placement(node, lines)
    # Inside functions only calls can be endpoint declarations; local
    # constants are not followed, so they need not be converted.
    if namespace is not None and right.kind() != "call":
        return
    stmt = node.parent() or node
    stmt_span = span_of(stmt)
    facts.assignments.append(
        Assignment(
            left.text(),
            to_expr(right),
            span_of(node),
            namespace,
            placement,
            (stmt_span.line, stmt_span.end_line),
            blocks,
            node.field("type") is not None,
        )
    )


def _body_facts(definition, name: str, path: str) -> BodyFacts:
    facts = BodyFacts(
        name=name,
        span=span_of(definition.field("name") or definition),
        path=path,
        is_class=definition.kind() == "class_definition",
        is_async=any(c.kind() == "async" for c in definition.children()),
    )
    body = definition.field("body")
    if body is None:
        return facts
    subscript_reads = []  # after the calls' reads, as callers have always seen them
    for node in body.find_all(**_BODY_RULE):
        kind = node.kind()
        if kind == "call":
            _body_call(node, facts)
        elif kind == "subscript":
            base, index = node.field("value"), node.field("subscript")
            if base is not None and index is not None and base.text() in _ENV_MAPPINGS:
                expr = to_expr(index)
                if expr.kind == "lit" and isinstance(expr.value, str):
                    if _is_write_target(node):
                        facts.env_writes.append((expr.value, span_of(node)))
                    else:
                        subscript_reads.append((expr.value, span_of(node)))
        elif kind == "comparison_operator":
            _membership_read(node, subscript_reads)
        else:
            _body_import(node, facts)
    facts.env_reads.extend(subscript_reads)
    return facts


def _body_call(call, facts: BodyFacts) -> None:
    func = call.field("function")
    if func is None:
        return
    callee = func.text()
    if func.kind() not in ("identifier", "attribute"):
        return
    facts.calls.append((callee, span_of(call)))
    if callee in _ENV_GETTERS:
        first = _first_string_arg(call)
        if first is not None:
            facts.env_reads.append((first, span_of(call)))
    elif callee in _ENV_WRITERS:
        names = [_first_string_arg(call)] if not callee.endswith("update") else []
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


def _is_write_target(subscript) -> bool:
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
    children = [c for c in node.children() if c.is_named()]
    if len(children) != 2 or children[1].text() not in _ENV_MAPPINGS:
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
    args = call.field("arguments")
    if args is None:
        return None
    for child in args.children():
        if child.is_named() and child.kind() not in ("comment", "keyword_argument"):
            expr = to_expr(child)
            return expr.value if expr.kind == "lit" and isinstance(expr.value, str) else None
    return None


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
        inner = [c for c in dec.children() if c.is_named() and c.kind() != "comment"]
        if inner:
            decorators.append(to_expr(inner[0]))
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


def _function(node, facts: FileFacts, lines: _Lines) -> None:
    parent = node.parent()
    if parent is not None and parent.kind() == "decorated_definition":
        parent = parent.parent()  # `@lru_cache def _get_model()` is a helper too
    if parent is None or parent.kind() != "module":
        return
    name_node = node.field("name")
    if name_node is not None:
        facts.functions.setdefault(
            name_node.text(), _body_facts(node, name_node.text(), facts.path)
        )


def _comment(node, facts: FileFacts, lines: _Lines) -> None:
    text = node.text()
    if "flash-guard" in text:
        span = span_of(node)
        facts.comments.append((span.line, span.column, text))


_HANDLERS = {
    "import_statement": _import,
    "import_from_statement": _import,
    "assignment": _assignment,
    "decorated_definition": _decorated,
    "function_definition": _function,
    "comment": _comment,
}


def extract(path: str, source: str) -> FileFacts:
    """Parse `source` once and pull out every fact discovery needs."""
    from ast_grep_py import SgRoot  # deferred: most files never reach a parse

    facts = FileFacts(path=path, line_count=source.count("\n") + 1)
    root = SgRoot(source, "python").root()
    # One native traversal finds every node of interest, in source order (each
    # kind's facts keep the order separate searches gave), and any sign of a
    # syntax error; only then is the tree walked for the first error.
    suspect = False
    handlers = _HANDLERS
    lines = _Lines(source)
    start_meter()  # raises TooCostly from span_of on pathological files
    try:
        for node in root.find_all(**_FILE_RULE):
            handler = handlers.get(node.kind())
            if handler is None:
                suspect = True  # an ERROR node or a zero-width (MISSING) token
            else:
                handler(node, facts, lines)
        if suspect:
            error = _walk_for_syntax_error(root)
            if error is not None:
                facts.parse_error, facts.parse_error_text = error
    finally:
        stop_meter()
    return facts
