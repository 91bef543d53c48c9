"""FG213: `from runpod_flash import X` where the SDK release the app uses has no `X`."""

from __future__ import annotations

from flash_guard.checks.base import Check, Outcome, register
from flash_guard.discover.facts import guarding_if
from flash_guard.model import Span
from flash_guard.project.apps import app_map
from flash_guard.project.sdk_version import DISTRIBUTIONS, SdkVersions
from flash_guard.sdk import releases, runpod2_tables
from flash_guard.sdk.flash_tables import FOREIGN_EXPORTS, did_you_mean
from flash_guard.sdk.in_use import history, release_at_least
from flash_guard.sdk.runpod1_names import RUNPOD1_TOP_LEVEL, is_runpod1


def sdk_finder(analysis) -> SdkVersions:
    """The run's SdkVersions (set by the pipeline), or one of its own (a check run alone)."""
    found = getattr(analysis, "sdk_versions", None)
    return found if found is not None else SdkVersions(analysis.root)


def first_endpoints(endpoints) -> dict[str, object]:
    """Each app's first deployable declaration (by path, then line): the one app-level
    findings name."""
    out: dict[str, object] = {}
    for endpoint in sorted(endpoints, key=lambda e: (e.path, e.span)):
        if endpoint.deployable:
            out.setdefault(endpoint.app, endpoint)
    return out


@register
class UnknownSdkImport(Check):
    """Reads every import of `runpod_flash` and `tetra_rp` in the project and compares it with
    the release the file's app uses (lock file, pin, `sdk_version`, else the newest release;
    rules.md "SDK version in use"): `from runpod_flash import X` and attribute use on the
    package (`import runpod_flash as rf` ... `rf.X`) need `X` among the top-level names or
    submodules, and a submodule import (`from runpod_flash.core.resources import X`,
    `import tetra_rp.core.api`) needs that module to exist in the release. A missing name is
    an `ImportError` (an `AttributeError` for attribute use) when the line runs; at module
    level that is when the module is imported, so `flash build`, `flash dev` and the worker
    all fail. The message says when the name was added or removed, or suggests the closest
    exported name (`GpuTypes` -> `GpuType`). The top-level names count with what the package
    imports from elsewhere (`load_dotenv`, `find_dotenv` from python-dotenv), and an import the
    code expects may fail is not reported: under `if TYPE_CHECKING:` or in a `try:` body.

    In an app that declares runpod 2.0 resources, `from runpod import X` and `runpod.X` are
    read against runpod 2.0.0rc2, whose top level is lazy: the Apps API, the HTTP client
    (`Endpoint`, `AsyncioEndpoint`), the control-plane functions and its submodules. When the
    app's lock, pin or `sdk_version` says runpod 1.x (the serverless SDK, which has no Apps
    API), they are read against 1.x instead, and each file gets one finding, at its first use
    of a name 1.x lacks (the import stops there), counting the others.

    Names inside a submodule (`X` of `from runpod_flash.core.resources import X`) are not
    recorded per release and are not checked. The attributes the import system sets on every
    module (`__file__`, `__name__`, `__path__`, ...) always exist; `__version__` and `__all__`
    are checked per release like any other name (runpod-flash has `__version__` from
    1.4.2)."""

    id = "unknown-sdk-import"
    scope = "project"

    def check_project(self, endpoints, params, ctx) -> list[Outcome]:
        analysis = ctx.analysis
        if analysis is None:
            return []
        finder = sdk_finder(analysis)
        apps = app_map(analysis)
        # 2.0 declarations are not handed to runpod_flash checks (deploy_support.REPLACED), but
        # they decide which apps read `runpod` as 2.0 and name the finding's endpoint there.
        every = list(getattr(analysis, "endpoints", None) or endpoints)
        owners = {**first_endpoints(every), **first_endpoints(endpoints)}
        runpod2_apps = {e.app for e in every if e.sdk == "runpod2"}
        out = []
        for path in sorted(analysis.modules.files):
            facts = analysis.modules.files[path]
            app = apps.app_of(path)

            def found(message, span, name, _path=path, _app=app, fix=None):
                out.append(Outcome("fail", message, _path, span, name, owners.get(_app), fix))

            runpod = finder.for_app(app, "runpod") if app in runpod2_apps else None
            if runpod is not None and is_runpod1(runpod.version):
                problem = _runpod1_uses(facts, runpod)
                if problem is not None:
                    found(*problem, fix=RUNPOD1_FIX)
                runpod2_here = False  # the names below are judged against 1.x, just above
            else:
                runpod2_here = runpod is not None

            for binding in facts.imports:
                if binding.level or binding.name == "*" or _guarded(binding):
                    continue
                top = binding.module.split(".", 1)[0]
                if top in DISTRIBUTIONS:
                    sdk = finder.for_app(app, top)
                    problem = _flash_import(binding, sdk)
                elif top == "runpod" and runpod2_here:
                    problem = _runpod2_import(binding)
                else:
                    continue
                if problem is not None:
                    found(problem[0], binding.span, problem[1])
            modules = {
                b.local: b.module
                for b in facts.imports
                if b.name is None and not b.level and b.module.split(".", 1)[0] == b.module
            }
            for local, attribute, span in getattr(facts, "sdk_attributes", ()):
                module = modules.get(local)
                if module in DISTRIBUTIONS:
                    sdk = finder.for_app(app, module)
                    known = releases.facts(sdk.package, sdk.facts_version)
                    if not _exported(attribute, known, sdk):
                        found(_attribute_message(local, attribute, sdk, known), span, attribute)
                elif module == "runpod" and runpod2_here and not _runpod2_has(attribute):
                    found(_runpod2_attribute_message(local, attribute), span, attribute)
        return out


