"""Calling the checkout function the way API Gateway does, and the carts, addresses and payments its tests use."""

from __future__ import annotations

import json
import threading
from types import ModuleType
from typing import Any

import pytest

from devkit.functions import load_handler_module
from storefront import payments
from storefront.data.outbox import OutboxItem
from storefront.domain.checkout import completion
from storefront.payments.port import PaymentStart
from tests.integration import cart_calls, catalog_calls
from tests.integration.principals import ensure_user
from tests.integration.users_calls import add_address
from tests.support import FakeContext, http_event

checkout_function = load_handler_module("functions/checkout")

ANN = cart_calls.ANN
BOB = cart_calls.BOB
US_ADDRESS: dict[str, Any] = {
    "name": "Ann Example",
    "line1": "1 Main Street",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}


def call(
    method: str,
    path: str,
    principal: tuple[str, str] | None = ANN,
    *,
    body: Any = None,
    key: str | None = None,
    environment: ModuleType | None = None,
) -> dict[str, Any]:
    """A request to the checkout function; `key` is sent as the Idempotency-Key header."""
    ensure_user(principal)
    headers = {"Idempotency-Key": key} if key is not None else None
    event = http_event(method, path, body=body, principal=principal, headers=headers)
    return dict((environment or checkout_function).lambda_handler(event, FakeContext()))


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def environments(count: int) -> list[ModuleType]:
    """One checkout function per concurrent caller, as Lambda gives concurrent requests separate environments."""
    return [load_handler_module("functions/checkout", fresh=True) for _ in range(count)]


def product(
    *skus: str, stock: int = 7, price: int = 2500, weight: int | None = 400, **overrides: Any
) -> dict[str, Any]:
    """An active USD product (the default shipping zone's currency) whose variants weigh `weight` g each."""
    category = catalog_calls.create_category(f"Cat {skus[0]}")
    body = catalog_calls.product_body(category["id"], *skus, price=price, currency="USD", **overrides)
    for variant in body["variants"]:
        variant["initial_stock"] = stock
        if weight is not None:
            variant["weight_grams"] = weight
    response = catalog_calls.call("POST", "/v1/products", catalog_calls.MANAGER, body=body)
    assert response["statusCode"] == 201, response
    return dict(catalog_calls.body_of(response))


def fill_cart(lines: dict[str, int], principal: tuple[str, str] = ANN) -> None:
    for sku, quantity in lines.items():
        response = cart_calls.add(sku, quantity, principal)
        assert response["statusCode"] == 204, response


def open_checkout(principal: tuple[str, str] = ANN) -> dict[str, Any]:
    response = call("POST", "/v1/checkouts", principal)
    assert response["statusCode"] == 201, response
    return dict(body_of(response))


def patch(checkout_id: str, body: dict[str, Any], principal: tuple[str, str] = ANN) -> dict[str, Any]:
    return call("PATCH", f"/v1/checkouts/{checkout_id}", principal, body=body)


def ready_checkout(lines: dict[str, int], principal: tuple[str, str] = ANN) -> dict[str, Any]:
    """An open checkout of `lines` with a US address and the default zone's Standard method."""
    fill_cart(lines, principal)
    opened = open_checkout(principal)
    response = patch(opened["id"], {"shipping_address": US_ADDRESS, "shipping_method_id": "standard"}, principal)
    assert response["statusCode"] == 200, response
    return dict(body_of(response))


def complete(
    checkout_id: str,
    key: str | None = "key-1",
    method: str = "manual",
    principal: tuple[str, str] = ANN,
    environment: ModuleType | None = None,
) -> dict[str, Any]:
    path = f"/v1/checkouts/{checkout_id}/complete"
    return call("POST", path, principal, body={"payment_method": method}, key=key, environment=environment)


def saved_address(principal: tuple[str, str] = ANN, **overrides: Any) -> dict[str, Any]:
    return add_address(principal, **overrides)


def outbox_envelopes(event_type: str) -> list[dict[str, Any]]:
    """Every envelope of one type in the outbox, followers of a multi-event item included (a test may scan)."""
    envelopes = [envelope for item in OutboxItem.scan(consistent_read=True) for envelope in item.envelopes()]
    return [envelope for envelope in envelopes if envelope["type"] == event_type]


class CountingProvider:
    """A card provider that counts the payments it starts and answers one PaymentIntent per order, as Stripe
    does with the order-keyed idempotency key."""

    name = "stripe"

    def __init__(self) -> None:
        self.starts: list[str] = []
        self.intents: dict[str, str] = {}
        self._lock = threading.Lock()

    def start(self, order_id: str, amount: int, currency: str) -> PaymentStart:
        with self._lock:
            self.starts.append(order_id)
            intent = self.intents.setdefault(order_id, f"pi_{len(self.intents) + 1:04d}")
        return PaymentStart("stripe", intent, f"{intent}_secret_test")


def counting_card_payments(monkeypatch: pytest.MonkeyPatch) -> CountingProvider:
    provider = CountingProvider()
    real = payments.payment_provider

    def provider_of(name: Any) -> Any:
        return provider if name == "card" else real(name)

    monkeypatch.setattr(completion, "payment_provider", provider_of)
    return provider
