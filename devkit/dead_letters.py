"""`make admin ARGS="--stack-name S dead-letters list|show|redrive"`: what failed, and sending it again.

Every asynchronous path of the stack parks what it could not do in an alarmed queue.
`list` gives each queue's depth, `show QUEUE` prints its messages without taking them, and
`redrive QUEUE` sends each message back the way it came, deleting it only once that worked
(a message that fails again stays, and shows up again a minute later):

    SearchIndexDeadLetterQueue  to SearchIndexQueue (the indexer re-reads each product)
    WebhookDeadLetterQueue      to WebhookQueue (each parked delivery gets one more attempt)
    AnalyticsDeadLetterQueue    each event's envelope to the analytics delivery stream
    ImagesFailureQueue          the S3 notification to ImagesFunction again (asynchronously)
    RelayDeadLetterQueue        the batch's outbox items to RelayFunction again: read from the
                                table stream while it holds them (24 hours), then from the
                                outbox items themselves (kept 15 days), by their write time
    CartExpiryDeadLetterQueue   the batch's stream records to CartExpiryFunction again (only
                                while the stream holds them: 24 hours)

Every consumer deduplicates (event ids, the indexer's re-read, the image check's state), so
a message sent twice does no harm. QUEUE is the template's logical id. A deployed stack only:
the local runtime keeps no dead-letter queues of its functions' invocations.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from devkit.event_replay import physical_id

RECEIVE_VISIBILITY_S = 60  # a message that fails again is back in the queue after this
PEEK_VISIBILITY_S = 30  # how long `show` hides what it read before making it visible again
OUTBOX_RETENTION_S = 15 * 24 * 3600  # storefront.data.outbox's: expires_at = written + this
ARRIVAL_SLACK_S = 300  # an item is written a little before the stream record arrives


# What the stream answers for records it no longer holds (kept 24 hours), or a stream since replaced.
_STREAM_GONE = ("TrimmedDataAccessException", "ResourceNotFoundException", "ExpiredIteratorException")


class DeadLetterError(Exception):
    """The command cannot run: the message says why."""


@dataclass(frozen=True)
class DeadLetterQueue:
    logical_id: str
    way_back: str  # "queue", "firehose", "invoke", "stream" or "stream-or-outbox": how a message is sent again
    target: str  # the logical id of what it is sent to
    holds: str


QUEUES = {
    queue.logical_id: queue
    for queue in (
        DeadLetterQueue("SearchIndexDeadLetterQueue", "queue", "SearchIndexQueue", "product changes not indexed"),
        DeadLetterQueue("WebhookDeadLetterQueue", "queue", "WebhookQueue", "partner deliveries that failed"),
        DeadLetterQueue("AnalyticsDeadLetterQueue", "firehose", "AnalyticsDeliveryStream", "events not archived"),
        DeadLetterQueue("ImagesFailureQueue", "invoke", "ImagesFunction", "uploads whose check failed"),
        DeadLetterQueue("RelayDeadLetterQueue", "stream-or-outbox", "RelayFunction", "outbox batches not published"),
        DeadLetterQueue("CartExpiryDeadLetterQueue", "stream", "CartExpiryFunction", "expired carts not announced"),
    )
}


@dataclass
class Stack:
    """A deployed stack and the clients that reach it (tests give their own)."""

    name: str
    clients: Callable[[str], Any]  # boto3.client, or a test's stand-in

    def physical(self, logical_id: str) -> str:
        found = physical_id(self.clients("cloudformation"), self.name, logical_id)
        if found is None:
            raise DeadLetterError(f"stack {self.name!r} has no {logical_id}: is it this application?")
        return found


def queue_of(name: str) -> DeadLetterQueue:
    if name not in QUEUES:
        raise DeadLetterError(f"no dead-letter queue {name!r}; one of: {', '.join(QUEUES)}")
    return QUEUES[name]


def depths(stack: Stack) -> list[str]:
    """One line per dead-letter queue: its messages (visible, in flight) and what it holds."""
    sqs = stack.clients("sqs")
    lines = []
    for queue in QUEUES.values():
        attributes = sqs.get_queue_attributes(
            QueueUrl=stack.physical(queue.logical_id),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        visible, in_flight = (
            attributes["ApproximateNumberOfMessages"],
            attributes["ApproximateNumberOfMessagesNotVisible"],
        )
        lines.append(f"{queue.logical_id:28} {visible:>6} waiting {in_flight:>4} in flight  {queue.holds}")
    return lines


def _messages(sqs: Any, url: str, visibility_s: int, limit: int) -> Iterator[dict[str, Any]]:
    seen = 0
    while seen < limit:
        batch = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=min(10, limit - seen),
            VisibilityTimeout=visibility_s,
            MessageAttributeNames=["All"],
            AttributeNames=["All"],
        ).get("Messages", [])
        if not batch:
            return
        for message in batch:
            seen += 1
            yield message


def show(stack: Stack, name: str, limit: int) -> list[str]:
    """Up to `limit` messages, one JSON line each, left in the queue.

    Each message read stays hidden until all are read (or a second receive would give it
    again), then is made visible at once.
    """
    queue = queue_of(name)
    sqs, url = stack.clients("sqs"), stack.physical(queue.logical_id)
    read = list(_messages(sqs, url, PEEK_VISIBILITY_S, limit))
    for message in read:
        sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    return [
        json.dumps(
            {
                "message_id": message["MessageId"],
                "sent_at": message.get("Attributes", {}).get("SentTimestamp"),
                "receive_count": message.get("Attributes", {}).get("ApproximateReceiveCount"),
                "body": _parsed(message["Body"]),
            },
            default=str,
        )
        for message in read
    ]


def _parsed(body: str) -> Any:
    try:
        return json.loads(body)
    except json.JSONDecodeError:
        return body


def redrive(stack: Stack, name: str, limit: int) -> dict[str, int]:
    """Sends up to `limit` messages back; deletes each that made it. Counts sent and kept (and
    among those kept, `unreadable`: a body this queue's senders never park)."""
    queue = queue_of(name)
    sqs, url = stack.clients("sqs"), stack.physical(queue.logical_id)
    send = _senders[queue.way_back](stack, queue.target)
    counts = {"sent": 0, "kept": 0}
    tried: set[str] = set()
    for message in _messages(sqs, url, RECEIVE_VISIBILITY_S, limit):
        if message["MessageId"] in tried:  # a kept one came round again: every message was tried
            break
        tried.add(message["MessageId"])
        try:
            sent = send(message)
        except (KeyError, TypeError, json.JSONDecodeError):
            # Not what this queue's senders park (a hand-sent test message, a changed format):
            # kept for `show` to explain, and the rest of the queue still goes.
            counts["unreadable"] = counts.get("unreadable", 0) + 1
            sent = False
        if sent:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            counts["sent"] += 1
        else:
            counts["kept"] += 1
    return counts


Sender = Callable[[dict[str, Any]], bool]


def _to_queue(stack: Stack, target: str) -> Sender:
    sqs, url = stack.clients("sqs"), stack.physical(target)

    def send(message: dict[str, Any]) -> bool:
        attributes = {
            key: {k: v for k, v in value.items() if k in ("DataType", "StringValue", "BinaryValue")}
            for key, value in (message.get("MessageAttributes") or {}).items()
        }
        sqs.send_message(QueueUrl=url, MessageBody=message["Body"], MessageAttributes=attributes)
        return True

    return send


def _to_firehose(stack: Stack, target: str) -> Sender:
    firehose, stream = stack.clients("firehose"), stack.physical(target)

    def send(message: dict[str, Any]) -> bool:
        # The bus parked the whole event; the rule hands the stream its detail (InputPath).
        detail = json.loads(message["Body"])["detail"]
        firehose.put_record(DeliveryStreamName=stream, Record={"Data": json.dumps(detail).encode()})
        return True

    return send


def _to_function_async(stack: Stack, target: str) -> Sender:
    functions, name = stack.clients("lambda"), stack.physical(target)

    def send(message: dict[str, Any]) -> bool:
        payload = json.loads(message["Body"])["requestPayload"]
        answer = functions.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(payload).encode())
        return int(answer["StatusCode"]) == 202

    return send


