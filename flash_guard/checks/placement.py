"""Where a declaration sits, and whether `flash build` (which imports each module and reads
its globals) can see it. Shared by the rules about deployment visibility (FG207, FG208,
FG301, FG302)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flash_guard.checks.sites import build_ignored, declaration_call
from flash_guard.discover.analysis import text_of
from flash_guard.discover.facts import NEVER_RUNS, Block, FileFacts, guarding_if
from flash_guard.model import Endpoint, Span, Value
from flash_guard.project.sdk_version import SdkInUse
from flash_guard.sdk.in_use import release_at_least, sdk_of
from flash_guard.sdk.runpod2_tables import DISCOVERY_SKIP_DIRS

_CONDITIONAL = ("if", "elif", "else", "match", "case", "try", "except")
_FLAG_IF = re.compile(r"^if\s+([A-Za-z_][A-Za-z0-9_]*)\s*:")
SDK_MODULES = ("runpod_flash", "tetra_rp")


@dataclass
class Hidden:
    """Why the build cannot (or may not) see something: `where` it is, and `why` that hides
    it. `certain` means it is never seen, rather than only in some builds."""

    where: str
    why: str
    certain: bool = True


def hidden_at(
    path: str,
    placement: str,
    blocks: tuple[Block, ...],
    flags: frozenset[str] = frozenset(),
    app: str = ".",
    sdk: SdkInUse | None = None,
) -> Hidden | None:
    """Why `flash build` would not see code placed so in `path`, or None if it would.
    `flags` are the file's import-availability flags (see `availability_flags`); `app` is
    the directory the build runs in; `sdk` the release in use (None: the newest)."""
    if path.rsplit("/", 1)[-1] == "__init__.py" and not scans_init_files(sdk):
        return Hidden(f"in `{path}`", "flash build never imports `__init__.py` files")
    pattern = build_ignored(path, app) if build_ignore_list_applies(sdk) else None
    if pattern is not None:
        return Hidden(f"in `{path}`", f"flash build leaves `{pattern}` paths out of the build")
    if placement == "module":
        return None
    if placement == "unbound":
        return Hidden(
            "on a handler that no module-level name holds",
            "flash build finds route handlers by reading each module's globals",
        )
    return classify(untaken_guards_dropped(blocks, flags))


def availability_flags(facts: FileFacts | None) -> frozenset[str]:
    """Names set to True in a `try:` that imports the SDK (`try: import runpod_flash` ...
    `HAVE_FLASH = True`). The build machine has the SDK installed, so a module-level
    `if HAVE_FLASH:` always runs there (rules.md FG301)."""
    if facts is None:
        return frozenset()
    guarded_import = any(
        b.module.split(".", 1)[0] in SDK_MODULES and b.blocks and b.blocks[0].kind == "try"
        for b in facts.imports
    )
    if not guarded_import:
        return frozenset()
    return frozenset(
        a.target
        for a in facts.assignments
        if a.namespace is None
        and a.blocks
        and a.blocks[0].kind in ("try", "else")
        and a.value.expr_text() == "True"
        and a.expr.kind == "lit"
        and a.expr.value is True
    )


def untaken_guards_dropped(blocks: tuple[Block, ...], flags: frozenset[str]) -> tuple:
    """`blocks` without the `if HAVE_FLASH:` guards that always run on the build machine."""
    if not flags:
        return blocks
    kept = []
    for i, block in enumerate(blocks):
        in_branch = i > 0 and blocks[i - 1].kind in ("elif", "else")
        match = _FLAG_IF.match(block.header) if block.kind == "if" and not in_branch else None
        if match is not None and match.group(1) in flags:
            continue  # the SDK-available branch: taken whenever the build can import Flash
        kept.append(block)
    return tuple(kept)


def classify(blocks: tuple[Block, ...]) -> Hidden | None:
    """The reason the innermost-first chain of enclosing blocks hides a declaration."""
    for block in blocks:
        if block.kind == "function":
            return Hidden(
                f"inside function `{block.name or 'lambda'}`",
                "flash build imports each module and reads its globals; "
                "it never calls the function",
            )
    for block in blocks:
        if block.kind == "class":
            return Hidden(
                f"in the body of class `{block.name}`",
                "flash build reads module globals, not class attributes",
            )
    guard = guarding_if(blocks, NEVER_RUNS.match)
    if guard is not None:
        return Hidden(
            f"under `{guard.header}`",
            "that block does not run when flash build imports the module",
        )
    for block in blocks:
        if block.kind == "loop":
            return Hidden(
                f"inside `{block.header}`",
                "flash build reads module globals after the import, so at most what the last "
                "iteration left behind is deployed",
                certain=False,
            )
    for i, block in enumerate(blocks):
        if block.kind in _CONDITIONAL:
            return _conditional(block, blocks[i + 1] if i + 1 < len(blocks) else None)
    return None  # only `with` / `finally` bodies, which always run


def _conditional(block: Block, parent: Block | None) -> Hidden:
    if block.kind == "try":
        return Hidden(
            f"inside `{block.header}`",
            "if anything in that block raises while flash build imports the module, the "
            "endpoint silently disappears",
            certain=False,
        )
    if block.kind == "except":
        return Hidden(
            f"inside `{block.header}`",
            "it exists only when the `try` block failed while flash build imported the module",
            certain=False,
        )
    where = f"inside `{block.header}`"
    if block.kind in ("elif", "else", "case") and parent is not None:
        where = f"in the `{block.header}` branch of `{parent.header}`"
    return Hidden(
        where,
        "flash build sees it only if that branch runs when it imports the module on the "
        "build machine",
        certain=False,
    )


# tetra-rp's `flash build` (cli/commands/build.py) arrived in 0.14.0; 0.13's `flash deploy`
# was a mock and 0.12 and older had no `flash` command at all. Before it, nothing builds or
# scans the project: `@remote` provisions its resource on the first call, wherever the
# declaration sits (a function, an `__init__.py`, a `*_test.py` script).
TETRA_BUILD_FROM = "0.14.0"


def no_flash_build(endpoint: Endpoint) -> bool:
    """Whether the endpoint's SDK release has no `flash build` (tetra-rp before 0.14)."""
    sdk = sdk_of(endpoint)
    return (
        sdk is not None
        and sdk.package == "tetra-rp"
        and not release_at_least(sdk, "tetra-rp", TETRA_BUILD_FROM)
    )


