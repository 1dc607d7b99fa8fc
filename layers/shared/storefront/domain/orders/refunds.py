"""Refunds: an admin's refund (`POST /v1/orders/{id}/refunds`) and a paid order's cancellation.

Ordering rule, so that no refund is lost or doubled: the provider is asked FIRST, with the
idempotency key of the refund's sequence number on the order (`refund_key`), then the
refund is written conditioned on the order's revision. Asked twice with the same key and
amount, Stripe answers the same refund: a request retried after its answer was lost, or
a write that lost a race and decides again from the same state, never refunds twice.
Once a refund is recorded the next one has the next number, hence another key. A manual
order's refund is recorded, not sent: that money goes back by hand.

A cancellation of a paid order refunds what is left in full and puts its committed units
back in stock (STOCK-RESTOCK), with `order.cancelled` and `order.refunded`, in one
transaction with the order's change.
"""

from __future__ import annotations

from pynamodb.transactions import TransactWrite

from storefront.data import orders, stock_reservations, users
from storefront.data.outbox import stage_events
from storefront.data.table import committed
from storefront.domain import clock
from storefront.domain.errors import Conflict, FieldError, NotFound, ServiceUnavailable, Unprocessable
from storefront.domain.inventory.service import crossing_events
from storefront.domain.orders import lifecycle
from storefront.domain.orders.entities import TRANSITIONS, Order, Refund
from storefront.domain.orders.refund_records import (
    CANCEL_REASON,
    REFUNDABLE,
    next_refund_key,
    refund_changes,
    refunded,
    request_key,
)
from storefront.events.base import DomainEvent
from storefront.events.orders import OrderCancelled, OrderRefunded
from storefront.observability import module_logger
from storefront.payments.port import PaymentProvider

logger = module_logger()

NO_ORDER = "No such order."


def sent_refund(order: Order, amount: int, card: PaymentProvider) -> str | None:
    """Asks the provider for the order's next refund; the provider's refund id (None: manual, not sent)."""
    if order.payment.provider == "manual":
        return None
    intent_id = order.payment.payment_intent_id
    if intent_id is None:  # a paid card order always names its PaymentIntent
        raise Conflict("This card order has no payment to refund.", current_status=order.status)
    return card.refund(intent_id, amount, next_refund_key(order))


def _read(order_id: str) -> tuple[Order, int]:
    read = orders.read_order(order_id)
    if read is None:
        raise NotFound(NO_ORDER)
    return read


def _recorded(order: Order, refund_id: str | None) -> Refund | None:
    return next((r for r in order.refunds if refund_id and r.provider_refund_id == refund_id), None)


def _amount(order: Order, amount: int | None) -> int:
    remaining = order.total - order.refunded_total
    wanted = remaining if amount is None else amount
    if not 0 < wanted <= remaining:
        raise Unprocessable(
            f"At most {remaining} {order.currency} (minor units) is left to refund on this order.",
            errors=[FieldError(("amount",), f"at most {remaining}", "less_than_equal")],
            refundable=remaining,
        )
    return wanted


def _committed_refund(before: Order, revision: int, after: Order, amount: int, reason: str) -> bool:
    def write_all(write: TransactWrite) -> None:
        orders.add_order_change(write, before, revision, after)
        users.add_spending(write, before.user_id, before.currency, -amount)  # total_spent is net of refunds
        stage_events(
            write, [OrderRefunded.of(after, amount, reason, after.refunds[-1].provider_refund_id)], after.updated_at
        )

    return committed(write_all)


def refund(
    order_id: str,
    *,
    amount: int | None,
    reason: str,
    by: str,
    card: PaymentProvider,
    idempotency_key: str | None = None,
) -> Order:
    """Refunds `amount` (all that is left when None) of a paid order for an admin `by`.

    Only from paid, processing, shipped, delivered (else 409 with `current_status` and
    `allowed`); more than is left → 422. With an `idempotency_key`, a refund the order
    already records under it (this admin's) is answered again, the order as it now stands,
    and the same key with another amount or reason is a 422. A write that loses a race
    reads again: its own keyed refund recorded meanwhile is answered; a refund with this
    provider refund already recorded was made by a concurrent request (409 naming it);
    otherwise the refund is decided again from the new state.
    """
    request = request_key(by, idempotency_key) if idempotency_key is not None else None
    for attempt in range(lifecycle.ATTEMPTS):
        order, revision = _read(order_id)
        if (answered := _answered(order, request, amount, reason)) is not None:
            return answered
        if order.status not in REFUNDABLE:
            raise Conflict(
                f"An order in {order.status} cannot be refunded.",
                current_status=order.status,
                allowed=list(TRANSITIONS[order.status]),
                refundable_from=list(REFUNDABLE),
            )
        wanted = _amount(order, amount)
        refund_id = sent_refund(order, wanted, card)
        now = clock.now()
        after = refunded(order, wanted, reason, now, by, refund_id, request)
        if _committed_refund(order, revision, after, wanted, reason):
            logger.info(
                "order refunded",
                extra={"security_event": "refund", "actor": by, "order_id": order_id, "amount": wanted},
            )
            return after
        again, _ = _read(order_id)
        if (answered := _answered(again, request, amount, reason)) is not None:
            return answered
        if (record := _recorded(again, refund_id)) is not None:
            raise Conflict(
                "A concurrent request made this same refund; it is recorded on the order.",
                current_status=again.status,
                refund_id=record.id,
                refunded_total=again.refunded_total,
            )
        lifecycle.backoff(attempt)
    raise ServiceUnavailable("The order kept changing while it was being refunded; retry.", retry_after=1)


