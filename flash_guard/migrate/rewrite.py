"""The edits that move one file from runpod_flash to runpod 2.0, one function per form.

A file moves as a whole or not at all: if any declaration or use of a flash name in it has no
safe rewrite, every declaration in it gets a `# flash-guard: migrate:` comment saying what to
do and nothing else changes, so the file keeps importing (and deploying with) runpod_flash.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass, field

from flash_guard.fix.edits import Edit
from flash_guard.migrate.forms import SAME_ENUMS, Decl, FileForms, enum_prefixes, flash_text
from flash_guard.migrate.params import LEGACY_KEYS, Left, Mapped, map_endpoint, map_legacy
from flash_guard.sdk import runpod2_tables

COMMENT = "# flash-guard: migrate:"
_BODY_VERBS = ("post", "put", "patch", "delete")

# What to do, per reason a declaration is left for a human (the report's categories).
REASONS = {
    "class-endpoint": "class-based endpoint (§6.2 B): rc2 has no stateful queue class (an "
    "@app.api class serves HTTP routes on a load balancer, called by handle.post(path, body)): "
    "split it into @app.queue functions with @handle.init, or an @app.api class with "
    "@runpod.init, and update the callers",
    "image-endpoint": "Endpoint(image=...) deploys a prebuilt worker image (§6.2 E): rc2's "
    "image= is only the base its runtime starts on (dockerArgs replaced), so the image's own "
    "server never runs: create it outside the SDK, call it with runpod.Endpoint('<id>')",
    "client-endpoint": "Endpoint(id=...) is a client (§6.2 F): use runpod.Endpoint('<id>') "
    "(run_sync, not runsync)",
    "custom-image-payload": "custom-image payload builder (§6.2 J): no 2.0 equivalent",
    "legacy-load-balancer": "legacy load-balancer @remote(method=, path=) (§6.2 H): move the "
    "routes into one @app.api class",
    "local-remote": "@remote(local=True) (§6.2 I): call handle.local(...) at the call site",
    "legacy-config-not-literal": "the resource config of @remote is not a literal in this file",
    "shared-endpoint": "one endpoint shared by several functions: 2.0 needs one resource, "
    "with its own name, per function",
    "mixed-routes-and-queue": "routes and @ep on one Endpoint",
    "route-handler-signature": "a route handler 2.0's class form cannot call (path or query "
    "parameters, models, several parameters): use an @app.api factory returning FastAPI",
    "route-not-movable": "routes that cannot be moved into one class safely",
    "cross-file-routes": "routes registered from several files: 2.0 needs them in one class",
    "gpu-not-literal": "gpu= is not a GpuGroup/GpuType literal: re-import the values from runpod",
    "volume": "volume= has no 1:1 form: mounts={'/runpod-volume': runpod.NetworkVolume(...)}",
    "template": "template=/PodTemplate: use container_disk_gb= and registry_auth=; the rest "
    "has no equivalent",
    "unsupported-parameter": "a parameter with no 2.0 spelling",
    "datacenter": "a datacenter runpod 2.0 does not have (it fails at import or deploy): pin "
    "one of runpod.DataCenter, or none",
    "flash-use": "the file uses runpod_flash in a way migrate does not rewrite",
    "flash-helper": "declared through a project helper built on runpod_flash (a factory, "
    "functools.partial, a subclass), which migrate does not rewrite: write the @app.queue/"
    "@app.api declaration by hand (the helper's file stays on runpod_flash)",
    "not-shipped": "the runpod 2.0 build leaves this file out of the artifact, so the deployed "
    "worker cannot import it: rename or move the file, or re-include it in .runpodignore",
    "duplicate-name": "two declarations share one name: 2.0 raises `duplicate resource name` "
    "(flash silently kept one); rename one",
    "name-too-short": "2.0 deploys names of at least 3 characters (`resource name ... is too "
    "short`): give it a longer name=, which renames the endpoint",
    "name-not-literal": "name= could not be resolved statically: make sure it is unique in "
    "the app (2.0 raises `duplicate resource name`)",
    "same-file": "left on runpod_flash with the rest of its file",
    "app-exists": "the app already constructs a runpod.App: migrate it by hand",
    "imported-elsewhere": "another file imports this endpoint object",
}


@dataclass
class Outcome:
    """What happened to one declaration."""

    path: str
    line: int
    label: str
    form: str
    status: str  # rewritten | explicit (rewritten, old defaults written) | left
    reason: str = ""
    detail: str = ""
    explicit: list[str] = field(default_factory=list)
    widened: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # old defaults 2.0 does not keep


@dataclass
class FileEdits:
    edits: list[Edit] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    migrated: bool = False
    handles: list[str] = field(default_factory=list)  # function names that became handles
    uses: list[tuple[str, int, str]] = field(default_factory=list)  # path, line, flash use


def comment_edit(parsed, line: int, message: str) -> Edit | None:
    """A `# flash-guard: migrate:` line above `line`, unless it is already there."""
    text = f"{COMMENT} {message}"
    above = line - 1
    while above >= 1 and parsed.line(above).strip().startswith(COMMENT):
        if parsed.line(above).strip() == text:
            return None  # a rerun: the notes above the line are already there
        above -= 1
    source = parsed.line(line)
    indent = source[: len(source) - len(source.lstrip())]
    start = parsed.line_start(line)
    return Edit(start, start, f"{indent}{text}{parsed.newline}")


def _delete_statement(parsed, stmt: ast.stmt, first: int | None = None) -> Edit:
    """`first`: where the deletion starts when not the statement's first line (a route
    function's comment block, moved with it)."""
    first = parsed.first_line(stmt) if first is None else first
    last = stmt.end_lineno
    after = 0
    while last + after + 1 < len(parsed.lines.starts) and not parsed.line(last + after + 1).strip():
        after += 1
    before = 0
    while first - before - 1 >= 1 and not parsed.line(first - before - 1).strip():
        before += 1
    # the larger of the two gaps stays the gap between what came before and what follows (the
    # last import of a block, deleted, takes the smaller gap above it, not the one below)
    if after > before:
        return Edit(parsed.line_start(first - before), parsed.line_end(last), "")
    return Edit(parsed.line_start(first), parsed.line_end(last + after), "")


