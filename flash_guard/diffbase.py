"""Diff-aware runs: compare the findings of the working tree with those of a base commit.

The base is read from git objects (`git archive` of the merge base of REF and HEAD, unpacked
into a temporary directory by a strict extractor), never checked out, imported or run; git is
started with the tree's executing configuration switched off. Both sides are analysed with the
same configuration, and findings are matched by the baseline's semantic identity (code,
endpoint, parameter, file), so moved code still matches:

- new: in the working tree only; unchanged: the same identity and message on both sides;
  updated: the same identity with a different message (made worse or different);
- absent (fixed): in the base only.

The readiness scorecard is compared per endpoint and checklist item as well.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from flash_guard.findings import FAIL, NOT_APPLICABLE, PASS, UNKNOWN, Finding

NEW, UNCHANGED, UPDATED, ABSENT = "new", "unchanged", "updated", "absent"
GIT_TIMEOUT_S = 60
MAX_ARCHIVE_BYTES = 512 * 1024 * 1024


class BaseUnavailable(Exception):
    """The base cannot be analysed; the message says why (one line)."""


def safe_git(
    args: list[str], cwd: Path, timeout: float = GIT_TIMEOUT_S, stdin_data: bytes | None = None
) -> subprocess.CompletedProcess:
    """git with the analysed tree's executing configuration disabled (hooks, fsmonitor, pager,
    external diff and text conversion), no prompts, and the system configuration ignored."""
    command = [
        "git",
        "-c", "core.fsmonitor=false",
        "-c", "core.hooksPath=/dev/null",
        "-c", "core.pager=cat",
        "-c", "diff.external=",
        "-c", "protocol.file.allow=never",
        "--no-pager",
        *args,
    ]  # fmt: skip
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
    }
    try:
        return subprocess.run(
            command,
            cwd=cwd,
            env=env,
            capture_output=True,
            timeout=timeout,
            check=False,
            input=stdin_data if stdin_data is not None else b"",
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise BaseUnavailable(f"git could not run: {exc}") from None


def safe_git_input(args: list[str], cwd: Path, data: bytes) -> subprocess.CompletedProcess:
    """`safe_git` with `data` on standard input."""
    return safe_git(args, cwd, timeout=GIT_TIMEOUT_S * 5, stdin_data=data)


def _git_text(args: list[str], cwd: Path) -> str:
    proc = safe_git(args, cwd)
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise BaseUnavailable(message[-1] if message else f"git {args[0]} failed")
    return proc.stdout.decode("utf-8", "replace").strip()


def merge_base(root: Path, ref: str) -> str:
    """The commit to compare against: the merge base of `ref` and HEAD."""
    if not ref or ref.startswith("-"):
        raise BaseUnavailable(f"`{ref}` is not a git reference")
    # Outside a repository every reference is unknown: say what is wrong instead.
    if safe_git(["rev-parse", "--git-dir"], root).returncode != 0:
        raise BaseUnavailable(f"{root} is not in a git repository")
    try:
        _git_text(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], root)
    except BaseUnavailable:
        raise BaseUnavailable(f"unknown git reference `{ref}`") from None
    try:
        return _git_text(["merge-base", ref, "HEAD"], root)
    except BaseUnavailable:
        shallow = safe_git(["rev-parse", "--is-shallow-repository"], root)
        if shallow.stdout.strip() == b"true":
            raise BaseUnavailable(
                f"this is a shallow clone and the merge base of `{ref}` and HEAD is not in it "
                "(check out with fetch-depth: 0, or fetch the base commit)"
            ) from None
        raise BaseUnavailable(f"`{ref}` and HEAD have no common ancestor") from None


def export_tree(root: Path, commit: str, dest: Path) -> None:
    """Write the tree of `commit` (the part under `root`) into `dest`, blob by blob, as stored:
    `git archive` and checkouts would run the tree's own smudge filters (`.gitattributes`),
    so neither is used. Regular files only; links and submodules are never created."""
    prefix = _git_text(["rev-parse", "--show-prefix"], root)
    treeish = f"{commit}:{prefix}" if prefix else commit
    listing = safe_git(["ls-tree", "-r", "-z", "--full-tree", treeish], root)
    if listing.returncode != 0:
        message = listing.stderr.decode("utf-8", "replace").strip()
        raise BaseUnavailable(f"cannot read the base tree: {message or 'git ls-tree failed'}")
    blobs: list[tuple[str, PurePosixPath]] = []
    for entry in listing.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, raw_path = entry.partition(b"\t")
        mode, kind, sha = meta.decode("ascii", "replace").split()
        name = PurePosixPath(os.fsdecode(raw_path))
        if kind != "blob" or mode not in ("100644", "100755"):
            continue  # symlinks (120000) and submodules (160000) are never followed
        if name.is_absolute() or ".." in name.parts or any(map(_is_dotgit, name.parts)):
            continue  # `.git/config` in the base tree would configure the temporary repository
        blobs.append((sha, name))
    if not blobs:
        return
    request = "".join(f"{sha}\n" for sha, _ in blobs).encode("ascii")
    proc = _run_batch(root, request)
    data, offset, total = proc, 0, 0
    for _sha, name in blobs:
        header_end = data.index(b"\n", offset)
        _, _, size_text = data[offset:header_end].decode("ascii").split()
        size = int(size_text)
        total += size
        if total > MAX_ARCHIVE_BYTES:
            raise BaseUnavailable("the base tree is larger than 512 MiB")
        content = data[header_end + 1 : header_end + 1 + size]
        offset = header_end + 1 + size + 1  # the blob, then a newline
        target = dest.joinpath(*name.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as out:
            out.write(content)


# Code points HFS+ ignores in names (git's is_hfs_dotgit): `.g\u200cit` is `.git` there.
_HFS_IGNORED = dict.fromkeys(
    [*range(0x200C, 0x2010), *range(0x202A, 0x202F), *range(0x206A, 0x2070), 0xFEFF]
)


def _is_dotgit(part: str) -> bool:
    """A name git itself refuses to check out as a path component: `.git` in any case, with
    the trailing dots and spaces NTFS drops, its 8.3 short name, or HFS+-ignored code points."""
    name = part.translate(_HFS_IGNORED).rstrip(". ").casefold()
    return name in (".git", "git~1")


def _run_batch(root: Path, request: bytes) -> bytes:
    command = ["cat-file", "--batch"]
    proc = safe_git_input(command, root, request)
    if proc.returncode != 0:
        raise BaseUnavailable("cannot read the base tree: git cat-file failed")
    return proc.stdout


@dataclass
class Comparison:
    base_ref: str
    base_commit: str
    state: dict[int, str] = field(default_factory=dict)  # id(head finding) -> new/unchanged/updated
    fixed: list[Finding] = field(default_factory=list)  # base findings gone from the tree
    scorecard: list[dict] = field(default_factory=list)

    def new(self, findings: list[Finding]) -> list[Finding]:
        return [f for f in findings if self.state.get(id(f), NEW) in (NEW, UPDATED)]

    def counts(self, findings: list[Finding]) -> dict[str, int]:
        out = {NEW: 0, UNCHANGED: 0, UPDATED: 0, ABSENT: len(self.fixed)}
        for finding in findings:
            out[self.state.get(id(finding), NEW)] += 1
        return out


def compare_findings(head: list[Finding], base: list[Finding]) -> tuple[dict[int, str], list]:
    """(state per head finding, base findings that are gone), matched by identity."""
    by_identity: dict[tuple, list[Finding]] = defaultdict(list)
    for finding in base:
        by_identity[finding.identity].append(finding)
    state: dict[int, str] = {}
    unmatched_head = []
    # Exact matches first, so an identity that repeats pairs equal messages with each other.
    for finding in head:
        pool = by_identity.get(finding.identity, [])
        same = next((b for b in pool if b.message == finding.message), None)
        if same is not None:
            pool.remove(same)
            state[id(finding)] = UNCHANGED
        else:
            unmatched_head.append(finding)
    for finding in unmatched_head:
        pool = by_identity.get(finding.identity, [])
        if pool:
            pool.pop(0)
            state[id(finding)] = UPDATED
        else:
            state[id(finding)] = NEW
    fixed = [f for pool in by_identity.values() for f in pool]
    return state, fixed


LESS_READY, MORE_READY = "less ready", "more ready"


def scorecard_diff(head, base) -> list[dict]:
    """Per endpoint: added, removed, or the items whose verdict changed (RunResult inputs)."""

    def cards(result) -> dict[tuple[str, str], dict[str, str]]:
        out = {}
        for endpoint, card in zip(result.endpoints, result.scorecard, strict=False):
            if endpoint.deployable:
                out[(endpoint.app, endpoint.display_name)] = card
        return out

    before, after = cards(base), cards(head)
    rows = []
    for key in sorted(set(before) | set(after)):
        app, name = key
        if key not in before:
            rows.append({"endpoint": name, "app": app, "change": "added", "items": {}})
            continue
        if key not in after:
            rows.append({"endpoint": name, "app": app, "change": "removed", "items": {}})
            continue
        items = {}
        for code in sorted(set(before[key]) | set(after[key])):
            old = before[key].get(code, NOT_APPLICABLE)
            new = after[key].get(code, NOT_APPLICABLE)
            if old != new:
                items[code] = (old, new)
        if not items:
            continue
        worse = any(new == FAIL or (old == PASS and new == UNKNOWN) for old, new in items.values())
        better = any(old == FAIL and new in (PASS, NOT_APPLICABLE) for old, new in items.values())
        change = LESS_READY if worse else (MORE_READY if better else "changed")
        rows.append({"endpoint": name, "app": app, "change": change, "items": items})
    return rows


def scorecard_headline(rows: list[dict]) -> str:
    less = sum(1 for r in rows if r["change"] == LESS_READY)
    more = sum(1 for r in rows if r["change"] == MORE_READY)
    added = sum(1 for r in rows if r["change"] == "added")
    removed = sum(1 for r in rows if r["change"] == "removed")

    def n(count: int) -> str:
        return f"{count} endpoint{'s' if count != 1 else ''}"

    parts = [f"{n(less)} got less ready", f"{n(more)} got more ready"]
    if added:
        parts.append(f"{n(added)} added")
    if removed:
        parts.append(f"{n(removed)} removed")
    return ", ".join(parts)


def ref_label(ref: str) -> str:
    """A reference as reports show it: a full commit id abbreviated to 12 digits."""
    if len(ref) in (40, 64) and all(c in "0123456789abcdef" for c in ref):
        return ref[:12]
    return ref


def analyse_base(root: Path, ref: str, run) -> tuple[str, object]:
    """Run `run(base_root)` (the same pipeline, same configuration) on the base tree; returns
    (base commit, its result). The temporary tree is removed afterwards."""
    commit = merge_base(root, ref)
    with tempfile.TemporaryDirectory(prefix="flash-guard-base-") as tmp:
        base_root = Path(tmp) / "base"
        base_root.mkdir()
        export_tree(root, commit, base_root)
        # A repository of its own (nothing committed, no hooks run): configuration is looked
        # for up to here, never in the temporary directory's parents, and the file listing
        # honours the tree's .gitignore files as it does in the working tree.
        safe_git(["init", "-q", "--template="], base_root)
        return commit, run(base_root)


def overlay_configs(root: Path, files: list[Path], base_root: Path) -> None:
    """Put the working tree's `.flash-guard.yaml` files (those under `root`) at their places in
    the base tree, so each app of a monorepo is judged by the same settings on both sides.
    `pyproject.toml` is left as the base has it: it holds the dependencies too."""
    top = Path(os.path.realpath(root))
    for file in files:
        real = Path(os.path.realpath(file))
        if real.name == "pyproject.toml" or not real.is_relative_to(top):
            continue
        target = base_root.joinpath(*real.relative_to(top).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink():
            target.unlink()
        target.write_bytes(real.read_bytes())


__all__ = [
    "ABSENT",
    "NEW",
    "UNCHANGED",
    "UPDATED",
    "BaseUnavailable",
    "Comparison",
    "analyse_base",
    "compare_findings",
    "overlay_configs",
    "ref_label",
    "scorecard_diff",
    "scorecard_headline",
]
