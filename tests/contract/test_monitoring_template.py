"""Monitoring as deployed: every dead-letter queue has an alarm, every function is alarmed and on
the dashboard, every alarm notifies the one topic, and the generated section is current."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from devkit import monitoring
from devkit.template import load_template


def _resources() -> dict[str, Any]:
    return dict(load_template()["Resources"])


def _found(value: Any, key: str) -> Iterator[Any]:
    """Every value under `key`, at any depth."""
    if isinstance(value, dict):
        for name, item in value.items():
            if name == key:
                yield item
            yield from _found(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from _found(item, key)


def _dead_letter_queues(resources: dict[str, Any]) -> set[str]:
    """Queues that hold what failed: redrive targets, rules' dead-letter configs, failure destinations."""
    arns = [*_found(resources, "deadLetterTargetArn"), *_found(resources, "DeadLetterConfig")]
    arns += [on_failure.get("Destination") for on_failure in _found(resources, "OnFailure")]
    arns = [arn.get("Arn", arn) if isinstance(arn, dict) and "Arn" in arn else arn for arn in arns]
    return {arn["Fn::GetAtt"][0] for arn in arns if isinstance(arn, dict) and "Fn::GetAtt" in arn}


def _alarms(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: resource["Properties"]
        for name, resource in resources.items()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
    }


def test_the_generated_monitoring_section_is_current() -> None:
    assert monitoring.committed() == monitoring.section(), "template.yaml's monitoring drifted: run `make monitoring`"


def test_every_dead_letter_queue_has_a_depth_alarm_that_notifies_the_topic() -> None:
    resources = _resources()
    queues = _dead_letter_queues(resources)
    assert {"RelayDeadLetterQueue", "WebhookDeadLetterQueue", "ImagesFailureQueue"} <= queues
    watched = {
        alarm["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for alarm in _alarms(resources).values()
        if alarm.get("MetricName") == "ApproximateNumberOfMessagesVisible"
        and {"Ref": "AlarmTopic"} in alarm.get("AlarmActions", [])
    }
    assert queues <= watched, f"dead-letter queues without an alarm: {sorted(queues - watched)}"


def test_every_alarm_notifies_the_alarm_topic() -> None:
    alarms = _alarms(_resources())
    assert [name for name, alarm in alarms.items() if {"Ref": "AlarmTopic"} not in alarm.get("AlarmActions", [])] == []


def test_every_function_has_error_and_throttle_alarms_and_is_on_the_dashboard() -> None:
    resources = _resources()
    functions = [name for name, resource in resources.items() if resource["Type"] == "AWS::Serverless::Function"]
    alarms = _alarms(resources)
    body = resources["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    for function in functions:
        for metric in ("Errors", "Throttles"):
            assert alarms[f"{function}{metric}Alarm"]["MetricName"] == metric
        assert f'"${{{function}}}"' in body, f"{function} is not on the dashboard"


def test_the_business_rates_are_alarmed_on_the_metrics_the_functions_write() -> None:
    alarms = _alarms(_resources())

    def measured(alarm: str) -> set[str]:
        queries = [query for query in alarms[alarm]["Metrics"] if "MetricStat" in query]
        return {query["MetricStat"]["Metric"]["MetricName"] for query in queries}

    assert measured("PaymentFailureRateAlarm") == {"PaymentFailures", "OrdersPaid"}
    assert measured("WebhookFailureRateAlarm") == {"WebhookAttempts", "WebhookAttemptsFailed"}
