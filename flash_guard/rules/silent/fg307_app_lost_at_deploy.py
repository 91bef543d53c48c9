"""FG307: a runpod 2.0 App whose resources `rp flash deploy` drops (runpod-sdk2.md §5.2)."""

from __future__ import annotations

from flash_guard.checks.base import Check, Outcome, register
from flash_guard.project.apps import AppMap
from flash_guard.sdk.runpod2_tables import DISCOVERY_SKIP_DIRS


def _order(path: str) -> tuple[str, ...]:
    # discover_apps imports sorted(rglob("*.py")): Path order compares part by part.
    return tuple(path.split("/"))


def _discovered(path: str) -> bool:
    """Whether discover_apps imports the file: none under a directory it skips (`build/`,
    `dist/`, `.venv/`...), so a setuptools copy in `build/lib/` registers no App."""
    return not any(part in DISCOVERY_SKIP_DIRS for part in path.split("/")[:-1])


def _label(app) -> str:
    return app.name.text if app.name.known and app.name.text else repr(app.name.value)


@register
class AppLostAtDeploy(Check):
    """Two cases, both silent at deploy. (1) Duplicate names: discovery keeps the first `App`
    of each name in import order (files sorted by path, then line) and drops every later one
    with all its resources; the finding is on the later `App(`. (2) The flat-layout empty
    twin: in a directory without `__init__.py` discovery imports each file under a synthetic
    module name, and `from common import app` imports `common.py` a second time under its
    real name. When the file that constructs the `App` sorts before every project file that
    imports it, the synthetic copy registers first and wins the name dedupe, but the
    resources decorated from the other files sit on the real-name copy: deploy builds an app
    without them and deletes every live endpoint of the environment that is not among its
    resources. Package layouts (`__init__.py`) do not have the problem. Apps in different
    flash-guard apps (project markers) are not compared, nor files under a directory
    discovery never imports (rc2's `_SKIP_DIRS`: `build/`, `dist/`, `.venv/`, ...), such as a
    setuptools copy in `build/lib/`."""

    id = "app-lost-at-deploy"
    scope = "project"

    def check_project(self, endpoints, params, ctx) -> list[Outcome]:
        analysis = ctx.analysis
        if analysis is None:
            return []
        apps_of = AppMap(analysis.root)
        out: list[Outcome] = []
        first: dict[tuple[str, object], object] = {}
        for app in analysis.runpod2_apps:
            if not app.name.known or not _discovered(app.path):
                continue
            key = (apps_of.app_of(app.path), app.name.value)
            earlier = first.setdefault(key, app)
            if earlier is not app:
                lost = ", ".join(f"`{e.display_name}`" for e in app.resources) or "no resources"
                out.append(
                    Outcome(
                        "fail",
                        f"`App({_label(app)})` repeats the App name of {earlier.path}:"
                        f"{earlier.span.line}; `rp flash deploy` keeps the first and silently "
                        f"drops this one with its resources ({lost})",
                        app.path,
                        app.span,
                        "name",
                        app.resources[0] if app.resources else None,
                    )
                )
        for app in analysis.runpod2_apps:
            if _discovered(app.path):
                out += _empty_twin(app, analysis)
        return out


def _empty_twin(app, analysis) -> list[Outcome]:
    directory = app.path.rsplit("/", 1)[0] if "/" in app.path else ""
    init = f"{directory}/__init__.py" if directory else "__init__.py"
    if init in analysis.sources:
        return []
    elsewhere = sorted(
        {e.path for e in app.resources if e.path != app.path and _discovered(e.path)}, key=_order
    )
    if not elsewhere:
        return []
    project = analysis.modules
    importers = set()
    for path, facts in project.files.items():
        if path == app.path or not _discovered(path):
            continue
        for binding in facts.imports:
            if binding.module and project.find_module(path, binding.module, binding.level) == (
                app.path
            ):
                importers.add(path)
                break
    if any(_order(p) < _order(app.path) for p in importers | set(elsewhere)):
        return []  # an importer runs first: the real-name module registers first and wins
    env = app.env.value if app.env.known else "?"
    names = ", ".join(f"`{p}`" for p in elsewhere)
    own = [e.display_name for e in app.resources if e.path == app.path]
    if own:  # the twin kept holds the App file's own resources: only the others are lost
        lost = ", ".join(f"`{e.display_name}`" for e in app.resources if e.path != app.path)
        outcome = (
            f"keeps the twin with only {', '.join(f'`{n}`' for n in own)}, drops {lost} and "
            f"deletes their live endpoints in environment {env!r}"
        )
    else:
        outcome = (
            "keeps the empty twin, deploys no resources from those files and deletes every "
            f"live endpoint of environment {env!r}"
        )
    return [
        Outcome(
            "fail",
            f"`App({_label(app)})` is built in `{app.path}`, in a directory without "
            f"`__init__.py`, and decorated on from {names}, which sort after it: "
            f"`rp flash deploy` imports it twice and {outcome}",
            app.path,
            app.span,
            None,
            next((e for e in app.resources if e.path != app.path), None),
        )
    ]
