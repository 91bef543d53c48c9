"""FG303: `dependencies=` written in a form `flash build` does not bundle."""

from __future__ import annotations

import re

from flash_guard.checks.base import Check, fail, fail_at, register, unknown
from flash_guard.checks.placement import BUILD_IMPORTS_FROM, runtime_provisioned
from flash_guard.checks.sites import DependencyArg, build_calls, dependency_args
from flash_guard.discover.parse import Expr
from flash_guard.model import Span, Value
from flash_guard.sdk.in_use import dev_command, has_flash_build, release_at_least, sdk_of

# The calls whose keywords the build's AST scan reads (build.py extract_remote_dependencies).
BUILD_CALL_NAMES = ("Endpoint", "remote")
_COMPREHENSION = re.compile(r"^[\[({].*\bfor\b.*\bin\b", re.S)


@register
class DependenciesLiteral(Check):
    """Reads `dependencies=` the way `flash build` does: with Python's AST, from calls named
    `Endpoint` or `remote` (a decorator or a plain `x = Endpoint(...)` assignment), keeping
    only string constants inside a list written in the call. Everything else is silently left
    out of the deployed bundle, while `flash dev` still installs it, so the code works locally
    and fails after `flash deploy` with an ImportError.

    It fails, at the value, when `dependencies` is given through a name (a constant, also one
    imported from another module), as a tuple, a string, a comprehension, a call or any other
    expression; when an element of the list is not a string literal (a name, an f-string,
    `*unpacking`); when it comes through a `**spread`; when it is the second positional
    argument of `remote(...)`; and when the list is literal but the call is written under an
    import alias (`E(...)` for `Endpoint`) or through a project subclass of `Endpoint`
    (`@GpuEndpoint(...)`: the build deploys it, but its scan matches names), in an annotated
    assignment (`ep: Endpoint = Endpoint(...)`), in a tuple unpacked into names (`a, b =
    Endpoint(...), Endpoint(...)`) or in the call form (`Endpoint(...)(fn)`), which the
    build's scan does not match; and when the packages reach the endpoint through a project
    factory (given to the factory's call, or written in a `return Endpoint(...)` there),
    which the scan never reads; and when a legacy `remote(..., dependencies=[...])` is bound
    to a name that then decorates the function (`gpu_remote = remote(cfg, ...)`, `@gpu_remote`)
    or applied in the call form (`fn = remote(cfg, ...)(fn)`): the build imports the module
    and deploys the function, but its scan reads `remote(...)` only as a decorator.
    `dependencies=None` passes. An unresolved `**spread` that may hold `dependencies` reports
    FG002. A runtime-provisioned declaration (see FG301) is not checked: `flash build` never
    bundles it. runpod 2.0 collects dependencies by running the code, so any list works
    there; what fails is a string (`dependencies="torch"`), which rc2 never checks and its
    build reads letter by letter.
    On runpod-flash it also fails `system_dependencies="ffmpeg"` (a string): the import
    passes, the first call under `flash dev` does not. tetra-rp before 0.14 has no `flash
    build`: the stub sends `dependencies` with every call however it is written, so only a
    string (rejected when the request is built) fails there."""

    id = "dependencies-not-literal"

    def check(self, endpoint, params, ctx):
        analysis = ctx.analysis
        if runtime_provisioned(endpoint, analysis) is not None:
            return []  # a script builds and runs it; flash build never bundles it (FG301)
        name = f"`{endpoint.display_name}`"
        if not has_flash_build(endpoint):
            # tetra-rp < 0.14: no build; the stub sends the list with each call, as computed
            return _sent_per_call(endpoint, name) + _system_string(endpoint, name)
        out = []
        undecided: list[Value] = []
        written = False
        calls = build_calls(endpoint, analysis.modules.files)
        out += _remote_not_scanned(endpoint, name, calls)
        for call in calls:
            found, maybe = dependency_args(call, analysis.modules, endpoint.loop_bindings)
            undecided += maybe
            written = written or bool(found) or bool(maybe)
            for arg in found:
                problem = _problem(arg)
                if problem is None:
                    continue
                what, span, (missing, plural) = problem
                dev = dev_command(sdk_of(endpoint))
                message = (
                    f"{name}: `dependencies` {what}; flash build bundles only string literals in "
                    f"a list written in the call itself, so {missing} "
                    f"{'are' if plural else 'is'} left out of the deployed worker ({dev} "
                    f"still installs {'them' if plural else 'it'})"
                )
                out.append(fail_at(endpoint, message, call.path, span, parameter="dependencies"))
        if not out and undecided:
            what = "the spread that may pass `dependencies`"
            return [unknown(endpoint, undecided[0], what, "dependencies")] + _system_string(
                endpoint, name
            )
        if not out and not written:
            out += _unread(endpoint, name, analysis.modules.files)
        return out + _system_string(endpoint, name)


