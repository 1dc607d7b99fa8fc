"""A review's `verified_purchase`: true when its author has a paid order containing the product.

The orders are placed as checkout completion writes them and moved by the orders function
(a manager marks a manual order paid, ships it; the owner cancels), then the review is
posted through the reviews function.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from storefront.data import orders, stock_reservations
from storefront.data.table import transaction
from storefront.domain.orders.entities import Order, OrderLine, OrderPayment
from storefront.ids import new_ulid
from tests.integration import orders_calls
from tests.integration.inventory_calls import dynamodb_requests, put_stock
from tests.integration.orders_calls import ADDRESS, MANAGER, PLACED_AT, STANDARD, UNIT_PRICE, move
from tests.integration.reviews_calls import ALICE, BOB, body_of, post, product

pytestmark = pytest.mark.usefixtures("aws")

_skus = itertools.count(1)
_seconds = itertools.count(1)


def buy(user: tuple[str, str], product_id: str) -> Order:
    """An order of one unit of `product_id` in pending_payment, its stock reserved, as completion writes it."""
    sku = f"VERIFIED-{next(_skus)}"
    put_stock(sku, 10, product_id=product_id)
    at = PLACED_AT + next(_seconds)
    order = Order(
        id=new_ulid(at * 1000),
        number=orders.new_order_number(),
        user_id=user[0],
        status="pending_payment",
        items=(OrderLine(sku, product_id, "Reviewed shoe", {}, 1, UNIT_PRICE),),
        shipping_total=STANDARD.amount,
        currency="USD",
        shipping_address=ADDRESS,
        billing_address=ADDRESS,
        shipping_method=STANDARD,
        payment=OrderPayment("manual"),
        created_at=at,
        updated_at=at,
        payment_deadline=at + 1800,
    )
    levels = stock_reservations.read_levels({sku: 1})
    with transaction() as write:
        orders.add_order_creation(write, order)
        stock_reservations.add_reservation(write, levels[sku], 1, at)
    return order


def moved(order: Order, *steps: str) -> None:
    for to in steps:
        parcel = {"carrier": "UPS", "tracking_number": "1Z999"} if to == "shipped" else {}
        response = move(order.id, to, MANAGER, **parcel)
        assert response["statusCode"] == 200, response


def verified(product_id: str, user: tuple[str, str]) -> bool:
    response = post(product_id, user)
    assert response["statusCode"] == 201, response
    return bool(body_of(response)["verified_purchase"])


@pytest.mark.parametrize(
    "steps", [("paid",), ("paid", "processing"), ("paid", "processing", "shipped", "delivered")], ids=lambda s: s[-1]
)
def test_a_buyer_with_a_paid_order_of_the_product_posts_a_verified_review(steps: tuple[str, ...]) -> None:
    product_id = product()
    moved(buy(ALICE, product_id), *steps)

    assert verified(product_id, ALICE) is True


def test_an_unpaid_or_cancelled_order_does_not_verify_the_review() -> None:
    unpaid, cancelled = product(), product()
    buy(ALICE, unpaid)
    order = buy(ALICE, cancelled)
    response = orders_calls.call("POST", f"/v1/orders/{order.id}/cancel", ALICE)
    assert response["statusCode"] == 200, response

    assert (verified(unpaid, ALICE), verified(cancelled, ALICE)) == (False, False)


def test_a_fully_refunded_order_does_not_verify_the_review() -> None:
    product_id = product()
    order = buy(ALICE, product_id)
    moved(order, "paid")
    read = orders.read_order(order.id)
    assert read is not None
    paid, revision = read
    refunded = paid.moved("refunded", paid.updated_at + 1, "admin", refunded_total=paid.total)
    refunded = replace(refunded, payment=replace(paid.payment, status="refunded"))
    with transaction() as write:  # as a full refund records it (the refunds route is another change)
        orders.add_order_change(write, paid, revision, refunded)

    assert verified(product_id, ALICE) is False


def test_a_paid_order_of_another_product_or_by_another_customer_does_not_verify() -> None:
    bought, reviewed = product(), product()
    moved(buy(ALICE, bought), "paid")

    assert verified(reviewed, ALICE) is False
    assert verified(bought, BOB) is False


def test_the_purchase_is_found_on_a_later_page_of_the_authors_orders_with_queries_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    product_id, other = product(), product()
    moved(buy(ALICE, product_id), "paid")
    for _ in range(3):  # newer orders of another product push the purchase to the last page
        moved(buy(ALICE, other), "paid")
    monkeypatch.setattr("storefront.domain.reviews.purchases.PAGE_SIZE", 2)

    with dynamodb_requests(monkeypatch) as requests:
        assert verified(product_id, ALICE) is True

    assert requests.count("Query") >= 2
    assert "Scan" not in requests
