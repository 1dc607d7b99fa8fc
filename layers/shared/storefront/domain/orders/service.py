"""Orders as their owner and the staff see them: one order, the lists, and cancelling one.

A customer reaches only their own orders: another's id is the same 404 as an unknown one,
so an order's existence never leaks. Staff (manager, admin) reach every order.
"""

from __future__ import annotations

from typing import Any

from storefront.data import orders
from storefront.domain.errors import Forbidden, NotFound
from storefront.domain.orders import lifecycle, refunds
from storefront.domain.orders.entities import Order, OrderStatus
from storefront.domain.pages import Slice
from storefront.payments.port import PaymentProvider

NO_ORDER = "No such order."


def get_order(order_id: str, *, viewer: str, staff: bool) -> Order:
    """The order, read consistently; 404 when it is unknown or another customer's."""
    return _read_for(order_id, viewer, staff)[0]


def _read_for(order_id: str, viewer: str, staff: bool) -> tuple[Order, int]:
    read = orders.read_order(order_id)
    if read is None or (not staff and read[0].user_id != viewer):
        raise NotFound(NO_ORDER)
    return read


def list_orders(
    *,
    viewer: str,
    staff: bool,
    user_id: str | None,
    status: OrderStatus | None,
    limit: int,
    start: dict[str, Any] | None,
) -> Slice[Order]:
    """Newest first, each list one Query: a customer's own (GSI1); staff's by customer (GSI1), by
    status (GSI2), or every order (GSI3, then the page's orders read in one BatchGetItem)."""
    if not staff:
        if user_id not in (None, viewer):
            raise Forbidden("Customers list only their own orders: leave `user_id` out.")
        return orders.orders_of_user(viewer, limit, start, status)
    if user_id is not None:
        return orders.orders_of_user(user_id, limit, start, status)
    if status is not None:
        return orders.orders_in_status(status, limit, start)
    return orders.all_orders(limit, start)


def cancel(order_id: str, *, viewer: str, staff: bool, card: PaymentProvider) -> Order:
    """Cancels an order for its owner (pending_payment, paid) or staff (also processing).

    An unpaid order's reserved stock is released; a paid one is refunded in full through
    its provider (`card` for a Stripe order) and its committed stock put back. A retried
    cancellation finds the order cancelled: 409 naming the state, never a second refund.
    """
    read = _read_for(order_id, viewer, staff)
    order = read[0]
    reason: lifecycle.CancelReason = "customer" if order.user_id == viewer else "staff"
    if order.status == "pending_payment":
        return lifecycle.cancel_unpaid(order_id, reason=reason, by=viewer, read=read)
    if order.status == "paid" or (staff and order.status == "processing"):
        return refunds.cancel_paid(order_id, by=viewer, reason=reason, staff=staff, card=card, read=read)
    raise lifecycle.cancel_refused(order, staff)
