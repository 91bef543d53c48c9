"""Which runpod_flash declarations a file holds (flash-sdk.md §1.2 letters), and which flash
names it uses in ways migrate does not rewrite.

Only module-level declarations are recognised: that is where `flash build` finds them and
where a 2.0 handle has to be bound (runpod-sdk2.md §5.4).
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass, field

from flash_guard.migrate.source import ParsedFile
from flash_guard.migrate.values import StaticValues

FLASH_PACKAGES = ("runpod_flash", "tetra_rp")
QUEUE_LEGACY = ("LiveServerless", "CpuLiveServerless")
LB_LEGACY = ("LiveLoadBalancer", "CpuLiveLoadBalancer")
IMAGE_LEGACY = (
    "ServerlessEndpoint",
    "CpuServerlessEndpoint",
    "LoadBalancerSlsResource",
    "CpuLoadBalancerSlsResource",
)
# Names whose 2.0 counterpart has the same members: the import is rewritten, uses stay.
SAME_ENUMS = ("GpuType", "GpuGroup", "CpuInstanceType", "DataCenter")
ROUTE_VERBS = ("get", "post", "put", "delete", "patch")


@dataclass
class Decl:
    """One endpoint declaration in one file."""

    form: str  # flash-sdk §1.2 letter
    line: int
    label: str  # what the report calls it: the resource name if literal, else the function
    target: ast.AST | None = None  # the decorated function (A, C, G) or class (B)
    call: ast.Call | None = None  # Endpoint(...) / LiveServerless(...)
    decorator: ast.expr | None = None  # the decorator to replace (A, C, G)
    assign: ast.Assign | None = None  # `ep = Endpoint(...)` / `cfg = LiveServerless(...)`
    remote: ast.Call | None = None  # @remote(...) (G)
    legacy_class: str = ""
    routes: list[tuple[str, str, ast.AST, ast.expr]] = field(default_factory=list)
    reason: str = ""  # set when the declaration is left for a human (rewrite.REASONS)
    detail: str = ""


@dataclass
class FileForms:
    parsed: ParsedFile
    flash: dict[str, str] = field(default_factory=dict)  # local name -> flash export name
    # local name bound to a flash package itself (`import runpod_flash as rf`): `rf.Endpoint`
    modules: dict[str, str] = field(default_factory=dict)
    imports: list[ast.stmt] = field(default_factory=list)  # the flash import statements
    decls: list[Decl] = field(default_factory=list)
    volumes: dict[str, ast.Assign] = field(default_factory=dict)  # `vol = NetworkVolume(...)`
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # line, reason, detail
    consumed: set[int] = field(default_factory=set)  # id() of Name nodes a Decl accounts for
    # `api = Endpoint(...)` or `cfg = LiveServerless(...)` without a decorator use here:
    # {var: its Decl, not in decls}
    unrouted: dict[str, Decl] = field(default_factory=dict)
    # `COMMON = {...}` dicts spread into a declaration (`Endpoint(name=..., **COMMON)`) whose
    # keys were written into the call: {name: its statement}, deleted when the file moves
    spread_dicts: dict[str, ast.Assign] = field(default_factory=dict)
    # id() of a `**value` keyword left as it is -> why its keys are not known here
    unknown_spreads: dict[int, str] = field(default_factory=dict)

    @functools.cached_property
    def values(self) -> StaticValues:
        """The file's statically known configuration (constants, settings objects)."""
        return StaticValues(self.parsed.tree)

    @property
    def uses_flash(self) -> bool:
        # an import inside a function or `try:` block is a use too: the file is left, and
        # reported, rather than passed over as if it had no runpod_flash code
        return bool(self.imports or self.problems)


def _flash_module(module: str | None) -> bool:
    return bool(module) and module.split(".")[0] in FLASH_PACKAGES


def _literal_name(call: ast.Call | None) -> str | None:
    for kw in call.keywords if call is not None else []:
        if kw.arg == "name" and isinstance(kw.value, ast.Constant):
            return str(kw.value.value)
    return None


