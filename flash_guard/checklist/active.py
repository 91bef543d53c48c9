"""Which checklist items are in force for each profile: built-in and user items, after the
configuration's per-rule overrides and the run's --select/--ignore/--strict."""

from __future__ import annotations

from dataclasses import dataclass, field

from flash_guard.checklist.catalog import PROFILES, profile_items
from flash_guard.checklist.items import Item, build_params
from flash_guard.config.loader import Config
from flash_guard.findings import RuleInfo
from flash_guard.project.files import UsageError

UNRESOLVED = "FG002"
META_CODES = ("FG001", "FG002", "FG003")


@dataclass
class Options:
    profile: str | None = None  # --profile
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    strict: bool = False


@dataclass
class ActiveItem:
    item: Item
    severity: str
    params: object
    severity_configured: bool = False  # set by the user: per-finding severities yield to it


class Checklist:
    """The items in force for each profile after config overrides and CLI filters."""

    def __init__(self, config: Config, options: Options):
        self.config = config
        self.options = options
        self.by_profile: dict[str, dict[str, ActiveItem]] = {}
        # Items left out only by --select, evaluated for FG002 alone when the selection
        # names FG002 itself: `--select FG002` shows what the checklist cannot decide.
        self.shadow_by_profile: dict[str, dict[str, ActiveItem]] = {}
        all_items: list[Item] = []
        for profile in PROFILES:
            items = list(profile_items(profile))
            items += [u for u in config.checklist if profile in config.item_profiles(u)]
            active, shadow = {}, {}
            for item in items:
                resolved = self._activate(item)
                if resolved is not None:
                    active[item.code] = resolved
                elif self._shadowed(item):
                    shadow[item.code] = self._activate(item, selecting=False)
            self.by_profile[profile] = active
            self.shadow_by_profile[profile] = {k: v for k, v in shadow.items() if v is not None}
            all_items.extend(items)
        self.slugs = {item.slug: item.code for item in all_items}
        self.items = {item.code: item for item in all_items}
        self._reject_unknown_names()

    def _reject_unknown_names(self) -> None:
        """A typo in --select would select nothing and let CI pass: refuse it."""
        for flag, names in (("--select", self.options.select), ("--ignore", self.options.ignore)):
            for name in names:
                if name in self.slugs or any(code.startswith(name) for code in self.items):
                    continue
                raise UsageError(f"{flag} {name}: no rule code, slug or code prefix matches")

    @staticmethod
    def _named(item: Item, names: list[str]) -> bool:
        return any(n in (item.code, item.slug) or item.code.startswith(n) for n in names)

    def _selected(self, item: Item) -> bool:
        if self.options.ignore and self._named(item, self.options.ignore):
            return False
        if self.options.select and not self._named(item, self.options.select):
            # Meta rules stay on: a selected rule that cannot be decided must still say so.
            return item.code in META_CODES
        return True

    def _shadowed(self, item: Item) -> bool:
        """Off only because --select leaves it out, while the selection names FG002."""
        select, ignore = self.options.select, self.options.ignore
        if not select or item.code in META_CODES or (ignore and self._named(item, ignore)):
            return False
        return any(
            n in (UNRESOLVED, "unresolved-value") or UNRESOLVED.startswith(n) for n in select
        )

    def _activate(self, item: Item, selecting: bool = True) -> ActiveItem | None:
        override = self.config.rules.get(item.code)
        if override and override.enabled is False:
            return None
        if selecting and not self._selected(item):
            return None
        severity = (override.severity if override and override.severity else None) or item.severity
        configured = bool(override and override.severity) or not item.builtin
        if item.code == UNRESOLVED and self.options.strict:
            severity = "error"
        params = item.params
        if override and override.params:
            merged = {**item.raw_params, **override.params}
            if item.check:
                params = build_params(
                    self.config.source, ["rules", item.code, "params"], item.check, merged
                )
            else:
                params = merged
        return ActiveItem(item, severity, params, configured)

    def active(self, profile: str) -> dict[str, ActiveItem]:
        return self.by_profile[profile]

    def rule_infos(self, profiles: set[str]) -> list[RuleInfo]:
        seen: dict[str, RuleInfo] = {}
        for profile in PROFILES:
            for code, active in self.by_profile[profile].items():
                if profile in profiles or code in META_CODES:
                    info = seen.get(code)
                    if info is None:
                        seen[code] = rule_info(active.item, active.severity, (profile,))
                    elif profile not in info.profiles:
                        info.profiles = (*info.profiles, profile)
        return [seen[c] for c in sorted(seen)]


def rule_info(item: Item, severity: str, profiles: tuple[str, ...]) -> RuleInfo:
    tags = list(item.tags)
    return RuleInfo(
        code=item.code,
        slug=item.slug,
        title=item.title,
        severity=severity,
        summary=str(item.docs.get("summary", item.title)).strip(),
        fix=item.fix,
        profiles=profiles,
        tags=tuple(tags),
        builtin=item.builtin,
    )
