"""Stock held for orders: reserve at checkout completion, commit on payment, release on cancellation,
and restock the units of a paid order that is cancelled.

Each function adds one Update of a SKU's stock item to the caller's transaction, keeping the
invariants of data/inventory.py (`available`, `headroom` and the sparse low-stock keys). A
move that keeps both boundaries (low stock, in stock) where the read saw them is an ADD
conditioned on staying there, so concurrent buyers of one SKU do not cancel each other;
a move that crosses one is a SET conditioned on the read's pre-image (STOCK-REPLACE's
rule), and the caller stages the crossing's events in the same transaction. A cancelled
transaction means the level moved since it was read: read again and retry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from pynamodb.transactions import TransactWrite

from storefront.data import keys
from storefront.data.inventory import StockItem, add_level_replacement, level_of
from storefront.domain.inventory.entities import StockLevel, availability_changed


def read_levels(skus: Iterable[str]) -> dict[str, StockLevel]:
    """Access pattern STOCK-BY-SKUS: consistent BatchGetItem of `SKU#<sku>`/`STOCK` (100 keys per request).

    A SKU without a stock item is absent from the answer.
    """
    wanted = [keys.stock(sku) for sku in sorted(set(skus))]
    if not wanted:
        return {}
    return {item.sku: level_of(item) for item in StockItem.batch_get(wanted, consistent_read=True)}


def _crosses(before: StockLevel, after: StockLevel) -> bool:
    return before.is_low != after.is_low or availability_changed(before, after)


def add_reservation(write: TransactWrite, before: StockLevel, quantity: int, now: int) -> StockLevel:
    """Access pattern STOCK-RESERVE: `reserved` += q, `available` and `headroom` -= q, in a transaction.

    The caller has checked `before.available >= quantity`; the condition holds it to that
    (and to the boundaries the read saw). Returns the level after the write.
    """
    if not 0 < quantity <= before.available:
        raise ValueError(f"cannot reserve {quantity} of {before.sku}: {before.available} available")
    after = replace(before, reserved=before.reserved + quantity)
    if _crosses(before, after):
        add_level_replacement(write, before, after, now)
        return after
    # Not crossing, as read: still in stock afterwards, and on the same side of the threshold.
    same_side: Any = (StockItem.headroom <= 0) if before.is_low else (StockItem.headroom > quantity)
    write.update(
        StockItem(*keys.stock(before.sku)),
        actions=[
            StockItem.reserved.add(quantity),
            StockItem.available.add(-quantity),
            StockItem.headroom.add(-quantity),
            StockItem.updated_at.set(now),
        ],
        condition=StockItem.PK.exists() & (StockItem.available > quantity) & same_side,
    )
    return after


def add_release(write: TransactWrite, before: StockLevel, quantity: int, now: int) -> StockLevel:
    """Access pattern STOCK-RELEASE: `reserved` -= q, `available` and `headroom` += q, in a transaction.

    An unpaid order's reservation goes back (cancellation, expiry). Returns the level after.
    """
    if not 0 < quantity <= before.reserved:
        raise ValueError(f"cannot release {quantity} of {before.sku}: {before.reserved} reserved")
    after = replace(before, reserved=before.reserved - quantity)
    counter = StockItem.reserved.add(-quantity)
    return _add_units_back(write, before, after, quantity, counter, StockItem.reserved >= quantity, now)


def add_commit(write: TransactWrite, sku: str, quantity: int, now: int) -> None:
    """Access pattern STOCK-COMMIT: `on_hand` and `reserved` -= q, in a transaction (a paid order's units leave).

    `available` and `headroom` do not change, so no boundary is ever crossed.
    """
    write.update(
        StockItem(*keys.stock(sku)),
        actions=[StockItem.on_hand.add(-quantity), StockItem.reserved.add(-quantity), StockItem.updated_at.set(now)],
        condition=StockItem.PK.exists() & (StockItem.reserved >= quantity) & (StockItem.on_hand >= quantity),
    )


def add_restock(write: TransactWrite, before: StockLevel, quantity: int, now: int) -> StockLevel:
    """Access pattern STOCK-RESTOCK: `on_hand`, `available` and `headroom` += q, in a transaction.

    A paid order's committed units come back when it is cancelled before shipping. Like a
    release, an ADD conditioned on staying on the sides the read saw (in stock, low or
    not), or the pre-image SET when it crosses a boundary. Returns the level after.
    """
    if quantity <= 0:
        raise ValueError(f"cannot restock {quantity} of {before.sku}")
    after = replace(before, on_hand=before.on_hand + quantity)
    return _add_units_back(write, before, after, quantity, StockItem.on_hand.add(quantity), None, now)


def _add_units_back(
    write: TransactWrite,
    before: StockLevel,
    after: StockLevel,
    quantity: int,
    counter: Any,
    guard: Any,
    now: int,
) -> StockLevel:
    """`available` and `headroom` += q with `counter` (the other count that moves), conditioned
    on staying on the sides the read saw; the pre-image SET when the change crosses a boundary."""
    if _crosses(before, after):
        add_level_replacement(write, before, after, now)
        return after
    same_side: Any = (StockItem.headroom <= -quantity) if before.is_low else (StockItem.headroom > 0)
    condition: Any = StockItem.PK.exists() & (StockItem.available > 0) & same_side
    write.update(
        StockItem(*keys.stock(before.sku)),
        actions=[
            counter,
            StockItem.available.add(quantity),
            StockItem.headroom.add(quantity),
            StockItem.updated_at.set(now),
        ],
        condition=condition if guard is None else condition & guard,
    )
    return after
