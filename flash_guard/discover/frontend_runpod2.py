"""From resolved syntax to endpoint records for the runpod 2.0 Apps API (runpod-sdk2.md §1.2).

A declaration is `@app.queue/api/task(...)` (or `h = app.queue(...)(fn)`) where `app`
evaluates to a `runpod.App(...)` object, in this module or imported from another. Routes are
the `@runpod.get/post/...` methods of an `@app.api` class (inherited ones too), or the route
decorators inside an `@app.api` factory. Handler shapes the worker cannot call, and the
decoration-time rejections normalize_runpod2 reproduces, become `Endpoint.problems` as
(code, message, span) for the FG2xx rules.
"""

from __future__ import annotations

import builtins
import contextlib
import functools
import itertools
import re
from dataclasses import dataclass, field, replace

from flash_guard.discover.facts import (
    ROUTE_REGISTRARS,
    Assignment,
    ClassDef,
    Decorated,
    FunctionDef,
)
from flash_guard.discover.handoff import (
    MAX_HOPS,
    Handoff,
    Target,
    binding_of,
    same_class,
    unbound,
)
from flash_guard.discover.loops import loop_names, sequence, target_pattern, unroll
from flash_guard.discover.normalize_runpod2 import (
    FLASH_STR_ENUMS,
    KIND_SIGNATURE,
    is_flash_enum,
    resource_params,
)
from flash_guard.discover.parse import (
    Expr,
    Snippet,
    dotted_expr,
    forget_conversions,
    keep_conversion,
)
from flash_guard.discover.resolve import (
    MAX_ITEMS,
    SDK2_PACKAGE,
    FlashSymbol,
    Instance,
    ModuleIndex,
    ModuleRef,
    bind_loop_names,
    is_sdk2_app,
)
from flash_guard.model import (
    BodyFacts,
    Endpoint,
    Opaque,
    Route,
    Span,
    Value,
    at_use,
    repeated_keyword_message,
)
from flash_guard.sdk import runpod2_tables as t
from flash_guard.sdk.flash_tables import ROUTE_METHODS

DECORATOR_KINDS = {"queue": "queue", "api": "load_balancer", "task": "task"}
FACTORY_VERBS = ("get", "post", "put", "delete", "patch")
# Calls in an `@app.api` factory that register routes some other way than a `@web.get(...)`
# decorator, or build the app from a route table (Starlette).
_ROUTE_REGISTRARS = ROUTE_REGISTRARS | {"Starlette"}
_ENUM_KEYWORDS = ("gpu", "cpu", "datacenter", "scaler_type", "min_cuda_version")


@dataclass
class AppDecl:
    """One `runpod.App(...)` construction."""

    obj: Opaque
    name: Value
    env: Value
    path: str
    span: Span
    variable: str | None = None
    resources: list[Endpoint] = field(default_factory=list)
    # Seen from inside the function that builds it (`def create_app(): app = runpod.App(...);
    # @app.queue(...)`): the App of whichever call runs, the same object as each call site's.
    local: bool = False


# Why the resources a call registers on an App it is handed are not known (FG002).
_UNRESOLVED = "the App is handed to a callee flash-guard cannot resolve to a project function"
_LOOPED = (
    "a call per item of a loop or comprehension flash-guard cannot unroll (an unknown table, "
    "one a helper's parameters give, or one that may skip items)"
)
_OVERRIDDEN = (
    "a subclass overrides the method `self` calls, so which one runs depends on the instance, "
    "whose class is not named where the chain starts"
)
_DEEP = f"the App is handed down more than {MAX_HOPS} calls deep"
_UNBOUND = "the arguments cannot be bound along the calls that hand the App down"
_CALL_FORM = "a helper registers functions on it by a call, `app.queue(...)(fn)`, not read there"

# Calls that import a module by a name computed at run time: a project plugin, maybe.
_IMPORTERS = ("import_module", "__import__")

# Callees that take the App without registering on it (`print(app)`, `id(app)`).
_BUILTINS = frozenset(dir(builtins))


