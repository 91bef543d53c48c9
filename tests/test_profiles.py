"""Profiles: which checklist an endpoint gets, and what each checklist holds.

Precedence (design.md, engine.profile_for): the file pragma `# flash-guard:
profile=...`, then the config's `profiles` map (path globs, endpoint-name globs),
then `--profile`, then the config's `profile`, then production.
"""

from __future__ import annotations

import json
import re

import pytest

from flash_guard.rule_docs import catalog_rows
from flash_guard.rules import REGISTRY

PROFILES = ("production", "development", "cost")

# One endpoint whose findings differ in every profile:
#   production: FG101 (GpuGroup.ANY), FG105 (450 s is outside 900-1800)
#   development: FG401 (min 1), FG403 (450 s is above 300)
#   cost: FG401 (min 1), FG404 (no GPU library; 450 s is within the 600 s cap)
ENDPOINT = """\
from runpod_flash import Endpoint, GpuGroup


@Endpoint(
    name="{name}",
    gpu=GpuGroup.ANY,
    workers=(1, 3),
    idle_timeout=450,
    execution_timeout_ms=60000,
)
async def {func}(x):
    return x
"""
SIGNATURE = {
    "production": {"FG101", "FG105"},
    "development": {"FG401", "FG403"},
    "cost": {"FG401", "FG404"},
}


def source(name: str = "worker", pragma: str | None = None) -> str:
    text = ENDPOINT.format(name=name, func=name.replace("-", "_"))
    return f"# flash-guard: profile={pragma}\n{text}" if pragma else text


def by_path(doc: dict) -> dict[str, tuple[set[str], set[str]]]:
    """path -> (codes of its findings, profiles named by its findings)."""
    out: dict[str, tuple[set[str], set[str]]] = {}
    for f in doc["findings"]:
        codes, profiles = out.setdefault(f["path"], (set(), set()))
        codes.add(f["code"])
        profiles.add(f["profile"])
    return out


def profile_of(doc: dict, path: str) -> str:
    codes, profiles = by_path(doc)[path]
    assert len(profiles) == 1, profiles
    (profile,) = profiles
    assert codes == SIGNATURE[profile], (path, codes)
    return profile


def test_production_by_default(check_json, project):
    _, doc = check_json(project({"app.py": source()}))
    assert profile_of(doc, "app.py") == "production"


@pytest.mark.parametrize("profile", PROFILES)
def test_profile_from_config(check_json, project, profile):
    _, doc = check_json(project({"app.py": source(), ".flash-guard.yaml": f"profile: {profile}\n"}))
    assert profile_of(doc, "app.py") == profile


@pytest.mark.parametrize("profile", PROFILES)
def test_profile_option(check_json, project, profile):
    _, doc = check_json(project({"app.py": source()}), "--profile", profile)
    assert profile_of(doc, "app.py") == profile


def test_option_beats_config_profile(check_json, project):
    root = project({"app.py": source(), ".flash-guard.yaml": "profile: cost\n"})
    _, doc = check_json(root, "--profile", "development")
    assert profile_of(doc, "app.py") == "development"


PATH_MAP = """\
profiles:
  development:
    paths: ["sandbox/**"]
  cost:
    paths: ["batch/*.py"]
"""


def test_profile_by_path_glob(check_json, project):
    root = project(
        {
            ".flash-guard.yaml": PATH_MAP,
            "app.py": source("app"),
            "sandbox/deep/try.py": source("trial"),
            "batch/nightly.py": source("nightly"),
            "batch/sub/not_matched.py": source("not-matched"),
        }
    )
    _, doc = check_json(root)
    assert profile_of(doc, "app.py") == "production"
    assert profile_of(doc, "sandbox/deep/try.py") == "development"
    assert profile_of(doc, "batch/nightly.py") == "cost"
    assert profile_of(doc, "batch/sub/not_matched.py") == "production"


def test_path_map_beats_the_option(check_json, project):
    root = project({".flash-guard.yaml": PATH_MAP, "app.py": source(), "sandbox/a.py": source("a")})
    _, doc = check_json(root, "--profile", "cost")
    assert profile_of(doc, "app.py") == "cost"
    assert profile_of(doc, "sandbox/a.py") == "development"


def test_profile_by_endpoint_name_glob(check_json, project):
    config = "profile: cost\nprofiles:\n  development:\n    endpoints: ['*-dev', 'scratch-*']\n"
    root = project(
        {
            ".flash-guard.yaml": config,
            "a.py": source("embed-dev"),
            "b.py": source("scratch-1"),
            "c.py": source("embed-prod"),
        }
    )
    _, doc = check_json(root)
    assert profile_of(doc, "a.py") == "development"
    assert profile_of(doc, "b.py") == "development"
    assert profile_of(doc, "c.py") == "cost"


