"""Orders as their owner and the staff see them: one order, the lists, and cancelling an unpaid one.

A customer reaches only their own orders: another's id is the same 404 as an unknown one,
so an order's existence never leaks. Staff (manager, admin) reach every order.
"""

from __future__ import annotations

from typing import Any

from storefront.data import orders
from storefront.domain.errors import Conflict, FieldError, Forbidden, NotFound, Unprocessable
from storefront.domain.orders import lifecycle
from storefront.domain.orders.entities import TRANSITIONS, Order, OrderStatus
from storefront.domain.pages import Slice

NO_ORDER = "No such order."
PAID_CANCEL = (
    "This order is paid: cancelling it means refunding the payment in full, which this store "
    "cannot do yet. Contact the store to have it refunded."
)
STAFF_FILTERS = (
    "Staff list orders by `status` (every order in that state) or by `user_id` (one customer's "
    "orders), or both; a list of every order is not available yet."
)


def get_order(order_id: str, *, viewer: str, staff: bool) -> Order:
    """The order, read consistently; 404 when it is unknown or another customer's."""
    read = orders.read_order(order_id)
    if read is None or (not staff and read[0].user_id != viewer):
        raise NotFound(NO_ORDER)
    return read[0]


def list_orders(
    *,
    viewer: str,
    staff: bool,
    user_id: str | None,
    status: OrderStatus | None,
    limit: int,
    start: dict[str, Any] | None,
) -> Slice[Order]:
    """Newest first, each list one Query: a customer's own (GSI1), or staff's by status (GSI2) or customer."""
    if not staff:
        if user_id not in (None, viewer):
            raise Forbidden("Customers list only their own orders: leave `user_id` out.")
        return orders.orders_of_user(viewer, limit, start, status)
    if user_id is not None:
        return orders.orders_of_user(user_id, limit, start, status)
    if status is not None:
        return orders.orders_in_status(status, limit, start)
    errors = [FieldError(("status",), "give status or user_id"), FieldError(("user_id",), "give user_id or status")]
    raise Unprocessable(STAFF_FILTERS, errors=errors)


def cancel(order_id: str, *, viewer: str, staff: bool) -> Order:
    """Cancels an unpaid order and releases its stock (the owner or staff).

    A paid order's cancellation refunds it, which needs refunds: a 409 until they exist.
    The owner may cancel only while `pending_payment` or `paid` (the contract's table).
    """
    order = get_order(order_id, viewer=viewer, staff=staff)
    if order.status == "paid" or (staff and order.status == "processing"):
        raise Conflict(PAID_CANCEL, current_status=order.status)
    if order.status != "pending_payment":
        allowed = [] if order.status == "processing" else list(TRANSITIONS[order.status])
        raise Conflict(
            f"An order in {order.status} cannot be cancelled{'' if staff else ' by its owner'}.",
            current_status=order.status,
            allowed=allowed,
        )
    reason: lifecycle.CancelReason = "customer" if order.user_id == viewer else "staff"
    return lifecycle.cancel_unpaid(order_id, reason=reason, by=viewer)
