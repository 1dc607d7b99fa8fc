"""The threads that deliver events to functions, each in the shape Lambda's own service uses.

SQS is polled the way Lambda's event source mapping polls it (the table stream: streams.py).
Rules and S3 notifications, which moto cannot send to a function, arrive through an SQS
queue of their own and are delivered like Lambda's asynchronous invocations (three
attempts). Schedules are timers.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from devkit.localrun.config import ACCOUNT_ID, REGION
from devkit.localrun.host import LocalFunction

log = logging.getLogger("localrun")

ASYNC_ATTEMPTS = 3  # Lambda's asynchronous invocation: the first try and two retries
_POLL_WAIT_S = 1  # long poll: short enough that shutdown is quick
_WINDOW_STEP_S = 0.05  # in the last second of a batching window, queues are read this often

RecordFilter = Callable[[dict[str, Any]], bool]


class Worker(threading.Thread, ABC):
    """A daemon thread calling `poll` until `stop` is set; errors are logged, then retried."""

    description = ""

    def __init__(self, name: str, stop: threading.Event) -> None:
        super().__init__(name=f"localrun-{name}", daemon=True)
        self.stop_event = stop
        self.ready = threading.Event()  # set once the source is being watched

    def run(self) -> None:
        failures = 0
        while not self.stop_event.is_set():
            try:
                if not self.ready.is_set():
                    self.prepare()
                    self.ready.set()
                self.poll()
                failures = 0
            except Exception:
                if self.stop_event.is_set():
                    return  # the emulators are going away with us
                failures += 1
                log.exception("%s: polling failed (attempt %d)", self.name, failures)
                self.stop_event.wait(min(10.0, 0.5 * 2**failures))

    def prepare(self) -> None:
        """Set up what `poll` reads (shard iterators); called until it succeeds."""

    @abstractmethod
    def poll(self) -> None:
        """Deliver what arrived; may block for a second or so."""


class Poller(Worker):
    """A worker delivering what one event source sends to its function."""

    def __init__(self, name: str, function: LocalFunction, stop: threading.Event) -> None:
        super().__init__(name, stop)
        self.function = function


def utc_timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- SQS


def sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    attributes = {}
    for name, value in (message.get("MessageAttributes") or {}).items():
        binary = value.get("BinaryValue")
        attributes[name] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": base64.b64encode(binary).decode() if binary is not None else None,
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": [base64.b64encode(item).decode() for item in value.get("BinaryListValues", [])],
            "dataType": value.get("DataType"),
        }
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes") or {},
        "messageAttributes": attributes,
        "md5OfBody": message.get("MD5OfBody"),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


class SqsPoller(Poller):
    """An SQS event source mapping: batches, deletes on success, partial batch failures."""

    def __init__(
        self,
        function: LocalFunction,
        stop: threading.Event,
        client: Any,
        queue_url: str,
        queue_arn: str,
        *,
        batch_size: int = 10,
        accepts: RecordFilter | None = None,
        report_failures: bool = False,
        batching_window_s: float = 0,
    ) -> None:
        super().__init__(f"sqs-{function.logical_id}", function, stop)
        self.client, self.queue_url, self.queue_arn = client, queue_url, queue_arn
        self.batch_size, self.accepts, self.report_failures = batch_size, accepts, report_failures
        self.batching_window_s = batching_window_s
        window = f", window {batching_window_s:g} s" if batching_window_s else ""
        self.description = f"SQS {queue_arn.rsplit(':', 1)[-1]} → {function.logical_id} (batch {batch_size}{window})"

    def _receive(self, wait_s: int, limit: int = 10) -> list[dict[str, Any]]:
        return list(
            self.client.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=max(1, min(10, self.batch_size, limit)),
                WaitTimeSeconds=wait_s,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
        )

    def _delete_records(self, records: list[dict[str, Any]]) -> None:
        for start in range(0, len(records), 10):
            entries = [
                {"Id": str(index), "ReceiptHandle": record["receiptHandle"]}
                for index, record in enumerate(records[start : start + 10])
            ]
            self.client.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)

    def _gather(self, first: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """More messages after the first ones: what is waiting, or, with a batching window,
        what arrives within the window (Lambda's MaximumBatchingWindowInSeconds), up to the batch size."""
        deadline = time.monotonic() + self.batching_window_s
        by_id = {message["MessageId"]: message for message in first}
        while len(by_id) < self.batch_size and not self.stop_event.is_set():
            remaining = deadline - time.monotonic()
            wait_s = min(_POLL_WAIT_S, int(remaining)) if remaining >= 1 else 0
            more = self._receive(wait_s, limit=self.batch_size - len(by_id))
            if not more:
                if remaining <= 0:
                    break
                self.stop_event.wait(min(_WINDOW_STEP_S, remaining))
                continue
            # A window longer than the visibility timeout sees a message again: keep its newest receipt.
            by_id.update((message["MessageId"], message) for message in more)
        return list(by_id.values())

    def poll(self) -> None:
        messages = self._receive(_POLL_WAIT_S)
        if messages:
            messages = self._gather(messages)
        records = [sqs_record(message, self.queue_arn) for message in messages]
        if self.accepts:
            self._delete_records([record for record in records if not self.accepts(record)])  # Lambda drops them
            records = [record for record in records if self.accepts(record)]
        if not records:
            return
        try:
            result = self.function.invoke({"Records": records})
        except Exception:
            log.exception(
                "%s failed on %d SQS messages: they return to the queue", self.function.logical_id, len(records)
            )
            return
        failed: set[str] = set()
        if self.report_failures and isinstance(result, dict):
            failed = {str(item.get("itemIdentifier")) for item in result.get("batchItemFailures") or []}
        self._delete_records([record for record in records if record["messageId"] not in failed])


# ---------------------------------------------------------------- asynchronous deliveries


class AsyncQueuePoller(Poller):
    """Events parked in a queue by moto (rules, S3), delivered one per invocation, three attempts."""

    def __init__(
        self,
        name: str,
        function: LocalFunction,
        stop: threading.Event,
        client: Any,
        queue_url: str,
        to_event: Callable[[dict[str, Any]], Any],
        description: str,
    ) -> None:
        super().__init__(name, function, stop)
        self.client, self.queue_url, self.to_event = client, queue_url, to_event
        self.description = description

    def poll(self) -> None:
        response = self.client.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=_POLL_WAIT_S, AttributeNames=["All"]
        )
        for message in response.get("Messages", []):
            event = self.to_event(json.loads(message["Body"]))
            if event is not None:
                attempt = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
                try:
                    self.function.invoke(event)
                except Exception:
                    if attempt < ASYNC_ATTEMPTS:
                        log.exception("%s failed (attempt %d): retrying", self.function.logical_id, attempt)
                        continue  # visible again after the queue's visibility timeout
                    log.exception("%s failed %d times: the event is dropped", self.function.logical_id, attempt)
            self.client.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])


class SchedulePoller(Poller):
    """A timer: the first run one interval after start, as a new EventBridge schedule does."""

    def __init__(
        self,
        name: str,
        function: LocalFunction,
        stop: threading.Event,
        interval_s: float,
        to_event: Callable[[], Any],
        description: str,
    ) -> None:
        super().__init__(name, function, stop)
        self.interval_s, self.to_event, self.description = interval_s, to_event, description

    def poll(self) -> None:
        if self.stop_event.wait(self.interval_s):
            return
        try:
            self.function.invoke(self.to_event())
        except Exception:
            log.exception("%s failed on its schedule", self.function.logical_id)


def scheduled_event(rule_arn: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": utc_timestamp(),
        "region": REGION,
        "resources": [rule_arn],
        "detail": {},
    }
