"""One `flash-guard check` run, from paths to a `RunResult`, independent of output format.

`run_check` is the table of contents of the package: each line is one stage, named after
the module that does it and the product it hands on. A run over paths governed by several
configurations (a monorepo's apps) runs these stages once per configuration and merges.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

from flash_guard.checklist.active import Options
from flash_guard.discover.analysis import Analysis, analyse
from flash_guard.discover.resolve import ModuleIndex
from flash_guard.evaluate import Evaluation, evaluate
from flash_guard.findings import Finding
from flash_guard.model import Endpoint, Value
from flash_guard.project.locate import Workspace, plan_workspaces
from flash_guard.project.sdk_version import assign_sdk_versions
from flash_guard.project.selection import EVERYTHING_GIVEN, Selection, report_unanalysed, select
from flash_guard.report.run_result import RunResult
from flash_guard.suppress import suppress


@dataclass
class RunRequest:
    paths: list[str] = field(default_factory=lambda: ["."])
    config_path: Path | None = None
    options: Options = field(default_factory=Options)
    no_ignores: bool = False
    jobs: int | None = None
    cwd: Path = field(default_factory=Path.cwd)
    # Paths that are all files mean "the whole project, reported for these files"
    # (see project.selection); `endpoints` lists what it is given instead.
    files_as_filter: bool = True
    # The facts cache (discover/cache.py): off for library callers unless asked for; the
    # CLI turns it on. `cache_dir` None means `.flash-guard-cache/` in each project root.
    cache: bool = False
    cache_dir: Path | None = None
    # False when the output shows no scorecard: file mode then evaluates only the endpoints
    # whose findings it can report (project/selection.endpoints_to_evaluate).
    scorecard: bool = True


@dataclass
class CheckedWorkspaces(Workspace):
    """The merged view of every workspace of a run: paths relative to `root`."""

    parts: list[Workspace] = field(default_factory=list)
    # Per workspace: (its root relative to `root` as a path prefix, its fail_on).
    fail_on_by_prefix: list[tuple[str, str]] = field(default_factory=list)

    def fail_on_for(self, path: str) -> str:
        for prefix, fail_on in self.fail_on_by_prefix:
            if path.startswith(prefix):
                return fail_on
        return self.config.fail_on


def run_check(request: RunRequest) -> tuple[RunResult, Analysis, Evaluation, Workspace]:
    # 1. locate: for each path its project root, configuration and git
    workspaces = plan_workspaces(request.paths, request.config_path, request.cwd)
    given = {os.path.realpath(request.cwd / p) for p in request.paths}
    runs = [_run_one(request, workspace, given) for workspace in workspaces]
    if len(runs) == 1:
        result, analysis, evaluation, workspace = runs[0]
        merged = CheckedWorkspaces(**_fields(workspace), parts=[workspace])
        merged.fail_on_by_prefix = [("", workspace.config.fail_on)]
        return result, analysis, evaluation, merged
    return _merge(runs)


def _run_one(request: RunRequest, workspace: Workspace, given: set[str]):
    # 2. list files: which paths to analyse, and (pre-commit) which to report on
    selection = (
        select(workspace.paths, request.cwd, workspace.root, workspace.config)
        if request.files_as_filter
        else EVERYTHING_GIVEN
    )
    if selection.report_only is not None and _extended_config_given(workspace, given):
        selection = Selection(analyse_root=True, report_only=None)
    paths = [str(workspace.root)] if selection.analyse_root else workspace.paths
    workspace.report_only = selection.report_only
    config = workspace.config
    profile = request.options.profile
    if profile is not None and profile not in config.all_profiles():
        from flash_guard.config.loader import did_you_mean
        from flash_guard.project.files import UsageError

        hint = did_you_mean(profile, config.all_profiles())
        raise UsageError(f"--profile {profile}: unknown profile{hint}")
    # 3. discover: files -> facts -> module index -> declarations -> endpoint model
    exclude = config.exclude + workspace.nested  # subtrees with their own configuration
    analysis = analyse(
        paths,
        workspace.root,
        exclude,
        workspace.in_git,
        request.jobs,
        _cache(request, workspace),
        request.cwd,
    )
    _record_dependencies(analysis.endpoints, analysis.modules)
    # A file given on the command line that the listing left out is named, never dropped.
    report_unanalysed(selection.report_only, set(analysis.sources), workspace)
    assign_sdk_versions(analysis, config.sdk_version)
    # 4-5. activate items and profiles, evaluate: endpoint model -> findings + scorecard
    only = None
    if workspace.report_only is not None and not request.scorecard:
        from flash_guard.project.selection import endpoints_to_evaluate

        only = endpoints_to_evaluate(analysis.endpoints, workspace.report_only, analysis)
    evaluation = evaluate(analysis, config, request.options, only)
    if analysis.cache is not None:
        analysis.cache.save()  # only when evaluation parsed a module on demand
    # 6. suppress: comments in the code
    findings, suppressed = evaluation.findings, 0
    if not request.no_ignores:
        findings, suppressed = suppress(findings, analysis, evaluation, config)
    # Filtered only now: a comment in one file can suppress a finding located in another
    # (a route's finding, at its endpoint's declaration), and filtering first would call that
    # comment unused. Counts other than findings stay project-wide.
    findings = reported_findings(findings, workspace.report_only)
    findings.sort(key=Finding.sort_key)
    # 7-8. baseline and report happen in the CLI, which owns the output options.
    profiles_used = set(evaluation.profiles.values()) or {evaluation.profile_map.default}
    result = RunResult(
        findings=findings,
        endpoints=analysis.endpoints,
        rules=evaluation.checklist.rule_infos(profiles_used),
        root=workspace.root,
        scorecard=evaluation.scorecard,
        files_checked=analysis.files_checked,
        suppressed=suppressed,
        profiles=[evaluation.profiles.get(i, "") for i in range(len(analysis.endpoints))],
    )
    return result, analysis, evaluation, workspace


def _cache(request: RunRequest, workspace: Workspace):
    from flash_guard.project.files import OVERLAY

    # The fix engine's rounds analyse edited texts that are never on disk: not worth keeping.
    if not request.cache or OVERLAY:
        return None
    from flash_guard.discover.cache import open_cache

    return open_cache(workspace.root, request.cache_dir)


# -- which files each endpoint's verdicts depend on, for the pre-commit hook ------------------
# A commit that changes only `config.py` (`IDLE = 20 * 60 * 60`) or only `routes.py` (its
# `/health` route deleted) changes the verdict on an endpoint declared in `worker.py`. The hook
# is given only the changed files, so every finding carries the files behind it and is
# reported when any of them was given (reported_findings).


def _record_dependencies(endpoints: list[Endpoint], modules: ModuleIndex) -> None:
    for endpoint in endpoints:
        endpoint.depends_on = frozenset(_endpoint_files(endpoint, modules))
    modules.forget_discovery_caches()


def _endpoint_files(endpoint: Endpoint, modules: ModuleIndex) -> set[str]:
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
    from flash_guard.checks.worker_start import (
        body_imports,
        imports_module_at_start,
        lazy_walk,
        worker_start,
    )

    if endpoint.deployable and imports_module_at_start(endpoint):
        # The modules its worker imports when it starts: their imports are FG305's.
        files.update(worker_start(endpoint, modules).modules)
    if endpoint.deployable:
        # and those its body imports inside it, run on the first request (FG305 too)
        files.update(lazy_walk(body_imports(endpoint, modules), modules, set()).modules)
    files.discard("")
    return files


def _extended_config_given(workspace: Workspace, given: set[str]) -> bool:
    """A configuration this workspace's own one extends changed: everything may have."""
    return any(os.path.realpath(f) in given for f in workspace.config.files[:-1])