class Runpod2Builder:
    def __init__(self, project: ModuleIndex, read=None):
        self.project = project
        self.handoff = Handoff(project, read)
        self._built: set[str] = set()  # the files whose declarations were collected
        self._untold: set[tuple[str, Span]] = set()  # calls said to hand the App out of sight
        # looped calls of helpers unrolled already: (path, span, instance `self` is or None)
        self._unrolled_once: set[tuple] = set()
        # declarations on a parameter App, found once the calls handing it down are known
        self._pending: list[tuple] = []
        # id(App object), or for an App a function builds: ("local", its site) inside that
        # function, ("call", its site, the call's site) for a module-level call
        self.apps: dict[object, AppDecl] = {}
        self._site_of: dict[int, tuple[object, tuple]] = {}  # id(App object) -> (it, call key)
        self.endpoints: list[Endpoint] = []
        # (code, message, path, span): problems of no declaration (a stray route marker)
        self.stray: list[tuple[str, str, str, Span]] = []
        # (path, enclosing class or function name) -> the decorated definitions inside it
        self.members: dict[tuple[str, str], list[Decorated]] = {}
        # path -> {(namespace, receiver): [(definition, `@receiver.verb(...)`)]}, per file on
        # first use (_route_decorators)
        self._decorators_by_receiver: dict[str, dict] = {}
        # handlers of class routes with a `{param}` path, said once (FG215)
        self._templated: set[Span] = set()
        self._unrolling = False  # inside _declare's unrolling of a module-level `for` loop
        # (path, SDK decorator span) -> the decorated function's own name, where a wrapper
        # below the decorator hands rc2 another `__name__` (_wrapped_name)
        self._renamed: dict[tuple[str, Span], str] = {}

    def build(self) -> tuple[list[Endpoint], list[AppDecl]]:
        files = self.project.files
        for path in sorted(files):
            self._index_members(path)
        self._built = set(files)
        for path in sorted(files):
            facts = files[path]
            bound: set[Span] = set()
            for assign in facts.assignments:
                if assign.value.may_be_call() and assign.value.is_call():
                    self._assignment(path, assign)
                    bound.add(assign.value.expr_span())
            for decorated in facts.decorated:
                self._decorated(path, decorated)
            for applied in facts.applied:
                if applied.expr.span not in bound:
                    self._applied(path, applied)
            forget_conversions()  # a cache: not every file's at once (see frontend_flash)
        self._handoffs(sorted(self._built))
        while self._pending:
            self._handed_down(*self._pending.pop(0))
        self.endpoints.sort(key=lambda e: (e.path, e.span.line, e.span.column))
        self._init_hooks(files)
        self._duplicate_names()
        self._stray_markers(files)
        self._handles_called(files)
        apps = sorted(self.apps.values(), key=lambda a: (a.path.split("/"), a.span))
        return self.endpoints, apps

    def _handles_called(self, files) -> None:
        """`tokens = tokenize(text)` where `tokenize` is an `@app.queue`/`@app.task` handle:
        a FunctionHandle is not callable (handles.py `__call__` raises TypeError: use
        .remote/.local/.spawn), so the calling code fails wherever it runs. runpod_flash
        endpoints were called directly, so migrated code keeps the habit. Read in the bodies
        of module-level functions and classes; a name the body takes as a parameter is not
        the handle."""
        handles = {
            (e.path, e.variable): e
            for e in self.endpoints
            if e.kind in ("queue", "task") and e.variable and not e.loop_bindings
        }
        if not handles:
            return
        for path in sorted(files):
            facts = files[path]
            for body in (*facts.helper_bodies.values(), *facts.class_bodies.values()):
                own = {name for name, _ in body.params}
                for callee, span in zip(body.calls, body.call_spans, strict=True):
                    if not callee.isidentifier() or callee in own:
                        continue
                    handle = self._handle_named(path, callee, handles)
                    if handle is None:
                        continue
                    self.stray.append(
                        (
                            "FG215",
                            f"`{body.name}` calls the runpod 2.0 {handle.kind} handle "
                            f"`{callee}(...)` directly, which raises TypeError: call "
                            f"`{callee}.remote(...)` (or .spawn/.local)",
                            path,
                            span,
                        )
                    )

    def _project_enums(self, obj: Opaque, call: Expr, path: str) -> list:
        """A member of a project `Enum` (`Tier.A100`, read as its value) given to a 2.0
        decorator's gpu=, cpu=, datacenter=, scaler_type= or min_cuda_version=, written
        there or reaching it as the resolver follows any value: through constants (`GPU =
        Tier.A100`, `DEFAULT = GPU`), another module (`config.GPU`), a list or dict of members
        (`POOL = [Tier.A, Tier.B]`, `TIERS["big"]`), either candidate of a conditional. rc2
        gets the member object and rejects it at decoration ('gpu must be a GpuGroup,
        GpuType, or string, got Tier'); a str-mixin member passes where rc2 takes a str."""
        out = []
        for name in _ENUM_KEYWORDS:
            value = obj.kwargs.get(name)
            if value is None:
                continue
            said = set()  # one finding per place: the first member a constant's list holds
            for shown, item in _member_candidates(value):
                if item.enum_member is None:
                    continue
                _, cls, member = item.enum_member
                here = item.span is not None and item.path in (None, path)
                span = item.span if here else call.span
                problem = _project_enum_problem(name, shown, cls, member, span)
                if problem is not None and span not in said:
                    said.add(span)
                    out.append(problem)
        return out

    def _applied_to_a_value(self, kind: str, applied: Expr, path: str, ns) -> list:
        """`app.api(...)(5)`, `app.queue(...)(Svc())`, `app.api(...)(partial(make, "/v1"))`:
        what a 2.0 decorator is applied to is not a function or a class. rc2 2.0.0rc2:
        ApiHandle raises InvalidResourceError at import for a value or a plain instance, and
        AttributeError for a callable without `__name__` (a callable instance, a
        functools.partial: it reads `target.__name__`); a queue or task takes anything at
        import, but `rp flash deploy`'s build_manifest reads the `__name__` of what it
        wraps and fails (`None` has no module to read and passes). Said only where that is
        plain: a literal, a `functools.partial(...)` call, or an instance of a project
        class with no bases, no decorator but `dataclass` and no `__name__` of its own."""
        what = self._applied_shape(applied, path, ns)
        if what is None or (kind != "load_balancer" and applied.text == "None"):
            return []
        described, callable_ = what
        if kind == "load_balancer" and not callable_:
            message = (
                f"`app.api(...)` is applied to {described}, not a class or a function: rc2 "
                "raises InvalidResourceError at import ('@app.api must decorate a class with "
                "route markers or a zero-argument function returning an asgi app'); apply it "
                "to the class or the factory itself"
            )
        elif kind == "load_balancer":
            message = (
                f"`app.api(...)` is applied to {described}, which has no `__name__`: rc2 "
                "raises AttributeError at import ('... object has no attribute "
                "'__name__'); apply it to a class with route markers or a zero-argument "
                "function returning the asgi app"
            )
        else:
            message = (
                f"`app.{kind}(...)` is applied to {described}, not a function: rc2 accepts it "
                "at import, but `rp flash deploy` fails building the manifest "
                "(AttributeError: ... object has no attribute '__name__'); decorate the "
                "handler function itself"
            )
        return [("FG215", message, applied.span)]

    def _applied_shape(self, applied: Expr, path: str, ns) -> tuple[str, bool] | None:
        """(how to name it, whether it is callable) for what a decorator is applied to when
        it is plainly not a function or a class; None otherwise or when it cannot tell."""
        if applied.kind in _NOT_CALLABLE_KINDS:
            return f"`{applied.text}`, a value", False
        if applied.kind != "call" or not applied.items or applied.items[0].kind not in _NAMES:
            return None
        if self._from_functools(applied.items[0], path, ("partial",)):
            return f"`{applied.text}`, a functools.partial object", True
        found = self.project.resolve_symbol(applied.items[0], path, ns)
        if not (isinstance(found, tuple) and isinstance(found[1], ClassDef)):
            return None
        home, cls = found
        plain = not cls.bases and all(d.startswith(_DATACLASS) for d in cls.decorators)
        if not plain or self.project.lookup(home, "__name__", cls.span) is not None:
            return None  # a base or its own `__name__` may give the instance a name
        callable_ = self._method_target(home, cls, "__call__") is not None
        what = "a callable instance" if callable_ else "an instance"
        return f"`{applied.text}`, {what} of `{cls.name}`", callable_

    def _handle_named(self, path: str, name: str, handles: dict) -> Endpoint | None:
        """The handle endpoint `name` means in `path` at module level (here or imported)."""
        found = self.project.lookup(path, name, None)
        if not isinstance(found, tuple):
            return None
        home, definition = found
        bound = getattr(definition, "name", None) or getattr(definition, "target", None)
        if isinstance(definition, Assignment) and definition.namespace is not None:
            return None
        return handles.get((home, bound))

    def _stray_markers(self, files) -> None:
        """`@runpod.init` / `@runpod.get("/health")` on a module-level function: the markers
        only stamp an attribute, which rc2 reads on the methods of an `@app.api` class
        (handles.py _collect_routes); on a plain function nothing runs it or serves it."""
        for path in sorted(files):
            for decorated in files[path].decorated:
                if decorated.target.is_class:
                    self._class_markers(path, decorated)
                    continue
                if decorated.namespace is not None:
                    continue
                markers = [(d, self._marker_of(d, path, decorated)) for d in decorated.written]
                if any(kind is None for _, kind in markers):
                    continue  # also decorated otherwise (`@app.queue`, a project decorator)
                name = decorated.target.name
                for decorator, kind in markers:
                    if kind == "init":
                        message = (
                            f"@runpod.init on module-level function `{name}` does nothing: rc2 "
                            "runs a @runpod.init method of an @app.api class only; a queue "
                            "function's startup hook is @<handle>.init"
                        )
                    else:
                        message = (
                            f"@runpod.{kind.lower()} on module-level function `{name}` serves no "
                            "route: rc2 reads route markers on the methods of an @app.api "
                            "class only (2.0 has no module-level route functions)"
                        )
                    self.stray.append(("FG215", message, path, decorator.expr_span()))

    def _class_markers(self, path: str, decorated: Decorated) -> None:
        """`@runpod.get("/health")` on a class (above or below `@app.api`): the marker stamps
        the class (or the handle), and rc2 collects routes from the class's methods only, so
        the route is never served."""
        name = decorated.target.name
        for written in decorated.written:
            kind = self._marker_of(written, path, decorated)
            if kind is None:
                continue
            decorator = written.expr()
            marker = "init" if kind == "init" else kind.lower()
            what = "runs nothing" if kind == "init" else "serves no route"
            self.stray.append(
                (
                    "FG215",
                    f"@runpod.{marker} on class `{name}` {what}: rc2 reads markers on the "
                    "methods of an @app.api class only; move it onto a method",
                    path,
                    decorator.span,
                )
            )

    # -- apps -------------------------------------------------------------
    def _app(
        self,
        value: Value,
        variable: str | None = None,
        path: str | None = None,
        ns=None,
        site: tuple[str, Span] | None = None,
    ) -> AppDecl:
        """The App declaration of `value`, evaluated in `path` within namespace `ns`, or at the
        module-level call `site` (path, call span) of the function that builds it. Each
        evaluation of an App a function builds gives a new object: those inside that function
        are one App (whichever call's), those of one call site are one App (that call's)."""
        obj = value.value
        local = bool(ns is not None and obj.span and obj.path == path and ns.contains(obj.span))
        if local:
            key: object = ("local", obj.path, obj.span)
        elif id(obj) in self._site_of:
            key = self._site_of[id(obj)][1]
        elif site is not None and self._built_in_function(obj):
            # a memoised factory (`@functools.lru_cache def get_app(): return App(...)`)
            # returns its first App to every later call with the same arguments
            call = self._memoised_call(obj, site)
            key = ("call", obj.path, obj.span, *(site if call is None else (call,)))
            # the object kept, so its id is not reused while the alias stands
            self._site_of[id(obj)] = (obj, key)
        else:
            key = id(obj)
        decl = self.apps.get(key)
        if decl is None:
            name = obj.args[0] if obj.args else obj.kwargs.get("name", Value.default(None))
            env = obj.kwargs.get("env", Value.default("default"))
            decl = AppDecl(obj, name, env, obj.path or "", obj.span or Span(1, 1, 1, 1))
            decl.local = local
            self.apps[key] = decl
        decl.variable = decl.variable or variable
        return decl

    def _memoised_call(self, obj, site: tuple[str, Span]) -> str | None:
        """The arguments' text of the call at `site` when the module-level function whose body
        builds the App `obj` is memoised by functools (`@lru_cache`, `@cache`): calls with
        the same arguments share one App. None when it is not memoised (each call builds
        a new App) or the call is not found."""
        facts = self.project.files.get(obj.path or "")
        fn = next(
            (f for f in facts.functions if f.namespace is None and f.span.contains(obj.span)),
            None,
        )
        if fn is None:
            return None
        decorators = next(
            (
                d.decorators
                for d in facts.decorated
                if d.target.name == fn.name and d.namespace is None and not d.target.is_class
            ),
            (),
        )
        if not any(self._functools_cache(d, obj.path) for d in decorators):
            return None
        call = self._call_at(*site)
        if call is None:
            return None
        arguments = [item.text for item in call.items[1:]]
        arguments += [f"{k}={v.text}" for k, v, _ in call.keywords]
        return f"({', '.join(arguments)})"

    def _functools_cache(self, decorator: Expr, path: str) -> bool:
        """`@functools.lru_cache`, `@lru_cache(maxsize=None)`, `@functools.cache`, `@cache`."""
        func = decorator.items[0] if decorator.kind == "call" else decorator
        return self._from_functools(func, path, ("lru_cache", "cache"))

    def _from_functools(self, func: Expr, path: str, names: tuple[str, ...]) -> bool:
        """Whether `func` is `functools.<name>` or a `<name>` imported from functools."""
        if func.kind == "attr" and func.value in names:
            base = func.items[0]
            binding = self.project._imports.get(path, {}).get(base.value)
            return base.kind == "name" and binding is not None and binding.module == "functools"
        if func.kind == "name":
            binding = self.project._imports.get(path, {}).get(func.value)
            return binding is not None and binding.module == "functools" and binding.name in names
        return False

    def _call_at(self, path: str, span: Span) -> Expr | None:
        """The call expression of the module-level assignment at `span` in `path`."""
        facts = self.project.files.get(path)
        for assign in facts.assignments if facts is not None else ():
            if assign.expr.span == span and assign.expr.kind == "call":
                return assign.expr
        return None

    def _built_in_function(self, obj) -> bool:
        """The `App(...)` call sits in a function body (it runs when that function is called)."""
        facts = self.project.files.get(obj.path or "")
        return bool(obj.span and facts and any(f.span.contains(obj.span) for f in facts.functions))

    def _assignment(self, path: str, assign) -> None:
        value = self.project.evaluate_call_snippet(assign.value, path, assign.namespace)
        if value is None:
            value = self.project.evaluate(assign.expr, path, assign.namespace)
        if is_sdk2_app(value):
            site = (path, assign.expr.span) if assign.namespace is None else None
            self._app(value, assign.target, path, assign.namespace, site)
            return
        func = assign.value.callee() or assign.expr.items[0]
        stub = (
            self._stub_class(func, path, assign.namespace)
            if func.kind in ("name", "attr")
            else None
        )
        if stub is not None:
            self._stub_arguments(path, assign, stub)
            return
        if func.kind in ("name", "attr") and self._is_client(func, path, assign.namespace):
            # `ep = runpod.Endpoint(name=..., gpu=...)`: runpod_flash's declaration written
            # against 2.0's HTTP client, which takes only (endpoint_id, api_key).
            taken = {name for name, _ in t.SIGNATURES["Endpoint"]}
            wrong = [k for k, _, _ in assign.expr.keywords if k and k not in taken]
            if wrong:
                routes = self._routes_on(path, assign.target)
                self._client_misuse(path, assign.target, assign.expr.span, [], wrong[0], routes)
            return
        if func.kind == "call" and len(assign.expr.items) > 1:
            # `h = app.queue(...)(fn)`: the handle is bound to `assign.target`.
            kind, app, made = self._applied_decorator(func, path, assign.namespace)
            if kind is None:
                return
            target_expr = assign.expr.items[1]
            if self._factory_body(path, assign.namespace, target_expr):
                return
            target = self._target(path, target_expr)
            # Inside a function, loop or class body: said as such; at module level, served only
            # when the function is defined in this file.
            nested = assign.placement in ("function", "loop", "class")
            here = assign.namespace is None and self._defined_here(path, target_expr)
            placement = assign.placement if nested or here else "unbound"
            self._declare(
                path,
                kind,
                app,
                func,
                assign.namespace,
                target,
                placement,
                assign.statement_lines,
                variable=assign.target,
                call_form=target_expr,
                made=made,
                blocks=assign.blocks,
            )

    def _applied(self, path: str, applied) -> None:
        """`app.queue(...)(fn)` not assigned to a name: inside a list, dict, comprehension or
        call, or a bare statement. Discovery deploys it; the worker, which looks the handle up
        among module-level names, cannot find it (§5.4)."""
        func = applied.expr.items[0] if applied.expr.items else None
        if func is None or func.kind != "call" or len(applied.expr.items) < 2:
            return
        kind, app, made = self._applied_decorator(func, path, applied.namespace)
        if kind is None:
            return
        target_expr = applied.expr.items[1]
        if self._factory_body(path, applied.namespace, target_expr):
            return
        placement = applied.placement if applied.placement in ("function", "loop") else "container"
        target = self._target(path, target_expr)
        loop = self._comprehension(path, applied) if made is None else None
        if loop is not None:
            # `{n: app.queue(name=f"w-{n}")(f) for n in ("a", "b")}`: rc2 registers one
            # resource per item, each with the loop's name bound to it.
            for bindings in loop:
                self.project._loops.append(((path, applied.namespace), bindings))
                try:
                    self._declare(
                        path, kind, app, func, applied.namespace, target, placement,
                        applied.lines, call_form=target_expr,
                    )  # fmt: skip
                finally:
                    self.project._loops.pop()
            return
        self._declare(
            path,
            kind,
            app,
            func,
            applied.namespace,
            target,
            placement,
            applied.lines,
            call_form=target_expr,
            made=made,
            blocks=applied.blocks,
        )

    def _comprehension(self, path: str, applied):
        """The loop names' values, one dict per item, when the call form is in the key or value
        of a module-level dict comprehension over a known tuple, list or dict view
        (`_evaluate_dictcomp`'s reading); None
        otherwise (a comprehension over what is not known stays one declaration, its
        loop-dependent arguments unknown)."""
        facts = self.project.files.get(path)
        if facts is None or applied.namespace is not None:
            return None
        span = applied.expr.span
        for assign in facts.assignments:
            if assign.namespace is not None or not assign.value.expr_span().contains(span):
                continue
            comp = _enclosing_dictcomp(assign.expr, span)
            if comp is None:
                return None
            loop = self.project.comprehension_bindings(comp, path, None)
            return loop or None
        return None

    def _applied_decorator(self, func: Expr, path: str, ns):
        """(kind, App, the decorator object or None) for the `app.queue(...)` of a call form,
        or for a name that holds such a decorator (`queue = app.queue` ... `queue(...)(fn)`);
        (None, None, None) otherwise."""
        kind, app = self._app_method(func, path, ns)
        if kind is not None:
            return kind, app, None
        kept = self._kept_decorator(func, path, ns) if func.kind == "call" else None
        if kept is None:
            return None, None, None
        made, kind, app = kept
        return kind, app, made

    def _target(self, path: str, expr: Expr) -> BodyFacts:
        body = self.project.body_of(path, expr)
        if expr.kind == "other" and _is_lambda(expr):
            return replace(body, name="<lambda>")  # its __name__, as rc2 records it
        return body

    def _defined_here(self, path: str, expr: Expr) -> bool:
        """The function is defined in this file, not imported (the worker looks it up in the
        module that defines it, §5.4)."""
        if expr.kind == "other" and _is_lambda(expr):
            return True  # written right here: `inspect.getfile` gives this file
        if expr.kind != "name":
            return False
        imported = self.project._imports.get(path, {}).get(expr.value)
        if imported is not None:
            return False
        found = self.project.lookup(path, expr.value, None)
        # lookup gives (path, FunctionDef | ClassDef) for a definition, None when unknown
        return found is None or (isinstance(found, tuple) and found[0] == path)

    def _app_method(self, func: Expr, path: str, ns) -> tuple[str | None, AppDecl | None]:
        """`app.queue(...)` -> ("queue", the App) when `app` is a runpod.App."""
        return self._app_callee(func.items[0] if func.kind == "call" else func, path, ns)

    def _app_callee(self, callee: Expr, path: str, ns) -> tuple[str | None, AppDecl | None]:
        """`_app_method` given the callee (`app.queue`) of a call, or the decorator."""
        if callee.kind != "attr" or callee.value not in DECORATOR_KINDS:
            return None, None
        base = self.project.evaluate(callee.items[0], path, ns)
        if not is_sdk2_app(base):
            return None, None
        return DECORATOR_KINDS[callee.value], self._app(base, None, path, ns)

    def _factory_decorator(self, home: str, fn, call: Expr, path: str, ns):
        """`@nested("beta")` where `def nested(name): def deco(f): return app.queue(
        name=name)(f); return deco`: the decorator the nested function applies, with the
        factory's parameters bound to the call's arguments."""
        facts = self.project.files.get(home)
        inner = _returned_nested(facts, fn) if facts is not None else None
        if inner is None:
            return None
        for returned in inner.returns:
            expr = returned.expr()
            if expr.kind != "call" or len(expr.items) != 2 or expr.items[0].kind != "call":
                continue
            value = self.project.evaluate_in_call(home, fn, call, path, ns, expr.items[0], inner)
            entry = self.project.app_decorator(value)
            if entry is not None:
                return entry
        return None

    def _factory_body(self, path: str, namespace, target: Expr) -> bool:
        """`app.queue(...)(f)` inside a function where `f` is its parameter: a decorator
        factory's body (declared where the factory is applied), not a declaration."""
        if namespace is None or target.kind != "name":
            return False
        facts = self.project.files.get(path)
        fn = next((f for f in facts.functions if f.span == namespace), None) if facts else None
        return fn is not None and any(name == target.value for name, _, _ in fn.params)

    def _wrapper(self, decorator: Expr, path: str, ns, foreign: bool) -> bool:
        """A project decorator that returns a function nested in it (a wrapper); `foreign`:
        only one defined in another file. Below `@app.queue`, a foreign one makes rc2 record
        its file (`inspect.getfile` does not unwrap), where the worker looks for the handle;
        above it, any one leaves the wrapper, not the handle, in the module-level name. A
        decorator factory (`@retry(3)`) is followed one level."""
        func = decorator.items[0] if decorator.kind == "call" else decorator
        if func.kind not in ("name", "attr"):
            return False
        found = self.project.resolve_symbol(func, path, ns)
        if not (isinstance(found, tuple) and isinstance(found[1], FunctionDef)):
            return False
        home, fn = found
        if foreign and home == path:
            return False
        facts = self.project.files.get(home)
        levels = 2 if decorator.kind == "call" else 1
        for _ in range(levels):
            nested = _returned_nested(facts, fn) if facts is not None else None
            if nested is None:
                return False
            fn = nested
        return True

    def _returned_to_module(self, path: str, decorated: Decorated) -> str | None:
        """`def register(): @app.queue(...) def f(...): ...; return f` with `h = register()`
        at module level: the handle is bound to the module-level name `h` (the worker finds
        it there). That name, else None."""
        block = decorated.blocks[0] if decorated.blocks else None
        facts = self.project.files.get(path)
        if block is None or block.kind != "function" or facts is None:
            return None
        fn = next((f for f in facts.functions if f.span == decorated.namespace), None)
        if fn is None or fn.namespace is not None or len(fn.returns) != 1:
            return None
        returned = fn.returns[0].expr()
        if returned.kind != "name" or returned.value != decorated.target.name:
            return None
        for assign in facts.assignments:
            if assign.namespace is None and assign.placement == "module" and not assign.unpack[1]:
                expr = assign.value.callee() if assign.value.may_be_call() else None
                if expr is not None and expr.kind == "name" and expr.value == fn.name:
                    return assign.target
        return None

    def _kept_decorator(self, decorator: Expr | Snippet, path: str, ns):
        """`@cpu_step` where `cpu_step = app.queue(...)`, or `@gpu_queue("embed")` where a
        project helper returns `app.queue(...)`: (the decorator object, its kind, the App),
        or None. rc2 registers a resource wherever such a decorator is applied. A decorator
        as written (a snippet) is converted only past its callee's checks."""
        if isinstance(decorator, Snippet):
            func, is_call = decorator.head(), decorator.is_call()
        else:
            is_call = decorator.kind == "call"
            func = decorator.items[0] if is_call else decorator
        if func.kind not in ("name", "attr") or (
            not is_call and func.kind == "attr" and func.value in DECORATOR_KINDS
        ):
            return None  # `@app.queue` without parentheses is `_app_method`'s FG210
        # Only a name bound in the project (`cpu_step = app.queue(...)`) or a project helper
        # can hold one: SDK names, route verbs and third-party decorators are not evaluated.
        found = self.project.resolve_symbol(func, path, ns)
        if found is not None and (
            not isinstance(found, tuple) or not isinstance(found[1], (Assignment, FunctionDef))
        ):
            return None
        if found is None and not self.project.may_call_app_method(func, is_call):
            return None  # what follows reads an unresolved name only as `app.method(...)`
        if isinstance(decorator, Snippet):
            decorator = decorator.expr()
        method = self.project.app_method_call(decorator, path, ns) if found is None else None
        if method is not None:
            # `@app.gpu_queue(...)`: a method of the project's own App subclass
            entry = self.project.app_decorator(method)
            if entry is None or not is_sdk2_app(entry[2]):
                return None
            return entry[0], DECORATOR_KINDS[entry[1]], self._app(entry[2], None, path, ns)
        if not isinstance(found, tuple) or not isinstance(found[1], (Assignment, FunctionDef)):
            return None
        value = self.project.evaluate(decorator, path, ns)
        entry = self.project.app_decorator(value)
        if entry is None and decorator.kind == "call" and isinstance(found[1], FunctionDef):
            entry = self._factory_decorator(found[0], found[1], decorator, path, ns)
        if entry is None:
            return None
        obj, method, app_value = entry
        if not is_sdk2_app(app_value):
            return None
        return obj, DECORATOR_KINDS[method], self._app(app_value, None, path, ns)

    def _decorated(self, path: str, decorated: Decorated) -> None:
        schedule = False
        for written in decorated.written:
            symbol = self.project.resolve_symbol(written.head(), path, decorated.namespace)
            if isinstance(symbol, FlashSymbol) and symbol.package == SDK2_PACKAGE:
                if symbol.name == "schedule":
                    schedule = True
                elif symbol.name == "Endpoint":
                    self._client_declaration(path, decorated, written.expr())
        for index, written in enumerate(decorated.written):
            if self._parameter_app_method(written, path, decorated.namespace) is not None:
                # `def install(self, app): @app.queue(...)`: the parameter, not a module-level
                # App of the same name, whatever each call hands in
                self._through_parameter(path, decorated, written, index, schedule)
                continue
            self._one_decorator(path, decorated, index, written, schedule)

    def _one_decorator(
        self, path, decorated: Decorated, index: int, written: Snippet, schedule
    ) -> None:
        kind, app = self._app_callee(written.head(), path, decorated.namespace)
        made = None
        if kind is None:
            made = self._kept_decorator(written, path, decorated.namespace)
            if made is None:
                return
            made, kind, app = made
        decorator = written.expr()
        placement = decorated.placement
        below = decorated.decorators[index + 1 :]
        above = decorated.decorators[:index]
        ns = decorated.namespace
        variable = None
        if placement == "function":
            variable = self._returned_to_module(path, decorated)
            per_call = variable and made is None
            if per_call and self._per_call_only(path, kind, decorator, decorated):
                return
            placement = "module" if variable else placement
        if placement == "module" and any(self._wrapper(d, path, ns, True) for d in below):
            placement = "wrapped"
        elif placement == "module" and any(self._wrapper(d, path, ns, False) for d in above):
            placement = "wrapped_above"
        endpoint = self._declare(
            path,
            kind,
            app,
            decorator,
            decorated.namespace,
            decorated.target,
            placement,
            decorated.lines,
            decorated=decorated,
            made=made,
            variable=variable,
            blocks=decorated.blocks,
        )
        keep_conversion(written)  # a declaration: evaluation reads it again
        if schedule:
            endpoint.problems.append(
                (
                    "FG216",
                    "recurring schedules are not yet supported by the runpod api. the "
                    "@schedule decorator records intent but cannot be deployed.",
                    endpoint.span,
                )
            )

    def _per_call_only(self, path: str, kind: str, decorator: Expr, decorated) -> bool:
        """`small = make(app, "asr-small")` and `big = make(app, "asr-big", gpu="H100")` where
        `make`'s body declares and returns the handle: rc2 registers one resource per call,
        each with its arguments, so a factory that takes parameters is declared per call
        (`_per_call`). Whether that covered every call; else (no parameters, a call not
        followed) the one declaration bound to the module-level name stands as well."""
        fn = self._module_function(path, decorated.namespace)
        if fn is None or not fn.params or decorator.kind != "call":
            return False
        made, unfollowed = self._per_call(
            path, kind, decorator, decorated.namespace, decorated.target, decorated.lines,
            None, decorated, None,
        )  # fmt: skip
        return bool(made) and not unfollowed

    def _through_parameter(
        self, path: str, decorated: Decorated, written: Snippet, index: int, schedule: bool
    ) -> None:
        """`def register_asr(app, gpu="L4"): @app.queue(gpu=gpu) def asr(...)` with
        `register_asr(app)` at module level (here or in a module importing this one): the
        App comes in as a parameter, so the decorator is an App method only for a call that
        passes one. rc2 registers one resource per such call, with that call's arguments
        (`_per_call`); a helper nothing calls at import registers nothing."""
        ns = decorated.namespace
        kind = self._parameter_app_method(written, path, ns)
        if kind is None:
            return
        decorator = written.expr()  # converted only for such a decorator (see Snippet.head)
        made, unfollowed = [], False
        if self._module_function(path, ns) is not None:
            made, unfollowed = self._per_call(
                path, kind, decorator, ns, decorated.target, decorated.lines, None, decorated,
                None, handed=True,
            )  # fmt: skip
        # once every call handing the App down is known (`_handoffs` adds loops over helpers)
        called = bool(made) or unfollowed
        self._pending.append((path, kind, decorator, decorated, index, schedule, called))

    # -- the App handed to project code ------------------------------------------------
    def _handoffs(self, paths: list[str]) -> None:
        """Module-level calls that hand an App to project code (`register_all(app)`,
        `Plugin().install(app)`, `for plugin in PLUGINS: plugin(app)`): the modules of the
        helpers they reach are read (one that imports no runpod name is parsed only now) and
        their declarations found (`_handed_down`). A call whose callee flash-guard cannot
        follow is said once (FG002): what it registers is not known."""
        if not self.apps:
            return
        passed = self._app_argument()
        for path in paths:
            if passed is not None and not self.handoff.mentions(path, passed):
                continue  # no App name in an argument list: nothing to parse again
            for site in self.handoff.calls(path):
                if site.scope is not None or site.untaken or not self._hands_app(site):
                    continue
                is_app = functools.partial(self._is_app, path=site.path)
                self._follow(site, site, is_app, 0, set())

    def _follow(self, site, origin, is_app, depth: int, seen: set, instance=None) -> None:
        """One call handing the App on (`is_app` tells its arguments that are the App), made
        by module-level code (`origin`) or by a helper it reaches: the helper it calls, or
        each helper of a known table a `for` loop calls (`for plugin in PLUGINS:
        plugin(app)`, `for p in (Asr(), Ocr()): p.install(app)`), one resource per item as
        rc2 registers them. Anything else is said once (FG002 at `origin`). `instance`:
        (path, class) of the instance `self` is in the method `site` is in, when known
        (`Gpu().install(app)`): `self.add(app)` runs the `add` it looks up."""
        if depth >= MAX_HOPS:
            self._cannot_tell(origin, site, _DEEP)
            return
        items = self._loop_helpers(site)
        if items is not None:
            for target, bound, owner in items:
                plain = replace(site, looped=False, loop=None, instance=owner)
                key = (target.path, target.fn.span)
                self.handoff.unrolled.setdefault(key, []).append((plain, bound))
                given = _receiving(site.call, bound, is_app)
                self._reach(target, given, origin, depth, seen, owner)
            return
        kind = self.handoff.receiver_class(site)
        instance = instance if kind == "self" else None
        target = self._target_called(site, instance)
        bound = self.handoff.calls_target(site, target, instance) if target is not None else None
        if bound is None:
            if target is not None and self._overridden(site, target):
                self._cannot_tell(origin, site, _OVERRIDDEN)
            elif target is not None or self._project_callee(site):
                self._cannot_tell(origin, site, _UNRESOLVED)
            return
        if site.looped:
            # `for gpu in GPUS: register_asr(app, gpu)`: one resource per item
            iterations = self._iterations(site, instance)
            if iterations is None:
                self._cannot_tell(origin, site, _LOOPED)
                return
            key, where = (target.path, target.fn.span), (site.path, site.call.span)
            self_of = instance if self._reads_self(site) else None
            once = (*where, self_of and (self_of[0], self_of[1].span))
            self.handoff.unrolled_calls.add(where)
            if once not in self._unrolled_once:  # a helper reached twice: once (per instance
                self._unrolled_once.add(once)  # when the loop reads `self`)
                for bindings in iterations:
                    each = replace(
                        site, looped=False, loop=None, direct=False, bindings=bindings,
                        self_of=self_of,
                    )  # fmt: skip
                    self.handoff.unrolled.setdefault(key, []).append((each, bound))
        inner = (instance if kind == "self" else kind) if target.cls is not None else None
        given = _receiving(site.call, bound, is_app)
        self._reach(target, given, origin, depth, seen, inner if isinstance(inner, tuple) else None)

    def _overridden(self, site, target: Target) -> bool:
        """`self.add(app)` reaching `target` where a subclass has its own `add`."""
        func = site.call.items[0]
        own = self.handoff.own_receiver(site, func.items[0]) if func.kind == "attr" else None
        return own is not None and self.handoff.overridden(own[0], own[1], func.value, target)

    def _iterations(self, site, instance=None) -> list[dict] | None:
        """The loop names' values per item when `site` is a statement of the body of a `for`
        loop over a known table (`for gpu in GPUS:`, `for name, cfg in MODELS.items():`), at
        module level or in a helper (`def install_all(app): for gpu in ("L4", "A100"):`), or
        in a method over what `self` gives (`for m in self.models():`) when `instance` (the
        class `self` is an instance of) is known; None otherwise (a nested loop, an `if` or
        `break` in the body, an unknown table, or one the helper's parameters give, which
        differs per call)."""
        if site.loop is None or not site.direct:
            return None
        ns = site.scope.span if site.scope is not None else None
        params = {p for p, _, _ in site.scope.params} if site.scope is not None else set()
        used = _names_in(site.loop[1]) & params
        receiver = self._self_value(site, instance) if self._reads_self(site) else None
        if used and (receiver is None or used != {site.scope.params[0][0]}):
            return None
        pattern = target_pattern(site.loop[0])
        with contextlib.ExitStack() as frames:
            if receiver is not None:
                frames.enter_context(self.project.receiver_frame(site.path, site.scope, *receiver))
            items = sequence(self.project, site.path, site.loop[1], site.call.span, ns)
        if pattern is None or items is None or not items or len(items) > MAX_ITEMS:
            return None
        out = []
        for item in items:
            bindings = bind_loop_names(pattern, item)
            if bindings is None:
                return None
            out.append(bindings)
        return out

    def _reads_self(self, site) -> bool:
        """Whether `site` is in an instance method (of a module-level class) whose loop around
        the call reads its first parameter (`for m in self.models():`)."""
        scope = site.scope
        if scope is None or scope.namespace is None or not scope.params or site.loop is None:
            return False
        first = scope.params[0]
        return first[2] == "" and first[0] in _names_in(site.loop[1])

    def _self_value(self, site, instance):
        """(first parameter's name, an instance of `instance`'s class) for the method `site`
        is in; None when the instance is not known or its attributes may differ from the
        class's (see `_plain_instance`)."""
        if instance is None or site.scope is None or not site.scope.params:
            return None
        value = self._plain_instance(instance, site.call.span)
        return (site.scope.params[0][0], value) if value is not None else None

    def _plain_instance(self, instance, span: Span, made=None) -> Value | None:
        """An instance of a project class, as `self` in its methods: its attributes are the
        class attributes along its lineage, those its `__init__` sets (one that only assigns
        `self.ATTR = ...`, forwards to `super().__init__(...)` or calls a method of its own
        that does the same, `self.setup()`), its parameters bound to the arguments of `made`
        ((constructor call, its file, its scope): `Plugin(prefix="/v1")`) or, without one,
        to their defaults (`C()`), and unknown for those another method assigns. None when
        the class, or a class it derives from, is not all project code (a base flash-guard
        cannot read may set anything), has another `__init__`, `__new__` or attribute hooks,
        or is a dataclass."""
        home, cls = instance
        written: set[str] = set()
        for here, klass, bases in self.project.lineage((home, cls), 0):
            if any(d.split("(")[0].endswith("dataclass") for d in klass.decorators):
                return None
            for base, found in bases:
                project = isinstance(found, tuple) and isinstance(found[1], ClassDef)
                if not project and base.text not in ("object", "ABC", "abc.ABC"):
                    return None
            facts = self.project.files.get(here)
            methods = {f.name for f in facts.functions if f.namespace == klass.span}
            if methods & _INSTANCE_HOOKS:
                return None
            written |= self.handoff.self_writes(here, klass)
        made = self._init_attributes(home, cls, span, made)
        if made is None:
            return None
        unknown = [
            (name, Value.unknown(f"self.{name} (set in a method)", span, home))
            for name in sorted(written)
        ]
        kwargs = tuple([*unknown, *((n, v) for n, v in made.items() if n not in written)])
        return Value(Instance(home, cls, kwargs), True, span, f"{cls.name}()", path=home)

    def _init_attributes(self, home: str, cls: ClassDef, span: Span, made=None) -> dict | None:
        """{attribute: value} the `__init__` of `cls(...)` sets (none when the lineage has no
        `__init__`), called as `made` (call, file, scope) or else as `cls()`; None when it
        does more than forward (see `_plain_instance`), or takes arguments and `made` is
        not known."""
        init = self._method_target(home, cls, "__init__")
        if init is None:
            facts = self.project.files.get(home)
            own = facts is not None and any(
                f.name == "__init__" and f.namespace == cls.span for f in facts.functions
            )
            return None if own else {}
        if init.binding != "instance" or not init.fn.params:
            return None
        if made is None and len(init.fn.params) != 1:
            return None  # made elsewhere, with arguments this does not see
        if made is None:
            call = Expr(
                "call", span, f"{cls.name}()", None, (Expr("name", span, cls.name, cls.name),)
            )
            made = (call, home, None)
        out: dict[str, Value] = {}
        return out if self._run_init(init, *made, out, 0, (home, cls)) else None

    def _run_init(
        self, init: Target, call: Expr, path: str, ns, out: dict, depth: int, instance
    ) -> bool:
        """Read `init` called as `call` (written in `path`, `ns`): its `self.ATTR = value`
        into `out`, its `super().__init__(...)` followed into the next class's, a
        `self.setup(...)` into that method of `instance`'s class (the object being made)."""
        statements = self.handoff.init_statements(init.path, init.fn)
        if statements is None or depth > _MAX_INIT_DEPTH:
            return False
        bound = unbound(init.fn)
        with self.project.call_frame(init.path, bound, call, path, ns) as ok:
            if not ok:
                return False
            for kind, *rest in statements:
                if kind == "set":
                    attribute, value = rest
                    out[attribute] = self.project.evaluate(value, init.path, init.fn.span)
                    continue
                if kind == "call":
                    method = self._method_target(*instance, rest[0])
                    if method is None or method.binding != "instance" or not method.fn.params:
                        return False
                    here = (rest[1], init.path, init.fn.span)
                    if not self._run_init(method, *here, out, depth + 1, instance):
                        return False
                    continue
                if len(init.cls.bases) != 1:
                    return False  # `super()` by the method resolution order: not followed
                base = self.handoff._base_class(init.cls.bases[0], init.path)
                if base is None:
                    return False
                following = self._method_target(base[0], base[1], "__init__")
                if following is None:
                    if rest[0].items[1:] or rest[0].keywords:
                        return False  # `object.__init__` given arguments: a TypeError
                    continue
                here = (rest[0], init.path, init.fn.span)
                if not self._run_init(following, *here, out, depth + 1, instance):
                    return False
        return True

    def _loop_helpers(self, site) -> list | None:
        """(helper, as bound) per item when `site` calls its loop's name (`plugin(app)`) or a
        method of it (`p.install(app)`) in a `for` loop over a known table of project
        functions, classes or instances; None otherwise."""
        if site.loop is None or _root_name(site.call.items[0]) != site.loop[0]:
            return None
        func = site.call.items[0]
        made = False
        if func.kind == "attr" and func.items[0].kind == "name":
            method = func.value
        elif func.kind == "attr" and _made_bare(func.items[0]):
            method, made = func.value, True  # `for C in PLUGINS: C().install(app)`
        elif func.kind == "name":
            method = None
        else:
            return None
        ns = site.scope.span if site.scope is not None else None
        table = self.project.evaluate(site.loop[1], site.path, ns)
        if not table.known or not isinstance(table.value, (list, tuple)):
            return None
        if not table.value or len(table.value) > MAX_ITEMS:
            return None
        out = []
        for item in table.value:
            found = self._item_helper(item, method, made)
            if found is None:
                return None
            out.append(found)
        return out

    def _item_helper(self, item: Value, method: str | None, made: bool = False):
        """An item of a table of helpers (`register_ocr`, `OcrPlugin`, `OcrPlugin()`, a name
        bound to `OcrPlugin()`), as what `item(app)`, `item.method(app)` or, `made`,
        `item().method(app)` calls: (helper, as bound, (path, class) of the instance whose
        method runs, or None)."""
        if not isinstance(item, Value):
            return None
        if made and (item.known or not item.text or item.path is None):
            return None
        if item.known and isinstance(item.value, Instance):  # `OcrPlugin()`, as the resolver
            home, definition, instance = item.value.path, item.value.cls, True  # builds it
        elif item.known or not item.text or item.path is None:
            return None
        else:
            made_here = made
            made = re.fullmatch(r"([\w.]+)\(\s*\)", item.text)  # `OcrPlugin()`: an instance
            text = made.group(1) if made else item.text
            expr = dotted_expr(text, item.span.line, item.span.column)
            found = self.project.resolve_symbol(expr, item.path, None) if expr else None
            if not isinstance(found, tuple):
                return None
            (home, definition), instance = found, made is not None
            if made is not None and made_here:
                return None  # `C()()`: not a class
            instance = instance or made_here
        if isinstance(definition, Assignment) and method is not None and not instance:
            value = definition.value  # `ASR = AsrPlugin()` listed by name
            call = value.expr() if value.may_be_call() else None
            if call is None or call.kind != "call" or call.items[0].kind not in ("name", "attr"):
                return None
            found = self.project.resolve_symbol(call.items[0], home, None)
            if not isinstance(found, tuple) or call.items[1:] or call.keywords:
                return None
            (home, definition), instance = found, True
        if isinstance(definition, FunctionDef) and method is None and not instance:
            target = self._handoff_target(home, definition.span)
            found = target is not None and target.cls is None
            return (target, definition, None) if found else None
        if not isinstance(definition, ClassDef) or (instance and method is None):
            return None
        target = self._method_target(home, definition, method or "__init__")
        if target is None:
            return None
        owner = (home, definition) if instance else None
        if method is None or instance:  # `OcrPlugin(app)`, `OcrPlugin().install(app)`
            bound = target.fn if target.binding == "static" else unbound(target.fn)
            return target, bound, owner
        # `OcrPlugin.install(app)`: a class method binds the class; others take the App first
        bound = unbound(target.fn) if target.binding == "classmethod" else target.fn
        return target, bound, None

    def _app_argument(self) -> re.Pattern | None:
        """An App's name as a call argument (`f(app)`, `f(x, app=core.app)`), for the names
        the project binds Apps to (and imports them as); None when an App has no name (built
        by a factory), so every file is read."""
        names = {decl.variable for decl in self.apps.values()}
        if None in names:
            return None
        for facts in self.project.files.values():
            names |= {b.local for b in facts.imports if b.name in names}
            # `application = app`: another module-level name for it
            names |= {
                a.target
                for a in facts.assignments
                if a.namespace is None and a.target and a.value.expr_text() in names
            }
        alternatives = "|".join(sorted(re.escape(n) for n in names))
        return re.compile(rf"[(,=]\s*(?:\w+\.)*(?:{alternatives})\s*[,)]")

    def _hands_app(self, site) -> bool:
        """Whether a module-level call passes an App (`f(app)`, `f(app=app)`)."""
        args = [*site.call.items[1:], *(v for _, v, _ in site.call.keywords)]
        return any(self._is_app(arg, site.path) for arg in args)

    def _is_app(self, arg: Expr, path: str) -> bool:
        """A module-level name or attribute that holds an App."""
        if arg.kind not in ("name", "attr"):
            return False
        return is_sdk2_app(self.project.evaluate(arg, path, None))

    def _target_called(self, site, instance=None) -> Target | None:
        """The project helper a call reaches: a module-level function, a class (its
        `__init__`) or a method of a module-level class; None when it is none of those.
        `instance`: see `_follow`."""
        call, ns = site.call, site.scope.span if site.scope is not None else None
        func = call.items[0]
        found = (
            self.project.resolve_symbol(func, site.path, ns)
            if func.kind in ("name", "attr")
            else None
        )
        if isinstance(found, tuple) and isinstance(found[1], FunctionDef):
            home, fn = found
            owner = self._handoff_target(home, fn.span)
            return owner
        if isinstance(found, tuple) and isinstance(found[1], ClassDef):
            home, cls = found
            return self._method_target(home, cls, "__init__")
        if func.kind != "attr":
            return None
        receiver = func.items[0]
        own = self.handoff.own_receiver(site, receiver)
        if own is not None:  # `self.add_queue(app)` in a method of a module-level class
            home, cls = instance if instance is not None else own[:2]
            return self._method_target(home, cls, func.value)
        made = receiver.items[0] if receiver.kind == "call" and receiver.items else receiver
        if made.kind not in ("name", "attr"):
            return None
        owner = self.project.resolve_symbol(made, site.path, ns)
        if (
            isinstance(owner, tuple)
            and isinstance(owner[1], Assignment)
            and receiver.kind == "name"
        ):
            value = owner[1].value  # `p = Plugin()` ... `p.install(app)`
            made = value.expr() if value.may_be_call() else None
            if made is None or made.kind != "call" or made.items[0].kind not in ("name", "attr"):
                return None
            owner = self.project.resolve_symbol(made.items[0], owner[0], None)
        if isinstance(owner, tuple) and isinstance(owner[1], ClassDef):
            return self._method_target(owner[0], owner[1], func.value)
        return None

    def _method_target(self, home: str, cls: ClassDef, name: str) -> Target | None:
        """`cls`'s method `name`, its own or inherited (`class Asr(BasePlugin)`)."""
        return self.handoff.method_target(home, cls, name)

    def _project_callee(self, site) -> bool:
        """Whether the callee of a call handing the App down may be project code: a name the
        project binds (a loop variable, an item of a project list, `getattr(...)`), not the
        SDK, a builtin, a module from outside the project, a method of a literal container
        (`APPS.append(app)`) or of an object outside code built (`logger.info(app)`)."""
        func = site.call.items[0]
        root = func
        while root.kind in ("attr", "call", "subscript") and root.items:
            if root.kind == "call" and root.items[0].value in _IMPORTERS:
                return True  # `importlib.import_module(f"plugins.{n}").register(app)`
            root = root.items[0]
        if root.kind != "name":
            return True
        if root.value in _BUILTINS and func.kind == "name":
            return False
        ns = site.scope.span if site.scope is not None else None
        found = self.project.resolve_symbol(root, site.path, ns)
        if isinstance(found, (FlashSymbol, ModuleRef)):
            return isinstance(found, ModuleRef) and found.path is not None
        if found is None:
            # unbound at module level (a loop variable) vs an outside import
            return self.project._imports.get(site.path, {}).get(root.value) is None
        if isinstance(found, tuple) and isinstance(found[1], Assignment) and func is not root:
            return self._project_object(found[0], found[1])
        return True

    def _project_object(self, path: str, assign: Assignment) -> bool:
        """Whether the object a module-level name holds may run project code when a method
        of it is called: not a literal container, nor what an outside call returned
        (`logger = logging.getLogger(...)`)."""
        value = assign.value.expr()
        if value.kind in ("list", "tuple", "dict", "lit", "fstring"):
            return False
        if value.kind != "call" or not value.items:
            return True
        made = value.items[0]
        while made.kind in ("attr", "call", "subscript") and made.items:
            made = made.items[0]
        if made.kind != "name":
            return True
        symbol = self.project.resolve_symbol(made, path, None)
        if isinstance(symbol, ModuleRef):
            return symbol.path is not None
        if symbol is None:
            return self.project._imports.get(path, {}).get(made.value) is None
        return not (made.value in _BUILTINS and isinstance(symbol, FlashSymbol))

    def _reach(self, target, app_params: set, origin, depth: int, seen: set, instance=None):
        """Make sure the helper's module is read for declarations and follow where its body
        hands the App on (`register_all(app)` calling `register_asr(app)`, in any module).
        `app_params`: the parameters of the helper given the App; `instance`: see
        `_follow`."""
        key = (target.path, target.fn.span, instance and (instance[0], instance[1].span))
        if key in seen:
            return
        seen.add(key)
        self._build_late(target.path)
        for site in self.handoff.calls(target.path):
            if site.scope is None or site.scope.span != target.fn.span:
                continue
            if self._undeclared_call_form(site, app_params):
                # `app.queue(...)(fn)` not read as a declaration (in a module read late, on a
                # function from a runtime list): it registers what flash-guard cannot see
                self._cannot_tell(origin, site, _CALL_FORM)
                continue
            args = [*site.call.items[1:], *(v for _, v, _ in site.call.keywords)]
            if not any(a.kind == "name" and a.value in app_params for a in args):
                continue
            if _root_name(site.call.items[0]) in app_params:
                continue  # `app.queue(...)(fn)`: the App's own method, not a hand-off
            self._follow(site, origin, _named_in(app_params), depth + 1, seen, instance)

    def _index_members(self, path: str) -> None:
        """The decorated functions and classes of `path` by the function or class they sit
        in: a class's routes, the routes of the app a factory builds (`@web.get(...)`)."""
        for decorated in self.project.files[path].decorated:
            if decorated.blocks and decorated.blocks[0].kind in ("class", "function"):
                key = (path, decorated.blocks[0].name)
                self.members.setdefault(key, []).append(decorated)

    def _undeclared_call_form(self, site, app_params: set) -> bool:
        """`app.queue(...)(fn)` in a helper's body, on a parameter given the App, from which
        no endpoint was declared."""
        call = site.call
        registrar = call.items[0]
        if registrar.kind != "call" or len(call.items) < 2 or not registrar.items:
            return False
        method = registrar.items[0]
        if method.kind != "attr" or method.value not in DECORATOR_KINDS:
            return False
        receiver = method.items[0]
        if receiver.kind != "name" or receiver.value not in app_params:
            return False
        return not any(e.path == site.path and call.span.contains(e.span) for e in self.endpoints)

    def _build_late(self, path: str) -> None:
        """A helper module parsed only when a call reached it (it imports no runpod name):
        its declarations on a parameter App are found now, and its members indexed (the
        routes of a factory declared there)."""
        if path in self._built:
            return
        self._built.add(path)
        if path in self.project.files:
            self._index_members(path)
        facts = self.project.files.get(path)
        for decorated in facts.decorated if facts is not None else ():
            self._decorated(path, decorated)

    def _cannot_tell(self, origin, site, why: str) -> None:
        """The App goes where flash-guard cannot follow: FG002 once, at the module-level call
        (FG215's project check reports it), instead of "all checks passed" on what it misses."""
        where = (origin.path, origin.call.span)
        if where in self._untold:
            return
        self._untold.add(where)
        inner = (
            ""
            if site is origin
            else f"; at `{_short(site.call.text)}`, {site.path}:{site.call.span.line}"
        )
        self.stray.append(
            (
                "FG002",
                f"the resources `{_short(origin.call.text)}` registers on the App ({why}{inner})",
                origin.path,
                origin.call.span,
            )
        )

    def _handed_down(
        self, path: str, kind: str, decorator: Expr, decorated: Decorated, index: int,
        schedule: bool, called: bool,
    ) -> None:  # fmt: skip
        """The App handed through more than one call (`register_all(app)` calling
        `register_asr(app)`) or to a method (`Plugin().install(app)`, `Plugin(app)` whose
        `__init__` declares, `Plugin.install(app)` of a static or class method): one resource
        per chain of calls from module-level code, each with the arguments along it, as rc2
        registers them (`handoff.py` re-parses the files that can make those calls). A
        module-level function's direct module-level calls are `_per_call`'s."""
        target = self._handoff_target(path, decorated.namespace)
        if target is None:
            return
        chains, unfollowed = self.handoff.chains(target, self._callers, self._handoff_target)
        if not (chains or called or unfollowed or self._untold):
            # Nothing calls the helper at import (and every App handed out was followed):
            # rc2 registers nothing. Where the parameter is named like a module-level App,
            # it is read as that App, so FG301 says the declaration is never deployed.
            self._one_decorator(path, decorated, index, decorated.written[index], schedule)
            return
        covered = set()
        if target.cls is None:  # `register_asr(app)` as a module-level statement: `_per_call`'s
            sites = self._factory_calls(target.path, target.fn, self._callers(target.path))
            covered = {(site_path, site.expr.span) for site_path, site in sites}
        iterations = self._body_loop(path, decorated, target.fn)
        for chain, bindings in itertools.product(chains, iterations):
            if len(chain) == 1 and (chain[0][0].path, chain[0][0].call.span) in covered:
                continue
            with self._loop_in(target.path, target.fn.span, bindings):
                value = self._along(chain, target.path, decorator)
            entry = self.project.app_decorator(value) if value is not None else None
            if entry is None or not is_sdk2_app(entry[2]):
                if (value is None or not value.known) and self._hands_app(chain[0][0]):
                    # an App goes in, but the arguments cannot be bound along the chain
                    self._cannot_tell(chain[0][0], chain[-1][0], _UNBOUND)
                continue
            obj, method, app_value = entry
            endpoint = self._declare(
                path, DECORATOR_KINDS[method], self._app(app_value), decorator,
                decorated.namespace, decorated.target, "function", decorated.lines,
                decorated=decorated, made=obj,
            )  # fmt: skip
            endpoint.handed_from = (chain[0][0].path, chain[0][0].call.span)
            endpoint.handed_blocks = chain[0][0].blocks
            endpoint.loop_bindings = bindings

    def _along(self, chain: list, home: str, decorator: Expr):
        """The decorator `app.queue(...)` of the helper at the end of `chain`, each helper's
        parameters bound to the arguments of the call before it; None when they cannot be."""
        receivers = self._receivers(chain)
        with contextlib.ExitStack() as frames:
            for site, _ in chain:
                if site.bindings is not None:  # one item of a loop, here or in a helper
                    frames.enter_context(self._loop_item(site))
            for i, ((site, bound), (inner, _)) in enumerate(itertools.pairwise(chain)):
                ns = site.scope.span if site.scope is not None else None
                if not frames.enter_context(
                    self.project.call_frame(
                        inner.path, bound, site.call, site.path, ns, receivers[i]
                    )
                ):
                    return None
            last, bound = chain[-1]
            ns = last.scope.span if last.scope is not None else None
            return self.project.evaluate_in_call(
                home, bound, last.call, last.path, ns, decorator, receiver=receivers[-1]
            )

    def _receivers(self, chain: list) -> list:
        """Per call of `chain`: (name, value) of the first parameter of the method it runs
        (`self`, an instance of the class the call names, an item made or `self` carried
        along `self.method(...)` calls), or None (a function, or an instance not known)."""
        classes = self.handoff.self_classes(chain)
        out, made = [], None
        for (site, bound), current in zip(chain, classes, strict=True):
            kind = self.handoff.receiver_class(site)
            if kind != "self":  # `self.helper(app)` carries the instance the chain made
                made = self._constructor_call(site, current)
            out.append(self._receiver_of(site, bound, current, made))
        return out

    def _constructor_call(self, site, instance):
        """(call, file, scope) that made the receiver of `site` when it is written there:
        `Plugin(prefix="/v1").install(app)`; None otherwise (the class itself, an item, or
        a name bound to an instance, whose attributes later statements may change)."""
        func = site.call.items[0]
        if instance is None or func.kind != "attr":
            return None
        receiver = func.items[0]
        if receiver.kind != "call" or not receiver.items:
            return None
        ns = site.scope.span if site.scope is not None else None
        if same_class(self.handoff._class_named(receiver.items[0], site.path, ns), instance):
            return receiver, site.path, ns
        return None

    def _receiver_of(self, site, bound, instance, made=None):
        """(first parameter, `instance` made plain, by the constructor call `made` when
        known) when `site` calls an instance method of that class through an instance (the
        call binds the first parameter itself: not `Plugin.install(app)`, which passes the
        App as it)."""
        func = site.call.items[0]
        if instance is None or func.kind != "attr":
            return None
        target = self._method_target(instance[0], instance[1], func.value)
        if target is None or target.binding != "instance" or target.fn.span != bound.span:
            return None
        if len(bound.params) != len(target.fn.params) - 1:
            return None
        value = self._plain_instance(instance, site.call.span, made)
        return (target.fn.params[0][0], value) if value is not None else None

    @contextlib.contextmanager
    def _loop_item(self, site):
        """While open, the code around `site` (module level or its function) reads its loop
        names as this item."""
        ns = site.scope.span if site.scope is not None else None
        self.project._loops.append(((site.path, ns), site.bindings))
        try:
            yield
        finally:
            self.project._loops.pop()

    def _handoff_target(self, path: str, ns) -> Target | None:
        """The helper whose body is `ns`: a module-level function, or a method of a
        module-level class (with how its calls bind it)."""
        facts = self.project.files.get(path)
        fn = next((f for f in facts.functions if f.span == ns), None) if facts else None
        if fn is None:
            return None
        if fn.namespace is None:
            return Target(path, fn)
        cls = next((c for c in facts.classes if c.span == fn.namespace), None)
        if cls is None or cls.namespace is not None:
            return None
        return Target(path, fn, cls, binding_of(self.handoff.decorators_of(path, fn)))

    def _parameter_app_method(self, written: Snippet, path: str, ns) -> str | None:
        """The kind of `@<param>.queue/api/task(...)` whose receiver is a parameter of the
        module-level function or method `ns` (what it is depends on the call), else None."""
        if not written.is_call() or ns is None:
            return None
        callee = written.head()
        if callee.kind != "attr" or callee.value not in DECORATOR_KINDS:
            return None
        receiver = callee.items[0]
        target = self._handoff_target(path, ns)
        if receiver.kind != "name" or target is None:
            return None
        if not any(name == receiver.value for name, _, _ in target.fn.params):
            return None
        return DECORATOR_KINDS[callee.value]

    def _client_declaration(self, path: str, decorated: Decorated, decorator: Expr) -> None:
        """`@runpod.Endpoint(...)`: the legacy HTTP client used as a runpod_flash decorator."""
        name = decorated.target.name
        self._client_misuse(path, name, decorator.span, [decorated.target], "name")

    def _stub_class(self, func: Expr, path: str, namespace) -> str | None:
        """ "Queue"/"Api" when `func` is runpod 2.0's stub for a resource deployed elsewhere."""
        symbol = self.project.resolve_symbol(func, path, namespace)
        if isinstance(symbol, FlashSymbol) and symbol.package == SDK2_PACKAGE:
            return symbol.name if symbol.name in ("Queue", "Api") else None
        return None

    def _stub_arguments(self, path: str, assign, stub: str) -> None:
        """`legacy = runpod.Queue("endpoint-id")`: the stubs take keyword arguments only
        (app=, and exactly one of name=/id=, env=); what rc2 raises when they are called
        otherwise, which at module level fails the import of the whole file. A wrong call
        builds no stub, so it is reported (FG215) without an endpoint."""
        call = assign.expr
        args = call.items[1:]
        keywords = [k for k, _, _ in call.keywords]
        if any(a.kind == "starred" for a in args) or None in keywords:
            return  # `*args` / `**options`: not known here
        taken = [name for name, _ in t.SIGNATURES[stub]]
        unknown_keyword = next((k for k in keywords if k not in taken), None)
        if args:
            error = f"{stub}.__init__() takes 1 positional argument but {len(args) + 1} were given"
        elif unknown_keyword is not None:
            error = f"{stub}.__init__() got an unexpected keyword argument {unknown_keyword!r}"
        elif "app" not in keywords:
            error = f"{stub}.__init__() missing 1 required keyword-only argument: 'app'"
        elif ("name" in keywords) == ("id" in keywords):
            error = "provide exactly one of name= or id="
        else:
            return
        # The constructor raises, so there is no client object: FG215 reports the call and no
        # endpoint is listed for it.
        self.stray.append(
            (
                "FG215",
                f"`{assign.target}`: `runpod.{stub}` is the stub of a resource another app "
                f'deploys: {error}; write runpod.{stub}(app="other-app", name="resource") '
                "(or id=)",
                path,
                call.span,
            )
        )

    def _is_client(self, func: Expr, path: str, namespace) -> bool:
        symbol = self.project.resolve_symbol(func, path, namespace)
        return (
            isinstance(symbol, FlashSymbol)
            and symbol.package == SDK2_PACKAGE
            and symbol.name == "Endpoint"
        )

    def _routes_on(self, path: str, variable: str) -> bool:
        """Whether the file registers routes on `variable` (`@summarizer.post("/x")`)."""
        facts = self.project.files.get(path)
        for decorated in facts.decorated if facts is not None else ():
            for decorator in decorated.decorators:
                func = decorator.items[0] if decorator.kind == "call" else None
                if (
                    func is not None
                    and func.kind == "attr"
                    and func.value in ROUTE_METHODS
                    and func.items[0].kind == "name"
                    and func.items[0].text == variable
                ):
                    return True
        return False

    def _client_misuse(
        self, path: str, name: str, span: Span, targets: list, keyword: str, routes=False
    ):
        endpoint = Endpoint(
            name=Value.default(name),
            kind="client",
            compute="gpu",
            api="app",
            resource_class="runpod.Endpoint",
            package=SDK2_PACKAGE,
            path=path,
            span=span,
            targets=targets,
            sdk="runpod2",
        )
        endpoint.problems.append(
            (
                "FG215",
                "`runpod.Endpoint` is the HTTP client of an existing endpoint, not a "
                f"declaration: Endpoint.__init__() rejects `{keyword}=`; use "
                + (
                    "@app.api on a class or FastAPI factory for its routes"
                    if routes
                    else "@app.queue(...)"
                ),
                span,
            )
        )
        self.endpoints.append(endpoint)

    # -- one resource -------------------------------------------------------
    def _declare(
        self,
        path,
        kind,
        app: AppDecl,
        call: Expr,
        ns,
        target: BodyFacts,
        placement: str,
        lines,
        variable: str | None = None,
        decorated: Decorated | None = None,
        call_form: Expr | None = None,
        made: Opaque | None = None,
        blocks: tuple = (),
    ) -> Endpoint:
        """`made`: the decorator object when `call` is a name or helper call that holds one
        (`_kept_decorator`); its keywords are checked where they were written. `blocks`: the
        statements around the declaration; a module-level `for` loop over a known table is
        unrolled (`_unrolled`), one resource per item, as rc2 registers them."""
        if placement == "loop" and blocks and not self._unrolling:
            loop = unroll(self.project, path, blocks, call.span)
            if loop is not None:
                args = (path, kind, app, call, ns, target, placement, lines, variable)
                more = dict(decorated=decorated, call_form=call_form, made=made)
                return self._unrolled(loop.iterations, args, more)
        if placement == "function" and made is None and call.kind == "call" and ns is not None:
            made_by_calls, unfollowed = self._per_call(
                path, kind, call, ns, target, lines, variable, decorated, call_form
            )
            if made_by_calls and not unfollowed:
                return made_by_calls[0]
            # else: also the one declaration with its parameters unknown (FG002), for the
            # calls discovery cannot follow (in a loop, a comprehension, a container)
        problems: list[tuple[str, str, Span]] = []
        if made is not None:
            obj = made
        elif call.kind == "call":
            obj = self.project._make_object(
                FlashSymbol("App." + call.items[0].value, SDK2_PACKAGE), call, path, ns, 0
            ).value
        else:
            obj = Opaque("App." + call.value, {}, (), call.span, path)
            problems.append(
                (
                    "FG210",
                    f"App.{call.value}() takes 1 positional argument but 2 were given",
                    call.span,
                )
            )
        if not isinstance(obj, Opaque):  # too big to fold: nothing to model
            obj = Opaque("App." + kind, {}, (), call.span, path)
        if obj.args:
            problems.append(
                (
                    "FG210",
                    f"{obj.callee}() takes 1 positional argument but "
                    f"{len(obj.args) + 1} were given",
                    obj.args[0].span or call.span,
                )
            )
        # rc2 names a resource after its function's __name__: `<lambda>` for a lambda, the
        # nested function a project factory returns for `app.queue()(make("a"))`
        default_name = target.name
        if call_form is not None and call_form.kind == "other" and _is_lambda(call_form):
            default_name = "<lambda>"
        elif call_form is not None and call_form.kind == "call":
            default_name = self._returned_name(call_form, path, ns) or default_name
        elif decorated is not None and self._wrapped_name(decorated, call, path, ns):
            default_name = self._wrapped_name(decorated, call, path, ns)
            self._renamed[(path, call.span)] = target.name
        # `for fn in HANDLERS: app.queue()(fn)` not unrolled: each resource is named after
        # its item's function, which is not known here (not the loop variable's name)
        loop_applied = (
            placement == "loop" and not self._unrolling and _applied_to_loop_name(call_form, blocks)
        )
        if loop_applied:
            default_name = None
        params, compute, found = resource_params(dict(obj.kwargs), kind, default_name)
        undecided = [(code, *detail) for code, message, detail in found if message is None]
        if placement == "loop" and not self._unrolling:
            if loop_applied and params["name"].defaulted:
                params["name"] = Value.unknown(call_form.text, call_form.span, path)
                what = "the resource name (the `__name__` of each item the loop applies it to)"
                undecided.append(("FG216", what, "name", params["name"]))
            undecided += _loop_count_unknown(blocks, params["name"], path, call.span)
        found = [problem for problem in found if problem[1] is not None]
        for code, message, value in found:
            span = (
                value.span
                if value.span is not None and value.path in (None, path) and code != "FG216"
                else call.span  # FG216 is at the declaration
            )
            problems.append((code, message, span))
        problems += _flash_enums(obj, call, path)
        problems += self._project_enums(obj, call, path)
        problems += _repeated_keywords(obj, kind, call, path)
        if call_form is not None:
            problems += self._applied_to_a_value(kind, call_form, path, ns)
        endpoint = Endpoint(
            name=params["name"],
            kind=kind,
            compute=compute,
            api="app",
            resource_class=f"App.{ {'load_balancer': 'api'}.get(kind, kind) }",
            package=SDK2_PACKAGE,
            path=path,
            span=call.span,
            # a decorated definition binds its name, in a module-level loop too (rebound on
            # every iteration); a call form binds only what it is assigned to
            variable=variable
            or (
                target.name
                if placement == "module" or (placement == "loop" and decorated is not None)
                else None
            ),
            params=params,
            kwargs=[(k, v, obj.kwarg_spans.get(k, call.span)) for k, v in obj.kwargs.items()],
            spreads=list(obj.spreads),
            repeated=obj.repeated,
            targets=[target],
            decorator_uses=[(path, call.span)],
            scope=placement,
            in_init=path.rsplit("/", 1)[-1] == "__init__.py",
            declaration_ranges=[(path, lines[0], lines[1])],
            problems=problems,
            undecided=undecided,
            sdk="runpod2",
            app_name=app.name,
            environment=app.env,
            app_span=app.span,
            app_path=app.path,
        )
        if call_form is None or (target.path == path and target.span != call_form.span):
            # Decorated, or a call form on a definition of this file: FG215 can point at it.
            self._shape(endpoint, kind, target, path)
        elif target.path not in (None, path) and target.span != call_form.span:
            # A call form on a function or class imported from another module: its routes
            # count (FG109), and its shape problems are reported at the call form, this
            # file's only place for them, naming where the definition is.
            before = len(endpoint.problems)
            self._shape(endpoint, kind, target, target.path)
            endpoint.problems[before:] = [
                (code, f"{message} (`{target.name}` is defined in {target.path})", call_form.span)
                for code, message, _ in endpoint.problems[before:]
            ]
        app.resources.append(endpoint)
        self.endpoints.append(endpoint)
        return endpoint

    def _returned_name(self, call: Expr, path: str, ns) -> str | None:
        """The name of the function defined inside the project function `call` calls and
        returned by it (`def make(n): def handler(job): ...; return handler`), else None."""
        func = call.items[0] if call.items else None
        if func is None or func.kind not in ("name", "attr"):
            return None
        found = self.project.resolve_symbol(func, path, ns)
        if not (isinstance(found, tuple) and isinstance(found[1], FunctionDef)):
            return None
        facts = self.project.files.get(found[0])
        nested = _returned_nested(facts, found[1]) if facts is not None else None
        if nested is None:
            return None
        if _copies_name(facts, found[1], nested):
            # `app.queue()(logged(resize))` with `@functools.wraps(fn)` on the wrapper: the
            # wrapper carries the wrapped function's name, `resize`
            wrapped = call.items[1] if len(call.items) > 1 else None
            return wrapped.value if wrapped is not None and wrapped.kind == "name" else None
        return nested.name

    def _wrapped_name(self, decorated: Decorated, call: Expr, path: str, ns) -> str | None:
        """The `__name__` the SDK decorator `call` receives when project decorators below it
        return a nested wrapper without `functools.wraps` (`def timed(fn): def wrapper(...):
        ...; return wrapper`): rc2 names the resource `wrapper`, so two functions wrapped that
        way collide. Decorators apply bottom-up; one that keeps the name (wraps) or that is
        not a project function leaves it as it was. None when nothing renames it."""
        index = next((i for i, d in enumerate(decorated.decorators) if d.span == call.span), None)
        name = None
        for decorator in reversed(decorated.decorators[index + 1 :] if index is not None else []):
            name = self._wrapper_name(decorator, path, ns) or name
        return name

    def _wrapper_name(self, decorator: Expr, path: str, ns) -> str | None:
        """The name of the nested function a project decorator returns when it does not copy
        the wrapped function's name onto it (no `wraps`/`update_wrapper` in the decorator);
        a decorator factory (`@retry(3)`) is followed one level, as `_wrapper` does."""
        func = decorator.items[0] if decorator.kind == "call" else decorator
        if func.kind not in ("name", "attr"):
            return None
        found = self.project.resolve_symbol(func, path, ns)
        if not (isinstance(found, tuple) and isinstance(found[1], FunctionDef)):
            return None
        home, fn = found
        facts = self.project.files.get(home)
        if facts is None:
            return None
        outer = fn
        for _ in range(2 if decorator.kind == "call" else 1):
            outer, fn = fn, _returned_nested(facts, fn)
            if fn is None:
                return None
        return None if _copies_name(facts, outer, fn) else fn.name

    def _per_call(
        self, path, kind, call: Expr, ns, target, lines, variable, decorated, form, handed=False
    ):
        """A declaration in the body of a module-level factory that module-level code calls
        (`small = make("small-q", "ADA_24")`, in this module or one importing it): rc2
        registers one resource per call, with the factory's parameters bound to that call's
        arguments. The worker finds the handle only when the call binds it to a module-level
        name of the file that defines its function (the factory's own file) and the factory
        returns the handle; otherwise it stays "function" (FG306). Also whether the factory is
        called where discovery cannot follow (a loop, a comprehension): its declaration with
        its parameters unknown is then kept too, as it is alone when no call is found or one
        cannot be followed ([])."""
        fn = self._module_function(path, ns)
        if fn is None:
            return [], False
        callers = self._callers(path)
        sites = self._factory_calls(path, fn, callers)
        if not sites:
            return [], False
        unfollowed = self._other_calls(fn, callers, sites)
        iterations = self._body_loop(path, decorated, fn)
        made = []
        for site_path, assign in sites:
            for bindings in iterations:
                with self._loop_in(path, ns, bindings):
                    value = self.project.evaluate_in_call(
                        path, fn, assign.expr, site_path, None, call
                    )
                entry = self.project.app_decorator(value)
                if entry is None or not is_sdk2_app(entry[2]):
                    return [], unfollowed
                made.append((site_path, assign, entry, bindings))
        returned = _returns_handle(fn, call, variable, target.name if decorated else None)
        out = []
        for site_path, assign, (obj, method, app_value), bindings in made:
            # in a loop, the handle returned is the last item's
            served = returned and site_path == path and assign.target is not None
            served = served and bindings is iterations[-1]
            out.append(
                self._declare(
                    path,
                    DECORATOR_KINDS[method],
                    # this call's App when the factory builds it, else the App it uses
                    self._app(app_value, site=(site_path, assign.expr.span))
                    if _built_by(fn, path, app_value)
                    else self._app(app_value),
                    call,
                    ns,
                    target,
                    "module" if served else "function",
                    lines,
                    variable=assign.target if served else None,
                    decorated=decorated,
                    call_form=form,
                    made=obj,
                )
            )
            if handed:  # the App is the helper's parameter: that call registers it
                out[-1].handed_from = (site_path, assign.expr.span)
                out[-1].handed_blocks = self.handoff.blocks_at(site_path, assign.expr.span)
            out[-1].loop_bindings = bindings
        return out, unfollowed

    def _body_loop(self, path: str, decorated: Decorated | None, fn: FunctionDef) -> list:
        """The loop names' values per item when the declaration sits in `for` loops of the
        helper `fn`'s body over known tables (`def register_models(app): for m in MODELS:
        @app.queue(name=f"model-{m}")`): rc2 registers one resource per item and call.
        [None] otherwise: one declaration, its loop-dependent values unknown (FG002), as
        for a table the helper's parameters give, which differs per call."""
        if decorated is None:
            return [None]
        inside = tuple(itertools.takewhile(lambda b: b.kind != "function", decorated.blocks))
        if not any(b.kind == "loop" for b in inside):
            return [None]
        params = {name for name, _, _ in fn.params}
        for block in inside:
            if block.iterable is not None and _names_in(block.iterable.expr()) & params:
                return [None]
        loop = unroll(self.project, path, inside, decorated.target.span, fn.span)
        return loop.iterations if loop is not None else [None]

    @contextlib.contextmanager
    def _loop_in(self, path: str, ns, bindings: dict | None):
        """While open, the code of `ns` in `path` reads the loop names as `bindings`."""
        if bindings is None:
            yield
            return
        self.project._loops.append(((path, ns), bindings))
        try:
            yield
        finally:
            self.project._loops.pop()

    def _module_function(self, path: str, ns) -> FunctionDef | None:
        """The module-level function whose body is `ns`."""
        facts = self.project.files.get(path)
        fn = next((f for f in facts.functions if f.span == ns), None) if facts else None
        return fn if fn is not None and fn.namespace is None else None

    def _factory_calls(self, path: str, fn: FunctionDef, callers: set[str]) -> list:
        """`fn`'s module-level calls as (path, Assignment) for `x = fn(...)`, or (path,
        _BareCall) for a `fn(...)` statement, in the modules that can call it (`callers`)."""
        sites = []
        for site_path in sorted(callers):
            facts = self.project.files[site_path]
            for assign in facts.assignments:
                if assign.namespace is not None or assign.placement != "module":
                    continue
                if not assign.unpack[1] and self._calls(assign.value, site_path, path, fn):
                    sites.append((site_path, assign))
            for write in facts.writes:  # `make("bare-q", "H100")`: nothing binds the handle
                if write.op != "call" or write.namespace is not None or write.untaken:
                    continue
                if write.value is not None and self._calls(write.value, site_path, path, fn):
                    sites.append((site_path, _BareCall(write.value.expr())))
        return sites

    def _calls(self, snippet, site_path: str, path: str, fn: FunctionDef) -> bool:
        """Whether `snippet` (in `site_path`) is a call of the function `fn` of `path`."""
        if not snippet.may_be_call():
            return False
        func = snippet.callee()
        if func is None or func.kind not in ("name", "attr") or func.value != fn.name:
            return False
        found = self.project.resolve_symbol(func, site_path, None)
        return (
            isinstance(found, tuple)
            and found[0] == path
            and isinstance(found[1], FunctionDef)
            and found[1].span == fn.span
        )

    def _other_calls(self, fn: FunctionDef, callers: set[str], sites: list) -> bool:
        """Whether module-level code calls the factory anywhere but the sites followed: an
        assignment whose value holds a call of it (`{n: make(n) for n in ...}`, `[make(a)]`)
        or one in a loop, in the factory's module or one importing it."""
        followed = {(site_path, id(assign)) for site_path, assign in sites}
        needle = re.compile(rf"(?<![\w.]){re.escape(fn.name)}\s*\(|\.{re.escape(fn.name)}\s*\(")
        for site_path in callers:
            for assign in self.project.files[site_path].assignments:
                if assign.namespace is not None or (site_path, id(assign)) in followed:
                    continue
                if needle.search(assign.value.expr_text()):
                    return True
        return False

    def _callers(self, path: str) -> set[str]:
        """The module `path` and those importing it, directly or through re-exports
        (`pkg/__init__.py`: `from .builder import make`): no other file can call its
        functions."""
        importers = self.project.importers()
        callers, todo = {path}, [path]
        while todo:
            for other, _, _ in importers.get(todo.pop(), ()):
                if other not in callers:
                    callers.add(other)
                    todo.append(other)
        return callers

    # -- handler shapes and routes -------------------------------------------------
    def _shape(self, endpoint: Endpoint, kind: str, target: BodyFacts, path: str) -> None:
        problems = endpoint.problems
        if kind == "queue" and target.is_class:
            problems.append(
                (
                    "FG215",
                    f"@app.queue on class `{target.name}`: the worker calls "
                    f"`{target.name}(**input)` and returns an instance, which is not JSON; use "
                    "@app.api or a function",
                    target.span,
                )
            )
        if kind != "load_balancer":
            return
        if target.is_class:
            self._class_routes(endpoint, target, path)
        else:
            self._factory_routes(endpoint, target, path)

    def _class_members(self, path: str, cls: BodyFacts, seen: set) -> list[tuple[str, Decorated]]:
        if (path, cls.name) in seen:
            return []
        seen.add((path, cls.name))
        out = [(path, d) for d in self.members.get((path, cls.name), [])]
        for base in cls.bases:
            base_path, base_name = self._class_home(path, base)
            if base_path is None:
                continue
            facts = BodyFacts(
                name=base_name, span=cls.span, bases=self._bases_of(base_path, base_name)
            )
            inherited = self._class_members(base_path, facts, seen)
            own = {d.target.name for _, d in out}
            out += [(p, d) for p, d in inherited if d.target.name not in own]
        return out

    def _class_home(self, path: str, base: str) -> tuple[str | None, str]:
        name = base.rsplit(".", 1)[-1]
        local = (path, name) in self.members or name in self._module_classes(path)
        if local and "." not in base:
            return path, name
        binding = self.project._imports.get(path, {}).get(base.split(".", 1)[0])
        if binding is None:
            return None, name
        module = binding.module if binding.name is None else binding.module
        target = self.project.find_module(path, module, binding.level)
        if target is None or not self.project.ensure_parsed(target):
            return None, name
        return target, (binding.name if binding.name and "." not in base else name)

    def _module_classes(self, path: str) -> dict:
        facts = self.project.files.get(path)
        return facts.class_bodies if facts is not None else {}

    def _bases_of(self, path: str, name: str) -> list[str]:
        facts = self.project.files.get(path)
        if facts is None:
            return []
        for decorated in facts.decorated:
            if decorated.target.is_class and decorated.target.name == name:
                return decorated.target.bases
        # An undecorated intermediate base (`class ModelService(ServiceBase)`) has bases too:
        # rc2 collects the marked methods of the whole MRO (inspect.getmembers).
        plain = facts.class_bodies.get(name)
        return plain.bases if plain is not None else []

    def _class_routes(self, endpoint: Endpoint, cls: BodyFacts, path: str) -> None:
        problems = endpoint.problems
        inits = []
        lost = False  # a marker above @staticmethod: the cause, said once
        for member_path, method in self._class_members(path, cls, set()):
            before = len(problems)
            marked, lost_here = self._member(endpoint, member_path, method)
            inits += marked
            lost = lost or lost_here
            if member_path != path:  # inherited from a base class in another module
                endpoint.problem_files += [(c, s, member_path) for c, _, s in problems[before:]]
        if not endpoint.routes and not lost:
            problems.append(
                (
                    "FG215",
                    f"@app.api class `{cls.name}` defines no routes; mark methods with "
                    "@get/@post/@put/@delete/@patch",
                    cls.span,
                )
            )
        if len(inits) > 1:
            problems.append(
                (
                    "FG215",
                    f"multiple @init methods on {cls.name}: {inits[0]!r} and {inits[1]!r}",
                    cls.span,
                )
            )
        required = [n for n, k in cls.params[1:] if k in ("req", "kwreq")]
        if required:
            problems.append(
                (
                    "FG215",
                    f"`{cls.name}.__init__` requires {_names(required)}: the worker creates the "
                    f"instance with `{cls.name}()` and fails at start",
                    cls.span,
                )
            )
        seen: dict[tuple, str] = {}
        for route in endpoint.routes:
            key = (route.method.value, route.path.value)
            if None in key or not route.path.known:
                continue
            if key in seen:
                endpoint.problems.append(
                    (
                        "FG204",
                        f"duplicate route {key[0]} {key[1]} on {cls.name}: {seen[key]!r} and "
                        f"{route.handler!r}",
                        route.span,
                    )
                )
                if route.file and route.file != path:
                    endpoint.problem_files.append(("FG204", route.span, route.file))
            seen.setdefault(key, route.handler)

    def _member(self, endpoint, member_path: str, method: Decorated) -> tuple[list[str], bool]:
        """One method of an `@app.api` class (its own or inherited): its route markers and
        handler shape, and its `@runpod.init`. Returns (init method names, marker lost)."""
        problems = endpoint.problems
        inits: list[str] = []
        lost = False
        names = [self._marker(d, member_path, method) for d in method.decorators]
        static_at = next(
            (i for i, d in enumerate(method.decorators) if d.text == "staticmethod"), None
        )
        if static_at is None and any(n is not None for n in names):
            self._no_instance_parameter(endpoint, method)
        for index, (marker, decorator) in enumerate(zip(names, method.decorators, strict=True)):
            if marker is None:
                continue
            if marker == "init":
                inits.append(method.target.name)
                self._init_arity(endpoint, method, static_at is not None)
                continue
            if static_at is not None and index < static_at:
                problems.append(
                    (
                        "FG215",
                        f"@runpod.{marker.lower()} above @staticmethod on "
                        f"`{method.target.name}`: the marker is lost (put @staticmethod first)",
                        decorator.span,
                    )
                )
                lost = True
                continue
            self._add_route(endpoint, marker, decorator, member_path, method, reserved=True)
            self._handler_arity(endpoint, marker, method, static_at is not None)
            if marker != "GET":
                self._typed_body(endpoint, marker, method, member_path, static_at is not None)
        return inits, lost

    def _no_instance_parameter(self, endpoint, method: Decorated) -> None:
        """`def health():` in an `@app.api` class (a FastAPI module function moved into the
        class): the runtime calls it bound to the instance it built (api/server.py
        `getattr(instance, name)()`), so Python passes the instance to a method that takes
        no positional parameter: TypeError on every request, or at start for the init."""
        if any(kind in ("req", "opt", "star") for _, kind in method.target.params):
            return
        name = method.target.name
        endpoint.problems.append(
            (
                "FG215",
                f"method `{name}` takes no `self`: the runtime calls it on the class's instance, "
                f"so Python passes the instance and every call raises TypeError (write "
                f"`def {name}(self, ...)`, or put @staticmethod above it)",
                method.target.span,
            )
        )

    def _typed_body(self, endpoint, verb: str, handler: Decorated, path: str, static) -> None:
        """`def predict(self, body: PredictRequest)`: the runtime calls `fn(body)` with the
        parsed JSON (a dict or list), never a model built from it (runtime api/server.py
        `_mount_routes`), so `body.prompt` raises AttributeError on every request."""
        params = handler.target.params if static else handler.target.params[1:]
        positional = [n for n, k in params if k in ("req", "opt")]
        annotation = dict(handler.target.annotations).get(positional[0]) if positional else None
        model = self._model_class(annotation, path, handler.namespace) if annotation else None
        if model is None:
            return
        annotation = annotation.strip().strip("'\"")  # `"Feedback"` as a class names it
        endpoint.problems.append(
            (
                "FG215",
                f"{verb} handler `{handler.target.name}` takes `{positional[0]}: {annotation}`, "
                f"a {model}: the runtime passes the JSON body as parsed (a dict), never a "
                f"{annotation}, so attribute access on it fails per request (validate inside: "
                f"`{annotation}.model_validate({positional[0]})`)"
                if model == "pydantic model"
                else f"{verb} handler `{handler.target.name}` takes `{positional[0]}: "
                f"{annotation}`, a {model}: the runtime passes the JSON body as parsed (a "
                f"dict), never a {annotation}, so attribute access on it fails per request "
                f"(build it inside: `{annotation}(**{positional[0]})`)",
                handler.target.span,
            )
        )

    def _model_class(self, annotation: str, path: str, ns, depth: int = 0) -> str | None:
        """ "pydantic model" or "dataclass" when `annotation` names a project class deriving
        pydantic's BaseModel (through project bases too) or decorated @dataclass; else None."""
        name = annotation.strip().strip("'\"")
        if depth > 4 or not name.replace(".", "").replace("_", "").isalnum():
            return None  # `dict`, `list[dict]`, `Model | None`: not a bare class name
        found = self.project.lookup(path, name.rsplit(".", 1)[-1], ns if depth == 0 else None)
        if not (isinstance(found, tuple) and isinstance(found[1], ClassDef)):
            return None
        home, cls = found
        if any(d.split("(")[0].rsplit(".", 1)[-1] == "dataclass" for d in cls.decorators):
            return "dataclass"
        for base in cls.bases:
            text = base.text if hasattr(base, "text") else str(base)
            if text.rsplit(".", 1)[-1] == "BaseModel":
                return "pydantic model"
            if self._model_class(text, home, None, depth + 1) == "pydantic model":
                return "pydantic model"
        return None

    def _init_arity(self, endpoint, method: Decorated, static: bool) -> None:
        """`@runpod.init def setup(self, warm)`: the runtime calls it with no arguments in the
        worker's startup lifespan (api/server.py `_build_class_app`)."""
        params = method.target.params if static else method.target.params[1:]
        _called_without_arguments(
            endpoint,
            params,
            f"@runpod.init method `{method.target.name}`",
            "the worker calls it with no arguments before serving (TypeError at start)",
            method.target.span,
        )

    def _unrolled(self, iterations: list[dict], args: tuple, more: dict) -> Endpoint:
        """One declaration per iteration of the loops, each evaluated with the loops' names
        bound to its items (`for name, cfg in MODELS.items(): app.queue(name=name, **cfg)(...)`,
        nested loops one per combination). A name the loop rebinds (a decorated definition,
        `h = app.queue(...)(fn)`) holds the last iteration's handle after the loop, so the
        worker serves that one (§5.4)."""
        path = args[0]
        out = []
        self._unrolling = True
        try:
            for bindings in iterations:
                each = self._iteration_target(args, more.get("call_form"), bindings)
                self.project._loops.append(((path, None), bindings))
                try:
                    out.append(self._declare(*each, **more))
                finally:
                    self.project._loops.pop()
                out[-1].loop_bindings = bindings
        finally:
            self._unrolling = False
        if out[-1].variable is not None:
            out[-1].scope = "module"  # bound to a module-level name: served
        return out[-1]

    def _iteration_target(self, args: tuple, form: Expr | None, bindings: dict) -> tuple:
        """`_declare`'s arguments for one iteration: a call form applied to the loop's name
        (`for fn in (embed, rank): app.queue(...)(fn)`) is applied to that item's function,
        which names the resource as rc2 does (its `__name__`)."""
        if form is None or form.kind != "name" or form.value not in bindings:
            return args
        item, path = bindings[form.value], args[0]
        if item.known or not item.text.isidentifier():
            return args
        named = dotted_expr(item.text, form.span.line, form.span.column)
        if named is None:
            return args
        target = self.project.body_of(item.path or path, named)
        return (*args[:5], target, *args[6:])

    def _marker_of(self, written: Snippet, path: str, method: Decorated) -> str | None:
        """`_marker(written.expr(), ...)`, converting the callee only (see Snippet.head)."""
        symbol = self.project.resolve_symbol(written.head(), path, method.namespace)
        if not (isinstance(symbol, FlashSymbol) and symbol.package == SDK2_PACKAGE):
            return None
        if symbol.name == "init":
            return "init"
        return t.ROUTE_MARKERS.get(symbol.name) if written.is_call() else None

    def _marker(self, decorator: Expr, path: str, method: Decorated) -> str | None:
        func = decorator.items[0] if decorator.kind == "call" else decorator
        symbol = self.project.resolve_symbol(func, path, method.namespace)
        if not (isinstance(symbol, FlashSymbol) and symbol.package == SDK2_PACKAGE):
            return None
        if symbol.name == "init":
            return "init"
        return t.ROUTE_MARKERS.get(symbol.name) if decorator.kind == "call" else None

    def _add_route(
        self, endpoint, method: str, decorator: Expr, path, handler, reserved: bool, prefix=""
    ):
        args = decorator.items[1:]
        if args:
            route_path = self.project.evaluate(args[0], path, handler.namespace)
        else:
            kw = [v for k, v, _ in decorator.keywords if k == "path"]
            route_path = (
                self.project.evaluate(kw[0], path, handler.namespace)
                if kw
                else Value.unknown("<no path>", decorator.span, path)
            )
        if prefix and route_path.known and isinstance(route_path.value, str):
            # A router's route as the app serves it: the include's and the router's prefixes
            # are prepended as written (FastAPI joins them without a separator).
            route_path = replace(route_path, value=prefix + route_path.value)
        method_value = Value(
            method, True, decorator.items[0].span, decorator.items[0].text, path=path
        )
        endpoint.routes.append(
            Route(
                method_value, route_path, path, decorator.span, handler.target.name, handler.target
            )
        )
        if not reserved or not route_path.known:
            return
        raw = route_path.value
        template = re.search(r"\{([^{}/]+)\}", raw) if isinstance(raw, str) else None
        if template:
            # a class route: FastAPI matches the template, but the runtime's endpoint takes
            # only the request and calls `fn()` / `fn(body)` (api/server.py `_mount_routes`)
            name = template.group(1).split(":")[0]
            required = method == "GET" and (name, "req") in handler.target.params
            endpoint.problems.append(
                (
                    "FG215",
                    f"route {method} {raw} has a path parameter `{name}` the handler "
                    f"`{handler.target.name}` never receives"
                    + (" (it requires it: TypeError per request)" if required else "")
                    + ": the runtime calls class routes with no arguments or the JSON body (use "
                    "an @app.api factory returning a FastAPI app for path parameters)",
                    decorator.span,
                )
            )
            self._templated.add(handler.target.span)
        if not isinstance(raw, str) or not raw.startswith("/"):
            message = f"path must start with '/', got: {raw!r}"
        elif raw in t.RESERVED_ROUTE_PATHS:
            shown = ", ".join(sorted(t.RESERVED_ROUTE_PATHS))
            message = f"path {raw!r} is reserved by the worker runtime (reserved: {shown})"
        else:
            return
        if route_path.via:  # through a module-level constant: the message names it
            message += f" (through `{route_path.via}`)"
        endpoint.problems.append(("FG204", message, decorator.span))

    def _handler_arity(self, endpoint, method: str, handler: Decorated, static: bool) -> None:
        params = handler.target.params if static else handler.target.params[1:]
        positional = [n for n, k in params if k in ("req", "opt", "star")]
        required = [n for n, k in params if k in ("req", "kwreq")]
        name = handler.target.name
        if method == "GET" and required and handler.target.span in self._templated:
            return  # the path-parameter finding says it, TypeError included
        if method == "GET" and required:
            message = (
                f"GET handler `{name}` takes parameters ({_names(required)}): the "
                "runtime calls it with none (TypeError per request in rc2)"
            )
        elif method == "GET" and positional and handler.target.span not in self._templated:
            # rc2 calls `fn()`, which works; the values a caller sends never arrive.
            message = (
                f"GET handler `{name}` takes parameters ({_names(positional)}): the runtime "
                "calls it with none, so they always keep their defaults (query values never "
                "reach it; releases after rc2 reject this at decoration)"
            )
        elif method != "GET" and len(required) > 1:
            message = (
                f"{method} handler `{name}` requires {len(required)} parameters: the runtime "
                "passes one JSON body at most (TypeError per request in rc2)"
            )
        elif method != "GET" and required and required[0] not in positional:
            # `def run(self, *, body)`: the runtime calls `fn(body)` (the JSON body as the one
            # positional argument) or `fn()` without one; a keyword-only body gets neither.
            message = (
                f"{method} handler `{name}` requires keyword-only `{required[0]}`: the runtime "
                "passes the JSON body positionally (`fn(body)`), or nothing without a body "
                "(TypeError per request in rc2)"
            )
        else:
            return
        endpoint.problems.append(("FG215", message, handler.target.span))

    def _factory_routes(self, endpoint: Endpoint, factory: BodyFacts, path: str) -> None:
        _called_without_arguments(
            endpoint,
            factory.params,
            f"@app.api factory `{factory.name}`",
            "the worker calls it with no arguments and fails at start",
            factory.span,
        )
        self._returns_nothing(endpoint, factory, path)
        # rc2 never looks at the factory's routes (handles.py keeps only its __qualname__ as
        # spec.asgi_factory): the routes are those of the app the worker gets by calling it.
        self._app_routes(endpoint, factory, path, set())

    def _returns_nothing(self, endpoint: Endpoint, factory: BodyFacts, path: str) -> None:
        """A factory with no `return <value>` (the app built, the return forgotten) hands the
        worker None: the runtime wraps it to answer /ping and calls None for every other
        request (api/server.py `_build_factory_app`), so the endpoint looks healthy and
        fails every request."""
        fn = self._factory_def(factory, path)
        if fn is None or fn.returns or factory.is_async:
            return
        endpoint.problems.append(
            (
                "FG215",
                f"@app.api factory `{factory.name}` returns nothing: the worker serves None, so "
                "/ping answers and every other request fails; end it with `return <the app>`",
                factory.span,
            )
        )

    def _app_routes(self, endpoint: Endpoint, factory: BodyFacts, path: str, seen: set) -> None:
        """The routes of the app `factory` returns (see _factory_routes); `seen`: the
        functions already followed through `return create_app()`."""
        seen.add((path, factory.name))
        read: set[tuple[str, Span]] = set()  # registrations whose routes are read
        fn = self._factory_def(factory, path)
        for method in self.members.get((path, factory.name), []):
            for decorator in method.decorators:
                if decorator.kind != "call" or decorator.items[0].kind != "attr":
                    continue
                if self._router_receiver(decorator.items[0].items[0], path, method.namespace):
                    # `@router.get(...)` on an APIRouter: served only once (and where) the
                    # app includes the router, so read through `include_router` below.
                    continue
                verb = decorator.items[0].value
                if verb in FACTORY_VERBS:
                    self._add_route(endpoint, verb.upper(), decorator, path, method, reserved=False)
                elif verb == "api_route":
                    methods = _literal_methods(decorator)
                    for http in methods or ():
                        self._add_route(endpoint, http, decorator, path, method, reserved=False)
                    if methods is not None:
                        read.add((path, decorator.span))
        if fn is not None:
            for applied in self.project.files[path].applied:
                # `web.get("/health")(ping)` in the factory: the call form of the decorator
                found = (
                    self._call_form_route(path, applied.expr, applied.namespace)
                    if applied.namespace == fn.span
                    else None
                )
                if found is None:
                    continue
                receiver, holder, registrar = found
                receiver_expr = registrar.items[0].items[0]
                if self._router_receiver(receiver_expr, path, applied.namespace):
                    continue  # a router's, read through its include below
                verb = registrar.items[0].value
                methods = [verb.upper()] if verb in FACTORY_VERBS else _literal_methods(registrar)
                for http in methods or ():
                    self._add_route(endpoint, http, registrar, path, holder, reserved=False)
                if methods is not None:
                    read.add((path, registrar.span))
        problem = self._route_tables(endpoint, fn, path, read) if fn is not None else None
        for app_assign in self._factory_apps(factory, fn, path):
            # `server.include_router(...)` / `server.add_api_route(...)` on the FastAPI app the
            # factory builds; its decorators were read above.
            problem = problem or self._registered(
                endpoint, path, app_assign, "", None, read, frozenset(), decorators=False
            )
        endpoint.hidden_routes = problem or _hidden_routes(
            factory, path, {span for p, span in read if p == path}
        )
        returned = self._returned_app(fn, path) if endpoint.hidden_routes else None
        if returned is not None:
            # `def serve(): return web` with `web = FastAPI()` at module level: the routes are
            # what that module registers on `web`, unless something cannot be read.
            app_path, assign = returned
            endpoint.hidden_routes = self._registered(
                endpoint, app_path, assign, "", None, set(), frozenset()
            )
        delegate = self._returned_factory(fn, path, seen) if endpoint.hidden_routes else None
        if delegate is not None:
            # `def serve(): return create_app()` with `create_app` a project function (here or
            # imported) that builds the app: the routes are those of the app it builds.
            delegate_path, body = delegate
            endpoint.hidden_routes = None
            self._app_routes(endpoint, body, delegate_path, seen)

    def _route_tables(self, endpoint, fn: FunctionDef, path: str, read: set) -> Value | None:
        """`FastAPI(routes=[APIRoute("/health", health), ...])` or `Starlette(routes=[Route(
        "/health", health)])` built in the factory (assigned to a name or returned): each
        `APIRoute`/`Route` with a literal path and methods (GET when not given, as both
        classes default) is a route of the app. A Starlette app whose table is read joins
        `read` (it has no other registrar discovery reads). Returns the first table or entry
        that cannot be read, else None."""
        built = [a.expr for a in self.project.local_assignments(path, fn.span)]
        built += [r.expr() for r in fn.returns]
        for call in built:
            callee = call.items[0].dotted() if call.kind == "call" and call.items else None
            cls = (callee or "").rsplit(".", 1)[-1]
            if cls not in ("FastAPI", "Starlette"):
                continue
            problem = self._route_table(endpoint, call, path, fn.span)
            if problem is not None:
                return problem
            if cls == "Starlette" and _keyword(call, "routes") is not None:
                read.add((path, call.span))
        return None

    def _route_table(self, endpoint, call: Expr, path: str, namespace) -> Value | None:
        """The routes of a `FastAPI(routes=[...])` call's table, if it has one."""
        table = _keyword(call, "routes")
        if table is None:
            return None
        if table.kind not in ("list", "tuple"):
            return Value.unknown(table.text, table.span, path)
        for entry in table.items:
            problem = self._table_route(endpoint, entry, path, namespace)
            if problem is not None:
                return problem
        return None

    def _table_route(self, endpoint, entry: Expr, path: str, namespace) -> Value | None:
        """One entry of a `routes=[...]` table; the unknown naming it when it is not an
        `APIRoute(path, endpoint, methods=...)` / `Route(...)` with a literal path."""
        unknown = Value.unknown(entry.text, entry.span, path)
        callee = entry.items[0].dotted() if entry.kind == "call" and entry.items else None
        if (callee or "").rsplit(".", 1)[-1] not in ("APIRoute", "Route"):
            return unknown  # `Mount`, `WebSocketRoute`, a computed entry
        args = entry.items[1:]
        if any(a.kind == "starred" for a in args) or any(k is None for k, _, _ in entry.keywords):
            return unknown
        route_path = args[0] if args else _keyword(entry, "path")
        handler = args[1] if len(args) > 1 else _keyword(entry, "endpoint")
        methods = _literal_methods(entry)
        if route_path is None or handler is None or methods is None:
            return unknown
        # The entry stands where a decorator would (`_add_route` reads its first argument).
        registrar = Expr("call", entry.span, entry.text, None, (entry.items[0], route_path))
        target = self.project.body_of(path, handler)
        holder = Decorated([], target, namespace, "", (entry.span.line, entry.span.line))
        for http in methods:
            self._add_route(endpoint, http, registrar, path, holder, reserved=False)
        return None

    def _factory_def(self, factory: BodyFacts, path: str) -> FunctionDef | None:
        facts = self.project.files.get(path)
        return next(
            (
                f
                for f in (facts.functions if facts is not None else ())
                if f.name == factory.name and f.namespace is None
            ),
            None,
        )

    def _factory_apps(self, factory: BodyFacts, fn: FunctionDef | None, path: str):
        """The `name = FastAPI(...)` assignments of the factory's own body that it calls
        `include_router`/`add_api_route` on: found from the factory's calls, not a file scan."""
        if fn is None:
            return []
        out: dict[Span, Assignment] = {}
        for callee in factory.calls:
            receiver, _, method = callee.rpartition(".")
            if method not in ("include_router", "add_api_route") or not receiver.isidentifier():
                continue
            found = self.project.lookup(path, receiver, fn.span)
            if (
                isinstance(found, tuple)
                and isinstance(found[1], Assignment)
                and found[1].namespace == fn.span
                and _builds(found[1], "FastAPI")
            ):
                out.setdefault(found[1].span, found[1])
        return list(out.values())

    def _returned_factory(
        self, fn: FunctionDef | None, path: str, seen: set
    ) -> tuple[str, BodyFacts] | None:
        """(file, body) of the module-level project function whose call the factory returns
        (`return create_app()`, `return factory.create_app(settings)`), when that function
        builds a `FastAPI()` itself or returns a module-level one; None otherwise."""
        if fn is None or len(fn.returns) != 1:
            return None
        returned = fn.returns[0].expr()
        if returned.kind != "call" or not returned.items:
            return None
        callee = returned.items[0]
        if callee.kind == "name":
            found = self.project.lookup(path, callee.value, fn.span)
        elif callee.kind == "attr" and callee.items and callee.items[0].kind == "name":
            module = self.project.lookup(path, callee.items[0].value, fn.span)
            if not isinstance(module, ModuleRef) or module.path is None:
                return None
            found = self.project.lookup(module.path, callee.value, None)
        else:
            return None
        if not isinstance(found, tuple) or not isinstance(found[1], FunctionDef):
            return None
        home, definition = found
        if definition.namespace is not None or (home, definition.name) in seen:
            return None
        facts = self.project.files.get(home)
        body = facts.helper_bodies.get(definition.name) if facts is not None else None
        if body is None or body.is_class:
            return None
        builds = any(c.rsplit(".", 1)[-1] == "FastAPI" for c in body.calls)
        if not builds and self._returned_app(definition, home) is None:
            return None  # what it returns is not read either: the factory's own FG002 stays
        return home, body

    def _returned_app(self, fn: FunctionDef | None, path: str) -> tuple[str, Assignment] | None:
        """(file, assignment) of the module-level `name = FastAPI(...)` the factory returns as
        is."""
        if fn is None or len(fn.returns) != 1:
            return None
        returned = fn.returns[0].expr()
        if returned.kind != "name":
            return None
        found = self.project.lookup(path, returned.value, fn.span)
        if not isinstance(found, tuple) or not isinstance(found[1], Assignment):
            return None
        assign = found[1]
        if assign.namespace is not None or not _builds(assign, "FastAPI"):
            return None
        return found[0], assign

    # -- routes registered on an app or an APIRouter ------------------------------------
    def _registered(
        self, endpoint, path, assign, prefix, until, read, seen, decorators=True
    ) -> Value | None:
        """Adds the routes registered on the app or router `assign` binds in `path` (its
        `@x.get(...)`/`@x.api_route(...)` decorators and `x.add_api_route(...)` /
        `x.include_router(...)` calls, in its own namespace), each path after `prefix`.
        Returns the first registration that cannot be read statically, else None.
        `until`: the span of the `include_router` call that includes this router from the
        same namespace of the same file; what is registered after it is served only by the
        FastAPI releases that include routers by reference (0.16x), not by those that copy
        the routes at that call, so it is left undecided."""
        if _builds(assign, "FastAPI"):  # `web = FastAPI(routes=[...])` at module level
            problem = self._route_table(endpoint, assign.expr, path, assign.namespace)
            if problem is not None:
                return problem
        if decorators:
            index = self._route_decorators(path)
            names = (assign.target, *self.project.aliases_of(path, assign))
            found = [d for name in names for d in index.get((assign.namespace, name), ())]
            for decorated, decorator in found:
                verb = decorator.items[0].value
                methods = [verb.upper()] if verb in FACTORY_VERBS else None
                if verb == "api_route":
                    methods = _literal_methods(decorator)
                elif methods is None and verb not in ROUTE_REGISTRARS:
                    continue  # `@router.websocket(...)`, `@app.middleware(...)`: no GET route
                if methods is None or (until is not None and decorator.span > until):
                    return _after(f"@{decorator.text}", decorator.span, path, until)
                for http in methods:
                    self._add_route(endpoint, http, decorator, path, decorated, False, prefix)
                read.add((path, decorator.span))
        for write in self.project.writes_to(path, assign):
            # `@x.api_route(...)` is a call on `x` too (facts records it as a write): the
            # decorator was read above, or is a factory's (read by _factory_routes)
            if write.untaken or write.op not in ROUTE_REGISTRARS or (path, write.span) in read:
                continue
            call = write.value.expr() if write.value is not None else None
            text = call.text if call is not None else f"{write.target}.{write.op}(...)"
            if until is not None and write.span > until:
                return _after(text, write.span, path, until)
            if call is None or call.kind != "call":
                return Value.unknown(text, write.span, path)
            if write.op == "include_router":
                for each in _unrolled(call, write.loop):
                    problem = self._include(
                        endpoint, each, path, assign.namespace, prefix, read, seen
                    )
                    if problem is not None:
                        return problem
            elif write.op == "add_api_route" and (methods := _literal_methods(call)) is not None:
                self._add_api_route(endpoint, call, methods, path, assign.namespace, prefix)
            else:  # `mount`, `add_route`, `route`, `api_route(...)(fn)`, computed methods
                return Value.unknown(text, write.span, path)
            read.add((path, write.span))
        return None

    def _include(self, endpoint, call: Expr, path, namespace, prefix, read, seen) -> Value | None:
        """`x.include_router(router, prefix=...)`: the router's routes, when the router is an
        `APIRouter(...)` of the project that flash-guard can find and both prefixes are
        known strings; else the unknown naming what stops it."""
        router = call.items[1] if len(call.items) > 1 else _keyword(call, "router")
        extra = _keyword(call, "prefix")
        extra_value = self._prefix(extra, path, namespace)
        if not isinstance(extra_value, str):
            return extra_value
        found = self._router_of(router, path, namespace) if router is not None else None
        if found is None:
            return Value.unknown(call.text, call.span, path)
        router_path, router_assign = found
        built = router_assign.expr
        if _keyword(built, "routes") is not None:  # `APIRouter(routes=[...])`: a route table
            return Value.unknown(built.text, built.span, router_path)
        own = self._prefix(_keyword(built, "prefix"), router_path, router_assign.namespace)
        if not isinstance(own, str):
            return own
        key = (router_path, router_assign.span)
        if key in seen:  # a router including itself: FastAPI refuses it at the call
            return None
        same_frame = router_path == path and router_assign.namespace == namespace
        return self._registered(
            endpoint,
            router_path,
            router_assign,
            prefix + extra_value + own,
            call.span if same_frame else None,
            read,
            seen | {key},
        )

    def _prefix(self, expr: Expr | None, path, namespace) -> str | Value:
        """A `prefix=` as a string (a literal or a constant), else the unknown naming it."""
        if expr is None:
            return ""
        value = self.project.evaluate(expr, path, namespace)
        if value.known and isinstance(value.value, str):
            return value.value
        return value if not value.known else Value.unknown(expr.text, expr.span, path)

    def _router_of(
        self, expr: Expr, path, namespace, depth: int = 0
    ) -> tuple[str, Assignment] | None:
        """(file, assignment) of the `APIRouter(...)` that `expr` names, in this module or
        imported from a project module (`from api.routes import health` then
        `health.router`). None for anything else: a router from an installed package, one a
        call returns, a project class that happens to be called APIRouter."""
        if expr.kind == "name":
            found = self.project.lookup(path, expr.value, namespace)
        elif expr.kind == "attr":
            found = self.project.resolve_symbol(expr, path, namespace)
        else:
            return None
        if not isinstance(found, tuple) or not isinstance(found[1], Assignment):
            return None
        router_path, assign = found
        if assign.unpack[0] == -1 and assign.expr.kind == "name" and depth < 8:
            # `r = router`: the same router under another name
            return self._router_of(assign.expr, router_path, assign.namespace, depth + 1)
        if assign.unpack[0] != -1 or not _builds(assign, "APIRouter"):
            return None
        owner = self.project.resolve_symbol(assign.expr.items[0], router_path, assign.namespace)
        if isinstance(owner, tuple):  # the project's own `APIRouter`, not FastAPI's
            return None
        return router_path, assign

    def _router_receiver(self, expr: Expr, path, namespace) -> bool:
        """Whether `expr` (a decorator's receiver) is an APIRouter the project builds."""
        return expr.kind == "name" and self._router_of(expr, path, namespace) is not None

    def _route_decorators(self, path: str):
        """{(namespace, receiver name): [(definition, `@receiver.verb(...)` decorator)]} for
        one file, built once per file when a route source there is first read."""
        index = self._decorators_by_receiver.get(path)
        if index is not None:
            return index
        index = {}
        facts = self.project.files[path]
        for decorated in facts.decorated:
            for decorator in decorated.decorators:
                func = decorator.items[0] if decorator.kind == "call" and decorator.items else None
                if func is None or func.kind != "attr" or func.items[0].kind != "name":
                    continue
                key = (decorated.namespace, func.items[0].value)
                index.setdefault(key, []).append((decorated, decorator))
        for applied in facts.applied:
            # `router.get("/health")(ping)`: the decorator's call form
            found = self._call_form_route(path, applied.expr, applied.namespace)
            if found is not None:
                receiver, holder, registrar = found
                index.setdefault((applied.namespace, receiver), []).append((holder, registrar))
        self._decorators_by_receiver[path] = index
        return index

    def _call_form_route(self, path: str, expr: Expr, namespace):
        """`x.get("/health")(fn)` (any verb, or `x.api_route(...)(fn)`): (the receiver's name,
        a stand-in for the decorated definition, the registrar call), else None."""
        if expr.kind != "call" or len(expr.items) != 2 or expr.keywords:
            return None
        registrar, handler = expr.items
        func = registrar.items[0] if registrar.kind == "call" and registrar.items else None
        if func is None or func.kind != "attr" or func.items[0].kind != "name":
            return None
        if func.value not in FACTORY_VERBS and func.value != "api_route":
            return None
        target = self.project.body_of(path, handler)
        lines = (expr.span.line, expr.span.line)
        return func.items[0].value, Decorated([], target, namespace, "", lines), registrar

    def _add_api_route(self, endpoint, call: Expr, methods, path, namespace, prefix) -> None:
        """`x.add_api_route(path, endpoint, methods=[...])`: a route per method, the handler
        being the function it is given (its body is part of the worker's)."""
        handler = call.items[2] if len(call.items) > 2 else _keyword(call, "endpoint")
        facts = self.project.body_of(path, handler) if handler is not None else None
        name = handler.text if handler is not None else "?"
        target = facts or BodyFacts(name=name, span=call.span, path=path)
        # The call stands where a decorator would: `_add_route` reads its path the same way.
        holder = Decorated([], target, namespace, "", (call.span.line, call.span.line))
        for http in methods:
            self._add_route(endpoint, http, call, path, holder, False, prefix)

    def _init_hooks(self, files) -> None:
        """`@gen.init def load(): ...` on a queue handle `gen`: the worker runs it before the
        first job (rc2 `FunctionHandle.init`), so its body is part of the worker's."""
        by_name = {}
        for endpoint in self.endpoints:
            for name in {endpoint.variable, *(b.name for b in endpoint.targets)} - {None}:
                by_name.setdefault((endpoint.path, name), endpoint)
        for path in sorted(files):
            for decorated in files[path].decorated:
                for written in decorated.written:
                    # `x.init` as written ends so: no other decorator is converted here
                    if written.tree is None and not written.text.endswith("init"):
                        continue
                    decorator = written.expr()
                    if decorator.kind != "attr" or decorator.value != "init":
                        continue
                    handle = decorator.items[0]
                    owner = by_name.get((path, handle.value)) if handle.kind == "name" else None
                    if owner is not None:
                        owner.hooks.append(decorated.target)
                        self._hook_arity(owner, decorated.target, handle.value)

    @staticmethod
    def _hook_arity(owner: Endpoint, hook: BodyFacts, handle: str) -> None:
        """`@gen.init def load(model_id)`: the queue worker calls the hook with no arguments
        before serving (queue/worker.py `_run_init`). A task's hook never runs: the pod's
        executor execs the module and calls the function (executor.py `resolve_request`), and
        the request rc2 sends (`PodTarget.build_payload`) says nothing of a hook."""
        if owner.kind == "task":
            owner.problems.append(
                (
                    "FG215",
                    f"@{handle}.init hook `{hook.name}` never runs: a task's pod execs its "
                    "module and calls the function, and nothing calls the hook (whatever it "
                    "sets up is missing when the task runs)",
                    hook.span,
                )
            )
            return
        if owner.kind != "queue":
            return
        _called_without_arguments(
            owner,
            hook.params,
            f"@{handle}.init hook `{hook.name}`",
            "the worker calls it with no arguments before its first job (TypeError at start)",
            hook.span,
        )

    # -- across resources -----------------------------------------------------
    def _renamed_by_wrapper(self, endpoint: Endpoint, name: str) -> str:
        """Why a defaulted name is not its decorated function's: a wrapper returned without
        `functools.wraps` (`_wrapped_name`) handed rc2 its own `__name__`."""
        own = self._renamed.get((endpoint.path, endpoint.span))
        if own is None or not endpoint.name.defaulted:
            return ""
        return (
            f" (`{own}` reaches the decorator as `{name}`, a wrapper that does not copy its "
            "name: add @functools.wraps in the wrapper, or pass name=)"
        )

    def _duplicate_names(self) -> None:
        for app in self.apps.values():
            seen: dict[str, Endpoint] = {}
            for endpoint in app.resources:
                name = endpoint.name.value if endpoint.name.known else None
                if not isinstance(name, str):
                    continue
                if name in seen:
                    # an App named at run time (`App(os.environ["APP_NAME"])`): its expression
                    shown = repr(app.name.value) if app.name.known else f"`{app.name.text or '?'}`"
                    endpoint.problems.append(
                        (
                            "FG216",
                            f"duplicate resource name {name!r} in app {shown}"
                            + self._renamed_by_wrapper(endpoint, name),
                            endpoint.span,
                        )
                    )
                seen.setdefault(name, endpoint)


