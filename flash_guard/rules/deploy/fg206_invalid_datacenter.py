"""FG206: datacenters the SDK does not know, or cannot combine with the endpoint's compute
and volumes."""

from __future__ import annotations

from flash_guard.checks.base import (
    Check,
    Outcome,
    decide_candidates,
    fail,
    register,
    spread_unknown,
    unknown,
)
from flash_guard.checks.deploy_support import (
    at_item,
    closest,
    label,
    project_volumes,
    python_repr,
    shown,
    tidy,
    via_note,
    volume_label,
    volume_outcome,
    written,
)
from flash_guard.messages import env_keys, env_note
from flash_guard.model import EnumRef, Opaque, Value
from flash_guard.sdk.flash_tables import (
    CPU_DATACENTERS,
    DATACENTERS,
    REMOVED_DATACENTERS,
    datacenter_from_string,
    did_you_mean,
)
from flash_guard.sdk.in_use import facts_of, history, list_taken_from, sdk_of

DEFAULT_VOLUME_DATACENTER = "EU_RO_1"
_CPU_VALUES = ", ".join(DATACENTERS[m] for m in sorted(CPU_DATACENTERS))


@register
class InvalidDatacenter(Check):
    """Checks every `datacenter=` value: a `DataCenter` member that does not exist is an
    `AttributeError` at import (`US_GA_2`, `US_MD_1`, `US_NC_1` and `EUR_IS_1` were removed in
    runpod-flash 1.17, although the docs still use them), and a string must name a current
    datacenter (`DataCenter.from_string` accepts `"EU-RO-1"`, `"eu_ro_1"`, ...). A
    `NetworkVolume(datacenter=...)` (alias of `dataCenterId`) must be a member or its exact
    value (`"EU-RO-1"`). Then, per endpoint: a CPU endpoint (`cpu=`, a `Cpu*` class or
    `instanceIds=`) may only list EU-RO-1; two mounted volumes may not share a datacenter;
    and a volume's datacenter (EU-RO-1 when not given) must be in the endpoint's explicit
    `datacenter=` list. A list for `datacenter=` needs runpod-flash 1.10 (1.6.1-1.9.1 take
    one DataCenter: a ValidationError at import). A GPU `Endpoint` without `datacenter=` uses
    every datacenter; CPU endpoints and legacy classes without one are not restricted. When
    the volume's and the endpoint's datacenter are the same unresolved constant
    (`datacenter=REGION` on both), they are equal whatever its value: the volume question is
    answered, and the constant is reported unresolved once, at the endpoint. In runpod 2.0 a
    `NetworkVolume(datacenter=...)` must parse (`DataCenter.from_string`, when `rp flash
    deploy` creates the volume) and lie in the resource's `datacenter=` list, else placement
    fails (`PlacementError`)."""

    id = "invalid-datacenter"
    scope = "project"

    def check_project(self, endpoints, params, ctx) -> list[Outcome]:
        out: list[Outcome] = []
        for endpoint in endpoints:
            # `datacenter=DCS` chosen by an `if`: decided per candidate (rules.md)
            out += decide_candidates(endpoint, ("datacenter",), _endpoint_outcomes)
        analysis = ctx.analysis if ctx is not None else None
        for value, owner in project_volumes(endpoints, analysis):
            out += volume_own_datacenter(value.value, owner)
        return tidy(out)


def _endpoint_outcomes(endpoint) -> list[Outcome]:
    listed = _list_not_taken(endpoint)
    members, out = endpoint_datacenters(endpoint)
    out = listed + out
    if endpoint.kind == "client":
        return out
    if endpoint.compute == "cpu" and members:
        out += cpu_datacenters(endpoint, members)
    return out + volume_datacenters(endpoint, members)


def _written_as_list(endpoint) -> bool:
    found = written(endpoint, "volume")
    return found is not None and found[0].known and isinstance(found[0].value, list)


