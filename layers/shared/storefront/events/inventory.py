"""Inventory events."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, StrictInt, StrictStr

from storefront.events.base import DomainEvent


class InventoryLowStock(DomainEvent):
    """A SKU's available stock went from above its threshold to at or under it.

    One event per downward crossing: staying low emits nothing, and going back above the
    threshold re-arms it. Staged in the same transaction as the write that crossed.
    """

    event_type: ClassVar[str] = "inventory.low_stock"
    version: ClassVar[int] = 1

    sku: StrictStr = Field(description="The SKU that ran low")
    product_id: StrictStr = Field(description="The product the SKU belongs to")
    on_hand: StrictInt = Field(description="Units in the warehouse after the write")
    reserved: StrictInt = Field(description="Units held by unpaid orders")
    available: StrictInt = Field(description="on_hand - reserved after the write")
    low_stock_threshold: StrictInt = Field(description="The threshold that was crossed")
