"""FG108: the worker reads an environment variable that `env=` does not pass."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flash_guard.checks.base import (
    Check,
    fail_at,
    param_doc,
    register,
    unknown,
    worker_bodies,
)
from flash_guard.checks.module_env import ModuleRead, module_env_reads
from flash_guard.checks.sites import (
    body_with_helpers,
    env_reads_of,
    env_writes_of,
    settings_reads,
)
from flash_guard.checks.worker_start import imports_module_at_start
from flash_guard.project.globs import any_match
from flash_guard.rules.production.fg107_hardcoded_secret import (
    DEFAULT_QUALIFIERS,
    DEFAULT_WORDS,
    secret_key,
    template_env_entries,
)

# Set by the platform, the image or the deployer, by name (rules.md FG108): not every
# RUNPOD_* name, since users define their own (RUNPOD_MODEL_NAME is theirs to forward).
PLATFORM_VARIABLES = [
    # Runpod serverless workers (documented worker environment)
    "RUNPOD_POD_ID",
    "RUNPOD_ENDPOINT_ID",
    "RUNPOD_GPU_COUNT",
    "RUNPOD_CPU_COUNT",
    "RUNPOD_MEM_GB",
    "RUNPOD_POD_HOSTNAME",
    "RUNPOD_DC_ID",
    "RUNPOD_VOLUME_ID",
    "RUNPOD_PUBLIC_IP",
    "RUNPOD_WEBHOOK_GET_JOB",
    "RUNPOD_WEBHOOK_POST_OUTPUT",
    "RUNPOD_WEBHOOK_PING",
    "RUNPOD_AI_API_KEY",
    # the deployers (runpod-sdk2.md §2, flash-sdk.md §5)
    "RUNPOD_BUILD_ID",
    "RUNPOD_MAX_CONCURRENCY",
    "RUNPOD_RUNTIME_KIND",
    "RUNPOD_RUNTIME_TAG",
    "RUNPOD_RUNTIME_PACKAGE_SPEC",
    "RUNPOD_PACKAGE_SPEC",
    "RUNPOD_MOUNTS",
    "RUNPOD_ENDPOINT_BASE_URL",
    "RUNPOD_DEV_*",
    "RUNPOD_TASK_*",
    "FLASH_*",
    "PORT",
    "PORT_HEALTH",
    # the image and the OS
    "CUDA_*",
    "NVIDIA_*",
    "HOME",
    "PATH",
    "PWD",
    "USER",
    "HOSTNAME",
    "LANG",
    "LC_*",
    "TZ",
    "TMPDIR",
    "PYTHONPATH",
    "PYTHONUNBUFFERED",
    "LD_LIBRARY_PATH",
]
API_KEY = "RUNPOD_API_KEY"


@dataclass
class Params:
    platform_variables: list[str] = param_doc(
        default=PLATFORM_VARIABLES,
        doc="Globs of variables the platform, the deployer or the image sets, which need no "
        "`env=` entry. `RUNPOD_API_KEY` is exempt only where the SDK injects it (runpod 2.0 "
        "endpoints; a Flash endpoint whose body calls another endpoint's function).",
    )


@register
class EnvNotForwarded(Check):
    """Finds literal environment reads in the worker's body (`os.environ["X"]` as a value,
    `os.environ.get("X")`, `os.getenv("X")`, `"X" in os.environ`; the body includes a
    runpod 2.0 queue's `@handle.init` hooks and the same-module functions it calls, one level
    deep; a key may be a module constant, `os.environ[TOKEN_VAR]`, or each string of a
    literal or constant a loop or comprehension runs over, `{k: os.environ[k] for k in
    FORWARDED}`; a key computed in the body is not guessed at) and reports each variable
    that `env=` does not pass, that the body did not set itself first, and that the
    platform does not set. Writes (`os.environ["X"] = v`, `setdefault`, `update`, `pop`,
    `del`) are not reads. `os` imported under another name (`import os as _os`, `from os
    import environ as ENV, getenv as env`, at module level) reads the same way in the body.
    On a runpod 2.0 endpoint, a field of a pydantic-settings object read in the body
    (`settings.model_id`, `get_settings().model_id`) is a read of its variable (the field's
    alias, else `env_prefix` + its name; any case unless `case_sensitive=True`): the object
    is built when the module is imported, on the worker too. As with `os.getenv(K, d)`, a
    default does not exempt it (the worker silently gets the default, not the local value);
    a field with no default fails the settings' build on the worker. A field with
    `validation_alias=AliasChoices("A", "B")` is passed by any of its names; a field of a
    nested model (`settings.db.url`) reads `<prefix>DB__URL` with `env_nested_delimiter="__"`
    or `<prefix>DB` (the model as JSON), either of which passes it (pydantic-settings
    2.16.3). Not read: fields given when the object is built, an `AliasPath` or computed
    alias, a model nested two levels deep, a pydantic v1 `class Config:`.
    Where the deployed worker imports the declaring module (a runpod-flash `Endpoint`: the
    handler `flash build` generates does `importlib.import_module`; runpod 2.0: the worker
    imports the manifest's `module`), a module-level constant the body uses whose value reads
    the environment (`MODEL_ID = os.getenv("MODEL_ID", "x")`, `CACHE = os.environ["HF_HOME"]`,
    `DEBUG = "DEBUG" in os.environ`, also one built from such a constant, or imported from a
    project module) was read on the worker, at import: the finding points at that read and
    names the use. Not when the module set the variable before the read, nor for a read under
    `if __name__ == "__main__":` or in a lambda. A legacy `@remote` function is not checked for
    this: it is often run live, where only the function's source reaches the worker.
    Platform variables are exempt by name, not every `RUNPOD_*`; `RUNPOD_API_KEY` only where
    the SDK injects it (runpod 2.0 always; Flash when the body calls another endpoint's
    function). Locally `flash dev` loads `.env`, so the code works on a laptop; deployed
    workers never see `.env` and get `None` or a KeyError. A runpod 2.0 `@app.task` is
    checked too: its pod's environment is `env=` and the task runtime's own variables.
    A legacy resource class without `env=` in a release whose `env` defaults to
    `get_env_vars()` (tetra-rp, runpod-flash up to 1.10.0) ships the local `.env` to the
    worker: the variables of the nearest `.env` from the declaring file up to the scanned
    root count as passed, and a finding names that `.env` (or says none was found). With no
    `.env` (or an empty one) the variables of `template=PodTemplate(env=[...])` count as
    passed too; a non-empty `.env` replaces the template's env, and the finding says so."""

    id = "env-not-forwarded"
    # A runpod 2.0 task pod gets env= as its environment too (rc2 apps/tasks.py), in plain
    # text, and nothing else of the caller's.
    kinds = ("queue", "load_balancer", "image", "task")
    Params = Params

    def check(self, endpoint, params: Params, ctx):
        env = endpoint.params.get("env")
        passed: set[str] = set()
        open_env = None
        dotenv = None
        if env is None or env.defaulted:
            # The spread may carry env=.
            open_env = endpoint.spreads[0] if endpoint.spreads else None
            dotenv = _dotenv_default(endpoint, ctx) if open_env is None else None
            if dotenv is not None:
                passed = set(dotenv.keys)
                open_env = _with_template_env(dotenv, endpoint, passed)
        else:
            if not env.known:
                open_env = env
            elif isinstance(env.value, dict):
                passed = {str(k) for k in env.value}
                open_env = env.partial
        out = []
        seen = set()
        injected = api_key_injected(endpoint, ctx)
        files = ctx.analysis.modules.files if ctx.analysis is not None else {}
        bodies = body_with_helpers(endpoint, files)
        imports_module = ctx.analysis is not None and imports_module_at_start(endpoint)
        for body in bodies:
            # A write in another function of the body (the handler sets it, a helper reads
            # it) has no order we can see statically: it counts as set first.
            modules = ctx.analysis.modules if ctx.analysis else None
            writes = {id(b): _writes(b, modules) for b in bodies}
            elsewhere = {w for other in bodies if other is not body for w, _ in writes[id(other)]}
            reads = env_reads_of(body, modules) if modules is not None else body.env_reads
            # runpod 2.0 only: its worker imports the handler's module (the object is built
            # there); what runpod-flash ships of a module was not checked for this
            fields = settings_reads(body, ctx.analysis) if endpoint.sdk == "runpod2" else []
            via = {}  # a variable read through a pydantic-settings field: that field
            for read, _ in fields:
                via.setdefault(read.variable, read)
            # what the body uses of module-level constants read from the environment when
            # the worker imports their module (checks/module_env.py)
            at_import = module_env_reads(body, ctx.analysis) if imports_module else []
            candidates = [
                *((name, span, None) for name, span in reads),
                *((r.variable, s, None) for r, s in fields),
                *((r.variable, r.span, r) for r in at_import),
            ]
            for name, span, module_read in candidates:
                field = via.get(name) if module_read is None else None
                same = _matcher(name, field)
                if any(same(k) for k in passed) or name in seen:
                    continue
                if any_match(params.platform_variables, name.upper() if field else name):
                    continue
                if name == API_KEY and injected:
                    continue
                if module_read is None and (
                    any(same(w) for w in elsewhere)
                    or any(
                        same(w) and (ws.line, ws.column) < (span.line, span.column)
                        for w, ws in writes[id(body)]
                    )
                ):
                    continue  # the body set it itself first
                seen.add(name)
                if open_env is not None:
                    from_spread = bool(endpoint.spreads) and open_env is endpoint.spreads[0]
                    what = "the `**` spread that may set `env`" if from_spread else "`env`"
                    out.append(unknown(endpoint, open_env, what, "env"))
                    return out
                if module_read is not None:
                    out.append(_at_import(endpoint, body, module_read))
                    continue
                out.append(
                    fail_at(
                        endpoint,
                        f"`{body.name}` reads `{name}`{_or_else(field)} from the environment"
                        f"{_through(field)} but `{endpoint.display_name}` does not pass it in "
                        "env=; "
                        + (
                            "deployed workers see only what env= passes (runpod 2.0 does not "
                            "load .env, and ships no .env file)"
                            if endpoint.sdk == "runpod2"
                            else dotenv.why_not(name)
                            if dotenv is not None
                            else "deployed workers never see your local .env"
                        ),
                        body.path or endpoint.path,
                        span,
                        f"env.{name}",
                        fix=_fix(
                            endpoint, name, secret_key(name, DEFAULT_WORDS, DEFAULT_QUALIFIERS)
                        ),
                    )
                )
        return out


# What the worker gets for a variable read at import and not passed, by the read's form.
_AT_IMPORT_RESULT = {
    "index": "the import fails with a KeyError and the worker never starts",
    "get": "the worker gets None",
    "default": "the worker silently gets the default",
    "test": "the test is False on the worker",
}


def _at_import(endpoint, body, read: ModuleRead):
    """FG108 at a module-level read: the worker imports the module, so the read runs there."""
    where = "" if read.path == (body.path or endpoint.path) else f" ({read.path})"
    tail = (
        "runpod 2.0 loads no .env and ships none"
        if endpoint.sdk == "runpod2"
        else "deployed workers never see your local .env"
    )
    return fail_at(
        endpoint,
        f"`{body.name}` uses `{read.constant}` (line {read.use.line}), which reads "
        f"`{read.variable}` from the environment when the worker imports the module{where}, but "
        f"`{endpoint.display_name}` does not pass it in env=: {_AT_IMPORT_RESULT[read.how]} "
        f"({tail})",
        read.path,
        read.span,
        f"env.{read.variable}",
        fix=_fix(
            endpoint, read.variable, secret_key(read.variable, DEFAULT_WORDS, DEFAULT_QUALIFIERS)
        ),
    )


@dataclass
class DotenvDefault:
    """A legacy resource class whose release fills an omitted `env=` with the local `.env`."""

    release: str
    path: str | None  # the `.env` found, relative to the scanned root
    keys: frozenset[str]
    # set by template=PodTemplate(env=[...]), which a non-empty .env replaces
    replaced: frozenset[str] = frozenset()

    def why_not(self, name: str) -> str:
        sent = f"{self.release} sends the variables of the local .env when env= is omitted"
        if self.path is None:
            return f"{sent}, and no .env was found above the file"
        if name in self.replaced:
            return (
                f"{sent}, and {self.path} does not set `{name}`: a non-empty .env replaces "
                "the template=PodTemplate(env=[...]) that sets it"
            )
        return f"{sent}, and {self.path} does not set `{name}`"


def _with_template_env(dotenv: DotenvDefault, endpoint, passed: set[str]):
    """The SDK copies the `.env` dict into `template.env` only when it is non-empty
    (`if self.env:` in `_configure_existing_template`), so with no `.env`, or an empty one,
    the variables of `template=PodTemplate(env=[...])` reach the worker; a non-empty `.env`
    replaces them. Adds what the template passes to `passed`; returns the template env when it
    cannot be read and would be kept, else None."""
    pairs, unresolved = template_env_entries(endpoint)
    keys = {key for key, _ in pairs}
    if dotenv.keys:
        dotenv.replaced = frozenset(keys - dotenv.keys)
        return None
    passed |= keys
    return unresolved[0] if unresolved else None


def _dotenv_default(endpoint, ctx) -> DotenvDefault | None:
    """tetra-rp (and runpod-flash up to 1.10.0) give a legacy resource class's `env` the
    default `get_env_vars()`: `dotenv_values()` of the `.env` python-dotenv finds, walking up
    from the SDK's own directory (the project's `.venv`) or, interactively, the working
    directory. That `.env` lands in the endpoint template, so its variables do reach the
    worker. Approximated by the nearest `.env` from the declaring file up to the scanned root."""
    if getattr(endpoint, "api", None) != "legacy" or ctx.analysis is None:
        return None
    from flash_guard.sdk.in_use import facts_of, sdk_of

    facts = facts_of(endpoint)
    if facts is None:
        return None
    fields = facts.legacy_fields.get(endpoint.resource_class) or facts.legacy_fields.get(
        "ServerlessResource", {}
    )
    field = fields.get("env")
    if field is None or field.default_factory != "get_env_vars":
        return None
    sdk = sdk_of(endpoint)
    release = f"{sdk.package} {sdk.version}" if sdk is not None else "this SDK release"
    root = Path(ctx.analysis.root)
    here = (root / endpoint.path).parent
    while True:
        candidate = here / ".env"
        if candidate.is_file():
            rel = (
                candidate.relative_to(root).as_posix()
                if candidate.is_relative_to(root)
                else str(candidate)
            )
            return DotenvDefault(release, rel, _dotenv_keys(candidate))
        if here == root or here.parent == here or not here.is_relative_to(root):
            return DotenvDefault(release, None, frozenset())
        here = here.parent


def _dotenv_keys(path: Path) -> frozenset[str]:
    """The variable names a `.env` sets, as python-dotenv reads them (`export K=v`, `K=v`,
    quotes and comments; a bare `K` has no value and sets nothing usable)."""
    from flash_guard.project.sdk_version import read_text  # bounded, no symlinks

    text = read_text(path)
    if text is None:
        return frozenset()
    keys = set()
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key = line.split("=", 1)[0].strip().strip("'\"")
        if key:
            keys.add(key)
    return frozenset(keys)


def _writes(body, modules) -> list:
    return env_writes_of(body, modules) if modules is not None else list(body.env_writes)


def _matcher(name: str, field):
    """Whether another variable name gives what `name` is read for: pydantic-settings reads
    its variables case-insensitively unless the class sets `case_sensitive=True`, and a
    field may be given by any of several variables (an `AliasChoices`, a nested model's
    own variable)."""
    if field is None:
        return lambda other: other == name
    names = {name, *field.alternatives}
    if field.case_sensitive:
        return lambda other: other in names
    upper = {n.upper() for n in names}
    return lambda other: isinstance(other, str) and other.upper() in upper


def _or_else(field) -> str:
    """` (or `B`)`: the other variables that would give the field."""
    others = field.alternatives if field is not None else ()
    return f" (or {', '.join(f'`{n}`' for n in others)})" if others else ""


def _through(field) -> str:
    if field is None:
        return ""
    if field.has_default:
        return f" (pydantic-settings field `{field.text}`; workers get its default)"
    return f" (pydantic-settings field `{field.text}`, no default: the settings fail to build)"


def _fix(endpoint, name: str, secret: bool = False) -> str:
    if endpoint.sdk == "runpod2" and secret:
        # os.environ[...] here would be FG107: 2.0 bakes it into the template in plain text.
        return (
            f'Add env={{"{name}": runpod.Secret("<secret name>")}} (created with `rp secret add`)'
        )
    if endpoint.sdk == "runpod2":
        # 2.0 bakes an os.environ value read at declaration into the template (FG107 fires
        # on a secret-looking one), so a secret goes through runpod.Secret instead.
        return (
            f'Add env={{"{name}": os.environ["{name}"]}} to the endpoint, or for a secret '
            f'env={{"{name}": runpod.Secret("<secret name>")}}'
        )
    return (
        f'Add env={{"{name}": os.environ["{name}"]}} (or a '
        "{{ RUNPOD_SECRET_... }} reference) to the endpoint"
    )


def api_key_injected(endpoint, ctx) -> bool:
    """runpod 2.0 sets `RUNPOD_API_KEY` on every deployed endpoint; Flash injects it only into
    endpoints whose body calls another endpoint's function directly (flash-sdk.md §5.2)."""
    if endpoint.package == "runpod":
        return True
    served = _served_by(ctx)
    own = {t.name for t in endpoint.targets} if endpoint.deployable else set()
    return any(
        served.get(callee, 0) > (callee in own)
        for body in worker_bodies(endpoint)
        for callee in body.calls
    )


def _served_by(ctx) -> dict[str, int]:
    """How many deployable endpoints serve each function name, counted once per analysis (it
    was rebuilt for every endpoint, quadratic in a large project)."""
    key = (id(ctx.endpoints), len(ctx.endpoints))
    memo = ctx.analysis.__dict__.setdefault("_fg108_served", {}) if ctx.analysis else {}
    if key not in memo:
        counts: dict[str, int] = {}
        for e in ctx.endpoints:
            if e.deployable:
                for name in {t.name for t in e.targets}:
                    counts[name] = counts.get(name, 0) + 1
        memo[key] = counts
    return memo[key]
