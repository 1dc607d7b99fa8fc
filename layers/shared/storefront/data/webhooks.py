"""Partner webhook endpoints: all of them in ONE item, written optimistically.

One item (`WEBHOOKS` / `ENDPOINTS`) holds every endpoint as JSON and a `version`; each
change reads it, changes the list in memory and puts the whole item conditioned on the
version it read, so two admins' racing changes cannot both commit and the store's cap
(20 endpoints) holds. The delivery side reads the one item to know who subscribes to an
event. Signing secrets are stored sealed (KMS ciphertext), never in the clear.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from storefront.data import keys
from storefront.data.table import TableItem, committed, saved_if
from storefront.domain.webhooks.entities import Endpoint

if TYPE_CHECKING:
    from storefront.events.base import DomainEvent


class WebhookEndpointsItem(TableItem, discriminator="WebhookEndpoints"):
    endpoints = UnicodeAttribute()  # JSON list of endpoints
    version = NumberAttribute()  # +1 on every write; each write is conditioned on the one read
    updated_at = NumberAttribute()


def _endpoint(data: dict[str, Any]) -> Endpoint:
    return Endpoint(**{**data, "events": tuple(data["events"])})


def read_endpoints(consistent: bool = True) -> tuple[tuple[Endpoint, ...], int]:
    """Access pattern WEBHOOK-ENDPOINTS-READ: GetItem; absent → no endpoints, version 0."""
    try:
        item = WebhookEndpointsItem.get(*keys.webhook_endpoints(), consistent_read=consistent)
    except WebhookEndpointsItem.DoesNotExist:
        return (), 0
    return tuple(_endpoint(entry) for entry in json.loads(item.endpoints)), int(item.version)


def write_endpoints(
    endpoints: tuple[Endpoint, ...], read_version: int, now: int, events: Sequence[DomainEvent] = ()
) -> bool:
    """Access pattern WEBHOOK-ENDPOINTS-WRITE: PutItem of every endpoint, version + 1, conditioned
    on the version read (`attribute_not_exists(PK)` for version 0). False when it moved on.
    With `events`, one transaction writes them to the outbox beside the item."""
    pk, sk = keys.webhook_endpoints()
    encoded = json.dumps([asdict(endpoint) for endpoint in endpoints], separators=(",", ":"))
    item = WebhookEndpointsItem(pk, sk, endpoints=encoded, version=read_version + 1, updated_at=now)
    condition: Condition = (
        WebhookEndpointsItem.PK.does_not_exist() if read_version == 0 else WebhookEndpointsItem.version == read_version
    )
    if not events:
        return saved_if(item, condition)
    from storefront.data import outbox  # pydantic's import, paid only by a write that emits an event

    def write_all(write: TransactWrite) -> None:
        write.save(item, condition=condition)
        outbox.stage_events(write, events, now)

    return committed(write_all)