def _sent_per_call(endpoint, name: str) -> list:
    """A release without `flash build` sends `dependencies` with every call however it is
    written, into `FunctionRequest.dependencies` (`List[str]`): only a string fails there,
    on every call (pydantic 'Input should be a valid list', checked with tetra-rp 0.11.0)."""
    values = [endpoint.params.get("dependencies")]
    values += [v for key, v, _ in endpoint.remote_kwargs if key == "dependencies"]
    out, seen = [], set()
    for value in values:
        if value is None or value.defaulted or id(value) in seen:
            continue
        seen.add(id(value))
        if not (value.known and isinstance(value.value, str)):
            continue
        sdk = sdk_of(endpoint)
        message = (
            f"{name}: `dependencies` is the string {value.value!r}, not a list: "
            f"{sdk.package} {sdk.version} sends it with every call, and building the request "
            f"fails (pydantic: 'Input should be a valid list'; {sdk.this_app()}); write "
            f"dependencies=[{value.value!r}]"
        )
        out.append(fail(endpoint, message, value, "dependencies"))
    return out


def _system_string(endpoint, name: str) -> list:
    """`system_dependencies="ffmpeg"`: the SDK accepts it at import, then the first call
    fails building its request (`FunctionRequest.system_dependencies` is `List[str]`, which
    pydantic does not make of a string); `flash deploy` carries no system_dependencies at all
    (flash-sdk.md §5.3 #10). runpod 2.0's string case is reported at normalisation."""
    value = endpoint.params.get("system_dependencies")
    if endpoint.sdk == "runpod2" or value is None or value.defaulted:
        return []
    if not (value.known and isinstance(value.value, str)):
        return []
    message = (
        f"{name}: `system_dependencies` is the string {value.value!r}, not a list: the SDK "
        "accepts it at import, then the first call fails building its request (pydantic: "
        "'Input should be a valid list'); write "
        f"system_dependencies=[{value.value!r}] (flash deploy does not install "
        "system_dependencies either way)"
    )
    return [fail(endpoint, message, value, "system_dependencies")]


def _unread(endpoint, name: str, files) -> list:
    """Packages that reach the endpoint where the build's scan never looks: a
    `functools.partial(Endpoint, dependencies=[...])`, or a project factory (`@gpu_endpoint(
    "asr", dependencies=[...])`, or a factory that writes `return Endpoint(..., dependencies=
    [...])`): the scan reads `Endpoint(...)`/`remote(...)` calls only as decorators or as the
    value of an assignment."""
    deps = endpoint.params.get("dependencies")
    if endpoint.sdk == "runpod2":  # 2.0 collects them by running the code
        return []
    if deps is None or deps.defaulted or not deps.known or not deps.span:
        return []
    if endpoint.factory_call is not None:
        if not isinstance(deps.value, (list, tuple)) or not deps.value:
            return []
        factory = _factory_name(endpoint, files)
        where = (
            f"reaches `Endpoint(...)` through the project factory `{factory}(...)`, and flash "
            "build's scan reads `Endpoint(...)` only as a decorator or the value of an "
            "assignment"
        )
    elif deps.via:
        where = (
            f"is set in `{deps.via}` (a functools.partial), which flash build's scan of "
            "`Endpoint(...)` calls does not read"
        )
    else:
        return []
    packages, plural = _packages(deps)
    message = (
        f"{name}: `dependencies` {where}, so {packages} {'are' if plural else 'is'} left out "
        f"of the deployed worker ({dev_command(sdk_of(endpoint))} still installs "
        f"{'them' if plural else 'it'})"
    )
    return [fail_at(endpoint, message, deps.path or endpoint.path, deps.span, "dependencies")]


def _remote_not_scanned(endpoint, name: str, calls) -> list:
    """A legacy `remote(..., dependencies=[...])` that is not written as a decorator call:
    bound to a name first (`gpu_remote = remote(cfg, dependencies=[...])`, then
    `@gpu_remote`) or applied in the call form (`fn = remote(cfg, dependencies=[...])(fn)`).
    flash build deploys the function (it imports the module), but its AST scan reads
    `remote(...)` only as a decorator and `Endpoint(...)` only as a decorator or an
    assignment's value (build.py `extract_remote_dependencies`), so the list is never
    bundled, however literal it is."""
    if endpoint.api != "legacy":
        return []
    if not release_at_least(sdk_of(endpoint), "runpod-flash", BUILD_IMPORTS_FROM):
        return []  # the build's source scan does not deploy the function at all (FG301)
    scanned = [call.expr.span for call in calls]
    out, seen = [], set()
    for key, value, kw_span in endpoint.remote_kwargs:
        if key != "dependencies" or kw_span is None or kw_span in seen:
            continue
        seen.add(kw_span)
        if any(_inside(kw_span, span) for span in scanned):
            continue
        if value.known and value.value is None:
            continue
        packages, plural = _packages(value)
        applied = any(_inside(kw_span, span) for _, span in endpoint.decorator_uses)
        form = (
            "applied in the call form `remote(...)(fn)`"
            if applied
            else "bound to a name that then decorates the function"
        )
        message = (
            f"{name}: `dependencies` is given to a `remote(...)` {form}; flash build "
            f"reads `remote(...)` only when written as a decorator, so {packages} "
            f"{'are' if plural else 'is'} left out of the deployed worker "
            f"({dev_command(sdk_of(endpoint))} still installs {'them' if plural else 'it'})"
        )
        fix = (
            "Write `@remote(config, dependencies=[...])` directly above the function, or list "
            "the packages in the app's requirements.txt."
        )
        path, span = value.path or endpoint.path, value.span or kw_span
        out.append(fail_at(endpoint, message, path, span, "dependencies", fix))
    return out


