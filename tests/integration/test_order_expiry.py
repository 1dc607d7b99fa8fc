"""Order expiry: unpaid orders past their deadline are cancelled and release their stock,
unless Stripe says their payment succeeded (a lost webhook) or cannot say (left pending)."""

from __future__ import annotations

import pytest

from storefront.data import orders
from storefront.domain import clock
from storefront.domain.orders import expiry, lifecycle
from tests.integration.inventory_calls import put_stock
from tests.integration.payments_calls import (
    FakeCardProvider,
    counters,
    events_of,
    expiry_function,
    place,
    run_expiry,
    stored,
)

pytestmark = pytest.mark.usefixtures("aws")

OVERDUE = 1800 + 60  # placed this long ago, an order is a minute past its payment deadline


@pytest.fixture
def card(monkeypatch: pytest.MonkeyPatch) -> FakeCardProvider:
    provider = FakeCardProvider()
    monkeypatch.setattr(expiry_function, "payment_provider", lambda name: provider)
    return provider


def placed_ago(seconds: int) -> int:
    return clock.now() - seconds


def test_an_unpaid_order_past_its_deadline_is_cancelled_and_its_stock_released(card: FakeCardProvider) -> None:
    put_stock("TEE-M", 10)
    order = place("01JORDEREXPIRY00000MANUAL1", {"TEE-M": 3}, manual=True, placed_at=placed_ago(OVERDUE))
    assert counters("TEE-M") == (10, 3, 7)

    assert run_expiry() == {"cancelled": 1, "paid": 0, "left": 0}

    cancelled = stored(order.id)
    assert (cancelled.status, cancelled.payment.status) == ("cancelled", "cancelled")
    assert (cancelled.history[-1].status, cancelled.history[-1].by) == ("cancelled", "system")
    assert counters("TEE-M") == (10, 0, 10)
    (event,) = events_of("order.cancelled")
    assert (event["data"]["order_id"], event["data"]["reason"]) == (order.id, "expired")
    assert card.retrieved == []  # a manual order has no payment to ask about


def test_an_order_within_its_deadline_is_left_and_stops_the_run(card: FakeCardProvider) -> None:
    put_stock("MUG", 10)
    due = place("01JORDEREXPIRY0000000DUE01", {"MUG": 1}, manual=True, placed_at=placed_ago(OVERDUE))
    fresh = place("01JORDEREXPIRY0000000FRESH", {"MUG": 2}, manual=True, placed_at=placed_ago(60))

    assert run_expiry() == {"cancelled": 1, "paid": 0, "left": 0}

    assert stored(due.id).status == "cancelled"
    assert stored(fresh.id).status == "pending_payment"
    assert counters("MUG") == (10, 2, 8)


def test_a_card_order_whose_payment_succeeded_is_paid_instead(card: FakeCardProvider) -> None:
    put_stock("CAP", 10)
    order = place("01JORDEREXPIRY0000LOSTHOOK", {"CAP": 2}, intent_id="pi_lost", placed_at=placed_ago(OVERDUE))
    card.intent(order, "succeeded")

    assert run_expiry() == {"cancelled": 0, "paid": 1, "left": 0}

    paid = stored(order.id)
    assert (paid.status, paid.payment.status, paid.history[-1].by) == ("paid", "paid", "stripe")
    assert counters("CAP") == (8, 0, 8)
    assert [event["data"]["order_id"] for event in events_of("order.paid")] == [order.id]
    assert events_of("order.cancelled") == []
    assert card.cancelled == []


def test_a_card_order_not_paid_is_cancelled_with_its_payment_intent(card: FakeCardProvider) -> None:
    put_stock("SOCK", 10)
    order = place("01JORDEREXPIRY000000UNPAID", {"SOCK": 4}, intent_id="pi_unpaid", placed_at=placed_ago(OVERDUE))
    card.intent(order, "requires_payment_method")

    assert run_expiry() == {"cancelled": 1, "paid": 0, "left": 0}

    assert stored(order.id).status == "cancelled"
    assert card.cancelled == ["pi_unpaid"]
    assert counters("SOCK") == (10, 0, 10)


