"""`flash-guard migrate` writes (and diffs) only under the paths it is given: a folder without
a project marker is its own app (the App is named after it and any App module is created in
it), a file given alone changes alone, and the rest of an app outside the given paths is read
but never changed."""

from __future__ import annotations

import textwrap
from pathlib import Path

from repo_snapshot import git_project

MIGRATE = ["migrate", "--to", "runpod2"]


def _worker(name: str, fn: str) -> str:
    return textwrap.dedent(f'''\
        from runpod_flash import Endpoint, GpuGroup


        @Endpoint(name="{name}", gpu=GpuGroup.ADA_24, workers=(1, 3))
        def {fn}(x: dict) -> dict:
            return x
        ''')


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def _siblings(tmp_path: Path) -> Path:
    """The reviewer's case: two folders, one @Endpoint each, no project marker anywhere."""
    return _tree(
        tmp_path / "parent",
        {"a/w.py": _worker("aaa", "fa"), "b/w.py": _worker("bbb", "fb")},
    )


def _changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def test_diff_of_a_folder_from_its_parent_shows_that_folder_only(run_cli, tmp_path):
    root = _siblings(tmp_path)
    before = _snapshot(root)
    code, out, err = run_cli([*MIGRATE, "--diff", "a"], root)
    assert code == 1, err
    headers = [line for line in out.splitlines() if line.startswith(("--- ", "+++ "))]
    assert headers == ["--- a/a/w.py", "+++ b/a/w.py"], out
    assert 'app = runpod.App("a")' in out  # named after the folder given, not the parent
    assert "runpod_app" not in out and "b/w.py" not in err
    assert _snapshot(root) == before


def test_writing_a_folder_from_its_parent_leaves_its_siblings_byte_identical(run_cli, tmp_path):
    root = _siblings(tmp_path)
    before = _snapshot(root)
    code, out, err = run_cli([*MIGRATE, "a"], root)
    assert code == 0, err
    after = _snapshot(root)
    assert _changed(before, after) == {"a/w.py"}
    assert after["b/w.py"] == before["b/w.py"]
    assert not (root / "runpod_app.py").exists()
    assert 'app = runpod.App("a")' in (root / "a/w.py").read_text()


def test_a_folder_migrates_alike_from_its_parent_and_from_inside(run_cli, tmp_path):
    files = {
        "a/cpu.py": _worker("aaa-cpu", "fc").replace("gpu=GpuGroup.ADA_24", 'cpu="cpu3c-1-2"'),
        "a/gpu.py": _worker("aaa-gpu", "fg"),
        "b/w.py": _worker("bbb", "fb"),
    }
    outside = _tree(tmp_path / "one", files)
    inside = _tree(tmp_path / "two", files)
    assert run_cli([*MIGRATE, "a"], outside)[0] == 0
    assert run_cli([*MIGRATE, "."], inside / "a")[0] == 0
    assert _snapshot(outside) == _snapshot(inside)
    # two files declare endpoints: the App module is created in the folder given
    assert (outside / "a/runpod_app.py").read_text().endswith('app = runpod.App("a")\n')
    assert not (outside / "runpod_app.py").exists()
    assert (outside / "b/w.py").read_text() == files["b/w.py"]


def test_in_git_a_folder_given_from_the_repository_root_is_its_own_app(run_cli, tmp_path):
    root = git_project(
        tmp_path / "repo",
        {"a/w.py": _worker("aaa", "fa"), "b/w.py": _worker("bbb", "fb"), "README.md": "x\n"},
    )
    before = _snapshot(root)
    assert run_cli([*MIGRATE, "a"], root)[0] == 0
    assert _changed(before, _snapshot(root)) == {"a/w.py"}
    # from inside the folder too: the repository root is not the app
    assert run_cli([*MIGRATE, "."], root / "b")[0] == 0
    assert 'runpod.App("b")' in (root / "b/w.py").read_text()
    assert not (root / "runpod_app.py").exists()


def test_several_folders_are_several_apps(run_cli, tmp_path):
    root = _siblings(tmp_path)
    code, out, _ = run_cli([*MIGRATE, "a", "b"], root)
    assert code == 0 and "apps: 2" in out
    assert 'runpod.App("a")' in (root / "a/w.py").read_text()
    assert 'runpod.App("b")' in (root / "b/w.py").read_text()
    assert not (root / "runpod_app.py").exists()


