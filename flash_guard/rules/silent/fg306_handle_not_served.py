"""FG306: a runpod 2.0 handle that `rp flash deploy` deploys but the worker cannot find."""

from __future__ import annotations

from flash_guard.checks.base import Check, fail, register
from flash_guard.checks.placement import runpod2_undeployed
from flash_guard.project.runpodignore import ShippedFiles

_WHERE = {
    "function": "is declared inside a function",
    "loop": "is declared in a loop",
    "class": "is declared in a class body",
    "container": (
        "is kept in a container, passed to a call or not assigned at all, rather than bound "
        "to a module-level name"
    ),
    "unbound": "is not bound to a module-level name of the file that defines its function",
    "wrapped_above": (
        "is wrapped by a project decorator above it, so the module-level name holds the "
        "wrapper, not the handle"
    ),
    "wrapped": (
        "decorates the wrapper a decorator from another module returns (rc2 records the file "
        "of the function it is given, `inspect.getfile` does not unwrap, so the worker looks "
        "for the handle in that module)"
    ),
}


def unshipped(root, path: str, app: str) -> str | None:
    """Why the build leaves `path` (project-relative) out of the app's artifact, or None."""
    inside = app not in (".", "") and path.startswith(app + "/")
    rel = path[len(app) + 1 :] if inside else path
    base = None if root is None else (root / app if inside else root)
    return ShippedFiles(base).excluded(rel)


@register
class HandleNotServed(Check):
    """A queue or api resource is deployed when discovery imports its module, but the worker finds
    its handle by scanning the module-level names of the file that defines the function or class
    (`vars(module)`). A module-level `for` loop over a known table (a list, tuple or dict, its
    `.items()`, `enumerate` or `zip` of them; loops nested in it, or it in a module-level `if`
    or `try`) is unrolled into one resource per item, as rc2 registers them: a name the
    loop rebinds (a decorated definition, `h = app.queue(...)(fn)`) serves the last item only,
    and a call form kept in a container serves none. So this fires when the handle is made
    inside a function (even one called at import; a factory called at module level, in its own
    module or one importing it, makes one resource per call with the call's arguments, and only
    a call in the factory's own module that binds the handle it returns is served), in a loop or
    a class body, kept in a list, dict or comprehension, passed to a call, applied without being
    assigned (`app.api(...)(factory)` as a statement), or bound to a name in another module than
    the function's (the call form `h = app.queue(...)(imported_fn)`), or applied above a
    decorator from another project module that returns a wrapper function (`@app.queue(...)`
    over `@timed`), or below a project decorator that returns one (the module-level name then
    holds the wrapper). It also fires when the declaring file is one the build imports but does
    not ship, decided as `rp flash deploy` packages the app directory: the SDK's default ignores
    (`tests/`, `test/`, `env/`, `test_*.py`, `*_test.py`, `.tox/`, ...), then each directory's
    `.gitignore`, then the app's `.runpodignore`, Git-style, the last matching pattern winning
    (so `!tests/` in `.runpodignore` ships `tests/` again), an excluded directory excluding
    everything below it, and the protected list (`/env`, `.env*`, ...) never re-included. A file
    git or a `.gitignore` ignores is one of those: flash-guard's listing leaves ignored files
    out, but in a project that imports runpod 2.0 it reads them (and dot-directories) for the
    Apps rc2 discovers there, as discovery never reads `.gitignore`, so an App declared only in
    an ignored `local_app.py` is reported here, at its decorator. Last, when the deploy
    directory is itself a package (`rp flash deploy` run inside `vision/`, which has an
    `__init__.py`), discovery imports each file by its package path and finds the handle, but
    the manifest names the file from the deploy directory (`handlers.caption`), and a
    module-level relative import in it that climbs above that directory (`from ..app import
    app`) raises ImportError when the worker imports it."""

    id = "handle-not-served"
    kinds = ("queue", "load_balancer")

    def applies(self, endpoint) -> bool:
        return super().applies(endpoint) and endpoint.sdk == "runpod2"

    def check(self, endpoint, params, ctx):
        name = f"`{endpoint.display_name}`"
        hidden = runpod2_undeployed(endpoint, ctx.analysis)
        if hidden is not None and (hidden.certain or endpoint.scope != "loop"):
            return []  # never created, or (at module level) maybe not: FG301's to report
        # a loop in a module-level branch: if the branch runs, its handles are not served
        where = _WHERE.get(endpoint.scope)
        if endpoint.scope == "loop" and endpoint.variable is None:
            # `HANDLES[n] = app.queue(...)(fn)`: no module-level name holds any of them
            message = (
                f"{name} is declared in a loop and kept in a container or not assigned: "
                "`rp flash deploy` creates an endpoint for every iteration, but no "
                "module-level name holds any of the handles, so the worker finds none of them"
            )
            return [fail(endpoint, message)]
        if endpoint.scope == "loop":
            # each iteration rebinds the name: rc2 serves the last iteration's handle only
            message = (
                f"{name} is declared in a loop: `rp flash deploy` creates an endpoint for every "
                "iteration, but the module-level name keeps only the last iteration's handle, "
                "so the worker serves that one and cannot find the others"
            )
            return [fail(endpoint, message)]
        if where is not None:
            message = (
                f"{name} {where}: `rp flash deploy` creates the endpoint, but the "
                "worker looks the handle up among the module-level names of its file and "
                "cannot serve it"
            )
            return [fail(endpoint, message)]
        root = ctx.analysis.root if ctx.analysis is not None else None
        why = unshipped(root, endpoint.path, endpoint.app)
        if why is not None:
            message = (
                f"{name} is declared in `{endpoint.path}`, which the build does not ship ({why}); "
                "`rp flash deploy` imports and deploys it, but the worker cannot import its module"
            )
            return [fail(endpoint, message)]
        climbing = _climbs_above_root(endpoint, ctx.analysis)
        if climbing is not None:
            module, statement = climbing
            message = (
                f"{name} is declared in `{endpoint.path}`, which the worker imports as "
                f"`{module}` from the deploy directory, where `{statement}` climbs above it "
                "(ImportError: attempted relative import beyond top-level package)"
            )
            fix = (
                "Run `rp flash deploy` from the directory that holds the package, so the "
                "worker imports the file by its package path."
            )
            return [fail(endpoint, message, fix=fix)]
        return []


