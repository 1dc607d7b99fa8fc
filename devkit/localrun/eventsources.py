"""Wire every non-HTTP event source of the template to its function.

- EventBridge rules (`EventBridgeRule`/`CloudWatchEvent` events, `AWS::Events::Rule`
  resources targeting a function): the rule is created on moto's bus with an SQS queue
  of its own as target (moto cannot invoke a function), and a thread delivers from it.
- `AWS::Events::Rule` resources targeting a queue of the template: the rule is created on
  moto's bus with that queue as target, so moto itself sends each matching event there
  (the envelope as EventBridge writes it; Input, InputPath and InputTransformer applied);
  the queue's `SQS` event source takes it from there. Other kinds of target are skipped
  with a warning.
- The table stream (`DynamoDB` events), read through the dynamodbstreams API.
- SQS queues (`SQS` events), in batches of BatchSize gathered for up to
  MaximumBatchingWindowInSeconds, with ReportBatchItemFailures.
- Schedules (`Schedule`/`ScheduleV2`, and rules with a ScheduleExpression): timers.
- S3 notifications (`S3` events): the bucket notifies a queue of its own, polled.
- `AWS::Events::Rule` resources targeting a Kinesis Data Firehose delivery stream of the
  template: its S3 delivery is emulated (firehose.py), objects written to the local bucket.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any, cast
from urllib.parse import quote_plus, unquote_plus

from devkit.localrun.config import LocalTemplate, TemplateError, kebab
from devkit.localrun.emulators import Emulators
from devkit.localrun.firehose import FirehoseWriter, S3Destination
from devkit.localrun.host import LocalFunction
from devkit.localrun.pollers import (
    AsyncQueuePoller,
    RecordFilter,
    SchedulePoller,
    SqsPoller,
    Worker,
    scheduled_event,
)
from devkit.localrun.streams import FailureDestination, StreamPoller
from devkit.localrun.ttl import TtlDeletions

log = logging.getLogger("localrun")

_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_UNIT_S = {"minute": 60, "hour": 3600, "day": 86400}
_RETRY_VISIBILITY_S = "2"  # a failed asynchronous delivery is retried after this (Lambda: 1-2 min)


def rate_seconds(expression: str) -> int | None:
    """Seconds between runs of a rate(...) expression; None for cron(...)."""
    found = _RATE.match(expression.strip())
    return int(found.group(1)) * _UNIT_S[found.group(2).rstrip("s")] if found else None


def record_filter(criteria: Mapping[str, Any] | None) -> RecordFilter | None:
    """Lambda's FilterCriteria: a record passes when any pattern matches (JSON bodies parsed)."""
    from moto.events.models import EventPattern  # the EventBridge pattern engine Lambda filters share

    patterns = [EventPattern.load(str(item["Pattern"])) for item in (criteria or {}).get("Filters") or []]
    if not patterns:
        return None

    def accepts(record: dict[str, Any]) -> bool:
        view = record
        if isinstance(record.get("body"), str):
            try:
                view = {**record, "body": json.loads(record["body"])}
            except ValueError:
                view = record
        return any(pattern.matches_event(cast(Any, view)) for pattern in patterns)

    return accepts


def _input_of(target: Mapping[str, Any]) -> Callable[[dict[str, Any]], Any]:
    """A rule target's Input (constant) or InputPath ($.a.b) applied to the matched event."""
    if target.get("Input") is not None:
        text = str(target["Input"])
        return lambda event: json.loads(text)  # a fresh copy each time: functions may change it
    path = str(target.get("InputPath") or "$")
    steps = [step for step in path.removeprefix("$").split(".") if step]

    def select(event: dict[str, Any]) -> Any:
        value: Any = event
        for step in steps:
            value = value.get(step) if isinstance(value, dict) else None
        return value

    return select


# The event as EventBridge sends it to a target. moto's own default leaves out `account`;
# `detail` comes last so that no text inside it is taken for a placeholder. moto inserts
# strings unquoted: a source or detail-type holding `"` would not make valid JSON.
_ENVELOPE_TEMPLATE = (
    '{"version": "0", "id": "<id>", "detail-type": "<detail-type>", "source": "<source>", "account": "<account>", '
    '"time": <time>, "region": "<region>", "resources": <resources>, "detail": <detail>}'
)
_ENVELOPE_PATHS = {
    name: f"$.{name}" for name in ("id", "detail-type", "source", "account", "time", "region", "resources", "detail")
}


