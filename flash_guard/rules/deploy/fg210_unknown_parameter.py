"""FG210: keywords that `Endpoint`, a legacy resource class or `remote()` does not have."""

from __future__ import annotations

from flash_guard.checks.base import fail_at, register, unknown
from flash_guard.checks.deploy_support import EveryDeclaration, label, written
from flash_guard.model import EnumRef, Opaque
from flash_guard.rules.deploy.fg209_invalid_cuda_version import member_problem, value_problem
from flash_guard.sdk.flash_tables import (
    CPU_CLASS_DROPPED_GPU_FIELDS,
    LEGACY_CLASSES,
    REMOTE_STUB_KEYWORDS,
    REMOTE_STUB_KEYWORDS_FROM,
    counts_milliseconds,
    did_you_mean,
    execution_timeout_hint,
    execution_timeout_meant,
    names_time_limit,
)
from flash_guard.sdk.in_use import keywords, release_at_least

# FG208 owns this one: the docs tell people to pass it, and the fix is a CLI flag.
OWNED_ELSEWHERE = frozenset({"python_version"})


@register
class UnknownParameter(EveryDeclaration):
    """Compares every keyword with the parameters the SDK defines. `Endpoint(...)` raises
    `TypeError: ... got an unexpected keyword argument` when the module is imported (clients
    included); `python_version=` is left to FG208. A legacy resource class (a pydantic model
    that ignores unknown fields) silently drops the keyword, so the setting never takes
    effect: `workers_max=3` on `LiveServerless` leaves `workersMax` at 1. So does `imageName=`
    on a Live* class (`LiveServerless`, `CpuLiveServerless`, `LiveLoadBalancer`,
    `CpuLiveLoadBalancer`) in every tetra-rp release and runpod-flash up to 1.16: the class
    overwrites it with the SDK's own image (runpod-flash 1.17 honours it); so is
    `Endpoint(image=...)` up to 1.16, which is provisioned through those classes. `@remote(...)`
    raises `TypeError: remote() got unknown keyword argument` from runpod-flash 1.11.1; earlier
    releases pass it through and lose it, except `sync=`, which the stub of a
    `ServerlessEndpoint` or `CpuServerlessEndpoint` reads. A GPU setting (`gpus`, `gpuIds`,
    `gpuCount`, `cudaVersions`, `minCudaVersion`) on a CPU class (`CpuLiveServerless`,
    `CpuServerlessEndpoint`, `CpuLiveLoadBalancer`, `CpuLoadBalancerSlsResource`) is lost the
    same way in every release: the class clears it or never sends it, and the endpoint runs on
    CPU instances; a `gpu=` there gets no rename to `gpus`. A `template=PodTemplate(...)`
    keyword that PodTemplate does not have (`containerDiskInGB=200`) is dropped the same way,
    leaving the 64 GB default disk. `max_concurrency` above 1 on an `Endpoint` with routes
    (load-balanced) is a warning: it is jobs per worker of a queue-based endpoint, and
    `flash build` drops it from a load-balanced one with only a log warning (runpod-flash
    1.13+, verified with 1.21: no `max_concurrency` in the manifest), so uvicorn admits requests
    with no such cap. Each finding suggests the
    closest real parameter (`gpus` -> `gpu`, `workers_max` -> `workersMax`); a keyword that
    names the GPU (`gpuType="A40"`) is pointed at the GPU choice, not at `type`; one that names
    a time limit (`timeout`, `timeout_s`, `max_runtime`) at the execution timeout
    (`execution_timeout_ms`, `executionTimeoutMs` on the legacy classes), in milliseconds, not
    at `idle_timeout`, with no automatic rename unless it was written in ms. Keywords that
    come from a `**spread` that cannot be resolved make the rule undecidable (FG002)."""

    id = "unknown-parameter"

    def check(self, endpoint, params, ctx):
        name = label(endpoint)
        out = []
        accepted = keywords(endpoint)  # of the SDK release the app uses
        endpoint_params = accepted.endpoint
        legacy_fields = accepted.legacy
        remote_params = accepted.remote
        if endpoint.api == "endpoint" and endpoint_params is None:
            pass  # no `Endpoint` in this release: FG213 reports the import
        elif endpoint.api == "endpoint":
            unknown_keys = [
                k
                for k, _, _ in endpoint.kwargs
                if k not in endpoint_params and k not in OWNED_ELSEWHERE
            ]
            for key, value, span in endpoint.kwargs:
                if key in endpoint_params or key in OWNED_ELSEWHERE:
                    continue
                if endpoint.kind == "client" and names_time_limit(key):
                    out.append(_client_time_limit(endpoint, name, key, span))
                    continue
                out.append(
                    fail_at(
                        endpoint,
                        f"{name}: Endpoint() got an unexpected keyword argument '{key}' "
                        f"(TypeError when the module is imported"
                        f"{_release_note(accepted.sdk, 'endpoint_param', key)})"
                        f"{suggest(key, endpoint_params, value)}",
                        endpoint.path,
                        span,
                        key,
                        fix=fix_for(key, endpoint_params, unknown_keys),
                    )
                )
            out += _client_image_replaced(endpoint, name)
            out += _concurrency_on_load_balancer(endpoint, name, endpoint_params)
        else:
            cls = endpoint.resource_class
            unknown_fields = [k for k, _, _ in endpoint.kwargs if k not in legacy_fields]
            for key, value, span in endpoint.kwargs:
                if key in legacy_fields:
                    continue
                if _cpu_class(cls) and did_you_mean(key, legacy_fields) in CPU_GPU_FIELDS:
                    # `gpu=` on CpuLiveServerless: `gpus` would be dropped too, so no rename
                    out.append(_gpu_on_cpu_class(endpoint, name, key, span, field=False))
                    continue
                out.append(
                    fail_at(
                        endpoint,
                        f"{name}: {cls} has no field '{key}'; pydantic drops it silently, so the "
                        "setting never takes effect"
                        f"{_release_note(accepted.sdk, f'model_field:{cls}', key, paren=True)}"
                        f"{suggest(key, legacy_fields, value)}",
                        endpoint.path,
                        span,
                        key,
                        fix=fix_for(key, legacy_fields, unknown_fields),
                    )
                )
            out += _cleared_gpu_fields(endpoint, name, legacy_fields)
            out += _locked_image(endpoint, name)
            for key, value, span in endpoint.remote_kwargs:
                if key in remote_params or _read_by_stub(key, cls, accepted):
                    continue
                hint = suggest(key, remote_params)
                field = execution_timeout_meant(key, legacy_fields) or did_you_mean(
                    key, legacy_fields
                )
                unit = (
                    " (in milliseconds)"
                    if _new_unit(key, field, legacy_fields) and not counts_milliseconds(key)
                    else ""
                )
                if not hint and field:
                    hint = f"; `{field}`{unit} is a setting of the resource class, not of remote()"
                what = (
                    f"remote() got unknown keyword argument: '{key}' (TypeError when the module "
                    "is imported)"
                )
                if not accepted.remote_rejects:
                    sdk = accepted.sdk
                    what = (
                        f"remote() has no parameter '{key}'; {sdk.package} {sdk.version} passes "
                        "unknown keywords through without an error, so the setting is silently "
                        f"lost ({sdk.this_app()})"
                    )
                out.append(
                    fail_at(
                        endpoint,
                        f"{name}: {what}{hint}",
                        value.path or endpoint.path,
                        span,
                        key,
                        fix=(
                            f"Set `{field}=`{unit} on {cls}(...) instead of passing `{key}=` "
                            "to remote()."
                            if field and not did_you_mean(key, remote_params)
                            else fix_for(key, remote_params)
                        ),
                    )
                )
        out += _template_fields(endpoint, name)
        if endpoint.spreads:
            out.append(unknown(endpoint, endpoint.spreads[0], "the `**` spread", "kwargs"))
        return out