def test_name_glob_uses_the_resolved_name(check_json, project):
    # No name=: a queue endpoint is named after its function.
    text = source("worker").replace('    name="worker",\n', "")
    root = project(
        {".flash-guard.yaml": "profiles:\n  cost:\n    endpoints: [work*]\n", "a.py": text}
    )
    _, doc = check_json(root)
    assert profile_of(doc, "a.py") == "cost"


def test_pragma_wins_over_everything(check_json, project):
    config = (
        "profile: production\n"
        "profiles:\n"
        "  cost:\n"
        "    paths: ['sandbox/**']\n"
        "    endpoints: ['*-dev']\n"
    )
    root = project(
        {
            ".flash-guard.yaml": config,
            "sandbox/a.py": source("a-dev", pragma="development"),
            "sandbox/b.py": source("b-dev"),
            "c.py": source("c", pragma="cost"),
        }
    )
    _, doc = check_json(root, "--profile", "production")
    assert profile_of(doc, "sandbox/a.py") == "development"
    assert profile_of(doc, "sandbox/b.py") == "cost"
    assert profile_of(doc, "c.py") == "cost"


def test_pragma_anywhere_in_the_file_applies_to_all_its_endpoints(check_json, project):
    two = source("one") + "\n\n" + source("two").split("\n", 2)[2]
    text = two + "\n# flash-guard: profile=development\n"
    _, doc = check_json(project({"app.py": text}))
    assert {f["profile"] for f in doc["findings"]} == {"development"}
    assert {f["endpoint"] for f in doc["findings"]} == {"one", "two"}


def test_pragma_applies_to_its_own_file_only(check_json, project):
    root = project({"a.py": source("a", pragma="cost"), "b.py": source("b")})
    _, doc = check_json(root)
    assert profile_of(doc, "a.py") == "cost"
    assert profile_of(doc, "b.py") == "production"


# -- one reading of the pragma (checklist/profiles.py) for evaluation and FG003 --------------


def pragma_outcome(doc: dict, path: str) -> tuple[str, list[tuple[int, str]]]:
    """The profile the file's endpoint was checked under, and its FG003 (line, message)s."""
    fg003 = [(f["line"], f["message"]) for f in doc["findings"] if f["code"] == "FG003"]
    codes = {f["code"] for f in doc["findings"] if f["path"] == path and f["code"] != "FG003"}
    (profile,) = {f["profile"] for f in doc["findings"] if f["code"] != "FG003"}
    assert codes == SIGNATURE[profile], codes
    return profile, fg003


@pytest.mark.parametrize("name", ["cost2", "cost-x", "development_", "Cost", "cost!"])
def test_an_unknown_pragma_name_is_fg003_and_the_file_keeps_its_profile(check_json, project, name):
    # The name is the whole token: `cost2` is not `cost` (it once applied `cost` while FG003
    # said the file kept its profile).
    _, doc = check_json(project({"app.py": source(pragma=name)}))
    profile, fg003 = pragma_outcome(doc, "app.py")
    assert profile == "production"
    assert len(fg003) == 1 and fg003[0][0] == 1, fg003
    assert "keeps its profile" in fg003[0][1]


def test_a_pragma_naming_a_configured_profile_with_a_digit_applies(check_json, project):
    root = project(
        {
            ".flash-guard.yaml": "profiles:\n  strict2:\n    extends: cost\n",
            "app.py": source(pragma="strict2"),
        }
    )
    _, doc = check_json(root)
    assert "FG003" not in {f["code"] for f in doc["findings"]}
    assert {f["profile"] for f in doc["findings"]} == {"strict2"}
    assert {f["code"] for f in doc["findings"]} == SIGNATURE["cost"]


def test_text_after_the_pragma_name_is_fg003_and_nothing_applies(check_json, project):
    _, doc = check_json(project({"app.py": source(pragma="development profile=cost")}))
    profile, fg003 = pragma_outcome(doc, "app.py")
    assert profile == "production"
    assert [line for line, _ in fg003] == [1]


def test_a_second_comment_after_the_pragma_is_not_part_of_the_name(check_json, project):
    _, doc = check_json(project({"app.py": source(pragma="cost  # batch jobs")}))
    assert pragma_outcome(doc, "app.py") == ("cost", [])


