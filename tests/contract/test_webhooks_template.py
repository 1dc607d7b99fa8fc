"""Partner webhooks as deployed: the admin function may seal secrets but never open them; the sender
may open them but never seal; the contract's event types reach the sender's queue, whose failures
end in an alarmed dead-letter queue."""

from __future__ import annotations

from typing import Any

from devkit.template import load_template
from storefront.domain.webhooks.entities import EVENT_TYPES


def _resources() -> dict[str, Any]:
    return dict(load_template()["Resources"])


def test_the_sealing_key_rotates_is_kept_and_is_named_by_the_functions_setting() -> None:
    resources = _resources()
    key = resources["WebhookKey"]
    assert key["Properties"]["EnableKeyRotation"] is True
    assert (key["DeletionPolicy"], key["UpdateReplacePolicy"]) == ("Retain", "Retain")
    assert resources["WebhookKeyAlias"]["Properties"]["TargetKeyId"] == {"Ref": "WebhookKey"}
    variables = resources["WebhooksFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["WEBHOOK_KEY_ID"] == {"Ref": "WebhookKeyAlias"}


def _statements(function: str) -> list[dict[str, Any]]:
    properties = _resources()[function]["Properties"]
    return [statement for policy in properties["Policies"] for statement in policy.get("Statement", [])]


def test_the_webhooks_function_may_seal_with_the_key_but_never_open_and_reads_no_index() -> None:
    assert _statements("WebhooksFunction") == [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
            "Resource": {"Fn::GetAtt": ["Table", "Arn"]},
        },
        {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": {"Fn::GetAtt": ["WebhookKey", "Arn"]}},
        {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": {"Fn::GetAtt": ["WebhookQueue", "Arn"]}},
    ]
    properties = _resources()["WebhooksFunction"]["Properties"]
    assert properties["LoggingConfig"]["LogGroup"] == {"Ref": "WebhooksLogGroup"}


def test_the_sender_may_open_secrets_but_never_seal_and_reads_no_index() -> None:
    statements = _statements("WebhookSenderFunction")
    actions = {action for statement in statements for action in _listed(statement["Action"])}
    assert actions == {"dynamodb:GetItem", "dynamodb:PutItem", "kms:Decrypt", "sqs:SendMessage"}
    [kms] = [statement for statement in statements if statement["Action"] == "kms:Decrypt"]
    assert kms["Resource"] == {"Fn::GetAtt": ["WebhookKey", "Arn"]}
    variables = _resources()["WebhookSenderFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["WEBHOOK_KEY_ID"] == {"Ref": "WebhookKeyAlias"}


def _listed(action: str | list[str]) -> list[str]:
    return [action] if isinstance(action, str) else action


def test_the_rule_sends_exactly_the_contracts_event_types_to_the_senders_queue() -> None:
    rule = _resources()["WebhookEventsRule"]["Properties"]
    assert rule["EventPattern"]["source"] == ["storefront"]
    assert tuple(rule["EventPattern"]["detail-type"]) == EVENT_TYPES
    [target] = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["WebhookQueue", "Arn"]}
    assert target["DeadLetterConfig"]["Arn"] == {"Fn::GetAtt": ["WebhookDeadLetterQueue", "Arn"]}
    events = _resources()["WebhookSenderFunction"]["Properties"]["Events"]
    [source] = events.values()
    assert source["Properties"]["Queue"] == {"Fn::GetAtt": ["WebhookQueue", "Arn"]}
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_the_senders_failures_end_in_a_dead_letter_queue_with_an_alarm() -> None:
    resources = _resources()
    redrive = resources["WebhookQueue"]["Properties"]["RedrivePolicy"]
    assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": ["WebhookDeadLetterQueue", "Arn"]}
    alarm = resources["WebhookDeadLetterAlarm"]["Properties"]
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["WebhookDeadLetterQueue", "QueueName"]}}
    ]
    # Six times the function's timeout, as AWS advises for a Lambda consumer.
    timeout = resources["WebhookSenderFunction"]["Properties"]["Timeout"]
    assert resources["WebhookQueue"]["Properties"]["VisibilityTimeout"] >= 6 * timeout
