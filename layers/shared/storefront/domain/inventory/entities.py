"""The stock level of one SKU and its two boundaries: low stock and in stock (no I/O here).

`available = on_hand - reserved` and `headroom = available - low_stock_threshold` are
stored beside the counters (see docs/data-model.md): DynamoDB conditions cannot do
arithmetic, so an adjustment's conditions compare these stored differences instead.
A level is *low* while `headroom <= 0`, i.e. `available <= low_stock_threshold`, and
*in stock* while `available > 0`.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_LOW_STOCK_THRESHOLD = 5
# The most units one SKU holds, or one change moves: set at creation, by a count or an adjustment.
MAX_UNITS = 10_000_000


@dataclass(frozen=True)
class StockLevel:
    sku: str
    product_id: str
    on_hand: int
    reserved: int
    low_stock_threshold: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    @property
    def headroom(self) -> int:
        return self.available - self.low_stock_threshold

    @property
    def is_low(self) -> bool:
        return self.headroom <= 0

    @property
    def in_stock(self) -> bool:
        return self.available > 0


def crossed_down(before: StockLevel, after: StockLevel) -> bool:
    """True when a write takes the level from above its threshold to at or under it.

    Only this edge emits `inventory.low_stock`; staying low emits nothing, and going back
    above the threshold re-arms it for the next crossing.
    """
    return not before.is_low and after.is_low


def availability_changed(before: StockLevel, after: StockLevel) -> bool:
    """True when a write takes `available` from above 0 to 0, or from 0 to above 0.

    Either edge emits `inventory.availability_changed` (the search index hides or shows
    the SKU); a write that stays on the same side emits nothing.
    """
    return before.in_stock != after.in_stock
