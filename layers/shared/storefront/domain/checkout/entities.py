"""Checkouts as the domain sees them: a priced snapshot of a cart, its addresses and method (no I/O).

A checkout is `open` until completed (it then names its order, whose id is the checkout's)
or until `valid_until` passes: then it reads as `expired` and can no longer change. Totals
are never stored apart from what they are computed from, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from storefront.domain.orders.entities import ChosenShipping, PostalAddress

CheckoutStatus = Literal["open", "completed", "expired"]
# How long a finished checkout stays readable (as expired or completed) before the TTL deletes it.
KEPT_AFTER_EXPIRY_S = 24 * 3600


@dataclass(frozen=True)
class CheckoutLine:
    """One SKU's units, merged from the cart, at the price of when it was last priced."""

    sku: str
    product_id: str
    name: str
    options: dict[str, str]
    quantity: int
    unit_price: int
    weight_grams: int | None  # one unit's; None: unknown, counted as 0 g

    @property
    def line_total(self) -> int:
        return self.unit_price * self.quantity

    @property
    def shipping_weight(self) -> int:
        return (self.weight_grams or 0) * self.quantity


@dataclass(frozen=True)
class Checkout:
    id: str
    user_id: str
    status: Literal["open", "completed"]  # as stored; `status_at` adds `expired`
    currency: str
    lines: tuple[CheckoutLine, ...]
    created_at: int
    updated_at: int
    valid_until: int
    revision: int = 1  # every change is conditioned on the revision it read
    shipping_address: PostalAddress | None = None
    billing_address: PostalAddress | None = None
    shipping_method: ChosenShipping | None = None
    order_id: str | None = None
    completed_key_hash: str | None = None  # which completion request made the order (resumes it)
    # The cart's last change when the checkout was opened: completion empties the cart only
    # if it is still that cart (not changed since, not bought through another checkout).
    cart_updated_at: int | None = None

    @property
    def subtotal(self) -> int:
        return sum(line.line_total for line in self.lines)

    @property
    def shipping_total(self) -> int:
        return self.shipping_method.amount if self.shipping_method is not None else 0

    @property
    def total(self) -> int:
        return self.subtotal + self.shipping_total

    @property
    def weight_grams(self) -> int:
        return sum(line.shipping_weight for line in self.lines)

    @property
    def expires_at(self) -> int:
        """The table's TTL: a day after the checkout stops being completable."""
        return self.valid_until + KEPT_AFTER_EXPIRY_S

    def status_at(self, now: int) -> CheckoutStatus:
        if self.status == "open" and now >= self.valid_until:
            return "expired"
        return self.status

    def quantities(self) -> dict[str, int]:
        return {line.sku: line.quantity for line in self.lines}

    def changed(self, now: int, **changes: object) -> Checkout:
        return replace(self, updated_at=now, **changes)  # type: ignore[arg-type]
