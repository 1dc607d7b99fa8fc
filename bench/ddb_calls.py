"""DynamoDB requests per route: how many calls each route of the catalog, inventory, wishlist, cart, reviews,
shipping zones, checkout, Stripe webhook and orders makes.

Each route's handler runs in-process against moto (the table built from template.yaml),
with a botocore `before-call` hook counting the DynamoDB operations it sends. The
caller's token claims are passed as API Gateway's JWT authorizer passes them; the one
GetItem that reads the caller's standing (role, disabled, session epoch) on every role
route is counted as the route's, because it is. Written to
bench/results/ddb_calls.json and a table in bench/README.md. Targets: a product GET, the
category tree and an inventory adjustment are one request each; a wishlist save or removal
is one transaction and its listing a Query plus one BatchGetItem per 100 products and per
100 SKUs; a cart read is one Query and one BatchGetItem (up to 50 lines), an add one
BatchGetItem and one transaction (both after the standing read); a checkout completion,
whatever its number of lines, one BatchGetItem (prices and stock) and one TransactWriteItems
besides the checkout read, the shipping zones read and the idempotency record's two writes
(and, for a card, the PaymentIntent id written on the order); no Scan anywhere. Card
payments go to a fake Stripe in-process (bench/ddb_calls_orders.py): no network.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws

from bench.ddb_calls_orders import checkout_routes, order_routes, shipping_routes, webhook_route
from bench.ddb_harness import Context as _Context
from bench.ddb_harness import calls as _calls
from bench.ddb_harness import count_dynamodb_requests, staff_users
from bench.ddb_harness import event as _event
from bench.ddb_harness import measure as _measure
from bench.readme import write_section
from devkit import provision
from devkit.functions import load_handler_module

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "ddb_calls.json"


def _wishlist_routes(catalog: Callable[..., Any], category_id: str, product_id: str) -> dict[str, list[str]]:
    """The wishlist routes, the listing over 50 saved products (one SKU each) and the 4-variant one."""
    wishlist = load_handler_module(ROOT / "functions" / "wishlist").lambda_handler
    results: dict[str, list[str]] = {}
    _, results["PUT /v1/wishlist/items/{id}"] = _measure(wishlist, "PUT", f"/v1/wishlist/items/{product_id}")
    _, results["PUT /v1/wishlist/items/{id} (already saved)"] = _measure(
        wishlist, "PUT", f"/v1/wishlist/items/{product_id}"
    )
    for n in range(49):
        body = {
            **{"name": f"Sock {n}", "description": "Warm.", "category_id": category_id, "price": 900},
            **{"currency": "EUR", "attributes": {}, "tags": [], "status": "active"},
            "variants": [{"sku": f"SOCK-{n}", "options": {"size": "M"}, "initial_stock": 5}],
        }
        response = catalog(_event("POST", "/v1/products", body=body), _Context())
        wishlist(_event("PUT", f"/v1/wishlist/items/{json.loads(response['body'])['id']}"), _Context())
    _, results["GET /v1/wishlist (50 products, 53 SKUs)"] = _measure(wishlist, "GET", "/v1/wishlist")
    _, results["DELETE /v1/wishlist/items/{id}"] = _measure(wishlist, "DELETE", f"/v1/wishlist/items/{product_id}")
    return results


def _guest(method: str, path: str, token: str, body: Any = None) -> dict[str, Any]:
    event = _event(method, path, body=body, public=True)
    event["headers"]["cart-token"] = token
    return event


def _measure_guest(cart: Callable[..., Any], method: str, path: str, token: str, body: Any = None) -> list[str]:
    _calls.clear()
    response = cart(_guest(method, path, token, body), _Context())
    assert response["statusCode"] < 300, (method, path, response)
    return list(_calls)


def _cart_routes() -> dict[str, list[str]]:
    """The cart routes: a 50-line cart of 50 products (49 from the wishlist's socks and TRAIL-40), a guest
    cart and its merge."""
    cart = load_handler_module(ROOT / "functions" / "cart").lambda_handler
    results: dict[str, list[str]] = {}
    add = "/v1/cart/items"
    _, results["POST /v1/cart/items (the cart's first line)"] = _measure(
        cart, "POST", add, body={"sku": "TRAIL-40", "quantity": 1}
    )
    _, results["POST /v1/cart/items (a new line)"] = _measure(cart, "POST", add, body={"sku": "SOCK-0", "quantity": 1})
    _, results["POST /v1/cart/items (to a line in the cart)"] = _measure(
        cart, "POST", add, body={"sku": "SOCK-0", "quantity": 1}
    )
    for n in range(1, 49):
        _measure(cart, "POST", add, body={"sku": f"SOCK-{n}", "quantity": 1})
    _, results["GET /v1/cart (50 lines, 50 products)"] = _measure(cart, "GET", "/v1/cart")
    _, results["PATCH /v1/cart/items/{sku}"] = _measure(cart, "PATCH", "/v1/cart/items/SOCK-1", body={"quantity": 3})
    _, results["DELETE /v1/cart/items/{sku}"] = _measure(cart, "DELETE", "/v1/cart/items/SOCK-1")
    _calls.clear()
    created = cart(_event("POST", "/v1/guest-cart", public=True), _Context())
    results["POST /v1/guest-cart (public)"] = list(_calls)
    token = json.loads(created["body"])["cart_token"]
    results["POST /v1/guest-cart/items (public, first line)"] = _measure_guest(
        cart, "POST", "/v1/guest-cart/items", token, {"sku": "SOCK-1", "quantity": 1}
    )
    cart(_guest("POST", "/v1/guest-cart/items", token, {"sku": "SOCK-2", "quantity": 1}), _Context())
    results["GET /v1/guest-cart (public, 2 lines)"] = _measure_guest(cart, "GET", "/v1/guest-cart", token)
    _, results["POST /v1/cart/merge (2 guest lines into 49)"] = _measure(
        cart, "POST", "/v1/cart/merge", body={"cart_token": token}
    )
    _, results["DELETE /v1/cart (50 lines)"] = _measure(cart, "DELETE", "/v1/cart")
    return results


def _review_routes(product_id: str) -> dict[str, list[str]]:
    """The review routes on one product: post, the lists, approve, edit, reject, delete (the manager
    is a customer too, so one caller writes and moderates)."""
    reviews = load_handler_module(ROOT / "functions" / "reviews").lambda_handler
    path = f"/v1/products/{product_id}/reviews"
    results: dict[str, list[str]] = {}
    body = {"rating": 4, "title": "Good", "body": "Light and comfortable."}
    response, results["POST /v1/products/{id}/reviews"] = _measure(reviews, "POST", path, body=body)
    review = f"/v1/reviews/{json.loads(response['body'])['id']}"
    _, results["GET /v1/reviews?status=pending"] = _measure(reviews, "GET", "/v1/reviews", query={"status": "pending"})
    _, results["POST /v1/reviews/{id}/approve"] = _measure(reviews, "POST", f"{review}/approve")
    _, results["GET /v1/products/{id}/reviews (public, newest)"] = _measure(reviews, "GET", path, public=True)
    _, results["GET /v1/products/{id}/reviews (public, rating_desc)"] = _measure(
        reviews, "GET", path, query={"sort": "rating_desc"}, public=True
    )
    _, results["PATCH /v1/reviews/{id} (approved: back to pending)"] = _measure(
        reviews, "PATCH", review, body={"rating": 5}
    )
    _measure(reviews, "POST", f"{review}/approve")
    _, results["POST /v1/reviews/{id}/reject (approved)"] = _measure(reviews, "POST", f"{review}/reject")
    _, results["DELETE /v1/reviews/{id}"] = _measure(reviews, "DELETE", review)
    return results


def run() -> dict[str, list[str]]:
    count_dynamodb_requests()
    catalog = load_handler_module(ROOT / "functions" / "catalog").lambda_handler
    inventory = load_handler_module(ROOT / "functions" / "inventory").lambda_handler
    results: dict[str, list[str]] = {}
    with mock_aws():
        provision.create_table(boto3.client("dynamodb"), os.environ["TABLE_NAME"])
        boto3.client("secretsmanager").create_secret(
            Name=os.environ["CURSOR_SECRET_ARN"], SecretString=provision.new_cursor_secret()
        )
        staff_users()
        parent_id = None
        for level in ("Apparel", "Shoes", "Trail"):
            body: dict[str, Any] = {"name": level, "slug": level.lower(), "parent_id": parent_id, "attributes": {}}
            response, calls = _measure(catalog, "POST", "/v1/categories", body=body)
            parent_id = json.loads(response["body"])["id"]
        results["POST /v1/categories"] = calls
        variants = [
            {"sku": f"TRAIL-{size}", "options": {"size": str(size)}, "initial_stock": 20} for size in range(40, 44)
        ]
        product: dict[str, Any] = {
            "name": "Trail Shoe",
            "description": "A light shoe.",
            "category_id": parent_id,
            "brand": "Acme",
            "price": 8900,
            "currency": "EUR",
            "attributes": {},
            "tags": ["running"],
            "status": "active",
            "variants": variants,
        }
        response, results["POST /v1/products (4 variants)"] = _measure(catalog, "POST", "/v1/products", body=product)
        product_id = json.loads(response["body"])["id"]
        _, results["GET /v1/products/{id} (public)"] = _measure(
            catalog, "GET", f"/v1/products/{product_id}", public=True
        )
        _, results["GET /v1/categories (tree, public)"] = _measure(catalog, "GET", "/v1/categories", public=True)
        _, results["GET /v1/categories/{id} (public)"] = _measure(
            catalog, "GET", f"/v1/categories/{parent_id}", public=True
        )
        _, results["PATCH /v1/products/{id}"] = _measure(
            catalog, "PATCH", f"/v1/products/{product_id}", body={"description": "Lighter."}
        )
        _, results["GET /v1/inventory/{sku}"] = _measure(inventory, "GET", "/v1/inventory/TRAIL-40")
        _, results["POST /v1/inventory/{sku}/adjustments"] = _measure(
            inventory, "POST", "/v1/inventory/TRAIL-40/adjustments", body={"delta": -1, "reason": "bench"}
        )
        _, results["POST …/adjustments (crossing the threshold)"] = _measure(
            inventory, "POST", "/v1/inventory/TRAIL-41/adjustments", body={"delta": -18, "reason": "bench"}
        )
        _, results["PUT /v1/inventory/{sku}"] = _measure(
            inventory, "PUT", "/v1/inventory/TRAIL-42", body={"on_hand": 30, "low_stock_threshold": 5}
        )
        _, results["GET /v1/inventory?low_stock=true"] = _measure(
            inventory, "GET", "/v1/inventory", query={"low_stock": "true"}
        )
        results.update(_wishlist_routes(catalog, str(parent_id), product_id))
        results.update(_cart_routes())
        results.update(_review_routes(product_id))
        results.update(shipping_routes())
        results.update(checkout_routes())
        results.update(webhook_route())
        results.update(order_routes())
    return results


def main() -> int:
    results = run()
    scans = [route for route, calls in results.items() if "Scan" in calls]
    report = {
        "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "routes": {route: {"requests": len(calls), "operations": calls} for route, calls in results.items()},
        "scans": scans,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    lines = [
        f"DynamoDB requests per route, counted by a botocore hook ({report['generated_at']};"
        " `bench/results/ddb_calls.json`; card payments answered by a fake Stripe, no network)."
        " Scans: " + ("none." if not scans else ", ".join(scans)),
        "",
        "| route | requests | operations |",
        "|---|---:|---|",
        *(f"| `{route}` | {len(calls)} | {', '.join(calls)} |" for route, calls in results.items()),
    ]
    table = "\n".join(lines)
    write_section("ddb-calls", table)
    print(table)
    return 1 if scans else 0


if __name__ == "__main__":
    raise SystemExit(main())
