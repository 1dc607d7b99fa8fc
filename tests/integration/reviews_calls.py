"""Calling the reviews function the way API Gateway does, with a product to review."""

from __future__ import annotations

import itertools
import json
from types import ModuleType
from typing import Any

from devkit.functions import load_handler_module
from storefront.data import keys
from storefront.data.outbox import OutboxItem
from storefront.data.product_items import ProductItem
from tests.integration import catalog_calls
from tests.integration.principals import ensure_user
from tests.support import FakeContext, http_event

reviews_function = load_handler_module("functions/reviews")

MANAGER = ("REVIEWMANAGER0000000000001", "manager")
ALICE = ("REVIEWCUSTOMERALICE0000001", "customer")
BOB = ("REVIEWCUSTOMERBOB000000001", "customer")


_products = itertools.count(1)  # unique names, slugs and SKUs across a test's products


def customer(number: int) -> tuple[str, str]:
    return (f"REVIEWCUSTOMER{number:012d}", "customer")


def call(
    method: str,
    path: str,
    principal: tuple[str, str] | None = None,
    *,
    body: Any = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    environment: ModuleType | None = None,
) -> dict[str, Any]:
    ensure_user(principal)
    event = http_event(method, path, body=body, query=query, principal=principal, headers=headers)
    return dict((environment or reviews_function).lambda_handler(event, FakeContext()))


def environments(count: int) -> list[ModuleType]:
    """One reviews function per concurrent caller (Lambda's separate execution environments)."""
    return [load_handler_module("functions/reviews", fresh=True) for _ in range(count)]


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def product(status: str = "active") -> str:
    """A product of the catalog (draft, active or archived), made through the catalog function."""
    number = next(_products)
    category = catalog_calls.create_category(f"Reviewed {number}")
    overrides = {"status": "draft" if status == "draft" else "active", "name": f"Reviewed shoe {number}"}
    created = catalog_calls.create_product(category["id"], f"REVIEWED-{number}", **overrides)
    if status == "archived":
        response = catalog_calls.call("DELETE", f"/v1/products/{created['id']}", catalog_calls.MANAGER)
        assert response["statusCode"] == 204, response
    return str(created["id"])


def review_body(rating: int = 4, title: str = "Good shoe", body: str = "Comfortable on long runs.") -> dict[str, Any]:
    return {"rating": rating, "title": title, "body": body}


def post(product_id: str, principal: tuple[str, str], rating: int = 4, **fields: Any) -> dict[str, Any]:
    return call("POST", f"/v1/products/{product_id}/reviews", principal, body={**review_body(rating), **fields})


def posted(product_id: str, principal: tuple[str, str], rating: int = 4) -> str:
    response = post(product_id, principal, rating)
    assert response["statusCode"] == 201, response
    return str(body_of(response)["id"])


def moderate(review_id: str, decision: str = "approve") -> dict[str, Any]:
    return call("POST", f"/v1/reviews/{review_id}/{decision}", MANAGER)


def approved(product_id: str, principal: tuple[str, str], rating: int) -> str:
    review_id = posted(product_id, principal, rating)
    response = moderate(review_id)
    assert response["statusCode"] == 200, response
    return review_id


def public_list(product_id: str, **query: str) -> dict[str, Any]:
    return call("GET", f"/v1/products/{product_id}/reviews", query=query or None)


def product_rating(product_id: str) -> dict[str, Any]:
    """The product's rating as the public product read shows it."""
    response = catalog_calls.call("GET", f"/v1/products/{product_id}")
    assert response["statusCode"] == 200, response
    return dict(catalog_calls.body_of(response)["rating"])


def rating_totals(product_id: str) -> tuple[int, int]:
    """The product item's running totals (sum of stars, count), read consistently."""
    item = ProductItem.get(*keys.product(product_id), consistent_read=True)
    return int(item.rating_sum or 0), int(item.rating_count or 0)


def review_events(event_type: str | None = None) -> list[dict[str, Any]]:
    """The review envelopes waiting in the outbox (a test may scan; the code never does)."""
    envelopes = [json.loads(item.envelope) for item in OutboxItem.scan(consistent_read=True)]
    return [
        envelope
        for envelope in envelopes
        if envelope["type"].startswith("review.") and event_type in (None, envelope["type"])
    ]
