"""One runpod 2.0 App per app (nearest project marker): its name, its variable, and the module
that constructs it, placed so that `rp flash deploy` cannot keep an empty twin (FG307,
runpod-sdk2.md §5.2)."""

from __future__ import annotations

import ast
import keyword
import os
from dataclasses import dataclass, field
from pathlib import Path

from flash_guard.migrate.forms import FileForms, scan
from flash_guard.migrate.params import OldDefaults
from flash_guard.migrate.rewrite import api_problem, parameter_problem
from flash_guard.migrate.source import ParsedFile
from flash_guard.project.runpodignore import ShippedFiles
from flash_guard.sdk.runpod2_tables import MIN_DEPLOY_NAME_LENGTH

MODULE_CANDIDATES = ("runpod_app", "zz_runpod_app")
# runpod-flash 1.21 reads a 2.0 GpuType by its class name; tetra-rp 0.25's pydantic fields
# raise ValidationError on it, and 2.0 rejects flash's enums (runpod-sdk2.md §2.2)
MIXED_ENUMS = "tetra-rp rejects runpod 2.0's enums, 2.0 rejects flash's"


@dataclass
class FileCtx:
    """What one migrated file needs to know about its App."""

    app_var: str
    adopt: bool
    import_line: str = ""  # `from runpod_app import app`, when the App lives elsewhere
    construct_here: bool = False
    construct_line: str = ""
    # line of a declaration's call -> what it left to the app's SDK release (discovery's view)
    old_defaults: dict[int, OldDefaults] = field(default_factory=dict)

    def old(self, decl) -> OldDefaults:
        line = decl.call.lineno if decl.call is not None else 0
        return self.old_defaults.get(line, OldDefaults())


@dataclass
class AppPlan:
    root: str  # the app directory, project-relative ("." for the project root)
    name: str
    forms: dict[str, FileForms] = field(default_factory=dict)  # every parsed file of the app
    migrate: list[str] = field(default_factory=list)  # files that move to 2.0
    leave: list[str] = field(default_factory=list)  # files that keep runpod_flash
    app_var: str = "app"
    new_module: str | None = None  # project-relative path of a module to create
    new_module_text: str = ""
    contexts: dict[str, FileCtx] = field(default_factory=dict)
    adopt: bool = False
    old_defaults: dict = field(default_factory=dict)  # {(path, line): OldDefaults}


def app_name(project_root: Path, app_root: str) -> str:
    """`[project].name` of the app's pyproject.toml, else the directory's name."""
    directory = (project_root / app_root).resolve()
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file() and not pyproject.is_symlink():
        try:
            import tomllib
        except ModuleNotFoundError:  # Python 3.10
            import tomli as tomllib
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):  # TOMLDecodeError is a ValueError
            data = {}
        name = (data.get("project") or {}).get("name") if isinstance(data, dict) else None
        if isinstance(name, str) and name.strip():
            return name.strip()
    return directory.name or "app"


def _order(path: str) -> tuple[str, ...]:
    return tuple(path.split("/"))


def _stem_module(path: str) -> str:
    return path.rsplit("/", 1)[-1][: -len(".py")] if path.endswith(".py") else ""


