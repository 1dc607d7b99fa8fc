"""What admins ask of the sender: an endpoint's delivery log, a test event, one delivery again.

A test or a redelivery is queued for the sender (which alone opens signing secrets) and
made once, without the retry schedule; its line in the log says `manual`. Either may go to
an endpoint that is off, so an admin can check a partner before turning it back on.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from storefront.data import webhook_attempts
from storefront.domain import clock
from storefront.domain.errors import NotFound
from storefront.domain.pages import Slice
from storefront.domain.webhooks.entities import TEST_EVENT, AttemptRecord, Delivery
from storefront.domain.webhooks.service import get_endpoint
from storefront.events.base import rfc3339
from storefront.ids import new_ulid
from storefront.observability import module_logger

if TYPE_CHECKING:  # the admin function queues; the sender's attempt code is not its to load
    from storefront.domain.webhooks.delivery import Queue

UNKNOWN_DELIVERY = "This endpoint's delivery log has no delivery with this id (lines are kept 30 days)."
_logger = module_logger()


def delivery_log(endpoint_id: str, limit: int, start: dict[str, Any] | None) -> Slice[AttemptRecord]:
    """The endpoint's attempts, newest first (404 for an unknown endpoint)."""
    get_endpoint(endpoint_id)
    return webhook_attempts.list_attempts(endpoint_id, limit, start)


def send_test(endpoint_id: str, actor: str, queue: Queue) -> Delivery:
    """Queues a `webhook.test` event for the endpoint, whatever it subscribes to."""
    endpoint = get_endpoint(endpoint_id)
    now = clock.now()
    test = Delivery(
        endpoint.id, new_ulid(now * 1000), TEST_EVENT, rfc3339(now), {"webhook_id": endpoint.id}, manual=True
    )
    queue.later(test, 0)
    _logger.info("webhook test queued", extra={"webhook_id": endpoint.id, "event_id": test.event_id, "actor": actor})
    return test


def redeliver(endpoint_id: str, delivery_id: str, actor: str, queue: Queue) -> Delivery:
    """Queues the logged delivery `delivery_id` once more: the same event, id and body, one attempt."""
    get_endpoint(endpoint_id)
    logged = webhook_attempts.read_attempt(endpoint_id, delivery_id)
    if logged is None:
        raise NotFound(UNKNOWN_DELIVERY)
    again = replace(logged.delivery, attempt=logged.delivery.attempt + 1, not_before=0.0, manual=True)
    queue.later(again, 0)
    _logger.info(
        "webhook redelivery queued",
        extra={"webhook_id": endpoint_id, "event_id": again.event_id, "delivery_id": delivery_id, "actor": actor},
    )
    return again
