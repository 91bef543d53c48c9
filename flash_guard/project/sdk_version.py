"""The SDK version in use, per app (rules.md "Words: SDK version in use").

In order: a lock file (`uv.lock`, `poetry.lock`, `pdm.lock`, `Pipfile.lock`), then a pin in a
requirement file (`requirements*.txt`, `pyproject.toml`: an exact pin, or the newest known
release a range allows), then the configuration's `sdk_version`, then the newest release
flash-guard knows. Files are read as data (TOML, JSON, requirement lines) and never executed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flash_guard.model import Value
from flash_guard.sdk import releases, runpod2_tables
from flash_guard.sdk.distributions import normalise
from flash_guard.sdk.runpod1_names import RUNPOD1_VERSION

try:  # Python 3.11+
    import tomllib
except ImportError:  # pragma: no cover - Python 3.10 installs tomli (pyproject.toml)
    import tomli as tomllib

# The import name of each SDK package and the distribution it is installed as.
DISTRIBUTIONS = {"runpod_flash": "runpod-flash", "tetra_rp": "tetra-rp"}
# The runpod 2.0 Apps API ships in the `runpod` distribution, whose 1.x releases are the classic
# serverless SDK without `App`. flash-guard knows one 2.0 release: the one its tables were
# generated from (sdk/runpod2_tables.py).
RUNPOD2_MODULE = "runpod"
RUNPOD2_DISTRIBUTION = "runpod"
LOCK_FILES = ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock")
# Lock files of large projects run to a few MB; anything far beyond is not a lock file.
MAX_BYTES = 16 * 1024 * 1024
_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$")


@dataclass(frozen=True)
class Requirement:
    """One requirement naming a distribution, where it is written."""

    name: str  # normalised (PEP 503)
    specifier: str  # "==1.21.0", ">=1.20", "^1.21", "" for none
    path: str  # project-relative, '/'-separated
    line: int
    # What a build installs on the worker: requirements.txt itself, pyproject's
    # [project].dependencies and Poetry's main dependencies; not requirements-dev.txt,
    # optional dependencies or dependency groups (FG305 reads only these; FG111 reads all).
    main: bool = True
    # named only by a URL's #egg= or wheel file: installs what the URL holds, no release to
    # read (the SDK release in use ignores it, as it always has)
    url: bool = False
    # the last physical line of the requirement (a `\`-continued one spans several) and
    # whether it carries per-requirement options such as `--hash` (pip-compile and
    # `uv pip compile --generate-hashes` write them)
    end_line: int = 0
    options: bool = False
    # `-e ...` / `--editable=...`: neither build puts an editable install on the worker
    # (project/local_requirements.py)
    editable: bool = False


@dataclass(frozen=True)
class SdkInUse:
    """The SDK release an app's checks are made against, and where that came from.

    `version` is what the project names; `facts_version` the recorded release whose facts
    are used (the same, unless the project names a release flash-guard has not recorded).
    `kind`: lock | pin | range | unpinned | unusable | config | newest (unusable: a
    requirement names a version that is none, or a range that allows no recorded release;
    `note` says which). `path`/`line` locate the lock
    entry or requirement (None for config/newest).
    """

    package: str  # distribution: runpod-flash | tetra-rp
    version: str
    facts_version: str
    kind: str
    path: str | None = None
    line: int | None = None
    specifier: str = ""
    # Why the release that gets installed may not be the one checked against (runpod: a range
    # or bare name that admits no 2.0 pre-release installs 1.x); "" when nothing to say.
    note: str = ""
    # A lock file that is there but could not be read ("could not read uv.lock: not valid
    # TOML (...)"): the release may be locked there, so the source says so; "" when none.
    unread: str = ""

    @property
    def pinned(self) -> bool:
        """Locked or pinned to one release (FG111 passes)."""
        return self.kind in ("lock", "pin")

    @property
    def source(self) -> str:
        if self.kind == "config":  # path, when set, is the requirement that names no version
            text = "sdk_version in the configuration"
            return f"{text}; {self.unread}" if self.unread else text
        if self.path is not None:
            return f"{self.path}:{self.line}"
        return f"the newest release flash-guard knows; {self.unread or 'no lock file or pin'}"

    def describe(self) -> str:
        """'runpod-flash 1.21.0 (uv.lock:123)', and the notes when there are some."""
        text = f"{self.package} {self.version} ({self.source})"
        if self.unread and self.path is not None:
            text = f"{text}; {self.unread}"
        return f"{text}; {self.note}" if self.note else text

    def this_app(self) -> str:
        """The clause a version-dependent message ends with."""
        if self.kind == "lock":
            return f"this app pins {self.version} in {self.source}"
        if self.kind == "pin":
            return f"this app pins {self.version} in {self.source}"
        if self.kind == "range":
            return (
                f"this app allows {self.package}{self.specifier} in {self.source}, "
                f"newest {self.version}"
            )
        if self.kind == "unpinned":
            return (
                f"this app names {self.package} without a version in {self.source}; "
                f"checked against {self.version}, the newest release flash-guard knows"
            )
        if self.kind == "unusable":
            return (
                f"{self.source}: {self.note}; this app is checked against {self.version}, "
                "the newest release flash-guard knows"
            )
        if self.kind == "config":
            return f"this app is checked against {self.version} (sdk_version in the configuration)"
        return f"this app is checked against {self.version}, the newest release flash-guard knows"


def read_text(path: Path) -> str | None:
    """A regular file's text, or None: symlinks, huge files and undecodable text are skipped."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_BYTES:
            return None
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