@dataclass(frozen=True)
class _BareCall:
    """A module-level call statement standing where a factory call's assignment would: its
    call, and no name bound."""

    expr: Expr
    target: None = None


def _returns_handle(fn, call: Expr, variable: str | None, decorated: str | None) -> bool:
    """Whether `fn` returns the handle its body declares: `return app.queue(...)(run)`, or the
    name the handle is bound to (`h = app.queue(...)(run)`, or the decorated function)."""
    if len(fn.returns) != 1:
        return False
    returned = fn.returns[0].expr()
    if returned.kind == "call" and returned.items and returned.items[0].span == call.span:
        return True
    return returned.kind == "name" and returned.value in {variable, decorated} - {None}


def _copies_name(facts, outer, wrapper) -> bool:
    """Whether the decorator `outer` copies the wrapped function's metadata onto `wrapper`:
    `@functools.wraps(fn)` on it, or an `update_wrapper(...)`/`wraps(...)` call in `outer`'s
    body (read as its text, as a reader would)."""
    for decorated in facts.decorated:
        if (
            decorated.namespace == outer.span
            and decorated.target.name == wrapper.name
            and any("wraps" in d.text for d in decorated.decorators)
        ):
            return True
    body = facts.helper_bodies.get(outer.name) if outer.namespace is None else None
    calls = body.calls if body is not None else ()
    return any(c.rsplit(".", 1)[-1] in ("update_wrapper", "wraps") for c in calls)


