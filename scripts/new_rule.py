"""Scaffold a new built-in rule: its YAML (and optionally a Python check), fire and pass
fixtures, and its generated documentation page.

    python scripts/new_rule.py FG113 warm-api-floor --title "..." [--severity warning]
        [--python] [--profiles production] [--attribute workers.min --operator gte --operand 1]

The scaffold is a working rule: a declarative condition (`require:`) on one model attribute, or
with `--python` a check class that applies the same condition in Python, to be edited into the
real logic. It then runs flash-guard on the two fixtures and writes the fire fixture's
`# expect:` annotation from what fired, so the rule passes the completeness gate at once.
Review the annotation, the wording and the docs before committing; see CONTRIBUTING.md.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

FAMILIES = {"0": "meta", "1": "production", "2": "deploy", "3": "silent", "4": "dev_and_cost"}
CODE = re.compile(r"^FG([0-4])\d\d$")
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

FIRE_APP = """from runpod_flash import Endpoint, GpuType


@Endpoint(
    name="scaffold-fire",
    gpu=GpuType.NVIDIA_L4,
    workers=(0, 3),
    idle_timeout=1200,
    execution_timeout_ms=600_000,
)
async def run(data: dict) -> dict:
    return data
"""

PASS_APP = FIRE_APP.replace("scaffold-fire", "scaffold-pass").replace("(0, 3)", "(1, 3)")

PYTHON_CHECK = '''"""{code}: {title}."""

from __future__ import annotations

from dataclasses import dataclass

from flash_guard.checklist.conditions import Missing, attribute
from flash_guard.checks.base import Check, Outcome, fail, param_doc, register, unknown


@dataclass
class Params:
    minimum: int = param_doc(default={operand}, doc="The smallest accepted value.")


@register
class {class_name}(Check):
    """Describe what the check looks at and when it fires; this docstring is the "What it
    does" section of the rule page."""

    id = "{slug}"
    Params = Params

    def check(self, endpoint, params: Params, ctx) -> list[Outcome]:
        workers_min = attribute(endpoint, "workers.min")
        if isinstance(workers_min, Missing):
            return []
        if not workers_min.known:
            return [unknown(endpoint, workers_min, "`workers`", "workers")]
        minimum = workers_min.plain()
        if isinstance(minimum, int) and minimum < params.minimum:
            message = f"`{{endpoint.display_name}}`: min workers {{minimum}} < {{params.minimum}}"
            return [fail(endpoint, message, workers_min, "workers")]
        return []
'''


def yaml_text(args: argparse.Namespace) -> str:
    lines = [
        f"id: {args.code}",
        f"slug: {args.slug}",
        f"title: {args.title}",
        f"severity: {args.severity}",
    ]
    if args.profiles:
        lines.append(f"profiles: [{', '.join(args.profiles)}]")
    if args.python:
        lines.append(f"params: {{minimum: {args.operand}}}")
    else:
        lines += [
            "require:",
            f"  {args.attribute}: {{{args.operator}: {args.operand}}}",
            f'message: "{{endpoint}}: `{args.attribute}` is {{value}}, '
            f'expected {args.operator} {args.operand}"',
        ]
    lines += [
        f"fix: Describe the one-line fix for {args.code}.",
        "tags: []",
        "docs:",
        f"  summary: {args.title}.",
        "  why: |",
        "    Say what goes wrong in production, with numbers where you have them.",
        "  bad: |",
        "    # a declaration that fires",
        "  good: |",
        "    # the same declaration, fixed",
    ]
    return "\n".join(lines) + "\n"


def run_flash_guard(root: Path, project: Path, code: str) -> list[dict]:
    config = ["--config", ".flash-guard.yaml"] if (project / ".flash-guard.yaml").exists() else []
    proc = subprocess.run(
        [sys.executable, "-m", "flash_guard", "check", "--format", "json", *config]
        + ["--select", code, "--fail-on", "never", "."],
        cwd=project,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"new_rule: flash-guard failed on {project}:\n{proc.stderr}")
    return json.loads(proc.stdout)["findings"]


def annotate(app: Path, findings: list[dict], code: str) -> int:
    lines = app.read_text("utf-8").split("\n")
    count = 0
    for finding in findings:
        if finding["code"] == code and finding["path"] == app.name:
            line = finding["line"] - 1
            lines[line] += f"  # expect: {code}@{finding['column']}"
            count += 1
    app.write_text("\n".join(lines), "utf-8")
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("code")
    parser.add_argument("slug")
    parser.add_argument("--title", required=True)
    parser.add_argument("--severity", default="warning", choices=("error", "warning", "info"))
    parser.add_argument("--profiles", nargs="*", default=None)
    parser.add_argument("--python", action="store_true", help="scaffold a Python check too")
    parser.add_argument("--attribute", default="workers.min")
    parser.add_argument("--operator", default="gte")
    parser.add_argument("--operand", default="1")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args(argv)
    match = CODE.match(args.code)
    if not match or not SLUG.match(args.slug):
        parser.error("CODE is FG0xx-FG4xx and SLUG is lower-case-dashed")
    if args.profiles is None and match.group(1) == "1":
        args.profiles = ["production"]
    root = args.root.resolve()
    stem = f"{args.code.lower()}_{args.slug.replace('-', '_')}"
    rule_dir = root / "flash_guard" / "rules" / FAMILIES[match.group(1)]
    if any((root / "flash_guard" / "rules").glob(f"*/{args.code.lower()}_*.yaml")):
        parser.error(f"{args.code} already exists")
    (rule_dir / f"{stem}.yaml").write_text(yaml_text(args), "utf-8")
    if args.python:
        class_name = "".join(part.title() for part in args.slug.split("-"))
        (rule_dir / f"{stem}.py").write_text(
            PYTHON_CHECK.format(
                code=args.code,
                title=args.title,
                slug=args.slug,
                class_name=class_name,
                operand=args.operand,
            ),
            "utf-8",
        )
    fixtures = root / "tests" / "fixtures" / "rules" / f"{args.code}-{args.slug}"
    for kind, text in (("fire", FIRE_APP), ("pass", PASS_APP)):
        (fixtures / kind).mkdir(parents=True, exist_ok=True)
        (fixtures / kind / "app.py").write_text(text, "utf-8")
        if args.profiles and "production" not in args.profiles:
            # The fixtures run under a profile that carries the rule.
            config = f"profile: {args.profiles[0]}\n"
            (fixtures / kind / ".flash-guard.yaml").write_text(config, "utf-8")
    fired = annotate(
        fixtures / "fire" / "app.py",
        run_flash_guard(root, fixtures / "fire", args.code),
        args.code,
    )
    passed = [
        f for f in run_flash_guard(root, fixtures / "pass", args.code) if f["code"] == args.code
    ]
    for generator in (
        ["flash_guard.rule_docs", "--write", str(root / "docs" / "rules")],
        ["flash_guard.checklist.compiled", "--write"],  # the built-in checklist, precompiled
    ):
        subprocess.run(
            [sys.executable, "-m", *generator],
            cwd=root,
            env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
            check=True,
        )
    print(f"created {rule_dir.relative_to(root)}/{stem}.yaml", end="")
    print(" (+ .py)" if args.python else "")
    print(f"fixtures: {fixtures.relative_to(root)} (fire: {fired} finding(s), pass: {len(passed)})")
    print("next: edit the condition, the fixtures and the docs; then run the tests with")
    print("FLASH_GUARD_UPDATE_GOLDEN=1 to write the fire fixture's messages.golden, and review it")
    return 0 if fired and not passed else 1


if __name__ == "__main__":
    sys.exit(main())