def _climbs_above_root(endpoint, analysis) -> tuple[str, str] | None:
    """(the module name the worker imports, the import statement) when the resource's file
    has a module-level relative import that reaches above the deploy directory. rc2 names
    the module by the file's path under the deploy directory (deploy.py `_module_path_for`:
    `handlers.caption`) and the worker imports it with that directory as the import root,
    so `from ..app import x` there has no parent package. Discovery names the same file by
    its package path (`vision.handlers.caption`, walking up while `__init__.py` exists), so
    it imports fine when the deploy directory has an `__init__.py`: deployed, never served.
    Without one, discovery fails the same way and the resource is not deployed at all."""
    if analysis is None:
        return None
    facts = analysis.modules.files.get(endpoint.path)
    app = endpoint.app if endpoint.app not in ("", ".") else ""
    prefix = f"{app}/" if app else ""
    if facts is None or f"{prefix}__init__.py" not in analysis.sources:
        return None
    if not endpoint.path.startswith(prefix):
        return None
    parts = endpoint.path[len(prefix) :].removesuffix(".py").split("/")
    if parts == ["__init__"]:
        return None  # the deploy directory's own `__init__.py`: not imported by that name
    if parts[-1] == "__init__":
        parts = parts[:-1]  # a package's own file: its package is itself
        depth = len(parts)
    else:
        depth = len(parts) - 1  # the directories between the deploy directory and the file
    for binding in facts.imports:
        guarded = any(b.kind in ("try", "except", "function", "if") for b in binding.blocks)
        if binding.level > depth and binding.top_level and not guarded:
            module = ".".join(parts) or endpoint.path
            dots = "." * binding.level
            what = binding.name or binding.local
            return module, f"from {dots}{binding.module} import {what}"
    return None