def _answered(order: Order, request: str | None, amount: int | None, reason: str) -> Order | None:
    """The order, when it records the refund asked with this key already; None when it does not."""
    prior = next((r for r in order.refunds if request is not None and r.request_key == request), None)
    if prior is None:
        return None
    if prior.reason != reason or amount not in (None, prior.amount):
        raise Unprocessable(
            "This Idempotency-Key was used for another refund of this order (another amount or reason): "
            "send a new key for a new refund.",
            refund_id=prior.id,
        )
    return order


def cancel_paid(
    order_id: str,
    *,
    by: str,
    reason: lifecycle.CancelReason,
    staff: bool,
    card: PaymentProvider,
    read: tuple[Order, int] | None = None,
) -> Order:
    """Cancels a paid order (and, for staff, one in processing): what is left of its payment is
    refunded in full and its committed units go back to stock, in one transaction. `read`, the
    order and revision the caller has just read, serves the first attempt."""
    cancellable = ("paid", "processing") if staff else ("paid",)
    for attempt in range(lifecycle.ATTEMPTS):
        order, revision = read if attempt == 0 and read is not None else _read(order_id)
        if order.status not in cancellable:
            raise lifecycle.cancel_refused(order, staff)
        left = order.total - order.refunded_total
        refund_id = sent_refund(order, left, card) if left > 0 else None
        now = clock.now()
        changes = refund_changes(order, left, CANCEL_REASON, now, by, refund_id) if left > 0 else {}
        after = order.moved("cancelled", now, by, **changes)
        if _committed_cancellation(order, revision, after, reason, left):
            audit = {"security_event": "refund", "actor": by} if left > 0 else {"actor": by}
            logger.info("paid order cancelled", extra={**audit, "order_id": order_id, "amount": left})
            return after
        if refund_id is not None and not _still_cancellable(order_id, cancellable, refund_id):
            _record_sent(order_id, left, refund_id, by)
        lifecycle.backoff(attempt)
    raise ServiceUnavailable("The order or its stock kept changing while it was being cancelled; retry.", retry_after=1)


def _committed_cancellation(
    before: Order, revision: int, after: Order, reason: lifecycle.CancelReason, left: int
) -> bool:
    refund_id = after.refunds[-1].provider_refund_id if left > 0 else None
    events: list[DomainEvent] = [OrderCancelled.of(after, reason, before.status)]
    if left > 0:
        events.append(OrderRefunded.of(after, left, CANCEL_REASON, refund_id))
    levels = stock_reservations.read_levels(before.quantities())

    def write_all(write: TransactWrite) -> None:
        orders.add_order_change(write, before, revision, after)
        for sku, quantity in sorted(before.quantities().items()):
            level = levels.get(sku)
            if level is None:  # the SKU's stock item is gone (its product deleted): nothing to put back
                logger.warning("stock item not found on restock", extra={"order_id": before.id, "sku": sku})
                continue
            events.extend(
                crossing_events(level, stock_reservations.add_restock(write, level, quantity, after.updated_at))
            )
        if left > 0:  # total_spent is net of refunds
            users.add_spending(write, before.user_id, before.currency, -left)
        stage_events(write, events, after.updated_at)

    return committed(write_all)


def _still_cancellable(order_id: str, cancellable: tuple[str, ...], refund_id: str) -> bool:
    """After a lost race: True when the next attempt will decide (and record or answer) the refund."""
    again, _ = _read(order_id)
    return again.status in cancellable or _recorded(again, refund_id) is not None


def _record_sent(order_id: str, amount: int, refund_id: str, by: str) -> None:
    """The order moved on (shipped, say) after the provider refunded it: the money went back, so
    the refund is recorded on the order as it now stands, never left only at the provider."""
    for attempt in range(lifecycle.ATTEMPTS):
        order, revision = _read(order_id)
        if _recorded(order, refund_id) is not None:
            return
        left = order.total - order.refunded_total
        if order.status not in REFUNDABLE or not 0 < amount <= left:
            logger.error(
                "a refund was sent but cannot be recorded: record it by hand",
                extra={"order_id": order_id, "refund_id": refund_id, "amount": amount, "status": order.status},
            )
            return
        now = clock.now()
        after = refunded(order, amount, CANCEL_REASON, now, by, refund_id)
        if _committed_refund(order, revision, after, amount, CANCEL_REASON):
            logger.warning(
                "a cancellation lost its race: its refund is recorded",
                extra={"security_event": "refund", "actor": by, "order_id": order_id, "amount": amount},
            )
            return
        lifecycle.backoff(attempt)
