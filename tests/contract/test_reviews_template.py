"""The reviews function's template promises: a public list, the rest behind the authorizer, least privilege."""

from __future__ import annotations

from typing import Any

from devkit.template import http_routes, load_template

REVIEWS_ROUTES = {
    ("GET", "/v1/products/{product_id}/reviews"),
    ("POST", "/v1/products/{product_id}/reviews"),
    ("PATCH", "/v1/reviews/{review_id}"),
    ("DELETE", "/v1/reviews/{review_id}"),
    ("GET", "/v1/reviews"),
    ("POST", "/v1/reviews/{review_id}/approve"),
    ("POST", "/v1/reviews/{review_id}/reject"),
}


def _statements() -> list[dict[str, Any]]:
    properties = load_template()["Resources"]["ReviewsFunction"]["Properties"]
    return [statement for policy in properties["Policies"] for statement in policy.get("Statement", [])]


def test_only_the_list_of_a_products_reviews_is_public_when_deployed() -> None:
    routes = [route for route in http_routes() if route.function == "ReviewsFunction"]
    assert {(route.method, route.path) for route in routes} == REVIEWS_ROUTES
    assert {(route.method, route.path) for route in routes if route.public} == {
        ("GET", "/v1/products/{product_id}/reviews")
    }


def test_reviews_function_may_not_scan_and_queries_only_the_two_indexes_when_deployed() -> None:
    table, indexes = _statements()
    assert table["Resource"] == {"Fn::GetAtt": ["Table", "Arn"]}
    assert sorted(table["Action"]) == [
        "dynamodb:ConditionCheckItem",
        "dynamodb:DeleteItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    ]
    assert indexes["Action"] == "dynamodb:Query"
    assert indexes["Resource"] == [
        {"Fn::Sub": "${Table.Arn}/index/GSI1"},
        {"Fn::Sub": "${Table.Arn}/index/GSI2"},
    ]


def test_reviews_function_has_its_own_log_group_with_the_retention_when_deployed() -> None:
    resources = load_template()["Resources"]
    assert resources["ReviewsFunction"]["Properties"]["LoggingConfig"]["LogGroup"] == {"Ref": "ReviewsLogGroup"}
    assert resources["ReviewsLogGroup"]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}