@pytest.mark.parametrize("second", ["cost", "development", "nope"])
def test_a_second_profile_pragma_is_fg003_and_the_first_decides(check_json, project, second):
    text = source(pragma="development") + f"\n# flash-guard: profile={second}\n"
    _, doc = check_json(project({"app.py": text}))
    profile, fg003 = pragma_outcome(doc, "app.py")
    assert profile == "development"
    last = text.count("\n")
    assert len(fg003) == 1 and fg003[0][0] == last, fg003
    assert "second profile pragma" in fg003[0][1]


@pytest.mark.parametrize(
    "comment",
    [
        "# flash-guard: profile=cost",
        "# flash-guard: profile=cost2",
        "# flash-guard:profile = development",
        "# flash-guard: profile=development profile=cost",
        "# flash-guard: profile=",
        "# flash-guard: profile=cost # note",
        "# flash-guard: profile=cost#x",
        "x  # flash-guard: profile=strict2",
        "# FLASH-GUARD: PROFILE=cost",
    ],
)
def test_evaluation_and_fg003_read_a_pragma_alike(comment):
    """A pragma applies exactly when FG003 does not report it."""
    from flash_guard.checklist.profiles import file_pragmas
    from flash_guard.suppress import pragma_problems

    known = (*PROFILES, "strict2")
    comments = [(1, 0, comment[comment.index("#") :])]
    applied = file_pragmas([("a.py", comments)], known)
    problems = pragma_problems("a.py", comments, known)
    assert bool(applied) != bool(problems), (applied, problems)


def test_endpoints_inventory_names_the_profile(run_cli, project):
    root = project({".flash-guard.yaml": PATH_MAP, "app.py": source(), "sandbox/x.py": source("x")})
    code, out, _ = run_cli(["endpoints", "--format", "json", "."], root)
    assert code == 0
    profiles = {e["path"]: e["profile"] for e in json.loads(out)["endpoints"]}
    assert profiles == {"app.py": "production", "sandbox/x.py": "development"}


# -- what each profile's checklist holds ----------------------------------------------


def catalog() -> dict[str, set[str]]:
    return {row["code"]: set(row["profiles"]) for row in catalog_rows()}


def test_catalog_profiles_follow_rules_md():
    rows = catalog()
    assert rows, "empty catalog"
    for code, profiles in rows.items():
        if code.startswith(("FG0", "FG2", "FG3")):
            assert profiles == set(PROFILES), code
        elif code.startswith("FG1"):
            assert profiles == {"production"}, code
        elif code.startswith("FG4"):
            assert "production" not in profiles and profiles <= {"development", "cost"}, code
    assert rows["FG402"] == {"development"}
    assert rows["FG404"] == {"cost"}
    assert rows["FG401"] == rows["FG403"] == {"development", "cost"}


def evaluated_items(run_cli, root, profile: str) -> set[str]:
    """The checklist items the inventory evaluated for the single endpoint."""
    code, out, err = run_cli(["endpoints", "--format", "json", "--profile", profile, "."], root)
    assert code == 0, err
    (endpoint,) = json.loads(out)["endpoints"]
    assert endpoint["profile"] == profile
    return set(endpoint["checks"])


@pytest.mark.parametrize("profile", PROFILES)
def test_each_profile_evaluates_its_own_items(run_cli, project, profile):
    root = project({"app.py": source()})
    evaluated = evaluated_items(run_cli, root, profile)
    # Engine-driven meta rules (FG002, FG003) are not items an endpoint passes or fails.
    engine = {
        row["code"]
        for row in catalog_rows()
        if row["check"] in REGISTRY and REGISTRY[row["check"]].scope == "engine"
    }
    expected = {code for code, profiles in catalog().items() if profile in profiles} - engine
    assert evaluated == expected
    production_items = {c for c in evaluated if "FG101" <= c <= "FG110"}
    assert bool(production_items) == (profile == "production")


BROKEN = """\
from runpod_flash import Endpoint

@Endpoint(name="broken", workers=(1, 3)
async def broken(x):
    return x
"""
UNRESOLVED = source("unresolved").replace("idle_timeout=450", "idle_timeout=load_idle()")


