"""The event relay's half of "no lost events": outbox envelopes onto the bus, at least once.

The relay function hands the outbox items of a stream batch to `Publisher.publish`, which
sends them with PutEvents in requests of at most 10 entries and 256 KB, retries only the
entries EventBridge refused (bounded, jittered backoff), and returns what it could not
publish so the function reports those records as batch item failures (Lambda retries
them, then sends the batch's description to the dead-letter queue).

EventBridge has no deduplication key: the envelope's `id` is it. A retried request may
publish an entry twice, so consumers deduplicate on `detail.id`.

This module imports neither pydantic nor pynamodb (the relay's cold start stays small).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from storefront.observability import module_logger

# Equal to storefront.events.base.EVENT_SOURCE (a unit test keeps them equal); not
# imported from there because base.py imports pydantic.
SOURCE = "storefront"
OUTBOX_ENTITY = "outbox"  # storefront.data.outbox.OUTBOX_ENTITY, same reason (pynamodb)
MAX_ENTRIES = 10  # PutEvents' limit per request
MAX_REQUEST_BYTES = 256 * 1024  # PutEvents' limit per request, and so per entry

logger = module_logger()


class MalformedRecord(ValueError):
    """An outbox record without a publishable envelope: retrying cannot fix it."""


@dataclass(frozen=True)
class Outgoing:
    """One outbox envelope on its way to the bus."""

    key: str  # the stream record's sequence number: what a batch item failure names
    event_id: str
    event_type: str
    detail: str  # the envelope JSON, exactly as the outbox holds it

    @property
    def size(self) -> int:
        # EventBridge's entry size: Source + DetailType + Detail in UTF-8 (no Time, no Resources).
        return len(SOURCE.encode()) + len(self.event_type.encode()) + len(self.detail.encode())

    @property
    def fields(self) -> dict[str, str]:
        return {"event_id": self.event_id, "event_type": self.event_type}

    def entry(self, bus_name: str) -> dict[str, str]:
        return {"Source": SOURCE, "DetailType": self.event_type, "Detail": self.detail, "EventBusName": bus_name}


def _string(image: Mapping[str, Any], name: str) -> str:
    value = (image.get(name) or {}).get("S")
    if not isinstance(value, str) or not value:
        raise MalformedRecord(f"outbox item without a string {name}")
    return value


def _outgoing(key: str, detail: str, event_id: str, event_type: str) -> Outgoing:
    try:
        envelope = json.loads(detail)
    except ValueError as error:
        raise MalformedRecord(f"outbox item {event_id}: the envelope is not JSON") from error
    if not isinstance(envelope, dict) or envelope.get("id") != event_id or envelope.get("type") != event_type:
        raise MalformedRecord(f"outbox item {event_id}: the envelope does not match its id and type")
    return Outgoing(key, event_id, event_type, detail)


def _followers(key: str, image: Mapping[str, Any], event_id: str) -> list[Outgoing]:
    """The further envelopes of an outbox item that carries several events of one write."""
    raw = (image.get("followers") or {}).get("S")
    if raw is None:
        return []
    try:
        envelopes = json.loads(raw)
    except ValueError as error:
        raise MalformedRecord(f"outbox item {event_id}: its followers are not JSON") from error
    if not isinstance(envelopes, list) or not all(isinstance(envelope, dict) for envelope in envelopes):
        raise MalformedRecord(f"outbox item {event_id}: its followers are not a list of envelopes")
    outgoing = []
    for envelope in envelopes:
        follower_id, follower_type = envelope.get("id"), envelope.get("type")
        if not isinstance(follower_id, str) or not isinstance(follower_type, str) or not follower_id:
            raise MalformedRecord(f"outbox item {event_id}: a follower without an id and a type")
        detail = json.dumps(envelope, separators=(",", ":"))
        outgoing.append(_outgoing(key, detail, follower_id, follower_type))
    return outgoing


def outbox_events(record: Mapping[str, Any]) -> list[Outgoing]:
    """The envelopes of a stream record that inserts an outbox item; none for any other record.

    An outbox item holds one event, or (`followers`) several events of one write when a
    transaction cannot afford an item per event (checkout completion: 100 actions at most).
    They all share the record's key: if one fails, the record is retried whole and
    consumers deduplicate on the ids. The event source's filter already lets only outbox
    INSERTs through; checking again keeps the relay correct under a looser filter (or none,
    as in a replayed sample).
    """
    change = record.get("dynamodb") or {}
    image = change.get("NewImage") or {}
    if record.get("eventName") != "INSERT" or (image.get("entity") or {}).get("S") != OUTBOX_ENTITY:
        return []
    key = str(change["SequenceNumber"])
    event_id, event_type, detail = _string(image, "event_id"), _string(image, "event_type"), _string(image, "envelope")
    return [_outgoing(key, detail, event_id, event_type), *_followers(key, image, event_id)]


def put_groups(items: Iterable[Outgoing]) -> Iterator[list[Outgoing]]:
    """Consecutive groups of at most MAX_ENTRIES entries and MAX_REQUEST_BYTES in all."""
    group: list[Outgoing] = []
    size = 0
    for item in items:
        if group and (len(group) == MAX_ENTRIES or size + item.size > MAX_REQUEST_BYTES):
            yield group
            group, size = [], 0
        group.append(item)
        size += item.size
    if group:
        yield group


class Publisher:
    """PutEvents with retries of the refused entries only; returns what stayed unpublished."""

    def __init__(
        self,
        client: Any,
        bus_name: str,
        *,
        attempts: int = 4,
        base_delay_s: float = 0.1,
        max_delay_s: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client, self.bus_name, self.attempts = client, bus_name, attempts
        self.base_delay_s, self.max_delay_s, self.sleep = base_delay_s, max_delay_s, sleep

    def publish(self, items: Sequence[Outgoing]) -> list[Outgoing]:
        oversize = [item for item in items if item.size > MAX_REQUEST_BYTES]
        for item in oversize:
            logger.error("event over PutEvents' size limit", extra={**item.fields, "bytes": item.size})
        pending = [item for item in items if item.size <= MAX_REQUEST_BYTES]
        for attempt in range(self.attempts):
            if attempt:
                # Full jitter: concurrent relays (one per shard) do not retry in step.
                self.sleep(random.uniform(0, min(self.max_delay_s, self.base_delay_s * 2**attempt)))  # noqa: S311
            pending = [item for group in put_groups(pending) for item in self._put(group)]
            if not pending:
                break
        for item in pending:
            logger.error("event not published", extra={**item.fields, "attempts": self.attempts})
        return oversize + pending

    def _put(self, group: list[Outgoing]) -> list[Outgoing]:
        """The entries of one request that EventBridge did not accept."""
        try:
            response = self.client.put_events(Entries=[item.entry(self.bus_name) for item in group])
        except (BotoCoreError, ClientError) as error:
            logger.warning("PutEvents failed", extra={"entries": len(group), "error": str(error)})
            return group
        if not response.get("FailedEntryCount"):
            return []
        refused = []
        for item, result in zip(group, response["Entries"], strict=True):
            if result.get("ErrorCode"):
                logger.warning("event refused", extra={**item.fields, "code": result["ErrorCode"]})
                refused.append(item)
        return refused
