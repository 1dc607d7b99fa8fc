"""The event outbox: an event is an item written in the same transaction as its change.

The table stream delivers every new outbox item to the event relay function, which
publishes it to the bus (see functions/relay and docs/events.md). Outbox items expire
through the table's TTL after 15 days; no request path reads them (only the relay, and
`make admin ARGS="dead-letters redrive RelayDeadLetterQueue"` after the stream let go).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
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
    # Further envelopes of the same write (a JSON list), when one item carries several events.
    followers = UnicodeAttribute(null=True)

    def envelopes(self) -> list[dict[str, Any]]:
        """Every envelope the item carries, its own first."""
        followers: list[dict[str, Any]] = json.loads(self.followers) if self.followers else []
        return [json.loads(self.envelope), *followers]


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


def stage_events(write: TransactWrite, events: Sequence[DomainEvent], now: int) -> list[str]:
    """Access pattern OUTBOX-PUT (several events, one item): the events of one write, one action.

    A transaction holds at most 100 actions; a write that touches up to 95 stock items and
    may cross a boundary on each (checkout completion, order expiry) cannot afford an item
    per event. The first event is the item's own envelope, the rest its `followers`; the
    relay publishes each with its own id. Returns the ids, in order.
    """
    if not events:
        return []
    envelopes = [event.envelope(occurred_at=now) for event in events]
    first = envelopes[0]
    pk, sk = keys.outbox_event(first["id"])
    item = OutboxItem(
        pk,
        sk,
        event_id=first["id"],
        event_type=first["type"],
        envelope=json.dumps(first, separators=(",", ":")),
        followers=json.dumps(envelopes[1:], separators=(",", ":")) if len(envelopes) > 1 else None,
        expires_at=now + OUTBOX_RETENTION_S,
    )
    write.save(item, condition=OutboxItem.PK.does_not_exist())
    return [str(envelope["id"]) for envelope in envelopes]
