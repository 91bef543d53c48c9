"""`flash-guard migrate --to runpod2`: runpod_flash declarations -> runpod 2.0 Apps.

The modules, in the order a run uses them: `source` (one file parsed, offsets), `forms`
(which declarations a file holds and whether each can move), `params` (flash keywords -> 2.0
keywords), `plan` (one App per app: its name and where it lives), `rewrite` (the edits per
file), `requirements` (the SDK requirement), `report` (what happened, text or markdown)
and `run` (files in, diff or writes out).
Everything is static: the analysed code is parsed, never imported.
"""
