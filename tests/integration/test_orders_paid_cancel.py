"""Cancelling a paid order: refunded in full through its provider once, however often the request
is retried, and its committed units back in stock, in the transaction that cancels it."""

from __future__ import annotations

from typing import Any

import pytest

from storefront.domain.orders import fulfilment, lifecycle
from storefront.domain.orders.entities import Order
from tests.integration.inventory_calls import availability_events, outbox_events, put_stock
from tests.integration.orders_calls import (
    ADMIN,
    ANN,
    BOB,
    MANAGER,
    body_of,
    call,
    counters,
    move,
    orders_function,
    place_order,
)
from tests.integration.payments_calls import FakeCardProvider
from tests.support import problem

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def card(monkeypatch: pytest.MonkeyPatch) -> FakeCardProvider:
    provider = FakeCardProvider()
    monkeypatch.setattr(orders_function, "payment_provider", lambda name: provider)
    return provider


def paid_by_card(sku: str = "TEE-M", units: int = 2, on_hand: int = 20) -> Order:
    """A card order Stripe paid (1000 a unit plus 500 shipping); its units left the stock."""
    put_stock(sku, on_hand)
    order = place_order(ANN[0], {sku: units}, provider="card")
    outcome = lifecycle.pay(order.id, by="stripe", intent_id=f"pi_{order.id}")
    assert outcome.order is not None
    return outcome.order


def paid_by_hand(units: int = 2) -> Order:
    put_stock("TEE-M", 20)
    order = place_order(ANN[0], {"TEE-M": units})
    assert move(order.id, "paid")["statusCode"] == 200
    return order


def cancel(order_id: str, principal: tuple[str, str] = ANN) -> dict[str, Any]:
    return call("POST", f"/v1/orders/{order_id}/cancel", principal)


def test_the_owner_cancels_a_paid_card_order_it_is_refunded_once_and_its_stock_comes_back(
    card: FakeCardProvider,
) -> None:
    order = paid_by_card()
    assert counters("TEE-M") == (18, 0, 18)

    response = cancel(order.id)
    retried = cancel(order.id)

    assert response["statusCode"] == 200, response
    body = body_of(response)
    assert (body["status"], body["payment"]["status"], body["refunded_total"]) == ("cancelled", "refunded", 2500)
    [record] = body["refunds"]
    assert (record["amount"], record["reason"], record["by"], record["provider_refund_id"]) == (
        2500,
        "cancelled",
        ANN[0],
        "re_1",
    )
    assert counters("TEE-M") == (20, 0, 20)
    assert card.refunds == [(f"pi_{order.id}", 2500, f"order-{order.id}-refund-1")]
    [cancelled] = outbox_events("order.cancelled")
    assert (cancelled["data"]["reason"], cancelled["data"]["previous_status"]) == ("customer", "paid")
    [refunded] = outbox_events("order.refunded")
    assert (refunded["data"]["status"], refunded["data"]["amount"], refunded["data"]["number"]) == (
        "cancelled",
        2500,
        order.number,
    )
    # The retry finds it cancelled: the state is named, nothing is refunded again.
    assert (retried["statusCode"], problem(retried)["current_status"]) == (409, "cancelled")
    assert card.refund_keys == [f"order-{order.id}-refund-1"]
    assert counters("TEE-M") == (20, 0, 20)


def test_a_cancellation_retried_after_stripes_answer_was_lost_refunds_once(card: FakeCardProvider) -> None:
    order = paid_by_card()
    card.lose_next_refund_answer = True  # Stripe refunds, then the answer never comes back

    lost = cancel(order.id)
    assert lost["statusCode"] == 503
    assert body_of(call("GET", f"/v1/orders/{order.id}", ANN))["status"] == "paid"
    assert counters("TEE-M") == (18, 0, 18)

    retried = cancel(order.id)

    assert retried["statusCode"] == 200
    assert card.refund_keys == [f"order-{order.id}-refund-1"] * 2  # the same key, so Stripe's same refund
    assert card.refunds == [(f"pi_{order.id}", 2500, f"order-{order.id}-refund-1")]
    assert [r["provider_refund_id"] for r in body_of(retried)["refunds"]] == ["re_1"]
    assert counters("TEE-M") == (20, 0, 20)
    assert len(outbox_events("order.refunded")) == 1


