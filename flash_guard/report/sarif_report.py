"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

Choices that matter to consumers:
- `tool.driver.rules` is the whole catalog that ran, not only the rules that
  fired, so a viewer can show help for any rule and notice when one is fixed.
- URIs are relative to the project root under the `%SRCROOT%` base id.
- `partialFingerprints["flashGuard/v1"]` is our semantic identity (code,
  endpoint, parameter, file), so a finding keeps its alert when code moves.
- Columns count Unicode code points (what our spans count), said by `columnKind`.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import quote

from flash_guard import __version__
from flash_guard.findings import DOCS_BASE_URL, Finding, RuleInfo
from flash_guard.report.json_encode import Streamed, indented_pieces

SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
# The rule docs live in the project's repository; its home page is their prefix.
INFORMATION_URI = DOCS_BASE_URL.split("/blob/", 1)[0]
FINGERPRINT_KEY = "flashGuard/v1"
SRCROOT = "%SRCROOT%"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def render(result, **_) -> str:
    return "".join(chunks(result))


def chunks(result, **_):
    """The document written result by result (report.write): each result is made and
    encoded only when the text reaches it."""
    # indented_pieces cleans as json_safe does: no NaN/Infinity, no lone surrogates (which
    # UTF-8 cannot encode).
    yield from indented_pieces(_document(result, streamed=True))
    yield "\n"


def document(result) -> dict:
    return _document(result, streamed=False)


def _document(result, streamed: bool) -> dict:
    rules = list(result.rules)
    index = {rule.code: i for i, rule in enumerate(rules)}
    for finding in [*result.findings, *result.unchanged]:
        # Every result must point at a rule; a code outside the catalog that ran
        # (should not happen) still gets a minimal descriptor rather than a broken index.
        if finding.code not in index:
            index[finding.code] = len(rules)
            rules.append(
                RuleInfo(finding.code, finding.slug, finding.title or finding.slug, "warning")
            )
    results = _results(result, index)  # a generator: nothing is made until it is read
    run = {
        "tool": {
            "driver": {
                "name": "flash-guard",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule) for rule in rules],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(result.root)}},
        "columnKind": "unicodeCodePoints",
        "invocations": [{"executionSuccessful": True}],
        # --diff-base: the findings also in the base are not reported, but code scanning
        # must still see them (as `unchanged`), or it would close their alerts as fixed.
        "results": Streamed(lambda: results) if streamed else list(results),
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _rule(rule: RuleInfo) -> dict:
    builtin = rule.builtin
    out = {
        "id": rule.code,
        "name": pascal_case(rule.slug),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.summary or rule.title},
        "help": {"text": _help_text(rule), "markdown": _help_markdown(rule, builtin)},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": list(rule.tags), "slug": rule.slug},
    }
    if builtin:
        # User items have no page in our docs; a link to a missing page is worse than none.
        out["helpUri"] = rule.help_uri
    return out


def _results(result, index: dict[str, int]):
    for finding in sorted([*result.findings, *result.unchanged], key=Finding.sort_key):
        yield _result(finding, index[finding.code])


def _result(finding, rule_index: int) -> dict:
    span = finding.span
    text = finding.message
    if finding.fix:
        text = f"{text}\nFix: {finding.fix}"
    properties = {"slug": finding.slug, "profile": finding.profile}
    if finding.endpoint:
        properties["endpoint"] = finding.endpoint
    return {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": text},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": relative_uri(finding.path), "uriBaseId": SRCROOT},
                    "region": {
                        "startLine": span.line,
                        "startColumn": span.column,
                        "endLine": max(span.end_line, span.line),
                        "endColumn": span.end_column,
                    },
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        # --diff-base: SARIF 2.1.0 baselineState (new, updated) so code scanning shows what
        # the change introduced
        **(
            {"baselineState": finding.extra["baseline_state"]}
            if "baseline_state" in finding.extra
            else {}
        ),
        "properties": properties,
        **({"fixes": [_fix(fix) for fix in finding.fixes]} if finding.fixes else {}),
    }


def _fix(fix) -> dict:
    """A flash-guard fix (flash_guard.fix.edits.Fix) as a SARIF fix: one artifactChange."""
    replacements = [
        {
            "deletedRegion": {
                "startLine": span.line,
                "startColumn": span.column,
                "endLine": span.end_line,
                "endColumn": span.end_column,
            },
            "insertedContent": {"text": edit.content},
        }
        for edit, span, _, _ in fix.located
    ]
    location = {"uri": relative_uri(fix.path), "uriBaseId": SRCROOT}
    return {
        "description": {"text": f"{fix.message} ({fix.applicability} fix)"},
        "artifactChanges": [{"artifactLocation": location, "replacements": replacements}],
    }


@lru_cache(maxsize=4096)  # a file's findings share its path
def relative_uri(path: str) -> str:
    """A project-relative '/'-separated path as a URI reference (`a b.py` -> `a%20b.py`)."""
    return quote(path, safe="/")


def pascal_case(slug: str) -> str:
    """`gpu-not-pinned` -> `GpuNotPinned`: SARIF rule names are identifiers."""
    return "".join(part[:1].upper() + part[1:] for part in slug.replace("_", "-").split("-"))


def _help_text(rule: RuleInfo) -> str:
    parts = [rule.summary or rule.title]
    if rule.fix:
        parts.append(f"Fix: {rule.fix}")
    if rule.builtin:
        parts.append(f"Documentation: {rule.help_uri}")
    return "\n\n".join(parts)


def _help_markdown(rule: RuleInfo, builtin: bool) -> str:
    if builtin:
        from flash_guard.rule_docs import rule_page

        return rule_page(rule.code, for_terminal=True)
    # A user's checklist item: what its YAML says about it.
    lines = [f"# {rule.code} {rule.slug}", "", f"**{rule.title}**", ""]
    if rule.summary and rule.summary != rule.title:
        lines += [rule.summary, ""]
    if rule.fix:
        lines += ["## Fix", "", rule.fix, ""]
    lines += [
        "This item comes from the project's flash-guard configuration.",
        "",
        f"Suppress one finding with `# flash-guard: ignore[{rule.code}] reason`.",
        "",
    ]
    return "\n".join(lines)


def _root_uri(root) -> str:
    # An absolute file URI ending in "/" so that relative URIs resolve under it.
    uri = root.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"
