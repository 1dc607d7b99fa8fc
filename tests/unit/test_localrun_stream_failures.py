"""The local stream poller hands a batch that exhausted its retries to its OnFailure destination."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

from devkit.localrun.streams import StreamPoller

STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-11-26T00:00:00.000"


def records(*sequence_numbers: str) -> list[dict[str, Any]]:
    return [
        {"eventName": "INSERT", "dynamodb": {"SequenceNumber": number, "ApproximateCreationDateTime": 1.0}}
        for number in sequence_numbers
    ]


def poller(result: Any, sent: list[dict[str, Any]], max_retries: int = 0) -> StreamPoller:
    function = SimpleNamespace(
        logical_id="RelayFunction", definition=SimpleNamespace(name="relay"), invoke=lambda event: result
    )
    return StreamPoller(
        function,  # type: ignore[arg-type]
        threading.Event(),
        client=None,
        stream_arn=STREAM_ARN,
        report_failures=True,
        max_retries=max_retries,
        on_failure=sent.append,
    )


def test_batch_description_is_sent_to_the_destination_when_retries_are_exhausted() -> None:
    sent: list[dict[str, Any]] = []

    poller({"batchItemFailures": [{"itemIdentifier": "12"}]}, sent)._deliver(records("11", "12", "13"), "shard-1")

    [message] = sent
    assert message["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert message["requestContext"]["functionArn"].endswith(":function:relay")
    assert message["DDBStreamBatchInfo"] == {
        "shardId": "shard-1",
        "startSequenceNumber": "12",
        "endSequenceNumber": "13",
        "approximateArrivalOfFirstRecord": 1.0,
        "approximateArrivalOfLastRecord": 1.0,
        "batchSize": 2,
        "streamArn": STREAM_ARN,
    }


def test_nothing_is_sent_to_the_destination_when_the_batch_succeeds() -> None:
    sent: list[dict[str, Any]] = []

    poller({"batchItemFailures": []}, sent)._deliver(records("11", "12"), "shard-1")

    assert sent == []
