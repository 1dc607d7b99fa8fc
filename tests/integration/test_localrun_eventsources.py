"""Each non-HTTP event source of a template reaches its function, in Lambda's event shape.

The runtime runs in-process on a fixture template (tests/fixtures/templates/event-sources.yaml)
with one recording function per source, against DynamoDB Local (moto without Java) and
moto's server on free ports; schedules run 200 times faster.
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import pytest

from devkit.localrun.config import LocalTemplate
from devkit.localrun.eventsources import SourceWiring, rate_seconds, record_filter
from devkit.localrun.runtime import Options, Runtime
from devkit.localrun.testing import running, wait_until

TEMPLATE = Path(__file__).resolve().parents[1] / "fixtures" / "templates" / "event-sources.yaml"
BUS = "fixture-bus"
CATALOG = "fixture.catalog"
BATCHING_WINDOW_SECONDS = 1  # the index queue's MaximumBatchingWindowInSeconds in the fixture template
# The keys of the event EventBridge writes to a queue target.
ENVELOPE_KEYS = {"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    options = Options(
        port=0,
        data_dir=tmp_path_factory.mktemp("localrun-sources"),
        template=TEMPLATE,
        stack_name="fixture",
        serve_http=False,
        schedule_scale=0.005,
    )
    with running(options) as started:
        assert started.wait_sources_ready(), "a source never started watching"
        yield started


def received(runtime: Runtime, function: str) -> list[Any]:
    return list(runtime.functions[function].module.RECEIVED)


def put_event(runtime: Runtime, detail_type: str, detail: dict[str, Any], source: str = "fixture.orders") -> None:
    entry = {"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail), "EventBusName": BUS}
    answer = runtime.aws_client("events").put_events(Entries=[entry])
    assert answer["FailedEntryCount"] == 0


def test_bus_rule_delivers_an_eventbridge_event_when_the_pattern_matches(runtime: Runtime) -> None:
    put_event(runtime, "OrderIgnored", {"order_id": "o-0"})
    put_event(runtime, "OrderPlaced", {"order_id": "o-1"})

    [event] = wait_until(lambda: received(runtime, "BusRecorder"), what="the OrderPlaced event")

    assert event["detail-type"] == "OrderPlaced"
    assert event["source"] == "fixture.orders"
    assert event["detail"] == {"order_id": "o-1"}
    assert {"version", "id", "account", "time", "region", "resources"} <= event.keys()


def test_bus_rule_delivery_is_retried_when_the_function_raises(runtime: Runtime) -> None:
    put_event(runtime, "OrderPlaced", {"order_id": "o-9", "fail": True})

    def attempts() -> list[Any]:
        found = [event for event in received(runtime, "BusRecorder") if event["detail"].get("order_id") == "o-9"]
        return found if len(found) >= 2 else []

    first, second = wait_until(attempts, what="a second attempt")[:2]
    assert first["id"] == second["id"]


def test_rule_resource_delivers_its_input_path_when_its_pattern_matches(runtime: Runtime) -> None:
    put_event(runtime, "OrderShipped", {"order_id": "o-2", "carrier": "post"})

    events = wait_until(lambda: received(runtime, "RuleRecorder"), what="the OrderShipped detail")

    assert events == [{"order_id": "o-2", "carrier": "post"}]


def _stream_records(runtime: Runtime) -> list[dict[str, Any]]:
    return [record for batch in received(runtime, "StreamRecorder") for record in batch["Records"]]


def test_stream_delivers_filtered_inserts_in_batches_when_items_are_written(runtime: Runtime) -> None:
    dynamodb = runtime.aws_client("dynamodb")
    table = "fixture-table"
    for index, kind in enumerate(["keep", "skip", "keep", "keep"]):
        dynamodb.put_item(TableName=table, Item={"PK": {"S": f"ITEM#{index}"}, "SK": {"S": "A"}, "kind": {"S": kind}})
    dynamodb.put_item(
        TableName=table, Item={"PK": {"S": "ITEM#0"}, "SK": {"S": "A"}, "kind": {"S": "keep"}, "n": {"N": "1"}}
    )
    dynamodb.put_item(TableName=table, Item={"PK": {"S": "SENTINEL"}, "SK": {"S": "A"}, "kind": {"S": "keep"}})

    wait_until(
        lambda: any(record["dynamodb"]["Keys"]["PK"]["S"] == "SENTINEL" for record in _stream_records(runtime)),
        what="the sentinel record",
    )

    records = [record for record in _stream_records(runtime) if record["dynamodb"]["Keys"]["PK"]["S"] != "FLAKY"]
    assert [record["dynamodb"]["Keys"]["PK"]["S"] for record in records] == ["ITEM#0", "ITEM#2", "ITEM#3", "SENTINEL"]
    assert all(len(batch["Records"]) <= 2 for batch in received(runtime, "StreamRecorder"))
    assert runtime.template is not None
    stream_arn = runtime.template.known_attributes[("Table", "StreamArn")]
    record = records[0]
    assert record["eventName"] == "INSERT"
    assert record["eventSource"] == "aws:dynamodb"
    assert record["eventSourceARN"] == stream_arn
    assert record["dynamodb"]["NewImage"]["kind"] == {"S": "keep"}
    assert record["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], float)
    assert record["dynamodb"]["SequenceNumber"]


def test_stream_batch_is_delivered_again_when_the_function_fails(runtime: Runtime) -> None:
    dynamodb = runtime.aws_client("dynamodb")
    item = {"PK": {"S": "FLAKY"}, "SK": {"S": "A"}, "kind": {"S": "keep"}, "fail_once": {"BOOL": True}}
    dynamodb.put_item(TableName="fixture-table", Item=item)

    def deliveries() -> list[dict[str, Any]]:
        found = [record for record in _stream_records(runtime) if record["dynamodb"]["Keys"]["PK"]["S"] == "FLAKY"]
        return found if len(found) >= 2 else []

    first, second = wait_until(deliveries, what="the retried record")[:2]
    assert first["dynamodb"]["SequenceNumber"] == second["dynamodb"]["SequenceNumber"]


def test_sqs_batch_is_deleted_and_reported_failures_are_redriven_when_processed(runtime: Runtime) -> None:
    sqs = runtime.aws_client("sqs")
    queue = sqs.get_queue_url(QueueName="fixture-jobs")["QueueUrl"]
    dead_letters = sqs.get_queue_url(QueueName="fixture-jobs-dead-letters")["QueueUrl"]
    for body in ("ok-1", "fail", "ok-2"):
        sqs.send_message(QueueUrl=queue, MessageBody=body)

    def dead_lettered() -> list[dict[str, Any]]:
        return list(sqs.receive_message(QueueUrl=dead_letters, WaitTimeSeconds=1).get("Messages", []))

    [dead] = wait_until(dead_lettered, what="the failing message in the dead-letter queue")

    assert dead["Body"] == "fail"
    records = [record for batch in received(runtime, "QueueRecorder") for record in batch["Records"]]
    assert sorted(record["body"] for record in records if record["body"] != "fail") == ["ok-1", "ok-2"]
    assert [record["body"] for record in records].count("fail") == 2  # maxReceiveCount
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    record = records[0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"].endswith(":fixture-jobs")
    assert {"messageId", "receiptHandle", "md5OfBody", "messageAttributes", "awsRegion"} <= record.keys()
    assert int(record["attributes"]["ApproximateReceiveCount"]) >= 1


def _index_batches(runtime: Runtime, product_ids: set[str]) -> list[list[dict[str, Any]]]:
    """The IndexRecorder invocations holding any of these products: each a list of (record, parsed body)."""
    batches = []
    for batch in received(runtime, "IndexRecorder"):
        records = [{**record, "body": json.loads(record["body"])} for record in batch["Records"]]
        if any(record["body"]["detail"].get("product_id") in product_ids for record in records):
            batches.append(records)
    return batches


def _index_records(runtime: Runtime, product_ids: set[str]) -> list[dict[str, Any]]:
    return [
        record
        for batch in _index_batches(runtime, product_ids)
        for record in batch
        if record["body"]["detail"].get("product_id") in product_ids
    ]


def test_rule_with_a_queue_target_delivers_the_eventbridge_event_through_the_queue_when_the_pattern_matches(
    runtime: Runtime,
) -> None:
    put_event(runtime, "ProductChanged", {"product_id": "p-1"}, source=CATALOG)

    [record] = wait_until(lambda: _index_records(runtime, {"p-1"}), what="the ProductChanged event")

    event = record["body"]
    assert event.keys() == ENVELOPE_KEYS
    assert event["detail-type"] == "ProductChanged"
    assert event["source"] == CATALOG
    assert event["detail"] == {"product_id": "p-1"}
    assert runtime.template is not None
    assert event["account"] == runtime.template.account_id
    assert event["region"] == "us-east-1"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", event["time"])
    sqs = runtime.aws_client("sqs")
    queue = sqs.get_queue_url(QueueName="fixture-index-queue")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == queue_arn


def test_rule_with_a_queue_target_applies_the_target_input_path_when_it_has_one(runtime: Runtime) -> None:
    sqs = runtime.aws_client("sqs")
    queue = sqs.get_queue_url(QueueName="fixture-details-queue")["QueueUrl"]
    put_event(runtime, "ProductChanged", {"product_id": "p-details"}, source=CATALOG)

    def bodies() -> list[Any]:
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        return [json.loads(message["Body"]) for message in messages]

    found = wait_until(
        lambda: [body for body in bodies() if body.get("product_id") == "p-details"], what="the selected detail"
    )

    assert found == [{"product_id": "p-details"}]


def test_rule_with_a_queue_target_sends_nothing_when_the_pattern_does_not_match(runtime: Runtime) -> None:
    put_event(runtime, "ProductArchived", {"product_id": "p-other-type"}, source=CATALOG)
    put_event(runtime, "ProductChanged", {"product_id": "p-other-source"})
    put_event(runtime, "ProductChanged", {"product_id": "p-sentinel"}, source=CATALOG)

    # put_events routes synchronously: once the later sentinel is delivered, nothing else is on its way.
    wait_until(lambda: _index_records(runtime, {"p-sentinel"}), what="the sentinel event")

    assert _index_records(runtime, {"p-other-type", "p-other-source"}) == []


def test_sqs_batching_window_gathers_a_burst_into_one_or_two_invocations_when_events_arrive_within_it(
    runtime: Runtime,
) -> None:
    burst = {f"p-burst-{index}" for index in range(6)}
    started = time.monotonic()
    for product_id in sorted(burst):
        put_event(runtime, "ProductChanged", {"product_id": product_id}, source=CATALOG)
        time.sleep(0.05)  # a burst spread over ~0.3 s: each would be its own invocation without the 1 s window
    spread = time.monotonic() - started

    wait_until(lambda: len(_index_records(runtime, burst)) >= len(burst), what="every event of the burst")

    records = _index_records(runtime, burst)
    assert sorted(record["body"]["detail"]["product_id"] for record in records) == sorted(burst)
    # One window gathers what arrives within a second of the first event; a loaded machine that
    # stretched the burst past that gets one more window per second it took, never one per event.
    windows = 1 + math.ceil(spread / BATCHING_WINDOW_SECONDS)
    assert len(_index_batches(runtime, burst)) <= windows


def test_sqs_batch_item_failure_returns_only_that_message_to_the_queue_when_a_windowed_batch_partly_fails(
    runtime: Runtime,
) -> None:
    products = {"p-ok-1", "p-flaky", "p-ok-2"}
    for product_id in sorted(products):
        detail = {"product_id": product_id, "fail_once": product_id == "p-flaky"}
        put_event(runtime, "ProductChanged", detail, source=CATALOG)

    def flaky_twice() -> bool:
        return len(_index_records(runtime, {"p-flaky"})) >= 2

    wait_until(flaky_twice, what="the failed message delivered again")

    first, second = _index_records(runtime, {"p-flaky"})[:2]
    assert first["messageId"] == second["messageId"]
    # At least a second receive: a busy machine may stretch a batching window past the queue's
    # visibility timeout, and SQS then counts one more receive of a message still in the window.
    assert int(second["attributes"]["ApproximateReceiveCount"]) >= 2
    assert len(_index_records(runtime, {"p-ok-1", "p-ok-2"})) == 2  # delivered once, deleted
    sqs = runtime.aws_client("sqs")
    queue = sqs.get_queue_url(QueueName="fixture-index-queue")["QueueUrl"]

    def drained() -> bool:
        attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["All"])["Attributes"]
        return bool(
            attributes["ApproximateNumberOfMessages"] == attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
        )

    wait_until(drained, what="the queue emptied")


def test_schedule_invokes_the_function_with_its_input_when_the_rate_elapses(runtime: Runtime) -> None:
    def runs() -> bool:
        events = received(runtime, "ScheduleRecorder")
        expiries = [event for event in events if event == {"job": "expire"}]
        digests = [event for event in events if event.get("detail-type") == "Scheduled Event"]
        return len(expiries) >= 2 and len(digests) >= 1

    wait_until(runs, what="two expiry runs and one digest run")


def test_s3_notification_delivers_object_created_records_when_the_key_matches_the_filter(runtime: Runtime) -> None:
    s3 = runtime.aws_client("s3")
    s3.put_object(Bucket="fixture-uploads", Key="other/skipped.txt", Body=b"no")
    s3.put_object(Bucket="fixture-uploads", Key="uploads/my photo.png", Body=b"\x89PNG")

    [event] = wait_until(lambda: received(runtime, "UploadRecorder"), what="the upload notification")

    [record] = event["Records"]
    assert record["eventSource"] == "aws:s3"
    assert record["eventName"].startswith("ObjectCreated:")
    assert record["s3"]["bucket"]["name"] == "fixture-uploads"
    assert record["s3"]["object"]["key"] == "uploads/my+photo.png"  # URL-encoded, as S3 sends it
    assert record["s3"]["object"]["size"] == 4


# ---------------------------------------------------------------- pieces, without emulators


@pytest.mark.parametrize(
    ("expression", "seconds"),
    [("rate(1 minute)", 60), ("rate(5 minutes)", 300), ("rate(2 hours)", 7200), ("rate(1 day)", 86400)],
)
def test_rate_expression_gives_its_period_when_well_formed(expression: str, seconds: int) -> None:
    assert rate_seconds(expression) == seconds


def test_cron_expression_is_not_run_when_the_schedule_is_cron() -> None:
    assert rate_seconds("cron(0 3 * * ? *)") is None


def test_filter_matches_the_parsed_body_when_an_sqs_body_is_json() -> None:
    accepts = record_filter(
        {"Filters": [{"Pattern": '{"body": {"kind": ["order"], "total": [{"numeric": [">", 10]}]}}'}]}
    )
    assert accepts is not None

    assert accepts({"body": '{"kind": "order", "total": 12}'})
    assert not accepts({"body": '{"kind": "order", "total": 5}'})
    assert not accepts({"body": "not json"})
    assert record_filter({"Filters": []}) is None


def test_rule_target_is_skipped_with_a_warning_when_it_is_neither_a_function_nor_a_queue(
    caplog: pytest.LogCaptureFixture,
) -> None:
    events = MagicMock()
    emulators = MagicMock()
    emulators.client.return_value = events
    wiring = SourceWiring(LocalTemplate(TEMPLATE, stack_name="fixture"), {}, emulators, threading.Event())
    properties = {
        "EventBusName": {"Ref": "Bus"},
        "EventPattern": {"source": [CATALOG]},
        "Targets": [{"Id": "archive", "Arn": {"Fn::GetAtt": ["Uploads", "Arn"]}}],
    }

    with caplog.at_level(logging.WARNING, logger="localrun"):
        wiring._rule_resource("IndexRule", properties)

    assert wiring.pollers == []
    events.put_rule.assert_not_called()
    assert "target archive (AWS::S3::Bucket) is not delivered locally" in caplog.text
