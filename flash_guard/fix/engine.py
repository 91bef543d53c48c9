"""Fix rounds over a project, the diff, and atomic writes.

Every round analyses the project as it would be with the fixes so far (read from memory through
`project.files.OVERLAY`, nothing is written), asks the fixers for the findings of that analysis,
and applies, per file, each wanted fix that does not overlap one already chosen. Fixes left out
(overlapping) are re-derived from the next analysis. Rounds stop when nothing changes, or after
MAX_ROUNDS. Files are written only at the end, each atomically.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from flash_guard.discover.lexical import lexed_here
from flash_guard.fix.edits import SAFE, UNSAFE, Fix, apply_edits, choose
from flash_guard.fix.fixers import FIXERS
from flash_guard.fix.locate import NotFixable, Source
from flash_guard.project import files
from flash_guard.project.files import UsageError

MAX_ROUNDS = 10


@dataclass
class FileState:
    abspath: Path
    original: bytes
    bom: bool
    text: str  # the current text (without BOM)

    @property
    def original_text(self) -> str:
        return _decode(self.original)[1]

    def data(self) -> bytes:
        return (codecs.BOM_UTF8 if self.bom else b"") + self.text.encode("utf-8", "surrogatepass")


@dataclass
class FixRun:
    result: object  # RunResult after the last round
    workspace: object
    files: dict[str, FileState] = field(default_factory=dict)  # every file read
    applied: list[Fix] = field(default_factory=list)
    rounds: int = 0
    unwritten: set[str] = field(default_factory=set)  # changed files `write` left alone

    @property
    def changed(self) -> dict[str, FileState]:
        return {p: s for p, s in self.files.items() if s.text != s.original_text}

    def diff(self) -> str:
        import difflib  # deferred: only --diff needs it

        out = []
        for path, state in sorted(self.changed.items()):
            out += difflib.unified_diff(
                state.original_text.splitlines(keepends=True),
                state.text.splitlines(keepends=True),
                fromfile=f"a/{path}",
                tofile=f"b/{path}",
            )
            if out and not out[-1].endswith("\n"):
                out[-1] += "\n\\ No newline at end of file\n"
        return "".join(out)


def _decode(data: bytes) -> tuple[bool, str]:
    return data.startswith(codecs.BOM_UTF8), data.decode("utf-8-sig")


def _state(run_files: dict[str, FileState], root: Path, path: str) -> FileState | None:
    if path not in run_files:
        abspath = root / path
        try:
            data = files._read_bytes(abspath)
            bom, text = _decode(data)
        except (OSError, UnicodeDecodeError):
            return None
        run_files[path] = FileState(abspath, data, bom, text)
    return run_files[path]


def attach_fixes(
    result, evaluation, root: Path, states: dict[str, FileState] | None, caches=None
) -> list[Fix]:
    """Ask the fixers for every finding of `result`; set `finding.fixes`. Returns the fixes.
    `caches` (fix/cache.FixCaches): fixes computed for the same text before are taken from
    there, and those computed now recorded. `states`: the files read, kept for the fix
    rounds; None when nothing will be applied, and each file's text is dropped once its
    findings have their fixes (a big tree's texts and bytes would otherwise add megabytes
    to the run's peak, beside the analysis)."""
    keep = states is not None
    states = {} if states is None else states
    if caches is not None:
        from flash_guard.fix import cache as cache_module

        keys = cache_module.FindingKeys()
    by_path: dict[str, list] = {}
    for finding in result.findings:
        if finding.code in FIXERS:
            by_path.setdefault(finding.path, []).append(finding)
    found = []
    for path, findings in by_path.items():
        state = _state(states, root, path)
        if state is None:
            continue
        cache = caches.cache_for(path) if caches is not None else None
        if cache is not None and files.OVERLAY and _overlaid(state):
            cache = None  # a fix round's edited text, never on disk: not worth keeping
        text_hash = cache_module.content_hash(state.text) if cache is not None else ""
        # A byte-order mark moves every edit's byte offsets: another text as far as fixes go.
        entry_hash = text_hash + ("+bom" if state.bom else "")
        source = None  # parsed on the first finding the cache cannot answer
        for finding in findings:
            part = evaluation.for_path(finding.path)  # its app's configuration
            params = _params(part, finding)
            key = keys.key(finding, params, id(part)) if cache is not None else None
            if key is not None:
                known, cached = cache.lookup(path, entry_hash, key, len(state.text))
                if known:
                    if cached is not None:
                        fix = cache_module.from_cached(cached, path, finding.code)
                        finding.fixes = [fix]
                        found.append(fix)
                    continue
            if source is None:
                accepted = lexed_here(state.text)
                try:
                    source = Source(path, state.text, accepted)
                except NotFixable:
                    source = False  # discovery reports the file (FG001); nothing to fix in it
            fix, certain = _fix_of(finding, source, params, path, 3 if state.bom else 0)
            if key is not None and certain:
                cache.record(path, entry_hash, key, fix)
            if fix is not None:
                finding.fixes = [fix]
                found.append(fix)
        if not keep:
            del states[path]
    return found


def _overlaid(state: FileState) -> bool:
    return os.path.realpath(state.abspath) in files.OVERLAY


def _fix_of(finding, source, params: dict, path: str, prefix: int) -> tuple[Fix | None, bool]:
    """The fixer's fix for `finding` (None: no fix), and whether the next run on the same
    text would give the same (a fixer that failed may not)."""
    if source is False:
        return None, True
    try:
        fix = FIXERS[finding.code](finding, source, params)
    except Exception:  # noqa: BLE001 - a fixer meeting syntax it did not expect
        return None, False  # gives no fix: the finding is still reported, the run goes on
    if fix is None:
        return None, True
    fix.path, fix.code = path, finding.code
    fix.located = tuple(
        (
            e,
            source.lines.span(e.start, e.end),
            source.lines.byte_offset(e.start, prefix),
            source.lines.byte_offset(e.end, prefix),
        )
        for e in fix.edits
    )
    return fix, True


def _open_caches(request, workspace):
    if not request.cache:
        return None
    from flash_guard.fix.cache import open_fix_caches  # deferred: only cached runs need it

    return open_fix_caches(request, workspace)


def _params(evaluation, finding) -> dict:
    checklist = evaluation.checklist
    active = checklist.active(finding.profile).get(finding.code)
    if active is None:
        active = checklist.shadow_by_profile.get(finding.profile, {}).get(finding.code)
    params = active.params if active is not None else None
    # Declarative items carry a dict; Python checks a dataclass of their parameters.
    return dict(params) if isinstance(params, dict) else dict(getattr(params, "__dict__", {}))


def fix_project(request, unsafe: bool) -> FixRun:
    """Apply fixes in rounds, in memory. Nothing is written (see `write`)."""
    from flash_guard.pipeline import run_check

    states: dict[str, FileState] = {}
    run = FixRun(None, None, states)
    overlaid: list[str] = []
    caches = None
    try:
        for round_no in range(MAX_ROUNDS + 1):
            result, _, evaluation, workspace = run_check(request)
            run.result, run.workspace = result, workspace
            if round_no == 0:
                caches = _open_caches(request, workspace)
            fixes = attach_fixes(result, evaluation, workspace.root, states, caches)
            if round_no == MAX_ROUNDS:
                break
            wanted = [f for f in fixes if f.applicability == SAFE or unsafe]
            applied = _apply_round(wanted, states)
            if not applied:
                break
            run.applied += applied
            run.rounds = round_no + 1
            for path in {f.path for f in applied}:
                key = os.path.realpath(states[path].abspath)
                files.OVERLAY[key] = states[path].data()
                overlaid.append(key)
    finally:
        for key in overlaid:
            files.OVERLAY.pop(key, None)
    if caches is not None:
        caches.save()
    return run


def _apply_round(fixes: list[Fix], states: dict[str, FileState]) -> list[Fix]:
    by_path: dict[str, list[Fix]] = {}
    for fix in fixes:
        by_path.setdefault(fix.path, []).append(fix)
    applied = []
    for path, candidates in by_path.items():
        state = states[path]
        errors = _errors(path, state.text)
        chosen = choose(candidates)
        text = apply_edits(state.text, [e for f in chosen for e in f.edits])
        if _errors(path, text) > errors:
            chosen = _without_breaking(state.text, chosen, errors, path)
            text = apply_edits(state.text, [e for f in chosen for e in f.edits])
        if text != state.text:
            state.text = text
            applied += chosen
    return applied


def _without_breaking(text: str, chosen: list[Fix], errors: int, path: str) -> list[Fix]:
    """The fixes that each keep the file parsing as well as before (a fixer's bug must not
    leave the user with a file that no longer parses)."""
    return [f for f in chosen if _errors(path, apply_edits(text, list(f.edits))) <= errors]


def _errors(path: str, text: str) -> float:
    """Parse errors in `text`; a file discovery would refuse counts as broken beyond repair."""
    try:
        return Source(path, text).error_count()
    except NotFixable:
        return float("inf")


def write(run: FixRun) -> list[str]:
    """Write every changed file atomically; returns one-line problems (files left alone)."""
    problems = []
    for path, state in sorted(run.changed.items()):
        try:
            _write_atomic(state)
        except OSError as exc:
            problems.append(f"{path}: not fixed: {exc.strerror or exc}")
            run.unwritten.add(path)
        except _Refused as exc:
            problems.append(f"{path}: not fixed: {exc}")
            run.unwritten.add(path)
    return problems


class _Refused(Exception):
    pass


def _write_atomic(state: FileState) -> None:
    dest = state.abspath
    info = os.lstat(dest)
    if stat.S_ISLNK(info.st_mode):
        raise _Refused("it is a symbolic link (fix the file it points to instead)")
    if not stat.S_ISREG(info.st_mode):
        raise _Refused("not a regular file")
    if files._read_bytes(dest) != state.original:
        raise _Refused("it changed while flash-guard was fixing it")
    import tempfile  # deferred: only writing fixes needs it

    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".fg-tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(state.data())
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, stat.S_IMODE(info.st_mode))
        os.replace(tmp, dest)  # replaces the directory entry; never writes through a link
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{('es' if word.endswith('x') else 's') * (n != 1)}"