# The built-in ignore list sites.build_ignored describes (`tests/`, `docs/`, `build/`,
# `dist/`, `env/`, `test_*.py`, `*_test.py`, ...) arrived in runpod-flash 1.12.0
# (cli/utils/ignore.py). Before it, and in every tetra-rp release, the build copied everything
# but `.build/`, `.flash/` (`.tetra/`), `.runpod/`, `.venv/`, `venv/`, `.git/` and
# `__pycache__/`, none of which flash-guard lists.
BUILD_IGNORE_LIST_FROM = "1.12.0"
# tetra-rp's build from 0.20.0 (cli/commands/build_utils/scanner.py) parses every `.py` file
# for `@remote`, `__init__.py` included; the handler it writes imports the function from
# that module (`importlib.import_module('pkg.__init__').fn`), which works.
TETRA_SCANNER_FROM = "0.20.0"


def build_ignore_list_applies(sdk: SdkInUse | None) -> bool:
    """Whether the release's `flash build` leaves the paths `build_ignored` names out."""
    if sdk is None or sdk.package not in ("tetra-rp", "runpod-flash"):
        return True
    return release_at_least(sdk, "runpod-flash", BUILD_IGNORE_LIST_FROM)


def scans_init_files(sdk: SdkInUse | None) -> bool:
    """Whether the release's `flash build` finds `@remote` functions in `__init__.py`."""
    return release_at_least(sdk, "tetra-rp", TETRA_SCANNER_FROM)


def visible_to_build(endpoint: Endpoint) -> bool:
    if not endpoint.deployable or endpoint.scope == "function":
        return False
    if endpoint.in_init and not scans_init_files(sdk_of(endpoint)):
        return False
    if build_never_copies(endpoint):
        return False
    return bool(endpoint.targets or endpoint.routes or endpoint.kind == "image")


def first_built_declarations(endpoints: list[Endpoint]) -> dict[str, tuple]:
    """{app: (path, span) of its first declaration `flash build` would deploy}: the one that
    carries the app-wide FG301 findings (imports only an `__init__.py` satisfies). An app whose
    declarations all sit in functions (a library provisioning endpoints at run time, scripts)
    has none: nothing there is built, so its imports are not the build's."""
    owners: dict[str, tuple] = {}
    for ep in endpoints:
        built = ep.sdk != "runpod2" and ep.deployable and ep.scope == "module"
        if built and not build_never_copies(ep):
            here = (ep.path, ep.span)
            owners[ep.app] = min(owners.get(ep.app, here), here)
    return owners


def build_never_copies(endpoint: Endpoint) -> bool:
    """A runpod_flash declaration in a path `flash build` leaves out (`tests/`, `test_*.py`,
    `docs/`...): a test or documentation fixture that deploys nothing and never meets the
    build, so FG301 is the one thing to say about it. (runpod 2.0's discovery imports those
    files and deploys what they declare: FG306 and every other rule apply there. So does a
    tetra-rp release without `flash build`: the script creates its endpoint when it runs.)"""
    if endpoint.sdk == "runpod2" or no_flash_build(endpoint):
        return False
    if not build_ignore_list_applies(sdk_of(endpoint)):
        return False
    return build_ignored(endpoint.path, endpoint.app) is not None


