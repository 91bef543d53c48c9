"""FG305: the worker's body imports a package nothing installs on the worker."""

from __future__ import annotations

import functools
import posixpath
import sys
from dataclasses import dataclass

from flash_guard.checks.base import Check, fail_at, param_doc, register, unknown
from flash_guard.checks.sites import body_with_helpers
from flash_guard.checks.worker_start import (
    GUARDS,
    body_imports,
    imports_module_at_start,
    lazy_walk,
    worker_start,
)
from flash_guard.model import Span, Value
from flash_guard.project.local_requirements import (
    SEPARATE,
    LocalRequirement,
    UvSource,
    local_requirements,
    uv_sources,
)
from flash_guard.project.sdk_version import (
    parse_requirement,
    read_text,
    requirement_extras,
    requirement_lines,
    split_options,
)
from flash_guard.rules.deploy.fg213_unknown_sdk_import import sdk_finder
from flash_guard.rules.deploy.fg214_invalid_legacy_config import CUSTOM_IMAGE_CLASSES
from flash_guard.sdk import releases
from flash_guard.sdk.distributions import (
    ALWAYS_PRESENT,
    IMPORT_DISTRIBUTIONS,
    NAMESPACE_PACKAGES,
    RUNPOD2_API_RUNTIME,
    RUNPOD2_GPU_IMAGE,
    RUNPOD2_INSTALL,
    RUNPOD2_RUNTIME,
    SDK_DEPENDENCIES,
    normalise,
    provided,
    requirement_names,
    with_requirements,
)
from flash_guard.sdk.in_use import dev_command, has_flash_build, sdk_of

# The worker's standard library (Python 3.12, the Flash worker default), whatever Python runs
# flash-guard: 3.12 removed these five (an import fails on the worker), 3.11 added tomllib.
REMOVED_IN_312 = frozenset({"asynchat", "asyncore", "distutils", "imp", "smtpd"})
# 3.13 removed these: still there on a 3.12 worker, whatever Python runs flash-guard.
REMOVED_IN_313 = frozenset(
    {
        "aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "lib2to3", "mailcap",
        "msilib", "nis", "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau",
        "telnetlib", "uu", "xdrlib",
    }
)  # fmt: skip
STDLIB = frozenset(sys.stdlib_module_names) | {"__future__", "tomllib"} | REMOVED_IN_313


@dataclass
class Params:
    preinstalled: list[str] = param_doc(
        default=[*ALWAYS_PRESENT, *SDK_DEPENDENCIES],
        doc="Distributions the worker image already has (Flash's always-present torch, "
        "torchvision, torchaudio, triton and the SDK's own dependencies). Setting this "
        "replaces the whole list.",
    )
    preinstalled_runpod2: list[str] = param_doc(
        default=list(RUNPOD2_RUNTIME),
        doc="runpod 2.0: distributions every worker has (the SDK's runtime closure). An app "
        "with an `@app.api` adds fastapi, uvicorn and fastapi's standard extras, and a GPU "
        "resource without `image=` adds torch, torchvision, torchaudio and triton (only the "
        "built-in GPU images carry them). Setting this replaces the whole list.",
    )
    import_names: dict[str, list[str]] = param_doc(
        default={k: list(v) for k, v in IMPORT_DISTRIBUTIONS.items()},
        doc="Import name -> the distributions that install it, where the names differ "
        "(`PIL` -> `pillow`, `cv2` -> `opencv-python`, ...). Other imports are matched to the "
        "distribution of the same name, or that name with `-sdk`, `-python`, `-py` or "
        "`python-` added, ignoring case and `-`/`_`/`.`. Setting this replaces the whole map.",
    )


