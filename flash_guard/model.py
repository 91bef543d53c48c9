"""The normalised endpoint model that every check reads.

Discovery turns syntax into these records; checks never look at syntax. Every
parameter is a `Value`: either known (a plain Python value plus the span of the
expression that produced it) or unknown (the expression text), and marked
`defaulted` when the SDK default was filled in because the code gave nothing.
Everything here is plain data so it pickles across worker processes.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

KINDS = ("queue", "load_balancer", "image", "client", "task")
COMPUTES = ("gpu", "cpu")
APIS = ("endpoint", "legacy", "app")
# The SDK a declaration is written against: runpod-flash (and its old name) or runpod 2.0.
SDKS = ("runpod_flash", "tetra_rp", "runpod2")


# Equal spans are one object (see Span.__new__): a big tree's facts and values hold ten times
# more spans than there are distinct ones (positions repeat across files), and spans were
# the most numerous record at the peak. The table is bounded: past it, spans are made anew.
# A key is one int when every field is below 2**15 (a 60-bit int: 32 bytes, where the tuple of
# four took 72; ~1 MiB of a big tree's peak), else the tuple: never equal to an int.
_SPANS: dict[int | tuple[int, int, int, int], Span] = {}
_SPANS_MAX = 1 << 18  # ~50 MiB at most in a long-lived process; a big tree uses 22k
_set_field = object.__setattr__


@dataclass(frozen=True, order=True, slots=True, init=False)
class Span:
    """A 1-based, end-inclusive-line / end-exclusive-column source range."""

    line: int
    column: int
    end_line: int
    end_column: int

    def __new__(cls, line: int, column: int, end_line: int, end_column: int) -> Span:
        if (line | column | end_line | end_column) >> 15:  # a field past 2**15, or negative
            key = (line, column, end_line, end_column)
        else:
            key = ((line << 15 | column) << 15 | end_line) << 15 | end_column
        span = _SPANS.get(key)
        if span is None:
            span = object.__new__(cls)
            _set_field(span, "line", line)
            _set_field(span, "column", column)
            _set_field(span, "end_line", end_line)
            _set_field(span, "end_column", end_column)
            if len(_SPANS) < _SPANS_MAX:
                _SPANS[key] = span
        return span

    def __reduce__(self):  # pickle and copy go through __new__, so they share too
        return (Span, (self.line, self.column, self.end_line, self.end_column))

    def contains(self, inner: Span) -> bool:
        """`inner` lies within this range (the range itself included)."""
        return (self.line, self.column) <= (inner.line, inner.column) and (
            inner.end_line,
            inner.end_column,
        ) <= (self.end_line, self.end_column)


@dataclass(frozen=True, slots=True)
class EnumRef:
    """A member of one of the SDK's enums, written as `Enum.MEMBER` in code."""

    enum: str
    member: str
    # The SDK package the enum came from ("" when built from a table): runpod 2.0 rejects a
    # runpod_flash enum object. Not part of equality: members compare by name.
    package: str = field(default="", compare=False)
    # What Python raises for a member that does not exist: `Enum.NAME` and getattr give
    # AttributeError, `Enum["NAME"]` a KeyError, `Enum("value")` a ValueError.
    raises: str = field(default="AttributeError", compare=False)

    def is_member(self, names) -> bool:
        """Whether this names one of `names`: a value lookup no member answered
        (`DataCenter("US_KS_2")`, a ValueError) is none, even when the value reads like one."""
        return self.raises != "ValueError" and self.member in names

    def __str__(self) -> str:
        if self.raises == "ValueError":
            return f'{self.enum}("{self.member}")'  # looked up by value, and none has it
        return f"{self.enum}.{self.member}"


