"""FG111: an app that neither locks nor pins the SDK to one release."""

from __future__ import annotations

from flash_guard.checks.base import Check, Outcome, register
from flash_guard.model import Span
from flash_guard.project.apps import app_map
from flash_guard.project.sdk_version import DISTRIBUTIONS, RUNPOD2_MODULE, read_text
from flash_guard.rules.deploy.fg213_unknown_sdk_import import sdk_finder


@register
class SdkUnpinned(Check):
    """For each app that imports `runpod_flash` or `tetra_rp`, or builds a runpod 2.0
    `runpod.App` (the `runpod` distribution), finds the SDK version in use (rules.md "SDK
    version in use"). It passes when a lock file (`uv.lock`, `poetry.lock`, `pdm.lock`,
    `Pipfile.lock`) records the release, or a requirement pins exactly one (`==1.21.0`,
    `==2.0.0rc2`, Poetry's bare `1.21.0`). A range (`>=1.20`, `~=1.21.0`, `^1.21`,
    `runpod>=2.0.0rc2`), a bare name, or no requirement at all fails: the next install may pick
    a release with other defaults and accepted values. For `runpod`, a range or bare name that
    names no pre-release also installs 1.x (pip and uv skip pre-releases unless the specifier
    names one, and every 2.0 release so far is one), which has no `runpod.App`: the message
    says so. A lock file that is there but cannot be read (not valid TOML or JSON, not UTF-8,
    a symlink, or the SDK's locked version is not a version) locks nothing: the message and
    the release's source say `could not read uv.lock: ...` rather than "no lock file"; a lock
    that lists the SDK without a version says so. A requirement that pins no release (`==latest`,
    a release number over 12 digits or a version over 64 characters) or a range that allows
    no release flash-guard knows fails with that reason, checked against the newest release.
    `sdk_version` in the configuration tells flash-guard
    which release to check against, but pins nothing, so it does not pass the rule. The
    finding is at the requirement that names the SDK, else at the app's first import of it."""

    id = "sdk-unpinned"
    scope = "project"

    def check_project(self, endpoints, params, ctx) -> list[Outcome]:
        analysis = ctx.analysis
        if analysis is None:
            return []
        finder = sdk_finder(analysis)
        out = []
        # Every app that imports an SDK, whether or not its declarations were all discovered.
        imports = {**_sdk_imports(analysis), **_runpod2_imports(analysis)}
        for (app, module), first in sorted(imports.items()):
            sdk = finder.for_app(app, module)
            if sdk.pinned:
                continue
            where = _requirement_site(analysis.root, sdk) or first
            # About the app, not one declaration (endpoint None): the finding's identity stays
            # the same when endpoints are added or reordered (baselines, --diff-base).
            out.append(Outcome("fail", _message(sdk), *where, sdk.package, None, _fix(sdk)))
        return out


def _fix(sdk) -> str | None:
    """A tetra-rp app pins tetra-rp: the checklist's `runpod-flash==...` would install a
    package without the `tetra_rp` module its imports name."""
    if sdk.package != "tetra-rp":
        return None  # the checklist's fix
    return (
        f"Pin one release (tetra-rp=={sdk.version} in requirements.txt or pyproject.toml) or "
        "commit a lock file (uv.lock, poetry.lock, pdm.lock, Pipfile.lock); moving to "
        "runpod-flash means changing the imports to runpod_flash."
    )


def _message(sdk) -> str:
    if sdk.kind == "range":
        written = f"`{sdk.package}{sdk.specifier}` in {sdk.source} allows more than one release"
    elif sdk.kind == "unpinned":
        written = f"`{sdk.package}` in {sdk.source} names no version"
    elif sdk.kind == "config" and sdk.path is not None:
        written = f"`{sdk.package}` in {sdk.path}:{sdk.line} names no version"
    elif sdk.kind == "unusable":  # the note says what the requirement names
        written = f"{sdk.source}: {sdk.note}"
    elif sdk.unread:
        written = f"{sdk.unread}, and no requirement names {sdk.package}"
    else:
        written = f"no lock file or requirement names {sdk.package}"
    checked = {
        "config": "sdk_version in the configuration",
        "range": "the newest it allows",
    }.get(sdk.kind, "the newest release flash-guard knows")
    # A note (runpod 1.x installs instead of 2.0) says what the next install brings; without
    # one, the message says what may change.
    if sdk.kind == "unusable":  # which release pip installs, if any, cannot be told
        consequence = ""
    elif sdk.note:
        consequence = f": {sdk.note}"
    else:
        consequence = (
            ", so the next install may bring a release with other defaults and accepted values"
        )
    text = f"{written}{consequence}; flash-guard checked against {sdk.version} ({checked})"
    if sdk.unread and sdk.kind in ("range", "unpinned", "unusable", "config"):
        text = f"{text}; {sdk.unread}"
    return text


def _requirement_site(root, sdk) -> tuple[str, Span] | None:
    if sdk.path is None or sdk.line is None:
        return None
    text = read_text(root / sdk.path) or ""
    lines = text.splitlines()
    line = lines[sdk.line - 1] if 0 < sdk.line <= len(lines) else ""
    start = len(line) - len(line.lstrip()) + 1
    return sdk.path, Span(sdk.line, start, sdk.line, max(start + 1, len(line.rstrip()) + 1))


def _sdk_imports(analysis) -> dict[tuple[str, str], tuple[str, Span]]:
    """(app, SDK module) -> the app's first import of it (files by path, then line)."""
    apps = app_map(analysis)
    out: dict[tuple[str, str], tuple[str, Span]] = {}
    hidden = getattr(analysis, "hidden", frozenset())
    for path in sorted(analysis.modules.files):
        if path in hidden:  # read for its runpod 2.0 App only
            continue
        app = apps.app_of(path)
        unused = analysis.modules.unused_imports
        # `except ImportError: from tetra_rp import ...` beside `from runpod_flash import`: one
        # of the two is not what the app installs (ModuleIndex.unused_imports).
        bindings = [
            b
            for b in analysis.modules.files[path].imports
            if not b.level
            and b.module.split(".", 1)[0] in DISTRIBUTIONS
            and (path, b.span) not in unused
        ]
        for binding in sorted(bindings, key=lambda b: b.span):
            out.setdefault((app, binding.module.split(".", 1)[0]), (path, binding.span))
    return out


def _runpod2_imports(analysis) -> dict[tuple[str, str], tuple[str, Span]]:
    """(app, "runpod") -> the first import of `runpod` in each app that uses the 2.0 Apps API
    (builds a `runpod.App` or declares on one); a classic `runpod.serverless` worker is not a
    Flash app and is left alone."""
    apps = app_map(analysis)
    using = {apps.app_of(a.path) for a in getattr(analysis, "runpod2_apps", ()) if a.path}
    using |= {e.app for e in analysis.endpoints if e.sdk == "runpod2" and e.kind != "client"}
    out: dict[tuple[str, str], tuple[str, Span]] = {}
    # A listed file's import first: one in a dot-directory or ignored file only as a last resort.
    hidden = getattr(analysis, "hidden", frozenset())
    for path in sorted(analysis.modules.files, key=lambda p: (p in hidden, p)):
        app = apps.app_of(path)
        if app not in using:
            continue
        for binding in sorted(analysis.modules.files[path].imports, key=lambda b: b.span):
            if not binding.level and binding.module.split(".", 1)[0] == RUNPOD2_MODULE:
                out.setdefault((app, RUNPOD2_MODULE), (path, binding.span))
    return out