@register
class MissingDependency(Check):
    """Lists the imports in the worker's body (rules.md "the worker's body": the decorated function
    or class, a load balancer's route handlers, a runpod 2.0 queue's `@handle.init` hooks, and
    the module-level functions of the same module they call by name, one level deep, such as a
    lazy `_get_model()`) and keeps those that nothing provides on the worker: not the standard
    library (Python 3.12's, the worker default: `imp` and `distutils` are gone), not a module of
    the project (relative imports, or a top-level name that is a project file or package), not
    in the union of the app's literal `dependencies=` (flash build bundles that union for every
    endpoint of the app; every `@remote` of a shared legacy resource adds its own), not in the
    app's `requirements.txt` (flash build reads no other file: `pyproject.toml` dependencies,
    requirements-dev.txt, optional dependencies and dependency groups are not installed on the
    worker, and the message says where the package is named; a URL counts by its `#egg=` or
    wheel name, and a `git+` URL without either by its repository's name for the import of
    that name; pip options such as `--extra-index-url=...` name nothing), and not
    `preinstalled`. tetra-rp before 0.14 has no `flash build`
    (`in_use.has_flash_build`): there only the declaration's own `@remote(dependencies=...)`
    reach its worker, and a package that only requirements.txt names is reported, saying so;
    the stub sends the function's source alone, so a project module or relative import in its
    body is reported too. A distribution
    (preinstalled ones included) counts with what it always pulls in (`transformers` brings
    `numpy`, `fastapi` brings `starlette`), and a `dependencies=` requirement with an extra
    with what that extra requires (`nemo_toolkit[asr]` brings `soundfile` and `librosa`).
    runpod 2.0 workers are built differently: one artifact per `runpod.App`, with only that
    App's resources' `dependencies=` (two Apps in one directory do not share them), the build
    reads only the app's `requirements.txt` too, and the worker has `preinstalled_runpod2` (the
    SDK's runtime), fastapi and uvicorn when the App has an `@app.api`, and the torch family
    only on a GPU resource without `image=` (`runpod` listed by the app itself is vendored with
    its whole closure: fastapi[all], pydantic, boto3, ...); its `dependencies=` count however
    they are written (`BASE + ["x"]`), since the build collects them from the running code.
    Import names map to
    distributions through `import_names` (`PIL` -> pillow). Custom-image declarations (`image=`,
    `ServerlessEndpoint`, `CpuServerlessEndpoint`, ...) are exempt: their image decides. A 2.0
    worker also imports the handle's module when it starts (and a route handler's), and with
    them every project module they import at module level: their unguarded module-level imports
    are checked too, each reported once per App, at the import, "when the worker starts" (an
    import in a `try`/`if`, such as an optional dependency or `if TYPE_CHECKING:`, is not). So
    does the handler `flash build` generates for a runpod-flash `Endpoint` (it imports the
    declaring module), checked the same way once per app; a legacy `@remote` function, often run
    live where the worker execs only its source, is not. There the fix names requirements.txt: a
    package in `dependencies=` imported at module level is FG302's. A project module the
    body imports inside it (`from app.features import featurize` in the function) runs its
    own module-level imports there, so those (and the project modules they import) are
    checked the same way, "on the first request"; one imported under a `try` in the body is
    not followed. Imports in helpers of other modules and in helpers called only by helpers
    are not looked at. For runpod 2.0 and a
    flash-built runpod-flash app, a project package that lives below the app's directory
    (`src/mypkg/`, a src layout) and is imported by its own name (`from mypkg.util import x`)
    is reported as well: the worker has only the app directory on sys.path and the project is
    never installed; runpod-flash's build imports the file the same way, so a module-level
    import of that kind fails `flash build` ("Failed to load"). A worker whose body (or a helper)
    extends its own import path (`sys.path.insert/append/extend`, `site.addsitedir`), as one
    that installs packages into a venv on the network volume at run time does, has its body's
    imports left alone: what they find is decided when it runs. A finding in a helper names the
    helper and is at its import. A runpod 2.0 `@app.task` is checked against its own pod
    (`_check_task`): its own `dependencies=` and the task image, no requirements.txt, no other
    project file, and the unguarded module-level imports of its file, which the pod execs whole.
    Local packages of a monorepo, written as paths in the app's requirements.txt: both builds
    pip-install a plain path (`../shared`, `./libs/common`, `name @ file:...`,
    `file:///abs/path`) into the artifact, so what it holds (its pyproject.toml name and
    top-level packages) counts as installed. Reported at the line, once per app, instead of
    at the imports: a path that does not exist (the build fails); for runpod-flash, `-e
    <path>`, which pip rejects because flash build passes the line as one argument (the build
    fails), and `-e<path>`/`--editable=<path>` outside the app's directory, which install only
    a link to the build machine's copy; for runpod 2.0, any `-e` line outside the app's
    directory (including a VCS URL), which its build skips. An editable line never counts
    as installing its package. A project module that lies outside the app's directory (a
    sibling package of a monorepo checked from its root) is not shipped by either build:
    reported at the import unless a requirement installs it, with the path to add to
    requirements.txt; a `[tool.uv.sources]` entry (`path =` or `workspace = true`) that
    provides the import is named, since no build reads pyproject.toml. A declaration
    discovery keeps without settings (`@EPS["a"]` on a dict filled in a loop over data) is
    undecided (FG002): flash build bundles the literal dependencies of the `Endpoint(...)`
    behind it all the same."""

    id = "missing-dependency"
    Params = Params
    kinds = ("queue", "load_balancer", "task")

    def applies(self, endpoint) -> bool:
        return (
            super().applies(endpoint)
            and endpoint.resource_class not in CUSTOM_IMAGE_CLASSES
            and not _custom_runpod2_image(endpoint)
        )

    def check(self, endpoint, params: Params, ctx):
        analysis = ctx.analysis
        if analysis is None:
            return []
        if endpoint.kind == "task":
            return _check_task(endpoint, params, ctx.endpoints, analysis)
        built = has_flash_build(endpoint)
        if built:
            available = app_distributions(endpoint, ctx.endpoints, analysis)
        else:
            available = _own_distributions(endpoint)
        available |= _closure(frozenset(_preinstalled(endpoint, params, ctx.endpoints, analysis)))
        out = []
        seen = set()
        imports = list(body_imports(endpoint, analysis.modules))
        if _extends_import_path(endpoint, analysis):
            # The worker adds a package location itself (a venv on the network volume):
            # what its own imports find there is decided when it runs, not by the build.
            imports = []
        if built or endpoint.sdk == "runpod2":
            # the build ships every project module; a body that imports one runs its imports
            imports += _lazy_module_imports(endpoint, ctx.endpoints, analysis, list(imports))
        if imports_module_at_start(endpoint):
            imports += _first_reporter(endpoint, ctx.endpoints, analysis)
        broken = _broken_local_lines(endpoint, analysis)
        covered = {name for line in broken for name in line.names}
        if _reports_local_lines(endpoint, analysis):
            out += [_local_line_finding(endpoint, line) for line in broken]
        for path, binding, via in imports:
            top = binding.module.split(".", 1)[0]
            if not built and _unshipped(analysis, endpoint, path, binding, top, available, params):
                key = (path, binding.span, top)
                if key not in seen:
                    seen.add(key)
                    out.append(_unshipped_finding(endpoint, path, binding, top, via))
                continue
            if not top or binding.level:
                continue
            if top in STDLIB and not (top in REMOVED_IN_312 and _worker_from_312(endpoint)):
                continue
            below = None
            if (endpoint.sdk == "runpod2" or built) and not provided(
                top, available, params.import_names
            ):
                below = below_deploy_root(analysis, path, binding, top, endpoint.app)
            if below is not None:
                key = (path, binding.span, top)
                if key not in seen:
                    seen.add(key)
                    out.append(_below_root_finding(endpoint, path, binding, top, below, via))
                continue
            if provided(top, available, params.import_names):
                continue
            if provided(top, covered, params.import_names):
                continue  # the requirements.txt line that fails to install it is the finding
            if is_project_module(analysis, path, top, endpoint.app):
                outside = outside_app(analysis, path, top, endpoint.app)
                key = (path, binding.span, top)
                if outside is not None and key not in seen:
                    seen.add(key)
                    finding = _outside_app_finding(
                        endpoint, analysis, path, binding, top, outside, via
                    )
                    out.append(_with_uv_source(finding, endpoint, analysis, top, params))
                continue
            key = (path, binding.span, top)
            if key in seen:
                continue
            seen.add(key)
            unnamed = (
                unnamed_requirement(endpoint, ctx.endpoints, analysis)
                if built
                else _unnamed_url(endpoint, [endpoint])
            )
            if unnamed is not None and _named_by_repository(
                endpoint, ctx.endpoints if built else [endpoint], analysis, top, built
            ):
                continue  # `git+https://github.com/huggingface/diffusers.git` for `diffusers`
            if unnamed is not None and top not in REMOVED_IN_312:
                # `git+https://.../MobileSAM.git` installs a package whose name is not written:
                # it may be this one. Said once, as undecided, at that requirement.
                what = "a requirement URL that names no distribution (add #egg=<name>)"
                return [unknown(endpoint, unnamed, what, f"dependencies:{top}")]
            whole = _unresolved_declaration(endpoint) if built else None
            if whole is not None:
                # The build bundles the literal dependencies of every `X = Endpoint(...)` it
                # parses, the one behind this declaration included: not known here.
                return [unknown(endpoint, whole, "the declaration", f"dependencies:{top}")]
            finding = _finding(endpoint, path, binding, top, params.import_names, via, built)
            unread = _unread_requirement(endpoint, analysis, top, params.import_names, built)
            if _uv_source(endpoint, analysis, top, params) is not None:
                out.append(_with_uv_source(finding, endpoint, analysis, top, params))
                continue
            unbundled = _unbundled_dependency(endpoint, top, params.import_names) if built else None
            if unbundled is not None:
                _name_unbundled(finding, endpoint, top, unbundled)
            elif unread is not None and not built:
                sdk = sdk_of(endpoint)
                finding.message += (
                    f"; {unread.path}:{unread.line} names it, but {sdk.package} {sdk.version} "
                    "has no `flash build`: the worker installs only the dependencies= its "
                    f"@remote sends ({sdk.this_app()})"
                )
            elif unread is not None and unread.editable:
                finding.message += (
                    f"; {unread.path}:{unread.line} installs it editable (`-e`), which puts "
                    "no copy of it on the worker"
                )
            elif unread is not None:
                build = "runpod 2.0's build" if endpoint.sdk == "runpod2" else "flash build"
                finding.message += (
                    f"; {unread.path}:{unread.line} names it, but {build} installs only the "
                    "app's requirements.txt and dependencies="
                )
            out.append(finding)
        return out