def check_with_fixes(request, args) -> tuple[object, object, int | None]:
    """The `check` command's fix options. Returns (result, workspace, exit code or None to go
    on reporting `result`)."""
    from flash_guard.pipeline import run_check

    fix, diff, fix_only = args.fix, args.diff, args.fix_only
    unsafe = args.unsafe_fixes
    if not (fix or diff or fix_only):
        result, analysis, evaluation, workspace = run_check(request)
        # Nothing below reads the facts of every file: freed before the fixers parse theirs.
        del analysis
        caches = _open_caches(request, workspace)
        attach_fixes(result, evaluation, workspace.root, None, caches)
        if caches is not None:
            caches.save()
        return result, workspace, None
    run = fix_project(request, unsafe)
    left = len(run.result.findings)
    hidden = (
        sum(1 for f in run.result.findings if f.fixes and f.fixes[0].applicability == UNSAFE)
        if not unsafe
        else 0
    )
    counts = f"{_plural(len(run.applied), 'fix')} in {_plural(len(run.changed), 'file')}"
    tail = f"; {left} left" + (f" ({hidden} with an unsafe fix: --unsafe-fixes)" if hidden else "")
    if diff:
        text = run.diff()
        sys.stdout.write(text)
        _notices(run, "would need")
        print(f"flash-guard: would apply {counts}{tail}", file=sys.stderr)
        return run.result, run.workspace, 1 if text else 0
    problems = write(run)
    for problem in problems:
        print(f"flash-guard: {problem}", file=sys.stderr)
    _notices(run, "action needed")
    if run.unwritten:  # count only what reached the disk ("applied 4 fixes in 2 files" wrote one)
        written = [fix for fix in run.applied if fix.path not in run.unwritten]
        files = {fix.path for fix in written}
        counts = f"{_plural(len(written), 'fix')} in {_plural(len(files), 'file')}"
    print(f"flash-guard: applied {counts}{tail}", file=sys.stderr)
    if problems:
        raise UsageError(f"{_plural(len(problems), 'file')} could not be written")
    return run.result, run.workspace, 0 if fix_only else None


def _notices(run: FixRun, lead: str) -> None:
    for fix in run.applied:
        if fix.notice:
            print(f"flash-guard: {lead}: {fix.notice}", file=sys.stderr)
