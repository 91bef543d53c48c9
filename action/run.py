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
INPUT_BASELINE, INPUT_BASE, and PULL_REQUEST_BASE_SHA for the default base), never
as `${{ }}` text inside a script. Outputs, through $GITHUB_OUTPUT: `findings`,
`exit-code`, `sarif-file`, `new-findings`, `fixed-findings`.

With a base (the `base` input, else the pull request's base commit), the check runs
with `--diff-base`: annotations and the summary show what the change introduced, and
the summary leads with the readiness scorecard diff. A base missing from a shallow
checkout is fetched from `origin` over https or a local path (git with the checkout's
executing configuration switched off: hooks, fsmonitor, ssh and proxy commands,
upload-pack, credential helpers; no prompt); when that is not possible the step says why
and reports every finding.
"""

from __future__ import annotations

import json
import os
import re
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


# A full commit id (SHA-1 or SHA-256), and what a `base` input may look like: a ref or
# revision without spaces, never starting with "-" (it would be read as an option).
SHA = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
REVISION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/@^~{}-]{0,255}$")
GIT_TIMEOUT_S = 300
# How far a shallow checkout is deepened, step by step, to find the merge base.
DEEPEN_STEPS = (1, 50, 1000)
PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")


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


def base_input() -> str:
    """The `base` input, else the pull request's base commit, else "" (check everything)."""
    given = text("BASE")
    if given:
        if not REVISION.match(given):
            raise InputError(f"base: expected a commit or ref, got {given!r}")
        return given
    sha = os.environ.get("PULL_REQUEST_BASE_SHA", "").strip()
    if not sha and os.environ.get("GITHUB_EVENT_NAME") in PULL_REQUEST_EVENTS:
        sha = _event_base_sha()
    return sha if SHA.match(sha) else ""


def _event_base_sha() -> str:
    """pull_request.base.sha from the event payload the runner wrote ($GITHUB_EVENT_PATH)."""
    try:
        with open(os.environ.get("GITHUB_EVENT_PATH", ""), encoding="utf-8") as event:
            payload = json.load(event)
        sha = payload["pull_request"]["base"]["sha"]
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    return sha if isinstance(sha, str) else ""


# flash-guard's own list (flash_guard/project/files.py GIT_SAFE_CONFIG), copied: this script
# may run beside another flash-guard release (the `version` input), so it does not import
# it; tests/test_action.py keeps the two equal. Each setting turns off a way the checkout's
# own configuration (which the workspace may have planted) makes git run a program: hooks,
# fsmonitor, ssh and proxy commands, credential helpers, external transports, submodule
# recursion, auto-gc. (remote.origin.uploadpack cannot be overridden by `-c`, as git keeps
# the first value it reads: fetch() names the upload-pack on the command line instead.)
GIT_SAFE_CONFIG = (
    "-c", "core.fsmonitor=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.pager=cat",
    "-c", "core.untrackedCache=false",
    "-c", "core.sshCommand=false",
    "-c", "core.askPass=",
    "-c", "core.alternateRefsCommand=",
    "-c", "credential.helper=",
    "-c", "protocol.allow=never",
    "-c", "protocol.ext.allow=never",
    "-c", "protocol.fd.allow=never",
    "-c", "protocol.git.allow=never",
    "-c", "protocol.ssh.allow=never",
    "-c", "fetch.recurseSubmodules=false",
    "-c", "submodule.recurse=false",
    "-c", "maintenance.auto=false",
    "-c", "gc.auto=0",
    "-c", "diff.external=",
)  # fmt: skip
# The only transports the fetch may use, whatever the configuration says (it overrides
# every protocol.*.allow): https, as actions/checkout sets origin up (its token travels as
# an http extraheader, which stays), and a local path. An ssh origin is not fetched from:
# the step says so and reports every finding.
GIT_ALLOW_PROTOCOL = "https:file"


def git(args: list[str]) -> subprocess.CompletedProcess | None:
    """git in the workspace with its executing configuration off (GIT_SAFE_CONFIG), https and
    local transports only, no prompt, the system configuration ignored; None if it cannot
    run. The checkout's own settings (origin, the token actions/checkout kept) still apply."""
    command = ["git", "--no-pager", *GIT_SAFE_CONFIG, *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",
        GIT_NO_REPLACE_OBJECTS="1",
        GIT_ALLOW_PROTOCOL=GIT_ALLOW_PROTOCOL,
        GIT_PAGER="cat",
        PAGER="cat",
    )
    try:
        return subprocess.run(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None


def fetch(args: list[str]) -> subprocess.CompletedProcess | None:
    """`git fetch` with the plain upload-pack: the option wins over remote.origin.uploadpack,
    a command the checkout's configuration could name (run for a local-path origin)."""
    return git(["fetch", "--upload-pack=git-upload-pack", "--no-tags", *args])


def _ok(proc: subprocess.CompletedProcess | None) -> bool:
    return proc is not None and proc.returncode == 0


def _why(proc: subprocess.CompletedProcess | None) -> str:
    if proc is None:
        return "git could not run"
    lines = [line for line in proc.stderr.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else f"git exited {proc.returncode}"


def prepare_base(base: str) -> str | None:
    """Make `base` and its merge base with HEAD available; None when done, else why not."""
    if not _ok(git(["rev-parse", "--is-inside-work-tree"])):
        return "the workspace is not a git checkout"
    if not _ok(git(["rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"])):
        if not SHA.match(base):
            return f"`{base}` is not in this checkout (check out with fetch-depth: 0)"
        fetched = fetch(["--depth=1", "origin", base])
        if not _ok(fetched):
            return (
                f"the base commit {base[:12]} is not in this checkout and could not be "
                f"fetched ({_why(fetched)}); check out with fetch-depth: 0, or with "
                "credentials that can fetch it"
            )
        print(f"flash-guard: fetched the base commit {base[:12]}", flush=True)
    # A shallow checkout can hold HEAD and the base without the history that joins them.
    shallow = git(["rev-parse", "--is-shallow-repository"])
    head = git(["rev-parse", "HEAD"])
    if _ok(shallow) and shallow.stdout.strip() == "true" and _ok(head):
        for step in DEEPEN_STEPS:
            if _ok(git(["merge-base", base, "HEAD"])):
                break
            deepened = fetch([f"--deepen={step}", "origin", head.stdout.strip()])
            if not _ok(deepened):
                break  # flash-guard says why the merge base is missing
    return None


def command(work: Path, sarif: bool, base: str = "") -> tuple[list[str], dict[str, Path]]:
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
    if base:
        args += ["--diff-base", base]
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


FAILED_OUTPUTS = {
    "findings": "",
    "exit-code": "2",
    "sarif-file": "",
    "new-findings": "",
    "fixed-findings": "",
}


def error(message: str) -> None:
    escaped = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    print(f"::error title=flash-guard::{escaped}", flush=True)


def warning(message: str) -> None:
    escaped = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    print(f"::warning title=flash-guard::{escaped}", flush=True)


def main() -> int:
    work = Path(os.environ.get("RUNNER_TEMP") or tempfile.gettempdir()) / "flash-guard"
    work.mkdir(parents=True, exist_ok=True)
    try:
        sarif = flag("SARIF", False)
        annotations = flag("ANNOTATIONS", True)
        summary = flag("SUMMARY", True)
        base = base_input()
    except InputError as exc:
        error(str(exc))
        write_outputs(FAILED_OUTPUTS)
        return 2
    if base:
        problem = prepare_base(base)
        if problem is not None:
            warning(f"cannot compare with the base ({problem}): reporting every finding")
            base = ""
    try:
        args, files = command(work, sarif, base)
    except InputError as exc:
        error(str(exc))
        write_outputs(FAILED_OUTPUTS)
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
    # So do its warnings about the base ("shallow clone ...; reporting every finding").
    for line in run.stderr.splitlines():
        for prefix in ("warning: ", "flash-guard: warning: "):
            if line.startswith(prefix):
                warning(line[len(prefix) :])
    code = run.returncode
    if code not in (0, 1):
        reason = run.stderr.strip().splitlines()[-1:] or ["see the log above"]
        error(f"flash-guard could not run (exit {code}): {reason[0]}")
        write_outputs({**FAILED_OUTPUTS, "exit-code": str(code)})
        return code
    report = json.loads(files["json"].read_text("utf-8"))
    if annotations:
        sys.stdout.write(files["github"].read_text("utf-8"))
        sys.stdout.flush()
    if summary:
        append_summary(files["markdown"].read_text("utf-8"))
    # Without a base every reported finding is new to this check, and nothing is fixed.
    diff = report.get("diff_base")
    new = diff["new"] + diff["updated"] if diff else report["summary"]["findings"]
    write_outputs(
        {
            "findings": str(report["summary"]["findings"]),
            "exit-code": str(code),
            "sarif-file": str(files["sarif"]) if sarif else "",
            "new-findings": str(new),
            "fixed-findings": str(len(diff["fixed"]) if diff else 0),
        }
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
