"""The discovery pipeline: file set -> parse (parallel when it pays) -> resolve -> endpoints."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from flash_guard.discover.declarations import discover_endpoints
from flash_guard.discover.extract import FileFacts, extract
from flash_guard.files import SourceFile, decode_late, list_files, read_source
from flash_guard.model import Endpoint, Span
from flash_guard.resolve import Project, is_flash_module

# Below this many files a process pool costs more to start than it saves.
PARALLEL_THRESHOLD = 48


@dataclass
class FileProblem:
    path: str
    message: str
    span: Span


@dataclass
class Analysis:
    root: Path
    sources: dict[str, SourceFile]
    project: Project
    endpoints: list[Endpoint]
    problems: list[FileProblem] = field(default_factory=list)

    @property
    def files_checked(self) -> int:
        return len(self.sources)


def _extract_one(item: tuple[str, str]) -> FileFacts:
    path, text = item
    try:
        return extract(path, text)
    except (RecursionError, MemoryError, ValueError, RuntimeError) as exc:
        facts = FileFacts(path=path)
        facts.read_error = f"could not be analysed: {exc.__class__.__name__}"
        return facts


def _extract_all(items: list[tuple[str, str]], jobs: int | None) -> list[FileFacts]:
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers > 1 and len(items) >= PARALLEL_THRESHOLD:
        # ast-grep-py holds the GIL while parsing, so only processes run in parallel.
        chunk = max(1, len(items) // (workers * 4))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(_extract_one, items, chunksize=chunk))
    return [_extract_one(item) for item in items]


def analyse(
    paths: list[str],
    root: Path,
    exclude: list[str],
    in_git: bool,
    jobs: int | None = None,
) -> Analysis:
    sources = {s.path: s for s in list_files(paths, root, exclude, in_git)}
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
        facts = _extract_one((path, source.text))
        if facts.parse_error is not None:
            problems.append(FileProblem(path, facts.parse_error_text, facts.parse_error))
        return facts

    project = Project({}, known_paths=list(sources), loader=load_on_demand)
    _parse_into(project, first, jobs, problems)
    _second_pass(project, sources, jobs, problems)
    endpoints = discover_endpoints(project)
    problems.sort(key=lambda p: (p.path, p.span))
    return Analysis(root, sources, project, endpoints, problems)


def _parse_into(
    project: Project, batch: list[SourceFile], jobs, problems: list[FileProblem]
) -> None:
    items = []
    for source in batch:
        if source.problem is not None:
            problems.append(FileProblem(source.path, source.problem, Span(1, 1, 1, 1)))
        elif source.text is not None:
            items.append((source.path, source.text))
    for facts in _extract_all(items, jobs):
        if facts.read_error:
            problems.append(FileProblem(facts.path, facts.read_error, Span(1, 1, 1, 1)))
        elif facts.parse_error is not None:
            problems.append(FileProblem(facts.path, facts.parse_error_text, facts.parse_error))
        project.add_file(facts)


def _second_pass(project: Project, sources: dict[str, SourceFile], jobs, problems) -> None:
    """Parse route modules that have no Flash import of their own but import an endpoint
    object (or anything) from a first-pass file: `from app import api` then `@api.get`."""
    first = set(project.files)
    batch = []
    for source in sources.values():
        if source.path in first or source.candidate or not source.import_hints:
            continue
        if _imports_any(project, source, first):
            decode_late(source)
            batch.append(source)
    _parse_into(project, batch, jobs, problems)


def _imports_any(project: Project, source: SourceFile, parsed: set[str]) -> bool:
    for module, names in source.import_hints:
        level = len(module) - len(module.lstrip("."))
        bare = module.lstrip(".")
        if not level and is_flash_module(bare):
            continue
        if project.find_module(source.path, bare, level) in parsed:
            return True
        for name in names:
            sub = f"{bare}.{name}" if bare else name
            if project.find_module(source.path, sub, level) in parsed:
                return True
    return False
