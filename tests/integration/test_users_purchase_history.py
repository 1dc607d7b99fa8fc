"""GET /v1/users/me's purchase history: kept by the payment's own transaction, once per order."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

import pytest

from storefront.domain import clock
from storefront.domain.orders import lifecycle
from tests.integration.inventory_calls import put_stock
from tests.integration.orders_calls import (
    ADMIN,
    ANN,
    BOB,
    MANAGER,
    call,
    counters,
    environments,
    move,
    orders_function,
    place_order,
)
from tests.integration.payments_calls import FakeCardProvider
from tests.integration.users_calls import body_of, customer, users_call

pytestmark = pytest.mark.usefixtures("aws")

FIRST_PAID_AT, SECOND_PAID_AT = 1_900_000_000, 1_900_000_600  # 2030-03-17T17:46:40Z and ten minutes later


@pytest.fixture
def card(monkeypatch: pytest.MonkeyPatch) -> FakeCardProvider:
    provider = FakeCardProvider()
    monkeypatch.setattr(orders_function, "payment_provider", lambda name: provider)
    return provider


def history(principal: tuple[str, str]) -> dict[str, Any]:
    response = users_call("GET", "/v1/users/me", principal)
    assert response["statusCode"] == 200, response
    body = body_of(response)
    return {name: body[name] for name in ("order_count", "total_spent", "last_order_at")}


def paid_at(monkeypatch: pytest.MonkeyPatch, at: int, order_id: str) -> None:
    monkeypatch.setattr(clock, "now", lambda: at)
    assert move(order_id, "paid")["statusCode"] == 200


def test_a_new_user_has_no_orders_nothing_spent_and_no_last_order() -> None:
    assert history(customer()) == {"order_count": 0, "total_spent": {}, "last_order_at": None}


def test_two_paid_orders_count_twice_sum_per_currency_and_the_last_is_the_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    put_stock("TEE-M", 20)
    put_stock("CAP", 20)
    first = place_order(ANN[0], {"TEE-M": 2})  # 2 x 1000 + 500 shipping
    second = place_order(ANN[0], {"CAP": 1}, currency="EUR")  # 1000 + 500

    paid_at(monkeypatch, FIRST_PAID_AT, first.id)
    assert history(ANN) == {"order_count": 1, "total_spent": {"USD": 2500}, "last_order_at": "2030-03-17T17:46:40Z"}
    paid_at(monkeypatch, SECOND_PAID_AT, second.id)

    assert history(ANN) == {
        "order_count": 2,
        "total_spent": {"EUR": 1500, "USD": 2500},
        "last_order_at": "2030-03-17T17:56:40Z",
    }
    third = place_order(ANN[0], {"TEE-M": 1})
    paid_at(monkeypatch, SECOND_PAID_AT + 60, third.id)
    assert history(ANN)["total_spent"] == {"EUR": 1500, "USD": 4000}  # one currency adds up
    assert history(BOB)["order_count"] == 0  # another customer's orders are not theirs


def test_an_unpaid_or_a_cancelled_unpaid_order_changes_nothing() -> None:
    put_stock("TEE-M", 20)
    place_order(ANN[0], {"TEE-M": 1})
    cancelled = place_order(ANN[0], {"TEE-M": 2})
    assert call("POST", f"/v1/orders/{cancelled.id}/cancel", ANN)["statusCode"] == 200

    assert history(ANN) == {"order_count": 0, "total_spent": {}, "last_order_at": None}


def test_a_redelivered_or_second_stripe_success_counts_the_order_once() -> None:
    put_stock("TEE-M", 20)
    order = place_order(ANN[0], {"TEE-M": 1}, "card")

    outcomes = [
        lifecycle.pay(order.id, by="stripe", intent_id="pi_1", stripe_event_id="evt_1").result,
        lifecycle.pay(order.id, by="stripe", intent_id="pi_1", stripe_event_id="evt_1").result,  # redelivered
        lifecycle.pay(order.id, by="stripe", intent_id="pi_1", stripe_event_id="evt_2").result,  # another event
    ]

    assert outcomes == ["paid", "duplicate_event", "already_paid"]
    assert history(ANN)["order_count"] == 1
    assert history(ANN)["total_spent"] == {"USD": 1500}


@pytest.mark.usefixtures("isolated_transactions")
def test_two_racing_payments_of_one_order_count_it_once() -> None:
    put_stock("TEE-M", 20)
    order = place_order(ANN[0], {"TEE-M": 3})

    def pay_in(environment: ModuleType) -> int:
        path = f"/v1/orders/{order.id}/transitions"
        return int(call("POST", path, MANAGER, body={"to": "paid"}, environment=environment)["statusCode"])

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(pay_in, environments(2)))

    assert statuses.count(200) >= 1
    assert history(ANN)["order_count"] == 1
    assert history(ANN)["total_spent"] == {"USD": 3500}
    assert counters("TEE-M") == (17, 0, 17)


def test_a_95_line_order_is_paid_in_one_transaction_and_counted() -> None:
    lines = {f"SKU-{n:02d}": 1 for n in range(95)}  # a cart's most lines: 99 actions with the history's Update
    for sku in lines:
        put_stock(sku, 5)
    order = place_order(ANN[0], lines)

    assert move(order.id, "paid")["statusCode"] == 200

    assert history(ANN)["order_count"] == 1
    assert history(ANN)["total_spent"] == {"USD": 95 * 1000 + 500}
    assert counters("SKU-94") == (4, 0, 4)


@pytest.mark.usefixtures("card")
def test_refunds_and_a_paid_orders_cancellation_leave_total_spent_net_and_the_order_count_as_paid() -> None:
    put_stock("TEE-M", 20)
    by_card = place_order(ANN[0], {"TEE-M": 2}, "card")  # 2500
    assert lifecycle.pay(by_card.id, by="stripe", intent_id="pi_card").result == "paid"
    by_hand = place_order(ANN[0], {"TEE-M": 1})  # 1500
    assert move(by_hand.id, "paid")["statusCode"] == 200
    assert history(ANN)["total_spent"] == {"USD": 4000}

    def refund(order_id: str, **amount: int) -> int:
        body = {"reason": "damaged in transit", **amount}
        return int(call("POST", f"/v1/orders/{order_id}/refunds", ADMIN, body=body)["statusCode"])

    assert refund(by_card.id, amount=1000) == 201  # partial
    assert history(ANN)["total_spent"] == {"USD": 3000}
    assert refund(by_card.id) == 201  # the 1500 left
    assert history(ANN)["total_spent"] == {"USD": 1500}
    assert refund(by_card.id) == 409  # nothing left: refused, nothing subtracted

    assert call("POST", f"/v1/orders/{by_hand.id}/cancel", ANN)["statusCode"] == 200  # refunded in full
    assert call("POST", f"/v1/orders/{by_hand.id}/cancel", ANN)["statusCode"] == 409  # a retry refunds nothing

    after = history(ANN)
    assert (after["order_count"], after["total_spent"]) == (2, {"USD": 0})  # both were paid; all went back
    assert after["last_order_at"] is not None


def test_a_payment_refunded_because_its_order_was_cancelled_first_is_never_counted() -> None:
    put_stock("TEE-M", 20)
    order = place_order(ANN[0], {"TEE-M": 1}, "card")
    assert call("POST", f"/v1/orders/{order.id}/cancel", ANN)["statusCode"] == 200

    recorded = lifecycle.record_refund_after_cancel(
        order.id, intent_id="pi_late", refund_id="re_late", stripe_event_id="evt_late", stripe_event_type="x"
    )

    assert recorded is not None
    assert recorded.refunded_total == recorded.total
    assert history(ANN) == {"order_count": 0, "total_spent": {}, "last_order_at": None}
