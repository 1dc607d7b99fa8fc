"""`make admin ARGS="--stack-name S dead-letters …"` on moto: each dead-letter queue read without
taking, and re-driven the way its messages came (Lambda stands in: moto runs no functions)."""

from __future__ import annotations

import io
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from devkit import dead_letters
from devkit.template import load_template
from tests.integration.test_event_replay import _Stack

REGION = "us-east-1"
QUEUE_NAMES = {name: f"shop-{name}" for name in [*dead_letters.QUEUES, "SearchIndexQueue", "WebhookQueue"]}


class _Functions:
    """Lambda's Invoke, recorded; `failing` makes each answer an error."""

    def __init__(self) -> None:
        self.invocations: list[tuple[str, str, Any]] = []
        self.failing = False
        self.answer: dict[str, Any] = {"batchItemFailures": []}

    def invoke(self, FunctionName: str, Payload: bytes, InvocationType: str = "RequestResponse") -> dict[str, Any]:  # noqa: N803
        self.invocations.append((FunctionName, InvocationType, json.loads(Payload)))
        if InvocationType == "Event":
            return {"StatusCode": 500 if self.failing else 202}
        answer: dict[str, Any] = {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(self.answer).encode())}
        if self.failing:
            answer["FunctionError"] = "Unhandled"
        return answer


class _Shop:
    def __init__(self, functions: _Functions, dynamodb_endpoint: str) -> None:
        self.dynamodb_endpoint = dynamodb_endpoint
        self.table = f"shop-table-{uuid.uuid4().hex[:8]}"
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.urls = {name: self.sqs.create_queue(QueueName=queue)["QueueUrl"] for name, queue in QUEUE_NAMES.items()}
        self.functions = functions
        physical = {**self.urls, "ImagesFunction": "shop-images", "RelayFunction": "shop-relay"}
        physical |= {"CartExpiryFunction": "shop-cart-expiry", "AnalyticsDeliveryStream": "shop-analytics"}
        physical |= {"Table": self.table}
        self.stack = dead_letters.Stack("shop", self._client(_Stack(physical)))

    def _client(self, cloudformation: _Stack) -> Callable[[str], Any]:
        def client(service: str) -> Any:
            if service == "cloudformation":
                return cloudformation
            if service == "lambda":
                return self.functions
            return self.client(service)

        return client

    def client(self, service: str) -> Any:
        """moto, but the table and its stream on DynamoDB Local (moto's streams API is not served)."""
        if service in ("dynamodb", "dynamodbstreams"):
            return boto3.client(service, region_name=REGION, endpoint_url=self.dynamodb_endpoint)
        return boto3.client(service, region_name=REGION)

    def park(self, queue: str, body: Any, **attributes: str) -> None:
        message_attributes = {key: {"DataType": "String", "StringValue": value} for key, value in attributes.items()}
        self.sqs.send_message(
            QueueUrl=self.urls[queue], MessageBody=json.dumps(body), MessageAttributes=message_attributes
        )

    def bodies(self, queue: str) -> list[Any]:
        messages = self.sqs.receive_message(
            QueueUrl=self.urls[queue], MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        )
        return [(json.loads(m["Body"]), m.get("MessageAttributes")) for m in messages.get("Messages", [])]

    def depth(self, queue: str) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.urls[queue], AttributeNames=["ApproximateNumberOfMessages"]
        )
        return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


