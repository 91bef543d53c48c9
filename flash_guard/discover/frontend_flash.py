"""From resolved syntax to endpoint records (flash-sdk.md §1.2 forms A-J).

A decorator or assignment is a declaration only when its callee resolves to a
Flash name; a local class that happens to be called `Endpoint` is not Flash.
Routes are attached to the endpoint object they are registered on, whichever
file registers them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from flash_guard.discover.facts import Assignment, ClassDef, Decorated, FunctionDef
from flash_guard.discover.loops import unroll
from flash_guard.discover.normalize import endpoint_params, is_none_literal, legacy_params
from flash_guard.discover.parse import (
    Expr,
    Snippet,
    dotted_expr,
    forget_conversions,
    keep_conversion,
)
from flash_guard.discover.registries import unused_entries
from flash_guard.discover.resolve import LEGACY_CLASSES, Exhausted, FlashSymbol, ModuleIndex
from flash_guard.model import BodyFacts, Endpoint, Opaque, Route, Span, Value

ROUTE_VERBS = ("get", "post", "put", "delete", "patch")
# What web frameworks spell as route decorators and `Endpoint` does not have (an
# AttributeError at import): `@api.options("/x")`, `@api.head(...)`, `@api.route(...)`.
NOT_ROUTE_VERBS = ("options", "head", "trace", "route", "api_route", "websocket")
_PLACEMENT_RANK = {"module": 0, "class": 1, "conditional": 2, "loop": 3, "function": 4}


@dataclass
class _Draft:
    """An endpoint being assembled; becomes an `Endpoint` once all files are seen."""

    obj: Opaque
    api: str
    placement: str
    ranges: list[tuple[str, int, int]]
    variable: str | None = None
    applied_to: str | None = None
    targets: list[BodyFacts] = field(default_factory=list)
    target_placements: list[str] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    decorator_uses: list[tuple[str, Span]] = field(default_factory=list)
    remote_kwargs: list[tuple[str, Value, Span]] = field(default_factory=list)
    remote_spreads: list[Value] = field(default_factory=list)
    problems: list[tuple[str, str, Span]] = field(default_factory=list)
    order: tuple = ()
    factory_call: tuple[str, Span] | None = None
    registry: str | None = None  # `WORKERS["llama"]`: an entry of a registry nothing applies
    unread: str | None = None  # Endpoint.unread: why every setting is unknown


class DeclarationBuilder:
    def __init__(self, project: ModuleIndex):
        self.project = project
        self.drafts: dict[int, _Draft] = {}

    def build(self) -> list[Endpoint]:
        for path in sorted(self.project.files):
            facts = self.project.files[path]
            for assign in facts.assignments:
                if not assign.value.may_be_call():
                    self._bound_entry(path, assign)
                    continue
                if not assign.value.is_call():  # a callee that is no dotted name
                    self._applied_object(path, assign)
                    continue
                value = self.project.evaluate_call_snippet(assign.value, path, assign.namespace)
                if value is None:
                    if assign.expr.kind != "call":
                        continue
                    value = self.project.evaluate(assign.expr, path, assign.namespace)
                if isinstance(value.value, Opaque) and value.value.callee == "Endpoint":
                    keep_conversion(assign.value)  # a declaration: evaluation reads it again
                    draft = self._draft(
                        value.value, "endpoint", assign.placement, assign.statement_lines
                    )
                    draft.variable = draft.variable or assign.target
                    draft.placement = assign.placement  # the assignment decides, not a route
                    if id(value.value) in self.project.factory_objects:
                        draft.factory_call = draft.factory_call or (path, assign.expr.span)
                else:
                    self._applied_object(path, assign)
            for fn in facts.functions:
                for returned in fn.returns:
                    self._returned(path, fn, returned)
            for decorated in facts.decorated:
                for written in decorated.written:
                    self._decorator(path, decorated, written)
            # `x = Endpoint(...)(fn)` binds the result; a bare `Endpoint(...)(fn)` leaves
            # nothing in the module for the scanner to find
            bound = (
                {a.value.expr_span() for a in facts.assignments if a.value.may_be_call()}
                if facts.applied
                else set()
            )
            for applied in facts.applied:
                self._applied(path, applied, applied.expr.span in bound)
            # This file's conversions are a cache a later file seldom reads again: dropped
            # now, they are not all alive at once (on a big tree, megabytes at the peak).
            forget_conversions()
        for entry in unused_entries(self.project, set(self.drafts)):
            # never applied: a declaration that deploys nothing (FG301 says so)
            draft = self._draft(entry.obj, "endpoint", "module", entry.lines, entry.path)
            draft.registry = entry.shown
        made, built = self.project.factory_made, self.project.factory_objects
        # The factory bodies some call of which became a declaration where it is used. A
        # factory whose calls never do (`ep = get_ep()` where `get_ep` may also return None)
        # keeps its own `Endpoint(...)` as the declaration, or it would be lost altogether.
        used = {(d.obj.path, d.obj.span) for d in self.drafts.values() if id(d.obj) in built}
        records = [
            self._finish(d)
            for d in self.drafts.values()
            # A factory's own `Endpoint(...)`, seen with unknown parameters, is not a
            # declaration: each call of the factory is, and is recorded where it is used.
            if not (
                (d.obj.path, d.obj.span) in made
                and (d.obj.path, d.obj.span) in used
                and id(d.obj) not in built
                and not (d.targets or d.routes)
            )
        ]
        records.sort(key=lambda e: (e.path, e.span.line, e.span.column))
        return records

    def _draft(
        self,
        obj: Opaque,
        api: str,
        placement: str,
        lines: tuple[int, int] | None = None,
        path: str | None = None,
    ) -> _Draft:
        key = id(obj)
        if key not in self.drafts:
            own = [(obj.path, obj.span.line, obj.span.end_line)]
            self.drafts[key] = _Draft(obj, api, placement, own, order=(obj.path, obj.span))
        draft = self.drafts[key]
        if lines is not None:
            draft.ranges.append((path or obj.path, lines[0], lines[1]))
        return draft

    def _bound_entry(self, path: str, assign) -> None:
        """`qwen = WORKERS["qwen"]`: an `Endpoint` kept in a dict, bound to a module-level
        name. The build's scan reads module globals, so the name is the endpoint's (an
        `image=` one is provisioned: runpod-flash 1.21 `_collect_client_endpoints`)."""
        snippet = assign.value
        kind = snippet.kind if snippet.tree is None else snippet.tree.kind
        if kind != "subscript" or assign.namespace is not None or assign.placement != "module":
            return
        value = self.project.evaluate(assign.expr, path, None)
        if _is_endpoint(value):
            draft = self._draft(value.value, "endpoint", "module")
            draft.variable = draft.variable or assign.target

    def _returned(self, path: str, fn: FunctionDef, returned) -> None:
        """`return Endpoint(...)` in a function or method (`def endpoint(self): return
        Endpoint(name=..., image=...)`), as `ep = Endpoint(...)` then `return ep` is: a
        declaration inside a function, which FG301 reports (runtime-provisioned when the code
        that calls it runs what it returns). A factory some module-level call of which
        became the declaration keeps only that one (`build`)."""
        if not returned.may_be_call() or not returned.is_call():
            return
        expr = returned.expr()
        if expr.kind != "call" or not expr.items or expr.items[0].kind not in ("name", "attr"):
            return
        symbol = self.project.resolve_symbol(expr.items[0], path, fn.span)
        if not (isinstance(symbol, FlashSymbol) and symbol.name == "Endpoint"):
            return
        value = self.project.evaluate(expr, path, fn.span)
        if isinstance(value.value, Opaque) and value.value.callee == "Endpoint":
            start, end = expr.span.line, expr.span.end_line
            self._draft(value.value, "endpoint", "function", (start, end), path)

    def _applied(self, path: str, applied, bound: bool) -> None:
        """`Endpoint(...)(fn)`: the endpoint applied to a function without `@`."""
        inner = applied.expr.items[0] if applied.expr.items else None
        if inner is None or inner.kind != "call":
            return
        if inner.items[0].kind == "attr" and inner.items[0].value in ROUTE_VERBS:
            self._applied_route(path, applied, inner, bound)
            return
        symbol = self.project.resolve_symbol(inner.items[0], path, applied.namespace)
        if isinstance(symbol, FlashSymbol) and symbol.name == "remote":
            self._applied_remote(path, applied, inner, bound)
            return
        if not (isinstance(symbol, FlashSymbol) and symbol.name == "Endpoint"):
            return
        value = self.project.evaluate(inner, path, applied.namespace)
        if isinstance(value.value, Opaque):
            draft = self._draft(value.value, "endpoint", applied.placement, applied.lines, path)
            draft.placement = applied.placement
            one_function = len(applied.expr.items) == 2 and not applied.expr.keywords
            if bound and one_function:
                # applied to a function as `@` would, the result bound: the scanner finds it
                self._applied_target(draft, path, applied.expr, applied.placement)
            elif one_function and applied.expr.items[1].kind == "name":
                # `return Endpoint(name=f"...")(seed_model)`: named by its function when the
                # name is not known, as the decorator form is
                draft.applied_to = draft.applied_to or applied.expr.items[1].value

    def _applied_route(self, path: str, applied, inner: Expr, bound: bool) -> None:
        """`api.get("/health")(health)`: a route registered without `@`. The SDK stamps and
        returns the handler itself, so the build finds it under its module-level name; a
        handler that is no such name (`make_handler(n)`, a lambda) and whose result is not
        bound is registered at import but never found by the build."""
        base = self.project.evaluate(inner.items[0].items[0], path, applied.namespace)
        obj = base.value if base.known else None
        if not (isinstance(obj, Opaque) and obj.callee == "Endpoint"):
            return
        if len(applied.expr.items) != 2 or applied.expr.keywords:
            return
        handler = applied.expr.items[1]
        if applied.placement == "loop":
            holder = self._bound_name(path, applied) if bound else None
            if self._loop_routes(path, obj, inner, applied.blocks, handler=handler, bound=holder):
                return
        target = self.project.body_of(path, handler)
        placement = applied.placement
        if handler.kind != "name" and not bound:
            placement = "unbound"
        self._add_route(
            path, obj, applied.namespace, inner, target, placement, applied.blocks, True
        )

    def _bound_name(self, path: str, applied) -> str:
        """The name `h = api.post(...)(handler)` binds the call form's result to."""
        for assign in self.project.files[path].assignments:
            if assign.value.may_be_call() and assign.value.expr_span() == applied.expr.span:
                return assign.target
        return "the result"

    def _loop_routes(
        self,
        path: str,
        obj: Opaque,
        call: Expr,
        blocks: tuple,
        *,
        handler: Expr | None = None,
        bound: str | None = None,
        decorated: Decorated | None = None,
    ) -> bool:
        """A route registered in a module-level `for` loop over a known table
        (`for path, fn in ROUTES: api.get(path)(fn)`, `@api.post(f"/m/{n}")` on a def in the
        loop): one route per item, each with its own path, as the SDK registers them at
        import; False when the loop is not unrolled (its iterable is not known).

        What `flash build` deploys of them (runpod-flash 1.21 RuntimeScanner and
        ManifestBuilder): the SDK stamps the route on the handler function itself, so a
        function carries the last route registered on it, and the build finds it under every
        module-level name that holds it after the import. A table's function is held by its
        own name; the loop variable (`fn`), a decorated def's name or the name the result is
        bound to holds the last item's function only; a closure or lambda nothing holds is
        never found. A function held by two names is found twice: the build fails with
        'Duplicate route' (FG204)."""
        loop = unroll(self.project, path, blocks, call.span)
        if loop is None:
            return False
        header = loop.header
        # A loop in a module-level `if`/`try`: each route is placed in that branch, as any
        # declaration there is (FG301: deployed only if the branch runs on the build machine).
        placement = "conditional" if loop.around else "module"
        draft = self._draft(obj, "endpoint", "module")
        made: list[tuple[Route, tuple]] = []  # each route, and the function it is stamped on
        for i, bindings in enumerate(loop.iterations):
            self.project._loops.append(((path, None), bindings))
            try:
                if decorated is not None:
                    target, key = decorated.target, ("iter", i)
                else:
                    target, key = self._loop_handler(path, handler, bindings, i)
                before = len(draft.routes)
                self._add_route(path, obj, None, call, target, placement, loop.around, True)
            finally:
                self.project._loops.pop()
            made += [(route, key) for route in draft.routes[before:]]
        if not made:
            return True
        # The module-level names that hold a handler once the loop is over.
        holders: dict[tuple, list[str]] = {}
        for _, key in made:
            if key[0] == "def":
                holders.setdefault(key, [key[1]])
        if decorated is not None:
            rebound = decorated.target.name
        elif handler.kind == "name" and handler.value in loop.iterations[-1]:
            deleted = self._deleted(path, handler.value, call, loop.around)
            rebound = None if deleted else handler.value
        else:
            rebound = bound
        if rebound is not None and rebound not in holders.get(made[-1][1], ()):
            holders.setdefault(made[-1][1], []).append(rebound)
        last = {key: i for i, (_, key) in enumerate(made)}
        for i, (route, key) in enumerate(made):
            function = key[1] if key[0] == "def" else route.handler
            where = f"inside `{header}`"
            if last[key] != i:
                later = made[last[key]][0]
                route.dropped = (
                    where,
                    f"a later iteration registers the same function `{function}` as "
                    f"`{later.shown()}`, which replaces this route on it (the SDK keeps "
                    "the last route registered on a function): flash build deploys that one",
                )
            elif not holders.get(key):
                if rebound is None:
                    route.placement = "unbound"
                else:
                    route.dropped = (
                        where,
                        f"each iteration rebinds `{rebound}` and flash build reads module "
                        "globals after the import: only the last iteration's route is "
                        "deployed",
                    )
            elif len(holders[key]) > 1:
                both = " and ".join(f"`{n}`" for n in holders[key])
                draft.problems.append(
                    (
                        "route-build-duplicate",
                        f"after `{header}` both {both} hold `{function}` (the loop variable "
                        f"keeps the last item), so flash build finds its route twice and fails "
                        f"with 'Duplicate route '{route.shown()}''",
                        route.span,
                    )
                )
        return True

    def _loop_handler(
        self, path: str, handler: Expr, bindings: dict, index: int
    ) -> tuple[BodyFacts, tuple]:
        """The function a call-form route in an unrolled loop is applied to, and who it is:
        ("def", name) for a function a module-level name holds (`a` in `[("/a", a)]`, or
        `api.get(p)(health)` itself), ("iter", index) for one made in the iteration."""
        if handler.kind == "name" and handler.value in bindings:
            item = bindings[handler.value]
            text = item.text
            if not item.known and text.isidentifier():
                named = dotted_expr(text, handler.span.line, handler.span.column)
                if named is not None:
                    return self.project.body_of(item.path or path, named), ("def", text)
            bare = BodyFacts(name=text or handler.value, span=handler.span, path=path)
            return bare, ("iter", index)
        if handler.kind == "name":
            return self.project.body_of(path, handler), ("def", handler.value)
        return self.project.body_of(path, handler), ("iter", index)

    def _deleted(self, path: str, name: str, call: Expr, around: tuple) -> bool:
        """A `del name` after the loop, in the blocks the loop is in (module level, or the
        module-level branch around the loop): the loop variable holds nothing then."""
        return any(
            u.name == name and u.blocks == around and u.span.line > call.span.end_line
            for u in self.project.files[path].unbinds
        )

    def _applied_object(self, path: str, assign) -> None:
        """`ocr = ocr_ep(process)`: an `Endpoint` object applied to a function without `@`,
        the result bound to a name (what the decorator does; the scanner finds it); also an
        entry of a registry (`llama = WORKERS["llama"](run)`)."""
        expr = assign.expr
        if expr.kind != "call" or len(expr.items) != 2 or expr.keywords:
            return
        func = expr.items[0]
        if func.kind not in ("name", "attr", "subscript"):
            return
        if func.kind != "subscript":
            symbol = self.project.resolve_symbol(func, path, assign.namespace)
            if not (isinstance(symbol, tuple) and isinstance(symbol[1], Assignment)):
                return
        value = self.project.evaluate(func, path, assign.namespace)
        if value.known and isinstance(value.value, Opaque) and value.value.callee == "Endpoint":
            draft = self._draft(value.value, "endpoint", "module")
            self._applied_target(draft, path, expr, assign.placement)

    def _applied_target(self, draft: _Draft, path: str, call: Expr, placement: str) -> None:
        draft.targets.append(self.project.body_of(path, call.items[1]))
        draft.target_placements.append(placement)
        draft.decorator_uses.append((path, call.span))

    def _unresolved(
        self, path: str, decorated: Decorated, expr: Expr, api: str, unread: str | None = None
    ) -> None:
        """A declaration whose callee or resource config cannot be resolved (a bound was hit,
        or a config built by code we cannot follow): kept as a declaration whose every
        parameter is unknown at `expr`, so each rule that needs one says so (FG002). `unread`
        says why, where a rule decides differently on it (Endpoint.unread)."""
        unknown = Value.unknown(expr.text, expr.span, path)
        callee = "Endpoint" if api == "endpoint" else "ServerlessResource"
        obj = Opaque(callee, {}, (), expr.span, path, {}, (unknown,))
        draft = self._draft(obj, api, decorated.placement, decorated.lines, path)
        draft.unread = unread
        self._add_target(draft, decorated, expr.span, path)

    def _unresolved_config(self, path, placement, lines, decorator, value: Value, expr) -> _Draft:
        span = value.span or (expr.span if expr is not None else decorator.span)
        text = value.text or (expr.text if expr is not None else decorator.text)
        unknown = Value.unknown(text, span, path)
        obj = Opaque("ServerlessResource", {}, (), span, path, {}, (unknown,))
        return self._draft(obj, "legacy", placement, lines, path)

    def _decorator(self, path: str, decorated: Decorated, written: Snippet) -> None:
        project = self.project
        ns = decorated.namespace
        if written.is_call():
            # The callee decides; the whole call is converted only for one that may declare
            # (most decorators are not Flash's: a parse each would be most of discovery).
            func = written.head()
            symbol = project.resolve_symbol(func, path, ns)
            if isinstance(symbol, Exhausted):
                self._unresolved(path, decorated, func, "endpoint")
                return
            if (
                isinstance(symbol, FlashSymbol)
                and symbol.name == "Endpoint"
                and symbol.package != "runpod"
            ):
                decorator = written.expr()
                keep_conversion(written)  # a declaration: evaluation reads it again
                value = project.evaluate(decorator, path, ns)
                draft = self._draft(
                    value.value, "endpoint", decorated.placement, decorated.lines, path
                )
                self._add_target(draft, decorated, decorator.span, path)
                return
            if isinstance(symbol, FlashSymbol) and symbol.name == "remote":
                keep_conversion(written)  # a declaration: evaluation reads it again
                self._remote(path, decorated, written.expr())
                return
            if isinstance(symbol, tuple) and isinstance(
                symbol[1], (FunctionDef, Assignment, ClassDef)
            ):
                # `@gpu_endpoint("name", ...)`: a project factory returning an `Endpoint`, a
                # `functools.partial(Endpoint, ...)` bound to that name, or a project subclass
                # of `Endpoint` (`class GpuEndpoint(Endpoint)`)
                decorator = written.expr()
                value = project.evaluate(decorator, path, ns)
                obj = value.value if value.known else None
                if isinstance(obj, Opaque) and obj.callee == "Endpoint":
                    keep_conversion(written)  # a declaration: evaluation reads it again
                    draft = self._draft(obj, "endpoint", decorated.placement, decorated.lines, path)
                    if id(obj) in project.factory_objects:
                        draft.factory_call = draft.factory_call or (path, decorator.span)
                    self._add_target(draft, decorated, decorator.span, path)
                    return
            if func.kind == "attr" and func.value in ROUTE_VERBS + NOT_ROUTE_VERBS:
                base = project.evaluate(func.items[0], path, ns)
                obj = base.value if base.known else None
                if isinstance(obj, Opaque) and obj.callee == "Endpoint":
                    decorator = written.expr()
                    if func.value in ROUTE_VERBS:
                        self._route(path, decorated, decorator, obj)
                    else:
                        draft = self._draft(obj, "endpoint", "module")
                        draft.problems.append(("route-no-method", func.value, decorator.span))
            return
        decorator = written.expr()
        if decorator.kind in ("name", "attr") and self._bound_remote(path, decorated, decorator):
            return
        if decorator.kind in ("name", "attr", "subscript"):
            # `@ENDPOINTS["qwen"]`: an `Endpoint` kept in a dict (built by a comprehension);
            # the decorated function is at module level, so the scanner finds it
            if isinstance(project.resolve_symbol(decorator, path, ns), Exhausted):
                self._unresolved(path, decorated, decorator, "endpoint")
                return
            value = project.evaluate(decorator, path, ns)
            obj = value.value if value.known else None
            if isinstance(obj, Opaque) and obj.callee == "Endpoint":
                draft = self._draft(obj, "endpoint", "module")
                self._add_target(draft, decorated, decorator.span, path)
            elif any(_is_endpoint(c) for c in value.candidates or ()):
                # `ep = Endpoint(...) if PROD else Endpoint(...)`: which one the build imports
                # is decided on the build machine; a declaration whose settings are unknown
                self._unresolved(path, decorated, decorator, "endpoint")
            elif obj is None and self._filled_with_endpoints(path, decorator, ns):
                # `for spec in load_specs(): EPS[spec.key] = Endpoint(...)` then `@EPS["a"]`:
                # the build deploys it, with settings flash-guard cannot read
                self._unresolved(path, decorated, decorator, "endpoint", unread="container")

    def _filled_with_endpoints(self, path: str, decorator: Expr, ns) -> bool:
        """`@EPS["a"]` where some `EPS[k] = Endpoint(...)` statement of the module that
        assigns `EPS` stores an `Endpoint` into it (the dict's value is not known: filled in a
        loop over data flash-guard cannot read)."""
        if decorator.kind != "subscript" or decorator.items[0].kind != "name":
            return False
        symbol = self.project.resolve_symbol(decorator.items[0], path, ns)
        if not (isinstance(symbol, tuple) and isinstance(symbol[1], Assignment)):
            return False
        home, assign = symbol
        for write in self.project.files[home].writes:
            if write.target != assign.target or write.op != "set" or write.value is None:
                continue
            if not write.value.is_call():
                continue
            callee = self.project.resolve_symbol(write.value.head(), home, write.namespace)
            if isinstance(callee, FlashSymbol) and callee.name == "Endpoint":
                return True
        return False

    def _add_target(self, draft: _Draft, decorated: Decorated, use_span: Span, path: str) -> None:
        target = decorated.target
        draft.targets.append(target)
        draft.target_placements.append(decorated.placement)
        draft.decorator_uses.append((path, use_span))

    def _route(self, path: str, decorated: Decorated, decorator: Expr, obj: Opaque) -> None:
        blocks = decorated.blocks
        in_loop = decorated.placement == "loop" and decorated.namespace is None
        if in_loop and self._loop_routes(path, obj, decorator, blocks, decorated=decorated):
            return
        call = _called_at_import(self.project.files[path], decorated)
        placement = "module" if call is not None and call[0] is not None else decorated.placement
        self._add_route(path, obj, decorated.namespace, decorator, decorated.target, placement, ())
        if call is None:
            return
        route = self._draft(obj, "endpoint", "module").routes[-1]
        holder, line = call
        if holder is not None:  # `health = register()`: the build finds it under `health`
            route.placement, route.blocks = "module", ()
            return
        function = decorated.blocks[0].name
        route.dropped = (
            f"inside function `{function}`, which line {line} calls at import",
            f"the call registers it, but no module-level name holds `{decorated.target.name}` "
            "afterwards, and flash build finds route handlers in module globals",
        )

    def _add_route(
        self,
        path: str,
        obj: Opaque,
        namespace,
        decorator: Expr,
        target: BodyFacts,
        placement: str,
        blocks: tuple,
        call_form: bool = False,
    ) -> None:
        draft = self._draft(obj, "endpoint", "module")
        func = decorator.items[0]
        args = decorator.items[1:]
        path_value = (
            self.project.evaluate(args[0], path, namespace)
            if args
            else Value.unknown("<no path>", decorator.span, path)
        )
        method = Value(func.value.upper(), True, func.span, func.value, path=path)
        route = Route(method, path_value, path, decorator.span, target.name, target)
        if call_form:
            route.placement, route.blocks = placement, blocks
        draft.routes.append(route)
        draft.target_placements.append("module" if placement == "unbound" else placement)
        if len(args) > 1 or decorator.keywords:
            draft.problems.append(
                (
                    "route-data",
                    "data and keyword arguments are only valid in client mode",
                    decorator.span,
                )
            )

    def _remote(self, path: str, decorated: Decorated, decorator: Expr) -> None:
        made = self._remote_draft(
            path, decorator, decorated.namespace, decorated.placement, decorated.lines
        )
        if made is None:
            return
        draft, kwargs = made
        self._add_target(draft, decorated, decorator.span, path)
        self._remote_route(draft, kwargs, path, decorator, decorated.target)

    def _bound_remote(self, path: str, decorated: Decorated, decorator: Expr) -> bool:
        """`gpu_remote = remote(cfg, dependencies=[...])`, then `@gpu_remote` on a function:
        `remote(...)` returns the decorator, which stamps `__remote_config__` as `@remote(...)`
        does, so the build's scanner deploys the function (runpod-flash 1.21
        `RuntimeScanner`). True when the decorator is such a name and was recorded."""
        project = self.project
        symbol = project.resolve_symbol(decorator, path, decorated.namespace)
        if not (isinstance(symbol, tuple) and isinstance(symbol[1], Assignment)):
            return False
        where, assign = symbol
        written = assign.value
        if assign.unpack[1] or not written.is_call():
            return False
        head = project.resolve_symbol(written.head(), where, assign.namespace)
        if not (isinstance(head, FlashSymbol) and head.name == "remote"):
            return False
        keep_conversion(written)  # a declaration: evaluation reads it again
        call = written.expr()
        made = self._remote_draft(where, call, assign.namespace, decorated.placement, None)
        if made is None:
            return True  # a config that is no resource: as for `@remote(...)` written inline
        draft, kwargs = made
        if decorated.lines is not None:
            draft.ranges.append((path, decorated.lines[0], decorated.lines[1]))
        self._add_target(draft, decorated, decorator.span, path)
        self._remote_route(draft, kwargs, path, decorator, decorated.target)
        return True

    def _applied_remote(self, path: str, applied, inner: Expr, bound: bool) -> None:
        """`remote(config)(fn)`: the legacy decorator applied without `@`, as agent code
        that deploys a function it was handed does (`gpu_tool = remote(cfg)(handler)`).
        runpod-flash 1.21 stamps `__remote_config__` on the result exactly as `@remote`
        does, so a module-level name holding it is what the build's scanner finds
        (`RuntimeScanner._extract_from_module`); inside a function it is provisioned when
        called, and FG301 says how."""
        if len(applied.expr.items) != 2 or applied.expr.keywords:
            return  # `remote(cfg)(a, b)` raises TypeError: the decorator takes one function
        if not bound and applied.placement == "module":
            # The stamped function is a new one, and discarded: the module's `handler` is not
            # stamped (1.21), so the build's scan finds nothing, as for an unused config.
            return
        made = self._remote_draft(path, inner, applied.namespace, applied.placement, applied.lines)
        if made is None:
            return
        draft, kwargs = made
        draft.placement = applied.placement
        handler = applied.expr.items[1]
        if not bound:
            # unbound inside a function: provisioned when it runs; named by its function
            if handler.kind == "name":
                draft.applied_to = draft.applied_to or handler.value
            return
        self._applied_target(draft, path, applied.expr, applied.placement)
        # at the whole call, the use `_applied_target` records (FG204 pairs them)
        self._remote_route(draft, kwargs, path, applied.expr, draft.targets[-1])

    def _remote_draft(
        self, path: str, decorator: Expr, ns, placement: str, lines
    ) -> tuple[_Draft, dict[str, tuple[Value, Span]]] | None:
        """The resource config of a `remote(...)` call, with its keyword arguments; None for
        a config that is no resource we can see inside a function (runtime-built)."""
        project = self.project
        kwargs: dict[str, tuple[Value, Span]] = {}
        spreads: list[Value] = []
        for name, value_expr, kw_span in decorator.keywords:
            if name is None:
                spread = project.evaluate(value_expr, path, ns)
                if spread.known and isinstance(spread.value, dict):
                    # `@remote(cfg, **OPTS)`: each key is a keyword remote() gets (FG210,
                    # FG204's method=/path=), read at the spread
                    for key, item in spread.value.items():
                        via = item.via or value_expr.text
                        kwargs[str(key)] = (
                            replace(item, span=kw_span, path=path, via=via),
                            kw_span,
                        )
                    if spread.partial is not None:
                        spreads.append(spread.partial)
                elif not spread.known:
                    # At the spread as written (`**OPTS`), as an `Endpoint(**OPTS)` spread is:
                    # the dependency checks point there too, and one spread is one FG002.
                    spreads.append(Value.unknown(value_expr.text, kw_span, path))
                else:
                    spreads.append(spread)
                continue
            kwargs[name] = (project.evaluate(value_expr, path, ns), kw_span)
        config = decorator.items[1] if len(decorator.items) > 1 else None
        config_value = (
            project.evaluate(config, path, ns)
            if config is not None
            else (
                kwargs.pop("resource_config", (Value.unknown("<missing resource_config>"), None))[0]
            )
        )
        obj = config_value.value if config_value.known else None
        if not (isinstance(obj, Opaque) and obj.callee in LEGACY_CLASSES):
            # Not a resource we can see. At module level the build deploys it: one FG002 at
            # the config; inside a function it is runtime-built (FG301 reports it).
            given = config is not None or config_value.span is not None
            is_none = config_value.known and config_value.value is None
            if placement == "module" and given and not is_none:
                draft = self._unresolved_config(
                    path, placement, lines, decorator, config_value, config
                )
                return draft, {}
            return None
        draft = self._draft(obj, "legacy", placement, lines, path)
        for name, (value, kw_span) in kwargs.items():
            draft.remote_kwargs.append((name, value, kw_span))
        draft.remote_spreads.extend(s for s in spreads if not s.known)
        return draft, kwargs

    def _remote_route(self, draft: _Draft, kwargs, path: str, decorator: Expr, target) -> None:
        """`remote(..., method=, path=)`: the load-balanced route it registers."""
        method, route_path = kwargs.get("method"), kwargs.get("path")
        if method or route_path:
            draft.routes.append(
                Route(
                    method[0] if method else Value.default(None),
                    route_path[0] if route_path else Value.default(None),
                    path,
                    decorator.span,
                    target.name,
                    target,
                )
            )

    def _finish(self, draft: _Draft) -> Endpoint:
        obj = draft.obj
        placement = draft.placement
        targets_hidden = all(p != "module" for p in draft.target_placements)
        if placement == "module" and draft.target_placements and targets_hidden:
            placement = max(draft.target_placements, key=_PLACEMENT_RANK.__getitem__)
        target_name = draft.targets[0].name if draft.targets else None
        if draft.api == "endpoint":
            kind, compute = _endpoint_kind(obj, bool(draft.routes))
            params = endpoint_params(obj, kind, compute, target_name)
            resource_class = "Endpoint"
        else:
            kind, compute = _legacy_kind(obj)
            remote = {name: value for name, value, _ in draft.remote_kwargs}
            params = legacy_params(obj, remote, kind, compute)
            resource_class = obj.callee
        kwargs = [
            (name, obj.kwargs[name], obj.kwarg_spans.get(name, obj.span)) for name in obj.kwargs
        ]
        return Endpoint(
            name=params.get("name", Value.default(None)),
            kind=kind,
            compute=compute,
            api=draft.api,
            resource_class=resource_class,
            package=obj.package,
            path=obj.path,
            span=obj.span,
            variable=draft.variable,
            applied_to=draft.applied_to,
            params=params,
            kwargs=kwargs,
            spreads=list(obj.spreads) + draft.remote_spreads,
            repeated=obj.repeated,
            remote_kwargs=draft.remote_kwargs,
            routes=draft.routes,
            targets=draft.targets,
            decorator_uses=draft.decorator_uses,
            scope=placement,
            in_init=obj.path.rsplit("/", 1)[-1] == "__init__.py",
            declaration_ranges=draft.ranges,
            factory_call=draft.factory_call,
            registry=draft.registry,
            unread=draft.unread,
            problems=draft.problems,
            sdk=obj.package,
        )


