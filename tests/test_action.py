"""The composite action, end to end without GitHub, and the workflows' hygiene.

The run step's script is run as the runner would run it: inputs in INPUT_*
variables, a fake $GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY and $GITHUB_ACTION_PATH,
by an isolated interpreter (`-I`) that has a snapshot of this checkout installed.

The analysed repository is untrusted: tests plant code in the workspace (a fake
flash_guard, pip or venv, sitecustomize.py, a .pth file, modules shadowing
dependencies) and check that the real findings are reported and none of it runs.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import ast_grep_py
import pytest
import yaml
from packaging.requirements import Requirement
from repo_snapshot import CHECKOUT, snapshot
from sample_app import BAD, GOOD, ROUTES, SETTINGS
from test_diffbase import BASE, HEAD, git, shallow_checkout

ACTION = CHECKOUT / "action.yml"
WORKFLOWS = sorted((CHECKOUT / ".github" / "workflows").glob("*.yml"))
REQUIREMENTS = CHECKOUT / "action" / "requirements.txt"
REQ_REL = Path("action") / "requirements.txt"
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
ANNOTATION = re.compile(r"^::(error|warning|notice) file=")
LIMIT = 1024 * 1024


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text("utf-8"))


def action_steps() -> list[dict]:
    return load(ACTION)["runs"]["steps"]


def all_steps() -> list[tuple[str, dict]]:
    out = [("action.yml", step) for step in action_steps()]
    for workflow in WORKFLOWS:
        for job in load(workflow)["jobs"].values():
            out += [(workflow.name, step) for step in job.get("steps", [])]
    return out


# --- static properties of action.yml and the workflows -------------------------------


def test_no_expression_inside_any_run_script():
    for where, step in all_steps():
        assert "${{" not in step.get("run", ""), (where, step.get("name"))


def test_every_input_reaches_the_scripts_through_env():
    inputs = load(ACTION)["inputs"]
    assert set(inputs) == {
        "paths",
        "config",
        "profile",
        "fail-on",
        "sarif",
        "annotations",
        "summary",
        "baseline",
        "base",
        "version",
    }
    env_values = {
        name: value for step in action_steps() for name, value in step.get("env", {}).items()
    }
    for name in inputs:
        variable = "INPUT_" + name.upper().replace("-", "_")
        assert env_values.get(variable) == f"${{{{ inputs.{name} }}}}", name


def test_defaults():
    inputs = load(ACTION)["inputs"]
    assert inputs["paths"]["default"] == "."
    assert inputs["fail-on"]["default"] == ""  # the configuration's fail_on decides
    assert inputs["sarif"]["default"] == "false"
    assert inputs["annotations"]["default"] == "true"
    assert inputs["summary"]["default"] == "true"
    assert inputs["version"]["default"] == ""
    assert inputs["base"]["default"] == ""  # the pull request's base comes through env
    assert set(load(ACTION)["outputs"]) == {
        "findings",
        "exit-code",
        "sarif-file",
        "new-findings",
        "fixed-findings",
    }
    run = next(step for step in action_steps() if step.get("id") == "run")
    assert run["env"]["PULL_REQUEST_BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"


def test_every_python_the_action_starts_is_isolated():
    scripts = [step["run"] for step in action_steps() if "run" in step]
    started = [m for script in scripts for m in re.finditer(r'"\$\w*PYTHON\w*"(.*)', script)]
    assert len(started) == 2  # the install step and the run step
    for match in started:
        assert match.group(1).startswith(" -I "), match.group(0)


def test_third_party_actions_are_pinned_to_full_commits():
    uses = [(where, step["uses"]) for where, step in all_steps() if "uses" in step]
    assert uses
    for where, ref in uses:
        if ref.startswith("./"):
            continue
        assert SHA_PIN.match(ref), (where, ref)


def test_upload_comes_before_the_failing_step():
    steps = action_steps()
    names = [step.get("uses", "").split("@")[0] or step.get("id", "") for step in steps]
    upload = names.index("github/codeql-action/upload-sarif")
    run = next(i for i, step in enumerate(steps) if step.get("id") == "run")
    assert run < upload < len(steps) - 1
    last = steps[-1]
    assert "exit 1" in last["run"] and "if" not in last


def test_checkouts_do_not_persist_credentials():
    checkouts = [s for _, s in all_steps() if s.get("uses", "").startswith("actions/checkout@")]
    assert checkouts
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False


def test_workflows_have_least_privilege_permissions():
    for workflow in WORKFLOWS:
        doc = load(workflow)
        top = doc.get("permissions")
        assert top is not None and top in ({}, {"contents": "read"}), workflow.name
        for job in doc["jobs"].values():
            granted = job.get("permissions", {})
            assert all(value in ("read", "write") for value in granted.values())
            if "write" in granted.values():
                assert granted == {
                    "contents": "read",
                    "security-events": "write",
                    "actions": "read",
                }


def zizmor_command() -> str | None:
    beside = Path(sys.executable).parent / "zizmor"  # installed by the test extra
    return str(beside) if beside.exists() else shutil.which("zizmor")


@pytest.mark.skipif(zizmor_command() is None, reason="zizmor is not installed")
def test_zizmor_finds_nothing():
    zizmor = zizmor_command()
    targets = [str(ACTION), *map(str, WORKFLOWS)]
    assert len(targets) >= 3
    out = subprocess.run(
        [zizmor, "--offline", "--no-progress", *targets],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "No findings" in out.stdout


# --- the run step, end to end ---------------------------------------------------------


def many_bad_endpoints(n: int) -> str:
    lines = ["from runpod_flash import Endpoint, GpuGroup", ""]
    for i in range(n):
        lines += [
            "",
            f'@Endpoint(name="w{i}", gpu=GpuGroup.ANY, workers=(0, 3))',
            f"async def w{i}(x): ...",
        ]
    return "\n".join(lines) + "\n"


def install_module():
    spec = importlib.util.spec_from_file_location("action_install", CHECKOUT / "action/install.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def action_python(tmp_path_factory) -> str:
    """What the install step leaves, without the network: a virtual environment in which a
    snapshot of this checkout (and this test run's dependencies) is importable through a
    .pth file in its site-packages. The real install is tested below."""
    root = tmp_path_factory.mktemp("action")
    code = snapshot(root / "checkout")
    venv = root / "venv"
    subprocess.run(
        [sys.executable, "-I", "-m", "venv", "--without-pip", str(venv)], cwd=root, check=True
    )
    python = str(install_module().venv_python(venv))
    purelib = subprocess.run(
        [python, "-I", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    modules = [ast_grep_py, yaml]
    if sys.version_info < (3, 11):
        import tomli

        modules.append(tomli)
    deps = dict.fromkeys(str(Path(m.__file__).resolve().parents[1]) for m in modules)
    Path(purelib, "flash_guard_under_test.pth").write_text(
        "\n".join([str(code), *deps]) + "\n", "utf-8"
    )
    where = subprocess.run(
        [python, "-I", "-c", "import flash_guard; print(flash_guard.__file__)"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(code)  # the snapshot is what runs
    return python


class Runner:
    """A fake GitHub runner for one step: its files, its env, and the step's result."""

    def __init__(self, tmp: Path, workspace: Path, python: str):
        self.tmp = tmp
        self.workspace = workspace
        self.python = python
        self.summary = tmp / "step_summary.md"
        self.output = tmp / "github_output"
        self.summary.write_text("", "utf-8")
        self.output.write_text("", "utf-8")
        self.extra_env: dict[str, str] = {}

    def env(self, **inputs: str) -> dict:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("INPUT_", "GITHUB_", "RUNNER_"))
        }
        env.update(
            GITHUB_ACTIONS="true",
            GITHUB_ACTION_PATH=str(CHECKOUT),
            GITHUB_OUTPUT=str(self.output),
            GITHUB_STEP_SUMMARY=str(self.summary),
            GITHUB_WORKSPACE=str(self.workspace),
            RUNNER_TEMP=str(self.tmp / "runner_temp"),
            NO_COLOR="1",
        )
        (self.tmp / "runner_temp").mkdir(exist_ok=True)
        env.update({f"INPUT_{k.upper()}": v for k, v in inputs.items()})
        env.update(self.extra_env)
        return env

    def run_step(self, **inputs: str) -> subprocess.CompletedProcess:
        # The step's command: "$FLASH_GUARD_PYTHON" -I "$GITHUB_ACTION_PATH/action/run.py"
        return subprocess.run(
            [self.python, "-I", str(CHECKOUT / "action" / "run.py")],
            cwd=self.workspace,
            env=self.env(**inputs),
            capture_output=True,
            text=True,
            timeout=300,
        )

    def outputs(self) -> dict[str, str]:
        """The step outputs; a later value of the same name wins, as on GitHub."""
        lines = self.output.read_text("utf-8").splitlines()
        return dict(line.split("=", 1) for line in lines)

    def outputs_all(self, name: str) -> list[str]:
        lines = self.output.read_text("utf-8").splitlines()
        return [line.split("=", 1)[1] for line in lines if line.startswith(name + "=")]