TASK_MODULE = "<task module>"  # the `via` of a module-level import of a task's own file


def _check_task(endpoint, params: Params, endpoints, analysis) -> list:
    """A runpod 2.0 `@app.task` runs on a pod of its own, not on the app's build artifact:
    `.remote()`/`.spawn()` send the source of the task's module (serialization
    `get_function_source`: that one file) with the task's own `dependencies=`
    (targets.py `PodTarget.build_payload`), and the runtime's executor pip-installs those
    dependencies on the task image and execs the source as `__runpod_live__`
    (runpod_sdk_runtime executor `resolve_request`). So what the task finds is the image
    (`preinstalled_runpod2`, the torch family on a GPU image) and its own dependencies, not
    the app's requirements.txt, other resources' dependencies, or any other project file;
    and the file's module-level imports run on the pod too."""
    available = {
        name
        for value in dependency_values(endpoint)
        for spec in resolved_dependencies(value)
        for name in spec_names(spec)
    }
    available = set(_closure(frozenset(available)))
    available |= _closure(frozenset(_preinstalled(endpoint, params, endpoints, analysis)))
    imports = (
        []
        if _extends_import_path(endpoint, analysis)
        else list(body_imports(endpoint, analysis.modules))
    )
    imports += _task_module_imports(endpoint, endpoints, analysis)
    out, seen = [], set()
    for path, binding, via in imports:
        top = binding.module.split(".", 1)[0]
        if not binding.level and (top in STDLIB or provided(top, available, params.import_names)):
            continue
        project = bool(binding.level) or is_project_module(analysis, path, top, endpoint.app)
        if not project and not top:
            continue
        key = (path, binding.span)
        if key in seen:
            continue
        seen.add(key)
        out.append(
            _task_finding(endpoint, endpoints, path, binding, top, project, params, analysis, via)
        )
    return out


def _task_module_imports(endpoint, endpoints, analysis):
    """The unguarded module-level imports of the task's own file (the pod execs all of it),
    each reported by the first task of that file whose pod lacks it."""
    facts = analysis.modules.files.get(endpoint.path)
    if facts is None:
        return
    memo = _memo(analysis).setdefault(("task module imports", id(endpoints)), {})
    for binding in facts.imports:
        if not binding.top_level or any(b.kind in GUARDS for b in binding.blocks):
            continue
        key = (endpoint.path, binding.span)
        if memo.setdefault(key, id(endpoint)) == id(endpoint):
            yield endpoint.path, binding, TASK_MODULE


def _task_finding(endpoint, endpoints, path, binding, top, project, params, analysis, via):
    name = endpoint.display_name
    where = "in its body" if via is None else f"in `{via}()`, a helper its body calls"
    if via == TASK_MODULE:
        where = f"at module level of `{path}`, which its pod runs whole"
    shown = "." * binding.level + binding.module
    if project:
        what = "relative import" if binding.level else f"project module `{top}`"
        error = "ImportError" if binding.level else "ModuleNotFoundError"
        message = (
            f"`{name}` imports `{shown}` {where}, but a task pod receives only the source of "
            f"`{path}` (run as `__runpod_live__`), not the project's other files: the "
            f"{what} fails there ({error} every time the task runs)"
        )
        fix = (
            f"Keep the task's file self-contained: build its App in `{path}` (other files "
            "import it from there) and move the code it needs into that file or into an "
            "installed package listed in the task's dependencies=[...]."
        )
        return fail_at(endpoint, message, path, binding.span, f"dependencies:{top}", fix)
    wanted = (params.import_names.get(top) or [normalise(top)])[0]
    message = (
        f"`{name}` imports `{top}` {where}, but nothing installs it on the task's pod (it "
        "gets the runtime image and the task's own dependencies=, not the app's "
        f"requirements or other resources' dependencies): ModuleNotFoundError every time "
        "the task runs"
    )
    named = _named_elsewhere(endpoint, endpoints, analysis, top, params.import_names)
    if named:
        message += f"; {named} names it, but that does not reach a task pod"
    fix = f'Add "{wanted}" to the task\'s dependencies=[...].'
    return fail_at(endpoint, message, path, binding.span, f"dependencies:{top}", fix)


