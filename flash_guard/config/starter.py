"""The commented starter configuration `flash-guard init` writes."""

STARTER_CONFIG = """\
# flash-guard configuration. Docs: docs/configuration.md
# Profiles: production (default), development, cost.
profile: production

# Use other profiles for some paths or endpoint names (globs).
# profiles:
#   development:
#     paths: ["sandbox/**"]
#     endpoints: ["*-dev"]

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