def is_test_path(path: str) -> bool:
    """A pytest file: under `tests/` or `test/`, `test_*.py`, `*_test.py`, `conftest.py`."""
    name = path.rsplit("/", 1)[-1]
    folders = set(path.split("/")[:-1])
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
        or bool({"tests", "test"} & folders)
    )


def in_a_test(endpoint: Endpoint, files) -> bool:
    """A declaration inside a pytest test (`def test_...`, or a method of a `Test...` class)
    in a test file (under `tests/` or `test/`, `test_*.py`, `*_test.py`), either SDK: test
    code builds it to test it, and nothing creates it at deploy (the function never runs on
    import), so FG301 alone speaks about it, as about a fixture `build_never_copies`."""
    if not is_test_path(endpoint.path):
        return False
    blocks = declaration_call(endpoint, files).blocks
    return any(
        (b.kind == "function" and b.name.startswith("test"))
        or (b.kind == "class" and b.name.startswith("Test"))
        for b in blocks
    )


# -- runpod 2.0: what `rp flash deploy`'s discovery never sees (runpod-sdk2.md §5.5) --------


def runpod2_undeployed(endpoint: Endpoint, analysis) -> Hidden | None:
    """Why `rp flash deploy` never creates a 2.0 declaration's endpoint, or None. Discovery
    imports every file (never as `__main__`) and registers what its module-level code
    decorates: a declaration under a `__main__` or `TYPE_CHECKING` guard, in a function
    nothing calls at import, or in a directory discovery skips is never created; one in a
    module-level conditional only when that branch runs, a loop in one too. (Loops, class
    bodies and functions called at import do deploy: FG306 says the worker cannot serve
    them.)"""
    if analysis is None:
        return None
    return _once_per_run(analysis, _runpod2_undeployed, endpoint)


def _once_per_run(analysis, compute, endpoint: Endpoint):
    """`compute(endpoint, analysis)`, remembered on the analysis: several rules ask."""
    memo = analysis.__dict__.setdefault(f"_{compute.__name__}", {})
    if id(endpoint) not in memo:
        memo[id(endpoint)] = compute(endpoint, analysis)
    return memo[id(endpoint)]


def _runpod2_undeployed(endpoint: Endpoint, analysis) -> Hidden | None:
    folders = endpoint.path.split("/")[:-1]
    skipped = next((f for f in folders if f in DISCOVERY_SKIP_DIRS), None)
    if skipped is not None:
        return Hidden(f"in `{endpoint.path}`", f"rp flash deploy does not import `{skipped}/`")
    blocks = declaration_call(endpoint, analysis.modules.files).blocks
    guard = guarding_if(blocks, NEVER_RUNS.match)
    if guard is not None:
        return Hidden(
            f"under `{guard.header}`",
            "rp flash deploy imports the module under another name: that block never runs",
        )
    if endpoint.handed_from is not None:
        # found through a chain of calls from module-level code: it runs when that call does
        path, span = endpoint.handed_from
        branch = _module_branch(endpoint.handed_blocks)
        if branch is None:
            return None
        return Hidden(
            f"in a helper called at {path}:{span.line} inside `{branch.header}`",
            "rp flash deploy creates it only if that branch runs when it imports the module",
            certain=False,
        )
    functions = [b for b in blocks if b.kind == "function"]
    if functions:
        outer = functions[-1]  # the module-level one: what an import could call
        if outer.name and not _called_at_import(analysis, endpoint.path, outer.name):
            return Hidden(
                f"inside function `{outer.name}`",
                "nothing calls it when rp flash deploy imports the module",
            )
        return None
    if any(b.kind == "class" for b in blocks):
        return None
    block = _module_branch(blocks)
    if block is None:
        return None
    return Hidden(
        f"inside `{block.header}`",
        "rp flash deploy creates it only if that branch runs when it imports the module",
        certain=False,
    )


def _module_branch(blocks) -> Block | None:
    """The innermost conditional block (`if`, `try`, `match`...) around module-level code,
    `blocks` innermost first. A branch inside a loop is the loop's business (FG306); one
    around the loops decides whether they run at all, as it does for code directly in it."""
    loops = [i for i, b in enumerate(blocks) if b.kind == "loop"]
    around = blocks[loops[-1] + 1 :] if loops else blocks
    for i, block in enumerate(around):
        if block.kind == "if" and i > 0 and _always_taken_else(around[i - 1], block):
            continue
        if block.kind in _CONDITIONAL and not _always_taken_else(block, *around[i + 1 : i + 2]):
            return block
    return None