@dataclass(frozen=True, slots=True)
class Opaque:
    """A known object that is not a plain value, e.g. `NetworkVolume(...)`.

    `kwargs` maps each keyword to its `Value`; `args` holds positional values.
    """

    callee: str
    kwargs: dict[str, Value] = field(default_factory=dict)
    args: tuple[Value, ...] = ()
    span: Span | None = None
    path: str | None = None
    kwarg_spans: dict[str, Span] = field(default_factory=dict)
    spreads: tuple[Value, ...] = ()  # `**x` that could not be resolved
    package: str = "runpod_flash"
    # (keyword, path, span, what gives it again) for a keyword the call gets twice (a `**`
    # spread holding an explicit keyword): Python raises TypeError when the call runs
    repeated: tuple[tuple[str, str, Span, str], ...] = ()

    def __hash__(self) -> int:  # pragma: no cover - identity is enough
        return id(self)


def repeated_keyword_message(callee: str, key: str, again: str) -> str:
    """FG202's words for a keyword a call gets twice (Opaque.repeated), in either SDK."""
    return (
        f"{callee}() got multiple values for keyword argument {key!r} ({again} gives it "
        "again): TypeError when the module is imported; pass it once"
    )


# A rare field of `Value` not given: kept as it was (see Value.__init__).
_UNSET: Any = object()
_NO_RARE = (None, None, None, None, None, None)


@dataclass(slots=True, init=False)
class Value:
    """One resolved expression.

    `known` False means static analysis could not tell; `text` then holds the
    expression so the FG002 message can show it. `via` names the module-level
    constant the value came through, so messages can say so.

    The rare fields (`partial`, `env_key`, `candidates`, `member_test`, `origin`,
    `enum_member`) share one slot, `_rare`: None when all of them are None (most values), else
    the six in that order.
    A big tree has ~50,000 values at the peak, and a slot each was 32 bytes more per value.
    They read and are given (to the constructor, to `dataclasses.replace`) as fields.

    partial: a dict/list that an unresolved `**x`/`*x` may extend.
    env_key: `os.getenv(K, d)` and its kin: the value is the default `d`, and `K` (an
      environment variable, or a settings field) can override it at deploy time.
    candidates: candidate values (rules.md "candidate values"): `known` is False and each
      candidate is one value the expression may have; a rule decides on every one of them.
    member_test: `A if hasattr(GpuType, "X") else B` where the member exists in some SDK
      releases only: the two candidates (A, B) and the (SDK module, enum, member) that decides
      between them once the release in use is known (project/sdk_version.py).
    origin: an unknown (or candidates) that came through a module-level constant: where the
      undecidable expression itself was written, (path, span). `span` is the use in the
      declaration; FG002 is one finding at the origin for every declaration that uses it.
    enum_member: the value is a member of a project `Enum` (`Tier.A100`, read as its value),
      (the class's file, its ClassDef, the member as written): kept through constants,
      containers and modules like any value, dropped by `.value`/`.name`. Python passes the
      member object, not its value (FG215).
    """

    value: Any = None
    known: bool = True
    span: Span | None = None
    text: str = ""
    defaulted: bool = False
    via: str | None = None
    path: str | None = None  # the file `span` is in
    _rare: tuple | None = field(default=None, repr=False)

    def __init__(
        self,
        value: Any = None,
        known: bool = True,
        span: Span | None = None,
        text: str = "",
        defaulted: bool = False,
        via: str | None = None,
        path: str | None = None,
        partial: Value | None = _UNSET,
        env_key: str | None = _UNSET,
        candidates: tuple[Value, ...] | None = _UNSET,
        member_test: tuple[str, str, str] | None = _UNSET,
        origin: tuple[str | None, Span] | None = _UNSET,
        enum_member: tuple | None = _UNSET,
        _rare: tuple | None = None,
    ):
        self.value = value
        self.known = known
        self.span = span
        self.text = text
        self.defaulted = defaulted
        self.via = via
        self.path = path
        # `_rare` is what `dataclasses.replace` copies; a rare field given overrides it.
        unset = _UNSET
        if partial is env_key is candidates is member_test is origin is enum_member is unset:
            self._rare = _rare
            return
        old = _rare or _NO_RARE
        self._rare = _packed(
            old[0] if partial is _UNSET else partial,
            old[1] if env_key is _UNSET else env_key,
            old[2] if candidates is _UNSET else candidates,
            old[3] if member_test is _UNSET else member_test,
            old[4] if origin is _UNSET else origin,
            old[5] if enum_member is _UNSET else enum_member,
        )

    @property
    def partial(self) -> Value | None:
        rare = self._rare
        return None if rare is None else rare[0]

    @partial.setter
    def partial(self, partial: Value | None) -> None:
        self._set_rare(0, partial)

    @property
    def env_key(self) -> str | None:
        rare = self._rare
        return None if rare is None else rare[1]

    @env_key.setter
    def env_key(self, env_key: str | None) -> None:
        self._set_rare(1, env_key)

    @property
    def candidates(self) -> tuple[Value, ...] | None:
        rare = self._rare
        return None if rare is None else rare[2]

    @property
    def member_test(self) -> tuple[str, str, str] | None:
        rare = self._rare
        return None if rare is None else rare[3]

    @property
    def origin(self) -> tuple[str | None, Span] | None:
        rare = self._rare
        return None if rare is None else rare[4]

    @property
    def enum_member(self) -> tuple | None:
        rare = self._rare
        return None if rare is None else rare[5]

    def _set_rare(self, index: int, item: Any) -> None:
        rare = list(self._rare or _NO_RARE)
        rare[index] = item
        self._rare = _packed(*rare)

    @classmethod
    def default(cls, value: Any) -> Value:
        # No source text: nothing was written. Messages render defaults from the value.
        # A scalar default is one shared record (nothing mutates a Value once built): a big
        # tree has tens of thousands of them.
        if type(value) in _SHARED_SCALARS:
            key = (type(value), value)
            shared = _SHARED_DEFAULTS.get(key)
            if shared is None:
                shared = _SHARED_DEFAULTS[key] = cls(value=value, known=True, defaulted=True)
            return shared
        return cls(value=value, known=True, defaulted=True)

    @classmethod
    def unknown(cls, text: str, span: Span | None = None, path: str | None = None) -> Value:
        return cls(value=None, known=False, span=span, text=text, path=path)

    def plain(self) -> Any:
        """The value with nested `Value`s unwrapped (unknown parts become None)."""
        return unwrap(self)