@pytest.fixture
def runner(tmp_path, project, action_python):
    workspace = project(
        {
            "app/many.py": many_bad_endpoints(5),
            "app/good.py": GOOD,
            "app/routes.py": ROUTES,
            "settings.py": SETTINGS,
            "one.py": BAD,
        }
    )
    return Runner(tmp_path, workspace, action_python)


def expected(runner: Runner, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "flash_guard", "check", "--format", "json", *args],
        cwd=runner.workspace,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


def test_run_step_annotates_summarises_and_sets_outputs(runner):
    result = runner.run_step(paths=".", sarif="true", fail_on="error")
    assert result.returncode == 0, result.stderr  # findings never fail this step
    doc = expected(runner, ".")
    total = len(doc["findings"])
    assert total > 10

    annotations = [line for line in result.stdout.splitlines() if ANNOTATION.match(line)]
    assert len(annotations) == 10
    assert all(line.startswith("::error ") for line in annotations)  # > 10 errors exist
    notices = [
        line
        for line in result.stdout.splitlines()
        if line.startswith("::notice title=flash-guard::")
    ]
    assert len(notices) == 1 and f"{total - 10} more" in notices[0]
    assert "Found " in result.stdout  # the text report is in the log too

    outputs = runner.outputs()
    assert outputs["findings"] == str(total)
    assert outputs["exit-code"] == "1"
    sarif = json.loads(Path(outputs["sarif-file"]).read_text("utf-8"))
    assert len(sarif["runs"][0]["results"]) == total

    summary = runner.summary.read_text("utf-8")
    assert "## Readiness scorecard" in summary and "## Findings" in summary
    assert summary.count("| 🔴 error |") == doc["summary"]["errors"]


