"""Evaluate the checklist over the discovered endpoints and produce findings.

Each deployable endpoint gets one profile (checklist.profiles). Every enabled item of that
profile is evaluated: declarative `require` conditions here, `check:` items by their Python
check. An undecidable item yields FG002, never a pass or a failure.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from flash_guard.checklist import conditions
from flash_guard.checklist.active import UNRESOLVED, ActiveItem, Checklist, Options
from flash_guard.checklist.catalog import PROFILES
from flash_guard.checklist.items import Item
from flash_guard.checklist.profiles import ProfileMap, file_pragmas
from flash_guard.checks import runpod2
from flash_guard.checks.base import Context, Outcome, where
from flash_guard.config.loader import Config
from flash_guard.discover.analysis import Analysis
from flash_guard.findings import FAIL, NOT_APPLICABLE, PASS, UNKNOWN, Finding
from flash_guard.messages import render_template
from flash_guard.model import Endpoint, Value
from flash_guard.rules import REGISTRY


@dataclass
class Evaluation:
    findings: list[Finding]
    scorecard: list[dict[str, str]]
    profiles: dict[int, str]  # endpoint index -> profile
    checklist: Checklist
    profile_map: ProfileMap


def evaluate(analysis: Analysis, config: Config, options: Options) -> Evaluation:
    checklist = Checklist(config, options)
    pragmas = file_pragmas((path, f.comments) for path, f in analysis.modules.files.items())
    profile_map = ProfileMap(config, options.profile, pragmas)
    run = _Run(analysis, checklist, profile_map)
    for index, endpoint in enumerate(analysis.endpoints):
        if endpoint.deployable:
            run.endpoint_items(index, endpoint)
    run.project_checks()
    return Evaluation(run.findings, run.scorecard, run.profiles, checklist, profile_map)


class _Run:
    """The state of one evaluation: findings so far and the readiness scorecard."""

    def __init__(self, analysis: Analysis, checklist: Checklist, profile_map: ProfileMap):
        self.analysis = analysis
        self.checklist = checklist
        self.profile_map = profile_map
        endpoints = analysis.endpoints
        self.profiles = {i: profile_map.for_endpoint(ep) for i, ep in enumerate(endpoints)}
        self.findings: list[Finding] = []
        self.scorecard: list[dict[str, str]] = [{} for _ in endpoints]
        self.index_of = {id(ep): i for i, ep in enumerate(endpoints)}

    def context(self, profile: str, code: str = "", slug: str = "") -> Context:
        return Context(self.analysis.endpoints, self.analysis, profile, code, slug)

    def endpoint_items(self, index: int, ep: Endpoint) -> None:
        profile = self.profiles[index]
        shadow = self.checklist.shadow_by_profile[profile]
        for code, active in [*self.checklist.active(profile).items(), *shadow.items()]:
            item = active.item
            card = {} if code in shadow else self.scorecard[index]
            if item.check and REGISTRY[item.check].scope != "endpoint":
                continue  # project-wide checks run once, below; engine checks are built in
            if not conditions.when_matches(item.when, ep):
                card[code] = NOT_APPLICABLE
                continue
            if runpod2.skips_task(ep, item.require or ()):
                card[code] = NOT_APPLICABLE
                continue
            if runpod2.replaced(code, ep):
                outcomes = runpod2.outcomes(ep, code)
            elif item.check:
                check = REGISTRY[item.check]()
                if not check.applies(ep):
                    card[code] = NOT_APPLICABLE
                    continue
                outcomes = check.check(ep, active.params, self.context(profile, code, item.slug))
            else:
                outcomes = _declarative(item, active.params, ep)
            card[code] = PASS
            for outcome in outcomes:
                self.emit(active, outcome, profile, card)

    def project_checks(self) -> None:
        """Project-wide checks run once; each outcome is kept when its endpoint's profile (or,
        for file-level outcomes, the file's profile) has the item on."""
        first_in_force: dict[str, ActiveItem] = {}
        for profile in PROFILES:
            in_force = {
                **self.checklist.shadow_by_profile[profile],
                **self.checklist.active(profile),
            }
            for code, active in in_force.items():
                if active.item.check and REGISTRY[active.item.check].scope == "project":
                    first_in_force.setdefault(code, active)
        endpoints = self.analysis.endpoints
        for code, first in first_in_force.items():
            check = REGISTRY[first.item.check]()
            ctx = self.context("", code, first.item.slug)
            own = [ep for ep in endpoints if not runpod2.replaced(code, ep)]
            found = check.check_project(own, first.params, ctx)
            if len(own) != len(endpoints):
                found = found + runpod2.project_outcomes(endpoints, code)
            for outcome in found:
                self.project_outcome(code, outcome)
            for i, ep in enumerate(endpoints):
                if ep.deployable and code in self.checklist.active(self.profiles[i]):
                    self.scorecard[i].setdefault(code, PASS)

    def project_outcome(self, code: str, outcome: Outcome) -> None:
        ep = outcome.endpoint
        if ep is not None:
            index = self.index_of[id(ep)]
            profile, card = self.profiles[index], self.scorecard[index]
        else:
            profile, card = self.profile_map.for_file(outcome.path), None
        active = self.checklist.active(profile).get(code)
        active = active or self.checklist.shadow_by_profile[profile].get(code)
        if active is not None:
            self.emit(active, outcome, profile, card)

    def emit(self, active: ActiveItem, outcome: Outcome, profile: str, card: dict | None) -> None:
        item = active.item
        if item.code in self.checklist.shadow_by_profile[profile]:
            card = None  # evaluated for FG002 only: no finding, no scorecard entry
            if outcome.status == "fail":
                return
        if outcome.status == "fail":
            severity = active.severity
            if outcome.severity and not active.severity_configured:
                severity = outcome.severity
            self.findings.append(_finding(item, severity, outcome, profile))
            if card is not None:
                card[item.code] = FAIL
            return
        if card is not None and card.get(item.code) != FAIL:
            card[item.code] = UNKNOWN
        meta = self.checklist.active(profile).get(UNRESOLVED)
        if meta is not None:
            self.findings.append(_unresolved_finding(meta, item, outcome, profile))


