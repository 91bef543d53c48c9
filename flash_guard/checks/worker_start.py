"""What a worker imports when it starts (runpod 2.0, and a runpod-flash `Endpoint`'s).

The worker imports the handle's module (the manifest's `module`) and a route handler's, and
with them every project module they import at module level. FG305 checks those modules'
unguarded imports of packages; the pipeline records the modules as files the endpoint's
verdicts depend on, so a commit of only `settings.py` reports what it breaks.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from flash_guard.checks.base import worker_bodies
from flash_guard.checks.sites import body_with_helpers
from flash_guard.discover.facts import ImportBinding
from flash_guard.discover.resolve import ModuleIndex
from flash_guard.model import Endpoint

# An import under one of these blocks may not run (an optional dependency, `if TYPE_CHECKING:`).
GUARDS = frozenset({"try", "except", "finally", "if", "elif", "else", "with", "match", "case"})
MAX_MODULES = 40
STDLIB_NAMES = frozenset(sys.stdlib_module_names)


@dataclass
class WorkerStart:
    modules: list[str] = field(default_factory=list)  # the project modules, in the order met
    # Each module's imports, shared by every walk through it (see _step)
    steps: list[_Step] = field(default_factory=list)

    @property
    def imports(self) -> list[tuple[str, ImportBinding]]:
        """(path, binding): unguarded module-level imports that name no project module."""
        return [pair for step in self.steps for pair in step.imports]

    @property
    def project_imports(self) -> list[tuple[str, ImportBinding]]:
        """Absolute ones that do name a project module (FG305: importable on the worker?)."""
        return [pair for step in self.steps for pair in step.project_imports]


@dataclass(frozen=True, slots=True)
class _Step:
    """One module's part of a walk: its unguarded module-level imports of packages, its
    absolute imports of project modules, and the project modules it imports, in order."""

    imports: tuple[tuple[str, ImportBinding], ...]
    project_imports: tuple[tuple[str, ImportBinding], ...]
    found: tuple[str, ...]


def worker_start(endpoint: Endpoint, project: ModuleIndex) -> WorkerStart:
    """Walked once per endpoint and run: the dependency record and FG305 both ask."""
    memo = project.__dict__.setdefault("_worker_start", {})
    if id(endpoint) not in memo:
        memo[id(endpoint)] = (endpoint, _walk(endpoint, project))  # the endpoint keeps its id
    return memo[id(endpoint)][1]


def _walk(endpoint: Endpoint, project: ModuleIndex) -> WorkerStart:
    starts = {b.path or endpoint.path for b in worker_bodies(endpoint)} | {endpoint.path}
    return walk_from(sorted(starts), project, set())


def modules_imported_by(path: str, binding: ImportBinding, project: ModuleIndex) -> str | None:
    """The project module an import names (`from app.features import featurize` ->
    `app/features.py`), None for a package or the standard library."""
    if not binding.level and binding.module.split(".", 1)[0] in STDLIB_NAMES:
        return None
    found = project.find_module(path, binding.module, binding.level)
    if binding.name not in (None, "*"):
        sub = f"{binding.module}.{binding.name}" if binding.module else binding.name
        found = project.find_module(path, sub, binding.level) or found
    return found


def walk_from(paths: list[str], project: ModuleIndex, skip: set[str]) -> WorkerStart:
    """The project modules `paths` lead to through module-level imports (themselves
    included), minus `skip` (modules the worker has already imported when it started)."""
    out = WorkerStart()
    todo = sorted(set(paths) - skip)
    done: set[str] = set(skip)
    visited = 0
    while todo and visited < MAX_MODULES:
        path = todo.pop(0)
        if path in done:
            continue
        done.add(path)
        visited += 1
        if not project.ensure_parsed(path):  # a module only imported is parsed on demand
            continue
        out.modules.append(path)
        step = _step(path, project)
        out.steps.append(step)
        todo += [found for found in step.found if found not in done]
    return out


def body_imports(endpoint: Endpoint, project: ModuleIndex):
    """(path, ImportBinding, helper name or None) for each import inside the worker's body,
    same-module helpers included (checks/sites.body_with_helpers)."""
    files = project.files
    own_ids = {id(b) for b in worker_bodies(endpoint)}
    for body in body_with_helpers(endpoint, files):
        path = body.path or endpoint.path
        facts = files.get(path)
        if facts is None:
            continue
        helper = id(body) not in own_ids
        for binding in facts.imports:
            if binding.top_level:
                continue
            scopes = [b.name for b in binding.blocks if b.kind in ("function", "class")]
            # a helper is a module-level function: its imports sit directly in it
            if (scopes and scopes[-1] == body.name) if helper else body.name in scopes:
                yield path, binding, body.name if helper else None


def lazy_walk(imports, project: ModuleIndex, skip: set[str]) -> WorkerStart:
    """The project modules a worker's body imports inside it (`imports`: body_imports), not
    under a `try` (such an import may be expected to fail), and those they import at module
    level, minus `skip`: the worker runs their imports on the first request that reaches
    them (FG305), so the endpoint's verdicts depend on them too."""
    found = []
    for path, binding, _ in imports:
        if any(block.kind in ("try", "except", "finally") for block in binding.blocks):
            continue
        module = modules_imported_by(path, binding, project)
        if module is not None:
            found.append(module)
    return walk_from(found, project, skip) if found else WorkerStart()


def _step(path: str, project: ModuleIndex) -> _Step:
    """Computed once per module: the walks of a big tree's endpoints meet in the same modules,
    and a list of their imports per endpoint was megabytes (a tree holding a copy of the
    standard library, whose `import os` leads into it)."""
    steps = project.__dict__.setdefault("_worker_start_steps", {})
    step = steps.get(path)
    if step is not None:
        return step
    imports, project_imports, found_modules = [], [], []
    for binding in project.files[path].imports:
        if not binding.top_level or any(b.kind in GUARDS for b in binding.blocks):
            continue
        if not binding.level and binding.module.split(".", 1)[0] in STDLIB_NAMES:
            # The worker's `import os` is the standard library's: a project file found by a
            # name suffix (`vendor/os.py`, a tree holding a copy of the stdlib) is not it.
            imports.append((path, binding))
            continue
        found = project.find_module(path, binding.module, binding.level)
        if binding.name not in (None, "*"):
            sub = f"{binding.module}.{binding.name}" if binding.module else binding.name
            found = project.find_module(path, sub, binding.level) or found
        if found is not None:
            if not binding.level:
                project_imports.append((path, binding))
            found_modules.append(found)
            continue
        imports.append((path, binding))
    step = steps[path] = _Step(tuple(imports), tuple(project_imports), tuple(found_modules))
    return step


def imports_module_at_start(endpoint: Endpoint) -> bool:
    """Whether the deployed worker imports the declaring module when it starts, running its
    module-level imports: runpod 2.0's worker does, and so does the handler `flash build`
    generates for a runpod-flash `Endpoint` (runpod-flash 1.21 build_utils/handler_generator:
    `importlib.import_module(module)`). A legacy `@remote` function is often run live, where
    the worker execs only the function's source."""
    return endpoint.sdk == "runpod2" or (
        endpoint.sdk == "runpod_flash" and endpoint.api == "endpoint"
    )