def test_fail_on_never_and_switches(runner):
    result = runner.run_step(fail_on="never", annotations="false", summary="false")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert not [line for line in lines if ANNOTATION.match(line) or "::notice" in line]
    assert runner.summary.read_text("utf-8") == ""
    outputs = runner.outputs()
    assert outputs["exit-code"] == "0"
    assert outputs["sarif-file"] == ""
    assert int(outputs["findings"]) > 0


WARNING_ONLY = "from runpod_flash import Endpoint\n\n\ndef broken(:\n    pass\n"  # FG001


def test_empty_fail_on_uses_the_configurations_fail_on(runner):
    (runner.workspace / "warn.py").write_text(WARNING_ONLY, "utf-8")
    config = runner.workspace / ".flash-guard.yaml"

    def exit_code(**inputs: str) -> str:
        result = runner.run_step(**inputs)
        assert result.returncode == 0, result.stdout + result.stderr
        assert ("--fail-on" in result.stdout) == bool(inputs.get("fail_on"))
        assert runner.outputs_all("findings")[-1] != "0"
        return runner.outputs_all("exit-code")[-1]

    # No configuration, no input: flash-guard's default (error) and warn.py has a warning.
    assert exit_code(paths="warn.py") == "0"
    config.write_text("fail_on: warning\n", "utf-8")
    assert exit_code(paths="warn.py") == "1"  # as `flash-guard check` fails locally
    assert exit_code(paths="warn.py", fail_on="error") == "0"  # the input overrides it
    config.write_text("fail_on: never\n", "utf-8")
    assert exit_code(paths="one.py") == "0"  # errors, but the configuration says never
    assert exit_code(paths="one.py", fail_on="error") == "1"