def _finding(item: Item, severity: str, outcome: Outcome, profile: str) -> Finding:
    ep = outcome.endpoint
    return Finding(
        code=item.code,
        slug=item.slug,
        severity=severity,
        message=outcome.message,
        fix=outcome.fix if outcome.fix is not None else item.fix,
        path=outcome.path,
        span=outcome.span,
        endpoint=ep.display_name if ep else None,
        profile=profile,
        parameter=outcome.parameter,
        title=item.title,
    )


def _unresolved_finding(meta: ActiveItem, blocked: Item, outcome: Outcome, profile: str) -> Finding:
    ep = outcome.endpoint
    name = f"`{ep.display_name}`: " if ep else ""
    return Finding(
        code=meta.item.code,
        slug=meta.item.slug,
        severity=meta.severity,
        message=f"{name}cannot decide {blocked.code} {blocked.slug}: {outcome.message}, "
        "which is not statically known",
        fix=meta.item.fix,
        path=outcome.path,
        span=outcome.span,
        endpoint=ep.display_name if ep else None,
        profile=profile,
        parameter=f"{blocked.code}:{outcome.parameter or ''}",
        title=meta.item.title,
    )


# -- declarative items --------------------------------------------------------


def _declarative(item: Item, params: dict, ep: Endpoint) -> list[Outcome]:
    bound = dataclasses.replace(item, raw_params={**item.raw_params, **(params or {})})
    outcomes = []
    for attr, condition in item.require.items():
        value = conditions.attribute(ep, attr)
        for op, raw_operand in condition.items():
            operand = bound.operand(raw_operand)
            verdict = conditions.apply(op, value, operand)
            if verdict == "pass":
                continue
            if verdict == "unknown":
                spread = isinstance(value, conditions.Missing)
                culprit = value.maybe if spread else value
                what = f"the `**` spread that may set `{attr}`" if spread else f"`{attr}`"
                outcome = Outcome(
                    "unknown",
                    f"{what} is `{culprit.text or '?'}`",
                    *where(ep, culprit),
                    parameter=attr,
                    endpoint=ep,
                    unknown_text=culprit.text,
                )
                outcomes.append(outcome)
                break
            shown = value if isinstance(value, Value) else None
            message = render_template(item.message, ep, attr, shown, op, operand, bound.raw_params)
            fix = item.fix
            if "{" in fix:  # a fix may name the item's parameters: "e.g. idle_timeout={max}"
                fix = render_template(fix, ep, attr, shown, op, operand, bound.raw_params)
            path, span = where(ep, shown)
            outcomes.append(Outcome("fail", message, path, span, attr, ep, fix))
            break
    return outcomes
