"""The shipping function's template promises: admin routes behind the authorizer, least privilege."""

from __future__ import annotations

from devkit.template import http_routes, load_template

SHIPPING_ROUTES = {
    ("GET", "/v1/shipping/zones"),
    ("POST", "/v1/shipping/zones"),
    ("GET", "/v1/shipping/zones/{zone_id}"),
    ("PATCH", "/v1/shipping/zones/{zone_id}"),
    ("DELETE", "/v1/shipping/zones/{zone_id}"),
}


def test_shipping_routes_are_all_behind_the_authorizer_when_deployed() -> None:
    routes = [route for route in http_routes() if route.function == "ShippingFunction"]
    assert {(route.method, route.path) for route in routes} == SHIPPING_ROUTES
    assert not any(route.public for route in routes)


def test_shipping_function_only_gets_and_puts_table_items_when_deployed() -> None:
    properties = load_template()["Resources"]["ShippingFunction"]["Properties"]
    [policy] = properties["Policies"]  # no secret: the zones are one list, never paged with cursors
    [statement] = policy["Statement"]  # no index
    assert statement["Resource"] == {"Fn::GetAtt": ["Table", "Arn"]}
    assert sorted(statement["Action"]) == ["dynamodb:GetItem", "dynamodb:PutItem"]


def test_shipping_function_has_its_own_log_group_with_the_retention_when_deployed() -> None:
    resources = load_template()["Resources"]
    assert resources["ShippingFunction"]["Properties"]["LoggingConfig"]["LogGroup"] == {"Ref": "ShippingLogGroup"}
    assert resources["ShippingLogGroup"]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
