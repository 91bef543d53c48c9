"""runpod 2.0 Apps in dot-directories and ignored files (project/files.py, list_hidden_runpod2).

rc2's `rp flash deploy` imports every `*.py` but its own skip list and never reads
`.gitignore` (tests/test_sdk2_vs_oracle.py pins that), so flash-guard reads those files too,
for a project that uses runpod 2.0, when their bytes show a 2.0 App.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from file_tree import write_tree

from flash_guard.discover.analysis import analyse
from flash_guard.project import files as files_mod


def _app(app: str, queue: str) -> str:
    return (
        f"import runpod\n\napp = runpod.App({app!r})\n\n\n"
        f"@app.queue(name={queue!r}, cpu='cpu3c-1-2')\ndef run(x: int = 1):\n    return x\n"
    )


FLASH = (
    "from runpod_flash import Endpoint\n\n\n"
    "@Endpoint(name='flash-local', cpu='cpu3c-1-2')\nasync def work(x: int) -> int:\n"
    "    return x\n"
)


def _git_init(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True, timeout=60)


def _findings(run_cli, root: Path) -> list[dict]:
    code, out, err = run_cli(["check", "--no-cache", "--format", "json", "."], root)
    assert code in (0, 1), err
    return json.loads(out)["findings"]


def _names(root: Path, in_git: bool) -> set[str]:
    return {e.display_name for e in analyse([str(root)], root, [], in_git).endpoints}


PROJECT = {
    "main.py": _app("main-app", "main-q"),
    ".ci/app.py": _app("ci-app", "ci-q"),
    ".gitignore": "local_app.py\nscratch/\n",
    "local_app.py": _app("local-app", "local-q"),
    "scratch/deep/more.py": _app("scratch-app", "scratch-q"),
    # rc2 skips these itself: never looked into for hidden Apps
    ".venv/lib/app.py": _app("venv-app", "venv-q"),
    ".gitignore-d/build/app.py": _app("build-app", "build-q"),
    "node_modules/x/app.py": _app("nm-app", "nm-q"),
}


@pytest.mark.parametrize("in_git", [False, True], ids=["plain-dir", "git"])
def test_dot_directory_and_ignored_apps_are_found(tmp_path, in_git):
    root = write_tree(tmp_path / "p", PROJECT)
    if in_git:
        _git_init(root)
    assert _names(root, in_git) == {"main-q", "ci-q", "local-q", "scratch-q"}


@pytest.mark.parametrize("in_git", [False, True], ids=["plain-dir", "git"])
def test_ignored_app_file_is_deployed_but_not_shipped_fg306(tmp_path, run_cli, in_git):
    root = write_tree(tmp_path / "p", PROJECT)
    if in_git:
        _git_init(root)
    fg306 = {
        (f["path"], f["line"]): f["message"]
        for f in _findings(run_cli, root)
        if f["code"] == "FG306"
    }
    # at the decorator, with what .gitignore line leaves the file out of the artifact
    assert set(fg306) == {("local_app.py", 6), ("scratch/deep/more.py", 6)}, fg306
    message = fg306[("local_app.py", 6)]
    assert "`local_app.py` in `.gitignore` line 1" in message, message
    assert "`rp flash deploy` imports and deploys it" in message, message


@pytest.mark.parametrize("in_git", [False, True], ids=["plain-dir", "git"])
def test_ignored_file_declaring_on_an_imported_app_is_fg306(tmp_path, run_cli, in_git):
    # The ignored file builds no App itself: it decorates the App of main.py. rc2's
    # discovery still imports it, so its resource deploys, and the artifact lacks it.
    on_main = (
        "from main import app\n\n\n@app.queue(name='gen-q', cpu='cpu3c-1-2')\n"
        "def gen(x=1):\n    return x\n"
    )
    call_form = (
        "from main import app\n\n\ndef svc():\n    return None\n\n\n"
        "h = app.api(name='gen-api')(svc)\n"
    )
    root = write_tree(
        tmp_path / "p",
        {
            "main.py": PROJECT["main.py"],
            ".gitignore": "gen/\n",
            "gen/on_main.py": on_main,
            "gen/call_form.py": call_form,
        },
    )
    if in_git:
        _git_init(root)
    fg306 = {(f["path"], f["line"]) for f in _findings(run_cli, root) if f["code"] == "FG306"}
    assert {("gen/on_main.py", 4), ("gen/call_form.py", 8)} <= fg306, fg306


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (b"from main import app\n\n@app.queue(name='q')\ndef f(): ...\n", True),
        (b"from main import app\nh = app.api(name='web')(web)\n", True),
        (b"from main import app\nx = app.queue\n", False),  # no declaration
        (b"@app.queue(name='q')\ndef f(): ...\n", False),  # no import: nothing to decorate on
    ],
)
def test_the_cheap_filter_keeps_resources_on_an_imported_app(text, kept):
    assert files_mod.shows_runpod2_app(text) is kept


def test_dot_directory_app_is_an_ordinary_deployed_endpoint(tmp_path, run_cli):
    root = write_tree(
        tmp_path / "p", {"main.py": PROJECT["main.py"], ".ci/app.py": PROJECT[".ci/app.py"]}
    )
    findings = _findings(run_cli, root)
    ci = [f for f in findings if f["path"] == ".ci/app.py"]
    assert {f["code"] for f in ci} & {"FG103", "FG104"}, ci  # checked like any endpoint
    assert not [f for f in ci if f["code"] in ("FG306", "FG307")], ci
    # the project's first import of runpod stays the listed file's (FG111)
    assert [f["path"] for f in findings if f["code"] == "FG111"] == ["main.py"], findings


def test_ci_app_repeating_the_main_app_name_is_fg307(tmp_path, run_cli):
    # sorted(rglob) imports `.ci/app.py` first: its App keeps the name, main.py's is dropped
    root = write_tree(
        tmp_path / "p", {"main.py": _app("shared", "main-q"), ".ci/app.py": _app("shared", "ci-q")}
    )
    fg307 = [f for f in _findings(run_cli, root) if f["code"] == "FG307"]
    assert [(f["path"], f["line"]) for f in fg307] == [("main.py", 3)], fg307
    assert "repeats the App name of .ci/app.py:3" in fg307[0]["message"], fg307


@pytest.mark.parametrize("in_git", [False, True], ids=["plain-dir", "git"])
def test_big_ignored_tree_without_apps_adds_nothing(tmp_path, in_git, monkeypatch):
    files: dict[str, str | bytes] = {
        "main.py": _app("main-app", "main-q"),
        ".gitignore": "data/\nenv2/\n",
    }
    for i in range(300):
        files[f"data/part{i % 7}/mod{i}.py"] = "import os\n\nVALUE = os.environ.get('X')\n"
        files[f"data/part{i % 7}/blob{i}.bin"] = b"\0" * 64
    # a venv under another name: its packages (runpod's own App included) are never read
    files["env2/lib/python3.11/site-packages/runpod/apps/app.py"] = _app("sdk", "sdk-q")
    root = write_tree(tmp_path / "p", files)
    if in_git:
        _git_init(root)
    read: list[str] = []
    real = files_mod._read_bytes
    monkeypatch.setattr(files_mod, "_read_bytes", lambda p: read.append(str(p)) or real(p))
    analysis = analyse([str(root)], root, [], in_git)
    assert set(analysis.sources) == {"main.py"}
    assert analysis.hidden == frozenset()
    assert {e.display_name for e in analysis.endpoints} == {"main-q"}
    assert not [p for p in read if "site-packages" in p], read


def test_hidden_listing_is_bounded(tmp_path, monkeypatch):
    files = {"main.py": _app("main-app", "main-q"), ".gitignore": "gen/\n"}
    for i in range(30):
        files[f"gen/m{i:02}.py"] = _app(f"gen-{i}", f"gen-q{i}")
    root = write_tree(tmp_path / "p", files)
    monkeypatch.setattr(files_mod, "HIDDEN_READ_LIMIT", 5)
    names = _names(root, False)
    assert len(names) == 1 + 5, names


def test_runpod_flash_code_in_an_ignored_file_is_not_analysed(tmp_path, run_cli):
    mixed = FLASH.replace("from runpod_flash", "import runpod  # App\nfrom runpod_flash")
    root = write_tree(
        tmp_path / "p",
        {
            "main.py": _app("main-app", "main-q"),
            ".gitignore": "flash_local.py\nmixed_local.py\n",
            "flash_local.py": FLASH,
            "mixed_local.py": mixed,
        },
    )
    analysis = analyse([str(root)], root, [], False)
    assert "flash_local.py" not in analysis.sources
    assert {e.display_name for e in analysis.endpoints} == {"main-q"}
    assert not [f for f in _findings(run_cli, root) if f["path"] != "main.py"]


def test_runpod_flash_project_output_is_unchanged_by_hidden_apps(tmp_path, run_cli):
    """Only a project that imports runpod 2.0 looks: a runpod-flash project with a 2.0 App in
    a dot-directory or an ignored file reports byte for byte what it did without them."""
    flash_project = {"worker.py": FLASH.replace("flash-local", "worker")}
    plain = write_tree(tmp_path / "plain", flash_project)
    with_hidden = write_tree(
        tmp_path / "hidden",
        {
            **flash_project,
            ".ci/app.py": _app("ci-app", "ci-q"),
            ".gitignore": "local_app.py\n",
            "local_app.py": _app("local-app", "local-q"),
        },
    )
    outputs = []
    for root in (plain, with_hidden):
        code, out, err = run_cli(["check", "--no-cache", "--format", "json", "."], root)
        assert code in (0, 1), err
        outputs.append((code, out.replace(str(root), "ROOT"), err))
    assert outputs[0] == outputs[1]


def test_hidden_files_follow_the_listing_rules(tmp_path):
    """Excluded by the configuration, a symlink leaving the project, not UTF-8: as listed."""
    outside = write_tree(tmp_path / "outside", {"app.py": _app("out-app", "out-q")})
    root = write_tree(
        tmp_path / "p",
        {
            "main.py": _app("main-app", "main-q"),
            ".ci/skip_me.py": _app("skip-app", "skip-q"),
            ".ci/latin.py": _app("latin-app", "latin-q").encode() + b"# caf\xe9\n",
        },
    )
    (root / ".ci" / "link.py").symlink_to(outside / "app.py")
    analysis = analyse([str(root)], root, [".ci/skip_me.py"], False)
    assert {e.display_name for e in analysis.endpoints} == {"main-q"}
    assert [(p.path, p.message.split(" (")[0]) for p in analysis.problems] == [
        (".ci/latin.py", "not valid UTF-8")
    ]


def test_a_file_given_in_a_dot_directory_keeps_its_notice(tmp_path, run_cli):
    root = write_tree(
        tmp_path / "p",
        {"main.py": _app("main-app", "main-q"), ".ci/app.py": _app("ci-app", "ci-q")},
    )
    code, _out, err = run_cli(["check", "--no-cache", ".ci/app.py"], root)
    # Left out by design (design.md: dot-directories are always skipped), as an excluded
    # file is: pre-commit passing only such a file is a clean run, not exit 2.
    assert code == 0, err
    assert "it is under `.ci/`, which is never analysed" in err
    assert "none of the given paths" not in err


@pytest.mark.parametrize("given", [".github/scripts/deploy.py", "venv/lib/x.py"])
def test_pre_commit_passing_only_always_skipped_files_is_a_clean_run(tmp_path, run_cli, given):
    root = write_tree(
        tmp_path / "p", {"main.py": _app("main-app", "main-q"), given: _app("x", "x-q")}
    )
    for command in ("check", "endpoints"):
        code, _out, err = run_cli([command, "--no-cache", given], root)
        assert code == 0, err
        assert "which is never analysed" in err and "none of the given paths" not in err


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (b"import runpod\napp = runpod.App('a')\n", True),
        (b"from runpod import App\n", True),
        (b"import runpod as rp\n\nx = rp.App(name='a')\n", True),
        (b"import runpod\n# the Application server\n", False),  # no word `App`
        (b"from runpod_flash import Endpoint  # App\n", False),  # runpod-flash only
        (b"# runpod.App is great\nimport os\n", False),  # no SDK import
        (b"import sdk.runpod\nApp = 1\n", False),  # not the `runpod` package
    ],
)
def test_the_cheap_filter_of_hidden_files(text, kept):
    assert files_mod.shows_runpod2_app(text) is kept
