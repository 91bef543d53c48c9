"""Inline suppressions: `# flash-guard: ignore[FG101,lb-cold-start] until=2026-12-31 reason`.

A suppression applies to findings on its own line, and to every finding of an
endpoint when it sits on any line of that endpoint's declaration or on the line
just above it. Problems with suppressions themselves are FG003, and so are comments that
look meant for flash-guard but do nothing: `# flash-guard: ignore` without codes,
`# noqa: FG101`, a misspelled `# flash-gaurd:`, a profile pragma naming no profile.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from flash_guard.checklist.profiles import NEXT_COMMENT, pragma_name, read_pragmas
from flash_guard.findings import Finding
from flash_guard.model import Span

SUPPRESSION = re.compile(
    r"#\s*flash-guard:\s*ignore\[(?P<codes>[^\]]*)\](?P<rest>.*)$", re.IGNORECASE
)
UNTIL = re.compile(r"^\s*until=(\S+)")
# Anything addressed to us (or nearly: `flash-gaurd`, `flashguard`, `flash_guard`).
# Only where a comment (or a second comment on the line) starts: text that quotes a
# directive (`# noqa: FG302` in backticks, in prose) is not one.
DIRECTIVE = re.compile(r"(?:^|(?<=\s))#\s*(?P<tool>[A-Za-z][\w-]{4,14})\s*:\s*(?P<body>.*)$")
NOQA_FG = re.compile(r"(?:^|(?<=\s))#\s*noqa\s*:\s*(?P<codes>[^#]*\bFG\d{3}\b[^#]*)", re.IGNORECASE)


@dataclass
class Suppression:
    path: str
    line: int
    column: int
    codes: list[str]  # as written
    until: dt.date | None = None
    until_text: str | None = None
    reason: str = ""
    used: set[str] = field(default_factory=set)


def parse_suppressions(path: str, comments: list[tuple[int, int, str]]) -> list[Suppression]:
    out = []
    for line, column, text in comments:
        match = SUPPRESSION.search(text)
        if not match:
            continue
        codes = [c.strip() for c in match.group("codes").split(",") if c.strip()]
        rest = match.group("rest")
        until = until_text = None
        until_match = UNTIL.match(rest)
        if until_match:
            until_text = until_match.group(1)
            rest = rest[until_match.end() :]
            try:
                until = dt.date.fromisoformat(until_text)
            except ValueError:
                until = None
        reason = NEXT_COMMENT.split(rest, maxsplit=1)[0].strip()
        out.append(Suppression(path, line, column, codes, until, until_text, reason))
    return out


@dataclass
class PragmaProblem:
    """A comment meant for flash-guard that does nothing: FG003 with its own fix."""

    path: str
    line: int
    column: int
    message: str
    fix: str


def pragma_problems(
    path: str, comments: list[tuple[int, int, str]], profiles: tuple[str, ...]
) -> list[PragmaProblem]:
    out = []
    # Profile pragmas are read by checklist/profiles.py, the reading evaluation uses too.
    for pragma in read_pragmas(comments, profiles):
        if pragma.problem is not None:
            out.append(PragmaProblem(path, pragma.line, pragma.column, pragma.problem, pragma.fix))
    for line, column, text in comments:
        problem = _pragma_problem(text, profiles)
        if problem is not None:
            out.append(PragmaProblem(path, line, column, *problem))
    out.sort(key=lambda p: (p.line, p.column))
    return out


def _pragma_problem(text: str, profiles: tuple[str, ...]) -> tuple[str, str] | None:
    noqa = NOQA_FG.search(text)
    if noqa:
        # Only our codes move to the suggestion; the others (E501) stay ruff's.
        codes = ",".join(c.upper() for c in re.findall(r"\bFG\d{3}\b", noqa.group("codes"), re.I))
        return (
            f"`# noqa: {codes}` does not suppress flash-guard findings",
            f"Write `# flash-guard: ignore[{codes}] reason` instead.",
        )
    match = DIRECTIVE.search(text)
    if match is None:
        return None
    tool = match.group("tool")
    body = NEXT_COMMENT.split(match.group("body"), maxsplit=1)[0].strip()
    if tool.lower() != "flash-guard":
        import difflib

        if difflib.SequenceMatcher(None, tool.lower(), "flash-guard").ratio() < 0.8:
            return None  # another tool's directive (`type: ignore`, `pylint: disable`)
        return (
            f"`{tool}:` is not a flash-guard directive (misspelled?)",
            f"Write `# flash-guard: {body}`.",
        )
    if SUPPRESSION.search(text):
        return None  # a suppression: checked by apply_suppressions
    if re.match(r"ignore\b", body, re.IGNORECASE):
        return (
            "suppression `# flash-guard: ignore` names no rule; it suppresses nothing",
            "Name the rules: `# flash-guard: ignore[FG101] reason` (see `flash-guard rules`).",
        )
    if re.match(r"migrate:", body):
        return None  # a note `flash-guard migrate` left for a human: no directive, no problem
    if pragma_name(text) is not None:
        return None  # a profile pragma: judged by read_pragmas
    return (
        f"unknown flash-guard directive `{body}`",
        "Use `# flash-guard: ignore[CODE] reason` or `# flash-guard: profile=NAME`.",
    )


@dataclass
class SuppressionResult:
    kept: list[Finding]
    suppressed: int
    problems: list[tuple[Suppression, str]]  # FG003 messages


def apply_suppressions(
    findings: list[Finding],
    suppressions: list[Suppression],
    declaration_ranges: dict[str, list[tuple[str, int, int]]],
    slug_to_code: dict[str, str],
    enabled_codes_for: callable,
    require_reason: bool,
    today: dt.date | None = None,
) -> SuppressionResult:
    """`declaration_ranges` maps id(finding) to its endpoint's declaration ranges;
    `enabled_codes_for(path)` lists the codes on for that file."""
    today = today or dt.date.today()
    problems: list[tuple[Suppression, str]] = []
    valid: list[tuple[Suppression, set[str]]] = []
    for sup in suppressions:
        codes, ok = set(), True
        if not sup.codes:  # `ignore[]`, `ignore[ , ]`
            problems.append((sup, "names no rule between the brackets; it suppresses nothing"))
            continue
        for name in sup.codes:
            code = name.upper() if name.upper() in slug_to_code.values() else slug_to_code.get(name)
            if code is None:
                problems.append((sup, f"`{name}` is not a known rule code or slug"))
                continue
            codes.add(code)
        if sup.until_text is not None and sup.until is None:
            problems.append((sup, f"`until={sup.until_text}` is not a date like 2026-12-31"))
            ok = False
        elif sup.until is not None and sup.until < today:
            problems.append(
                (sup, f"expired on {sup.until.isoformat()}; fix the finding or extend it")
            )
            ok = False
        if require_reason and not sup.reason:
            problems.append((sup, "needs a reason after the codes (require_suppression_reason)"))
            ok = False
        if ok and codes:
            valid.append((sup, codes))
    by_path: dict[str, list[tuple[Suppression, set[str]]]] = {}
    for sup, codes in valid:
        by_path.setdefault(sup.path, []).append((sup, codes))
    kept: list[Finding] = []
    suppressed = 0
    for finding in findings:
        matched = None
        ranges = declaration_ranges.get(id(finding), [])
        # An FG002 at a constant's expression may sit in another file than its declarations.
        paths = dict.fromkeys([finding.path, *(path for path, _, _ in ranges)])
        for sup, codes in (pair for path in paths for pair in by_path.get(path, [])):
            if finding.code not in codes:
                continue
            if _covers(sup, finding, ranges):
                matched = sup
                break
        if matched is None:
            kept.append(finding)
        else:
            matched.used.add(finding.code)
            suppressed += 1
    for sup, codes in valid:
        enabled = enabled_codes_for(sup.path)
        unused = sorted(c for c in codes if c not in sup.used and c in enabled)
        if unused:
            problems.append((sup, f"suppresses nothing: no {', '.join(unused)} finding here"))
    return SuppressionResult(kept, suppressed, problems)


def _covers(sup: Suppression, finding: Finding, ranges: list[tuple[str, int, int]]) -> bool:
    if sup.line == finding.span.line and sup.path == finding.path:
        return True
    return any(path == sup.path and first - 1 <= sup.line <= last for path, first, last in ranges)


def _ranges_of(finding: Finding, by_name: dict[tuple[str, str], list]) -> list:
    """The declaration ranges of the finding's endpoints: in its own file, and for an FG002
    that names several endpoints (one expression through a constant) each one's, wherever
    it is declared."""
    if finding.code != "FG002" or not finding.endpoint:
        return by_name.get((finding.path, finding.endpoint or ""), [])
    names = set(finding.endpoint.split(", "))
    out = []
    for (_, name), ranges in by_name.items():
        if name in names:
            out.extend(ranges)
    return out


def problem_span(sup: Suppression) -> Span:
    return Span(sup.line, sup.column, sup.line, sup.column + 1)


SUPPRESSION_CODE = "FG003"


def suppress(findings: list[Finding], analysis, evaluation, config) -> tuple[list[Finding], int]:
    """Apply every suppression comment of the project; add FG003 for the broken ones.

    Which codes are enabled for a file (FG003 reports unused suppressions only for those) is
    decided by the same ProfileMap that chose the profiles for evaluation.
    """
    suppressions = []
    broken: list[PragmaProblem] = []
    profiles = config.all_profiles()
    for path, facts in analysis.modules.files.items():
        suppressions.extend(parse_suppressions(path, facts.comments))
        broken.extend(pragma_problems(path, facts.comments, profiles))
    if not suppressions and not broken:
        return findings, 0
    by_name: dict[tuple[str, str], list] = {}
    for ep in analysis.endpoints:
        by_name.setdefault((ep.path, ep.display_name), []).extend(ep.declaration_ranges)
        for route in ep.routes:
            by_name.setdefault((route.file, ep.display_name), []).extend(ep.declaration_ranges)
    ranges = {id(f): _ranges_of(f, by_name) for f in findings}
    checklist = evaluation.checklist
    profile_of = evaluation.profile_map.for_file

    def enabled_codes(path: str) -> set[str]:
        return set(checklist.active(profile_of(path)))

    result = apply_suppressions(
        findings,
        suppressions,
        ranges,
        {**checklist.slugs, **{code: code for code in checklist.items}},
        enabled_codes,
        config.require_suppression_reason,
    )
    kept = result.kept
    problems = [
        (sup.path, problem_span(sup), f"suppression {message}", None, ",".join(sup.codes))
        for sup, message in result.problems
    ]
    problems += [
        (p.path, Span(p.line, p.column, p.line, p.column + 1), p.message, p.fix, p.message)
        for p in broken
    ]
    for path, span, message, fix, parameter in problems:
        profile = profile_of(path)
        active = checklist.active(profile).get(SUPPRESSION_CODE)
        if active is None:
            continue
        kept.append(
            Finding(
                code=SUPPRESSION_CODE,
                slug=active.item.slug,
                severity=active.severity,
                message=message,
                fix=fix or active.item.fix,
                path=path,
                span=span,
                profile=profile,
                parameter=parameter,
                title=active.item.title,
            )
        )
    return kept, result.suppressed
