"""Whether a review's author bought the product: the one place `verified_purchase` is decided.

The contract: true when the author has a paid order containing the product. "Paid" is
every state an order reaches once its payment succeeded and that still holds the sale:
paid, processing, shipped, delivered (a partial refund keeps the order in its state, so
a partly refunded order still counts). Unpaid (`pending_payment`), `cancelled` and fully
`refunded` orders do not.
"""

from __future__ import annotations

from typing import Any

from storefront.data import orders
from storefront.domain.orders.entities import Order, OrderStatus

PAID_STATUSES: frozenset[OrderStatus] = frozenset({"paid", "processing", "shipped", "delivered"})
# Orders read per Query: one page covers almost every customer; a frequent buyer takes a few.
PAGE_SIZE = 50


def _bought(order: Order, product_id: str) -> bool:
    return order.status in PAID_STATUSES and any(line.product_id == product_id for line in order.items)


def verified_purchase(user_id: str, product_id: str) -> bool:
    """True when `user_id` has a paid order with `product_id`: the author's orders, newest first.

    Reads ORDERS-OF-USER (GSI1) page by page and stops at the first paid order holding the
    product; never a Scan. The index is eventually consistent: an order paid a moment ago
    may still read as unpaid, and the review is then unverified until its next edit.
    """
    start: dict[str, Any] | None = None
    while True:
        page = orders.orders_of_user(user_id, PAGE_SIZE, start)
        if any(_bought(order, product_id) for order in page.items):
            return True
        if page.last_key is None:
            return False
        start = page.last_key