def test_part_of_an_app_is_refused_and_nothing_changes(run_cli, tmp_path):
    # One app (pyproject.toml), two workers and a module calling both. Its one App is built
    # once: a file (or folder) covering part of its runpod_flash code would leave the rest to a
    # later run that finds the App and stops (`app-exists`). Refused, naming the app to give.
    root = _tree(
        tmp_path / "flat",
        {
            "pyproject.toml": '[project]\nname = "flat-app"\nversion = "0.1.0"\n',
            "requirements.txt": "runpod-flash==1.21.0\n",
            "cpu_worker.py": _worker("mf-cpu", "pre"),
            "gpu_worker.py": _worker("mf-gpu", "classify"),
            "pipeline.py": "from cpu_worker import pre\n\n\ndef run(x):\n    return pre(x)\n",
        },
    )
    before = _snapshot(root)
    for args in (["--diff", "cpu_worker.py"], ["cpu_worker.py"]):
        code, out, err = run_cli([*MIGRATE, *args], root)
        assert code == 2, (code, out, err)
        assert "outside the given paths (gpu_worker.py)" in err
        assert "give the project root" in err
        assert out == ""
    assert _snapshot(root) == before
    # the whole app given: one App module, both workers moved
    assert run_cli([*MIGRATE, "."], root)[0] == 0
    assert "runpod_flash" not in (root / "gpu_worker.py").read_text()
    assert "runpod_flash" not in (root / "cpu_worker.py").read_text()


def test_a_folder_under_a_marked_root_is_part_of_the_root_app(run_cli, tmp_path):
    # pyproject.toml at the top: `workers/` is not an app of its own (the App is named after
    # the project and requirements.txt moves), and it holds all the runpod_flash code.
    root = _tree(
        tmp_path / "myproj",
        {
            "pyproject.toml": '[project]\nname = "myproj"\n',
            "requirements.txt": "runpod-flash==1.21.0\n",
            "workers/a.py": _worker("worker-a", "fa"),
            "workers/b.py": _worker("worker-b", "fb"),
        },
    )
    code, out, err = run_cli([*MIGRATE, "--diff", "workers"], root)
    assert code == 1, err
    assert 'runpod.App("myproj")' in out
    assert "+runpod==2.0.0rc2" in out.replace(" ", "")


def test_a_nested_app_given_leaves_the_enclosing_app_alone(run_cli, tmp_path):
    root = _tree(
        tmp_path / "outer",
        {
            "pyproject.toml": '[project]\nname = "outer-app"\n',
            "w.py": _worker("outer", "fo"),
            "inner/pyproject.toml": '[project]\nname = "inner-app"\n',
            "inner/w.py": _worker("inner", "fi"),
        },
    )
    before = _snapshot(root)
    assert run_cli([*MIGRATE, "inner"], root)[0] == 0
    after = _snapshot(root)
    assert _changed(before, after) == {"inner/w.py"}
    assert 'runpod.App("inner-app")' in after["inner/w.py"].decode()
    # the enclosing folder given: each app gets its own App
    assert run_cli([*MIGRATE, "."], root)[0] == 0
    assert 'runpod.App("outer-app")' in (root / "w.py").read_text()


def test_a_folder_below_its_app_root_changes_only_that_folder(run_cli, tmp_path):
    # The marker is above the folder given, which holds all the app's runpod_flash code: the
    # App is the app's, and the app's requirement file moves with it; other files stay.
    root = _tree(
        tmp_path / "repo",
        {
            "proj/requirements.txt": "runpod-flash==1.21.0\n",
            "proj/src/w.py": _worker("src-worker", "fs"),
            "proj/main.py": "print('no endpoints here')\n",
        },
    )
    before = _snapshot(root)
    code, out, err = run_cli([*MIGRATE, "proj/src"], root)
    assert code == 0, err
    assert _changed(before, _snapshot(root)) == {"proj/src/w.py", "proj/requirements.txt"}
    assert 'runpod.App("proj")' in (root / "proj/src/w.py").read_text()
    assert "runpod==2.0.0rc2" in (root / "proj/requirements.txt").read_text()