# -- requirement files --------------------------------------------------------------------


def parse_requirement(text: str) -> tuple[str, str] | None:
    """(normalised name, specifier) of a PEP 508 requirement string, or None."""
    text = text.split(";", 1)[0].strip()
    if not text or text.startswith(("-", ".", "/")):
        return None
    if "://" in text.split(" @ ", 1)[0]:  # a URL names its distribution with #egg= or a wheel
        egg = _EGG.search(text) or _WHEEL.search(text)
        return (normalise(egg.group(1)), "") if egg else None
    match = _REQ_NAME.match(text)
    if match is None:
        return None
    rest = match.group(3).strip()
    if rest.startswith("@"):
        rest = ""  # a direct URL: no version constraint flash-guard can read
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1].strip()
    return normalise(match.group(1)), rest.replace(" ", "")


def requirement_extras(text: str) -> tuple[str, ...]:
    """The normalised extras a PEP 508 requirement asks for (`nemo_toolkit[asr]` -> `asr`)."""
    text = text.split(";", 1)[0]
    if "://" in text.split(" @ ", 1)[0]:
        return ()
    match = _REQ_NAME.match(text)
    if match is None or match.group(2) is None:
        return ()
    return tuple(normalise(e.strip()) for e in match.group(2)[1:-1].split(",") if e.strip())


