"""Hostile input never crashes, hangs or prints a traceback.

Every run must end with exit 0 or 1 (2 only for a bad configuration, with the file named),
and a file that cannot be analysed must not stop the others: a good app beside it still gets
its findings. Most cases run in-process; the ones that could hang (FIFOs, a 2 MB line) run
`python -m flash_guard` in a subprocess under a generous timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

GOOD_APP = """\
from runpod_flash import Endpoint

@Endpoint(name="good", cpu="cpu3c-1-2")
async def work(data):
    return data
"""
# What GOOD_APP yields on its own: defaults that fail the production checklist.
GOOD_CODES = {"FG103", "FG104", "FG105", "FG110"}
HANG_GUARD_S = 300  # far above any real run; only a hang reaches it


def check(run_cli, root: Path, *extra: str) -> tuple[int, dict]:
    code, out, err = run_cli(["check", "--format", "json", ".", *extra], root)
    assert code in (0, 1), err
    assert "Traceback" not in err
    return code, json.loads(out)


def check_isolated(root: Path, *extra: str) -> tuple[int, dict, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "flash_guard", "check", "--format", "json", ".", *extra],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def problems(doc: dict) -> dict[str, str]:
    """path -> FG001 message."""
    return {f["path"]: f["message"] for f in doc["findings"] if f["code"] == "FG001"}


def codes_for(doc: dict, path: str) -> set[str]:
    return {f["code"] for f in doc["findings"] if f["path"] == path}


def endpoint_names(doc: dict) -> list[str]:
    return sorted(e["name"] for e in doc["endpoints"])


def assert_good_app_checked(doc: dict, path: str = "good.py") -> None:
    assert "good" in endpoint_names(doc)
    assert codes_for(doc, path) >= GOOD_CODES


def located(doc: dict) -> list[tuple[str, int, int]]:
    return sorted((f["code"], f["line"], f["column"]) for f in doc["findings"])


# -- file contents ----------------------------------------------------------------------------


def test_binary_files(project, run_cli):
    root = project(
        {
            "good.py": GOOD_APP,
            "logo.py": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\xff\xfe",
            "blob.py": b"\x00\x01runpod_flash\x00\xff import Endpoint\x00",
        }
    )
    _, doc = check(run_cli, root)
    # The blob mentions Flash, so it might have held declarations: say it was not read.
    assert problems(doc) == {"blob.py": problems(doc)["blob.py"]}
    assert "binary" in problems(doc)["blob.py"]
    assert_good_app_checked(doc)


def test_non_utf8_files(project, run_cli):
    root = project(
        {
            "good.py": GOOD_APP,
            "latin.py": "# café\nfrom runpod_flash import Endpoint\n".encode("latin-1"),
            "other.py": "# naïve, no Flash here\nx = 1\n".encode("latin-1"),
        }
    )
    _, doc = check(run_cli, root)
    assert set(problems(doc)) == {"latin.py"}
    assert "UTF-8" in problems(doc)["latin.py"]
    assert_good_app_checked(doc)


def test_utf16_files_that_would_be_flash_are_named(project, run_cli):
    # PowerShell's `>` writes UTF-16 with a BOM; Python refuses such a file (NUL bytes), and
    # its Flash import is not visible to a byte search: say it, do not skip it silently.
    wide = "from runpod_flash import Endpoint\n"
    root = project(
        {
            "good.py": GOOD_APP,
            "le.py": wide.encode("utf-16"),
            "be.py": wide.encode("utf-16-be").join([b"\xfe\xff", b""]),
            "quad.py": wide.encode("utf-32"),
            "other.py": "x = 1\n".encode("utf-16"),
        }
    )
    _, doc = check(run_cli, root)
    assert set(problems(doc)) == {"le.py", "be.py", "quad.py"}
    assert "UTF-16" in problems(doc)["le.py"]
    assert "UTF-32" in problems(doc)["quad.py"]
    assert_good_app_checked(doc)


def test_byte_order_mark_changes_nothing(project, run_cli):
    plain = check(run_cli, project({"good.py": GOOD_APP}))[1]
    with_bom = check(run_cli, project({"good.py": b"\xef\xbb\xbf" + GOOD_APP.encode()}))[1]
    assert located(with_bom) == located(plain)
    assert_good_app_checked(with_bom)


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_other_line_endings(project, run_cli, newline):
    plain = check(run_cli, project({"good.py": GOOD_APP}))[1]
    source = GOOD_APP.replace("\n", newline).encode()
    _, doc = check(run_cli, project({"good.py": source}))
    # Both are line breaks to Python, so to flash-guard: same lines and columns.
    assert located(doc) == located(plain)


def test_backslash_continuations_are_line_breaks_not_values(project, run_cli):
    # `\\` + newline is whitespace to Python wherever it stands: after `@`, inside a
    # tuple, before a dict key. It is no decorator of its own and no element of a value.
    plain = {
        "a.py": "from runpod_flash import Endpoint\n"
        '@Endpoint(name="a", cpu="cpu3c-1-2", workers=(1, 3), env={"A": "b"})\n'
        "async def f(d):\n    return d\n",
    }
    continued = {
        "a.py": "from runpod_flash import Endpoint\n"
        '@\\\nEndpoint(name="a", cpu="cpu3c-1-2", workers=(\\\n1, 3), env={\\\n"A": "b"})\n'
        "async def f(d):\n    return d\n",
    }
    _, want = check(run_cli, project(plain))
    _, doc = check(run_cli, project(continued))
    assert endpoint_names(doc) == ["a"]
    params = doc["endpoints"][0]["params"]
    assert params["workers"]["value"] == {"min": 1, "max": 3}
    assert params["env"]["value"] == {"A": "b"}
    assert {f["code"] for f in doc["findings"]} == {f["code"] for f in want["findings"]}


def test_empty_files(project, run_cli):
    root = project(
        {
            "good.py": GOOD_APP,
            "empty.py": b"",
            "pkg/__init__.py": b"",
            "marker_only.py": "# runpod_flash\n",
            "blank.py": "\n\n   \n",
        }
    )
    _, doc = check(run_cli, root)
    assert problems(doc) == {}
    assert endpoint_names(doc) == ["good"]


def test_two_megabyte_single_lines(project):
    """A 2 MB list literal on one line is parsed; a 2 MB line of statements is too costly to
    locate node by node and is reported as not analysed, in bounded time, with the rest kept."""
    items = ", ".join(["1"] * 700_000)
    root = project(
        {
            "good.py": GOOD_APP,
            "big_list.py": (
                "from runpod_flash import Endpoint\n"
                f"DEPS = [{items}]\n"
                '@Endpoint(name="big", cpu="cpu3c-1-2", dependencies=DEPS)\n'
                "async def big(data): ...\n"
            ),
            "one_line.py": "from runpod_flash import Endpoint\n" + ";".join(["a=1"] * 500_000),
        }
    )
    assert len((root / "big_list.py").read_bytes()) > 2_000_000
    _, doc, _ = check_isolated(root)
    assert "big" in endpoint_names(doc)
    assert set(problems(doc)) == {"one_line.py"}
    assert "could not be analysed" in problems(doc)["one_line.py"]
    assert_good_app_checked(doc)


def test_deep_nesting(project, run_cli):
    depth = 3000
    root = project(
        {
            "good.py": GOOD_APP,
            "parens.py": "from runpod_flash import Endpoint\nx = " + "(" * depth + ")" * depth,
            "plain_parens.py": "x = " + "(" * depth + "1" + ")" * depth,
            "deep_args.py": (
                "from runpod_flash import Endpoint\n"
                '@Endpoint(name="deep", cpu="cpu3c-1-2", env='
                + "dict(a=" * depth
                + "1"
                + ")" * depth
                + ", dependencies="
                + "[" * depth
                + "]" * depth
                + ", workers="
                + "-" * depth
                + "1, idle_timeout="
                + " + ".join(["1"] * depth)
                + ")\nasync def deep(data): ...\n"
            ),
            "deep_blocks.py": (
                "from runpod_flash import Endpoint\n"
                + "".join(" " * i + "if True:\n" for i in range(500))
                + " " * 500
                + 'api = Endpoint(name="nested", cpu="cpu3c-1-2")\n'
            ),
        }
    )
    _, doc = check(run_cli, root)
    # Past Python's own limits (200 nested brackets, 100 indentation levels) a file is
    # refused by Python and reported, not parsed; the others are checked.
    assert set(endpoint_names(doc)) == {"good"}
    assert set(problems(doc)) == {"parens.py", "deep_args.py", "deep_blocks.py"}
    assert_good_app_checked(doc)
    for fmt in ("text", "sarif", "github", "markdown"):
        code, _, err = run_cli(["check", "--format", fmt, "."], root)
        assert code in (0, 1) and "Traceback" not in err, err


def test_values_too_big_to_fold_stay_small(project, run_cli):
    """Doubling constants (lists, strings, shared containers) and huge integers would take
    gigabytes or not print at all; they become unknown values instead."""
    lines = ["from runpod_flash import Endpoint", 'L0 = ["a", "b"]', 'S0 = "ab"', 'N0 = ["a"]']
    for i in range(1, 25):
        lines += [f"L{i} = [*L{i - 1}, *L{i - 1}]", f"S{i} = S{i - 1} + S{i - 1}"]
        lines.append(f"N{i} = [N{i - 1}, N{i - 1}]")
    lines += [
        "A = 10 ** 60",
        "B = A * A * A * A * A * A * A * A * A * A",
        "C = B * B * B * B * B * B * B * B",
        "H = 0x" + "f" * 1200,
        "@Endpoint(name='bomb', cpu='cpu3c-1-2', dependencies=L24, env={'A': S24, 'N': N24},",
        "          workers=C, idle_timeout=H)",
        "async def bomb(data): ...",
    ]
    root = project({"good.py": GOOD_APP, "bomb.py": "\n".join(lines) + "\n"})
    code, out, err = run_cli(["check", "--format", "json", "."], root)
    assert code in (0, 1) and "Traceback" not in err, err
    assert len(out) < 1_000_000
    doc = json.loads(out)
    assert "bomb" in endpoint_names(doc)
    assert_good_app_checked(doc)


# -- the file system --------------------------------------------------------------------------


def test_symlink_loops_and_dangling_links(project, run_cli):
    root = project({"good.py": GOOD_APP, "sub/mod.py": "x = 1\n"})
    (root / "self.py").symlink_to("self.py")
    (root / "a.py").symlink_to("b.py")
    (root / "b.py").symlink_to("a.py")
    (root / "gone.py").symlink_to("missing.py")
    (root / "sub" / "back").symlink_to("..")  # a directory loop: never followed
    _, doc = check(run_cli, root)
    assert set(problems(doc)) == {"self.py", "a.py", "b.py", "gone.py"}
    assert all("cannot read" in message for message in problems(doc).values())
    assert endpoint_names(doc) == ["good"]  # found once, not again through sub/back
    assert_good_app_checked(doc)


def test_unreadable_file(project, run_cli):
    root = project({"good.py": GOOD_APP, "secret.py": GOOD_APP.replace("good", "secret")})
    target = root / "secret.py"
    target.chmod(0)
    try:
        if os.access(target, os.R_OK):
            pytest.skip(
                "running as root (or with CAP_DAC_OVERRIDE): chmod 000 does not block reads"
            )
        _, doc = check(run_cli, root)
    finally:
        target.chmod(0o644)
    assert set(problems(doc)) == {"secret.py"}
    assert "cannot read" in problems(doc)["secret.py"]
    assert_good_app_checked(doc)


def test_directory_named_like_a_python_file(project, run_cli):
    root = project({"good.py": GOOD_APP, "pkg.py/inner.py": GOOD_APP.replace("good", "inner")})
    (root / "linked.py").symlink_to("pkg.py")  # a symlinked directory is not followed
    _, doc = check(run_cli, root)
    assert problems(doc) == {}
    assert endpoint_names(doc) == ["good", "inner"]
    code, out, err = run_cli(["check", "--format", "json", "pkg.py"], root)
    assert code in (0, 1) and "Traceback" not in err, err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
def test_named_pipes_are_never_opened_for_reading(project):
    """Reading a FIFO blocks until a writer comes: a hang. It is skipped, and a symlink to
    one (which a git listing could also name) is reported, not read."""
    root = project({"good.py": GOOD_APP})
    os.mkfifo(root / "pipe.py")
    (root / "pipe_link.py").symlink_to("pipe.py")
    _, doc, _ = check_isolated(root)
    assert set(problems(doc)) == {"pipe_link.py"}
    assert_good_app_checked(doc)


def test_file_names_that_are_not_utf8(project, run_cli):
    if sys.platform == "darwin":
        pytest.skip("macOS file systems only store UTF-8 names")
    root = project({"good.py": GOOD_APP})
    name = os.path.join(os.fsencode(root), b"caf\xe9.py")
    with open(name, "wb") as handle:
        handle.write(GOOD_APP.replace("good", "cafe").encode())
    for fmt in ("text", "json", "sarif", "github", "markdown"):
        code, out, err = run_cli(["check", "--format", fmt, "."], root)
        assert code in (0, 1) and "Traceback" not in err, err
        assert "caf" in out
    _, doc = check(run_cli, root)
    assert endpoint_names(doc) == ["cafe", "good"]
    # The undecodable byte is shown escaped, so every format can print the name.
    assert "caf\\xe9.py" in {f["path"] for f in doc["findings"]}


# -- syntax errors ----------------------------------------------------------------------------


def test_syntax_error_is_fg001_at_its_line_and_the_rest_is_checked(project, run_cli):
    broken = """\
