"""`python -m flash_guard`."""

import os
import sys

# `python -m` puts the working directory first on sys.path, and the working directory is
# usually the project being checked: its `ast.py` or `yaml.py` would be imported (run) in
# place of the real module. flash_guard itself is imported already; nothing else may come
# from there.
if sys.path and sys.path[0] in ("", os.getcwd()):
    del sys.path[0]

from flash_guard import dataclass_exec  # noqa: E402 - after the sys.path fix above

dataclass_exec.install()  # before the analysis' dataclasses are made
from flash_guard.cli import main  # noqa: E402

sys.exit(main())
