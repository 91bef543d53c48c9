"""FG204: HTTP routes the SDK refuses to register (or `flash build` refuses to build)."""

from __future__ import annotations

from flash_guard.checks import sites
from flash_guard.checks.base import fail_at, register, unknown
from flash_guard.checks.deploy_support import EveryDeclaration, label, python_repr
from flash_guard.checks.placement import (
    BUILD_IMPORTS_FROM,
    build_ignore_list_applies,
    no_flash_build,
)
from flash_guard.discover.facts import NEVER_RUNS, guarding_if
from flash_guard.model import Route, Value
from flash_guard.sdk import releases
from flash_guard.sdk.flash_tables import (
    BUILD_CHECKED_LB_CLASSES,
    HTTP_METHODS,
    MANIFEST_RESERVED_RELEASES,
    QUEUE_ROUTE_BUILT_AS_LB_FROM,
    RESERVED_PATHS,
)
from flash_guard.sdk.in_use import keywords, release_at_least, sdk_of

_METHODS = ", ".join(sorted(HTTP_METHODS))
_RESERVED = ", ".join(sorted(RESERVED_PATHS))


@register
class InvalidRoute(EveryDeclaration):
    """Looks at every route registered on an endpoint object, in any file of the project:
    `@api.get("/path")` (and `.post/.put/.delete/.patch`) on an `Endpoint`, and
    `@remote(cfg, method=..., path=...)` on a legacy load-balancer class, and `method=`/`path=`
    given to `@remote` with a queue-based legacy class (`LiveServerless`, ...): ignored up to
    runpod-flash 1.10.2 and in tetra-rp (no route is served), and from runpod-flash 1.11 built
    by `flash build` as a load balancer on an endpoint that deploys queue-based. A route fails when
    its path is not a string starting with `/`, is exactly `/execute` or `/ping` (reserved
    by the framework; `/ping/` passes), repeats a method+path already registered on the same
    endpoint (reported at the second), or passes data to the decorator (`@api.get("/x",
    payload)` is a client call, not a route). The endpoint fails, once, at its first route
    when it has no `name=`, is an `Endpoint(id=...)`/`Endpoint(image=...)` client, or is
    also used as a direct decorator (`@api` and `@api.get(...)` are two patterns that cannot
    be mixed). A client used as a direct decorator (`@Endpoint(image=...)`) fails at that
    decorator. A legacy load-balancer class needs both `method=` (upper-case: `remote()`
    does not upper-case it) and `path=` on every `@remote` use. `Endpoint` routes are
    checked when the decorator runs, at import; legacy reserved paths and duplicates only
    when `flash build` writes the manifest (tetra-rp 0.20.0-0.21.0 also reserve `/manifest`
    there), and only for the classes that release's build treats as load-balanced: tetra-rp
    before 0.20.0 checks no route, 0.20.0-0.21.0 skip `CpuLiveLoadBalancer`, and every
    release before runpod-flash 1.11.0 skips `CpuLoadBalancerSlsResource` (the build writes
    them a queue handler without reading their routes). That build serves none of their
    routes: reported once, at the declaration. A route decorator `Endpoint` does not have
    (`@api.options(...)`, `.head`, `.route`, `.api_route`, `.websocket`, as web frameworks
    spell them) is an AttributeError at import, reported at the decorator. A route
    registered in a module-level `for` loop over a known table is one route per item; when the
    loop leaves a handler under two module-level names (`for path, fn in ROUTES:
    api.get(path)(fn)` with `ROUTES = [("/v", version)]`: `version` and `fn`), `flash build`
    finds its route twice and fails with 'Duplicate route', reported at the route. From
    runpod-flash 1.11 a module of the app that imports a route module (`from api.items import
    ITEMS`, `import api.items`; at import, not under a guard, not in `tests/`) fails when the
    Endpoint is declared in a third module: the build's scan imports every module on its own
    and forgets it, so the route module runs twice on the same Endpoint and the SDK raises
    'duplicate route' (1.21: `Failed to load`), reported at the import."""

    id = "invalid-route"

    def check(self, endpoint, params, ctx):
        if endpoint.api == "endpoint":
            analysis = ctx.analysis if ctx is not None else None
            return endpoint_routes(endpoint) + reimported_routes(endpoint, analysis)
        if endpoint.kind == "load_balancer":
            return legacy_routes(endpoint)
        return queue_routes(endpoint)