def test_card_orders_are_left_pending_while_the_provider_is_down_and_expire_once_it_answers(
    card: FakeCardProvider,
) -> None:
    put_stock("HAT", 10)
    first = place("01JORDEREXPIRY00000DOWN001", {"HAT": 1}, intent_id="pi_down_1", placed_at=placed_ago(OVERDUE + 2))
    second = place("01JORDEREXPIRY00000DOWN002", {"HAT": 1}, intent_id="pi_down_2", placed_at=placed_ago(OVERDUE + 1))
    manual = place("01JORDEREXPIRY00000DOWN003", {"HAT": 1}, manual=True, placed_at=placed_ago(OVERDUE))
    card.intent(first, "requires_payment_method")
    card.intent(second, "succeeded")
    card.down = True

    assert run_expiry() == {"cancelled": 1, "paid": 0, "left": 2}

    assert (stored(first.id).status, stored(second.id).status) == ("pending_payment", "pending_payment")
    assert stored(manual.id).status == "cancelled"  # nothing to ask about: it expires anyway
    assert card.retrieved == ["pi_down_1"]  # asked once, then left alone for this run
    assert counters("HAT") == (10, 2, 8)

    card.down = False
    assert run_expiry() == {"cancelled": 1, "paid": 1, "left": 0}
    assert (stored(first.id).status, stored(second.id).status) == ("cancelled", "paid")


def test_a_run_is_bounded_and_the_rest_waits_for_the_next(card: FakeCardProvider) -> None:
    put_stock("PEN", 10)
    for index in range(3):
        place(f"01JORDEREXPIRY00000BOUND0{index}", {"PEN": 1}, manual=True, placed_at=placed_ago(OVERDUE + 3 - index))

    first = expiry.expire_due_orders(clock.now(), lambda: card, max_orders=2)
    second = expiry.expire_due_orders(clock.now(), lambda: card, max_orders=2)

    assert (first.cancelled, second.cancelled) == (2, 1)
    assert counters("PEN") == (10, 0, 10)


def test_an_order_paid_after_the_index_listed_it_is_not_cancelled(
    card: FakeCardProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    put_stock("INK", 10)
    order = place("01JORDEREXPIRY000000RACED1", {"INK": 1}, manual=True, placed_at=placed_ago(OVERDUE))
    listed = list(orders.unpaid_oldest_first())  # what a lagging index still says
    lifecycle.pay(order.id, by="manager")
    monkeypatch.setattr(orders, "unpaid_oldest_first", lambda: iter(listed))

    assert run_expiry() == {"cancelled": 0, "paid": 0, "left": 0}

    assert stored(order.id).status == "paid"
    assert counters("INK") == (9, 0, 9)
    assert events_of("order.cancelled") == []


def test_orders_expire_in_deadline_order_not_in_the_order_their_checkouts_were_opened(card: FakeCardProvider) -> None:
    # A checkout opened first but completed late has the older id and the later deadline.
    put_stock("HAT", 10)
    late = place("01JORDEREXPIRY00000000LATE", {"HAT": 1}, manual=True, placed_at=placed_ago(60))
    early = place("01JORDEREXPIRY00000000ZOLD", {"HAT": 2}, manual=True, placed_at=placed_ago(OVERDUE))

    assert run_expiry() == {"cancelled": 1, "paid": 0, "left": 0}

    assert (stored(early.id).status, stored(late.id).status) == ("cancelled", "pending_payment")
    assert counters("HAT") == (10, 1, 9)


def test_a_card_payment_still_processing_is_left_for_a_later_run(card: FakeCardProvider) -> None:
    put_stock("BAG", 10)
    order = place("01JORDEREXPIRY000000DEBIT1", {"BAG": 1}, intent_id="pi_debit", placed_at=placed_ago(OVERDUE))
    card.intent(order, "processing")  # a bank debit settles in days

    assert run_expiry() == {"cancelled": 0, "paid": 0, "left": 1}

    assert stored(order.id).status == "pending_payment"
    assert card.cancelled == []
