"""Event relay: the table stream's new outbox items, published to the EventBridge bus.

Triggered by the table stream, filtered to INSERTs of outbox items (template.yaml). Every
record it could not publish (after retrying the refused entries) is reported as a batch
item failure: Lambda retries from the earliest of them, bisects the batch, and finally
sends the batch's description to the relay's dead-letter queue, which has an alarm.
Delivery is at least once; consumers deduplicate on the envelope's `id`. The business
metrics (orders placed and paid, revenue, payment failures, stock-outs) are counted from
the events it published (storefront/events/business_metrics.py).

No event handler, no pydantic, no pynamodb: the relay's cold start stays small.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storefront import aws
from storefront.events.business_metrics import metrics_of
from storefront.events.relay import MalformedRecord, Outgoing, Publisher, outbox_events
from storefront.observability import count, flushing, function_logger
from storefront.settings import get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = function_logger()


@flushing
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    failed: list[str] = []
    outgoing: list[Outgoing] = []
    for record in event.get("Records") or []:
        try:
            items = outbox_events(record)
        except MalformedRecord as error:
            # Retrying cannot fix it, but reporting it lands the record in the dead-letter
            # queue (and its alarm) instead of dropping an event silently.
            logger.error("malformed outbox record", extra={"reason": str(error)})
            failed.append(str(record["dynamodb"]["SequenceNumber"]))
            continue
        outgoing += items
    unpublished = Publisher(aws.client("events"), get_settings().event_bus_name).publish(outgoing)
    failed += [item.key for item in unpublished]
    left_out = {item.key for item in unpublished}
    for name, value in metrics_of(item for item in outgoing if item.key not in left_out).items():
        count(name, value)
    logger.info(
        "relayed",
        extra={
            "records": len(event.get("Records") or []),
            "published": len(outgoing) - len(unpublished),
            "failed": len(failed),
        },
    )
    return {"batchItemFailures": [{"itemIdentifier": key} for key in failed]}