def _to_function_from_stream(stack: Stack, target: str, *, or_outbox: bool = False) -> Sender:
    """The batch's stream records to the function; with `or_outbox`, once the stream let them
    go, the outbox items written in the batch's window (the relay's only)."""
    functions, name, streams = stack.clients("lambda"), stack.physical(target), stack.clients("dynamodbstreams")

    def send(message: dict[str, Any]) -> bool:
        batch = json.loads(message["Body"])["DDBStreamBatchInfo"]
        records = _stream_records(streams, batch)
        if not records and or_outbox:
            records = _outbox_records(stack, batch)
        if not records:
            return False  # the stream let them go: nothing left to send (the message stays, for the record)
        answer = functions.invoke(FunctionName=name, Payload=json.dumps({"Records": records}).encode())
        result = json.loads(answer["Payload"].read() or b"null")
        failed = isinstance(result, dict) and result.get("batchItemFailures")
        return "FunctionError" not in answer and not failed

    return send


_senders: dict[str, Callable[[Stack, str], Sender]] = {
    "queue": _to_queue,
    "firehose": _to_firehose,
    "invoke": _to_function_async,
    "stream": _to_function_from_stream,
    "stream-or-outbox": partial(_to_function_from_stream, or_outbox=True),
}


def _stream_records(streams: Any, batch: dict[str, Any]) -> list[dict[str, Any]]:
    """The batch's records, as Lambda gives them, while the stream still holds them."""
    try:
        iterator = streams.get_shard_iterator(
            StreamArn=batch["streamArn"],
            ShardId=batch["shardId"],
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=batch["startSequenceNumber"],
        )["ShardIterator"]
    except ClientError as error:
        if error.response["Error"]["Code"] in _STREAM_GONE:
            return []
        raise
    end, records = int(batch["endSequenceNumber"]), list[dict[str, Any]]()
    while iterator:
        page = streams.get_records(ShardIterator=iterator)
        for record in page["Records"]:
            if int(record["dynamodb"]["SequenceNumber"]) > end:
                return records
            records.append(_as_lambda_record(record, batch["streamArn"]))
        if not page["Records"]:
            return records
        iterator = page.get("NextShardIterator")
    return records


