"""FG107: a secret written into the endpoint's config as a literal."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from flash_guard.checks.base import (
    Check,
    fail,
    fail_at,
    param_doc,
    read_at_run_time,
    register,
    unknown,
    where,
)
from flash_guard.model import Opaque, Value, at_use

DEFAULT_WORDS = [
    "TOKEN",
    "SECRET",
    "KEY",
    "APIKEY",
    "PASSWORD",
    "PASSWD",
    "PWD",
    "CREDENTIAL",
    "CREDENTIALS",
    "AUTH",
    "PRIVATE",
]
# A secret word followed by one of these names something about a secret, not the secret:
# `TOKEN_LIMIT`, `SECRET_NAME`, `KEY_PREFIX`, `PASSWORD_MIN_LENGTH`, `AUTH_ENABLED`.
DEFAULT_QUALIFIERS = [
    "NAME",
    "NAMES",
    "PREFIX",
    "SUFFIX",
    "LIMIT",
    "LIMITS",
    "TTL",
    "LENGTH",
    "LEN",
    "SIZE",
    "COUNT",
    "MIN",
    "MAX",
    "ENABLED",
    "ENABLE",
    "DISABLED",
    "DISABLE",
    "REQUIRED",
    "MODE",
    "TYPE",
    "PATH",
    "FILE",
    "DIR",
    "HEADER",
    "FIELD",
    "PARAM",
    "VAR",
    "EXPIRY",
    "EXPIRES",
    "EXPIRATION",
    "TIMEOUT",
    "INTERVAL",
    "URL",
    "URI",
    "HOST",
    "PORT",
    "REGION",
    "ALGORITHM",
    "FORMAT",
    "PROVIDER",
    "BACKEND",
    "VERSION",
    # how long or how often: `SECRET_ROTATION_DAYS`, `TOKEN_LIFETIME`, `PASSWORD_HASH_ROUNDS`
    "ROTATION",
    "LIFETIME",
    "AGE",
    "SECONDS",
    "MINUTES",
    "HOURS",
    "DAYS",
    "RETRIES",
    "ATTEMPTS",
    "ROUNDS",
]
# Numbers, durations and switches carry no secret, whatever the key (`TOKEN_LIMIT="4096"`,
# `TOKEN_TTL="1h"`, `SECRET_ROTATION_PERIOD="90d"`, ISO 8601 `PT12H`). An ISO duration has at
# least one component: a bare `P` is a one-letter password, not a duration.
_NUMBER_OR_SWITCH = re.compile(
    r"^(?:[+-]?\d+(?:\.\d+)?(?:\s*(?:ms|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?"
    r"|w|weeks?|months?|y|years?|k|[kmgt]i?b))?|P(?=T?\d)(?:\d+[YMWD])*(?:T(?:\d+[HMS])+)?"
    r"|true|false|yes|no|on|off|none|null)$",
    re.IGNORECASE,
)
TOKEN_SHAPES = {
    "Hugging Face token": r"^hf_[A-Za-z0-9]{20,}$",
    "OpenAI-style key": r"^sk-[A-Za-z0-9_\-]{16,}$",
    "Runpod API key": r"^rpa_[A-Za-z0-9]{20,}$",
    # A fine-grained PAT is `github_pat_` and 82 characters (22, `_`, 59): a shorter one is a
    # placeholder or a cut (judged by its entropy), not a token by its prefix.
    "GitHub token": r"^(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}$|^github_pat_[A-Za-z0-9_]{82}$",
    "AWS access key id": r"^(AKIA|ASIA)[A-Z0-9]{16}$",
    "Slack token": r"^xox[abposr]-[A-Za-z0-9-]{10,}$",
    "Authorization header value": r"^(?:Bearer|Basic|Token)\s+\S{8,}$",
    # An incoming-webhook URL is its own credential: anyone holding it can post. The last
    # segment is the secret; one of only `X`s is the docs' placeholder.
    "Slack webhook URL": (
        r"^https://hooks\.slack\.com/(?:services|workflows|triggers)/(?:[A-Za-z0-9_\-]+/)+"
        r"(?![xX*]+$)[A-Za-z0-9_\-]{16,}$"
    ),
    "Discord webhook URL": (
        r"^https://(?:(?:canary|ptb)\.)?discord(?:app)?\.com/api/webhooks/\d+/"
        r"(?![xX*]+$)[A-Za-z0-9_\-]{20,}$"
    ),
}
# A commit hash (a model revision) or a UUID (an endpoint or volume id) names something: such a
# value is a secret only under a secret-looking key (`API_KEY=<uuid>`), not by its entropy.
_HEX_OR_UUID = re.compile(
    r"^(?:[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$",
    re.IGNORECASE,
)
# Documentation and template placeholders (`github_pat_xxx`, `hf_<your-token>`,
# `sk-your-key-here`): after any token prefix, filler characters, a `<...>`/`${...}` slot, or
# words naming a placeholder with no digit among them (a real token of 20+ random
# characters has digits, and never a `<` or a run of one filler character only).
_TOKEN_PREFIX = re.compile(r"^(?:hf_|sk-(?:proj-)?|rpa_|gh[pousr]_|github_pat_|xox[abposr]-)")
_FILLER = re.compile(r"^[xX*.\u2026_\-]*$")
_SLOT = re.compile(r"^(?:<[^<>]*>|\$?\{[^{}]*\})$")
_PLACEHOLDER_WORDS = frozenset({"YOUR", "HERE", "PLACEHOLDER", "REPLACE", "REDACTED"})
RUNPOD_SECRET_REF = re.compile(r"^\s*\{\{\s*RUNPOD_SECRET_[A-Za-z0-9_.\-]+\s*\}\}\s*$")
_WORD_SPLIT = re.compile(r"[_\-.\s]+|(?<=[a-z0-9])(?=[A-Z])")
_HIGH_ENTROPY_CHARS = re.compile(r"^[A-Za-z0-9+/_\-=]{24,}$")
# Identifier-shaped values (rules.md FG107): a model or repo id, a path, a URL without
# credentials. They are long and mix letters and digits, so entropy alone would flag them.
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://[^\s]+$")
_URL_SECRET_QUERY = re.compile(
    r"[?&](?:[^=&]*(?:token|key|secret|sig|signature|password)[^=&]*)=", re.IGNORECASE
)
# `scheme://user[:password]@host`: a password is a credential; a user alone is one only when
# it is a token itself (`https://ghp_...@github.com/...`), not a login (`postgresql://bot@db`).
_URL_USERINFO = re.compile(r"^[^:/]+://([^/@]*)@")
_PATH = re.compile(r"^(?:/|\./|\.\./|~/)[^\s]*$")
_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*/[A-Za-z0-9_.\-]+$")
# One piece of a repo id between `-`, `_`, `.`: a word (`MiniLM`), a number, or a short mix
# (`7B`, `v2`, `L6`).
_WORDLIKE = re.compile(r"^(?:[A-Za-z]{1,12}|\d+[A-Za-z]{0,3}|[A-Za-z]{1,12}\d{1,4}[A-Za-z]?)$")


@dataclass
class Params:
    secret_words: list[str] = param_doc(
        default=DEFAULT_WORDS,
        doc="A key is secret-looking when one of its words (split at `_`, `-`, `.` and case "
        "changes) is one of these, compared upper-case.",
    )
    qualifier_words: list[str] = param_doc(
        default=DEFAULT_QUALIFIERS,
        doc="A key is not secret-looking when one of these words follows its last secret "
        "word: it names something about a secret (`TOKEN_LIMIT`, `SECRET_NAME`, `KEY_PREFIX`).",
    )
    extra_patterns: list[str] = param_doc(
        default=[], doc="More regular expressions for token shapes of your own."
    )
    entropy_threshold: float = param_doc(
        default=3.5, doc="Shannon bits per character above which a 24+ character value is a secret."
    )


def key_words(key: str) -> list[str]:
    return [w.upper() for w in _WORD_SPLIT.split(key) if w]


def secret_key(key: str, words: list[str], qualifiers: list[str] = ()) -> bool:
    wanted = {w.upper() for w in words}
    split = key_words(key)
    found = [i for i, w in enumerate(split) if w in wanted]
    if not found:
        return False
    about = {q.upper() for q in qualifiers}
    return not any(w in about for w in split[found[-1] + 1 :])


def placeholder(value: str) -> bool:
    body = _TOKEN_PREFIX.sub("", value, count=1)
    if _FILLER.match(body) or _SLOT.match(body):
        return True
    words = key_words(body)
    return bool(_PLACEHOLDER_WORDS & set(words)) and not re.search(r"\d", body)


def entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def url_credentials(value: str, params: Params) -> bool:
    if not _URL.match(value):
        return False
    if _URL_SECRET_QUERY.search(value):
        return True
    userinfo = _URL_USERINFO.match(value)
    if userinfo is None:
        return False
    user, _, password = userinfo.group(1).partition(":")
    return bool(password) or known_prefix(user, params) is not None or high_entropy(user, params)


def high_entropy(value: str, params: Params) -> bool:
    return bool(
        _HIGH_ENTROPY_CHARS.match(value)
        and re.search(r"[A-Za-z]", value)
        and re.search(r"[0-9]", value)
        and entropy(value) >= params.entropy_threshold
    )


def identifier_shaped(value: str, params: Params) -> bool:
    """A model or repo id (`org/Model-7B-Instruct`), a path, or a URL without credentials."""
    if _URL.match(value):
        return not url_credentials(value, params)
    if _PATH.match(value):
        return True
    if _REPO_ID.match(value):
        parts = [p for p in re.split(r"[/\-_.]", value) if p]
        return all(_WORDLIKE.match(p) for p in parts)
    return False


def known_prefix(value: str, params: Params) -> str | None:
    """The token shape a value has by its prefix or a user pattern, entropy aside."""
    for label, pattern in TOKEN_SHAPES.items():
        if re.match(pattern, value):
            return label
    for pattern in params.extra_patterns:
        if re.search(pattern, value):
            return "custom secret pattern"
    return None


def token_shape(value: str, params: Params) -> str | None:
    prefixed = known_prefix(value, params)
    if prefixed:
        return prefixed
    if url_credentials(value, params):
        return "URL with credentials"
    if high_entropy(value, params) and not _HEX_OR_UUID.match(value):
        return "high-entropy string"
    return None


def env_entries(endpoint) -> tuple[list[tuple[str, Value]], list[Value]]:
    """(key, value) pairs from `env=` and `template=PodTemplate(env=[...])`, and what could
    not be resolved."""
    pairs: list[tuple[str, Value]] = []
    unresolved: list[Value] = []
    env = endpoint.params.get("env")
    if env is not None and not env.defaulted:
        if not env.known:
            unresolved.append(env)
        elif isinstance(env.value, dict):
            pairs += [(str(k), at_use(v, env)) for k, v in env.value.items()]
            if env.partial is not None:
                unresolved.append(env.partial)
    template_pairs, template_unresolved = template_env_entries(endpoint)
    return pairs + template_pairs, unresolved + template_unresolved


def template_env_entries(endpoint) -> tuple[list[tuple[str, Value]], list[Value]]:
    """(key, value) pairs from `template=PodTemplate(env=[{"key": k, "value": v}, ...])`, and
    the template env when it could not be resolved."""
    pairs: list[tuple[str, Value]] = []
    unresolved: list[Value] = []
    template = endpoint.params.get("template")
    if template is not None and template.known and isinstance(template.value, Opaque):
        tenv = template.value.kwargs.get("env")
        if tenv is not None and tenv.known and isinstance(tenv.value, list):
            for item in tenv.value:
                if item.known and isinstance(item.value, dict):
                    key, value = item.value.get("key"), item.value.get("value")
                    if key is not None and key.known and value is not None:
                        pairs.append((str(key.value), at_use(at_use(value, tenv), template)))
        elif tenv is not None and not tenv.known:
            unresolved.append(tenv)
    return pairs, unresolved


_BAKED = (
    "`{}`: env `{}` is read from the deployer's environment at declaration time ({}); "
    "runpod 2.0 bakes the value into the endpoint template in plain text"
)
_COMPUTED = (
    "`{}`: env `{}` is computed when the decorator runs ({}), not a runpod.Secret; "
    "runpod 2.0 bakes the value into the endpoint template in plain text"
)
_BAKED_FIX = 'Use env={{"{0}": runpod.Secret("<secret name>")}} (created with `rp secret add`).'


def _shown(value: Value) -> str:
    """The expression as the message shows it, and the constant it came through (rules.md:
    a finding at a use of a constant names the constant)."""
    via = f", through the constant `{value.via}`" if value.via else ""
    return f"`{value.text}`{via}"


def _environ_read(value: Value) -> bool:
    text = value.text or ""
    return "os.environ" in text or "getenv(" in text or text.startswith("environ")


@register
class HardcodedSecret(Check):
    """Reads every `env=` entry (and `PodTemplate(env=[{"key", "value"}])`), following
    module-level constants and helpers; an item set in a `for` loop over a known list of keys
    (`for key in KEYS: value = os.getenv(key, ""); if value: env[key] = value`) is one entry per
    key, judged by the value the loop sets. An entry fails when its value is a non-empty string
    literal and either its key looks secret (a whole word such as TOKEN or PASSWORD: `MONKEY`
    and `AUTHOR` are not secret, and neither is a key where a qualifier such as LIMIT, NAME,
    PREFIX or ENABLED follows the secret word: `TOKEN_LIMIT`, `SECRET_NAME`) or its value has a
    known token shape (`hf_`, `sk-`, `rpa_`, `ghp_`/`github_pat_`, `AKIA`, `xox`, a Slack or
    Discord webhook URL, or a long high-entropy string). Values read from
    `os.environ`/`os.getenv` (also under an alias: `from os import environ as ENV`) and Runpod
    secret references
    `{{ RUNPOD_SECRET_name }}` pass (in runpod 2.0, a secret-looking key read from the
    environment or computed by a call when the decorator runs fails: its value is baked into the
    template), and so do identifier-shaped values (a model or repo id like
    `org/Model-7B-Instruct`, a path, a URL without credentials: a login without a password such
    as `postgresql://bot@db:5432/bot` is none, a password, a user that is itself a token or a
    `?token=` query is; a commit hash such as a pinned model revision, or a UUID, unless the key
    looks secret) unless they carry a known token prefix, numbers, durations and switches
    (`"4096"`, `"1h"`, `"90d"`, `"false"`; with a qualifier such as TTL, ROTATION or DAYS after
    the secret word the key is about a secret anyway), and placeholders as docs write them
    (`github_pat_xxx`, `github_pat_...`, `hf_<your-token>`, `your_token_here`). A `github_pat_`
    value has GitHub's token shape only at full length (82 characters after the prefix); a
    shorter one is judged by its entropy like any other value. A runpod 2.0 `@app.task` is
    checked too: its pod gets `env=` the same way. The fix names the key."""

    id = "hardcoded-secret"
    # A runpod 2.0 task pod gets env= as its environment too (rc2 apps/tasks.py), in plain
    # text, and nothing else of the caller's.
    kinds = ("queue", "load_balancer", "image", "task")
    Params = Params

    def check(self, endpoint, params: Params, ctx):
        pairs, unresolved = env_entries(endpoint)
        env = endpoint.params.get("env")
        if (env is None or env.defaulted) and endpoint.spreads:
            unresolved.append(endpoint.spreads[0])  # the spread may carry env=
        out = []
        for key, value in pairs:
            # An env read with a default resolves to the default (env_key names the variable).
            read = value.env_key is not None or (not value.known and _environ_read(value))
            # A call (`settings.token.get_secret_value()`, `read_token()`): its result is a
            # string computed when the decorator runs, as an env read is.
            computed = not read and not value.known and read_at_run_time(value)
            if endpoint.sdk == "runpod2" and (read or computed):
                # 2.0 renders env into the deployed template when the decorator runs: a value
                # read from os.environ there is shipped in plain text (runpod-sdk2.md §7).
                if secret_key(key, params.secret_words, params.qualifier_words):
                    template = _COMPUTED if computed else _BAKED
                    # About the read itself, so no "a default can override it" note: the
                    # variable's value at deploy time is exactly what gets baked in.
                    path, span = where(endpoint, value)
                    out.append(
                        fail_at(
                            endpoint,
                            template.format(endpoint.display_name, key, _shown(value)),
                            path,
                            span,
                            f"env.{key}",
                            _BAKED_FIX.format(key),
                        )
                    )
                continue
            if not value.known:
                if not (read or read_at_run_time(value)):
                    unresolved.append(value)
                continue
            text = value.value
            if not isinstance(text, str) or not text.strip() or RUNPOD_SECRET_REF.match(text):
                continue
            if placeholder(text.strip()):
                continue  # a slot for the real value, as docs and templates write it
            if identifier_shaped(text.strip(), params) and not known_prefix(text.strip(), params):
                continue  # a model id, a path or a plain URL names something, it is no secret
            shape = token_shape(text, params)
            if not shape and _NUMBER_OR_SWITCH.match(text.strip()):
                continue
            if not (shape or secret_key(key, params.secret_words, params.qualifier_words)):
                continue
            article = "an" if shape and shape[0] in "AEIO" else "a"  # "a URL"
            why = f"looks like {article} {shape}" if shape else "is a secret-looking key"
            via = f" through the constant `{value.via}`" if value.via else ""
            out.append(
                fail(
                    endpoint,
                    f"`{endpoint.display_name}`: env `{key}` {why} and is "
                    f"written as a literal{via}; it ends up in the repository and the "
                    "endpoint template",
                    value,
                    f"env.{key}",
                    fix=_BAKED_FIX.format(key)
                    if endpoint.sdk == "runpod2"
                    else f'Pass it from the environment, env={{"{key}": os.environ["{key}"]}}, '
                    f'or use a Runpod secret "{{{{ RUNPOD_SECRET_{key.lower()} }}}}".',
                )
            )
        if not out and unresolved:
            from_spread = bool(endpoint.spreads) and unresolved[0] is endpoint.spreads[0]
            what = "the `**` spread that may set `env`" if from_spread else "`env`"
            return [unknown(endpoint, unresolved[0], what, "env")]
        return out