def _named_elsewhere(endpoint, endpoints, analysis, top, import_names) -> str | None:
    """Where the app names the package for its endpoints' workers (another resource's
    `dependencies=`, requirements.txt, pyproject.toml), which a task pod never installs."""
    for other in endpoints:
        if other is endpoint or other.sdk != "runpod2" or artifact(other) != artifact(endpoint):
            continue
        for value in dependency_values(other):
            for spec in resolved_dependencies(value):
                parsed = parse_requirement(spec)
                if parsed is not None and provided(top, {parsed[0]}, import_names):
                    return f"the dependencies= of `{other.display_name}`"
    for requirement in sdk_finder(analysis).requirements(endpoint.app):
        if provided(top, {requirement.name}, import_names):
            return f"{requirement.path}:{requirement.line}"
    return None


# Calls that add a package location to the worker's import path at run time.
IMPORT_PATH_EXTENDERS = frozenset(
    {"sys.path.insert", "sys.path.append", "sys.path.extend", "site.addsitedir"}
)


def _extends_import_path(endpoint, analysis) -> bool:
    """The worker's body (helpers included) extends `sys.path` or adds a site directory:
    packages it installs at run time, such as a venv kept on the network volume
    (`sys.path.insert(0, "/runpod-volume/venv/lib/python3.12/site-packages")`)."""
    return any(
        callee in IMPORT_PATH_EXTENDERS
        for body in body_with_helpers(endpoint, analysis.modules.files)
        for callee in body.calls
    )


def _worker_from_312(endpoint) -> bool:
    """The worker runs Python 3.12 or later: runpod-flash's default, unless `python_version`
    says otherwise. A runpod 2.0 worker runs the deployer's Python: not known here."""
    if endpoint.sdk == "runpod2":
        return False
    version = endpoint.params.get("python_version")
    if version is None or not version.known or not isinstance(version.value, str):
        return True
    try:
        return not releases.version_matches(version.value, "<3.12")
    except ValueError:  # not a version: FG208's finding
        return True


def _custom_runpod2_image(endpoint) -> bool:
    """A 2.0 resource on its own base image (`image="pytorch/pytorch:..."`, not `""`, which is
    the builtin one): what the image holds is not in the code."""
    image = endpoint.params.get("image") if endpoint.sdk == "runpod2" else None
    if image is None or image.defaulted:
        return False
    return not image.known or (isinstance(image.value, str) and image.value.strip() != "")


def _installed(requirement) -> bool:
    """A requirement the build installs on the worker: the app's requirements.txt alone.
    Both builds read that file and the resources' `dependencies=`, nothing else (runpod-flash
    1.21 cli/commands/build.py and runpod 2.0 apps/build.py `collect_requirements`; no file
    of runpod-flash reads pyproject.toml): never pyproject.toml, requirements-dev.txt,
    optional dependencies or dependency groups."""
    return (
        requirement.main
        and not requirement.editable
        and requirement.path.rsplit("/", 1)[-1] == "requirements.txt"
    )


def _unread_requirement(endpoint, analysis, top, import_names, built=True):
    """The requirement that names the import's distribution where the build does not read it
    (pyproject.toml, requirements-dev.txt, optional dependencies; any file when nothing is
    built)."""
    for requirement in sdk_finder(analysis).requirements(endpoint.app):
        named = provided(top, {requirement.name}, import_names)
        if named and not (built and _installed(requirement)):
            return requirement
    return None


def _unshipped(analysis, endpoint, path, binding, top, available, params: Params) -> bool:
    """A project module (or a relative import) on a worker of a release without `flash
    build`: the stub sends the function's source alone (tetra-rp 0.11.0
    `get_function_source`), never the project's files, so only an installed package of the
    same name would be found."""
    if binding.level:
        return True
    if not top or not is_project_module(analysis, path, top, endpoint.app):
        return False
    return not provided(top, available, params.import_names)


def _unshipped_finding(endpoint, path, binding, top, via):
    sdk = sdk_of(endpoint)
    where = "in its body" if via is None else f"in `{via}()`, a helper its body calls"
    shown = "." * binding.level + binding.module
    what = "relative import" if binding.level else f"project module `{top}`"
    error = "ImportError" if binding.level else "ModuleNotFoundError"
    message = (
        f"`{endpoint.display_name}` imports `{shown}` {where}, but {sdk.package} {sdk.version} "
        "has no `flash build` and sends only the function's source to the worker, not the "
        f"project's files: the {what} fails there ({error} on the first request; "
        f"{sdk.this_app()})"
    )
    fix = (
        "Move the code the function needs into its body, or install it on the worker as a "
        "package listed in its @remote(..., dependencies=[...])."
    )
    return fail_at(endpoint, message, path, binding.span, f"dependencies:{top}", fix)


def _own_distributions(endpoint) -> set[str]:
    """What a worker without a build has: the declaration's own `dependencies=` (each `@remote`
    of a shared resource sends its own to the same workers), as the running code builds them."""
    names = {
        name
        for value in dependency_values(endpoint)
        for spec in resolved_dependencies(value)
        for name in spec_names(spec)
    }
    return with_requirements(names)


def spec_names(spec: str) -> set[str]:
    """The distribution keys one `dependencies=` requirement adds: its name and, per extra it
    asks for, `name[extra]` (what PULLS_IN says that extra brings); empty when unreadable."""
    parsed = parse_requirement(spec)
    if parsed is None:
        return set()
    return requirement_names(parsed[0], requirement_extras(spec))


@functools.lru_cache(maxsize=64)  # the same one or two lists for every endpoint
def _closure(names: frozenset[str]) -> frozenset[str]:
    return frozenset(with_requirements(set(names)))


def _preinstalled(endpoint, params: Params, endpoints, analysis) -> set[str]:
    if endpoint.sdk != "runpod2":
        return {normalise(d) for d in params.preinstalled}
    names = set(params.preinstalled_runpod2)
    if artifact(endpoint) in _apps_serving_http(endpoints, analysis):  # one artifact per App
        names.update(RUNPOD2_API_RUNTIME)
    image = endpoint.params.get("image")
    if endpoint.compute == "gpu" and (image is None or image.defaulted or image.value is None):
        names.update(RUNPOD2_GPU_IMAGE)
    return {normalise(d) for d in names}


def _apps_serving_http(endpoints, analysis) -> set[str]:
    """The runpod 2.0 Apps (`artifact` keys) with an `@app.api`: their workers get fastapi
    and uvicorn."""
    key = ("http apps", id(endpoints))
    memo = _memo(analysis)
    if key not in memo:
        apps = {artifact(e) for e in endpoints if e.sdk == "runpod2" and e.kind == "load_balancer"}
        memo[key] = (endpoints, apps)
    return memo[key][1]