def _returned_nested(facts, fn):
    """The function `fn` returns when it is one defined inside `fn` itself, else None."""
    if len(fn.returns) != 1:
        return None
    returned = fn.returns[0].expr()
    if returned.kind != "name":
        return None
    return next(
        (f for f in facts.functions if f.namespace == fn.span and f.name == returned.value),
        None,
    )


# Expressions that are never a class or a callable (`app.api(...)(5)`, `(...)("svc")`)
_NOT_CALLABLE_KINDS = ("lit", "tuple", "list", "dict", "fstring", "dictcomp")
_NAMES = ("name", "attr")
_DATACLASS = ("dataclass", "dataclasses.dataclass")

# Keywords that rc2 reads with `str(x)`: a str-mixin Enum member is `Cls.NAME` there, not its
# value (StrEnum's str() is the value), so only a plain str passes.
_STR_READ_KEYWORDS = ("scaler_type", "min_cuda_version")


def _member_candidates(value: Value) -> list[tuple[str, Value]]:
    """The values a keyword may pass, each placed at its use and with the text written at
    the keyword that stands for it: the items of a list or tuple (`POOL` for an item of the
    constant `POOL`, the item itself in a literal), the candidates of a conditional, or the
    value itself."""
    out = []
    for candidate in value.candidates or (value,):
        inner = candidate.value if candidate.known else None
        if not isinstance(inner, (list, tuple)):
            out.append((candidate.text, at_use(candidate, value)))
            continue
        for item in inner:
            if isinstance(item, Value):
                shown = candidate.text if candidate.via else item.text
                out.append((shown, at_use(at_use(item, candidate), value)))
    return out