def _always_taken_else(block: Block, owner: Block | None = None) -> bool:
    """The `else:` of `if __name__ == "__main__":` (or `if TYPE_CHECKING:`): the branch an
    import runs."""
    return (
        block.kind == "else"
        and owner is not None
        and owner.kind == "if"
        and NEVER_RUNS.match(owner.header) is not None
    )


def _called_at_import(analysis, path: str, name: str, seen: set | None = None) -> bool:
    """Whether module-level code (outside functions, classes and a `__main__` guard) calls
    `name(...)`: in `path`, or in a project module that imports it from `path`
    (`from pkg.builder import make` ... `small = make(...)`; discovery imports that module
    too), directly or through module-level functions that such code calls, a few calls deep
    (`def register_all(): register_asr()` with `register_all()` at module level: rc2 imports
    the module, the call chain runs and registers the resource); True when a file cannot be
    read (as FG306 assumes)."""
    called = _import_calls(analysis, path)
    if called is None or name in called:
        return True
    aliases_in: dict[str, set[str]] = {path: {name}}
    for other, binding, how in analysis.modules.importers().get(path, ()):
        if other == path:
            continue
        aliases = aliases_in.setdefault(other, set())
        if how == "module":  # `import pkg.builder [as b]`
            aliases |= {f"{binding.local}.{name}", f"{binding.dotted}.{name}"}
        elif how == "name" and binding.name == name:  # `from pkg.builder import make [as m]`
            aliases.add(binding.local)
        elif how == "submodule":  # `from pkg import builder`, `from . import builder`
            aliases.add(f"{binding.local}.{name}")
    for other, aliases in sorted(aliases_in.items()):
        if aliases and other != path:
            found = _import_calls(analysis, other)
            if found is None or aliases & found:
                return True
    seen = {(path, name)} if seen is None else seen | {(path, name)}
    if len(seen) > _CALL_CHAIN_DEPTH:
        return False
    for other, aliases in sorted(aliases_in.items()):
        for caller, names in sorted(_function_calls(analysis, other).items()):
            if (other, caller) in seen or aliases.isdisjoint(names):
                continue
            if _called_at_import(analysis, other, caller, seen):
                return True
    return False


# How many functions deep a call chain from module-level code is followed (FG301).
_CALL_CHAIN_DEPTH = 4


def _function_calls(analysis, path: str) -> dict[str, list[str]]:
    """{module-level function of `path`: the callees its body names}, one walk per file."""
    memo = analysis.__dict__.setdefault("_function_calls", {})
    if path not in memo:
        memo[path] = _calls_by_function(parsed_root(analysis, path))
    return memo[path]


def _calls_by_function(root) -> dict[str, list[str]]:
    """{module-level function: the callees its body names, as written, in source order}."""
    out: dict[str, dict[str, None]] = {}
    if root is None:
        return {}
    for call in root.find_all(kind="call"):
        func = call.field("function")
        scopes = [
            anc
            for anc in call.ancestors()
            if anc.kind() in ("function_definition", "class_definition", "lambda")
        ]
        # the outermost scope: a module-level function (not a method, not a lambda)
        if func is None or not scopes or scopes[-1].kind() != "function_definition":
            continue
        name = scopes[-1].field("name")
        if name is not None:
            out.setdefault(name.text(), {})[func.text()] = None
    return {name: list(callees) for name, callees in out.items()}


def _import_calls(analysis, path: str) -> set[str] | None:
    memo = analysis.__dict__.setdefault("_import_calls", {})
    if path not in memo:  # one walk per file, however many declarations ask
        memo[path] = _names_called_at_import(parsed_root(analysis, path))
    return memo[path]


def _names_called_at_import(root) -> set[str] | None:
    if root is None:
        return None
    return {call.field("function").text() for call in _calls_at_import(root)}


# -- an endpoint's function run when its module is imported (rules.md FG301) ---------------

# runpod-flash's `flash build` imports every module to find endpoints from 1.11.0 on
# (RuntimeScanner, PR #265; flash-sdk.md 5.2); before it, and in tetra-rp, the build parsed
# the source and ran none of it.
BUILD_IMPORTS_FROM = "1.11.0"


@dataclass(frozen=True)
class ImportCall:
    """A module-level call that runs an endpoint's function whenever the module is imported:
    the function, where the call is and its text, and the module-level function it goes
    through (None when it calls the endpoint's function itself)."""

    function: str
    span: Span
    text: str
    through: str | None = None
    path: str | None = None  # another module of the app that imports the function; None: its own