def test_after_a_partial_refund_a_cancellation_refunds_the_rest_under_the_next_key(card: FakeCardProvider) -> None:
    order = paid_by_card()
    partial = call("POST", f"/v1/orders/{order.id}/refunds", ADMIN, body={"amount": 700, "reason": "late"})
    assert partial["statusCode"] == 201

    response = cancel(order.id)

    assert (body_of(response)["status"], body_of(response)["refunded_total"]) == ("cancelled", 2500)
    assert card.refunds[-1] == (f"pi_{order.id}", 1800, f"order-{order.id}-refund-2")


def test_staff_cancel_a_processing_manual_order_refund_recorded_not_sent_and_stock_back(
    card: FakeCardProvider,
) -> None:
    order = paid_by_hand(units=3)
    assert move(order.id, "processing")["statusCode"] == 200
    assert counters("TEE-M") == (17, 0, 17)

    refused = cancel(order.id, ANN)  # its owner may not once it is processing
    response = move(order.id, "cancelled", MANAGER)

    assert (refused["statusCode"], problem(refused)["current_status"], problem(refused)["allowed"]) == (
        409,
        "processing",
        [],
    )
    assert response["statusCode"] == 200
    body = body_of(response)
    assert (body["status"], body["payment"]["status"], body["refunded_total"]) == ("cancelled", "refunded", 3500)
    assert body["refunds"][0]["provider_refund_id"] is None
    assert card.refund_keys == []
    assert counters("TEE-M") == (20, 0, 20)
    assert outbox_events("order.cancelled")[0]["data"]["reason"] == "staff"


def test_another_customer_cannot_cancel_a_paid_order_and_a_shipped_one_cannot_be_cancelled(
    card: FakeCardProvider,
) -> None:
    order = paid_by_card()
    assert cancel(order.id, BOB)["statusCode"] == 404
    move(order.id, "processing")
    move(order.id, "shipped", carrier="UPS", tracking_number="1Z999")

    shipped = cancel(order.id, ADMIN)

    assert (shipped["statusCode"], problem(shipped)["current_status"]) == (409, "shipped")
    assert card.refund_keys == []
    assert counters("TEE-M") == (18, 0, 18)


def test_units_coming_back_to_a_sold_out_sku_stage_its_availability_change(card: FakeCardProvider) -> None:
    order = paid_by_card("SOLO", units=2, on_hand=2)
    assert counters("SOLO") == (0, 0, 0)

    assert cancel(order.id)["statusCode"] == 200

    assert counters("SOLO") == (2, 0, 2)
    back_in_stock = [e["data"]["available"] for e in availability_events("SOLO") if e["data"]["in_stock"]]
    assert back_in_stock == [2]


def test_a_cancellation_that_loses_to_a_move_after_stripe_refunded_still_records_the_refund(
    card: FakeCardProvider,
) -> None:
    order = paid_by_card()

    def manager_moves_it_on() -> None:  # while Stripe refunds: the owner may no longer cancel it
        fulfilment.transition(order.id, "processing", by=MANAGER[0], card=card)

    card.while_refunding = manager_moves_it_on

    response = cancel(order.id)

    assert (response["statusCode"], problem(response)["current_status"]) == (409, "refunded")
    stored = body_of(call("GET", f"/v1/orders/{order.id}", ANN))
    assert (stored["status"], stored["refunded_total"]) == ("refunded", 2500)
    assert [r["provider_refund_id"] for r in stored["refunds"]] == ["re_1"]  # the money that went back is recorded
    assert card.refunds == [(f"pi_{order.id}", 2500, f"order-{order.id}-refund-1")]
    assert counters("TEE-M") == (18, 0, 18)  # not cancelled: the units stay with the order
    assert outbox_events("order.cancelled") == []
    assert len(outbox_events("order.refunded")) == 1
