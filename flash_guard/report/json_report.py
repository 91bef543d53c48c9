"""`--format json`: the stable machine contract of design.md (version 1)."""

from __future__ import annotations

import json

from flash_guard.report.escape import json_safe
from flash_guard.report.values import endpoint_json


def document(result) -> dict:
    endpoints = []
    for i, ep in enumerate(result.endpoints):
        profile = result.profiles[i] if i < len(result.profiles) else None
        checks = result.scorecard[i] if i < len(result.scorecard) and ep.deployable else None
        endpoints.append(endpoint_json(ep, profile if ep.deployable else None, checks))
    doc = {
        "version": 1,
        "findings": [f.to_json() for f in result.findings],
        "endpoints": endpoints,
        "summary": result.summary(),
    }
    if result.diff_base is not None:
        doc["diff_base"] = diff_base_json(result)
    return doc


def diff_base_json(result) -> dict:
    """--diff-base: what was compared, the counts, the fixed findings and the scorecard diff."""
    info = result.diff_base
    states = [f.extra.get("baseline_state", "new") for f in result.findings]
    return {
        "ref": info["ref"],
        "commit": info["commit"],
        "new": states.count("new"),
        "updated": states.count("updated"),
        "unchanged": len(result.unchanged),
        "fixed": [f.to_json() for f in result.fixed],
        "scorecard": [
            {
                "endpoint": row["endpoint"],
                "app": row["app"],
                "change": row["change"],
                "items": {
                    code: {"before": old, "after": new} for code, (old, new) in row["items"].items()
                },
            }
            for row in info["scorecard"]
        ],
    }


def dumps_one_per_line(doc: dict) -> str:
    """JSON with one finding or endpoint per line.

    Still one JSON document, and easy to grep or diff. `indent=` would switch the standard
    library to its pure-Python encoder, which cost a tenth of a large run; encoding each
    record compactly keeps the C encoder.
    """
    lines = []
    # Strict JSON: json_safe turns NaN/Infinity into strings and lone surrogates into
    # text, and allow_nan=False would fail loudly (a bug of ours) rather than emit `NaN`.
    for key, value in json_safe(doc).items():
        if isinstance(value, list) and value:
            items = ",\n".join(f"    {json.dumps(item, allow_nan=False)}" for item in value)
            body = f"[\n{items}\n  ]"
        else:
            body = json.dumps(value, allow_nan=False)
        lines.append(f"  {json.dumps(key)}: {body}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def render(result, **_) -> str:
    return dumps_one_per_line(document(result))
