"""Evaluate the checklist over the discovered endpoints and produce findings.

Each deployable endpoint gets one profile (checklist.profiles). Every enabled item of that
profile is evaluated: declarative `require` conditions here, `check:` items by their Python
check. An undecidable item yields FG002, never a pass or a failure: the "unknown" outcomes of
every rule are gathered by the expression they could not see, and each expression gets one
FG002 naming every rule it blocks and every endpoint that uses it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from itertools import chain
from sys import intern

from flash_guard.checklist import conditions
from flash_guard.checklist.active import UNRESOLVED, ActiveItem, Checklist, Options
from flash_guard.checklist.items import Item
from flash_guard.checklist.profiles import ProfileMap, file_pragmas
from flash_guard.checks import deploy_support as runpod2
from flash_guard.checks.base import Context, Outcome, decide_candidates, where
from flash_guard.checks.placement import build_never_copies, in_a_test, runtime_provisioned
from flash_guard.checks.sites import forget_indexes
from flash_guard.config.loader import Config
from flash_guard.discover.analysis import Analysis
from flash_guard.discover.parse import forget_conversions, forget_kept_conversions
from flash_guard.discover.resolve import SUBCLASS_INIT
from flash_guard.findings import FAIL, NOT_APPLICABLE, PASS, UNKNOWN, Finding
from flash_guard.messages import render_template
from flash_guard.model import Endpoint, Value
from flash_guard.project.apps import app_map
from flash_guard.rules import REGISTRY


@dataclass
class Evaluation:
    findings: list[Finding]
    scorecard: list[dict[str, str]]
    profiles: dict[int, str]  # endpoint index -> profile
    checklist: Checklist
    profile_map: ProfileMap
    # A run over several workspaces (a monorepo's apps, each with its configuration): each
    # one's path prefix and evaluation, longest prefix first (pipeline._merge).
    parts: list[tuple[str, Evaluation]] = dataclasses.field(default_factory=list)

    def for_path(self, path: str) -> Evaluation:
        """The evaluation of the workspace `path` (relative to the run's root) belongs to."""
        for prefix, part in self.parts:
            if path.startswith(prefix):
                return part
        return self


FORGET_EVERY = 32
_flatten = chain.from_iterable  # a scorecard row's pairs as one flat key, in C


def evaluate(
    analysis: Analysis, config: Config, options: Options, only: set[int] | None = None
) -> Evaluation:
    """`only`: the indices of the endpoints whose items to evaluate (file mode without a
    scorecard in the output: project/selection.endpoints_to_evaluate); None for all."""
    checklist = Checklist(config, options)
    pragmas = file_pragmas(
        ((path, f.comments) for path, f in analysis.modules.files.items()), config.all_profiles()
    )
    profile_map = ProfileMap(config, options.profile, pragmas)
    run = _Run(analysis, checklist, profile_map)
    for index, endpoint in enumerate(analysis.endpoints):
        if endpoint.deployable and (only is None or index in only):
            run.endpoint_items(index, endpoint)
        if index % FORGET_EVERY == FORGET_EVERY - 1:
            forget_conversions()
            analysis.modules.forget_weights()
    # What the endpoint checks converted again (FG301's calls, FG305's imports) is mostly one
    # endpoint's own: kept for a few, not megabytes of them beside the findings and scorecard.
    forget_conversions()
    run.project_checks()
    run.rows_done()
    forget_indexes()  # the checks that ask where declarations sit are done
    forget_kept_conversions()  # and the declarations' calls they read
    # An expression a deploy-breaker (FG2xx) reports at its own span is one the SDK rejects:
    # no value of it deploys, so what it leaves undecided elsewhere is moot (no FG002).
    rejected = {(f.path, f.span) for f in run.findings if f.code.startswith("FG2")}
    # A misspelt SDK attribute fails at import: FG213 marks `rf.DataCentre` in the value
    # `rf.DataCentre.EU_RO_1`, which starts at the same place.
    rejected |= {(f.path, f.span.line, f.span.column) for f in run.findings if f.code == "FG213"}
    run.findings += run.unresolved.findings(rejected, analysis)
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
        # Equal scorecard rows are one dict: a big tree's thousands of endpoints have a few
        # hundred distinct rows (2 MiB at the peak otherwise). A row is never changed in
        # place once shared: `_shared` interns a finished row, `_mark` moves an endpoint to
        # the row with one more status (each such step made once per distinct row).
        self._rows: dict[tuple[str, ...], dict[str, str]] = {}
        self._steps: dict[tuple[int, str, str], dict[str, str]] = {}
        empty = self._shared({})
        self.scorecard: list[dict[str, str]] = [empty] * len(endpoints)
        self.index_of = {id(ep): i for i, ep in enumerate(endpoints)}
        self.unresolved = _Unresolved()
        self._in_a_test: dict[int, bool] = {}

    def context(self, profile: str, code: str = "", slug: str = "") -> Context:
        return Context(self.analysis.endpoints, self.analysis, profile, code, slug)

    def _shared(self, row: dict[str, str]) -> dict[str, str]:
        """The interned row equal to `row` (same statuses in the same order)."""
        key = tuple(_flatten(row.items()))  # (code, status, code, status, ...)
        return self._rows.setdefault(key, row)

    def _mark(self, index: int, code: str, status: str) -> None:
        """Endpoint `index`'s row with `code` set to `status`, as `row[code] = status` would."""
        row = self.scorecard[index]
        if code in row and row[code] == status:
            return
        step = (id(row), code, status)  # interned rows live as long as this run: ids hold
        after = self._steps.get(step)
        if after is None:
            after = dict(row)
            after[code] = status
            after = self._steps[step] = self._shared(after)
        self.scorecard[index] = after

    def _compact(self) -> None:
        """Forget the rows no endpoint has any more (steps passed through them)."""
        live = {id(row) for row in self.scorecard}
        self._rows = {key: row for key, row in self._rows.items() if id(row) in live}
        self._steps = {}  # their keys hold ids of the rows just forgotten

    def rows_done(self) -> None:
        """The scorecard is complete: its interning tables go (the rows stay)."""
        self._rows, self._steps = {}, {}

    def endpoint_items(self, index: int, ep: Endpoint) -> None:
        own = dict(self.scorecard[index])  # this endpoint's row, shared once complete
        self._endpoint_items(index, ep, own)
        self.scorecard[index] = self._shared(own)

    def _endpoint_items(self, index: int, ep: Endpoint, row: dict[str, str]) -> None:
        profile = self.profiles[index]
        shadow = self.checklist.shadow_by_profile[profile]
        # a tests/ or docs/ fixture, or a declaration a test builds: FG301 alone speaks
        fixture = build_never_copies(ep) or self.in_a_test(ep)
        for code, active in [*self.checklist.active(profile).items(), *shadow.items()]:
            item = active.item
            card = {} if code in shadow else row
            if item.check and REGISTRY[item.check].scope != "endpoint":
                continue  # project-wide checks run once, below; engine checks are built in
            if not conditions.when_matches(item.when, ep):
                card[code] = NOT_APPLICABLE
                continue
            if runpod2.skips_task(ep, item.require or ()):
                card[code] = NOT_APPLICABLE
                continue
            if fixture and item.check != "not-deployed":
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
            for outcome in _decided_first(outcomes):
                self.emit(active, outcome, profile, card)

    def project_checks(self) -> None:
        """Project-wide checks run once; each outcome is kept when its endpoint's profile (or,
        for file-level outcomes, the file's profile) has the item on."""
        first_in_force: dict[str, ActiveItem] = {}
        for profile in self.checklist.by_profile:
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
            failing_apps: set[str] = set()
            for outcome in _decided_first(found):
                self.project_outcome(code, outcome)
                if outcome.status == "fail" and outcome.endpoint is None:
                    failing_apps.add(self.app_of(outcome.path))
            for i, ep in enumerate(endpoints):
                if ep.deployable and code in self.checklist.active(self.profiles[i]):
                    # An app-wide finding (FG111's unpinned SDK, FG308's sunset SDK) is a
                    # failure of every endpoint of that app, not a pass on its scorecard row.
                    if ep.app in failing_apps and not self.in_a_test(ep):
                        self._mark(i, code, FAIL)
                    else:  # setdefault: a status already there stays
                        self._mark(i, code, self.scorecard[i].get(code, PASS))
            self._compact()

    def app_of(self, path: str) -> str:
        return app_map(self.analysis).app_of(path)

    def in_a_test(self, ep: Endpoint) -> bool:
        """A declaration a pytest test builds (placement.in_a_test), asked once per endpoint."""
        key = id(ep)
        if key not in self._in_a_test:
            self._in_a_test[key] = in_a_test(ep, self.analysis.modules.files)
        return self._in_a_test[key]

    def project_outcome(self, code: str, outcome: Outcome) -> None:
        ep = outcome.endpoint
        if ep is not None and self.in_a_test(ep):
            return  # test code: nothing deploys it, FG301 alone speaks (endpoint_items)
        if ep is not None:
            index = self.index_of[id(ep)]
            profile, card = self.profiles[index], _RowOf(self, index)
        else:
            profile, card = self.profile_map.for_file(outcome.path), None
            profile = self._app_profile_with(code, outcome.path, profile)
        active = self.checklist.active(profile).get(code)
        active = active or self.checklist.shadow_by_profile[profile].get(code)
        if active is not None:
            self.emit(active, outcome, profile, card)

    def _app_profile_with(self, code: str, path: str, profile: str) -> str:
        """The profile an app-wide outcome (FG111's unpinned SDK) is judged in: its file's,
        unless that profile leaves `code` off while an endpoint of the same app is checked
        in a profile that has it (a `profile=development` pragma in the file that happens to
        import the SDK first does not exempt the app's production endpoints)."""
        if code in self.checklist.active(profile):
            return profile
        app = self.app_of(path)
        for index, ep in enumerate(self.analysis.endpoints):
            other = self.profiles[index]
            if code in self.checklist.active(other) and self.app_of(ep.path) == app:
                return other
        return profile

    def runtime_provisioned(self, ep: Endpoint | None) -> bool:
        """A declaration a script builds and runs itself: FG301 says so once, no FG002."""
        return runtime_provisioned(ep, self.analysis) is not None

    def emit(
        self, active: ActiveItem, outcome: Outcome, profile: str, card: dict | _RowOf | None
    ) -> None:
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
        if meta is not None and not self.runtime_provisioned(outcome.endpoint):
            self.unresolved.add(meta, item, outcome, profile)


class _RowOf:
    """Endpoint `index`'s scorecard row as `emit` writes it: a shared row is never changed
    in place, a write moves the endpoint to the row with that status (`_Run._mark`)."""

    __slots__ = ("index", "run")

    def __init__(self, run: _Run, index: int):
        self.run, self.index = run, index

    def get(self, code: str) -> str | None:
        return self.run.scorecard[self.index].get(code)

    def __setitem__(self, code: str, status: str) -> None:
        self.run._mark(self.index, code, status)


def _finding(item: Item, severity: str, outcome: Outcome, profile: str) -> Finding:
    ep = outcome.endpoint
    # A rule builds its fix hint and parameter name per outcome: thousands of copies of a
    # few texts on a big tree, one shared copy each (sys.intern).
    fix = outcome.fix if outcome.fix is not None else fix_for(item, ep)
    parameter = outcome.parameter
    return Finding(
        code=item.code,
        slug=item.slug,
        severity=severity,
        message=outcome.message,
        fix=intern(fix) if type(fix) is str else fix,
        path=outcome.path,
        span=outcome.span,
        endpoint=ep.display_name if ep else None,
        depends_on=ep.depends_on if ep else frozenset(),
        profile=profile,
        parameter=intern(parameter) if type(parameter) is str else parameter,
        title=item.title,
    )


def fix_for(item: Item, ep: Endpoint | None) -> str:
    """The item's fix hint in the terms of the endpoint's SDK."""
    if ep is not None and ep.sdk == "runpod2" and item.fix_runpod2:
        return item.fix_runpod2
    if ep is not None and ep.api == "legacy" and item.fix_legacy:
        return item.fix_legacy
    return item.fix


def _decided_first(outcomes: list[Outcome]) -> list[Outcome]:
    """A rule that already fires for an endpoint fires whatever an unresolved value turns out
    to be: no FG002 for it there (rules.md: none for rules whose condition no value of the
    expression could change)."""
    failing = {id(o.endpoint) for o in outcomes if o.status == "fail" and o.endpoint is not None}
    return [o for o in outcomes if o.status == "fail" or id(o.endpoint) not in failing]


@dataclass
class _Expression:
    """One unresolved expression and everything it blocks."""

    meta: ActiveItem
    first: Outcome
    profile: str
    rules: dict[str, str] = dataclasses.field(default_factory=dict)  # code -> slug
    endpoints: list[str] = dataclasses.field(default_factory=list)
    spread: bool = False  # a `**spread`: each rule asked about a different keyword
    # The whole declaration: a decorator or resource config flash-guard cannot follow
    # (`@make_endpoint()`, `@remote(resource_config=load_config())`); "endpoint" or "legacy".
    whole: str | None = None
    depends_on: set[str] = dataclasses.field(default_factory=set)  # the endpoints' files
    uses: set[tuple] = dataclasses.field(default_factory=set)  # (path, span) of each use


class _Unresolved:
    """The "unknown" outcomes grouped by the expression (file and span) they point at."""

    def __init__(self):
        self.by_expression: dict[tuple, _Expression] = {}

    def add(self, meta: ActiveItem, blocked: Item, outcome: Outcome, profile: str) -> None:
        # The text too: a `**SCALE` spread of known keys places several expressions
        # (`WORKERS`, `IDLE`) at the one spread, and each is its own FG002.
        # An expression that reaches declarations through a module-level constant is one
        # expression wherever it is used: one FG002 naming every endpoint (rules.md). Used
        # once, it is at that use (naming the constant); used by several, at the expression.
        outcome = _as_declared_spread(outcome)
        use = (outcome.path, outcome.span)
        where_ = use
        if outcome.origin is not None and not outcome.message.startswith("the `**`"):
            where_ = (outcome.origin[0] or outcome.path, outcome.origin[1])
        key = (*where_, (outcome.unknown_text or "").lstrip("*"))
        entry = self.by_expression.get(key)
        if entry is None:
            entry = self.by_expression[key] = _Expression(meta, outcome, profile)
        entry.uses.add(use)
        if len(entry.uses) > 1 and (entry.first.path, entry.first.span) != where_:
            entry.first = dataclasses.replace(entry.first, path=where_[0], span=where_[1])
        entry.rules.setdefault(blocked.code, blocked.slug)
        entry.spread = entry.spread or "spread" in outcome.message
        entry.whole = entry.whole or _whole_declaration(outcome)
        ep = outcome.endpoint
        if ep is not None and ep.display_name not in entry.endpoints:
            entry.endpoints.append(ep.display_name)
        if ep is not None:
            entry.depends_on |= ep.depends_on
        if meta.severity == "error":  # --strict in any profile that uses it wins
            entry.meta = meta

    def findings(self, rejected: set[tuple] = frozenset(), analysis=None) -> list[Finding]:
        return [
            _unresolved_finding(entry, analysis)
            for entry in self.by_expression.values()
            if (path := entry.first.path, span := entry.first.span) not in rejected
            and (path, span.line, span.column) not in rejected
        ]


def _as_declared_spread(outcome: Outcome) -> Outcome:
    """An outcome at one of its endpoint's unresolved `**spread`s, told with that spread's
    text. The dependency checks (FG302, FG303) evaluate the spread as written (`**COMMON`)
    while the model keeps what it resolved to (`CFG["common"]`): one expression, so one FG002
    (rules.md), whichever rule asked first."""
    ep = outcome.endpoint
    if ep is None or not ep.spreads:
        return outcome
    for spread in ep.spreads:
        if (spread.path or ep.path, spread.span) == (outcome.path, outcome.span):
            if spread.text and spread.text != outcome.unknown_text:
                return dataclasses.replace(outcome, unknown_text=spread.text)
            return outcome
    return outcome


def _undefined(analysis, path: str | None, span, text: str) -> str | None:
    """The name `text` starts with when its module never binds it (checks/undefined.py)."""
    if analysis is None or path is None or not text:
        return None
    from flash_guard.checks.placement import parsed_roots, source_text
    from flash_guard.checks.undefined import undefined_name

    roots = parsed_roots(analysis)  # the parses FG301's placement checks made too
    root = roots.get(path)
    source = root.text() if root is not None else source_text(analysis, path)
    return undefined_name(source, path, span, text, roots)


def _whole_declaration(outcome: Outcome) -> str | None:
    """The endpoint's api when the outcome's unknown is the declaration itself: discovery keeps
    a declaration it cannot follow as one whose only content is an unknown spread at its own
    span (discover/frontend_flash.py `_unresolved`, `_unresolved_config`)."""
    ep = outcome.endpoint
    if ep is None or (outcome.path, outcome.span) != (ep.path, ep.span):
        return None
    whole = any(not s.known and (s.path, s.span) == (ep.path, ep.span) for s in ep.spreads)
    return ep.api if whole else None


# The most blocked rules an FG002 message names with their slugs (more: codes only).
_SLUGGED = 3


def _unresolved_finding(entry: _Expression, analysis=None) -> Finding:
    outcome, meta = entry.first, entry.meta
    names = ", ".join(f"`{name}`" for name in entry.endpoints)
    # A few rules are named with their slugs; a longer list by code only, which keeps the
    # message one readable line.
    blocked = sorted(entry.rules.items())
    rules = ", ".join(
        code if len(blocked) > _SLUGGED else f"{code} {slug}" for code, slug in blocked
    )
    text = (outcome.unknown_text or "").lstrip("*")
    what = f"{outcome.message}, which is not statically known"
    undefined = (
        _undefined(analysis, outcome.path, outcome.span, text)
        if not (entry.whole or entry.spread)
        else None
    )
    if undefined is not None:
        what = (
            f"{outcome.message}, but `{undefined}` is not defined in this module (nothing "
            "imports, assigns or otherwise binds it): a NameError when the module is imported"
        )
    elif entry.whole == "endpoint":
        what = (
            f"the decorator `{text or '?'}` cannot be resolved to an `Endpoint(...)`, so none "
            "of its settings are known"
        )
    elif entry.whole:
        what = (
            f"the resource config `{text or '?'}` cannot be resolved to a resource class call, "
            "so none of its settings are known"
        )
    elif entry.spread and text and text.endswith(SUBCLASS_INIT):
        # a project subclass of Endpoint (resolve.py `_endpoint_subclass`)
        what = (
            f"what `{text[: -len('(...)')]}` passes on to `Endpoint` is not statically known "
            "and may set any keyword"
        )
    elif entry.spread:
        what = f"the `**{text or '?'}` spread is not statically known and may set any keyword"
    return Finding(
        code=meta.item.code,
        slug=meta.item.slug,
        severity=meta.severity,
        message=f"{names + ': ' if names else ''}{what}; it blocks {rules}",
        fix=meta.item.fix,
        path=outcome.path,
        span=outcome.span,
        endpoint=", ".join(entry.endpoints) or None,
        depends_on=frozenset(entry.depends_on),
        profile=entry.profile,
        # The expression, not the rules it blocks: stable for the baseline when a rule is
        # switched on or off, and when the code around it moves.
        parameter=f"expr:{_layout_free(text)}" if text else outcome.parameter,
        title=meta.item.title,
    )


# -- declarative items --------------------------------------------------------


def _declarative(item: Item, params: dict, ep: Endpoint) -> list[Outcome]:
    keys = {attr.split(".", 1)[0] for attr in item.require}
    return decide_candidates(ep, keys, lambda variant: _declarative_one(item, params, variant))


def _declarative_one(item: Item, params: dict, ep: Endpoint) -> list[Outcome]:
    # The item's parameters with the configuration's on top (no copy of the whole item).
    raw_params = {**item.raw_params, **(params or {})}
    outcomes = []
    for attr, condition in item.require.items():
        value = conditions.attribute(ep, attr)
        for op, raw_operand in condition.items():
            operand = item.operand(raw_operand, raw_params)
            verdict = conditions.apply(op, value, operand)
            if verdict == "pass":
                continue
            if verdict == "unknown":
                spread = isinstance(value, conditions.Missing)
                culprit = value.maybe if spread else value
                what = f"the `**` spread that may set `{attr}`" if spread else f"`{attr}`"
                message = f"{what} is `{culprit.text or '?'}`"
                if culprit.origin is not None and culprit.via and culprit.via != culprit.text:
                    message += f" (through `{culprit.via}`)"
                outcome = Outcome(
                    "unknown",
                    message,
                    *where(ep, culprit),
                    parameter=attr,
                    endpoint=ep,
                    unknown_text=culprit.text,
                    origin=culprit.origin,
                )
                outcomes.append(outcome)
                break
            shown = value if isinstance(value, Value) else None
            message = render_template(item.message, ep, attr, shown, op, operand, raw_params)
            fix = fix_for(item, ep)
            if "{" in fix:  # a fix may name the item's parameters: "e.g. idle_timeout={max}"
                fix = render_template(fix, ep, attr, shown, op, operand, raw_params)
            path, span = where(ep, shown)
            outcomes.append(Outcome("fail", message, path, span, attr, ep, fix))
            break
    return outcomes


def _layout_free(text: str) -> str:
    """An expression's text without what a formatter changes (whitespace, quote style), so a
    baseline entry survives `ruff format`."""
    return "".join(text.split()).replace("'", '"')
