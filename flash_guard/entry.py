"""The `flash-guard` console script: replay an unchanged run, or run the CLI; then flush and
leave without tearing down.

A `check` whose inputs are all as an identical earlier run left them prints that run's
output again (run_cache.py) before anything of the analysis is imported. A run ends with
many objects alive (facts, models, findings); freeing them one by one at interpreter exit
costs more than the pre-commit case's whole evaluation. Output is flushed first, so nothing
written is lost; only this entry point does it, never a library caller.
"""

from __future__ import annotations

import contextlib
import os
import sys


def console_main() -> None:
    code = _replayed_or_run(sys.argv[1:])
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError):  # a closed pipe (`| head`): nothing more to say
        code = code or 1
    os._exit(code)


def escape_unencodable_output() -> None:
    """Reporters escape what they show; a character the terminal's encoding cannot hold
    is shown as an escape rather than ending the run."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def _replayed_or_run(argv: list[str]) -> int:
    from flash_guard import run_cache

    try:
        invocation = run_cache.invocation(argv)
    except Exception:  # noqa: BLE001 - the lean start never stands in the way of a run
        invocation = None
    if invocation is not None:
        escape_unencodable_output()  # as cli.main does: the replay writes the same bytes
        try:
            code = invocation.replay(sys.stdout, sys.stderr)
        except BrokenPipeError:
            return 1
        except KeyboardInterrupt:
            return 2  # as cli.main: EXIT_ERROR
        except run_cache.ReplayFailed as exc:
            sys.stderr.write(
                f"flash-guard: error: the recorded output could not be read ({exc}); "
                "run again with --no-cache\n"
            )
            return 2
        if code is not None:
            return code
        recorder = run_cache.start(invocation)
    from flash_guard import dataclass_exec

    dataclass_exec.install()  # before the analysis' dataclasses are made
    from flash_guard.cli import main

    code = main(argv)
    if invocation is not None:
        # A record not written costs the next run time, never this run its result.
        with contextlib.suppress(Exception):
            recorder.finish(code)
    return code
