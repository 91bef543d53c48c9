"""The migration report: counts and every item left for a human, as text or markdown."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flash_guard.migrate.requirements import NEW_REQUIREMENT
from flash_guard.migrate.rewrite import REASONS, Outcome
from flash_guard.report.escape import escape_text, guard_lines

# runpod-sdk2.md §6.5: behaviour that changes with every migration and no rewrite expresses.
BEHAVIOUR = (
    "`.env` is no longer loaded at import: export what declarations read from os.environ",
    "secrets in `env=` literals ship as plain text: move them to runpod.Secret('name')",
    "rc2 injects the deployer's API key as RUNPOD_API_KEY into every endpoint",
    "`rp flash deploy` imports every file of the project and deletes stale endpoints of the "
    "target environment",
    "queue call contract: the job's `input` keys become the function's keyword arguments",
    "load-balanced health checks use the runtime's /ping; /ping, /execute and /_runpod/sync are "
    "reserved",
)


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    files_migrated: list[str] = field(default_factory=list)
    files_left: list[str] = field(default_factory=list)
    files_created: list[str] = field(default_factory=list)
    call_sites: list = field(default_factory=list)  # plan.CallSite
    reimports: list = field(default_factory=list)  # plan.CallSite (handle = module name)
    unparsable: list[tuple[str, str]] = field(default_factory=list)
    # uses of runpod_flash outside a declaration (an import in a function, a resource class
    # as a value): each keeps its file on runpod_flash
    flash_uses: list[tuple[str, int, str]] = field(default_factory=list)
    requirement_changes: list = field(default_factory=list)  # requirements.Change
    requirement_notes: list[str] = field(default_factory=list)  # by hand, and lock files
    deploys: list = field(default_factory=list)  # plan.DeployTarget, one per migrated app
    apps: int = 0

    def counts(self) -> dict[str, int]:
        c = Counter(o.status for o in self.outcomes)
        return {k: c.get(k, 0) for k in ("rewritten", "explicit", "left")}

    def left_by_reason(self) -> dict[str, list[Outcome]]:
        out: dict[str, list[Outcome]] = {}
        for o in self.outcomes:
            if o.status == "left":
                out.setdefault(o.reason, []).append(o)
        return dict(sorted(out.items()))


def _where(o) -> str:
    return f"{o.path}:{o.line}"


def _change(change) -> str:
    after = f"-> {change.after}" if change.after is not None else "removed"
    return f"{change.path}:{change.line} {change.before} {after}"


DEPLOY_HOW = (
    "`rp flash deploy DIR` imports every file under DIR and ships DIR alone; paths from the "
    "project root"
)


def _below(path: str, directory: str) -> bool:
    return path != directory and (directory == "." or path.startswith(directory + "/"))


def deploy_lines(target, others=()) -> list[str]:
    """How to deploy one migrated app, and why when it is not from the app directory;
    `others`: the run's other targets (apps below this one are deployed with it)."""
    if len(target.dirs) > 1:
        return [
            f"{target.app}: no one directory: rc2 imports the declaring files only from "
            f"{', '.join(target.dirs)} (packages from the folder above them): move them "
            "under one"
        ]
    where = target.dirs[0]
    line = f"{target.app}: rp flash deploy {where}"
    if where != target.root:
        line += (
            f" (not {target.root}: its packages import as top-level names from {where}, as "
            "the migrated imports say)"
        )
    lines = [line]
    nested = [o.app for o in others if o is not target and _below(o.dirs[0], where)]
    if nested:  # rc2's deploy deploys every App discovery finds under the target
        lines.append(
            f"{target.app}: rp flash deploy {where} also deploys the apps below it "
            f"({', '.join(nested)}), imported from {where}, not their own directory (their "
            "imports may not resolve: an empty app); give this app's files a folder of their own"
        )
    if target.requirements_outside:
        req = "requirements.txt" if target.root == "." else f"{target.root}/requirements.txt"
        lines.append(
            f"{target.app}: the build reads {where}/requirements.txt, not {req}: copy it "
            "there or list the packages in dependencies="
        )
    return lines


