"""`flash-guard migrate`: files in, per-app plans, edits applied in memory, then a diff,
a check, or atomic writes; the report goes to stdout (to stderr with --diff).

The given paths are the write scope: only files under a given directory, or given by name,
are rewritten (or shown in the diff). The rest of each app they lie in is read, so that
cross-file checks and the App's placement see the whole app, but never changed. A file with
no project marker between it and the project root belongs to the given directory holding it
(a given file's own directory), not to the project root: `migrate a` from a parent folder
migrates `a` alone, names its App after `a`, and creates any App module inside `a`.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from flash_guard.discover.normalize import release_worker_defaults
from flash_guard.fix.edits import Edit, apply_edits
from flash_guard.fix.engine import FileState, FixRun, _state, write
from flash_guard.migrate.params import OldDefaults
from flash_guard.migrate.plan import (
    call_sites,
    deploy_target,
    plan_app,
    reimports,
    settle_flash_flows,
)
from flash_guard.migrate.report import Report, render_markdown, render_text
from flash_guard.migrate.requirements import plan_requirements
from flash_guard.migrate.rewrite import (
    Outcome,
    comment_edit,
    drop_unused_runpod_import,
    leave_file,
    migrate_file,
    space_declarations,
)
from flash_guard.migrate.source import ParsedFile, Unparsable
from flash_guard.project.apps import ROOT_APP, AppMap
from flash_guard.project.files import (
    WIDE_BOMS,
    UsageError,
    _read_bytes,
    _relative_fast,
    list_files,
    wide_sdk_import,
)
from flash_guard.sdk.flash_tables import CUDA_VERSIONS

MODES = ("write", "diff", "check")


@dataclass(frozen=True)
class Scope:
    """The given paths, project-relative: the files migrate may rewrite and where apps
    without a project marker start."""

    dirs: frozenset[str]
    files: frozenset[str]

    @classmethod
    def of(cls, paths: list[str], root: Path, cwd: Path) -> Scope:
        root_prefix = os.path.join(os.path.normpath(os.path.abspath(root)), "")
        dirs, files = set(), set()
        for raw in paths:
            target = Path(raw) if Path(raw).is_absolute() else cwd / raw
            absolute = os.path.normpath(os.path.abspath(target))
            rel = _relative_fast(absolute, root_prefix, root)
            (dirs if os.path.isdir(absolute) else files).add(rel)
        return cls(frozenset(dirs), frozenset(files))

    def __contains__(self, path: str) -> bool:
        return path in self.files or any(_under(path, d) for d in self.dirs)

    def anchor(self, path: str) -> str:
        """The outermost given directory (or given file's directory) holding `path`."""
        bases = self.dirs | {_parent(f) for f in self.files}
        holding = [b for b in bases if _under(path, b)]
        return min(holding, key=lambda b: (0 if b == "." else b.count("/") + 1, b), default=".")


def _under(path: str, directory: str) -> bool:
    return directory == "." or path == directory or path.startswith(directory + "/")


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else "."


class ScopedApps:
    """The app of a file: its nearest project marker below the project root, else the given
    directory holding it (AppMap would say the project root, which would pull every sibling
    of the given directory into one app)."""

    def __init__(self, root: Path, scope: Scope):
        self.markers = AppMap(root)
        self.scope = scope

    def app_of(self, path: str) -> str:
        app = self.markers.app_of(path)
        if app != ROOT_APP or self.markers._is_marked(""):
            return app  # a marked root (pyproject.toml at the top) is an app like any other
        return self.scope.anchor(path)


@dataclass
class Migration:
    root: Path
    scope: Scope = field(default_factory=lambda: Scope(frozenset({"."}), frozenset()))
    states: dict[str, FileState] = field(default_factory=dict)
    created: dict[str, str] = field(default_factory=dict)  # project-relative path -> text
    report: Report = field(default_factory=Report)
    # app -> files that import runpod_flash but could not be read (not UTF-8)
    unread_flash: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> dict[str, FileState]:
        return {p: s for p, s in self.states.items() if s.text != s.original_text}

    def diff(self) -> str:
        text = FixRun(None, None, self.states).diff()
        for path, new in sorted(self.created.items()):
            text += "".join(
                difflib.unified_diff(
                    [], new.splitlines(keepends=True), fromfile="/dev/null", tofile=f"b/{path}"
                )
            )
        return text


def migrate_paths(paths: list[str], adopt: bool, cwd: Path | None = None) -> Migration:
    """Plan and apply (in memory) the migration of every app under `paths`."""
    from flash_guard.project.locate import plan_workspaces

    cwd = cwd or Path.cwd()
    workspaces = plan_workspaces(paths or ["."], None, cwd)
    if len(workspaces) != 1:
        raise UsageError("migrate one project at a time (these paths span several configurations)")
    ws = workspaces[0]
    given = ws.paths or ["."]
    run = Migration(ws.root, Scope.of(given, ws.root, cwd))
    exclude = ws.config.exclude + ws.nested
    sources = list_files(given, ws.root, exclude, ws.in_git, cwd)
    apps = ScopedApps(ws.root, run.scope)
    # An App is one per app: the whole app of each given path is read (its other files are
    # context: imports, names, an App already built, where a new App module goes), and only
    # the files under the given paths are changed.
    dirs = sorted({apps.app_of(s.path) for s in sources})
    ws.paths = [str(ws.root / d) for d in dirs]
    sources = [
        s for s in list_files(ws.paths, ws.root, exclude, ws.in_git) if apps.app_of(s.path) in dirs
    ]
    by_app: dict[str, dict[str, ParsedFile]] = {}
    for source in sources:
        state = _state(run.states, ws.root, source.path)
        if state is None:
            if _names_flash(ws.root / source.path):
                run.unread_flash[apps.app_of(source.path)] += 1
                if source.path in run.scope:
                    run.report.unparsable.append((source.path, "not valid UTF-8: not migrated"))
            continue
        try:
            parsed = ParsedFile(source.path, state.text)
        except Unparsable as exc:
            flash = "runpod_flash" in state.text or "tetra_rp" in state.text
            if flash and source.path in run.scope:
                run.report.unparsable.append((source.path, str(exc).splitlines()[0]))
            continue
        by_app.setdefault(apps.app_of(source.path), {})[source.path] = parsed
    _whole_apps_only(by_app, run.scope)
    names, old_defaults, flash_sites = _discovered(ws)
    plans = [
        plan_app(run.root, app_root, parsed, adopt, names, old_defaults)
        for app_root, parsed in sorted(by_app.items())
    ]
    settle_flash_flows(plans, run.root)
    for plan in plans:
        _migrate_app(run, plan)
    _name_unplanned(run, flash_sites)
    return run


def _name_unplanned(run: Migration, flash_sites: list[tuple[str, int, str, str]]) -> None:
    """A declaration migrate never planned (made through a project helper built on
    runpod_flash, `GpuWorker(name=...)` from a `partial(Endpoint, ...)`, in a file that does not
    import runpod_flash itself) still deploys on runpod_flash: the report names it, as it names
    every declaration left, instead of leaving it out."""
    covered = set(run.report.files_migrated) | set(run.report.files_left)
    covered |= {o.path for o in run.report.outcomes}
    for path, line, label, helper in sorted(set(flash_sites)):
        if path in covered or path not in run.scope:
            continue
        detail = f"built by {helper}" if helper else ""
        run.report.outcomes.append(
            Outcome(path, line, label, "helper", "left", "flash-helper", detail)
        )


def _whole_apps_only(by_app: dict[str, dict[str, ParsedFile]], scope: Scope) -> None:
    """An app moves to runpod 2.0 whole: its one App is built once, and a later run over the
    rest would find that App and stop (`app-exists`). Paths that cover part of an app's
    runpod_flash code are refused, naming the app to give instead; nothing is written."""
    for app_root, parsed in sorted(by_app.items()):
        left = sorted(
            path
            for path, file in parsed.items()
            if path not in scope and ("runpod_flash" in file.text or "tetra_rp" in file.text)
        )
        if left:
            shown = ", ".join(left[:3]) + (f" and {len(left) - 3} more" if len(left) > 3 else "")
            where = "the project root" if app_root == ROOT_APP else f"{app_root}/"
            raise UsageError(
                f"the app at {where} also has runpod_flash code outside the given paths "
                f"({shown}); an app moves to runpod 2.0 whole (one runpod.App): give {where}"
            )


def _names_flash(path: Path) -> bool:
    try:
        data = _read_bytes(path)  # a regular file only, never blocking (a FIFO)
    except OSError:
        return False
    if data[:2] in WIDE_BOMS:  # UTF-16/32 (PowerShell's `>`): no byte search sees it
        return wide_sdk_import(data)
    return b"runpod_flash" in data or b"tetra_rp" in data


def _discovered(ws) -> tuple[dict, dict, list]:
    """What the linter's own static resolution says of each declaration, keyed by (path,
    line of its call): its name Value (constants, f-strings, settings objects), so duplicate
    names are seen; what it left to the SDK release its app uses (OldDefaults); and where each
    runpod_flash/tetra_rp declaration is made (path, line, label, the helper that builds it),
    so none goes unreported."""
    from flash_guard.discover.analysis import analyse
    from flash_guard.project.sdk_version import assign_sdk_versions

    analysis = analyse(ws.paths or ["."], ws.root, ws.config.exclude + ws.nested, ws.in_git, 1)
    assign_sdk_versions(analysis, ws.config.sdk_version)
    names, old, sites = {}, {}, []
    for endpoint in analysis.endpoints:
        key = (endpoint.path, endpoint.span.line)
        names[key] = endpoint.name
        if endpoint.sdk != "runpod2":
            old[key] = old_defaults_of(endpoint)
            sites.append(_site_of(endpoint))
    return names, old, sites


def _site_of(endpoint) -> tuple[str, int, str, str]:
    """Where the user declares it: the call of a project factory when one built it."""
    label = endpoint.display_name
    if endpoint.factory_call is not None:
        path, span = endpoint.factory_call
        return path, span.line, label, f"a helper in {endpoint.path}:{endpoint.span.line}"
    return endpoint.path, endpoint.span.line, label, ""


def old_defaults_of(endpoint) -> OldDefaults:
    """The release defaults of what the declaration does not write (discovery re-defaults
    them for the app's release); the newest runpod-flash's where the model cannot say."""
    fallback = OldDefaults()
    params = endpoint.params
    workers = release_worker_defaults(endpoint)
    idle = params.get("idle_timeout")
    idle_default = fallback.idle_timeout
    if idle is not None and idle.defaulted and type(idle.value) is int:
        idle_default = idle.value
    cuda = params.get("min_cuda_version")
    cuda_default = fallback.min_cuda_version
    if cuda is not None and cuda.defaulted:
        raw = cuda.value
        member = getattr(raw, "member", None)
        cuda_default = None if raw is None else CUDA_VERSIONS.get(member, str(raw))
    legacy = _legacy_release_defaults(endpoint)
    sdk = getattr(endpoint, "sdk_release", None)
    # every tetra-rp release read (0.11.0 to 0.25.2) suffixes `-fb`; runpod-flash 1.21 strips it
    suffix = "-fb" if sdk is not None and sdk.package == "tetra-rp" else ""
    return OldDefaults(workers, idle_default, cuda_default, *legacy, flashboot_suffix=suffix)


def _legacy_release_defaults(endpoint) -> tuple[str | None, bool, str]:
    """What a declaration left to the app's release and 2.0 does not do, from the release's
    recorded signature and fields: a `datacenter` default (tetra-rp 0.11+ legacy classes and
    runpod-flash 1.7-1.9 `Endpoint` pinned EU-RO-1; `Endpoint` pins none from 1.10) and, for a
    legacy resource class (LiveServerless, ...), an `env` built by `get_env_vars` (tetra-rp
    shipped the variables of a `.env`). Nothing when the release is unknown."""
    from flash_guard.sdk import releases

    sdk = getattr(endpoint, "sdk_release", None)
    if sdk is None:
        return None, False, ""
    try:
        facts = releases.facts(sdk.package, sdk.facts_version)
    except (KeyError, ValueError):
        return None, False, ""
    if endpoint.api == "endpoint":
        param = (facts.endpoint_params or {}).get("datacenter")
        pinned = param.default if param is not None and isinstance(param.default, str) else None
        return pinned, False, f"{sdk.package} {sdk.version}"
    fields = facts.legacy_fields.get(endpoint.resource_class) or facts.legacy_fields.get(
        "ServerlessResource", {}
    )
    dc, env = fields.get("datacenter"), fields.get("env")
    datacenter = dc.default if dc is not None and isinstance(dc.default, str) else None
    dotenv = env is not None and env.default_factory == "get_env_vars"
    return datacenter, dotenv, f"{sdk.package} {sdk.version}"


def _migrate_app(run: Migration, plan) -> None:
    app_root = plan.root
    if not plan.migrate and not plan.leave:
        return
    run.report.apps += 1
    edits: dict[str, list[Edit]] = {}
    handles: dict[str, list[str]] = {}
    for path in plan.leave:
        forms = plan.forms[path]
        done = leave_file(forms)
        edits.setdefault(path, []).extend(done.edits)
        run.report.outcomes += done.outcomes
        run.report.flash_uses += done.uses
        run.report.files_left.append(path)
    for path in plan.migrate:
        done = migrate_file(plan.forms[path], plan.contexts[path])
        edits.setdefault(path, []).extend(done.edits)
        run.report.outcomes += done.outcomes
        run.report.files_migrated.append(path)
        if done.handles:
            handles[path] = done.handles
    sites = call_sites(plan, handles)
    by_line: dict[tuple[str, int], list[str]] = {}
    for site in sites:
        by_line.setdefault((site.path, site.line), []).append(site.handle)
    for (path, line), names in by_line.items():
        shown = ", ".join(f"`{n}`" for n in names)
        edit = comment_edit(
            plan.forms[path].parsed,
            line,
            f"{shown} {'is a runpod 2.0 handle' if len(names) == 1 else 'are runpod 2.0 handles'}"
            " now: call .remote(...) (.remote.aio(...) when awaited)",
        )
        _add_note(edits, path, edit)
    run.report.call_sites += sites
    for site in reimports(plan, run.root):
        edit = comment_edit(
            plan.forms[site.path].parsed,
            site.line,
            f"`rp flash deploy` imports {site.handle}.py twice in this flat layout (duplicate "
            "resource name, this file skipped): deploy one entry file or add __init__.py",
        )
        _add_note(edits, site.path, edit)
        run.report.reimports.append(site)
    for path, file_edits in edits.items():
        if path not in run.scope:  # a note for a file outside the given paths: report only
            continue
        state = run.states[path]
        original, state.text = state.text, apply_edits(state.text, file_edits)
        if path in plan.migrate:
            state.text = space_declarations(state.text, plan.contexts[path].app_var)
            state.text = drop_unused_runpod_import(state.text, original)
    if plan.migrate:
        # a file migrate could not read still imports runpod_flash: the app keeps needing it
        waiting = len(plan.leave) + run.unread_flash[app_root]
        _migrate_requirements(run, app_root, waiting)
    target = deploy_target(plan, run.root) if plan.migrate else None
    if target is not None:
        run.report.deploys.append(target)
    if plan.new_module:
        run.created[plan.new_module] = plan.new_module_text
        run.report.files_created.append(plan.new_module)


def _add_note(edits: dict[str, list], path: str, note) -> None:
    """A comment line, unless another edit already starts there or rewrites that place (a
    route handler moved into an API class is rewritten whole: a note inserted inside it would
    split the rewritten text)."""
    if note is None:
        return
    for edit in edits.get(path, []):
        if edit.start == note.start or edit.start < note.start < edit.end:
            return
    edits.setdefault(path, []).append(note)


def _migrate_requirements(run: Migration, app_root: str, left_on_flash: int) -> None:
    def text_of(path: str) -> str | None:
        state = _state(run.states, run.root, path)
        return None if state is None else state.text

    # The app moves whole (_whole_apps_only), so its requirement files move with it, as the
    # App module it may need is created in its root.
    plan = plan_requirements(run.root, app_root, text_of, left_on_flash)
    for path, file_edits in plan.edits.items():
        state = run.states[path]
        state.text = apply_edits(state.text, file_edits)
    run.report.requirement_changes += plan.changes
    run.report.requirement_notes += plan.by_hand + plan.locks


def write_all(run: Migration) -> list[str]:
    from flash_guard.project.writes import write_atomically

    problems = write(FixRun(None, None, run.states))
    for path, text in sorted(run.created.items()):
        dest = run.root / path
        if dest.exists() or dest.is_symlink():
            problems.append(f"{path}: not created: it exists")
            continue
        try:
            write_atomically(dest, text)
        except OSError as exc:
            problems.append(f"{path}: not created: {exc.strerror or exc}")
    return problems


def main(paths: list[str], mode: str, adopt: bool, fmt: str) -> int:
    """The `migrate` command. Exit: 0 done (or nothing to change), 1 changes pending under
    --diff/--check (or a Flash file that could not be read), 2 usage error or a file that
    could not be written."""
    run = migrate_paths(paths, adopt)
    rendered = (render_markdown if fmt == "markdown" else render_text)(run.report)
    # A Flash file migrate could not read may still need the move: --check must not pass it.
    pending = bool(run.changed or run.created or run.report.unparsable)
    if mode == "diff":
        sys.stdout.write(run.diff())
        sys.stderr.write(rendered)
        return 1 if pending else 0
    sys.stdout.write(rendered)
    if mode == "check":
        return 1 if pending else 0
    problems = write_all(run)
    for problem in problems:
        print(f"flash-guard: {problem}", file=sys.stderr)
    if problems:
        raise UsageError(f"{len(problems)} file(s) could not be written")
    return 0