def _flash_import(binding, sdk) -> tuple[str, str] | None:
    """(message, name) when the import fails in the release in use, else None."""
    known = releases.facts(sdk.package, sdk.facts_version)
    module = binding.module
    if binding.name is None:  # `import runpod_flash.core.api`: every module on the path
        dotted = binding.dotted or module
        rest = dotted.split(".")[1:]
        for depth in range(1, len(rest) + 1):
            part = ".".join(rest[:depth])
            if not releases.has_module(known, part):
                return _missing_module(f"import {dotted}", module.split(".")[0], part, sdk)
        return None
    if "." in module:  # `from runpod_flash.core.resources import X`
        package, sub = module.split(".", 1)
        for depth in range(1, sub.count(".") + 2):
            part = ".".join(sub.split(".")[:depth])
            if not releases.has_module(known, part):
                statement = f"from {module} import {binding.name}"
                return _missing_module(statement, package, part, sdk)
        return None  # the module exists; the names inside it are not recorded
    if _exported(binding.name, known, sdk):
        return None
    return _message(binding, sdk, known), binding.name


# What every imported package has, whatever the release: the import system sets these on
# the module object (`from runpod_flash import __file__` always works). `__version__` and
# `__all__` are not among them: each is recorded per release like any other export.
MODULE_ATTRIBUTES = frozenset(
    {
        "__name__", "__doc__", "__file__", "__path__", "__package__", "__spec__",
        "__loader__", "__builtins__", "__cached__", "__dict__",
    }
)  # fmt: skip
_RUNPOD1_NAMES = RUNPOD1_TOP_LEVEL | MODULE_ATTRIBUTES


def _exported(name: str, known, sdk) -> bool:
    if name in known.exports or name in known.submodules or name in MODULE_ATTRIBUTES:
        return True
    first = FOREIGN_EXPORTS.get(sdk.package, {}).get(name)
    return first is not None and release_at_least(sdk, sdk.package, first)


def _guarded(binding) -> bool:
    """An import the code expects may fail: under `if TYPE_CHECKING:` (never run) or in a
    `try:` body (the `except ImportError` fallback runs instead of the import failing)."""
    if any(block.kind == "try" for block in binding.blocks):
        return True
    return guarding_if(binding.blocks, lambda header: "TYPE_CHECKING" in header) is not None


def _missing_module(statement: str, package: str, part: str, sdk) -> tuple[str, str]:
    dotted = f"{package}.{part}"
    changed = history(sdk, "module" if "." in part else "submodule", part)
    why = f"`{dotted}` {changed}" if changed else f"{sdk.package} {sdk.version} has no `{dotted}`"
    return (
        f"`{statement}`: {why} (ModuleNotFoundError when the module is imported; {sdk.this_app()})",
        dotted,
    )


def _attribute_message(local: str, name: str, sdk, known) -> str:
    changed = history(sdk, "export", name)
    if changed is not None:
        what = f"`{name}` {changed}"
    else:
        what = f"{sdk.package} {sdk.version} has no top-level `{name}`"
        guess = did_you_mean(name, known.exports)
        if guess:
            what += f" (did you mean `{local}.{guess}`?)"
    return f"`{local}.{name}`: {what}; AttributeError when this line runs ({sdk.this_app()})"


RUNPOD2 = f"runpod {runpod2_tables.SDK_VERSION}"


def _runpod2_has(name: str) -> bool:
    return (
        name in runpod2_tables.RUNPOD_EXPORTS
        or name in runpod2_tables.RUNPOD_TOP_LEVEL
        or name in MODULE_ATTRIBUTES
    )


def _runpod2_guess(name: str) -> str:
    names = set(runpod2_tables.RUNPOD_EXPORTS) | runpod2_tables.RUNPOD_TOP_LEVEL
    guess = did_you_mean(name, names)
    return f"; did you mean `{guess}`?" if guess else ""


def _runpod2_import(binding) -> tuple[str, str] | None:
    if binding.name is not None and binding.module.startswith("runpod."):
        return _runpod2_submodule_import(binding.module, binding.name)
    if binding.module != "runpod" or binding.name is None or _runpod2_has(binding.name):
        return None
    name = binding.name
    return (
        f"`from runpod import {name}`: {RUNPOD2} does not export `{name}` (ImportError when "
        f"the module is imported; this app declares runpod 2.0 resources){_runpod2_guess(name)}",
        name,
    )