def _project_enum_problem(name: str, shown: str, cls: ClassDef, member: str, span: Span):
    """The FG215 problem for a member of the project Enum `cls` (written `member`, reaching
    the keyword as `shown`) given to keyword `name`; None when rc2 takes it (a StrEnum
    member, or a str-mixin one where rc2 keeps a str as it is)."""
    bases = {b.text.rsplit(".", 1)[-1] for b in cls.bases}
    if "StrEnum" in bases or ("str" in bases and name not in _STR_READ_KEYWORDS):
        return None
    written = f"`{member}`" if shown in ("", member) else f"`{shown}` (`{member}`)"
    return (
        "FG215",
        f"{written} is a member of the project Enum `{cls.name}`, not a string: a 2.0 "
        f"decorator rejects it for {name}= when the module is imported; pass "
        f"`{member}.value`",
        span,
    )


def _repeated_keywords(obj: Opaque, kind: str, call: Expr, path: str) -> list:
    """A keyword the decorator call gets twice (`workers=` beside a `**COMMON` that holds
    it): Python raises TypeError before rc2 sees the call (Opaque.repeated)."""
    sig = KIND_SIGNATURE.get(kind, "App.queue")
    return [
        # Endpoint.problems are in the declaration's file: a repeat in another (a partial
        # defined there) is reported at the declaration
        ("FG202", repeated_keyword_message(sig, key, again), span if where == path else call.span)
        for key, where, span, again in obj.repeated
    ]