def _list_not_taken(endpoint) -> list[Outcome]:
    """`datacenter=[...]` in a release that takes one DataCenter (1.6.1-1.9.1): pydantic
    rejects the list when the resource config is built, at import."""
    found = written(endpoint, "datacenter")
    value = found[0] if found is not None else None
    if value is None or not value.known or not isinstance(value.value, list):
        return []
    since = list_taken_from(endpoint, "datacenter")
    if since is None:
        return []
    message = (
        f"{label(endpoint)}: datacenter={shown(value)} is a list, which runpod-flash takes "
        f"from {since} on: this release takes one DataCenter and raises ValidationError on a "
        f"list when the module is imported; {sdk_of(endpoint).this_app()}"
    )
    return [fail(endpoint, message, value, "datacenter")]


def identity(value: Value | None) -> tuple[str, str] | None:
    """An unresolved value's symbol: the module-level constant it came through and that
    constant's expression. Two uses of one constant hold one value, whatever it is."""
    if value is None or value.known or value.candidates or not value.via:
        return None
    return value.via, value.text


def _endpoint_identities(endpoint) -> set[tuple[str, str]]:
    """The symbols of the endpoint's unresolved `datacenter=` value or items."""
    found = written(endpoint, "datacenter") if endpoint is not None else None
    if found is None:
        return set()
    value = found[0]
    items = value.value if value.known and isinstance(value.value, list) else [value]
    return {i for i in (identity(item) for item in items) if i is not None}


def _known(endpoint) -> tuple[dict[str, str], object]:
    """(DataCenter member -> value, SdkInUse) for the release the endpoint's app uses."""
    facts = facts_of(endpoint) if endpoint is not None else None
    if facts is None:
        return DATACENTERS, None
    return dict(facts.enums.get("DataCenter", {})), sdk_of(endpoint)


def _in_use(sdk) -> str:
    return f"; {sdk.this_app()}" if sdk is not None else ""


def member_of(raw, endpoint=None) -> tuple[str | None, str | None]:
    """(DataCenter member, None) or (None, what is wrong) for one `datacenter=` item, in the
    release the endpoint's app uses."""
    known, sdk = _known(endpoint)
    if isinstance(raw, EnumRef):
        if raw.enum != "DataCenter":
            return None, f"{raw} is not a DataCenter"
        if raw.is_member(known):
            return raw.member, None
        changed = history(sdk, "enum:DataCenter", raw.member) if sdk is not None else None
        if changed is None and sdk is None and raw.member in REMOVED_DATACENTERS:
            changed = "was removed in runpod-flash 1.17"
        if changed is not None:
            return None, (
                f"`{raw}` {changed} ({raw.raises} when the module is imported){_in_use(sdk)}"
            )
        guess = closest(raw.member, known)
        hint = f"; did you mean DataCenter.{guess}?" if guess else ""
        if raw.member in known:  # `DataCenter("US_KS_2")`: a member's name given as its value
            hint = f'; write DataCenter.{raw.member} or DataCenter("{known[raw.member]}")'
        return None, (
            f"{raw} does not exist ({raw.raises} when the module is imported{_in_use(sdk)}){hint}"
        )
    if isinstance(raw, str):
        wanted = raw.strip().upper().replace("_", "-")
        member = next((m for m, value in known.items() if value == wanted), None)
        if member is not None:
            return member, None
        changed = None
        if sdk is not None:
            changed = history(sdk, "enum:DataCenter", wanted.replace("-", "_"))
        elif wanted in REMOVED_DATACENTERS.values():
            changed = "was removed in runpod-flash 1.17"
        if changed is not None:
            return None, f"unknown datacenter {raw!r}: it {changed}{_in_use(sdk)}"
        guess = did_you_mean(raw, known.values())
        hint = f"; did you mean {guess!r}?" if guess else ""
        in_use = f" ({sdk.this_app()})" if sdk is not None else ""
        return None, f"unknown datacenter {raw!r}{in_use}{hint}"
    return None, f"{python_repr(raw)} is not a datacenter"


