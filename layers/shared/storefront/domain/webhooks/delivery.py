"""Delivering domain events to partner endpoints: fan out, attempt, log, then retry or park.

A domain event becomes one delivery per active endpoint subscribed to its type, tried at
once. Each attempt re-checks the URL with the SSRF guard (a name may now resolve to a
private address: refused, logged, and counted as a failure), signs the message with every
live secret, and is logged. A failure (no 2xx, no answer in 10 s) is tried again on
Standard Webhooks' schedule, or later if the partner's `Retry-After` asks; after the tenth
the delivery is parked in the dead-letter queue. A 410 turns the endpoint off at once;
so do 5 days of nothing but failures (health.py). A test or an admin's redelivery is one
attempt, with no schedule after it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Protocol

from storefront.data import webhook_attempts, webhooks
from storefront.domain.webhooks import health
from storefront.domain.webhooks.entities import (
    EVENT_TYPES,
    FAILING_LIMIT_S,
    AttemptRecord,
    Delivery,
    Endpoint,
    retry_delay,
    secret_context,
)
from storefront.ids import new_ulid
from storefront.observability import module_logger
from storefront.security.sealed_secrets import unseal
from storefront.settings import get_settings
from storefront.webhooks.destinations import Destination, UnsafeDestination, checked_destination
from storefront.webhooks.sender import Attempt, deliver
from storefront.webhooks.signing import Message, signed_headers

EARLY_TOLERANCE_S = 1.0  # SQS delays are whole seconds: a message this early is on time
_logger = module_logger()


class Queue(Protocol):
    def later(self, delivery: Delivery, delay_s: float) -> None: ...
    def park(self, delivery: Delivery) -> None: ...


def _guard(url: str) -> Destination:
    return checked_destination(url, local_mode=get_settings().is_local)


@lru_cache(maxsize=256)
def _opened(sealed: str, endpoint_id: str) -> str:
    """A signing secret, opened by KMS once per execution environment (a rotation seals a new one)."""
    return unseal(sealed, secret_context(endpoint_id))


@dataclass(frozen=True)
class Ports:
    """What an attempt reaches outside: tests replace the network, the guard's resolver, the clock."""

    queue: Queue
    send: Callable[[Destination, dict[str, str], bytes], Attempt] = deliver
    check: Callable[[str], Destination] = _guard
    open_secret: Callable[[str, str], str] = _opened
    now: Callable[[], float] = field(default=time.time)


def endpoints_by_id() -> dict[str, Endpoint]:
    """Every endpoint, by id: read once per batch of the sender (eventually consistent is enough)."""
    return {endpoint.id: endpoint for endpoint in webhooks.read_endpoints(consistent=False)[0]}


def deliveries_of(event: Mapping[str, Any], endpoints: tuple[Endpoint, ...]) -> list[Delivery]:
    """One delivery per active endpoint subscribed to the EventBridge `event`'s type."""
    event_type, detail = str(event["detail-type"]), event["detail"]
    if event_type not in EVENT_TYPES:
        return []
    return [
        Delivery(endpoint.id, str(detail["id"]), event_type, str(detail["occurred_at"]), dict(detail["data"]))
        for endpoint in endpoints
        if endpoint.active and endpoint.subscribes(event_type)
    ]


def _attempt(delivery: Delivery, endpoint: Endpoint, ports: Ports, at: float) -> Attempt:
    try:
        destination = ports.check(endpoint.url)
    except UnsafeDestination as refused:
        _logger.warning(
            "webhook destination refused",
            extra={"security_event": "webhook_destination_refused", "webhook_id": endpoint.id, "reason": str(refused)},
        )
        return Attempt(None, 0, "", error=f"Refused: {refused}")
    occurred_at = datetime.fromisoformat(delivery.occurred_at)
    message = Message(delivery.event_id, delivery.event_type, occurred_at, delivery.data)
    body = message.body()
    live = [ports.open_secret(sealed, endpoint.id) for sealed in endpoint.live_sealed_secrets(int(at))]
    return ports.send(destination, signed_headers(message, body, live, datetime.fromtimestamp(at, UTC)), body)


def _next_attempt(delivery: Delivery, endpoint: Endpoint, result: Attempt, ports: Ports, at: float) -> int | None:
    """After a failure: the endpoint's health, then the next attempt's time (None: no more)."""
    gone = result.status_code == 410
    if delivery.manual:
        return None
    failing_long = endpoint.failing_since is not None and at - endpoint.failing_since >= FAILING_LIMIT_S
    if gone or endpoint.failing_since is None or failing_long:
        disabled = health.failed(endpoint.id, gone)  # writes only when the endpoint's state changes
        if disabled is not None:
            _logger.warning(
                "webhook endpoint disabled",
                extra={"webhook_id": endpoint.id, "reason": disabled.disabled_reason, "event_id": delivery.event_id},
            )
            return None
    if gone:  # never retried, even when another attempt turned the endpoint off first
        return None
    delay = retry_delay(delivery.attempt, result.retry_after_s, get_settings().webhook_retry_scale)
    if delay is None:
        ports.queue.park(delivery)
        _logger.warning(
            "webhook delivery parked after its last attempt",
            extra={"webhook_id": endpoint.id, "event_id": delivery.event_id, "attempt": delivery.attempt},
        )
        return None
    ports.queue.later(replace(delivery, attempt=delivery.attempt + 1, not_before=0.0), delay)
    return int(at + delay + 0.999)


def attempt(delivery: Delivery, endpoints: Mapping[str, Endpoint], ports: Ports) -> AttemptRecord | None:
    """Makes the delivery's attempt now and logs it; None when there is nothing to attempt (yet)."""
    at = ports.now()
    if delivery.not_before > at + EARLY_TOLERANCE_S:  # one hop of a wait longer than SQS's 15 minutes
        ports.queue.later(delivery, delivery.not_before - at)
        return None
    endpoint = endpoints.get(delivery.endpoint_id)
    if endpoint is None or not (endpoint.active or delivery.manual):
        _logger.info(
            "webhook delivery dropped: its endpoint is gone or off",
            extra={"webhook_id": delivery.endpoint_id, "event_id": delivery.event_id},
        )
        return None
    result = _attempt(delivery, endpoint, ports, at)
    if result.delivered:
        if endpoint.failing_since is not None:
            health.succeeded(endpoint.id)
        next_at = None
    else:
        next_at = _next_attempt(delivery, endpoint, result, ports, at)
    record = AttemptRecord(
        id=new_ulid(int(at * 1000)),
        delivery=delivery,
        attempted_at=at,
        status_code=result.status_code,
        duration_ms=result.duration_ms,
        response=result.response_excerpt,
        error=result.error,
        next_attempt_at=next_at,
    )
    webhook_attempts.record_attempt(record)
    return record
