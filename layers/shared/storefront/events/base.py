"""Event contracts: the envelope every event on the bus carries.

A domain event is a versioned pydantic model (its `data`); `envelope()` wraps it with a
unique `id` (a ULID, stable across retries: consumers deduplicate on it), its `type`
(the EventBridge detail-type), its `version` and `occurred_at`. Events leave the
service only through the outbox (`storefront.data.outbox`), in the same transaction as
the change they describe.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from storefront.ids import new_ulid

EVENT_SOURCE = "storefront"


# Built on first use (`defer_build`), not at import: the functions that import an event only
# to stage it on a write would otherwise build every event's validator and serializer at
# each cold start, for reads that never publish one.
EVENT_CONFIG = ConfigDict(frozen=True, extra="forbid", defer_build=True)


def rfc3339(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class DomainEvent(BaseModel):
    """Base of every event's data model. Subclasses set `event_type` and `version`."""

    model_config = EVENT_CONFIG

    event_type: ClassVar[str]
    version: ClassVar[int] = 1

    def envelope(self, *, occurred_at: int, event_id: str | None = None) -> dict[str, Any]:
        return {
            "id": event_id or new_ulid(occurred_at * 1000),
            "type": self.event_type,
            "version": self.version,
            "occurred_at": rfc3339(occurred_at),
            "data": self.model_dump(mode="json"),
        }
