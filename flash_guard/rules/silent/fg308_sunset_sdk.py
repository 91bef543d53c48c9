"""FG308: the app imports runpod_flash or tetra_rp, which are sunset."""

from __future__ import annotations

from flash_guard.checks.base import Check, Outcome, register
from flash_guard.discover.resolve import FLASH_PACKAGES, IMPORTERS
from flash_guard.project.apps import app_map
from flash_guard.sdk import releases


@register
class SunsetSdk(Check):
    """Once per app (rules.md "Words: App"), at the app's first import of `runpod_flash` or
    `tetra_rp` in files ordered by path, then line: runpod-flash is sunset and receives no
    fixes after 2026-10-29 (its own `sunset.py` warns on import); Flash code moves into the
    `runpod` package 2.0 (`runpod.App`, `@app.queue`, `@app.api`). An import shim's
    `importlib.import_module("runpod_flash")` counts as an import. Only files flash-guard
    parses are seen (every file that names either package is)."""

    id = "sunset-sdk"
    scope = "project"

    def check_project(self, endpoints, params, ctx) -> list[Outcome]:
        analysis = ctx.analysis
        if analysis is None:
            return []
        apps = app_map(analysis)
        done: set[str] = set()
        out = []
        files = analysis.modules.files
        for path in sorted(files):  # by path, as findings and FG207 order them
            app = apps.app_of(path)
            if app in done:
                continue
            unused = analysis.modules.unused_imports  # the other half of a try/except pair
            imports = [
                (b.span, b.module.split(".", 1)[0])
                for b in files[path].imports
                if not b.level
                and b.module.split(".", 1)[0] in FLASH_PACKAGES
                and (path, b.span) not in unused
            ]
            imports += _shim_imports(files[path])
            if not imports:
                continue
            done.add(app)
            span, package = min(imports)
            out.append(
                Outcome(
                    "fail",
                    _message(package),
                    path,
                    span,
                    None,
                    None,  # about the app, not one declaration: stable across edits
                )
            )
        return out


def _message(package: str) -> str:
    if package == "tetra_rp":
        # Renamed to runpod-flash at 1.0.0: tetra-rp itself has had no release since.
        return (
            "this app imports `tetra_rp`, runpod-flash's old name, which gets no releases "
            f"(the last is {releases.newest('tetra-rp')}); runpod-flash itself receives no "
            "fixes or updates after 2026-10-29; Flash code moves to the `runpod` 2.0 Apps API"
        )
    return (
        f"this app imports `{package}`, which is sunset: runpod-flash receives no fixes or "
        "updates after 2026-10-29; Flash code moves to the `runpod` 2.0 Apps API"
    )


def _shim_imports(facts) -> list:
    """(span, package) of each `importlib.import_module("runpod_flash")` (or `__import__`) an
    import shim returns or a module-level name is assigned: an import all the same."""
    snippets = [a.value for a in facts.assignments]
    snippets += [r for f in facts.functions for r in f.returns]
    found = []
    # Every importer's name holds "import": only those calls are converted (parse.Snippet).
    for snippet in snippets:
        if not snippet.may_be_call() or "import" not in snippet.expr_text():
            continue
        expr = snippet.expr()
        if expr.kind != "call" or len(expr.items) < 2 or expr.items[0].dotted() not in IMPORTERS:
            continue
        arg = expr.items[1]
        if arg.kind == "lit" and isinstance(arg.value, str):
            package = arg.value.split(".", 1)[0]
            if package in FLASH_PACKAGES:
                found.append((expr.span, package))
    return found