def test_config_and_profile_inputs(runner):
    (runner.workspace / "quiet.yaml").write_text("rules:\n  FG101: {enabled: false}\n", "utf-8")
    result = runner.run_step(paths="one.py", config="quiet.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    production = expected(runner, "--config", "quiet.yaml", "one.py")["findings"]
    assert runner.outputs()["findings"] == str(len(production)) != "0"
    assert "FG101" not in result.stdout

    result = runner.run_step(paths="one.py", config="quiet.yaml", profile="development")
    assert result.returncode == 0, result.stdout + result.stderr
    development = expected(runner, "--config", "quiet.yaml", "--profile", "development", "one.py")[
        "findings"
    ]
    assert development != production  # the profile input made a difference
    assert runner.outputs_all("findings")[-1] == str(len(development))


def test_paths_and_baseline_inputs(runner):
    baseline = runner.tmp / "baseline.json"
    subprocess.run(
        # every path: FG308 (info, once per app) reports the sunset SDK on app/good.py too
        [sys.executable, "-m", "flash_guard", "check", "--write-baseline", baseline, "."],
        cwd=runner.workspace,
        check=True,
        capture_output=True,
    )
    # Newline- and space-separated paths; all files, so the whole project is analysed
    # and good.py sees its routes.
    result = runner.run_step(
        paths="one.py\napp/good.py app/routes.py", baseline=str(baseline), fail_on="info"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    outputs = runner.outputs()
    assert (outputs["findings"], outputs["exit-code"]) == ("0", "0")
    assert expected(runner, "one.py")["findings"]  # the baseline is what hid them


def test_a_path_that_looks_like_an_option(runner):
    weird = runner.workspace / "-x"
    weird.mkdir()
    (weird / "w.py").write_text(BAD.lstrip(), "utf-8")
    result = runner.run_step(paths="-x")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "-x/w.py" in result.stdout


@pytest.mark.parametrize(
    "inputs, message",
    [
        ({"fail_on": "sometimes"}, "fail-on"),
        ({"sarif": "maybe"}, "sarif"),
        ({"paths": 'unbalanced "quote'}, "paths"),
    ],
)
def test_invalid_inputs_fail_the_step(runner, inputs, message):
    result = runner.run_step(**inputs)
    assert result.returncode == 2
    assert result.stdout.startswith("::error title=flash-guard::")
    assert message in result.stdout
    assert runner.outputs()["exit-code"] == "2"


def test_a_flash_guard_error_fails_the_step(runner):
    (runner.workspace / ".flash-guard.yaml").write_text("nonsense_key: 1\n", "utf-8")
    result = runner.run_step()
    assert result.returncode == 2
    assert "could not run" in result.stdout
    assert "nonsense_key" in result.stdout  # the reason is in the error annotation
    assert runner.outputs()["exit-code"] == "2"


def test_the_summary_stays_under_githubs_limit(runner):
    # Whatever an earlier command of the step wrote counts against the same 1 MiB.
    before = LIMIT - 8_000
    runner.summary.write_text("x" * (before - 1) + "\n", "utf-8")
    result = runner.run_step()
    assert result.returncode == 0, result.stderr
    whole = len(
        (runner.tmp / "runner_temp" / "flash-guard" / "flash-guard-summary.md").read_bytes()
    )
    assert whole > 8_000  # it could not fit as is
    text = runner.summary.read_text("utf-8")
    assert before < len(text.encode("utf-8")) <= LIMIT
    appended = text[before:]
    assert appended.startswith("# flash-guard")
    assert appended.rstrip().endswith("list every finding.")
    assert "summary was cut here" in appended


# --- the other steps ------------------------------------------------------------------


def fail_step() -> dict:
    return action_steps()[-1]


@pytest.mark.parametrize("exit_code, findings, fails", [("1", "7", True), ("0", "3", False)])
def test_the_last_step_fails_per_the_exit_code(exit_code, findings, fails):
    env = {
        **os.environ,
        "FLASH_GUARD_EXIT_CODE": exit_code,
        "FLASH_GUARD_FINDINGS": findings,
    }
    step = fail_step()
    assert set(step["env"]) == {"FLASH_GUARD_EXIT_CODE", "FLASH_GUARD_FINDINGS"}
    out = subprocess.run(["bash", "-c", step["run"]], env=env, capture_output=True, text=True)
    assert (out.returncode != 0) == fails
    if fails:
        assert out.stdout.startswith("::error title=flash-guard::")
        assert findings in out.stdout


def test_install_requirement():
    install = install_module()
    assert install.requirement("", "/path/to/action") == "/path/to/action"
    assert install.requirement(" 0.2.1 ", "/a") == "flash-guard==0.2.1"
    assert install.requirement("1.0.0rc1", "/a") == "flash-guard==1.0.0rc1"
    for bad in ("-e git+https://evil", "https://example.com/x.whl", "0.1; rm -rf /", "latest"):
        with pytest.raises(ValueError):
            install.requirement(bad, "/a")
    with pytest.raises(ValueError):
        install.requirement("", "")


def test_install_commands_are_isolated_pinned_and_in_order():
    install = install_module()
    python = Path("/venv/bin/python")
    commands = install.commands(python, "/action", "/action")
    assert all(c[:2] == [str(python), "-I"] for c in commands)
    deps, itself, check, version = commands
    assert deps[-4:] == ["--require-hashes", "--no-deps", "-r", str(Path("/action") / REQ_REL)]
    assert itself[-3:] == ["--no-deps", "--no-build-isolation", "/action"]
    assert check[-2:] == ["pip", "check"] and version[-2:] == ["flash_guard", "--version"]


# --- a hostile workspace --------------------------------------------------------------

# Code an analysed repository could plant so that a careless `python -m ...` in the
# workspace runs it. Each file writes a marker (MARKERS is replaced by a directory).
PLANTS = {
    "flash_guard package": ("flash_guard/__init__.py", "flash_guard/__main__.py"),
    "flash_guard module": ("flash_guard.py",),
    "pip and venv": ("pip/__init__.py", "pip/__main__.py", "venv/__init__.py", "venv/__main__.py"),
    "site hooks": ("sitecustomize.py", "usercustomize.py", "zz-flash-guard.pth"),
    "dependencies": ("yaml.py", "ast_grep_py.py", "json.py", "tomli.py"),
}
ALL_PLANTS = tuple(name for names in PLANTS.values() for name in names)


def plant(workspace: Path, markers: Path, names: tuple[str, ...]) -> dict[str, Path]:
    markers.mkdir(exist_ok=True)
    planted = {}
    for name in names:
        marker = markers / name.replace("/", "__")
        code = f"import pathlib; pathlib.Path({str(marker)!r}).write_text('ran')"
        if name.endswith("__main__.py"):
            # What the reported attack did: pretend all is well.
            code += "\nprint('Found 0 findings'); raise SystemExit(0)"
        target = workspace / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(code + "\n", "utf-8")
        planted[name] = marker
    return planted


def annotation_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stdout.splitlines() if ANNOTATION.match(line)]


def test_the_planted_code_is_live(runner):
    """Control: each planted file writes its marker when it runs, and a plain
    `python -m flash_guard` in the workspace (the old run step) runs the planted package."""
    planted = plant(runner.workspace, runner.tmp / "markers", ALL_PLANTS)
    for name, marker in planted.items():
        source = (runner.workspace / name).read_text("utf-8")
        subprocess.run(
            [runner.python, "-I", "-c", source.splitlines()[0]], cwd=runner.tmp, check=True
        )
        assert marker.read_text("utf-8") == "ran", name
        marker.unlink()
    naive = subprocess.run(
        [runner.python, "-m", "flash_guard", "check", "."],
        cwd=runner.workspace,
        capture_output=True,
        text=True,
    )
    assert naive.returncode == 0 and "Found 0 findings" in naive.stdout
    assert planted["flash_guard/__main__.py"].exists()


@pytest.mark.parametrize("names", PLANTS.values(), ids=PLANTS)
def test_code_planted_in_the_workspace_never_runs(runner, names):
    clean = runner.run_step()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    before = runner.outputs()
    assert before["exit-code"] == "1" and int(before["findings"]) > 10

    planted = plant(runner.workspace, runner.tmp / "markers", names)
    result = runner.run_step()
    assert result.returncode == 0, result.stdout + result.stderr
    assert [name for name, marker in planted.items() if marker.exists()] == []
    assert runner.outputs_all("findings")[-1] == before["findings"]
    assert runner.outputs_all("exit-code")[-1] == "1"
    assert annotation_lines(result) == annotation_lines(clean)
    assert annotation_lines(result)


# --- the hash-pinned install ----------------------------------------------------------


def pinned() -> list[tuple[Requirement, list[str]]]:
    """(requirement, its hashes) for each entry of action/requirements.txt."""
    text = REQUIREMENTS.read_text("utf-8").replace("\\\n", " ")
    entries = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        requirement, *hashes = line.split(" --hash=")
        entries.append((Requirement(requirement.strip()), [h.strip() for h in hashes]))
    return entries


def pyproject() -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    return tomllib.loads((CHECKOUT / "pyproject.toml").read_text("utf-8"))


def test_requirements_pin_every_dependency_by_hash():
    entries = pinned()
    assert len(entries) == 4
    for requirement, hashes in entries:
        (spec,) = requirement.specifier
        assert spec.operator == "==" and "*" not in spec.version, requirement
        # At least the sdist and a wheel; every hash a sha256, none twice.
        assert len(hashes) >= 2, requirement
        assert all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in hashes), requirement
        assert len(set(hashes)) == len(hashes), requirement
    all_hashes = [h for _, hashes in entries for h in hashes]
    assert len(set(all_hashes)) == len(all_hashes)


