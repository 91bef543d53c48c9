"""FG307: a runpod 2.0 App whose resources `rp flash deploy` drops (runpod-sdk2.md §5.2)."""

from __future__ import annotations

import ast
import builtins

from flash_guard.checks.base import Check, Outcome, register
from flash_guard.discover.analysis import text_of
from flash_guard.discover.facts import NEVER_RUNS
from flash_guard.discover.parse import Snippet, dotted_expr
from flash_guard.discover.resolve import SDK2_PACKAGE, ModuleRef, truthiness
from flash_guard.model import Opaque, Span
from flash_guard.project.apps import app_map
from flash_guard.sdk.runpod2_tables import DISCOVERY_SKIP_DIRS


def _order(path: str) -> tuple[str, ...]:
    # discover_apps imports sorted(rglob("*.py")): Path order compares part by part.
    return tuple(path.split("/"))


def _discovered(path: str) -> bool:
    """Whether discover_apps imports the file: none under a directory it skips (`build/`,
    `dist/`, `.venv/`...), so a setuptools copy in `build/lib/` registers no App."""
    return not any(part in DISCOVERY_SKIP_DIRS for part in path.split("/")[:-1])


def _deployed(resources) -> list:
    """The resources `rp flash deploy` provisions an endpoint for: queues and apis. A task is
    never deployed (deploy.py `reconcile_endpoints` provisions QUEUE and API only): it runs on
    a pod its caller starts through the App object it imported, so an App twin that drops a
    task loses nothing at deploy."""
    return [e for e in resources if e.kind != "task"]


def _registered_in(endpoint) -> str:
    """The file whose import registers the resource on its App: where it is declared, or for
    an App handed to a helper (`register_asr(app)`), the file making the module-level call
    that hands it down (the helper's own file never sees the App's module)."""
    return endpoint.handed_from[0] if endpoint.handed_from is not None else endpoint.path


def _label(app) -> str:
    return app.name.text if app.name.known and app.name.text else repr(app.name.value)


