"""FG301: a declaration that `flash build` never sees, so nothing is deployed."""

from __future__ import annotations

import dataclasses

from flash_guard.checks.base import Check, Outcome, decide_candidates, fail_at, register
from flash_guard.checks.package_imports import init_only_imports
from flash_guard.checks.placement import (
    BUILD_IMPORTS_FROM,
    Hidden,
    availability_flags,
    build_ignore_list_applies,
    called_at_import,
    first_built_declarations,
    hidden_at,
    no_flash_build,
    runpod2_undeployed,
    runtime_provisioned,
)
from flash_guard.checks.sites import build_calls, declaration_call, factory_of, uses
from flash_guard.sdk.in_use import release_at_least, sdk_of


@register
class NotDeployed(Check):
    """Mirrors how `flash build` discovers endpoints: it copies the project minus its
    built-in ignore patterns, imports every module except `__init__.py`, and reads the
    module's globals for decorated functions and routes (flash-sdk.md §5).

    It fails, at the declaration, when the declaration sits in an `__init__.py`, under an
    ignored path (a `tests/`, `docs/`, `env/`, `build/`, `dist/`, `venv/` or `.venv/`
    directory at any depth, `test_*.py`, `*_test.py`; built-ins from runpod-flash 1.12,
    never in tetra-rp, whose build from 0.20 also scans `__init__.py`), in a function or
    class body, in a
    loop, or in a conditional block at module level (`if`/`elif`/`else`, `match`, `try`/
    `except`; a module-level `with` or `finally` body always runs and is not flagged).
    `if __name__ == "__main__":` and `if TYPE_CHECKING:` bodies never run under the build.
    It also fails when an `Endpoint` without `id=`/`image=` is never used as a decorator or
    for a route, or only in such hidden places; and at each hidden decorator use or route of
    an endpoint that is otherwise deployed. Before runpod-flash 1.11 (and in tetra-rp) the
    build parses the source for decorators named `remote` instead of importing: a legacy
    function given `remote(...)` through a name (`@gpu_remote`), an alias (`@r(cfg)`) or the
    call form (`fn = remote(cfg)(fn)`) is not deployed there. A route registered without `@`
    (`api.get("/health")(health)`) is a route: the SDK stamps and returns the handler, which
    the build finds under its module-level name; one whose handler no module-level name holds
    (`api.post("/m")(make_handler("m"))`, the result not bound) is registered at import but
    never found by the build, and fails at the route. A route registered in a module-level `for`
    loop over a known table is one route per item, with its own path; the build keeps the last route
    registered on each function, found under a module-level name: a route fails when no name holds
    its handler (`make_handler(name)`), when each iteration rebinds the name that does (a decorated
    def, the loop variable holding lambdas) and it is not the last item's, or when a later item
    registers the same function again. A module-level `Endpoint(image=...)` needs no use: `flash
    deploy` provisions it (1.21). An entry of a module-level dict comprehension registry
    (`WORKERS = {k: Endpoint(...) for k in NAMES}`) that no import-time code names by its key
    (`@WORKERS["qwen"]`) fails once per entry, an `image=` one too: the build reads module
    globals, not a dict's entries; a registry read with a computed key is not reported.
    A route decorated directly in a module-level function that the module calls at import is
    registered by the call: it is deployed when the function returns its handler and the result
    is bound to a module-level name (`status = register()`), and fails otherwise, saying so.
    A module-level `if` on an import-availability flag (`try: import
    runpod_flash` ... `HAVE_FLASH = True`, then `if HAVE_FLASH:`) counts as taken: the build machine
    has the SDK. A declaration a project factory builds is placed where the factory is called: the
    finding points at the factory's `Endpoint(...)` and names the factory and where it is called
    (`built here by make(), which is called inside function setup (app.py:5)`).

    A runtime-provisioned declaration (inside a function, configured from the function's
    parameters or run-time data, values read from the environment when it runs included
    (`os.getenv("K", d)`, a settings field with an environment default), and so an unresolved
    `**kwargs` spread (`Endpoint(**kwargs)` from a dict filled then), and used by the same
    code: called, awaited, `.run`/`.runsync`,
    returned to another function of the file, or of a module importing it, that runs it
    (`ep = get_endpoint()` then `ep.run(...)`, a lazy client; `VllmBackend().endpoint().run(...)`
    for a method), or the function is called from a `__main__` block, directly or through
    other functions of the file a few calls deep, or the function is test support code in a
    pytest path (`tests/`, `test_*.py`, `*_test.py`, `conftest.py`), such as an e2e provisioner
    whose fixture may live outside the tree) is a script that creates its endpoint when it
    runs. It gets one info finding saying so, and no FG002 or FG303. An `image=` endpoint so
    configured counts however its caller keeps it (a dict of endpoints handed to a test
    fixture): client mode creates it on its first request (runpod-flash 1.21
    `_ensure_endpoint_ready`), and it can decorate nothing. `return Endpoint(...)` in
    a function or method is a declaration there, as `ep = Endpoint(...)` is.
    A deployed declaration whose function module-level code of its own file, or of another
    module of the app that imports it (`import worker` then `worker.encode(...)`, `from worker
    import encode`; not one the build leaves out, such as `tests/`), calls on import
    (`asyncio.run(infer(...))`, or `asyncio.run(main())` whose `main()` awaits it, a few calls
    deep; not under a `__main__` guard) fails at that call: from runpod-flash 1.11 `flash build`
    imports each module to find endpoints, so the build starts a remote job, and a job that
    cannot finish fails the import and stops the build (1.21: `Failed to load`, exit 1).
    From 1.11 it also fails at each import-time `from <package> import <name>` (absolute or
    relative, not in a function, `try` or `__main__`/`TYPE_CHECKING` guard) in a module the
    build imports, where `<package>` is a directory of the app holding a module the build
    imports and `<name>` is no submodule of it but is defined or re-exported by its
    `__init__.py`: the build's scan stands an empty package in for the directory and never
    runs `__init__.py`, so the import fails and the build stops (1.21: `cannot import name
    'speak' from 'workers' (unknown location)`). `from workers.tts import speak`, `from
    workers import tts` and `import workers.tts` work. So does `import workers` followed by
    `workers.speak` in code the import runs (the first use of each name; 1.21: `AttributeError:
    module 'workers' has no attribute 'speak'`). The whole build stops, so each such
    import is reported once, with the app's first module-level declaration (an app whose
    declarations all sit in functions is not built: none). A helper module that never names
    the SDK is imported by the build too: of those, only the few whose import lines (kept from
    the byte scan) name a package whose `__init__.py` provides an imported name are parsed.
    A runpod 2.0 declaration is read as `rp flash deploy` discovers it (runpod-sdk2.md §5.5):
    it fails under a `__main__` or `TYPE_CHECKING` guard, inside a function nothing calls at
    import (directly or through module-level functions a few calls deep: `setup()` at module
    level calling `register()` registers; so does a helper, method or class `__init__` that
    module-level code hands the App to, `register_all(app)`, `Plugin().install(app)`, `for
    plugin in PLUGINS: plugin(app)`), in a module-level conditional (created only if
    that branch runs; so is what a hand-off there registers, `if settings.ASR:
    register_asr(app)`; the `else:` of a `__main__` guard runs), or in a directory
    discovery skips (`build/`, `dist/`, `venv/`, ...).
    What 2.0 deploys but cannot serve (a loop, a class body, a function called at import,
    `tests/`) is FG306's. A tetra-rp release without `flash build` (before 0.14) deploys
    nothing ahead of time: `@remote` provisions the resource on its first call wherever it
    is declared, so there is nothing to report."""

    id = "not-deployed"

    def check(self, endpoint, params, ctx):
        # The app-wide import findings do not depend on the endpoint's candidate values: only
        # its own placement is decided over them.
        imports = [] if endpoint.sdk == "runpod2" else _init_only_imports(endpoint, ctx)
        return imports + decide_candidates(endpoint, None, lambda ep: self._declared(ep, ctx))

    check.decides_candidates = True

    def _declared(self, endpoint, ctx) -> list[Outcome]:
        analysis = ctx.analysis
        name = f"`{endpoint.display_name}`"
        if endpoint.sdk == "runpod2":
            hidden = runpod2_undeployed(endpoint, analysis)
            if hidden is None:
                return []
            message = f"{name} is declared {hidden.where}: {hidden.why}"
            fix = (
                "Declare the resource with @app.queue/@app.api/@app.task at module level of a "
                "module rp flash deploy imports."
            )
            gone = "no endpoint is created"
            return [
                fail_at(
                    endpoint, _tail(message, hidden, gone), endpoint.path, endpoint.span, fix=fix
                )
            ]
        if no_flash_build(endpoint):
            return []
        return self._placement(endpoint, analysis, name)

    def _placement(self, endpoint, analysis, name: str) -> list[Outcome]:
        files = analysis.modules.files
        image = endpoint.kind == "image"
        gone = "flash deploy does not provision it" if image else "nothing is deployed"
        provisioned = runtime_provisioned(endpoint, analysis)
        if provisioned is not None:
            message = (
                f"{name} is provisioned at run time ({provisioned}): flash build does not "
                "deploy it, the code creates it when it runs"
            )
            fix = (
                "Nothing to do if the script is meant to create it; to have `flash deploy` "
                "provision it, declare it at module level with literal values."
            )
            outcome = fail_at(endpoint, message, endpoint.path, endpoint.span, "runtime", fix)
            outcome.severity = "info"
            return [outcome]
        declaration = declaration_call(endpoint, files)
        flags = availability_flags(files.get(endpoint.path))
        sdk = sdk_of(endpoint)
        hidden = hidden_at(
            endpoint.path, declaration.placement, declaration.blocks, flags, endpoint.app, sdk
        )
        if hidden is not None:
            message = f"{name} is declared {hidden.where}: {hidden.why}"
            factory = factory_of(endpoint, files)
            if (
                factory is not None
                and hidden_at(endpoint.path, "module", (), flags, endpoint.app, sdk) is None
            ):
                # Located at the factory's `Endpoint(...)`, placed where the factory is called.
                site_path, site_span = endpoint.factory_call
                message = (
                    f"{name} is built here by `{factory}()`, which is called {hidden.where} "
                    f"({site_path}:{site_span.line}): {hidden.why}"
                )
            return [fail_at(endpoint, _tail(message, hidden, gone), endpoint.path, endpoint.span)]
        run_at_import = called_at_import(endpoint, analysis)
        if run_at_import is not None:
            return [_run_at_import(endpoint, name, run_at_import)]
        if endpoint.registry is not None:
            return [_unused_entry(endpoint, name, image, gone)]
        if image:
            return []
        all_uses = _unscanned_remote_uses(endpoint, uses(endpoint, files), files)
        if not all_uses:
            if endpoint.api == "legacy":
                return []
            var = endpoint.variable or "ep"
            message = (
                f"{name} is an `Endpoint` that is never used as a decorator (`@{var}`) or "
                f"for a route (`@{var}.post(...)`): flash build only deploys endpoints with a "
                f"decorated function or a route, so {gone}"
            )
            return [fail_at(endpoint, message, endpoint.path, endpoint.span)]
        hidden_uses = [
            (use, reason)
            for use in all_uses
            if (
                reason := Hidden(*use.dropped)
                if use.dropped
                else hidden_at(
                    use.path,
                    use.placement,
                    use.blocks,
                    availability_flags(files.get(use.path)),
                    endpoint.app,
                    sdk,
                )
            )
            is not None
        ]
        if len(hidden_uses) == len(all_uses):
            use, reason = hidden_uses[0]
            message = f"{name} is only used {reason.where} ({use.label}): {reason.why}"
            return [
                fail_at(
                    endpoint,
                    _tail(message, reason, gone),
                    endpoint.path,
                    endpoint.span,
                    fix=_use_fix(reason),
                )
            ]
        return [
            fail_at(
                endpoint,
                _tail(
                    f"{use.label} is {reason.where}: {reason.why}",
                    reason,
                    f"{name} is deployed without it",
                ),
                use.path,
                use.span,
                parameter=f"use:{use.target}",
                fix=_use_fix(reason),
            )
            for use, reason in hidden_uses
        ]


