"""Evaluate the checklist over the discovered endpoints and produce findings.

Each deployable endpoint gets one profile (file pragma, then config mapping by
path or endpoint name, then the run's default profile). Every enabled item of
that profile is evaluated: declarative `require` conditions here, `check:`
items by their Python check. An undecidable item yields FG002, never a pass or
a failure.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from flash_guard.analysis import Analysis
from flash_guard.checklist import conditions
from flash_guard.checklist.catalog import PROFILES, profile_items
from flash_guard.checklist.items import Item, build_params
from flash_guard.checks import REGISTRY
from flash_guard.checks.base import Context, Outcome, where
from flash_guard.config import Config
from flash_guard.files import UsageError
from flash_guard.findings import Finding
from flash_guard.globs import any_match
from flash_guard.model import Endpoint, EnumRef, Opaque, Value
from flash_guard.result import FAIL, NOT_APPLICABLE, PASS, UNKNOWN, RuleInfo

PRAGMA = re.compile(r"#\s*flash-guard:\s*profile\s*=\s*([A-Za-z_-]+)")
UNRESOLVED = "FG002"
META_CODES = ("FG001", "FG002", "FG003")


@dataclass
class Options:
    profile: str | None = None  # --profile
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    strict: bool = False


@dataclass
class ActiveItem:
    item: Item
    severity: str
    params: object
    severity_configured: bool = False  # set by the user: per-finding severities yield to it


class Checklist:
    """The items in force for each profile after config overrides and CLI filters."""

    def __init__(self, config: Config, options: Options):
        self.config = config
        self.options = options
        self.by_profile: dict[str, dict[str, ActiveItem]] = {}
        # Items left out only by --select, evaluated for FG002 alone when the selection
        # names FG002 itself: `--select FG002` shows what the checklist cannot decide.
        self.shadow_by_profile: dict[str, dict[str, ActiveItem]] = {}
        all_items: list[Item] = []
        for profile in PROFILES:
            items = list(profile_items(profile))
            items += [u for u in config.checklist if profile in config.item_profiles(u)]
            active, shadow = {}, {}
            for item in items:
                resolved = self._activate(item)
                if resolved is not None:
                    active[item.code] = resolved
                elif self._shadowed(item):
                    shadow[item.code] = self._activate(item, selecting=False)
            self.by_profile[profile] = active
            self.shadow_by_profile[profile] = {k: v for k, v in shadow.items() if v is not None}
            all_items.extend(items)
        self.slugs = {item.slug: item.code for item in all_items}
        self.items = {item.code: item for item in all_items}
        self._reject_unknown_names()

    def _reject_unknown_names(self) -> None:
        """A typo in --select would select nothing and let CI pass: refuse it."""
        for flag, names in (("--select", self.options.select), ("--ignore", self.options.ignore)):
            for name in names:
                if name in self.slugs or any(code.startswith(name) for code in self.items):
                    continue
                raise UsageError(f"{flag} {name}: no rule code, slug or code prefix matches")

    @staticmethod
    def _named(item: Item, names: list[str]) -> bool:
        return any(n in (item.code, item.slug) or item.code.startswith(n) for n in names)

    def _selected(self, item: Item) -> bool:
        if self.options.ignore and self._named(item, self.options.ignore):
            return False
        if self.options.select and not self._named(item, self.options.select):
            # Meta rules stay on: a selected rule that cannot be decided must still say so.
            return item.code in META_CODES
        return True

    def _shadowed(self, item: Item) -> bool:
        """Off only because --select leaves it out, while the selection names FG002."""
        select, ignore = self.options.select, self.options.ignore
        if not select or item.code in META_CODES or (ignore and self._named(item, ignore)):
            return False
        return any(
            n in (UNRESOLVED, "unresolved-value") or UNRESOLVED.startswith(n) for n in select
        )

    def _activate(self, item: Item, selecting: bool = True) -> ActiveItem | None:
        override = self.config.rules.get(item.code)
        if override and override.enabled is False:
            return None
        if selecting and not self._selected(item):
            return None
        severity = (override.severity if override and override.severity else None) or item.severity
        configured = bool(override and override.severity) or not item.builtin
        if item.code == UNRESOLVED and self.options.strict:
            severity = "error"
        params = item.params
        if override and override.params:
            merged = {**item.raw_params, **override.params}
            if item.check:
                params = build_params(
                    self.config.source, ["rules", item.code, "params"], item.check, merged
                )
            else:
                params = merged
        return ActiveItem(item, severity, params, configured)

    def active(self, profile: str) -> dict[str, ActiveItem]:
        return self.by_profile[profile]

    def rule_infos(self, profiles: set[str]) -> list[RuleInfo]:
        seen: dict[str, RuleInfo] = {}
        for profile in PROFILES:
            for code, active in self.by_profile[profile].items():
                if profile in profiles or code in META_CODES:
                    info = seen.get(code)
                    if info is None:
                        seen[code] = rule_info(active.item, active.severity, (profile,))
                    elif profile not in info.profiles:
                        info.profiles = (*info.profiles, profile)
        return [seen[c] for c in sorted(seen)]


def rule_info(item: Item, severity: str, profiles: tuple[str, ...]) -> RuleInfo:
    tags = list(item.tags)
    return RuleInfo(
        code=item.code,
        slug=item.slug,
        title=item.title,
        severity=severity,
        summary=str(item.docs.get("summary", item.title)).strip(),
        fix=item.fix,
        profiles=profiles,
        tags=tuple(tags),
    )


def file_pragmas(analysis: Analysis) -> dict[str, str]:
    out = {}
    for path, facts in analysis.project.files.items():
        for _, _, text in facts.comments:
            match = PRAGMA.search(text)
            if match and match.group(1) in PROFILES:
                out[path] = match.group(1)
    return out


def profile_for(
    path: str, endpoint_name: str | None, config: Config, options: Options, pragmas: dict[str, str]
) -> str:
    if path in pragmas:
        return pragmas[path]
    for profile in PROFILES:
        if any_match(config.profile_paths.get(profile, []), path):
            return profile
        if endpoint_name and any_match(config.profile_endpoints.get(profile, []), endpoint_name):
            return profile
    return options.profile or config.profile


@dataclass
class Evaluation:
    findings: list[Finding]
    scorecard: list[dict[str, str]]
    profiles: dict[int, str]  # endpoint index -> profile
    checklist: Checklist


def evaluate(analysis: Analysis, config: Config, options: Options) -> Evaluation:
    checklist = Checklist(config, options)
    pragmas = file_pragmas(analysis)
    endpoints = analysis.endpoints
    profiles = {
        i: profile_for(ep.path, ep.display_name, config, options, pragmas)
        for i, ep in enumerate(endpoints)
    }
    findings: list[Finding] = []
    scorecard: list[dict[str, str]] = [{} for _ in endpoints]
    index_of = {id(ep): i for i, ep in enumerate(endpoints)}

    def emit(active: ActiveItem, outcome: Outcome, profile: str, card: dict | None) -> None:
        item = active.item
        if item.code in checklist.shadow_by_profile[profile]:
            card = None  # evaluated for FG002 only: no finding, no scorecard entry
            if outcome.status == "fail":
                return
        if outcome.status == "fail":
            severity = active.severity
            if outcome.severity and not active.severity_configured:
                severity = outcome.severity
            findings.append(_finding(item, severity, outcome, profile))
            if card is not None:
                card[item.code] = FAIL
            return
        if card is not None and card.get(item.code) != FAIL:
            card[item.code] = UNKNOWN
        meta = checklist.active(profile).get(UNRESOLVED)
        if meta is not None:
            findings.append(_unresolved_finding(meta, item, outcome, profile))

    for i, ep in enumerate(endpoints):
        if not ep.deployable:
            continue
        profile = profiles[i]
        ctx = Context(endpoints, analysis, profile)
        shadow = checklist.shadow_by_profile[profile]
        for code, active in [*checklist.active(profile).items(), *shadow.items()]:
            item = active.item
            card = {} if code in shadow else scorecard[i]
            if item.check and REGISTRY[item.check].scope != "endpoint":
                continue  # project-wide checks run below; engine checks are built in
            if not conditions.when_matches(item.when, ep):
                card[code] = NOT_APPLICABLE
                continue
            if item.check:
                check = REGISTRY[item.check]()
                if not check.applies(ep):
                    card[code] = NOT_APPLICABLE
                    continue
                ctx.code, ctx.slug = item.code, item.slug
                outcomes = check.check(ep, active.params, ctx)
            else:
                outcomes = _declarative(item, active.params, ep)
            card[code] = PASS
            for outcome in outcomes:
                emit(active, outcome, profile, card)

    # Project-wide checks run once; each outcome is kept when its endpoint's
    # profile (or, for file-level outcomes, the file's profile) has the item on.
    project_checks: dict[str, ActiveItem] = {}
    for profile in PROFILES:
        in_force = {**checklist.shadow_by_profile[profile], **checklist.active(profile)}
        for code, active in in_force.items():
            if active.item.check and REGISTRY[active.item.check].scope == "project":
                project_checks.setdefault(code, active)
    for code, first_active in project_checks.items():
        check = REGISTRY[first_active.item.check]()
        ctx = Context(endpoints, analysis, "", code, first_active.item.slug)
        for outcome in check.check_project(endpoints, first_active.params, ctx):
            ep = outcome.endpoint
            if ep is not None:
                idx = index_of[id(ep)]
                profile = profiles[idx]
                card = scorecard[idx]
            else:
                profile = profile_for(outcome.path, None, config, options, pragmas)
                card = None
            active = checklist.active(profile).get(code)
            active = active or checklist.shadow_by_profile[profile].get(code)
            if active is not None:
                emit(active, outcome, profile, card)
        for i, ep in enumerate(endpoints):
            if ep.deployable and code in checklist.active(profiles[i]):
                scorecard[i].setdefault(code, PASS)
    return Evaluation(findings, scorecard, profiles, checklist)


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
            message = _render(item.message, ep, attr, shown, op, operand, bound.raw_params)
            path, span = where(ep, shown)
            outcomes.append(Outcome("fail", message, path, span, attr, ep))
            break
    return outcomes


class _Template(dict):
    def __missing__(self, key):
        return "{" + key + "}"


def show(value) -> str:
    """A model value as a reader expects to see it in a message."""
    if isinstance(value, Value):
        if not value.known:
            return value.text
        shown = show(value.value)
        if value.via and value.via != value.text:
            return f"{value.via} = {shown}"
        if value.via:
            return f"{value.via} (= {shown})"
        return shown
    if isinstance(value, EnumRef):
        return str(value)
    if isinstance(value, Opaque):
        return f"{value.callee}(...)"
    if isinstance(value, (list, tuple)):
        inner = ", ".join(show(v) for v in value)
        return f"[{inner}]" if isinstance(value, list) else f"({inner})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {show(v)}" for k, v in value.items()) + "}"
    return repr(value) if isinstance(value, str) else str(value)


def _render(template: str, ep, attr, value, op, operand, params) -> str:
    if not template:
        template = "{endpoint}: `{attribute}` is {value}, expected {operator} {expected}"
    shown = "not set" if value is None or value.defaulted else show(value)
    if value is not None and value.defaulted:
        shown = f"{show(value)} (the SDK default)"
    fields = _Template(
        endpoint=f"`{ep.display_name}`",
        attribute=attr,
        value=shown,
        operator=op,
        expected=show(operand) if not isinstance(operand, str) else operand,
        kind=ep.kind,
        **{k: v for k, v in params.items()},
    )
    try:
        return template.format_map(fields)
    except (ValueError, IndexError, AttributeError):
        return template