@register
class AppLostAtDeploy(Check):
    """Nine cases, silent at deploy. (1) Duplicate names: discovery keeps the first `App`
    of each name in import order (files sorted by path, then line) and drops every later one
    with all its resources; the finding is on the later `App(`. (2) The flat-layout empty
    twin: in a directory without `__init__.py` discovery imports each file under a synthetic
    module name, and `from common import app` imports `common.py` a second time under its
    real name. When the file that constructs the `App` sorts before every project file that
    imports it, the synthetic copy registers first and wins the name dedupe, but the
    resources decorated from the other files sit on the real-name copy: deploy builds an app
    without them and deletes every live endpoint of the environment that is not among its
    resources. Package layouts (`__init__.py`) do not have the problem. (3) A sibling import
    below the deploy root: `rp flash deploy` runs discovery from the app's directory, so a
    file in `src/` or `pkg/` that imports the App's module by its bare name (`from common
    import app`, with `common.py` beside it) raises ModuleNotFoundError; discovery skips it
    with a warning and deploys without its resources (unless the app's directory has a module
    of that name). (4) The deploy root is itself a package (`__init__.py`): discovery imports
    `main.py` under its package name, and `from main import app` (the root is on sys.path)
    imports it again as `main`; the App built first (files in sorted order) is kept and the
    resources decorated on the other are dropped. (5) The App's own file calls a handle
    (`.remote`, `.remote.aio`, `.spawn`, `.stream`, an api's `.get/.post/...`) in a statement
    that runs whenever it is imported (none of `if`, `try`, a function or a class around it):
    discovery runs with RUNPOD_DISCOVERY_SCAN set, the call raises DiscoveryInvocationError,
    and the file, with the App and all its resources, is skipped (a file that only decorates
    on an App built elsewhere keeps its resources: rc2 restores the list of Apps, not what
    was registered on them). (6) Two projects (two flash-guard apps, deployed separately)
    build Apps of one name and one env: deploy finds the remote app by name and deletes every
    endpoint of that environment not among the deploying App's resources, so each deploy
    deletes the other's endpoints (said once, at the App that sorts later; Apps that deploy
    nothing, or whose name or env is unknown, are not compared). (7) The App's own file
    reads a volume's `.path` (`CKPT_DIR = ckpts.path / "runs"`, `ckpts` a `NetworkVolume` or
    `GlobalVolume`) in a module-level assignment that runs whenever it is imported: `.path`
    raises VolumeError where the volume is not mounted, discovery included, so the file and
    its App are skipped (the worker mounts before importing, so only the deploy is hurt).
    (8) `runpod.serverless.start({...})`, the classic worker's entry, as a module-level
    statement of the App's own file or of a project module it imports at module level (a
    legacy handler kept beside the App): outside a worker it runs the local test mode, which
    exits (SystemExit: `test_input.json` not found, or after the test job), so discovery
    skips the App's file.
    (9) A src layout nothing installs: the App's file is in a package whose topmost
    package directory sits in a plain directory below the deploy directory
    (`src/chat/server.py`); discovery imports it as `chat.server` with only the deploy
    directory on sys.path, so the import fails (No module named 'chat') and the file is
    skipped with its App: silently when another App is found, else the deploy stops with
    'no runpod.App found'. Not said when the deploy directory has a pyproject.toml,
    setup.py or setup.cfg (an installed project makes the package importable).
    A resource declared by a helper the App is handed to (`register_asr(app)`,
    `Plugin().install(app)`) is registered from the file making that module-level call, not
    the helper's file, which never imports the App's module. Cases 2-5 and 7 concern an
    `App(...)` built when its module is imported, not one a function builds where it is
    called (`app = make_app("shop")`). Cases 1-5 compare no Apps of different flash-guard
    apps (project markers), and no case looks at files under a directory discovery never
    imports (rc2's `_SKIP_DIRS`: `build/`, `dist/`, `.venv/`, ...), such as a
    setuptools copy in `build/lib/`. Only queue and api resources count as lost: `rp flash
    deploy` provisions no task (deploy.py `reconcile_endpoints`), so a twin that drops only
    `@app.task`s is not reported, and the tasks are not named among what is dropped."""

    id = "app-lost-at-deploy"
    scope = "project"

    def check_project(self, endpoints, params, ctx) -> list[Outcome]:
        analysis = ctx.analysis
        if analysis is None:
            return []
        apps_of = app_map(analysis)
        out: list[Outcome] = []
        first: dict[tuple[str, object], object] = {}
        for app in analysis.runpod2_apps:
            if app.local or not app.name.known or not _discovered(app.path):
                continue  # a local one is the App of each call site, compared there
            key = (apps_of.app_of(app.path), app.name.value)
            earlier = first.setdefault(key, app)
            if earlier is not app:
                deployed = _deployed(app.resources)
                if app.resources and not deployed:
                    continue  # tasks only: nothing of this App is deployed anyway
                lost = ", ".join(f"`{e.display_name}`" for e in deployed) or "no resources"
                out.append(
                    Outcome(
                        "fail",
                        f"`App({_label(app)})` repeats the App name of {earlier.path}:"
                        f"{earlier.span.line}; `rp flash deploy` keeps the first and silently "
                        f"drops this one with its resources ({lost})",
                        app.path,
                        app.span,
                        "name",
                        deployed[0] if deployed else None,
                    )
                )
        out += _shared_remote_app(analysis, apps_of)
        handles = _handle_names(endpoints)
        for app in analysis.runpod2_apps:
            if _discovered(app.path) and _built_on_import(app, analysis):
                failing = _sibling_imports(app, analysis, apps_of)
                out += _unimportable(app, failing)
                out += _empty_twin(app, analysis, set(failing))
                out += _package_root_twin(app, analysis, apps_of)
                out += _invoked_on_import(app, analysis, handles)
                out += _called_on_import(app, analysis, handles)
                out += _volume_path_on_import(app, analysis)
                out += _worker_started_on_import(app, analysis)
                out += _nested_package(app, analysis, apps_of)
        return out


# What makes `pip install -e .` / `uv sync` install the project itself, so that its packages
# are importable wherever discovery runs; without one nothing does.
_INSTALLABLE = ("pyproject.toml", "setup.py", "setup.cfg")


def _below_root_package(path: str, root: str, sources) -> tuple[str, str] | None:
    """(the dotted name discovery imports `path` by, the directory it needs on sys.path) for a
    file in a package whose topmost package directory sits in a plain directory below the
    deploy directory (`src/chat/server.py` -> `chat.server`, `src`); None otherwise.
    discover_apps names such a file by its package path (`_module_name`, walking up while
    `__init__.py` exists) and `import_module`s it with only the deploy directory on sys.path."""
    prefix = "" if root in (".", "") else f"{root}/"
    if not path.startswith(prefix):
        return None
    parts = path[len(prefix) :].split("/")
    top = len(parts) - 1
    while top > 0 and prefix + "/".join(parts[:top]) + "/__init__.py" in sources:
        top -= 1
    if top == len(parts) - 1 or top == 0:
        return None  # not in a package, or its topmost package is at the deploy directory
    dotted = [*parts[top:-1], parts[-1].removesuffix(".py")]
    if dotted[-1] == "__init__":
        dotted = dotted[:-1]
    return ".".join(dotted), "/".join(parts[:top])


