"""The template's monitoring section, generated from the template itself: `make monitoring`.

Every function gets an alarm on its errors and one on its throttles; every function behind
the HTTP API one on its p99 duration (a function is a route family: catalog, checkout, ...);
every function fed by the table stream one on its iterator age, and every queue a function
reads one on the age of its oldest message. The API gets a 5xx-rate alarm, the business
metrics a payment-failure-rate and a webhook-failure-rate alarm. All of them notify the
`AlarmTopic`. The dashboard shows the same, and the business metrics. The `Monitoring`
parameter (on by default) turns these alarms and the dashboard off, for a stack where their
monthly price (docs/operations.md) is not worth it. Dead-letter queues'
alarms are written by hand beside their queues (each says what its queue holds); a contract
test checks that every one exists and notifies the topic.

Writing it from the template keeps it true as functions and queues are added: a contract test
fails when the committed section differs from what this writes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from devkit.template import TEMPLATE_PATH, load_template

START = "  # ---------------------------------------------------------------- monitoring (generated: make monitoring)\n"
END = "  # ---------------------------------------------------------------- end of monitoring\n"
NAMESPACE = "Storefront"  # Globals' POWERTOOLS_METRICS_NAMESPACE
HTTP_P99_MS = 2000  # a route family whose p99 passes this for 15 minutes is slow for shoppers
STREAM_AGE_MS = 60_000  # events older than a minute when the relay reads them: it is falling behind
ABOVE = "GreaterThanThreshold"
QUEUE_AGE_S = 1800  # retries are delayed at most 15 minutes a hop: half an hour means a backlog


def _functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def _sources(resource: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    events = (resource.get("Properties") or {}).get("Events") or {}
    return [event.get("Properties") or {} for event in events.values() if event.get("Type") == kind]


def _service(resource: dict[str, Any]) -> str:
    variables = ((resource.get("Properties") or {}).get("Environment") or {}).get("Variables") or {}
    return str(variables.get("POWERTOOLS_SERVICE_NAME", ""))


def _alarm(name: str, description: str, body: dict[str, Any]) -> dict[str, Any]:
    properties = {
        "AlarmDescription": description,
        **body,
        "TreatMissingData": "notBreaching",
        "AlarmActions": [{"Ref": "AlarmTopic"}],
    }
    return {name: {"Type": "AWS::CloudWatch::Alarm", "Condition": "MonitoringOn", "Properties": properties}}


def _metric_alarm(
    namespace: str,
    metric: str,
    dimensions: list[dict[str, Any]],
    statistic: str,
    threshold: float,
    periods: int = 1,
) -> dict[str, Any]:
    """Above `threshold` in each of `periods` consecutive 5-minute periods."""
    stat = {"ExtendedStatistic": statistic} if statistic.startswith("p") else {"Statistic": statistic}
    return {
        "Namespace": namespace,
        "MetricName": metric,
        "Dimensions": dimensions,
        **stat,
        "Period": 300,
        "EvaluationPeriods": periods,
        "Threshold": threshold,
        "ComparisonOperator": ABOVE,
    }


def _query(metric_id: str, metric: dict[str, Any], period: int) -> dict[str, Any]:
    """One metric of a metric-math alarm, summed over `period`, not itself alarmed on."""
    return {"Id": metric_id, "MetricStat": {"Metric": metric, "Period": period, "Stat": "Sum"}, "ReturnData": False}


def _math(expression: str, label: str) -> dict[str, Any]:
    return {"Id": "rate", "Expression": expression, "Label": label, "ReturnData": True}


def _rate_alarm(failures: dict[str, Any], total: str, minimum: int, percent: int) -> dict[str, Any]:
    """An alarm on `100 * failed / all` over 15 minutes, once `all` reaches `minimum`."""
    metrics = []
    for metric_id, (name, service) in failures.items():
        metric = {
            "Namespace": NAMESPACE,
            "MetricName": name,
            "Dimensions": [{"Name": "service", "Value": service}],
        }
        metrics.append(_query(metric_id, metric, 900))
    metrics.append(_math(f"IF({total} >= {minimum}, 100 * failed / {total}, 0)", "failure rate (%)"))
    return {"Metrics": metrics, "EvaluationPeriods": 1, "Threshold": percent, "ComparisonOperator": ABOVE}


def resources(template: dict[str, Any]) -> dict[str, Any]:
    functions = _functions(template)
    generated: dict[str, Any] = {
        "AlarmTopic": {
            "Type": "AWS::SNS::Topic",
            "Metadata": {
                "checkov": {
                    "skip": [
                        {
                            "id": "CKV_AWS_26",
                            "comment": "Alarm notices only (names and states, no data); CloudWatch cannot publish "
                            "to a topic under the AWS-managed SNS key.",
                        }
                    ]
                }
            },
            "Properties": {"DisplayName": {"Fn::Sub": "${AWS::StackName} alarms"}},
        },
        "AlarmEmailSubscription": {
            "Type": "AWS::SNS::Subscription",
            "Condition": "HasAlarmEmail",
            "Properties": {"Protocol": "email", "TopicArn": {"Ref": "AlarmTopic"}, "Endpoint": {"Ref": "AlarmEmail"}},
        },
    }
    api = [{"Name": "ApiId", "Value": {"Ref": "HttpApi"}}, {"Name": "Stage", "Value": "$default"}]
    api_metrics = []
    for metric_id, name in (("errors", "5xx"), ("requests", "Count")):
        metric = {"Namespace": "AWS/ApiGateway", "MetricName": name, "Dimensions": api}
        api_metrics.append(_query(metric_id, metric, 300))
    api_metrics.append(_math("IF(requests >= 20, 100 * errors / requests, 0)", "5xx (%)"))
    generated |= _alarm(
        "Api5xxRateAlarm",
        "More than 1% of the API's answers were 5xx in 5 minutes (at least 20 requests): see the functions' errors.",
        {"Metrics": api_metrics, "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": ABOVE},
    )
    for logical_id, resource in functions.items():
        function = [{"Name": "FunctionName", "Value": {"Ref": logical_id}}]
        generated |= _alarm(
            f"{logical_id}ErrorsAlarm",
            f"{logical_id} failed invocations (its log group has each one).",
            _metric_alarm("AWS/Lambda", "Errors", function, "Sum", 0),
        )
        generated |= _alarm(
            f"{logical_id}ThrottlesAlarm",
            f"{logical_id} was throttled: the account's or its own concurrency limit was reached.",
            _metric_alarm("AWS/Lambda", "Throttles", function, "Sum", 0),
        )
        if _sources(resource, "HttpApi"):
            generated |= _alarm(
                f"{logical_id}LatencyAlarm",
                f"{logical_id}'s p99 duration passed {HTTP_P99_MS} ms for 15 minutes (its routes are slow).",
                _metric_alarm("AWS/Lambda", "Duration", function, "p99", HTTP_P99_MS, periods=3),
            )
        if _sources(resource, "DynamoDB"):
            generated |= _alarm(
                f"{logical_id}IteratorAgeAlarm",
                f"{logical_id} reads table stream records more than a minute old: it is falling behind.",
                _metric_alarm("AWS/Lambda", "IteratorAge", function, "Maximum", STREAM_AGE_MS),
            )
        for source in _sources(resource, "SQS"):
            queue = source["Queue"]["Fn::GetAtt"][0]
            dimensions = [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
            generated |= _alarm(
                f"{queue}AgeAlarm",
                f"{queue} holds a message older than {QUEUE_AGE_S // 60} minutes: {logical_id} is behind or failing.",
                _metric_alarm("AWS/SQS", "ApproximateAgeOfOldestMessage", dimensions, "Maximum", QUEUE_AGE_S),
            )
    relay = _service(functions["RelayFunction"])
    generated |= _alarm(
        "PaymentFailureRateAlarm",
        "More than 25% of payments failed in 15 minutes (at least 10): is the payment provider down?",
        _rate_alarm({"failed": ("PaymentFailures", relay), "paid": ("OrdersPaid", relay)}, "(failed + paid)", 10, 25),
    )
    sender = _service(functions["WebhookSenderFunction"])
    generated |= _alarm(
        "WebhookFailureRateAlarm",
        "More than half the partner webhook attempts failed in 15 minutes (at least 10): see the delivery logs.",
        _rate_alarm({"failed": ("WebhookAttemptsFailed", sender), "all": ("WebhookAttempts", sender)}, "all", 10, 50),
    )
    generated["OperationsDashboard"] = {
        "Type": "AWS::CloudWatch::Dashboard",
        "Condition": "MonitoringOn",
        "Properties": {
            "DashboardName": {"Fn::Sub": "${AWS::StackName}"},
            "DashboardBody": {"Fn::Sub": _dashboard_json(_dashboard(template, functions))},
        },
    }
    return generated


def _widget(title: str, metrics: list[list[Any]], *, stat: str = "Sum", width: int = 12) -> dict[str, Any]:
    return {
        "type": "metric",
        "width": width,
        "height": 6,
        "properties": {"title": title, "region": "${AWS::Region}", "stat": stat, "period": 300, "metrics": metrics},
    }


def _dashboard(template: dict[str, Any], functions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    relay, sender = _service(functions["RelayFunction"]), _service(functions["WebhookSenderFunction"])
    auth = _service(functions["AuthFunction"])
    business = [[NAMESPACE, name, "service", relay] for name in ("OrdersPlaced", "OrdersPaid", "OrdersCancelled")]
    search = f"SEARCH('{{{NAMESPACE},service}} service=\"{relay}\" Revenue', 'Sum', 3600)"
    revenue = [[{"expression": search, "id": "revenue"}]]
    problems = [[NAMESPACE, "PaymentFailures", "service", relay], [NAMESPACE, "StockOuts", "service", relay]]
    problems += [[NAMESPACE, name, "service", sender] for name in ("WebhookAttempts", "WebhookAttemptsFailed")]
    problems += [[NAMESPACE, name, "service", auth] for name in ("SignInLockouts", "SignInsRefused")]
    api = ["AWS/ApiGateway", "Count", "ApiId", "${HttpApi}", "Stage", "$default"]
    api_metrics = [api, [*api[:1], "4xx", *api[2:]], [*api[:1], "5xx", *api[2:]]]
    latency = [[*api[:1], "Latency", *api[2:], {"stat": stat}] for stat in ("p50", "p99")]
    names = sorted(functions)
    errors = [["AWS/Lambda", "Errors", "FunctionName", f"${{{name}}}"] for name in names]
    throttles = [["AWS/Lambda", "Throttles", "FunctionName", f"${{{name}}}"] for name in names]
    http = [name for name in names if _sources(functions[name], "HttpApi")]
    durations = [["AWS/Lambda", "Duration", "FunctionName", f"${{{name}}}"] for name in http]
    queues = sorted(
        logical_id for logical_id, resource in template["Resources"].items() if resource["Type"] == "AWS::SQS::Queue"
    )
    visible = ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName"]
    depths = [[*visible, f"${{{queue}.QueueName}}"] for queue in queues]
    return {
        "widgets": [
            _widget("Orders (placed, paid, cancelled)", business),
            _widget("Revenue per currency (minor units)", revenue),
            _widget("Payment failures, stock-outs, webhook attempts, sign-in lockouts", problems),
            _widget("API requests, 4xx, 5xx", api_metrics),
            _widget("API latency (ms)", latency, stat="p99"),
            _widget("Lambda errors per function", errors),
            _widget("Lambda throttles per function", throttles),
            _widget("p99 duration per route family (ms)", durations, stat="p99"),
            _widget("Queue depths (dead-letter queues should be empty)", depths, stat="Maximum", width=24),
        ]
    }


def _dashboard_json(dashboard: dict[str, Any]) -> str:
    """The body one widget a line: readable in the template, and a diff names the widget that changed."""
    widgets = ",\n".join(f"  {json.dumps(widget)}" for widget in dashboard["widgets"])
    return '{"widgets": [\n' + widgets + "\n]}\n"


class _TemplateDumper(yaml.SafeDumper):
    """Writes YAML as template.yaml is written: lists indented under their key, long text as a block."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_TemplateDumper.add_representer(str, _text)


def section(template: dict[str, Any] | None = None) -> str:
    """The monitoring section of template.yaml, as text between its markers."""
    # Through JSON: the template's loader answers its own string types, which YAML cannot write.
    document = json.loads(json.dumps(resources(template or load_template())))
    body = yaml.dump(document, Dumper=_TemplateDumper, sort_keys=False, width=120, allow_unicode=True)
    indented = "".join(f"  {line}" if line.strip() else line for line in body.splitlines(keepends=True))
    return START + indented + END


def committed(path: Path = TEMPLATE_PATH) -> str:
    text = path.read_text()
    found = re.search(re.escape(START) + ".*?" + re.escape(END), text, re.DOTALL)
    return found.group(0) if found else ""


def write(path: Path = TEMPLATE_PATH) -> None:
    text, current = path.read_text(), committed(path)
    new = section()
    text = text.replace(current, new) if current else text.replace("\nOutputs:\n", f"\n{new}\nOutputs:\n", 1)
    path.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if template.yaml's section is not current")
    arguments = parser.parse_args()
    if arguments.check:
        return 0 if committed() == section() else 1
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