def _finding(endpoint, path, binding, top, import_names, via, built=True):
    wanted = (import_names.get(top) or [normalise(top)])[0]
    app = "the app" if endpoint.app == "." else f"app {endpoint.app}"
    where, when = _where_and_when(via, path)
    sources = (
        f"the dependencies= or requirements of {app}" if built else "its @remote dependencies="
    )
    message = (
        f"`{endpoint.display_name}` imports `{top}` {where}, but nothing installs it on "
        f"the worker (not in {sources}, nor preinstalled): ModuleNotFoundError {when}"
    )
    fix = f'Add "{wanted}" to dependencies=[...] (or to the app\'s requirements.txt).'
    if via in (MODULE_LEVEL, LAZY_MODULE) and endpoint.sdk != "runpod2":
        # listed in dependencies= and imported at module level is FG302's finding
        fix = (
            f'Add "{wanted}" to the app\'s requirements.txt, or import it inside the function '
            "and list it in dependencies=[...]."
        )
    if not built:
        fix = f'Add "{wanted}" to the @remote(..., dependencies=[...]) of this function.'
    if top in NAMESPACE_PACKAGES and "." in binding.module:
        # `azure`, `google`: a namespace many distributions install into; name the module
        message = message.replace(f"imports `{top}`", f"imports `{binding.module}`", 1)
        fix = (
            f"Add the distribution that installs `{binding.module}` to dependencies=[...] "
            "(or to the app's requirements.txt)."
        )
    if top in REMOVED_IN_312:
        message = (
            f"`{endpoint.display_name}` imports `{top}` {where}, which Python 3.12 (the "
            "worker's, by default) removed from the standard library (ModuleNotFoundError "
            f"{when})"
        )
        fix = f"Replace `{top}` (removed in Python 3.12) or install a backport for it."
    return fail_at(endpoint, message, path, binding.span, f"dependencies:{top}", fix)


MODULE_LEVEL = "<module>"  # the `via` of an import the worker runs when it imports a module
# the `via` of a module-level import of a project module the body imports inside it
LAZY_MODULE = "<lazy module>"


def _where_and_when(via, path: str) -> tuple[str, str]:
    """Where the worker runs an import, and when it fails, for a finding's message."""
    if via == MODULE_LEVEL:
        return (
            f"at module level of `{path}`, which its worker imports when it starts",
            "when the worker starts",
        )
    if via == LAZY_MODULE:
        where = f"at module level of `{path}`, a project module its body imports"
        return where, "on the first request"
    where = "in its body" if via is None else f"in `{via}()`, a helper its body calls"
    return where, "on the first request"


def _first_reporter(endpoint, endpoints, analysis):
    """The module-level imports this endpoint reports: each one once per App artifact, by the
    first of the app's endpoints whose worker runs it."""
    memo = _memo(analysis).setdefault(("module imports", id(endpoints)), {})
    start = worker_start(endpoint, analysis.modules)
    for path, binding in start.imports + start.project_imports:
        key = (artifact(endpoint), path, binding.span)
        if memo.setdefault(key, id(endpoint)) == id(endpoint):
            yield path, binding, MODULE_LEVEL


def _lazy_module_imports(endpoint, endpoints, analysis, imports):
    """The module-level imports of the project modules the worker's body imports inside it
    (`from app.features import featurize` in the function, and `app/features.py` imports
    pandas at its top): they run on the first request that reaches that import. Modules the
    worker already imported when it started are left to `_first_reporter`, and each import
    is reported once per App artifact, as there (the two share the memo); one under a `try`
    is not followed (worker_start.lazy_walk)."""
    project = analysis.modules
    started = set()
    if imports_module_at_start(endpoint):
        started = set(worker_start(endpoint, project).modules)
    walk = lazy_walk(imports, project, started)
    memo = _memo(analysis).setdefault(("module imports", id(endpoints)), {})
    for path, binding in walk.imports + walk.project_imports:
        key = (artifact(endpoint), path, binding.span)
        if memo.setdefault(key, id(endpoint)) == id(endpoint):
            yield path, binding, LAZY_MODULE


def _memo(analysis) -> dict:
    """Per-analysis memo: the answers below are the same for every endpoint of an app, and
    recomputing them per endpoint made this check most of a large run's evaluation."""
    return analysis.__dict__.setdefault("_fg305_memo", {})


def _unresolved_declaration(endpoint) -> Value | None:
    """The unknown an `Endpoint` kept in a container stands for when discovery could not
    read the container (`@EPS["a"]`: frontend_flash `_filled_with_endpoints` marks it
    `unread="container"`). The `EPS[k] = Endpoint(...)` that filled it is an assignment, whose
    literal dependencies flash build bundles; an alias past the resolution bound (`@E60(...)`)
    or a legacy resource config it cannot read is not, and stays judged on what
    `remote()`/the call itself writes. None for any other declaration."""
    if endpoint.api != "endpoint" or endpoint.unread != "container":
        return None
    for spread in endpoint.spreads:
        if not spread.known and (spread.path, spread.span) == (endpoint.path, endpoint.span):
            return spread
    return None


def app_distributions(endpoint, endpoints, analysis) -> set[str]:
    """The normalised distributions the app installs on its workers, with what they pull in."""
    key = ("distributions", artifact(endpoint), endpoint.sdk, id(endpoints))
    memo = _memo(analysis)
    if key not in memo:
        memo[key] = (endpoints, _app_distributions(endpoint, endpoints, analysis))
    return set(memo[key][1])  # callers add to it


def artifact(endpoint) -> tuple:
    """What one worker artifact is built for: runpod-flash bundles the union of an app's
    `dependencies=` for every endpoint, runpod 2.0 builds one artifact per `runpod.App`
    (`build.collect_requirements(root, app)`: requirements.txt plus that App's resources'
    dependencies), so two Apps in one directory do not share what they install."""
    if endpoint.sdk == "runpod2":
        return (endpoint.app, endpoint.app_path, endpoint.app_span)
    return (endpoint.app,)


