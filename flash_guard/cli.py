"""Command line: parsing options and choosing exit codes; the work happens elsewhere.

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
2 usage, configuration or internal error (one line, no traceback unless --debug).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

# Only what every command needs is imported here; the engine, the checklist and
# the reporters are imported by the commands that use them (start-up time counts
# when a pre-commit hook runs on every commit).
from flash_guard import __version__
from flash_guard.config.yamlsrc import ConfigError
from flash_guard.entry import escape_unencodable_output
from flash_guard.project.files import UsageError
from flash_guard.report import FORMATS
from flash_guard.report.escape import stderr_line
from flash_guard.signed_cache import ENV_CACHE_DIR

if TYPE_CHECKING:  # only for annotations: the loader is imported by the commands using it
    from flash_guard.checklist.items import Item
    from flash_guard.config.loader import Config

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _codes(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more worker processes, got {value}")
    return value


def _output(text: str) -> tuple[str, str]:
    fmt, sep, file = text.partition("=")
    if not sep or fmt not in FORMATS or not file:
        raise argparse.ArgumentTypeError(
            f"expected FORMAT=FILE with FORMAT one of {', '.join(FORMATS)}"
        )
    return fmt, file


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line, as ruff prints them, with where to look for help."""

    def error(self, message: str):  # noqa: D102 - argparse's hook
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="flash-guard",
        description="Production-readiness linter for Runpod Flash apps. "
        "Static: nothing it checks is imported or run.",
    )
    parser.add_argument("--version", action="version", version=f"flash-guard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="use this configuration for every path (default: the nearest "
        ".flash-guard.yaml or [tool.flash-guard] above each checked path)",
    )
    common.add_argument(
        "--profile",
        metavar="NAME",
        help="the profile of every endpoint that no file pragma or `profiles:` entry "
        "places: production, development, cost or one defined in the configuration "
        "(default: the configuration's `profile`)",
    )
    common.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")
    common.add_argument(
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="worker processes for parsing (1 or more)",
    )
    common.add_argument(
        "-q", "--quiet", action="store_true", help="print findings only, no summary or warnings"
    )
    common.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output (auto: on a terminal, unless NO_COLOR is set; "
        "FORCE_COLOR forces it)",
    )
    common.add_argument(
        "--no-cache",
        action="store_true",
        help="parse every file, neither reading nor writing the cache",
    )
    common.add_argument(
        "--cache-dir",
        type=_directory_arg,
        metavar="DIR",
        help="keep the facts cache in DIR (default: $FLASH_GUARD_CACHE_DIR, else "
        ".flash-guard-cache in the project root)",
    )
    paths_help = "files or directories to check (default: .); files alone mean pre-commit mode"

    check = sub.add_parser("check", parents=[common], help="check endpoints against the checklist")
    check.add_argument(
        "paths", nargs="*", default=None, type=_path_arg, metavar="PATH", help=paths_help
    )
    check.add_argument(
        "--format",
        "--output-format",
        dest="format",
        choices=FORMATS,
        default="text",
        help="output format (default: text)",
    )
    check.add_argument(
        "--output",
        action="append",
        type=_output,
        default=[],
        metavar="FORMAT=FILE",
        help="also write FORMAT to FILE (repeatable)",
    )
    selection = "codes, slugs, code prefixes or ALL; comma-separated, repeatable, any case"
    for option, meaning in (
        ("--select", "only these rules (replaces the configuration's `select`)"),
        ("--extend-select", "these rules in addition to the selection"),
        ("--ignore", "skip these rules"),
    ):
        check.add_argument(
            option,
            type=_codes,
            action="extend",
            default=[],
            metavar="RULES",
            help=f"{meaning}: {selection}",
        )
    check.add_argument(
        "--fail-on",
        choices=("error", "warning", "info", "never"),
        default=None,
        help="exit 1 when a finding has this severity or higher "
        "(default: the configuration's `fail_on`, else error)",
    )
    check.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when findings are reported"
    )
    check.add_argument("--strict", action="store_true", help="FG002 (unresolved value) is an error")
    check.add_argument("--baseline", type=Path, help="hide findings recorded in this baseline")
    check.add_argument(
        "--diff-base",
        metavar="REF",
        help="report only findings new since the merge base of REF and HEAD (read from git "
        "objects, nothing checked out or run); falls back to every finding when it cannot",
    )
    check.add_argument(
        "--diff-base-required",
        action="store_true",
        help="with --diff-base: exit 2 instead of falling back when the base is unusable",
    )
    check.add_argument(
        "--write-baseline", type=Path, metavar="FILE", help="record current findings"
    )
    check.add_argument("--no-ignores", action="store_true", help="ignore suppression comments")
    check.add_argument(
        "--statistics",
        action="store_true",
        help="count findings per rule (text: a table; json: a list; other formats: the "
        "table on stderr)",
    )
    check.add_argument(
        "--show-settings",
        type=Path,
        metavar="FILE",
        help="print the configuration that applies to FILE and where each value comes from",
    )
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
    endpoints.add_argument(
        "paths", nargs="*", default=None, type=_path_arg, metavar="PATH", help=paths_help
    )
    endpoints.add_argument(
        "--format",
        "--output-format",
        dest="format",
        choices=("text", "json", "markdown"),
        default="text",
        help="output format (default: text)",
    )
    endpoints.add_argument(
        "--wide", action="store_true", help="every column, however wide (default: fit 100)"
    )

    rules = sub.add_parser("rules", help="list the rule catalog")
    rules.add_argument(
        "--format",
        "--output-format",
        dest="format",
        choices=("text", "json"),
        default="text",
        help="output format (default: text)",
    )
    rules.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="also list this configuration's checklist items (default: the nearest one)",
    )
    rule = sub.add_parser("rule", help="show one rule's documentation")
    rule.add_argument("name", metavar="CODE|SLUG", help="a rule code or slug, any case")
    rule.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="also look among this configuration's checklist items (default: the nearest one)",
    )
    init = sub.add_parser("init", help="write a starter .flash-guard.yaml")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    _add_migrate(sub)
    return parser


