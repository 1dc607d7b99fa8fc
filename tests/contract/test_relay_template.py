"""The relay's wiring in template.yaml keeps the "no lost events" promises."""

from __future__ import annotations

import json
from typing import Any

from devkit.template import load_template


def _resources() -> dict[str, Any]:
    return dict(load_template()["Resources"])


def test_relay_reads_only_outbox_inserts_and_reports_partial_failures() -> None:
    source = _resources()["RelayFunction"]["Properties"]["Events"]["Outbox"]
    properties = source["Properties"]
    assert source["Type"] == "DynamoDB"
    assert properties["Stream"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    assert properties["StartingPosition"] == "TRIM_HORIZON"
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["BisectBatchOnFunctionError"] is True
    assert 0 <= properties["MaximumRetryAttempts"] <= 10
    [pattern] = [json.loads(item["Pattern"]) for item in properties["FilterCriteria"]["Filters"]]
    assert pattern == {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"entity": {"S": ["outbox"]}}}}
    destination = properties["DestinationConfig"]["OnFailure"]["Destination"]
    assert destination == {"Fn::GetAtt": ["RelayDeadLetterQueue", "Arn"]}


def test_relay_dead_letter_queue_is_encrypted_kept_14_days_and_alarmed() -> None:
    resources = _resources()
    queue = resources["RelayDeadLetterQueue"]["Properties"]
    assert queue["SqsManagedSseEnabled"] is True
    assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600
    alarm = resources["RelayDeadLetterAlarm"]["Properties"]
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["RelayDeadLetterQueue", "QueueName"]}}
    ]
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)


def test_relay_may_only_put_events_on_the_bus_and_send_to_its_dead_letter_queue() -> None:
    [policy] = _resources()["RelayFunction"]["Properties"]["Policies"]
    grants = {statement["Action"]: statement["Resource"] for statement in policy["Statement"]}
    assert grants == {
        "events:PutEvents": {"Fn::GetAtt": ["EventBus", "Arn"]},
        "sqs:SendMessage": {"Fn::GetAtt": ["RelayDeadLetterQueue", "Arn"]},
    }