@pytest.fixture
def shop(dynamodb_local: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[_Shop]:
    # A message that fails again is visible at once, so a test can send it again.
    monkeypatch.setattr(dead_letters, "RECEIVE_VISIBILITY_S", 0)
    with mock_aws():
        yield _Shop(_Functions(), dynamodb_local)


def _event(detail_type: str = "product.updated") -> dict[str, Any]:
    envelope = {"id": "01JEVENT", "type": detail_type, "data": {"product_id": "p1"}}
    return {"source": "storefront", "detail-type": detail_type, "detail": envelope}


def test_every_dead_letter_queue_of_the_template_can_be_redriven_to_a_resource_it_has() -> None:
    resources = load_template()["Resources"]
    parked_in = {name for name in resources if name.endswith("DeadLetterQueue")} | {"ImagesFailureQueue"}
    assert parked_in == set(dead_letters.QUEUES)
    for queue in dead_letters.QUEUES.values():
        assert queue.target in resources, queue


def test_the_outbox_retention_it_reads_by_is_the_outboxs_own() -> None:
    """Copied, not imported: the admin command must not read settings before it is configured."""
    from storefront.data.outbox import OUTBOX_RETENTION_S

    assert dead_letters.OUTBOX_RETENTION_S == OUTBOX_RETENTION_S


def test_list_gives_each_queues_depth(shop: _Shop) -> None:
    shop.park("WebhookDeadLetterQueue", {"delivery": 1})
    shop.park("WebhookDeadLetterQueue", {"delivery": 2})
    lines = dead_letters.depths(shop.stack)
    assert len(lines) == len(dead_letters.QUEUES)
    [webhooks] = [line for line in lines if line.startswith("WebhookDeadLetterQueue")]
    assert webhooks.split()[1] == "2"


def test_show_prints_the_messages_and_leaves_them_in_the_queue(shop: _Shop) -> None:
    shop.park("SearchIndexDeadLetterQueue", _event())
    shop.park("SearchIndexDeadLetterQueue", _event("product.deleted"))
    lines = dead_letters.show(shop.stack, "SearchIndexDeadLetterQueue", 10)
    assert sorted(json.loads(line)["body"]["detail-type"] for line in lines) == ["product.deleted", "product.updated"]
    assert shop.depth("SearchIndexDeadLetterQueue") == 2, "visible again at once"


def test_a_queues_messages_go_back_to_its_source_queue_with_their_attributes(shop: _Shop) -> None:
    shop.park("WebhookDeadLetterQueue", {"delivery": "d1"}, kind="manual")
    counts = dead_letters.redrive(shop.stack, "WebhookDeadLetterQueue", 100)
    assert counts == {"sent": 1, "kept": 0}
    [(body, attributes)] = shop.bodies("WebhookQueue")
    assert body == {"delivery": "d1"}
    assert attributes["kind"]["StringValue"] == "manual"
    assert shop.depth("WebhookDeadLetterQueue") == 0


def test_a_parked_event_reaches_the_analytics_stream_as_its_envelope(shop: _Shop) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="shop-analytics-bucket")
    boto3.client("firehose", region_name=REGION).create_delivery_stream(
        DeliveryStreamName="shop-analytics",
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/firehose",
            "BucketARN": "arn:aws:s3:::shop-analytics-bucket",
        },
    )
    shop.park("AnalyticsDeadLetterQueue", _event())
    assert dead_letters.redrive(shop.stack, "AnalyticsDeadLetterQueue", 100) == {"sent": 1, "kept": 0}
    [stored] = s3.list_objects_v2(Bucket="shop-analytics-bucket")["Contents"]
    data = s3.get_object(Bucket="shop-analytics-bucket", Key=stored["Key"])["Body"].read()
    assert json.loads(data) == _event()["detail"]


def test_a_failed_image_check_is_invoked_again_and_kept_when_the_invocation_is_refused(shop: _Shop) -> None:
    notification = {"Records": [{"s3": {"object": {"key": "uploads/p1/i1"}}}]}
    shop.park("ImagesFailureQueue", {"requestPayload": notification, "responsePayload": {"errorMessage": "boom"}})
    shop.functions.failing = True
    assert dead_letters.redrive(shop.stack, "ImagesFailureQueue", 100) == {"sent": 0, "kept": 1}
    shop.functions.failing = False
    assert dead_letters.redrive(shop.stack, "ImagesFailureQueue", 100) == {"sent": 1, "kept": 0}
    assert shop.functions.invocations[-1] == ("shop-images", "Event", notification)


def test_an_unreadable_message_is_kept_and_the_rest_of_the_queue_still_goes(shop: _Shop) -> None:
    shop.park("ImagesFailureQueue", {"hand-sent": "no requestPayload"})
    shop.park("ImagesFailureQueue", {"requestPayload": {"Records": []}})
    counts = dead_letters.redrive(shop.stack, "ImagesFailureQueue", 100)
    assert counts == {"sent": 1, "kept": 1, "unreadable": 1}
    assert shop.functions.invocations == [("shop-images", "Event", {"Records": []})]


