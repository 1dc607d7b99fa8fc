"""Carts over HTTP against the local runtime: a guest fills a cart, registers, merges it, and sees current prices.

SKUs and emails are unique per run: the session's runtime keeps its table for the whole run.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.local_api import LocalApi
from tests.e2e.test_catalog_flow import call, category, created, register_shopper, unique

pytestmark = pytest.mark.e2e


def _lines(cart: dict[str, Any]) -> dict[str, tuple[int, int, str]]:
    return {item["sku"]: (item["quantity"], item["unit_price"], item["status"]) for item in cart["items"]}


def test_guest_cart_merged_at_sign_in_shows_the_summed_lines_at_current_prices(
    local_api: LocalApi, manager: str
) -> None:
    shoes = category(local_api, manager, "Cart shoes", None)
    boot, sock = unique("BOOT"), unique("SOCK")
    body = {
        **{"name": "Fell Boot", "description": "Waterproof.", "category_id": shoes["id"], "price": 12000},
        **{"currency": "EUR", "tags": [], "status": "active", "attributes": {}},
        "variants": [
            {"sku": boot, "options": {"size": "43"}, "initial_stock": 5},
            {"sku": sock, "options": {"size": "M"}, "price": 900, "initial_stock": 20},
        ],
    }
    product = created(call(local_api, "POST", "/v1/products", manager, body))

    guest = created(call(local_api, "POST", "/v1/guest-cart"))
    token = {"Cart-Token": guest["cart_token"]}
    assert (
        call(local_api, "POST", "/v1/guest-cart/items", body={"sku": boot, "quantity": 3}, **token).status_code == 204
    )
    assert (
        call(local_api, "POST", "/v1/guest-cart/items", body={"sku": sock, "quantity": 2}, **token).status_code == 204
    )
    guest_view = call(local_api, "GET", "/v1/guest-cart", **token)
    assert guest_view.status_code == 200, guest_view.text
    assert _lines(guest_view.json()) == {boot: (3, 12000, "ok"), sock: (2, 900, "ok")}
    assert call(local_api, "GET", "/v1/guest-cart").status_code == 404  # no token

    customer = register_shopper(local_api, "Cat")
    assert call(local_api, "POST", "/v1/cart/items", customer, {"sku": boot, "quantity": 4}).status_code == 204
    assert call(local_api, "PATCH", f"/v1/products/{product['id']}", manager, {"price": 11000}).status_code == 200

    merged = call(local_api, "POST", "/v1/cart/merge", customer, {"cart_token": guest["cart_token"]})

    assert merged.status_code == 200, merged.text
    assert merged.json()["capped"] == [boot]  # 4 + 3 boots, 5 available
    cart = call(local_api, "GET", "/v1/cart", customer)
    assert cart.status_code == 200
    assert cart.headers["Cache-Control"] == "private, no-store"
    assert _lines(cart.json()) == {boot: (5, 11000, "ok"), sock: (2, 900, "ok")}
    assert cart.json()["subtotal"] == 5 * 11000 + 2 * 900
    again = call(local_api, "POST", "/v1/cart/merge", customer, {"cart_token": guest["cart_token"]})
    assert again.status_code == 404
    assert again.headers["Content-Type"] == "application/problem+json"
    assert call(local_api, "GET", "/v1/guest-cart", **token).status_code == 404
    assert call(local_api, "GET", "/v1/cart").status_code == 401  # no token: the gateway's refusal


def test_two_devices_adding_at_once_sum_exactly_and_nobody_reaches_another_customers_line(
    local_api: LocalApi, manager: str
) -> None:
    shoes = category(local_api, manager, "Cart race", None)
    sku = unique("RACE")
    body = {
        **{"name": "Race Flat", "description": "Light.", "category_id": shoes["id"], "price": 7000},
        **{"currency": "EUR", "tags": [], "status": "active", "attributes": {}},
        "variants": [{"sku": sku, "options": {"size": "42"}, "initial_stock": 30}],
    }
    created(call(local_api, "POST", "/v1/products", manager, body))
    customer = register_shopper(local_api, "Ria")

    def add_from_a_device(_: int) -> int:
        return call(local_api, "POST", "/v1/cart/items", customer, {"sku": sku, "quantity": 2}).status_code

    with ThreadPoolExecutor(max_workers=2) as devices:
        statuses = list(devices.map(add_from_a_device, range(8)))

    assert statuses == [204] * 8
    assert _lines(call(local_api, "GET", "/v1/cart", customer).json()) == {sku: (16, 7000, "ok")}
    too_many = call(local_api, "POST", "/v1/cart/items", customer, {"sku": sku, "quantity": 15})
    assert too_many.status_code == 409
    assert (too_many.json()["available"], too_many.json()["in_cart"]) == (30, 16)

    stranger = register_shopper(local_api, "Oz")
    assert call(local_api, "PATCH", f"/v1/cart/items/{sku}", stranger, {"quantity": 1}).status_code == 404
    assert call(local_api, "DELETE", f"/v1/cart/items/{sku}", stranger).status_code == 404
    assert _lines(call(local_api, "GET", "/v1/cart", customer).json()) == {sku: (16, 7000, "ok")}
