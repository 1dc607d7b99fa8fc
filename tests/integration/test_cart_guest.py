"""Guest carts named by a Cart-Token, and merging one into a customer's cart at sign-in."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

import pytest

from storefront.data.table import TableItem
from storefront.domain import clock
from tests.integration import inventory_calls
from tests.integration.cart_calls import (
    ANN,
    add,
    body_of,
    call,
    cancel_cart_deletions,
    cart,
    environments,
    guest_add,
    lines,
    product,
    start_guest_cart,
)
from tests.support import problem

pytestmark = pytest.mark.usefixtures("aws")


def _guest_cart(token: str) -> dict[str, int]:
    response = call("GET", "/v1/guest-cart", None, token=token)
    assert response["statusCode"] == 200, response
    return lines(body_of(response))


def _merge(token: str, environment: ModuleType | None = None) -> dict[str, Any]:
    return call("POST", "/v1/cart/merge", ANN, body={"cart_token": token}, environment=environment)


def test_a_guest_cart_is_created_filled_and_read_without_signing_in() -> None:
    product("CART-1", "CART-2")
    response = call("POST", "/v1/guest-cart", None)
    assert response["statusCode"] == 201
    created = body_of(response)
    assert len(created["cart_token"]) >= 43  # 256 bits, URL-safe base64
    token = created["cart_token"]

    assert guest_add(token, "CART-1", 2)["statusCode"] == 204
    assert guest_add(token, "CART-1", 1)["statusCode"] == 204
    assert call("PATCH", "/v1/guest-cart/items/CART-1", None, body={"quantity": 4}, token=token)["statusCode"] == 204
    assert guest_add(token, "CART-2", 1)["statusCode"] == 204
    assert call("DELETE", "/v1/guest-cart/items/CART-2", None, token=token)["statusCode"] == 204

    view = body_of(call("GET", "/v1/guest-cart", None, token=token))
    assert lines(view) == {"CART-1": 4}
    assert (view["subtotal"], view["currency"]) == (4 * 8900, "EUR")


def test_the_token_is_stored_only_as_its_hash() -> None:
    token = start_guest_cart()
    stored = {item.PK for item in TableItem.scan(consistent_read=True)}  # a test may scan; the code never does
    assert f"CART#GUEST#{hashlib.sha256(token.encode()).hexdigest()}" in stored
    assert not any(token in key for key in stored)


@pytest.mark.parametrize("token", [None, "", "not-a-token-we-issued"])
def test_a_missing_or_unknown_token_is_a_404_on_every_guest_route(token: str | None) -> None:
    product("CART-1")
    for method, path, body in [
        ("GET", "/v1/guest-cart", None),
        ("POST", "/v1/guest-cart/items", {"sku": "CART-1", "quantity": 1}),
        ("PATCH", "/v1/guest-cart/items/CART-1", {"quantity": 1}),
        ("DELETE", "/v1/guest-cart/items/CART-1", None),
        ("DELETE", "/v1/guest-cart", None),
    ]:
        response = call(method, path, None, body=body, token=token)
        assert response["statusCode"] == 404, (method, path, response)
        assert problem(response)["status"] == 404


def test_a_guest_cart_expires_after_7_idle_days(monkeypatch: pytest.MonkeyPatch) -> None:
    product("CART-1")
    start = clock.now()
    token = start_guest_cart()
    guest_add(token, "CART-1", 1)
    monkeypatch.setattr(clock, "now", lambda: start + 7 * 24 * 3600 - 1)
    assert _guest_cart(token) == {"CART-1": 1}
    monkeypatch.setattr(clock, "now", lambda: start + 7 * 24 * 3600 + 1)
    assert call("GET", "/v1/guest-cart", None, token=token)["statusCode"] == 404
    assert guest_add(token, "CART-1", 1)["statusCode"] == 404


def test_a_deleted_guest_cart_token_stops_working() -> None:
    token = start_guest_cart()
    assert call("DELETE", "/v1/guest-cart", None, token=token)["statusCode"] == 204
    assert call("GET", "/v1/guest-cart", None, token=token)["statusCode"] == 404


def test_a_guest_cart_deletion_cancelled_by_a_concurrent_write_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    product("CART-1")
    token = start_guest_cart()
    guest_add(token, "CART-1", 1)
    cancel_cart_deletions(monkeypatch, 1)

    assert call("DELETE", "/v1/guest-cart", None, token=token)["statusCode"] == 204

    assert call("GET", "/v1/guest-cart", None, token=token)["statusCode"] == 404


def test_merging_sums_same_skus_caps_them_at_available_and_adds_the_others() -> None:
    product("CART-1", stock=7)
    product("CART-2", stock=7)
    product("CART-3", stock=7)
    add("CART-1", 5)
    add("CART-3", 1)
    token = start_guest_cart()
    guest_add(token, "CART-1", 4)  # 5 + 4 > 7 available: capped at 7
    guest_add(token, "CART-2", 2)
    guest_add(token, "CART-3", 2)

    response = _merge(token)

    assert response["statusCode"] == 200, response
    merged = body_of(response)
    assert lines(merged) == {"CART-1": 7, "CART-2": 2, "CART-3": 3}
    assert merged["capped"] == ["CART-1"]
    assert merged["subtotal"] == 12 * 8900
    assert lines(cart()) == {"CART-1": 7, "CART-2": 2, "CART-3": 3}


def test_a_sold_out_guest_line_is_left_out_and_listed_as_capped() -> None:
    product("CART-1", stock=3)
    product("CART-2", stock=3)
    token = start_guest_cart()
    guest_add(token, "CART-1", 2)
    guest_add(token, "CART-2", 1)
    inventory_calls.adjust("CART-2", -3)

    merged = body_of(_merge(token))

    assert lines(merged) == {"CART-1": 2}
    assert merged["capped"] == ["CART-2"]


def test_merging_into_no_cart_starts_the_customers_cart_with_the_guest_lines() -> None:
    product("CART-1")
    token = start_guest_cart()
    guest_add(token, "CART-1", 3)
    assert lines(body_of(_merge(token))) == {"CART-1": 3}
    assert cart()["currency"] == "EUR"


def test_a_second_merge_of_the_token_is_a_404_and_changes_nothing() -> None:
    product("CART-1")
    token = start_guest_cart()
    guest_add(token, "CART-1", 2)
    assert _merge(token)["statusCode"] == 200

    again = _merge(token)

    assert again["statusCode"] == 404
    assert lines(cart()) == {"CART-1": 2}
    assert call("GET", "/v1/guest-cart", None, token=token)["statusCode"] == 404


def test_merging_carts_in_two_currencies_is_a_422_and_keeps_both() -> None:
    product("CART-1")
    product("USD-1", currency="USD")
    add("CART-1", 1)
    token = start_guest_cart()
    guest_add(token, "USD-1", 1)
    response = _merge(token)
    assert response["statusCode"] == 422
    assert _guest_cart(token) == {"USD-1": 1}
    assert lines(cart()) == {"CART-1": 1}


def test_merging_needs_a_signed_in_customer() -> None:
    token = start_guest_cart()
    assert call("POST", "/v1/cart/merge", None, body={"cart_token": token})["statusCode"] == 401


@pytest.mark.usefixtures("isolated_transactions")
def test_concurrent_merges_of_one_token_merge_once() -> None:
    product("CART-1", stock=50)
    add("CART-1", 1)
    token = start_guest_cart()
    guest_add(token, "CART-1", 2)

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = sorted(pool.map(lambda env: int(_merge(token, env)["statusCode"]), environments(6)))

    assert statuses == [200] + [404] * 5
    assert lines(cart()) == {"CART-1": 3}