def render_text(report: Report) -> str:
    n = report.counts()
    lines = [
        "flash-guard migrate --to runpod2",
        f"  apps: {report.apps}; files migrated: {len(report.files_migrated)}, created: "
        f"{len(report.files_created)}, left on runpod_flash: {len(report.files_left)}",
        f"  declarations: {n['rewritten']} rewritten, {n['explicit']} rewritten with explicit "
        f"old defaults, {n['left']} left for a human",
    ]
    left = report.left_by_reason()
    if left:
        lines.append("left for a human, by reason:")
        for reason, items in left.items():
            lines.append(f"  {reason} ({len(items)}): {REASONS[reason]}")
            lines += [f"    {_where(o)} {o.label} ({o.form}) {o.detail}".rstrip() for o in items]
    if report.flash_uses:
        lines.append(f"files left on runpod_flash by other uses: {REASONS['flash-use']}")
        lines += [f"  {path}:{line} {detail}" for path, line, detail in report.flash_uses]
    explicit = [o for o in report.outcomes if o.status == "explicit"]
    if explicit:
        lines.append("old defaults written explicitly (--adopt-2.0-defaults drops them):")
        lines += [f"  {_where(o)} {o.label}: {', '.join(o.explicit)}" for o in explicit]
    widened = [o for o in report.outcomes if o.widened]
    if widened:
        lines.append("GPU selections 2.0 widens (kept, with a comment):")
        lines += [f"  {_where(o)} {o.label}: {w}" for o in widened for w in o.widened]
    changed = [(o, c) for o in report.outcomes for c in o.changed]
    if changed:
        lines.append("old defaults 2.0 does not keep (review):")
        lines += [f"  {_where(o)} {o.label}: {c}" for o, c in changed]
    if report.call_sites:
        lines.append("call sites to update (a 2.0 handle is not callable; use .remote()):")
        lines += [f"  {c.path}:{c.line} {c.handle}(...)" for c in report.call_sites]
    if report.reimports:
        lines.append(
            "flat-layout re-imports (rp flash deploy imports the module twice and skips the "
            "importer, runpod-sdk2.md §5.2):"
        )
        lines += [f"  {c.path}:{c.line} imports {c.handle}" for c in report.reimports]
    if report.requirement_changes or report.requirement_notes:
        lines.append(f"SDK requirement ({NEW_REQUIREMENT}):")
        lines += [f"  {_change(c)}" for c in report.requirement_changes]
        lines += [f"  {note}" for note in report.requirement_notes]
    if report.deploys:
        lines.append(f"deploy from ({DEPLOY_HOW}):")
        lines += [f"  {ln}" for t in report.deploys for ln in deploy_lines(t, report.deploys)]
    if report.unparsable:
        lines.append("files not read:")
        lines += [f"  {p}: {why}" for p, why in report.unparsable]
    if report.files_migrated:
        lines.append("behaviour changes to review (runpod-sdk2.md §6.5):")
        lines += [f"  - {b}" for b in BEHAVIOUR]
    # Each line holds names, paths and values from the analysed tree: shown inert (no
    # control characters, no line of its own), and no line may start a workflow command.
    return guard_lines("\n".join(escape_text(line) for line in lines) + "\n")


def _at(site) -> str:
    return f"{site.path}:{site.line}"


def _code(text) -> str:
    """Untrusted text (names, paths, values from the analysed tree) as an inert code span:
    control characters escaped, no backtick to end it, no `|` to end the table cell."""
    return "`" + escape_text(text).replace("`", "'").replace("|", "\\|") + "`"


def render_markdown(report: Report) -> str:
    n = report.counts()
    out = [
        "## flash-guard migrate --to runpod2",
        "",
        "| | count |",
        "|---|---|",
        f"| apps | {report.apps} |",
        f"| files migrated | {len(report.files_migrated)} |",
        f"| files created | {len(report.files_created)} |",
        f"| files left on runpod_flash | {len(report.files_left)} |",
        f"| declarations rewritten | {n['rewritten']} |",
        f"| rewritten with explicit old defaults | {n['explicit']} |",
        f"| left for a human | {n['left']} |",
    ]
    left = report.left_by_reason()
    if left:
        out += ["", "### Left for a human", "", "| reason | where | declaration | what to do |"]
        out.append("|---|---|---|---|")
        for reason, items in left.items():
            for o in items:
                todo = REASONS[reason] + (f" ({_code(o.detail)})" if o.detail else "")
                out.append(f"| {reason} | {_code(_where(o))} | {_code(o.label)} | {todo} |")
    if report.flash_uses:
        out += ["", "### Files left on runpod_flash by other uses", "", REASONS["flash-use"], ""]
        out += [f"- {_code(f'{p}:{line}')} {_code(d)}" for p, line, d in report.flash_uses]
    explicit = [o for o in report.outcomes if o.status == "explicit"]
    if explicit:
        out += ["", "### Old defaults written explicitly", "", "| where | declaration | values |"]
        out.append("|---|---|---|")
        out += [
            f"| {_code(_where(o))} | {_code(o.label)} | {_code(', '.join(o.explicit))} |"
            for o in explicit
        ]
    widened = [(o, w) for o in report.outcomes for w in o.widened]
    if widened:
        out += ["", "### GPU selections 2.0 widens", ""]
        out += [f"- {_code(_where(o))} {_code(o.label)}: {_code(w)}" for o, w in widened]
    changed = [(o, c) for o in report.outcomes for c in o.changed]
    if changed:
        out += ["", "### Old defaults 2.0 does not keep", ""]
        out += [f"- {_code(_where(o))} {_code(o.label)}: {_code(c)}" for o, c in changed]
    if report.call_sites:
        out += ["", "### Call sites to update (use `.remote()`)", ""]
        out += [
            f"- {_code(f'{c.path}:{c.line}')} {_code(c.handle + '(...)')}"
            for c in report.call_sites
        ]
    if report.reimports:
        out += ["", "### Flat-layout re-imports (runpod-sdk2.md §5.2)", ""]
        out += [
            f"- {_code(f'{c.path}:{c.line}')} imports {_code(c.handle)}" for c in report.reimports
        ]
    if report.requirement_changes or report.requirement_notes:
        out += ["", f"### SDK requirement (`{NEW_REQUIREMENT}`)", ""]
        out += [f"- {_code(_change(c))}" for c in report.requirement_changes]
        out += [f"- {_code(note)}" for note in report.requirement_notes]
    if report.deploys:
        out += ["", "### Deploy from", "", f"{DEPLOY_HOW}.", ""]
        out += [f"- {_code(ln)}" for t in report.deploys for ln in deploy_lines(t, report.deploys)]
    if report.files_migrated:
        out += ["", "### Behaviour changes to review (runpod-sdk2.md §6.5)", ""]
        out += [f"- {b}" for b in BEHAVIOUR]
    return guard_lines("\n".join(out) + "\n")
