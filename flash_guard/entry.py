"""The `flash-guard` console script: run the CLI, flush, and leave without tearing down.

A run ends with many objects alive (facts, models, findings); freeing them one by one at
interpreter exit costs more than the pre-commit case's whole evaluation. Output is flushed
first, so nothing written is lost; only this entry point does it, never a library caller.
"""

from __future__ import annotations

import os
import sys


def console_main() -> None:
    from flash_guard.cli import main

    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, OSError):  # a closed pipe (`| head`): nothing more to say
        code = code or 1
    os._exit(code)
