"""FG212: a load-balanced endpoint told to scale on queue delay."""

from __future__ import annotations

from flash_guard.checks.base import Check, fail, register
from flash_guard.checks.deploy_support import (
    keyword,
    label,
    shown,
    written_value,
)
from flash_guard.model import EnumRef


@register
class LbQueueScaler(Check):
    """Reads `scaler_type` (legacy `scalerType`) of every load-balanced endpoint. Left out, the
    SDK picks `REQUEST_COUNT` for load balancers; set explicitly to
    `ServerlessScalerType.QUEUE_DELAY` (or the string `"QUEUE_DELAY"`) it is kept, the
    endpoint imports and builds fine, and `flash deploy` then fails: a load balancer has no
    queue to measure ("LoadBalancerSlsResource requires REQUEST_COUNT scaler, not
    QUEUE_DELAY").

    runpod 2.0: `scaler_type="QUEUE_DELAY"` (any case, as the SDK upper-cases it) on an
    `@app.api` resource. rc2 validates only that the string is one of QUEUE_DELAY and
    REQUEST_COUNT, keeps it as the effective scaler, and `rp flash deploy` sends a
    load balancer (`type: "LB"`) with `scalerType: "QUEUE_DELAY"`: the same pair runpod-flash
    refuses, with no queue for the scaler to measure. The finding is at the value."""

    id = "lb-queue-scaler"
    kinds = ("load_balancer",)

    def check(self, endpoint, params, ctx):
        field = keyword(endpoint, "scaler_type")
        value, undecided = written_value(endpoint, field, "scaler_type")
        if value is None:
            return undecided
        raw = value.value
        queue_delay = (isinstance(raw, EnumRef) and raw.member == "QUEUE_DELAY") or (
            isinstance(raw, str) and raw == "QUEUE_DELAY"
        )
        if not queue_delay:
            return []
        return [
            fail(
                endpoint,
                f"{label(endpoint)} is load-balanced but sets {field}={shown(value)}: it builds, "
                "then `flash deploy` fails with 'LoadBalancerSlsResource requires REQUEST_COUNT "
                "scaler, not QUEUE_DELAY'",
                value,
                "scaler_type",
            )
        ]
