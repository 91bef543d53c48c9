"""pre-commit end to end: the published hooks, installed by pre-commit from a commit.

The hook repository is a committed snapshot of this checkout (see repo_snapshot),
so the hooks and the code under test are the working tree's, here and on CI.
pre-commit builds the hook's virtualenv with pip (flash-guard, ast-grep-py,
pyyaml); PRE_COMMIT_HOME points into the test session's temp dir.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from repo_snapshot import GIT_ENV, git, git_project, snapshot
from sample_app import BAD, GOOD, ROUTES, SETTINGS, SPLIT_APP


@pytest.fixture(scope="module")
def hooks(tmp_path_factory):
    """(hook repo snapshot, user's git repo, environment for pre-commit)."""
    base = tmp_path_factory.mktemp("precommit")
    repo = snapshot(base / "hook-repo")
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    config = (
        "repos:\n"
        f"  - repo: {repo.as_posix()}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: flash-guard\n"
        "      - id: flash-guard-all\n"
    )
    user = git_project(
        base / "user",
        {
            "bad.py": BAD,
            "good.py": GOOD,
            "routes.py": ROUTES,
            "settings.py": SETTINGS,
            "README.md": "# an app\n",
            ".pre-commit-config.yaml": config,
        },
    )
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(base / "pre-commit-home"),
        "PRE_COMMIT_COLOR": "never",
        "NO_COLOR": "1",
    }
    return repo, user, env


