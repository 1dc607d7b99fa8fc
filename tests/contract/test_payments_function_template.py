"""The webhook and expiry functions' template promises: the public webhook route throttled,
a minute's schedule for the expiry, least privilege for both, a log group each.

(The Stripe secret's own promises are in test_payments_template.py.)"""

from __future__ import annotations

from typing import Any

from devkit.template import http_routes, load_template

WEBHOOK = ("POST", "/v1/payments/stripe/webhook")
STRIPE_SECRET_READ = {"AWSSecretsManagerGetSecretValuePolicy": {"SecretArn": {"Ref": "StripeSecret"}}}


def _properties(logical_id: str) -> dict[str, Any]:
    return dict(load_template()["Resources"][logical_id]["Properties"])


def _statements(logical_id: str) -> list[dict[str, Any]]:
    return [statement for policy in _properties(logical_id)["Policies"] for statement in policy.get("Statement", [])]


def test_the_webhook_is_the_payments_function_only_route_and_public_at_the_gateway() -> None:
    routes = [route for route in http_routes() if route.function == "PaymentsFunction"]
    assert [(route.method, route.path, route.public) for route in routes] == [(*WEBHOOK, True)]


def test_the_public_webhook_route_has_its_own_throttle_below_the_stage_default() -> None:
    settings = load_template()["Resources"]["HttpApi"]["Properties"]["RouteSettings"][" ".join(WEBHOOK)]
    assert settings == {"ThrottlingRateLimit": 50, "ThrottlingBurstLimit": 100}


def test_the_webhook_reads_the_stripe_secret_and_writes_without_query_scan_or_delete() -> None:
    assert STRIPE_SECRET_READ in _properties("PaymentsFunction")["Policies"]
    (table,) = _statements("PaymentsFunction")
    assert table["Resource"] == {"Fn::GetAtt": ["Table", "Arn"]}
    assert sorted(table["Action"]) == ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]


def test_the_expiry_runs_every_minute_within_a_timeout_under_the_minute() -> None:
    properties = _properties("OrderExpiryFunction")
    (event,) = properties["Events"].values()
    assert event["Type"] == "Schedule"
    assert event["Properties"]["Schedule"] == "rate(1 minute)"
    assert properties["Timeout"] < 60
    assert not any(route.function == "OrderExpiryFunction" for route in http_routes())


def test_the_expiry_reads_the_stripe_secret_and_queries_only_gsi2_and_never_scans() -> None:
    assert STRIPE_SECRET_READ in _properties("OrderExpiryFunction")["Policies"]
    table, index = _statements("OrderExpiryFunction")
    assert table["Resource"] == {"Fn::GetAtt": ["Table", "Arn"]}
    assert sorted(table["Action"]) == [
        "dynamodb:BatchGetItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    ]
    assert index == {"Effect": "Allow", "Action": "dynamodb:Query", "Resource": {"Fn::Sub": "${Table.Arn}/index/GSI2"}}


def test_both_functions_have_their_own_log_group_with_the_retention() -> None:
    resources = load_template()["Resources"]
    for function, group in (("PaymentsFunction", "PaymentsLogGroup"), ("OrderExpiryFunction", "OrderExpiryLogGroup")):
        assert resources[function]["Properties"]["LoggingConfig"]["LogGroup"] == {"Ref": group}
        assert resources[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
