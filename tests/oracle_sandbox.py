"""The sandbox every SDK oracle (sdk_oracle.py, sdk2_oracle.py, tetra_oracle.py) runs in.

The parent side builds a scrubbed environment and runs the child interpreter in a fresh
temporary directory (also its HOME); the child side blocks every socket connect and DNS lookup,
records log records, and interrupts a case that runs too long. Only the standard library is
used: the runpod 2.0 child imports this file from its own interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

# The child's exit status when the SDK it drives is not importable.
EXIT_SDK_MISSING = 3


def interpreter(env_var: str, venv: str) -> Path:
    """$`env_var`, else <repo>/`venv`/bin/python (which may not exist): where an oracle's SDK
    interpreter is."""
    configured = os.environ.get(env_var)
    repo = Path(__file__).resolve().parent.parent
    return Path(configured) if configured else repo / venv / "bin" / "python"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1")


def skip_or_fail(reason: str, required: str) -> None:
    """Skip the calling test when an SDK is missing, except under CI=true: CI installs every
    oracle's SDK, so an oracle that did not run there is a failure, never a silent pass."""
    import pytest

    if in_ci():
        pytest.fail(f"{reason} (CI=true: {required} is required)")
    pytest.skip(reason)


def jsonable(value: Any) -> Any:
    """A runpod-flash / tetra-rp value as JSON: enum members by name, pydantic models dumped."""
    import enum

    if isinstance(value, enum.Enum):
        return value.name
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if hasattr(value, "model_dump"):
        return jsonable(value.model_dump())
    return repr(value)


def sandbox_env(
    home: str,
    passed_through: tuple[str, ...],
    fixed: dict[str, str],
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    """Only what an interpreter needs from the host, HOME in the sandbox, then `fixed`, then
    `extra`: nothing an SDK reads from the environment can leak in from the host."""
    env = {k: os.environ[k] for k in passed_through if k in os.environ}
    env.update(
        HOME=home,
        USERPROFILE=home,
        XDG_CONFIG_HOME=home,
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONIOENCODING="utf-8",
    )
    env.update(fixed)
    env.update(extra or {})
    return env


class ChildFailed(RuntimeError):
    """The child ran but produced no result; `missing` when the SDK was not importable."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


def spawn_child(
    argv: list[str],
    request: dict[str, Any],
    *,
    env_for: Any,
    timeout: float,
    prefix: str,
) -> Any:
    """Run `argv + [--child, RESULT]` with `request` on stdin in a fresh temporary directory;
    the JSON the child wrote. `env_for(tmp)` is the child's whole environment.

    Raises TimeoutError or ChildFailed; each oracle turns them into its own exceptions."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        result_path = Path(tmp, "result.json")
        try:
            proc = subprocess.run(
                [*argv, "--child", str(result_path)],
                input=json.dumps(request),
                capture_output=True,
                text=True,
                cwd=tmp,
                env=env_for(tmp),
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise TimeoutError(f"timed out after {timeout:.0f}s") from exc
        if proc.returncode == EXIT_SDK_MISSING:
            raise ChildFailed(proc.stderr.strip(), missing=True)
        if proc.returncode != 0 or not result_path.exists():
            tail = "\n".join(proc.stderr.strip().splitlines()[-25:])
            raise ChildFailed(f"exited with {proc.returncode}:\n{tail}")
        return json.loads(result_path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# Child side.


class Deadline:
    """Interrupt a case that runs too long, so one bad case cannot eat the whole budget."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def _fire(self, *_: Any) -> None:
        raise TimeoutError(f"snippet ran longer than {self.seconds:.0f}s")

    def __enter__(self) -> Deadline:
        import signal

        if hasattr(signal, "setitimer"):
            signal.signal(signal.SIGALRM, self._fire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *_: object) -> None:
        import signal

        if hasattr(signal, "setitimer"):
            signal.setitimer(signal.ITIMER_REAL, 0)


class Recorder:
    """Blocks sockets and DNS and collects log records; both are reset for every case."""

    def __init__(self, label: str) -> None:
        import logging

        self.label = label
        self.network: list[str] = []
        self.logs: list[dict[str, str]] = []
        recorder = self

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                recorder.logs.append(
                    {
                        "level": record.levelname,
                        "logger": record.name,
                        "message": record.getMessage(),
                    }
                )

        self.handler = Handler(level=logging.WARNING)

    def install(self) -> None:
        import logging
        import socket

        def blocked(what: str):
            def refuse(*args: Any, **_: Any) -> Any:
                # socket methods get (self, address); the module functions (address|host, ...)
                picked = args[1:2] if what.startswith("socket.") else args[:1]
                self.network.append(f"{what}({', '.join(map(repr, picked))})")
                raise OSError(f"network access is blocked in the {self.label} ({what})")

            return refuse

        socket.socket.connect = blocked("socket.connect")  # type: ignore[method-assign]
        socket.socket.connect_ex = blocked("socket.connect_ex")  # type: ignore[method-assign]
        socket.create_connection = blocked("create_connection")  # type: ignore[assignment]
        socket.getaddrinfo = blocked("getaddrinfo")  # type: ignore[assignment]
        socket.gethostbyname = blocked("gethostbyname")  # type: ignore[assignment]
        socket.gethostbyname_ex = blocked("gethostbyname_ex")  # type: ignore[assignment]
        # A root handler installed before the SDK is imported keeps runpod_flash's
        # setup_logging from adding a stdout handler and a .flash/logs file handler.
        logging.getLogger().addHandler(self.handler)

    def reset(self) -> None:
        self.network.clear()
        self.logs.clear()