def _packed(partial, env_key, candidates, member_test, origin, enum_member) -> tuple | None:
    if partial is env_key is candidates is member_test is origin is enum_member is None:
        return None
    return (partial, env_key, candidates, member_test, origin, enum_member)


def at_use(item: Value, container: Value) -> Value:
    """An item of a tuple/list/dict that came through a module-level constant, placed where
    the constant is used in the declaration and naming it (rules.md: findings through a
    constant are reported at the use). An item of a container read with an environment default
    (`CONFIG[os.getenv("STAGE", "dev")]`, a settings field) keeps its variable."""
    if container.env_key and isinstance(item, Value) and item.known and not item.env_key:
        item = dataclasses.replace(item, env_key=container.env_key)
    if not container.via or container.span is None:
        return item
    return dataclasses.replace(item, span=container.span, path=container.path, via=container.via)


_SHARED_SCALARS = frozenset({type(None), bool, int, str, EnumRef})  # not float: -0.0 == 0.0
_SHARED_DEFAULTS: dict[tuple[type, Any], Value] = {}


def unwrap(obj: Any) -> Any:
    if isinstance(obj, Value):
        return unwrap(obj.value) if obj.known else None
    if isinstance(obj, tuple):
        return tuple(unwrap(x) for x in obj)
    if isinstance(obj, list):
        return [unwrap(x) for x in obj]
    if isinstance(obj, dict):
        return {k: unwrap(v) for k, v in obj.items()}
    return obj


