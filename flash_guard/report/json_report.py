"""`--format json`: the stable machine contract of design.md (version 1)."""

from __future__ import annotations

import json

from flash_guard.report.json_encode import dumps_strict
from flash_guard.report.values import endpoint_json


def _endpoints(result):
    for i, ep in enumerate(result.endpoints):
        profile = result.profiles[i] if i < len(result.profiles) else None
        checks = result.scorecard[i] if i < len(result.scorecard) and ep.deployable else None
        yield endpoint_json(ep, profile if ep.deployable else None, checks)


def document(result) -> dict:
    doc = {
        "version": 1,
        "findings": [f.to_json() for f in result.findings],
        "endpoints": list(_endpoints(result)),
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
    return "".join(_chunks((key, _lazy(value)) for key, value in doc.items()))


def _lazy(value):
    return (lambda: iter(value)) if isinstance(value, list) else value


def _chunks(members):
    """The document's text piece by piece: `members` are (key, value) with a list value given
    as a function returning an iterator of its items, each item encoded (and dropped) in
    turn, so a large report is never held whole."""
    yield "{\n"
    first = True
    for key, value in members:
        yield ("" if first else ",\n") + f"  {json.dumps(key)}: "
        first = False
        if not callable(value):
            # Strict JSON: json_safe turns NaN/Infinity into strings and lone surrogates into
            # text, and allow_nan=False would fail loudly (a bug of ours) rather than emit NaN.
            yield dumps_strict(value)
            continue
        lead = "[\n    "
        for item in value():
            yield lead + dumps_strict(item)
            lead = ",\n    "
        empty = lead == "[\n    "
        yield "[]" if empty else "\n  ]"
    yield "\n}\n"


def chunks(result, **_):
    """`render`'s text in pieces, for writing as it is made (report.write)."""
    members = [
        ("version", 1),
        ("findings", lambda: (f.to_json() for f in result.findings)),
        ("endpoints", lambda: _endpoints(result)),
        ("summary", result.summary()),
    ]
    if result.diff_base is not None:
        members.append(("diff_base", diff_base_json(result)))
    return _chunks(members)


def render(result, **_) -> str:
    return "".join(chunks(result))