def _add_migrate(sub) -> None:
    migrate = sub.add_parser("migrate", help="move runpod_flash declarations to runpod 2.0")
    migrate.add_argument(
        "paths",
        nargs="*",
        default=None,
        type=_path_arg,
        metavar="PATH",
        help="files or directories (default: .)",
    )
    migrate.add_argument("--to", required=True, choices=("runpod2",), help="the target SDK")
    mode = migrate.add_mutually_exclusive_group()
    mode.add_argument(
        "--diff", action="store_true", help="print a diff, write nothing; exit 1 on changes"
    )
    mode.add_argument("--check", action="store_true", help="write nothing; exit 1 on changes")
    migrate.add_argument(
        "--adopt-2.0-defaults",
        dest="adopt",
        action="store_true",
        help="take 2.0's defaults instead of writing the old values explicitly",
    )
    migrate.add_argument(
        "--format", choices=("text", "markdown"), default="text", help="the report's format"
    )
    migrate.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    debug = getattr(args, "debug", False)
    escape_unencodable_output()
    # A run allocates many small objects and frees them by reference counting;
    # the cyclic collector would only re-scan them (~15% of a big run's time).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return COMMANDS[args.command](args)
    except (ConfigError, UsageError) as exc:
        stderr_line(f"flash-guard: error: {exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader left (`| head`): nothing more to say, and nothing to flush at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return EXIT_FINDINGS
    except Exception as exc:  # a bug of ours: one line, not a traceback
        if debug:
            import traceback

            traceback.print_exc()
        stderr_line(
            f"flash-guard: internal error: {exc.__class__.__name__}: {exc} "
            "(run with --debug for details)"
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
        extend_select=getattr(args, "extend_select", []),
        strict=getattr(args, "strict", False),
    )
    return RunRequest(
        paths=args.paths or ["."],
        config_path=args.config,
        options=options,
        no_ignores=getattr(args, "no_ignores", False),
        jobs=args.jobs,
        cache=not args.no_cache,
        cache_dir=args.cache_dir or _env_path(ENV_CACHE_DIR),
    )


def _path_arg(value: str) -> str:
    # `check "$DIR"` with DIR unset would check the working directory, as if nothing was given.
    if not value.strip():
        raise argparse.ArgumentTypeError(
            "an empty path; name a file or directory, or give none for ."
        )
    return value


def _directory_arg(value: str) -> Path:
    # `--cache-dir ""` (an unset variable in CI) would be the working directory: the cache's
    # key and a `*` .gitignore written into the project.
    if not value.strip():
        raise argparse.ArgumentTypeError("an empty path; name a directory")
    return Path(value)


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name, "")
    return Path(value) if value else None