def _nested_package(app, analysis, apps_of) -> list[Outcome]:
    """Case 9: the App's file is in a package under a plain directory of the deploy directory
    (a src layout, `src/chat/server.py`) and nothing installs the project: discovery imports
    it as `chat.server`, which is not importable from the deploy directory (No module named
    'chat'), and skips the file with its App; with no other App, the deploy stops with
    'no runpod.App found'. Not said when the deploy directory has a pyproject.toml, setup.py
    or setup.cfg: an installed project (`pip install -e .`) makes the package importable."""
    root = apps_of.app_of(app.path)
    if analysis.root is None:
        return []  # where the project markers are cannot be read
    directory = analysis.root / root if root not in (".", "") else analysis.root
    if any((directory / name).is_file() for name in _INSTALLABLE):
        return []
    found = _below_root_package(app.path, root, analysis.sources)
    deployed = _deployed(app.resources)
    if found is None or not deployed:
        return []
    module, directory = found
    top = module.split(".")[0]
    lost = ", ".join(f"`{e.display_name}`" for e in deployed)
    return [
        Outcome(
            "fail",
            f"`App({_label(app)})` is built in `{app.path}`, which `rp flash deploy` imports "
            f"as `{module}` with only the deploy directory on sys.path: `{directory}/` is not "
            f"on it (No module named {top!r}), so discovery skips the file and {lost} "
            f"{'is' if len(deployed) == 1 else 'are'} not deployed",
            app.path,
            app.span,
            None,
            deployed[0],
            f"Deploy from `{directory}/` (`rp flash deploy {directory}`, with the "
            "requirements.txt there), or make the project installable (pyproject.toml) and "
            "install it (`pip install -e .`) before deploying.",
        )
    ]


def _shared_remote_app(analysis, apps_of) -> list[Outcome]:
    """Apps of two projects deployed separately (two flash-guard apps: project markers) with
    one name and one environment: `rp flash deploy` finds the remote app by name
    (deploy.py `get_app_by_name`) and deletes every endpoint of that environment not among
    the deploying App's resources (`reconcile_endpoints`), so each project's deploy deletes
    the other's endpoints. Said once per pair, at the App that sorts later."""
    out: list[Outcome] = []
    seen: dict[tuple[object, object], object] = {}
    for app in analysis.runpod2_apps:
        if app.local or not (app.name.known and app.env.known) or not _discovered(app.path):
            continue
        mine = _deployed(app.resources)
        if not mine:
            continue  # nothing deployed here, nothing of the other's deleted by this one
        earlier = seen.setdefault((app.name.value, app.env.value), app)
        if earlier is app or apps_of.app_of(earlier.path) == apps_of.app_of(app.path):
            continue  # the same project: the duplicate-name case above
        theirs = ", ".join(f"`{e.display_name}`" for e in _deployed(earlier.resources))
        ours = ", ".join(f"`{e.display_name}`" for e in mine)
        out.append(
            Outcome(
                "fail",
                f"`App({_label(app)})` with env {app.env.value!r} is also the App of "
                f"`{earlier.path}`, another project: both deploys update the one remote app "
                f"{app.name.value!r}, and each `rp flash deploy` deletes the other's endpoints "
                f"in {app.env.value!r} (this one deletes {theirs}; the other deletes {ours})",
                app.path,
                app.span,
                "name",
                mine[0],
                "Give each separately deployed App its own name (or its own env=).",
            )
        )
    return out


def _handle_names(endpoints) -> dict[tuple[str, str], object]:
    """{(file, module-level name): endpoint} for the runpod 2.0 handles bound to a name."""
    return {
        (e.path, e.variable): e for e in endpoints if e.sdk == "runpod2" and e.variable is not None
    }