def _init_only_imports(endpoint, ctx) -> list[Outcome]:
    """The app's imports of a name only a project package's `__init__.py` provides, which
    stop a 1.11+ build (checks/package_imports.py). The whole build stops, so each is
    reported once, with the app's first declaration the build would deploy."""
    sdk = sdk_of(endpoint)
    if not release_at_least(sdk, "runpod-flash", BUILD_IMPORTS_FROM) or no_flash_build(endpoint):
        return []
    if _app_owners(ctx).get(endpoint.app) != (endpoint.path, endpoint.span):
        return []
    found = init_only_imports(ctx.analysis, endpoint.app, build_ignore_list_applies(sdk))
    return [_init_only_import(endpoint, f) for f in found]


def _app_owners(ctx) -> dict[str, tuple]:
    memo = ctx.analysis.__dict__.get("_fg301_app_owners")
    if memo is None:
        memo = ctx.analysis.__dict__["_fg301_app_owners"] = first_built_declarations(ctx.endpoints)
    return memo


def _init_only_import(endpoint, found) -> Outcome:
    package = found.init.rsplit("/", 1)[0]
    how = "re-exports" if found.instead else "defines"
    used = f" (after `{found.after}`)" if found.after else ""
    error = "AttributeError" if found.after else "ImportError"
    message = (
        f"`{found.statement}`{used}: flash build imports modules with `{package}/` as an "
        f"empty stand-in package and never runs `{found.init}`, which {how} it: {error}, "
        "the build stops and nothing is deployed"
    )
    if found.instead and found.after:
        name = found.statement.rsplit(".", 1)[1]
        fix = f"Import it from its module (`{found.instead}`) and use `{name}`."
    elif found.instead:
        fix = f"Import it from its module: `{found.instead}`."
    else:
        fix = (
            f"Move it out of `{found.init}` into a module of the package and import it from there."
        )
    return fail_at(endpoint, message, found.path, found.span, f"init-import:{found.statement}", fix)