def _as_lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        change["ApproximateCreationDateTime"] = created.timestamp()
    return {**record, "dynamodb": change, "eventSourceARN": stream_arn}


def _outbox_records(stack: Stack, batch: dict[str, Any]) -> list[dict[str, Any]]:
    """The outbox items written while the batch's records arrived, as the relay's INSERT records.

    A Scan (an operator's tool, never a request): outbox items carry `expires_at` = written
    + 15 days, which bounds when each was written. A few neighbours are sent too; the
    relay publishes each event under its own id and consumers take each id once.
    """
    first = int(_epoch(batch["approximateArrivalOfFirstRecord"])) - ARRIVAL_SLACK_S
    last = int(_epoch(batch["approximateArrivalOfLastRecord"])) + 1
    dynamodb, table = stack.clients("dynamodb"), stack.physical("Table")
    records = []
    pages = dynamodb.get_paginator("scan").paginate(
        TableName=table,
        FilterExpression="begins_with(PK, :outbox) AND expires_at BETWEEN :from AND :to",
        ExpressionAttributeValues={
            ":outbox": {"S": "OUTBOX#"},
            ":from": {"N": str(first + OUTBOX_RETENTION_S)},
            ":to": {"N": str(last + OUTBOX_RETENTION_S)},
        },
    )
    for page in pages:
        for item in page["Items"]:
            key = {"PK": item["PK"], "SK": item["SK"]}
            sequence = f"outbox-{item['PK']['S']}"
            change = {"Keys": key, "NewImage": item, "SequenceNumber": sequence, "StreamViewType": "NEW_IMAGE"}
            records.append({"eventName": "INSERT", "eventSource": "aws:dynamodb", "dynamodb": change})
    return records


def _epoch(moment: str | float) -> float:
    if isinstance(moment, int | float):
        return float(moment)
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp()