def endpoint_datacenters(endpoint) -> tuple[list[tuple[str, Value]] | None, list[Outcome]]:
    """The members the endpoint lists (None: not restricted or not decidable) and problems."""
    name = label(endpoint)
    found = written(endpoint, "datacenter")
    if found is None:
        return None, spread_unknown(endpoint, "datacenter")
    value, _ = found
    if not value.known:
        return None, [unknown(endpoint, value, "`datacenter`", "datacenter")]
    raw = value.value
    gpu_endpoint = endpoint.api == "endpoint" and endpoint.compute == "gpu"
    if raw is None or (gpu_endpoint and not raw):
        return None, []  # the SDK default: every datacenter for GPU Endpoints, else none
    if isinstance(raw, tuple):
        return None, [
            fail(
                endpoint,
                f"{name} datacenter={shown(value)} is a tuple: the SDK raises 'Invalid datacenter "
                "value'; write a list",
                value,
                "datacenter",
            )
        ]
    items = raw if isinstance(raw, list) else [value]
    members: list[tuple[str, Value]] = []
    problems: list[Outcome] = []
    for item in items:
        if not item.known:
            problems.append(unknown(endpoint, item, "a `datacenter` item", "datacenter"))
            continue
        member, problem = member_of(item.value, endpoint)
        if problem:
            problems.append(
                fail(
                    endpoint,
                    f"{name}{via_note(item, value)}: {problem}",
                    at_item(item, value),
                    "datacenter",
                )
            )
        else:
            members.append((member, at_item(item, value)))
    return (None if problems else members), problems


def cpu_datacenters(endpoint, members: list[tuple[str, Value]]) -> list[Outcome]:
    known, _ = _known(endpoint)
    facts = facts_of(endpoint)
    if facts is not None and "cpu" not in facts.datacenters:
        return []  # this release does not restrict CPU endpoints' datacenters
    cpu_values = facts.datacenters["cpu"] if facts is not None else None
    allowed = {m for m, v in known.items() if v in cpu_values} if cpu_values else CPU_DATACENTERS
    unsupported = [(m, v) for m, v in members if m not in allowed]
    if not unsupported:
        return []
    listed = ", ".join(known.get(m, m) for m, _ in unsupported)
    return [
        fail(
            endpoint,
            f"{label(endpoint)} is a CPU endpoint: the SDK raises 'CPU endpoints are not available "
            f"in: {listed}. Supported CPU data centers: {_CPU_VALUES}'",
            unsupported[0][1],
            "datacenter",
        )
    ]


def _value_of(member: str) -> str:
    """A member's value string ('US_GA_2' -> 'US-GA-2'), also for members older releases had."""
    return DATACENTERS.get(member) or member.replace("_", "-")


def volume_datacenter(obj: Opaque, endpoint=None) -> tuple[str | None, bool, Value | None]:
    """(member, defaulted, undecidable value) of a NetworkVolume's datacenter."""
    known, _ = _known(endpoint)
    if obj.spreads:
        return None, False, obj.spreads[0]
    value = obj.kwargs.get("dataCenterId")
    if value is None:
        alias = obj.kwargs.get("datacenter")
        value = alias if alias is not None and not (alias.known and alias.value is None) else None
    if value is None:
        return DEFAULT_VOLUME_DATACENTER, True, None
    if not value.known:
        return None, False, value
    raw = value.value
    if isinstance(raw, EnumRef) and raw.enum == "DataCenter" and raw.is_member(known):
        return raw.member, False, None
    by_value = {value: member for member, value in known.items()}
    if isinstance(raw, str) and raw in by_value:
        return by_value[raw], False, None
    return None, False, None  # invalid: reported once, at the volume