def cmd_check(args) -> int:
    from flash_guard.findings import at_or_above
    from flash_guard.fix.engine import check_with_fixes
    from flash_guard.report import render
    from flash_guard.report.text_report import use_color

    if args.show_settings is not None:
        _check_show_settings_conflicts(args)
        return _show_settings(args)
    _check_option_conflicts(args)
    request = _request(args)
    request.scorecard = _shows_scorecard(args)
    result, project, fixed_exit = check_with_fixes(request, args)
    if fixed_exit is not None:
        return fixed_exit
    if not args.quiet:
        _warn_if_nothing_checked(result, project, request.paths)
    if args.write_baseline:
        from flash_guard.baseline import write_baseline

        count = write_baseline(
            args.write_baseline, result.findings, project.report_only, project.root
        )
        print(
            f"flash-guard: wrote {count} findings to baseline {args.write_baseline}",
            file=sys.stderr,
        )
        return EXIT_OK
    diff_base = args.diff_base or os.environ.get("PRE_COMMIT_FROM_REF")
    if diff_base:
        _only_new_since(diff_base, args, request, result, project)
    if args.baseline:
        from flash_guard.baseline import apply_baseline, load_baseline

        result.findings, result.baselined, result.stale_baseline = apply_baseline(
            result.findings, load_baseline(args.baseline, project.root), project.report_only
        )
        # baselineState whenever a baseline is in use; what it hid stays out of every
        # report, SARIF included (baselined findings are not to become alerts).
        for finding in result.findings:
            if "baseline_state" not in finding.extra:
                finding.set_baseline_state("new")
    options = {"color": use_color(args.color), "statistics": args.statistics, "quiet": args.quiet}
    if args.max_annotations is not None:
        options["max_annotations"] = args.max_annotations
    from flash_guard.project.writes import write_output

    for fmt, file in args.output:
        try:
            write_output(Path(file), render(fmt, result, **{**options, "color": False}))
        except OSError as exc:
            raise UsageError(f"{file}: cannot write: {exc.strerror}") from None
    _write_report(args.format, result, options)
    failing = any(
        at_or_above(f.severity, args.fail_on or project.fail_on_for(f.path))
        for f in result.findings
    )
    _note_for_replay(request, project)
    return EXIT_FINDINGS if failing and not args.exit_zero else EXIT_OK


def _check_option_conflicts(args) -> None:
    """A UsageError for options that would be dropped without a word."""
    if args.diff_base is not None and not args.diff_base.strip():
        if args.diff_base_required:
            raise UsageError("--diff-base: an empty reference; name a branch, tag or commit")
        print(
            "flash-guard: warning: --diff-base: an empty reference; reporting every finding",
            file=sys.stderr,
        )
    elif args.diff_base_required and not (args.diff_base or os.environ.get("PRE_COMMIT_FROM_REF")):
        raise UsageError("--diff-base-required: give the base with --diff-base REF")
    # --diff and --fix-only stop after the fixes: no report, baseline or output file follows.
    stops = "--diff" if args.diff else "--fix-only" if args.fix_only else None
    dropped = _first_given(
        *_report_options(args),
        ("--write-baseline", args.write_baseline),
        ("--baseline", args.baseline),
        ("--diff-base", args.diff_base),
        ("--statistics", args.statistics),
    )
    if stops and dropped:
        raise UsageError(f"{stops} reports no findings, so {dropped} does nothing; drop one")
    # --write-baseline records the findings and stops: no output file, no comparison.
    dropped = _first_given(*_report_options(args), ("--diff-base", args.diff_base))
    if args.write_baseline is not None and dropped:
        raise UsageError(
            f"--write-baseline writes only the baseline, so {dropped} does "
            "nothing; run them one after the other"
        )
    files = [file for _, file in args.output]
    written = [os.path.realpath(file) for file in files]
    for file, real in zip(files, written, strict=True):
        if written.count(real) > 1:
            raise UsageError(f"{file}: given for two outputs; name a file for each")


