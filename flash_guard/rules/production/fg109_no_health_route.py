"""FG109: a load-balanced endpoint without a GET health route."""

from __future__ import annotations

from dataclasses import dataclass

from flash_guard.checks.base import Check, fail, param_doc, register, unknown
from flash_guard.project.apps import app_map


@dataclass
class Params:
    health_paths: list[str] = param_doc(
        default=["/health"], doc="Paths that count as a health route when served with GET."
    )


@register
class HealthRoute(Check):
    """Collects every route registered on the endpoint object, in any file of the project,
    and fails when none is `GET` at one of `health_paths`. `/ping` is reserved by the
    framework and cannot be the user's health route. Routes registered from a file of another
    app (a directory with its own project marker) do not count: each app is built on its
    own. A runpod 2.0 `@app.api` factory's
    routes are those of the app it returns: its `@web.get(...)`/`@web.api_route(...)`
    decorators (also in their call form, `web.get("/health")(fn)`) and `add_api_route`
    calls, a `FastAPI(routes=[APIRoute(...), Route(...)])` table, and the routes of every
    project `APIRouter` it `include_router`s (in this module or imported, under another name
    too: `r = router`; nested routers too; also in a loop over a literal tuple of routers),
    under the include's and the router's `prefix=`. A factory that returns the app another
    project function builds (`return create_app()`, `return web.create_app(settings)`, that
    function building a `FastAPI()` or returning a module-level one) has that app's routes.
    Whatever cannot be read that way (a router from an installed package or built by a call,
    a prefix known only at run time, `mount`, a Starlette route table, a route table that is
    not a literal list, a route registered on a router after it is included, or an app from
    an installed package or a function that builds none itself) is undecidable (FG002) unless
    a visible route already serves the health check. A health route registered in a
    module-level `for` loop that `flash build` does not deploy (FG301: each iteration rebinds
    the handler's name, or a later item re-registers its function) does not count. When the
    endpoint serves a GET route that names a health check another way (`/healthz`, `/status`,
    `/readyz`, `/v1/health`), the finding says so and its fix is adding that path to
    `health_paths`. A runpod-flash endpoint whose file registers the health route on a
    module-level `FastAPI()`/`APIRouter()` of its own (`@web.get("/health")`) still fails:
    the load-balancer handler `flash build` generates serves only the Endpoint's routes; the
    finding names that route and the fix moves it onto the Endpoint."""

    id = "no-health-route"
    Params = Params
    kinds = ("load_balancer",)

    def check(self, endpoint, params: Params, ctx):
        undecided = None
        dropped = None  # a health route a loop registers that flash build does not deploy
        routes, elsewhere = _routes_by_app(endpoint, ctx.analysis)
        for route in routes:
            if not (route.method.known and route.path.known):
                undecided = undecided or (route.path if not route.path.known else route.method)
                continue
            if str(route.method.value).upper() == "GET" and route.path.value in params.health_paths:
                if route.dropped is None:
                    return []
                dropped = dropped or route
        if undecided is not None:
            return [unknown(endpoint, undecided, "a route path", "routes")]
        if endpoint.hidden_routes is not None:
            return [unknown(endpoint, endpoint.hidden_routes, "a route source", "routes")]
        wanted = " or ".join(params.health_paths)
        path = params.health_paths[0] if params.health_paths else "/health"
        fix = None
        if endpoint.sdk == "runpod2":  # routes are class methods or the factory's app's
            fix = (
                f'Add a GET route: a `@runpod.get("{path}")` method on the @app.api class (or '
                f'`@web.get("{path}")` on the app its factory returns) returning a cheap status.'
            )
        message = (
            f"load-balanced `{endpoint.display_name}` has no GET {wanted} route for monitoring"
        )
        if dropped is not None:
            message += (
                f" (the `{dropped.shown()}` on `{dropped.handler}` {dropped.dropped[0]} is not "
                "deployed, FG301)"
            )
        foreign = _unserved_app_route(endpoint, ctx.analysis, params.health_paths)
        if foreign is not None:
            app, where = foreign
            message += (
                f" (the GET {path} at {where} is on `{app}`, a FastAPI app of its own that "
                "flash build never serves: only routes on the Endpoint are)"
            )
            fix = f'Register it on the Endpoint: @{endpoint.variable or "api"}.get("{path}").'
        other_app = next(
            (
                r
                for r in elsewhere
                if r.method.known
                and r.path.known
                and str(r.method.value).upper() == "GET"
                and r.path.value in params.health_paths
            ),
            None,
        )
        if other_app is not None:
            message += (
                f" (the GET {other_app.path.value} in {other_app.file}:{other_app.span.line} "
                "belongs to another app, which is built and deployed on its own)"
            )
        own = _health_like(routes)
        if own is not None:
            # `/healthz`, `/status`: most likely the health route under another name
            message += (
                f" (it serves GET {own}: if that is its health route, add it to health_paths)"
            )
            fix = (
                f"Add {own} to FG109's health_paths in .flash-guard.yaml (rules: FG109: params: "
                f"health_paths: [{', '.join([*params.health_paths, own])}]), or serve GET {path}."
            )
        return [fail(endpoint, message, None, "routes", fix)]


