"""Configuration: where it is found, what each key does, and how an invalid one fails.

design.md "Configuration": `.flash-guard.yaml` or `[tool.flash-guard]` in pyproject.toml,
the first found walking up from the working directory to the git root; `--config FILE`
overrides. An invalid config is exit 2 with `file:line: key: what is wrong`.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest
from conftest import SDK_LOCK, findings_of

# One GPU endpoint that passes every production item except FG101 (GpuGroup.ANY).
APP = """\
from runpod_flash import Endpoint, GpuGroup


@Endpoint(
    name="worker",
    gpu=GpuGroup.ANY,
    workers=(1, 3),
    execution_timeout_ms=60000,
    idle_timeout=1200,
)
async def worker(x):
    return x
"""
APP_FG101 = ("FG101", "app.py", 6, 9)


def codes(doc: dict) -> set[str]:
    return {f["code"] for f in doc["findings"]}


def write(root: Path, files: dict[str, str]) -> Path:
    # The root and every source directory lock the SDK, whichever directory a test checks
    # from (FG111 is not what these tests are about).
    apps = {rel.rpartition("/")[0] for rel in files if rel.endswith(".py")} | {""}
    files = {**{f"{a}/uv.lock" if a else "uv.lock": SDK_LOCK for a in apps}, **files}
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), "utf-8")
    return root


def git_init(path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(path)], check=True, capture_output=True)


def config_error(run_cli, cwd: Path, *args: str) -> str:
    """Run check, require exit 2 with a single line on stderr, and return that line."""
    code, out, err = run_cli(["check", ".", *args], cwd)
    assert code == 2, (out, err)
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


# -- where the configuration comes from ---------------------------------------------


def test_config_is_found_walking_up_to_the_git_root(check_json, tmp_path):
    repo = tmp_path / "repo"
    write(
        repo,
        {"services/api/app.py": APP, ".flash-guard.yaml": "rules: {FG101: {enabled: false}}\n"},
    )
    git_init(repo)
    # Above the git root: never read (its development profile would report FG401).
    write(tmp_path, {".flash-guard.yaml": "profile: development\n"})

    _, doc = check_json(repo / "services" / "api")
    assert doc["findings"] == []
    # The project root is the config's directory: paths are relative to it.
    assert [e["path"] for e in doc["endpoints"]] == ["services/api/app.py"]


def test_config_above_the_git_root_is_not_used(check_json, tmp_path):
    repo = tmp_path / "repo"
    write(repo, {"app.py": APP})
    git_init(repo)
    write(tmp_path, {".flash-guard.yaml": "rules: {FG101: {enabled: false}}\n"})
    _, doc = check_json(repo)
    assert findings_of(doc) == [APP_FG101]


def test_the_nearest_config_wins(check_json, tmp_path):
    repo = tmp_path / "repo"
    write(
        repo,
        {
            ".flash-guard.yaml": "rules: {FG101: {severity: info}}\n",
            "sub/.flash-guard.yaml": "rules: {FG101: {severity: warning}}\n",
            "sub/app.py": APP,
        },
    )
    git_init(repo)
    _, doc = check_json(repo / "sub")
    assert [f["severity"] for f in doc["findings"]] == ["warning"]
    # From the root too: a file uses the configuration nearest to it, wherever the run starts.
    _, doc = check_json(repo)
    assert [f["severity"] for f in doc["findings"]] == ["warning"]
    assert [f["path"] for f in doc["findings"]] == ["sub/app.py"]


def test_config_option_overrides_discovery(check_json, project):
    root = project(
        {
            "app.py": APP,
            ".flash-guard.yaml": "rules: {FG101: {severity: info}}\n",
            "ci/strict.yaml": "rules: {FG101: {severity: warning}}\n",
        }
    )
    _, doc = check_json(root)
    assert [f["severity"] for f in doc["findings"]] == ["info"]
    _, doc = check_json(root, "--config", "ci/strict.yaml")
    assert [f["severity"] for f in doc["findings"]] == ["warning"]


def test_pyproject_tool_table_is_a_config(check_json, project):
    root = project(
        {
            "app.py": APP,
            "pyproject.toml": """\
                [project]
                name = "app"

                [tool.flash-guard]
                fail_on = "warning"

                [tool.flash-guard.rules.gpu-not-pinned]
                severity = "warning"
                """,
        }
    )
    code, doc = check_json(root)
    assert [(f["code"], f["severity"]) for f in doc["findings"]] == [("FG101", "warning")]
    assert code == 1  # fail_on: warning, from the same table


def test_pyproject_without_the_table_does_not_stop_the_search(check_json, tmp_path):
    repo = tmp_path / "repo"
    write(
        repo,
        {
            ".flash-guard.yaml": "rules: {FG101: {enabled: false}}\n",
            "pkg/pyproject.toml": '[project]\nname = "pkg"\n',
            "pkg/app.py": APP,
        },
    )
    git_init(repo)
    _, doc = check_json(repo / "pkg")
    assert doc["findings"] == []


def test_no_config_means_the_production_defaults(check_json, project):
    code, doc = check_json(project({"app.py": APP}))
    assert code == 1
    assert findings_of(doc) == [APP_FG101]
    assert doc["findings"][0]["severity"] == "error"
    assert doc["findings"][0]["profile"] == "production"


# -- rules: enabled, severity, params ------------------------------------------------


@pytest.mark.parametrize("name", ["FG101", "gpu-not-pinned"])
def test_rule_can_be_switched_off_by_code_or_slug(check_json, project, name):
    root = project({"app.py": APP, ".flash-guard.yaml": f"rules: {{{name}: {{enabled: false}}}}\n"})
    code, doc = check_json(root)
    assert (code, doc["findings"]) == (0, [])


@pytest.mark.parametrize("name", ["FG101", "gpu-not-pinned"])
def test_rule_severity_by_code_or_slug(check_json, project, name):
    root = project({"app.py": APP, ".flash-guard.yaml": f"rules: {{{name}: {{severity: info}}}}\n"})
    code, doc = check_json(root)
    assert [(f["code"], f["severity"]) for f in doc["findings"]] == [("FG101", "info")]
    assert code == 0  # fail_on stays error


IDLE_APP = """\
from runpod_flash import Endpoint, GpuType

COMMON = dict(gpu=GpuType.NVIDIA_L4, workers=(1, 3), execution_timeout_ms=60000)


