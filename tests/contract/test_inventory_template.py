"""The inventory function's template promises: manager routes behind the authorizer, least privilege."""

from __future__ import annotations

from typing import Any

from devkit.template import http_routes, load_template

INVENTORY_ROUTES = {
    ("GET", "/v1/inventory/{sku}"),
    ("PUT", "/v1/inventory/{sku}"),
    ("POST", "/v1/inventory/{sku}/adjustments"),
    ("GET", "/v1/inventory"),
}


def _statements() -> list[dict[str, Any]]:
    properties = load_template()["Resources"]["InventoryFunction"]["Properties"]
    return [statement for policy in properties["Policies"] for statement in policy.get("Statement", [])]


def test_inventory_routes_are_all_behind_the_authorizer_when_deployed() -> None:
    routes = [route for route in http_routes() if route.function == "InventoryFunction"]
    assert {(route.method, route.path) for route in routes} == INVENTORY_ROUTES
    assert not any(route.public for route in routes)


def test_inventory_function_may_not_scan_or_delete_and_queries_only_gsi2_when_deployed() -> None:
    statements = _statements()
    table, index = statements
    assert table["Resource"] == {"Fn::GetAtt": ["Table", "Arn"]}
    assert sorted(table["Action"]) == ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]
    assert index == {"Effect": "Allow", "Action": "dynamodb:Query", "Resource": {"Fn::Sub": "${Table.Arn}/index/GSI2"}}


def test_inventory_function_has_its_own_log_group_with_the_retention_when_deployed() -> None:
    resources = load_template()["Resources"]
    assert resources["InventoryFunction"]["Properties"]["LoggingConfig"]["LogGroup"] == {"Ref": "InventoryLogGroup"}
    assert resources["InventoryLogGroup"]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
