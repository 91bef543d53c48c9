"""Calls that hand a runpod 2.0 App to project code, read by re-parsing the few files involved.

`register_all(app)` calling `register_asr(app)`, `Plugin().install(app)`, `Plugin(app)` whose
`__init__` registers, `self.add_queue(app)` in a plugin's method, a method inherited from a
project base class (or overridden by the class of the instance a chain starts from:
`Gpu().install(app)` whose inherited `install` calls `self.add(app)` runs `Gpu.add`),
`for gpu in GPUS: register_asr(app, gpu)` (one call per item, in a helper too): rc2 runs
them at import and registers what the helper's body declares on the App it is given. The
facts kept during discovery hold only module-level call statements, so the calls a function
body makes (and those in module-level loops) are read here from a fresh parse of a file, only
for the modules that can call such a helper.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from flash_guard.discover.facts import (
    Block,
    ClassDef,
    FunctionDef,
    SourceLines,
    blocks_around,
    never_runs_body,
)
from flash_guard.discover.parse import (
    Expr,
    TooCostly,
    node_within,
    start_meter,
    stop_meter,
    to_expr,
)
from flash_guard.discover.resolve import MAX_LINEAGE

# How many helpers deep a call chain from module-level code is followed (register_everything
# -> register_all -> register_asr); the resolver binds at most this many frames.
MAX_HOPS = 3
# How many classes up a method is looked for (`class Asr(BasePlugin)`, its bases...).
_MAX_BASES = 8

_SCOPES = ("function_definition", "class_definition", "lambda")
_LOOPS = (
    "for_statement",
    "while_statement",
    "list_comprehension",
    "set_comprehension",
    "dictionary_comprehension",
    "generator_expression",
)


@dataclass(frozen=True, slots=True)
class CallSite:
    """A call in a module: at module level (`scope` None) or directly in the body of the
    module-level function or method (of a module-level class) `scope`. `looped`: in a loop
    or comprehension (once per item: followed only as a module-level loop over a known
    table, unrolled); `untaken`: under `if __name__ ==
    "__main__":` (never runs on import)."""

    path: str
    call: Expr
    scope: FunctionDef | None
    looped: bool
    untaken: bool
    # `for TARGET in ITERABLE:` when the call is in the body of one such loop (no other loop
    # or comprehension around it in its scope): (TARGET's text, ITERABLE), for `for p in
    # PLUGINS: p(app)`; `direct` when the call is a statement of that body itself (no `if`,
    # `try` or `with` between them, no `break`/`continue` in the body): it runs once per item
    loop: tuple[str, Expr] | None = None
    direct: bool = False
    # One iteration of a module-level loop unrolled (`for gpu in GPUS: register_asr(app,
    # gpu)`): the loop's names bound to this item's values
    bindings: dict | None = None
    # The blocks around a module-level call, innermost first (`if os.environ.get("ASR"):`):
    # what it registers is created only if they run it, as for a declaration there (FG301)
    blocks: tuple[Block, ...] = ()
    # (path, class) of the object whose method the call runs, when an item of a loop made it
    # (`for C in PLUGINS: C().install(app)`): the call's text does not name it
    instance: tuple | None = None
    # (path, class) of `self` in the method the call is in, when this copy of the call was
    # unrolled for that instance (`for m in self.models(): self.register(app, m)`)
    self_of: tuple | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """A helper that takes the App: a module-level function, or a method of a module-level
    class (`cls`), with how the method is bound (`static`, `classmethod` or `instance`)."""

    path: str
    fn: FunctionDef
    cls: ClassDef | None = None
    binding: str = "function"


class Handoff:
    def __init__(self, project, read):
        self.project = project
        self.read = read  # path -> its source text, or None
        self._calls: dict[str, list[CallSite]] = {}
        self._roots: dict[str, object] = {}
        # (helper's path, its span) -> [(CallSite, the helper as bound)]: the calls a loop
        # over a known table makes (`for p in PLUGINS: p(app)`, `for gpu in GPUS:
        # register_asr(app, gpu)`), one per item
        self.unrolled: dict[tuple[str, object], list] = {}
        # (path, span) of the looped calls those stand for
        self.unrolled_calls: set[tuple[str, object]] = set()

    # -- parsing ---------------------------------------------------------------
    def root(self, path: str):
        if path not in self._roots:
            text = self.read(path) if self.read is not None else None
            if text:
                from ast_grep_py import SgRoot  # deferred: few runs hand an App down

                self._roots[path] = SgRoot(text, "python").root()
            else:
                self._roots[path] = None
        return self._roots[path]

    def mentions(self, path: str, pattern: re.Pattern) -> bool:
        """Whether `path`'s text matches `pattern` (read, not parsed)."""
        if path in self._roots:
            return True
        text = self.read(path) if self.read is not None else None
        return bool(text) and pattern.search(text) is not None

    def calls(self, path: str) -> list[CallSite]:
        """The calls of `path` at module level and directly in its module-level functions."""
        if path not in self._calls:
            self._calls[path] = self._read_calls(path)
        return self._calls[path]

    def _read_calls(self, path: str) -> list[CallSite]:
        facts = self.project.files.get(path)
        root = self.root(path) if facts is not None else None
        if root is None:
            return []  # not analysed (FG001) or unreadable: nothing to follow
        start_meter()  # the budget extraction had: a pathological file stops here, not later
        try:
            return self._calls_of(path, root, facts)
        except TooCostly:
            return []
        finally:
            stop_meter()

    def _calls_of(self, path: str, root, facts) -> list[CallSite]:
        classes = {c.span for c in facts.classes if c.namespace is None}
        functions = {
            f.span.line: f for f in facts.functions if f.namespace is None or f.namespace in classes
        }
        out = []
        lines = None
        for node in root.find_all(kind="call"):
            scopes, loops, untaken, below = [], [], False, node
            for anc in node.ancestors():
                kind = anc.kind()
                if kind in _SCOPES:
                    scopes.append(anc)
                elif kind in _LOOPS and not scopes:
                    loops.append(anc)
                elif kind == "if_statement" and not scopes:
                    untaken = untaken or never_runs_body(anc, below)
                below = anc
            kinds = [scope.kind() for scope in scopes]
            if kinds not in (
                [],
                ["function_definition"],
                ["function_definition", "class_definition"],
            ):
                continue  # in a class body, a lambda or a nested function: not followed
            scope = None
            if scopes:
                name = scopes[0].field("name")
                scope = functions.get(name.range().start.line + 1) if name is not None else None
                if scope is None:
                    continue
            loop = _for_loop(loops[0], node) if len(loops) == 1 else None
            direct = loop is not None and _directly_in_body(loops[0], node)
            blocks = ()
            if scope is None:
                lines = lines or SourceLines(self.read(path))
                blocks = blocks_around(node, lines)
            site = CallSite(path, to_expr(node), scope, bool(loops), untaken, loop, direct)
            out.append(dataclasses.replace(site, blocks=blocks) if blocks else site)
        return out

    def blocks_at(self, path: str, span) -> tuple[Block, ...]:
        """The blocks around the module-level call at `span` of `path` (none when it is not
        one of the calls read here)."""
        site = next((s for s in self.calls(path) if s.scope is None and s.call.span == span), None)
        return site.blocks if site is not None else ()

    def decorators_of(self, target_path: str, fn: FunctionDef) -> list[str]:
        """The decorators written on `fn` (`staticmethod`, `classmethod`), from a re-parse."""
        root = self.root(target_path)
        if root is None:
            return []
        for node in root.find_all(kind="function_definition"):
            name = node.field("name")
            if name is None or name.range().start.line + 1 != fn.span.line:
                continue
            parent = node.parent()
            if parent is None or parent.kind() != "decorated_definition":
                return []
            return [
                d.text().lstrip("@").strip() for d in parent.children() if d.kind() == "decorator"
            ]
        return []

    # -- matching a call to a helper --------------------------------------------------
    def calls_target(self, site: CallSite, target: Target, instance_of=None) -> FunctionDef | None:
        """The helper's function as this call binds it (a bound method without its first
        parameter), or None when `site` does not call `target`. A method is reached through
        the class a call names or an instance of it is made from, looked up as Python does
        (`Asr().install(app)` with `install` inherited from `BasePlugin`), or through `self`
        / `cls` in a method of a class (`self.add_queue(app)`): looked up from `instance_of`
        ((path, class) of the instance `self` is, when known: the most-derived method runs),
        else from the method's own class when no subclass overrides it."""
        call = site.call
        if call.kind != "call" or not call.items:
            return None
        ns = site.scope.span if site.scope is not None else None
        func = call.items[0]
        fn = target.fn
        if target.cls is None:
            return fn if self._is(func, site.path, ns, target.path, fn) else None
        if fn.name == "__init__":  # `Plugin(app)`
            return unbound(fn) if self._finds(func, site.path, ns, target) else None
        if func.kind != "attr" or func.value != fn.name:
            return None
        receiver = func.items[0]
        if self._finds(receiver, site.path, ns, target, fn.name):  # `Plugin.install(app)`
            on_class = True
        elif self._instance_of(receiver, site.path, ns, target):  # `Plugin().install(app)`
            on_class = False
        else:
            own = self.own_receiver(site, receiver)  # `self.install(app)`, `cls.install(app)`
            if own is None:
                return None
            if instance_of is not None:
                if not self.derives(instance_of[0], instance_of[1], (own[0], own[1].span)):
                    return None
                if self.method_target(instance_of[0], instance_of[1], fn.name) != target:
                    return None
            elif self.method_target(own[0], own[1], fn.name) != target:
                return None
            elif self.overridden(own[0], own[1], fn.name, target):
                return None  # a subclass instance may run another method: not followed
            on_class = own[2] == "classmethod"
        if on_class:
            # an instance method called on the class takes the App as `self`, as Python does
            return unbound(fn) if target.binding == "classmethod" else fn
        return unbound(fn) if target.binding != "static" else fn

    def _finds(self, func: Expr, path: str, ns, target: Target, name: str = "__init__") -> bool:
        """Whether `func` names a project class whose lookup of `name` is the method `target`
        (its own, or one it inherits)."""
        if func.kind not in ("name", "attr"):
            return False
        found = self.project.resolve_symbol(func, path, ns)
        if not (isinstance(found, tuple) and isinstance(found[1], ClassDef)):
            return False
        return self.method_target(found[0], found[1], name) == target

    def _instance_of(self, expr: Expr, path: str, ns, target: Target) -> bool:
        """`Plugin()` or `Plugin(...)`, or a module-level name assigned one (`p = Plugin()`)."""
        name = target.fn.name
        if expr.kind == "call" and expr.items:
            return self._finds(expr.items[0], path, ns, target, name)
        if expr.kind == "name":
            found = self.project.resolve_symbol(expr, path, ns)
            assign = found[1] if isinstance(found, tuple) else None
            value = getattr(assign, "value", None)
            if value is None or not value.may_be_call():
                return False
            made = value.expr()
            return made.kind == "call" and self._finds(made.items[0], found[0], None, target, name)
        return False

    # -- methods, looked up as Python does ------------------------------------------
    def method_target(self, home: str, cls: ClassDef, name: str) -> Target | None:
        """The method `name` of the module-level class `cls` as Python finds it: its own, else
        the one every base that has it agrees on (`class Asr(BasePlugin)`); None when it is
        not a project method there, or a base flash-guard cannot read might define it."""
        found = self._lookup(home, cls, name, 0)
        if not isinstance(found, tuple):
            return None
        path, owner, fn = found
        if owner.namespace is not None:
            return None
        return Target(path, fn, owner, binding_of(self.decorators_of(path, fn)))

    def _lookup(self, home: str, cls: ClassDef, name: str, depth: int):
        """(path, class, method), None (not defined along the bases) or ... (unknown)."""
        facts = self.project.files.get(home)
        if facts is None or depth > _MAX_BASES:
            return ...
        own = next((f for f in facts.functions if f.namespace == cls.span and f.name == name), None)
        if own is not None:
            return home, cls, own
        found = None
        for base in cls.bases:
            where = self._base_class(base, home)
            if where is None:
                if _plain_object(base):
                    continue
                return ...
            inherited = self._lookup(where[0], where[1], name, depth + 1)
            if inherited is ...:
                return ...
            if inherited is None:
                continue
            if found is not None and (found[0], found[2].span) != (inherited[0], inherited[2].span):
                return ...  # bases disagree: the method resolution order decides
            found = inherited
        return found

    def _base_class(self, base: Expr, home: str) -> tuple[str, ClassDef] | None:
        if base.kind not in ("name", "attr"):
            return None
        found = self.project.resolve_symbol(base, home, None)
        if isinstance(found, tuple) and isinstance(found[1], ClassDef):
            return found
        return None

    def own_receiver(self, site: CallSite, receiver: Expr):
        """(path, class, binding) when `receiver` is the first parameter of the method the
        call is in (`self`, or `cls` of a classmethod), of a module-level class."""
        scope = site.scope
        if receiver.kind != "name" or scope is None or scope.namespace is None or not scope.params:
            return None
        first = scope.params[0]
        if first[2] != "" or first[0] != receiver.value:
            return None
        facts = self.project.files.get(site.path)
        cls = next((c for c in facts.classes if c.span == scope.namespace), None) if facts else None
        if cls is None or cls.namespace is not None:
            return None
        binding = binding_of(self.decorators_of(site.path, scope))
        return (site.path, cls, binding) if binding != "static" else None

    def overridden(self, home: str, cls: ClassDef, name: str, target: Target) -> bool:
        """Whether a project class below `cls` finds another `name` (it overrides it, or
        cannot be read): `self.name(...)` in `cls`'s methods may then run that one."""
        for path, facts in self.project.files.items():
            for other in facts.classes:
                if other.namespace is not None or other.span == cls.span and path == home:
                    continue
                if not self.derives(path, other, (home, cls.span)):
                    continue
                if self.method_target(path, other, name) != target:
                    return True
        return False

    def derives(self, path: str, cls: ClassDef, ancestor: tuple) -> bool:
        """Whether `ancestor` ((path, span) of a class) is among `cls`'s project bases; a
        lineage too long to walk cannot tell and counts as derived (not followed)."""
        walked = 0
        for here, klass, _ in self.project.lineage((path, cls), 0):
            if (here, klass.span) == ancestor:
                return True
            walked += 1
        return walked >= MAX_LINEAGE

    def _is(self, func: Expr, path: str, ns, home: str, definition) -> bool:
        if func.kind not in ("name", "attr") or func.value != definition.name:
            return False
        found = self.project.resolve_symbol(func, path, ns)
        return (
            isinstance(found, tuple)
            and found[0] == home
            and isinstance(found[1], type(definition))
            and found[1].span == definition.span
        )

    def receiver_class(self, site: CallSite):
        """What a call's method is looked up on: (path, class) for `Asr(app)` (its
        `__init__`), `Asr.install(app)`, `Asr().install(app)` or a module-level name bound to
        `Asr()`; "self" for the first parameter of the method the call is in; else None."""
        if site.instance is not None:
            return site.instance
        func = site.call.items[0]
        ns = site.scope.span if site.scope is not None else None
        found = self._class_named(func, site.path, ns)
        if found is not None or func.kind != "attr":
            return found
        receiver = func.items[0]
        if self.own_receiver(site, receiver) is not None:
            return "self"
        made = receiver.items[0] if receiver.kind == "call" and receiver.items else receiver
        found = self._class_named(made, site.path, ns)
        if found is not None or receiver.kind != "name":
            return found
        named = self.project.resolve_symbol(receiver, site.path, ns)  # `p = Asr()`
        value = getattr(named[1], "value", None) if isinstance(named, tuple) else None
        call = value.expr() if value is not None and value.may_be_call() else None
        if call is None or call.kind != "call" or not call.items:
            return None
        return self._class_named(call.items[0], named[0], None)

    def self_class(self, chain: list):
        """(path, class) of `self` in the helper the last call of `chain` runs, when known:
        the class a call names or an item made (`Asr().install(app)`), carried along
        `self.method(...)` calls; None otherwise."""
        classes = self.self_classes(chain)
        return classes[-1] if classes else None

    def self_classes(self, chain: list) -> list:
        """Per call of `chain`: `self_class` of the chain up to that call."""
        out, current = [], None
        for site, _ in chain:
            kind = self.receiver_class(site)
            if isinstance(kind, tuple):
                current = kind
            elif kind == "self":
                current = current or site.self_of
            else:
                current = None
            out.append(current)
        return out

    def self_writes(self, path: str, cls: ClassDef) -> set[str]:
        """The attributes a method of `cls` other than `__init__` assigns on an object
        (`self.prefix = ...`): what an instance holds there is not the class attribute. A
        method only `__init__` calls (`self.setup()`, called by no other method) sets them
        when the instance is made, as `__init__` does."""
        root = self.root(path)
        if root is None:
            return set()
        out = set()
        for node in root.find_all(kind="class_definition"):
            name = node.field("name")
            if name is None or name.range().start.line + 1 != cls.span.line:
                continue
            methods = [f for f in node.find_all(kind="function_definition") if f.field("name")]
            inits = [f for f in methods if f.field("name").text() == "__init__"]
            inits += _init_only_methods(methods, inits)
            for kind in ("assignment", "augmented_assignment"):
                for assign in node.find_all(kind=kind):
                    if any(node_within(assign, f) for f in inits):
                        continue  # read by `init_statements` when the instance is made
                    out |= _self_targets(assign.field("left"))
        return out

    def init_statements(self, path: str, fn: FunctionDef) -> list | None:
        """The statements of an `__init__` (or a method it calls) that only forwards: ("set",
        attribute, value) for `self.ATTR = value`, ("super", call) for
        `super().__init__(...)`, ("call", method, call) for `self.setup(...)`, in order; None
        when it does anything else (another call, a branch, a loop: the attributes are not
        known)."""
        root = self.root(path)
        if root is None or not fn.params:
            return None
        me = fn.params[0][0]
        node = next(
            (
                n
                for n in root.find_all(kind="function_definition")
                if n.range().start.line + 1 == fn.span.line
                and n.field("name") is not None
                and n.field("name").text() == fn.name
            ),
            None,
        )
        body = node.field("body") if node is not None else None
        if body is None:
            return None
        out = []
        for statement in body.children():
            kind = statement.kind()
            if kind in ("comment", "pass_statement"):
                continue
            parts = [c for c in statement.children() if c.kind() != "comment"]
            inner = parts[0] if kind == "expression_statement" and len(parts) == 1 else None
            if inner is None:
                return None
            if inner.kind() == "string":
                continue  # the docstring
            if inner.kind() == "assignment":
                left, right = inner.field("left"), inner.field("right")
                if left is None or right is None or inner.field("type") is not None:
                    return None
                target, attr = left.field("object"), left.field("attribute")
                if left.kind() != "attribute" or target is None or target.text() != me:
                    return None
                out.append(("set", attr.text(), to_expr(right)))
            elif inner.kind() == "call" and _super_init(inner):
                out.append(("super", to_expr(inner)))
            elif inner.kind() == "call" and _own_method(inner, me) is not None:
                out.append(("call", _own_method(inner, me), to_expr(inner)))
            else:
                return None
        return out

    def _class_named(self, expr: Expr, path: str, ns):
        if expr.kind not in ("name", "attr"):
            return None
        found = self.project.resolve_symbol(expr, path, ns)
        return found if isinstance(found, tuple) and isinstance(found[1], ClassDef) else None

    def _dispatch(self, site: CallSite, target: Target, need: tuple, unrolled=None):
        """(the callee as bound, what the instance further out must look up) when `site`
        calls `target`, else None. `self.add(app)` where a subclass overrides `add` calls
        the one of the instance's class: `need` gathers (name, method) pairs that a class
        found further out (`Gpu().install(app)`) must look up to those methods. `unrolled`: the
        callee as bound for an item of a loop, which the call's own text may not name."""
        kind = self.receiver_class(site) if target.cls is not None else None
        named = unrolled is None or kind == "self"  # a loop item's text may not name it
        bound = self.calls_target(site, target) if named else unrolled
        if kind == "self":
            if bound is not None:
                return bound, need
            bound = self.calls_target(site, target, instance_of=(target.path, target.cls))
            return (bound, need + ((target.fn.name, target),)) if bound is not None else None
        if bound is None:
            return None
        if need and not (
            isinstance(kind, tuple)
            and all(self.method_target(kind[0], kind[1], name) == m for name, m in need)
        ):
            return None
        return bound, ()

    # -- chains from module-level code ------------------------------------------------
    def chains(
        self, target: Target, callers, target_of, depth: int = 0, need: tuple = ()
    ) -> tuple[list[list], bool]:
        """The call chains from module-level code to `target`: each a list of (CallSite, the
        callee as bound), outermost first. Also whether a call of it could not be followed
        (in a loop or comprehension, or a chain deeper than MAX_HOPS). `need`: see
        `_dispatch`."""
        chains, unfollowed = [], False
        found = [
            (site, self._dispatch(site, target, need))
            for site_path in sorted(callers(target.path))
            for site in self.calls(site_path)
        ]
        for site, bound in self.unrolled.get((target.path, target.fn.span), []):
            # one item of a loop: over a table of helpers (`for p in PLUGINS: p.install(app)`,
            # the item worked out when it was unrolled), or of a call the loop repeats
            found.append((site, self._dispatch(site, target, need, bound)))
        for site, step in found:
            if step is None or site.untaken:
                continue
            bound, up = step
            if site.looped and (site.path, site.call.span) in self.unrolled_calls:
                continue  # one per item, in `unrolled`
            if site.looped or depth >= MAX_HOPS:
                unfollowed = True
                continue
            if site.scope is None:
                chains.append([(site, bound)])
                continue
            caller = target_of(site.path, site.scope.span)  # the function or method
            if caller is None:
                unfollowed = True
                continue
            outer, lost = self.chains(caller, callers, target_of, depth + 1, up)
            unfollowed = unfollowed or lost
            if site.self_of is not None:  # unrolled for one instance: its own chains only
                outer = [c for c in outer if same_class(self.self_class(c), site.self_of)]
            chains.extend(chain + [(site, bound)] for chain in outer)
        return chains, unfollowed


