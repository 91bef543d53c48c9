"""FG215: a runpod 2.0 handler shape that fails at decoration, at build or on the worker."""

from __future__ import annotations

from flash_guard.checks import deploy_support as runpod2
from flash_guard.checks.base import Check, Outcome, fail_at, register, unknown
from flash_guard.sdk.in_use import has_flash_build, release_at_least, sdk_of

# The first runpod-flash release with `Endpoint(max_concurrency=...)` and the concurrent
# handler template that goes with it.
MAX_CONCURRENCY_FROM = "1.13.0"


@register
class InvalidHandler(Check):
    """Reads what the runpod 2.0 front-end found while it collected each `@app.queue`, `@app.api`
    and `@app.task` declaration: `@app.queue` on a class; an `@app.api` class without route
    markers, with two `@runpod.init` methods, with a required `__init__` parameter, or with a
    marker placed above `@staticmethod` (the marker is lost), or a marked method that takes no
    positional parameter and is not a `@staticmethod` (`def health():`: the runtime calls it
    bound to the instance, a TypeError on every call); an `@app.api` factory with required
    parameters, or one with no `return <value>` (the worker serves None: /ping answers, every
    other request fails, runtime `_build_factory_app`); a startup hook with required
    parameters (an `@runpod.init` method, a queue's `@handle.init`: the worker calls it with
    none before serving); a task's
    `@handle.init`, which nothing calls on the task's pod; a problem in a route or hook an
    `@app.api` class inherits from a base class of another module is reported in that module,
    where the code is; a GET handler that takes parameters, or a body handler with more than one
    required parameter or a required keyword-only one (the runtime calls GET handlers with none
    and body handlers with the JSON body as the one positional argument, `fn(body)`, or with
    none: a TypeError per request in rc2); a class route's body parameter annotated with a
    pydantic model (a project class deriving `BaseModel`, through project bases too) or a
    dataclass, which the runtime never builds: it passes the parsed JSON, a dict, so attribute
    access fails per request (runtime `api/server.py` `_mount_routes`; a factory's FastAPI
    routes do validate models and are not concerned); a class route path with a `{parameter}`
    template, which FastAPI matches but the runtime never passes (a GET handler's optional
    parameter of that name is then not reported again); a `runpod_flash` enum object given to
    a 2.0 decorator, or a member of a project `Enum` (rc2 gets the member object, not its
    value) written there or reaching it through constants, another module, a list or a dict
    of members; a decorator applied to a value, a plain or callable instance of a project
    class or a `functools.partial` (`app.api(...)(Gateway("/v1"))`: InvalidResourceError or
    AttributeError at import; a queue's or task's: AttributeError in `rp flash deploy`'s
    build_manifest, which reads `__name__`); `runpod.Endpoint(...)` used as a declaration (it
    is the HTTP client); and a
    `runpod.Queue(...)`/`runpod.Api(...)` stub called otherwise than with keywords `app=` and
    exactly one of `name=`/`id=` (`runpod.Queue("endpoint-id")` raises TypeError); and
    `@runpod.init` or a route marker on a module-level function or on a class, which only
    stamps an attribute that rc2 reads on `@app.api` class methods (a queue's hook is
    `@handle.init`); and an `@app.queue`/`@app.task` handle called like a function
    (`tokenize(text)` in a module-level function or class of the project:
    `FunctionHandle.__call__` raises TypeError, the call is `.remote(...)`; runpod_flash
    endpoints were called directly). Handlers built with the call form
    (`h = app.queue(...)(fn)`) are not inspected. A module-level call that hands an App to
    project code flash-guard cannot follow (`for plugin in PLUGINS: plugin(app)`, a helper
    called per item of a loop) registers handlers it cannot see: FG002 at that call.

    runpod-flash (`_sync_concurrent`): a plain `def` function that an `Endpoint` with
    `max_concurrency` above 1 decorates. `flash build` imports the module locally, where the
    decorator returns an async stub, so its scanner marks the function async and generates
    the concurrent handler, `result = await fn(**job_input)`; on the worker the decorator
    returns the function itself, so every job awaits a plain value and returns `{"error":
    "object dict can't be used in 'await' expression"}`. A decorated class with at least one
    public `async def` method gets the concurrent class handler, which awaits whichever
    method a job names: each plain public `def` method fails the same way (a class of plain
    methods only gets the sync handler, which works). Decorated methods are not judged
    (runpod-flash 1.21
    build_utils/scanner.py, handler_generator.py, client.py `_should_execute_locally`;
    run against the generated handler in tests)."""

    id = "invalid-handler"
    scope = "project"
    kinds = ("queue", "load_balancer", "task", "client")

    def check_project(self, endpoints, params, ctx) -> list[Outcome]:
        out = runpod2.project_outcomes(endpoints, "FG215")
        stray = ctx.analysis.modules.runpod2_stray if ctx.analysis is not None else []
        out += [Outcome("fail", m, path, span) for code, m, path, span in stray if code == "FG215"]
        # The App handed to project code flash-guard cannot follow (`for plugin in PLUGINS:
        # plugin(app)`): the handlers it registers are not known, so neither is this rule
        # (FG002 at the call), rather than "all checks passed" with nothing found.
        out += [
            Outcome("unknown", m, path, span, unknown_text=_call_text(m))
            for code, m, path, span in stray
            if code == "FG002"
        ]
        for endpoint in endpoints:
            out += _sync_concurrent(endpoint)
        return out


