"""FG108: the worker reads an environment variable that `env=` does not pass."""

from __future__ import annotations

from dataclasses import dataclass

from flash_guard.checks.base import (
    Check,
    fail_at,
    param_doc,
    register,
    unknown,
    worker_bodies,
)
from flash_guard.project.globs import any_match

PLATFORM_VARIABLES = [
    "RUNPOD_*",
    "FLASH_*",
    "CUDA_*",
    "NVIDIA_*",
    "HOME",
    "PATH",
    "PWD",
    "USER",
    "HOSTNAME",
    "LANG",
    "LC_*",
    "TZ",
    "TMPDIR",
    "PYTHONPATH",
    "PYTHONUNBUFFERED",
    "LD_LIBRARY_PATH",
]


@dataclass
class Params:
    platform_variables: list[str] = param_doc(
        default=PLATFORM_VARIABLES,
        doc="Globs of variables the platform or image sets, which need no `env=` entry.",
    )


@register
class EnvNotForwarded(Check):
    """Finds literal environment reads in the worker's own code (`os.environ["X"]`,
    `os.environ.get("X")`, `os.getenv("X")`) and reports each variable that `env=` does not
    pass and that is not a platform variable. Locally `flash dev` loads `.env`, so the code
    works on a laptop; deployed workers never see `.env` and get `None` or a KeyError."""

    id = "env-not-forwarded"
    Params = Params

    def check(self, endpoint, params: Params, ctx):
        env = endpoint.params.get("env")
        passed: set[str] = set()
        open_env = None
        if env is None or env.defaulted:
            # The spread may carry env=.
            open_env = endpoint.spreads[0] if endpoint.spreads else None
        else:
            if not env.known:
                open_env = env
            elif isinstance(env.value, dict):
                passed = {str(k) for k in env.value}
                open_env = env.partial
        out = []
        seen = set()
        for body in worker_bodies(endpoint):
            for name, span in body.env_reads:
                if name in passed or name in seen or any_match(params.platform_variables, name):
                    continue
                seen.add(name)
                if open_env is not None:
                    from_spread = bool(endpoint.spreads) and open_env is endpoint.spreads[0]
                    what = "the `**` spread that may set `env`" if from_spread else "`env`"
                    out.append(unknown(endpoint, open_env, what, "env"))
                    return out
                out.append(
                    fail_at(
                        endpoint,
                        f"`{body.name}` reads `{name}` from the environment "
                        f"but `{endpoint.display_name}` does not pass it in env=; "
                        "deployed workers never see your local .env",
                        body.path or endpoint.path,
                        span,
                        f"env.{name}",
                        fix=f'Add env={{"{name}": os.environ["{name}"]}} (or a '
                        "{{ RUNPOD_SECRET_... }} reference) to the endpoint",
                    )
                )
        return out
