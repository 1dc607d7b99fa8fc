"""Staff moves of an order along the contract's state table (`POST /v1/orders/{id}/transitions`).

`paid` records a manual order's payment (bank transfer, cash on delivery) through the
lifecycle, which commits the reserved stock; a card order is paid only by Stripe's word.
`processing`, `shipped` (with the parcel's tracking) and `delivered` are each one
transaction: the order's change conditioned on the revision read, and its outbox event.
A cancelled transaction means the order moved meanwhile: it is read again and the move
decided again, so of two managers racing one transition one wins and the other gets
the 409 of the state that won. `cancelled` is the staff's cancellation (a paid order's
refunds it, `card` being Stripe); `refunded` is reached only by refunding the whole
amount (domain/orders/refunds.py), never by a transition.
"""

from __future__ import annotations

import random
import time

from pynamodb.transactions import TransactWrite

from storefront.data import orders
from storefront.data.outbox import stage_events
from storefront.data.table import committed
from storefront.domain import clock
from storefront.domain.errors import Conflict, FieldError, NotFound, ServiceUnavailable, Unprocessable
from storefront.domain.orders import lifecycle, service
from storefront.domain.orders.entities import TRANSITIONS, Order, OrderStatus, can_move
from storefront.domain.orders.tracking import tracking_of
from storefront.events.orders import FulfilmentEvent, OrderDelivered, OrderProcessing, OrderShipped
from storefront.observability import module_logger
from storefront.payments.port import PaymentProvider

ATTEMPTS = 6
_EVENTS: dict[OrderStatus, type[FulfilmentEvent]] = {
    "processing": OrderProcessing,
    "shipped": OrderShipped,
    "delivered": OrderDelivered,
}
CARD_PAID_BY_STRIPE = (
    "A card order is paid only through Stripe: its payment is recorded when Stripe reports it, never by hand."
)
REFUND_NOT_TRANSITION = (
    "An order becomes refunded when its whole amount is refunded, not by a transition: "
    "an admin refunds it with POST /v1/orders/{order_id}/refunds."
)

_logger = module_logger()


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.01 * 2 ** min(attempt, 5)))  # noqa: S311 - jitter, not crypto


def _read(order_id: str) -> tuple[Order, int]:
    read = orders.read_order(order_id)
    if read is None:
        raise NotFound(service.NO_ORDER)
    return read


def _check_parcel(to: OrderStatus, carrier: str | None, tracking_number: str | None) -> None:
    """`shipped` needs both the carrier and the tracking number; any other move takes neither."""
    if to == "shipped":
        missing = [name for name, value in (("carrier", carrier), ("tracking_number", tracking_number)) if not value]
        if missing:
            errors = [FieldError((name,), "required to ship the order", "missing") for name in missing]
            raise Unprocessable("Shipping an order needs its `carrier` and `tracking_number`.", errors=errors)
        return
    given = [name for name, value in (("carrier", carrier), ("tracking_number", tracking_number)) if value is not None]
    if given:
        errors = [FieldError((name,), "only for a move to shipped", "extra_forbidden") for name in given]
        raise Unprocessable("`carrier` and `tracking_number` are only for a move to `shipped`.", errors=errors)


def _record_manual_payment(order_id: str, by: str) -> Order:
    read = _read(order_id)
    order = read[0]
    if order.status != "pending_payment":
        raise lifecycle.not_allowed(order, "paid")
    if order.payment.provider != "manual":
        raise Conflict(CARD_PAID_BY_STRIPE, current_status=order.status, payment_provider=order.payment.provider)
    outcome = lifecycle.pay(order_id, by=by, read=read)
    if outcome.result == "paid" and outcome.order is not None:
        return outcome.order
    if outcome.order is None:
        raise NotFound(service.NO_ORDER)
    raise lifecycle.not_allowed(outcome.order, "paid")  # another request moved it first


def _moved(order: Order, to: OrderStatus, now: int, by: str, carrier: str | None, number: str | None) -> Order:
    if to == "shipped" and carrier is not None and number is not None:
        return order.moved(to, now, by, tracking=tracking_of(carrier, number))
    return order.moved(to, now, by)


def _committed_move(before: Order, revision: int, after: Order, now: int) -> bool:
    """The order's change and its event, one transaction; False when the order moved since it was read."""

    def write_all(write: TransactWrite) -> None:
        orders.add_order_change(write, before, revision, after)
        stage_events(write, [_EVENTS[after.status].of(after)], now)

    return committed(write_all)


def _fulfil(order_id: str, to: OrderStatus, by: str, carrier: str | None, number: str | None) -> Order:
    for attempt in range(ATTEMPTS):
        order, revision = _read(order_id)
        if not can_move(order.status, to):
            raise lifecycle.not_allowed(order, to)
        now = clock.now()
        after = _moved(order, to, now, by, carrier, number)
        if _committed_move(order, revision, after, now):
            _logger.info("order moved", extra={"order_id": order_id, "from": order.status, "to": to, "by": by})
            return after
        _backoff(attempt)
    raise ServiceUnavailable("The order kept changing while it was being moved; retry.", retry_after=1)


def transition(
    order_id: str,
    to: OrderStatus,
    *,
    by: str,
    card: PaymentProvider,
    carrier: str | None = None,
    tracking_number: str | None = None,
) -> Order:
    """Moves the order to `to` for a staff member `by`; a move the table does not have is a 409
    naming `current_status` and the `allowed` targets."""
    _check_parcel(to, carrier, tracking_number)
    if to == "paid":
        return _record_manual_payment(order_id, by)
    if to == "cancelled":
        return service.cancel(order_id, viewer=by, staff=True, card=card)
    if to == "refunded":
        order, _ = _read(order_id)
        raise Conflict(REFUND_NOT_TRANSITION, current_status=order.status, allowed=list(TRANSITIONS[order.status]))
    return _fulfil(order_id, to, by, carrier, tracking_number)