def _name_as_keyword(call: ast.Call) -> None:
    """`Endpoint("fetcher", ...)`: runpod-flash's Endpoint takes its name as its one positional
    parameter (every release from 1.0 to 1.21: `name` is the only parameter before `*`); 2.0's
    @app.queue/@app.api take keywords only. Read it as `name=` (the call is re-rendered)."""
    if len(call.args) != 1 or isinstance(call.args[0], ast.Starred) or _kw(call, "name"):
        return
    value = call.args[0]
    keyword = ast.copy_location(ast.keyword(arg="name", value=value), value)
    keyword.end_lineno, keyword.end_col_offset = value.end_lineno, value.end_col_offset
    call.keywords.insert(0, keyword)
    call.args = []


def _expand_spreads(forms: FileForms, call: ast.Call) -> None:
    """`Endpoint(name="x", **COMMON)` with COMMON a dict this file builds once at module level
    (`{"gpu": ..., "workers": ...}` or `dict(gpu=..., ...)`) and uses only in such spreads:
    its keys are written into the call (their value text kept), so each maps like a keyword
    of the call, and COMMON goes with the runpod_flash code (rewrite.migrate_file). Any other
    `**value` stays; the mapping leaves the declaration with the reason recorded here."""
    keywords: list[ast.keyword] = []
    for kw in call.keywords:
        if kw.arg is not None:
            keywords.append(kw)
            continue
        found = _spread_dict(forms, kw.value)
        if isinstance(found, str):
            forms.unknown_spreads[id(kw)] = found
            keywords.append(kw)
            continue
        stmt, items = found
        explicit = {k.arg for k in call.keywords if k.arg is not None}
        clash = sorted(explicit & {key for key, _ in items})
        if clash:  # `f(name=..., **{"name": ...})` is a TypeError in both SDKs
            forms.unknown_spreads[id(kw)] = f"`{clash[0]}` is also written in the call"
            keywords.append(kw)
            continue
        for key, value in items:
            new = ast.copy_location(ast.keyword(arg=key, value=value), kw)
            new.end_lineno, new.end_col_offset = kw.end_lineno, kw.end_col_offset
            keywords.append(new)
        forms.consumed.add(id(kw.value))
        forms.spread_dicts[kw.value.id] = stmt
    call.keywords = keywords


def _spread_dict(forms: FileForms, node: ast.expr):
    """(statement, [(key, value node)]) of the module-level dict `node` names, or why not."""
    if not isinstance(node, ast.Name):
        return "not a name of a dict built in this file"
    name, tree = node.id, forms.parsed.tree
    binds = [
        stmt
        for stmt in tree.body
        if isinstance(stmt, (ast.Assign, ast.AnnAssign))
        and any(
            isinstance(t, ast.Name) and t.id == name
            for t in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
        )
    ]
    if len(binds) != 1 or not isinstance(binds[0], ast.Assign) or len(binds[0].targets) != 1:
        return f"`{name}` is not one module-level `{name} = {{...}}` of this file"
    stmt = binds[0]
    items = _dict_items(stmt.value)
    if items is None:
        return f"`{name}` is not a dict literal with constant string keys"
    spreads = {
        id(k.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Call)
        for k in n.keywords
        if k.arg is None and isinstance(k.value, ast.Name) and k.value.id == name
    }
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and n.id == name and n is not stmt.targets[0]:
            if id(n) not in spreads:
                return f"`{name}` is also used (or changed) outside `**{name}` (line {n.lineno})"
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and (
            n.name == name
        ):
            return f"`{name}` is rebound (line {n.lineno})"
    return stmt, items


def _dict_items(value: ast.expr) -> list[tuple[str, ast.expr]] | None:
    if isinstance(value, ast.Dict):
        pairs = list(zip(value.keys, value.values, strict=True))
        if not all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k, _ in pairs):
            return None  # a `**other` inside (key None) or a computed key
        items = [(k.value, v) for k, v in pairs]
    elif (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "dict"
        and not value.args
        and all(k.arg is not None for k in value.keywords)
    ):
        items = [(k.arg, k.value) for k in value.keywords]
    else:
        return None
    keys = [k for k, _ in items]
    if len(set(keys)) != len(keys) or not all(k.isidentifier() for k in keys):
        return None
    return items


def _kw(call: ast.Call, name: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == name), None)