def leave_file(forms: FileForms) -> FileEdits:
    out, parsed = FileEdits(), forms.parsed
    first_problem = next(
        (f"`{d.label}`" for d in forms.decls if d.reason),
        next((f"line {line}: {detail}" for line, _, detail in forms.problems), "?"),
    )
    for line, reason, detail in forms.problems:
        out.uses.append((parsed.path, line, detail))
        edit = comment_edit(parsed, _statement_line(parsed, line), f"{REASONS[reason]}: {detail}")
        _add_once(out.edits, edit)
    for decl in forms.decls:
        if decl.reason:
            msg = REASONS[decl.reason] + (f" ({decl.detail})" if decl.detail else "")
            reason, detail = decl.reason, decl.detail
        else:
            reason, detail = "same-file", f"because of {first_problem}"
            msg = f"{REASONS[reason]} ({detail})"
        line = parsed.first_line(decl.target) if decl.target is not None else decl.line
        if decl.assign is not None and decl.target is None:
            line = decl.assign.lineno
        _add_once(out.edits, comment_edit(parsed, line, msg))
        out.outcomes.append(
            Outcome(parsed.path, decl.line, decl.label, decl.form, "left", reason, detail)
        )
    return out


def _add_once(edits: list[Edit], note: Edit | None) -> None:
    """A note, unless the same one is already going there. Two different notes for one line
    (the declaration's reason, and a runpod_flash use inside its call) both go in: dropping
    one would leave the declaration without its note and have a second run add it."""
    if note is not None and all((e.start, e.content) != (note.start, note.content) for e in edits):
        edits.append(note)


def _statement_line(parsed, line: int) -> int:
    """The first line of the innermost statement holding `line` (a compound statement by its
    header only): a note goes above a statement, never between a signature's parameters."""
    best, span = line, None
    for node in ast.walk(parsed.tree):
        if not isinstance(node, ast.stmt):
            continue
        body = getattr(node, "body", None)
        end = body[0].lineno - 1 if isinstance(body, list) and body else node.end_lineno
        top = parsed.first_line(node)
        if top <= line <= max(end, top) and (span is None or end - top < span):
            best, span = top, end - top
    return best