def _endpoint_kind(obj: Opaque, has_routes: bool) -> tuple[str, str]:
    kw = obj.kwargs
    compute = "cpu" if not is_none_literal(kw.get("cpu")) else "gpu"
    if not is_none_literal(kw.get("id")):
        return "client", compute
    if not is_none_literal(kw.get("image")):
        return "image", compute
    return ("load_balancer" if has_routes else "queue"), compute


def _legacy_kind(obj: Opaque) -> tuple[str, str]:
    kind = "load_balancer" if "LoadBalancer" in obj.callee else "queue"
    cpu_ids = obj.kwargs.get("instanceIds")
    if obj.callee.startswith("Cpu"):
        compute = "cpu"
    elif cpu_ids is not None and not (cpu_ids.known and not cpu_ids.value):
        compute = "cpu"  # form J: LiveServerless(instanceIds=[...])
    else:
        compute = "gpu"
    return kind, compute


def _called_at_import(facts, decorated: Decorated) -> tuple[str | None, int] | None:
    """A route decorated directly in a module-level function that the module calls when it is
    imported: (the module-level name its result is bound to, when the function returns the
    route's handler, else None; the call's line). None when no module-level statement of the
    file calls it (the function never runs on import, FG301's generic case). runpod-flash 1.21
    stamps the route on the handler when the call runs; the build finds it only under a
    module-level name (`health = register()` with `return health`)."""
    blocks = decorated.blocks
    if len(blocks) != 1 or blocks[0].kind != "function" or not blocks[0].name:
        return None
    function, handler = blocks[0].name, decorated.target.name
    returns_handler = any(
        fn.name == function
        and fn.namespace is None
        and any(r.text.strip() == handler for r in fn.returns)
        for fn in facts.functions
    )
    calls = re.compile(rf"\s*{re.escape(function)}\s*\(")
    found: tuple[str | None, int] | None = None
    for assign in facts.assignments:
        if assign.namespace is None and not assign.blocks and calls.match(assign.value.text):
            if returns_handler:
                return assign.target, assign.span.line
            found = found or (None, assign.span.line)
    for write in facts.writes:
        if write.op == "call" and write.target == function and not write.untaken:
            found = found or (None, write.span.line)
    return found


def discover_endpoints(project: ModuleIndex) -> list[Endpoint]:
    return DeclarationBuilder(project).build()


def _is_endpoint(value: Value) -> bool:
    return value.known and isinstance(value.value, Opaque) and value.value.callee == "Endpoint"
