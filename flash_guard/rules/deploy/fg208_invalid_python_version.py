"""FG208: a python_version the SDK rejects, on its own or against the rest of the app."""

from __future__ import annotations

from flash_guard.checks.base import Check, Outcome, fail, fail_at, register, unknown
from flash_guard.checks.deploy_support import label, python_repr, shown, tidy, written
from flash_guard.checks.placement import visible_to_build
from flash_guard.sdk.flash_tables import DEFAULT_PYTHON_VERSION, PYTHON_VERSIONS
from flash_guard.sdk.in_use import facts_of, release_at_least, sdk_of


@register
class InvalidPythonVersion(Check):
    """`Endpoint` has no `python_version` parameter: passing one is a `TypeError` when the
    module is imported (the docs show it anyway); the app's version is chosen with
    `flash build --python-version` / `flash deploy --python-version`. The legacy classes
    accept `python_version=`, but only as a string among the versions of the release in use
    (3.10-3.13 since runpod-flash 1.17; 3.10-3.12 from 1.8 to 1.16), and before 1.16 the
    Live classes only as a version they have a worker image for (3.12 on GPU; on CPU too from
    1.11.1): they raise 'GPU endpoints require Python 3.12' when built. One app ships as one
    tarball, so every legacy resource that sets it must agree: declarations are ordered by
    path, then line, and each one whose version differs from the first declared one fails
    `flash build` ("Flash apps require one python_version across all resources"); two apps of
    one repository (each with its own project marker) are built separately."""

    id = "invalid-python-version"
    scope = "project"

    def check_project(self, endpoints, params, ctx) -> list[Outcome]:
        out: list[Outcome] = []
        declared = []
        for endpoint in sorted(endpoints, key=lambda e: (e.path, e.span)):
            found = written(endpoint, "python_version")
            if endpoint.api == "endpoint":
                if found is not None:
                    out.append(endpoint_keyword(endpoint, found[1]))
                continue
            if found is None:
                continue  # a spread cannot hold it for Endpoint; legacy spreads: rare, ignored
            value, _ = found
            if not value.known:
                out.append(unknown(endpoint, value, "`python_version`", "python_version"))
                continue
            raw = value.value
            if raw is None:
                continue
            supported, release = _supported(endpoint)
            image_only = _live_image_versions(endpoint)
            if isinstance(raw, str) and raw in supported and image_only and raw not in image_only:
                sdk = sdk_of(endpoint)
                kind = "CPU" if endpoint.resource_class.startswith("Cpu") else "GPU"
                out.append(
                    fail(
                        endpoint,
                        f"{label(endpoint)} python_version={shown(value)}: {sdk.package} "
                        f"{sdk.version} has {kind} worker images for Python "
                        f"{', '.join(image_only)} only, so {endpoint.resource_class}(...) raises "
                        f"'{kind} endpoints require Python {', '.join(image_only)}. Got Python "
                        f"{raw}.' ({sdk.this_app()})",
                        value,
                        "python_version",
                    )
                )
                continue
            if not isinstance(raw, str) or raw not in supported:
                kind = ":" if isinstance(raw, str) else f" is a {type(raw).__name__}, not a string:"
                out.append(
                    fail(
                        endpoint,
                        f"{label(endpoint)} python_version={shown(value)}{kind} the SDK raises "
                        f"'Python {raw} is not supported. Supported versions: "
                        f"{', '.join(supported)}'{release}",
                        value,
                        "python_version",
                    )
                )
                continue
            if visible_to_build(endpoint) and _reconciles(endpoint):
                declared.append((endpoint, value))
        # One tarball per app: two apps of a monorepo may pick different versions.
        apps: dict[str, list] = {}
        for endpoint, value in declared:
            apps.setdefault(endpoint.app, []).append((endpoint, value))
        for group in apps.values():
            out += conflicts(group)
        return tidy(out)


def _reconciles(endpoint) -> bool:
    """Whether `flash build` of the release in use insists on one python_version per app
    (`_reconcile_python_version`, runpod-flash 1.16.0; older builds take each resource's own)."""
    sdk = sdk_of(endpoint)
    if sdk is None or sdk.package != "runpod-flash":
        return sdk is None
    return release_at_least(sdk, "runpod-flash", "1.16.0")


# The Live* classes pick Flash's worker image for their python_version when they are built
# (`get_image_name`), and before runpod-flash 1.16 only 3.12 images existed for most of them:
# GPU_PYTHON_VERSIONS / CPU_PYTHON_VERSIONS in core/resources/constants.py of each release.
_GPU_LIVE = frozenset({"LiveServerless", "LiveLoadBalancer"})
_CPU_LIVE = frozenset({"CpuLiveServerless", "CpuLiveLoadBalancer"})


def _live_image_versions(endpoint) -> tuple[str, ...]:
    """The versions a Live* class of the release in use has images for, when narrower than
    what `python_version` accepts: () when the release has no such restriction."""
    sdk = sdk_of(endpoint)
    if sdk is None or sdk.package != "runpod-flash":
        return ()
    if not release_at_least(sdk, "runpod-flash", "1.8.0"):
        return ()
    if release_at_least(sdk, "runpod-flash", "1.16.0"):
        return ()
    if endpoint.resource_class in _GPU_LIVE:
        return ("3.12",)
    if endpoint.resource_class in _CPU_LIVE and release_at_least(sdk, "runpod-flash", "1.11.1"):
        return ("3.12",)
    return ()


def _supported(endpoint) -> tuple[tuple[str, ...], str]:
    """The versions the release in use accepts (3.13 arrived in runpod-flash 1.17), and a clause
    naming the release when it differs from the newest one's list."""
    facts, sdk = facts_of(endpoint), sdk_of(endpoint)
    if facts is None or sdk is None or not facts.python_versions:
        return PYTHON_VERSIONS, ""
    if facts.python_versions == PYTHON_VERSIONS:
        return PYTHON_VERSIONS, ""
    return facts.python_versions, f" ({sdk.this_app()})"


def endpoint_keyword(endpoint, span) -> Outcome:
    return fail_at(
        endpoint,
        f"{label(endpoint)}: Endpoint() has no python_version parameter (TypeError when the "
        "module is imported); pass --python-version to `flash build`/`flash deploy` instead "
        f"(default {DEFAULT_PYTHON_VERSION})",
        endpoint.path,
        span,
        "python_version",
    )


def conflicts(declared: list) -> list[Outcome]:
    if not declared:
        return []
    first, first_value = declared[0]
    out = []
    for endpoint, value in declared[1:]:
        if value.value == first_value.value:
            continue
        out.append(
            fail(
                endpoint,
                f"{label(endpoint)} python_version={python_repr(value.value)} conflicts with "
                f"{python_repr(first_value.value)} on {label(first)} "
                f"({first.path}:{first.span.line}); one app ships one tarball, so `flash build` "
                "fails: 'Flash apps require one python_version across all resources'",
                value,
                "python_version",
            )
        )
    return out