def _invoked_on_import(app, analysis, handles) -> list[Outcome]:
    """A handle called (`.remote`, `.spawn`, `.stream`, an api's `.post(...)`) by a statement
    of the App's own file that runs whenever it is imported (no `if`, `try` or function
    around it): discovery sets RUNPOD_DISCOVERY_SCAN, the call raises
    DiscoveryInvocationError, the file's import fails and its App is never registered."""
    project = analysis.modules
    facts = project.files.get(app.path)
    for call in facts.invocations if facts is not None else ():
        if call.blocks:
            continue  # conditional, guarded or caught: may not run, or its error is handled
        found = project.lookup(app.path, call.receiver, None)
        if not isinstance(found, tuple):
            continue
        bound = getattr(found[1], "name", None) or getattr(found[1], "target", None)
        handle = handles.get((found[0], bound))
        if handle is None or (call.method in _ROUTE_CALLERS) != (handle.kind == "load_balancer"):
            continue  # not a handle, or a method it does not have
        return _file_skipped(
            app,
            f"`{call.receiver}.{call.method}(...)` runs whenever `{app.path}` is imported: "
            "`rp flash deploy`'s discovery refuses it (DiscoveryInvocationError: "
            f"'{handle.display_name}' was invoked at import time), ",
            call.span,
            _INVOKED_FIX,
        )
    return []


def _called_on_import(app, analysis, handles) -> list[Outcome]:
    """`chat("hi")` in a statement of the App's own file that runs whenever it is imported (a
    flash habit: the decorated function was awaited like a plain one), alone or inside an
    expression (`x = chat("hi")`, `print(chat("hi"))`, `[chat(t) for t in TEXTS]`), directly
    in the module or in a module-level block that certainly runs (see `_import_time_calls`):
    a 2.0 handle is not a function, so the call raises TypeError whenever the file is
    imported, and discovery skips the file with its App."""
    project = analysis.modules
    if not project.ensure_parsed(app.path):
        return []
    text = text_of(analysis.sources, app.path)
    truth = _truth_of(project, app.path, text)
    for callee, span in _import_time_calls(_module_statements(analysis, app.path, text), truth):
        found = project.lookup(app.path, callee, None)
        if not isinstance(found, tuple):
            continue
        bound = getattr(found[1], "name", None) or getattr(found[1], "target", None)
        handle = handles.get((found[0], bound))
        if handle is None:
            continue
        if handle.kind == "load_balancer":
            why = "an api handle is not callable"
        else:
            why = (
                f"'{callee}' is a runpod handle: use .remote(...) to execute remotely, "
                ".local(...) to run here"
            )
        return _file_skipped(
            app,
            f"`{callee}(...)` runs whenever `{app.path}` is imported and raises "
            f"TypeError ({why}); `rp flash deploy`'s discovery ",
            span,
            _CALLED_FIX,
        )
    return []


# Module-level statements whose expressions run on import (a def's or class's body does not)
_EVALUATED = (ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign)


def _module_statements(analysis, path: str, text: str | None = None) -> list | None:
    """The module's top-level statements (`ast`), parsed once per run for the cases that read
    them (a handle called on import, case 8); None when it cannot be read or parsed (FG001's
    business). `text`: the file's text when the caller has read it already."""
    memo = analysis.__dict__.setdefault("_fg307_statements", {})
    if path not in memo:
        text = text if text is not None else text_of(analysis.sources, path)
        try:
            memo[path] = ast.parse(text).body if text else None
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            memo[path] = None
    return memo[path]


def _truth_of(project, path: str, text: str | None):
    """A function: an `ast` expression of the module -> its truth on import (True/False) as
    the resolver knows it, None when it cannot tell (an environment read, a call, an unknown
    name): `if WARMUP:` with `WARMUP = True`, `for t in TEXTS:` with TEXTS a known list."""

    def truth(node) -> bool | None:
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = truth(node.operand)  # `if not WARMUP:`: the resolver reads no `not`
            return None if inner is None else not inner
        source = ast.get_source_segment(text, node) if text else None
        if not source or "\n" in source:
            return None
        expr = Snippet(source, node.lineno, node.col_offset + 1, "expression").expr()
        value = project.evaluate(expr, path, None)
        if not value.known or value.env_key is not None or value.candidates is not None:
            return None
        return truthiness(value.value)

    return truth


def _import_time_calls(body: list | None, truth) -> list[tuple[str, Span]]:
    """(callee, span) of every call of a plain name in the expressions of the module's
    statements that run whenever it is imported, in source order: its own statements, and
    those of a module-level block that certainly runs with the error not caught (rc2 2.0.0rc2
    discovery, checked: each of these skips the file). A `with` body (not
    `contextlib.suppress`), a `try` body whose handlers cannot catch TypeError, its `else`
    and `finally`; a `for` over a known non-empty table, a `while` whose test is known true;
    the taken branch of an `if` whose test the resolver knows (`WARMUP = True`), the `else`
    of a `__main__`/`TYPE_CHECKING` guard. A branch on a runtime condition, an `except`
    body, a loop over an unknown or empty table may not run: not said. A lambda's body runs
    only when called; a name a comprehension or the `for` binds is not the module's."""
    out: list[tuple[str, Span]] = []
    _collect_calls(body or (), truth, frozenset(), out)
    return sorted(out, key=lambda item: (item[1].line, item[1].column))


