"""Checkout and payments over HTTP against the local runtime, paid through localstripe's real webhook.

A cart becomes an order (stock reserved), a card payment confirmed at localstripe with
`pm_card_visa` makes it paid (stock committed); one Idempotency-Key never makes two orders or
two PaymentIntents; 20 buyers racing for 5 units get exactly 5 orders; a manager records a
manual payment; an unpaid order expires and gives its stock back.

SKUs and emails are unique per test: the session's runtime keeps its table for the whole run.
Waits are generous and nothing is timed: a loaded 2-core machine runs these.
"""

from __future__ import annotations

import signal
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest

from devkit.localrun.testing import wait_until
from tests.e2e.local_api import SESSION_ENVIRONMENT, LocalApi, assert_stopped_cleanly
from tests.e2e.orders_support import (
    PRICE,
    SETTLE_TIMEOUT_S,
    STANDARD_SHIPPING,
    all_at_once,
    complete,
    order_status,
    product,
    ready_checkout,
    sign_in_manager,
    stock,
    stripe,
)
from tests.e2e.test_catalog_flow import call, register_shopper

pytestmark = pytest.mark.e2e


def test_a_card_order_confirmed_with_pm_card_visa_is_paid_through_the_webhook_and_its_stock_committed(
    local_api: LocalApi, manager: str
) -> None:
    sku = product(local_api, manager, stock=10)
    shopper = register_shopper(local_api, "Card")
    checkout = ready_checkout(local_api, shopper, sku, 2)
    assert (checkout["subtotal"], checkout["shipping_total"]) == (2 * PRICE, STANDARD_SHIPPING)
    assert checkout["total"] == 2 * PRICE + STANDARD_SHIPPING

    completed = complete(local_api, shopper, checkout["id"], str(uuid.uuid4()))

    assert completed.status_code == 201, completed.text
    order, payment = completed.json()["order"], completed.json()["payment"]
    assert (order["id"], order["status"], order["total"]) == (checkout["id"], "pending_payment", checkout["total"])
    assert payment["provider"] == "stripe"
    assert payment["client_secret"]
    assert payment["payment_intent_id"]
    assert stock(local_api, manager, sku) == (10, 2, 8)

    intent = stripe(
        local_api, "POST", f"/v1/payment_intents/{payment['payment_intent_id']}/confirm", payment_method="pm_card_visa"
    )
    assert intent["status"] == "succeeded"
    assert (intent["amount"], intent["metadata"]["order_id"]) == (order["total"], order["id"])

    wait_until(
        lambda: order_status(local_api, shopper, order["id"]) == "paid",
        timeout_s=SETTLE_TIMEOUT_S,
        interval_s=0.5,
        what="the webhook makes the order paid",
    )
    assert stock(local_api, manager, sku) == (8, 0, 8)
    cart = call(local_api, "GET", "/v1/cart", shopper)
    assert cart.status_code == 200, cart.text
    assert cart.json()["items"] == []


def test_one_idempotency_key_sent_ten_times_at_once_makes_one_order_and_one_payment_intent(
    local_api: LocalApi, manager: str
) -> None:
    sku = product(local_api, manager, stock=10)
    shopper = register_shopper(local_api, "Twice")
    checkout = ready_checkout(local_api, shopper, sku, 3)
    key = str(uuid.uuid4())

    answers = all_at_once([partial(complete, local_api, shopper, checkout["id"], key)] * 10)

    assert {answer.status_code for answer in answers} <= {201, 409}, [answer.text for answer in answers]
    for refused in (answer for answer in answers if answer.status_code == 409):
        assert refused.headers["Retry-After"], refused.text  # in progress: try again
    # Once the first completion finished, the key answers its 201 again, to anyone retrying.
    answers.append(complete(local_api, shopper, checkout["id"], key))
    done = [answer.json() for answer in answers if answer.status_code == 201]
    assert {(body["order"]["id"], body["payment"]["payment_intent_id"]) for body in done} == {
        (checkout["id"], done[-1]["payment"]["payment_intent_id"])
    }
    orders = call(local_api, "GET", "/v1/orders", shopper)
    assert [order["id"] for order in orders.json()["items"]] == [checkout["id"]]
    intents = stripe(local_api, "GET", "/v1/payment_intents", limit="100")["data"]
    assert [intent["id"] for intent in intents if intent["metadata"].get("order_id") == checkout["id"]] == [
        done[-1]["payment"]["payment_intent_id"]
    ]
    assert stock(local_api, manager, sku) == (10, 3, 7)  # reserved once


