"""Checkout and payments over HTTP against the local runtime, paid through localstripe's real webhook.

A cart becomes an order (stock reserved), a card payment confirmed at localstripe with
`pm_card_visa` makes it paid (stock committed); one Idempotency-Key never makes two orders or
two PaymentIntents; 20 buyers racing for 5 units get exactly 5 orders; a manager records a
manual payment; an unpaid order expires and gives its stock back.

SKUs and emails are unique per test: the session's runtime keeps its table for the whole run.
Waits are generous and nothing is timed: a loaded 2-core machine runs these.
"""

from __future__ import annotations

import re
import signal
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
import requests

from devkit.localrun.stripe import DEFAULT_API_KEY
from devkit.localrun.testing import wait_until
from tests.e2e.local_api import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    SESSION_ENVIRONMENT,
    LocalApi,
    assert_stopped_cleanly,
)
from tests.e2e.test_catalog_flow import call, category, created, register_shopper, unique

pytestmark = pytest.mark.e2e

# Requests sent all at once queue behind each other (a local function serves one at a time).
RACE_TIMEOUT_S = 180.0
# The webhook and the expiry run in the background: bounded, but far above what they need.
SETTLE_TIMEOUT_S = 180.0
ADDRESS = {"name": "Ada Buyer", "line1": "1 Main St", "city": "Springfield", "postal_code": "62701", "country": "US"}
PRICE = 2500
STANDARD_SHIPPING = 500  # the default zone's "standard" method