def _report_options(args) -> tuple[tuple[str, object], ...]:
    """(option as written, given) of the options that choose the report: a format other
    than text, and output files."""
    return (f"--format {args.format}", args.format != "text"), ("--output", args.output)


def _first_given(*options: tuple[str, object]) -> str | None:
    return next((name for name, given in options if given), None)


def _check_show_settings_conflicts(args) -> None:
    """--show-settings prints the settings as text and stops: a report format or output file
    given with it would be dropped (a `--format json` reader would get no JSON)."""
    dropped = _first_given(*_report_options(args))
    if dropped:
        raise UsageError(
            f"--show-settings prints the settings as text, so {dropped} does nothing; drop one"
        )


def _note_for_replay(request, project) -> None:
    """The output is written: a recorded run (run_cache.py) learns what it covered."""
    from flash_guard import run_cache

    parts = getattr(project, "parts", None) or [project]
    run_cache.note_checked(
        [str(request.cwd / path) for path in request.paths],
        [(str(part.root), part.in_git) for part in parts],
    )


def _shows_scorecard(args) -> bool:
    """Whether anything this run writes shows (or compares) every endpoint's scorecard."""
    formats = {args.format, *(fmt for fmt, _ in args.output)}
    return bool(
        formats & {"json", "markdown"}
        or args.diff_base
        or os.environ.get("PRE_COMMIT_FROM_REF")
        or args.fix
        or args.diff
        or args.fix_only
        or args.write_baseline
    )


def _only_new_since(ref: str, args, request, result, project) -> None:
    """--diff-base: keep the findings that are new (or changed) since the merge base; the
    fixed ones are counted. Without a usable base, say why and keep every finding."""
    import dataclasses

    from flash_guard.diffbase import (
        BaseUnavailable,
        analyse_base,
        compare_findings,
        overlay_configs,
        scorecard_diff,
    )
    from flash_guard.pipeline import reported_findings, run_check

    def run_base(base_root: Path):
        # The same configuration on both sides, so the comparison is about the code; with
        # several apps, each app's own configuration, put in place in the base tree.
        parts = getattr(project, "parts", [])
        config_path = request.config_path or project.config.path
        if request.config_path is None and len(parts) > 1:
            files = [file for part in parts for file in part.config.files]
            overlay_configs(Path(project.root), files, base_root)
            config_path = None
        base_request = dataclasses.replace(
            request,
            paths=[str(base_root)],
            cwd=base_root,
            config_path=config_path,
            files_as_filter=False,
            cache=False,  # a throw-away tree: nothing worth keeping
        )
        return run_check(base_request)[0]

    try:
        commit, base = analyse_base(Path(project.root), ref, run_base)
    except BaseUnavailable as exc:
        if args.diff_base_required:
            raise UsageError(f"--diff-base {ref}: {exc}") from None
        print(
            f"flash-guard: warning: --diff-base {ref}: {exc}; reporting every finding",
            file=sys.stderr,
        )
        return
    # Files given (pre-commit): what HEAD reports is limited to them, so is the base's side;
    # the other files' findings are not "fixed" because they were not reported.
    base_findings = reported_findings(base.findings, project.report_only)
    state, fixed = compare_findings(result.findings, base_findings)
    for finding in result.findings:
        finding.set_baseline_state(state.get(id(finding), "new"))
    result.unchanged = [f for f in result.findings if f.extra["baseline_state"] == "unchanged"]
    result.findings = [f for f in result.findings if f.extra["baseline_state"] != "unchanged"]
    for finding in fixed:
        finding.set_baseline_state("absent")
    result.fixed = fixed
    result.diff_base = {"ref": ref, "commit": commit, "scorecard": scorecard_diff(result, base)}
    print(
        f"flash-guard: compared with {ref} (merge base {commit[:12]}): "
        f"{len(result.findings)} new or changed, {len(fixed)} fixed",
        file=sys.stderr,
    )


