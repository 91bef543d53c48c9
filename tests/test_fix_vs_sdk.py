"""The SDK confirms every fix.

For every fix fixture (tests/fixtures/fixes/<case>/: before/, after/, case.yaml and, when the
SDK rejects `before`, a hand-written control/ = before without what it rejects) and for the
official examples (github:runpod/flash-examples, when a local mirror exists), the fixed code is
run by the real SDK in the sandboxed oracle, and every resource it builds must have the same
configuration as before the fix (or as the control), except the fields the fix is meant to
change. The fixed code must be exactly `after/`, a second --fix must change nothing, --diff must
change nothing, and `ruff format` must leave the fixed file alone where it left the original.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from sdk_oracle import run_oracle_or_skip

from flash_guard.cli import main

FIXES = Path(__file__).parent / "fixtures" / "fixes"
CASES = sorted(p.name for p in FIXES.iterdir() if (p / "case.yaml").is_file())
RUFF = Path(sys.executable).with_name("ruff")
EXAMPLES_GIT = Path(
    os.environ.get("FLASH_GUARD_EXAMPLES_GIT", "/work/.mirror/runpod+flash-examples/repo")
)

# The oracle fields each rule's fix is meant to change (see the oracle's entry format).
CHANGES_BY_CODE = {
    "FG104": ["execution_timeout_ms", "executionTimeoutMs", "resource.executionTimeoutMs"],
    "FG102": [
        "workers_min",
        "workers_max",
        "workersMin",
        "workersMax",
        "resource.workersMin",
        "resource.workersMax",
    ],
    "FG107": ["env", "resource.env"],
}
CHANGES_BY_CODE["FG103"] = CHANGES_BY_CODE["FG102"]
CHANGES_BY_CODE["FG109"] = ["routes", "targets"]
CHANGES_BY_CODE["FG302"] = []  # an import moves; the configuration stays


def case_config(case: str) -> dict:
    return yaml.safe_load((FIXES / case / "case.yaml").read_text("utf-8"))


def python_files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text("utf-8")
        for p in sorted(root.rglob("*.py"))
        if ".git" not in p.parts
    }


def run_cli(args: list[str], cwd: Path, capsys) -> tuple[int, str, str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        code = main(["check", *args])
    finally:
        os.chdir(old)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def fix_args(case: str, *mode: str) -> list[str]:
    config = case_config(case)
    args = [*mode, "--select", ",".join(config["select"])]
    return [*args, "--unsafe-fixes"] if config["unsafe"] else args


def project_copy(case: str, part: str, tmp_path: Path) -> Path:
    target = tmp_path / "project"
    shutil.copytree(FIXES / case / part, target)
    return target


@pytest.mark.parametrize("case", CASES)
def test_fix_gives_after(case, tmp_path, capsys):
    project = project_copy(case, "before", tmp_path)
    code, out, err = run_cli(fix_args(case, "--fix-only"), project, capsys)
    assert code == 0, err
    assert out == ""
    assert python_files(project) == python_files(FIXES / case / "after")
    assert "applied" in err


@pytest.mark.parametrize("case", CASES)
def test_second_fix_changes_nothing(case, tmp_path, capsys):
    project = project_copy(case, "after", tmp_path)
    code, out, err = run_cli(fix_args(case, "--diff"), project, capsys)
    assert (code, out) == (0, ""), err
    run_cli(fix_args(case, "--fix-only"), project, capsys)
    assert python_files(project) == python_files(FIXES / case / "after")


@pytest.mark.parametrize("case", CASES)
def test_diff_shows_the_fix_and_changes_nothing(case, tmp_path, capsys):
    project = project_copy(case, "before", tmp_path)
    code, out, _ = run_cli(fix_args(case, "--diff"), project, capsys)
    assert code == 1
    before, after = python_files(FIXES / case / "before"), python_files(FIXES / case / "after")
    expected = "".join(
        line
        for path in sorted(before)
        for line in difflib.unified_diff(
            before[path].splitlines(keepends=True),
            after[path].splitlines(keepends=True),
            fromfile=f"a/{path}",
            tofile=f"b/{path}",
        )
    )
    assert out == expected
    assert python_files(project) == before


def ruff_format(text: str) -> str:
    done = subprocess.run(
        [str(RUFF), "format", "--isolated", "-"], input=text, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(not RUFF.exists(), reason="ruff is not installed next to the interpreter")
@pytest.mark.parametrize("case", CASES)
def test_ruff_format_is_stable(case):
    for part in ("before", "after"):
        for path, text in python_files(FIXES / case / part).items():
            assert ruff_format(text) == text, f"{case}/{part}/{path}"


# --- the SDK oracle ---------------------------------------------------------------------


def flatten(entry: dict) -> dict:
    flat = {k: v for k, v in entry.items() if k not in ("resource", "variables", "build_error")}
    for key, value in (entry.get("resource") or {}).items():
        flat[f"resource.{key}"] = value
    for key in ("min_cuda_version", "minCudaVersion", "resource.minCudaVersion"):
        # The oracle reports a CudaVersion given as its string value as that string.
        value = flat.get(key)
        if isinstance(value, str) and re.fullmatch(r"\d+\.\d+", value):
            flat[key] = "V" + value.replace(".", "_")
    if "routes" in flat:
        flat["routes"] = [[r["method"], r["path"]] for r in flat["routes"]]
    return flat


def endpoints_by_name(result: dict) -> dict[str, dict]:
    return {
        e.get("name") or ",".join(e.get("variables") or []): flatten(e) for e in result["endpoints"]
    }


def without(flat: dict, changes: list[str]) -> dict:
    return {k: v for k, v in flat.items() if k not in changes}


def assert_same_except(reference: dict, fixed: dict, changes: list[str], label: str) -> None:
    assert set(reference) <= set(fixed), f"{label}: the fix lost {set(reference) - set(fixed)}"
    for name, ref in reference.items():
        assert without(fixed[name], changes) == without(ref, changes), f"{label}: {name}"


@pytest.fixture(scope="module")
def oracle_results() -> dict[str, dict]:
    sources, keys = [], []
    for case in CASES:
        for part in ("before", "after", "control"):
            app = FIXES / case / part / "app.py"
            if app.is_file():
                sources.append(app.read_text("utf-8"))
                keys.append((case, part))
    results = run_oracle_or_skip(sources)
    out: dict[str, dict] = {}
    for (case, part), result in zip(keys, results, strict=True):
        out.setdefault(case, {})[part] = result
    return out


@pytest.mark.parametrize("case", CASES)
def test_sdk_confirms_fix(case, oracle_results):
    config, results = case_config(case), oracle_results[case]
    before, after = results["before"], results["after"]
    assert after["error"] is None, after["error"]
    assert after["network"] == []
    if config["before_fails"]:
        # The fix is what makes the module import: the SDK rejected the original.
        assert before["error"] is not None
        reference = endpoints_by_name(results["control"])
        assert results["control"]["error"] is None
    else:
        assert before["error"] is None, before["error"]
        reference = endpoints_by_name(before)
    fixed = endpoints_by_name(after)
    assert_same_except(reference, fixed, config["changes"], case)
    for name, fields in config["expect"].items():
        for field, value in fields.items():
            assert fixed[name][field] == value, f"{case}: {name}.{field}"
    # The fields said to change do change (else `changes` hides nothing and says nothing).
    if not config["before_fails"] and config["changes"]:
        old = endpoints_by_name(before)
        assert any(old[n].get(k) != fixed[n].get(k) for n in old for k in config["changes"]), (
            f"{case}: nothing the fix should change changed"
        )


# --- the official examples ----------------------------------------------------------------


@pytest.fixture(scope="module")
def examples(tmp_path_factory) -> Path:
    if not EXAMPLES_GIT.is_dir() or shutil.which("git") is None:
        pytest.skip(
            f"flash-examples not available locally ({EXAMPLES_GIT}; set "
            "FLASH_GUARD_EXAMPLES_GIT to a git dir of github:runpod/flash-examples)"
        )
    target = tmp_path_factory.mktemp("flash-examples")
    archive = subprocess.run(
        ["git", f"--git-dir={EXAMPLES_GIT}", "archive", "HEAD"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def test_examples_fixed_code_agrees_with_sdk(examples, tmp_path, capsys):
    from flash_guard.fix.engine import fix_project
    from flash_guard.pipeline import RunRequest

    project = tmp_path / "examples"
    shutil.copytree(examples, project)
    old = Path.cwd()
    os.chdir(project)  # file listing resolves paths against the working directory
    try:
        run = fix_project(RunRequest(paths=["."], cwd=project), unsafe=True)
    finally:
        os.chdir(old)
    changed = run.changed
    assert changed, "no fix applied to the official examples"
    codes_by_path: dict[str, set[str]] = {}
    for fix in run.applied:
        codes_by_path.setdefault(fix.path, set()).add(fix.code)
    paths = sorted(changed)
    sources = [s for p in paths for s in (changed[p].original_text, changed[p].text)]
    results = run_oracle_or_skip(sources)
    compared = 0
    for i, path in enumerate(paths):
        before, after = results[2 * i], results[2 * i + 1]
        changes = [f for code in codes_by_path[path] for f in CHANGES_BY_CODE.get(code, [])]
        assert set(codes_by_path[path]) <= set(CHANGES_BY_CODE), path
        # A file the sandbox cannot import (a sibling module, a missing package) must fail the
        # same way after the fix; what it built up to there is still compared.
        assert (before["error"] or {}).get("message") == (after["error"] or {}).get("message")
        assert_same_except(endpoints_by_name(before), endpoints_by_name(after), changes, path)
        compared += len(before["endpoints"])
        # ruff format changes no line of the fixed file that it left alone in the original.
        formatted = ruff_format(changed[path].text) if RUFF.exists() else changed[path].text
        assert _format_only_touches_edits(
            changed[path].original_text, changed[path].text, formatted, ruff_format
        ), path

    assert compared >= len(paths)  # most fixed files import in the sandbox: not a vacuous pass

    # Written, then fixed again: nothing changes.
    for path, state in changed.items():
        (project / path).write_text(state.text, "utf-8")
    code, out, _ = run_cli(["--diff", "--unsafe-fixes"], project, capsys)
    assert (code, out) == (0, "")


def _format_only_touches_edits(original: str, fixed: str, formatted: str, fmt) -> bool:
    """Formatting the fixed file changes only lines the fix changed. (An original that ruff
    would reformat anyway proves nothing either way and is accepted.)"""
    if formatted == fixed or fmt(original) != original:
        return True
    touched = set()
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(
        None, original.splitlines(), fixed.splitlines()
    ).get_opcodes():
        if tag != "equal":
            touched.update(range(j1, max(j2, j1 + 1)))
    return all(
        touched.intersection(range(i1 - 1, max(i2, i1 + 1) + 1))
        for tag, i1, i2, _, _ in difflib.SequenceMatcher(
            None, fixed.splitlines(), formatted.splitlines()
        ).get_opcodes()
        if tag != "equal"
    )