def _sign_in_manager(api: LocalApi) -> str:
    """The local admin of a runtime of this test's own (the `manager` fixture signs in to the session's)."""
    signed_in = call(api, "POST", "/v1/auth/login", body={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    return str(signed_in.json()["access_token"])


def _stripe_base(api: LocalApi) -> str:
    """localstripe's URL, as the runtime's banner prints it (each e2e runtime gets a free STRIPE_PORT)."""
    found = re.search(r"localstripe on (http://127\.0\.0\.1:\d+)", api.stdout)
    assert found, f"no localstripe in the banner:\n{api.stdout}"
    return found.group(1)


def _stripe(api: LocalApi, method: str, path: str, **form: str) -> dict[str, Any]:
    answer = requests.request(
        method,
        _stripe_base(api) + path,
        data=form or None,
        headers={"Authorization": f"Bearer {DEFAULT_API_KEY}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _product(api: LocalApi, manager: str, stock: int) -> str:
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


def _stock(api: LocalApi, manager: str, sku: str) -> tuple[int, int, int]:
    level = call(api, "GET", f"/v1/inventory/{sku}", manager)
    assert level.status_code == 200, level.text
    return level.json()["on_hand"], level.json()["reserved"], level.json()["available"]


def _ready_checkout(api: LocalApi, shopper: str, sku: str, quantity: int) -> dict[str, Any]:
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


def _complete(
    api: LocalApi, shopper: str, checkout_id: str, key: str, payment_method: str = "card"
) -> requests.Response:
    return requests.post(
        f"{api.url}/v1/checkouts/{checkout_id}/complete",
        json={"payment_method": payment_method},
        headers={"Authorization": f"Bearer {shopper}", "Idempotency-Key": key},
        timeout=RACE_TIMEOUT_S,
    )


def _all_at_once[T](attempts: list[Callable[[], T]]) -> list[T]:
    """Run every attempt in its own thread, released together."""
    start = threading.Barrier(len(attempts))

    def attempt(run: Callable[[], T]) -> T:
        start.wait()
        return run()

    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(attempt, attempts))


def _order_status(api: LocalApi, token: str, order_id: str) -> str:
    order = call(api, "GET", f"/v1/orders/{order_id}", token)
    assert order.status_code == 200, order.text
    return str(order.json()["status"])


def test_a_card_order_confirmed_with_pm_card_visa_is_paid_through_the_webhook_and_its_stock_committed(
    local_api: LocalApi, manager: str
) -> None:
    sku = _product(local_api, manager, stock=10)
    shopper = register_shopper(local_api, "Card")
    checkout = _ready_checkout(local_api, shopper, sku, 2)
    assert (checkout["subtotal"], checkout["shipping_total"]) == (2 * PRICE, STANDARD_SHIPPING)
    assert checkout["total"] == 2 * PRICE + STANDARD_SHIPPING

    completed = _complete(local_api, shopper, checkout["id"], str(uuid.uuid4()))

    assert completed.status_code == 201, completed.text
    order, payment = completed.json()["order"], completed.json()["payment"]
    assert (order["id"], order["status"], order["total"]) == (checkout["id"], "pending_payment", checkout["total"])
    assert payment["provider"] == "stripe"
    assert payment["client_secret"]
    assert payment["payment_intent_id"]
    assert _stock(local_api, manager, sku) == (10, 2, 8)

    intent = _stripe(
        local_api, "POST", f"/v1/payment_intents/{payment['payment_intent_id']}/confirm", payment_method="pm_card_visa"
    )
    assert intent["status"] == "succeeded"
    assert (intent["amount"], intent["metadata"]["order_id"]) == (order["total"], order["id"])

    wait_until(
        lambda: _order_status(local_api, shopper, order["id"]) == "paid",
        timeout_s=SETTLE_TIMEOUT_S,
        interval_s=0.5,
        what="the webhook makes the order paid",
    )
    assert _stock(local_api, manager, sku) == (8, 0, 8)
    cart = call(local_api, "GET", "/v1/cart", shopper)
    assert cart.status_code == 200, cart.text
    assert cart.json()["items"] == []


def test_one_idempotency_key_sent_ten_times_at_once_makes_one_order_and_one_payment_intent(
    local_api: LocalApi, manager: str
) -> None:
    sku = _product(local_api, manager, stock=10)
    shopper = register_shopper(local_api, "Twice")
    checkout = _ready_checkout(local_api, shopper, sku, 3)
    key = str(uuid.uuid4())

    answers = _all_at_once([partial(_complete, local_api, shopper, checkout["id"], key)] * 10)

    assert {answer.status_code for answer in answers} <= {201, 409}, [answer.text for answer in answers]
    for refused in (answer for answer in answers if answer.status_code == 409):
        assert refused.headers["Retry-After"], refused.text  # in progress: try again
    # Once the first completion finished, the key answers its 201 again, to anyone retrying.
    answers.append(_complete(local_api, shopper, checkout["id"], key))
    done = [answer.json() for answer in answers if answer.status_code == 201]
    assert {(body["order"]["id"], body["payment"]["payment_intent_id"]) for body in done} == {
        (checkout["id"], done[-1]["payment"]["payment_intent_id"])
    }
    orders = call(local_api, "GET", "/v1/orders", shopper)
    assert [order["id"] for order in orders.json()["items"]] == [checkout["id"]]
    intents = _stripe(local_api, "GET", "/v1/payment_intents", limit="100")["data"]
    assert [intent["id"] for intent in intents if intent["metadata"].get("order_id") == checkout["id"]] == [
        done[-1]["payment"]["payment_intent_id"]
    ]
    assert _stock(local_api, manager, sku) == (10, 3, 7)  # reserved once


def test_twenty_buyers_racing_for_five_units_make_exactly_five_orders_and_fifteen_clear_409s(
    local_api: LocalApi, manager: str
) -> None:
    sku = _product(local_api, manager, stock=5)

    def ready_buyer(number: int) -> tuple[str, str]:
        shopper = register_shopper(local_api, f"Racer{number}")
        return shopper, str(_ready_checkout(local_api, shopper, sku, 1)["id"])

    with ThreadPoolExecutor(max_workers=4) as pool:
        buyers = list(pool.map(ready_buyer, range(20)))

    answers = _all_at_once(
        [partial(_complete, local_api, shopper, checkout_id, str(uuid.uuid4())) for shopper, checkout_id in buyers]
    )

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] * 5 + [409] * 15, [answer.text for answer in answers]
    for refused in (answer for answer in answers if answer.status_code == 409):
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert refused.json()["short"] == [{"sku": sku, "available": 0, "requested": 1}], refused.text
    assert _stock(local_api, manager, sku) == (5, 5, 0)


def test_a_manual_order_waits_for_its_payment_until_a_manager_records_it(local_api: LocalApi, manager: str) -> None:
    sku = _product(local_api, manager, stock=4)
    shopper = register_shopper(local_api, "Transfer")
    checkout = _ready_checkout(local_api, shopper, sku, 2)

    completed = _complete(local_api, shopper, checkout["id"], str(uuid.uuid4()), payment_method="manual")

    assert completed.status_code == 201, completed.text
    assert completed.json()["payment"] == {"provider": "manual", "payment_intent_id": None, "client_secret": None}
    order_id = completed.json()["order"]["id"]
    assert _order_status(local_api, shopper, order_id) == "pending_payment"
    assert _stock(local_api, manager, sku) == (4, 2, 2)
    transition = f"/v1/orders/{order_id}/transitions"
    assert call(local_api, "POST", transition, shopper, {"to": "paid"}).status_code == 403

    paid = call(local_api, "POST", transition, manager, {"to": "paid"})

    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid"
    assert _order_status(local_api, shopper, order_id) == "paid"
    assert _stock(local_api, manager, sku) == (2, 0, 2)


def test_an_order_left_unpaid_is_cancelled_by_the_expiry_and_its_stock_is_available_again(
    launch: Callable[[dict[str, str]], LocalApi],
) -> None:
    # The shortest payment window the settings allow (60 s; a manual order waits MANUAL_PAYMENT_SECONDS),
    # and rate(1 minute) every 3 s.
    windows = {"ORDER_PAYMENT_SECONDS": "60", "MANUAL_PAYMENT_SECONDS": "60"}
    api = launch({**SESSION_ENVIRONMENT, **windows, "LOCAL_SCHEDULE_SCALE": "0.05"})
    assert "rate(1 minute) → OrderExpiryFunction (every 3 s)" in api.stdout, api.stdout
    staff = _sign_in_manager(api)
    sku = _product(api, staff, stock=3)
    shopper = register_shopper(api, "Late")
    checkout = _ready_checkout(api, shopper, sku, 2)
    completed = _complete(api, shopper, checkout["id"], str(uuid.uuid4()), payment_method="manual")
    assert completed.status_code == 201, completed.text
    assert _stock(api, staff, sku) == (3, 2, 1)

    wait_until(
        lambda: _order_status(api, shopper, checkout["id"]) == "cancelled",
        timeout_s=60 + SETTLE_TIMEOUT_S,
        interval_s=2,
        what="the expiry cancels the unpaid order",
    )

    assert _stock(api, staff, sku) == (3, 0, 3)
    assert_stopped_cleanly(api, api.stop(signal.SIGINT))