def _unused_entry(endpoint, name: str, image: bool, gone: str) -> Outcome:
    """An entry of a module-level dict comprehension registry that nothing applies: the
    build reads module globals, never a dict's entries (runpod-flash 1.21 RuntimeScanner)."""
    entry = endpoint.registry
    if image:
        message = (
            f"{name} is kept only as `{entry}`: flash deploy provisions module-level "
            "`Endpoint(image=...)` names, not a dict's entries, so it is not provisioned"
        )
        fix = f"Bind it to a module-level name (`ep = {entry}`)."
    else:
        message = (
            f"{name} (`{entry}`) is never applied as a decorator or route: flash build finds "
            f"only functions an entry is applied to, so {gone}"
        )
        fix = f"Apply it (`@{entry}` on a module-level function) or drop its key."
    return fail_at(endpoint, message, endpoint.path, endpoint.span, f"entry:{entry}", fix)


NOT_A_REMOTE_DECORATOR = "in a form other than a `@remote(...)` decorator"
REMOTE_DECORATOR_FIX = (
    "Write `@remote(config, ...)` directly above the function (not through a name, an alias "
    "or `remote(...)(fn)`), or pin runpod-flash 1.11 or later, whose build imports the module."
)


def _use_fix(reason: Hidden) -> str | None:
    return REMOTE_DECORATOR_FIX if reason.where == NOT_A_REMOTE_DECORATOR else None