def _flash_enums(obj: Opaque, call: Expr, path: str) -> list[tuple[str, str, Span]]:
    """A runpod_flash enum object given to a 2.0 decorator, written there or through a
    constant (`gpu=DEFAULT_GPU`): rejected at decoration. Reported where it is used."""
    out = []
    for name in _ENUM_KEYWORDS:
        value = obj.kwargs.get(name)
        if value is None or not value.known:
            continue
        items = value.value if isinstance(value.value, (list, tuple)) else [value]
        for item in items:
            item = at_use(item, value)
            member = item.value if item.known else None
            if not is_flash_enum(member) or member.enum in FLASH_STR_ENUMS:
                continue
            through = f" (through `{item.via}`)" if item.via else ""
            span = item.span if item.span is not None and item.path in (None, path) else call.span
            if member.enum == "CudaVersion":  # 2.0 has no enum for these: a string
                instead = f'write the string "{member.member.lstrip("V").replace("_", ".")}"'
            elif member.enum == "ServerlessScalerType":
                instead = f'write the string "{member.member}"'
            else:
                instead = f"import {member.enum} from runpod"
            out.append(
                (
                    "FG215",
                    f"`{member}`{through} is a {member.package} enum: a 2.0 decorator rejects "
                    f"it; {instead}",
                    span,
                )
            )
    return out


