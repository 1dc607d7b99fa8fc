"""Orders as the domain sees them: frozen prices, addresses, payment and history (no I/O).

The state table of the contract lives in `TRANSITIONS`: every status change anywhere
(payment webhook, manager, expiry) is a conditional write from one of its sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

OrderStatus = Literal["pending_payment", "paid", "processing", "shipped", "delivered", "cancelled", "refunded"]
PaymentProviderName = Literal["stripe", "manual"]
PaymentMethod = Literal["card", "manual"]
# pending: not paid yet; cancelled: the order was cancelled unpaid (nothing was taken).
PaymentStatus = Literal["pending", "paid", "failed", "cancelled", "refunded", "partially_refunded"]

# from -> the states it may move to (the contract's table; "refunded" only by a full refund).
TRANSITIONS: dict[OrderStatus, tuple[OrderStatus, ...]] = {
    "pending_payment": ("paid", "cancelled"),
    "paid": ("processing", "cancelled", "refunded"),
    "processing": ("shipped", "cancelled", "refunded"),
    "shipped": ("delivered", "refunded"),
    "delivered": ("refunded",),
    "cancelled": (),
    "refunded": (),
}
# Stock is held (reserved) while an order is unpaid; payment commits it, cancellation releases it.
HOLDS_RESERVATION: frozenset[OrderStatus] = frozenset({"pending_payment"})

PROVIDER_OF_METHOD: dict[PaymentMethod, PaymentProviderName] = {"card": "stripe", "manual": "manual"}


@dataclass(frozen=True)
class OrderLine:
    sku: str
    product_id: str
    name: str
    options: dict[str, str]
    quantity: int
    unit_price: int

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class PostalAddress:
    """An address as the order keeps it: a copy, unaffected by later edits of a saved address."""

    name: str
    line1: str
    line2: str | None
    city: str
    region: str | None
    postal_code: str | None
    country: str
    phone: str | None


@dataclass(frozen=True)
class ChosenShipping:
    id: str
    name: str
    carrier: str
    amount: int
    estimated_days_min: int
    estimated_days_max: int


@dataclass(frozen=True)
class OrderPayment:
    provider: PaymentProviderName
    status: PaymentStatus = "pending"
    payment_intent_id: str | None = None


@dataclass(frozen=True)
class HistoryEntry:
    status: OrderStatus
    at: int
    by: str  # a user id, "system" or "stripe"


@dataclass(frozen=True)
class Refund:
    """Money given back on an order: `provider_refund_id` is Stripe's refund (None for a manual order)."""

    id: str
    amount: int
    reason: str
    at: int
    by: str  # a user id, or "stripe" for a payment refunded because it came after the cancellation
    provider_refund_id: str | None = None
    request_key: str | None = None  # hash of the admin's id and Idempotency-Key, when one was sent


@dataclass(frozen=True)
class Order:
    id: str
    number: str
    user_id: str
    status: OrderStatus
    items: tuple[OrderLine, ...]
    shipping_total: int
    currency: str
    shipping_address: PostalAddress
    billing_address: PostalAddress
    shipping_method: ChosenShipping
    payment: OrderPayment
    created_at: int
    updated_at: int
    payment_deadline: int  # unpaid after this (epoch seconds), the expiry cancels it
    history: tuple[HistoryEntry, ...] = ()
    refunded_total: int = 0
    refunds: tuple[Refund, ...] = ()
    tracking: dict[str, str | None] | None = field(default=None)

    @property
    def subtotal(self) -> int:
        return sum(line.line_total for line in self.items)

    @property
    def total(self) -> int:
        return self.subtotal + self.shipping_total

    def quantities(self) -> dict[str, int]:
        """Units per SKU (lines are merged per SKU at checkout; summed again to be safe)."""
        merged: dict[str, int] = {}
        for line in self.items:
            merged[line.sku] = merged.get(line.sku, 0) + line.quantity
        return merged

    def moved(self, to: OrderStatus, at: int, by: str, **changes: object) -> Order:
        """The order after a status change: one more history entry, `updated_at` set."""
        history = (*self.history, HistoryEntry(to, at, by))
        return replace(self, status=to, updated_at=at, history=history, **changes)  # type: ignore[arg-type]


def can_move(source: OrderStatus, target: OrderStatus) -> bool:
    return target in TRANSITIONS[source]
