"""FG212: a load-balanced endpoint told to scale on queue delay."""

from __future__ import annotations

from flash_guard.checks.base import Check, fail, register, unknown
from flash_guard.checks.deploy_support import keyword, label, shown, spread_unknown, written
from flash_guard.model import EnumRef


@register
class LbQueueScaler(Check):
    """Reads `scaler_type` (legacy `scalerType`) of every load-balanced endpoint. Left out, the
    SDK picks `REQUEST_COUNT` for load balancers; set explicitly to
    `ServerlessScalerType.QUEUE_DELAY` (or the string `"QUEUE_DELAY"`) it is kept, the
    endpoint imports and builds fine, and `flash deploy` then fails: a load balancer has no
    queue to measure ("LoadBalancerSlsResource requires REQUEST_COUNT scaler, not
    QUEUE_DELAY")."""

    id = "lb-queue-scaler"
    kinds = ("load_balancer",)

    def check(self, endpoint, params, ctx):
        field = keyword(endpoint, "scaler_type")
        found = written(endpoint, field)
        if found is None:
            return spread_unknown(endpoint, field)
        value, _ = found
        if not value.known:
            return [unknown(endpoint, value, f"`{field}`", "scaler_type")]
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