def _collect_calls(statements, truth, shadowed: frozenset, out: list) -> None:
    for statement in statements:
        if isinstance(statement, _EVALUATED):
            if statement.value is not None:
                _calls_in(statement.value, shadowed, out)
        elif isinstance(statement, ast.If):
            _calls_in(statement.test, shadowed, out)
            _collect_calls(_taken_branch(statement, truth), truth, shadowed, out)
        elif isinstance(statement, (ast.For, ast.While)):
            header = statement.iter if isinstance(statement, ast.For) else statement.test
            _calls_in(header, shadowed, out)
            if truth(header) is True:
                bound = _names_in(statement.target) if isinstance(statement, ast.For) else set()
                _collect_calls(statement.body, truth, shadowed | bound, out)
        elif isinstance(statement, ast.With):
            for item in statement.items:
                _calls_in(item.context_expr, shadowed, out)
            if not any(_suppresses(item.context_expr) for item in statement.items):
                _collect_calls(statement.body, truth, shadowed, out)
        elif isinstance(statement, ast.Try):
            if not any(_catches_type_error(h.type) for h in statement.handlers):
                _collect_calls(statement.body, truth, shadowed, out)
            _collect_calls(statement.orelse + statement.finalbody, truth, shadowed, out)


def _taken_branch(statement: ast.If, truth) -> list:
    """The statements of the `if`'s branch that runs on import; none when it depends on
    something only known at run time."""
    header = f"if {ast.unparse(statement.test)}:"
    taken = False if NEVER_RUNS.match(header) else truth(statement.test)
    if taken is None:
        return []
    return statement.body if taken else statement.orelse


def _calls_in(expr, shadowed: frozenset, out: list) -> None:
    local = _comprehension_names(expr) | shadowed
    for node in _walk_unlambda(expr):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        if node.func.id in local:
            continue
        span = Span(node.lineno, node.col_offset + 1, node.end_lineno, node.end_col_offset + 1)
        out.append((node.func.id, span))


def _names_in(target) -> frozenset:
    return frozenset(n.id for n in ast.walk(target) if isinstance(n, ast.Name))


def _suppresses(context) -> bool:
    """`contextlib.suppress(...)` (or `suppress(...)`): the body's errors may be swallowed."""
    func = context.func if isinstance(context, ast.Call) else None
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name == "suppress"


def _catches_type_error(kind) -> bool:
    """Whether an `except` clause of this type may catch a TypeError: a bare `except`, a
    built-in base of TypeError (`Exception`), or a name this cannot place (a project
    exception, an alias); a built-in that is not a base (`KeyError`) cannot."""
    if kind is None:
        return True
    if isinstance(kind, ast.Tuple):
        return any(_catches_type_error(item) for item in kind.elts)
    builtin = getattr(builtins, kind.id, None) if isinstance(kind, ast.Name) else None
    if isinstance(builtin, type) and issubclass(builtin, BaseException):
        return issubclass(TypeError, builtin)
    return True


