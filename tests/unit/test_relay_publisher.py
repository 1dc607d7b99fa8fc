"""The relay's publishing logic against a fake EventBridge client: batching, retries, failures."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from storefront.events import relay
from storefront.events.base import EVENT_SOURCE
from storefront.events.relay import MAX_ENTRIES, MAX_REQUEST_BYTES, MalformedRecord, Outgoing, Publisher, put_groups


class FakeEventBridge:
    """Records every PutEvents call; refuses an event id as often as `refusals` says."""

    def __init__(self, refusals: dict[str, int] | None = None, raises: int = 0) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self.refusals = dict(refusals or {})
        self.raises = raises

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803 (boto3's name)
        self.calls.append(Entries)
        if self.raises:
            self.raises -= 1
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "PutEvents")
        results: list[dict[str, Any]] = []
        for entry in Entries:
            event_id = json.loads(entry["Detail"])["id"]
            if self.refusals.get(event_id, 0) > 0:
                self.refusals[event_id] -= 1
                results.append({"ErrorCode": "InternalFailure", "ErrorMessage": "try again"})
            else:
                results.append({"EventId": f"eb-{event_id}"})
        return {"FailedEntryCount": sum("ErrorCode" in result for result in results), "Entries": results}

    def published(self) -> list[str]:
        return [json.loads(entry["Detail"])["id"] for call in self.calls for entry in call]


def outgoing(index: int, padding: int = 0) -> Outgoing:
    event_id = f"E{index:03d}"
    detail = json.dumps({"id": event_id, "type": "thing.happened", "version": 1, "data": {"pad": "x" * padding}})
    return Outgoing(key=str(1000 + index), event_id=event_id, event_type="thing.happened", detail=detail)


def publisher(client: FakeEventBridge, delays: list[float] | None = None) -> Publisher:
    sleeps = delays if delays is not None else []
    return Publisher(client, "bus", attempts=3, base_delay_s=0.1, max_delay_s=0.3, sleep=sleeps.append)


def test_entries_are_sent_in_requests_of_at_most_ten_when_a_batch_is_large() -> None:
    client = FakeEventBridge()

    unpublished = publisher(client).publish([outgoing(index) for index in range(25)])

    assert unpublished == []
    assert [len(call) for call in client.calls] == [10, 10, 5]
    assert client.published() == [f"E{index:03d}" for index in range(25)]
    entry = client.calls[0][0]
    assert entry == {
        "Source": "storefront",
        "DetailType": "thing.happened",
        "Detail": outgoing(0).detail,
        "EventBusName": "bus",
    }


def test_requests_stay_under_the_size_limit_when_entries_are_large() -> None:
    big = [outgoing(index, padding=100_000) for index in range(5)]

    groups = list(put_groups(big))

    assert [len(group) for group in groups] == [2, 2, 1]
    assert all(sum(item.size for item in group) <= MAX_REQUEST_BYTES for group in groups)
    assert all(len(group) <= MAX_ENTRIES for group in put_groups([outgoing(index) for index in range(31)]))


def test_only_refused_entries_are_retried_when_put_events_partially_fails() -> None:
    client = FakeEventBridge(refusals={"E003": 1, "E007": 2})
    delays: list[float] = []

    unpublished = publisher(client, delays).publish([outgoing(index) for index in range(10)])

    assert unpublished == []
    assert [[json.loads(entry["Detail"])["id"] for entry in call] for call in client.calls[1:]] == [
        ["E003", "E007"],
        ["E007"],
    ]
    assert len(delays) == 2
    assert all(0 <= delay <= 0.3 for delay in delays)


def test_entries_still_refused_are_returned_when_attempts_run_out() -> None:
    client = FakeEventBridge(refusals={"E001": 99})

    unpublished = publisher(client).publish([outgoing(index) for index in range(3)])

    assert [item.key for item in unpublished] == ["1001"]
    assert client.published().count("E001") == 3
    assert client.published().count("E000") == 1


def test_whole_request_is_retried_when_put_events_raises() -> None:
    client = FakeEventBridge(raises=1)

    unpublished = publisher(client).publish([outgoing(index) for index in range(2)])

    assert unpublished == []
    assert [len(call) for call in client.calls] == [2, 2]


def test_oversize_entry_is_returned_unsent_when_it_exceeds_the_limit() -> None:
    client = FakeEventBridge()
    huge = outgoing(9, padding=MAX_REQUEST_BYTES)

    unpublished = publisher(client).publish([outgoing(1), huge, outgoing(2)])

    assert unpublished == [huge]
    assert client.published() == ["E001", "E002"]


def test_source_matches_the_envelopes_source_when_events_are_published() -> None:
    assert relay.SOURCE == EVENT_SOURCE


# ---------------------------------------------------------------- stream records


def stream_record(image: dict[str, Any], event_name: str = "INSERT", sequence: str = "42") -> dict[str, Any]:
    return {"eventName": event_name, "dynamodb": {"SequenceNumber": sequence, "NewImage": image}}


def outbox_image(envelope: str, event_id: str = "E1", event_type: str = "thing.happened") -> dict[str, Any]:
    return {
        "entity": {"S": "outbox"},
        "event_id": {"S": event_id},
        "event_type": {"S": event_type},
        "envelope": {"S": envelope},
    }


def test_outbox_insert_becomes_an_outgoing_event_when_its_envelope_is_valid() -> None:
    envelope = json.dumps({"id": "E1", "type": "thing.happened", "data": {}})

    items = relay.outbox_events(stream_record(outbox_image(envelope)))

    assert items == [Outgoing(key="42", event_id="E1", event_type="thing.happened", detail=envelope)]


def test_every_envelope_of_a_multi_event_outbox_item_goes_out_under_the_records_key() -> None:
    envelope = json.dumps({"id": "E1", "type": "order.created", "data": {}})
    image = outbox_image(envelope, event_type="order.created")
    image["followers"] = {"S": json.dumps([{"id": "E2", "type": "inventory.low_stock", "data": {"sku": "A"}}])}

    items = relay.outbox_events(stream_record(image))

    assert [(item.key, item.event_id, item.event_type) for item in items] == [
        ("42", "E1", "order.created"),
        ("42", "E2", "inventory.low_stock"),
    ]
    assert json.loads(items[1].detail) == {"id": "E2", "type": "inventory.low_stock", "data": {"sku": "A"}}


@pytest.mark.parametrize(
    "record",
    [
        stream_record({"entity": {"S": "user"}, "name": {"S": "Ann"}}),
        stream_record(outbox_image('{"id": "E1", "type": "thing.happened"}'), event_name="MODIFY"),
        stream_record(outbox_image('{"id": "E1", "type": "thing.happened"}'), event_name="REMOVE"),
    ],
)
def test_record_is_ignored_when_it_is_not_an_outbox_insert(record: dict[str, Any]) -> None:
    assert relay.outbox_events(record) == []


@pytest.mark.parametrize(
    "image",
    [
        outbox_image("not json"),
        outbox_image('["a list"]'),
        outbox_image('{"id": "OTHER", "type": "thing.happened"}'),
        {"entity": {"S": "outbox"}, "event_id": {"S": "E1"}},
        {**outbox_image('{"id": "E1", "type": "thing.happened"}'), "followers": {"S": "not json"}},
        {**outbox_image('{"id": "E1", "type": "thing.happened"}'), "followers": {"S": '[{"type": "x"}]'}},
    ],
)
def test_record_is_malformed_when_its_envelope_cannot_be_published(image: dict[str, Any]) -> None:
    with pytest.raises(MalformedRecord):
        relay.outbox_events(stream_record(image))
