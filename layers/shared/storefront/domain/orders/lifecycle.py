"""The moves of an order that touch its stock: payment (commit) and cancellation while unpaid (release).

Each move is one transaction: the order's change conditioned on the revision it read, one
stock Update per SKU, and the outbox item of its events (a Stripe event's claim too, when
the move applies one). A cancelled transaction means something moved since the read: read
again and decide again, so two racing moves never both win and the loser answers from
the state that won.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace
from typing import Literal, cast

from pynamodb.exceptions import TransactWriteError

from storefront.data import orders, stock_reservations, users
from storefront.data.outbox import stage_events
from storefront.data.table import transaction
from storefront.domain import clock
from storefront.domain.errors import Conflict, NotFound, ServiceUnavailable
from storefront.domain.inventory.service import crossing_events
from storefront.domain.orders.entities import TRANSITIONS, Order, OrderPayment, OrderStatus
from storefront.domain.orders.refund_records import refund_changes
from storefront.events.base import DomainEvent
from storefront.events.orders import OrderCancelled, OrderPaid, OrderRefunded
from storefront.observability import module_logger

logger = module_logger()

ATTEMPTS = 6
PAID_STATES: frozenset[OrderStatus] = frozenset({"paid", "processing", "shipped", "delivered", "refunded"})

LATE_PAYMENT = "paid_after_cancellation"  # the reason of a late payment's automatic refund
CancelReason = Literal["expired", "customer", "staff"]


@dataclass(frozen=True)
class PayOutcome:
    """What a payment did: `paid` (this call), `already_paid`, `not_payable` (cancelled),
    `duplicate_event` (this Stripe event was applied before) or `unknown_order`."""

    result: Literal["paid", "already_paid", "not_payable", "duplicate_event", "unknown_order"]
    order: Order | None


def backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.01 * 2 ** min(attempt, 5)))  # noqa: S311 - jitter, not crypto


def _cancelled(error: TransactWriteError) -> bool:
    """A condition failed or a concurrent transaction held an item: read again and retry."""
    return error.cause_response_code == "TransactionCanceledException"


def not_allowed(order: Order, to: OrderStatus) -> Conflict:
    """The 409 of a transition the state table does not have, naming where the order can go."""
    allowed = list(TRANSITIONS[order.status])
    return Conflict(
        f"An order in {order.status} cannot move to {to}.",
        current_status=order.status,
        allowed=allowed,
    )


def cancel_refused(order: Order, staff: bool) -> Conflict:
    """The 409 of a cancellation the owner (pending_payment, paid) or staff (also processing) may not make."""
    allowed = [] if order.status == "processing" else list(TRANSITIONS[order.status])
    return Conflict(
        f"An order in {order.status} cannot be cancelled{'' if staff else ' by its owner'}.",
        current_status=order.status,
        allowed=allowed,
    )


def pay(
    order_id: str,
    *,
    by: str,
    intent_id: str | None = None,
    stripe_event_id: str | None = None,
    stripe_event_type: str = "payment_intent.succeeded",
    read: tuple[Order, int] | None = None,
) -> PayOutcome:
    """Moves an unpaid order to `paid`: its reserved units leave the stock (on_hand and reserved drop)
    and the buyer's purchase history counts it (PURCHASE-RECORD), in the same transaction.

    `read` is the order and its revision as the caller has just read them (after checking
    the Stripe event unapplied): the first attempt writes from it; a lost race reads again.
    """
    for attempt in range(ATTEMPTS):
        if attempt > 0 or read is None:
            if stripe_event_id and orders.stripe_event_applied(stripe_event_id):
                return PayOutcome("duplicate_event", None)
            read = orders.read_order(order_id)
        if read is None:
            return PayOutcome("unknown_order", None)
        order, revision = read
        if order.status in PAID_STATES:
            return PayOutcome("already_paid", order)
        if order.status != "pending_payment":
            return PayOutcome("not_payable", order)
        now = clock.now()
        payment = replace(order.payment, status="paid", payment_intent_id=intent_id or order.payment.payment_intent_id)
        after = order.moved("paid", now, by, payment=payment)

        try:
            with transaction() as write:
                orders.add_order_change(write, order, revision, after)
                for sku, quantity in sorted(order.quantities().items()):
                    stock_reservations.add_commit(write, sku, quantity, now)
                if stripe_event_id:
                    orders.add_stripe_event_claim(write, stripe_event_id, stripe_event_type, order.id, now)
                users.add_spending(write, order.user_id, order.currency, order.total, paid_at=now)
                stage_events(write, [OrderPaid.of(after)], now)
        except TransactWriteError as error:
            if not _cancelled(error):
                raise
            backoff(attempt)
            continue
        logger.info("order paid", extra={"order_id": order.id, "by": by})
        return PayOutcome("paid", after)
    raise ServiceUnavailable("The order kept changing while it was being paid; retry.", retry_after=1)


def cancel_unpaid(order_id: str, *, reason: CancelReason, by: str, read: tuple[Order, int] | None = None) -> Order:
    """Cancels an order in `pending_payment` and releases its reserved units, in one transaction.

    Any other state → 409 naming the current state and the allowed targets. `read`, the
    order and revision the caller has just read, serves the first attempt.
    """
    for attempt in range(ATTEMPTS):
        if attempt > 0 or read is None:
            read = orders.read_order(order_id)
        if read is None:
            raise NotFound("No such order.")
        order, revision = read
        if order.status != "pending_payment":
            raise not_allowed(order, "cancelled")
        now = clock.now()
        levels = stock_reservations.read_levels(order.quantities())
        after = order.moved("cancelled", now, by, payment=replace(order.payment, status="cancelled"))
        events: list[DomainEvent] = [OrderCancelled.of(after, reason, order.status)]
        released = []
        for sku, quantity in sorted(order.quantities().items()):
            level = levels.get(sku)
            if level is None or level.reserved < quantity:
                # The stock item is gone or holds less than this order reserved: nothing of ours to give back.
                logger.warning("reservation not found on release", extra={"order_id": order.id, "sku": sku})
                continue
            released.append((level, quantity))

        try:
            with transaction() as write:
                orders.add_order_change(write, order, revision, after)
                for level, quantity in released:
                    events += crossing_events(level, stock_reservations.add_release(write, level, quantity, now))
                stage_events(write, events, now)
        except TransactWriteError as error:
            if not _cancelled(error):
                raise
            backoff(attempt)
            continue
        logger.info("order cancelled", extra={"order_id": order.id, "reason": reason, "by": by})
        return after
    raise ServiceUnavailable("The order or its stock kept changing while it was being cancelled; retry.", retry_after=1)


def record_refund_after_cancel(
    order_id: str, *, intent_id: str, refund_id: str, stripe_event_id: str, stripe_event_type: str
) -> Order | None:
    """Records the automatic full refund of a payment that arrived for a cancelled order.

    The order stays `cancelled` (never a paid cancelled order); its payment is `refunded`
    and `refunded_total` its total, with `order.refunded` and the Stripe event's claim in
    one transaction. None when there is nothing to record (no such order, or already refunded).
    """
    for attempt in range(ATTEMPTS):
        if orders.stripe_event_applied(stripe_event_id):
            return None
        read = orders.read_order(order_id)
        if read is None:
            return None
        order, revision = read
        if order.payment.status == "refunded":
            return None
        now = clock.now()
        changes = refund_changes(order, order.total - order.refunded_total, LATE_PAYMENT, now, "stripe", refund_id)
        payment = replace(cast(OrderPayment, changes["payment"]), payment_intent_id=intent_id)
        after = replace(order, updated_at=now, **{**changes, "payment": payment})  # type: ignore[arg-type]
        event = OrderRefunded.of(after, after.refunded_total - order.refunded_total, LATE_PAYMENT, refund_id)

        try:
            with transaction() as write:
                orders.add_order_change(write, order, revision, after)
                orders.add_stripe_event_claim(write, stripe_event_id, stripe_event_type, order.id, now)
                stage_events(write, [event], now)
        except TransactWriteError as error:
            if not _cancelled(error):
                raise
            backoff(attempt)
            continue
        logger.warning("payment for a cancelled order refunded", extra={"order_id": order.id, "refund": refund_id})
        return after
    raise ServiceUnavailable("The order kept changing while its refund was recorded; retry.", retry_after=1)
