"""Stock items: one per SKU, outside any product item, with no version attribute.

Invariants every writer keeps (the conditions below rely on them):
`available = on_hand - reserved >= 0`, `headroom = available - low_stock_threshold`, and
the sparse GSI2 keys (`LOWSTOCK`, `SKU#<sku>`) are present exactly while `headroom <= 0`.
A write that changes `on_hand` or `reserved` adds the same delta to `available` and
`headroom`, or rewrites them all conditioned on the values it read.

Two boundaries emit events: low stock (`headroom <= 0`) and in stock (`available > 0`).
A write may cross either only through STOCK-REPLACE, which stages the events in its
transaction; every other writer (STOCK-ADJUST, and any future one such as a checkout
reservation) is conditioned on crossing neither, and falls back to STOCK-REPLACE.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from storefront.data import keys
from storefront.data.outbox import stage_event
from storefront.data.table import TableItem, query_slice, transaction
from storefront.domain.inventory.entities import DEFAULT_LOW_STOCK_THRESHOLD, StockLevel
from storefront.domain.pages import Slice
from storefront.events.base import DomainEvent

STOCK_ENTITY = "Stock"
_CONDITION_FAILED = "ConditionalCheckFailedException"


class StockItem(TableItem, discriminator=STOCK_ENTITY):
    sku = UnicodeAttribute()
    product_id = UnicodeAttribute()
    on_hand = NumberAttribute()
    reserved = NumberAttribute()
    available = NumberAttribute()  # on_hand - reserved
    headroom = NumberAttribute()  # available - low_stock_threshold; low while <= 0
    low_stock_threshold = NumberAttribute()
    updated_at = NumberAttribute(null=True)


def level_of(item: StockItem) -> StockLevel:
    return StockLevel(
        sku=item.sku,
        product_id=item.product_id,
        on_hand=int(item.on_hand),
        reserved=int(item.reserved),
        low_stock_threshold=int(item.low_stock_threshold),
    )


def stock_item(
    sku: str, product_id: str, on_hand: int, threshold: int = DEFAULT_LOW_STOCK_THRESHOLD, *, now: int | None = None
) -> StockItem:
    """A new SKU's stock item (nothing reserved), in the low-stock index if it starts low."""
    level = StockLevel(sku, product_id, on_hand, 0, threshold)
    pk, sk = keys.stock(sku)
    gsi2pk, gsi2sk = keys.low_stock_index(sku) if level.is_low else (None, None)
    return StockItem(
        pk,
        sk,
        sku=sku,
        product_id=product_id,
        on_hand=on_hand,
        reserved=0,
        available=level.available,
        headroom=level.headroom,
        low_stock_threshold=threshold,
        GSI2PK=gsi2pk,
        GSI2SK=gsi2sk,
        updated_at=now,
    )


def add_stock_creation(
    write: TransactWrite,
    sku: str,
    product_id: str,
    on_hand: int,
    threshold: int = DEFAULT_LOW_STOCK_THRESHOLD,
    *,
    now: int | None = None,
) -> None:
    """Access pattern STOCK-CREATE: Put the stock item if absent, inside the caller's transaction.

    The product's creation transaction calls it once per SKU; an existing stock item
    cancels the transaction (the SKU is taken). A SKU created low is listed as low but
    emits no event: no crossing happened.
    """
    item = stock_item(sku, product_id, on_hand, threshold, now=now)
    write.save(item, condition=StockItem.PK.does_not_exist())


def get_stock(sku: str) -> StockLevel | None:
    """Access pattern STOCK-BY-SKU: consistent GetItem on SKU#<sku> / STOCK."""
    try:
        return level_of(StockItem.get(*keys.stock(sku), consistent_read=True))
    except StockItem.DoesNotExist:
        return None


