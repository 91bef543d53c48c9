"""Fixes: byte-range edits attached to findings, applied in rounds, re-analysed in between.

- edits.py: `Edit` and `Fix` (safe | unsafe), applying non-overlapping edits to a text.
- locate.py: the syntax node at a finding's span, and small helpers for building edits.
- fixers.py: one function per rule code: finding + file text -> a `Fix`, or None when the
  rewrite is not certain.
- engine.py: rounds over a project (in memory), the diff, atomic writes; `check_with_fixes`
  is the one entry point the CLI calls.
- cache.py: the fixes of unchanged files, kept between runs (beside the facts cache).
"""