@Endpoint(name="short", idle_timeout=60, **COMMON)
async def short(x):
    return x


@Endpoint(name="long", idle_timeout=1200, **COMMON)
async def long(x):
    return x
"""


def test_check_params_by_slug(check_json, project):
    _, doc = check_json(project({"app.py": IDLE_APP}))
    assert [f["endpoint"] for f in doc["findings"]] == ["short"]

    config = "rules:\n  idle-timeout-range:\n    params: {queue_range: [30, 120]}\n"
    _, doc = check_json(project({"app.py": IDLE_APP, ".flash-guard.yaml": config}))
    assert [(f["code"], f["endpoint"]) for f in doc["findings"]] == [("FG105", "long")]
    assert "30-120 s" in doc["findings"][0]["message"]


LB_APP = """\
from runpod_flash import Endpoint

api = Endpoint(name="api", cpu="cpu3c-1-2", workers=(1, 3), execution_timeout_ms=60000,
               idle_timeout=1200)


@api.get("/health")
async def health():
    return {"ok": True}
"""


def test_declarative_params_by_code(check_json, project):
    code, doc = check_json(project({"app.py": LB_APP}))
    assert (code, doc["findings"]) == (0, [])
    config = "rules:\n  FG102:\n    params: {min_workers: 2}\n"
    code, doc = check_json(project({"app.py": LB_APP, ".flash-guard.yaml": config}))
    assert findings_of(doc) == [("FG102", "app.py", 3, 54)]
    assert code == 1


# -- the user's own checklist items ---------------------------------------------------

USER_ITEMS = """\
checklist:
  - id: ACME001
    slug: us-datacenters-only
    title: Production GPU endpoints run in our US datacenters
    severity: error
    when:
      kind: [queue, load_balancer]
      compute: gpu
      name: "*-prod"
      path: "services/**"
    require:
      datacenter: {subset_of: [US_CA_2, US_IL_1]}
    message: "{endpoint}: datacenter {value} is outside the US set"
    fix: "Set datacenter=[DataCenter.US_CA_2]"
  - id: ACME002
    slug: small-fleet
    title: Nobody scales past the fleet limit
    severity: warning
    params: {limit: 4}
    require:
      workers.max: {lte: $limit}
    message: "{endpoint} may scale to {value} workers (limit {limit})"
rules:
  FG101: {enabled: false}
"""

USER_APP = """\
from runpod_flash import DataCenter, Endpoint, GpuType

BASE = dict(gpu=GpuType.NVIDIA_L4, execution_timeout_ms=60000, idle_timeout=1200)


@Endpoint(name="a-prod", datacenter=DataCenter.EU_RO_1, workers=(1, 8), **BASE)
async def outside(x):
    return x


@Endpoint(name="b-prod", datacenter=[DataCenter.US_CA_2, "US-IL-1"], workers=(1, 4), **BASE)
async def inside(x):
    return x


@Endpoint(name="c-dev", datacenter=DataCenter.EU_RO_1, workers=(1, 2), **BASE)
async def not_prod_name(x):
    return x


@Endpoint(name="d-prod", cpu="cpu3c-1-2", datacenter=DataCenter.EU_RO_1, workers=(1, 2),
          execution_timeout_ms=60000, idle_timeout=1200)
async def on_cpu(x):
    return x
"""


def test_user_items_fire_and_pass(check_json, project):
    root = project(
        {
            ".flash-guard.yaml": USER_ITEMS,
            "services/app.py": USER_APP,
            "tools/app.py": USER_APP.replace("-prod", "-tool-prod"),
        }
    )
    code, doc = check_json(root)
    acme1 = [f for f in doc["findings"] if f["code"] == "ACME001"]
    # Only the GPU endpoint named *-prod under services/ outside the US set.
    assert [(f["path"], f["line"], f["column"], f["endpoint"]) for f in acme1] == [
        ("services/app.py", 6, 37, "a-prod")
    ]
    assert acme1[0]["message"].startswith("`a-prod`: datacenter ")
    assert "EU_RO_1" in acme1[0]["message"]
    assert acme1[0]["slug"] == "us-datacenters-only"
    assert acme1[0]["severity"] == "error"
    assert acme1[0]["fix"] == "Set datacenter=[DataCenter.US_CA_2]"
    assert code == 1

    acme2 = [f for f in doc["findings"] if f["code"] == "ACME002"]
    # `when`-less: every endpoint in every file; (1, 4) is at the limit and passes.
    assert sorted((f["path"], f["endpoint"]) for f in acme2) == [
        ("services/app.py", "a-prod"),
        ("tools/app.py", "a-tool-prod"),
    ]
    assert {f["message"] for f in acme2} == {
        "`a-prod` may scale to 8 workers (limit 4)",
        "`a-tool-prod` may scale to 8 workers (limit 4)",
    }


def test_user_item_params_can_be_overridden(check_json, project):
    config = USER_ITEMS + "  small-fleet:\n    params: {limit: 8}\n"
    _, doc = check_json(project({".flash-guard.yaml": config, "services/app.py": USER_APP}))
    assert "ACME002" not in codes(doc)
    assert "ACME001" in codes(doc)


def test_user_item_limited_to_a_profile(check_json, project):
    config = USER_ITEMS.replace(
        "    params: {limit: 4}\n", "    params: {limit: 4}\n    profiles: [development]\n"
    )
    files = {".flash-guard.yaml": config, "services/app.py": USER_APP}
    _, doc = check_json(project(files))
    assert "ACME002" not in codes(doc)
    _, doc = check_json(project(files), "--profile", "development")
    assert "ACME002" in codes(doc)


# -- exclude and fail_on ---------------------------------------------------------------


def test_exclude_globs(check_json, project):
    files = {"app.py": APP, "legacy/old.py": APP, "legacy/deep/older.py": APP}
    _, doc = check_json(project(files))
    assert {f["path"] for f in doc["findings"]} == set(files)
    files[".flash-guard.yaml"] = 'exclude: ["legacy/**"]\n'
    _, doc = check_json(project(files))
    assert {f["path"] for f in doc["findings"]} == {"app.py"}
    assert [e["path"] for e in doc["endpoints"]] == ["app.py"]


WARNING_ONLY = """\
rules:
  FG101: {severity: warning}
