"""The commented starter configuration `flash-guard init` writes."""

# The published page: docs/configuration.md exists in flash-guard's repository, not in the
# user's project where this file is written.
DOCS_URL = "https://github.com/flash-guard/flash-guard/blob/main/docs/configuration.md"

STARTER_CONFIG = (
    f"# flash-guard configuration. Docs: {DOCS_URL}\n"
    + """\
# Each checked file uses the nearest configuration above it; a nested one can say
# `extend: ../.flash-guard.yaml`. See what applies: flash-guard check --show-settings FILE
# Profiles: production (default), development, cost, or your own (see `profiles:`).
profile: production

# Use other profiles for some paths or endpoint names (globs), or define your own.
# profiles:
#   development:
#     paths: ["sandbox/**"]
#     endpoints: ["*-dev"]
#   staging:
#     extends: production
#     paths: ["staging/**"]
#     rules: {FG105: {enabled: false}}

# Rule selection, as in ruff: codes, slugs, prefixes or ALL (--select replaces `select`).
# select: [ALL]
# extend_select: []
# ignore: [FG4]

# Per rule (code or slug): enabled, severity, params.
# rules:
#   FG105:
#     params: {queue_range: [600, 1800]}
#   lb-cold-start:
#     severity: warning
#   FG404:
#     enabled: false

# Your own checklist items, in the same language as the built-ins.
# checklist:
#   - id: ACME001
#     slug: us-datacenters-only
#     title: Production GPU endpoints run in our US datacenters
#     severity: error
#     when: {compute: gpu}
#     require:
#       datacenter: {subset_of: [US_CA_2, US_IL_1]}
#     message: "{endpoint}: datacenter {value} is outside the US set"
#     fix: "Set datacenter=[DataCenter.US_CA_2]"

# Files never checked (globs), also when pre-commit passes them explicitly.
exclude: []

# Suppression comments must say why: # flash-guard: ignore[FG101] reason
require_suppression_reason: false

# Lowest severity that fails the run: error | warning | info | never.
fail_on: error
"""
)