def _moto_input_transformer(target: Mapping[str, Any]) -> dict[str, Any]:
    """A queue target's Input, InputPath or InputTransformer, as the transformer moto applies.

    moto knows only InputTransformer; Input (constant JSON) and InputPath are expressed in it.
    moto writes a selected string without quotes: an InputPath must select an object, array
    or number.
    """
    if target.get("InputTransformer"):
        return dict(target["InputTransformer"])
    if target.get("Input") is not None:
        return {"InputTemplate": str(target["Input"])}
    if target.get("InputPath"):
        return {"InputPathsMap": {"selected": str(target["InputPath"])}, "InputTemplate": "<selected>"}
    return {"InputPathsMap": dict(_ENVELOPE_PATHS), "InputTemplate": _ENVELOPE_TEMPLATE}


def _complete_s3_record(record: dict[str, Any]) -> None:
    """moto's S3 record, made like S3's: the key encoded as S3 does (`/` kept), the usual fields."""
    s3 = record["s3"]
    s3["object"]["key"] = quote_plus(unquote_plus(s3["object"]["key"]), safe="/")
    s3["object"].setdefault("sequencer", f"{time.time_ns():X}")
    s3["bucket"].setdefault("ownerIdentity", {"principalId": "LOCAL"})
    record.setdefault("userIdentity", {"principalId": "AWS:LOCAL"})
    record.setdefault("requestParameters", {"sourceIPAddress": "127.0.0.1"})
    record.setdefault("responseElements", {"x-amz-request-id": uuid.uuid4().hex[:16].upper(), "x-amz-id-2": "local"})


