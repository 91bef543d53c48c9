"""FG216: a runpod 2.0 resource or App name the build or the decorator rejects."""

from __future__ import annotations

from flash_guard.checks import deploy_support as runpod2
from flash_guard.checks.base import Check, Outcome, register
from flash_guard.messages import env_keys, env_note


@register
class InvalidResourceName(Check):
    """A queue or api resource name shorter than 3 characters (`rp flash deploy` refuses to
    build: "queue and api names must be at least 3 characters"), two resources with one name
    in one `App` (a decoration error, `duplicate resource name`), an `App` whose name is an
    empty string (`App name must be a non-empty string`), and any `@runpod.schedule` (every
    build fails with `ScheduleNotSupported` while schedules are disabled). The name is the
    `name=` keyword, else the function's or class's own name, as the SDK takes it: the
    `__name__` of what the decorator receives, so a project decorator below it that returns a
    nested wrapper without `functools.wraps` names the resource after the wrapper (two
    functions wrapped that way collide)."""

    id = "invalid-resource-name"
    scope = "project"

    def check_project(self, endpoints, params, ctx) -> list[Outcome]:
        out = runpod2.project_outcomes(endpoints, "FG216")
        apps = ctx.analysis.runpod2_apps if ctx.analysis is not None else []
        for app in apps:
            name = app.name
            if name.known and (not isinstance(name.value, str) or not name.value):
                owner = app.resources[0] if app.resources else None
                out.append(
                    Outcome(
                        "fail",
                        f"`App({name.text or repr(name.value)})`: App name must be a non-empty "
                        "string (raised when the module is imported)"
                        + (f" ({env_note(name)})" if env_keys(name) else ""),
                        app.path,
                        app.span,
                        "name",
                        owner,
                    )
                )
        return out
