"""Events carry a unique id, their type and version, and a UTC timestamp."""

from __future__ import annotations

import json
from typing import ClassVar

from storefront.data.outbox import OUTBOX_RETENTION_S, outbox_item
from storefront.events.base import DomainEvent


class WidgetCreated(DomainEvent):
    event_type: ClassVar[str] = "widget.created"
    version: ClassVar[int] = 2
    widget_id: str


def test_envelope_carries_id_type_version_and_time_when_built() -> None:
    envelope = WidgetCreated(widget_id="w1").envelope(occurred_at=1_795_725_819)
    assert envelope["type"] == "widget.created"
    assert envelope["version"] == 2
    assert envelope["occurred_at"] == "2026-11-26T20:43:39Z"
    assert envelope["data"] == {"widget_id": "w1"}
    assert len(envelope["id"]) == 26


def test_envelope_ids_are_unique_when_events_share_a_second() -> None:
    ids = {WidgetCreated(widget_id="w").envelope(occurred_at=1)["id"] for _ in range(1000)}
    assert len(ids) == 1000


def test_outbox_item_holds_the_published_envelope_and_expires_when_built() -> None:
    item = outbox_item(WidgetCreated(widget_id="w1"), now=1000)
    envelope = json.loads(item.envelope)
    assert item.event_id == envelope["id"]
    assert item.event_type == "widget.created"
    assert item.expires_at == 1000 + OUTBOX_RETENTION_S
    assert f"OUTBOX#{envelope['id']}" == item.PK
