import sys

from flash_guard.cli import main

sys.exit(main())
