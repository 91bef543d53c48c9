"""The facts of the SDK release an endpoint's app uses, and how to say what changed.

Rules ask here rather than read `flash_tables` directly when the answer depends on the release:
`facts_of(endpoint)` is that release's `releases.SdkFacts`; `history` says when a name the
release in use lacks was removed or added, and `SdkInUse.this_app()` names the release and where
it came from ("`DataCenter.US_GA_2` was removed in runpod-flash 1.17; this app pins 1.21.0 in
uv.lock:12").
"""

from __future__ import annotations

from dataclasses import dataclass

from flash_guard.project.sdk_version import DISTRIBUTIONS, SdkInUse, facts_release
from flash_guard.sdk import releases


def sdk_of(endpoint) -> SdkInUse | None:
    """The endpoint's SdkInUse; an endpoint built without the pipeline (a unit test) uses the
    newest release of its package. None for packages without recorded releases."""
    if getattr(endpoint, "sdk_release", None) is not None:
        return endpoint.sdk_release
    package = DISTRIBUTIONS.get(getattr(endpoint, "package", ""))
    if package is None:
        return None
    newest = releases.newest(package)
    return SdkInUse(package, newest, facts_release(package, newest), "newest")


def facts_of(endpoint) -> releases.SdkFacts | None:
    """None for runpod 2.0, whose facts are sdk/runpod2_tables.py, not per-release records."""
    sdk = sdk_of(endpoint)
    if sdk is None or sdk.package not in releases.packages():
        return None
    return releases.facts(sdk.package, sdk.facts_version)


def release_at_least(sdk: SdkInUse | None, package: str, version: str) -> bool:
    """Whether the release checked against is `package` at `version` or later (a recorded
    release: `facts_version` always is one)."""
    if sdk is None or sdk.package != package:
        return False
    order = releases.releases(package)
    return order.index(sdk.facts_version) >= order.index(version)


# The first tetra-rp release that keeps a `gpuIds=` written without `gpus=`. Before it,
# serverless.py `sync_input_fields` ran `if self.gpus: self.gpuIds = ",".join(...)`, and
# `gpus` defaults to [GpuGroup.ANY] (every pool), so the gpuIds string was overwritten;
# from 0.19.0 it reads `if self.gpus and not self.gpuIds`. Checked with tetra-rp
# 0.11.0/0.14.0/0.18.0 (overwritten) and 0.19.0/0.20.0/0.25.2, runpod-flash 1.8.1-1.21 (kept).
GPU_IDS_KEPT_FROM_TETRA = "0.19.0"


def gpu_ids_overwritten(endpoint) -> bool:
    """Whether the release in use replaces `gpuIds` with `gpus` (its default when omitted).
    FG101, FG405 and the `endpoints` inventory judge and show `gpus=` there."""
    sdk = sdk_of(endpoint)
    return (
        sdk is not None
        and sdk.package == "tetra-rp"
        and not release_at_least(sdk, "tetra-rp", GPU_IDS_KEPT_FROM_TETRA)
    )


# The release whose CLI names the local server `flash dev`; before it, and in every tetra-rp
# release, it is `flash run` (cli/main.py registers "dev" from runpod-flash 1.15.0).
FLASH_DEV_FROM = "1.15.0"


def dev_command(sdk: SdkInUse | None) -> str:
    """`flash dev`, or `flash run` for the releases whose CLI has no `dev`."""
    if sdk is None or release_at_least(sdk, "runpod-flash", FLASH_DEV_FROM):
        return "flash dev"
    return "flash run"


def has_flash_build(endpoint) -> bool:
    """Whether the release in use builds the app with `flash build` (which reads
    requirements.txt and bundles the literal `dependencies=`). tetra-rp before 0.14.0 has no
    build (no `cli.commands.build`): its live-serverless stub sends the function's source with
    its own `@remote(dependencies=...)` on every call, which the worker pip-installs
    (tetra-rp 0.11.0 stubs/live_serverless.py); nothing of that release reads
    requirements.txt. runpod 2.0 always builds."""
    if getattr(endpoint, "sdk", "") == "runpod2":
        return True
    facts = facts_of(endpoint)
    return facts is None or releases.has_module(facts, "cli.commands.build")


