"""The catalog function's template promises: public reads, authenticated writes, least privilege."""

from __future__ import annotations

from typing import Any

from devkit.template import http_routes, load_template

PUBLIC = {
    ("GET", "/v1/categories"),
    ("GET", "/v1/categories/{category_id}"),
    ("GET", "/v1/products/{product_id}"),
}
PROTECTED = {
    ("POST", "/v1/categories"),
    ("PATCH", "/v1/categories/{category_id}"),
    ("DELETE", "/v1/categories/{category_id}"),
    ("POST", "/v1/products"),
    ("PATCH", "/v1/products/{product_id}"),
    ("DELETE", "/v1/products/{product_id}"),
    ("POST", "/v1/products/{product_id}/variants"),
    ("PATCH", "/v1/products/{product_id}/variants/{sku}"),
    ("DELETE", "/v1/products/{product_id}/variants/{sku}"),
}


def _statements() -> list[dict[str, Any]]:
    properties = load_template()["Resources"]["CatalogFunction"]["Properties"]
    return [statement for policy in properties["Policies"] for statement in policy.get("Statement", [])]


def test_catalog_reads_are_public_and_writes_authenticated_when_deployed() -> None:
    routes = [route for route in http_routes() if route.function == "CatalogFunction"]
    assert {(route.method, route.path) for route in routes if route.public} == PUBLIC
    assert {(route.method, route.path) for route in routes if not route.public} == PROTECTED


def test_catalog_may_not_scan_and_queries_only_the_table_and_gsi1_when_deployed() -> None:
    statements = _statements()
    flat = {
        name
        for statement in statements
        for name in ([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    }
    assert "dynamodb:Scan" not in flat
    assert not any(name.endswith("*") for name in flat)
    index_statements = [statement for statement in statements if "Fn::Sub" in statement["Resource"]]
    assert [statement["Action"] for statement in index_statements] == ["s3:GetObject", "dynamodb:Query"]
    # It reads the published public keys only (to verify a viewer's token), never the private ones.
    assert index_statements[0]["Resource"] == {"Fn::Sub": "${ImagesBucket.Arn}/.well-known/jwks.json"}
    assert index_statements[1]["Resource"] == {"Fn::Sub": "${Table.Arn}/index/GSI1"}


def test_catalog_has_its_own_log_group_with_retention_when_deployed() -> None:
    resources = load_template()["Resources"]
    group = resources["CatalogFunction"]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    assert resources[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