def called_at_import(endpoint: Endpoint, analysis) -> ImportCall | None:
    """Where module-level code of the endpoint's own file (outside functions, classes and a
    `__main__` guard) calls its decorated function, itself or through module-level functions
    a few calls deep (`asyncio.run(main())`, whose `main()` awaits `infer(...)`). `flash build`
    imports the module, so the build would run the job; None when nothing does, or when the
    release's build does not import modules."""
    sdk = sdk_of(endpoint)
    if sdk is None or not release_at_least(sdk, "runpod-flash", BUILD_IMPORTS_FROM):
        return None
    functions = {t.name for t in endpoint.targets if not t.is_class and t.name}
    if not functions:
        return None
    found = _import_call_in(analysis, endpoint.path, functions)
    if found is not None:
        return found
    ignore_list = build_ignore_list_applies(sdk)
    for path, callees in sorted(_importing_callees(endpoint, analysis, functions).items()):
        if ignore_list and build_ignored(path, endpoint.app):
            continue  # never imported by the build
        found = _import_call_in(analysis, path, callees)
        if found is not None:
            return ImportCall(found.function, found.span, found.text, found.through, path)
    return None


def _import_call_in(analysis, path: str, callees: set[str]) -> ImportCall | None:
    """Where module-level code of `path` calls one of `callees` (as written there) on import."""
    # read again per declaration, not kept: holding every endpoint file's text for the run
    # costs memory on big trees, and a file has few declarations
    text = source_text(analysis, path)
    if not text or not any(_called_in(text, f) for f in callees):
        return None  # the cheap test first: most files never call their endpoint's function
    root = parsed_root(analysis, path, text)
    if root is None:
        return None
    return _import_call(root, callees, _function_calls(analysis, path))


def _importing_callees(endpoint: Endpoint, analysis, functions: set[str]) -> dict[str, set[str]]:
    """{module of the app importing the endpoint's module: the endpoint's functions as that
    module calls them}: `from worker import encode` -> `encode`, `import worker` ->
    `worker.encode`, `from app import worker` -> `worker.encode`. The build imports those
    modules too (1.21: `Failed to load: scripts/smoke.py: ConnectError`)."""
    from flash_guard.project.apps import app_map

    apps = app_map(analysis)
    out: dict[str, set[str]] = {}
    for path, binding, how in analysis.modules.importers().get(endpoint.path, ()):
        if path == endpoint.path or apps.app_of(path) != endpoint.app:
            continue
        if how == "name":
            names = {binding.local} if binding.name in functions else set()
        elif how == "module":
            prefix = binding.local if binding.local != binding.module else binding.dotted
            names = {f"{prefix or binding.local}.{f}" for f in functions}
        else:  # submodule: `from pkg import worker`
            names = {f"{binding.local}.{f}" for f in functions}
        if names:
            out.setdefault(path, set()).update(names)
    return out


def _called_in(text: str, name: str) -> bool:
    """Whether `name(` appears as a call anywhere but its own `def` line."""
    return any(
        not text[: m.start()].rstrip().endswith("def")
        for m in re.finditer(rf"(?<![.\w]){re.escape(name)}\s*\(", text)
    )


def _import_call(root, functions: set[str], calls: dict[str, list[str]]) -> ImportCall | None:
    own = _module_functions(root)
    first_calls: dict[str, object] = {}  # callee -> its first import-time call node
    for call in _calls_at_import(root):
        if any(anc.kind() in _MAYBE_SKIPPED for anc in call.ancestors()):
            continue  # `if os.getenv("SMOKE"): asyncio.run(main())` need not run in the build
        callee = call.field("function").text()
        first_calls.setdefault(callee, call)
    for name in sorted(functions & set(first_calls)):
        call = first_calls[name]
        return ImportCall(name, _span(call), _outermost(call).text())
    starts = {callee: callee for callee in first_calls if callee in own}
    # `functions` may be another module's, as this one calls them (`worker.encode`)
    reached = _reached(starts, calls, own | functions)
    for name in sorted(functions & set(reached)):
        call = first_calls[reached[name]]
        return ImportCall(name, _span(call), _outermost(call).text(), reached[name])
    return None


# Module-level blocks whose body may not run on import: a call there is not certain.
_MAYBE_SKIPPED = frozenset(
    {
        "if_statement",
        "match_statement",
        "while_statement",
        "except_clause",
        "conditional_expression",
    }
)


def _outermost(call):
    """The whole expression a call sits in (`asyncio.run(main())` for `main()`), as written."""
    node = call
    while (parent := node.parent()) is not None and parent.kind() in (
        "argument_list",
        "call",
        "await",
        "parenthesized_expression",
        "keyword_argument",
    ):
        node = parent
    return node


def _span(node) -> Span:
    start, end = node.range().start, node.range().end
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _calls_at_import(root):
    """The calls that run when the module is imported: outside functions, classes, lambdas
    and a `__main__` guard."""
    for call in root.find_all(kind="call"):
        if call.field("function") is None or any(
            anc.kind() in ("function_definition", "class_definition", "lambda")
            or (anc.kind() == "if_statement" and _MAIN_IF.match(anc.text()))
            for anc in call.ancestors()
        ):
            continue
        yield call