def _unscanned_remote_uses(endpoint, all_uses: list, files) -> list:
    """Before runpod-flash 1.11 (and in every tetra-rp with a build) `flash build` finds
    legacy functions by parsing the source for decorators named `remote` (`@remote(...)`,
    `@rf.remote(...)`; build_utils/scanner.py `RemoteDecoratorScanner`) and imports nothing.
    A function given the decorator another way is never seen: `@gpu_remote` (a name bound to
    `remote(...)`), the call form `remote(...)(fn)`, or an alias (`@r(cfg)`). From 1.11 the
    build imports the module and finds them all. Checked with tetra-rp 0.25.2 and
    runpod-flash 1.8.1 (scanner) against 1.21 (RuntimeScanner)."""
    if endpoint.api != "legacy":
        return all_uses
    sdk = sdk_of(endpoint)
    if sdk is None or release_at_least(sdk, "runpod-flash", BUILD_IMPORTS_FROM):
        return all_uses
    scanned = {
        (call.path, call.expr.span)
        for call in build_calls(endpoint, files)
        if call.callee_name == "remote"
    }
    why = (
        f"{sdk.package} {sdk.version}'s flash build finds functions only by parsing the "
        "source for decorators named `remote` (it imports nothing)"
    )
    return [
        dataclasses.replace(use, dropped=(NOT_A_REMOTE_DECORATOR, why))
        if use.kind == "decorator" and not use.dropped and (use.path, use.span) not in scanned
        else use
        for use in all_uses
    ]


def _tail(message: str, hidden: Hidden, consequence: str) -> str:
    return f"{message}, so {consequence}" if hidden.certain else message


def _run_at_import(endpoint, name: str, call) -> Outcome:
    """The endpoint's function runs whenever its module is imported, and `flash build`
    imports every module to find endpoints (runpod-flash 1.11+): the build starts the job, and
    when it cannot finish (no network or key, or over the scanner's 30 s) the import fails and
    the build stops (verified offline with 1.21: `Failed to load: hello.py: ConnectError`,
    exit 1, no manifest)."""
    through = f" through `{call.through}()`" if call.through else ""
    function = f"`{call.function}`"
    subject = function if name == function else f"{name}'s function {function}"
    module = f"`{call.path}`, which imports it" if call.path else "its module"
    message = (
        f"{subject} runs on every import of {module} "
        f"(`{_short(call.text)}`{through}): flash build imports each module, so it starts a "
        "remote job, and one that cannot finish (no network or key, over 30 s) fails the "
        "import and stops the build"
    )
    fix = 'Call it under `if __name__ == "__main__":` so importing the module runs no job.'
    return fail_at(endpoint, message, call.path or endpoint.path, call.span, "import-call", fix)


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
