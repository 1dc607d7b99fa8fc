"""The analytics sink as deployed: every domain event's envelope goes to the delivery stream,
which writes where the Glue table's projected partitions read; failures are parked and alarmed."""

from __future__ import annotations

from typing import Any

from devkit.template import load_template


def _resources() -> dict[str, Any]:
    return dict(load_template()["Resources"])


def test_every_domain_event_goes_to_the_stream_as_its_envelope() -> None:
    rule = _resources()["AnalyticsRule"]["Properties"]
    assert rule["EventPattern"] == {"source": ["storefront"]}
    [target] = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["AnalyticsDeliveryStream", "Arn"]}
    assert target["InputPath"] == "$.detail"
    assert target["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["AnalyticsDeadLetterQueue", "Arn"]}
    alarm = _resources()["AnalyticsDeadLetterAlarm"]["Properties"]
    assert alarm["Dimensions"][0]["Value"] == {"Fn::GetAtt": ["AnalyticsDeadLetterQueue", "QueueName"]}


def test_the_stream_writes_gzipped_lines_where_the_tables_partitions_are() -> None:
    resources = _resources()
    destination = resources["AnalyticsDeliveryStream"]["Properties"]["ExtendedS3DestinationConfiguration"]
    table = resources["AnalyticsEventsTable"]["Properties"]["TableInput"]
    assert destination["Prefix"] == "events/type=!{partitionKeyFromQuery:type}/dt=!{timestamp:yyyy-MM-dd}/"
    assert destination["CompressionFormat"] == "GZIP"
    processors = {item["Type"]: item for item in destination["ProcessingConfiguration"]["Processors"]}
    assert set(processors) == {"MetadataExtraction", "AppendDelimiterToRecord"}
    template = table["Parameters"]["storage.location.template"]
    assert template == {"Fn::Sub": "s3://${AnalyticsBucket}/events/type=${!type}/dt=${!dt}/"}
    assert [key["Name"] for key in table["PartitionKeys"]] == ["type", "dt"]
    assert table["Parameters"]["projection.dt.format"] == "yyyy-MM-dd"
    columns = [column["Name"] for column in table["StorageDescriptor"]["Columns"]]
    assert columns == ["id", "version", "occurred_at", "data"]  # `type` is the partition's
