"""The discovery pipeline: file set -> parse (parallel when it pays) -> resolve -> endpoints."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from flash_guard.discover.facts import FileFacts, extract
from flash_guard.discover.frontend_flash import discover_endpoints
from flash_guard.discover.frontend_runpod2 import discover_runpod2
from flash_guard.discover.lexical import Unanalysable, note_lexed
from flash_guard.discover.parse import untrack_conversions
from flash_guard.discover.resolve import SDK2_PACKAGE, ModuleIndex, is_flash_module
from flash_guard.model import Endpoint, Span
from flash_guard.project.apps import AppMap, keep_app_map
from flash_guard.project.files import (
    HiddenPlaces,
    SourceFile,
    decode_late,
    list_files,
    list_hidden_runpod2,
    read_source,
)

# Parsing in a process pool pays only when many files need parsing and there
# are cores to spare. Measured on 2 cores (benchmarks/bench.py tree, 272 files
# parsed): per file, extraction costs ~0.75 ms, pickling its facts ~0.26 ms in
# the worker and unpickling ~0.22 ms in the parent; starting the pool ~35 ms
# (importing concurrent.futures included). Two workers on two cores were no
# faster than one process even at 1,000 files, so a pool is used by default only
# from 4 cores (a worker per core but one, as the parent unpickles meanwhile),
# and from this many files, where the same costs put the break-even at ~60-75.
PARALLEL_THRESHOLD = 64
# Hops of "imports a parsed module" followed to find route modules and re-exports.
AUTO_PARALLEL_MIN_CPUS = 4


@dataclass
class FileProblem:
    path: str
    message: str
    span: Span
    severity: str | None = None  # FG001's own (warning) unless set


@dataclass
class Analysis:
    root: Path
    sources: dict[str, SourceFile]
    modules: ModuleIndex
    endpoints: list[Endpoint]
    problems: list[FileProblem] = field(default_factory=list)
    runpod2_apps: list = field(default_factory=list)  # frontend_runpod2.AppDecl, import order
    # project/sdk_version.SdkVersions, set by the pipeline once the configuration is known
    sdk_versions: object = None
    # The facts cache, saved again after evaluation: a rule may parse a module on demand
    # (FG108 resolving `os.environ[TOKEN_VAR]` through `from settings import TOKEN_VAR`).
    cache: object = None
    # Files read only for the runpod 2.0 Apps rc2 deploys from them: in a dot-directory or
    # ignored, which the listing leaves out (project/files.py, list_hidden_runpod2).
    hidden: frozenset[str] = frozenset()
    # The import lines, of modules no pass parsed, that may name a project package with an
    # `__init__.py` (`_package_import_hints`), kept for FG301 after the others are dropped.
    package_import_hints: dict[str, str] = field(default_factory=dict)

    @property
    def files_checked(self) -> int:
        return len(self.sources)


def extract_safely(item: tuple[str, str]) -> FileFacts:
    path, text = item
    try:
        return extract(path, text)
    except Exception as exc:  # one file we cannot analyse must not stop the run
        return _unanalysable(path, exc)
    except BaseException as exc:  # a Rust panic in the parser arrives as a BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        return _unanalysable(path, exc)


def _unanalysable(path: str, exc: BaseException) -> FileFacts:
    facts = FileFacts(path=path)
    reason = str(exc) if isinstance(exc, Unanalysable) else exc.__class__.__name__
    facts.read_error = f"could not be analysed: {reason}"
    return facts


def _available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # honours taskset and container CPU sets
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _workers(jobs: int | None) -> int:
    if jobs is not None:
        return max(1, jobs)
    cpus = _available_cpus()
    return cpus - 1 if cpus >= AUTO_PARALLEL_MIN_CPUS else 1


def _extract_all(items: list[tuple[str, str]], jobs: int | None, cache=None) -> list[FileFacts]:
    """Facts of every (path, text); from the facts cache (discover/cache.py) where the text
    was analysed before, extracted (and recorded there) otherwise."""
    if cache is None:
        out = _extract_uncached(items, jobs)
        _note_lexed(items, out)
        return out
    out = [cache.get(path, text) for path, text in items]
    misses = [i for i, facts in enumerate(out) if facts is None]
    fresh = _extract_uncached([items[i] for i in misses], jobs)
    _note_lexed([items[i] for i in misses], fresh)
    for i, facts in zip(misses, fresh, strict=True):
        path, text = items[i]
        cache.put(path, text, facts)
        out[i] = facts
    return out


def _note_lexed(items: list[tuple[str, str]], facts: list[FileFacts]) -> None:
    """Remember the texts `lex` accepted (extracted without a read error), so the fix engine
    does not lex them again (lexical.lexed_here)."""
    for (_, text), one in zip(items, facts, strict=True):
        if one.read_error is None:
            note_lexed(text)


def _extract_uncached(items: list[tuple[str, str]], jobs: int | None) -> list[FileFacts]:
    workers = _workers(jobs)
    if workers > 1 and len(items) >= PARALLEL_THRESHOLD:
        facts = _extract_in_pool(items, workers)
        if facts is not None:
            return facts
    return [extract_safely(item) for item in items]


def _extract_in_pool(items: list[tuple[str, str]], workers: int) -> list[FileFacts] | None:
    """Parse in worker processes (ast-grep-py holds the GIL, so threads would not run in
    parallel); None when no pool can be had or it broke, and the caller parses here."""
    from concurrent.futures import ProcessPoolExecutor  # deferred: ~15 ms to import
    from concurrent.futures.process import BrokenProcessPool

    chunk = max(1, len(items) // (workers * 4))
    try:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(extract_safely, items, chunksize=chunk))
    except (BrokenProcessPool, OSError):  # a worker died, or processes are not allowed
        return None
    except Exception:  # e.g. a result that would not pickle: parse here instead
        return None


def analyse(
    paths: list[str],
    root: Path,
    exclude: list[str],
    in_git: bool,
    jobs: int | None = None,
    cache=None,
    cwd: Path | None = None,
) -> Analysis:
    """`cache`: a discover/cache.FactsCache, or None to parse every file. `cwd`: where
    relative `paths` start from (the process's working directory when None)."""
    untrack_conversions()  # an earlier analysis's snippets are not this one's to forget
    hidden_places = HiddenPlaces()
    sources = {s.path: s for s in list_files(paths, root, exclude, in_git, cwd, hidden_places)}
    for source in sources.values():
        read_source(source)
    problems: list[FileProblem] = []
    first = [s for s in sources.values() if s.candidate]
    # An unreadable file may hold declarations; say so rather than skip it silently.
    for source in sources.values():
        if source.problem is not None and not source.candidate:
            problems.append(FileProblem(source.path, source.problem, Span(1, 1, 1, 1)))

    def load_on_demand(path: str) -> FileFacts | None:
        # A module whose constants a declaration imports: parsed when first needed.
        source = sources[path]
        if source.text is None and source.problem is None:
            decode_late(source)
        if source.text is None:
            return None
        facts = _extract_all([(path, source.text)], 1, cache)[0]
        source.text = None  # parsed: the facts are all that is needed from here on
        if facts.read_error:
            problems.append(FileProblem(path, facts.read_error, Span(1, 1, 1, 1), "error"))
        elif facts.parse_error is not None:
            problems.append(FileProblem(path, facts.parse_error_text, facts.parse_error))
        return facts

    apps = AppMap(root)
    versions = []  # made on first use: most projects have no try/except pair of SDK imports

    def installs(path: str, module: str) -> bool:
        if not versions:
            from flash_guard.project.sdk_version import SdkVersions

            versions.append(SdkVersions(root))
        found = versions[0].for_app(apps.app_of(path), module)
        return found is not None and found.kind not in ("newest", "config")

    project = ModuleIndex({}, list(sources), load_on_demand, installs)
    _parse_into(project, first, jobs, problems, cache)
    hidden: set[str] = set()
    if _uses_runpod2(project):
        # rc2 deploys Apps from dot-directories and ignored files too (files.py)
        extra = list_hidden_runpod2(hidden_places, root, exclude, set(sources))
        for source in extra:
            sources[source.path] = source
            hidden.add(source.path)
        _parse_into(project, extra, jobs, problems, cache)
    _second_pass(project, sources, jobs, problems, cache)
    package_hints = _package_import_hints(project, sources)
    for source in sources.values():  # read by the second pass only; on a big tree, megabytes
        source.forget_imports()
    if cache is not None:
        # Saved before discovery: the encoded facts of a big tree (megabytes) are released
        # before discovery's own allocations, which reuse their memory. A module parsed on
        # demand later is added to the file by the saves after discovery and evaluation.
        # A run over the whole project knows every file: entries of deleted ones go.
        whole = any(os.path.realpath(p) == os.path.realpath(root) for p in paths)
        cache.save(keep=set(sources) if whole else None)
    endpoints = discover_endpoints(project)
    if hidden:  # read for their runpod 2.0 Apps only: runpod-flash code there is not analysed
        endpoints = [e for e in endpoints if e.path not in hidden]
    runpod2, runpod2_apps = discover_runpod2(project, lambda path: text_of(sources, path))
    endpoints = sorted(endpoints + runpod2, key=lambda e: (e.path, e.span.line, e.span.column))
    for endpoint in endpoints:
        # One a project factory built belongs to the app that calls the factory (a shared
        # `packages/common` making every app's endpoints): that app's build deploys it.
        home = endpoint.factory_call[0] if endpoint.factory_call else endpoint.path
        endpoint.app = apps.app_of(home)
        _share_empty_lists(endpoint)
    problems.sort(key=lambda p: (p.path, p.span))
    if cache is not None:
        cache.save()  # only when discovery parsed a module on demand
    analysis = Analysis(
        root,
        sources,
        project,
        endpoints,
        problems,
        runpod2_apps,
        cache=cache,
        hidden=frozenset(hidden),
        package_import_hints=package_hints,
    )
    keep_app_map(analysis, apps)  # the rules ask the same directories again
    return analysis


# Endpoint's list fields: filled by discovery only, read as sequences after it.
_ENDPOINT_LISTS = tuple(f.name for f in fields(Endpoint) if f.default_factory is list)


def _share_empty_lists(endpoint: Endpoint) -> None:
    """The endpoint's empty lists become the one empty tuple once discovery is over: a big
    tree's thousands of endpoints have seven empty lists each (~1 MiB at the peak)."""
    for name in _ENDPOINT_LISTS:
        if getattr(endpoint, name) == []:
            setattr(endpoint, name, ())


def _uses_runpod2(project: ModuleIndex) -> bool:
    """Whether a parsed file imports runpod 2.0 (`import runpod`, `from runpod import App`)."""
    return any(
        binding.level == 0 and binding.module.split(".", 1)[0] == SDK2_PACKAGE
        for facts in project.files.values()
        for binding in facts.imports
    )


def _parse_into(
    project: ModuleIndex, batch: list[SourceFile], jobs, problems: list[FileProblem], cache=None
) -> None:
    items = []
    for source in batch:
        if source.problem is not None:
            problems.append(FileProblem(source.path, source.problem, Span(1, 1, 1, 1)))
        elif source.text is not None:
            items.append((source.path, source.text))
            source.text = None  # parsed below: keep one copy of the text, not two
    for facts in _extract_all(items, jobs, cache):
        if facts.read_error:
            problems.append(FileProblem(facts.path, facts.read_error, Span(1, 1, 1, 1), "error"))
        elif facts.parse_error is not None:
            problems.append(FileProblem(facts.path, facts.parse_error_text, facts.parse_error))
        project.add_file(facts)


def _second_pass(
    project: ModuleIndex, sources: dict[str, SourceFile], jobs, problems, cache=None
) -> None:
    """Parse the modules with no Flash import of their own that import from a parsed file:
    a route module (`from app import api`, then `@api.get`), or a package re-exporting
    Flash names (`common/__init__.py`: `from compat import Endpoint`), and then the modules
    importing *those*, round after round: a fixpoint over import chains of any length.
    The parsed set is the visited set (each file is parsed at most once), so it ends after
    at most one round per file; an import cycle adds nothing new and stops it."""
    new = set(project.files)
    if not new:
        return  # nothing parsed, nothing to import from: no file's import lines are read
    waiting = {
        path: source
        for path, source in sources.items()
        if path not in project.files and not source.candidate and source.import_hints
    }
    # stem -> the waiting files one of whose import lines could name a module with it.
    by_stem: dict[str, set[str]] = {}
    for path, source in waiting.items():
        for stem in _hint_stems(path, source):
            by_stem.setdefault(stem, set()).add(path)
    while new and waiting:
        parsed = set(project.files)
        stems = {_module_stem(path) for path in parsed}
        suspects = set().union(*(by_stem.get(_module_stem(path), ()) for path in new))
        batch = []
        for path in sorted(suspects):
            source = waiting.get(path)
            if source is not None and _imports_any(project, source, parsed, stems):
                del waiting[path]
                decode_late(source)
                batch.append(source)
        _parse_into(project, batch, jobs, problems, cache)
        new = set(project.files) - parsed


def _hint_stems(path: str, source: SourceFile) -> set[str]:
    """Every module stem `source`'s import lines could resolve to (see _imports_any)."""
    stems: set[str] = set()
    package = path.split("/")[:-1]
    for module, names in source.import_hints:
        level = len(module) - len(module.lstrip("."))
        bare = module.lstrip(".")
        if not level and is_flash_module(bare):
            continue
        if bare:
            stems.add(bare.rpartition(".")[2])
        elif level <= len(package):  # `from . import x`: the package itself
            stems.add(package[len(package) - level] if level else "")
        stems.update(names)
    return stems


def _module_stem(path: str) -> str:
    """The last part of the module name `path` is indexed under (see ModuleIndex)."""
    parts = path[:-3].split("/") if path.endswith(".py") else path.split("/")
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return parts[-1] if parts else ""


def _imports_any(
    project: ModuleIndex, source: SourceFile, parsed: set[str], stems: set[str]
) -> bool:
    # A dotted name can only resolve to a parsed file whose stem is its last part,
    # so most import lines are ruled out without a module lookup. `from . import x`
    # (a package itself) has no such part and is always looked up.
    for module, names in source.import_hints:
        level = len(module) - len(module.lstrip("."))
        bare = module.lstrip(".")
        if not level and is_flash_module(bare):
            continue
        possible = (level and not bare) or bare.rpartition(".")[2] in stems
        if possible and project.find_module(source.path, bare, level) in parsed:
            return True
        for name in names:
            if name not in stems:
                continue
            sub = f"{bare}.{name}" if bare else name
            if project.find_module(source.path, sub, level) in parsed:
                return True
    return False


def _package_import_hints(project: ModuleIndex, sources: dict[str, SourceFile]) -> dict[str, str]:
    """{path: import lines} of the modules no pass parsed whose import lines may name a
    project package with an `__init__.py` (`from workers import speak`, `import workers`,
    `from . import x`): `flash build` (1.11+) imports every module, those helpers too, and
    FG301 parses the few of them whose package's `__init__.py` provides an imported name.
    A tree without packages keeps nothing; the hints were already read by the second pass.
    Each file's kept lines are one string (`decoded_hints` reads it back): thousands of small
    tuples and lists held to the end of a run on a big tree cost a few MiB of peak memory."""
    packages = {_module_stem(path) for path in project.known_paths if path.endswith("/__init__.py")}
    if not packages:
        return {}
    out = {}
    for path, source in sources.items():
        if path in project.files or not source.import_lines:
            continue
        kept = [
            " ".join((module, *names))
            for module, names in source.import_hints
            if module.startswith(".") or not packages.isdisjoint(module.split("."))
        ]
        if kept:
            out[path] = "\n".join(kept)
    return out


def decoded_hints(encoded: str) -> list[tuple[str, list[str]]]:
    """The (module, names) import lines `_package_import_hints` kept as one string."""
    out = []
    for line in encoded.split("\n") if encoded else ():
        module, *names = line.split(" ")
        out.append((module, names))
    return out


def text_of(sources: dict[str, SourceFile], path: str) -> str | None:
    """A file's text for a front-end that parses it again (discovery drops it once parsed)."""
    source = sources.get(path)
    if source is None:
        return None
    if source.text is not None:
        return source.text
    try:
        return source.abspath.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
