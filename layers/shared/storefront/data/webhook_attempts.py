"""Partner webhooks' delivery log: one item per attempt under its endpoint, kept 30 days.

`WEBHOOK#<endpoint>` / `ATTEMPT#<ulid>`: the ULID is the attempt's millisecond, so a Query
read backwards is the log newest first. Each item holds the delivery (the event's message
and the attempt's number), so an admin's redelivery of one line needs only that line.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from storefront.data import keys
from storefront.data.table import TableItem, query_slice
from storefront.domain.pages import Slice
from storefront.domain.webhooks.entities import ATTEMPT_LOG_TTL_S, AttemptRecord, Delivery


class WebhookAttemptItem(TableItem, discriminator="WebhookAttempt"):
    delivery = UnicodeAttribute()  # JSON of the Delivery: endpoint, event message, attempt number
    attempted_at = NumberAttribute()
    status_code = NumberAttribute(null=True)
    duration_ms = NumberAttribute()
    response = UnicodeAttribute()
    error = UnicodeAttribute(null=True)
    next_attempt_at = NumberAttribute(null=True)


def _record(item: WebhookAttemptItem) -> AttemptRecord:
    return AttemptRecord(
        id=item.SK.removeprefix(keys.webhook_attempt_prefix()),
        delivery=Delivery(**json.loads(item.delivery)),
        attempted_at=float(item.attempted_at),
        status_code=None if item.status_code is None else int(item.status_code),
        duration_ms=int(item.duration_ms),
        response=item.response,
        error=item.error,
        next_attempt_at=None if item.next_attempt_at is None else int(item.next_attempt_at),
    )


def record_attempt(record: AttemptRecord) -> None:
    """Access pattern WEBHOOK-ATTEMPT-PUT: PutItem, expiring 30 days after the attempt."""
    pk, sk = keys.webhook_attempt(record.delivery.endpoint_id, record.id)
    WebhookAttemptItem(
        pk,
        sk,
        delivery=json.dumps(asdict(record.delivery), separators=(",", ":"), ensure_ascii=False),
        attempted_at=record.attempted_at,
        status_code=record.status_code,
        duration_ms=record.duration_ms,
        response=record.response,
        error=record.error,
        next_attempt_at=record.next_attempt_at,
        expires_at=int(record.attempted_at) + ATTEMPT_LOG_TTL_S,
    ).save()


def read_attempt(endpoint_id: str, attempt_id: str) -> AttemptRecord | None:
    """Access pattern WEBHOOK-ATTEMPT-GET: GetItem of one log line."""
    try:
        return _record(WebhookAttemptItem.get(*keys.webhook_attempt(endpoint_id, attempt_id)))
    except WebhookAttemptItem.DoesNotExist:
        return None


def list_attempts(endpoint_id: str, limit: int, start: dict[str, Any] | None) -> Slice[AttemptRecord]:
    """Access pattern WEBHOOK-ATTEMPTS-OF-ENDPOINT: Query PK = WEBHOOK#<endpoint>, SK begins_with
    ATTEMPT#, backwards (newest first)."""
    results = WebhookAttemptItem.query(
        keys.webhook_attempts_partition(endpoint_id),
        WebhookAttemptItem.SK.startswith(keys.webhook_attempt_prefix()),
        scan_index_forward=False,
        limit=limit + 1,
        page_size=limit + 1,
        last_evaluated_key=start,
    )
    return query_slice(results, limit, _record)