def short(version: str) -> str:
    """'1.17.0' -> '1.17' (how release notes name a minor release); others unchanged."""
    parts = version.split(".")
    return ".".join(parts[:2]) if len(parts) == 3 and parts[2] == "0" else version


def list_taken_from(endpoint, param: str) -> str | None:
    """The first release that takes a list for `Endpoint(param=...)` when the release the
    endpoint's app uses takes one value only (runpod-flash 1.6.1-1.9.1 `datacenter:
    DataCenter`, `volume: Optional[NetworkVolume]`; lists from 1.10), else None."""
    facts, sdk = facts_of(endpoint), sdk_of(endpoint)
    params = facts.endpoint_params if facts is not None else None
    own = params.get(param) if params is not None else None
    if sdk is None or own is None or own.annotation is None or "List" in own.annotation:
        return None
    order = releases.releases(sdk.package)
    for version in order[order.index(sdk.facts_version) + 1 :]:
        later = releases.facts(sdk.package, version).endpoint_params or {}
        if param in later and "List" in (later[param].annotation or ""):
            return short(version)
    return None


def history(sdk: SdkInUse, kind: str, name: str) -> str | None:
    """Why `name` (of fact `kind`, e.g. 'enum:DataCenter' or 'export') is missing from the
    release in use when another release has it: 'was removed in runpod-flash 1.17' or 'was
    added in runpod-flash 1.10'. None when no recorded release of the package has it."""
    package = sdk.package
    first = releases.first_release_with(package, kind, name)
    if first is None:
        return None
    order = releases.releases(package)
    at = order.index(sdk.facts_version)
    if order.index(first) > at:
        return f"was added in {package} {short(first)}"
    removed = _removed_before(package, kind, name, at)
    return f"was removed in {package} {short(removed)}" if removed else None


def _removed_before(package: str, kind: str, name: str, at: int) -> str | None:
    """The release after the last one (not after `at`) that had `name`."""
    order = releases.releases(package)
    last = None
    for index in range(at, -1, -1):
        if name in releases.raw_facts(package, order[index]).get(kind, {}):
            last = index
            break
    if last is None or last + 1 > at:
        return None
    return order[last + 1]


def _client_image(endpoint) -> bool:
    """`Endpoint(image=...)`: a client endpoint `flash build` skips (1.21 scanner `not
    obj.is_client`); code that calls it provisions it with its own executionTimeoutMs."""
    if getattr(endpoint, "api", None) != "endpoint":
        return False
    image = endpoint.params.get("image")
    return image is not None and not image.defaulted and not (image.known and image.value is None)


def version_fields(endpoint) -> dict[str, str]:
    """Template fields of declarative items whose message depends on the release in use:
    `{sdk}` ('runpod-flash 1.21.0 (uv.lock:3)'), `{deploy_execution_timeout}` (empty, or
    the sentence saying `flash deploy` drops the limit in that release) and
    `{default_workers}` ('Flash uses (0, 1): one worker at most', or the release whose
    default differs; runpod 2.0's (0, 3))."""
    sdk = sdk_of(endpoint)
    if sdk is None:
        workers = _runpod2_workers() if endpoint_sdk(endpoint) == "runpod2" else DEFAULT_WORKERS
        return {"sdk": "", "deploy_execution_timeout": "", "default_workers": workers}
    facts = facts_of(endpoint)
    dropped = ""
    # A declaration inside a function, or a client `image=` endpoint, is never one `flash
    # deploy` builds (the code that calls it provisions it, keeping the limit), so the note
    # is not for those.
    deployed = getattr(endpoint, "scope", "module") != "function" and not _client_image(endpoint)
    if deployed and facts is not None and facts.deploy_forwards_execution_timeout is False:
        # resource_provisioner.create_resource_from_manifest builds the resource without it
        dropped = (
            f"; `flash deploy` in {sdk.package} {sdk.version} drops executionTimeoutMs, so a "
            f"limit holds under `{dev_command(sdk)}` but not once deployed ({sdk.this_app()})"
        )
    return {
        "sdk": sdk.describe(),
        "deploy_execution_timeout": dropped,
        "default_workers": _default_workers(endpoint, sdk),
    }


