"""Hostile repositories (issue 10): what a pull request can put in front of flash-guard's
inputs and outputs. Each test builds the hostile tree in a temp dir and runs flash-guard in
a subprocess with a timeout and an address-space limit, so a hang or a memory blow-up
fails the test instead of taking the suite down.

Items: 6 escaping, 7 symlinks, 9 configuration, 10 git, 11 explicit files, 13 writes,
14 projects below hidden directories, 15 strict JSON and markdown.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import flash_guard

# The flash-guard being tested: the one this test process imports.
SOURCE = str(Path(flash_guard.__file__).resolve().parents[1])
TIME_LIMIT = 10.0
MEMORY_LIMIT = 1 << 30

APP = """\
from runpod_flash import Endpoint, GpuGroup

@Endpoint(name={name!r}, gpu=GpuGroup.ANY)
async def work(x): ...
"""

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(args: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """`flash-guard ARGS` in `cwd`: must finish within TIME_LIMIT and MEMORY_LIMIT."""
    full_env = {**os.environ, "PYTHONPATH": SOURCE, "NO_COLOR": "1", **(env or {})}
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "flash_guard", *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        timeout=TIME_LIMIT * 3,  # a hang fails here; a slow run fails below
        preexec_fn=_limit_memory,
    )
    elapsed = time.monotonic() - start
    assert elapsed < TIME_LIMIT, f"took {elapsed:.1f}s"
    assert result.returncode not in (-9, 134, 137), result.stderr  # killed or aborted
    assert b"Traceback" not in result.stderr, result.stderr.decode("utf-8", "replace")
    assert b"internal error" not in result.stderr, result.stderr.decode("utf-8", "replace")
    return result


def text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def make(root: Path, files: dict[str, str]) -> Path:
    for rel, body in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(body), "utf-8", errors="surrogatepass")
    root.mkdir(parents=True, exist_ok=True)
    return root


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@t", "-c", "user.name=t", *args],
        cwd=root,
        check=True,
        capture_output=True,
        timeout=30,
    )


def git_project(root: Path, files: dict[str, str]) -> Path:
    make(root, files)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    return root


needs_git = pytest.mark.skipif(
    subprocess.run(["git", "--version"], capture_output=True).returncode != 0,
    reason="needs git",
)

# Control, bidi and line-break characters that must never reach a terminal or a log raw.
RAW = ["\x1b", "\u202e", "\u2066", "\u200f", "\r", "\x07", "\x9b"]


def assert_inert(output: str) -> None:
    for char in RAW:
        assert char not in output, repr(char)
    for line in output.splitlines():
        stripped = line.lstrip()
        assert not stripped.startswith("##["), line


# -- 6: untrusted text is escaped at each output's boundary ----------------------------------

HOSTILE_NAME = "x\x1b[2J\u202eevil\u2066\r\n::add-mask::secret\n::error file=a.py::forged\x07\x9b"


@pytest.mark.parametrize("fmt", ["text", "github", "markdown"])
def test_control_and_bidi_characters_are_escaped(tmp_path, fmt):
    root = make(tmp_path / "p", {"app.py": APP.format(name=HOSTILE_NAME)})
    result = run(["check", "--format", fmt, "."], root)
    assert result.returncode == 1, result.stderr
    out = text(result.stdout)
    assert_inert(out)
    assert "\\x1b" in out and "\\u202e" in out  # shown escaped, not dropped
    lines = out.splitlines()
    if fmt == "github":
        # Every line is one of our annotations; nothing the name says starts a line.
        assert lines and all(
            line.startswith(("::error ", "::warning ", "::notice ")) for line in lines
        )
        assert not any("::add-mask::" in line.split("::", 2)[1] for line in lines)
    else:
        assert not any(line.lstrip().startswith("::") for line in lines)


def test_a_file_name_cannot_start_a_workflow_command(tmp_path):
    root = make(
        tmp_path / "p",
        {
            "::error file=app.py::forged.py": APP.format(name="a"),
            "##[error]x.py": APP.format(name="b"),
        },
    )
    for args in (["check", "."], ["endpoints", "."]):
        result = run(args, root)
        out = text(result.stdout)
        assert "forged" in out and "##" in out  # the files were analysed and named
        for line in out.splitlines():
            assert not line.lstrip().startswith(("::", "##[")), line


def test_stderr_escapes_config_keys(tmp_path):
    root = make(
        tmp_path / "p",
        {"app.py": APP.format(name="a"), ".flash-guard.yaml": '"bad\\n::error::x\\e[31m": 1\n'},
    )
    result = run(["check", "."], root)
    assert result.returncode == 2
    err = text(result.stderr)
    assert len(err.strip().splitlines()) == 1, err
    assert_inert(err)
    assert "bad\\n::error::x\\x1b[31m" in err


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "markdown"])
def test_lone_surrogates_never_crash_an_output(tmp_path, fmt):
    root = make(tmp_path / "p", {"app.py": APP.replace("{name!r}", '"s\\ud800x"')})
    result = run(["check", "--format", fmt, "."], root)
    assert result.returncode == 1, text(result.stderr)
    out = result.stdout.decode("utf-8")  # valid UTF-8
    if fmt in ("json", "sarif"):
        json.loads(out)
    assert "ud800" in out


# -- 7: symlinks ------------------------------------------------------------------------------


def test_symlinks_out_of_the_project_are_not_read(tmp_path):
    secret = tmp_path / "secret.py"
    secret.write_text(APP.format(name="TOP-SECRET-VALUE"), "utf-8")
    root = make(tmp_path / "p", {"app.py": APP.format(name="a")})
    (root / "worker.py").symlink_to("/proc/self/pagemap")
    (root / "leak.py").symlink_to(secret)
    (root / "zero.py").symlink_to("/dev/zero")
    (root / "inside.py").symlink_to("app.py")  # inside the project: still read
    result = run(["check", "--format", "json", "."], root)
    out, err = text(result.stdout), text(result.stderr)
    assert "TOP-SECRET-VALUE" not in out + err
    for name in ("worker.py", "leak.py", "zero.py"):
        assert f"{name}: not analysed: a symlink to a file outside the project" in err
    assert "inside.py" not in err
    doc = json.loads(out)
    assert {e["path"] for e in doc["endpoints"]} == {"app.py", "inside.py"}
    # Given explicitly (as pre-commit would): named, not read.
    result = run(["check", "leak.py", "app.py"], root)
    assert "TOP-SECRET-VALUE" not in text(result.stdout + result.stderr)
    assert "leak.py: not analysed" in text(result.stderr)


# -- 9: configuration -------------------------------------------------------------------------

ALIAS_BOMB = (
    'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    + "".join(
        f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n"
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "exclude: *i\n"
)


@pytest.mark.parametrize(
    "config, expected",
    [
        (ALIAS_BOMB, "aliases expand to more than"),
        ("exclude:\n" + "".join(f"  - 'g{i}/*'\n" for i in range(1001)), "more than 1000 globs"),
        ("exclude: ['[z-a].py']\n", "exclude[0]: `[z-a].py` is not a valid glob"),
        (
            # The count is checked before any item is parsed.
            "checklist:\n" + "  - {id: X}\n" * 1001,
            "more than 1000 checklist items",
        ),
        (
            "checklist:\n  - id: ACME001\n    slug: s\n    title: t\n    severity: error\n"
            "    require: {name: {matches: '(a+)+$'}}\n",
            "a quantifier may only follow one character",
        ),
        (
            "checklist:\n  - id: ACME001\n    slug: s\n    title: t\n    severity: error\n"
            "    require: {workers.min: {gte: .nan}}\n",
            "`gte` needs a number, got nan",
        ),
        (
            "checklist:\n  - id: ACME001\n    slug: s\n    title: t\n    severity: error\n"
            "    when: {name: '[z-a]'}\n    require: {name: {exists: true}}\n",
            "is not a valid glob",
        ),
    ],
    ids=["alias-bomb", "globs", "bad-glob", "items", "regex", "nan", "when-glob"],
)
def test_hostile_configuration_is_a_config_error(tmp_path, config, expected):
    root = make(tmp_path / "p", {"app.py": APP.format(name="a"), ".flash-guard.yaml": config})
    result = run(["check", "."], root)
    err = text(result.stderr)
    assert result.returncode == 2, err
    assert err.startswith("flash-guard: error: .flash-guard.yaml:"), err
    assert expected in err


def test_globs_cannot_backtrack(tmp_path):
    # The most wildcards the loader allows a glob, against a long name that almost matches:
    # a backtracking matcher takes minutes per pair.
    globs = [f"*a*a*a*a*a*a*a*a*a*b{i}/" for i in range(1000)]
    config = "exclude:\n" + "".join(f"  - '{g}'\n" for g in globs)
    name = "a" * 200
    files = {".flash-guard.yaml": config, "app.py": APP.format(name="a")}
    files.update({f"{name}/{'a' * 40}{i}.py": "x = 1\n" for i in range(20)})
    root = make(tmp_path / "p", files)
    result = run(["check", "--format", "json", "."], root)
    assert json.loads(result.stdout)["summary"]["files"] == 21


def test_matches_on_a_long_value_is_bounded(tmp_path):
    config = (
        "checklist:\n  - id: ACME001\n    slug: s\n    title: t\n    severity: error\n"
        "    require: {name: {matches: '^.*a.*a.*b'}}\n"
    )
    root = make(
        tmp_path / "p", {".flash-guard.yaml": config, "app.py": APP.format(name="a" * 5000)}
    )
    result = run(["check", "--format", "json", "."], root)
    codes = {f["code"] for f in json.loads(result.stdout)["findings"]}
    assert "FG002" in codes and "ACME001" not in codes  # could not tell, and says so


# -- 10: git ----------------------------------------------------------------------------------


@needs_git
def test_git_config_in_the_tree_runs_nothing(tmp_path):
    marker = tmp_path / "PWNED"
    root = git_project(tmp_path / "p", {"app.py": APP.format(name="a")})
    hook = tmp_path / "hook.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n", "utf-8")
    hook.chmod(0o755)
    git(root, "config", "core.fsmonitor", str(hook))
    git(root, "config", "core.pager", str(hook))
    (root / "new.py").write_text("x = 1\n", "utf-8")  # untracked: git looks at the tree
    result = run(["check", "--format", "json", "."], root)
    assert not marker.exists()
    assert json.loads(result.stdout)["summary"]["files"] == 2


# -- 11: explicit files that are not analysed are named ---------------------------------------


@needs_git
def test_explicit_files_that_are_not_analysed_are_named(tmp_path):
    bad = APP.format(name="bad")
    outside = make(tmp_path / "elsewhere", {"out.py": bad})
    root = git_project(
        tmp_path / "p",
        {
            "app.py": APP.format(name="a"),
            "script": "#!/usr/bin/env python3\n" + bad,
            ".hidden/h.py": bad,
            "venv/v.py": bad,
            ".gitignore": "ignored.py\n",
        },
    )
    (root / "ignored.py").write_text(bad, "utf-8")
    make(root / "nested", {"n.py": bad})
    git(root / "nested", "init", "-q")
    cases = {
        "script": "not a .py or .pyi file",
        "ignored.py": "ignored by git",
    }
    # A file in a nested repository belongs to that repository's project (configuration and
    # root are found from each path, as ruff does): it is checked there, never dropped.
    for path in ("nested/n.py",):
        result = run(["check", path], root)
        assert result.returncode == 1, (path, text(result.stderr))
        assert "FG101" in text(result.stdout)
    for path, reason in cases.items():
        result = run(["check", path], root)
        err = text(result.stderr)
        assert result.returncode == 2, (path, err)  # nothing asked for could be checked
        assert "not analysed" in err and reason in err, (path, err)
        assert "All checks passed" not in text(result.stdout)
    # Always-skipped directories (design.md: dot-directories, venv, ...) are left out by
    # design, as `exclude` is: named, but a clean run (pre-commit passes a commit's
    # `.github/scripts/x.py` too), never exit 2.
    skipped = {".hidden/h.py": "under `.hidden/`", "venv/v.py": "under `venv/`"}
    for path, reason in skipped.items():
        result = run(["check", path], root)
        err = text(result.stderr)
        assert result.returncode == 0, (path, err)
        assert "not analysed" in err and reason in err, (path, err)
    # A file outside the working directory's repository, in no git tree and under no
    # configuration, given alone, is its own project (its directory is the root): checked.
    result = run(["check", str(outside / "out.py")], root)
    assert result.returncode == 1 and "not analysed" not in text(result.stderr)
    assert "FG101" in text(result.stdout)
    # With one analysable file among them: that file is checked, the others still named
    # (the project is app.py's repository, so out.py lies outside it).
    outsider = {str(outside / "out.py"): "outside the project root"}
    result = run(["check", "app.py", *cases, *skipped, *outsider], root)
    assert result.returncode == 1
    err = text(result.stderr)
    assert err.count("not analysed") == len(cases) + len(skipped) + 1
    assert "outside the project root" in err


# -- 13: writes -------------------------------------------------------------------------------


def test_writes_replace_a_symlink_instead_of_following_it(tmp_path):
    root = make(tmp_path / "p", {"app.py": APP.format(name="a")})
    victim = tmp_path / "victim.txt"
    for name in ("out.sarif", "base.json"):
        victim.write_text("precious\n", "utf-8")
        (root / name).symlink_to(victim)
    run(["check", "--output", "sarif=out.sarif", "."], root)
    run(["check", "--write-baseline", "base.json", "."], root)
    assert victim.read_text("utf-8") == "precious\n"
    assert not (root / "out.sarif").is_symlink() and not (root / "base.json").is_symlink()
    json.loads((root / "out.sarif").read_text("utf-8"))
    json.loads((root / "base.json").read_text("utf-8"))
    assert [p.name for p in root.iterdir() if p.name.endswith(".tmp")] == []


def test_a_baseline_written_for_some_files_keeps_the_others(tmp_path):
    root = make(tmp_path / "p", {"a.py": APP.format(name="a"), "b.py": APP.format(name="b")})
    run(["check", "--write-baseline", "base.json", "."], root)
    before = json.loads((root / "base.json").read_text("utf-8"))["entries"]
    assert {e["path"] for e in before} == {"a.py", "b.py"}
    run(["check", "--write-baseline", "base.json", "a.py"], root)
    after = json.loads((root / "base.json").read_text("utf-8"))["entries"]
    assert sorted(after, key=str) == sorted(before, key=str)
    result = run(["check", "--baseline", "base.json", "."], root)
    assert result.returncode == 0, text(result.stdout)


@pytest.mark.parametrize(
    "existing",
    [
        {"pyproject.toml": "[tool.flash-guard]\nprofile = 'development'\n"},
        {".flash-guard.yml": "profile: development\n"},
    ],
    ids=["pyproject", "yml"],
)
def test_init_refuses_next_to_any_configuration(tmp_path, existing):
    root = make(tmp_path / "p", existing)
    for args in (["init"], ["init", "--force"]):
        result = run(args, root)
        assert result.returncode == 2
        assert "configuration already exists" in text(result.stderr)
        assert not (root / ".flash-guard.yaml").exists()


def test_init_does_not_follow_a_symlink(tmp_path):
    root = make(tmp_path / "p", {})
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", "utf-8")
    (root / ".flash-guard.yaml").symlink_to(victim)
    assert run(["init"], root).returncode == 2  # exists (as a link): needs --force
    assert run(["init", "--force"], root).returncode == 0
    assert victim.read_text("utf-8") == "precious\n"
    assert "profile: production" in (root / ".flash-guard.yaml").read_text("utf-8")


# -- 14: a project below a hidden directory ---------------------------------------------------


def test_a_project_below_a_hidden_directory_is_checked_by_path(tmp_path):
    app = make(tmp_path / ".ci" / "app", {"app.py": APP.format(name="a"), ".venv/x.py": "x=1\n"})
    elsewhere = make(tmp_path / "cwd", {})
    for cwd, arg in ((elsewhere, app), (tmp_path, ".ci/app"), (app, ".")):
        result = run(["check", "--format", "json", arg], cwd)
        doc = json.loads(result.stdout)
        assert doc["summary"]["endpoints"] == 1, (cwd, arg)
        assert doc["summary"]["files"] == 1  # .venv below the given path is still skipped


# -- 15: strict JSON, markdown cells ----------------------------------------------------------


def _strict(constant):
    raise ValueError(f"not JSON: {constant}")


def test_json_output_is_strict(tmp_path):
    source = APP.replace("gpu=GpuGroup.ANY", "gpu=GpuGroup.ANY, idle_timeout=1e400")
    root = make(tmp_path / "p", {"app.py": source.format(name="a")})
    for args in (["check", "--format", "json"], ["endpoints", "--format", "json"]):
        result = run([*args, "."], root)
        doc = json.loads(result.stdout, parse_constant=_strict)
        assert "Infinity" in json.dumps(doc)
    result = run(["check", "--format", "sarif", "."], root)
    json.loads(result.stdout, parse_constant=_strict)


def test_endpoints_markdown_escapes_every_markup_character(tmp_path):
    name = "*b* _i_ `c` [l](http://x) <img src=x> ~s~ @user #1 |p"
    root = make(tmp_path / "p", {"app.py": APP.format(name=name)})
    out = text(run(["endpoints", "--format", "markdown", "."], root).stdout)
    row = next(line for line in out.splitlines() if "img" in line)
    header = next(
        line for line in out.splitlines() if line.startswith("| NAME") or "| name" in line.lower()
    )
    # One row with as many cells as the header: the `|` in the name did not split it.
    assert row.count(" | ") == header.count(" | ")
    cell = row.split(" | ")[0]
    for char in "*_`[]()~@#|":
        assert re.search(rf"(?<!\\){re.escape(char)}", cell.lstrip("| ")) is None, char
    assert "<" not in cell and "&lt;img" in cell


# -- a leading UTF-8 BOM (Windows editors write one) is no content ---------------------------


def test_a_baseline_with_a_bom_is_read(tmp_path):
    # It was "baseline is not valid JSON: Unexpected UTF-8 BOM", exit 2.
    make(tmp_path, {"app.py": APP.format(name="a")})
    assert (
        run(["check", "--no-cache", "--write-baseline", "bl.json", "."], tmp_path).returncode == 0
    )
    (tmp_path / "bl.json").write_bytes(b"\xef\xbb\xbf" + (tmp_path / "bl.json").read_bytes())
    result = run(["check", "--no-cache", "--baseline", "bl.json", "."], tmp_path)
    assert result.returncode == 0, text(result.stderr)
    assert "baselined" in text(result.stdout)


def test_a_pyproject_configuration_with_a_bom_is_read(tmp_path):
    # TOML has no BOM: the file did not parse, no `[tool.flash-guard]` header was seen at the
    # start of a line, and its configuration was silently ignored (this bad profile passed).
    make(tmp_path, {"app.py": APP.format(name="a")})
    (tmp_path / "pyproject.toml").write_bytes(
        b'\xef\xbb\xbf[tool.flash-guard]\nprofile = "nonexistent"\n'
    )
    result = run(["check", "--no-cache", "."], tmp_path)
    assert result.returncode == 2
    assert "pyproject.toml:2: profile: unknown profile `nonexistent`" in text(result.stderr)


def test_a_given_symlink_out_of_the_project_says_so(tmp_path):
    # Given alone (pre-commit), it was "not analysed: ignored by a .gitignore file", with
    # no .gitignore anywhere.
    outside = make(tmp_path / "outside", {"app.py": APP.format(name="outer")})
    root = make(tmp_path / "proj", {"a.py": APP.format(name="inner")})
    (root / "out.py").symlink_to(outside / "app.py")
    result = run(["check", "--no-cache", "out.py"], root)
    assert result.returncode == 2
    err = text(result.stderr)
    assert "out.py: not analysed: a symlink to a file outside the project" in err
    assert "gitignore" not in err
