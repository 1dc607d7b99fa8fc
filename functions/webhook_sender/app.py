"""Webhook sender: delivers the store's events to partner endpoints, signed as Standard Webhooks.

Fed by one SQS queue holding two kinds of message: the domain events an EventBridge rule
sends (each fanned out to the endpoints subscribed to its type, and tried at once) and
deliveries waiting for a later attempt (retries, an admin's test or redelivery). The
attempts of a batch run side by side, as each may wait up to 10 s for a partner. A message
that cannot be read, or whose work failed (the table or the queue did not answer), is a
batch item failure: SQS offers it again, and after five receives it is parked in the
dead-letter queue. An event fanned out to several endpoints is not offered again for one
delivery's failure (the others' partners would get it twice): that delivery alone is
queued for another try. See storefront/domain/webhooks/delivery.py.
"""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from storefront.domain.webhooks import delivery
from storefront.domain.webhooks.entities import Delivery
from storefront.observability import count, flushing, function_logger
from storefront.settings import get_settings
from storefront.webhooks.queue import SqsQueue, delivery_of

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = function_logger()
PORTS = delivery.Ports(queue=SqsQueue())
MAX_PARALLEL = 16
RUN_AGAIN_AFTER_S = 60  # a fanned-out delivery whose work failed: about when SQS would have offered it again


def _work_of(records: list[dict[str, Any]], endpoints: dict[str, Any]) -> tuple[list[tuple[str, Delivery]], set[str]]:
    """Each record's deliveries (by message id), and the ids of records that could not be read."""
    work: list[tuple[str, Delivery]] = []
    unreadable: set[str] = set()
    for record in records:
        message_id = str(record.get("messageId"))
        try:
            body = json.loads(record["body"])
            waiting = delivery_of(body)
            found = [waiting] if waiting else delivery.deliveries_of(body, tuple(endpoints.values()))
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            logger.error("unreadable webhook message", extra={"message_id": message_id, "reason": str(error)[:200]})
            unreadable.add(message_id)
            continue
        work.extend((message_id, found_delivery) for found_delivery in found)
    return work, unreadable


def _queued_alone(item: Delivery) -> bool:
    """Queues one delivery of a fanned-out event for another try; False when the queue refused it too."""
    try:
        PORTS.queue.later(item, RUN_AGAIN_AFTER_S * get_settings().webhook_retry_scale)
    except Exception:
        logger.exception("webhook delivery not queued again", extra={"event_id": item.event_id})
        return False
    return True


@flushing
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = event.get("Records") or []
    endpoints = delivery.endpoints_by_id()
    work, failed = _work_of(records, endpoints)
    delivered = attempted = 0
    if work:
        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(work))) as pool:
            futures: list[Future[Any]] = [pool.submit(delivery.attempt, item, endpoints, PORTS) for _, item in work]
        fanned_out = Counter(message_id for message_id, _ in work)
        for (message_id, item), future in zip(work, futures, strict=True):
            error = future.exception()
            if error is not None:
                logger.error("webhook delivery failed to run", exc_info=error, extra={"message_id": message_id})
                if fanned_out[message_id] == 1 or not _queued_alone(item):
                    failed.add(message_id)
            elif (record := future.result()) is not None:
                attempted += 1
                delivered += record.succeeded
    if attempted:
        count("WebhookAttempts", attempted)
        count("WebhookAttemptsFailed", attempted - delivered)
    logger.info(
        "webhook batch",
        extra={"messages": len(records), "deliveries": len(work), "delivered": delivered, "failed": len(failed)},
    )
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in sorted(failed)]}