def ordered(routes: list[Route]) -> list[Route]:
    return sorted(routes, key=lambda r: (r.file, r.span))


def endpoint_routes(endpoint) -> list:
    if endpoint.kind in ("client", "image"):
        return client_misuse(endpoint)
    missing = [
        fail_at(
            endpoint,
            f"{label(endpoint)}: `Endpoint` has no `.{verb}()` (AttributeError when the module "
            "is imported); its route decorators are .get, .post, .put, .delete and .patch",
            endpoint.path,
            span,
            "routes",
            fix="Use @api.get/.post/.put/.delete/.patch; for other methods serve a FastAPI app.",
        )
        for kind, verb, span in endpoint.problems
        if kind == "route-no-method"
    ]
    if not endpoint.routes:
        return missing
    routes = ordered(endpoint.routes)
    out = pattern_problems(endpoint, routes[0])
    data_spans = {span for kind, _, span in endpoint.problems if kind == "route-data"}
    variable = endpoint.variable or "ep"
    seen: dict[tuple[str, str], Route] = {}
    for route in routes:
        if route.span in data_spans:
            out.append(
                fail_at(
                    endpoint,
                    f"@{variable}.{_verb(route)}(...) passes data or keywords besides the path: in "
                    "decorator mode the SDK raises 'data and keyword arguments are only valid in "
                    "client mode'",
                    route.file,
                    route.span,
                    "routes",
                )
            )
        out += path_problems(endpoint, route, seen, build_time=False)
    # a route registered in a loop whose function two module-level names hold after it
    out += [
        fail_at(endpoint, f"{label(endpoint)}: {text}", route_file(endpoint, span), span, "routes")
        for kind, text, span in endpoint.problems
        if kind == "route-build-duplicate"
    ]
    return missing + out


def reimported_routes(endpoint, analysis) -> list:
    """A module of the app that imports a route module of the endpoint, where the endpoint is
    declared in a third module (`search.py`: `from routes.items import ITEMS`, with `gateway =
    Endpoint(...)` in gateway.py and `@gateway.get("/items")` in routes/items.py). From 1.11
    `flash build` imports every module itself and forgets it afterwards, so the route module
    runs twice, the second time on the same `gateway` object (its module stays imported):
    'duplicate route', the module fails to load and the build stops (1.21: `Failed to load:
    search.py: ValueError: duplicate route: GET /items`). Reported once per importing module,
    at its import; the route module declaring its own Endpoint runs each time on a new one."""
    if analysis is None or not endpoint.routes or no_flash_build(endpoint):
        return []
    sdk = sdk_of(endpoint)
    if not release_at_least(sdk, "runpod-flash", BUILD_IMPORTS_FROM):
        return []
    firsts: dict[str, Route] = {}
    for route in ordered(endpoint.routes):
        if route.file != endpoint.path and route.path.known:
            firsts.setdefault(route.file, route)
    ignore_list = build_ignore_list_applies(sdk)
    importers = analysis.modules.importers()
    dotted = _dotted_importers(analysis)
    out, reported = [], set()
    for file, route in firsts.items():
        for path, binding, _ in (*importers.get(file, ()), *dotted.get(file, ())):
            if path in (file, endpoint.path) or path in reported or not _at_import(binding):
                continue
            if path.rsplit("/", 1)[-1] == "__init__.py":
                continue  # never run by the scan (its package is an empty stand-in)
            if ignore_list and sites.build_ignored(path, endpoint.app):
                continue
            reported.add(path)
            method = str(route.method.value).upper()
            message = (
                f"{label(endpoint)}: {path} imports {file}, which flash build also imports on "
                f"its own, so {file} runs twice on the same `{endpoint.variable or 'ep'}` and "
                f"registers {method} {route.path.value} again: 'duplicate route', the build "
                "stops"
            )
            fix = (
                f"Move what {path} needs out of {file} into a module without routes (or "
                f"declare the Endpoint in {file})."
            )
            out.append(fail_at(endpoint, message, path, binding.span, f"reimport:{path}", fix))
    return out