def _call_comments(forms, call: ast.Call, mapped: Mapped) -> tuple[dict, str]:
    """The user's comments inside the flash call, placed in the rewritten one: a comment on
    its own line above the keyword that follows it, a trailing one after the keyword it ends,
    one inside a value carried over as text stays in that text. The rest (on a keyword that
    does not carry over, such as workersMin/workersMax merged into workers=) go above the
    decorator: (per mapped index (above, after), lines for above the decorator)."""
    parsed = forms.parsed
    text, start = parsed.segment(call), parsed.start(call)
    found = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        tokens = []
    line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    for tok in tokens:
        if tok.type == tokenize.COMMENT:
            found.append((start + line_starts[tok.start[0] - 1] + tok.start[1], tok.string))
    used: set[int] = set()
    index = {id(kw): _mapped_index(forms, kw, mapped, used) for kw in call.keywords}
    placed: dict[int, tuple[list[str], str]] = {}
    rest = []
    for at, comment in found:
        holder = next(
            (kw for kw in call.keywords if parsed.start(kw.value) <= at < parsed.end(kw.value)),
            None,
        )
        if holder is not None and index[id(holder)] is not None:
            continue  # inside a value whose text carries over
        own_line = parsed.text[parsed.text.rfind("\n", 0, at) + 1 : at].strip() == ""
        if own_line:
            kw = next((k for k in call.keywords if parsed.start(k) > at), None)
        else:
            kw = next(
                (
                    k
                    for k in reversed(call.keywords)
                    if parsed.end(k.value) <= at
                    and not re.search(r"[\r\n]", parsed.text[parsed.end(k.value) : at])
                ),
                None,
            )
        i = index[id(kw)] if kw is not None else None
        if i is None or holder is not None:
            rest.append(comment)
            continue
        above, after = placed.get(i, ([], ""))
        if own_line:
            above = [*above, comment]
        elif after:
            rest.append(comment)
            continue
        else:
            after = comment
        placed[i] = (above, after)
    return placed, "".join(f"{c}{parsed.newline}" for c in rest)


def _mapped_index(forms, kw: ast.keyword, mapped: Mapped, used: set[int]) -> int | None:
    """The rewritten keyword that carries `kw`'s value text over (the same or a renamed key)."""
    value = flash_text(forms, kw.value)
    matches = [i for i, (_, v) in enumerate(mapped.kwargs) if v == value and i not in used]
    if not matches:
        return None
    same = [i for i in matches if mapped.kwargs[i][0] in (kw.arg, LEGACY_KEYS.get(kw.arg))]
    i = (same or matches)[0]
    used.add(i)
    return i


def migrate_file(forms: FileForms, ctx) -> FileEdits:
    """`ctx`: the plan of the app (App variable, import line or construction, adopt flag)."""
    parsed = forms.parsed
    out = FileEdits(migrated=True)
    volume_edits: dict[str, Edit] = {}
    for decl in forms.decls:
        mapped = _MAPPERS[decl.form](forms, decl, ctx, volume_edits, out)
        status = "explicit" if mapped.explicit else "rewritten"
        out.outcomes.append(
            Outcome(
                parsed.path,
                decl.line,
                decl.label,
                decl.form,
                status,
                explicit=list(mapped.explicit),
                widened=list(mapped.widened),
                changed=list(mapped.changed),
            )
        )
        line = parsed.first_line(decl.target)
        for note in mapped.widened:
            edit = comment_edit(parsed, line, f"{note}; pin it by hand if the device matters")
            if edit is not None:
                out.edits.append(edit)
        out.edits += mapped.edits
    # a `COMMON = {...}` whose keys went into the declarations: its runpod_flash values
    # (CudaVersion, NetworkVolume) would be undefined once the import is rewritten
    for stmt in forms.spread_dicts.values():
        out.edits.append(_delete_statement(parsed, stmt, _comment_block(forms, stmt)))
    out.edits += _enum_prefixes(forms, out.edits)
    out.edits += _imports(forms, ctx)
    return out


