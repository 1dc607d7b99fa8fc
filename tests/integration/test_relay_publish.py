"""The relay function against moto: stream batches of outbox items become events on the bus.

A rule on the bus targets an SQS queue (moto invokes no functions), so reading the queue
shows exactly what reached the bus.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar

import boto3
import pytest
from moto import mock_aws

from devkit.functions import load_handler_module
from storefront import aws
from storefront.data.outbox import outbox_item
from storefront.events.base import DomainEvent
from storefront.settings import get_settings
from tests.support import FakeContext, emitted_metrics, sample_event

relay_function = load_handler_module("functions/relay")
STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/storefront-test/stream/2026-11-26T00:00:00.000"


class ParcelSent(DomainEvent):
    event_type: ClassVar[str] = "test.parcel_sent"
    parcel_id: str


@pytest.fixture
def bus_queue() -> Iterator[str]:
    """The bus, with a rule sending every storefront event to a queue; yields the queue URL."""
    get_settings.cache_clear()
    aws.client.cache_clear()
    with mock_aws():
        bus = get_settings().event_bus_name
        events, sqs = boto3.client("events"), boto3.client("sqs")
        events.create_event_bus(Name=bus)
        url = sqs.create_queue(QueueName="subscriber")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_rule(Name="all", EventBusName=bus, EventPattern=json.dumps({"source": ["storefront"]}))
        events.put_targets(Rule="all", EventBusName=bus, Targets=[{"Id": "queue", "Arn": arn}])
        yield url
    aws.client.cache_clear()


def delivered(url: str) -> list[dict[str, Any]]:
    sqs, found = boto3.client("sqs"), []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def stream_batch(count: int, *, first_sequence: int = 1) -> dict[str, Any]:
    """Records as the table stream sends them for new outbox items (DynamoDB JSON images)."""
    records = []
    for index in range(count):
        item = outbox_item(ParcelSent(parcel_id=f"p-{index}"), now=1_795_725_819)
        image = item.serialize()
        keys = {"PK": image["PK"], "SK": image["SK"]}
        change: dict[str, Any] = {"Keys": keys, "NewImage": image, "SequenceNumber": str(first_sequence + index)}
        change |= {"StreamViewType": "NEW_AND_OLD_IMAGES", "ApproximateCreationDateTime": 1_795_725_819.0}
        records.append(
            {"eventName": "INSERT", "eventSource": "aws:dynamodb", "eventSourceARN": STREAM_ARN, "dynamodb": change}
        )
    return {"Records": records}


def event_ids(batch: dict[str, Any]) -> list[str]:
    return [record["dynamodb"]["NewImage"]["event_id"]["S"] for record in batch["Records"]]


class FlakyEvents:
    """The real (moto) client, except that PutEvents refuses `event_id` its first `times` times."""

    def __init__(self, event_id: str, times: int) -> None:
        self.real, self.event_id, self.times = boto3.client("events"), event_id, times

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803 (boto3's name)
        refused = [entry for entry in Entries if json.loads(entry["Detail"])["id"] == self.event_id and self.times > 0]
        self.times -= bool(refused)
        accepted = [entry for entry in Entries if entry not in refused]
        answer = self.real.put_events(Entries=accepted) if accepted else {"Entries": []}
        results = iter(answer["Entries"])
        failure = {"ErrorCode": "InternalFailure", "ErrorMessage": "injected"}
        return {
            "FailedEntryCount": len(refused),
            "Entries": [failure if entry in refused else next(results) for entry in Entries],
        }


def invoke(batch: dict[str, Any]) -> list[str]:
    answer = relay_function.lambda_handler(batch, FakeContext())
    return [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]


def test_every_outbox_record_reaches_the_bus_when_a_stream_batch_arrives(bus_queue: str) -> None:
    batch = stream_batch(23)

    assert invoke(batch) == []

    events = delivered(bus_queue)
    assert sorted(event["detail"]["id"] for event in events) == sorted(event_ids(batch))
    assert {event["detail-type"] for event in events} == {"test.parcel_sent"}
    assert {event["source"] for event in events} == {"storefront"}
    assert events[0]["detail"]["data"]["parcel_id"].startswith("p-")


def test_refused_event_arrives_exactly_once_when_put_events_fails_it_once(
    bus_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = stream_batch(3)
    flaky = FlakyEvents(event_ids(batch)[1], times=1)
    monkeypatch.setattr(aws, "client", lambda service: flaky)

    assert invoke(batch) == []

    assert sorted(event["detail"]["id"] for event in delivered(bus_queue)) == sorted(event_ids(batch))


def test_record_is_reported_as_a_batch_item_failure_when_publishing_keeps_failing(
    bus_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = stream_batch(3, first_sequence=500)
    stuck = event_ids(batch)[2]
    monkeypatch.setattr(aws, "client", lambda service: FlakyEvents(stuck, times=99))

    assert invoke(batch) == ["502"]

    assert sorted(event["detail"]["id"] for event in delivered(bus_queue)) == sorted(event_ids(batch)[:2])


def test_malformed_outbox_record_is_reported_when_its_envelope_is_not_json(bus_queue: str) -> None:
    batch = stream_batch(2, first_sequence=7)
    batch["Records"][0]["dynamodb"]["NewImage"]["envelope"] = {"S": "{broken"}

    assert invoke(batch) == ["7"]

    assert [event["detail"]["id"] for event in delivered(bus_queue)] == event_ids(batch)[1:]


def test_nothing_is_published_when_the_records_are_not_outbox_inserts(bus_queue: str) -> None:
    batch = sample_event("relay", "outbox-batch")
    batch["Records"] = [record for record in batch["Records"] if record["eventName"] != "INSERT"]
    batch["Records"] += [{**record, "eventName": "REMOVE"} for record in stream_batch(2, first_sequence=90)["Records"]]

    assert invoke(batch) == []

    assert delivered(bus_queue) == []


def test_sample_batch_publishes_its_outbox_events_when_replayed(bus_queue: str) -> None:
    assert invoke(sample_event("relay", "outbox-batch")) == []

    events = {event["detail"]["id"]: event for event in delivered(bus_queue)}
    assert sorted(events) == ["01JDQ7Z8X9K2M3N4P5Q6R7S8A1", "01JDQ7Z8X9K2M3N4P5Q6R7S8A2"]
    assert events["01JDQ7Z8X9K2M3N4P5Q6R7S8A1"]["detail-type"] == "product.created"
    assert events["01JDQ7Z8X9K2M3N4P5Q6R7S8A2"]["detail"]["data"] == {"sku": "MUG-1", "available": 2}


def test_the_relay_writes_the_business_metrics_of_what_it_published_as_one_emf_line(
    bus_queue: str, capsys: pytest.CaptureFixture[str]
) -> None:
    item = outbox_item(OrderPaidForMetrics(total=4200, currency="EUR"), now=1_795_725_819)
    image = item.serialize()
    change = {"Keys": {"PK": image["PK"], "SK": image["SK"]}, "NewImage": image, "SequenceNumber": "7"}
    batch = {"Records": [{"eventName": "INSERT", "eventSource": "aws:dynamodb", "dynamodb": change}]}

    assert invoke(batch) == []

    lines = [line for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert len(lines) == 1  # flushed once for the invocation
    assert emitted_metrics(lines[0]) == {"OrdersPaid": 1, "Revenue.EUR": 4200}
    assert json.loads(lines[0])["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "StorefrontTest"


class OrderPaidForMetrics(DomainEvent):
    event_type: ClassVar[str] = "order.paid"
    total: int
    currency: str
