"""The local runtime's Firehose S3 delivery names objects as Firehose does: the prefix's partition
keys from the record, its timestamp from the arrival, the stream's name and a GZIP suffix."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from devkit.localrun.config import TemplateError
from devkit.localrun.firehose import S3Destination

CONFIGURATION = {
    "BucketARN": "arn:aws:s3:::shop-analytics",
    "Prefix": "events/type=!{partitionKeyFromQuery:type}/dt=!{timestamp:yyyy-MM-dd}/",
    "CompressionFormat": "GZIP",
    "ProcessingConfiguration": {
        "Enabled": True,
        "Processors": [
            {
                "Type": "MetadataExtraction",
                "Parameters": [
                    {"ParameterName": "MetadataExtractionQuery", "ParameterValue": "{type: .type}"},
                    {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"},
                ],
            },
            {
                "Type": "AppendDelimiterToRecord",
                "Parameters": [{"ParameterName": "Delimiter", "ParameterValue": "\\n"}],
            },
        ],
    },
}
ARRIVED = datetime(2026, 12, 4, 9, 30, 5, tzinfo=UTC)


def test_the_prefix_takes_the_records_key_and_the_arrival_day() -> None:
    destination = S3Destination.of("shop-analytics-stream", CONFIGURATION)

    prefix = destination.prefix_of({"type": "order.paid", "id": "1"}, ARRIVED)

    assert prefix == "events/type=order.paid/dt=2026-12-04/"
    assert (destination.bucket, destination.delimiter, destination.gzip) == ("shop-analytics", "\n", True)
    key = destination.object_key(prefix, ARRIVED)
    assert key.startswith("events/type=order.paid/dt=2026-12-04/shop-analytics-stream-1-2026-12-04-09-30-05-")
    assert key.endswith(".gz")


def test_without_a_prefix_objects_go_under_the_hour_as_firehose_does() -> None:
    destination = S3Destination.of("s", {"BucketARN": "arn:aws:s3:::b"})

    assert destination.prefix_of({}, ARRIVED) == "2026/12/04/09/"


def test_a_query_the_local_runtime_cannot_run_is_refused_at_start() -> None:
    processors = [
        {
            "Type": "MetadataExtraction",
            "Parameters": [{"ParameterName": "MetadataExtractionQuery", "ParameterValue": "[.a | length]"}],
        }
    ]
    with pytest.raises(TemplateError, match="MetadataExtraction"):
        S3Destination.of("s", {**CONFIGURATION, "ProcessingConfiguration": {"Processors": processors}})