def _enum_prefixes(forms: FileForms, done: list[Edit]) -> list[Edit]:
    """`rf.GpuType.X` left in place (a constant, a function body) -> `runpod.GpuType.X`; the
    ones inside text a declaration's rewrite replaces were respelled there (flash_text)."""
    parsed, out = forms.parsed, []
    for name in enum_prefixes(forms, parsed.tree):
        at = parsed.start(name)
        if not any(e.start <= at < e.end for e in done):
            out.append(Edit(at, parsed.end(name), "runpod"))
    return out


def _queue(forms, decl: Decl, ctx, volume_edits, out: FileEdits) -> Mapped:
    parsed = forms.parsed
    if decl.form == "G":
        mapped = map_legacy(
            forms, decl.call, decl.legacy_class, decl.remote, ctx.adopt, volume_edits, ctx.old(decl)
        )
    else:
        mapped = map_endpoint(forms, decl.call, "queue", ctx.adopt, volume_edits, ctx.old(decl))
    placed, comments = _call_comments(forms, decl.call, mapped)
    new = mapped.render(f"{ctx.app_var}.queue", comments=placed)
    dec = decl.decorator
    start = parsed.start(dec)
    if decl.assign is not None:
        top = _comment_block(forms, decl.assign)
        comments = _lines(parsed, top, parsed.first_line(decl.assign)) + comments
        out.edits.append(_delete_statement(parsed, decl.assign, top))
    if comments:
        line_start = parsed.line_start(dec.lineno)
        out.edits.append(Edit(line_start, line_start, comments))
    out.edits.append(Edit(start, parsed.end(dec), new))
    out.handles.append(decl.target.name)
    return mapped


def _api(forms, decl: Decl, ctx, volume_edits, out: FileEdits) -> Mapped:
    """`api = Endpoint(...)` + `@api.get/post(...)` functions -> one @app.api class, placed
    where the last route function was (names the handlers use are all defined by then)."""
    parsed = forms.parsed
    mapped = map_endpoint(forms, decl.call, "api", ctx.adopt, volume_edits, ctx.old(decl))
    var = decl.assign.targets[0].id
    cls = _free_name(forms, "".join(p[:1].upper() + p[1:] for p in var.split("_") if p) or "Api")
    methods = []
    tops = {id(fn): _comment_block(forms, fn) for _, _, fn, _ in decl.routes}
    for verb, _path, fn, dec in decl.routes:
        methods.append(_method(forms, verb, dec, fn, tops[id(fn)]))
    placed, comments = _call_comments(forms, decl.call, mapped)
    top = _comment_block(forms, decl.assign)  # the comments describing `api = Endpoint(...)`
    comments = _lines(parsed, top, parsed.first_line(decl.assign)) + comments
    header = (
        f"{comments}@{mapped.render(f'{ctx.app_var}.api', comments=placed)}{parsed.newline}"
        f"class {cls}:{parsed.newline}"
    )
    body = parsed.newline.join(methods)
    last = decl.routes[-1][2]
    for _, _, fn, _ in decl.routes[:-1]:
        out.edits.append(_delete_statement(parsed, fn, tops[id(fn)]))
    first = tops[id(last)]
    out.edits.append(
        Edit(parsed.line_start(first), parsed.end(last), (header + body).rstrip("\r\n"))
    )
    out.edits.append(_delete_statement(parsed, decl.assign, top))
    return mapped


def _lines(parsed, first: int, stop: int) -> str:
    """The source lines first..stop-1 (with their line ends), unindented: a comment block
    that moves with the declaration it sits above."""
    return "".join(parsed.line(n).lstrip() + parsed.newline for n in range(first, stop))


def _free_name(forms, wanted: str) -> str:
    """`wanted`, or `wanted` with a number, whichever no name in the file already uses (the
    class becomes a module-level handle: `class Api` must not replace a helper named Api)."""
    taken: set[str] = set()
    for node in ast.walk(forms.parsed.tree):
        if isinstance(node, ast.Name):
            taken.add(node.id)
        elif isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            taken.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            taken.update((a.asname or a.name).split(".")[0] for a in node.names)
    name, n = wanted, 1
    while name in taken:
        n += 1
        name = f"{wanted}{n}"
    return name


