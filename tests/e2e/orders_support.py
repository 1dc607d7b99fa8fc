"""Helpers of the e2e tests of checkout, orders and refunds: a product in stock, a ready checkout,
a card order paid at localstripe through the real webhook, and requests released all at once.

SKUs and emails are unique per call: the session's runtime keeps its table for the whole run.
Waits are generous and nothing is timed: a loaded 2-core machine runs these.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from devkit.localrun.stripe import DEFAULT_API_KEY
from devkit.localrun.testing import wait_until
from tests.e2e.local_api import ADMIN_EMAIL, ADMIN_PASSWORD, LocalApi
from tests.e2e.test_catalog_flow import call, category, created, unique

# Requests sent all at once queue behind each other (a local function serves one at a time).
RACE_TIMEOUT_S = 180.0
# The webhook and the expiry run in the background: bounded, but far above what they need.
SETTLE_TIMEOUT_S = 180.0
ADDRESS = {"name": "Ada Buyer", "line1": "1 Main St", "city": "Springfield", "postal_code": "62701", "country": "US"}
PRICE = 2500
STANDARD_SHIPPING = 500  # the default zone's "standard" method


def sign_in_manager(api: LocalApi) -> str:
    """The local admin of a runtime of a test's own (the `manager` fixture signs in to the session's)."""
    signed_in = call(api, "POST", "/v1/auth/login", body={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    return str(signed_in.json()["access_token"])


def stripe_base(api: LocalApi) -> str:
    """localstripe's URL, as the runtime's banner prints it (each e2e runtime gets a free STRIPE_PORT)."""
    found = re.search(r"localstripe on (http://127\.0\.0\.1:\d+)", api.stdout)
    assert found, f"no localstripe in the banner:\n{api.stdout}"
    return found.group(1)


def stripe(api: LocalApi, method: str, path: str, **form: str) -> dict[str, Any]:
    answer = requests.request(
        method,
        stripe_base(api) + path,
        data=form or None,
        headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def product(api: LocalApi, manager: str, stock: int) -> str:
    """A new active USD product with one variant of `stock` units; its SKU."""
    sku = unique("CHK")
    body = {
        **{
            "name": "Summit Jacket",
            "description": "Warm.",
            "category_id": category(api, manager, "Jackets", None)["id"],
        },
        **{"price": PRICE, "currency": "USD", "tags": [], "status": "active", "attributes": {}},
        "variants": [{"sku": sku, "options": {"size": "M"}, "initial_stock": stock, "weight_grams": 800}],
    }
    created(call(api, "POST", "/v1/products", manager, body))
    return sku


def stock(api: LocalApi, manager: str, sku: str) -> tuple[int, int, int]:
    """The SKU's (on_hand, reserved, available)."""
    level = call(api, "GET", f"/v1/inventory/{sku}", manager)
    assert level.status_code == 200, level.text
    return level.json()["on_hand"], level.json()["reserved"], level.json()["available"]


def ready_checkout(api: LocalApi, shopper: str, sku: str, quantity: int) -> dict[str, Any]:
    """The shopper's cart holds `quantity` of `sku`; an open checkout of it with a US address and standard shipping."""
    assert call(api, "POST", "/v1/cart/items", shopper, {"sku": sku, "quantity": quantity}).status_code == 204
    checkout = created(call(api, "POST", "/v1/checkouts", shopper))
    path = f"/v1/checkouts/{checkout['id']}"
    addressed = call(api, "PATCH", path, shopper, {"shipping_address": ADDRESS})
    assert addressed.status_code == 200, addressed.text
    methods = call(api, "GET", f"{path}/shipping-methods", shopper)
    assert methods.status_code == 200, methods.text
    assert [method["id"] for method in methods.json()] == ["standard"]
    chosen = call(api, "PATCH", path, shopper, {"shipping_method_id": "standard"})
    assert chosen.status_code == 200, chosen.text
    return dict(chosen.json())


def complete(
    api: LocalApi, shopper: str, checkout_id: str, key: str, payment_method: str = "card"
) -> requests.Response:
    return requests.post(
        f"{api.url}/v1/checkouts/{checkout_id}/complete",
        json={"payment_method": payment_method},
        headers={"Authorization": f"Bearer {shopper}", "Idempotency-Key": key},
        timeout=RACE_TIMEOUT_S,
    )


def all_at_once[T](attempts: list[Callable[[], T]]) -> list[T]:
    """Run every attempt in its own thread, released together."""
    start = threading.Barrier(len(attempts))

    def attempt(run: Callable[[], T]) -> T:
        start.wait()
        return run()

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(attempt, attempts))


def order_status(api: LocalApi, token: str, order_id: str) -> str:
    order = call(api, "GET", f"/v1/orders/{order_id}", token)
    assert order.status_code == 200, order.text
    return str(order.json()["status"])


def paid_card_order(api: LocalApi, shopper: str, sku: str, quantity: int) -> dict[str, Any]:
    """A card order confirmed at localstripe with `pm_card_visa` and paid through the webhook (as completed)."""
    checkout = ready_checkout(api, shopper, sku, quantity)
    completed = complete(api, shopper, checkout["id"], str(uuid.uuid4()))
    assert completed.status_code == 201, completed.text
    order, payment = completed.json()["order"], completed.json()["payment"]
    confirm = f"/v1/payment_intents/{payment['payment_intent_id']}/confirm"
    assert stripe(api, "POST", confirm, payment_method="pm_card_visa")["status"] == "succeeded"
    wait_until(
        lambda: order_status(api, shopper, order["id"]) == "paid",
        timeout_s=SETTLE_TIMEOUT_S,
        interval_s=0.5,
        what="the webhook makes the order paid",
    )
    return dict(order)