def same_class(a, b) -> bool:
    """Two (path, class) pairs name one class."""
    return a is not None and b is not None and (a[0], a[1].span) == (b[0], b[1].span)


def _super_init(call) -> bool:
    """`super().__init__(...)`."""
    func = call.field("function")
    if func is None or func.kind() != "attribute":
        return False
    target, attr = func.field("object"), func.field("attribute")
    return (
        attr is not None
        and attr.text() == "__init__"
        and target is not None
        and target.kind() == "call"
        and (target.field("function") is not None and target.field("function").text() == "super")
        and target.field("arguments") is not None
        and not [c for c in target.field("arguments").children() if c.is_named()]
    )


def _own_method(call, me: str) -> str | None:
    """`NAME` of a call `me.NAME(...)` (a method called on the instance), else None."""
    func = call.field("function")
    if func is None or func.kind() != "attribute":
        return None
    target, attr = func.field("object"), func.field("attribute")
    if target is None or target.kind() != "identifier" or target.text() != me or attr is None:
        return None
    return attr.text()


def _init_only_methods(methods: list, inits: list) -> list:
    """The methods of a class that its `__init__` calls on `self` as a statement of its own
    body, and that no other method calls (`self.NAME(` nowhere else): what they assign is
    set when the instance is made."""
    called = set()
    for init in inits:
        body = init.field("body")
        for statement in body.children() if body is not None else ():
            inner = statement.child(0) if statement.kind() == "expression_statement" else None
            if inner is not None and inner.kind() == "call":
                name = _own_method(inner, "self")
                called |= {name} if name else set()
    out = []
    for method in methods:
        name = method.field("name").text()
        if name not in called:
            continue
        elsewhere = [
            call
            for other in methods
            if not any(other.range() == init.range() for init in inits)
            for call in other.find_all(kind="call")
            if _own_method(call, "self") == name
        ]
        if not elsewhere:
            out.append(method)
    return out


