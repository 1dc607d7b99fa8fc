"""Inventory use cases: read, set and adjust a SKU's stock, and list the low ones.

An adjustment is first tried as one conditional UpdateItem that succeeds only when it
changes neither the low-stock nor the in-stock state (the common case: one request).
When that condition fails, the item is read and the outcome decided: unknown SKU (404),
not enough stock (409), or a crossing, written as one transaction conditioned on the
values read, with its events staged in it: `inventory.low_stock` on a downward crossing
of the threshold, `inventory.availability_changed` when `available` reaches 0 or leaves
it (both when one write does both). A lost race is retried from the start a bounded
number of times.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace
from typing import Any

from storefront.data import inventory
from storefront.domain import clock
from storefront.domain.errors import Conflict, NotFound
from storefront.domain.inventory.entities import StockLevel, availability_changed, crossed_down
from storefront.domain.pages import Slice
from storefront.events.base import DomainEvent
from storefront.events.inventory import InventoryAvailabilityChanged, InventoryLowStock
from storefront.observability import module_logger

ATTEMPTS = 20
NO_SKU = "No stock item for this SKU."
BUSY = "The stock of this SKU changed concurrently too often; try again."

_logger = module_logger()


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.005 * 2 ** min(attempt, 5)))  # noqa: S311 - jitter, not crypto


def _low_stock_event(before: StockLevel, after: StockLevel) -> InventoryLowStock | None:
    if not crossed_down(before, after):
        return None
    return InventoryLowStock(
        sku=after.sku,
        product_id=after.product_id,
        on_hand=after.on_hand,
        reserved=after.reserved,
        available=after.available,
        low_stock_threshold=after.low_stock_threshold,
    )


def _availability_event(before: StockLevel, after: StockLevel) -> InventoryAvailabilityChanged | None:
    if not availability_changed(before, after):
        return None
    return InventoryAvailabilityChanged(
        sku=after.sku,
        product_id=after.product_id,
        in_stock=after.in_stock,
        available=after.available,
        on_hand=after.on_hand,
        reserved=after.reserved,
    )


def crossing_events(before: StockLevel, after: StockLevel) -> list[DomainEvent]:
    """The events a write from `before` to `after` emits: one per boundary it crosses."""
    events = (_low_stock_event(before, after), _availability_event(before, after))
    return [event for event in events if event is not None]


def get_level(sku: str) -> StockLevel:
    level = inventory.get_stock(sku)
    if level is None:
        raise NotFound(NO_SKU)
    return level


def list_low_stock(limit: int, start: dict[str, Any] | None) -> Slice[StockLevel]:
    return inventory.list_low_stock(limit, start)


def _replace(before: StockLevel, after: StockLevel) -> bool:
    return inventory.replace_level(before, after, crossing_events(before, after), clock.now())


def adjust(sku: str, delta: int, reason: str, actor: str = "system") -> StockLevel:
    """Adds `delta` to on_hand; on_hand never drops below reserved (409 with `available`)."""
    for attempt in range(ATTEMPTS):
        level = inventory.adjust_unless_crossing(sku, delta, clock.now())
        if level is None:
            before = get_level(sku)
            if before.available + delta < 0:
                raise Conflict(
                    f"Only {before.available} units are available; the adjustment would remove {-delta}.",
                    available=before.available,
                )
            level = replace(before, on_hand=before.on_hand + delta)
            if not _replace(before, level):
                _backoff(attempt)
                continue
        details = {"sku": sku, "delta": delta, "reason": reason, "on_hand": level.on_hand, "actor": actor}
        _logger.info("stock adjusted", extra={"security_event": "stock_adjustment", **details})
        return level
    raise Conflict(BUSY)


def set_level(sku: str, on_hand: int, threshold: int, actor: str = "system") -> StockLevel:
    """Sets on_hand and the threshold of an existing SKU; on_hand below reserved is a 409."""
    for attempt in range(ATTEMPTS):
        before = get_level(sku)
        if on_hand < before.reserved:
            raise Conflict(
                f"{before.reserved} units are reserved; on_hand cannot be set below that.",
                reserved=before.reserved,
                available=before.available,
            )
        after = replace(before, on_hand=on_hand, low_stock_threshold=threshold)
        if _replace(before, after):
            details = {"sku": sku, "on_hand": on_hand, "previous_on_hand": before.on_hand, "actor": actor}
            _logger.info("stock set", extra={"security_event": "stock_adjustment", **details})
            return after
        _backoff(attempt)
    raise Conflict(BUSY)
