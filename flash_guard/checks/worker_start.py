"""What a runpod 2.0 worker imports when it starts.

The worker imports the handle's module (the manifest's `module`) and a route handler's, and
with them every project module they import at module level. FG305 checks those modules'
unguarded imports of packages; the pipeline records the modules as files the endpoint's
verdicts depend on, so a commit of only `settings.py` reports what it breaks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flash_guard.checks.base import worker_bodies
from flash_guard.discover.facts import ImportBinding
from flash_guard.discover.resolve import ModuleIndex
from flash_guard.model import Endpoint

# An import under one of these blocks may not run (an optional dependency, `if TYPE_CHECKING:`).
GUARDS = frozenset({"try", "except", "finally", "if", "elif", "else", "with", "match", "case"})
MAX_MODULES = 40


@dataclass
class WorkerStart:
    modules: list[str] = field(default_factory=list)  # the project modules, in the order met
    # (path, binding): unguarded module-level imports that name no project module
    imports: list[tuple[str, ImportBinding]] = field(default_factory=list)
    # absolute ones that do name a project module (FG305: is it importable on the worker?)
    project_imports: list[tuple[str, ImportBinding]] = field(default_factory=list)


def worker_start(endpoint: Endpoint, project: ModuleIndex) -> WorkerStart:
    """Walked once per endpoint and run: the dependency record and FG305 both ask."""
    memo = project.__dict__.setdefault("_worker_start", {})
    if id(endpoint) not in memo:
        memo[id(endpoint)] = (endpoint, _walk(endpoint, project))  # the endpoint keeps its id
    return memo[id(endpoint)][1]


def _walk(endpoint: Endpoint, project: ModuleIndex) -> WorkerStart:
    files = project.files
    out = WorkerStart()
    todo = sorted({b.path or endpoint.path for b in worker_bodies(endpoint)} | {endpoint.path})
    done: set[str] = set()
    while todo and len(done) < MAX_MODULES:
        path = todo.pop(0)
        if path in done:
            continue
        done.add(path)
        if not project.ensure_parsed(path):  # a module only imported is parsed on demand
            continue
        out.modules.append(path)
        for binding in files[path].imports:
            if not binding.top_level or any(b.kind in GUARDS for b in binding.blocks):
                continue
            found = project.find_module(path, binding.module, binding.level)
            if binding.name not in (None, "*"):
                sub = f"{binding.module}.{binding.name}" if binding.module else binding.name
                found = project.find_module(path, sub, binding.level) or found
            if found is not None:
                if not binding.level:
                    out.project_imports.append((path, binding))
                if found not in done:
                    todo.append(found)
                continue
            out.imports.append((path, binding))
    return out