def _sync_concurrent(endpoint) -> list[Outcome]:
    """A runpod-flash queue `Endpoint` with max_concurrency > 1 on a plain `def` function:
    the handler `flash build` generates awaits what the function returns (class docstring)."""
    if endpoint.sdk != "runpod_flash" or endpoint.api != "endpoint" or endpoint.kind != "queue":
        return []
    if not has_flash_build(endpoint):
        return []
    if not release_at_least(sdk_of(endpoint), "runpod-flash", MAX_CONCURRENCY_FROM):
        return []  # no max_concurrency there: FG210
    sync = [(t, t.name, t.span) for t in endpoint.targets if not t.is_class and not t.is_async]
    sync += _sync_methods(endpoint)
    value = endpoint.params.get("max_concurrency")
    if not sync or value is None or value.defaulted:
        return []
    if not value.known:
        return [unknown(endpoint, value, "`max_concurrency`", "max_concurrency")]
    limit = value.value
    if not isinstance(limit, int) or isinstance(limit, bool) or limit <= 1:
        return []
    sdk = sdk_of(endpoint)
    out = []
    for target, name, span in sync:
        message = (
            f"`{endpoint.display_name}`: `{name}` is a plain `def` but max_concurrency="
            f"{limit}: the handler flash build generates ({sdk.package} {sdk.version}) does "
            f"`await {name}(...)`, and on the worker it returns a plain value, so every "
            "call fails with \"object ... can't be used in 'await' expression\""
        )
        fix = (
            f"Make `{name}` an `async def` (run blocking work with `await "
            "asyncio.to_thread(...)`), or drop max_concurrency."
        )
        out.append(fail_at(endpoint, message, target.path or endpoint.path, span, "handler", fix))
    return out


def _sync_methods(endpoint) -> list:
    """The plain `def` public methods of a decorated class that also has an `async def` one:
    the build then picks the concurrent class template, which awaits whichever method a job
    names (a class of plain methods only gets the sync template, which runs them)."""
    out = []
    for target in endpoint.targets:
        if not target.is_class or not any(is_async for _, is_async, _ in target.methods):
            continue
        out += [(target, f"{target.name}.{m}", at) for m, a, at in target.methods if not a]
    return out


def _call_text(message: str) -> str:
    """The call a "cannot tell" message names in backquotes (the FG002 finding's key)."""
    return message.split("`", 2)[1] if message.count("`") >= 2 else message
