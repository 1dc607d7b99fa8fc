"""The cart function's template promises: customer routes behind the authorizer, guest routes public
and throttled, least privilege (no Scan), its own log group."""

from __future__ import annotations

import json
from typing import Any

from devkit.template import http_routes, load_template

CUSTOMER_ROUTES = {
    ("GET", "/v1/cart"),
    ("DELETE", "/v1/cart"),
    ("POST", "/v1/cart/items"),
    ("PATCH", "/v1/cart/items/{sku}"),
    ("DELETE", "/v1/cart/items/{sku}"),
    ("POST", "/v1/cart/merge"),
}
GUEST_ROUTES = {
    ("POST", "/v1/guest-cart"),
    ("GET", "/v1/guest-cart"),
    ("DELETE", "/v1/guest-cart"),
    ("POST", "/v1/guest-cart/items"),
    ("PATCH", "/v1/guest-cart/items/{sku}"),
    ("DELETE", "/v1/guest-cart/items/{sku}"),
}


def _properties() -> dict[str, Any]:
    return dict(load_template()["Resources"]["CartFunction"]["Properties"])


def test_customer_cart_routes_are_behind_the_authorizer_and_guest_routes_are_public_when_deployed() -> None:
    routes = [route for route in http_routes() if route.function == "CartFunction"]
    assert {(route.method, route.path) for route in routes} == CUSTOMER_ROUTES | GUEST_ROUTES
    assert {(route.method, route.path) for route in routes if route.public} == GUEST_ROUTES


def test_every_guest_route_is_throttled_below_the_stage_default_and_creation_tighter_when_deployed() -> None:
    template = load_template()
    settings = template["Resources"]["HttpApi"]["Properties"]["RouteSettings"]
    defaults = {name: template["Parameters"][name]["Default"] for name in ("ApiThrottleRate", "ApiThrottleBurst")}
    for method, path in GUEST_ROUTES:
        limits = settings[f"{method} {path}"]
        assert limits["ThrottlingRateLimit"] < defaults["ApiThrottleRate"]
        assert limits["ThrottlingBurstLimit"] < defaults["ApiThrottleBurst"]
    creation = settings["POST /v1/guest-cart"]
    assert all(
        creation["ThrottlingRateLimit"] < settings[f"{m} {p}"]["ThrottlingRateLimit"]
        for m, p in GUEST_ROUTES - {("POST", "/v1/guest-cart")}
    )


def test_cart_function_may_not_scan_and_touches_only_the_table_when_deployed() -> None:
    statements = [statement for policy in _properties()["Policies"] for statement in policy.get("Statement", [])]
    (table,) = statements
    assert table["Resource"] == {"Fn::GetAtt": ["Table", "Arn"]}
    assert not any("Scan" in action for action in table["Action"])
    assert sorted(table["Action"]) == [
        "dynamodb:BatchGetItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
    ]


def test_the_gateway_lets_browsers_send_the_cart_token_when_deployed() -> None:
    cors = load_template()["Resources"]["HttpApi"]["Properties"]["CorsConfiguration"]
    assert "cart-token" in cors["AllowHeaders"]


def test_cart_function_has_its_own_log_group_with_the_retention_when_deployed() -> None:
    resources = load_template()["Resources"]
    assert _properties()["LoggingConfig"]["LogGroup"] == {"Ref": "CartLogGroup"}
    assert resources["CartLogGroup"]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_cart_expiry_reads_only_cart_header_deletions_and_parks_failures_when_deployed() -> None:
    resources = load_template()["Resources"]
    properties = resources["CartExpiryFunction"]["Properties"]
    (source,) = properties["Events"].values()
    assert source["Type"] == "DynamoDB"
    (pattern,) = source["Properties"]["FilterCriteria"]["Filters"]
    assert json.loads(pattern["Pattern"]) == {
        "eventName": ["REMOVE"],
        "dynamodb": {"OldImage": {"entity": {"S": ["CartHeader"]}}},
    }
    assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert source["Properties"]["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["CartExpiryDeadLetterQueue", "Arn"]
    }
    assert "CartExpiryDeadLetterAlarm" in resources
    statements = [statement for policy in properties["Policies"] for statement in policy.get("Statement", [])]
    table = next(statement for statement in statements if statement["Resource"] == {"Fn::GetAtt": ["Table", "Arn"]})
    assert sorted(table["Action"]) == ["dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Query"]
    assert properties["LoggingConfig"]["LogGroup"] == {"Ref": "CartExpiryLogGroup"}
