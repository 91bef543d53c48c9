"""Reporters: one module per output format, each exposing `render(result, **options) -> str`."""

from __future__ import annotations

import importlib

FORMATS = ("text", "json", "sarif", "github", "markdown")


def render(fmt: str, result, **options) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    module = importlib.import_module(f"flash_guard.report.{fmt}_report")
    return module.render(result, **options)


def write(fmt: str, result, stream, **options) -> None:
    """The report written to `stream` as it is made where the format can stream (so peak
    memory does not grow with the report), else rendered and written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    module = importlib.import_module(f"flash_guard.report.{fmt}_report")
    pieces = getattr(module, "chunks", None)
    if pieces is None:
        stream.write(module.render(result, **options))
        return
    for piece in pieces(result, **options):
        stream.write(piece)
