"""FG207: endpoints (or their functions) that collide by name across the app."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from flash_guard.checks.base import Check, Outcome, fail_at, register, unknown
from flash_guard.checks.deploy_support import label, tidy
from flash_guard.checks.placement import (
    availability_flags,
    classify,
    hidden_at,
    untaken_guards_dropped,
    visible_to_build,
)
from flash_guard.messages import env_keys, show
from flash_guard.model import Endpoint, Span, Value
from flash_guard.project.apps import AppMap, app_map
from flash_guard.project.runpodignore import patterns_of
from flash_guard.project.sdk_version import read_text
from flash_guard.sdk.in_use import release_at_least, sdk_of


@register
class DuplicateEndpointName(Check):
    """Looks at every declaration `flash build` can see (module level, not in an `__init__.py`) that
    deploys something: an `Endpoint` used as a decorator or with routes, an
    `Endpoint(image=...)`, or a legacy resource used with `@remote`. Flash identifies an
    endpoint by its name (a queue endpoint without `name=` takes its function's `__name__`).
    Declarations are ordered by path, then line; each one whose name an earlier one already uses
    gets a finding that names the first. Across files `flash build` fails ("defined in multiple
    files", from runpod-flash 1.15; before it, and in tetra-rp, they are merged as below);
    within one file the two are silently merged into one endpoint that serves only one function
    with one configuration. One `Endpoint` object (or legacy resource) used as a direct
    decorator on several functions is the same merge: reported at each decorator after the
    first, except under tetra-rp and runpod-flash before 1.4, whose queue workers dispatch each
    job by function name and so serve every function of the resource (the one-function handler
    came in 1.4). Finally, function and class names must be unique across the app (`flash
    build`: "Duplicate function name", in every runpod-flash and from tetra-rp 0.20; earlier
    tetra-rp builds had no such check, and before 0.14 there was no `flash build`): an endpoint
    whose function, class or route handler shares its `__name__` with one of an earlier endpoint
    is reported at its declaration. From 1.15 all functions of one endpoint must also be defined
    in one file: routes registered from a second module (`from app import api` then `@api.post`)
    make the build fail with "defined in multiple files", reported at the first use in each file
    after the first. Everything is compared within one app (the nearest directory with
    `pyproject.toml`, `requirements.txt`, `.flash/` or `.flashignore`): two apps of one
    repository are built separately and never conflict. Several functions on one legacy
    custom-image payload-builder config (`ServerlessEndpoint`, `CpuServerlessEndpoint`) are one
    endpoint by design, not a conflict. Two `Endpoint(image=...)` clients of one name are one
    client endpoint: runpod-flash 1.21's build fails only when two files give them different
    images ("defined in multiple files"), and the same client written again with equal settings
    is no conflict at all; with other settings only one configuration is deployed. The build
    also finds a decorated function again in every module that binds it at module level (`from
    gpu_worker import infer` in `pipeline.py`, directly, through another module, by `import *`
    when `__all__` lists it or there is no `__all__`, or as `infer = gpu_worker.infer`): from
    runpod-flash 1.11 it reads each module's globals, so the endpoint is then "defined in
    multiple files" too (before 1.15: "Duplicate function name"), reported at that binding; a
    second module-level name in the function's own module (`infer_v1 = infer`) is "Duplicate
    function name". A binding in a branch the build machine may or may not take (`if USE_GPU:`,
    `except ImportError:`) is reported with that condition: the build fails whenever the branch
    runs; a `try` body or its `else` counts as always running. One under `if TYPE_CHECKING:`
    never runs, and a name deleted at module level (`del infer`) is gone before the build reads
    the globals (another name bound from it before the `del` still counts). An import inside the
    function that calls the endpoint binds nothing at module level and is fine; tetra-rp and
    older releases parsed the source for decorators instead. A clash across two files one of
    which the app's `.flashignore` names is no clash where the build reads that file
    (runpod-flash up to 1.11.0, tetra-rp from 0.14: the file is neither scanned nor shipped);
    from runpod-flash 1.11.1 the build only warns that `.flashignore` is no longer supported,
    so the finding stands and says to move the pattern to `.gitignore`."""

    id = "duplicate-endpoint-name"
    scope = "project"

    def check_project(self, endpoints, params, ctx) -> list[Outcome]:
        out: list[Outcome] = []
        # `flash build` packages one app at a time: names in two apps never collide.
        imports: dict[str, dict] | None = None
        apps = app_map(ctx.analysis) if ctx.analysis is not None else None
        ignores = FlashIgnores(ctx.analysis.root) if ctx.analysis is not None else None
        for deployed in by_app(e for e in endpoints if visible_to_build(e)).values():
            out += reused_decorators(deployed)
            out += functions_in_several_files(deployed, apps, ignores)
            if ctx.analysis is not None and _scanned_at_run_time(deployed):
                if imports is None:  # once per run, for every app
                    imports = _module_level_imports(ctx.analysis)
                by_source = imports.get(deployed[0].app, {})
                out += imported_into_other_modules(deployed, by_source)
            named, name_findings = duplicate_names(deployed, ignores)
            out += name_findings
            out += duplicate_functions(deployed, named, ignores)
        return tidy(out)


# Legacy custom-image configs whose `@remote` functions only build a request payload for an
# already-deployed image: several functions on one config are one endpoint, by design.
PAYLOAD_BUILDERS = ("ServerlessEndpoint", "CpuServerlessEndpoint")


def by_app(endpoints) -> dict[str, list[Endpoint]]:
    """Declarations grouped by app, each group ordered by path, then line."""
    groups: dict[str, list[Endpoint]] = {}
    for endpoint in sorted(endpoints, key=lambda e: (e.path, e.span)):
        groups.setdefault(endpoint.app, []).append(endpoint)
    return groups


def where(endpoint: Endpoint) -> str:
    return f"{endpoint.path}:{endpoint.span.line}"


def _client_and_resource(first: Endpoint, second: Endpoint) -> bool:
    """An `Endpoint(image=...)` and a decorated resource with one name: from runpod-flash 1.21
    the build records both and refuses the pair (flash-sdk.md, client endpoints)."""
    if {first.kind == "image", second.kind == "image"} != {True, False}:
        return False
    return release_at_least(sdk_of(second), "runpod-flash", "1.21.0")


def _same_client(first: Endpoint, second: Endpoint) -> bool:
    """Two `Endpoint(image=...)` declarations with every setting known and equal: one client
    endpoint written twice (typically the same client in two modules). runpod-flash 1.21's
    scanner keeps the first record when a second file has the same name and image, and
    before 1.21 the build never saw client endpoints: nothing fails and no setting is lost."""
    if first.kind != "image" or second.kind != "image":
        return False
    return _known_settings(first) == _known_settings(second) is not None


def _known_settings(endpoint: Endpoint) -> dict | None:
    """Each parameter's value, or None when any of them is not known."""
    if not all(value.known for value in endpoint.params.values()):
        return None
    return {key: show(value) for key, value in endpoint.params.items()}


def _images_differ(first: Endpoint, second: Endpoint) -> bool:
    images = first.params.get("image"), second.params.get("image")
    if any(image is None or not image.known for image in images):
        return True  # cannot tell: the build may refuse the pair
    return images[0].value != images[1].value


def _client_pair_refused(first: Endpoint, second: Endpoint) -> bool:
    """Two client endpoints of one name in two files: from runpod-flash 1.21 the build fails
    only when their images differ (scanner `_collect_client_endpoints`); before 1.21 the
    build did not record client endpoints at all."""
    return (
        first.path != second.path
        and _images_differ(first, second)
        and release_at_least(sdk_of(second), "runpod-flash", "1.21.0")
    )


def duplicate_names(
    deployed: list[Endpoint], ignores: FlashIgnores | None = None
) -> tuple[set[int], list[Outcome]]:
    """Findings for repeated names; also the ids of endpoints already reported."""
    first_by_name: dict[str, Endpoint] = {}
    reported: set[int] = set()
    out: list[Outcome] = []
    for endpoint in deployed:
        name = endpoint.params.get("name")
        if name is None or not name.known:
            if name is not None and any(
                may_share_name(name, other) for other in deployed if other is not endpoint
            ):
                out.append(unknown(endpoint, name, "the endpoint's `name`", "name"))
            continue
        if not isinstance(name.value, str):
            continue  # no name at all is FG202/FG204's business
        first = first_by_name.setdefault(name.value, endpoint)
        if first is endpoint or _same_client(first, endpoint):
            continue
        ignored = _flashignore_effect(ignores, endpoint, (first.path, endpoint.path))
        if ignored is LEFT_OUT:
            continue
        reported.add(id(endpoint))
        both_clients = first.kind == "image" and endpoint.kind == "image"
        if _client_and_resource(first, endpoint):
            consequence = (
                f"`flash build` fails: endpoint '{name.value}' is defined as both a "
                "client-mode Endpoint(image=...) and a decorated resource"
            )
        elif both_clients and not _client_pair_refused(first, endpoint):
            consequence = (
                "both provision one client endpoint, and only one of the two configurations "
                "is deployed"
            )
        elif both_clients or (
            first.path != endpoint.path
            and release_at_least(sdk_of(endpoint), "runpod-flash", SEVERAL_FILES_REFUSED)
        ):
            consequence = (
                f"`flash build` fails: endpoint '{name.value}' is defined in multiple files"
            )
        elif serves_every_function(endpoint):
            consequence = (
                "the two are merged into one endpoint with one of the two configurations "
                f"({sdk_of(endpoint).package} {sdk_of(endpoint).version} serves both functions "
                "from it)"
            )
        else:
            consequence = (
                "the two are merged into one endpoint: only one function is served, with one "
                "of the two configurations"
            )
        out.append(
            fail_at(
                endpoint,
                f"endpoint name '{name.value}' is already used by the declaration at "
                f"{where(first)}; {consequence}{ignored or ''}",
                endpoint.path,
                endpoint.span,
                "name",
                # the clash rests on both names: the note for whichever defaults from the env
                value=name if env_keys(name) else first.params.get("name"),
            )
        )
    return reported, out


@dataclass(frozen=True)
class NameShape:
    """What an f-string name can be: `f"svc-{env}"` always starts with `svc-`."""

    pattern: re.Pattern
    head: str  # the literal text it always starts with
    tail: str  # and ends with


def name_shape(value: Value) -> NameShape | None:
    """The shape of an f-string name; None when the expression says nothing of it."""
    try:
        node = ast.parse(value.text.strip(), mode="eval").body
    except (SyntaxError, ValueError):
        return None
    if not isinstance(node, ast.JoinedStr):
        return None
    pieces = [p.value if isinstance(p, ast.Constant) else None for p in node.values]
    pattern = "".join(".*" if p is None else re.escape(p) for p in pieces)
    head = pieces[0] if pieces and pieces[0] is not None else ""
    tail = pieces[-1] if pieces and pieces[-1] is not None else ""
    return NameShape(re.compile(pattern, re.DOTALL), head, tail)


def may_share_name(unknown_name: Value, other: Endpoint) -> bool:
    """Whether a name flash-guard cannot resolve may equal `other`'s: an f-string's literal
    parts rule out every name that lacks them (`f"svc-{env}"` never equals "worker"), so
    FG207 is decided, not blocked, for those pairs (rules.md: FG002 names a rule only when
    the value keeps it from deciding)."""
    shape = name_shape(unknown_name)
    if shape is None:
        return True
    other_name = other.params.get("name")
    if other_name is None or other_name.known:
        text = other_name.value if other_name is not None else other.display_name
        return not isinstance(text, str) or shape.pattern.fullmatch(text) is not None
    other_shape = name_shape(other_name)
    if other_shape is None:
        return True
    heads_agree = shape.head.startswith(other_shape.head) or other_shape.head.startswith(shape.head)
    tails_agree = shape.tail.endswith(other_shape.tail) or other_shape.tail.endswith(shape.tail)
    return heads_agree and tails_agree


# The first runpod-flash release whose manifest builder refuses one endpoint name with
# functions in several files ("defined in multiple files", build_utils/manifest.py); before
# it, they were grouped into one resource like two declarations in one file.
SEVERAL_FILES_REFUSED = "1.15.0"
# The first runpod-flash release whose build generates one handler per queue endpoint that
# imports only its first function (handler_generator.py, "One function per endpoint").
# Before it, and in tetra-rp, a queue worker dispatches each job by its `function_name`
# (runtime/generic_handler.py), so every function on one resource is served.
ONE_FUNCTION_HANDLER_FROM = "1.4.0"


def serves_every_function(endpoint: Endpoint) -> bool:
    sdk = sdk_of(endpoint)
    if sdk is None or sdk.package not in ("tetra-rp", "runpod-flash"):
        return False
    return not release_at_least(sdk, "runpod-flash", ONE_FUNCTION_HANDLER_FROM)


def reused_decorators(deployed: list[Endpoint]) -> list[Outcome]:
    out = []
    for endpoint in deployed:
        if endpoint.kind != "queue" or len(endpoint.decorator_uses) < 2:
            continue
        if endpoint.resource_class in PAYLOAD_BUILDERS or serves_every_function(endpoint):
            continue
        pairs = zip(endpoint.decorator_uses, endpoint.targets, strict=False)
        uses = sorted(pairs, key=lambda pair: pair[0])
        (first_path, first_span), first_target = uses[0]
        for (path, span), target in uses[1:]:
            out.append(
                fail_at(
                    endpoint,
                    f"{label(endpoint)} already decorates `{first_target.name}` "
                    f"({first_path}:{first_span.line}); decorating `{target.name}` too merges "
                    "both into one endpoint, and the deployed handler serves only one of them",
                    path,
                    span,
                    "name",
                )
            )
    return out


def functions_in_several_files(
    deployed: list[Endpoint], apps: AppMap | None, ignores: FlashIgnores | None = None
) -> list[Outcome]:
    """The build groups functions by endpoint name and refuses a group from several files, so
    an endpoint's routes (or decorated functions) must all live in one file. A route that a
    file of another app registers is not in this app's build (`apps`: each app is built on
    its own), so it does not count."""
    out = []
    for endpoint in deployed:
        if endpoint.kind == "queue":
            continue  # several decorated functions: reused_decorators reports them
        if not release_at_least(sdk_of(endpoint), "runpod-flash", SEVERAL_FILES_REFUSED):
            continue  # the build grouped them into one resource without a word
        uses = [
            (path, span, t.name)
            for (path, span), t in zip(endpoint.decorator_uses, endpoint.targets, strict=False)
        ]
        routes = apps.split_routes(endpoint)[0] if apps is not None else endpoint.routes
        uses += [(r.file, r.span, r.handler) for r in routes]
        by_file: dict[str, tuple] = {}
        for use in sorted(uses, key=lambda u: (u[0], u[1])):
            by_file.setdefault(use[0], use)
        if len(by_file) < 2:
            continue
        first_path, first_span, first_function = next(iter(by_file.values()))
        for path, span, function in list(by_file.values())[1:]:
            ignored = _flashignore_effect(ignores, endpoint, (first_path, path))
            if ignored is LEFT_OUT:
                continue
            out.append(
                fail_at(
                    endpoint,
                    f"{label(endpoint)} serves `{function}` from {path} and `{first_function}` "
                    f"from {first_path}:{first_span.line}; `flash build` fails: endpoint "
                    f"'{endpoint.display_name}' is defined in multiple files{ignored or ''}",
                    path,
                    span,
                    "functions",
                )
            )
    return out


def functions_of(endpoint: Endpoint) -> list[str]:
    names = [t.name for t in endpoint.targets]
    names += [r.handler for r in endpoint.routes if r.handler not in names]
    return names


# The first tetra-rp release whose manifest builder refuses two functions of one name
# ("Duplicate function name", cli/commands/build_utils/manifest.py); 0.14-0.19 built without
# the check, and before 0.14 there was no `flash build`. Every runpod-flash release has it.
DUPLICATE_FUNCTIONS_REFUSED_TETRA = "0.20.0"


def refuses_duplicate_functions(endpoint: Endpoint) -> bool:
    sdk = sdk_of(endpoint)
    if sdk is not None and sdk.package == "tetra-rp":
        return release_at_least(sdk, "tetra-rp", DUPLICATE_FUNCTIONS_REFUSED_TETRA)
    return True


def duplicate_functions(
    deployed: list[Endpoint], already: set[int], ignores: FlashIgnores | None = None
) -> list[Outcome]:
    owner: dict[str, Endpoint] = {}
    out = []
    for endpoint in deployed:
        if not refuses_duplicate_functions(endpoint):
            continue
        clash = None
        for function in functions_of(endpoint):
            first = owner.setdefault(function, endpoint)
            if first is not endpoint and clash is None:
                clash = (function, first)
        if clash is None or id(endpoint) in already:
            continue
        function, first = clash
        ignored = _flashignore_effect(ignores, endpoint, (first.path, endpoint.path))
        if ignored is LEFT_OUT:
            continue
        out.append(
            fail_at(
                endpoint,
                f"{label(endpoint)} serves `{function}`, a name the endpoint "
                f"{label(first)} ({where(first)}) already uses for its function; `flash build` "
                f"fails: 'Duplicate function name '{function}''{ignored or ''}",
                endpoint.path,
                endpoint.span,
                "functions",
            )
        )
    return out


# `.flashignore`: runpod-flash up to 1.11.0 and tetra-rp from 0.14 (its first `flash build`)
# read it beside `.gitignore` (cli/utils/ignore.py load_ignore_patterns, used by the scanner
# and the archive alike); from 1.11.1 the build only warns ".flashignore is no longer
# supported" and reads `.gitignore` and its built-in list (checked in 1.11.0, 1.11.1, 1.12,
# 1.13, 1.14, 1.16 and 1.21 sources).
FLASHIGNORE = ".flashignore"
FLASHIGNORE_DROPPED = "1.11.1"
TETRA_FIRST_BUILD = "0.14.0"
# _flashignore_effect's answer when the release's build leaves one of the files out
LEFT_OUT = object()


class FlashIgnores:
    """Each app's `.flashignore` patterns, read once (none when the file is absent)."""

    def __init__(self, root: Path):
        self.root = root
        self._by_app: dict[str, list] = {}

    def excluding(self, app: str, path: str):
        """The `.flashignore` pattern that leaves `path` (project-relative) out of `app`, the
        last one that matches deciding as in gitignore; None when none does."""
        if app not in self._by_app:
            text = read_text(self.root / app / FLASHIGNORE)
            self._by_app[app] = patterns_of(text.splitlines(), FLASHIGNORE) if text else []
        patterns = self._by_app[app]
        if not patterns:
            return None
        relative = app_relative(app, path)
        decided = None
        for pattern in patterns:
            if pattern.regex.match(relative):
                decided = None if pattern.negated else pattern
        return decided


def app_relative(app: str, path: str) -> str:
    return path if app in (".", "") else path.removeprefix(app.rstrip("/") + "/")


def _reads_flashignore(sdk) -> bool:
    if sdk is None:
        return False
    if sdk.package == "tetra-rp":
        return release_at_least(sdk, "tetra-rp", TETRA_FIRST_BUILD)
    return sdk.package == "runpod-flash" and not release_at_least(
        sdk, "runpod-flash", FLASHIGNORE_DROPPED
    )


def _flashignore_effect(ignores: FlashIgnores | None, endpoint: Endpoint, paths) -> object:
    """For a clash between declarations in two files, one of which the app's `.flashignore`
    names: LEFT_OUT where the release's build reads `.flashignore` (the file is not built, so
    nothing clashes); else a note that the release ignores it and reads `.gitignore`. None
    when no `.flashignore` names either file."""
    if ignores is None or len(set(paths)) < 2:
        return None
    hits = [(p, ignores.excluding(endpoint.app, p)) for p in dict.fromkeys(paths)]
    path, pattern = next(((p, pat) for p, pat in hits if pat is not None), (None, None))
    if pattern is None:
        return None
    sdk = sdk_of(endpoint)
    if _reads_flashignore(sdk):
        return LEFT_OUT
    if sdk is None or sdk.package != "runpod-flash":
        return None
    return (
        f" ({FLASHIGNORE} names {app_relative(endpoint.app, path)} with `{pattern.text}`, but "
        f"{sdk.package} {sdk.version} "
        f"ignores {FLASHIGNORE}: move the pattern to .gitignore, which the build reads)"
    )


# The first runpod-flash release whose build imports each module and reads its globals
# (scanner.py `dir(module)`); before it, and in tetra-rp, the build parsed the source for
# decorators, so a module importing a decorated function declared nothing.
RUNTIME_SCAN = "1.11.0"
_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?$")
# Enclosing blocks of a module-level import that always run when the build imports the module.
_ALWAYS_RUNS = frozenset({"try", "with", "finally"})


def _scanned_at_run_time(deployed: list[Endpoint]) -> bool:
    return any(release_at_least(sdk_of(e), "runpod-flash", RUNTIME_SCAN) for e in deployed)


def imported_into_other_modules(deployed: list[Endpoint], by_source: dict) -> list[Outcome]:
    """`from gpu_worker import infer` at module level of another module the build imports
    (or `infer_v1 = infer`, `embed = gpu.embed`): the scanner meets `infer` (its
    `__remote_config__`) under each module-level name, so one endpoint name has functions in
    two files, or one function twice, and the manifest builder refuses it."""
    out: list[Outcome] = []
    for endpoint in deployed:
        if not release_at_least(sdk_of(endpoint), "runpod-flash", RUNTIME_SCAN):
            continue
        refused = release_at_least(sdk_of(endpoint), "runpod-flash", SEVERAL_FILES_REFUSED)
        for path, name in _decorated_objects(endpoint):
            twice = f"Duplicate function name '{name}'"
            for where, span, local, kind, branch in _rebound_elsewhere(by_source, path, name):
                if where == path:  # a second name in the function's own module
                    what = f"`{local}` is a second module-level name for `{name}`"
                    error = twice
                else:
                    shown = f" as `{local}`" if local != name else ""
                    verb = "imported" if kind == "import" else "bound"
                    what = f"`{name}` is {verb} at module level here{shown}"
                    several = f"endpoint '{endpoint.display_name}' is defined in multiple files"
                    error = several if refused else twice
                # The build imports the module on its own machine: whether a branch runs
                # there (an env flag, an optional package) is not knowable here, and the
                # build fails exactly when it does.
                if branch:
                    what = f"{what}, {branch}"
                    when = "; when that branch runs as `flash build` imports the module, it"
                else:
                    when = "; `flash build`"
                out.append(
                    fail_at(
                        endpoint,
                        f"{what} ({label(endpoint)}, {path})"
                        f"{when} reads every module's globals, finds the function again and "
                        f"fails: {error}",
                        where,
                        span,
                        "name",
                        fix=f"import `{name}` inside the function that calls it, or call it "
                        "through its module (`import gpu_worker`, then `gpu_worker."
                        f"{name}(...)`)",
                    )
                )
    return out


def _decorated_objects(endpoint: Endpoint) -> set[tuple[str, str]]:
    """(file, module-level name) of every function or class the declaration stamps."""
    found = {(t.path or endpoint.path, t.name) for t in endpoint.targets if t.name}
    found |= {(route.file, route.handler) for route in endpoint.routes if route.handler}
    return found


# One way a module-level name of `importer` comes to hold an object of another module (or of
# its own): `from source import key as local`, `local = source_alias.key`, or `local = key`.
@dataclass(frozen=True)
class Rebinding:
    importer: str
    key: str  # the name in the source module; "*" for `import *`
    local: str
    span: Span
    kind: str  # import | attribute (`local = module.key`) | alias (`local = key`)
    # "" when the binding always runs as the build imports the module; else where it sits
    # (`inside \`if USE_GPU:\``): it exists only when that branch runs.
    branch: str = ""
    # Deleted later at module level (`del infer`): no global once the import is done, but
    # another name bound from it before the `del` (`x = infer`) still holds the function.
    gone: bool = False


def _module_level_imports(analysis) -> dict[str, dict[str, list[Rebinding]]]:
    """The module-level names that re-bind another module's (or their own module's) objects,
    in modules an app's build imports, by app and by the module the object comes from:
    {app: {source: [Rebinding]}}."""
    apps = app_map(analysis)
    modules = analysis.modules
    imports_of: dict[str, list[tuple[str, object, str]]] = {}  # importer -> (source, binding, how)
    for source, entries in modules.importers().items():
        for importer, binding, how in entries:
            imports_of.setdefault(importer, []).append((source, binding, how))
    out: dict[str, dict[str, list[Rebinding]]] = {}
    for path, facts in modules.files.items():
        app = apps.app_of(path)
        if hidden_at(path, "module", (), app=app) is not None:
            continue
        by_source = out.setdefault(app, {})
        flags = availability_flags(facts)
        unbound = _unbound_lines(facts, flags)
        module_of: dict[str, str] = {}  # local name -> the project module it is bound to
        for source, binding, how in imports_of.get(path, ()):
            branch = _branch(binding.blocks, flags)
            if not binding.top_level or branch is None:
                continue
            gone = _deleted_later(unbound, binding.local, binding.span)
            if how == "name" and source != path:  # `from workers.gpu import embed [as e]`
                item = Rebinding(
                    path, binding.name, binding.local, binding.span, "import", branch, gone
                )
                by_source.setdefault(source, []).append(item)
            elif how != "name" and _names_module(binding, how) and not gone:
                module_of[binding.local] = source
        for assign in facts.assignments:
            if assign.namespace is not None or assign.placement != "module" or assign.unpack[1]:
                continue
            branch = _branch(assign.blocks, flags)
            if branch is None:
                continue
            gone = _deleted_later(unbound, assign.target, assign.span)
            text = assign.value.expr_text()
            if not _DOTTED.match(text):
                continue
            base, _, key = text.rpartition(".")
            source = module_of.get(base) if base else path
            if source is not None:
                kind = "alias" if source == path else "attribute"
                item = Rebinding(path, key, assign.target, assign.span, kind, branch, gone)
                by_source.setdefault(source, []).append(item)
    # What `import *` of each source binds, kept beside its rebindings: its `__all__`.
    for by_source in out.values():
        starred = {s for s, items in by_source.items() if any(i.key == "*" for i in items)}
        for source in starred:
            by_source[("__all__", source)] = _exported(analysis, source)
    return out


def _names_module(binding, how: str) -> bool:
    """Whether the binding's local name holds the module it resolves to: `from workers import
    gpu`, `import gpu`, `import a.gpu as gpu` or `as g`, and `import a.gpu` for `a`."""
    if how == "submodule":
        return True
    return binding.local == binding.module.rsplit(".", 1)[-1] or not binding.dotted


def _exported(analysis, path: str) -> set[str] | None:
    """The names a module's literal `__all__` lists (what `import *` binds), or None."""
    assign = analysis.modules._module_assigns.get(path, {}).get("__all__")
    if assign is None:
        return None
    value = analysis.modules.evaluate(assign.expr, path, None)
    items = value.value if value.known and isinstance(value.value, (list, tuple)) else None
    if items is None:
        return None
    return {i.value for i in items if isinstance(i, Value) and isinstance(i.value, str)}


def _branch(blocks, flags: frozenset[str]) -> str | None:
    """How module-level code so placed runs when the build imports the module: "" always,
    None never (`if TYPE_CHECKING:`, a function body), else where it sits (it runs only
    when that branch does)."""
    if all(
        block.kind in _ALWAYS_RUNS or (block.kind == "else" and outer.kind == "try")
        for block, outer in zip(blocks, (*blocks[1:], None), strict=False)
    ):
        return ""  # a `try` body or its `else`: they run unless the import itself fails
    hidden = classify(untaken_guards_dropped(blocks, flags))
    if hidden is None:
        return ""
    return None if hidden.certain else hidden.where


def _unbound_lines(facts, flags: frozenset[str]) -> dict[str, list[tuple[int, int]]]:
    """Where each name is deleted (`del infer`) by a statement that always runs at import:
    the build reads the globals the import leaves, so a binding deleted later is gone."""
    out: dict[str, list[tuple[int, int]]] = {}
    for unbinding in facts.unbinds:
        if _branch(unbinding.blocks, flags) == "":
            span = unbinding.span
            out.setdefault(unbinding.name, []).append((span.line, span.column))
    return out


def _deleted_later(unbound: dict[str, list[tuple[int, int]]], name: str, span: Span) -> bool:
    # A re-binding after the `del` is its own record, without a `del` after it.
    return any(at > (span.line, span.column) for at in unbound.get(name, ()))


def _rebound_elsewhere(by_source, path: str, name: str) -> list[tuple[str, Span, str, str, str]]:
    """Where module-level names other than `name` in `path` hold the object `path` defines as
    `name`, as (module, span, local name, kind, branch): followed through re-exports (`from
    workers import infer` where `workers` imported it) and aliases (`infer_v1 = infer`); a
    re-export of a conditional binding is as conditional as it."""
    bound = {(path, name)}
    todo = [(path, name, "")]
    found: list[tuple[str, Span, str, str, str]] = []
    while todo:
        source, original, inherited = todo.pop()
        exported = by_source.get(("__all__", source))
        for item in by_source.get(source, ()):
            if item.key == "*":
                hidden = original.startswith("_") if exported is None else original not in exported
                local = None if hidden else original
            else:
                local = item.local if item.key == original else None
            if local is None or (item.importer, local) in bound:
                continue
            bound.add((item.importer, local))
            branch = item.branch or inherited
            if not item.gone:
                found.append((item.importer, item.span, local, item.kind, branch))
            todo.append((item.importer, local, branch))
    return found