def test_twenty_buyers_racing_for_five_units_make_exactly_five_orders_and_fifteen_clear_409s(
    local_api: LocalApi, manager: str
) -> None:
    sku = product(local_api, manager, stock=5)

    def ready_buyer(number: int) -> tuple[str, str]:
        shopper = register_shopper(local_api, f"Racer{number}")
        return shopper, str(ready_checkout(local_api, shopper, sku, 1)["id"])

    with ThreadPoolExecutor(max_workers=4) as pool:
        buyers = list(pool.map(ready_buyer, range(20)))

    answers = all_at_once(
        [partial(complete, local_api, shopper, checkout_id, str(uuid.uuid4())) for shopper, checkout_id in buyers]
    )

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] * 5 + [409] * 15, [answer.text for answer in answers]
    for refused in (answer for answer in answers if answer.status_code == 409):
        assert refused.headers["Content-Type"] == "application/problem+json"
        assert refused.json()["short"] == [{"sku": sku, "available": 0, "requested": 1}], refused.text
    assert stock(local_api, manager, sku) == (5, 5, 0)


def test_a_manual_order_waits_for_its_payment_until_a_manager_records_it(local_api: LocalApi, manager: str) -> None:
    sku = product(local_api, manager, stock=4)
    shopper = register_shopper(local_api, "Transfer")
    checkout = ready_checkout(local_api, shopper, sku, 2)

    completed = complete(local_api, shopper, checkout["id"], str(uuid.uuid4()), payment_method="manual")

    assert completed.status_code == 201, completed.text
    assert completed.json()["payment"] == {"provider": "manual", "payment_intent_id": None, "client_secret": None}
    order_id = completed.json()["order"]["id"]
    assert order_status(local_api, shopper, order_id) == "pending_payment"
    assert stock(local_api, manager, sku) == (4, 2, 2)
    transition = f"/v1/orders/{order_id}/transitions"
    assert call(local_api, "POST", transition, shopper, {"to": "paid"}).status_code == 403

    paid = call(local_api, "POST", transition, manager, {"to": "paid"})

    assert paid.status_code == 200, paid.text
    assert paid.json()["status"] == "paid"
    assert order_status(local_api, shopper, order_id) == "paid"
    assert stock(local_api, manager, sku) == (2, 0, 2)


def test_an_order_left_unpaid_is_cancelled_by_the_expiry_and_its_stock_is_available_again(
    launch: Callable[[dict[str, str]], LocalApi],
) -> None:
    # The shortest payment window the settings allow (60 s; a manual order waits MANUAL_PAYMENT_SECONDS),
    # and rate(1 minute) every 3 s.
    windows = {"ORDER_PAYMENT_SECONDS": "60", "MANUAL_PAYMENT_SECONDS": "60"}
    api = launch({**SESSION_ENVIRONMENT, **windows, "LOCAL_SCHEDULE_SCALE": "0.05"})
    assert "rate(1 minute) → OrderExpiryFunction (every 3 s)" in api.stdout, api.stdout
    staff = sign_in_manager(api)
    sku = product(api, staff, stock=3)
    shopper = register_shopper(api, "Late")
    checkout = ready_checkout(api, shopper, sku, 2)
    completed = complete(api, shopper, checkout["id"], str(uuid.uuid4()), payment_method="manual")
    assert completed.status_code == 201, completed.text
    assert stock(api, staff, sku) == (3, 2, 1)

    wait_until(
        lambda: order_status(api, shopper, checkout["id"]) == "cancelled",
        timeout_s=60 + SETTLE_TIMEOUT_S,
        interval_s=2,
        what="the expiry cancels the unpaid order",
    )

    assert stock(api, staff, sku) == (3, 0, 3)
    assert_stopped_cleanly(api, api.stop(signal.SIGINT))