APP_CLASSES = ("FastAPI", "APIRouter")


def _routes_by_app(endpoint, analysis) -> tuple[list, list]:
    """AppMap.split_routes, without a map when every route is in the endpoint's own file."""
    if analysis is None or all(route.file == endpoint.path for route in endpoint.routes):
        return list(endpoint.routes), []
    return app_map(analysis).split_routes(endpoint)


def _unserved_app_route(endpoint, analysis, health_paths) -> tuple[str, str] | None:
    """(app name, "file:line") of a `@web.get("/health")` in the endpoint's file, `web` a
    module-level `FastAPI()`/`APIRouter()`: runpod-flash's load-balancer handler builds its
    own app from the routes registered on the Endpoint (build_utils/lb_handler_generator.py
    `create_lb_handler(ROUTE_REGISTRY)`), so a route on another app is never served."""
    if endpoint.sdk == "runpod2" or analysis is None:
        return None
    facts = analysis.modules.files.get(endpoint.path)
    if facts is None:
        return None
    apps = set()
    for assign in facts.assignments:
        if assign.namespace is not None or not assign.value.may_be_call():
            continue
        callee = assign.value.callee()
        if callee is not None and callee.dotted().rsplit(".", 1)[-1] in APP_CLASSES:
            apps.add(assign.target)
    for decorated in facts.decorated if apps else ():
        for decorator in decorated.decorators:
            func = decorator.items[0] if decorator.kind == "call" and decorator.items else None
            if func is None or func.kind != "attr" or func.value != "get":
                continue
            receiver = func.items[0] if func.items else None
            if receiver is None or receiver.kind != "name" or receiver.value not in apps:
                continue
            first = decorator.items[1] if len(decorator.items) > 1 else None
            if first is not None and first.kind == "lit" and first.value in health_paths:
                return receiver.value, f"{endpoint.path}:{decorator.span.line}"
    return None


# GET paths that name a health check, as services commonly spell it (Kubernetes' `/healthz`,
# `/livez`, `/readyz`; `/healthcheck`, `/status`, `/alive`...), compared without a trailing `/`
_HEALTH_WORDS = ("health", "healthz", "healthcheck", "livez", "readyz", "live", "ready", "alive")
_HEALTH_WORDS += ("liveness", "readiness", "status", "heartbeat")


def _health_like(routes) -> str | None:
    """The first known GET route whose last path segment names a health check."""
    for route in routes:
        if not (route.method.known and route.path.known) or not isinstance(route.path.value, str):
            continue
        if route.dropped is not None:  # the build does not deploy it (FG301)
            continue
        if not route.path.value.startswith("/"):
            continue  # both SDKs reject it (FG204): not a name for health_paths
        last = route.path.value.rstrip("/").rsplit("/", 1)[-1].lower()
        if str(route.method.value).upper() == "GET" and last in _HEALTH_WORDS:
            return route.path.value
    return None
