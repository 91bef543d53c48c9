"""FG213: `from runpod_flash import X` where the SDK release the app uses has no `X`."""

from __future__ import annotations

from flash_guard.checks.base import Check, Outcome, register
from flash_guard.project.apps import AppMap
from flash_guard.project.sdk_version import DISTRIBUTIONS, SdkVersions
from flash_guard.sdk import releases
from flash_guard.sdk.flash_tables import did_you_mean
from flash_guard.sdk.in_use import history


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
    """Reads every `from runpod_flash import X` (and `from tetra_rp import X`) in the project
    and compares `X` with what the package's top level exports in the release the file's app
    uses (lock file, pin, `sdk_version`, else the newest release; rules.md "SDK version in
    use"). A name the release does not export is an `ImportError` when the module is
    imported, so `flash build`, `flash dev` and the worker all fail. The message says when the
    name was added or removed, or suggests the closest exported name (`GpuTypes` ->
    `GpuType`). Submodule imports (`from runpod_flash.core import ...`) are not checked."""

    id = "unknown-sdk-import"
    scope = "project"

    def check_project(self, endpoints, params, ctx) -> list[Outcome]:
        analysis = ctx.analysis
        if analysis is None:
            return []
        finder = sdk_finder(analysis)
        apps = AppMap(analysis.root)
        owners = first_endpoints(endpoints)
        out = []
        for path in sorted(analysis.modules.files):
            facts = analysis.modules.files[path]
            app = apps.app_of(path)
            for binding in facts.imports:
                if binding.level or binding.module not in DISTRIBUTIONS:
                    continue
                if binding.name in (None, "*"):
                    continue
                sdk = finder.for_app(app, binding.module)
                known = releases.facts(sdk.package, sdk.facts_version)
                if binding.name in known.exports or binding.name in known.submodules:
                    continue
                out.append(
                    Outcome(
                        "fail",
                        _message(binding, sdk, known),
                        path,
                        binding.span,
                        binding.name,
                        owners.get(app),
                    )
                )
        return out


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
