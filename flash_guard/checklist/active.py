"""Which checklist items are in force for each profile: built-in and user items, after the
configuration's per-rule overrides and the run's --select/--ignore/--strict."""

from __future__ import annotations

from dataclasses import dataclass, field

from flash_guard.checklist.catalog import profile_items
from flash_guard.checklist.items import Item, build_params
from flash_guard.config.loader import Config, did_you_mean
from flash_guard.config.yamlsrc import ConfigError
from flash_guard.findings import RuleInfo
from flash_guard.project.files import UsageError

UNRESOLVED = "FG002"
META_CODES = ("FG001", "FG002", "FG003")


@dataclass
class Options:
    profile: str | None = None  # --profile
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    strict: bool = False


ALL = "all"


class RuleSelection:
    """ruff's rule selection: codes, slugs and code prefixes, case-insensitive, `ALL`.

    `--select` replaces the configuration's `select`; `extend_select` and `ignore` add up.
    When an item is both selected and ignored, the more specific name wins (an exact code
    or slug over a prefix, a longer prefix over a shorter one, anything over `ALL`), and
    ignore wins a tie, as in ruff: `select: [ALL], ignore: [FG4]` and
    `select: [FG4], ignore: [FG403]` both do what they say.
    """

    def __init__(self, config: Config, options: Options):
        explicit = options.select or config.select
        self.explicit = explicit is not None and bool(explicit)
        self.select = [n.lower() for n in (explicit or [])]
        self.select += [n.lower() for n in (*config.extend_select, *options.extend_select)]
        self.ignore = [n.lower() for n in (*config.ignore, *options.ignore)]

    @staticmethod
    def specificity(item: Item, names: list[str]) -> int:
        """How specifically `names` name `item` (-1: not at all)."""
        best = -1
        code, slug = item.code.lower(), item.slug.lower()
        for name in names:
            if name in (code, slug):
                return 1000
            if name == ALL:
                best = max(best, 0)
            elif code.startswith(name):
                best = max(best, len(name))
        return best

    def selected(self, item: Item) -> bool | None:
        """True/False when the names decide; None: not selected by an explicit selection."""
        ignored = self.specificity(item, self.ignore)
        chosen = self.specificity(item, self.select) if self.select else 0
        if ignored >= 0 and ignored >= chosen:
            return False
        if chosen < 0 and self.explicit:
            return None
        return True

    def names_fg002(self) -> bool:
        return any(
            n in (UNRESOLVED.lower(), "unresolved-value", ALL) or UNRESOLVED.lower().startswith(n)
            for n in self.select
        )


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
        self.selection = RuleSelection(config, options)
        self.by_profile: dict[str, dict[str, ActiveItem]] = {}
        # Items left out only by --select, evaluated for FG002 alone when the selection
        # names FG002 itself: `--select FG002` shows what the checklist cannot decide.
        self.shadow_by_profile: dict[str, dict[str, ActiveItem]] = {}
        all_items: list[Item] = []
        for profile in config.all_profiles():
            # A profile of the configuration's own carries its built-in base's items.
            items = list(profile_items(config.builtin_base(profile)))
            items += [u for u in config.checklist if config.carries(u, profile)]
            active, shadow = {}, {}
            for item in items:
                resolved = self._activate(item, profile)
                if resolved is not None:
                    active[item.code] = resolved
                elif self._shadowed(item):
                    shadow[item.code] = self._activate(item, profile, selecting=False)
            self.by_profile[profile] = active
            self.shadow_by_profile[profile] = {k: v for k, v in shadow.items() if v is not None}
            all_items.extend(items)
        self.slugs = {item.slug: item.code for item in all_items}
        self.items = {item.code: item for item in all_items}
        self._reject_unknown_names()

    def _reject_unknown_names(self) -> None:
        """A typo in --select would select nothing and let CI pass: refuse it."""
        slugs = {slug.lower() for slug in self.slugs}
        codes = [code.lower() for code in self.items]
        options, config = self.options, self.config
        for where, names in (
            ("--select", options.select),
            ("--ignore", options.ignore),
            ("--extend-select", options.extend_select),
            ("select", config.select or []),
            ("ignore", config.ignore),
            ("extend_select", config.extend_select),
        ):
            for name in names:
                low = name.lower()
                if low == ALL or low in slugs or any(code.startswith(low) for code in codes):
                    continue
                hint = did_you_mean(name, [*self.items, *self.slugs])
                if where.startswith("--"):
                    raise UsageError(f"{where} {name}: no rule code, slug or code prefix{hint}")
                origin = config.origins.get(where, str(config.path))
                raise ConfigError(f"{origin}: {where}: `{name}`: no rule code or slug{hint}")

    def _selected(self, item: Item) -> bool:
        decided = self.selection.selected(item)
        if decided is None:
            # Meta rules stay on: a selected rule that cannot be decided must still say so.
            return item.code in META_CODES
        return decided

    def _shadowed(self, item: Item) -> bool:
        """Off only because --select leaves it out, while the selection names FG002."""
        if not self.selection.explicit or item.code in META_CODES:
            return False
        if self.selection.selected(item) is not None:
            return False  # ignored, not left out
        return self.selection.names_fg002()

    def _activate(self, item: Item, profile: str, selecting: bool = True) -> ActiveItem | None:
        override = self.config.rule_override(item.code, profile)
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
        for profile in self.by_profile:
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