def reported_findings(findings: list[Finding], report_only: frozenset[str] | None) -> list[Finding]:
    if report_only is None:
        return findings
    # A finding is about its location and about every file its verdict depends on: a
    # commit of only the constants module or only the routes module reports the endpoint.
    return [
        f for f in findings if f.path in report_only or not f.depends_on.isdisjoint(report_only)
    ]


def _fields(workspace: Workspace) -> dict:
    return {f.name: getattr(workspace, f.name) for f in dataclasses.fields(Workspace)}


def _prefix(workspace: Workspace, root: Path) -> str:
    prefix = workspace.root.relative_to(root).as_posix() + "/"
    return "" if prefix == "./" else prefix


def _merge(runs) -> tuple[RunResult, Analysis, Evaluation, Workspace]:
    """One result for several workspaces, paths relative to the git root (or else to the
    workspaces' common directory), as annotations and baselines need them."""
    workspaces = [run[3] for run in runs]
    top = workspaces[0]
    if top.in_git:
        from flash_guard.project.files import git_root

        root = git_root(top.root) or top.root
    else:
        root = Path(os.path.commonpath([str(w.root) for w in workspaces]))
    merged = CheckedWorkspaces(**_fields(top), parts=workspaces)
    merged.root = root
    merged.report_only = None
    result = RunResult(findings=[], endpoints=[], rules=[], root=root)
    rules = {}
    report_only: set[str] | None = set()
    for part, _, _, workspace in runs:
        prefix = _prefix(workspace, root)
        merged.fail_on_by_prefix.append((prefix, workspace.config.fail_on))
        _rebase(part, prefix)
        result.findings.extend(part.findings)
        result.endpoints.extend(part.endpoints)
        result.scorecard.extend(part.scorecard)
        result.profiles.extend(part.profiles)
        result.files_checked += part.files_checked
        result.suppressed += part.suppressed
        for info in part.rules:
            rules.setdefault(info.code, info)
        if workspace.report_only is None or report_only is None:
            report_only = None
        else:
            report_only |= {prefix + p for p in workspace.report_only}
    # Longest prefix first, so a nested app's fail_on wins over its parent's.
    merged.fail_on_by_prefix.sort(key=lambda item: -len(item[0]))
    merged.report_only = None if report_only is None else frozenset(report_only)
    result.rules = [rules[c] for c in sorted(rules)]
    result.findings.sort(key=Finding.sort_key)
    _, analysis, evaluation, _ = runs[-1]
    evaluation = dataclasses.replace(evaluation)
    evaluation.parts = sorted(
        ((_prefix(workspace, root), part) for _, _, part, workspace in runs),
        key=lambda item: -len(item[0]),
    )
    return result, analysis, evaluation, merged


def _rebase(result: RunResult, prefix: str) -> None:
    if not prefix:
        return
    for finding in result.findings:
        finding.path = prefix + finding.path
        finding.depends_on = frozenset(prefix + p for p in finding.depends_on)
    for endpoint in result.endpoints:
        endpoint.path = prefix + endpoint.path
        # Apps too: two apps' `.` must not read as one app (scorecard diff, inventory).
        if endpoint.app:
            endpoint.app = prefix.rstrip("/") if endpoint.app == "." else prefix + endpoint.app
        endpoint.declaration_ranges = [
            (prefix + p, a, b) for p, a, b in endpoint.declaration_ranges
        ]
        for route in endpoint.routes:
            route.file = prefix + route.file
        for target in endpoint.targets:
            if target.path:
                target.path = prefix + target.path


__all__ = ["RunRequest", "run_check"]