def _dotted_importers(analysis) -> dict[str, list]:
    """{module: [(importer, binding, "module")]} for `import api.items` (which binds `api`,
    so the module index files it under `api`), once per run."""
    memo = analysis.__dict__.get("_fg204_dotted")
    if memo is None:
        memo = analysis.__dict__["_fg204_dotted"] = {}
        modules = analysis.modules
        for path, facts in modules.files.items():
            for binding in facts.imports:
                if binding.name is None and binding.dotted not in ("", binding.module):
                    found = modules.find_module(path, binding.dotted, 0)
                    if found is not None:
                        memo.setdefault(found, []).append((path, binding, "module"))
    return memo


def _at_import(binding) -> bool:
    """An import that runs when its module is imported and whose error is not caught."""
    if any(b.kind in ("function", "try", "except") for b in binding.blocks):
        return False
    return guarding_if(binding.blocks, NEVER_RUNS.match) is None


def route_file(endpoint, span) -> str:
    return next((r.file for r in endpoint.routes if r.span == span), endpoint.path)


def client_misuse(endpoint) -> list:
    """A client used as a decorator (at each use) or given routes (once, at the first)."""
    name = label(endpoint)
    mode = "id" if endpoint.kind == "client" else "image"
    out = [
        fail_at(
            endpoint,
            f"{name} is an Endpoint({mode}=...) client, not your own code: using it as a "
            f"decorator raises 'cannot use Endpoint({mode}=...) as a decorator'",
            path,
            span,
            "routes",
        )
        for path, span in endpoint.decorator_uses
    ]
    if endpoint.routes:
        first = ordered(endpoint.routes)[0]
        variable = endpoint.variable or "ep"
        out.append(
            fail_at(
                endpoint,
                f"{name} is an Endpoint({mode}=...) client: @{variable}.{_verb(first)}(...) "
                "cannot register a route on it (TypeError when the module is imported)",
                first.file,
                first.span,
                "routes",
            )
        )
    return out


def pattern_problems(endpoint, first: Route) -> list:
    """Endpoint-level problems of a load balancer, reported once at its first route."""
    name = label(endpoint)
    out = []
    endpoint_name = endpoint.params.get("name")
    if sites.given(endpoint_name):
        pass  # presence-only: an f-string or `.get(k, "literal")` is a name (rules.md FG002)
    elif endpoint_name is not None and not endpoint_name.known:
        out.append(unknown(endpoint, endpoint_name, "`name`", "name"))
    elif endpoint_name is None or endpoint_name.value is None:
        if endpoint.spreads and (endpoint_name is None or endpoint_name.defaulted):
            out.append(unknown(endpoint, endpoint.spreads[0], "the `**` spread", "name"))
        else:
            out.append(
                fail_at(
                    endpoint,
                    f"{name} registers routes but has no name=: the SDK raises 'name is "
                    "required for load-balanced endpoints'",
                    first.file,
                    first.span,
                    "routes",
                )
            )
    if endpoint.targets:
        out.append(
            fail_at(
                endpoint,
                f"{name} is used as a direct decorator (on `{endpoint.targets[0].name}`) and also "
                "registers routes: the SDK raises 'use one pattern or the other'",
                first.file,
                first.span,
                "routes",
            )
        )
    return out


def _verb(route: Route) -> str:
    return str(route.method.value).lower() if route.method.known else "route"


def legacy_routes(endpoint) -> list:
    name = label(endpoint)
    out = _built_as_queue(endpoint)
    by_span = {(r.file, r.span): r for r in endpoint.routes}
    seen: dict[tuple[str, str], Route] = {}
    for path, span in sorted(endpoint.decorator_uses):
        route = by_span.get((path, span))
        method = route.method if route else Value.default(None)
        route_path = route.path if route else Value.default(None)
        undecided = [v for v in (method, route_path) if not v.known]
        if undecided:
            out.append(unknown(endpoint, undecided[0], "the route's `method`/`path`", "routes"))
            continue
        if method.value is None or route_path.value is None:
            out.append(
                fail_at(
                    endpoint,
                    f"{name} is a {endpoint.resource_class}: @remote needs both method= and "
                    f"path= (got method={method.value!r}, path={route_path.value!r}); the SDK "
                    f"raises '{endpoint.resource_class} requires both 'method' and 'path' "
                    "parameters'",
                    path,
                    span,
                    "routes",
                )
            )
            continue
        if not isinstance(method.value, str) or method.value not in HTTP_METHODS:
            hint = ""
            if isinstance(method.value, str) and method.value.upper() in HTTP_METHODS:
                hint = f" (remote() does not upper-case it: write {method.value.upper()!r})"
            out.append(
                fail_at(
                    endpoint,
                    f"{name} route method={python_repr(method)}: remote() raises 'method must be "
                    f"one of {_METHODS}'{hint}",
                    path,
                    span,
                    "routes",
                )
            )
            continue
        out += path_problems(
            endpoint, route, seen, build_time=True, build_checked=_build_checks_routes(endpoint)
        )
    return out


