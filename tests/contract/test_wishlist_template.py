"""The wishlist function's template promises: routes behind the authorizer, least privilege, no Scan."""

from __future__ import annotations

from typing import Any

from devkit.template import http_routes, load_template

WISHLIST_ROUTES = {
    ("GET", "/v1/wishlist"),
    ("PUT", "/v1/wishlist/items/{product_id}"),
    ("DELETE", "/v1/wishlist/items/{product_id}"),
}


def _statements() -> list[dict[str, Any]]:
    properties = load_template()["Resources"]["WishlistFunction"]["Properties"]
    return [statement for policy in properties["Policies"] for statement in policy.get("Statement", [])]


def test_wishlist_routes_are_all_behind_the_authorizer_when_deployed() -> None:
    routes = [route for route in http_routes() if route.function == "WishlistFunction"]
    assert {(route.method, route.path) for route in routes} == WISHLIST_ROUTES
    assert not any(route.public for route in routes)


def test_wishlist_function_may_not_scan_and_reads_no_index_nor_secret_when_deployed() -> None:
    properties = load_template()["Resources"]["WishlistFunction"]["Properties"]
    assert all(set(policy) == {"Statement"} for policy in properties["Policies"])  # no managed policy, no secret
    (table,) = _statements()
    assert table["Resource"] == {"Fn::GetAtt": ["Table", "Arn"]}
    assert sorted(table["Action"]) == [
        "dynamodb:BatchGetItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:Query",
        "dynamodb:UpdateItem",
    ]


def test_wishlist_function_has_its_own_log_group_with_the_retention_when_deployed() -> None:
    resources = load_template()["Resources"]
    assert resources["WishlistFunction"]["Properties"]["LoggingConfig"]["LogGroup"] == {"Ref": "WishlistLogGroup"}
    assert resources["WishlistLogGroup"]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