def _walk_unlambda(expr):
    """`expr` and every node inside it, but not inside a lambda (its body runs when called)."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))


def _comprehension_names(expr) -> set[str]:
    """The names comprehensions (and `:=`) bind inside `expr`."""
    names = set()
    for node in ast.walk(expr):
        targets = [node.target] if isinstance(node, (ast.comprehension, ast.NamedExpr)) else []
        for target in targets:
            names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names


def _volume_path_on_import(app, analysis) -> list[Outcome]:
    """`CKPT_DIR = ckpts.path / "runs"` at module level of the App's own file, with `ckpts`
    a `NetworkVolume`/`GlobalVolume`: `.path` raises VolumeError wherever the volume is not
    mounted (volume.py `Volume.path`), which includes `rp flash deploy`'s discovery, so the
    file's import fails and its App is never registered. The worker binds its mounts before
    importing user code, so the same line works there: only the deploy loses the App."""
    project = analysis.modules
    facts = project.files.get(app.path)
    for assign in facts.assignments if facts is not None else ():
        if assign.namespace is not None or assign.blocks:
            continue  # in a function, or conditional, guarded or caught
        for node in _nodes(assign.value.expr()):
            base = node.items[0] if node.kind == "attr" and node.items else None
            if node.value != "path" or base is None or base.kind != "name":
                continue
            value = project.evaluate(base, app.path, None)
            volume = value.value if value.known else None
            if not (
                isinstance(volume, Opaque)
                and volume.package == SDK2_PACKAGE
                and volume.callee in ("NetworkVolume", "GlobalVolume")
            ):
                continue
            return _file_skipped(
                app,
                f"`{node.text}` runs whenever `{app.path}` is imported and raises "
                f"VolumeError where `{base.value}` is not mounted, as in `rp flash deploy`'s "
                "discovery, which ",
                node.span,
                f"Read `{base.value}.path` inside the function that runs on the worker.",
            )
    return []


_WORKER_START = "runpod.serverless.start"
# How many project modules the App's file imports, directly or not, are read for it
_MAX_IMPORTED = 40


def _worker_started_on_import(app, analysis) -> list[Outcome]:
    """`runpod.serverless.start(...)` at module level of the App's file or of a project
    module it imports at module level (case 8): discovery's import exits, so the file and
    its App are skipped."""
    project = analysis.modules
    for path in _imported_on_import(app.path, project):
        found = _worker_start(path, project, analysis)
        if found is None:
            continue
        via = "" if path == app.path else f" (imported by `{app.path}`)"
        cause = (
            f"`{found[0]}(...)` at {path}:{found[1].line}{via} runs whenever the module is "
            "imported and, outside a worker, runs the local test mode, which exits "
            "(SystemExit): `rp flash deploy`'s discovery "
        )
        span = found[1] if path == app.path else _import_span(app.path, path, project)
        return _file_skipped(app, cause, span or app.span, _START_FIX)
    return []


_START_FIX = (
    'Put `runpod.serverless.start(...)` under `if __name__ == "__main__":`, or keep the '
    "legacy worker in a module the App's files do not import."
)


def _worker_start(path: str, project, analysis) -> tuple[str, Span] | None:
    """(callee text, span) of a `runpod.serverless.start(...)` statement of the module's
    own body (in no block: it runs on every import)."""
    text = None
    if path not in analysis.__dict__.get("_fg307_statements", {}):
        text = text_of(analysis.sources, path)
        if not text or "start" not in text:
            return None  # most imported modules: not parsed at all
    for statement in _module_statements(analysis, path, text) or ():
        call = statement.value if isinstance(statement, ast.Expr) else None
        if not isinstance(call, ast.Call):
            continue
        callee = ast.unparse(call.func)
        expr = dotted_expr(callee, call.lineno, call.col_offset + 1)
        found = project.resolve_symbol(expr, path, None) if expr is not None else None
        if isinstance(found, ModuleRef) and found.module == _WORKER_START and found.path is None:
            return callee, Span(call.lineno, call.col_offset + 1, call.lineno, 1 + len(callee))
    return None


def _imported_on_import(start: str, project) -> list[str]:
    """`start` and the project modules it imports at module level outside any block,
    directly or through one another (with the packages on their way), in import order."""
    order, todo = [], [start]
    while todo and len(order) < _MAX_IMPORTED:
        path = todo.pop(0)
        if path in order or not project.ensure_parsed(path):
            continue
        order.append(path)
        for binding in project.files[path].imports:
            if not binding.top_level or binding.blocks:
                continue
            todo += _modules_of(project, path, binding)
    return order


def _modules_of(project, path: str, binding) -> list[str]:
    """The project files an import binding runs: the module (and its packages'
    `__init__.py`), and for `from pkg import sub` the submodule `sub`."""
    parts = binding.module.split(".") if binding.module else []
    out = []
    for depth in range(1, len(parts) + 1):
        found = project.find_module(path, ".".join(parts[:depth]), binding.level)
        if found is not None:
            out.append(found)
    if binding.name and binding.name != "*":
        dotted = ".".join([*parts, binding.name])
        found = project.find_module(path, dotted, binding.level)
        if found is not None:
            out.append(found)
    return out


def _import_span(app_path: str, imported: str, project) -> Span | None:
    """Where the App's file imports the chain that reaches `imported` (its first
    module-level import of a project module that leads there)."""
    for binding in project.files[app_path].imports:
        if not binding.top_level or binding.blocks:
            continue
        for module in _modules_of(project, app_path, binding):
            if imported in _imported_on_import(module, project):
                return binding.span
    return None


def _file_skipped(app, cause: str, span, fix: str) -> list[Outcome]:
    """One failure at `span`: `cause` (written to run on into "skips the file") makes deploy
    discovery skip the App's file, so none of its resources is deployed (nothing when it has
    none to lose)."""
    lost = _deployed(app.resources)
    if not lost:
        return []
    dropped = ", ".join(f"`{e.display_name}`" for e in lost)
    return [
        Outcome(
            "fail",
            f"{cause}skips the file and with it `App({_label(app)})`, so {dropped} "
            f"{'is' if len(lost) == 1 else 'are'} not deployed",
            app.path,
            span,
            None,
            lost[0],
            fix,
        )
    ]


def _nodes(expr):
    """`expr` and every expression inside it."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(item for item in node.items if item is not None)


