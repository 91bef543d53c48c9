"""An unresolved expression whose first name nothing in its module binds: a NameError.

FG002 says a value is not statically known; when the value is `GpuGroup.ANY` and `GpuGroup` is
never imported, assigned or bound in any other way in the file, the module cannot be imported
at all, and the message says so. Only when that is certain: the expression is evaluated at
import (module level or a module-level class body or decorator, outside any function, lambda,
comprehension, conditional, loop, `try` or `with`), the file has no `*` import, does not reach
its own namespace (`globals()`, `exec`, `sys.modules`, ...), is not a package's `__init__.py`
(importing a submodule binds its name there), and every occurrence of the name is a plain
read. The file is parsed again here, only for such FG002 findings, once per run.
"""

from __future__ import annotations

import builtins
import re

_NAME_CHAIN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")
# Code that can bind a module global without naming it: no certainty there.
_DYNAMIC = re.compile(
    r"\b(?:globals|locals|vars|exec|eval|__import__|__builtins__|builtins|setattr|sys\.modules)\b"
)
_BUILTINS = frozenset(dir(builtins))
# Parents under which an identifier is read, never bound (tree-sitter-python node kinds).
_READS = frozenset(
    {
        "attribute",
        "call",
        "argument_list",
        "binary_operator",
        "comparison_operator",
        "boolean_operator",
        "not_operator",
        "unary_operator",
        "return_statement",
        "subscript",
        "slice",
        "pair",
        "expression_statement",
        "decorator",
        "conditional_expression",
        "parenthesized_expression",
        "await",
        "list_splat",
        "dictionary_splat",
        "interpolation",
        "assert_statement",
        "raise_statement",
    }
)
# Enclosing nodes under which the expression may not run at import, or a NameError is caught.
_NOT_AT_IMPORT = frozenset(
    {
        "function_definition",
        "lambda",
        "list_comprehension",
        "dictionary_comprehension",
        "set_comprehension",
        "generator_expression",
        "conditional_expression",
        "boolean_operator",
        "if_statement",
        "for_statement",
        "while_statement",
        "try_statement",
        "with_statement",
        "match_statement",
    }
)


def undefined_name(
    source: str | None, path: str, span, text: str, roots: dict | None = None
) -> str | None:
    """The first name of `text` (written at `span` of `path`, whose source is `source`) when
    nothing in the module binds it, so evaluating it at import raises NameError; else None.
    `roots` holds the files parsed so far (checks/placement.parsed_roots: shared with the
    other checks that parse a file again), and gets this one's parse."""
    match = _NAME_CHAIN.match(text or "")
    if source is None or match is None or span is None:
        return None
    name = match.group(1)
    if name in _BUILTINS or (name.startswith("__") and name.endswith("__")):
        return None
    if path.rsplit("/", 1)[-1] == "__init__.py" or _DYNAMIC.search(source):
        return None
    from ast_grep_py import SgRoot  # deferred: only FG002 findings on a plain name get here

    roots = {} if roots is None else roots
    root = roots.get(path)
    if root is None:
        root = roots[path] = SgRoot(source, "python").root()
    if root.find(kind="wildcard_import") is not None:
        return None
    written = None
    for node in root.find_all(kind="identifier", regex=f"^{re.escape(name)}$"):
        if node.text() != name:
            continue
        start = node.range().start
        if (start.line + 1, start.column + 1) == (span.line, span.column):
            written = node
        parent = node.parent()
        kind = parent.kind() if parent is not None else ""
        if kind == "keyword_argument":
            value = parent.field("value")
            if value is None or value.range() != node.range():
                continue  # the keyword's own name (`gpu=`): no reference to the name
        elif kind not in _READS:
            return None  # an import, an assignment target, a parameter...: maybe bound
    if written is None:
        return None  # the text is not what is written there: nothing certain
    expression = written
    while expression.parent() is not None and expression.parent().kind() == "attribute":
        expression = expression.parent()
    if expression.text() != text:
        return None
    ancestor = written.parent()
    while ancestor is not None:
        if ancestor.kind() in _NOT_AT_IMPORT:
            return None
        ancestor = ancestor.parent()
    return name
