"""What a refund records on an order, and the key it is sent under (pure: no table, no provider)."""

from __future__ import annotations

import pytest

from storefront.domain.orders.entities import ChosenShipping, Order, OrderLine, OrderPayment, PostalAddress
from storefront.domain.orders.refund_records import next_refund_key, refund_key, refunded

ADDRESS = PostalAddress("Ann Lee", "1 Main St", None, "Springfield", None, "12345", "US", None)


def _order(status: str = "paid") -> Order:
    return Order(
        id="01JORDER",
        number="ABCD2345",
        user_id="01JUSER",
        status=status,  # type: ignore[arg-type]
        items=(OrderLine("TEE", "P1", "Tee", {}, 2, 1000),),
        shipping_total=500,
        currency="USD",
        shipping_address=ADDRESS,
        billing_address=ADDRESS,
        shipping_method=ChosenShipping("standard", "Standard", "Standard", 500, 3, 7),
        payment=OrderPayment("stripe", "paid", "pi_1"),
        created_at=1_800_000_000,
        updated_at=1_800_000_000,
        payment_deadline=1_800_001_800,
    )


def test_each_refund_of_an_order_has_its_own_key_numbered_from_one() -> None:
    order = _order()
    assert next_refund_key(order) == refund_key("01JORDER", 1) == "order-01JORDER-refund-1"
    once = refunded(order, 700, "late", 1_800_000_100, "01JADMIN", "re_1")
    assert next_refund_key(once) == "order-01JORDER-refund-2"


def test_a_partial_refund_keeps_the_state_and_marks_the_payment_partially_refunded() -> None:
    after = refunded(_order("shipped"), 700, "late", 1_800_000_100, "01JADMIN", "re_1")

    assert (after.status, after.payment.status, after.refunded_total) == ("shipped", "partially_refunded", 700)
    assert after.history == ()
    assert after.updated_at == 1_800_000_100
    [record] = after.refunds
    assert (record.amount, record.reason, record.by, record.provider_refund_id) == (700, "late", "01JADMIN", "re_1")


@pytest.mark.parametrize("status", ["paid", "processing", "shipped", "delivered"])
def test_the_refund_reaching_the_total_moves_the_order_to_refunded_with_its_history_entry(status: str) -> None:
    first = refunded(_order(status), 700, "late", 1_800_000_100, "01JADMIN", "re_1")
    rest = refunded(first, 1800, "lost", 1_800_000_200, "01JADMIN", None)

    assert (rest.status, rest.payment.status, rest.refunded_total) == ("refunded", "refunded", 2500)
    assert [(entry.status, entry.at, entry.by) for entry in rest.history] == [("refunded", 1_800_000_200, "01JADMIN")]
    assert [r.amount for r in rest.refunds] == [700, 1800]
    assert rest.payment.payment_intent_id == "pi_1"
