"""The event outbox: an event is an item written in the same transaction as its change.

The table stream delivers every new outbox item to the event relay function, which
publishes it to the bus (see functions/relay and docs/events.md). Outbox items expire
through the table's TTL after a week; they are never read by request paths.
"""

from __future__ import annotations

import json
from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.transactions import TransactWrite

from storefront.data import keys
from storefront.data.table import TableItem
from storefront.events.base import DomainEvent

OUTBOX_ENTITY = "outbox"
# Longer than the relay's dead-letter queue keeps a parked batch (14 days, template.yaml):
# a batch parked there can always be re-published from its outbox items.
OUTBOX_RETENTION_S = 15 * 24 * 3600


class OutboxItem(TableItem, discriminator=OUTBOX_ENTITY):
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    envelope = UnicodeAttribute()  # the JSON envelope, exactly as it will be published


def outbox_item(event: DomainEvent, now: int, event_id: str | None = None) -> OutboxItem:
    """The outbox item of an event; `event_id` fixes its id (an event that must be emitted once per
    thing, whatever retries happen, is keyed by that thing), else a new ULID."""
    envelope: dict[str, Any] = event.envelope(occurred_at=now, event_id=event_id)
    pk, sk = keys.outbox_event(envelope["id"])
    return OutboxItem(
        pk,
        sk,
        event_id=envelope["id"],
        event_type=envelope["type"],
        envelope=json.dumps(envelope, separators=(",", ":")),
        expires_at=now + OUTBOX_RETENTION_S,
    )


def stage_event(write: TransactWrite, event: DomainEvent, now: int) -> str:
    """Access pattern OUTBOX-PUT: add the event to a transaction; returns its id."""
    item = outbox_item(event, now)
    write.save(item, condition=OutboxItem.PK.does_not_exist())
    return str(item.event_id)