def _is_lambda(expr: Expr) -> bool:
    return re.match(r"lambda\b", expr.text) is not None


def _enclosing_dictcomp(expr: Expr, span: Span) -> Expr | None:
    """The dict comprehension in `expr` whose key or value holds the call at `span`, with no
    other comprehension, lambda or unmodelled expression between them; else None."""
    if not expr.span.contains(span):
        return None
    if expr.span == span:
        return None  # the call itself, not in a comprehension
    if expr.kind in ("other", "listcomp"):
        return None  # a list comprehension, a lambda's body, ...: not followed
    if expr.kind == "dictcomp":
        key, value = expr.items[:2]
        if not (key.span.contains(span) or value.span.contains(span)):
            return None  # in the iterable, evaluated once
        inner = _enclosing_dictcomp(key if key.span.contains(span) else value, span)
        if inner is not None:
            return None  # nested comprehensions: not followed
        return expr if _holds(key, span) or _holds(value, span) else None
    children = list(expr.items) + [v for _, v, _ in expr.keywords if isinstance(v, Expr)]
    children += [k for k, _, _ in expr.keywords if isinstance(k, Expr)]
    for child in children:
        if child.span.contains(span):
            return _enclosing_dictcomp(child, span)
    return None


def _holds(expr: Expr, span: Span) -> bool:
    """`expr` holds the call at `span` through modelled expressions only."""
    if expr.span == span:
        return True
    if not expr.span.contains(span) or expr.kind in ("other", "dictcomp", "listcomp"):
        return False
    children = list(expr.items) + [v for _, v, _ in expr.keywords if isinstance(v, Expr)]
    children += [k for k, _, _ in expr.keywords if isinstance(k, Expr)]
    return any(_holds(child, span) for child in children)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _names_in(expr: Expr) -> set[str]:
    """The plain names `expr` reads (`gpus` in `enumerate(gpus)`)."""
    found = {expr.value} if expr.kind == "name" else set()
    for part in (*expr.items, *(value for _, value, _ in expr.keywords)):
        found |= _names_in(part)
    return found


