"""The table stream, read the way Lambda's DynamoDB event source mapping reads it."""

from __future__ import annotations

import base64
import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from devkit.localrun.config import ACCOUNT_ID, REGION
from devkit.localrun.host import LocalFunction
from devkit.localrun.pollers import Poller, RecordFilter
from devkit.localrun.ttl import TTL_IDENTITY, TtlDeletions

log = logging.getLogger("localrun")

_STREAM_IDLE_S = 0.25  # Lambda polls a stream shard about four times a second
_SHARD_REFRESH_S = 5.0

# Receives Lambda's description of a batch dropped after its retries (DestinationConfig.OnFailure).
FailureDestination = Callable[[dict[str, Any]], None]


def _plain(value: Any) -> Any:
    """boto3 hands binary attributes and times as Python objects; Lambda sends JSON."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | set):
        return [_plain(item) for item in value]
    return value


class StreamPoller(Poller):
    """A DynamoDB stream event source mapping: per shard, in order, batch retried until it passes."""

    def __init__(
        self,
        function: LocalFunction,
        stop: threading.Event,
        client: Any,
        stream_arn: str,
        *,
        batch_size: int = 100,
        starting_position: str = "LATEST",
        accepts: RecordFilter | None = None,
        report_failures: bool = False,
        max_retries: int = -1,
        on_failure: FailureDestination | None = None,
        ttl_deletions: TtlDeletions | None = None,
    ) -> None:
        super().__init__(f"stream-{function.logical_id}", function, stop)
        self.client, self.stream_arn, self.batch_size = client, stream_arn, batch_size
        self.starting_position, self.accepts = starting_position, accepts
        self.report_failures, self.max_retries = report_failures, max_retries
        self.on_failure = on_failure
        self.ttl_deletions = ttl_deletions
        self.table = stream_arn.split("/")[1]
        self.iterators: dict[str, str] = {}
        self.positions: dict[str, str] = {}  # the last sequence number read, per shard
        self.finished: set[str] = set()
        self.refreshed_at = 0.0
        self.description = f"stream of {stream_arn.split('/')[1]} → {function.logical_id} (batch {batch_size})"

    def _shards(self, position: str) -> None:
        shards = self.client.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id in self.iterators or shard_id in self.finished:
                continue
            self.iterators[shard_id] = self.client.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType=position
            )["ShardIterator"]
        self.refreshed_at = time.monotonic()

    def prepare(self) -> None:
        self._shards(self.starting_position)

    def _resume(self, shard_id: str) -> None:
        position = self.positions.get(shard_id)
        start = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": position}
            if position
            else {"ShardIteratorType": self.starting_position}
        )
        self.iterators[shard_id] = self.client.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard_id, **start)[
            "ShardIterator"
        ]

    def poll(self) -> None:
        if time.monotonic() - self.refreshed_at > _SHARD_REFRESH_S:
            self._shards("TRIM_HORIZON")  # shards born while we run are read from their start
        delivered = False
        for shard_id, iterator in list(self.iterators.items()):
            try:
                response = self.client.get_records(ShardIterator=iterator, Limit=1000)
            except self.client.exceptions.ExpiredIteratorException:
                self._resume(shard_id)  # idle for 15 minutes (a laptop asleep)
                continue
            if response.get("NextShardIterator"):
                self.iterators[shard_id] = response["NextShardIterator"]
            else:
                del self.iterators[shard_id]
                self.finished.add(shard_id)
            records = [self._as_lambda_sees_it(record) for record in response["Records"]]
            if records:
                self.positions[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]
            for start in range(0, len(records), self.batch_size):
                self._deliver(records[start : start + self.batch_size], shard_id)
                delivered = True
        if not delivered:
            self.stop_event.wait(_STREAM_IDLE_S)

    def _as_lambda_sees_it(self, raw: dict[str, Any]) -> dict[str, Any]:
        record = {**_plain(raw), "eventSourceARN": self.stream_arn}
        # DynamoDB Local has no TTL: the local sweeper's deletions get the identity the TTL service's have.
        if self.ttl_deletions is not None and self.ttl_deletions.made(self.table, record):
            record["userIdentity"] = dict(TTL_IDENTITY)
        return record

    def _deliver(self, records: list[dict[str, Any]], shard_id: str) -> None:
        pending = [record for record in records if self.accepts is None or self.accepts(record)]
        attempts = 0
        while pending and not self.stop_event.is_set():
            try:
                result = self.function.invoke({"Records": pending})
                failed = self._first_failure(result, pending)
            except Exception:
                log.exception("%s failed on %d stream records", self.function.logical_id, len(pending))
                failed = 0
            if failed is None:
                return
            attempts += 1
            pending = pending[failed:]  # Lambda checkpoints before the first failed record
            if 0 <= self.max_retries < attempts:
                log.error(
                    "%s: %d stream records dropped after %d retries",
                    self.function.logical_id,
                    len(pending),
                    attempts - 1,
                )
                if self.on_failure is not None:
                    self.on_failure(self._batch_info(pending, shard_id, attempts))
                return
            self.stop_event.wait(min(10.0, 0.5 * 2**attempts))

    def _batch_info(self, records: list[dict[str, Any]], shard_id: str, attempts: int) -> dict[str, Any]:
        """What Lambda sends to an OnFailure destination: where the batch is, not its records."""
        first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
        return {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function.definition.name}",
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": first.get("ApproximateCreationDateTime"),
                "approximateArrivalOfLastRecord": last.get("ApproximateCreationDateTime"),
                "batchSize": len(records),
                "streamArn": self.stream_arn,
            },
        }

    def _first_failure(self, result: Any, records: list[dict[str, Any]]) -> int | None:
        if not (self.report_failures and isinstance(result, dict)):
            return None
        sequence_numbers = [record["dynamodb"]["SequenceNumber"] for record in records]
        failed = [str(item.get("itemIdentifier")) for item in result.get("batchItemFailures") or []]
        indexes = [sequence_numbers.index(number) for number in failed if number in sequence_numbers]
        if failed and not indexes:
            return 0  # an identifier Lambda cannot place fails the whole batch
        return min(indexes) if indexes else None
