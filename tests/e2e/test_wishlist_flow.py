"""The wishlist over HTTP against the local runtime: two shoppers, one product a manager changes.

SKUs and emails are unique per run: the session's runtime keeps its table for the whole run.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.local_api import LocalApi
from tests.e2e.test_catalog_flow import call, category, created, register_shopper, unique

pytestmark = pytest.mark.e2e


def _items(api: LocalApi, token: str) -> list[dict[str, Any]]:
    listed = call(api, "GET", "/v1/wishlist", token)
    assert listed.status_code == 200, listed.text
    assert listed.headers["Cache-Control"] == "private, no-store"
    return list(listed.json()["items"])


def test_shopper_saves_sees_current_price_and_stock_and_removes_while_another_sees_nothing(
    local_api: LocalApi, manager: str
) -> None:
    shoes = category(local_api, manager, "Wish shoes", None)
    sku = unique("WISH")
    body = {
        **{"name": "Harbour Loafer", "description": "Soft leather.", "category_id": shoes["id"], "price": 6500},
        **{"currency": "EUR", "tags": [], "status": "active", "attributes": {}},
        "variants": [{"sku": sku, "options": {"size": "42"}, "initial_stock": 0}],
    }
    product = created(call(local_api, "POST", "/v1/products", manager, body))
    ann, bob = register_shopper(local_api, "ann"), register_shopper(local_api, "bob")
    item_path = f"/v1/wishlist/items/{product['id']}"

    assert call(local_api, "PUT", item_path, ann).status_code == 204
    assert call(local_api, "PUT", item_path, ann).status_code == 204  # idempotent
    [saved] = _items(local_api, ann)
    assert (saved["name"], saved["price"], saved["currency"]) == ("Harbour Loafer", 6500, "EUR")
    assert (saved["status"], saved["in_stock"]) == ("active", False)

    assert call(local_api, "PATCH", f"/v1/products/{product['id']}", manager, {"price": 5900}).status_code == 200
    stocked = call(local_api, "PUT", f"/v1/inventory/{sku}", manager, {"on_hand": 3, "low_stock_threshold": 1})
    assert stocked.status_code == 200, stocked.text
    [now] = _items(local_api, ann)
    assert (now["price"], now["in_stock"], now["added_at"]) == (5900, True, saved["added_at"])

    assert _items(local_api, bob) == []
    assert call(local_api, "DELETE", item_path, bob).status_code == 204  # Bob's own, empty list
    assert [item["product_id"] for item in _items(local_api, ann)] == [product["id"]]

    assert call(local_api, "DELETE", f"/v1/products/{product['id']}", manager).status_code == 204  # archived
    [archived] = _items(local_api, ann)
    assert (archived["status"], archived["name"], archived["in_stock"]) == ("unavailable", None, False)
    refused = call(local_api, "PUT", item_path, bob)
    assert refused.status_code == 404
    assert refused.headers["Content-Type"] == "application/problem+json"

    assert call(local_api, "DELETE", item_path, ann).status_code == 204
    assert call(local_api, "DELETE", item_path, ann).status_code == 204  # idempotent
    assert _items(local_api, ann) == []
    assert call(local_api, "GET", "/v1/wishlist").status_code == 401  # no token: the gateway's refusal