def _module_functions(root) -> set[str]:
    """The names of the module's own (module-level) functions."""
    names = set()
    for node in root.children():
        definition = node.field("definition") if node.kind() == "decorated_definition" else node
        if definition is not None and definition.kind() == "function_definition":
            name = definition.field("name")
            if name is not None:
                names.add(name.text())
    return names


def _reached(
    starts: dict[str, str], calls: dict[str, list[str]], functions: set[str]
) -> dict[str, str]:
    """Each module-level function reached from `starts` (function -> the start it came
    through), following the calls between module-level functions (`functions`; `calls` is
    _function_calls) a few hops deep."""
    reached = dict(starts)
    frontier = list(reached)
    for _ in range(_MAX_HOPS):
        step = [
            (callee, reached[caller])
            for caller in frontier
            for callee in calls.get(caller, ())
            if callee in functions and callee not in reached
        ]
        for callee, first in step:
            reached.setdefault(callee, first)
        frontier = [callee for callee, _ in step]
    return reached


# -- runtime-provisioned declarations (rules.md FG301) ------------------------------------

_MAIN_IF = re.compile(
    r"""^if\s+(?:__name__\s*==\s*['"]__main__['"]|['"]__main__['"]\s*==\s*__name__)"""
)


def runtime_provisioned(endpoint: Endpoint | None, analysis) -> str | None:
    """How a declaration inside a function is provisioned by the code that runs it, or None.

    Such a declaration is configured from the function's parameters or other run-time data and
    used by the same code (called, awaited, `.run`/`.runsync`), or its function is called from a
    `__main__` block: a script that creates the endpoint when it runs, not something
    `flash build` should deploy. The function's source is parsed again here (only for
    declarations inside functions, which are rare) because discovery keeps no facts about
    statements that are neither assignments nor decorators."""
    if endpoint is None or analysis is None or endpoint.scope != "function":
        return None
    # FG301, FG303 and the FG002 filter all ask: parse the function's file once per run.
    return _once_per_run(analysis, _runtime_provisioned, endpoint)


def _runtime_provisioned(endpoint: Endpoint, analysis) -> str | None:
    root = parsed_root(analysis, endpoint.path)
    if root is None:
        return None
    line = endpoint.span.line - 1
    enclosing = [
        node
        for node in root.find_all(kind="function_definition")
        if node.range().start.line <= line <= node.range().end.line
    ]
    if not enclosing:
        return None
    function = min(enclosing, key=lambda n: n.range().end.index - n.range().start.index)
    name_node, params_node = function.field("name"), function.field("parameters")
    name = name_node.text() if name_node is not None else ""
    parameters = {
        n.text() for n in (params_node.find_all(kind="identifier") if params_node else [])
    }
    declaration = _declaration_text(function, endpoint)
    used_params = sorted(p for p in parameters if re.search(rf"\b{re.escape(p)}\b", declaration))
    # an unresolved `**kwargs` spread is run-time data too (`Endpoint(**kwargs)` built from a
    # dict the function fills)
    unknown = (
        not endpoint.name.known
        or any(_run_time(v) for v in endpoint.params.values())
        or any(_run_time(v) for v in endpoint.spreads)
    )
    if not used_params and not unknown:
        return None  # a literal declaration in a function: FG301's "not deployed" case
    shown = [p for p in used_params if p not in ("self", "cls")]
    if shown:
        configured = f"configured from its parameter{'s' if len(shown) > 1 else ''} " + ", ".join(
            f"`{p}`" for p in shown
        )
    elif used_params:  # a method reading its instance (`name=self.name`)
        configured = f"configured from `{used_params[0]}`'s fields"
    else:
        configured = "configured from run-time data"
    body = function.field("body")
    how = _used_in(body.text() if body is not None else "", endpoint)
    if how is None and name:
        how = _returned_and_run(root, function, name, endpoint)
    if how is None and name:
        how = _returned_and_run_elsewhere(analysis, function, name, endpoint)
    through = (
        _reached_from_main(root, name, _function_calls(analysis, endpoint.path))
        if how is None and name
        else None
    )
    if through == name:
        how = f"`{name}()` is called from the `__main__` block"
    elif through is not None:
        how = f"`{name}()` is reached from the `__main__` block (through `{through}()`)"
    if how is None and endpoint.kind == "image":
        # Client mode provisions on the first request (runpod-flash 1.21 endpoint.py
        # `_ensure_endpoint_ready`); an `image=` endpoint cannot decorate anything, so its
        # first `.run`/`.runsync`/`.post` is what creates it, wherever the caller keeps it
        # (a dict of endpoints handed to a test fixture).
        how = "its first request creates it, as it does any `image=` endpoint"
    if how is None and is_test_path(endpoint.path):
        # test support code (an e2e provisioner returning endpoints to a fixture): the
        # tests create what it builds when they run; its caller may be outside the tree
        how = f"test code in `{endpoint.path}` creates it when the tests run"
    if how is None:
        return None
    return f"inside `{name}()`, {configured}; {how}"


