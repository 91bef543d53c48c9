"""FG306: a runpod 2.0 handle that `rp flash deploy` deploys but the worker cannot find."""

from __future__ import annotations

from flash_guard.checks.base import Check, fail, register

# Paths discovery imports but packaging leaves out (runpod-sdk2.md §5.3 DEFAULT_IGNORES).
_UNSHIPPED_DIRS = ("tests", "test", "env")
_WHERE = {
    "function": "is declared inside a function",
    "loop": "is declared in a loop",
    "unbound": "is not bound to a module-level name of the file that defines its function",
}


def unshipped(path: str, app: str) -> str | None:
    """Why the build leaves `path` out of the artifact, or None."""
    rel = path[len(app) + 1 :] if app not in (".", "") and path.startswith(app + "/") else path
    parts = rel.split("/")
    for part in parts[:-1]:
        if part in _UNSHIPPED_DIRS:
            return f"under `{part}/`"
    name = parts[-1]
    if name.startswith("test_") or name.endswith("_test.py"):
        return f"in `{name}`"
    return None


@register
class HandleNotServed(Check):
    """A queue or api resource is deployed when discovery imports its module, but the worker
    finds its handle by scanning the module-level names of the file that defines the
    function or class (`vars(module)`). So this fires when the handle is made inside a
    function (even one called at import), in a loop, or bound to nothing or to a name in
    another module than the function's (the call form `h = app.queue(...)(imported_fn)`), and
    when the declaration sits in a path the build imports but does not ship: `tests/`,
    `test/`, `env/`, `test_*.py`, `*_test.py` (relative to the app). Paths ignored through
    `.gitignore` are not in flash-guard's file set; `.runpodignore` is not read yet."""

    id = "handle-not-served"
    kinds = ("queue", "load_balancer")

    def applies(self, endpoint) -> bool:
        return super().applies(endpoint) and endpoint.sdk == "runpod2"

    def check(self, endpoint, params, ctx):
        name = f"`{endpoint.display_name}`"
        where = _WHERE.get(endpoint.scope)
        if where is not None:
            message = (
                f"{name} {where}: `rp flash deploy` creates the endpoint, but the "
                "worker looks the handle up among the module-level names of its file and "
                "cannot serve it"
            )
            return [fail(endpoint, message)]
        why = unshipped(endpoint.path, endpoint.app)
        if why is not None:
            message = (
                f"{name} is declared {why}: `rp flash deploy` imports and deploys it, but the "
                "build does not ship that path, so the worker cannot import its module"
            )
            return [fail(endpoint, message)]
        return []
