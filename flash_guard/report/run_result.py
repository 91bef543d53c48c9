"""What one run produced: the input every reporter renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flash_guard.findings import SEVERITIES, Finding, RuleInfo
from flash_guard.model import Endpoint


@dataclass
class RunResult:
    findings: list[Finding]
    endpoints: list[Endpoint]
    rules: list[RuleInfo]
    root: Path
    # scorecard[endpoint index in `endpoints`][rule code] = pass | fail | unknown | n/a
    scorecard: list[dict[str, str]] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)  # per endpoint, parallel to `endpoints`
    files_checked: int = 0
    suppressed: int = 0
    baselined: int = 0
    stale_baseline: int = 0
    errors: list[str] = field(default_factory=list)
    fixed: list[Finding] = field(default_factory=list)  # --diff-base: gone since the base
    # --diff-base: findings also in the base (not reported; SARIF lists them as unchanged so
    # code scanning does not take them for fixed), and what was compared with what:
    # {"ref", "commit", "scorecard": diffbase.scorecard_diff rows}.
    unchanged: list[Finding] = field(default_factory=list)
    diff_base: dict | None = None

    def counts(self) -> dict[str, int]:
        out = {sev: 0 for sev in SEVERITIES}
        for finding in self.findings:
            out[finding.severity] += 1
        return out

    def summary(self) -> dict:
        counts = self.counts()
        return {
            "findings": len(self.findings),
            "errors": counts["error"],
            "warnings": counts["warning"],
            "infos": counts["info"],
            "endpoints": sum(1 for e in self.endpoints if e.deployable),
            "files": self.files_checked,
            "suppressed": self.suppressed,
            "baselined": self.baselined,
            "stale_baseline_entries": self.stale_baseline,
        }
