"""Carts as the domain sees them: a header (the cart's generation) and its lines.

A cart lives in partition `CART#<owner>`. Its header's `cart_id` is a new ULID each time
the cart starts after being absent or expired (a generation); a line counts only while its
`cart_id` is the live header's, so an expired cart's lines are ignored without being
deleted first. No price is ever stored: the response reads the current ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Checkout completion reserves every line in one transaction of at most 100 actions: one
# per line, plus the order, its number claim, the checkout, the cart header and the outbox.
MAX_LINES = 95
# A guest cart's merge is one transaction of its lines, the user's header and the guest
# header (data/cart_merge.py); a guest cart holds no more than a customer's.
MAX_GUEST_LINES = MAX_LINES
MAX_QUANTITY = 99
USER_IDLE_S = 30 * 24 * 3600
GUEST_IDLE_S = 7 * 24 * 3600


@dataclass(frozen=True)
class CartHeader:
    cart_id: str
    skus: frozenset[str]
    currency: str | None
    updated_at: int
    expires_at: int

    def live(self, now: int) -> bool:
        """TTL deletes lag (up to days): an expired header counts as absent from the moment it expires."""
        return self.expires_at > now


@dataclass(frozen=True)
class CartLine:
    cart_id: str
    sku: str
    product_id: str
    quantity: int
    added_at: int


@dataclass(frozen=True)
class StoredCart:
    """A cart's live header (None: absent or expired) and its live lines by SKU."""

    header: CartHeader | None
    lines: dict[str, CartLine] = field(default_factory=dict)


@dataclass(frozen=True)
class StockOfSku:
    product_id: str
    available: int


@dataclass(frozen=True)
class LineSnapshot:
    """What a line change reads first (one consistent BatchGetItem): header, line and the SKU's stock.

    `header` and `line` are as stored, expired or stale included: the write is conditioned
    on exactly this pre-image.
    """

    header: CartHeader | None
    line: CartLine | None
    stock: StockOfSku | None

    def live_header(self, now: int) -> CartHeader | None:
        return self.header if self.header is not None and self.header.live(now) else None

    def live_line(self, now: int) -> CartLine | None:
        header = self.live_header(now)
        if header is None or self.line is None or self.line.cart_id != header.cart_id:
            return None
        return self.line


@dataclass(frozen=True)
class PricedLine:
    """A line as the response shows it, priced now."""

    sku: str
    product_id: str
    name: str
    options: dict[str, str]
    quantity: int
    unit_price: int | None
    available: int
    status: str  # ok | unavailable | insufficient_stock | sold_out
    weight_grams: int | None = None  # one unit's shipping weight (None: unknown)

    @property
    def line_total(self) -> int | None:
        return None if self.unit_price is None else self.unit_price * self.quantity


@dataclass(frozen=True)
class CartView:
    lines: list[PricedLine]
    currency: str | None
    updated_at: int | None
    expires_at: int | None
    capped: list[str] = field(default_factory=list)

    @property
    def subtotal(self) -> int:
        """Only lines that can be bought now count: flagged lines stay in the cart, outside the total."""
        return sum(line.line_total or 0 for line in self.lines if line.status == "ok")
