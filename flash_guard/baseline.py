"""Baselines: record today's findings by semantic identity so only new ones are reported.

The identity is (code, endpoint name, parameter, file), never a line number, so
moving code around does not resurrect a baselined finding. Counts let two
identical problems be told apart from one.

Paths in the file are relative to the repository root (the git root; outside git, the run's
root), whatever directory the run started from: a run over a monorepo's root reports
`services/a/app.py`, a run in `services/a` reports `app.py`, and both are the same entry.
A run over part of the repository reads and rewrites only the entries below its root.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from flash_guard.config.input_file import read_input_text
from flash_guard.config.yamlsrc import ConfigError
from flash_guard.findings import Finding
from flash_guard.project.writes import write_output
from flash_guard.report.escape import json_safe

VERSION = 1
# A baseline of every finding of a very large project stays far below this.
MAX_BASELINE_BYTES = 256 * 2**20
MAX_COUNT = 10**9  # findings of one identity: any real count is far below


def write_baseline(
    path: Path,
    findings: list[Finding],
    only_paths: frozenset[str] | None = None,
    root: Path | None = None,
) -> int:
    """Record `findings` (paths relative to `root`, the run's root). With `only_paths` (files
    given on the command line) the run saw only those files' findings, and a run rooted
    below the repository root saw only its subtree: the existing baseline's entries for
    every other file are kept rather than dropped."""
    prefix = repository_prefix(root)
    counts = Counter(_rebased(f.identity, prefix) for f in findings)
    if (only_paths is not None or prefix) and (path.exists() or path.is_symlink()):
        seen = None if only_paths is None else {prefix + p for p in only_paths}
        for key, n in _read(path).items():
            if not key[3].startswith(prefix) or (seen is not None and key[3] not in seen):
                counts[key] += n
    entries = [
        {"code": code, "endpoint": endpoint, "parameter": parameter, "path": file, "count": n}
        for (code, endpoint, parameter, file), n in sorted(counts.items())
    ]
    doc = {"version": VERSION, "tool": "flash-guard", "entries": entries}
    try:
        write_output(path, json.dumps(json_safe(doc), indent=2, allow_nan=False) + "\n")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write baseline: {exc.strerror}") from None
    return len(findings)


def repository_prefix(root: Path | None) -> str:
    """`root` relative to its repository's root, as a path prefix (`services/a/`, or "")."""
    if root is None:
        return ""
    from flash_guard.project.files import git_root

    top = git_root(Path(root))
    if top is None:
        return ""
    rel = os.path.relpath(os.path.realpath(root), os.path.realpath(top))
    if rel == "." or rel.startswith(".."):
        return ""
    return Path(rel).as_posix() + "/"


def _rebased(identity: tuple[str, str, str, str], prefix: str) -> tuple[str, str, str, str]:
    code, endpoint, parameter, file = identity
    return (code, endpoint, parameter, prefix + file)


def load_baseline(path: Path, root: Path | None = None) -> Counter:
    """The entries below `root` (the run's root), with paths relative to it, as findings
    have them; entries for files elsewhere in the repository are not this run's."""
    prefix = repository_prefix(root)
    counts: Counter = Counter()
    for (code, endpoint, parameter, file), n in _read(path).items():
        if file.startswith(prefix):
            counts[(code, endpoint, parameter, file[len(prefix) :])] += n
    return counts


def _read(path: Path) -> Counter:
    text = read_input_text(path, f"{path}: cannot read baseline: ", MAX_BASELINE_BYTES)
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}:1: baseline is not valid JSON: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}:1: baseline is not valid JSON: nested too deeply") from None
    except ValueError:  # an integer of more digits than Python converts
        raise ConfigError(f"{path}:1: baseline is not valid JSON: a number too large") from None
    if (
        not isinstance(doc, dict)
        or doc.get("version") != VERSION
        or not isinstance(doc.get("entries"), list)
    ):
        raise ConfigError(f"{path}:1: entries: not a flash-guard baseline (version {VERSION})")
    counts: Counter = Counter()
    for i, entry in enumerate(doc["entries"]):
        try:
            endpoint, parameter = entry["endpoint"], entry["parameter"]
            key = (
                entry["code"],
                "" if endpoint is None else endpoint,
                "" if parameter is None else parameter,
                entry["path"],
            )
            # text only: a number or a list here matched nothing, or broke the path filter
            if not all(isinstance(part, str) for part in key):
                raise TypeError(key)
            count = entry.get("count", 1)
            if type(count) is not int or not 0 <= count <= MAX_COUNT:
                raise ValueError(count)
            counts[key] += count
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ConfigError(
                f"{path}:1: entries[{i}]: needs code, endpoint, parameter, path as strings "
                f"(endpoint and parameter may be null) and a count from 0 to {MAX_COUNT:,}, "
                "if any"
            ) from None
    return counts


def apply_baseline(
    findings: list[Finding], baseline: Counter, paths: frozenset[str] | None = None
) -> tuple[list[Finding], int, int]:
    """(new findings, how many were baselined, how many baseline entries are stale).

    `paths` limits the baseline to entries in those files: when only some files
    are reported (pre-commit), entries for the other files are not stale.
    """
    remaining = Counter({key: n for key, n in baseline.items() if paths is None or key[3] in paths})
    kept = []
    hidden = 0
    for finding in findings:
        if remaining[finding.identity] > 0:
            remaining[finding.identity] -= 1
            hidden += 1
        else:
            kept.append(finding)
    stale = sum(1 for key, n in remaining.items() if n > 0)
    return kept, hidden, stale
