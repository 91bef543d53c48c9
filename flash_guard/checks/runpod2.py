"""How the catalog reads a runpod 2.0 declaration where the runpod_flash check does not apply.

The FG2xx rules mirror what the SDK in use rejects (rules.md "Two SDKs"); for 2.0 that is
what frontend_runpod2/normalize_runpod2 reproduced from rc2 and stored as
`Endpoint.problems` (code, message, span). The runpod_flash-only silent rules (FG301 build
visibility, FG303 literal dependencies, FG304 legacy classes) have 2.0 counterparts (FG306,
none, none). The engine asks `replaced(code, endpoint)` before running a check.
"""

from __future__ import annotations

from flash_guard.checks.base import Outcome, fail_at
from flash_guard.model import Endpoint

RUNPOD2 = "runpod2"
# Codes whose runpod_flash check never runs on a 2.0 declaration.
REPLACED = frozenset(
    {
        *(f"FG2{n:02d}" for n in range(1, 15)),
        "FG301",  # FG306 says what the 2.0 build cannot serve
        "FG303",  # 2.0 collects dependencies by running the code: any list works
        "FG304",
    }
)
# Parameters `@app.task` does not have: rules requiring them skip tasks.
TASK_ABSENT = ("workers", "idle_timeout", "execution_timeout_ms")


def replaced(code: str, endpoint: Endpoint) -> bool:
    return endpoint.sdk == RUNPOD2 and code in REPLACED


def skips_task(endpoint: Endpoint, attributes) -> bool:
    return endpoint.kind == "task" and any(a.split(".")[0] in TASK_ABSENT for a in attributes)


def outcomes(endpoint: Endpoint, code: str) -> list[Outcome]:
    """The decoration-time (and build-time) problems of `endpoint` that rule `code` reports."""
    out = []
    for problem_code, message, span in endpoint.problems:
        if problem_code == code:
            label = f"`{endpoint.display_name}`"
            out.append(fail_at(endpoint, f"{label}: {message}", endpoint.path, span))
    return out


def project_outcomes(endpoints: list[Endpoint], code: str) -> list[Outcome]:
    return [o for e in endpoints if e.sdk == RUNPOD2 for o in outcomes(e, code)]