def _run_time(value) -> bool:
    """Decided when the code runs: not statically known, or read from the environment then
    (`os.getenv("K", d)`, a settings field with an environment default), itself or an item."""
    if not value.known or value.env_key:
        return True
    inner = value.value
    items = inner.values() if isinstance(inner, dict) else inner
    if not isinstance(items, (list, tuple, type({}.values()))):
        return False
    return any(isinstance(item, Value) and _run_time(item) for item in items)


def parsed_roots(analysis) -> dict:
    """path -> its ast-grep root (None when unreadable), parsed once per run for the checks
    that read statements discovery keeps no facts about (FG301's placement and run-time
    provisioning, FG002's undefined names)."""
    return analysis.__dict__.setdefault("_parsed_roots", {})


def parsed_root(analysis, path: str, text: str | None = None):
    """`path`'s ast-grep root, parsed on first use; `text` is its source when the caller has
    read it already."""
    roots = parsed_roots(analysis)
    if path not in roots:
        text = text if text is not None else source_text(analysis, path)
        if text:
            from ast_grep_py import SgRoot  # deferred: few runs parse a file again

            roots[path] = SgRoot(text, "python").root()
        else:
            roots[path] = None
    return roots[path]


def source_text(analysis, path: str) -> str | None:
    """`text_of`, keeping the last file read (one text, not every endpoint file's):
    evaluation visits endpoints by path, so a file's declarations ask for it one after
    another."""
    source = analysis.sources.get(path)
    if source is None or source.text is not None:
        return None if source is None else source.text
    last = analysis.__dict__.get("_last_source_text")
    if last is not None and last[0] == path:
        return last[1]
    text = text_of(analysis.sources, path)
    if text is not None:
        analysis.__dict__["_last_source_text"] = (path, text)
    return text


def _declaration_text(function, endpoint: Endpoint) -> str:
    """The source of the declaration call (the `Endpoint(`/resource call at the endpoint's
    span), else the whole function."""
    want = (endpoint.span.line - 1, endpoint.span.column - 1)
    for call in function.find_all(kind="call"):
        start = call.range().start
        if (start.line, start.column) == want:
            return call.text()
    return function.text()


def _used_in(body: str, endpoint: Endpoint) -> str | None:
    names = [endpoint.variable] if endpoint.variable else []
    names += [t.name for t in endpoint.targets]
    for var in names:
        v = re.escape(var)
        method = re.search(rf"\b{v}\s*\.\s*(runsync|run)\s*\(", body)
        if method:
            return f"`{var}.{method.group(1)}(...)` provisions it"
        if re.search(rf"\bawait\s+{v}\b", body):
            return f"`await {var}` provisions it"
        # the SDK's own route for clients: ResourceManager().get_or_deploy_resource(...)
        if re.search(rf"\b{v}\s*\.\s*_build_resource_config\s*\(", body) and re.search(
            r"\bget_or_deploy_resource\s*\(", body
        ):
            return "`ResourceManager().get_or_deploy_resource(...)` provisions it"
        calls = re.sub(rf"\bdef\s+{v}\b", "", body)  # a definition is not a call
        if re.search(rf"(?<![.\w]){v}\s*\(", calls):
            return f"`{var}(...)` provisions it"
    return None


