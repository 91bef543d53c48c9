"""The configuration's own checklist items as `flash-guard rules` and `rule` show them, beside
the built-ins (rule_docs.py documents those)."""

from __future__ import annotations

from flash_guard.checklist.items import Item
from flash_guard.config.loader import Config


def user_rows(config: Config) -> list[dict]:
    return [
        {
            "code": item.code,
            "slug": item.slug,
            "title": item.title,
            "severity": item.severity,
            "profiles": list(config.item_profiles(item)),
            "check": item.check or "declarative",
            "doc": item.source,
        }
        for item in config.checklist
    ]


def find_user_item(config: Config, name: str) -> Item | None:
    for item in config.checklist:
        if name.upper() == item.code.upper() or name.lower() == item.slug:
            return item
    return None


def user_page(config: Config, item: Item) -> str:
    profiles = ", ".join(f"`{p}`" for p in config.item_profiles(item))
    out = [
        f"# {item.code} {item.slug}",
        "",
        f"**{item.title}**",
        "",
        f"A checklist item of your configuration ({item.source}).",
        "",
        f"- Severity: {item.severity}",
        f"- Profiles: {profiles}",
    ]
    if item.when:
        when = ", ".join(f"{k}: {v}" for k, v in item.when.items())
        out.append(f"- Applies when: {when}")
    if item.check:
        out.append(f"- Check: `{item.check}`")
    for attribute, condition in item.require.items():
        for op, operand in condition.items():
            out.append(f"- Requires: `{attribute}` {op} `{item.operand(operand)}`")
    for key in ("summary", "why", "notes"):
        if item.docs.get(key):
            out += ["", str(item.docs[key]).strip()]
    if item.fix:
        out += ["", f"Fix: {item.fix}"]
    return "\n".join(out) + "\n"
