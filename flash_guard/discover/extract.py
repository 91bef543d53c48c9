"""Per-file extraction: one parse with ast-grep, then plain facts out.

The ast-grep rules here find the syntax that can matter to a Flash endpoint:
imports, assignments, decorated definitions, and within a worker's body the
environment reads, calls and imports. Nothing is resolved yet; a decorator
`@E(...)` is only known to be Flash once `E`'s import is followed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flash_guard.discover.syntax import Expr, span_of, to_expr
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


@dataclass
class ImportBinding:
    """`local` is bound to module `module` (name None) or to `module.name`."""

    local: str
    module: str
    name: str | None
    level: int
    span: Span
    top_level: bool


@dataclass
class Assignment:
    target: str
    expr: Expr
    span: Span
    namespace: Span | None  # the enclosing function/class, None at module level
    placement: str
    statement_lines: tuple[int, int] = (0, 0)


@dataclass
class Decorated:
    decorators: list[Expr]
    target: BodyFacts
    namespace: Span | None
    placement: str
    lines: tuple[int, int]  # first decorator line .. definition header line


@dataclass
class FileFacts:
    path: str  # relative to the project root, '/'-separated
    parse_error: Span | None = None
    parse_error_text: str = ""
    imports: list[ImportBinding] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    decorated: list[Decorated] = field(default_factory=list)
    comments: list[tuple[int, int, str]] = field(default_factory=list)  # line, column, text
    line_count: int = 0
    read_error: str | None = None

    @property
    def is_init(self) -> bool:
        return self.path.rsplit("/", 1)[-1] == "__init__.py"


def _placement(node) -> tuple[str, Span | None]:
    kinds = set()
    namespace = None
    for anc in node.ancestors():
        kind = anc.kind()
        if kind in _PLACEMENT:
            kinds.add(_PLACEMENT[kind])
        if namespace is None and kind in _NAMESPACE_KINDS:
            namespace = span_of(anc)
    for candidate in _PLACEMENT_PRIORITY:
        if candidate in kinds:
            return candidate, namespace
    return "module", namespace


def first_syntax_error(root) -> tuple[Span, str] | None:
    """The first ERROR node, or MISSING token (a zero-width leaf), in source order."""
    stack = [root]
    best = None
    while stack:
        node = stack.pop()
        kind = node.kind()
        if kind == "ERROR" or (node.is_leaf() and node.text() == "" and kind != "module"):
            span = span_of(node)
            if best is None or span < best[0]:
                best = (span, "unexpected syntax" if kind == "ERROR" else f"missing `{kind}`")
            continue
        stack.extend(node.children())
    return best


def _imports(root, facts: FileFacts) -> None:
    for node in root.find_all(
        any=[{"kind": "import_statement"}, {"kind": "import_from_statement"}]
    ):
        placement, _ = _placement(node)
        top = placement in ("module", "conditional")
        span = span_of(node)
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
            continue
        module_node = node.field("module_name")
        if module_node is None:
            continue
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
                facts.imports.append(
                    ImportBinding(item.text(), module, item.text(), level, span, top)
                )


def _assignments(root, facts: FileFacts) -> None:
    for node in root.find_all(kind="assignment"):
        left, right = node.field("left"), node.field("right")
        if left is None or right is None or left.kind() != "identifier":
            continue
        placement, namespace = _placement(node)
        # Inside functions only calls can be endpoint declarations; local
        # constants are not followed, so they need not be converted.
        if namespace is not None and right.kind() != "call":
            continue
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
    for call in body.find_all(kind="call"):
        func = call.field("function")
        if func is None:
            continue
        callee = func.text()
        if func.kind() not in ("identifier", "attribute"):
            continue
        facts.calls.append((callee, span_of(call)))
        if callee in _ENV_GETTERS:
            first = _first_string_arg(call)
            if first is not None:
                facts.env_reads.append((first, span_of(call)))
    for sub in body.find_all(kind="subscript"):
        base, index = sub.field("value"), sub.field("subscript")
        if base is not None and index is not None and base.text() in _ENV_MAPPINGS:
            expr = to_expr(index)
            if expr.kind == "lit" and isinstance(expr.value, str):
                facts.env_reads.append((expr.value, span_of(sub)))
    for imp in body.find_all(any=[{"kind": "import_statement"}, {"kind": "import_from_statement"}]):
        module = imp.field("module_name")
        if module is not None:
            facts.imports.append(module.text().lstrip("."))
        else:
            for item in imp.field_children("name"):
                dotted = item.field("name") if item.kind() == "aliased_import" else item
                if dotted is not None:
                    facts.imports.append(dotted.text())
    return facts


def _first_string_arg(call) -> str | None:
    args = call.field("arguments")
    if args is None:
        return None
    for child in args.children():
        if child.is_named() and child.kind() not in ("comment", "keyword_argument"):
            expr = to_expr(child)
            return expr.value if expr.kind == "lit" and isinstance(expr.value, str) else None
    return None


def _decorated(root, facts: FileFacts) -> None:
    for node in root.find_all(kind="decorated_definition"):
        definition = node.field("definition")
        if definition is None:
            continue
        name_node = definition.field("name")
        name = name_node.text() if name_node is not None else "<anonymous>"
        decorators = []
        for dec in node.children():
            if dec.kind() != "decorator":
                continue
            inner = [c for c in dec.children() if c.is_named() and c.kind() != "comment"]
            if inner:
                decorators.append(to_expr(inner[0]))
        placement, namespace = _placement(node)
        header_line = span_of(name_node).line if name_node is not None else span_of(node).line
        facts.decorated.append(
            Decorated(
                decorators,
                _body_facts(definition, name, facts.path),
                namespace,
                placement,
                (span_of(node).line, header_line),
            )
        )


def _comments(root, facts: FileFacts) -> None:
    for node in root.find_all(kind="comment"):
        text = node.text()
        if "flash-guard" in text:
            span = span_of(node)
            facts.comments.append((span.line, span.column, text))


def extract(path: str, source: str) -> FileFacts:
    """Parse `source` once and pull out every fact discovery needs."""
    from ast_grep_py import SgRoot  # deferred: most files never reach a parse

    facts = FileFacts(path=path, line_count=source.count("\n") + 1)
    root = SgRoot(source, "python").root()
    error = first_syntax_error(root)
    if error is not None:
        facts.parse_error, facts.parse_error_text = error
    _imports(root, facts)
    _assignments(root, facts)
    _decorated(root, facts)
    _comments(root, facts)
    return facts