def volume_datacenters(endpoint, members) -> list[Outcome]:
    volume = endpoint.params.get("volume")
    if volume is None or volume.defaulted:
        return []
    if list_taken_from(endpoint, "volume") is not None and _written_as_list(endpoint):
        return []  # a release without volume lists rejects the list itself first (FG211)
    if not volume.known:
        return [unknown(endpoint, volume, "`volume`", "volume")]
    items = volume.value if isinstance(volume.value, list) else []
    name = label(endpoint)
    out: list[Outcome] = []
    seen: dict[str, str] = {}
    used: set[int] = set()
    for item in items:
        if not item.known:
            out.append(unknown(endpoint, item, "a `volume` item", "volume"))
            continue
        obj = item.value
        if not isinstance(obj, Opaque) or obj.callee != "NetworkVolume" or id(obj) in used:
            continue
        used.add(id(obj))
        member, defaulted, undecided = volume_datacenter(obj, endpoint)
        if undecided is not None:
            if identity(undecided) not in _endpoint_identities(endpoint):
                out.append(unknown(endpoint, undecided, "a volume's datacenter", "volume"))
            continue  # else the endpoint's own datacenter: in its list by identity
        if member is None:
            continue
        where = at_item(item, volume)
        dc = _value_of(member)
        own = volume_label(obj)
        if member in seen:
            out.append(
                fail(
                    endpoint,
                    f"{name}: the SDK raises 'Multiple volumes in datacenter {dc} "
                    f"('{seen[member]}' and '{own}'). Only one network volume is allowed per "
                    "datacenter.'",
                    where,
                    "volume",
                )
            )
            continue
        seen[member] = own
        if members is not None and member not in {m for m, _ in members}:
            listed = ", ".join(_value_of(m) for m, _ in members)
            default = " (NetworkVolume defaults to EU-RO-1)" if defaulted else ""
            # the volume's datacenter may come from the environment with a default: say so
            written = obj.kwargs.get("dataCenterId") or obj.kwargs.get("datacenter")
            note = f" ({env_note(written)})" if env_keys(written) else ""
            out.append(
                fail(
                    endpoint,
                    f"{name}: volume '{own}' is in {dc}{default}{note}, outside the endpoint's "
                    f"datacenter list; the SDK raises 'Network volume datacenter ({dc}) is not in "
                    f"the endpoint's datacenter list ({listed})'",
                    where,
                    "volume",
                )
            )
    return out


def volume_own_datacenter(obj: Opaque, owner) -> list[Outcome]:
    out = []
    overridden = "dataCenterId" in obj.kwargs
    for key in ("dataCenterId", "datacenter"):
        value = obj.kwargs.get(key)
        if value is None:
            continue
        if not value.known:
            # the owner's datacenter is the same constant: reported once, at the endpoint
            if identity(value) not in _endpoint_identities(owner):
                out.append(volume_outcome("unknown", f"`{key}`", obj, key, owner, "volume"))
            continue
        raw = value.value
        if raw is None and key == "datacenter":
            continue
        if key == "datacenter" and overridden and not isinstance(raw, EnumRef):
            continue  # the alias is dropped when dataCenterId is given
        member, problem = member_of(raw, owner) if isinstance(raw, EnumRef) else (None, None)
        if isinstance(raw, str):
            if raw in _known(owner)[0].values():
                continue
            member = datacenter_from_string(raw)
            hint = f"; write {DATACENTERS[member]!r}" if member else ""
            problem = (
                f"{raw!r} is not a DataCenter value (NetworkVolume matches the value exactly, "
                f"e.g. 'EU-RO-1'){hint}"
            )
        elif raw is None or not isinstance(raw, EnumRef):
            problem = f"{python_repr(raw)} is not a datacenter"
        if problem:
            message = f"NetworkVolume '{volume_label(obj)}' {key}=: {problem}"
            out.append(volume_outcome("fail", message, obj, key, owner, "volume"))
    return out