def _comment_block(forms, fn) -> int:
    """The first line of the comment lines right above a module-level statement (no blank
    line between): they describe it, so they move with it (a route function into the class,
    a deleted `ep = Endpoint(...)` or `cfg = LiveServerless(...)` above its decorator)."""
    parsed, body = forms.parsed, forms.parsed.tree.body
    at = body.index(fn)
    floor = body[at - 1].end_lineno if at else 0
    top = parsed.first_line(fn)
    while top - 1 > floor and parsed.line(top - 1).lstrip().startswith("#"):
        top -= 1
    return top


def _method(forms, verb: str, dec: ast.Call, fn, top: int) -> str:
    parsed = forms.parsed
    nl = parsed.newline
    comments = [parsed.line(n).strip() for n in range(top, parsed.first_line(fn))]
    text = flash_text(forms, fn)
    name_at = text.index(f"def {fn.name}") + len(f"def {fn.name}")
    paren = text.index("(", name_at) + 1
    sep = ", " if fn.args.args else ""
    text = text[:paren] + "self" + sep + text[paren:]
    marker = f"@runpod.{verb}({parsed.segment(dec.args[0])})"
    lines = comments + [marker] + text.split(nl)
    return nl.join(("    " + ln) if ln.strip() else "" for ln in lines) + nl


def api_problem(forms: FileForms, decl: Decl, referenced) -> tuple[str, str] | None:
    """Why the routes of `decl` cannot become one class safely, or None."""
    if decl.call is None or not any(k.arg == "name" for k in decl.call.keywords):
        return "route-not-movable", "the Endpoint has no name="
    for verb, path, fn, dec in decl.routes:
        where = f"`{getattr(fn, 'name', '?')}`"
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return "route-not-movable", f"{where} is not a function"
        if len(fn.decorator_list) != 1 or len(dec.args) != 1 or dec.keywords or path is None:
            return "route-not-movable", f"{where}: one literal route decorator only"
        if path in runpod2_tables.RESERVED_ROUTE_PATHS:
            return "route-not-movable", f"{where}: {path} is reserved in 2.0"
        args = fn.args
        if args.vararg or args.kwarg or args.kwonlyargs or args.posonlyargs or args.defaults:
            return "route-handler-signature", f"{where} takes * / ** / defaults"
        if verb == "get" and args.args:
            return "route-handler-signature", f"{where}: a GET method gets no parameters in 2.0"
        if verb in _BODY_VERBS and (len(args.args) > 1 or (args.args and not _dict(args.args[0]))):
            return "route-handler-signature", f"{where}: only one `dict` body parameter maps"
        if _multiline_strings(fn):
            return "route-not-movable", f"{where} has a multi-line string (indentation matters)"
        if referenced(fn.name):
            return "route-not-movable", f"{where} is referenced elsewhere (it becomes a method)"
    return None


def _dict(arg: ast.arg) -> bool:
    ann = arg.annotation
    if isinstance(ann, ast.Subscript):
        ann = ann.value
    return isinstance(ann, ast.Name) and ann.id in ("dict", "Dict")


def _multiline_strings(fn) -> bool:
    doc = fn.body[0] if fn.body and isinstance(fn.body[0], ast.Expr) else None
    for node in ast.walk(fn):
        if isinstance(node, (ast.Constant, ast.JoinedStr)) and node.lineno != node.end_lineno:
            if doc is not None and node is doc.value:
                continue
            if isinstance(node, ast.Constant) and not isinstance(node.value, (str, bytes)):
                continue
            return True
    return False


_MAPPERS = {"A": _queue, "C": _queue, "G": _queue, "D": _api}


def parameter_problem(forms: FileForms, decl: Decl, adopt: bool) -> Left | None:
    """The mapping of `decl`'s parameters, tried before any edit: a file moves only when
    every declaration in it maps."""
    try:
        if decl.form == "G":
            map_legacy(forms, decl.call, decl.legacy_class, decl.remote, adopt, {})
        else:
            map_endpoint(forms, decl.call, "api" if decl.form == "D" else "queue", adopt, {})
    except Left as exc:
        return exc
    return None


