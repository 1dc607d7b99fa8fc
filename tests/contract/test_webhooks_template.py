"""The webhooks function as deployed: it may seal secrets but never open them, and touches one item."""

from __future__ import annotations

from typing import Any

from devkit.template import load_template


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


def test_the_webhooks_function_may_seal_with_the_key_but_never_open_and_reads_no_index() -> None:
    properties = _resources()["WebhooksFunction"]["Properties"]
    statements = [statement for policy in properties["Policies"] for statement in policy.get("Statement", [])]
    assert statements == [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
            "Resource": {"Fn::GetAtt": ["Table", "Arn"]},
        },
        {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": {"Fn::GetAtt": ["WebhookKey", "Arn"]}},
    ]
    assert properties["LoggingConfig"]["LogGroup"] == {"Ref": "WebhooksLogGroup"}
