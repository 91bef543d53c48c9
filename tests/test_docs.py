"""Documentation stays true: generated rule pages, config examples, the config schema."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from flash_guard.config.loader import parse_config
from flash_guard.config.starter import STARTER_CONFIG
from flash_guard.config.yamlsrc import ConfigError, load_yaml_text
from flash_guard.rule_docs import catalog_rows, drift, rule_page

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
FENCE = re.compile(r"```(yaml|toml)\n(.*?)```", re.S)


def schema() -> dict:
    text = resources.files("flash_guard.config").joinpath("config.schema.json").read_text("utf-8")
    return json.loads(text)


def test_rule_pages_match_their_sources():
    assert drift(DOCS / "rules") == []


def test_every_rule_page_has_the_sections_a_reader_needs():
    for row in catalog_rows():
        page = rule_page(row["code"])
        for heading in (
            "## What it does",
            "## Why it matters in production",
            "## Example",
            "## Parameters",
        ):
            assert heading in page, (row["code"], heading)
        assert "Fixed:" in page, row["code"]


def config_blocks(name: str) -> list[tuple[str, str]]:
    text = (DOCS / name).read_text("utf-8")
    return [(lang, body) for lang, body in FENCE.findall(text)]


@pytest.mark.parametrize("doc", ["configuration.md", "custom-checklist.md"])
def test_yaml_examples_in_docs_are_valid_configs(doc):
    blocks = [body for lang, body in config_blocks(doc) if lang == "yaml"]
    assert blocks
    for body in blocks:
        data = yaml.safe_load(body)
        jsonschema.validate(data, schema())
        parse_config(load_yaml_text(body, doc), None)


def test_toml_example_in_docs_is_a_valid_config(tmp_path):
    from flash_guard.config.loader import load_config

    [body] = [b for lang, b in config_blocks("configuration.md") if lang == "toml"]
    target = tmp_path / "pyproject.toml"
    target.write_text(body, "utf-8")
    config = load_config(target)
    assert config.exclude == ["scripts/one_off_*.py"]
    assert config.rules["FG105"].params == {"queue_range": [600, 1800]}


def test_starter_config_is_valid_for_schema_and_loader():
    jsonschema.validate(yaml.safe_load(STARTER_CONFIG) or {}, schema())
    config = parse_config(load_yaml_text(STARTER_CONFIG, ".flash-guard.yaml"), None)
    assert config.profile == "production"


@pytest.mark.parametrize(
    "text",
    [
        "profil: production\n",
        "profile: [staging]\n",  # a custom profile name is a string the schema allows
        "rules:\n  FG101:\n    severity: fatal\n",
        "checklist:\n  - {id: FG900, slug: x, title: t, severity: error,\n"
        "     require: {kind: {equals: queue}}}\n",
        "fail_on: sometimes\n",
    ],
)
def test_schema_and_loader_agree_on_invalid_configs(text):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.safe_load(text), schema())
    with pytest.raises(ConfigError):
        parse_config(load_yaml_text(text, ".flash-guard.yaml"), None)


def test_config_schema_is_generated_from_the_loader():
    """config.schema.json is what flash_guard.config.schema builds from the loader's constants."""
    from flash_guard.config.loader import CONFIG_KEYS
    from flash_guard.config.schema import SCHEMA_PATH, build_schema, main

    assert main(["--check"]) == 0, "run: python -m flash_guard.config.schema --write"
    assert json.loads(SCHEMA_PATH.read_text("utf-8")) == build_schema()
    assert list(build_schema()["properties"]) == list(CONFIG_KEYS)


def test_architecture_names_every_module_and_only_real_ones():
    """ARCHITECTURE.md matches the code: each module it names exists, and each module of the
    package (rules and package markers aside) is named there."""
    text = (REPO / "ARCHITECTURE.md").read_text("utf-8")
    package = REPO / "flash_guard"
    named = set()
    for match in re.finditer(r"`([a-z_0-9/]+\.py)(?:::[a-z_]+)?`", text):
        path = match.group(1).removeprefix("flash_guard/")
        named.add(path)
        assert (package / path).is_file(), f"ARCHITECTURE.md names a missing module: {path}"
    for module in sorted(package.rglob("*.py")):
        rel = module.relative_to(package).as_posix()
        # The generated dataclass method tables are named as one pattern, not one by one.
        if rel.startswith(("rules/", "dataclass_code/")) or module.name in (
            "__init__.py",
            "__main__.py",
        ):
            continue
        assert rel in named, f"ARCHITECTURE.md does not name flash_guard/{rel}"


def _readme_sample(command: str) -> list[str]:
    """The lines the README shows under `$ COMMAND` in its text blocks."""
    text = (REPO / "README.md").read_text("utf-8")
    block = re.search(rf"```text\n\$ {re.escape(command)}\n(.*?)```", text, re.S)
    assert block, f"README shows no output of `{command}`"
    return block.group(1).splitlines()


def _cli(args: list[str], monkeypatch) -> str:
    import contextlib
    import io

    from flash_guard.cli import main

    monkeypatch.chdir(REPO)
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main([*args, "--no-cache"])
    return out.getvalue()


@pytest.mark.parametrize(
    "command", ["flash-guard check examples/", "flash-guard endpoints examples/"]
)
def test_readme_sample_outputs_are_what_the_examples_give(command, monkeypatch):
    # Each line the README shows is printed as shown ("; ..." cuts a line, "..." skips lines),
    # so the counts and marks a reader sees are the bundled examples' real ones.
    printed = _cli(command.split()[1:], monkeypatch).splitlines()
    for line in _readme_sample(command):
        if line == "...":
            continue
        if line.endswith("; ..."):
            assert any(p.startswith(line[: -len(" ...")]) for p in printed), line
        else:
            assert line in printed, line
