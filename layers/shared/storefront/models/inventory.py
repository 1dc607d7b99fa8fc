"""API models of the inventory routes. Their descriptions become the OpenAPI document."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, StrictInt, StrictStr

from storefront.domain.inventory.entities import MAX_UNITS
from storefront.domain.inventory.entities import StockLevel as StockLevelEntity
from storefront.models.base import ApiModel
from storefront.models.text_fields import Text
from storefront.text import check_unicode

Units = Annotated[StrictInt, Field(ge=0, le=MAX_UNITS)]


def _not_zero(value: int) -> int:
    if value == 0:
        raise ValueError("delta must not be 0")
    return value


class StockLevelUpdate(ApiModel):
    """The stock counted in the warehouse, and the level under which the SKU is low."""

    model_config = ConfigDict(extra="forbid")

    on_hand: Units = Field(description="Units in the warehouse; never below the units reserved (409)")
    low_stock_threshold: Units = Field(
        description="The SKU is low while available <= this; crossing it downwards emits inventory.low_stock"
    )


class StockAdjustmentCreate(ApiModel):
    """A relative change of on_hand: a delivery (+) or shrinkage, damage, a count correction (-)."""

    model_config = ConfigDict(extra="forbid")

    delta: Annotated[StrictInt, Field(ge=-MAX_UNITS, le=MAX_UNITS), AfterValidator(_not_zero)] = Field(
        description="Units to add to on_hand (negative removes); not 0. on_hand never drops below reserved (409)"
    )
    reason: Annotated[StrictStr, Text(200, rule=check_unicode)] = Field(
        description="Why the stock changed, for the audit log (1–200 characters)"
    )


class StockLevel(ApiModel):
    """One SKU's stock."""

    sku: str = Field(description="The SKU")
    on_hand: int = Field(description="Units in the warehouse")
    reserved: int = Field(description="Units held by orders not yet paid or shipped")
    available: int = Field(description="on_hand - reserved: what can still be sold")
    low_stock_threshold: int = Field(description="The SKU is low while available <= this")

    @classmethod
    def of(cls, level: StockLevelEntity) -> StockLevel:
        return cls(
            sku=level.sku,
            on_hand=level.on_hand,
            reserved=level.reserved,
            available=level.available,
            low_stock_threshold=level.low_stock_threshold,
        )


class StockLevelPage(ApiModel):
    items: list[StockLevel] = Field(description="Low SKUs, in SKU order")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")
