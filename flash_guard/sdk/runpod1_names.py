"""The top level of runpod 1.x, the serverless SDK that a `runpod` pin below 2.0 installs.

runpod 1.x has no Apps API: an app written for runpod 2.0 (`runpod.App`, `from runpod import
GpuType`) fails on import when its lock or pin says 1.x (FG213). The names are those of the
newest 1.x release: `dir(runpod)` and its submodules. tests/test_runpod1_names.py checks them
against the runpod 1.x that runpod-flash installs.
"""

from __future__ import annotations

RUNPOD1_VERSION = "1.12.0"

RUNPOD1_TOP_LEVEL: frozenset[str] = frozenset(
    {
        "AsyncioEndpoint",
        "AsyncioJob",
        "Endpoint",
        "RunPodLogger",
        "SSH_KEY_PATH",
        "__version__",
        "_binary_helpers",
        "_version",
        "agent",
        "api",
        "api_key",
        "check_credentials",
        "cli",
        "create_container_registry_auth",
        "create_endpoint",
        "create_pod",
        "create_template",
        "delete_container_registry_auth",
        "endpoint",
        "endpoint_url_base",
        "error",
        "get_credentials",
        "get_endpoints",
        "get_gpu",
        "get_gpus",
        "get_pod",
        "get_pods",
        "get_user",
        "http_client",
        "logging",
        "os",
        "profile",
        "resume_pod",
        "serverless",
        "set_credentials",
        "stop_pod",
        "terminate_pod",
        "update_container_registry_auth",
        "update_endpoint_template",
        "update_user_settings",
        "user_agent",
        "version",
    }
)


def is_runpod1(version: str) -> bool:
    """Whether a `runpod` version (as a lock or pin writes it) is a 1.x or older release."""
    head = version.strip().lstrip("v").split(".", 1)[0]
    return head.isdigit() and int(head) < 2