_CALLED_FIX = (
    "Call the handle with .remote(...) (or .local(...) to run it here), inside a function, a "
    '@runpod.local_entrypoint or an `if __name__ == "__main__":` block.'
)
_ROUTE_CALLERS = frozenset({"get", "post", "put", "delete", "patch"})
_INVOKED_FIX = (
    "Move the call into a function, a @runpod.local_entrypoint or an "
    '`if __name__ == "__main__":` block.'
)


def _package_root_twin(app, analysis, apps_of) -> list[Outcome]:
    """The deploy root is itself a package (`__init__.py`): discovery imports `main.py` as
    `<package>.main`, but `from main import app` (the root is on sys.path) imports it again
    as `main`. Resources decorated through the bare name sit on that twin; discovery keeps
    whichever App was built first and drops the other's resources."""
    root = apps_of.app_of(app.path)
    base = "" if root == "." else f"{root}/"
    if f"{base}__init__.py" not in analysis.sources or not app.path.startswith(base):
        return []
    rel = app.path[len(base) :].removesuffix(".py").split("/")
    directories = ["/".join(rel[:i]) for i in range(1, len(rel))]
    if any(f"{base}{d}/__init__.py" not in analysis.sources for d in directories):
        return []  # a flat directory on the way: the synthetic-name twin's case
    if rel[-1] == "__init__":
        rel = rel[:-1]
    bare_name = ".".join(rel)
    if not bare_name:
        return []
    project = analysis.modules
    bare: set[str] = set()
    qualified: set[str] = set()
    for path, facts in project.files.items():
        if path == app.path or not _discovered(path):
            continue
        for binding in facts.imports:
            names = [binding.module]
            if binding.name not in (None, "*"):
                names.append(f"{binding.module}.{binding.name}" if binding.module else binding.name)
            hits = [n for n in names if project.find_module(path, n, binding.level) == app.path]
            if not hits:
                continue
            if not binding.level and bare_name in hits:
                bare.add(path)
            else:
                qualified.add(path)
    bare -= qualified  # a file importing it both ways: undecided, said nothing
    deployed = _deployed(app.resources)
    on_bare = [e for e in deployed if _registered_in(e) in bare]
    if not any(_registered_in(e) in bare for e in app.resources):
        return []
    first_qualified = min(_order(p) for p in qualified | {app.path})
    first_bare = min(_order(p) for p in bare)
    lost = (
        [e for e in deployed if _registered_in(e) not in bare]
        if first_bare < first_qualified
        else on_bare
    )
    if not lost:
        return []
    env = app.env.value if app.env.known else "?"
    importers = ", ".join(f"`{p}`" for p in sorted(bare, key=_order))
    dropped = ", ".join(f"`{e.display_name}`" for e in lost)
    everything = len(lost) == len(deployed)
    deletes = (
        f"every live endpoint of environment {env!r}"
        if everything
        else f"their live endpoints in environment {env!r}"
    )
    return [
        Outcome(
            "fail",
            f"`App({_label(app)})` is built in `{app.path}`, in a package (`__init__.py`) that "
            f"`rp flash deploy` runs from, and {importers} "
            f"{'imports' if len(bare) == 1 else 'import'} it as `{bare_name}`: discovery "
            "imports it twice (under its package name and as "
            f"`{bare_name}`), keeps the App built first, drops {dropped} and deletes {deletes}",
            app.path,
            app.span,
            None,
            lost[0],
        )
    ]


def _built_on_import(app, analysis) -> bool:
    """The `App(...)` runs when its module is imported: not inside a function (`def
    make_app(): return runpod.App(...)`), whose App is built where it is called, once per
    call, whichever module object the function comes from."""
    project = analysis.modules
    if not project.ensure_parsed(app.path):
        return True
    span = app.span
    return not any(f.span.contains(span) for f in project.files[app.path].functions)


