"""Stock held by orders: reserved at completion, committed by payment, released by cancellation.

The orders are written directly through the data layer (checkout's own tests drive the
route); what is checked here is the stock arithmetic, its invariants and its events.
"""

from __future__ import annotations

import pytest

from storefront.data import orders, stock_reservations
from storefront.data.inventory import get_stock
from storefront.data.outbox import stage_events
from storefront.data.table import transaction
from storefront.domain.errors import Conflict
from storefront.domain.inventory.service import crossing_events
from storefront.domain.orders import lifecycle
from storefront.domain.orders.entities import ChosenShipping, Order, OrderLine, OrderPayment, PostalAddress
from storefront.events.base import DomainEvent
from tests.integration.inventory_calls import availability_events, low_stock_events, outbox_events, put_stock

pytestmark = pytest.mark.usefixtures("aws")

ADDRESS = PostalAddress("Ann Lee", "1 Main St", None, "Springfield", None, "12345", "US", None)
STANDARD = ChosenShipping("standard", "Standard", "Standard", 500, 3, 7)


def place(order_id: str, lines: dict[str, int], *, now: int = 1_800_000_000) -> Order:
    """An order in pending_payment with its stock reserved, as checkout completion writes it."""
    order = Order(
        id=order_id,
        number=orders.new_order_number(),
        user_id="01JDQ7Z8X9K2M3N4P5Q6CUSTOMR",
        status="pending_payment",
        items=tuple(OrderLine(sku, "P1", "Tee", {}, quantity, 1000) for sku, quantity in lines.items()),
        shipping_total=500,
        currency="USD",
        shipping_address=ADDRESS,
        billing_address=ADDRESS,
        shipping_method=STANDARD,
        payment=OrderPayment("manual"),
        created_at=now,
        updated_at=now,
        payment_deadline=now + 1800,
    )
    levels = stock_reservations.read_levels(lines)
    events: list[DomainEvent] = []
    with transaction() as write:
        orders.add_order_creation(write, order)
        for sku, quantity in lines.items():
            after = stock_reservations.add_reservation(write, levels[sku], quantity, now)
            events += crossing_events(levels[sku], after)
        stage_events(write, events, now)
    return order


def counters(sku: str) -> tuple[int, int, int]:
    level = get_stock(sku)
    assert level is not None
    return level.on_hand, level.reserved, level.available


def test_a_reservation_holds_units_until_payment_commits_them() -> None:
    put_stock("TEE-M", 20)
    place("01JORDER00000000000000PAY1", {"TEE-M": 3})
    assert counters("TEE-M") == (20, 3, 17)

    outcome = lifecycle.pay("01JORDER00000000000000PAY1", by="stripe", intent_id="pi_1")

    assert outcome.result == "paid"
    assert counters("TEE-M") == (17, 0, 17)  # on_hand and reserved both drop
    assert [e["data"]["order_id"] for e in outbox_events("order.paid")] == ["01JORDER00000000000000PAY1"]
    assert lifecycle.pay("01JORDER00000000000000PAY1", by="stripe").result == "already_paid"
    assert counters("TEE-M") == (17, 0, 17)


def test_cancelling_an_unpaid_order_releases_its_units_and_crossing_back_into_stock_is_announced() -> None:
    put_stock("CAP", 4, threshold=2)
    place("01JORDER0000000000000CANC1", {"CAP": 4})
    assert counters("CAP") == (4, 4, 0)
    assert [e["data"]["in_stock"] for e in availability_events("CAP")] == [False]
    assert len(low_stock_events("CAP")) == 1  # 4 available over a threshold of 2 → 0: one crossing

    order = lifecycle.cancel_unpaid("01JORDER0000000000000CANC1", reason="expired", by="system")

    assert order.status == "cancelled"
    assert counters("CAP") == (4, 0, 4)
    assert sorted(e["data"]["in_stock"] for e in availability_events("CAP")) == [False, True]  # sold out, back
    assert [e["data"]["reason"] for e in outbox_events("order.cancelled")] == ["expired"]
    stored = get_stock("CAP")
    assert stored is not None
    assert not stored.is_low


def test_a_paid_order_cannot_be_cancelled_as_unpaid_and_the_conflict_names_where_it_can_go() -> None:
    put_stock("MUG", 10)
    place("01JORDER0000000000000PAID2", {"MUG": 1})
    lifecycle.pay("01JORDER0000000000000PAID2", by="manager")

    with pytest.raises(Conflict) as refused:
        lifecycle.cancel_unpaid("01JORDER0000000000000PAID2", reason="customer", by="someone")

    assert refused.value.extra == {"current_status": "paid", "allowed": ["processing", "cancelled", "refunded"]}
    assert lifecycle.pay("01JORDER0000000000000PAID2", by="manager").result == "already_paid"


def test_a_stripe_event_is_applied_once_and_a_cancelled_order_is_not_payable() -> None:
    put_stock("SOCK", 10)
    place("01JORDER0000000000000EVNT1", {"SOCK": 2})
    place("01JORDER0000000000000EVNT2", {"SOCK": 2})
    lifecycle.cancel_unpaid("01JORDER0000000000000EVNT2", reason="expired", by="system")

    first = lifecycle.pay("01JORDER0000000000000EVNT1", by="stripe", stripe_event_id="evt_1")
    again = lifecycle.pay("01JORDER0000000000000EVNT1", by="stripe", stripe_event_id="evt_1")
    late = lifecycle.pay("01JORDER0000000000000EVNT2", by="stripe", stripe_event_id="evt_2")

    assert (first.result, again.result, late.result) == ("paid", "duplicate_event", "not_payable")
    assert counters("SOCK") == (8, 0, 8)