def _imports_of(parsed: ParsedFile, module_stem: str) -> dict[str, str]:
    """Names a file imports from a module whose last dotted part is `module_stem`:
    {local name: imported name}."""
    out = {}
    for node in ast.walk(parsed.tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == module_stem:
            for alias in node.names:
                out[alias.asname or alias.name] = alias.name
    return out


def _has_app(parsed: ParsedFile) -> bool:
    for node in ast.walk(parsed.tree):
        if isinstance(node, ast.Call):
            func = node.func
            if (
                isinstance(func, ast.Attribute)
                and func.attr == "App"
                and isinstance(func.value, ast.Name)
                and func.value.id in ("runpod", "rp")
            ):
                return True
        if isinstance(node, ast.ImportFrom) and node.module in ("runpod", "runpod.apps"):
            imported = {a.name for a in node.names}
            if "App" in imported:
                return True
    return False


def _binds(parsed: ParsedFile, name: str) -> bool:
    for node in ast.walk(parsed.tree):
        if isinstance(node, ast.Name) and node.id == name:
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and (
            node.name == name
        ):
            return True
        if isinstance(node, ast.alias) and (node.asname or node.name) == name:
            return True
    return False


def plan_app(
    project_root: Path,
    app_root: str,
    parsed: dict[str, ParsedFile],
    adopt: bool,
    names: dict | None = None,
    old_defaults: dict | None = None,
) -> AppPlan:
    """`names`: {(path, line of a declaration's call): name Value} resolved by discovery;
    `old_defaults`: {(path, line): OldDefaults}, what each declaration left to its release;
    every file using runpod_flash is one migrate may change (run._whole_apps_only)."""
    plan = AppPlan(app_root, app_name(project_root, app_root))
    plan.forms = {path: scan(p) for path, p in parsed.items()}
    flash = {p: f for p, f in plan.forms.items() if f.uses_flash}
    if not flash:
        return plan
    for path, forms in flash.items():
        _resolve_labels(path, forms, names or {})
    _cross_file(plan, flash)
    _duplicate_names(flash)
    existing = any(_has_app(p.parsed) for p in plan.forms.values())
    shipped = ShippedFiles(project_root if app_root == "." else project_root / app_root)
    for path, forms in sorted(flash.items(), key=lambda i: _order(i[0])):
        # FG306: a file the 2.0 build leaves out (`*_test.py`, `tests/`, .runpodignore) is
        # still discovered and deployed, but its worker cannot import it
        unshipped = shipped.excluded(path if app_root == "." else path[len(app_root) + 1 :])
        for decl in forms.decls:
            problem = None if decl.reason else parameter_problem(forms, decl, adopt)
            if problem is not None:
                decl.reason, decl.detail = problem.reason, problem.detail
            elif unshipped is not None and not decl.reason:
                decl.reason, decl.detail = "not-shipped", unshipped
        left = bool(forms.problems) or any(d.reason for d in forms.decls)
        if existing and forms.decls and not left:
            for decl in forms.decls:
                decl.reason = "app-exists"
        if left or (existing and forms.decls):
            plan.leave.append(path)
        else:
            plan.migrate.append(path)
    plan.adopt, plan.old_defaults = adopt, old_defaults or {}
    place_app(plan, project_root)
    return plan


def place_app(plan: AppPlan, project_root: Path) -> None:
    """The App's variable and the module that builds it, for the files that migrate."""
    plan.contexts, plan.new_module, plan.new_module_text = {}, None, ""
    needing = [p for p in plan.migrate if plan.forms[p].decls]
    taken = any(_binds(plan.forms[p].parsed, "app") for p in plan.migrate)
    plan.app_var = "rp_app" if taken else "app"
    construct = f"{plan.app_var} = runpod.App({plan.name!r})".replace("'", '"')
    for path in plan.migrate:
        lines = {line: old for (p, line), old in plan.old_defaults.items() if p == path}
        plan.contexts[path] = FileCtx(plan.app_var, plan.adopt, old_defaults=lines)
    if len(needing) == 1:
        ctx = plan.contexts[needing[0]]
        ctx.construct_here, ctx.construct_line = True, construct
    elif needing:
        _new_module(plan, project_root, needing, construct)


def settle_flash_flows(plans: list[AppPlan], project_root: Path) -> None:
    """Keep on runpod_flash each migrating file that trades runpod_flash values with a file
    that stays (in any app of the run): a `config.py` of `GpuType` constants a left
    declaration imports, or a worker passing `GpuType.X` to a project factory that builds
    `Endpoint(...)`. Moved alone, its import would hand the staying code 2.0 enums, which
    tetra-rp's resource classes reject (MIXED_ENUMS)."""
    files = {path: plan for plan in plans for path in plan.forms}
    changed = True
    while changed:
        changed = False
        staying = {path for plan in plans for path in plan.leave}
        valued = {path: _flash_valued(files[path].forms[path]) for path in staying}
        for plan in plans:
            for path in list(plan.migrate):
                forms = plan.forms[path]
                why = _flow_to_staying(path, forms, files, staying, valued)
                if why is None:
                    continue
                line, detail = why
                forms.problems.append((line, "flash-use", detail))
                plan.migrate.remove(path)
                plan.leave.append(path)
                changed = True
                place_app(plan, project_root)


def _flow_to_staying(path, forms, files, staying, valued) -> tuple[int, str] | None:
    own = _flash_valued(forms)
    loose = _loose_flash_uses(forms)
    for other in sorted(staying):
        other_forms = files[other].forms[other]
        # a staying file imports a value this file builds from runpod_flash names
        for name in _imports_of(other_forms.parsed, _stem_module(path)).values():
            if name in own:
                return own[name], (
                    f"`{name}` holds runpod_flash values that {other}, staying on runpod_flash,"
                    f" imports: move both together ({MIXED_ENUMS})"
                )
        # this file hands its runpod_flash values to a staying file's flash-built helper
        if not loose:
            continue
        for local, name in _imports_of(forms.parsed, _stem_module(other)).items():
            if name in valued[other]:
                return loose[0], (
                    f"passes runpod_flash values to `{local}` of {other}, which stays on "
                    f"runpod_flash: move both together ({MIXED_ENUMS})"
                )
    return None


def _flash_names(forms: FileForms, node: ast.AST) -> list[ast.AST]:
    return [
        n
        for n in ast.walk(node)
        if (isinstance(n, ast.Name) and (n.id in forms.flash or n.id in forms.modules))
    ]


def _flash_valued(forms: FileForms) -> dict[str, int]:
    """Module-level names whose value is built from runpod_flash names: {name: line}
    (a re-exported import, a constant, a settings class, a factory function)."""
    out = {name: 1 for name in forms.flash}
    for stmt in forms.parsed.tree.body:
        targets: list[str] = []
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            nodes = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            targets = [t.id for n in nodes for t in ast.walk(n) if isinstance(t, ast.Name)]
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if any(d.target is stmt for d in forms.decls):
                continue  # a declaration: a 2.0 handle after migration, not a flash value
            targets = [stmt.name]
        if targets and _flash_names(forms, stmt):
            out.update({t: stmt.lineno for t in targets})
    return out


def _loose_flash_uses(forms: FileForms) -> list[int]:
    """Lines of runpod_flash names used outside the file's declarations and imports."""
    inside = {id(n) for stmt in forms.imports for n in ast.walk(stmt)}
    for decl in forms.decls:
        for part in (decl.call, decl.remote):
            if part is not None:
                inside.update(id(n) for n in ast.walk(part))
    return sorted(n.lineno for n in _flash_names(forms, forms.parsed.tree) if id(n) not in inside)


def _cross_file(plan: AppPlan, flash: dict[str, FileForms]) -> None:
    """Declarations another file depends on in a way a per-file rewrite would break."""

    def referenced(name: str, own: str) -> bool:
        for path, forms in plan.forms.items():
            for node in ast.walk(forms.parsed.tree):
                if isinstance(node, ast.Name) and node.id == name:
                    return True
                if path != own and isinstance(node, ast.alias) and node.name == name:
                    return True
        return False

    for path, forms in flash.items():
        stem = _stem_module(path)
        imported = set()
        for other, other_forms in plan.forms.items():
            if other != path:
                imported |= set(_imports_of(other_forms.parsed, stem).values())
        _spread_dict_shared(forms, imported)
        for var, decl in forms.unrouted.items():
            users = sorted(
                other
                for other, other_forms in plan.forms.items()
                if other != path and var in _imports_of(other_forms.parsed, stem).values()
            )
            if users and decl.form == "G":  # a legacy config other files' @remote use
                forms.problems = [
                    (line, reason, detail)
                    if line != decl.line
                    else (line, reason, f"`{var}` is used by @remote in {', '.join(users)}")
                    for line, reason, detail in forms.problems
                ]
            elif users:  # its routes are added in another file: a real endpoint, left
                decl.form, decl.reason = "D", "cross-file-routes"
                decl.detail = f"`{var}` gets its routes in {', '.join(users)}"
                forms.decls.append(decl)
                forms.problems = [p for p in forms.problems if p[0] != decl.line]
        for decl in forms.decls:
            if decl.reason:
                continue
            var = decl.assign.targets[0].id if decl.assign is not None else None
            if var is not None and var in imported:
                decl.reason = "cross-file-routes" if decl.form == "D" else "imported-elsewhere"
                decl.detail = f"`{var}` is imported by another file"
            elif decl.form == "D":
                problem = api_problem(forms, decl, lambda n, p=path: referenced(n, p))
                if problem is not None:
                    decl.reason, decl.detail = problem
                else:
                    decl.target = decl.routes[-1][2]


def _spread_dict_shared(forms: FileForms, imported: set[str]) -> None:
    """A `COMMON` dict whose keys migrate writes into the calls is deleted with the flash
    code: another file importing it would break, so the file stays."""
    shared = sorted(name for name in forms.spread_dicts if name in imported)
    decl = next((d for d in forms.decls if not d.reason), None)
    if shared and decl is not None:
        decl.reason = "unsupported-parameter"
        decl.detail = f"`**{shared[0]}`: another file imports `{shared[0]}`; write its keys out"


def _resolve_labels(path: str, forms: FileForms, names: dict) -> None:
    for decl in forms.decls:
        if decl.call is None or not any(k.arg == "name" for k in decl.call.keywords):
            continue  # no name=: both SDKs name it after the function
        value = names.get((path, decl.call.lineno))
        if value is not None and value.known and isinstance(value.value, str):
            decl.label = value.value
        elif not isinstance(_kw_value(decl.call, "name"), ast.Constant) and not decl.reason:
            decl.reason, decl.detail = "name-not-literal", ""


def _kw_value(call: ast.Call, key: str):
    return next((k.value for k in call.keywords if k.arg == key), None)


def _duplicate_names(flash: dict[str, FileForms]) -> None:
    """2.0 raises `duplicate resource name` at decoration; flash let the later one win."""
    seen: dict[str, int] = {}
    for forms in flash.values():
        for decl in forms.decls:
            seen[decl.label] = seen.get(decl.label, 0) + 1
    for forms in flash.values():
        for decl in forms.decls:
            if seen[decl.label] > 1 and not decl.reason:
                decl.reason, decl.detail = "duplicate-name", f"`{decl.label}`"
            elif len(decl.label) < MIN_DEPLOY_NAME_LENGTH and not decl.reason:
                # rc2's deploy stops on it: `resource name 'rr' is too short` (FG216)
                decl.reason, decl.detail = "name-too-short", f"`{decl.label}`"


def _new_module(plan: AppPlan, project_root: Path, needing: list[str], construct: str) -> None:
    dirs = {p.rsplit("/", 1)[0] if "/" in p else "" for p in needing}
    root_base = "" if plan.root == "." else plan.root
    bases = [dirs.pop()] if len(dirs) == 1 else []
    # the app root last: its module imports as a bare name when the folder's would not
    bases += [root_base] if root_base not in bases else []
    placed = next(
        (found for base in bases if (found := _module_in(plan, project_root, base, needing))),
        None,
    )
    if placed is None:
        for path in needing:
            forms = plan.forms[path]
            for decl in forms.decls:
                decl.reason, decl.detail = "app-exists", "no free name for the App's module"
            plan.migrate.remove(path)
            plan.leave.append(path)
            plan.contexts.pop(path, None)
        return
    rel, dotted = placed
    plan.new_module = rel
    plan.new_module_text = (
        '"""The runpod 2.0 App of this project (written by flash-guard migrate)."""\n\n'
        f"import runpod\n\n{construct}\n"
    )
    for path in needing:
        plan.contexts[path].import_line = f"from {dotted} import {plan.app_var}"


def _module_in(
    plan: AppPlan, project_root: Path, base: str, needing: list[str]
) -> tuple[str, str] | None:
    """(path, import name) of a free App module in `base` that every importer can import
    under the name discovery gives it, else None."""
    package = bool(base) and (project_root / base / "__init__.py").exists()
    for stem in MODULE_CANDIDATES:
        rel = f"{base}/{stem}.py" if base else f"{stem}.py"
        if rel in plan.forms or os.path.lexists(project_root / rel):
            continue
        dotted = _import_name(project_root, plan.root, rel)
        if dotted is None:
            return None
        # FG307: in a directory without __init__.py the App's module must not sort before
        # every module importing it, or discovery keeps an empty twin.
        if package or any(_order(p) < _order(rel) for p in needing):
            return rel, dotted
    return None


def _import_name(project_root: Path, app_root: str, rel: str) -> str | None:
    """The name rc2's discovery imports `rel` under (runpod/apps/discovery.py `_module_name`):
    its package chain (`src/ocr/x.py` in package `ocr` is `ocr.x`, not `src.ocr.x`, which would
    load the module a second time); outside a package, its path from the app root (the deploy
    target on sys.path). None when that is no importable name (`04_scaling/...`, `my-app/...`)."""
    parts = rel[: -len(".py")].split("/")
    depth = len(parts) - 1
    while depth > 0 and (project_root / "/".join(parts[:depth]) / "__init__.py").is_file():
        depth -= 1
    if depth < len(parts) - 1:  # in a package: from its top package down
        names = parts[depth:]
    else:
        prefix = [] if app_root == "." else app_root.split("/")
        names = parts[len(prefix) :] if parts[: len(prefix)] == prefix else parts
    if all(n.isidentifier() and not keyword.iskeyword(n) for n in names):
        return ".".join(names)
    return None


@dataclass
class CallSite:
    path: str
    line: int
    handle: str


def call_sites(plan: AppPlan, handles: dict[str, list[str]]) -> list[CallSite]:
    """Direct calls of functions that became 2.0 handles (calling a handle raises TypeError;
    it takes `.remote(...)`, or `.remote.aio(...)` in async code)."""
    found = []
    handles = _with_package_reexports(plan, handles)
    for path, forms in plan.forms.items():
        local: dict[str, str] = {}
        for source, names in handles.items():
            if source == path:
                local.update({n: n for n in names})
            else:
                imported = _imports_of(forms.parsed, _importable_stem(source))
                local.update({k: v for k, v in imported.items() if v in names})
        if not local:
            continue
        for node in ast.walk(forms.parsed.tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in local
            ):
                found.append(CallSite(path, node.lineno, local[node.func.id]))
    return [CallSite(*c) for c in sorted({(c.path, c.line, c.handle) for c in found})]


def _importable_stem(path: str) -> str:
    """The last dotted part a file is imported by: a package's `__init__.py` by its folder."""
    if path.endswith("/__init__.py"):
        return path[: -len("/__init__.py")].rsplit("/", 1)[-1]
    return _stem_module(path)


def _with_package_reexports(plan: AppPlan, handles: dict[str, list[str]]) -> dict:
    """Handles a package's `__init__.py` re-exports (`from .tts import speak`) are handles of
    the package too: `from workers import speak` then `speak(...)` raises TypeError in 2.0."""
    out = {path: list(names) for path, names in handles.items()}
    for path, forms in plan.forms.items():
        if not path.endswith("__init__.py"):
            continue
        package = path.rsplit("/", 1)[0] if "/" in path else ""
        for source, names in handles.items():
            if source == path or source.rsplit("/", 1)[0] != package:
                continue
            imported = _imports_of(forms.parsed, _stem_module(source))
            out.setdefault(path, []).extend(k for k, v in imported.items() if v in names)
    return out


def reimports(plan: AppPlan, project_root: Path) -> list[CallSite]:
    """Imports of a migrated module that declares resources, from another file of a
    directory without `__init__.py`: `rp flash deploy` imports that module a second time under
    its real name, and the second run raises `duplicate resource name` and the importing
    file is skipped (runpod-sdk2.md §5.2). `handle` names the imported module."""
    declaring = {
        _stem_module(p): p
        for p in plan.migrate
        if plan.forms[p].decls and not _in_package(project_root, p)
    }
    found = []
    for path, forms in plan.forms.items():
        if _in_package(project_root, path):
            continue
        for node in ast.walk(forms.parsed.tree):
            modules = []
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            for module in modules:
                target = declaring.get(module)
                # only an importer sorting after the module is the one discovery skips
                if target is not None and _order(target) < _order(path):
                    found.append(CallSite(path, node.lineno, module))
    return found


@dataclass
class DeployTarget:
    """Where `rp flash deploy` must be run for one migrated app: rc2 imports each file under
    the name its package chain gives it, with only the deploy target (and the parent of a
    package target) on sys.path, and builds the artifact from that directory alone
    (runpod/rp_cli/main.py `deploy`, apps/discovery.py `discover_apps`, apps/build.py
    `collect_requirements`)."""

    app: str
    root: str  # the app directory, project-relative
    dirs: list[str]  # the directories the declaring files need as the target (one when fine)
    requirements_outside: bool = False  # <root>/requirements.txt, which a deeper target skips


def deploy_target(plan: AppPlan, project_root: Path) -> DeployTarget | None:
    """A file in a package (`src/ocr/x.py`, imported as `ocr.x`) needs the parent of its top
    package as the target (`src`); any other file, and the App module it imports by its path
    from the app root, needs the app root."""
    declaring = [p for p in plan.migrate if plan.forms[p].decls]
    if plan.new_module:
        declaring.append(plan.new_module)
    if not declaring:
        return None
    dirs = sorted({_import_root(project_root, plan.root, p) for p in declaring}, key=_order)
    outside = (
        dirs != [plan.root]
        and (project_root / plan.root / "requirements.txt").is_file()
        and not all((project_root / d / "requirements.txt").is_file() for d in dirs)
    )
    return DeployTarget(plan.name, plan.root, dirs, outside)


def _import_root(project_root: Path, app_root: str, path: str) -> str:
    parts = path.split("/")[:-1]
    depth = len(parts)
    while depth > 0 and (project_root / "/".join(parts[:depth]) / "__init__.py").is_file():
        depth -= 1
    if depth == len(parts):  # not in a package
        return app_root
    return "/".join(parts[:depth]) or "."


def _in_package(project_root: Path, path: str) -> bool:
    directory = path.rsplit("/", 1)[0] if "/" in path else ""
    return (project_root / directory / "__init__.py").exists()