def pre_commit(env, cwd, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_try_repo_fails_on_the_bad_file(hooks):
    repo, user, env = hooks
    out = pre_commit(env, user, "try-repo", str(repo), "flash-guard", "--files", "bad.py")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "FG101" in out.stdout and "gpu-not-pinned" in out.stdout
    assert "bad.py:4:25" in out.stdout  # located at `GpuGroup.ANY`


def test_hook_passes_on_the_good_file_seeing_its_routes_and_constants(hooks):
    _, user, env = hooks
    out = pre_commit(env, user, "run", "flash-guard", "--files", "good.py")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Passed" in out.stdout


def test_hook_passes_on_the_route_file_alone(hooks):
    _, user, env = hooks
    out = pre_commit(env, user, "run", "flash-guard", "--files", "routes.py")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Passed" in out.stdout


def test_hook_reports_only_the_given_files(hooks):
    _, user, env = hooks
    out = pre_commit(env, user, "run", "flash-guard", "--files", "good.py", "bad.py")
    assert out.returncode == 1
    located = [line for line in out.stdout.splitlines() if ": FG" in line]
    assert located and all(line.startswith("bad.py:") for line in located), out.stdout


def test_hook_skips_files_that_are_not_python(hooks):
    _, user, env = hooks
    out = pre_commit(env, user, "run", "flash-guard", "--files", "README.md")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no files to check" in out.stdout.lower()


def test_whole_project_hook_runs_whatever_changed(hooks):
    _, user, env = hooks
    out = pre_commit(env, user, "run", "flash-guard-all", "--files", "README.md")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "bad.py:4:25: FG101" in out.stdout


# SPLIT_APP (sample_app.py) through real commits with an installed hook: the finding is
# located in the other file, and the commit is refused.


@pytest.fixture
def committing(hooks, tmp_path):
    """A user repo with the flash-guard hook installed; returns (repo, commit(files))."""
    repo, _, env = hooks
    rev = git(repo, "rev-parse", "HEAD").strip()
    config = (
        f"repos:\n  - repo: {repo.as_posix()}\n    rev: {rev}\n"
        "    hooks:\n      - id: flash-guard\n"
    )
    user = git_project(tmp_path / "split", {**SPLIT_APP, ".pre-commit-config.yaml": config})
    installed = pre_commit(env, user, "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr

    def commit(files: dict[str, str]) -> subprocess.CompletedProcess:
        for name, text in files.items():
            (user / name).write_text(text, "utf-8")
        git(user, "add", *files)
        return subprocess.run(
            ["git", "-c", "commit.gpgsign=false", "commit", "-m", "change"],
            cwd=user,
            env={**env, **GIT_ENV, "GIT_CONFIG_GLOBAL": os.devnull},
            capture_output=True,
            text=True,
            timeout=600,
        )

    return user, commit


def test_committing_only_a_constants_module_fails_on_the_endpoint_using_it(committing):
    user, commit = committing
    out = commit({"config.py": "IDLE = 20 * 60 * 60\n"})
    assert out.returncode != 0, out.stdout + out.stderr
    shown = out.stdout + out.stderr  # git prints a hook's output on stderr
    assert "worker.py:" in shown and "FG203" in shown, shown
    assert git(user, "status", "--porcelain").strip(), "the commit must have been refused"


def test_committing_only_a_routes_module_fails_on_the_endpoint_it_serves(committing):
    user, commit = committing
    routes = (user / "routes.py").read_text("utf-8").split("@api.get")[0]
    out = commit({"routes.py": routes})
    assert out.returncode != 0, out.stdout + out.stderr
    shown = out.stdout + out.stderr
    assert "worker.py:" in shown and "FG109" in shown, shown


def test_committing_an_unrelated_change_passes(committing):
    _, commit = committing
    out = commit({"notes.py": "VALUE = 1\n"})
    assert out.returncode == 0, out.stdout + out.stderr


def test_committing_a_requirements_change_checks_the_whole_project(committing):
    user, commit = committing
    (user / "config.py").write_text("IDLE = 20 * 60 * 60\n", "utf-8")
    git(user, "add", "config.py")
    git(user, "-c", "commit.gpgsign=false", "commit", "-q", "--no-verify", "-m", "bypass")
    out = commit({"requirements.txt": "runpod-flash==1.21.0\n"})
    assert out.returncode != 0, out.stdout + out.stderr
    shown = out.stdout + out.stderr  # git prints a hook's output on stderr
    assert "worker.py:" in shown and "FG203" in shown, shown


# -- the published hooks and their documentation (no pre-commit run needed) ----------------

REPO = Path(__file__).resolve().parent.parent
OWN_DOCS = ("docs/pre-commit.md", "docs/configuration.md", "docs/custom-checklist.md")


def _hooks() -> dict:
    import yaml

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    return {hook["id"]: hook for hook in hooks}


@pytest.mark.parametrize(
    "name, passed",
    [
        ("app/worker.py", True),
        ("stubs/api.pyi", True),
        ("services/a/.flash-guard.yaml", True),
        (".flash-guard.yml", True),
        ("pyproject.toml", True),
        ("requirements-gpu.txt", True),
        ("requirements/dev.in", False),  # a directory named requirements: not a pin file name
        ("uv.lock", True),
        ("Pipfile.lock", True),
        ("apps/shop/.runpodignore", True),
        ("README.md", False),
        ("notes/pyproject.toml.bak", False),
    ],
)
def test_the_hook_receives_python_and_project_files(name, passed):
    import re

    from identify.identify import tags_from_filename

    from flash_guard.project.selection import is_project_file

    hook = _hooks()["flash-guard"]
    pattern = re.compile(hook["files"])
    assert bool(pattern.search(name)) is passed
    if passed:  # pre-commit passes a file only if its tags also meet `types_or`
        tags = tags_from_filename(name) or {"text"}  # no known extension: tagged by content
        assert tags & set(hook["types_or"]), (name, tags)
    base = name.rsplit("/", 1)[-1]
    if not base.endswith((".py", ".pyi")):
        # What the hook receives is what file mode treats as "everything may have changed".
        assert is_project_file(base) is passed


def test_the_local_hook_in_the_docs_matches_the_published_one():
    text = (REPO / "docs" / "pre-commit.md").read_text("utf-8")
    assert f"files: '{_hooks()['flash-guard']['files']}'" in text


def test_every_rev_and_uses_in_the_docs_is_a_tag_or_a_marked_placeholder():
    # Why: "the README's `rev: v0.1.0` does not exist".
    import re

    # The checkout's tags (none in a copy without git history: then only placeholders pass).
    listed = subprocess.run(["git", "tag", "--list"], cwd=REPO, capture_output=True, text=True)
    tags = set(listed.stdout.split()) if listed.returncode == 0 else set()
    for doc in OWN_DOCS:
        text = (REPO / doc).read_text("utf-8")
        for match in re.finditer(r"(?:rev:\s*|flash-guard/flash-guard@)(\S+)(.*)", text):
            ref, rest = match.group(1), match.group(2)
            if ref in tags:
                continue
            assert ref == "vX.Y.Z" and "PLACEHOLDER" in rest, (doc, match.group(0))
            assert "pre-commit autoupdate" in text and "git ls-remote --tags" in text
