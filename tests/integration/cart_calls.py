"""Calling the cart function the way API Gateway does, and the products its tests put in carts."""

from __future__ import annotations

import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from pynamodb.transactions import TransactWrite

from devkit.functions import load_handler_module
from storefront.data import cart_edits, carts, keys, table
from storefront.data.carts import CartHeaderItem, CartLineItem
from storefront.domain import clock
from storefront.domain.cart.entities import USER_IDLE_S
from tests.integration import catalog_calls
from tests.integration.principals import ensure_user
from tests.support import FakeContext, http_event

cart_function = load_handler_module("functions/cart")

ANN = ("01JDQ7Z8X9K2M3N4P5Q6CARTANN", "customer")
BOB = ("01JDQ7Z8X9K2M3N4P5Q6CARTBOB", "customer")


def call(
    method: str,
    path: str,
    principal: tuple[str, str] | None = ANN,
    *,
    body: Any = None,
    token: str | None = None,
    environment: ModuleType | None = None,
) -> dict[str, Any]:
    """A request to the cart function; `token` is sent as the Cart-Token header (guest routes)."""
    ensure_user(principal)
    headers = {"Cart-Token": token} if token is not None else None
    event = http_event(method, path, body=body, principal=principal, headers=headers)
    return dict((environment or cart_function).lambda_handler(event, FakeContext()))


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def add(sku: str, quantity: int, principal: tuple[str, str] = ANN) -> dict[str, Any]:
    return call("POST", "/v1/cart/items", principal, body={"sku": sku, "quantity": quantity})


def cart(principal: tuple[str, str] = ANN) -> dict[str, Any]:
    response = call("GET", "/v1/cart", principal)
    assert response["statusCode"] == 200, response
    return dict(body_of(response))


def lines(view: dict[str, Any]) -> dict[str, int]:
    return {item["sku"]: item["quantity"] for item in view["items"]}


def start_guest_cart() -> str:
    response = call("POST", "/v1/guest-cart", None)
    assert response["statusCode"] == 201, response
    return str(body_of(response)["cart_token"])


def guest_add(token: str, sku: str, quantity: int) -> dict[str, Any]:
    return call("POST", "/v1/guest-cart/items", None, body={"sku": sku, "quantity": quantity}, token=token)


def environments(count: int) -> list[ModuleType]:
    """One cart function per concurrent caller, as Lambda gives concurrent requests separate environments."""
    return [load_handler_module("functions/cart", fresh=True) for _ in range(count)]


def product(*skus: str, stock: int = 7, **overrides: Any) -> dict[str, Any]:
    """An active product (price 8900 EUR) whose variants have `stock` units each."""
    category = catalog_calls.create_category(f"Cat {skus[0]}")
    body = catalog_calls.product_body(category["id"], *skus, **overrides)
    for variant in body["variants"]:
        variant["initial_stock"] = stock
    response = catalog_calls.call("POST", "/v1/products", catalog_calls.MANAGER, body=body)
    assert response["statusCode"] == 201, response
    return dict(catalog_calls.body_of(response))


def archive_product(product_id: str) -> None:
    response = catalog_calls.call("DELETE", f"/v1/products/{product_id}", catalog_calls.MANAGER)
    assert response["statusCode"] == 204, response


def seed_lines(principal: tuple[str, str], skus: list[str], product_id: str = "SEEDED") -> None:
    """A customer's cart already holding one unit of each SKU, written directly (a full cart, fast)."""
    now = clock.now()
    owner = carts.user_owner(principal[0])
    header = CartHeaderItem(*keys.cart_header(owner), cart_id="SEEDED-CART", skus=set(skus), currency="EUR")
    header.updated_at, header.expires_at = now, now + USER_IDLE_S
    with CartLineItem.batch_write() as batch:
        batch.save(header)
        for sku in skus:
            line = CartLineItem(*keys.cart_line(owner, sku), cart_id="SEEDED-CART", sku=sku, product_id=product_id)
            line.quantity, line.added_at = 1, now
            batch.save(line)


def change_product(product_id: str, **changes: Any) -> None:
    path = f"/v1/products/{product_id}"
    response = catalog_calls.call("PATCH", path, catalog_calls.MANAGER, body=changes)
    assert response["statusCode"] == 200, response


def cancel_cart_deletions(monkeypatch: pytest.MonkeyPatch, times: int) -> None:
    """The next `times` cart deletion transactions are cancelled, as a concurrent transaction on the header does."""
    real = table.committed
    left = [times]

    def cancelled_first(write_all: Callable[[TransactWrite], None]) -> bool:
        if left[0] > 0:
            left[0] -= 1
            return False
        return real(write_all)

    monkeypatch.setattr(cart_edits, "committed", cancelled_first)