def _write_report(fmt: str, result, options: dict) -> None:
    """The report on stdout, written as it is made where the format streams."""
    if options["statistics"] and fmt != "text":
        sys.stdout.write(_report(fmt, result, options))
        return
    from flash_guard.report import write

    write(fmt, result, sys.stdout, **options)


def _report(fmt: str, result, options: dict) -> str:
    """The report; with --statistics, as in ruff, the counts instead of the findings (text,
    json) or besides them on stderr (formats read by other tools)."""
    from flash_guard.report import render
    from flash_guard.report.text_report import statistics, statistics_json

    if not options["statistics"] or fmt == "text":
        return render(fmt, result, **options)
    if fmt == "json":
        return statistics_json(result)
    sys.stderr.write("\n".join(statistics(result)) + "\n")
    return render(fmt, result, **options)


def _warn_if_nothing_checked(result, project, paths: list[str]) -> None:
    """ruff warns when it finds no Python files; a run that saw no Flash declaration would
    otherwise pass as if it had checked something. In pre-commit mode a changed file
    without Flash code is the normal case, so it stays quiet."""
    if result.endpoints or project.report_only is not None:
        return
    print(f"warning: no Flash endpoints found in {' '.join(paths)}", file=sys.stderr)


def _show_settings(args) -> int:
    sys.stdout.write(show_settings(args.show_settings, args.config, Path.cwd()))
    return EXIT_OK


# -- `check --show-settings FILE`: the configuration that applies to one file and where each
# value came from, like `ruff check --show-settings`.


def show_settings(file: Path, config_path: Path | None, cwd: Path) -> str:
    from flash_guard.project.files import UsageError
    from flash_guard.project.locate import plan_workspaces

    target = file if file.is_absolute() else cwd / file
    if not target.exists():
        raise UsageError(f"{file}: no such file or directory")
    if target.is_dir():
        # The settings of the files directly in it: planning the directory itself would
        # read every configuration below it (and stop at any broken one, however deep).
        target = target / "__init__.py"
    workspace = plan_workspaces([str(target)], config_path, cwd)[0]
    config = workspace.config
    lines = [f"Settings for {file}"]
    if config.path is None:
        lines.append("Configuration: none found (built-in defaults)")
    else:
        chain = " <- ".join(_shown_path(p, cwd) for p in reversed(config.files))
        lines.append(f"Configuration: {chain}")
    lines.append(f"Project root: {_shown_path(workspace.root, cwd)}")
    lines.append("")
    for key, value in _settings(config):
        origin = config.origins.get(key) or config.origins.get(key.split(".")[0], "default")
        lines.append(f"{key} = {value}  # {origin}")
    return "\n".join(lines) + "\n"


def _settings(config: Config) -> list[tuple[str, str]]:
    out = [
        ("profile", _json(config.profile)),
        ("fail_on", _json(config.fail_on)),
        ("exclude", _json(config.exclude)),
        ("require_suppression_reason", _json(config.require_suppression_reason)),
        ("select", _json(config.select if config.select is not None else ["ALL"])),
        ("extend_select", _json(config.extend_select)),
        ("ignore", _json(config.ignore)),
    ]
    for name in sorted(set(config.profile_paths) | set(config.profile_endpoints)):
        spec = {
            "paths": config.profile_paths.get(name, []),
            "endpoints": config.profile_endpoints.get(name, []),
        }
        extends = getattr(config, "profile_extends", {}).get(name)
        if extends:
            spec["extends"] = extends
        out.append((f"profiles.{name}", _json(spec)))
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
        out.append((f"rules.{code}", _json(spec)))
    out.append(("checklist", _json([item.code for item in config.checklist])))
    return out


