"""Admins' refunds (`POST /v1/orders/{id}/refunds`): through Stripe for a card order, recorded for a
manual one, partial then full, never more than was paid, never twice when requests race."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from types import ModuleType
from typing import Any

import pytest

from storefront.domain.orders import fulfilment, lifecycle
from storefront.domain.orders.entities import Order
from tests.integration.inventory_calls import outbox_events, put_stock
from tests.integration.orders_calls import (
    ADMIN,
    ANN,
    MANAGER,
    body_of,
    call,
    environments,
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


def paid_by_card(units: int = 2, sku: str = "TEE-M") -> Order:
    """A card order Stripe paid: 1000 a unit plus 500 shipping."""
    put_stock(sku, 20)
    order = place_order(ANN[0], {sku: units}, provider="card")
    outcome = lifecycle.pay(order.id, by="stripe", intent_id=f"pi_{order.id}")
    assert outcome.result == "paid"
    assert outcome.order is not None
    return outcome.order


def refund(order_id: str, principal: tuple[str, str] = ADMIN, key: str | None = None, **body: Any) -> dict[str, Any]:
    headers = {"idempotency-key": key} if key is not None else None
    path = f"/v1/orders/{order_id}/refunds"
    return call("POST", path, principal, body={"reason": "damaged in transit", **body}, headers=headers)


def test_an_admin_refunds_a_card_order_in_full_through_stripe_and_it_becomes_refunded(card: FakeCardProvider) -> None:
    order = paid_by_card()

    response = refund(order.id)

    assert response["statusCode"] == 201, response
    body = body_of(response)
    assert (body["status"], body["payment"]["status"], body["refunded_total"]) == ("refunded", "refunded", 2500)
    [record] = body["refunds"]
    assert {key: record[key] for key in ("amount", "reason", "by", "provider_refund_id")} == {
        "amount": 2500,
        "reason": "damaged in transit",
        "by": ADMIN[0],
        "provider_refund_id": "re_1",
    }
    assert (body["history"][-1]["status"], body["history"][-1]["by"]) == ("refunded", ADMIN[0])
    assert card.refunds == [(f"pi_{order.id}", 2500, f"order-{order.id}-refund-1")]
    [event] = outbox_events("order.refunded")
    assert {key: event["data"][key] for key in ("number", "status", "amount", "total", "refunded_total")} == {
        "number": order.number,
        "status": "refunded",
        "amount": 2500,
        "total": 2500,
        "refunded_total": 2500,
    }
    assert body_of(call("GET", f"/v1/orders/{order.id}", ANN))["refunds"] == body["refunds"]


def test_a_partial_refund_keeps_the_state_and_the_next_refunds_the_rest_under_its_own_key(
    card: FakeCardProvider,
) -> None:
    order = paid_by_card()
    assert move(order.id, "processing")["statusCode"] == 200

    partial = refund(order.id, amount=700)
    rest = refund(order.id)

    assert [r["statusCode"] for r in (partial, rest)] == [201, 201]
    assert (body_of(partial)["status"], body_of(partial)["payment"]["status"]) == ("processing", "partially_refunded")
    assert body_of(partial)["refunded_total"] == 700
    assert (body_of(rest)["status"], body_of(rest)["refunded_total"]) == ("refunded", 2500)
    assert [r["amount"] for r in body_of(rest)["refunds"]] == [700, 1800]
    assert [key for _, _, key in card.refunds] == [f"order-{order.id}-refund-1", f"order-{order.id}-refund-2"]
    assert sorted(e["data"]["amount"] for e in outbox_events("order.refunded")) == [700, 1800]  # a scan: any order


def test_more_than_is_left_to_refund_is_a_422_and_nothing_is_sent(card: FakeCardProvider) -> None:
    order = paid_by_card()
    assert refund(order.id, amount=2000)["statusCode"] == 201

    over = refund(order.id, amount=501)

    assert over["statusCode"] == 422
    assert problem(over)["refundable"] == 500
    assert [error["loc"][-1] for error in problem(over)["errors"]] == ["amount"]
    assert len(card.refunds) == 1
    assert body_of(call("GET", f"/v1/orders/{order.id}", ANN))["refunded_total"] == 2000


@pytest.mark.parametrize(
    "body",
    [{"amount": 0}, {"amount": "500"}, {"amount": 1.5}, {"reason": ""}, {"reason": "x" * 501}, {"extra": 1}],
)
def test_a_bad_refund_body_is_a_422(card: FakeCardProvider, body: dict[str, Any]) -> None:
    order = paid_by_card()
    response = refund(order.id, **body)
    assert response["statusCode"] == 422, body
    assert card.refunds == []


def test_only_an_admin_refunds(card: FakeCardProvider) -> None:
    order = paid_by_card()

    assert refund(order.id, MANAGER)["statusCode"] == 403
    assert refund(order.id, ANN)["statusCode"] == 403  # its owner too
    assert refund("01JNOSUCHORDER000000000000")["statusCode"] == 404
    assert card.refunds == []


def test_refunds_from_a_state_without_a_payment_to_refund_are_409(card: FakeCardProvider) -> None:
    put_stock("TEE-M", 20)
    unpaid = place_order(ANN[0], {"TEE-M": 1})
    cancelled = place_order(ANN[0], {"TEE-M": 1})
    assert call("POST", f"/v1/orders/{cancelled.id}/cancel", ANN)["statusCode"] == 200
    refunded = paid_by_card(sku="CAP")
    assert refund(refunded.id)["statusCode"] == 201

    for order_id, status in ((unpaid.id, "pending_payment"), (cancelled.id, "cancelled"), (refunded.id, "refunded")):
        response = refund(order_id, amount=100)
        assert response["statusCode"] == 409, status
        assert problem(response)["current_status"] == status
        # `allowed` means what it means on every order 409: the state table's moves from here.
        assert problem(response)["refundable_from"] == ["paid", "processing", "shipped", "delivered"]
        assert problem(response)["allowed"] == {"pending_payment": ["paid", "cancelled"]}.get(status, [])
    assert len(card.refunds) == 1


def test_a_manual_orders_refund_is_recorded_not_sent(card: FakeCardProvider) -> None:
    put_stock("TEE-M", 20)
    order = place_order(ANN[0], {"TEE-M": 1})
    assert move(order.id, "paid")["statusCode"] == 200

    response = refund(order.id, amount=600)

    assert response["statusCode"] == 201
    assert body_of(response)["refunds"][0]["provider_refund_id"] is None
    assert body_of(response)["payment"]["status"] == "partially_refunded"
    assert card.refund_keys == []
    assert outbox_events("order.refunded")[0]["data"]["refund_id"] is None


def test_a_stripe_refund_key_already_used_for_another_amount_is_a_409_and_nothing_recorded(
    card: FakeCardProvider,
) -> None:
    order = paid_by_card()
    # Another request's refund #1 reached Stripe with another amount, and was never recorded.
    card.refunds.append((f"pi_{order.id}", 300, f"order-{order.id}-refund-1"))

    response = refund(order.id, amount=700)

    assert response["statusCode"] == 409
    assert problem(response)["type"].endswith("refund-key-reused")
    assert body_of(call("GET", f"/v1/orders/{order.id}", ANN))["refunds"] == []


def test_a_refund_stripe_cannot_take_now_is_a_503_and_its_retry_refunds_once(card: FakeCardProvider) -> None:
    order = paid_by_card()
    card.lose_next_refund_answer = True  # Stripe refunds, its answer is lost

    lost = refund(order.id, amount=900)
    retried = refund(order.id, amount=900)

    assert (lost["statusCode"], retried["statusCode"]) == (503, 201)
    assert card.refunds == [(f"pi_{order.id}", 900, f"order-{order.id}-refund-1")]
    assert card.refund_keys == [f"order-{order.id}-refund-1"] * 2
    assert [r["provider_refund_id"] for r in body_of(retried)["refunds"]] == ["re_1"]


def test_a_refund_whose_write_loses_to_a_move_asks_again_under_the_same_key_and_is_recorded_once(
    card: FakeCardProvider,
) -> None:
    order = paid_by_card()

    def manager_moves_it_on() -> None:  # while Stripe refunds: the order's revision changes
        fulfilment.transition(order.id, "processing", by=MANAGER[0], card=card)

    card.while_refunding = manager_moves_it_on

    response = refund(order.id, amount=700)

    assert response["statusCode"] == 201, response
    assert (body_of(response)["status"], body_of(response)["refunded_total"]) == ("processing", 700)
    assert card.refund_keys == [f"order-{order.id}-refund-1"] * 2  # decided again from the new state
    assert card.refunds == [(f"pi_{order.id}", 700, f"order-{order.id}-refund-1")]
    assert [r["provider_refund_id"] for r in body_of(response)["refunds"]] == ["re_1"]


@pytest.mark.usefixtures("isolated_transactions")
@pytest.mark.parametrize("method", ["card", "manual"])
def test_two_concurrent_refunds_of_what_is_left_give_one_201_and_one_refund(
    monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    card = FakeCardProvider()
    if method == "card":
        order = paid_by_card()
    else:
        put_stock("TEE-M", 20)
        order = place_order(ANN[0], {"TEE-M": 2})
        assert move(order.id, "paid")["statusCode"] == 200
    runtimes = environments(2)
    for environment in runtimes:
        monkeypatch.setattr(environment, "payment_provider", lambda name: card)

    def refund_in(environment: ModuleType) -> int:
        path = f"/v1/orders/{order.id}/refunds"
        return int(call("POST", path, ADMIN, body={"reason": "race"}, environment=environment)["statusCode"])

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(refund_in, runtimes))

    assert statuses[0] == 201, statuses
    assert statuses[1] in (409, 422), statuses
    stored = body_of(call("GET", f"/v1/orders/{order.id}", ANN))
    assert (len(stored["refunds"]), stored["refunded_total"], stored["status"]) == (1, 2500, "refunded")
    assert len(card.refunds) == (1 if method == "card" else 0)
    assert len(outbox_events("order.refunded")) == 1


@pytest.mark.parametrize("method", ["card", "manual"])
def test_a_refund_resent_with_its_idempotency_key_after_the_answer_is_answered_again_not_made_twice(
    card: FakeCardProvider, method: str
) -> None:
    order = paid_by_card() if method == "card" else _paid_by_hand()

    first = refund(order.id, key="refund-7f3a", amount=700)
    again = refund(order.id, key="refund-7f3a", amount=700)
    keyless_repeat = refund(order.id, amount=700)

    assert (first["statusCode"], again["statusCode"], keyless_repeat["statusCode"]) == (201, 201, 201)
    assert body_of(again)["refunds"] == body_of(first)["refunds"]
    assert body_of(keyless_repeat)["refunded_total"] == 1400  # without a key, a new refund each time
    assert len(card.refunds) == (2 if method == "card" else 0)
    assert len(outbox_events("order.refunded")) == 2


def test_the_same_idempotency_key_with_another_amount_or_reason_is_a_422_naming_its_refund(
    card: FakeCardProvider,
) -> None:
    order = paid_by_card()
    first = body_of(refund(order.id, key="k-1", amount=700))

    other_amount = refund(order.id, key="k-1", amount=800)
    other_reason = refund(order.id, key="k-1", amount=700, reason="changed mind")
    unnamed_amount = refund(order.id, key="k-1", amount=None)  # no amount: the refund the key made

    assert (other_amount["statusCode"], other_reason["statusCode"]) == (422, 422)
    assert problem(other_amount)["refund_id"] == first["refunds"][0]["id"]
    assert body_of(unnamed_amount)["refunds"] == first["refunds"]
    assert body_of(refund(order.id))["refunded_total"] == 2500
    assert len(card.refunds) == 2


def test_an_idempotency_key_is_the_callers_own_and_must_be_printable(card: FakeCardProvider) -> None:
    order = paid_by_card()
    other_admin = ("01JDQ7Z8X9K2M3N4P5Q6ADMIN2", "admin")

    assert refund(order.id, key="shared", amount=500)["statusCode"] == 201
    assert refund(order.id, other_admin, key="shared", amount=500)["statusCode"] == 201  # another admin's key
    assert body_of(call("GET", f"/v1/orders/{order.id}", ADMIN))["refunded_total"] == 1000
    assert refund(order.id, key="é" * 3, amount=500)["statusCode"] == 422
    assert refund(order.id, key="x" * 256, amount=500)["statusCode"] == 422


@pytest.mark.usefixtures("isolated_transactions")
def test_the_same_keyed_refund_sent_twice_at_once_makes_one_refund_and_two_201s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    card = FakeCardProvider()
    order = paid_by_card()
    runtimes = environments(2)
    for environment in runtimes:
        monkeypatch.setattr(environment, "payment_provider", lambda name: card)

    def refund_in(environment: ModuleType) -> dict[str, Any]:
        path = f"/v1/orders/{order.id}/refunds"
        body, headers = {"reason": "race", "amount": 900}, {"idempotency-key": "once"}
        return call("POST", path, ADMIN, body=body, headers=headers, environment=environment)

    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(refund_in, runtimes))

    assert [r["statusCode"] for r in responses] == [201, 201], responses
    assert body_of(responses[0])["refunds"] == body_of(responses[1])["refunds"]
    stored = body_of(call("GET", f"/v1/orders/{order.id}", ANN))
    assert (len(stored["refunds"]), stored["refunded_total"]) == (1, 900)
    assert len(outbox_events("order.refunded")) == 1


def _paid_by_hand() -> Order:
    put_stock("TEE-M", 20)
    order = place_order(ANN[0], {"TEE-M": 2})
    assert move(order.id, "paid")["statusCode"] == 200
    return order