_REQUIREMENTS_FILE = re.compile(r"requirements.*\.txt")
_EGG = re.compile(r"#egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_WHEEL = re.compile(r"/([A-Za-z0-9][A-Za-z0-9._]*)-[^/-]+-[^/]*\.whl(?:[#?].*)?$")


def requirement_files(base: Path) -> list[tuple[str, Callable[[str, str], list[Requirement]]]]:
    """The requirement files in the directory `base`, each with its reader: every
    `requirements*.txt`, then `pyproject.toml`."""
    try:
        names = sorted(os.listdir(base))
    except OSError:
        return []
    found = [(name, requirements_txt) for name in names if _REQUIREMENTS_FILE.fullmatch(name)]
    if "pyproject.toml" in names:
        found.append(("pyproject.toml", pyproject_requirements))
    return found


# `-r other.txt`, `--requirement=other.txt`, `-c constraints.txt`, `--constraint other.txt`
_INCLUDE = re.compile(r"^(?:-r|-c|--requirement|--constraint)(?:\s+|=)(?P<file>[^\s#]+)")
_MAX_INCLUDE_DEPTH = 5


# pip's reading of a requirements file (pip/_internal/req/req_file.py): a comment starts at a
# `#` at the start of a line or after whitespace; a line ending in `\` continues on the next
# (a comment line ends the continuation); a logical line is the requirement, then its
# options from the first whitespace-separated token starting with `-`.
# pip writes it `(^|\s+)#.*$`, which re.sub tries at every position: quadratic on a line of
# a million spaces (over 30 s). A `#` at the start or after whitespace, found by lookbehind.
_COMMENT = re.compile(r"(?:^|(?<=\s))#")


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _without_comment(line: str) -> str:
    match = _COMMENT.search(line)
    return line if match is None else line[: match.start()]


def requirement_lines(text: str) -> list[tuple[int, int, str]]:
    """(first line, last line, logical line without comments) of each non-empty logical line
    of a requirements file, as pip joins them."""
    out: list[tuple[int, int, str]] = []
    pending: list[str] = []
    first = 0
    for number, raw in enumerate(text.splitlines(), 1):
        if raw.endswith("\\") and not _is_comment(raw):
            if not pending:
                first = number
            pending.append(raw[:-1])
            continue
        if _is_comment(raw) and pending:
            raw = " " + raw
        start = first if pending else number
        line = _without_comment("".join([*pending, raw])).strip()
        pending = []
        if line:
            out.append((start, number, line))
    if pending:
        line = _without_comment("".join(pending)).strip()
        if line:
            out.append((first, first + len(pending) - 1, line))
    return out


def split_options(line: str) -> tuple[str, str]:
    """(the requirement, its options) of a logical line: `pkg==1 --hash=sha256:...`. An
    editable one (`-e git+https://...#egg=name`) is the requirement its argument names."""
    tokens = line.split()
    if tokens and tokens[0] in ("-e", "--editable") and len(tokens) > 1:
        return tokens[1], " ".join(tokens[2:])
    if tokens and tokens[0].startswith("--editable="):
        return tokens[0].split("=", 1)[1], " ".join(tokens[1:])
    for index, token in enumerate(tokens):
        if token.startswith("-"):
            return " ".join(tokens[:index]), " ".join(tokens[index:])
    return line, ""


def requirements_txt(text: str, path: str) -> list[Requirement]:
    main = path.rsplit("/", 1)[-1] == "requirements.txt"
    out = []
    for first, last, logical in requirement_lines(text):
        line, options = split_options(logical)
        parsed = parse_requirement(line)
        if parsed is not None:
            url = "://" in line.split(" @ ", 1)[0]
            editable = logical.startswith(("-e", "--editable"))
            out.append(
                Requirement(
                    parsed[0], parsed[1], path, first, main, url, last, bool(options), editable
                )
            )
    return out


def pyproject_requirements(text: str, path: str) -> list[Requirement]:
    """PEP 621 dependencies (and optional ones, dependency groups) and Poetry dependencies."""
    data = _toml(text)
    if data is None:
        return []
    lines = text.splitlines()
    out = []
    main_specs = len(_strings(_mapping(data.get("project")).get("dependencies")))
    for index, spec in enumerate(_pep621_specs(data)):
        parsed = parse_requirement(spec)
        if parsed is not None:
            line = _line_of(lines, spec)
            url = "://" in spec.split(" @ ", 1)[0]
            out.append(Requirement(parsed[0], parsed[1], path, line, index < main_specs, url))
    poetry = _mapping(_mapping(data.get("tool")).get("poetry"))
    tables = [_mapping(poetry.get("dependencies"))]
    tables += [_mapping(g.get("dependencies")) for g in _mapping(poetry.get("group")).values()]
    for number, table in enumerate(tables):
        for name, constraint in table.items():
            if name.lower() == "python":
                continue
            if isinstance(constraint, dict):
                constraint = constraint.get("version", "")
            spec = _poetry_specifier(constraint) if isinstance(constraint, str) else ""
            line = _line_of(lines, name, key=True)
            out.append(Requirement(normalise(name), spec, path, line, number == 0))
    return out


def pyproject_specs(text: str) -> list[str]:
    """The PEP 621 requirement strings (dependencies, optional ones, dependency groups)."""
    data = _toml(text)
    return [] if data is None else _pep621_specs(data)


def _toml(text: str) -> dict | None:
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):  # huge ints, deep nesting
        return None


def _pep621_specs(data: dict) -> list[str]:
    project = _mapping(data.get("project"))
    specs = _strings(project.get("dependencies"))
    for group in _mapping(project.get("optional-dependencies")).values():
        specs += _strings(group)
    for group in _mapping(data.get("dependency-groups")).values():
        specs += _strings(group)
    return specs


def _poetry_specifier(constraint: str) -> str:
    """Poetry's bare version is an exact pin; `^`, `~`, ranges and `*` stay as written."""
    text = constraint.replace(" ", "")
    if re.fullmatch(r"\d+(\.\d+)*((a|b|rc)\d+)?", text):  # 2.0.0rc2 too
        return f"=={text}"
    return "" if text == "*" else text


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


def _strings(value) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _line_of(lines: list[str], needle: str, key: bool = False) -> int:
    """The 1-based line that writes `needle` (a quoted string, or a TOML key)."""
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if key and re.match(rf"[\"']?{re.escape(needle)}[\"']?\s*=", stripped):
            return number
        if not key and (f'"{needle}"' in line or f"'{needle}'" in line):
            return number
    return 1


# -- lock files ---------------------------------------------------------------------------


class LockUnreadable(Exception):
    """A lock file that is there but cannot be read; the message says why."""


# A version a lock file may record (PEP 440, public and local parts): anything else is not
# taken as the release that gets installed.
_VERSION = re.compile(
    r"v?\d+(?:\.\d+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?\d*)?"
    r"(?:[-_.]?(?:post|rev|r)[-_.]?\d*|-\d+)?(?:[-_.]?dev[-_.]?\d*)?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?",
    re.IGNORECASE,
)


def lock_versions(name: str, text: str) -> dict[str, tuple[str, int]]:
    """Normalised distribution -> (version, line) in one lock file's text; {} when it cannot
    be read (read_lock_versions says why)."""
    try:
        return read_lock_versions(name, text)
    except LockUnreadable:
        return {}


def read_lock_versions(name: str, text: str) -> dict[str, tuple[str, int]]:
    """Normalised distribution -> (version, line) in one lock file's text. LockUnreadable when
    the text is not the lock format."""
    if name == "Pipfile.lock":
        return _pipfile_lock(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LockUnreadable(f"not valid TOML ({exc})") from None
    except (ValueError, RecursionError):  # huge ints, deep nesting
        raise LockUnreadable("not valid TOML") from None
    packages = data.get("package")
    if packages is None:
        return {}
    if not isinstance(packages, list):
        raise LockUnreadable("`package` is not a list of [[package]] tables")
    lines = text.splitlines()
    out: dict[str, tuple[str, int]] = {}
    for entry in packages:
        if not isinstance(entry, dict):
            continue
        dist, version = entry.get("name"), entry.get("version")
        if not isinstance(dist, str):
            continue
        if isinstance(version, str):
            out.setdefault(normalise(dist), (version, _lock_line(lines, dist, version)))
        else:  # listed, version-less (uv omits a dynamic version): said, not "no lock file"
            out.setdefault(normalise(dist), (NO_VERSION, _lock_line(lines, dist, None)))
    return out


_MAX_VERSION_CHARS = 64

# The version read_lock_versions records for a package its lock lists without one (uv writes
# no `version` for a project with a dynamic version; Pipfile.lock none for an editable path).
NO_VERSION = ""


def _not_a_version(dist: str, version: str, line: int) -> str:
    """Why a locked version cannot be the release installed; "" when it is a version."""
    if version == NO_VERSION:
        return f"lists {dist} without a version (line {line})"
    if not version_problem(version):
        return ""
    return f"line {line}: {dist}'s version {not_a_version(version)}"


def not_a_version(version: str) -> str:
    """ "`1.999...` is not a version (a number of 29 digits)": what version_problem found."""
    why = version_problem(version)
    detail = f" ({why})" if why != "not a version" else ""
    return f"`{shown_version(version)}` is not a version{detail}"


def version_problem(version: str) -> str:
    """Why `version` cannot be a release ("a number of 29 digits"); "" when it can be one."""
    # PEP 440 sets no length limit, but no release is longer than this: a 5,000-digit
    # "version" is no release, and would be printed whole in every SDK line.
    if len(version) > _MAX_VERSION_CHARS:
        return f"longer than {_MAX_VERSION_CHARS} characters"
    if not _VERSION.fullmatch(version.strip()):
        return "not a version"
    release = re.match(r"\s*v?([\d.]+)", version)
    longest = max(map(len, release.group(1).split("."))) if release else 0
    if longest > releases.MAX_NUMBER_DIGITS:
        return f"a number of {longest} digits"
    return ""


def shown_version(text: str) -> str:
    """A version or specifier as a message shows it: at most 40 characters."""
    return text if len(text) <= 40 else text[:40] + "..."


def _lock_line(lines: list[str], dist: str, version: str | None) -> int:
    """The `version = "..."` line of the `[[package]]` entry named `dist` (its `name` line
    when `version` is None)."""
    name_line = re.compile(rf"^name\s*=\s*[\"']{re.escape(dist)}[\"']\s*$")
    for number, line in enumerate(lines, 1):
        if name_line.match(line.strip()):
            if version is None:
                return number
            for later in range(number, min(number + 8, len(lines))):
                if re.match(r"^version\s*=", lines[later].strip()) and version in lines[later]:
                    return later + 1
            return number
    return 1


def _pipfile_lock(text: str) -> dict[str, tuple[str, int]]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise LockUnreadable(f"not valid JSON ({exc})") from None
    except RecursionError:
        raise LockUnreadable("not valid JSON") from None
    if not isinstance(data, dict):
        raise LockUnreadable("not a JSON object")
    lines = text.splitlines()
    out: dict[str, tuple[str, int]] = {}
    for section in ("default", "develop"):
        for dist, entry in _mapping(_mapping(data).get(section)).items():
            version = _mapping(entry).get("version")
            if isinstance(version, str) and version.startswith("=="):
                line = _line_of(lines, dist)
                out.setdefault(normalise(dist), (version[2:], line))
            elif isinstance(entry, dict) and version is None:  # an editable path or VCS entry
                out.setdefault(normalise(dist), (NO_VERSION, _line_of(lines, dist)))
    return out


# -- per app ------------------------------------------------------------------------------


class SdkVersions:
    """Finds and caches the SDK version in use for each (app, package)."""

    def __init__(self, root: Path, configured: str | None = None):
        self.root = root
        self.configured = configured
        self._cache: dict[tuple[str, str], SdkInUse | None] = {}
        self._requirements: dict[str, tuple[list[Requirement], list[Requirement]]] = {}
        # requirement files that are there but could not be read, per app ("could not read
        # requirements.txt: not UTF-8 (...)"): their pins are not read, and that is said
        self._unread_requirements: dict[str, list[str]] = {}

    def for_app(self, app: str, module: str) -> SdkInUse | None:
        """The version in use for an app importing `module` (runpod_flash/tetra_rp, or runpod
        for a 2.0 app), or None for other packages."""
        package = DISTRIBUTIONS.get(module) or (
            RUNPOD2_DISTRIBUTION if module == RUNPOD2_MODULE else None
        )
        if package is None:
            return None
        key = (app, package)
        if key not in self._cache:
            self._cache[key] = self._find(app, package)
        return self._cache[key]

    def requirements(self, app: str) -> list[Requirement]:
        """Every requirement the app's requirement files and pyproject.toml write (what a
        build reads: neither SDK's build follows `-r`/`-c`)."""
        return self._read(app)[0]

    def _read(self, app: str) -> tuple[list[Requirement], list[Requirement]]:
        if app not in self._requirements:
            self._requirements[app] = self._read_requirements(app)
        return self._requirements[app]

    def _read_requirements(self, app: str) -> tuple[list[Requirement], list[Requirement]]:
        """(the app's own requirements, those its requirement files pull in)."""
        base = self.root if app == "." else self.root / app
        own: list[Requirement] = []
        included: list[Requirement] = []
        unread = self._unread_requirements.setdefault(app, [])
        for name, reader in requirement_files(base):
            text = read_text(base / name)
            if text is None:
                why = _unreadable(base / name)
                if why:
                    unread.append(f"could not read {_rel(app, name)}: {why}")
            else:
                own += reader(text, _rel(app, name))
                if reader is requirements_txt:
                    included += self._included(base / name, text, set())
        return own, included

    def _included(self, path: Path, text: str, seen: set[str], depth: int = 0) -> list:
        """The requirements of the files `path` pulls in with `-r`/`-c` (pip reads a pin from
        a shared constraints file as from the file itself), inside the project only."""
        out: list[Requirement] = []
        if depth >= _MAX_INCLUDE_DEPTH:
            return out
        root = os.path.realpath(self.root)
        for _, _, line in requirement_lines(text):
            match = _INCLUDE.match(line)
            if match is None:
                continue
            target = os.path.realpath(path.parent / match.group("file"))
            if target in seen or os.path.commonpath([root, target]) != root:
                continue
            seen.add(target)
            included = read_text(Path(target))
            if included is None:
                continue
            rel = os.path.relpath(target, root).replace(os.sep, "/")
            out += requirements_txt(included, rel)
            out += self._included(Path(target), included, seen, depth + 1)
        return out

    def _find(self, app: str, package: str) -> SdkInUse:
        wanted = normalise(package)
        unread: list[str] = []  # lock files that are there but could not be read
        for directory in app_and_parents(app):
            base = self.root if directory == "." else self.root / directory
            for name in LOCK_FILES:
                text = read_text(base / name)
                if text is None:
                    why = _unreadable(base / name)
                    if why:
                        unread.append(f"could not read {_rel(directory, name)}: {why}")
                    continue
                try:
                    found = read_lock_versions(name, text).get(wanted)
                except LockUnreadable as exc:
                    unread.append(f"could not read {_rel(directory, name)}: {exc}")
                    continue
                why = _not_a_version(package, *found) if found is not None else ""
                if why and found[0] == NO_VERSION:
                    unread.append(f"{_rel(directory, name)} {why}")
                elif why:
                    unread.append(f"could not read {_rel(directory, name)}: {why}")
                elif found is not None:
                    version, line = found
                    note = _runpod1_note(package, version)
                    made = self._made(
                        package, version, "lock", _rel(directory, name), line, note=note
                    )
                    return _with_unread(made, unread)
        found = self._find_requirement(app, package, wanted)
        unread += self._unread_requirements.get(app, [])
        return _with_unread(found, unread + ([found.unread] if found.unread else []))

    def _find_requirement(self, app: str, package: str, wanted: str) -> SdkInUse:
        # the release pip installs: a pin in a file the requirements pull in counts too
        named = [
            r for r in (*self._read(app)[0], *self._read(app)[1]) if r.name == wanted and not r.url
        ]
        for r in named:
            why = self._unusable(package, r)
            if why:
                note = f"`{package}{shown_version(r.specifier)}` {why}"
                newest = _newest(package)
                return self._made(package, newest, "unusable", r.path, r.line, r.specifier, note)
        exact = [r for r in named if _exact(r.specifier)]
        if exact:
            r, version = exact[0], _exact(exact[0].specifier)
            note = _runpod1_note(package, version)
            return self._made(package, version, "pin", r.path, r.line, r.specifier, note=note)
        for r in named:
            if package == RUNPOD2_DISTRIBUTION:
                return self._runpod2_range(r)
            configured = self._configured_version(package) if self.configured else None
            if not r.specifier and configured is not None:
                # A bare name pins nothing: the configuration's release is the one to check
                # against, and the requirement stays where FG111 points.
                return self._made(package, configured, "config", r.path, r.line)
            # _unusable made sure a specifier reads and allows a recorded release
            version = releases.pick_version(package, r.specifier) if r.specifier else None
            kind = "range" if version else "unpinned"
            return self._made(
                package, version or _newest(package), kind, r.path, r.line, r.specifier
            )
        if self.configured:
            version = self._configured_version(package)
            if version is not None:
                return self._made(package, version, "config")
            # said, not ignored: the run is not checked against what the configuration names
            shown = shown_version(self.configured.strip())
            why = (
                f"sdk_version `{shown}` in the configuration names no {package} release "
                "flash-guard knows"
            )
            return dataclasses.replace(self._made(package, _newest(package), "newest"), unread=why)
        return self._made(package, _newest(package), "newest")

    @staticmethod
    def _unusable(package: str, r: Requirement) -> str:
        """Why the version a requirement names tells nothing about the release installed
        (pip cannot install it, or flash-guard cannot read it); "" when it can be used."""
        exact = _exact(r.specifier)
        if exact is not None:
            why = version_problem(exact)
            return f"pins no release ({why})" if why else ""
        if not r.specifier or package == RUNPOD2_DISTRIBUTION:
            try:  # runpod 2.0 ranges are judged by _runpod2_range, once readable
                _clauses_hold(_newest(package), r.specifier)
            except ValueError:
                return "is not a version specifier flash-guard can read"
            return ""
        try:
            picked = releases.pick_version(package, r.specifier)
        except ValueError:
            return "is not a version specifier flash-guard can read"
        if picked is None:
            return f"allows no release flash-guard knows (the newest is {_newest(package)})"
        return ""

    def _runpod2_range(self, r: Requirement) -> SdkInUse:
        """A `runpod` requirement that pins no release. pip and uv install a pre-release only
        when the specifier names one (PEP 440), and every 2.0 release so far is one: a bare
        `runpod` or `runpod>=1.7` installs 1.x, which has no `runpod.App`."""
        newest = _newest(RUNPOD2_DISTRIBUTION)
        try:
            admits = bool(r.specifier) and runpod2_admits(newest, r.specifier)
            excluded = bool(r.specifier) and runpod2_excluded(r.specifier)
        except ValueError:
            admits = excluded = False
        if excluded:
            try:
                newest_1x = _clauses_hold(RUNPOD1_VERSION, r.specifier)[0]
            except ValueError:
                newest_1x = False
            version = RUNPOD1_VERSION if newest_1x else "1.x"
            note = (
                f"`{RUNPOD2_DISTRIBUTION}{r.specifier}` rules out runpod 2.0: it installs "
                f"runpod {version}, the 1.x serverless SDK, which has no runpod.App"
            )
            return self._made(
                RUNPOD2_DISTRIBUTION, version, "range", r.path, r.line, r.specifier, note=note
            )
        note = ""
        if not admits:
            note = (
                "pip and uv install a pre-release only when the specifier names one, so "
                f"`{RUNPOD2_DISTRIBUTION}{r.specifier}` installs runpod 1.x (without --pre), "
                "which has no runpod.App"
            )
        kind = "range" if r.specifier else "unpinned"
        return self._made(
            RUNPOD2_DISTRIBUTION, newest, kind, r.path, r.line, r.specifier, note=note
        )

    def _configured_version(self, package: str) -> str | None:
        text = self.configured.strip()
        if text in known_releases(package):
            return text
        if package == RUNPOD2_DISTRIBUTION:
            return None  # one known release: sdk_version names it exactly or not at all
        try:
            return releases.pick_version(package, text if text[:1] in "<>=!~^" else f"=={text}")
        except ValueError:
            return None

    def _made(
        self, package, version, kind, path=None, line=None, specifier="", note=""
    ) -> SdkInUse:
        return SdkInUse(
            package, version, facts_release(package, version), kind, path, line, specifier, note
        )


def _with_unread(sdk: SdkInUse, unread: list[str]) -> SdkInUse:
    if not unread:
        return sdk
    return dataclasses.replace(sdk, unread="; ".join(unread))


def _unreadable(path: Path) -> str:
    """Why read_text gave up on a file that is there; "" when there is no such file."""
    try:
        info = path.lstat()
    except OSError:
        return ""
    if stat.S_ISLNK(info.st_mode):
        return "a symlink (not followed)"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    if info.st_size > MAX_BYTES:
        return f"larger than {MAX_BYTES:,} bytes"
    try:
        path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return f"not UTF-8 ({exc.reason})"
    except OSError as exc:
        return exc.strerror or str(exc)
    return ""


def _runpod1_note(package: str, version: str) -> str:
    """A 2.0 app locked or pinned to runpod 1.x: that release has no `runpod.App`."""
    if package != RUNPOD2_DISTRIBUTION:
        return ""
    major = re.match(r"\s*v?(\d+)", version)
    if major is None or int(major[1]) >= 2:
        return ""
    return (
        f"runpod {version} is the 1.x serverless SDK, which has no runpod.App: this app "
        "uses the 2.0 Apps API"
    )


def known_releases(package: str) -> tuple[str, ...]:
    """The releases flash-guard has facts for, oldest first."""
    if package == RUNPOD2_DISTRIBUTION:
        return (runpod2_tables.SDK_VERSION,)
    return releases.releases(package)


def _newest(package: str) -> str:
    return known_releases(package)[-1]


# PEP 440 pre-release segments, for the `runpod` 2.0 pre-releases (releases.py compares release
# numbers only, which is all runpod-flash and tetra-rp need).
_PRE = re.compile(
    r"^\s*v?(?P<release>\d+(?:\.\d+)*)"
    r"(?:[-_.]?(?P<tag>alpha|beta|preview|pre|rc|a|b|c)[-_.]?(?P<n>\d*))?\s*$",
    re.IGNORECASE,
)
_PRE_RANK = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}
_FINAL = (3, 0)


def _pre_key(text: str) -> tuple[tuple[int, ...], tuple[int, int]] | None:
    """(release, (pre rank, pre number)) of a version, a final release ranking after its
    pre-releases; None for text with other segments (post, dev, local)."""
    match = _PRE.match(text)
    if match is None:
        return None
    parts = match["release"].split(".")
    if max(map(len, parts)) > releases.MAX_NUMBER_DIGITS:
        raise ValueError(
            f"not a version: a number of more than {releases.MAX_NUMBER_DIGITS} digits"
        )
    release = tuple(int(p) for p in parts)
    release += (0,) * (4 - len(release))
    if match["tag"] is None:
        return release, _FINAL
    return release, (_PRE_RANK[match["tag"].lower()], int(match["n"] or 0))


def runpod2_admits(version: str, specifier: str) -> bool:
    """Whether pip/uv would install `version` (a 2.0 pre-release such as 2.0.0rc2) for a
    `runpod` specifier: every clause holds, pre-release segments compared, and some clause
    names a pre-release. Raises ValueError for unparsable text."""
    holds, named_pre = _clauses_hold(version, specifier)
    have = _pre_key(version)
    return holds and (named_pre or have is None or have[1] == _FINAL)


def runpod2_excluded(specifier: str) -> bool:
    """Whether a `runpod` specifier rules out runpod 2.0 whatever the pre-release policy
    (`<2`, `~=1.7`, `==1.*`): it can only install 1.x. Raises ValueError for unparsable text."""
    return not any(_clauses_hold(v, specifier)[0] for v in (runpod2_tables.SDK_VERSION, "2.0.0"))


def _clauses_hold(version: str, specifier: str) -> tuple[bool, bool]:
    """(every clause of `specifier` holds for `version`, some clause names a pre-release)."""
    have = _pre_key(version)
    clauses = [c.strip() for c in specifier.split(",") if c.strip()]
    named_pre = False
    for clause in clauses:
        match = re.fullmatch(r"(===|==|!=|~=|<=|>=|<|>|\^|~)?\s*(\S+)", clause)
        if match is None:
            raise ValueError(f"not a version specifier: {specifier!r}")
        op, text = match[1] or "==", match[2]
        want = _pre_key(text) if not text.endswith(".*") else None
        if want is not None and want[1] != _FINAL:
            named_pre = True
        if have is None or want is None or op not in ("==", "!=", "<", "<=", ">", ">="):
            if not releases.version_matches(version, f"{op}{text}"):
                return False, named_pre
            continue
        if op == "<" and want[1] == _FINAL and have[1] != _FINAL and have[0] == want[0]:
            return False, named_pre  # PEP 440: `<2` admits no pre-release of 2 itself
        cmp = (have > want) - (have < want)
        if not {"==": cmp == 0, "!=": cmp != 0, "<": cmp < 0, "<=": cmp <= 0}.get(
            op, cmp > 0 if op == ">" else cmp >= 0
        ):
            return False, named_pre
    return True, named_pre


def facts_release(package: str, version: str) -> str:
    """The recorded release whose facts stand for `version`: itself, else the newest recorded
    release not above it (a patch flash-guard has not seen), else the oldest. runpod 2.0 has
    one set of facts."""
    if package == RUNPOD2_DISTRIBUTION:
        return runpod2_tables.SDK_VERSION
    known = releases.releases(package)
    if version in known:
        return version
    try:
        below = [v for v in known if releases.version_matches(v, f"<={version}")]
    except ValueError:
        return known[-1]
    return below[-1] if below else known[0]


def _exact(specifier: str) -> str | None:
    match = re.fullmatch(r"===?([0-9][0-9A-Za-z.+!-]*)", specifier)
    return match.group(1) if match and not specifier.endswith(".*") else None


def _rel(directory: str, name: str) -> str:
    return name if directory in (".", "") else f"{directory}/{name}"


def app_and_parents(app: str) -> list[str]:
    """The app's directory, then each parent up to the root (a uv workspace locks there)."""
    out = [app]
    while app not in (".", ""):
        app = app.rsplit("/", 1)[0] if "/" in app else "."
        out.append(app)
    return out


def assign_sdk_versions(analysis, configured: str | None) -> SdkVersions:
    """Sets `endpoint.sdk_release` on every declaration; the finder is kept for rules reading
    requirements (`analysis.sdk_versions`)."""
    finder = SdkVersions(analysis.root, configured)
    for endpoint in analysis.endpoints:
        endpoint.sdk_release = finder.for_app(endpoint.app, endpoint.package)
        if endpoint.sdk_release is not None and endpoint.package in DISTRIBUTIONS:
            _release_defaults(endpoint)
            _decide_member_tests(endpoint)
    analysis.sdk_versions = finder
    return finder


def _decide_member_tests(endpoint) -> None:
    """`A if hasattr(GpuType, "X") else B` where X is in some releases only (discovery kept
    both, with the test): the one branch the release in use takes."""
    sdk = endpoint.sdk_release
    enums = releases.facts(sdk.package, sdk.facts_version).enums
    package = next((m for m, d in DISTRIBUTIONS.items() if d == sdk.package), None)

    def decide(value):
        """`value` with every test decided; the same object when nothing changed (rules
        compare some values by identity)."""
        if isinstance(value, (list, tuple)):
            items = [decide(v) for v in value]
            changed = any(a is not b for a, b in zip(items, value, strict=True))
            return type(value)(items) if changed else value
        if isinstance(value, dict):
            items = {k: decide(v) for k, v in value.items()}
            changed = any(items[k] is not v for k, v in value.items())
            return items if changed else value
        if not isinstance(value, Value):
            return value
        test = value.member_test
        if test is not None and value.candidates and len(value.candidates) == 2:
            module, enum, member = test
            if module == package and enum in enums:
                chosen = value.candidates[0 if member in enums[enum] else 1]
                return decide(
                    dataclasses.replace(
                        chosen, span=value.span, path=value.path, via=value.via or chosen.via
                    )
                )
        if value.known and isinstance(value.value, (list, tuple, dict)):
            inner = decide(value.value)
            if inner is not value.value:
                return dataclasses.replace(value, value=inner)
        return value

    for name, value in list(endpoint.params.items()):
        endpoint.params[name] = decide(value)
    # the keywords as written, which the FG2xx rules read
    for field in ("kwargs", "remote_kwargs"):
        written = getattr(endpoint, field)
        decided = [(name, decide(value), span) for name, value, span in written]
        if any(d[1] is not w[1] for d, w in zip(decided, written, strict=True)):
            setattr(endpoint, field, decided)


def _release_defaults(endpoint) -> None:
    """Discovery fills in the newest runpod-flash defaults; where the release in use records
    other defaults (tetra-rp idled 5 s, not 60 s) its own replace them."""
    from flash_guard.discover.normalize import release_defaults

    sdk = endpoint.sdk_release
    newest = releases.facts("runpod-flash", releases.newest("runpod-flash"))
    release_defaults(endpoint, releases.facts(sdk.package, sdk.facts_version), newest)