def test_meta_deploy_and_silent_findings_are_the_same_in_every_profile(check_json, project):
    root = project({"app.py": source(), "broken.py": BROKEN, "unresolved.py": UNRESOLVED})
    shared = {}
    for profile in PROFILES:
        _, doc = check_json(root, "--profile", profile)
        shared[profile] = {
            (f["code"], f["path"], f["line"], f["column"])
            for f in doc["findings"]
            if not f["code"].startswith(("FG1", "FG4"))
            and f["code"] != "FG002"  # it names the blocked rule, which is profile-specific
        }
        if profile != "production":
            assert not [f for f in doc["findings"] if f["code"].startswith("FG1")]
    assert shared["production"] == shared["development"] == shared["cost"]
    assert ("FG001", "broken.py", 3, 1) in shared["production"]


def test_unresolved_values_are_reported_for_the_profile_in_force(check_json, project):
    root = project({"unresolved.py": UNRESOLVED})
    blocked = {}
    for profile in PROFILES:
        _, doc = check_json(root, "--profile", profile)
        blocked[profile] = {
            code
            for f in doc["findings"]
            if f["code"] == "FG002"
            for code in re.findall(r"\bFG\d{3}\b", f["message"].split("it blocks ")[1])
        }
    # idle_timeout feeds FG105 in production and FG403 in development and cost.
    assert "FG105" in blocked["production"]
    assert "FG403" in blocked["development"]
    assert "FG403" in blocked["cost"]
    assert not {c for c in blocked["development"] | blocked["cost"] if c.startswith("FG1")}


# -- profiles of the configuration's own (issue 14) -------------------------------------------

STAGING = """\
profiles:
  staging:
    extends: production
    paths: ["staging/**"]
    rules:
      FG105: {enabled: false}
      FG101: {severity: warning}
"""


def test_a_custom_profile_extends_a_builtin_one(check_json, project):
    root = project(
        {
            ".flash-guard.yaml": STAGING,
            "staging/app.py": source("stage"),
            "prod/app.py": source("prod"),
        }
    )
    _, doc = check_json(root)
    found = {(f["path"], f["code"], f["severity"], f["profile"]) for f in doc["findings"]}
    assert found == {
        ("staging/app.py", "FG101", "warning", "staging"),
        ("prod/app.py", "FG101", "error", "production"),
        ("prod/app.py", "FG105", "warning", "production"),
    }


def test_a_custom_profile_by_name_option_and_pragma(check_json, project, run_cli):
    config = STAGING.replace('paths: ["staging/**"]', 'endpoints: ["*-stg"]')
    root = project(
        {
            ".flash-guard.yaml": config,
            "a.py": source("a-stg"),
            "b.py": source("b", pragma="staging"),
            "c.py": source("c"),
        }
    )
    _, doc = check_json(root)
    profiles = {f["path"]: f["profile"] for f in doc["findings"]}
    assert profiles == {"a.py": "staging", "b.py": "staging", "c.py": "production"}
    _, doc = check_json(root, "--profile", "staging")
    assert {f["profile"] for f in doc["findings"]} == {"staging"}
    code, _, err = run_cli(["check", "--profile", "stagign", "."], root)
    assert code == 2 and "did you mean `staging`" in err


def test_a_custom_profile_as_the_default_and_for_user_items(check_json, project):
    config = STAGING + (
        "profile: staging\n"
        "checklist:\n"
        "  - id: ACME001\n"
        "    slug: at-most-two\n"
        "    title: At most two workers\n"
        "    severity: error\n"
        "    profiles: [staging]\n"
        "    require: {workers.max: {lte: 2}}\n"
    )
    root = project({".flash-guard.yaml": config, "app.py": source()})
    _, doc = check_json(root)
    assert {(f["code"], f["profile"]) for f in doc["findings"]} == {
        ("FG101", "staging"),
        ("ACME001", "staging"),
    }


@pytest.mark.parametrize(
    "text, expected",
    [
        ("profiles:\n  staging: {paths: [x]}\n", "profiles.staging: unknown profile"),
        ("profiles:\n  staging: {extends: prod}\n", "profiles.staging.extends: unknown profile"),
        (
            "profiles:\n  a: {extends: b}\n  b: {extends: a}\n",
            "profiles.a.extends: profiles extend each other in a cycle",
        ),
        ("profiles:\n  s: {extends: cost, rules: {FG999: {}}}\n", "profiles.s.rules.FG999:"),
        ("profile: stagin\n" + STAGING, "profile: unknown profile `stagin` (did you mean"),
    ],
)
def test_bad_custom_profiles_are_config_errors(run_cli, project, text, expected):
    root = project({".flash-guard.yaml": text, "app.py": source()})
    code, out, err = run_cli(["check", "."], root)
    assert code == 2, out
    assert expected in err, err