def _json(value) -> str:
    import json

    return json.dumps(value, default=str)


def _shown_path(path: Path, cwd: Path) -> str:
    try:
        return str(path.resolve().relative_to(cwd.resolve())) or "."
    except ValueError:
        return str(path)


# -- the configuration's own checklist items, as `rules` and `rule` show them beside the
# built-ins (rule_docs.py documents those).


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


def cmd_endpoints(args) -> int:
    from flash_guard.pipeline import run_check
    from flash_guard.report.inventory import render

    request = _request(args)
    request.no_ignores = True
    request.files_as_filter = False
    result, *_ = run_check(request)
    # An empty inventory says so itself ("No Flash endpoints found in N files.").
    sys.stdout.write(render(args.format, result, wide=args.wide))
    if not args.quiet:
        # A Flash file that could not be parsed may hold endpoints the inventory lacks: the
        # FG001 that `check` reports is named here too, never left out silently.
        for finding in result.findings:
            if finding.code == "FG001":
                where = f"{finding.path}:{finding.span.line}"
                stderr_line(f"flash-guard: warning: {where}: not analysed: {finding.message}")
    return EXIT_OK


def _nearest_config(args):
    """The configuration `rules` and `rule` add their items from: --config, else the
    nearest one above the working directory."""
    from flash_guard.project.locate import plan_workspaces

    return plan_workspaces(["."], args.config, Path.cwd())[0].config


def cmd_rules(args) -> int:
    from flash_guard.rule_docs import catalog_rows

    rows = catalog_rows() + user_rows(_nearest_config(args))
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

    code = find_rule(args.name) or find_rule(args.name.lower())
    if code is not None:
        sys.stdout.write(rule_page(code, for_terminal=True))
        return EXIT_OK
    config = _nearest_config(args)
    item = find_user_item(config, args.name)
    if item is None:
        raise UsageError(f"{args.name}: no such rule code or slug (see `flash-guard rules`)")
    sys.stdout.write(user_page(config, item))
    return EXIT_OK


def cmd_init(args) -> int:
    from flash_guard.config.loader import ConfigError, check_found_config, find_config
    from flash_guard.config.starter import STARTER_CONFIG
    from flash_guard.project.files import git_root
    from flash_guard.project.writes import write_atomically

    target = Path(".flash-guard.yaml")
    # A new file next to (or below) another configuration (`.flash-guard.yml`,
    # `[tool.flash-guard]`, one in a parent directory) would silently win over it.
    cwd = Path.cwd()
    try:
        check_found_config(cwd / target)
    except ConfigError:  # a symlink out of the tree: never read, and --force replaces it
        found = cwd.resolve() / target
    else:
        found = find_config(cwd, git_root(cwd))
    if found is not None and (found.name != target.name or found.parent != cwd.resolve()):
        raise UsageError(f"{found}: a flash-guard configuration already exists; edit it instead")
    if (target.exists() or target.is_symlink()) and not args.force:
        raise UsageError(f"{target} already exists (use --force to overwrite)")
    try:
        write_atomically(target, STARTER_CONFIG)
    except OSError as exc:
        raise UsageError(f"{target}: cannot write: {exc.strerror}") from None
    print(f"flash-guard: wrote {target}")
    return EXIT_OK


def cmd_migrate(args) -> int:
    from flash_guard.migrate.run import main as migrate

    mode = "diff" if args.diff else "check" if args.check else "write"
    return migrate(args.paths or ["."], mode, args.adopt, args.format)


COMMANDS = {
    "check": cmd_check,
    "migrate": cmd_migrate,
    "endpoints": cmd_endpoints,
    "rules": cmd_rules,
    "rule": cmd_rule,
    "init": cmd_init,
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