def _inside(inner: Span, outer: Span) -> bool:
    return (outer.line, outer.column) <= (inner.line, inner.column) and (
        inner.end_line,
        inner.end_column,
    ) <= (outer.end_line, outer.end_column)


def _factory_name(endpoint, files) -> str:
    """The callee of the factory call that built the endpoint (`gpu_endpoint`)."""
    path, span = endpoint.factory_call
    facts = files.get(path)
    calls = [a.expr for a in facts.assignments] if facts is not None else []
    calls += [d for x in (facts.decorated if facts is not None else ()) for d in x.decorators]
    for call in calls:
        if call.span == span and call.kind == "call" and call.items:
            return call.items[0].text
    return "a factory"


def _problem(arg: DependencyArg):
    """(what is wrong, where to point, what goes missing), or None when the build reads it."""
    if arg.spread is not None:
        return f"comes through `{arg.spread}`", arg.span, _packages(arg.value)
    expr = arg.expr
    if expr is None or (expr.kind == "lit" and expr.value is None):
        return None
    if arg.positional:
        return "is the second positional argument of `remote(...)`", arg.span, _packages(arg.value)
    if expr.kind != "list":
        return _describe(expr), arg.span, _packages(arg.value)
    for index, item in enumerate(expr.items):
        if not (item.kind == "lit" and isinstance(item.value, str)):
            element = _element(arg.value, index, expr)
            what = f"has the element `{_short(item.text)}`, {_describe_element(item)}"
            return what, item.span, element
    callee = arg.call.callee
    if arg.call.callee_name not in BUILD_CALL_NAMES:
        # an import alias (`E(...)`) or a project subclass of Endpoint (`GpuEndpoint(...)`)
        what = f"is given to `{callee}(...)`, not a call named `Endpoint`/`remote`"
        return what, arg.span, _packages(arg.value)
    if arg.call.annotated:
        what = "is in an annotated assignment (`x: T = Endpoint(...)`), which the build skips"
        return what, arg.span, _packages(arg.value)
    if arg.call.applied:
        what = (
            "is in the call form `Endpoint(...)(fn)`, which the build's scan does not read (it "
            "reads a decorator or an assignment's value)"
        )
        return what, arg.span, _packages(arg.value)
    if arg.call.unpacked:
        what = (
            "is in a tuple unpacked into names (`a, b = Endpoint(...), Endpoint(...)`), which "
            "the build's scan does not read"
        )
        return what, arg.span, _packages(arg.value)
    return None


def _describe(expr: Expr) -> str:
    kind = expr.kind
    if kind in ("name", "attr"):
        return f"refers to `{expr.text}` instead of listing the packages"
    if kind == "tuple":
        return "is a tuple, not a list"
    if kind == "lit":
        noun = "a string" if isinstance(expr.value, str) else f"`{_short(expr.text)}`"
        return f"is {noun}, not a list"
    if kind == "call":
        return "is computed by a call"
    if _COMPREHENSION.match(expr.text.strip()):
        return "is a comprehension"
    return "is an expression, not a list"


def _describe_element(expr: Expr) -> str:
    if expr.kind in ("name", "attr"):
        return "a name, not a string literal"
    if expr.kind == "starred":
        return "which unpacks another sequence"
    if expr.text.lstrip()[:2].lower() in ('f"', "f'"):
        return "an f-string, not a string literal"
    return "not a string literal"


def _element(value: Value, index: int, written: Expr) -> tuple[str, bool]:
    """What the bad element resolves to, when it can be told."""
    if any(item.kind == "starred" for item in written.items[:index]):
        return "that element", False  # indices shift after an unpacking
    if value.known and isinstance(value.value, list) and index < len(value.value):
        item = value.value[index]
        if isinstance(item, Value) and item.known and isinstance(item.value, str):
            return f"`{item.value}`", False
    return "that element", False


def _packages(value: Value) -> tuple[str, bool]:
    if value.known and isinstance(value.value, str):
        return f"`{value.value}`", False
    if value.known and isinstance(value.value, (list, tuple)):
        names = [
            f"`{v.value}`"
            for v in value.value
            if isinstance(v, Value) and v.known and isinstance(v.value, str)
        ]
        if len(names) == 1:
            return names[0], False
        if names:
            return ", ".join(names), True
    return "the packages", True


def _short(text: str, limit: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