from runpod_flash import Endpoint


@Endpoint(name="broken", cpu="cpu3c-1-2")
async def work(data):
    return data

def helper(:
    pass
"""
    root = project({"a_broken.py": broken, "good.py": GOOD_APP})
    _, doc = check(run_cli, root)
    [error] = [f for f in doc["findings"] if f["code"] == "FG001"]
    assert (error["path"], error["line"]) == ("a_broken.py", 8)
    assert_good_app_checked(doc)


def test_unparseable_python_everywhere(project, run_cli):
    """Truncations of a real app at every few bytes: each either parses or is FG001."""
    files = {"good.py": GOOD_APP}
    source = GOOD_APP.replace("good", "cut")
    for cut in range(1, len(source), 7):
        files[f"cut_{cut:03d}.py"] = source[:cut]
    _, doc = check(run_cli, project(files))
    assert_good_app_checked(doc)
    for path in problems(doc):
        assert path.startswith("cut_")


# -- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (".flash-guard.yaml", "profile: [unclosed\n"),
        (".flash-guard.yaml", "profile: 3\n"),
        (".flash-guard.yaml", "no_such_key: 1\n"),
        (".flash-guard.yaml", "- a list\n- not a mapping\n"),
        (".flash-guard.yaml", "rules: {FG101: {severity: fatal}}\n"),
        (".flash-guard.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n"),
        (".flash-guard.yaml", b"\x00\x01\x02\x89PNG"),
        (".flash-guard.yaml", b"profile: production\x00\n"),
        (".flash-guard.yaml", "profile: d\xe9veloppement\n".encode("latin-1")),
        ("pyproject.toml", "[tool.flash-guard]\nprofile = \n"),
    ],
    ids=[
        "bad-yaml",
        "wrong-type",
        "unknown-key",
        "not-a-mapping",
        "bad-severity",
        "nested-too-deeply",
        "binary",
        "nul-byte",
        "not-utf8",
        "bad-toml",
    ],
)
def test_invalid_config_exits_2_naming_the_file(project, run_cli, name, content):
    root = project({"good.py": GOOD_APP, name: content})
    code, out, err = run_cli(["check", "."], root)
    assert code == 2
    assert err.startswith(f"flash-guard: error: {name}:"), err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_output_does_not_depend_on_the_hash_seed(tmp_path):
    # Nested configurations at one depth were ordered by a set's iteration: the endpoints of
    # a monorepo came out in a different order from one run to the next.
    app = (
        "from runpod_flash import Endpoint\n\n"
        "@Endpoint(name='{0}-worker', cpu='cpu3c-1-2')\nasync def f(x): return x\n"
    )
    for name in ("alpha", "beta", "gamma", "delta", "epsilon", "zeta"):
        (tmp_path / name).mkdir()
        (tmp_path / name / ".flash-guard.yaml").write_text("profile: production\n")
        (tmp_path / name / "app.py").write_text(app.format(name))
    outputs = set()
    for seed in ("1", "2", "3", "4"):
        proc = subprocess.run(
            [sys.executable, "-m", "flash_guard", "check", ".", "--format", "json", "--no-cache"],
            cwd=tmp_path,
            capture_output=True,
            timeout=120,
            env={**os.environ, "PYTHONHASHSEED": seed},
            check=False,
        )
        assert proc.returncode in (0, 1), proc.stderr
        outputs.add(proc.stdout)
    assert len(outputs) == 1


def test_a_library_run_lists_files_from_the_requests_directory(tmp_path, monkeypatch):
    from flash_guard.pipeline import RunRequest, run_check

    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    for root, name in ((project, "wanted"), (elsewhere, "unrelated")):
        root.mkdir()
        (root / "app.py").write_text(
            f"from runpod_flash import Endpoint\n\n@Endpoint(name='{name}', cpu='cpu3c-1-2')\n"
            "async def f(x): return x\n"
        )
    monkeypatch.chdir(elsewhere)  # the process is elsewhere; the request names the project
    result = run_check(RunRequest(paths=["."], cwd=project))[0]
    assert [e.name.value for e in result.endpoints] == ["wanted"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("option", ["--config", "--baseline"])
@pytest.mark.parametrize("kind", ["fifo", "endless"])
def test_a_config_or_baseline_that_is_no_regular_file_is_refused_at_once(tmp_path, option, kind):
    # A pull request can commit `cfg.yaml -> /dev/zero`, or a FIFO: neither is read, the run
    # ends with a one-line error instead of blocking or reading without end.
    root = tmp_path / "p"
    root.mkdir()
    (root / "good.py").write_text("x = 1\n")
    target = root / "input.yaml"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/zero")
    result = subprocess.run(
        [sys.executable, "-m", "flash_guard", "check", "--no-cache", option, str(target), "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and errors[0].endswith("not a regular file"), result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_as_the_only_path_is_no_pass(tmp_path):
    # "All checks passed" over nothing would be a silent pass: exit 2, and the FIFO named.
    root = tmp_path / "p"
    root.mkdir()
    (root / "good.py").write_text("x = 1\n")
    os.mkfifo(root / "w.py")
    result = subprocess.run(
        [sys.executable, "-m", "flash_guard", "check", "--no-cache", "w.py"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
    )
    assert result.returncode == 2, result.stderr
    assert "w.py: not analysed: not a regular file" in result.stderr
    assert "none of the given paths can be analysed" in result.stderr


def test_a_path_behind_a_denied_directory_is_named_and_the_rest_checked(
    project, run_cli, monkeypatch
):
    # Root ignores mode bits, so the denial is simulated where the listing and the file
    # selection ask the file system.
    project = project({"good.py": "x = 1\n", "locked/l.py": "x = 1\n"})
    denied = str(project / "locked" / "l.py")
    real_stat, real_lstat = os.stat, os.lstat

    def refuse(real):
        def call(path, *args, **kwargs):
            if os.fspath(path) == denied:
                raise PermissionError(13, "Permission denied", denied)
            return real(path, *args, **kwargs)

        return call

    monkeypatch.setattr(os, "stat", refuse(real_stat))
    monkeypatch.setattr(os, "lstat", refuse(real_lstat))
    code, out, err = run_cli(["check", "--no-cache", "good.py", "locked/l.py"], project)
    assert code in (0, 1), err
    assert "locked/l.py: not analysed: permission denied" in err
    assert "Traceback" not in err and "internal error" not in err


DEEP_TOML = "[tool.other]\nx = " + "[" * 3000 + "]" * 3000 + "\n"


@pytest.mark.parametrize("command", [["check"], ["migrate", "--to", "runpod2", "--check"]])
def test_a_project_pyproject_nested_too_deep_is_not_a_crash(project, run_cli, command):
    root = project(
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["runpod-flash==1.21.0"]\n'
            + DEEP_TOML,
            "app.py": 'from runpod_flash import Endpoint\n@Endpoint(name="abc")\ndef f(x):\n'
            "    return x\n",
        }
    )
    code, _, err = run_cli([*command, "."], root)
    assert code in (0, 1) and "internal error" not in err, err


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        (".flash-guard.yaml", "fail_on: " + "9" * 5000 + "\n", "invalid YAML: a number too large"),
        ("pyproject.toml", "[tool.flash-guard]\nfail_on = " + "9" * 5000, "a number too large"),
        ("pyproject.toml", "[tool.flash-guard]\nexclude = " + "[" * 3000, "invalid TOML"),
    ],
)
def test_configuration_numbers_and_depth_past_python_limits_are_one_line_errors(
    project, run_cli, name, text, says
):
    root = project({"good.py": "x = 1\n", name: text})
    code, _, err = run_cli(["check", "."], root)
    assert code == 2 and says in err and "internal error" not in err, err


@pytest.mark.parametrize(
    "body",
    [
        '{"version": 1, "entries": [{"code": "FG104", "endpoint": "w", "parameter": "",'
        ' "path": "a.py", "count": 1e400}]}',
        '{"version": 1, "entries": [{"code": "FG104", "endpoint": "w", "parameter": "",'
        ' "path": "a.py", "count": ' + "9" * 5000 + "}]}",
        "[" * 100_000 + "]" * 100_000,
    ],
    ids=["infinite-count", "huge-count", "deep"],
)
def test_a_baseline_past_python_limits_is_a_one_line_error(project, run_cli, body):
    root = project({"good.py": "x = 1\n", "baseline.json": body})
    code, _, err = run_cli(["check", "--baseline", "baseline.json", "."], root)
    assert code == 2 and "baseline" in err and "internal error" not in err, err


def test_a_pep263_coding_line_is_honoured(project, run_cli):
    # Python reads these files with the encoding their coding line declares: so does
    # discovery (the endpoint in declared.py is checked), and a wrong declaration is named.
    declared = (
        "# -*- coding: latin-1 -*-\nfrom runpod_flash import Endpoint\n\n"
        '@Endpoint(name="café", workers=(1, 2))\ndef f(x):\n    return x\n'
    )
    root = project(
        {
            "good.py": GOOD_APP,
            "declared.py": declared.encode("latin-1"),
            "lying.py": "# coding: ascii\n# café\nfrom runpod_flash import Endpoint\n".encode(
                "latin-1"
            ),
            "second_line.py": "x = 1\n# coding: latin-1\n# café\nimport runpod_flash\n".encode(
                "latin-1"
            ),
        }
    )
    _, doc = check(run_cli, root)
    assert "café" in endpoint_names(doc)
    assert "declared.py" not in problems(doc)
    assert "not valid ascii, as its coding line declares" in problems(doc)["lying.py"]
    assert "UTF-8" in problems(doc)["second_line.py"]  # a cookie after code does not count


def test_coding_line_spellings_python_accepts_and_one_it_refuses(project, run_cli):
    source = 'from runpod_flash import Endpoint\n\n@Endpoint(name="{name}", workers=(1, 2))\n'
    source += "def f(x):\n    return x\n"
    root = project(
        {
            "good.py": GOOD_APP,
            "emacs.py": (
                "# -*- mode: python; coding: latin-1-unix -*-\n# café\n"
                + source.format(name="emacs-café")
            ).encode("latin-1"),
            "klingon.py": "# coding: klingon\n" + source.format(name="klingon"),
        }
    )
    _, doc = check(run_cli, root)
    assert "emacs-café" in endpoint_names(doc) and "emacs.py" not in problems(doc)
    assert "names 'klingon', which Python cannot read source with" in problems(doc)["klingon.py"]


def test_one_line_of_a_hundred_thousand_strings_is_refused_within_the_span_budget(project, run_cli):
    # Locating each string on a 1.8 MB line costs its column: past the file's budget the
    # file is FG001 ("lines too long"), as for any other node, instead of minutes of work.
    keys = ", ".join(f'"K{i:06d}": "v"' for i in range(100_000))
    root = project({"good.py": GOOD_APP, "big.py": "import runpod_flash\nENV = {" + keys + "}\n"})
    _, doc = check(run_cli, root)
    assert "lines too long" in problems(doc)["big.py"]
    assert_good_app_checked(doc)


def test_endpoints_on_paths_it_cannot_analyse_says_why_and_exits_2(project, run_cli, tmp_path):
    # Not "No Flash endpoints found" with exit 0, and a plain file outside the project is not
    # called a symlink.
    root = project({"good.py": GOOD_APP})
    outside = tmp_path / "elsewhere.py"
    outside.write_text(GOOD_APP)
    for given, reason in [("README.txt", "not a .py")]:
        if given == "README.txt":
            (root / given).write_text("hello\n")
        code, _, err = run_cli(["endpoints", given], root)
        assert code == 2 and "none of the given paths can be analysed" in err, err
        assert reason in err and "symlink" not in err, err
    # A file outside the working directory, in no git tree and under no configuration, is
    # its own project (its directory is the root): checked, never refused as "outside".
    code, out, err = run_cli(["endpoints", str(outside)], root)
    assert code == 0 and "good" in out and "not analysed" not in err, err


def test_endpoints_names_the_flash_files_it_could_not_read(project, run_cli):
    # The inventory of a file with a Flash import that cannot be parsed is not a plain
    # "No Flash endpoints found": the file and why are named on stderr (exit 0: an inventory).
    root = project(
        {
            "good.py": GOOD_APP,
            "latin.py": "# café\nfrom runpod_flash import Endpoint\n".encode("latin-1"),
        }
    )
    for given in (["latin.py"], ["."]):
        for fmt in ("text", "json", "markdown"):
            code, out, err = run_cli(["endpoints", "--format", fmt, *given], root)
            assert code == 0, err
            assert "latin.py:1: not analysed: not valid UTF-8" in err, (given, fmt, err)
            assert "good.py" not in err
    code, _, err = run_cli(["endpoints", "-q", "latin.py"], root)
    assert code == 0 and err == ""


def test_a_long_operator_chain_is_parsed_in_linear_time():
    """`1+1+...+1` is a tree as deep as it is long: the syntax-error search read every node's
    text (quadratic, 7 s at 300k terms and over 30 s at 2M), and now reads only leaves'."""
    import time

    from flash_guard.discover.facts import extract

    source = "from runpod_flash import Endpoint\nX = " + "1+" * 500_000 + "1\n"
    start = time.monotonic()
    facts = extract("chain.py", source)
    elapsed = time.monotonic() - start
    assert facts.parse_error is None
    assert elapsed < 8, f"took {elapsed:.1f}s"
    # a missing token is still found
    broken = extract("broken.py", "def f(:\n    pass\n")
    assert broken.parse_error is not None and "missing `)`" in broken.parse_error_text


def test_migrate_names_a_file_too_deep_for_pythons_parser(run_cli, project):
    """ast.parse raises RecursionError on a long operator chain: it was an internal error
    (exit 2) that stopped the whole migration."""
    deep = "from runpod_flash import Endpoint\nX = " + "1+" * 100_000 + "1\n"
    root = project({"good.py": GOOD_APP, "deep.py": deep})
    code, out, err = run_cli(["migrate", "--to", "runpod2", "--check", "."], root)
    assert "internal error" not in err and code == 1, err
    assert "deep.py: too deeply nested for Python's parser: not migrated" in out
