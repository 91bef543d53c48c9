"""Local-path lines of an app's requirements.txt (`../shared`, `-e ../shared`,
`common @ file:../common`, `file:///abs/path`): what each build does with them.

Both builds hand the app's requirements.txt lines to `pip install --target <artifact>`
(runpod-flash 1.21 cli/commands/build.py `collect_requirements` -> `install_dependencies`;
runpod 2.0rc2 apps/build.py `collect_requirements` -> `vendor`), so a plain path is built and
copied into the artifact, from wherever it is on the build machine. Editable lines differ:
runpod-flash passes each line to pip as one argument, so `-e ../shared` reaches pip as the
option `-e` with the value ` ../shared` (pip: "is not a valid editable requirement", the build
fails) and `-e../shared` / `--editable=../shared` install only an `__editable__` finder
pointing at the build machine's directory; runpod 2.0 skips every line starting with `-`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from flash_guard.project.sdk_version import _toml, read_text, requirement_lines
from flash_guard.run_cache import note_input
from flash_guard.sdk.distributions import normalise

# `-e X` / `--editable X`: one argument to pip in runpod-flash (pip rejects it);
# `-eX` / `--editable=X`: pip accepts it and installs an editable finder.
SEPARATE = "separate"
ATTACHED = "attached"
_EDITABLE = re.compile(r"^(?:(?P<sep>-e|--editable)\s+|-e(?=\S)|--editable=)(?P<target>.*)$")
_NAME_AT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*@\s*(?P<url>.+)$")


@dataclass(frozen=True)
class LocalRequirement:
    """One line of the app's requirements.txt that installs a directory (or an editable)."""

    path: str  # the requirements file, project-relative
    line: int
    end_line: int
    end_column: int
    written: str  # the logical line as written
    target: str  # the path or URL the line installs from
    editable: str  # "", SEPARATE or ATTACHED
    location: Path | None  # the directory or archive on disk, None for a non-local URL
    inside_app: bool  # the location is in the app's directory, which the build ships
    distribution: str | None  # the name its pyproject.toml / setup.cfg / #egg= declares
    modules: frozenset[str]  # the top-level packages and modules it installs

    @property
    def exists(self) -> bool:
        return self.location is not None and _exists(self.location)

    @property
    def names(self) -> frozenset[str]:
        """Normalised names an import can be matched to (`provided`)."""
        named = {normalise(self.distribution)} if self.distribution else set()
        return frozenset(named | {normalise(m) for m in self.modules})

    def shown(self) -> str:
        """How a message names what the line installs."""
        if len(self.modules) == 1:
            return f"`{next(iter(self.modules))}`"
        if self.distribution:
            return f"`{self.distribution}`"
        return f"the package at `{self.target}`"


def local_requirements(root: Path, app: str) -> list[LocalRequirement]:
    """The app's requirements.txt lines that install a local path or are editable: the only
    requirement file either build reads."""
    base = root if app == "." else root / app
    rel = "requirements.txt" if app == "." else f"{app}/requirements.txt"
    text = read_text(base / "requirements.txt")
    if text is None:
        return []
    lines = text.splitlines()
    out = []
    for first, last, logical in requirement_lines(text):
        found = _local(logical, base)
        if found is None:
            continue
        target, editable, location = found
        inside = location is not None and _is_inside(location, base)
        distribution, modules = _declared(location) if location is not None else (_egg(target), ())
        out.append(
            LocalRequirement(
                rel, first, last, len(lines[last - 1]) + 1, logical, target, editable,
                location, inside, distribution, frozenset(modules),
            )
        )  # fmt: skip
    return out


def _local(logical: str, base: Path) -> tuple[str, str, Path | None] | None:
    """(target, editable form, location) of a line that installs a path or is editable."""
    editable = ""
    text = logical.strip()
    match = _EDITABLE.match(text)
    if match:
        editable = SEPARATE if match.group("sep") else ATTACHED
        text = match.group("target").strip()
    if text.startswith("-"):
        return None  # `-r`, `-c`, `--index-url`, ...: not a requirement
    text = text.split(" --", 1)[0].split(";", 1)[0].strip()  # per-requirement options, markers
    named = _NAME_AT.match(text)
    if named:
        text = named.group("url").strip()
    location = _location(text, base)
    if location is None and not editable:
        return None
    return text, editable, location


def _location(text: str, base: Path) -> Path | None:
    """The path a requirement installs from (`../x`, `./x[extra]`, `file:../x`,
    `file:///abs/x`), resolved as the build resolves it: from the app's directory, where
    `flash build` runs (build.py `discover_flash_project`: the working directory) and where
    `rp flash deploy` is usually run. None for a distribution name or a remote URL."""
    text = text.split("#", 1)[0]
    if text.startswith("file:"):
        text = re.sub(r"^file:(//(localhost)?(?=/))?", "", text)
    elif "://" in text or "/" not in text and not text.startswith("."):
        return None  # a remote URL, or a distribution name
    text = re.sub(r"\[[^\]]*\]$", "", text)  # `../shared[extra]`
    path = Path(text)
    return path if path.is_absolute() else base / path


def _exists(path: Path, directory: bool = False) -> bool:
    """Whether `path` exists (is a directory), for any text a requirements line holds."""
    note_input(path)  # it may lie outside the checked trees: a recorded run watches it
    try:
        return path.is_dir() if directory else path.exists()
    except (OSError, ValueError):  # an embedded NUL, a name too long
        return False