def _app_distributions(endpoint, endpoints, analysis) -> set[str]:
    names: set[str] = set()
    mine = artifact(endpoint)
    for other in endpoints:
        if artifact(other) != mine:
            continue
        # flash build reads only literal lists; 2.0 runs the code, so any value counts
        read = resolved_dependencies if other.sdk == "runpod2" else literal_dependencies
        for spec in (s for v in dependency_values(other) for s in read(v)):
            names |= spec_names(spec)
    for requirement in sdk_finder(analysis).requirements(endpoint.app):
        if not _installed(requirement):
            continue
        names.add(requirement.name)
    for line in _local_lines(endpoint.app, analysis):
        if not line.editable and line.exists:
            names |= line.names  # pip builds the directory into the artifact
    if endpoint.sdk == "runpod2" and "runpod" in names:
        # `runpod` the app lists itself is vendored like any requirement, with its whole
        # closure (apps/build.py `vendor` installs with dependencies); the runtime's own copy
        # comes with RUNTIME_REQUIREMENTS only.
        names.update(normalise(n) for n in RUNPOD2_INSTALL)
    return with_requirements(names)


def _local_lines(app: str, analysis) -> list[LocalRequirement]:
    """The app's requirements.txt lines that install a local path or are editable."""
    memo = _memo(analysis).setdefault("local lines", {})
    if app not in memo:
        memo[app] = local_requirements(analysis.root, app)
    return memo[app]


def _broken_local_lines(endpoint, analysis) -> list[LocalRequirement]:
    """The local-path lines that leave their package off the worker, or fail the build.
    Both builds pip-install a plain path into the artifact, from wherever it is (inside the
    app's directory or not), so those are fine when the path exists. runpod-flash passes
    each line to pip as one argument: `-e ../x` reaches pip as `-e` with the value ` ../x`,
    which pip rejects (the build fails), while `-e../x` / `--editable=../x` install only a
    finder pointing at the build machine's directory. runpod 2.0 skips every line that
    starts with `-`. An editable path inside the app's directory is shipped with the app
    anyway: what the worker imports from it is the import check's business."""
    out = []
    for line in _local_lines(endpoint.app, analysis):
        if line.editable == SEPARATE and line.location is not None and endpoint.sdk != "runpod2":
            out.append(line)
        elif line.editable and not line.inside_app:
            if line.location is not None or endpoint.sdk == "runpod2":
                out.append(line)
        elif not line.editable and line.location is not None and not line.exists:
            out.append(line)
    return out


def _reports_local_lines(endpoint, analysis) -> bool:
    """Whether this endpoint reports its app's broken local lines: the first one checked
    (one requirements.txt per app directory, whatever its endpoints or Apps)."""
    memo = _memo(analysis).setdefault("local line reporter", {})
    return memo.setdefault((endpoint.app, endpoint.sdk), id(endpoint)) == id(endpoint)


def _local_line_finding(endpoint, line: LocalRequirement):
    shown = line.written if len(line.written) <= 80 else line.written[:77] + "..."
    name = line.shown()
    span = Span(line.line, 1, line.end_line, line.end_column)
    plain = (
        f"Write it without `-e` (`{line.target}`): the build then installs the package into "
        "the artifact."
    )
    if not line.editable:
        message = (
            f"`{shown}`: the path does not exist (resolved from the app's directory, where "
            "the build runs), so pip cannot install it and the build fails"
        )
        fix = (
            "Correct the path, or ship the package inside the app's directory, or publish it "
            "and require it by name."
        )
    elif endpoint.sdk == "runpod2":
        message = (
            f"`{shown}`: runpod 2.0's build skips requirements.txt lines starting with `-`, "
            f"so nothing installs {name} on the worker (ModuleNotFoundError when imported)"
        )
        fix = plain
    elif line.editable == SEPARATE:
        message = (
            f"`{shown}`: flash build passes each requirements.txt line to pip as one "
            "argument, and pip rejects `-e <path>` written that way, so the build fails"
        )
        fix = plain
    else:
        message = (
            f"`{shown}`: an editable install leaves only a link to the build machine's "
            f"`{line.target}` in the artifact, so {name} is missing on the worker "
            "(ModuleNotFoundError when imported)"
        )
        fix = plain
    return fail_at(endpoint, message, line.path, span, f"dependencies:{line.target}", fix)


def dependency_values(endpoint) -> list[Value]:
    """Every `dependencies=` of a declaration: its parameter, and for a legacy resource each
    `@remote(..., dependencies=...)` that uses it (the model keeps the last one; flash build
    bundles them all)."""
    values = [endpoint.params.get("dependencies")]
    values += [value for name, value, _ in endpoint.remote_kwargs if name == "dependencies"]
    unique = {id(v): v for v in values if v is not None}
    return list(unique.values())


def _name_unbundled(finding, endpoint, top: str, unbundled: str) -> None:
    """The package is in the code, written where the build does not look: say so, not
    'nothing installs it'."""
    head, _, tail = finding.message.partition(", but nothing installs it on the worker")
    when = tail.rpartition("ModuleNotFoundError ")[2] or "on the first request"
    finding.message = (
        f"{head}, which dependencies= names only through `{unbundled}`: flash build bundles "
        f"only string literals in a list written in the call (FG303), so the deployed worker "
        f"raises ModuleNotFoundError {when} ({dev_command(sdk_of(endpoint))} still installs it)"
    )
    finding.fix = (
        "Write the packages as string literals in the call's dependencies=[...] (or list "
        "them in the app's requirements.txt)."
    )


def _unbundled_dependency(endpoint, top: str, import_names) -> str | None:
    """How this endpoint's `dependencies=` names a distribution providing `top` in a form
    `flash build` does not read (a constant, a concatenation): the expression, for the
    message. The package is then in the code yet not on the deployed worker."""
    if endpoint.sdk == "runpod2":
        return None
    for value in dependency_values(endpoint):
        literal = set(literal_dependencies(value))
        for spec in resolved_dependencies(value):
            parsed = parse_requirement(spec)
            if spec in literal or parsed is None:
                continue
            if provided(top, with_requirements(spec_names(spec)), import_names):
                return value.via or value.text or "a computed list"
    return None


def literal_dependencies(value: Value | None) -> list[str]:
    """The strings of a `dependencies=` list written as literals (flash build bundles only
    those; anything else is FG303's finding)."""
    return _dependency_strings(value, literal=True)


def resolved_dependencies(value: Value | None) -> list[str]:
    """The strings of a resolved `dependencies=` list, however it was written (runpod 2.0
    collects them from the running code: `BASE + ["x"]` counts)."""
    return _dependency_strings(value, literal=False)


