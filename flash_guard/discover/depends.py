"""Which files each endpoint's verdicts depend on, for the pre-commit hook.

A commit that changes only `config.py` (`IDLE = 20 * 60 * 60`) or only `routes.py` (its
`/health` route deleted) changes the verdict on an endpoint declared in `worker.py`. The
hook is given only the changed files, so every finding carries the files behind it and is
reported when any of them was given (pipeline._reported).
"""

from __future__ import annotations

from flash_guard.discover.resolve import ModuleIndex
from flash_guard.model import Endpoint, Value


def record_dependencies(endpoints: list[Endpoint], modules: ModuleIndex) -> None:
    for endpoint in endpoints:
        endpoint.depends_on = frozenset(_files(endpoint, modules))


def _files(endpoint: Endpoint, modules: ModuleIndex) -> set[str]:
    files = {endpoint.path}
    # The declaration's pieces: the object, its decorators and its routes, in any file.
    files.update(path for path, _, _ in endpoint.declaration_ranges)
    files.update(modules.files_behind(endpoint.path, endpoint.span))
    files.update(route.file for route in endpoint.routes)
    files.update(target.path for target in endpoint.targets if target.path)
    # `@remote(idle_timeout=settings.IDLE)`: keywords evaluated outside the object's call.
    values: list[Value] = [value for _, value, _ in endpoint.remote_kwargs]
    values.extend(endpoint.spreads)
    for value in values:
        if value.path:
            files.update(modules.files_behind(value.path, value.span))
    files.discard("")
    return files