def _returned_and_run(root, function, name: str, endpoint: Endpoint, where: str = "") -> str | None:
    """A getter that returns the declaration (`return _endpoint`, `return Endpoint(...)`)
    and another function of the file (or of `root`, a module importing it, then named by
    `where`) that runs what it got (`ep = get_endpoint()` then `ep.run(...)`,
    `get_endpoint("x").run(...)`, or for a method `Backend().endpoint().run(...)` or
    `ep = backend.endpoint()` then `ep.run(...)`): the lazy
    client pattern, provisioned by that call. None when the function returns something else
    or nothing runs it."""
    if not _returns_declaration(function, endpoint):
        return None
    method = _is_method(function)
    before = r"(?<![\w])" if method else r"(?<![.\w])"
    call = rf"{before}{re.escape(name)}\s*\((?:[^()]|\([^()]*\))*\)"
    shown = f"`.{name}()`" if method else f"`{name}()`"
    # a method is called on something: `ep = backend.endpoint()`, `ep = BACKENDS[k].endpoint()`
    receiver = r"(?:[\w.\[\]\"'()]+?\.)?" if method else ""
    for other in root.find_all(kind="function_definition"):
        if other.range().start.index == function.range().start.index and not where:
            continue
        caller = other.field("name").text() if other.field("name") is not None else "?"
        caller = f"`{caller}()`{where}"
        source = other.text()
        direct = re.search(rf"{call}\s*\.\s*(runsync|run)\s*\(", source)
        if direct:
            return f"{shown} returns it and {caller} calls `.{direct.group(1)}(...)` on it"
        for bound in re.finditer(rf"\b([A-Za-z_]\w*)\s*=\s*(?:await\s+)?{receiver}{call}", source):
            var = re.escape(bound.group(1))
            run = re.search(rf"\b{var}\s*\.\s*(runsync|run)\s*\(", source)
            if run:
                return (
                    f"{shown} returns it and `{bound.group(1)}.{run.group(1)}(...)` in "
                    f"{caller} provisions it"
                )
            called = _remote_target_called(source, var, endpoint)
            if called:
                return (
                    f"{shown} returns it and {caller} calls `{called}(...)`, which "
                    f"`@remote({bound.group(1)})` decorates"
                )
    return None


def _remote_target_called(source: str, var: str, endpoint: Endpoint) -> str | None:
    """A legacy config bound in `source` (`resource = make_config(tier)`), used there as
    `@remote(resource, ...)` on a function that `source` then calls: the per-call
    provisioning of a CLI command or a job runner."""
    if not re.search(rf"@\s*\w*remote\s*\(\s*(?:resource_config\s*=\s*)?{var}\b", source):
        return None
    for target in endpoint.targets:
        calls = re.sub(rf"\bdef\s+{re.escape(target.name)}\b", "", source)
        if re.search(rf"(?<![.\w]){re.escape(target.name)}\s*\(", calls):
            return target.name
    return None


def _is_method(function) -> bool:
    parent = function.parent()
    if parent is not None and parent.kind() == "decorated_definition":
        parent = parent.parent()
    owner = parent.parent() if parent is not None and parent.kind() == "block" else None
    return owner is not None and owner.kind() == "class_definition"


def _returns_declaration(function, endpoint: Endpoint) -> bool:
    body = function.field("body")
    text = body.text() if body is not None else ""
    names = {endpoint.variable} if endpoint.variable else set()
    want = (endpoint.span.line - 1, endpoint.span.column - 1)
    for node in function.find_all(kind="call"):
        start = node.range().start
        parent = node.parent()
        if (start.line, start.column) != want or parent is None:
            continue
        if parent.kind() == "return_statement":
            return True  # `return LiveServerless(...)`: a legacy config built per call
        if parent.kind() == "assignment" and parent.field("left") is not None:
            names.add(parent.field("left").text())
    returned = any(re.search(rf"\breturn\s+{re.escape(n)}\s*(?:$|#)", text, re.M) for n in names)
    return returned or re.search(r"\breturn\s+\w*Endpoint\s*\(", text) is not None


def _returned_and_run_elsewhere(analysis, function, name: str, endpoint: Endpoint) -> str | None:
    """`_returned_and_run` in the modules that import the declaration's module (a `cli.py`
    running `VllmBackend().endpoint().run(...)`)."""
    importers = analysis.modules.importers().get(endpoint.path, ())
    for other in sorted({path for path, _, _ in importers}):
        root = parsed_roots(analysis).get(other)
        text = root.text() if root is not None else source_text(analysis, other)
        if not text or name not in text:
            continue  # not parsed for nothing: an importer that never names the getter
        root = parsed_root(analysis, other, text)
        how = _returned_and_run(root, function, name, endpoint, f" in {other}")
        if how is not None:
            return how
    return None


_CALLED = re.compile(r"(?<![.\w])([A-Za-z_]\w*)\s*\(")
_MAX_HOPS = 5


def _reached_from_main(root, function: str, calls: dict[str, list[str]]) -> str | None:
    """The function the `__main__` block calls through which it reaches `function` (itself
    when called directly), following calls between module-level functions of the file, a few
    hops deep (`main()` -> `seed_model_once()` -> `make_seed_runner()`); None when not."""
    blocks = []
    for node in root.find_all(kind="if_statement"):
        if node.parent() is None or node.parent().kind() != "module":
            continue
        condition = node.field("condition")
        if _MAIN_IF.match(f"if {condition.text()}:" if condition is not None else ""):
            blocks.append(node.text())
    if not blocks:
        return None
    own = _module_functions(root)
    # each function reached, with the one the __main__ block called to get there
    starts = {n: n for text in blocks for n in _CALLED.findall(text) if n in own}
    return _reached(starts, calls, own).get(function)