def _table_with_stream(shop: _Shop) -> tuple[Any, str]:
    dynamodb = shop.client("dynamodb")
    created = dynamodb.create_table(
        TableName=shop.table,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return dynamodb, created["TableDescription"]["LatestStreamArn"]


def _outbox_item(event_id: str, written_at: int) -> dict[str, Any]:
    return {
        "PK": {"S": f"OUTBOX#{event_id}"},
        "SK": {"S": "EVENT"},
        "entity": {"S": "outbox"},
        "event_id": {"S": event_id},
        "expires_at": {"N": str(written_at + dead_letters.OUTBOX_RETENTION_S)},
    }


def _batch_of_the_stream(shop: _Shop, stream_arn: str) -> dict[str, Any]:
    streams = shop.client("dynamodbstreams")
    [shard] = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    return {
        "shardId": shard["ShardId"],
        "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
        "endSequenceNumber": records[1]["dynamodb"]["SequenceNumber"],
        "approximateArrivalOfFirstRecord": now,
        "approximateArrivalOfLastRecord": now,
        "batchSize": 2,
        "streamArn": stream_arn,
    }


def test_a_stream_batch_is_sent_again_as_the_streams_records_while_it_holds_them(shop: _Shop) -> None:
    dynamodb, stream_arn = _table_with_stream(shop)
    now = int(time.time())
    for event_id in ("e1", "e2", "e3"):
        dynamodb.put_item(TableName=shop.table, Item=_outbox_item(event_id, now))
    shop.park("CartExpiryDeadLetterQueue", {"DDBStreamBatchInfo": _batch_of_the_stream(shop, stream_arn)})

    assert dead_letters.redrive(shop.stack, "CartExpiryDeadLetterQueue", 100) == {"sent": 1, "kept": 0}

    [(function, kind, event)] = shop.functions.invocations
    assert (function, kind) == ("shop-cart-expiry", "RequestResponse")
    assert [record["dynamodb"]["NewImage"]["event_id"]["S"] for record in event["Records"]] == ["e1", "e2"]
    assert {record["eventSourceARN"] for record in event["Records"]} == {stream_arn}


def test_a_batch_that_fails_again_stays_parked(shop: _Shop) -> None:
    dynamodb, stream_arn = _table_with_stream(shop)
    for event_id in ("e1", "e2"):
        dynamodb.put_item(TableName=shop.table, Item=_outbox_item(event_id, int(time.time())))
    shop.park("RelayDeadLetterQueue", {"DDBStreamBatchInfo": _batch_of_the_stream(shop, stream_arn)})
    shop.functions.answer = {"batchItemFailures": [{"itemIdentifier": "1"}]}
    assert dead_letters.redrive(shop.stack, "RelayDeadLetterQueue", 100) == {"sent": 0, "kept": 1}


def test_once_the_stream_let_go_the_relay_gets_the_outbox_items_written_in_the_batchs_window(shop: _Shop) -> None:
    dynamodb, stream_arn = _table_with_stream(shop)
    arrived = 1_800_000_000
    dynamodb.put_item(TableName=shop.table, Item=_outbox_item("in-window", arrived - 2))
    dynamodb.put_item(TableName=shop.table, Item=_outbox_item("long-before", arrived - 3600))
    dynamodb.put_item(TableName=shop.table, Item={"PK": {"S": "PRODUCT#p1"}, "SK": {"S": "PRODUCT"}})
    moment = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(arrived))
    gone: dict[str, Any] = {"shardId": "shardId-00000001800000000000-0a1b2c3d", "streamArn": stream_arn}
    gone |= {"startSequenceNumber": "100000000000000000001", "endSequenceNumber": "100000000000000000002"}
    gone |= {"approximateArrivalOfFirstRecord": moment, "approximateArrivalOfLastRecord": moment, "batchSize": 2}
    shop.park("RelayDeadLetterQueue", {"DDBStreamBatchInfo": gone})

    assert dead_letters.redrive(shop.stack, "RelayDeadLetterQueue", 100) == {"sent": 1, "kept": 0}

    [(function, _, event)] = shop.functions.invocations
    assert function == "shop-relay"
    [record] = event["Records"]
    assert record["eventName"] == "INSERT"
    assert record["dynamodb"]["NewImage"]["event_id"] == {"S": "in-window"}


def test_an_unknown_queue_is_refused_with_the_names_there_are(shop: _Shop) -> None:
    with pytest.raises(dead_letters.DeadLetterError, match="one of: SearchIndexDeadLetterQueue"):
        dead_letters.redrive(shop.stack, "Nope", 1)
