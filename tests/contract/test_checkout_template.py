"""The checkout function's template promises: every route behind the authorizer, least privilege (no Scan,
no index), its own log group."""

from __future__ import annotations

from typing import Any

from devkit.template import http_routes, load_template

ROUTES = {
    ("POST", "/v1/checkouts"),
    ("GET", "/v1/checkouts/{checkout_id}"),
    ("PATCH", "/v1/checkouts/{checkout_id}"),
    ("GET", "/v1/checkouts/{checkout_id}/shipping-methods"),
    ("POST", "/v1/checkouts/{checkout_id}/complete"),
}


def _properties() -> dict[str, Any]:
    return dict(load_template()["Resources"]["CheckoutFunction"]["Properties"])


def test_every_checkout_route_is_behind_the_authorizer_when_deployed() -> None:
    routes = [route for route in http_routes() if route.function == "CheckoutFunction"]
    assert {(route.method, route.path) for route in routes} == ROUTES
    assert not any(route.public for route in routes)


def test_checkout_function_may_not_scan_and_touches_only_the_table_when_deployed() -> None:
    statements = [statement for policy in _properties()["Policies"] for statement in policy.get("Statement", [])]
    table = next(statement for statement in statements if statement["Resource"] == {"Fn::GetAtt": ["Table", "Arn"]})
    assert not any("Scan" in action for action in table["Action"])
    assert sorted(table["Action"]) == [
        "dynamodb:BatchGetItem",
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
    ]
    resources = {str(statement["Resource"]) for statement in statements}
    assert not any("index" in resource for resource in resources)


def test_checkout_function_reads_only_the_stripe_secret_when_deployed() -> None:
    secrets = [policy for policy in _properties()["Policies"] if "AWSSecretsManagerGetSecretValuePolicy" in policy]
    assert secrets == [{"AWSSecretsManagerGetSecretValuePolicy": {"SecretArn": {"Ref": "StripeSecret"}}}]


def test_checkout_function_has_its_own_log_group_with_the_retention_when_deployed() -> None:
    resources = load_template()["Resources"]
    assert _properties()["LoggingConfig"]["LogGroup"] == {"Ref": "CheckoutLogGroup"}
    assert resources["CheckoutLogGroup"]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_the_gateway_lets_browsers_send_the_idempotency_key_when_deployed() -> None:
    cors = load_template()["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"]
    assert "idempotency-key" in [header.lower() for header in cors["AllowHeaders"]]
