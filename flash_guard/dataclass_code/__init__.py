"""Generated tables, one module per Python version (`py311.py` for 3.11...): the code of the
methods `dataclasses` writes for flash_guard's dataclasses (see flash_guard/dataclass_exec.py)."""