@dataclass(slots=True)
class Route:
    """One HTTP route registered on a load-balanced endpoint."""

    method: Value
    path: Value
    file: str
    span: Span
    handler: str
    handler_facts: BodyFacts | None = None
    # A call-form route (`api.get("/health")(health)`): where the call sits, as a decorator's
    # placement would say ("module", "loop", ... or "unbound" when the handler is no name the
    # build can find), and its enclosing blocks. Empty for a decorator route.
    placement: str = ""
    blocks: tuple = ()
    # A route registered in a module-level `for` loop over a known table (one Route per item)
    # that `flash build` does not deploy: (where, why), as FG301 says it. None otherwise.
    dropped: tuple[str, str] | None = None

    def shown(self) -> str:
        """`POST /items` as messages name the route (the source text where not known)."""
        method = self.method.value if self.method.known else self.method.text
        where = self.path.value if self.path.known else self.path.text
        return f"{method} {where}"


@dataclass(slots=True)
class BodyFacts:
    """What a worker's own code does, gathered while its file was parsed. Tuples, not lists:
    a big project has thousands of bodies, most of whose lists would be empty (one shared
    `()` each instead of a list each)."""

    name: str
    span: Span
    path: str = ""
    is_class: bool = False
    is_async: bool = False
    env_reads: tuple[tuple[str, Span], ...] = ()
    # `os.environ[KEY]`, `os.getenv(KEY)`, `for k in FORWARDED: os.environ[k]`: reads keyed by a
    # name the body does not assign (a module constant, resolved by the rule that reads them)
    env_key_names: tuple[tuple[str, Span], ...] = ()
    # writes keyed the same way (`os.environ[CACHE_VAR] = ...`, `setdefault(TOKEN_VAR, "")`)
    env_key_writes: tuple[tuple[str, Span], ...] = ()
    # `os.environ[K] = v`, `del os.environ[K]`, `setdefault`/`pop`/`update`: not reads (FG108)
    env_writes: tuple[tuple[str, Span], ...] = ()
    # The callees of the body's calls, and where each call is (`call_spans[i]` is
    # `calls[i]`'s): two tuples, not a (callee, span) pair per call, ~1.5 MiB of a big tree.
    calls: tuple[str, ...] = ()
    call_spans: tuple[Span, ...] = ()
    imports: tuple[str, ...] = ()
    # The signature, for runpod 2.0 handler shapes (FG215): (name, kind) with kind one of
    # req, opt, star, kwreq, kwopt, dstar. For a class: its `__init__`'s, and its bases.
    params: tuple[tuple[str, str], ...] = ()
    bases: tuple[str, ...] = ()
    # (parameter, annotation as written) for the annotated ones: a route's JSON body typed
    # as a pydantic model (FG215)
    annotations: tuple[tuple[str, str], ...] = ()
    # A class's public methods written directly in it without decorators: (name, is_async,
    # where its name is). runpod-flash's concurrent class handler awaits each one (FG215).
    methods: tuple[tuple[str, bool, Span], ...] = ()


