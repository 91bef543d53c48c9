"""Command line: parsing options and choosing exit codes; the work happens elsewhere.

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
2 usage, configuration or internal error (one line, no traceback unless --debug).
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

# Only what every command needs is imported here; the engine, the checklist and
# the reporters are imported by the commands that use them (start-up time counts
# when a pre-commit hook runs on every commit).
from flash_guard import __version__
from flash_guard.config.yamlsrc import ConfigError
from flash_guard.project.files import UsageError
from flash_guard.report import FORMATS

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def _output(text: str) -> tuple[str, str]:
    fmt, sep, file = text.partition("=")
    if not sep or fmt not in FORMATS or not file:
        raise argparse.ArgumentTypeError(
            f"expected FORMAT=FILE with FORMAT one of {', '.join(FORMATS)}"
        )
    return fmt, file


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flash-guard",
        description="Production-readiness linter for Runpod Flash apps. "
        "Static: nothing it checks is imported or run.",
    )
    parser.add_argument("--version", action="version", version=f"flash-guard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", type=Path, help="configuration file (default: discovered)")
    common.add_argument("--profile", choices=("production", "development", "cost"))
    common.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")
    common.add_argument("--jobs", type=int, default=None, help="worker processes for parsing")

    check = sub.add_parser("check", parents=[common], help="check endpoints against the checklist")
    check.add_argument("paths", nargs="*", default=None, metavar="PATH")
    check.add_argument("--format", choices=FORMATS, default="text")
    check.add_argument(
        "--output",
        action="append",
        type=_output,
        default=[],
        metavar="FORMAT=FILE",
        help="also write FORMAT to FILE (repeatable)",
    )
    check.add_argument(
        "--select", type=_codes, default=[], help="only these codes, slugs or prefixes"
    )
    check.add_argument(
        "--ignore", type=_codes, default=[], help="skip these codes, slugs or prefixes"
    )
    check.add_argument("--fail-on", choices=("error", "warning", "info", "never"), default=None)
    check.add_argument("--strict", action="store_true", help="FG002 (unresolved value) is an error")
    check.add_argument("--baseline", type=Path, help="hide findings recorded in this baseline")
    check.add_argument(
        "--write-baseline", type=Path, metavar="FILE", help="record current findings"
    )
    check.add_argument("--no-ignores", action="store_true", help="ignore suppression comments")
    check.add_argument("--statistics", action="store_true", help="count findings per rule")
    check.add_argument("--max-annotations", type=int, default=None, help=argparse.SUPPRESS)
    check.add_argument("--fix", action="store_true", help="apply safe fixes")
    check.add_argument(
        "--unsafe-fixes", action="store_true", help="with --fix/--diff, apply unsafe fixes too"
    )
    check.add_argument(
        "--diff", action="store_true", help="print the fixes as a diff, change nothing"
    )
    check.add_argument("--fix-only", action="store_true", help="apply fixes, report nothing else")

    endpoints = sub.add_parser("endpoints", parents=[common], help="list every endpoint found")
    endpoints.add_argument("paths", nargs="*", default=None, metavar="PATH")
    endpoints.add_argument("--format", choices=("text", "json", "markdown"), default="text")

    rules = sub.add_parser("rules", help="list the rule catalog")
    rules.add_argument("--format", choices=("text", "json"), default="text")
    rule = sub.add_parser("rule", help="show one rule's documentation")
    rule.add_argument("name", metavar="CODE|SLUG")
    init = sub.add_parser("init", help="write a starter .flash-guard.yaml")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    debug = getattr(args, "debug", False)
    # A run allocates many small objects and frees them by reference counting;
    # the cyclic collector would only re-scan them (~15% of a big run's time).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return COMMANDS[args.command](args)
    except (ConfigError, UsageError) as exc:
        print(f"flash-guard: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR
    except Exception as exc:  # a bug of ours: one line, not a traceback
        if debug:
            import traceback

            traceback.print_exc()
        print(
            f"flash-guard: internal error: {exc.__class__.__name__}: {exc} "
            "(run with --debug for details)",
            file=sys.stderr,
        )
        return EXIT_ERROR
    finally:
        if gc_was_enabled:
            gc.enable()


def _request(args):
    from flash_guard.checklist.active import Options
    from flash_guard.pipeline import RunRequest

    options = Options(
        profile=args.profile,
        select=getattr(args, "select", []),
        ignore=getattr(args, "ignore", []),
        strict=getattr(args, "strict", False),
    )
    return RunRequest(
        paths=args.paths or ["."],
        config_path=args.config,
        options=options,
        no_ignores=getattr(args, "no_ignores", False),
        jobs=args.jobs,
    )


def cmd_check(args) -> int:
    from flash_guard.findings import at_or_above
    from flash_guard.fix.engine import check_with_fixes
    from flash_guard.report import render
    from flash_guard.report.text_report import use_color

    result, project, fixed_exit = check_with_fixes(_request(args), args)
    if fixed_exit is not None:
        return fixed_exit
    if args.write_baseline:
        from flash_guard.baseline import write_baseline

        count = write_baseline(args.write_baseline, result.findings)
        print(
            f"flash-guard: wrote {count} findings to baseline {args.write_baseline}",
            file=sys.stderr,
        )
        return EXIT_OK
    if args.baseline:
        from flash_guard.baseline import apply_baseline, load_baseline

        result.findings, result.baselined, result.stale_baseline = apply_baseline(
            result.findings, load_baseline(args.baseline), project.report_only
        )
    fail_on = args.fail_on or project.config.fail_on
    options = {"color": use_color(), "statistics": args.statistics}
    if args.max_annotations is not None:
        options["max_annotations"] = args.max_annotations
    for fmt, file in args.output:
        try:
            Path(file).write_text(render(fmt, result, **{**options, "color": False}), "utf-8")
        except OSError as exc:
            raise UsageError(f"{file}: cannot write: {exc.strerror}") from None
    sys.stdout.write(render(args.format, result, **options))
    failing = any(at_or_above(f.severity, fail_on) for f in result.findings)
    return EXIT_FINDINGS if failing else EXIT_OK


def cmd_endpoints(args) -> int:
    from flash_guard.pipeline import run_check
    from flash_guard.report.inventory import render

    request = _request(args)
    request.no_ignores = True
    request.files_as_filter = False
    result, *_ = run_check(request)
    sys.stdout.write(render(args.format, result))
    return EXIT_OK


def cmd_rules(args) -> int:
    from flash_guard.rule_docs import catalog_rows

    rows = catalog_rows()
    if args.format == "json":
        import json

        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    width = max(len(r["slug"]) for r in rows)
    for r in rows:
        profiles = ",".join(r["profiles"])
        slug = r["slug"].ljust(width)
        print(f"{r['code']}  {slug}  {r['severity']:<7}  {profiles:<28}  {r['title']}")
    return EXIT_OK


def cmd_rule(args) -> int:
    from flash_guard.rule_docs import find_rule, rule_page

    code = find_rule(args.name)
    if code is None:
        raise UsageError(f"{args.name}: no such rule code or slug (see `flash-guard rules`)")
    sys.stdout.write(rule_page(code, for_terminal=True))
    return EXIT_OK


def cmd_init(args) -> int:
    from flash_guard.config.starter import STARTER_CONFIG

    target = Path(".flash-guard.yaml")
    if target.exists() and not args.force:
        raise UsageError(f"{target} already exists (use --force to overwrite)")
    target.write_text(STARTER_CONFIG, "utf-8")
    print(f"flash-guard: wrote {target}")
    return EXIT_OK


COMMANDS = {
    "check": cmd_check,
    "endpoints": cmd_endpoints,
    "rules": cmd_rules,
    "rule": cmd_rule,
    "init": cmd_init,
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