DEFAULT_WORKERS = "Flash uses (0, 1): one worker at most"


def _default_workers(endpoint, sdk: SdkInUse) -> str:
    """Who decides the workers an endpoint without `workers` gets: '(0, 1)' since
    runpod-flash 1.2; tetra-rp and earlier releases allowed 3 (normalize.release_defaults);
    runpod 2.0 uses (0, 3)."""
    if endpoint_sdk(endpoint) == "runpod2":
        return _runpod2_workers()
    workers = endpoint.params.get("workers")
    raw = workers.value if workers is not None and workers.defaulted and workers.known else None
    if not isinstance(raw, dict) or "min" not in raw or "max" not in raw:
        return DEFAULT_WORKERS
    low, high = raw["min"].value, raw["max"].value
    if (low, high) == (0, 1):
        return DEFAULT_WORKERS
    return (
        f"{sdk.package} {sdk.version} uses ({low}, {high}) ({sdk.source}): {high} workers at most"
    )


def endpoint_sdk(endpoint) -> str:
    return getattr(endpoint, "sdk", "")


def _runpod2_workers() -> str:
    from flash_guard.sdk.runpod2_tables import DEFAULT_WORKERS as RUNPOD2_WORKERS

    low, high = RUNPOD2_WORKERS
    return f"runpod 2.0 uses ({low}, {high}): up to {high} workers, scaling to zero"


# The deployable legacy resource classes, whose fields FG210 accepts as keywords.
LEGACY_CLASSES = (
    "ServerlessResource",
    "LiveServerless",
    "CpuLiveServerless",
    "LiveLoadBalancer",
    "CpuLiveLoadBalancer",
    "ServerlessEndpoint",
    "CpuServerlessEndpoint",
    "LoadBalancerSlsResource",
    "CpuLoadBalancerSlsResource",
)


@dataclass(frozen=True)
class Keywords:
    """The keywords the release in use accepts (flash_tables' newest lists without one).

    `endpoint` is None when the release has no `Endpoint` (FG213 reports the import);
    `remote_rejects` False means `remote()` passes unknown keywords through silently."""

    endpoint: frozenset[str] | None
    legacy: frozenset[str]
    remote: frozenset[str]
    remote_rejects: bool
    sdk: SdkInUse | None


def keywords(endpoint) -> Keywords:
    from flash_guard.sdk import flash_tables

    facts = facts_of(endpoint)
    if facts is None:
        return Keywords(
            frozenset(flash_tables.ENDPOINT_PARAMS),
            frozenset(flash_tables.LEGACY_USER_FIELDS),
            frozenset(flash_tables.REMOTE_PARAMS),
            True,
            None,
        )
    legacy, endpoint_names, remote_names = _keyword_sets(facts)
    return Keywords(
        endpoint_names,
        legacy,
        remote_names,
        facts.remote_rejects_unknown_kwargs is not False,
        sdk_of(endpoint),
    )


# id(release facts) -> (those facts, their keyword sets): one release serves many endpoints.
_KEYWORD_SETS: dict[int, tuple] = {}


def _keyword_sets(facts) -> tuple[frozenset[str], frozenset[str] | None, frozenset[str]]:
    held = _KEYWORD_SETS.get(id(facts))
    if held is not None and held[0] is facts:
        return held[1]
    from flash_guard.sdk import flash_tables

    legacy: set[str] = set()
    for cls in LEGACY_CLASSES:
        for name, spec in facts.legacy_fields.get(cls, {}).items():
            legacy.add(name)
            if spec.alias:
                legacy.add(spec.alias)
    legacy -= flash_tables.LEGACY_INTERNAL_FIELDS
    sets = (
        frozenset(legacy),
        _names(facts.endpoint_params) if facts.endpoint_params is not None else None,
        _names(facts.remote_params or {}),
    )
    _KEYWORD_SETS[id(facts)] = (facts, sets)
    return sets


def _names(params) -> frozenset[str]:
    """Parameters a caller can pass by keyword (not `*args`/`**kwargs` catch-alls, not self)."""
    return frozenset(
        name
        for name, p in params.items()
        if p.kind not in ("VAR_KEYWORD", "VAR_POSITIONAL", "POSITIONAL_ONLY") and name != "self"
    )