def scan(parsed: ParsedFile) -> FileForms:
    forms = FileForms(parsed)
    tree = parsed.tree
    for node in ast.walk(tree):
        names_from = (
            isinstance(node, ast.ImportFrom) and _flash_module(node.module) and not node.level
        )
        module_form = isinstance(node, ast.Import) and any(
            _flash_module(a.name) for a in node.names
        )
        if not (names_from or module_form):
            continue
        if node not in tree.body:
            forms.problems.append((node.lineno, "flash-use", "runpod_flash imported in a block"))
            continue
        if module_form and (
            not all(_flash_module(a.name) for a in node.names)
            or any("." in a.name for a in node.names)
        ):
            forms.problems.append(
                (node.lineno, "flash-use", "`import` of runpod_flash with other modules")
            )
            continue
        forms.imports.append(node)
        bound = forms.flash if names_from else forms.modules
        for alias in node.names:
            bound[alias.asname or alias.name] = alias.name
    if not forms.imports:
        return forms
    _declarations(forms)
    _leftover_uses(forms)
    return forms


def export_of(forms: FileForms, node: ast.AST) -> str | None:
    """The flash export `node` names: `Endpoint` (from-import) or `rf.Endpoint` (module form)."""
    if isinstance(node, ast.Name):
        return forms.flash.get(node.id)
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in forms.modules
    ):
        return node.attr
    return None


def consume(forms: FileForms, node: ast.AST) -> None:
    """A flash name (or `rf.Name`) a declaration accounts for."""
    forms.consumed.add(id(node))
    if isinstance(node, ast.Attribute):
        forms.consumed.add(id(node.value))


def enum_prefixes(forms: FileForms, node: ast.AST) -> list[ast.Name]:
    """The `rf` of each `rf.GpuType` (a SAME_ENUMS name through a module alias) in `node`:
    2.0 spells it `runpod.GpuType`."""
    return [
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Attribute)
        and n.attr in SAME_ENUMS
        and isinstance(n.value, ast.Name)
        and n.value.id in forms.modules
    ]


def flash_text(forms: FileForms, node: ast.AST) -> str:
    """The source text of `node` as 2.0 spells it: `rf.GpuType.X` -> `runpod.GpuType.X`."""
    parsed = forms.parsed
    text, base = parsed.segment(node), parsed.start(node)
    for name in sorted(enum_prefixes(forms, node), key=parsed.start, reverse=True):
        start, end = parsed.start(name) - base, parsed.end(name) - base
        text = text[:start] + "runpod" + text[end:]
    return text


def _is(forms: FileForms, node: ast.expr, *exports: str) -> bool:
    return export_of(forms, node) in exports


def _declarations(forms: FileForms) -> None:
    body = forms.parsed.tree.body
    endpoint_vars: dict[str, Decl] = {}
    legacy_vars: dict[str, Decl] = {}
    for stmt in body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and isinstance(stmt.value, ast.Call)
        ):
            var, call = stmt.targets[0].id, stmt.value
            if _is(forms, call.func, "Endpoint"):
                consume(forms, call.func)
                _name_as_keyword(call)
                _expand_spreads(forms, call)
                decl = Decl("C", stmt.lineno, _literal_name(call) or var, call=call, assign=stmt)
                if _kw(call, "image") is not None:
                    decl.form, decl.reason = "E", "image-endpoint"
                elif _kw(call, "id") is not None:
                    decl.form, decl.reason = "F", "client-endpoint"
                endpoint_vars[var] = decl
                forms.decls.append(decl)
            elif export_of(forms, call.func) in QUEUE_LEGACY + LB_LEGACY + IMAGE_LEGACY:
                consume(forms, call.func)
                _expand_spreads(forms, call)
                cls = export_of(forms, call.func)
                decl = Decl("G", stmt.lineno, _literal_name(call) or var, call=call, assign=stmt)
                decl.legacy_class = cls
                legacy_vars[var] = decl
            elif _is(forms, call.func, "NetworkVolume"):
                consume(forms, call.func)
                forms.volumes[var] = stmt
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for dec in stmt.decorator_list:
                _decorator(forms, stmt, dec, endpoint_vars, legacy_vars)
    for var, decl in endpoint_vars.items():
        _endpoint_var_uses(forms, var, decl)
    for var, decl in legacy_vars.items():
        _legacy_var_uses(forms, var, decl)


