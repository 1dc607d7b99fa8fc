"""Inventory events."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, StrictBool, StrictInt, StrictStr

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


class InventoryAvailabilityChanged(DomainEvent):
    """A SKU sold out (available went from above 0 to 0) or came back in stock (0 to above 0).

    One event per crossing of that boundary: writes that stay on one side emit nothing.
    Staged in the same transaction as the write that crossed; a SKU created with or
    without stock emits none (`product.created` covers it).
    """

    event_type: ClassVar[str] = "inventory.availability_changed"
    version: ClassVar[int] = 1

    sku: StrictStr = Field(description="The SKU whose availability changed")
    product_id: StrictStr = Field(description="The product the SKU belongs to")
    in_stock: StrictBool = Field(description="True when available > 0 after the write (back in stock), else sold out")
    available: StrictInt = Field(description="on_hand - reserved after the write")
    on_hand: StrictInt = Field(description="Units in the warehouse after the write")
    reserved: StrictInt = Field(description="Units held by unpaid orders")