CPU_GPU_FIELDS = frozenset(CPU_CLASS_DROPPED_GPU_FIELDS)


def _client_time_limit(endpoint, name: str, key: str, span):
    """`Endpoint(id="abc", timeout=30)`: a client deploys nothing, so no execution timeout is
    meant; its calls take the wait, in seconds (runpod-flash 1.21 `runsync(data, timeout=60.0)`,
    `EndpointJob.wait(timeout=None)`, `ep.post(path, data, timeout=...)`)."""
    return fail_at(
        endpoint,
        f"{name}: Endpoint() got an unexpected keyword argument '{key}' (TypeError when the "
        "module is imported); a client's time limit goes on each call, in seconds: "
        f"`await ep.runsync(data, timeout=...)`, `await job.wait(timeout=...)`",
        endpoint.path,
        span,
        key,
        fix=f"Remove `{key}=` and pass `timeout=` (seconds) to runsync()/wait()/post().",
    )


def _release_note(sdk, kind: str, key: str, paren: bool = False) -> str:
    """When another release of the SDK takes the keyword: which one, and the release this
    app is checked against and where that came from (rules.md "SDK version in use": a finding
    that depends on the version names it). "" when no recorded release has it."""
    from flash_guard.sdk.in_use import history

    changed = history(sdk, kind, key) if sdk is not None else None
    if changed is None:
        return ""
    note = f"`{key}` {changed}; {sdk.this_app()}"
    return f" ({note})" if paren else f"; {note}"