def _directory(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _sibling_imports(app, analysis, apps_of) -> dict[str, str]:
    """{file: module}: the files that decorate on the App and import its module by its bare
    name (`from common import app`) from a directory below the deploy root. `rp flash deploy`
    runs discovery from the app's directory, which (with its topmost package's parent) is all
    it puts on sys.path: the import raises ModuleNotFoundError there, and discovery skips the
    file with its resources (a warning)."""
    directory = _directory(app.path)
    root = apps_of.app_of(app.path)
    if directory == ("" if root == "." else root):
        return {}
    stem = app.path.rsplit("/", 1)[-1].removesuffix(".py")
    top = "" if root == "." else f"{root}/"
    if f"{top}{stem}.py" in analysis.sources or f"{top}{stem}/__init__.py" in analysis.sources:
        return {}  # the name is importable there: it is that module (another question)
    project = analysis.modules
    out = {}
    for path in {
        _registered_in(e)
        for e in app.resources
        if _registered_in(e) != app.path and _discovered(_registered_in(e))
    }:
        facts = project.files.get(path)
        if facts is None or _directory(path) != directory:
            continue
        for binding in facts.imports:
            if (
                not binding.level
                and binding.module == stem
                and project.find_module(path, binding.module, 0) == app.path
            ):
                out[path] = stem
                break
    return out


def _unimportable(app, failing: dict[str, str]) -> list[Outcome]:
    if not failing:
        return []
    env = app.env.value if app.env.known else "?"
    paths = sorted(failing, key=_order)
    names = ", ".join(f"`{p}`" for p in paths)
    module = failing[paths[0]]
    deployed = _deployed(app.resources)
    dropped = [e for e in deployed if _registered_in(e) in failing]
    if not dropped:
        return []  # only tasks are skipped: deploy provisions none of them anyway
    lost = ", ".join(f"`{e.display_name}`" for e in dropped)
    kept = [e for e in deployed if _registered_in(e) not in failing]
    deletes = (
        f"deletes every live endpoint of environment {env!r}"
        if not kept
        else f"deletes their live endpoints in environment {env!r}"
    )
    return [
        Outcome(
            "fail",
            f"`App({_label(app)})` is built in `{app.path}` and decorated on from {names}, "
            f"which {'imports' if len(paths) == 1 else 'import'} it as `{module}`: "
            f"`rp flash deploy` runs from the app's directory, where `{module}` is not "
            f"importable (No module named {module!r}), so discovery skips "
            f"{'that file' if len(paths) == 1 else 'those files'}, drops {lost} and {deletes}",
            app.path,
            app.span,
            None,
            dropped[0],
        )
    ]


def _empty_twin(app, analysis, failing: set[str]) -> list[Outcome]:
    directory = _directory(app.path)
    init = f"{directory}/__init__.py" if directory else "__init__.py"
    if init in analysis.sources:
        return []
    elsewhere = sorted(
        {
            _registered_in(e)
            for e in app.resources
            if _registered_in(e) != app.path
            and _discovered(_registered_in(e))
            and _registered_in(e) not in failing
        },
        key=_order,
    )
    if not elsewhere:
        return []
    project = analysis.modules
    importers = set()
    for path, facts in project.files.items():
        if path == app.path or not _discovered(path) or path in failing:
            continue
        for binding in facts.imports:
            if binding.module and project.find_module(path, binding.module, binding.level) == (
                app.path
            ):
                importers.add(path)
                break
    if any(_order(p) < _order(app.path) for p in importers | set(elsewhere)):
        return []  # an importer runs first: the real-name module registers first and wins
    deployed = _deployed(app.resources)
    dropped = [e for e in deployed if _registered_in(e) in set(elsewhere)]
    if not dropped:
        return []  # only tasks are decorated from elsewhere: deploy provisions none of them
    elsewhere = sorted({_registered_in(e) for e in dropped}, key=_order)
    env = app.env.value if app.env.known else "?"
    names = ", ".join(f"`{p}`" for p in elsewhere)
    own = [e.display_name for e in deployed if _registered_in(e) == app.path]
    if own:  # the twin kept holds the App file's own resources: only the others are lost
        lost = ", ".join(f"`{e.display_name}`" for e in dropped)
        outcome = (
            f"keeps the twin with only {', '.join(f'`{n}`' for n in own)}, drops {lost} and "
            f"deletes their live endpoints in environment {env!r}"
        )
    else:
        outcome = (
            "keeps the empty twin, deploys no resources from those files and deletes every "
            f"live endpoint of environment {env!r}"
        )
    return [
        Outcome(
            "fail",
            f"`App({_label(app)})` is built in `{app.path}`, in a directory without "
            f"`__init__.py`, and decorated on from {names}, which sort after it: "
            f"`rp flash deploy` imports it twice and {outcome}",
            app.path,
            app.span,
            None,
            dropped[0],
        )
    ]