"""


@pytest.mark.parametrize(
    ("fail_on", "expected"), [("error", 0), ("warning", 1), ("info", 1), ("never", 0)]
)
def test_fail_on_from_config(run_cli, project, fail_on, expected):
    root = project({"app.py": APP, ".flash-guard.yaml": WARNING_ONLY + f"fail_on: {fail_on}\n"})
    code, out, _ = run_cli(["check", "."], root)
    assert "FG101 [warning]" in out
    assert code == expected


def test_fail_on_option_beats_config(run_cli, project):
    root = project({"app.py": APP, ".flash-guard.yaml": "fail_on: never\n"})
    assert run_cli(["check", "."], root)[0] == 0
    assert run_cli(["check", ".", "--fail-on", "error"], root)[0] == 1


def test_require_suppression_reason(check_json, project):
    app = APP.replace("gpu=GpuGroup.ANY,", "gpu=GpuGroup.ANY,  # flash-guard: ignore[FG101]")
    _, doc = check_json(project({"app.py": app}))
    assert doc["findings"] == []
    root = project({"app.py": app, ".flash-guard.yaml": "require_suppression_reason: true\n"})
    _, doc = check_json(root)
    # Without a reason the suppression is invalid: FG003, and FG101 is back.
    assert findings_of(doc) == [("FG003", "app.py", 6, 24), APP_FG101]


# -- invalid configurations: exit 2, `file:line: key: problem` --------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("profile: production\nrules: [unclosed\n", ".flash-guard.yaml:3: invalid YAML"),
        ("profile: production\nprofil: development\n", ".flash-guard.yaml:2: profil: unknown key"),
        ("profile: staging\n", ".flash-guard.yaml:1: profile: unknown profile `staging`"),
        (
            "rules:\n  FG999: {enabled: false}\n",
            ".flash-guard.yaml:2: rules.FG999: unknown rule code or slug",
        ),
        (
            "rules:\n  gpu-not-pined: {severity: info}\n",
            ".flash-guard.yaml:2: rules.gpu-not-pined: unknown rule code or slug",
        ),
        (
            "rules:\n  FG101:\n    params:\n      allow_group: false\n",
            ".flash-guard.yaml:4: rules.FG101.params.allow_group: unknown parameter",
        ),
        (
            "rules:\n  FG105:\n    params:\n      queue_range: 900\n",
            ".flash-guard.yaml:4: rules.FG105.params.queue_range: expected a list",
        ),
        (
            "rules:\n  FG102:\n    params: {min_worker: 2}\n",
            ".flash-guard.yaml:3: rules.FG102.params.min_worker: unknown parameter",
        ),
        (
            "rules:\n  FG101:\n    severity: fatal\n",
            ".flash-guard.yaml:3: rules.FG101.severity: must be one of",
        ),
        (
            "rules:\n  FG101:\n    enabled: nope\n",
            ".flash-guard.yaml:3: rules.FG101.enabled: must be true or false",
        ),
        ("fail_on: sometimes\n", ".flash-guard.yaml:1: fail_on: must be one of"),
        (
            "profiles:\n  staging:\n    paths: [x]\n",
            ".flash-guard.yaml:2: profiles.staging: unknown profile",
        ),
        ("exclude: legacy/**\n", ".flash-guard.yaml:1: exclude: must be a list of strings"),
        # A declarative rule's parameter is checked like a check's: `max: "3"` was accepted
        # and failed every endpoint (a string is no number to compare with).
        (
            "rules:\n  FG402:\n    params: {max: '3'}\n",
            ".flash-guard.yaml:3: rules.FG402.params.max: expected a whole number like the "
            "default 3, got '3'",
        ),
        (
            "rules:\n  FG104:\n    params: {fix_execution_timeout_ms: abc}\n",
            ".flash-guard.yaml:3: rules.FG104.params.fix_execution_timeout_ms: expected a whole "
            "number",
        ),
        (
            "profiles:\n  staging:\n    extends: production\n    rules:\n"
            "      FG103: {params: {min_workers: .nan}}\n",
            ".flash-guard.yaml:5: profiles.staging.rules.FG103.params.min_workers: expected a "
            "whole number",
        ),
        # A range upside down: no idle timeout is inside it, so every endpoint failed.
        (
            "rules:\n  FG105:\n    params:\n      queue_range: [1800, 900]\n",
            ".flash-guard.yaml:4: rules.FG105.params.queue_range: the low end 1800 is above the "
            "high end 900",
        ),
    ],
    ids=[
        "bad-yaml",
        "unknown-key",
        "unknown-profile",
        "unknown-rule-code",
        "unknown-rule-slug",
        "unknown-check-param",
        "bad-check-param-type",
        "unknown-declarative-param",
        "bad-severity",
        "bad-enabled",
        "bad-fail-on",
        "unknown-profile-in-map",
        "exclude-not-a-list",
        "declarative-param-type",
        "fix-param-type",
        "profile-declarative-param-nan",
        "reversed-range",
    ],
)
def test_invalid_config_is_one_line_exit_2(run_cli, project, text, expected):
    root = project({"app.py": APP, ".flash-guard.yaml": text})
    line = config_error(run_cli, root)
    assert line.startswith("flash-guard: error: " + expected), line


def item(**overrides) -> str:
    """A user checklist item as YAML, starting on line 2 of the file."""
    fields = {
        "id": "ACME001",
        "slug": "acme-rule",
        "title": "A rule",
        "severity": "warning",
        "require": "{workers.max: {lte: 3}}",
        **overrides,
    }
    body = "".join(f"    {k}: {v}\n" for k, v in fields.items() if v is not None)
    return "checklist:\n  -" + body[3:]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            item(require="\n      workers.max: {at_most: 3}"),
            ".flash-guard.yaml:7: checklist[0].require.workers.max.at_most: unknown operator",
        ),
        (
            item(require="\n      idle_timeout: {between: 5}"),
            ".flash-guard.yaml:7: checklist[0].require.idle_timeout.between: `between` needs",
        ),
        (
            item(require="\n      workers.max: {lte: three}"),
            ".flash-guard.yaml:7: checklist[0].require.workers.max.lte: `lte` needs a number",
        ),
        (
            item(require="\n      name: {matches: '(unclosed'}"),
            ".flash-guard.yaml:7: checklist[0].require.name.matches: `matches` has an invalid",
        ),
        (item(id="FG900"), ".flash-guard.yaml:2: checklist[0].id: the FG prefix is reserved"),
        (item(id="acme"), ".flash-guard.yaml:2: checklist[0].id: `acme` is not a rule code"),
        (item(title=None), ".flash-guard.yaml:2: checklist[0]: missing required key `title`"),
        (
            item(when="{kind: lambda}"),
            ".flash-guard.yaml:7: checklist[0].when.kind: unknown kind `lambda`",
        ),
        (item(when="{color: red}"), ".flash-guard.yaml:7: checklist[0].when.color: unknown filter"),
        (item(profiles="[staging]"), ".flash-guard.yaml:7: checklist[0].profiles: unknown profile"),
        (item(check="no-such-check"), ".flash-guard.yaml:2: checklist[0]: an item needs exactly"),
        (item(colour="red"), ".flash-guard.yaml:7: checklist[0].colour: unknown key"),
    ],
    ids=[
        "unknown-operator",
        "between-not-a-pair",
        "lte-not-a-number",
        "bad-regex",
        "reserved-prefix",
        "bad-id",
        "missing-title",
        "bad-kind",
        "unknown-filter",
        "unknown-item-profile",
        "check-and-require",
        "unknown-item-key",
    ],
)
def test_invalid_user_item_is_one_line_exit_2(run_cli, project, text, expected):
    root = project({"app.py": APP, ".flash-guard.yaml": text})
    line = config_error(run_cli, root)
    assert line.startswith("flash-guard: error: " + expected), line


# Why: "Custom checklist items are not validated: `workers.mn: {gte: 1}` fires on every
# endpoint, `datacentre: {...}` silently passes". One test per error kind.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            item(require="\n      workers.mn: {gte: 1}"),
            ".flash-guard.yaml:7: checklist[0].require.workers.mn: unknown attribute "
            "(did you mean `workers.min`?)",
        ),
        (
            item(require="\n      datacentre: {contains: US_IL_1}"),
            ".flash-guard.yaml:7: checklist[0].require.datacentre: unknown attribute "
            "(did you mean `datacenter`?)",
        ),
        (
            item(require="\n      gpu: {gte: 1}"),
            ".flash-guard.yaml:7: checklist[0].require.gpu.gte: `gte` does not apply to `gpu`, "
            "a list (use one of: equals, not_equals, exists, absent, contains, not_contains, "
            "subset_of, in, not_in)",
        ),
        (
            item(require="\n      flashboot: {contains: x}"),
            ".flash-guard.yaml:7: checklist[0].require.flashboot.contains: `contains` does not "
            "apply to `flashboot`, a bool (use one of: equals, not_equals, exists, absent)",
        ),
        (
            item(require="\n      workers.max: {lte: $maxx}", params="{max: 3}"),
            ".flash-guard.yaml:7: checklist[0].require.workers.max.lte: unknown parameter "
            "`$maxx` (did you mean `max`?)",
        ),
        (
            item(require="\n      workers.max: {lte: $max}"),
            ".flash-guard.yaml:7: checklist[0].require.workers.max.lte: unknown parameter `$max` "
            "(the item has no params)",
        ),
        (
            item(require="\n      workers.max: {lt_e: 3}"),
            ".flash-guard.yaml:7: checklist[0].require.workers.max.lt_e: unknown operator "
            "`lt_e` (did you mean `lte`?)",
        ),
        (
            item(when="{kind: loadbalancer}"),
            ".flash-guard.yaml:7: checklist[0].when.kind: unknown kind `loadbalancer` "
            "(did you mean `load_balancer`?)",
        ),
        (
            item(when="{compute: gpus}"),
            ".flash-guard.yaml:7: checklist[0].when.compute: unknown compute `gpus` "
            "(did you mean `gpu`?)",
        ),
        (
            item(when="{knd: queue}"),
            ".flash-guard.yaml:7: checklist[0].when.knd: unknown filter (did you mean `kind`?)",
        ),
        (
            item(require="\n      idle_timeout: {between: [1800, 900]}"),
            ".flash-guard.yaml:7: checklist[0].require.idle_timeout.between: `between` needs "
            "[low, high] with low <= high, got [1800, 900]",
        ),
        (
            item(require="\n      workers.max: {lte: $max}", params="{max: 3}")
            + "rules:\n  ACME001: {params: {max: [4]}}\n",
            ".flash-guard.yaml:10: rules.ACME001.params.max: expected a whole number like the "
            "default 3, got [4]",
        ),
    ],
    ids=[
        "unknown-attribute",
        "misspelled-attribute",
        "gte-on-a-list",
        "contains-on-a-bool",
        "unknown-param",
        "param-without-params",
        "misspelled-operator",
        "unknown-when-kind",
        "unknown-when-compute",
        "unknown-when-filter",
        "between-upside-down",
        "user-param-override-type",
    ],
)
def test_checklist_language_is_validated_like_code(run_cli, project, text, expected):
    root = project({"app.py": APP, ".flash-guard.yaml": text})
    line = config_error(run_cli, root)
    assert line == "flash-guard: error: " + expected, line


@pytest.mark.parametrize(("code", "ok"), [("X001", True), ("ACME001", True), ("ACME1", False)])
def test_a_user_code_is_letters_then_three_digits(run_cli, project, code, ok):
    # docs/custom-checklist.md: "letters then three digits"; one letter was refused.
    root = project({"app.py": APP, ".flash-guard.yaml": item(id=code)})
    result, out, err = run_cli(["rules"], root)
    if ok:
        assert result == 0 and code in out, err
    else:
        assert result == 2 and f"`{code}` is not a rule code" in err, err


def test_user_item_cannot_take_a_builtin_slug(run_cli, project):
    # It could: `ignore[gpu-not-pinned]` then suppressed the user item, `--ignore
    # gpu-not-pinned` dropped FG101.
    root = project({"app.py": APP, ".flash-guard.yaml": item(slug="gpu-not-pinned")})
    line = config_error(run_cli, root)
    assert line == (
        "flash-guard: error: .flash-guard.yaml:3: checklist[0].slug: `gpu-not-pinned` is "
        "already the slug of FG101"
    ), line


def test_user_items_cannot_share_a_slug(run_cli, project):
    text = item() + item(id="ACME002")[len("checklist:\n") :]
    root = project({"app.py": APP, ".flash-guard.yaml": text})
    line = config_error(run_cli, root)
    assert line.startswith("flash-guard: error: .flash-guard.yaml:8: checklist[1].slug:"), line
    assert "`acme-rule` is already the slug of ACME001" in line


def test_env_keys_are_open(run_cli, project):
    text = item(require="\n      env.HF_TOKEN: {exists: true}")
    root = project({"app.py": APP, ".flash-guard.yaml": text})
    code, _, err = run_cli(["check", "."], root)
    assert code in (0, 1), err


def test_user_item_cannot_reuse_a_builtin_code_twice(run_cli, project):
    text = item() + item()[len("checklist:\n") :]
    root = project({"app.py": APP, ".flash-guard.yaml": text})
    line = config_error(run_cli, root)
    assert line.startswith("flash-guard: error: .flash-guard.yaml:7: checklist[1].id:"), line
    assert "already defined" in line


def test_invalid_pyproject_table_names_the_line(run_cli, project):
    root = project(
        {
            "app.py": APP,
            "pyproject.toml": '[project]\nname = "app"\n\n[tool.flash-guard]\nprofil = "cost"\n',
        }
    )
    line = config_error(run_cli, root)
    assert line.startswith("flash-guard: error: pyproject.toml:5: profil: unknown key"), line


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"# caf\xe9\n[tool.flash-guard]\nprofile = 'cost'\n", "not UTF-8"),
        (b"[tool.flash-guard]\n" + b"#" * (16 * 2**20) + b"\n", "larger than"),
    ],
    ids=["latin-1", "too-big"],
)
def test_a_pyproject_that_cannot_be_read_is_an_error_not_no_configuration(
    run_cli, project, content, why
):
    # It was taken for "no [tool.flash-guard] here": the configuration silently dropped.
    root = project({"app.py": APP})
    (root / "pyproject.toml").write_bytes(content)
    line = config_error(run_cli, root)
    assert line.startswith("flash-guard: error: "), line
    assert f"pyproject.toml: cannot read: {why}" in line


@pytest.mark.parametrize("kind", ["dangling-symlink", "fifo", "directory"])
@pytest.mark.parametrize("name", [".flash-guard.yaml", "pyproject.toml"])
def test_a_configuration_name_that_is_not_a_readable_file_is_an_error(run_cli, project, kind, name):
    import os

    root = project({"app.py": APP})
    target = root / name
    if kind == "dangling-symlink":
        target.symlink_to("missing.yaml")
        why = "a symlink to a missing file"
    elif kind == "fifo":
        os.mkfifo(target)
        why = "not a regular file"
    else:
        target.mkdir()
        why = "it is a directory"
    line = config_error(run_cli, root)
    assert f"{name}" in line and f"cannot read: {why}" in line, line
    assert "missing.yaml" not in line  # named as it stands, not by its link's target


def test_invalid_config_given_with_option(run_cli, project):
    root = project({"app.py": APP, "ci/bad.yaml": "rules:\n  FG101: {enabled: maybe}\n"})
    line = config_error(run_cli, root, "--config", "ci/bad.yaml")
    assert "ci/bad.yaml:2: rules.FG101.enabled: must be true or false" in line


def test_missing_config_given_with_option(run_cli, project):
    root = project({"app.py": APP})
    line = config_error(run_cli, root, "--config", "nowhere.yaml")
    assert line.startswith("flash-guard: error: nowhere.yaml"), line


def test_json_output_is_not_written_on_a_config_error(run_cli, project):
    root = project({"app.py": APP, ".flash-guard.yaml": "profil: x\n"})
    code, out, err = run_cli(["check", "--format", "json", "."], root)
    assert code == 2
    assert out == ""
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)
    assert err.startswith("flash-guard: error: .flash-guard.yaml:1:")


# -- hierarchical configuration (issue 14) ------------------------------------------------

MONOREPO = {
    "services/imagegen/.flash-guard.yaml": "rules: {FG101: {severity: warning}}\n",
    "services/imagegen/app.py": APP,
    "services/chat/pyproject.toml": "[tool.flash-guard]\nrules = {FG101 = {enabled = false}}\n",
    "services/chat/app.py": APP,
    "tools/app.py": APP,
}


def test_a_monorepo_gives_each_app_its_own_settings(check_json, tmp_path):
    repo = tmp_path / "mono"
    write(repo, MONOREPO)
    git_init(repo)
    _, doc = check_json(repo)
    by_path = {f["path"]: f["severity"] for f in doc["findings"] if f["code"] == "FG101"}
    # imagegen: a warning by its config; chat: disabled by its pyproject; tools: the default.
    assert by_path == {"services/imagegen/app.py": "warning", "tools/app.py": "error"}


def test_config_is_found_from_the_paths_not_the_working_directory(run_cli, tmp_path):
    # Why: "`flash-guard check services/imagegen` from a monorepo root ignores
    # services/imagegen/.flash-guard.yaml".
    repo = tmp_path / "mono"
    write(repo, MONOREPO)
    git_init(repo)
    code, out, err = run_cli(["check", "--format", "json", "services/imagegen"], repo)
    assert code == 0, err  # a warning does not fail the run
    assert [f["severity"] for f in json.loads(out)["findings"]] == ["warning"]


def test_outside_git_the_parent_pyproject_is_found_from_the_path(run_cli, tmp_path):
    # Why: "outside git, `cd sub && flash-guard check ..` ignores ../pyproject.toml".
    root = tmp_path / "plain"
    write(
        root,
        {
            "pyproject.toml": "[tool.flash-guard]\nrules = {FG101 = {enabled = false}}\n",
            "app.py": APP,
            "sub/notes.txt": "x\n",
        },
    )
    code, out, err = run_cli(["check", "--format", "json", ".."], root / "sub")
    assert code == 0, err
    assert "FG101" not in codes(json.loads(out))


def test_both_config_files_in_one_directory_is_an_error(run_cli, project):
    # Why: "with both .flash-guard.yaml and [tool.flash-guard] present the pyproject table
    # is silently ignored".
    root = project(
        {
            ".flash-guard.yaml": "fail_on: error\n",
            "pyproject.toml": '[tool.flash-guard]\nfail_on = "warning"\n',
            "app.py": APP,
        }
    )
    code, out, err = run_cli(["check", "."], root)
    assert (code, out) == (2, "")
    assert ".flash-guard.yaml" in err and "pyproject.toml" in err
    assert len(err.strip().splitlines()) == 1


def test_a_nested_config_extends_its_parent(check_json, tmp_path):
    repo = tmp_path / "repo"
    write(
        repo,
        {
            ".flash-guard.yaml": "rules: {FG101: {severity: info}}\nfail_on: warning\n",
            "app/.flash-guard.yaml": "extend: ../.flash-guard.yaml\nfail_on: error\n",
            "app/app.py": APP,
            "plain/.flash-guard.yaml": "fail_on: error\n",
            "plain/app.py": APP,
        },
    )
    git_init(repo)
    code, doc = check_json(repo)
    severities = {f["path"]: f["severity"] for f in doc["findings"] if f["code"] == "FG101"}
    # app/ inherits the severity and overrides fail_on; plain/ does not extend anything.
    assert severities == {"app/app.py": "info", "plain/app.py": "error"}
    assert code == 1


@pytest.mark.parametrize("key", ["extend", "extends"])
def test_extends_is_read_as_extend(check_json, run_cli, tmp_path, key):
    # `extends` is the word `profiles:` uses for a profile's parent: a configuration that
    # writes it for its parent file means the same, not "unknown key".
    repo = tmp_path / "repo"
    write(
        repo,
        {
            ".flash-guard.yaml": "rules: {FG101: {severity: info}}\n",
            "app/.flash-guard.yaml": f"{key}: ../.flash-guard.yaml\n",
            "app/app.py": APP,
        },
    )
    git_init(repo)
    _, doc = check_json(repo / "app")
    assert {f["severity"] for f in doc["findings"] if f["code"] == "FG101"} == {"info"}
    (repo / "app/.flash-guard.yaml").write_text(f"{key}: missing.yaml\n")
    code, _, err = run_cli(["check", "."], repo / "app")
    assert code == 2 and f".flash-guard.yaml:1: {key}: `missing.yaml`: no such file" in err


def test_extend_and_extends_together_are_a_config_error(run_cli, project):
    root = project({".flash-guard.yaml": "extend: a.yaml\nextends: a.yaml\n", "app.py": APP})
    code, _, err = run_cli(["check", "."], root)
    assert code == 2 and "`extend` and `extends` are the same key" in err


def test_fail_on_follows_each_files_configuration(check_json, tmp_path):
    repo = tmp_path / "repo"
    write(
        repo,
        {
            "a/.flash-guard.yaml": "rules: {FG101: {severity: warning}}\nfail_on: warning\n",
            "a/app.py": APP,
            "b/.flash-guard.yaml": "rules: {FG101: {severity: warning}}\n",
            "b/app.py": APP,
        },
    )
    git_init(repo)
    assert check_json(repo / "b")[0] == 0
    assert check_json(repo / "a")[0] == 1
    assert check_json(repo)[0] == 1


@pytest.mark.parametrize(
    "extend, problem",
    [("missing.yaml", "no such file"), (".flash-guard.yaml", "cycle"), ("[1]", "must be")],
)
def test_a_bad_extend_is_a_config_error(run_cli, project, extend, problem):
    root = project({".flash-guard.yaml": f"extend: {extend}\n", "app.py": APP})
    code, _, err = run_cli(["check", "."], root)
    assert code == 2
    assert ".flash-guard.yaml:1: extend:" in err and problem in err


SECRET = "AKIAEXAMPLESECRET"


def outside_secrets(tmp_path: Path) -> Path:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "creds.yaml").write_text(f"aws_secret_access_key: {SECRET}\n")
    (secrets / "other.yaml").write_text(f"profile: {SECRET}\n")
    return secrets


def one_line_error(run_cli, cwd: Path) -> str:
    code, out, err = run_cli(["check", "--no-cache", "."], cwd)
    assert code == 2 and out == "", (out, err)
    assert len(err.strip().splitlines()) == 1, err
    return err.strip()


@pytest.mark.parametrize("target", ["ABS/creds.yaml", "../secrets/other.yaml"])
def test_extend_never_leaves_the_repository(run_cli, tmp_path, target):
    secrets = outside_secrets(tmp_path)
    repo = write(tmp_path / "repo", {"app.py": APP})
    git_init(repo)
    target = target.replace("ABS", str(secrets))
    (repo / ".flash-guard.yaml").write_text(f"extend: {target}\n")
    err = one_line_error(run_cli, repo)
    assert f".flash-guard.yaml:1: extend: `{target}` is outside the repository" in err
    assert SECRET not in err and "aws_secret" not in err


@pytest.mark.parametrize("target", ["/proc/self/environ", "/dev/zero", "/proc/self/status"])
def test_extend_never_reads_kernel_or_device_files(run_cli, project, target):
    root = project({"app.py": APP, ".flash-guard.yaml": f"extend: {target}\n"})
    err = one_line_error(run_cli, root)
    assert f".flash-guard.yaml:1: extend: `{target}` is not a configuration file" in err


def test_a_config_symlink_out_of_the_repository_is_not_read(run_cli, tmp_path):
    secrets = outside_secrets(tmp_path)
    repo = write(tmp_path / "repo", {"app.py": APP})
    git_init(repo)
    (repo / ".flash-guard.yaml").symlink_to(secrets / "other.yaml")
    err = one_line_error(run_cli, repo)
    assert "a symlink to a file outside the repository; not read" in err
    assert SECRET not in err


def test_outside_git_an_outside_extend_error_does_not_show_the_file(run_cli, tmp_path):
    # No repository to stay in (configurations are searched up to the filesystem root): the
    # file is read, but its error names it without quoting it.
    outside_secrets(tmp_path)
    repo = write(tmp_path / "repo", {"app.py": APP})
    (repo / ".flash-guard.yaml").write_text("extend: ../secrets/creds.yaml\n")
    err = one_line_error(run_cli, repo)
    assert "../secrets/creds.yaml: not a valid configuration" in err
    assert SECRET not in err and "aws_secret" not in err


def test_a_nested_app_still_extends_the_repository_root(check_json, tmp_path):
    repo = write(
        tmp_path / "repo",
        {
            ".flash-guard.yaml": "rules: {FG101: {severity: info}}\n",
            "services/a/.flash-guard.yaml": "extend: ../../.flash-guard.yaml\n",
            "services/a/app.py": APP,
        },
    )
    git_init(repo)
    _, doc = check_json(repo / "services" / "a")
    assert [(f["code"], f["severity"]) for f in doc["findings"]] == [("FG101", "info")]


def test_a_submodule_app_extends_its_superprojects_configuration(check_json, tmp_path):
    # A repository inside another (a submodule's work tree lies in the superproject's): the
    # superproject's configuration is not "outside the repository" for the inner one.
    repo = write(
        tmp_path / "super",
        {
            ".flash-guard.yaml": "rules: {FG101: {severity: info}}\n",
            "libs/sub/apps/a/.flash-guard.yaml": "extend: ../../../../.flash-guard.yaml\n",
            "libs/sub/apps/a/app.py": APP,
        },
    )
    git_init(repo)
    git_init(repo / "libs" / "sub")
    _, doc = check_json(repo / "libs" / "sub" / "apps" / "a")
    assert [(f["code"], f["severity"]) for f in doc["findings"]] == [("FG101", "info")]


def test_outside_git_a_config_symlink_may_lead_anywhere(check_json, tmp_path):
    # As `extend:` may there: a monorepo without git sharing one configuration by symlink.
    write(tmp_path / "mono", {"shared/fg.yaml": "rules: {FG101: {severity: info}}\n"})
    app = write(tmp_path / "mono" / "app", {"app.py": APP})
    (app / ".flash-guard.yaml").symlink_to("../shared/fg.yaml")
    _, doc = check_json(app)
    assert [(f["code"], f["severity"]) for f in doc["findings"]] == [("FG101", "info")]


def test_show_settings_names_the_file_and_each_values_origin(run_cli, tmp_path):
    repo = tmp_path / "repo"
    write(
        repo,
        {
            ".flash-guard.yaml": "fail_on: warning\nexclude: [build/]\n",
            "app/.flash-guard.yaml": "extend: ../.flash-guard.yaml\n"
            "rules: {FG101: {severity: info}}\n",
            "app/app.py": APP,
        },
    )
    git_init(repo)
    code, out, err = run_cli(["check", "--show-settings", "app/app.py"], repo)
    assert code == 0, err
    assert "Settings for app/app.py" in out
    assert "Configuration: app/.flash-guard.yaml <- .flash-guard.yaml" in out
    lines = {line.split(" = ")[0]: line for line in out.splitlines() if " = " in line}
    assert lines["fail_on"] == 'fail_on = "warning"  # .flash-guard.yaml:1'
    assert lines["exclude"].endswith("# .flash-guard.yaml:2")
    assert lines["rules.FG101"] == 'rules.FG101 = {"severity": "info"}  # app/.flash-guard.yaml:2'
    assert lines["profile"] == 'profile = "production"  # default'


def test_show_settings_points_at_the_pyproject_table_that_sets_a_value(run_cli, project):
    # Why: "--show-settings points the `checklist` line at `[tool.flash-guard]`".
    pyproject = """\