def unnamed_requirement(endpoint, endpoints, analysis) -> Value | None:
    """The app's first requirement that is a URL naming no distribution, in `dependencies=`
    or in requirements.txt; looked up once per app (the file is read once)."""
    key = ("unnamed", artifact(endpoint), id(endpoints))
    memo = _memo(analysis)
    if key not in memo:
        found = _unnamed_url(endpoint, endpoints) or _unnamed_requirement(endpoint, analysis)
        memo[key] = (endpoints, found)
    return memo[key][1]


def _unnamed_url(endpoint, endpoints) -> Value | None:
    """A `dependencies=` item of the app that is a URL naming no distribution (no `#egg=`,
    no wheel file name, no `name @ url`): what it installs is not written."""
    return next(_unnamed_items(endpoint, endpoints), None)


def _unnamed_items(endpoint, endpoints):
    """Every `dependencies=` item of the app that is a URL naming no distribution."""
    mine = artifact(endpoint)
    for other in endpoints:
        if artifact(other) != mine:
            continue
        for value in dependency_values(other):
            items = value.value if value.known and isinstance(value.value, (list, tuple)) else ()
            for item in items:
                text = item.value if isinstance(item, Value) and item.known else None
                if pip_option(text):
                    continue  # `--extra-index-url=https://...`: where to look, not what to install
                if isinstance(text, str) and "://" in text and parse_requirement(text) is None:
                    yield item


def _named_by_repository(endpoint, endpoints, analysis, top: str, built: bool) -> bool:
    """Whether a git URL naming no distribution comes from a repository named as the import
    (`git+https://github.com/huggingface/diffusers.git` and `diffusers`): that repository
    installs the module, so the import is no undecided case. Other names stay undecided
    (facebookresearch/segment-anything installs `segment_anything`, but MobileSAM.git
    installs `mobile_sam`)."""
    urls = [text for item in _unnamed_items(endpoint, endpoints) if (text := item.value)]
    if built:
        urls += _unnamed_lines(endpoint, analysis)
    wanted = normalise(top)
    return any(_repository_name(url) == wanted for url in urls)


def _repository_name(url: str) -> str | None:
    """The normalised repository name of a `git+` URL: its last path segment without `.git`,
    the `@ref`, `#fragment` and `?query`."""
    if not url.startswith("git+"):
        return None
    path = url.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    last = path.rsplit("/", 1)[-1].split("@", 1)[0]
    return normalise(last.removesuffix(".git")) if last else None


def pip_option(text) -> bool:
    """A `dependencies=` item that is a pip option (`--extra-index-url=https://pypi.nvidia.com`):
    `flash build` passes each item to `pip install` as its own argument (build.py
    `install_dependencies`), so an option shapes the install and names no distribution."""
    return isinstance(text, str) and text.lstrip().startswith("-")


def _unnamed_requirement(endpoint, analysis) -> Value | None:
    """A line of the app's requirements.txt that is a URL naming no distribution (what
    `_unnamed_url` is for `dependencies=`): the first, as an unknown value at that line."""
    base = analysis.root if endpoint.app == "." else analysis.root / endpoint.app
    text = read_text(base / "requirements.txt") or ""
    lines = text.splitlines()
    for first, last, line in _unnamed_requirement_lines(text):
        path = "requirements.txt" if endpoint.app == "." else f"{endpoint.app}/requirements.txt"
        span = Span(first, 1, last, len(lines[last - 1]) + 1)
        return Value.unknown(f'"{line}"', span, path)
    return None


def _unnamed_lines(endpoint, analysis) -> list[str]:
    """The app's requirements.txt URLs naming no distribution that install a copy: an
    editable one (`-e git+...`) leaves the worker nothing, whatever its repository."""
    base = analysis.root if endpoint.app == "." else analysis.root / endpoint.app
    text = read_text(base / "requirements.txt") or ""
    return [line for _, _, line in _unnamed_requirement_lines(text, editable=False)]


def _unnamed_requirement_lines(text: str, editable: bool = True):
    for first, last, logical in requirement_lines(text):  # as pip reads the file
        if not editable and logical.startswith(("-e", "--editable")):
            continue
        line, _ = split_options(logical)
        if "://" in line and parse_requirement(line) is None:
            yield first, last, line


def _dependency_strings(value: Value | None, literal: bool) -> list[str]:
    # a value that came through a constant (`via`) is no literal written in the call
    if value is None or value.defaulted or not value.known or (literal and value.via):
        return []
    raw = value.value
    if not isinstance(raw, (list, tuple)):
        return []
    return [
        item.value
        for item in raw
        if isinstance(item, Value)
        and item.known
        and isinstance(item.value, str)
        and not (literal and item.via)
    ]


def is_project_module(analysis, path: str, top: str, app: str) -> bool:
    if analysis.modules.find_module(path, top, 0) is not None:
        return True
    bases = {"", path.rsplit("/", 1)[0] + "/" if "/" in path else ""}
    if app != ".":
        bases.add(f"{app}/")
    return any(_module_at(analysis, base, top) for base in bases)


def _module_at(analysis, base: str, top: str) -> bool:
    """`{base}{top}.py` or a `{base}{top}/` directory holding a listed file."""
    directories = _memo(analysis).get("directories")
    if directories is None:  # every "a/" and "a/b/" holding a listed file
        directories = set()
        for known in analysis.sources:
            parts = known.split("/")[:-1]
            directories.update("/".join(parts[: i + 1]) + "/" for i in range(len(parts)))
        _memo(analysis)["directories"] = directories
    return f"{base}{top}.py" in analysis.sources or f"{base}{top}/" in directories


def outside_app(analysis, path: str, top: str, app: str) -> str | None:
    """The project directory or file of `top` when it lies outside the app's directory, which
    is all either build ships (runpod-flash 1.21 build.py `run_build`: the files of the
    working directory, `discover_flash_project`; rc2 deploy.py `package_project(project_root)`,
    the directory `rp flash deploy` is given): a sibling package of a monorepo
    (`packages/shared/`) that an editable install or a uv workspace made importable locally.
    None when the module is in the app, or the app is the whole checked tree."""
    if app == "." or _module_at(analysis, f"{app}/", top):
        return None
    found = analysis.modules.find_module(path, top, 0)
    if found is None:
        return "" if _module_at(analysis, "", top) else None  # `{top}.py` or `{top}/` at the root
    if found.startswith(f"{app}/"):
        return None
    return found.removesuffix("/__init__.py").removesuffix(".py")