def _cpu_class(cls: str) -> bool:
    return LEGACY_CLASSES.get(cls, {}).get("cpu", False)


def _cleared_gpu_fields(endpoint, name: str, legacy_fields) -> list:
    """`CpuLiveServerless(gpus=[GpuGroup.ADA_24])`: a CPU class clears its GPU fields (gpuIds,
    gpuCount) and never sends the others (`gpus`, `cudaVersions`), so the GPU setting is lost
    and the endpoint runs on CPU instances (flash_tables.CPU_CLASS_DROPPED_GPU_FIELDS). An
    empty value (`gpus=[]`, `gpuCount=0`, None) asks for nothing and is left alone."""
    if not _cpu_class(endpoint.resource_class):
        return []
    return [
        _gpu_on_cpu_class(endpoint, name, key, span, field=True)
        for key, value, span in endpoint.kwargs
        if key in CPU_GPU_FIELDS
        and key in legacy_fields
        and not _asks_nothing(value)
        and not _rejected(key, value)
    ]


def _asks_nothing(value) -> bool:
    return value.known and value.value in (None, 0, "", [], ())


def _rejected(key: str, value) -> bool:
    """A minCudaVersion the field validator rejects before the class clears it: the
    construction fails (FG209's finding), so nothing is silently dropped."""
    if key != "minCudaVersion" or not value.known or value.value is None:
        return False
    raw = value.value
    return member_problem(raw) is not None or (
        not isinstance(raw, EnumRef) and value_problem(raw) is not None
    )


def _gpu_on_cpu_class(endpoint, name: str, key: str, span, field: bool):
    cls = endpoint.resource_class
    gpu_class = cls.removeprefix("Cpu")
    what = (
        f"{cls} is a CPU class and drops `{key}` without an error (it resets gpuIds and "
        "gpuCount and never sends gpus or cudaVersions): the GPU setting is lost and the "
        "endpoint runs on CPU instances"
        if field
        else f"{cls} has no field '{key}' and, being a CPU class, would drop any GPU setting: "
        "the endpoint runs on CPU instances"
    )
    return fail_at(
        endpoint,
        f"{name}: {what}",
        endpoint.path,
        span,
        key,
        fix=f"Remove `{key}=`, or use {gpu_class}(gpus=...) for a GPU endpoint.",
    )


def _template_fields(endpoint, name: str) -> list:
    """`template=PodTemplate(containerDiskInGB=100)`: PodTemplate is a pydantic model that
    ignores unknown fields like the legacy classes, so the keyword is dropped and the
    default (a 64 GB container disk) is what deploys."""
    from flash_guard.sdk.in_use import facts_of

    template = endpoint.params.get("template")
    if endpoint.sdk == "runpod2" or template is None or template.defaulted:
        return []
    value = template.value if template.known else None
    if not isinstance(value, Opaque) or value.callee != "PodTemplate":
        return []
    facts = facts_of(endpoint)
    fields = facts.legacy_fields.get("PodTemplate") if facts is not None else None
    if not fields:
        return []
    known = set(fields) | {spec.alias for spec in fields.values() if spec.alias}
    unknown_keys = [key for key in value.kwargs if key not in known]
    return [
        fail_at(
            endpoint,
            f"{name}: PodTemplate has no field '{key}'; pydantic drops it silently, so the "
            f"setting never takes effect{suggest(key, known)}",
            value.path or template.path or endpoint.path,
            value.kwarg_spans.get(key) or value.span or template.span,
            "template",
            fix=fix_for(key, known, unknown_keys),
        )
        for key in unknown_keys
    ]


