"""Stripe's webhook: signed events applied once, in any order, never a paid cancelled order."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from storefront.domain.orders import lifecycle
from storefront.payments.credentials import credentials_cache
from tests.integration.inventory_calls import put_stock
from tests.integration.payments_calls import (
    FakeCardProvider,
    counters,
    deliver,
    events_of,
    failed,
    payments_function,
    place,
    stored,
    succeeded,
)
from tests.payments_support import intent_event, stripe_signature
from tests.support import problem

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def card(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeCardProvider]:
    provider = FakeCardProvider()
    monkeypatch.setattr(payments_function, "payment_provider", lambda name: provider)
    credentials_cache.clear()
    yield provider
    credentials_cache.clear()


def received(response: dict[str, object]) -> bool:
    return response["statusCode"] == 200 and json.loads(str(response["body"])) == {"received": True}


def test_a_success_pays_the_order_and_commits_its_stock_with_order_paid(card: FakeCardProvider) -> None:
    put_stock("TEE-M", 20)
    order = place("01JORDERWEBHOOK0000000PAID", {"TEE-M": 3}, intent_id="pi_paid")

    assert received(deliver(succeeded(order)))

    paid = stored(order.id)
    assert (paid.status, paid.payment.status, paid.payment.payment_intent_id) == ("paid", "paid", "pi_paid")
    assert [entry.by for entry in paid.history][-1] == "stripe"
    assert counters("TEE-M") == (17, 0, 17)  # on_hand and reserved both drop
    (event,) = events_of("order.paid")
    assert event["data"]["order_id"] == order.id
    assert (event["data"]["provider"], event["data"]["payment_intent_id"]) == ("stripe", "pi_paid")


def test_a_success_delivered_twice_or_as_base64_is_applied_once(card: FakeCardProvider) -> None:
    put_stock("MUG", 10)
    order = place("01JORDERWEBHOOK000000TWICE", {"MUG": 2}, intent_id="pi_twice")
    payload = succeeded(order, event_id="evt_twice")

    assert received(deliver(payload))
    assert received(deliver(payload, base64_body=True))

    assert counters("MUG") == (8, 0, 8)
    assert len(events_of("order.paid")) == 1


def test_a_failure_after_the_success_leaves_the_order_paid_and_emits_nothing(card: FakeCardProvider) -> None:
    put_stock("CAP", 10)
    order = place("01JORDERWEBHOOK00000FAILED", {"CAP": 1}, intent_id="pi_late_failure")

    assert received(deliver(succeeded(order, event_id="evt_s")))
    assert received(deliver(failed(order, event_id="evt_f")))

    assert stored(order.id).status == "paid"
    assert stored(order.id).payment.status == "paid"
    assert events_of("payment.failed") == []


def test_a_failure_of_an_unpaid_order_emits_payment_failed_and_the_order_stays_payable(card: FakeCardProvider) -> None:
    put_stock("SOCK", 10)
    order = place("01JORDERWEBHOOK0000DECLINE", {"SOCK": 2}, intent_id="pi_declined")

    assert received(deliver(failed(order, event_id="evt_declined")))
    assert received(deliver(failed(order, event_id="evt_declined")))

    unpaid = stored(order.id)
    assert (unpaid.status, unpaid.payment.status) == ("pending_payment", "failed")
    (event,) = events_of("payment.failed")
    assert event["data"] == {
        "order_id": order.id,
        "user_id": order.user_id,
        "payment_intent_id": "pi_declined",
        "amount": order.total,
        "currency": "USD",
        "failure_code": "card_declined",
        "failure_message": "Your card was declined.",
    }
    assert counters("SOCK") == (10, 2, 8)  # still reserved

    assert received(deliver(succeeded(order, event_id="evt_retry_ok")))
    assert (stored(order.id).status, stored(order.id).payment.status) == ("paid", "paid")


def test_a_success_after_expiry_is_refunded_once_however_often_it_arrives(card: FakeCardProvider) -> None:
    put_stock("HAT", 5)
    order = place("01JORDERWEBHOOK00000EXPIRE", {"HAT": 2}, intent_id="pi_too_late")
    lifecycle.cancel_unpaid(order.id, reason="expired", by="system")
    payload = succeeded(order, event_id="evt_too_late")

    for _ in range(3):
        assert received(deliver(payload))

    assert card.refunds == [("pi_too_late", order.total, f"order-{order.id}-refund-1")]
    refunded = stored(order.id)
    assert (refunded.status, refunded.payment.status, refunded.refunded_total) == ("cancelled", "refunded", order.total)
    [record] = refunded.refunds
    assert (record.amount, record.reason, record.by, record.provider_refund_id) == (
        order.total,
        "paid_after_cancellation",
        "stripe",
        "re_1",
    )
    (event,) = events_of("order.refunded")
    assert (event["data"]["amount"], event["data"]["reason"]) == (order.total, "paid_after_cancellation")
    assert event["data"]["refund_id"] == "re_1"
    assert counters("HAT") == (5, 0, 5)  # released by the expiry, never committed
    assert events_of("order.paid") == []


def test_a_late_success_is_not_acknowledged_while_the_provider_cannot_refund(card: FakeCardProvider) -> None:
    put_stock("BAG", 5)
    order = place("01JORDERWEBHOOK0000REFDOWN", {"BAG": 1}, intent_id="pi_refund_down")
    lifecycle.cancel_unpaid(order.id, reason="expired", by="system")
    payload = succeeded(order, event_id="evt_refund_down")
    card.down = True

    response = deliver(payload)

    assert response["statusCode"] == 503  # Stripe delivers it again later
    assert response["headers"]["Retry-After"]
    assert stored(order.id).payment.status == "cancelled"
    card.down = False
    assert received(deliver(payload))
    assert len(card.refunds) == 1
    assert stored(order.id).payment.status == "refunded"


def test_a_bad_or_missing_signature_is_a_400_and_changes_nothing(card: FakeCardProvider) -> None:
    put_stock("PEN", 5)
    order = place("01JORDERWEBHOOK00000FORGED", {"PEN": 1}, intent_id="pi_forged")
    payload = succeeded(order, event_id="evt_forged")

    forged = deliver(payload, stripe_signature(payload, secret="whsec_an_attacker"))
    unsigned = deliver(payload, "")
    tampered = deliver(succeeded(order, event_id="evt_forged", amount=1), stripe_signature(payload))

    for response in (forged, unsigned, tampered):
        assert response["statusCode"] == 400
        assert problem(response)["type"].endswith("bad-signature")
    assert stored(order.id).status == "pending_payment"


def test_a_signature_older_than_300_seconds_is_a_400(card: FakeCardProvider) -> None:
    put_stock("INK", 5)
    order = place("01JORDERWEBHOOK000000STALE", {"INK": 1}, intent_id="pi_stale")
    payload = succeeded(order, event_id="evt_stale")

    response = deliver(payload, stripe_signature(payload, timestamp=int(time.time()) - 301))

    assert response["statusCode"] == 400
    assert stored(order.id).status == "pending_payment"


def test_an_event_type_not_used_is_acknowledged_and_does_nothing(card: FakeCardProvider) -> None:
    payload = json.dumps({"id": "evt_other", "object": "event", "type": "charge.refunded", "data": {"object": {}}})

    assert received(deliver(payload.encode()))

    assert events_of("order.paid") == events_of("payment.failed") == []


@pytest.mark.parametrize(
    ("amount", "currency", "order_id"),
    [(1, "usd", None), (None, "eur", None), (None, "usd", "01JORDERSOMEONEELSE0000000")],
    ids=["amount", "currency", "unknown-order"],
)
def test_a_success_that_does_not_match_its_order_is_acknowledged_and_the_order_stays_unpaid(
    card: FakeCardProvider, amount: int | None, currency: str, order_id: str | None
) -> None:
    put_stock("CUP", 5)
    order = place("01JORDERWEBHOOK00MISMATCH1", {"CUP": 1}, intent_id="pi_mismatch")
    payload = intent_event(
        event_id="evt_mismatch",
        intent_id="pi_mismatch",
        order_id=order_id or order.id,
        amount=order.total if amount is None else amount,
        currency=currency,
    )

    assert received(deliver(payload))

    assert stored(order.id).status == "pending_payment"
    assert counters("CUP") == (5, 1, 4)
    assert events_of("order.paid") == []
    assert card.refunds == []


def test_a_signed_body_that_is_not_a_stripe_event_is_a_400(card: FakeCardProvider) -> None:
    response = deliver(b'{"hello": "world"}')

    assert response["statusCode"] == 400
