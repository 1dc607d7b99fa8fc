"""Partner webhook endpoints (subscriptions) as the domain sees them (no I/O).

An endpoint's signing secret is never held here in the clear: `secret_sealed` is the KMS
ciphertext (security/sealed_secrets.py); a rotation keeps the previous one signing beside
the new until `previous_expires_at`.
"""

from __future__ import annotations

from dataclasses import dataclass

# The contract's event types ("Events and partner webhooks"); "*" subscribes to all of them.
EVENT_TYPES: tuple[str, ...] = (
    "order.created",
    "order.paid",
    "order.processing",
    "order.shipped",
    "order.delivered",
    "order.cancelled",
    "order.refunded",
    "payment.failed",
    "inventory.low_stock",
    "product.created",
    "product.updated",
    "product.deleted",
    "review.approved",
)
ALL_EVENTS = "*"
TEST_EVENT = "webhook.test"  # sent on request to any endpoint, whatever it subscribes to
MAX_ENDPOINTS = 20
ROTATION_OVERLAP_S = 24 * 3600


@dataclass(frozen=True)
class Endpoint:
    id: str
    url: str
    events: tuple[str, ...]
    description: str | None
    active: bool
    created_at: int
    updated_at: int
    secret_sealed: str
    previous_secret_sealed: str | None = None
    previous_expires_at: int | None = None

    def subscribes(self, event_type: str) -> bool:
        return event_type == TEST_EVENT or ALL_EVENTS in self.events or event_type in self.events

    def live_sealed_secrets(self, now: int) -> tuple[str, ...]:
        """The secrets that sign a delivery at `now`: the current one, and the previous one for 24 hours."""
        keep_previous = self.previous_secret_sealed is not None and (self.previous_expires_at or 0) > now
        return (self.secret_sealed, self.previous_secret_sealed) if keep_previous else (self.secret_sealed,)  # type: ignore[return-value]


def secret_context(endpoint_id: str) -> dict[str, str]:
    """The KMS encryption context of an endpoint's secrets: a sealed secret opens for its endpoint only."""
    return {"purpose": "webhook-signing-secret", "endpoint_id": endpoint_id}