def _self_targets(left) -> set[str]:
    """`self.x` (and each of `self.x, self.y = ...`) assigned: the attribute names (any
    first parameter is taken for `self`: a conservative reading)."""
    if left is None:
        return set()
    nodes = [left] if left.kind() == "attribute" else list(left.find_all(kind="attribute"))
    out = set()
    for node in nodes:
        target, attr = node.field("object"), node.field("attribute")
        if target is not None and attr is not None and target.kind() == "identifier":
            out.add(attr.text())
    return out


def _for_loop(node, call) -> tuple[str, Expr] | None:
    """(target's text, iterable) of the `for` statement `node` when `call` is in its body
    (not its iterable, target or `else:` branch, which do not run once per item)."""
    if node.kind() != "for_statement":
        return None
    left, right, body = node.field("left"), node.field("right"), node.field("body")
    if left is None or right is None or body is None or not node_within(call, body):
        return None
    if left.kind() not in ("identifier", "pattern_list", "tuple_pattern"):
        return None
    return left.text(), to_expr(right)


def _directly_in_body(loop, call) -> bool:
    """`call` is a statement of the loop's body (or an assignment's value there), and nothing
    in the body skips an item (`break`, `continue`), so it runs once per item."""
    body = loop.field("body")
    statement = call.parent()
    if statement is not None and statement.kind() == "assignment":
        statement = statement.parent()
    if statement is None or statement.kind() != "expression_statement":
        return False
    if statement.parent() is None or statement.parent().range() != body.range():
        return False
    skips = [
        n for kind in ("break_statement", "continue_statement", "return_statement",
                       "raise_statement")
        for n in body.find_all(kind=kind)
    ]  # fmt: skip
    return not skips


def _plain_object(base: Expr) -> bool:
    """A base that defines no method a helper could be (`object`, `ABC`)."""
    return base.text in ("object", "ABC", "abc.ABC")


def unbound(fn: FunctionDef) -> FunctionDef:
    """The method as an instance or class call binds it: its first parameter is given."""
    return dataclasses.replace(fn, params=fn.params[1:])


def binding_of(decorators: list[str]) -> str:
    if any(re.fullmatch(r"(?:\w+\.)?staticmethod", d) for d in decorators):
        return "static"
    if any(re.fullmatch(r"(?:\w+\.)?classmethod", d) for d in decorators):
        return "classmethod"
    return "instance"