[project]
name = "x"

[tool.flash-guard]
profile = "production"

[[tool.flash-guard.checklist]]
id = "TEAM001"
slug = "team-timeout"
title = "has a timeout"
severity = "warning"
message = "needs a timeout"
require = { execution_timeout_ms = { absent = false } }

[tool."flash-guard".rules.FG101]
severity = "info"
"""
    root = project({"pyproject.toml": pyproject, "app.py": APP})
    code, out, err = run_cli(["check", "--show-settings", "app.py"], root)
    assert code == 0, err
    lines = {line.split(" = ")[0]: line for line in out.splitlines() if " = " in line}
    assert lines["profile"].endswith("# pyproject.toml:5")
    assert lines["checklist"] == 'checklist = ["TEAM001"]  # pyproject.toml:7'
    assert lines["rules.FG101"].endswith("# pyproject.toml:15")


def test_show_settings_without_a_configuration(run_cli, project):
    root = project({"app.py": APP})
    code, out, _ = run_cli(["check", "--show-settings", "app.py"], root)
    assert code == 0
    assert "none found (built-in defaults)" in out
    code, _, err = run_cli(["check", "--show-settings", "nope.py"], root)
    assert code == 2 and "nope.py" in err


# Why: "`flash-guard rule ACME001` says 'no such rule' and `rules` does not list custom items."
CUSTOM = item(require="\n      workers.min: {gte: 1}", fix="Keep one worker warm.")


def test_custom_items_are_listed_by_rules(run_cli, project):
    root = project({"app.py": APP, ".flash-guard.yaml": CUSTOM})
    code, out, _ = run_cli(["rules"], root)
    assert code == 0
    assert any(line.startswith("ACME001  acme-rule") for line in out.splitlines()), out
    code, out, _ = run_cli(["rules", "--format", "json"], root)
    assert {r["code"] for r in json.loads(out)} >= {"ACME001", "FG101"}


def test_rule_shows_a_custom_item(run_cli, project):
    root = project({"app.py": APP, ".flash-guard.yaml": CUSTOM})
    for name in ("ACME001", "acme001", "acme-rule"):
        code, out, err = run_cli(["rule", name], root)
        assert code == 0, err
        assert out.startswith("# ACME001 acme-rule")
        assert "`workers.min` gte `1`" in out and "Keep one worker warm." in out
    code, _, err = run_cli(["rule", "ACME002"], root)
    assert code == 2 and "no such rule" in err


def test_custom_items_are_in_the_sarif_rule_list(run_cli, project):
    root = project({"app.py": APP, ".flash-guard.yaml": CUSTOM})
    _, out, _ = run_cli(["check", "--format", "sarif", "."], root)
    rules = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
    assert "ACME001" in {r["id"] for r in rules}


# --- path globs of an extended configuration are relative to the file that wrote them -------


def test_extended_path_globs_are_rebased_to_the_file_that_wrote_them(check_json, tmp_path):
    repo = tmp_path / "repo"
    write(
        repo,
        {
            ".flash-guard.yaml": (
                "exclude: [services/a/legacy/**, services/b/**, '*_gen.py', build/]\n"
                "profiles: {development: {paths: [services/a/scratch/**]}}\n"
            ),
            "services/a/.flash-guard.yaml": "extend: ../../.flash-guard.yaml\n",
            "services/a/app.py": APP,
            "services/a/legacy/old.py": APP,  # excluded by the root's services/a/legacy/**
            "services/a/worker_gen.py": APP,  # a name glob: at any depth
            "services/a/services/b/app.py": APP,  # not the root's services/b
            "services/a/build/app.py": APP,  # not the root's build/
            "services/a/scratch/s.py": APP,  # development, by the root's profile path
        },
    )
    git_init(repo)
    expected = {
        "services/a/app.py": "production",
        "services/a/services/b/app.py": "production",
        "services/a/build/app.py": "production",
        "services/a/scratch/s.py": "development",
    }
    for cwd, prefix in ((repo, ""), (repo / "services" / "a", "services/a/")):
        _, doc = check_json(cwd)
        seen = {prefix + e["path"]: e["profile"] for e in doc["endpoints"]}
        assert seen == expected, cwd


@pytest.mark.parametrize(
    "globs, written_in, used_in, rebased",
    [
        (["a/legacy/**", "b/**", "*.tmp"], ".", "a", ["legacy/**", "*.tmp"]),
        (["**/gen/**", "*/x/y.py"], ".", "a", ["**/gen/**", "x/y.py"]),
        (["a/", "a", "/a/z.py"], ".", "a", ["/**", "/z.py"]),  # the whole directory, a file
        (["legacy/", "x.py"], "a", ".", ["a/legacy/**", "x.py"]),  # written below
        (["legacy/**", "x.py"], "shared", "a", ["x.py"]),  # a sibling's paths never apply
    ],
)
def test_rebase_globs(globs, written_in, used_in, rebased):
    from flash_guard.config.loader import rebase_globs
    from flash_guard.project.globs import any_match

    root = Path("/r")
    assert rebase_globs(globs, root / written_in, root / used_in) == rebased
    if written_in == ".":  # the rebased globs match exactly what the originals matched
        for rel in ("legacy/q.py", "z.py", "x/y.py", "gen/g.py", "n/gen/g.py", "k.tmp", "o.py"):
            assert any_match(globs, f"{used_in}/{rel}") == any_match(rebased, rel), rel


def test_fix_runpod2_is_the_hint_for_runpod2_declarations(project, check_json):
    config = (
        "checklist:\n"
        "  - id: ACME101\n    slug: big-idle\n    title: t\n    severity: warning\n"
        "    require: {idle_timeout: {gte: 5000}}\n"
        '    fix: "flash hint"\n    fix_runpod2: "runpod 2.0 hint"\n'
    )
    root = project(
        {
            ".flash-guard.yaml": config,
            "flash.py": "from runpod_flash import Endpoint\n\n"
            "@Endpoint(name='old-api', cpu='cpu3c-1-2', idle_timeout=60)\n"
            "async def f(x): return x\n",
            "app2/requirements.txt": "runpod==2.0.0rc2\n",
            "app2/new.py": "import runpod\n\napp = runpod.App('n')\n\n"
            "@app.queue(name='new-q', cpu='cpu3c-1-2', idle_timeout=60)\n"
            "def g(x): return x\n",
        }
    )
    _, doc = check_json(root, "--select", "ACME101")
    hints = {f["endpoint"]: f["fix"] for f in doc["findings"]}
    assert hints == {"old-api": "flash hint", "new-q": "runpod 2.0 hint"}


@pytest.mark.parametrize(
    "table",
    [
        '[tool."flash-guard"]\nfail_on = "never"\n',
        '[ tool.flash-guard ]\nfail_on = "never"\n',
        '[tool]\nflash-guard = { fail_on = "never" }\n',
        '[tool]\nflash-guard.fail_on = "never"\n',
        '[tool.flash-guard.rules.FG104]\nenabled = false\n[tool.flash-guard]\nfail_on = "never"\n',
    ],
    ids=["quoted", "spaced", "inline", "dotted", "subtable-first"],
)
def test_every_toml_spelling_of_the_tool_table_is_the_configuration(project, run_cli, table):
    root = project(
        {
            "pyproject.toml": '[project]\nname = "x"\ndependencies = ["runpod-flash==1.21.0"]\n'
            + table,
            "app.py": 'from runpod_flash import Endpoint\n@Endpoint(name="abc")\ndef f(x):\n'
            "    return x\n",
        }
    )
    code, out, err = run_cli(["check", "."], root)
    assert code == 0, (out, err)  # fail_on never: the app's errors do not fail the run


def test_a_key_given_twice_is_an_error_not_last_wins(project, run_cli):
    # PyYAML keeps the last silently: a second `fail_on:` lower in the file would undo the first.
    root = project(
        {
            "app.py": "x = 1\n",
            ".flash-guard.yaml": "fail_on: error\nexclude: [a]\nfail_on: never\n",
        }
    )
    code, _, err = run_cli(["check", "."], root)
    assert code == 2 and ".flash-guard.yaml:3: fail_on: given twice in one mapping" in err, err
    merged = project({"app.py": "x = 1\n", ".flash-guard.yaml": "base: &b {fail_on: never}\n"})
    assert "given twice" not in run_cli(["check", "."], merged)[2]


def test_an_error_in_a_quoted_tool_table_names_its_own_line(project, run_cli):
    root = project(
        {
            "app.py": "x = 1\n",
            "pyproject.toml": '[project]\nname = "x"\n\n[tool.ruff]\nexclude = ["build"]\n\n'
            '[tool."flash-guard"]\nexclude = "notalist"\n',
        }
    )
    code, _, err = run_cli(["check", "."], root)
    assert code == 2 and "pyproject.toml:8: exclude:" in err, err


def test_fix_hints_follow_the_configured_parameters(check_json, tmp_path):
    # min_workers: 2 for FG103: the hint asks for 2 warm workers, not the default 1.
    repo = write(
        tmp_path / "repo",
        {
            ".flash-guard.yaml": "rules: {FG103: {params: {min_workers: 2}}}\n",
            "app.py": "from runpod_flash import Endpoint, GpuType\n\n"
            '@Endpoint(name="q", gpu=GpuType.NVIDIA_L4, workers=(1, 3))\n'
            "async def q(x): ...\n",
        },
    )
    _, doc = check_json(repo, "--select", "FG103")
    [finding] = doc["findings"]
    assert "below 2" in finding["message"]
    assert "workers=(2, n)" in finding["fix"], finding["fix"]


@pytest.mark.parametrize("value", ["{a: 1}", "[production]", "1"])
def test_a_profile_that_is_not_a_name_says_so(tmp_path, value):
    # It was "unknown profile `{'a': 1}`", a Python repr of the YAML value.
    (tmp_path / ".flash-guard.yaml").write_text(f"profile: {value}\n")
    from flash_guard.config.loader import load_config
    from flash_guard.config.yamlsrc import ConfigError

    with pytest.raises(ConfigError, match=r":1: profile: must be a profile name \(production"):
        load_config(tmp_path / ".flash-guard.yaml")