def _is_inside(location: Path, base: Path) -> bool:
    try:
        location.resolve().relative_to(base.resolve())
    except (OSError, ValueError, RuntimeError):  # a symlink loop
        return False
    return True


def _declared(location: Path) -> tuple[str | None, set[str]]:
    """The distribution name a directory's pyproject.toml (or setup.cfg) declares and the
    top-level packages and modules it holds (flat or `src/` layout): what installing it
    makes importable."""
    if not _exists(location, directory=True):
        return None, set()
    data = _toml(read_text(location / "pyproject.toml") or "") or {}
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    declared = project.get("name")
    if not isinstance(declared, str):
        cfg = read_text(location / "setup.cfg") or ""
        match = re.search(r"^\s*name\s*=\s*(\S+)", cfg, re.MULTILINE)
        declared = match.group(1) if match else None
    modules: set[str] = set()
    for directory in (location, location / "src"):
        modules.update(_top_level(directory))
    return (declared if isinstance(declared, str) else None), modules


_NOT_MODULES = frozenset({"setup", "conftest", "noxfile", "tasks"})
_NOT_PACKAGES = frozenset({"tests", "test", "docs", "examples", "build", "dist"})


def _top_level(directory: Path) -> set[str]:
    note_input(directory)  # its mtime changes when an entry comes or goes
    try:
        entries = list(directory.iterdir())
    except (OSError, ValueError):
        return set()
    out = set()
    for entry in entries:
        stem = entry.name.removesuffix(".py")
        if not stem.isidentifier():
            continue
        module = entry.is_file() and entry.suffix == ".py" and stem not in _NOT_MODULES
        package = entry.is_dir() and (entry / "__init__.py").is_file()
        if module or (package and stem not in _NOT_PACKAGES):
            out.add(stem)
    return out


def _egg(target: str) -> str | None:
    match = re.search(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)", target)
    return match.group(1) if match else None


@dataclass(frozen=True)
class UvSource:
    """A dependency of the app's pyproject.toml that uv takes from a local directory
    (`[tool.uv.sources] name = { path = "../x" }` or `{ workspace = true }`): neither build
    reads pyproject.toml, so it reaches the worker only through requirements.txt."""

    name: str  # normalised
    path: str  # the directory, relative to the app's directory ('/'-separated)
    pyproject: str  # the app's pyproject.toml, project-relative
    line: int
    modules: frozenset[str]


_MAX_WORKSPACE_LEVELS = 8


def uv_sources(root: Path, app: str) -> list[UvSource]:
    """The app's `[tool.uv.sources]` entries that point at a local directory: `path =`
    (relative to the app) or `workspace = true` (the member of the enclosing uv workspace
    whose pyproject.toml declares that name). Sources the workspace root declares apply to
    every member, as uv applies them."""
    base = root if app == "." else root / app
    rel = "pyproject.toml" if app == "." else f"{app}/pyproject.toml"
    text = read_text(base / "pyproject.toml")
    data = _toml(text or "")
    if not data:
        return []
    workspace = _workspace_root(base)
    sources = {}
    if workspace is not None:
        sources.update(_sources(_toml(read_text(workspace / "pyproject.toml") or "") or {}))
    sources.update(_sources(data))
    lines = (text or "").splitlines()
    out = []
    for name, source in sources.items():
        directory = None
        if isinstance(source.get("path"), str):
            directory = base / source["path"]
        elif source.get("workspace") is True and workspace is not None:
            directory = _member(workspace, name)
        if directory is None or not _exists(directory, directory=True):
            continue
        line = next((n for n, t in enumerate(lines, 1) if t.strip().startswith(name)), 1)
        path = Path(os.path.relpath(directory, base)).as_posix()
        modules = set()
        for where in (directory, directory / "src"):
            modules.update(_top_level(where))
        out.append(UvSource(normalise(name), path, rel, line, frozenset(modules)))
    return out


def _sources(data: dict) -> dict[str, dict]:
    tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
    uv = tool.get("uv") if isinstance(tool.get("uv"), dict) else {}
    sources = uv.get("sources") if isinstance(uv.get("sources"), dict) else {}
    return {k: v for k, v in sources.items() if isinstance(v, dict)}


def _workspace_root(base: Path) -> Path | None:
    """The nearest directory at or above `base` whose pyproject.toml has
    `[tool.uv.workspace]` (uv's own search)."""
    directory = base.resolve()
    for _ in range(_MAX_WORKSPACE_LEVELS):
        data = _toml(read_text(directory / "pyproject.toml") or "") or {}
        tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
        uv = tool.get("uv") if isinstance(tool.get("uv"), dict) else {}
        if isinstance(uv.get("workspace"), dict):
            return directory
        if directory.parent == directory:
            break
        directory = directory.parent
    return None


def _member(workspace: Path, name: str) -> Path | None:
    """The workspace member (a `members` glob match) whose project name is `name`."""
    data = _toml(read_text(workspace / "pyproject.toml") or "") or {}
    members = data["tool"]["uv"]["workspace"].get("members", [])
    for pattern in members if isinstance(members, list) else []:
        if not isinstance(pattern, str):
            continue
        try:
            matches = sorted(workspace.glob(pattern))
        except (OSError, ValueError, NotImplementedError):  # an absolute or empty pattern
            continue
        for directory in matches:
            declared, _ = _declared(directory)
            if declared and normalise(declared) == normalise(name):
                return directory
    return None
