"""One `flash-guard check` run, from paths to a `RunResult`, independent of output format.

`run_check` is the table of contents of the package: each line is one stage, named after
the module that does it and the product it hands on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flash_guard.checklist.active import Options
from flash_guard.discover.analysis import Analysis, analyse
from flash_guard.evaluate import Evaluation, evaluate
from flash_guard.findings import Finding
from flash_guard.project.locate import Workspace, locate_workspace
from flash_guard.project.sdk_version import assign_sdk_versions
from flash_guard.project.selection import EVERYTHING_GIVEN, select
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


def run_check(request: RunRequest) -> tuple[RunResult, Analysis, Evaluation, Workspace]:
    # 1. locate: root, configuration, git
    workspace = locate_workspace(request.config_path, request.cwd)
    # 2. list files: which paths to analyse, and (pre-commit) which to report on
    selection = (
        select(request.paths, request.cwd, workspace.root, workspace.config)
        if request.files_as_filter
        else EVERYTHING_GIVEN
    )
    paths = [str(workspace.root)] if selection.analyse_root else request.paths
    workspace.report_only = selection.report_only
    # 3. discover: files -> facts -> module index -> declarations -> endpoint model
    config = workspace.config
    analysis = analyse(paths, workspace.root, config.exclude, workspace.in_git, request.jobs)
    assign_sdk_versions(analysis, config.sdk_version)
    # 4-5. activate items and profiles, evaluate: endpoint model -> findings + scorecard
    evaluation = evaluate(analysis, config, request.options)
    # 6. suppress: comments in the code
    findings, suppressed = evaluation.findings, 0
    if not request.no_ignores:
        findings, suppressed = suppress(findings, analysis, evaluation, config)
    # Filtered only now: a comment in one file can suppress a finding located in another
    # (a route's finding, at its endpoint's declaration), and filtering first would call that
    # comment unused. Counts other than findings stay project-wide.
    findings = _reported(findings, workspace.report_only)
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


def _reported(findings: list[Finding], report_only: frozenset[str] | None) -> list[Finding]:
    if report_only is None:
        return findings
    return [f for f in findings if f.path in report_only]


__all__ = ["RunRequest", "run_check"]