def _uv_source(endpoint, analysis, top: str, params: Params) -> UvSource | None:
    """The app's `[tool.uv.sources]` entry (a local path or workspace member) that holds
    `top`: uv installs it locally, neither build does."""
    memo = _memo(analysis).setdefault("uv sources", {})
    if endpoint.app not in memo:
        memo[endpoint.app] = uv_sources(analysis.root, endpoint.app)
    for source in memo[endpoint.app]:
        if provided(top, {source.name, *source.modules}, params.import_names):
            return source
    return None


def _with_uv_source(finding, endpoint, analysis, top: str, params: Params):
    """Name the uv source of the package, and the requirements.txt line that ships it."""
    source = _uv_source(endpoint, analysis, top, params)
    if source is None:
        return finding
    finding.message += (
        f"; {source.pyproject}:{source.line} gets it from [tool.uv.sources], which no build reads"
    )
    finding.fix = (
        f"Add `{source.path}` to the app's requirements.txt (the build pip-installs that "
        "directory into the artifact)."
    )
    return finding


def _packaging_directory(analysis, module: str) -> str | None:
    """The nearest directory above `module` (project-relative) with a pyproject.toml,
    setup.py or setup.cfg, below the checked tree's root (whose own is the workspace's)."""
    parts = module.split("/")[:-1]
    while parts:
        directory = "/".join(parts)
        if any((analysis.root / directory / n).is_file() for n in PACKAGING_FILES):
            return directory
        parts.pop()
    return None


PACKAGING_FILES = ("pyproject.toml", "setup.py", "setup.cfg")


def _outside_app_finding(endpoint, analysis, path, binding, top, outside: str, via):
    where, when = _where_and_when(via, path)
    place = f"`{outside}`" if outside else "at the checked tree's root"
    message = (
        f"`{endpoint.display_name}` imports `{top}` {where}, but it is the project module "
        f"{place}, outside `{endpoint.app}/` (all the build ships), and nothing installs it: "
        f"ModuleNotFoundError {when}"
    )
    project = _packaging_directory(analysis, outside)
    if project is not None:
        relative = posixpath.relpath(project, endpoint.app)
        fix = (
            f"Add `{relative}` to the app's requirements.txt (the build pip-installs that "
            "directory into the artifact), or move it into the app's directory."
        )
    else:
        fix = (
            f"Move `{top}` into the app's directory, or make it a package (pyproject.toml) and "
            "add its path to the app's requirements.txt."
        )
    return fail_at(endpoint, message, path, binding.span, f"dependencies:{top}", fix)


@dataclass(frozen=True)
class BelowRoot:
    """A project module a runpod 2.0 or flash-built worker cannot import by its top-level
    name: it lives in `directory` (`src`), below the app's directory, which is all the worker
    (and runpod-flash's build scan) has on sys.path."""

    directory: str
    importer_module: str  # the importing file's dotted name on the worker (`src.mypkg.worker`)


def below_deploy_root(analysis, path: str, binding, top: str, app: str) -> BelowRoot | None:
    """`from mypkg.util import x` where `mypkg` is `src/mypkg/`: rc2 ships the app directory
    as is and its worker puts only that directory and the vendored requirements on sys.path
    (runtime bootstrap `_attach`, queue/worker.py `_load_deployed_handle`), importing each
    file by its path from there (deploy.py `_module_path_for`: `src.mypkg.worker`). The
    project itself is never installed (build.py installs requirements binary-only, and skips
    `-e` lines), so a package that only an editable install or a src layout made importable
    locally is missing on the worker."""
    by_module = analysis.modules.find_module(path, binding.module, 0)
    name = binding.module if by_module is not None else top
    found = by_module or analysis.modules.find_module(path, top, 0)
    prefix = "" if app == "." else f"{app}/"
    if found is None or not found.startswith(prefix) or not path.startswith(prefix):
        return None
    if _module_at(analysis, prefix, top):
        return None  # importable from the deploy root
    parts = found[len(prefix) :].removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    depth = len(name.split("."))
    directory = "/".join(parts[:-depth])
    if not directory or parts[len(parts) - depth] != top:
        return None
    package = f"{prefix}{directory}/{top}/"
    if not any(known.startswith(package) for known in analysis.sources):
        return None  # a module file (`workers/helpers.py`), not a src-layout package
    own = path[len(prefix) :].removesuffix(".py").split("/")
    if own[-1] == "__init__":
        own = own[:-1]
    return BelowRoot(directory, ".".join(own))


def _below_root_finding(endpoint, path, binding, top, below: BelowRoot, via):
    where, when = _where_and_when(via, path)
    rooted = f"{below.directory.replace('/', '.')}.{binding.module}"
    if endpoint.sdk == "runpod2":
        message = (
            f"`{endpoint.display_name}` imports `{binding.module}` {where}, but `{top}` is a "
            f"project package under `{below.directory}/`, which runpod 2.0 never puts on the "
            "worker's sys.path: the worker runs the app's directory as shipped (this file as "
            f"`{below.importer_module}`) and the build does not install the project itself "
            f"(ModuleNotFoundError {when})"
        )
    else:
        # runpod-flash's RuntimeScanner imports each file as `src.pkg.mod` with only the
        # build directory on sys.path, and one file that fails to import fails the build
        # (build.py "Failed to load"); tetra-rp's scanner reads the AST and imports nothing.
        if via in (MODULE_LEVEL, LAZY_MODULE) and sdk_of(endpoint).package == "runpod-flash":
            when = (
                "when `flash build` loads this file, failing the build; with the project "
                "installed locally, when the worker starts"
            )
        message = (
            f"`{endpoint.display_name}` imports `{binding.module}` {where}, but `{top}` is a "
            f"project package under `{below.directory}/`, which flash build never puts on "
            f"sys.path: it ships the app's directory as is and imports this file as "
            f"`{below.importer_module}` (ModuleNotFoundError {when})"
        )
    fix = (
        f"Import it from the deploy root (`{rooted}`) or relatively inside the package, or "
        f"move `{top}` out of `{below.directory}/` to the app's directory."
    )
    return fail_at(endpoint, message, path, binding.span, f"dependencies:{top}", fix)