def _imports(forms: FileForms, ctx) -> list[Edit]:
    parsed, tree = forms.parsed, forms.parsed.tree
    nl = parsed.newline
    has_runpod = any(
        isinstance(s, ast.Import) and any(a.name == "runpod" and not a.asname for a in s.names)
        for s in tree.body
    )
    enums = sorted(
        (alias.name, alias.asname)
        for stmt in forms.imports
        for alias in stmt.names
        if alias.name in SAME_ENUMS and _used(forms, alias.asname or alias.name)
    )
    lines = [] if has_runpod else ["import runpod"]
    if enums:
        names = ", ".join(n if not a else f"{n} as {a}" for n, a in enums)
        lines.append(f"from runpod import {names}")
    if ctx.import_line:
        lines.append(ctx.import_line)
    edits = []
    for i, stmt in enumerate(forms.imports):
        if i == 0:
            edits.append(Edit(parsed.start(stmt), parsed.end(stmt), nl.join(lines)))
        else:
            edits.append(_delete_statement(parsed, stmt))
    if ctx.construct_here:
        after = _imports_run_end(tree, forms.imports[0], deleted=forms.imports[1:])
        at = parsed.line_end(after.end_lineno)
        edits.append(Edit(at, at, f"{nl}{ctx.construct_line}{nl}"))
    return edits


def _used(forms: FileForms, name: str) -> bool:
    return any(
        isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)
        for n in ast.walk(forms.parsed.tree)
    )


def _imports_run_end(tree: ast.Module, first: ast.stmt, deleted=()) -> ast.stmt:
    """The last import of the run of imports that starts at `first` (the flash import that
    becomes `import runpod`): the App is built there, after `runpod` is imported, whatever
    code (`load_dotenv()`, `sys.path.insert(...)`, constants) comes before it. An import
    the migration deletes (another flash import) is passed over: the App is not inserted
    inside a deleted statement."""
    body = tree.body
    last = first
    for stmt in body[body.index(first) + 1 :]:
        if not isinstance(stmt, (ast.Import, ast.ImportFrom)):
            break
        if not any(stmt is d for d in deleted):
            last = stmt
    return last


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def space_declarations(text: str, app_var: str) -> str:
    """Two blank lines above each top-level function or class migrate decorated with the App
    (and the comments that sit on it), as PEP 8 and the flash code it replaces have them:
    deleting a resource config or an `api = Endpoint(...)` left the gap that stood above
    that statement (often one line, after the imports or a constant)."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return text
    lines = _LINE.findall(text)
    newline = "\r\n" if "\r\n" in text else "\n"
    gaps = []  # (first blank line index, first line of the block) 0-based, bottom-up
    for previous, stmt in zip(tree.body, tree.body[1:], strict=False):
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if not any(_app_decorator(d, app_var) for d in stmt.decorator_list):
            continue
        top = min(d.lineno for d in stmt.decorator_list) - 1
        while top > previous.end_lineno and lines[top - 1].lstrip().startswith("#"):
            top -= 1
        above = top
        while above > previous.end_lineno and lines[above - 1].strip() == "":
            above -= 1
        if top - above != 2:
            gaps.append((above, top))
    for above, top in reversed(gaps):
        lines[above:top] = [newline, newline]
    return "".join(lines)


def _app_decorator(node: ast.expr, app_var: str) -> bool:
    func = node.func if isinstance(node, ast.Call) else node
    return (
        isinstance(func, ast.Attribute)
        and func.attr in ("queue", "api")
        and isinstance(func.value, ast.Name)
        and func.value.id == app_var
    )


def drop_unused_runpod_import(text: str, original: str) -> str:
    """The `import runpod` migrate wrote, taken out again when nothing in the migrated file
    names `runpod` (the App comes from the app's module and the enums from `from runpod
    import ...`): linters flag it as unused (F401). An `import runpod` the file had is kept."""
    try:
        tree, before = ast.parse(text), ast.parse(original)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return text
    if any(_imports_runpod(s) for s in before.body):
        return text
    if any(isinstance(n, ast.Name) and n.id == "runpod" for n in ast.walk(tree)):
        return text
    stmt = next((s for s in tree.body if _imports_runpod(s)), None)
    if stmt is None:
        return text
    lines = _LINE.findall(text)
    del lines[stmt.lineno - 1 : stmt.end_lineno]
    return "".join(lines)


def _imports_runpod(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Import) and any(
        a.name == "runpod" and not a.asname for a in stmt.names
    )
