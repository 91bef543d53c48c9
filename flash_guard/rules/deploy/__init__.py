"""Rules of this family; see flash_guard/rules/__init__.py."""
