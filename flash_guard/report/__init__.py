"""Reporters: one module per output format, each exposing `render(result, **options) -> str`."""

from __future__ import annotations

import importlib

FORMATS = ("text", "json", "sarif", "github", "markdown")


def render(fmt: str, result, **options) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    module = importlib.import_module(f"flash_guard.report.{fmt}_report")
    return module.render(result, **options)
