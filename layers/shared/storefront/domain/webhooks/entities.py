"""Partner webhook endpoints (subscriptions) as the domain sees them (no I/O).

An endpoint's signing secret is never held here in the clear: `secret_sealed` is the KMS
ciphertext (security/sealed_secrets.py); a rotation keeps the previous one signing beside
the new until `previous_expires_at`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
ENDPOINT_DISABLED = "webhook_endpoint.disabled"  # on the bus for the shop's own rules; never delivered

# Standard Webhooks' schedule: the first attempt at once, then these delays after each failure
# (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h): ten attempts over about three days.
RETRY_DELAYS_S: tuple[int, ...] = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)
MAX_ATTEMPTS = len(RETRY_DELAYS_S) + 1
MAX_RETRY_AFTER_S = 86400  # a partner's Retry-After is honoured up to a day
FAILING_LIMIT_S = 5 * 86400  # an endpoint failing every delivery this long is disabled
ATTEMPT_LOG_TTL_S = 30 * 86400


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
    # Since when every attempt has failed (None after a success); 5 days of it disables the endpoint.
    failing_since: int | None = None
    # Why the sender turned it off ("gone": it answered 410; "failing"); None when an admin did, or it is on.
    disabled_reason: str | None = None

    def subscribes(self, event_type: str) -> bool:
        return event_type == TEST_EVENT or ALL_EVENTS in self.events or event_type in self.events

    def live_sealed_secrets(self, now: int) -> tuple[str, ...]:
        """The secrets that sign a delivery at `now`: the current one, and the previous one for 24 hours."""
        keep_previous = self.previous_secret_sealed is not None and (self.previous_expires_at or 0) > now
        return (self.secret_sealed, self.previous_secret_sealed) if keep_previous else (self.secret_sealed,)  # type: ignore[return-value]


def secret_context(endpoint_id: str) -> dict[str, str]:
    """The KMS encryption context of an endpoint's secrets: a sealed secret opens for its endpoint only."""
    return {"purpose": "webhook-signing-secret", "endpoint_id": endpoint_id}


def retry_delay(attempt: int, retry_after_s: int | None, scale: float = 1.0) -> float | None:
    """Seconds from failed attempt number `attempt` (1-based) to the next; None after the last.

    The schedule's delay, or the partner's `Retry-After` when it asks for longer (up to a day);
    `scale` compresses both (tests)."""
    if attempt >= MAX_ATTEMPTS:
        return None
    delay = RETRY_DELAYS_S[attempt - 1]
    if retry_after_s is not None:
        delay = max(delay, min(retry_after_s, MAX_RETRY_AFTER_S))
    return delay * scale


@dataclass(frozen=True)
class Delivery:
    """One event on its way to one endpoint: what the sender's queue carries between attempts.

    The message (event id, type, time, data) is the same on every attempt, so its body and
    `webhook-id` are too. `manual` marks a test or an admin's redelivery: one attempt, no schedule.
    """

    endpoint_id: str
    event_id: str
    event_type: str
    occurred_at: str  # RFC 3339, the event's
    data: dict[str, Any]
    attempt: int = 1
    not_before: float = 0.0  # epoch seconds; a message met earlier waits on (SQS delays stop at 15 min)
    manual: bool = False


@dataclass(frozen=True)
class AttemptRecord:
    """One line of an endpoint's delivery log: what one attempt sent and got.

    `status_code` None: no answer (timeout, refused connection, a destination refused by the
    SSRF guard: `error` says which). `response` is at most 1 KB of the answer, as text.
    `next_attempt_at` None: no attempt follows (delivered, the last one, manual, or disabled).
    """

    id: str  # a ULID of the attempt's millisecond: the delivery log's order, and the id a redelivery names
    delivery: Delivery
    attempted_at: float
    status_code: int | None
    duration_ms: int
    response: str
    error: str | None
    next_attempt_at: int | None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