def _concurrency_on_load_balancer(endpoint, name: str, endpoint_params) -> list:
    """`max_concurrency` is jobs per worker of a queue-based endpoint: the QB handler's
    `concurrency_modifier`. On an endpoint with routes `flash build` drops it from the
    manifest (runpod-flash 1.13+, manifest.py: "max_concurrency=N on LB endpoint '...' is
    ignored. LB endpoints handle concurrency via uvicorn.") and no LB handler reads it, so the
    worker takes as many requests at once as uvicorn accepts, uncapped."""
    if endpoint.kind != "load_balancer" or "max_concurrency" not in endpoint_params:
        return []
    found = written(endpoint, "max_concurrency")
    if found is None:
        return []
    value, span = found
    raw = value.value if value.known else None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw <= 1:
        return []  # 1 is the default; below 1 or not a number is FG202's
    outcome = fail_at(
        endpoint,
        f"{name}: max_concurrency={raw} is for queue-based endpoints; flash build drops it "
        "from a load-balanced one with only a log warning, and its worker takes requests "
        "through uvicorn with no such cap",
        endpoint.path,
        span,
        "max_concurrency",
        fix="Drop max_concurrency from the load-balanced endpoint; to cap the work a worker "
        "does at once, use an asyncio.Semaphore in the route handlers.",
    )
    outcome.severity = "warning"  # the setting is lost, the endpoint still deploys and serves
    return [outcome]


def _client_image_replaced(endpoint, name: str) -> list:
    """`Endpoint(image="vllm/vllm-openai:...")` up to runpod-flash 1.16: `flash build` skips
    client endpoints, so the image is provisioned when code calls it (`_ensure_endpoint_ready`),
    always through the live class (`_build_resource_config`: `LiveServerless` or
    `CpuLiveServerless`), whose `imageName` is locked to Flash's own worker image. The
    endpoint comes up running Flash's image instead of the one named (fixed in 1.17)."""
    from flash_guard.sdk.in_use import facts_of, sdk_of

    spans = [span for key, _, span in endpoint.kwargs if key == "image"]
    facts = facts_of(endpoint) if spans else None
    if facts is None:
        return []
    cpu = endpoint.params.get("cpu")
    on_cpu = cpu is not None and not cpu.defaulted and not (cpu.known and cpu.value is None)
    live = "CpuLiveServerless" if on_cpu else "LiveServerless"
    field = facts.legacy_fields.get(live, {}).get("imageName")
    if field is None or not (isinstance(field.default, dict) and "property" in str(field.default)):
        return []
    sdk = sdk_of(endpoint)
    return [
        fail_at(
            endpoint,
            f"{name}: {sdk.package} {sdk.version} provisions an `image=` endpoint through "
            f"{live}, which overwrites imageName with Flash's own worker image without an "
            f"error: the endpoint runs that image, not the one named ({sdk.this_app()})",
            endpoint.path,
            spans[0],
            "image",
            fix="Use runpod-flash 1.17 or later (pin it), where image= is honoured.",
        )
    ]


def _locked_image(endpoint, name: str) -> list:
    """`LiveServerless(imageName=...)` (and the other Live* classes): up to runpod-flash 1.16
    and in every tetra-rp release, `imageName` is a read-only property whose setter does
    nothing and a `before` validator overwrites the value with the SDK's own image, so a
    custom image is silently replaced (the recorded field default is that property)."""
    from flash_guard.sdk.in_use import facts_of, sdk_of

    spans = [span for key, _, span in endpoint.kwargs if key == "imageName"]
    facts = facts_of(endpoint) if spans else None
    if facts is None:
        return []
    field = facts.legacy_fields.get(endpoint.resource_class, {}).get("imageName")
    if field is None or not (isinstance(field.default, dict) and "property" in str(field.default)):
        return []
    sdk = sdk_of(endpoint)
    custom = (
        "CpuServerlessEndpoint"
        if endpoint.resource_class.startswith("Cpu")
        else "ServerlessEndpoint"
    )
    if "LoadBalancer" in endpoint.resource_class:
        custom = (
            "CpuLoadBalancerSlsResource"
            if endpoint.resource_class.startswith("Cpu")
            else "LoadBalancerSlsResource"
        )
    return [
        fail_at(
            endpoint,
            f"{name}: {endpoint.resource_class} locks imageName to the SDK's own image in "
            f"{sdk.package} {sdk.version}: the value is overwritten without an error, so the "
            f"custom image is never used ({sdk.this_app()})",
            endpoint.path,
            spans[0],
            "imageName",
            fix=f"Use {custom}(imageName=...) to run your own image, or drop imageName=.",
        )
    ]


