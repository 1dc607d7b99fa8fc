"""What a refund records on an order, and the idempotency key it is sent under (no I/O).

Used by every refund: an admin's (domain/orders/refunds.py), a paid order's cancellation,
and a payment that arrived after its order was cancelled (lifecycle, stripe_events).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

from storefront.domain.orders.entities import Order, OrderStatus, PaymentStatus, Refund, can_move
from storefront.ids import new_ulid

# The states an admin refunds from (the contract's table); a full refund moves them to `refunded`.
REFUNDABLE: tuple[OrderStatus, ...] = ("paid", "processing", "shipped", "delivered")
CANCEL_REASON = "cancelled"  # the refund's reason when a paid order is cancelled


def refund_key(order_id: str, sequence: int) -> str:
    """The idempotency key of an order's refund number `sequence` (1 for the first): the one key
    function of every refund (admin's, a cancellation's, a late payment's)."""
    return f"order-{order_id}-refund-{sequence}"


def next_refund_key(order: Order) -> str:
    """The key of the order's next refund: its number is one more than the refunds recorded."""
    return refund_key(order.id, len(order.refunds) + 1)


def request_key(by: str, idempotency_key: str) -> str:
    """What a refund records of the Idempotency-Key it was asked with: scoped to its admin."""
    return hashlib.sha256(f"{by}\n{idempotency_key}".encode()).hexdigest()


def refund_changes(
    order: Order, amount: int, reason: str, at: int, by: str, refund_id: str | None, request: str | None = None
) -> dict[str, object]:
    """What a refund of `amount` changes on the order: its record, `refunded_total`, the payment's status."""
    refunded_total = order.refunded_total + amount
    status: PaymentStatus = "refunded" if refunded_total >= order.total else "partially_refunded"
    record = Refund(new_ulid(at * 1000), amount, reason, at, by, refund_id, request)
    return {
        "refunds": (*order.refunds, record),
        "refunded_total": refunded_total,
        "payment": replace(order.payment, status=status),
    }


def refunded(
    order: Order, amount: int, reason: str, at: int, by: str, refund_id: str | None, request: str | None = None
) -> Order:
    """The order after a refund: `refunded` (with its history entry) once all is refunded, else in its state."""
    changes = refund_changes(order, amount, reason, at, by, refund_id, request)
    if changes["refunded_total"] == order.total and can_move(order.status, "refunded"):
        return order.moved("refunded", at, by, **changes)
    return replace(order, updated_at=at, **changes)  # type: ignore[arg-type]
