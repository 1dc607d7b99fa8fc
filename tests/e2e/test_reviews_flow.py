"""Reviews over HTTP against the local runtime: customers post, a manager moderates, the product
shows its rating, and the public list shows the approved reviews only.

Emails and SKUs are unique per run: the session's runtime keeps its table for the whole run.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from devkit.localrun.testing import wait_until
from tests.e2e.local_api import LocalApi
from tests.e2e.test_catalog_flow import call, category, created, register_shopper, unique

pytestmark = pytest.mark.e2e

FRESHNESS_S = 30.0  # outbox → relay → bus → queue (batching window) → indexer → S3 → search's ETag check


def _rating(api: LocalApi, product_id: str) -> dict[str, Any]:
    shown = call(api, "GET", f"/v1/products/{product_id}")
    assert shown.status_code == 200, shown.text
    return dict(shown.json()["rating"])


def _public(api: LocalApi, product_id: str, sort: str = "newest") -> list[tuple[int, str]]:
    listed = call(api, "GET", f"/v1/products/{product_id}/reviews?sort={sort}")
    assert listed.status_code == 200, listed.text
    assert listed.headers["Cache-Control"].startswith("public")
    return [(item["rating"], item["title"]) for item in listed.json()["items"]]


def test_customers_review_a_manager_approves_and_the_product_shows_the_rating(
    local_api: LocalApi, manager: str
) -> None:
    shoes = category(local_api, manager, "Reviewed shoes", None)
    body = {
        **{"name": "Summit Hiker", "description": "Stiff sole.", "category_id": shoes["id"], "price": 15900},
        **{"currency": "EUR", "tags": [], "status": "active", "attributes": {}},
        "variants": [{"sku": unique("HIKE"), "options": {"size": "43"}, "initial_stock": 2}],
    }
    product = created(call(local_api, "POST", "/v1/products", manager, body))
    reviews_path = f"/v1/products/{product['id']}/reviews"
    ann, bob = register_shopper(local_api, "ann"), register_shopper(local_api, "bob")

    first = created(call(local_api, "POST", reviews_path, ann, {"rating": 5, "title": "<b>Superb</b>", "body": "A\nB"}))
    assert (first["status"], first["verified_purchase"]) == ("pending", False)
    assert call(local_api, "POST", reviews_path, ann, {"rating": 1, "title": "Again", "body": "x"}).status_code == 409
    second = created(call(local_api, "POST", reviews_path, bob, {"rating": 2, "title": "Tight", "body": "Narrow."}))
    assert _public(local_api, product["id"]) == []

    queue = call(local_api, "GET", "/v1/reviews?status=pending&limit=100", manager)
    assert queue.status_code == 200, queue.text
    assert {first["id"], second["id"]} <= {item["id"] for item in queue.json()["items"]}
    assert call(local_api, "POST", f"/v1/reviews/{first['id']}/approve", bob).status_code == 403
    for review in (first, second):
        approved = call(local_api, "POST", f"/v1/reviews/{review['id']}/approve", manager)
        assert approved.status_code == 200, approved.text
    assert _rating(local_api, product["id"]) == {"average": 3.5, "count": 2}
    assert _public(local_api, product["id"], "rating_desc") == [(5, "<b>Superb</b>"), (2, "Tight")]

    assert call(local_api, "DELETE", f"/v1/reviews/{first['id']}", bob).status_code == 404  # not Bob's
    edited = call(local_api, "PATCH", f"/v1/reviews/{second['id']}", bob, {"rating": 3})
    assert (edited.status_code, edited.json()["status"]) == (200, "pending")
    assert _rating(local_api, product["id"]) == {"average": 5.0, "count": 1}
    assert call(local_api, "DELETE", f"/v1/reviews/{first['id']}", ann).status_code == 204
    assert _rating(local_api, product["id"]) == {"average": None, "count": 0}
    assert _public(local_api, product["id"]) == []


def test_search_sorts_by_rating_once_the_approvals_reach_the_index(local_api: LocalApi, manager: str) -> None:
    word = f"zr{uuid.uuid4().hex[:10]}"  # a word no other product has
    lamps = category(local_api, manager, "Rated lamps", None)
    ids = []
    for name in ("Low", "High", "Unrated"):
        body = {
            **{"name": f"{name} {word} Lamp", "description": "Rated.", "category_id": lamps["id"], "price": 3000},
            **{"currency": "EUR", "tags": [], "status": "active", "attributes": {}},
            "variants": [{"sku": unique("LAMP"), "options": {"colour": "red"}, "initial_stock": 4}],
        }
        ids.append(created(call(local_api, "POST", "/v1/products", manager, body))["id"])
    low, high, unrated = ids
    for product_id, stars in ((low, 2), (high, 4), (high, 5)):
        review = {"rating": stars, "title": "Lamp", "body": "It lights."}
        posted = created(
            call(local_api, "POST", f"/v1/products/{product_id}/reviews", register_shopper(local_api, "r"), review)
        )
        assert call(local_api, "POST", f"/v1/reviews/{posted['id']}/approve", manager).status_code == 200

    def by_rating() -> list[str]:
        found = call(local_api, "GET", f"/v1/products?q={word}&sort=rating")
        assert found.status_code == 200, found.text
        return [item["id"] for item in found.json()["items"]]

    wait_until(lambda: by_rating() == [high, low, unrated], timeout_s=FRESHNESS_S, interval_s=0.5, what="rated order")
    at_least_three = call(local_api, "GET", f"/v1/products?q={word}&min_rating=3")
    assert [item["id"] for item in at_least_three.json()["items"]] == [high]
