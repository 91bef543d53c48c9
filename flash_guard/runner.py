"""One `flash-guard check` run, from paths to a `RunResult`, independent of output format."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flash_guard.analysis import Analysis, analyse
from flash_guard.config import Config, find_config, load_config
from flash_guard.engine import META_CODES, Evaluation, Options, evaluate
from flash_guard.explicit_files import EVERYTHING_GIVEN, select
from flash_guard.files import git_root
from flash_guard.findings import Finding
from flash_guard.result import RunResult
from flash_guard.suppress import apply_suppressions, parse_suppressions, problem_span

SUPPRESSION_CODE = "FG003"


@dataclass
class RunRequest:
    paths: list[str] = field(default_factory=lambda: ["."])
    config_path: Path | None = None
    options: Options = field(default_factory=Options)
    no_ignores: bool = False
    jobs: int | None = None
    cwd: Path = field(default_factory=Path.cwd)
    # Paths that are all files mean "the whole project, reported for these files"
    # (see explicit_files); `endpoints` lists what it is given instead.
    files_as_filter: bool = True


@dataclass
class Project:
    root: Path
    config: Config
    in_git: bool
    # Set by run_check when only files were given (pre-commit): the project-relative
    # paths whose findings are reported; None reports every finding.
    report_only: frozenset[str] | None = None


def locate_project(config_path: Path | None, cwd: Path) -> Project:
    top = git_root(cwd)
    path = config_path if config_path is not None else find_config(cwd, top)
    label = None
    if path is not None:
        try:
            label = str(path.resolve().relative_to(cwd.resolve()))
        except ValueError:
            label = str(path)
    config = load_config(path, label)
    if path is not None and config_path is None:
        root = path.resolve().parent
    else:
        root = top or cwd.resolve()
    return Project(root, config, top is not None)


def run_check(request: RunRequest) -> tuple[RunResult, Analysis, Evaluation, Project]:
    project = locate_project(request.config_path, request.cwd)
    selection = (
        select(request.paths, request.cwd, project.root, project.config)
        if request.files_as_filter
        else EVERYTHING_GIVEN
    )
    paths = [str(project.root)] if selection.analyse_root else request.paths
    project.report_only = selection.report_only
    analysis = analyse(paths, project.root, project.config.exclude, project.in_git, request.jobs)
    evaluation = evaluate(analysis, project.config, request.options)
    findings = evaluation.findings
    suppressed = 0
    if not request.no_ignores:
        default_profile = request.options.profile or project.config.profile
        findings, suppressed = _suppress(
            findings, analysis, evaluation, project.config, default_profile
        )
    # Filtered only now: a comment in one file can suppress a finding located in
    # another (a route's finding, at its endpoint's declaration), and filtering first
    # would call that comment unused. Counts other than findings stay project-wide.
    findings = _reported(findings, project.report_only)
    findings.sort(key=Finding.sort_key)
    profiles_used = set(evaluation.profiles.values()) or {
        request.options.profile or project.config.profile
    }
    result = RunResult(
        findings=findings,
        endpoints=analysis.endpoints,
        rules=evaluation.checklist.rule_infos(profiles_used),
        root=project.root,
        scorecard=evaluation.scorecard,
        files_checked=analysis.files_checked,
        suppressed=suppressed,
        profiles=[evaluation.profiles.get(i, "") for i in range(len(analysis.endpoints))],
    )
    return result, analysis, evaluation, project


def _reported(findings: list[Finding], report_only: frozenset[str] | None) -> list[Finding]:
    if report_only is None:
        return findings
    return [f for f in findings if f.path in report_only]


def _suppress(
    findings, analysis: Analysis, evaluation: Evaluation, config: Config, default_profile
):
    suppressions = []
    for path, facts in analysis.project.files.items():
        suppressions.extend(parse_suppressions(path, facts.comments))
    if not suppressions:
        return findings, 0
    ranges = {}
    by_name: dict[tuple[str, str], list] = {}
    for ep in analysis.endpoints:
        by_name.setdefault((ep.path, ep.display_name), []).extend(ep.declaration_ranges)
        for route in ep.routes:
            by_name.setdefault((route.file, ep.display_name), []).extend(ep.declaration_ranges)
    for finding in findings:
        ranges[id(finding)] = by_name.get((finding.path, finding.endpoint or ""), [])
    checklist = evaluation.checklist
    pragmas_profile = _file_profiles(analysis, evaluation)

    def enabled_codes(path: str) -> set[str]:
        profile = pragmas_profile.get(path, default_profile)
        return set(checklist.active(profile))

    result = apply_suppressions(
        findings,
        suppressions,
        ranges,
        {**checklist.slugs, **{code: code for code in checklist.items}},
        enabled_codes,
        config.require_suppression_reason,
    )
    kept = result.kept
    for sup, message in result.problems:
        profile = pragmas_profile.get(sup.path, default_profile)
        active = checklist.active(profile).get(SUPPRESSION_CODE)
        if active is None:
            continue
        kept.append(
            Finding(
                code=SUPPRESSION_CODE,
                slug=active.item.slug,
                severity=active.severity,
                message=f"suppression {message}",
                fix=active.item.fix,
                path=sup.path,
                span=problem_span(sup),
                profile=profile,
                parameter=",".join(sup.codes),
                title=active.item.title,
            )
        )
    return kept, result.suppressed


def _file_profiles(analysis: Analysis, evaluation: Evaluation) -> dict[str, str]:
    """A file's profile is that of its endpoints (they share pragma and path mapping)."""
    out = {}
    for i, ep in enumerate(analysis.endpoints):
        out.setdefault(ep.path, evaluation.profiles[i])
    return out


__all__ = ["META_CODES", "RunRequest", "run_check", "locate_project"]