# What `from runpod.apps import X` finds in 2.0.0rc2: the package's `__all__` (the generated
# tables) and its submodules (runpod/apps/*.py). Only this module is judged: IMPORT_PATHS
# lists where each 2.0 name is documented, not every module that happens to hold it.
RUNPOD_APPS_SUBMODULES = frozenset(
    [
        "api",
        "app",
        "auth",
        "build",
        "context",
        "datacenter",
        "deploy",
        "dev",
        "discovery",
        "discovery_state",
        "entrypoint",
        "errors",
        "gpu",
        "handles",
        "images",
        "init",
        "invoker",
        "job",
        "logs",
        "manage",
        "markers",
        "model",
        "monitor",
        "placement",
        "protocol",
        "registry",
        "schedule",
        "secret",
        "serialization",
        "shim",
        "spec",
        "stubs",
        "targets",
        "tasks",
        "utils",
        "volume",
        "watch",
    ]
)
RUNPOD_APPS_NAMES = runpod2_tables.APPS_EXPORTS | RUNPOD_APPS_SUBMODULES


def _runpod2_submodule_import(module: str, name: str) -> tuple[str, str] | None:
    """`from runpod.apps import GpuType`: a 2.0 name that `runpod.apps` does not have."""
    paths = runpod2_tables.IMPORT_PATHS.get(name)
    if module != "runpod.apps" or paths is None or name in RUNPOD_APPS_NAMES:
        return None
    where = ", ".join(f"`{p.rsplit('.', 1)[0]}`" for p in sorted(paths))
    return (
        f"`from {module} import {name}`: {RUNPOD2}'s `{module}` has no `{name}` (ImportError "
        f"when the module is imported; this app declares runpod 2.0 resources); import it "
        f"from {where}",
        name,
    )


RUNPOD1_FIX = (
    f"Pin the 2.0 release the code is written for: runpod=={runpod2_tables.SDK_VERSION} "
    "(pip install --pre runpod), and commit the lock file."
)


def _runpod1_uses(facts, sdk) -> tuple[str, Span, str] | None:
    """(message, span, name) at the first use of a name runpod 1.x does not have, in a file
    of a 2.0 app whose lock or pin says 1.x; the rest of the file's uses are counted in it
    (the first one already stops the import)."""
    misses: list[tuple[Span, str, str]] = []
    for binding in facts.imports:
        if binding.level or binding.module != "runpod" or binding.name in (None, "*"):
            continue
        if binding.name not in _RUNPOD1_NAMES:
            what = f"`from runpod import {binding.name}`"
            misses.append((binding.span, what + ": ImportError", binding.name))
    modules = {b.local for b in facts.imports if b.name is None and b.module == "runpod"}
    for local, attribute, span in getattr(facts, "sdk_attributes", ()):
        if local in modules and attribute not in _RUNPOD1_NAMES:
            misses.append((span, f"`{local}.{attribute}`: AttributeError", attribute))
    if not misses:
        return None
    misses.sort(key=lambda m: (m[0].line, m[0].column))
    span, what, name = misses[0]
    more = len(misses) - 1
    others = f"; {more} more use{'s' if more > 1 else ''} of 2.0 names in this file" if more else ""
    if sdk.kind == "range":
        which = (
            f"`runpod{sdk.specifier}` ({sdk.source}) rules out 2.0 and installs runpod "
            f"{sdk.version}, the 1.x serverless SDK"
        )
    else:
        which = f"runpod {sdk.version} ({sdk.source}) is the 1.x serverless SDK"
    return (
        f"{what} when the module is imported: {which}, which has no `{name}`; the Apps API "
        f"(`runpod.App`) is runpod 2.0{others}",
        span,
        name,
    )


def _runpod2_attribute_message(local: str, name: str) -> str:
    return (
        f"`{local}.{name}`: {RUNPOD2} has no top-level `{name}`; AttributeError when this line "
        f"runs (this app declares runpod 2.0 resources){_runpod2_guess(name)}"
    )


def _message(binding, sdk, known) -> str:
    name = binding.name
    where = f"{sdk.this_app()}"
    changed = history(sdk, "export", name)
    if changed is not None:
        return (
            f"`from {binding.module} import {name}`: `{name}` {changed} (ImportError when the "
            f"module is imported); {where}"
        )
    other = next(p for p in releases.packages() if p != sdk.package)
    if name in releases.facts(other, releases.newest(other)).exports:
        hint = f"; {other} exports it at its top level, {sdk.package} does not"
    else:
        guess = did_you_mean(name, known.exports)
        hint = f"; did you mean `{guess}`?" if guess else ""
    return (
        f"`from {binding.module} import {name}`: {sdk.package} {sdk.version} does not export "
        f"`{name}` (ImportError when the module is imported; {where}){hint}"
    )