def queue_routes(endpoint) -> list:
    """`@remote(LiveServerless(...), method="POST", path="/run")`: a route on a queue-based
    legacy class (flash_tables.QUEUE_ROUTE_BUILT_AS_LB_FROM). remote() logs that method= and
    path= are ignored; up to runpod-flash 1.10.2 (and in tetra-rp) the build agrees, so the
    route is never served, and from 1.11.0 `flash build` takes a use with both as a load
    balancer route, writing an HTTP handler and no queue handler for a queue-based endpoint.
    A release whose remote() has no `method` parameter leaves it to FG210."""
    if not endpoint.routes or "method" not in keywords(endpoint).remote:
        return []
    name = label(endpoint)
    cls = endpoint.resource_class
    sdk = sdk_of(endpoint)
    first = QUEUE_ROUTE_BUILT_AS_LB_FROM.get(sdk.package) if sdk is not None else None
    built_as_lb = first is not None and release_at_least(sdk, sdk.package, first)
    lb_class = f"{'Cpu' if endpoint.compute == 'cpu' else ''}LiveLoadBalancer"
    fix = (
        f"Use {lb_class}(...) to serve HTTP routes, or remove method= and path= to keep the "
        "queue-based endpoint."
    )
    release = f" in {sdk.package} {sdk.version} ({sdk.this_app()})" if sdk is not None else ""
    out = []
    for route in ordered(endpoint.routes):
        if not (_given(route.method) or _given(route.path)):
            continue  # `method=None, path=None`: nothing asked for
        both = _given(route.method) and _given(route.path)
        if built_as_lb and both:
            what = (
                f"remote() logs that they are ignored, but `flash build`{release} builds it as a "
                "load balancer: an HTTP route handler and no queue handler, on an endpoint that "
                "deploys queue-based"
            )
        else:
            what = (
                f"they are ignored{release}: remote() only logs a warning and `flash build` "
                "registers no route, so no HTTP route is served and the function runs as a "
                "queue job"
            )
        out.append(
            fail_at(
                endpoint,
                f"{name} is a queue-based {cls}, yet @remote gives it "
                f"{_route_keywords(route)}: {what}",
                route.file,
                route.span,
                "routes",
                fix=fix,
            )
        )
    return out


def _given(value: Value) -> bool:
    """A route keyword written with a value other than None (an unknown value counts)."""
    return not value.defaulted and not (value.known and value.value is None)


def _route_keywords(route: Route) -> str:
    given = [k for k, v in (("method", route.method), ("path", route.path)) if _given(v)]
    return " and ".join(f"{k}=" for k in given)


def _build_checks_routes(endpoint) -> bool:
    """Whether `flash build` of the release in use checks this legacy class's routes (an
    unknown release: the newest, which checks every load-balancer class)."""
    sdk = sdk_of(endpoint)
    if sdk is None or BUILD_CHECKED_LB_CLASSES.get(sdk.package) is None:
        return True
    classes = _lb_classes_of_build(endpoint)
    return classes is None or endpoint.resource_class in classes


def _lb_classes_of_build(endpoint) -> frozenset[str] | None:
    """The legacy classes `flash build` of the release in use builds as load balancers, by
    name; None when it decides by isinstance (every load-balancer class) or is not known."""
    sdk = sdk_of(endpoint)
    spans = BUILD_CHECKED_LB_CLASSES.get(sdk.package) if sdk is not None else None
    if spans is None:
        return None
    order = releases.releases(sdk.package)
    here = order.index(sdk.facts_version)
    return next(
        (names for first, names in reversed(spans) if order.index(first) <= here), frozenset()
    )