def adjust_unless_crossing(sku: str, delta: int, now: int) -> StockLevel | None:
    """Access pattern STOCK-ADJUST: one UpdateItem, `on_hand`, `available`, `headroom` += delta.

    Conditions: the item exists; the in-stock state does not change, `available >
    max(-delta, 0)` (a decrease leaves at least one unit available, so on_hand also stays
    above reserved; an increase starts from at least one, so a restock from 0 is not
    done here); and the low state does not change (a decrease needs `headroom <= 0` or `headroom > -delta`, an increase
    `headroom > 0` or `headroom <= -delta`), so the sparse index keys stay right
    untouched. Returns the new level, or None when any condition failed or a transaction
    held the item: the caller reads the item and decides (unknown SKU, not enough stock,
    a crossing of either boundary, or a retry).
    """
    item = StockItem(*keys.stock(sku))
    neg = -delta
    if delta < 0:
        same_side: Any = (StockItem.headroom <= 0) | (StockItem.headroom > neg)
    else:
        same_side = (StockItem.headroom > 0) | (StockItem.headroom <= neg)
    # Selling the last unit (available == -delta) or restocking from 0 is a crossing.
    stays_in_stock = StockItem.available > max(neg, 0)
    condition = StockItem.PK.exists() & stays_in_stock & same_side
    actions: list[Any] = [
        StockItem.on_hand.add(delta),
        StockItem.available.add(delta),
        StockItem.headroom.add(delta),
        StockItem.updated_at.set(now),
    ]
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as error:
        # A transaction in flight on the item (TransactionConflict) is answered like a failed
        # condition: the caller's conditional read-and-replace path decides.
        if error.cause_response_code in (_CONDITION_FAILED, "TransactionConflictException"):
            return None
        raise
    return level_of(item)


def add_level_replacement(write: TransactWrite, before: StockLevel, after: StockLevel, now: int) -> None:
    """STOCK-REPLACE's Update, added to the caller's transaction.

    Writes every counter of `after`, its threshold and the sparse low-stock keys,
    conditioned on the pre-image `before` (the read's `on_hand`, `reserved`, threshold).
    """
    actions: list[Any] = [
        StockItem.on_hand.set(after.on_hand),
        StockItem.reserved.set(after.reserved),
        StockItem.available.set(after.available),
        StockItem.headroom.set(after.headroom),
        StockItem.low_stock_threshold.set(after.low_stock_threshold),
        StockItem.updated_at.set(now),
    ]
    if after.is_low:
        gsi2pk, gsi2sk = keys.low_stock_index(before.sku)
        actions += [StockItem.GSI2PK.set(gsi2pk), StockItem.GSI2SK.set(gsi2sk)]
    else:
        actions += [StockItem.GSI2PK.remove(), StockItem.GSI2SK.remove()]
    condition = (
        (StockItem.on_hand == before.on_hand)
        & (StockItem.reserved == before.reserved)
        & (StockItem.low_stock_threshold == before.low_stock_threshold)
    )
    write.update(StockItem(*keys.stock(before.sku)), actions=actions, condition=condition)


def replace_level(before: StockLevel, after: StockLevel, events: Sequence[DomainEvent], now: int) -> bool:
    """Access pattern STOCK-REPLACE: TransactWriteItems of an Update (+ one outbox Put per event).

    The Update writes the new counters, threshold and sparse index keys, conditioned on
    the pre-image read (`on_hand`, `reserved`, `low_stock_threshold` unchanged): an
    optimistic check without a version attribute. Any concurrent change cancels it, so a
    crossing is staged exactly once. `events` are the crossings this write makes (none,
    low stock, availability, or both; each its own outbox item and id). Returns False
    when cancelled.
    """
    try:
        with transaction() as write:
            add_level_replacement(write, before, after, now)
            for event in events:
                stage_event(write, event, now)
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            return False
        raise
    return True


def list_low_stock(limit: int, start: dict[str, Any] | None) -> Slice[StockLevel]:
    """Access pattern LOW-STOCK-LIST: Query GSI2 PK = LOWSTOCK (sparse: only low items), by SKU."""
    results = StockItem.gsi2.query(
        keys.low_stock_index_partition(),
        StockItem.GSI2SK.startswith(keys.low_stock_index("")[1]),
        limit=limit + 1,
        page_size=limit + 1,
        last_evaluated_key=start,
    )
    return query_slice(results, limit, lambda item: level_of(cast(StockItem, item)))