def test_requirements_stay_within_pyprojects_ranges():
    project = pyproject()
    wanted = [Requirement(r) for r in project["project"]["dependencies"]]
    wanted += [Requirement(r) for r in project["build-system"]["requires"]]
    entries = {requirement.name.lower(): requirement for requirement, _ in pinned()}
    assert set(entries) == {requirement.name.lower() for requirement in wanted}
    for allowed in wanted:
        pin = entries[allowed.name.lower()]
        (spec,) = pin.specifier
        assert allowed.specifier.contains(spec.version, prereleases=True), (pin, allowed)
        assert str(pin.marker) == str(allowed.marker), (pin, allowed)


def index_unreachable() -> str | None:
    import urllib.request

    index = (os.environ.get("PIP_INDEX_URL") or "https://pypi.org/simple").rstrip("/")
    try:
        with urllib.request.urlopen(f"{index}/pyyaml/", timeout=15) as response:
            response.read(1)
    except OSError as exc:
        return f"the package index {index} is unreachable: {exc}"
    return None


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The install step, for real, started from a workspace full of planted code."""
    reason = index_unreachable()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("install")
    action = snapshot(root / "action")
    workspace = root / "workspace"
    planted = plant(workspace, root / "markers", ALL_PLANTS)
    (workspace / "one.py").write_text(BAD.lstrip(), "utf-8")
    output = root / "github_output"
    output.write_text("", "utf-8")
    (root / "temp").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_"))}
    env.update(
        GITHUB_ACTION_PATH=str(action),
        GITHUB_OUTPUT=str(output),
        GITHUB_WORKSPACE=str(workspace),
        RUNNER_TEMP=str(root / "temp"),
        INPUT_VERSION="",
    )
    # The step's command: "$SETUP_PYTHON" -I "$GITHUB_ACTION_PATH/action/install.py",
    # in the workspace, as a step runs.
    out = subprocess.run(
        [sys.executable, "-I", str(action / "action" / "install.py")],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    python = dict(line.split("=", 1) for line in output.read_text().splitlines())["python"]
    return {"root": root, "python": python, "planted": planted, "workspace": workspace}


def test_install_step_installs_the_pins_and_the_checkout_and_runs_nothing_planted(installed):
    root, python = installed["root"], installed["python"]
    assert Path(python).is_relative_to(root / "temp")
    assert [name for name, marker in installed["planted"].items() if marker.exists()] == []
    listed = subprocess.run(
        [python, "-I", "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    versions = {p["name"].lower(): p["version"] for p in json.loads(listed.stdout)}
    for requirement, _ in pinned():
        if requirement.marker is None or requirement.marker.evaluate():
            (spec,) = requirement.specifier
            assert versions[requirement.name.lower()] == spec.version, requirement
    assert versions["flash-guard"] == pyproject()["project"]["version"]
    where = subprocess.run(
        [python, "-I", "-c", "import flash_guard; print(flash_guard.__file__)"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(root / "temp")  # installed, not the checkout


def test_installed_action_checks_a_hostile_workspace(installed, tmp_path):
    runner = Runner(tmp_path, installed["workspace"], installed["python"])
    result = runner.run_step(paths="one.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert [name for name, marker in installed["planted"].items() if marker.exists()] == []
    outputs = runner.outputs()
    assert outputs["exit-code"] == "1" and int(outputs["findings"]) >= 2
    assert any(line.startswith("::error file=one.py") for line in annotation_lines(result))


# --- the documentation says what the action does -----------------------------------


def doc_blocks(name: str, lang: str) -> list[str]:
    text = (CHECKOUT / "docs" / name).read_text("utf-8")
    return re.findall(rf"```{lang}\n(.*?)```", text, re.S)


def test_the_copy_paste_workflow_has_the_permissions_sarif_needs():
    workflow = yaml.safe_load(doc_blocks("github-action.md", "yaml")[0])
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {
        "contents": "read",
        "security-events": "write",
        "actions": "read",
    }
    checkout, action = job["steps"]
    assert SHA_PIN.match(checkout["uses"]) and checkout["with"]["persist-credentials"] is False
    assert action["with"]["sarif"] is True
    assert set(action["with"]) <= set(load(ACTION)["inputs"])


def test_the_inputs_table_matches_action_yml():
    text = (CHECKOUT / "docs" / "github-action.md").read_text("utf-8")
    section = text.split("## Inputs", 1)[1].split("\n## ", 1)[0]
    documented = re.findall(r"^\| `([\w-]+)` \|\s*([^|]*?)\s*\|", section, re.M)
    inputs = load(ACTION)["inputs"]
    assert [name for name, _ in documented] == list(inputs)
    for name, default in documented:
        assert default.strip("`") == inputs[name]["default"], name


def test_pre_commit_snippets_are_valid_configs(tmp_path):
    blocks = doc_blocks("pre-commit.md", "yaml")
    full = [b for b in blocks if b.startswith("repos:") or "\n  - repo:" in b]
    assert full
    for i, body in enumerate(full):
        config = tmp_path / f"config{i}.yaml"
        config.write_text(body, "utf-8")
        out = subprocess.run(
            [sys.executable, "-m", "pre_commit", "validate-config", str(config)],
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, body + out.stdout + out.stderr
    hook_ids = {
        hook["id"] for hook in yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text())
    }
    for body in blocks:
        for hook_id in re.findall(r"- id: ([\w-]+)", body):
            assert hook_id in hook_ids, hook_id


def test_ci_and_pre_commit_use_the_same_ruff():
    config = yaml.safe_load((CHECKOUT / ".pre-commit-config.yaml").read_text("utf-8"))
    (ruff,) = [r for r in config["repos"] if r["repo"].endswith("/ruff-pre-commit")]
    ci = (CHECKOUT / ".github" / "workflows" / "ci.yml").read_text("utf-8")
    assert f'"ruff=={ruff["rev"].lstrip("v")}"' in ci


def test_repo_pre_commit_config_runs_flash_guard_on_examples():
    config = yaml.safe_load((CHECKOUT / ".pre-commit-config.yaml").read_text("utf-8"))
    (local,) = [r for r in config["repos"] if r["repo"] == "local"]
    (hook,) = local["hooks"]
    assert hook["entry"].startswith("flash-guard check")
    assert re.match(hook["files"], "examples/gpu_worker.py")
    assert not re.match(hook["files"], "flash_guard/cli.py")


def test_analysed_code_cannot_issue_workflow_commands(runner):
    # An endpoint name with a line break: the text report prints it as is.
    (runner.workspace / "evil.py").write_text(
        "from runpod_flash import Endpoint, GpuGroup\n\n"
        '@Endpoint(name="x\\n::error file=pwned.py::injected", gpu=GpuGroup.ANY)\n'
        "async def x(y): ...\n",
        "utf-8",
    )
    result = runner.run_step(paths="evil.py")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    stop = next(i for i, line in enumerate(lines) if line.startswith("::stop-commands::"))
    token = lines[stop].split("::")[2]
    assert len(token) >= 32
    resume = lines.index(f"::{token}::")
    # The reporters show the name's line break escaped, so no line starts the forged
    # command at all; stop-commands would still cover the text report if one did.
    injected = [i for i, line in enumerate(lines) if line.startswith("::error file=pwned.py")]
    assert injected == []
    assert any("x\\n::error file=pwned.py" in line for line in lines[stop:resume])
    # Our own annotations come after commands resume, with the name escaped.
    ours = [i for i, line in enumerate(lines) if line.split(",")[0].endswith(" file=evil.py")]
    assert ours and all(i > resume for i in ours)
    assert all("x\\n::error file=pwned.py" in lines[i] for i in ours if "pwned" in lines[i])


def test_a_run_without_flash_code_is_a_warning_annotation(tmp_path, project, action_python):
    # Why (issue 14): "A run that checks nothing passes."
    empty = Runner(tmp_path, project({"util.py": "X = 1\n"}), action_python)
    result = empty.run_step(paths=".")
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stdout.splitlines() if line.startswith(OUR_WARNING)]
    assert warnings == ["::warning title=flash-guard::no Flash endpoints found in ."]


# --- diff-aware runs: a pull request sees what it changes --------------------------------

OUR_WARNING = "::warning title=flash-guard::"
EXAMPLE_SUMMARY = CHECKOUT / "docs" / "examples" / "job-summary-diff.md"
# Fixed dates and names: the same commits, so the same merge base id, on every run.
FIXED_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Dev",
    "GIT_AUTHOR_EMAIL": "dev@example.com",
    "GIT_COMMITTER_NAME": "Dev",
    "GIT_COMMITTER_EMAIL": "dev@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
}


def pr_repository(root: Path) -> Path:
    """main (the base) with alpha and beta; the branch `feature` (HEAD) pins alpha's GPU,
    shortens its idle timeout, moves beta and adds gamma."""
    root.mkdir()

    def commit(*args: str) -> None:
        subprocess.run(
            ["git", *args],
            cwd=root,
            check=True,
            capture_output=True,
            env={**os.environ, **FIXED_GIT_ENV},
        )

    commit("init", "-q", "-b", "main")
    (root / "uv.lock").write_text(
        '[[package]]\nname = "runpod-flash"\nversion = "1.21.0"\n', "utf-8"
    )
    (root / "app.py").write_text(BASE, "utf-8")
    commit("add", ".")
    commit("commit", "-q", "-m", "base")
    commit("checkout", "-q", "-b", "feature")
    (root / "app.py").write_text(HEAD, "utf-8")
    commit("commit", "-q", "-am", "change")
    return root


def pull_request_event(runner: Runner, base_sha: str) -> None:
    event = runner.tmp / "event.json"
    event.write_text(json.dumps({"pull_request": {"base": {"sha": base_sha}}}), "utf-8")
    runner.extra_env.update(GITHUB_EVENT_NAME="pull_request", GITHUB_EVENT_PATH=str(event))


def run_on_pull_request(tmp: Path, python: str) -> tuple[Runner, subprocess.CompletedProcess]:
    """The run step on a pull request event whose base is `main` (GITHUB_EVENT_PATH only:
    the base input and PULL_REQUEST_BASE_SHA left empty)."""
    workspace = pr_repository(tmp / "workspace")
    runner = Runner(tmp, workspace, python)
    pull_request_event(runner, git(workspace, "rev-parse", "main"))
    return runner, runner.run_step()


def write_example_summary(python: str, tmp: Path) -> str:
    """docs/examples/job-summary-diff.md: the job summary of a pull request run."""
    runner, result = run_on_pull_request(tmp, python)
    assert result.returncode == 0, result.stdout + result.stderr
    return runner.summary.read_text("utf-8")


def test_pull_request_base_is_the_default_and_only_new_findings_are_annotated(
    tmp_path, action_python
):
    runner, result = run_on_pull_request(tmp_path, action_python)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "--diff-base " + git(runner.workspace, "rev-parse", "main") in result.stdout
    annotated = {
        re.search(r"title=(FG\d+)", line).group(1) + "@" + re.search(r"line=(\d+)", line).group(1)
        for line in annotation_lines(result)
    }
    # gamma's FG104 (new, line 7) and alpha's FG105 (updated, line 11); beta's FG104 is old.
    assert annotated == {"FG104@7", "FG105@11"}
    outputs = runner.outputs()
    assert (outputs["new-findings"], outputs["fixed-findings"]) == ("2", "1")
    assert outputs["findings"] == "2" and outputs["exit-code"] == "1"
    summary = runner.summary.read_text("utf-8")
    assert summary.startswith("# flash-guard: production readiness\n\n❌ 2 new or changed")
    changes = summary.index("## Changes since")
    assert changes < summary.index("| errors |") < summary.index("## Readiness scorecard")
    assert "**0 endpoints got less ready, 1 endpoint got more ready, 1 endpoint added**" in summary


def test_the_base_input_wins_and_a_push_checks_everything(tmp_path, action_python):
    workspace = pr_repository(tmp_path / "workspace")
    runner = Runner(tmp_path, workspace, action_python)
    result = runner.run_step()  # no event, no base: a push
    assert result.returncode == 0, result.stderr
    assert "--diff-base" not in result.stdout
    outputs = runner.outputs()
    # gamma's and beta's FG104, alpha's FG105, the app's FG308 (sunset SDK, info)
    assert outputs["new-findings"] == outputs["findings"] == "4"
    assert outputs["fixed-findings"] == "0"
    assert "## Changes since" not in runner.summary.read_text("utf-8")
    runner.extra_env["PULL_REQUEST_BASE_SHA"] = "0" * 40  # overridden by the input
    result = runner.run_step(base="main")
    assert result.returncode == 0, result.stderr
    assert "--diff-base main" in result.stdout
    assert runner.outputs_all("fixed-findings")[-1] == "1"


@pytest.mark.parametrize("bad", ["--upload-pack=touch x", "main branch", "a;b"])
def test_a_base_that_is_not_a_revision_is_refused(runner, bad):
    result = runner.run_step(base=bad)
    assert result.returncode == 2
    assert result.stdout.startswith("::error title=flash-guard::base: expected a commit or ref")
    assert runner.outputs()["exit-code"] == "2"


def plant_git_traps(workspace: Path, marker: Path) -> None:
    """Hooks and an fsmonitor command that a fetch would run if the action let it."""
    hooks = workspace / ".git" / "hooks"
    for hook in ("reference-transaction", "post-checkout", "post-merge", "pre-auto-gc"):
        (hooks / hook).write_text(f"#!/bin/sh\ntouch {marker}\n")
        (hooks / hook).chmod(0o755)
    git(workspace, "config", "core.fsmonitor", f"touch {marker} #")


def test_a_base_missing_from_a_shallow_checkout_is_fetched(tmp_path, action_python):
    origin = pr_repository(tmp_path / "origin")
    base_sha = git(origin, "rev-parse", "main")
    workspace = shallow_checkout(origin, tmp_path / "workspace")
    assert git(workspace, "rev-parse", "--is-shallow-repository") == "true"
    marker = tmp_path / "hook-ran"
    plant_git_traps(workspace, marker)
    runner = Runner(tmp_path, workspace, action_python)
    runner.extra_env["PULL_REQUEST_BASE_SHA"] = base_sha
    result = runner.run_step()
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"fetched the base commit {base_sha[:12]}" in result.stdout
    outputs = runner.outputs()
    assert (outputs["new-findings"], outputs["fixed-findings"]) == ("2", "1")
    assert not marker.exists()


def run_module():
    spec = importlib.util.spec_from_file_location("action_run", CHECKOUT / "action/run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_actions_git_turns_off_what_the_clis_git_turns_off():
    """run.py keeps a copy of the CLI's list (it may run beside another flash-guard release,
    so it does not import it): the two stay equal."""
    from flash_guard.project import files

    run = run_module()
    assert run.GIT_SAFE_CONFIG == files.GIT_SAFE_CONFIG
    # and only https and local paths, which GIT_ALLOW_PROTOCOL lets no configuration widen
    assert run.GIT_ALLOW_PROTOCOL == "https:file" and files.GIT_ALLOW_PROTOCOL == ""


@pytest.mark.parametrize(
    ("url", "key", "command"),
    [
        # a local origin: upload-pack is a command of the checkout's configuration
        (None, "remote.origin.uploadpack", "touch {marker}; git-upload-pack"),
        ("ssh://git@example.invalid/x.git", "core.sshCommand", "touch {marker}"),
        ("git://example.invalid/x.git", "core.gitProxy", "{proxy}"),
        ("ext::sh -c touch% {marker}", "protocol.ext.allow", "always"),
        ("fd::0", "protocol.fd.allow", "always"),
    ],
)
def test_the_base_fetch_runs_nothing_the_checkouts_config_names(
    tmp_path, action_python, url, key, command
):
    origin = pr_repository(tmp_path / "origin")
    base_sha = git(origin, "rev-parse", "main")
    workspace = shallow_checkout(origin, tmp_path / "workspace")
    marker = tmp_path / "config-ran"
    proxy = tmp_path / "proxy.sh"  # core.gitProxy runs a program, without a shell
    proxy.write_text(f"#!/bin/sh\ntouch {marker}\n")
    proxy.chmod(0o755)
    if url is not None:
        git(workspace, "remote", "set-url", "origin", url.format(marker=marker))
    git(workspace, "config", "protocol.allow", "always")
    for name in ("ssh", "git", "ext", "fd", "file"):
        git(workspace, "config", f"protocol.{name}.allow", "always")
    git(workspace, "config", key, command.format(marker=marker, proxy=proxy))
    runner = Runner(tmp_path, workspace, action_python)
    runner.extra_env["PULL_REQUEST_BASE_SHA"] = base_sha
    result = runner.run_step()
    assert result.returncode == 0, result.stdout + result.stderr
    assert not marker.exists()
    if url is None:  # the local origin is still fetched from, with the plain upload-pack
        assert f"fetched the base commit {base_sha[:12]}" in result.stdout


def test_a_base_that_cannot_be_fetched_falls_back_with_a_message(tmp_path, action_python):
    origin = pr_repository(tmp_path / "origin")
    base_sha = git(origin, "rev-parse", "main")
    workspace = shallow_checkout(origin, tmp_path / "workspace")
    # The token cannot read the repository: here, the remote is gone.
    git(workspace, "remote", "set-url", "origin", f"file://{tmp_path / 'gone'}")
    runner = Runner(tmp_path, workspace, action_python)
    runner.extra_env["PULL_REQUEST_BASE_SHA"] = base_sha
    result = runner.run_step()
    assert result.returncode == 0, result.stdout + result.stderr
    warnings = [line for line in result.stdout.splitlines() if line.startswith(OUR_WARNING)]
    assert len(warnings) == 1
    assert f"the base commit {base_sha[:12]} is not in this checkout" in warnings[0]
    assert "fetch-depth: 0" in warnings[0] and "reporting every finding" in warnings[0]
    outputs = runner.outputs()
    assert outputs["fixed-findings"] == "0" and outputs["new-findings"] == outputs["findings"]
    assert "## Changes since" not in runner.summary.read_text("utf-8")


def test_a_shallow_base_without_history_is_flash_guards_warning(tmp_path, action_python):
    # The base commit is there, but not the history joining it to HEAD, and the remote
    # cannot deepen it: flash-guard's own fallback message becomes the warning.
    origin = pr_repository(tmp_path / "origin")
    workspace = shallow_checkout(origin, tmp_path / "workspace")
    git(workspace, "fetch", "-q", "--depth", "1", "origin", "main:main")
    git(workspace, "remote", "set-url", "origin", f"file://{tmp_path / 'gone'}")
    runner = Runner(tmp_path, workspace, action_python)
    result = runner.run_step(base="main")
    assert result.returncode == 0, result.stdout + result.stderr
    warnings = [line for line in result.stdout.splitlines() if line.startswith(OUR_WARNING)]
    assert len(warnings) == 1 and "shallow clone" in warnings[0], result.stdout
    assert runner.outputs()["fixed-findings"] == "0"


def test_example_job_summary_is_current(tmp_path, action_python):
    """Regenerate with FLASH_GUARD_UPDATE_GOLDEN=1 pytest tests/test_action.py -k example."""
    text = write_example_summary(action_python, tmp_path)
    if os.environ.get("FLASH_GUARD_UPDATE_GOLDEN"):
        EXAMPLE_SUMMARY.parent.mkdir(parents=True, exist_ok=True)
        EXAMPLE_SUMMARY.write_text(text, "utf-8")
    assert EXAMPLE_SUMMARY.read_text("utf-8") == text
