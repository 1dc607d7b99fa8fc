"""The webhook sender's queue: deliveries waiting for their next attempt, and the parked ones.

One SQS queue carries two kinds of message: the domain events an EventBridge rule puts there
(the sender fans each out to the endpoints subscribed), and deliveries the sender (or an
admin's test or redelivery) put there for a later attempt. SQS delays a message at most 15
minutes; a longer wait is a chain of such hops, each message carrying `not_before`.
After its last attempt a delivery is parked in the dead-letter queue (alarmed).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from typing import Any

from storefront import aws
from storefront.domain.webhooks.entities import Delivery
from storefront.settings import get_settings

MAX_DELAY_S = 900  # SQS's longest DelaySeconds
DELIVERY_KEY = "webhook_delivery"


def encoded(delivery: Delivery) -> str:
    return json.dumps({DELIVERY_KEY: asdict(delivery)}, separators=(",", ":"), ensure_ascii=False)


def delivery_of(message: dict[str, Any]) -> Delivery | None:
    """The delivery a queue message carries; None for a domain event (to fan out)."""
    fields = message.get(DELIVERY_KEY)
    return Delivery(**fields) if isinstance(fields, dict) else None


class SqsQueue:
    """The queue as the sender and the webhooks function use it."""

    def later(self, delivery: Delivery, delay_s: float) -> None:
        """Queues `delivery` for an attempt `delay_s` from now (a chain of hops past 15 minutes)."""
        due = time.time() + delay_s
        waiting = Delivery(**{**asdict(delivery), "not_before": due}) if delay_s > MAX_DELAY_S else delivery
        aws.client("sqs").send_message(
            QueueUrl=get_settings().webhook_queue_url,
            MessageBody=encoded(waiting),
            DelaySeconds=min(MAX_DELAY_S, max(0, int(delay_s))),
        )

    def park(self, delivery: Delivery) -> None:
        """The last attempt failed: the delivery waits in the dead-letter queue for an operator."""
        aws.client("sqs").send_message(
            QueueUrl=get_settings().webhook_dead_letter_queue_url, MessageBody=encoded(delivery)
        )