def _decorator(forms, target, dec, endpoint_vars, legacy_vars) -> None:
    is_class = isinstance(target, ast.ClassDef)
    if isinstance(dec, ast.Call) and _is(forms, dec.func, "Endpoint"):
        consume(forms, dec.func)
        _name_as_keyword(dec)
        _expand_spreads(forms, dec)
        decl = Decl("A", dec.lineno, _literal_name(dec) or target.name, target, dec, dec)
        if is_class:
            decl.form, decl.reason = "B", "class-endpoint"
            decl.detail = _class_detail(target)
        forms.decls.append(decl)
    elif isinstance(dec, ast.Name) and dec.id in endpoint_vars:
        forms.consumed.add(id(dec))
        decl = endpoint_vars[dec.id]
        decl.routes.append(("@", "", target, dec))
    elif (
        isinstance(dec, ast.Call)
        and isinstance(dec.func, ast.Attribute)
        and isinstance(dec.func.value, ast.Name)
        and dec.func.value.id in endpoint_vars
        and dec.func.attr in ROUTE_VERBS
    ):
        forms.consumed.add(id(dec.func.value))
        path = dec.args[0].value if dec.args and isinstance(dec.args[0], ast.Constant) else None
        endpoint_vars[dec.func.value.id].routes.append((dec.func.attr, path, target, dec))
    elif isinstance(dec, ast.Call) and _is(forms, dec.func, "remote"):
        consume(forms, dec.func)
        _remote(forms, target, dec, legacy_vars)


def _remote(forms, target, dec, legacy_vars) -> None:
    cfg = dec.args[0] if dec.args else getattr(_kw(dec, "resource_config"), "value", None)
    decl = Decl("G", dec.lineno, target.name, target, None, dec, remote=dec)
    forms.decls.append(decl)
    if isinstance(cfg, ast.Name) and cfg.id in legacy_vars:
        forms.consumed.add(id(cfg))
        shared = legacy_vars[cfg.id]
        shared.routes.append(("@", "", target, dec))
        decl.call, decl.assign, decl.legacy_class = shared.call, shared.assign, shared.legacy_class
        decl.label = _literal_name(shared.call) or target.name
    elif isinstance(cfg, ast.Call) and export_of(forms, cfg.func) is not None:
        consume(forms, cfg.func)
        _expand_spreads(forms, cfg)
        decl.call, decl.legacy_class = cfg, export_of(forms, cfg.func)
        decl.label = _literal_name(cfg) or target.name
    else:
        decl.reason = "legacy-config-not-literal"
        return
    cls = decl.legacy_class
    local = _kw(dec, "local")
    if isinstance(target, ast.ClassDef):
        decl.form, decl.reason = "B", "class-endpoint"
        decl.detail = _class_detail(target)
    elif cls in IMAGE_LEGACY:
        decl.form, decl.reason = "J", "custom-image-payload"
    elif cls in LB_LEGACY:
        decl.form, decl.reason = "H", "legacy-load-balancer"
    elif cls not in QUEUE_LEGACY:
        decl.reason = "legacy-config-not-literal"
    elif local is not None and not (
        isinstance(local.value, ast.Constant) and local.value.value is False
    ):
        decl.form, decl.reason = "I", "local-remote"


def _class_detail(cls: ast.ClassDef) -> str:
    """What a human splits: the public methods flash served, and the setup to move."""
    methods = [
        n.name
        for n in cls.body
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and not n.name.startswith("_")
    ]
    setup = any(
        isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == "__init__"
        for n in cls.body
    )
    shown = ", ".join(f"`{m}`" for m in methods) or "no public method"
    return f"`{cls.name}`: {shown}" + ("; __init__ -> the init hook" if setup else "")