def _read_by_stub(key: str, cls: str, accepted) -> bool:
    """`@remote(ServerlessEndpoint(...), sync=True)`: a keyword the release passes through to
    a stub that reads it, so it is no lost setting."""
    if accepted.remote_rejects or cls not in REMOTE_STUB_KEYWORDS.get(key, ()):
        return False
    sdk = accepted.sdk
    first = REMOTE_STUB_KEYWORDS_FROM.get(sdk.package) if sdk is not None else None
    return first is not None and release_at_least(sdk, sdk.package, first)


# The parameters that choose the GPU, on the legacy classes and on `Endpoint`.
GPU_CHOICE = ("gpus", "gpu")


def guess_for(key: str, candidates) -> str | None:
    """The parameter `key` was most likely meant as. A keyword that names the GPU (`gpuType`,
    `gpu_name`) means the GPU choice even where spelling says otherwise: `gpuType` is
    closest to `type`, the queue/load-balancer switch, which rejects a GPU name. So does one
    that names a time limit (`timeout`, `max_runtime`): the execution timeout, not the
    `idle_timeout` that `timeout` is spelled closest to."""
    meant = execution_timeout_meant(key, candidates)
    if meant is not None:
        return meant
    guess = did_you_mean(key, candidates)
    if "gpu" not in key.lower() or (guess is not None and "gpu" in guess.lower()):
        return guess
    pool = set(candidates)
    return next((name for name in GPU_CHOICE if name in pool and name != key), guess)


def suggest(key: str, candidates, value=None) -> str:
    """`value`: the keyword's Value, for the unit of a time limit (`timeout=600`)."""
    guess = guess_for(key, candidates)
    if _new_unit(key, guess, candidates):
        return execution_timeout_hint(key, guess, value)
    return f"; did you mean `{guess}`?" if guess else ""


def _new_unit(key: str, guess: str | None, candidates) -> bool:
    """A time limit meant as the execution timeout and not a respelling of it (`timeout`,
    not `executionTimeoutMs`): the message says the unit, milliseconds."""
    if guess is None or guess != execution_timeout_meant(key, candidates):
        return False
    return key.casefold().replace("_", "") != guess.casefold().replace("_", "")


def fix_for(key: str, candidates, unknown_keys=()) -> str:
    """`unknown_keys`: the call's other unknown keywords; two that would be renamed to one
    name get no rename (a repeated keyword is a SyntaxError)."""
    guess = guess_for(key, candidates)
    if guess in GPU_CHOICE and guess != did_you_mean(key, candidates):
        # Matched by meaning, not spelling: the value (`"A40"`, `1`) is no GPU list as written.
        return f"Give the GPU as `{guess}=` (GpuGroup or GpuType members) and remove `{key}=`."
    if guess == "workers" and ("min" in key.lower() or "max" in key.lower()):
        # An int `workers=` is the maximum alone: the bounds go together as a tuple.
        return "Replace the min/max keywords with one `workers=(min, max)`."
    if guess and any(k != key and guess_for(k, candidates) == guess for k in unknown_keys):
        return f"Keep one of the keywords meant as `{guess}=` and rename it; remove the others."
    if _new_unit(key, guess, candidates) and not counts_milliseconds(key):
        # No rename: `timeout=600` renamed is a 0.6 s limit.
        return f"Replace `{key}=` with `{guess}=` in milliseconds (seconds x 1000)."
    if guess:
        return f"Rename `{key}=` to `{guess}=`."
    return f"Remove `{key}=`; see the parameter list in the SDK reference."