class SourceWiring:
    def __init__(
        self,
        template: LocalTemplate,
        functions: Mapping[str, LocalFunction],
        emulators: Emulators,
        stop: threading.Event,
        schedule_scale: float = 1.0,
        ttl_deletions: TtlDeletions | None = None,
    ) -> None:
        self.template, self.functions, self.emulators = template, functions, emulators
        self.stop, self.schedule_scale = stop, schedule_scale
        self.ttl_deletions = ttl_deletions  # the local TTL sweeper's, marked in the stream's records
        self.sqs = emulators.client("sqs")
        self.pollers: list[Worker] = []
        self.s3_notifications: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def wire(self) -> list[Worker]:
        for definition in self.template.functions():
            for name, event in definition.events.items():
                self._event(definition.logical_id, name, event.get("Type"), event.get("Properties") or {})
        for logical_id, resource in self.template.resources("AWS::Events::Rule").items():
            self._rule_resource(logical_id, resource.get("Properties") or {})
        s3 = self.emulators.client("s3")
        for bucket, queues in self.s3_notifications.items():  # one configuration per bucket
            s3.put_bucket_notification_configuration(
                Bucket=bucket, NotificationConfiguration={"QueueConfigurations": queues}
            )
        return self.pollers

    def _event(self, function: str, name: str, kind: Any, properties: dict[str, Any]) -> None:
        source = f"{kebab(function)}-{kebab(name)}"
        properties = self.template.resolve(properties)
        if kind == "HttpApi":
            return
        if properties.get("Enabled") is False or properties.get("State") == "DISABLED":
            log.info("%s.%s is disabled in the template", function, name)
            return
        if kind in ("EventBridgeRule", "CloudWatchEvent"):
            rule = properties.get("RuleName") or f"{self.template.stack_name}-{source}"
            target = {"Input": properties.get("Input"), "InputPath": properties.get("InputPath")}
            self._rule(function, rule, properties.get("EventBusName"), properties.get("Pattern") or {}, target)
        elif kind == "DynamoDB":
            self._stream(function, properties)
        elif kind == "SQS":
            self._queue(function, properties)
        elif kind in ("Schedule", "ScheduleV2"):
            expression = properties.get("Schedule") or properties.get("ScheduleExpression") or ""
            self._schedule(function, source, str(expression), properties.get("Input"))
        elif kind == "S3":
            self._s3(function, source, properties)
        else:
            log.warning("%s.%s: events of type %s are not delivered locally", function, name, kind)

    # ------------------------------------------------------------ EventBridge

    def _parking_queue(self, name: str) -> tuple[str, str]:
        queue_name = re.sub(r"[^A-Za-z0-9_-]", "-", f"localrun-{name}")[:80]
        url = self.sqs.create_queue(QueueName=queue_name, Attributes={"VisibilityTimeout": _RETRY_VISIBILITY_S})[
            "QueueUrl"
        ]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, str(arn)

    def _rule(self, function: str, rule: str, bus: Any, pattern: Any, target: Mapping[str, Any]) -> None:
        bus_name = str(bus or "default").rsplit("event-bus/", 1)[-1]
        url, arn = self._parking_queue(f"{rule}-{kebab(function)}")  # a rule may target several functions
        events = self.emulators.client("events")
        text = pattern if isinstance(pattern, str) else json.dumps(pattern)
        events.put_rule(Name=rule, EventBusName=bus_name, EventPattern=text, State="ENABLED")
        moto_target: dict[str, Any] = {"Id": f"localrun-{kebab(function)}"[:64], "Arn": arn}
        if target.get("InputTransformer"):
            moto_target["InputTransformer"] = target["InputTransformer"]
        events.put_targets(Rule=rule, EventBusName=bus_name, Targets=[moto_target])
        select = _input_of(target)

        def to_event(event: dict[str, Any]) -> Any:
            if "detail-type" in event:  # moto's copy of the event leaves out the account
                event.setdefault("account", self.template.account_id)
            return select(event)

        description = f"rule {rule} on {bus_name} → {function}"
        poller = AsyncQueuePoller(
            f"rule-{rule}", self.functions[function], self.stop, self.sqs, url, to_event, description
        )
        self.pollers.append(poller)

    def _rule_resource(self, logical_id: str, properties: dict[str, Any]) -> None:
        resolved = self.template.resolve({**properties, "Targets": []})
        if resolved.get("State") == "DISABLED":
            return
        name = self.template.physical_name(logical_id)
        for target in properties.get("Targets") or []:
            arn = target.get("Arn")
            reference = arn.get("Fn::GetAtt") if isinstance(arn, dict) else None
            target_id = str(reference.split(".")[0] if isinstance(reference, str) else (reference or [""])[0])
            kind = self.template.resources().get(target_id, {}).get("Type")
            if kind == "AWS::Serverless::Function" and target_id in self.functions:
                if resolved.get("ScheduleExpression"):
                    input_text = self.template.resolve(target.get("Input"))
                    self._schedule(target_id, kebab(logical_id), str(resolved["ScheduleExpression"]), input_text)
                else:
                    resolved_target = self.template.resolve(dict(target))
                    self._rule(
                        target_id,
                        name,
                        resolved.get("EventBusName"),
                        resolved.get("EventPattern") or {},
                        resolved_target,
                    )
            elif kind == "AWS::SQS::Queue" and not resolved.get("ScheduleExpression"):
                self._rule_to_queue(name, resolved, self.template.resolve(dict(target)))
            elif kind == "AWS::KinesisFirehose::DeliveryStream" and not resolved.get("ScheduleExpression"):
                self._rule_to_firehose(name, resolved, self.template.resolve(dict(target)), target_id)
            else:
                log.warning(
                    "%s: target %s (%s) is not delivered locally: only functions and queues of the template "
                    "(!GetAtt <Resource>.Arn) are, and schedules only to functions",
                    logical_id,
                    target.get("Id"),
                    kind or self.template.resolve(arn),
                )

    def _rule_to_queue(self, rule: str, properties: dict[str, Any], target: dict[str, Any]) -> None:
        """A rule whose target is a queue: moto itself sends each matching event to the queue, as AWS does."""
        bus_name = str(properties.get("EventBusName") or "default").rsplit("event-bus/", 1)[-1]
        pattern = properties.get("EventPattern") or {}
        events = self.emulators.client("events")
        events.put_rule(
            Name=rule,
            EventBusName=bus_name,
            EventPattern=pattern if isinstance(pattern, str) else json.dumps(pattern),
            State="ENABLED",
        )
        moto_target: dict[str, Any] = {
            "Id": str(target.get("Id") or kebab(rule))[:64],
            "Arn": str(target["Arn"]),  # the queue's ARN as moto created it (resources.py)
            "InputTransformer": _moto_input_transformer(target),
        }
        if target.get("SqsParameters"):  # a FIFO queue's MessageGroupId
            moto_target["SqsParameters"] = target["SqsParameters"]
        events.put_targets(Rule=rule, EventBusName=bus_name, Targets=[moto_target])
        log.info("rule %s on %s → queue %s", rule, bus_name, str(target["Arn"]).rsplit(":", 1)[-1])

    def _rule_to_firehose(self, rule: str, properties: dict[str, Any], target: dict[str, Any], stream: str) -> None:
        """A rule whose target is a delivery stream: moto sends each event to a queue of the rule's,
        and a writer does Firehose's S3 delivery from it (firehose.py)."""
        properties_of_stream = self.template.properties(stream)
        configuration = self.template.resolve(properties_of_stream.get("ExtendedS3DestinationConfiguration"))
        if not configuration:
            log.warning("%s: only delivery streams with an ExtendedS3DestinationConfiguration run locally", stream)
            return
        destination = S3Destination.of(self.template.physical_name(stream), configuration)
        queue_name = re.sub(r"[^A-Za-z0-9_-]", "-", f"localrun-{rule}-firehose")[:80]
        # Records stay in the queue until their object is written: invisible for the buffer's time and more.
        url = self.sqs.create_queue(QueueName=queue_name, Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self._rule_to_queue(rule, properties, {**target, "Id": target.get("Id") or kebab(rule), "Arn": arn})
        s3 = self.emulators.client("s3")
        self.pollers.append(FirehoseWriter(self.stop, self.sqs, s3, url, destination, rule))

    # ------------------------------------------------------------ stream and queues

    def _stream(self, function: str, properties: dict[str, Any]) -> None:
        stream_arn = str(properties["Stream"])
        if not stream_arn.startswith("arn:aws:dynamodb") or stream_arn.endswith("/stream/local"):
            raise TemplateError(f"{function}: Stream must be !GetAtt <Table>.StreamArn of a table with a stream")
        poller = StreamPoller(
            self.functions[function],
            self.stop,
            self.emulators.client("dynamodbstreams"),
            stream_arn,
            batch_size=int(properties.get("BatchSize", 100)),
            starting_position=str(properties.get("StartingPosition", "LATEST")),
            accepts=record_filter(properties.get("FilterCriteria")),
            report_failures="ReportBatchItemFailures" in (properties.get("FunctionResponseTypes") or []),
            max_retries=int(properties.get("MaximumRetryAttempts", -1)),
            on_failure=self._failure_destination(function, properties.get("DestinationConfig")),
            ttl_deletions=self.ttl_deletions,
        )
        self.pollers.append(poller)

    def _failure_destination(self, function: str, config: Mapping[str, Any] | None) -> FailureDestination | None:
        """DestinationConfig.OnFailure of a stream: an SQS queue receives each dropped batch's description."""
        destination = str(((config or {}).get("OnFailure") or {}).get("Destination") or "")
        if not destination:
            return None
        if not destination.startswith("arn:aws:sqs:"):
            log.warning("%s: only SQS failure destinations are delivered locally, not %s", function, destination)
            return None
        url = self.sqs.get_queue_url(QueueName=destination.rsplit(":", 1)[-1])["QueueUrl"]

        def send(batch_info: dict[str, Any]) -> None:
            self.sqs.send_message(QueueUrl=url, MessageBody=json.dumps(batch_info))

        return send

    def _queue(self, function: str, properties: dict[str, Any]) -> None:
        queue_arn = str(properties["Queue"])
        url = self.sqs.get_queue_url(QueueName=queue_arn.rsplit(":", 1)[-1])["QueueUrl"]
        poller = SqsPoller(
            self.functions[function],
            self.stop,
            self.sqs,
            url,
            queue_arn,
            batch_size=int(properties.get("BatchSize", 10)),
            accepts=record_filter(properties.get("FilterCriteria")),
            report_failures="ReportBatchItemFailures" in (properties.get("FunctionResponseTypes") or []),
            batching_window_s=float(properties.get("MaximumBatchingWindowInSeconds") or 0),
        )
        self.pollers.append(poller)

    # ------------------------------------------------------------ schedules and S3

    def _schedule(self, function: str, name: str, expression: str, input_text: Any) -> None:
        seconds = rate_seconds(expression)
        if seconds is None:
            log.warning("%s: %s is not run locally (only rate(...) schedules are)", function, expression)
            return
        rule_arn = f"arn:aws:events:{self.template.region}:{self.template.account_id}:rule/{name}"

        def to_event() -> Any:
            return json.loads(str(input_text)) if input_text is not None else scheduled_event(rule_arn)

        interval = seconds * self.schedule_scale
        description = f"{expression} → {function}" + (f" (every {interval:g} s)" if self.schedule_scale != 1 else "")
        self.pollers.append(
            SchedulePoller(f"schedule-{name}", self.functions[function], self.stop, interval, to_event, description)
        )

    def _s3(self, function: str, name: str, properties: dict[str, Any]) -> None:
        bucket = str(properties["Bucket"])
        url, arn = self._parking_queue(f"s3-{name}")
        events = properties.get("Events")
        configuration: dict[str, Any] = {
            "Id": name,
            "QueueArn": arn,
            "Events": events if isinstance(events, list) else [events],
        }
        rules = ((properties.get("Filter") or {}).get("S3Key") or {}).get("Rules")
        if rules:
            configuration["Filter"] = {"Key": {"FilterRules": rules}}
        self.s3_notifications[bucket].append(configuration)

        def to_event(body: dict[str, Any]) -> Any:
            if body.get("Event") == "s3:TestEvent":  # sent when a bucket is configured
                return None
            for record in body.get("Records") or []:
                _complete_s3_record(record)
            return body

        description = f"S3 {bucket} → {function}"
        self.pollers.append(
            AsyncQueuePoller(f"s3-{name}", self.functions[function], self.stop, self.sqs, url, to_event, description)
        )