def _endpoint_var_uses(forms: FileForms, var: str, decl: Decl) -> None:
    if decl.reason:
        return
    kinds = {verb for verb, *_ in decl.routes}
    if not decl.routes and _call_form_routes(forms, var):
        # `api.get("/p")(fn)`: a load balancer whose routes no class rewrite can collect
        decl.form, decl.reason = "D", "route-not-movable"
        decl.detail = f"routes registered by calling `{var}.<verb>(path)(fn)`"
        return
    if not decl.routes:
        # deploys nothing, unless another file imports it and adds routes (plan._cross_file)
        forms.decls.remove(decl)
        forms.unrouted[var] = decl
        forms.problems.append((decl.line, "flash-use", f"`{var}` is never used as a decorator"))
        return
    if kinds == {"@"}:
        decl.form = "C"
        if len(decl.routes) > 1:
            decl.reason = "shared-endpoint"
        else:
            decl.target, decl.decorator = decl.routes[0][2], decl.routes[0][3]
        return
    decl.form = "D"
    if "@" in kinds:
        decl.reason = "mixed-routes-and-queue"


def _call_form_routes(forms: FileForms, var: str) -> bool:
    """`var.get("/p")(fn)` anywhere in the file (a loop over a route table too); the
    `var` of each such call is accounted for."""
    found = False
    for node in ast.walk(forms.parsed.tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Call)
            and isinstance(node.func.func, ast.Attribute)
            and node.func.func.attr in ROUTE_VERBS
            and isinstance(node.func.func.value, ast.Name)
            and node.func.func.value.id == var
        ):
            forms.consumed.add(id(node.func.func.value))
            found = True
    return found


def _legacy_var_uses(forms: FileForms, var: str, decl: Decl) -> None:
    if len(decl.routes) > 1:
        for other in forms.decls:
            if other.assign is decl.assign and not other.reason:
                other.reason = "shared-endpoint"
    if not decl.routes:
        forms.unrouted[var] = decl  # plan._cross_file names the files whose @remote use it
        forms.problems.append((decl.line, "flash-use", f"`{var}` is never used by @remote"))


def _leftover_uses(forms: FileForms) -> None:
    """Every flash name, Endpoint variable or volume variable used outside a declaration
    migrate understands keeps the file on runpod_flash."""
    declared_vars = {d.assign.targets[0].id: d for d in forms.decls if d.assign is not None}
    tracked = set(forms.flash) | set(declared_vars) | set(forms.volumes)
    decl_nodes = set()
    for decl in forms.decls:
        for part in (decl.call, decl.remote):
            if part is not None:
                decl_nodes.update(id(n) for n in ast.walk(part))
    volume_uses = {v: 0 for v in forms.volumes}
    # `rf` of `rf.Name`: the export it reaches (a bare `rf` reaches none)
    through: dict[int, str] = {}
    for node in ast.walk(forms.parsed.tree):
        value = node.value if isinstance(node, ast.Attribute) else None
        if isinstance(value, ast.Name) and value.id in forms.modules:
            through[id(value)] = node.attr
    tracked |= set(forms.modules)
    for node in ast.walk(forms.parsed.tree):
        if not isinstance(node, ast.Name) or node.id not in tracked:
            continue
        if id(node) in forms.consumed or isinstance(node.ctx, ast.Store):
            continue
        if node.id in forms.modules:
            name = through.get(id(node))
            if name is None:
                what = f"`{node.id}` (the {forms.modules[node.id]} module)"
                forms.problems.append((node.lineno, "flash-use", f"{what} used as a value"))
                continue
        else:
            name = forms.flash.get(node.id)
        if name in SAME_ENUMS:
            continue
        if node.id in volume_uses and id(node) in decl_nodes:
            volume_uses[node.id] += 1
            continue
        if name in ("CudaVersion", "ServerlessScalerType", "NetworkVolume", "PodTemplate") and (
            id(node) in decl_nodes
        ):
            continue  # the declaration's own mapping decides (PodTemplate: its own reason)
        shown = f"{node.id}.{name}" if node.id in forms.modules else node.id
        what = f"`{shown}`" + (f" (runpod_flash.{name})" if name else "")
        forms.problems.append((node.lineno, "flash-use", f"{what} used outside a declaration"))
    for var, count in volume_uses.items():
        if not count:  # only a declaration here rewrites it: left as is, its import would go
            forms.problems.append(
                (
                    forms.volumes[var].lineno,
                    "flash-use",
                    f"`{var}` (runpod_flash.NetworkVolume) is not used by a declaration in "
                    "this file",
                )
            )