def _root_name(expr: Expr) -> str | None:
    """`app` for `app.queue(...)`, `app.x.y`; None when the chain starts with no name."""
    while expr.kind in ("attr", "call", "subscript") and expr.items:
        expr = expr.items[0]
    return expr.value if expr.kind == "name" else None


# Methods that decide what an instance's attributes are beyond its class's attributes.
_INSTANCE_HOOKS = frozenset(
    {"__new__", "__getattr__", "__getattribute__", "__setattr__", "__post_init__"}
)
# How many `super().__init__(...)` calls deep an instance's attributes are read.
_MAX_INIT_DEPTH = 4


def _made_bare(expr: Expr) -> bool:
    """`C()`: a name called with no arguments (an instance made of a loop's item)."""
    return (
        expr.kind == "call"
        and len(expr.items) == 1
        and expr.items[0].kind == "name"
        and not expr.keywords
    )


def _named_in(params: set[str]):
    """In a helper's body: an argument that is one of the parameters given the App."""
    return lambda arg: arg.kind == "name" and arg.value in params


def _receiving(call: Expr, fn: FunctionDef, is_app) -> set[str]:
    """The parameters of `fn` that `call` hands an App to (`is_app` tells an argument)."""
    positional = [name for name, _, mode in fn.params if mode == ""]
    given = {name for name, arg in zip(positional, call.items[1:], strict=False) if is_app(arg)}
    return given | {name for name, value, _ in call.keywords if name is not None and is_app(value)}


def _applied_to_loop_name(form: Expr | None, blocks) -> bool:
    return form is not None and form.kind == "name" and form.value in loop_names(blocks)


def _loop_count_unknown(blocks, name: Value, path: str, span: Span) -> list[tuple]:
    """A resource with a known name in a loop flash-guard cannot unroll: rc2 registers it once
    per iteration, and a second one fails the import ('duplicate resource name'), so FG216 is
    undecided (FG002) until the loop runs over a known table. (A name the loop's values make
    is unknown already: FG002 says so.)"""
    loop = next((b for b in blocks if b.kind == "loop"), None)
    if loop is None or not name.known:
        return []
    # the loop as a whole: its iterable may be unknown, or a branch inside it decide
    iterations = Value.unknown(loop.header.strip(), span, path)
    what = (
        f"how often the loop registers {name.value!r} (a second time fails with 'duplicate "
        "resource name')"
    )
    return [("FG216", what, "name", iterations)]


def _unrolled(call: Expr, loop) -> list[Expr]:
    """`web.include_router(r.router)` in `for r in (health, search):`: one call per item of a
    literal tuple or list, the loop's name replaced by the item (`health.router`, ...). The
    call as written when it is not in such a loop or does not use its name."""
    if loop is None:
        return [call]
    name, iterable = loop
    items = iterable.expr()
    if items.kind not in ("tuple", "list") or not items.items:
        return [call]
    if any(i.kind not in ("name", "attr") for i in items.items):
        return [call]

    def put(expr: Expr, item: Expr) -> Expr | None:
        if expr.kind == "name" and expr.value == name:
            return item
        if expr.kind == "attr" and expr.items:
            base = put(expr.items[0], item)
            if base is not None:
                return Expr("attr", expr.span, f"{item.text}.{expr.value}", expr.value, (base,))
        return None

    args = list(call.items[1:])
    if not args or put(args[0], items.items[0]) is None:
        return [call]
    out = []
    for item in items.items:
        router = put(args[0], item)
        out.append(
            Expr(
                call.kind,
                call.span,
                call.text,
                call.value,
                (call.items[0], router, *args[1:]),
                call.keywords,
            )
        )
    return out


def _literal_methods(decorator: Expr) -> list[str] | None:
    """`@web.api_route("/health", methods=["GET"])`: its methods when written as literals
    (FastAPI's default, without `methods=`, is GET)."""
    methods = next((v for k, v, _ in decorator.keywords if k == "methods"), None)
    if methods is None:
        return ["GET"]
    if methods.kind not in ("list", "tuple") or not methods.items:
        return None
    out = []
    for item in methods.items:
        if item.kind != "lit" or not isinstance(item.value, str):
            return None
        out.append(item.value.upper())
    return out


def _builds(assign: Assignment, cls: str) -> bool:
    """`name = FastAPI(...)` / `name = fastapi.APIRouter(...)`: what the call's callee ends
    in (the class is FastAPI's unless the caller checks where the name comes from)."""
    built = assign.expr
    callee = built.items[0].dotted() if built.kind == "call" and built.items else None
    return (callee or "").rsplit(".", 1)[-1] == cls


def _keyword(call: Expr, name: str) -> Expr | None:
    return next((v for k, v, _ in call.keywords if k == name), None)


def _after(text: str, span: Span, path: str, until: Span | None) -> Value:
    """The unknown for a registration flash-guard cannot read, or one made after the
    `include_router` that includes its router (see Runpod2Builder._registered)."""
    if until is not None and span > until:
        text = f"{text} (registered after the router is included on line {until.line})"
    return Value.unknown(text, span, path)


def _hidden_routes(factory: BodyFacts, path: str, read: set[Span] = frozenset()) -> Value | None:
    """Where the factory's app may get routes discovery does not read: a registrar call, or,
    when the factory builds no `FastAPI()` itself, the app it returns (`return create_app()`).
    `read`: the spans of registrar decorators whose routes were read."""
    builds_app = False
    for callee, span in zip(factory.calls, factory.call_spans, strict=True):
        last = callee.rsplit(".", 1)[-1]
        if last in _ROUTE_REGISTRARS and span not in read:
            return Value.unknown(f"{callee}(...)", span, path)
        builds_app = builds_app or last == "FastAPI" or (last == "Starlette" and span in read)
    if builds_app:
        return None
    return Value.unknown(f"{factory.name}() (it builds no FastAPI() itself)", factory.span, path)


def discover_runpod2(project: ModuleIndex, read=None) -> tuple[list[Endpoint], list[AppDecl]]:
    """`read`: path -> its source text, for the files `handoff.py` parses again."""
    builder = Runpod2Builder(project, read)
    endpoints, apps = builder.build()
    project.runpod2_stray = builder.stray
    return endpoints, apps


def _built_by(fn, path: str, app_value: Value) -> bool:
    """The App is constructed in the body of `fn`, the function of `path` being called."""
    obj = app_value.value
    return bool(obj.span and obj.path == path and fn.span.contains(obj.span))


def _called_without_arguments(endpoint, params, what: str, consequence: str, span) -> None:
    """FG215 for a function the runtime calls with no arguments (an `@app.api` factory, a
    startup hook) that requires some: `{what} requires `a`, `b`: {consequence}`."""
    required = [n for n, k in params if k in ("req", "kwreq")]
    if required:
        endpoint.problems.append(
            ("FG215", f"{what} requires {_names(required)}: {consequence}", span)
        )


def _names(names: list[str]) -> str:
    """Parameter names as a message lists them: `a`, `b`."""
    return ", ".join(f"`{n}`" for n in names)
