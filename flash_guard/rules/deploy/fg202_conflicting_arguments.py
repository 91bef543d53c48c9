"""FG202: `Endpoint(...)` keywords that cannot go together, or `max_concurrency` below 1."""

from __future__ import annotations

from flash_guard.checks import sites
from flash_guard.checks.base import (
    fail,
    fail_at,
    register,
    spread_unknown,
    unknown,
)
from flash_guard.checks.deploy_support import (
    EveryDeclaration,
    is_number,
    label,
    shown,
    type_name,
    written,
    written_value,
)
from flash_guard.model import Value, repeated_keyword_message
from flash_guard.sdk.in_use import keywords

MUTUALLY_EXCLUSIVE = (
    ("gpu", "cpu", "gpu and cpu are mutually exclusive. specify one or neither."),
    (
        "id",
        "image",
        "id and image are mutually exclusive. id= connects to an existing endpoint, image= "
        "deploys a new one.",
    ),
)


@register
class ConflictingArguments(EveryDeclaration):
    """Runs the checks `Endpoint.__init__` makes before anything else, in the same order:
    `gpu=` together with `cpu=`, `id=` together with `image=`, `image=` without `name=`, and
    `max_concurrency` below 1 (or not a number); and, for any resource class, a keyword given
    twice (`**COMMON` holding an explicit one). Each raises when the module is imported, so
    `flash build`, `flash dev` and every import of the file fail. Keywords given as `None`
    count as not given, as in the SDK. Clients (`Endpoint(id=...)`) are checked too."""

    id = "conflicting-arguments"

    def check(self, endpoint, params, ctx):
        out = repeated_keywords(endpoint)
        if endpoint.api != "endpoint":
            return out
        for first, second, sdk_message in MUTUALLY_EXCLUSIVE:
            out += exclusive(endpoint, first, second, sdk_message)
        out += image_without_name(endpoint)
        out += max_concurrency(endpoint)
        return out


def given(endpoint, name: str) -> tuple[bool | None, Value | None]:
    """(True, value) when written and not None; (None, value) when undecidable; else False."""
    found = written(endpoint, name)
    if found is None:
        return (None, None) if endpoint.spreads else (False, None)
    value, _ = found
    if not value.known:
        return None, value
    return value.value is not None, value


def exclusive(endpoint, first: str, second: str, sdk_message: str) -> list:
    has_first, first_value = given(endpoint, first)
    has_second, second_value = given(endpoint, second)
    if has_first is False or has_second is False:
        return []
    if has_first is None or has_second is None:
        blocking = first_value if has_first is None else second_value
        name = first if has_first is None else second
        if blocking is None:
            return spread_unknown(endpoint, name)
        return [unknown(endpoint, blocking, f"`{name}`", name)]
    # Point at whichever of the two keywords comes second in the source.
    later, later_name = max(
        ((first_value, first), (second_value, second)),
        key=lambda pair: pair[0].span or endpoint.span,
    )
    return [
        fail(
            endpoint,
            f"{label(endpoint)} sets both {first}= and {second}=: Endpoint() raises "
            f"'{sdk_message}'",
            later,
            later_name,
        )
    ]


def image_without_name(endpoint) -> list:
    has_image, image = given(endpoint, "image")
    has_id, _ = given(endpoint, "id")
    if has_image is not True or has_id is not False:
        return []  # id= with image= is reported above; undecidable parts by their own check
    name = endpoint.params.get("name")
    if sites.given(name):
        return []  # presence-only: an f-string or `.get(k, "literal")` is a name (rules.md)
    if name is None or (name.defaulted and endpoint.spreads):
        return spread_unknown(endpoint, "name")
    if not name.known:
        return [unknown(endpoint, name, "`name`", "name")]
    if name.value is not None:
        return []
    return [
        fail(
            endpoint,
            f"{label(endpoint)} deploys image={shown(image)} but has no name=: Endpoint() raises "
            "'name or id is required when image= is set.'",
            image,
            "name",
        )
    ]


def max_concurrency(endpoint) -> list:
    accepted = keywords(endpoint).endpoint  # of the SDK release the app uses
    if accepted is not None and "max_concurrency" not in accepted:
        return []  # before 1.13 `Endpoint` has no such parameter: FG210 reports the keyword
    value, undecided = written_value(endpoint, "max_concurrency", "max_concurrency")
    if value is None:
        return undecided
    raw = value.value
    if is_number(raw) and raw >= 1:
        return []
    if is_number(raw):
        problem = f"Endpoint() raises 'max_concurrency must be >= 1, got {raw}'"
    else:
        problem = f"it is a {type_name(raw)}, and Endpoint() raises a TypeError comparing it with 1"
    return [
        fail(
            endpoint,
            f"{label(endpoint)} max_concurrency={shown(value)}: {problem}",
            value,
            "max_concurrency",
        )
    ]


def repeated_keywords(endpoint) -> list:
    """A keyword the declaring call gets twice, `name=` beside a `**COMMON` that holds it:
    Python raises TypeError ("got multiple values for keyword argument") before the SDK
    sees the call, for `Endpoint` and the legacy classes alike."""
    return [
        fail_at(
            endpoint,
            f"{label(endpoint)}: {repeated_keyword_message(endpoint.resource_class, key, again)}",
            path,
            span,
            key,
        )
        for key, path, span, again in endpoint.repeated
    ]
