"""`flash-guard check --show-settings FILE`: the configuration that applies to one file and
where each value came from, like `ruff check --show-settings`."""

from __future__ import annotations

import json
from pathlib import Path

from flash_guard.config.loader import Config


def show_settings(file: Path, config_path: Path | None, cwd: Path) -> str:
    from flash_guard.project.files import UsageError
    from flash_guard.project.locate import plan_workspaces

    target = file if file.is_absolute() else cwd / file
    if not target.exists():
        raise UsageError(f"{file}: no such file or directory")
    workspace = plan_workspaces([str(target)], config_path, cwd)[0]
    config = workspace.config
    lines = [f"Settings for {file}"]
    if config.path is None:
        lines.append("Configuration: none found (built-in defaults)")
    else:
        chain = " <- ".join(_shown(p, cwd) for p in reversed(config.files))
        lines.append(f"Configuration: {chain}")
    lines.append(f"Project root: {_shown(workspace.root, cwd)}")
    lines.append("")
    for key, value in _values(config):
        origin = config.origins.get(key) or config.origins.get(key.split(".")[0], "default")
        lines.append(f"{key} = {value}  # {origin}")
    return "\n".join(lines) + "\n"


def _values(config: Config) -> list[tuple[str, str]]:
    out = [
        ("profile", _j(config.profile)),
        ("fail_on", _j(config.fail_on)),
        ("exclude", _j(config.exclude)),
        ("require_suppression_reason", _j(config.require_suppression_reason)),
        ("select", _j(config.select if config.select is not None else ["ALL"])),
        ("extend_select", _j(config.extend_select)),
        ("ignore", _j(config.ignore)),
    ]
    for name in sorted(set(config.profile_paths) | set(config.profile_endpoints)):
        spec = {
            "paths": config.profile_paths.get(name, []),
            "endpoints": config.profile_endpoints.get(name, []),
        }
        extends = getattr(config, "profile_extends", {}).get(name)
        if extends:
            spec["extends"] = extends
        out.append((f"profiles.{name}", _j(spec)))
    for code in sorted(config.rules):
        override = config.rules[code]
        spec = {
            k: v
            for k, v in (
                ("enabled", override.enabled),
                ("severity", override.severity),
                ("params", override.params or None),
            )
            if v is not None
        }
        out.append((f"rules.{code}", _j(spec)))
    out.append(("checklist", _j([item.code for item in config.checklist])))
    return out


def _j(value) -> str:
    return json.dumps(value, default=str)


def _shown(path: Path, cwd: Path) -> str:
    try:
        return str(path.resolve().relative_to(cwd.resolve())) or "."
    except ValueError:
        return str(path)