@dataclass(slots=True)
class Endpoint:
    """One declaration: a deployable endpoint, an `image=` endpoint or a client."""

    name: Value
    kind: str
    compute: str
    api: str
    resource_class: str
    package: str
    path: str
    span: Span
    variable: str | None = None
    # `Endpoint(...)(fn)` whose result is not bound (`return Endpoint(...)(seed_model)`): the
    # function's name, shown when the name is not known, as a decorated function's is.
    applied_to: str | None = None
    params: dict[str, Value] = field(default_factory=dict)
    kwargs: list[tuple[str, Value, Span]] = field(default_factory=list)
    spreads: list[Value] = field(default_factory=list)
    # keywords the declaring call gets twice (Opaque.repeated): a TypeError at import
    repeated: tuple[tuple[str, str, Span, str], ...] = ()
    remote_kwargs: list[tuple[str, Value, Span]] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    targets: list[BodyFacts] = field(default_factory=list)
    # runpod 2.0 `@handle.init` functions: run on the worker before its first job, so part of
    # the worker's body for the rules that read it (imports, env reads, model loads).
    hooks: list[BodyFacts] = field(default_factory=list)
    decorator_uses: list[tuple[str, Span]] = field(default_factory=list)
    scope: str = "module"  # module | function | loop | conditional
    # The app the declaration belongs to (project/apps.py): "." for the scanned root, else
    # the project-relative directory holding its nearest project marker.
    app: str = "."
    # The SDK release the app's checks are made against (project/sdk_version.SdkInUse), set
    # once the configuration is known; None for packages without recorded releases.
    sdk_release: Any = None
    in_init: bool = False
    # (path, span of the call) where a project factory built it: the declaration is located in
    # the factory, but placed (module level or not) where the factory is called
    factory_call: tuple[str, Span] | None = None
    # runpod 2.0: (path, span) of the module-level call that hands the App to the helper
    # declaring it (`register_all(app)`, `Plugin().install(app)`): rc2 registers it when that
    # call runs at import, from that file (FG301, FG307)
    handed_from: tuple[str, Span] | None = None
    # The blocks around that call, innermost first (discover.facts.Block): under `if
    # settings.ASR:` it registers only when the branch runs (FG301)
    handed_blocks: tuple = ()
    # An entry of a module-level dict comprehension registry that nothing applies, as the
    # source names it (`WORKERS["llama"]`): flash build never sees it (FG301).
    registry: str | None = None
    # Why every setting is unknown, for a declaration discovery kept without reading it:
    # "container" for an `Endpoint` taken from a container filled by code it cannot follow
    # (`EPS[spec.key] = Endpoint(...)` in a loop, then `@EPS["a"]`); flash build still bundles
    # the dependencies that assignment writes (FG305). None for any other declaration.
    unread: str | None = None
    # (path, first line, last line) of every piece of the declaration, for suppressions
    declaration_ranges: list[tuple[str, int, int]] = field(default_factory=list)
    problems: list[tuple[str, str, Span]] = field(default_factory=list)
    # (code, span, path) of each problem above that sits in another file than `path`: a route
    # or `@runpod.init` an `@app.api` class inherits from a base class of another module.
    problem_files: list[tuple[str, Span, str]] = field(default_factory=list)
    # runpod 2.0: a declaration unrolled from a module-level `for` loop over a known table:
    # the loop's names bound to this item, for rules that evaluate its call again.
    loop_bindings: dict[str, Value] | None = None
    # runpod 2.0: (code, what, parameter, value) for each FG2xx check a value not statically
    # known leaves undecided; the rule reports it as FG002 (deploy_support.outcomes).
    undecided: list[tuple[str, str, str, Any]] = field(default_factory=list)
    # runpod 2.0 `@app.api` factory: routes registered where discovery cannot read them
    # (`web.add_api_route(...)`, `include_router`, an app built in another function): an
    # unknown value naming the first such place, so FG109 cannot call the health route missing.
    hidden_routes: Value | None = None
    # Project-relative files the verdicts on this endpoint depend on (its declaration, the
    # modules its values were resolved through, its route and worker modules): a pre-commit
    # run given one of them reports the endpoint's findings (pipeline.reported_findings).
    depends_on: frozenset[str] = frozenset()
    sdk: str = "runpod_flash"  # one of SDKS
    # runpod 2.0 only: the `App(name, env=...)` the resource is registered on.
    app_name: Value | None = None
    environment: Value | None = None
    app_span: Span | None = None  # where that App(...) is constructed
    app_path: str | None = None

    @property
    def display_name(self) -> str:
        if self.name.known and isinstance(self.name.value, str):
            return self.name.value
        if self.targets:
            return self.targets[0].name
        return self.applied_to or self.variable or "<unnamed>"

    @property
    def deployable(self) -> bool:
        return self.kind != "client"
