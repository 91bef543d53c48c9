"""Run step of the flash-guard GitHub Action (see action.yml).

Runs `flash-guard check` once, writing every format the action needs with
`--output`: JSON (to count findings), GitHub annotations (at most
MAX_ANNOTATIONS, most severe first, then a notice saying how many more), the
markdown job summary and, when asked, SARIF. The text report goes to the log,
between `::stop-commands::` markers.

The workspace is the repository being analysed, and may be hostile: a
`flash_guard/` package, `flash_guard.py`, `yaml.py` or `sitecustomize.py` in it
must not be imported instead of the real ones. flash-guard runs in the workspace
(paths, configuration discovery and reports are relative to it) but isolated:
`python -I -m flash_guard` puts neither the current directory nor the script's on
sys.path and ignores PYTHON* variables and user site-packages. action.yml starts
this script with `-I` too.

This step fails only when flash-guard itself could not run (exit 2: bad input,
configuration error). Findings never fail it: the SARIF upload must happen
first, and the action's last step fails the job per `fail-on`. An empty
`fail-on` passes no `--fail-on`, so the configuration's `fail_on` applies, as it
does locally.

Inputs arrive as environment variables (INPUT_PATHS, INPUT_CONFIG,
INPUT_PROFILE, INPUT_FAIL_ON, INPUT_SARIF, INPUT_ANNOTATIONS, INPUT_SUMMARY,
INPUT_BASELINE), never as `${{ }}` text inside a script. Outputs, through
$GITHUB_OUTPUT: `findings`, `exit-code`, `sarif-file`.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

MAX_ANNOTATIONS = 10
# GitHub rejects a step summary over 1 MiB; stay under it with some room.
SUMMARY_LIMIT = 1024 * 1024 - 4096
FAIL_ON = ("error", "warning", "info", "never")
FLASH_GUARD = (sys.executable, "-I", "-m", "flash_guard")
TRUE, FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0", "")


class InputError(Exception):
    pass


def flag(name: str, default: bool) -> bool:
    raw = os.environ.get(f"INPUT_{name}", "").strip().lower()
    if not raw:
        return default
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise InputError(f"{name.lower().replace('_', '-')}: expected true or false, got {raw!r}")


def text(name: str) -> str:
    return os.environ.get(f"INPUT_{name}", "").strip()


def user_paths() -> list[str]:
    """Space- or newline-separated paths; quote a path that contains spaces."""
    raw = text("PATHS") or "."
    try:
        return shlex.split(raw) or ["."]
    except ValueError as exc:
        raise InputError(f"paths: {exc}") from None


def command(work: Path, sarif: bool) -> tuple[list[str], dict[str, Path]]:
    files = {
        "json": work / "flash-guard.json",
        "github": work / "flash-guard-annotations.txt",
        "markdown": work / "flash-guard-summary.md",
    }
    if sarif:
        files["sarif"] = work / "flash-guard.sarif"
    # -I: isolated, so nothing in the analysed workspace (the current directory) is
    # importable; spawned worker processes inherit the flag.
    args = [*FLASH_GUARD, "check", "--format", "text"]
    for fmt, file in files.items():
        args += ["--output", f"{fmt}={file}"]
    args += ["--max-annotations", str(MAX_ANNOTATIONS)]
    # Empty: the configuration decides (fail_on), else flash-guard's default, exactly as
    # a local `flash-guard check` would.
    fail_on = text("FAIL_ON")
    if fail_on and fail_on not in FAIL_ON:
        raise InputError(f"fail-on: expected one of {', '.join(FAIL_ON)}, got {fail_on!r}")
    if fail_on:
        args += ["--fail-on", fail_on]
    for name, option in (("CONFIG", "--config"), ("PROFILE", "--profile")):
        if text(name):
            args += [option, text(name)]
    if text("BASELINE"):
        args += ["--baseline", text("BASELINE")]
    # `--` keeps a path that starts with "-" from being read as an option.
    return [*args, "--", *user_paths()], files


def append_summary(markdown: str) -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return
    try:
        used = os.path.getsize(target)
    except OSError:
        used = 0
    data = markdown.encode("utf-8")
    room = SUMMARY_LIMIT - used
    if len(data) > room:
        note = (
            b"\n\n> **The flash-guard summary was cut here**: a job summary is limited to "
            b"1 MiB. The annotations, the SARIF upload or the log list every finding.\n"
        )
        cut = max(room - len(note), 0)
        # Cut at a line break, never inside a UTF-8 sequence or a table row.
        cut = data.rfind(b"\n", 0, cut) + 1
        data = data[:cut] + note if room > len(note) else b""
    with open(target, "ab") as out:
        out.write(data)


def write_outputs(values: dict[str, str]) -> None:
    target = os.environ.get("GITHUB_OUTPUT")
    lines = "".join(f"{name}={value}\n" for name, value in values.items())
    if not target:
        sys.stdout.write(lines)
        return
    with open(target, "a", encoding="utf-8") as out:
        out.write(lines)


def error(message: str) -> None:
    escaped = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    print(f"::error title=flash-guard::{escaped}", flush=True)


def main() -> int:
    work = Path(os.environ.get("RUNNER_TEMP") or tempfile.gettempdir()) / "flash-guard"
    work.mkdir(parents=True, exist_ok=True)
    try:
        sarif = flag("SARIF", False)
        annotations = flag("ANNOTATIONS", True)
        summary = flag("SUMMARY", True)
        args, files = command(work, sarif)
    except InputError as exc:
        error(str(exc))
        write_outputs({"findings": "", "exit-code": "2", "sarif-file": ""})
        return 2
    for stale in files.values():
        stale.unlink(missing_ok=True)  # never report a previous run's files
    # The text report quotes analysed code (endpoint names, values): a line of it
    # that starts with `::` must not be taken as a workflow command, so the runner
    # stops reading commands until the report is over.
    token = secrets.token_hex(16)
    print(f"::stop-commands::{token}", flush=True)
    print("flash-guard " + shlex.join(args[len(FLASH_GUARD) :]), flush=True)
    # stderr is kept to name the problem when flash-guard cannot run (exit 2).
    run = subprocess.run(args, stderr=subprocess.PIPE, text=True)
    sys.stderr.write(run.stderr)
    sys.stderr.flush()
    print(f"::{token}::", flush=True)
    # flash-guard's own warnings (e.g. "no Flash endpoints found in PATHS": a run that
    # checked nothing) become warning annotations, so a green check is not mistaken for one.
    for line in run.stderr.splitlines():
        if line.startswith("warning: "):
            escaped = line[len("warning: ") :].replace("%", "%25")
            print(f"::warning title=flash-guard::{escaped}", flush=True)
    code = run.returncode
    if code not in (0, 1):
        reason = run.stderr.strip().splitlines()[-1:] or ["see the log above"]
        error(f"flash-guard could not run (exit {code}): {reason[0]}")
        write_outputs({"findings": "", "exit-code": str(code), "sarif-file": ""})
        return code
    report = json.loads(files["json"].read_text("utf-8"))
    if annotations:
        sys.stdout.write(files["github"].read_text("utf-8"))
        sys.stdout.flush()
    if summary:
        append_summary(files["markdown"].read_text("utf-8"))
    write_outputs(
        {
            "findings": str(report["summary"]["findings"]),
            "exit-code": str(code),
            "sarif-file": str(files["sarif"]) if sarif else "",
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
