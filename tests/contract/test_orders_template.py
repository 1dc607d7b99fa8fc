"""The orders function's template promises: routes behind the authorizer, least privilege, its own logs."""

from __future__ import annotations

from typing import Any

from devkit.template import http_routes, load_template
from tests.support import ROOT

ORDERS_ROUTES = {
    ("GET", "/v1/orders"),
    ("GET", "/v1/orders/{order_id}"),
    ("POST", "/v1/orders/{order_id}/cancel"),
    ("POST", "/v1/orders/{order_id}/transitions"),
    ("POST", "/v1/orders/{order_id}/refunds"),
}


def _properties() -> dict[str, Any]:
    return dict(load_template()["Resources"]["OrdersFunction"]["Properties"])


def test_orders_routes_are_all_behind_the_authorizer_when_deployed() -> None:
    routes = [route for route in http_routes() if route.function == "OrdersFunction"]
    assert {(route.method, route.path) for route in routes} == ORDERS_ROUTES
    assert not any(route.public for route in routes)


def test_orders_function_may_not_scan_or_delete_and_queries_only_gsi1_and_gsi2_when_deployed() -> None:
    policies = _properties()["Policies"]
    assert policies[0] == {"AWSSecretsManagerGetSecretValuePolicy": {"SecretArn": {"Ref": "CursorSigningSecret"}}}
    assert policies[1] == {"AWSSecretsManagerGetSecretValuePolicy": {"SecretArn": {"Ref": "StripeSecret"}}}
    table, indexes = [statement for policy in policies for statement in policy.get("Statement", [])]
    assert table["Resource"] == {"Fn::GetAtt": ["Table", "Arn"]}
    assert sorted(table["Action"]) == [
        "dynamodb:BatchGetItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    ]
    assert indexes == {
        "Effect": "Allow",
        "Action": "dynamodb:Query",
        "Resource": [{"Fn::Sub": f"${{Table.Arn}}/index/{index}"} for index in ("GSI1", "GSI2", "GSI3")],
    }


def test_orders_function_ships_stripe_and_outlives_a_refund_retried_by_the_sdk_when_deployed() -> None:
    assert "stripe==" in (ROOT / "functions" / "orders" / "requirements.txt").read_text()
    assert _properties()["Timeout"] >= 20  # 4 s a Stripe try, two retries


def test_orders_function_has_its_own_log_group_with_the_retention_when_deployed() -> None:
    resources = load_template()["Resources"]
    assert _properties()["LoggingConfig"]["LogGroup"] == {"Ref": "OrdersLogGroup"}
    assert resources["OrdersLogGroup"]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
