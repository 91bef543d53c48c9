"""`--format json`: the stable machine contract of design.md (version 1)."""

from __future__ import annotations

import json

from flash_guard.report.values import endpoint_json


def document(result) -> dict:
    endpoints = []
    for i, ep in enumerate(result.endpoints):
        profile = result.profiles[i] if i < len(result.profiles) else None
        checks = result.scorecard[i] if i < len(result.scorecard) and ep.deployable else None
        endpoints.append(endpoint_json(ep, profile if ep.deployable else None, checks))
    return {
        "version": 1,
        "findings": [f.to_json() for f in result.findings],
        "endpoints": endpoints,
        "summary": result.summary(),
    }


def render(result, **_) -> str:
    return json.dumps(document(result), indent=2, sort_keys=False) + "\n"