def _built_as_queue(endpoint) -> list:
    """A load-balancer class the release's scanner does not list by name (tetra-rp
    0.20.0-0.21.0: `CpuLiveLoadBalancer`; before runpod-flash 1.11.0:
    `CpuLoadBalancerSlsResource`) is built as a queue endpoint: `flash build` writes it a
    queue handler and no HTTP routes (tetra-rp 0.20.0 build.py splits handlers by the
    manifest's `is_load_balanced`, which the scanner set from the class name), so none of
    its routes is served. A release whose build checks no route at all (tetra-rp before
    0.20.0) is not judged here."""
    classes = _lb_classes_of_build(endpoint)
    if not classes or endpoint.resource_class in classes or not endpoint.decorator_uses:
        return []
    sdk = sdk_of(endpoint)
    names = sorted(classes)
    known = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
    return [
        fail_at(
            endpoint,
            f"{label(endpoint)} is a {endpoint.resource_class}, but `flash build` in "
            f"{sdk.package} {sdk.version} ({sdk.this_app()}) builds only {known} as load "
            "balancers (by class name): it writes this one a queue handler and no HTTP "
            "routes, so none of its routes is served",
            endpoint.path,
            endpoint.span,
            "routes",
            fix=(
                f"Upgrade {sdk.package} (later builds know {endpoint.resource_class}), or "
                "use a class this build serves routes for."
            ),
        )
    ]


def _reserved_paths(endpoint) -> frozenset[str]:
    """The paths `flash build` refuses for a legacy route in the release in use."""
    sdk = sdk_of(endpoint)
    span = MANIFEST_RESERVED_RELEASES.get(sdk.package) if sdk is not None else None
    if span is None:
        return RESERVED_PATHS
    order = releases.releases(sdk.package)
    if order.index(span[0]) <= order.index(sdk.facts_version) <= order.index(span[1]):
        return RESERVED_PATHS | {"/manifest"}
    return RESERVED_PATHS


def path_problems(
    endpoint, route: Route, seen: dict, build_time: bool, build_checked: bool = True
) -> list:
    """Path format, reserved paths and duplicates for one route; records it in `seen`.
    `build_checked` False: a legacy route `flash build` never looks at, only the format
    `remote()` checks applies."""
    name = label(endpoint)
    variable = endpoint.variable or "ep"
    value = route.path
    where = (route.file, route.span)
    if not value.known:
        if value.text == "<no path>":
            return [
                fail_at(
                    endpoint,
                    f"@{variable}.{_verb(route)}() on {name} has no path: the decorator needs "
                    f'one, e.g. @{variable}.{_verb(route)}("/items")',
                    *where,
                    "routes",
                )
            ]
        return [unknown(endpoint, value, "the route path", "routes")]
    raw = value.value
    # through a module-level constant: the message names it (rules.md, where a finding points)
    via = f" (through `{value.via}`)" if value.via else ""
    if not isinstance(raw, str):
        return [
            fail_at(
                endpoint,
                f"{name} route path {python_repr(raw)}{via} is not a string starting with '/'",
                *where,
                "routes",
                value=value,
            )
        ]
    if not raw.startswith("/"):
        return [
            fail_at(
                endpoint,
                f"{name} route path {raw!r}{via} does not start with '/': the SDK raises "
                "'path must start with '/''",
                *where,
                "routes",
                value=value,
            )
        ]
    if build_time and not build_checked:
        return []
    reserved = _reserved_paths(endpoint) if build_time else RESERVED_PATHS
    if raw in reserved:
        when = "`flash build` fails" if build_time else "the SDK raises at import"
        if raw not in RESERVED_PATHS:
            sdk = sdk_of(endpoint)
            when += f" in {sdk.package} {sdk.version} ({sdk.this_app()})"
        return [
            fail_at(
                endpoint,
                f"{name} route path {raw!r}{via} is reserved by the framework "
                f"({', '.join(sorted(reserved))}); {when}",
                *where,
                "routes",
                value=value,
            )
        ]
    method = str(route.method.value).upper()
    key = (method, raw)
    if key in seen:
        first = seen[key]
        when = "`flash build` fails" if build_time else "the SDK raises at import"
        return [
            fail_at(
                endpoint,
                f"{name} registers {method} {raw} twice: it is already registered to "
                f"`{first.handler}` ({first.file}:{first.span.line}); {when} with "
                "'duplicate route'",
                *where,
                "routes",
                value=value,
            )
        ]
    seen[key] = route
    return []
