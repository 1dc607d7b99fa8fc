"""API models of the cart routes (customer and guest carts, merge). Descriptions become the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StrictInt, StrictStr

from storefront.domain.cart.entities import MAX_QUANTITY, CartView, PricedLine
from storefront.events.base import rfc3339
from storefront.models.base import ApiModel
from storefront.models.catalog_fields import Sku


class CartItemAdd(ApiModel):
    """Units of a SKU to add to the cart (added to its line if the SKU is in the cart already)."""

    model_config = ConfigDict(extra="forbid")

    sku: Sku
    quantity: Annotated[StrictInt, Field(ge=1, le=MAX_QUANTITY)] = Field(
        description=f"Units to add (1–{MAX_QUANTITY}); the line may hold at most {MAX_QUANTITY} and no more than "
        "are available (409 with `available`)"
    )


class CartItemQuantity(ApiModel):
    """The quantity a line should hold."""

    model_config = ConfigDict(extra="forbid")

    quantity: Annotated[StrictInt, Field(ge=0, le=MAX_QUANTITY)] = Field(
        description=f"The line's new quantity (0–{MAX_QUANTITY}); 0 removes the line; more than available → 409"
    )


class CartMerge(ApiModel):
    """The guest cart to merge into the caller's cart."""

    model_config = ConfigDict(extra="forbid")

    cart_token: Annotated[StrictStr, Field(min_length=1, max_length=128)] = Field(
        description="The guest cart's token (from POST /v1/guest-cart)"
    )


LineStatus = Literal["ok", "unavailable", "insufficient_stock", "sold_out"]


class CartItem(ApiModel):
    """A cart line, priced now."""

    sku: str = Field(description="The SKU")
    product_id: str = Field(description="The SKU's product")
    name: str = Field(description="The product's name now (the SKU when the product no longer exists)")
    options: dict[str, str] = Field(description="The variant's options, e.g. {'size': 'M'} (empty if it is gone)")
    quantity: int = Field(description="Units in the cart")
    unit_price: int | None = Field(description="The current price of one unit, in minor units (null: no longer sold)")
    line_total: int | None = Field(description="unit_price × quantity (null with unit_price)")
    available: int = Field(description="Units available now")
    status: LineStatus = Field(
        description="`ok`; `unavailable` (product no longer active, variant removed, or sold in another currency); "
        "`insufficient_stock` (fewer available than the quantity); `sold_out`. Only `ok` lines count in subtotal"
    )

    @classmethod
    def of(cls, line: PricedLine) -> CartItem:
        return cls(
            sku=line.sku,
            product_id=line.product_id,
            name=line.name,
            options=line.options,
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_total=line.line_total,
            available=line.available,
            status=line.status,
        )


def _time(epoch: int | None) -> str | None:
    return rfc3339(epoch) if epoch is not None else None


class Cart(ApiModel):
    """A cart with current prices. Prices are never stored: each read prices the lines anew."""

    items: list[CartItem] = Field(description="The lines, in the order they were first added")
    subtotal: int = Field(description="Sum of the `ok` lines' totals, in minor units")
    currency: str | None = Field(description="The cart's currency (every line's product sells in it); null when empty")
    updated_at: str | None = Field(description="Last change (RFC 3339); null when the cart does not exist")
    expires_at: str | None = Field(description="When the idle cart expires unless changed again (RFC 3339)")

    @classmethod
    def of(cls, view: CartView) -> Cart:
        return cls(
            items=[CartItem.of(line) for line in view.lines],
            subtotal=view.subtotal,
            currency=view.currency,
            updated_at=_time(view.updated_at),
            expires_at=_time(view.expires_at),
        )


class MergedCart(Cart):
    """The caller's cart after a merge."""

    capped: list[str] = Field(
        description="SKUs whose summed quantity was capped at what is available and at 99 (or left out: none available)"
    )

    @classmethod
    def merged(cls, view: CartView) -> MergedCart:
        return cls(**Cart.of(view).model_dump(), capped=view.capped)


class GuestCart(ApiModel):
    """A new guest cart. The token is shown once: the store keeps only its hash."""

    cart_token: str = Field(description="Send as the `Cart-Token` header on the guest-cart routes; keep it secret")
    expires_at: str = Field(description="When the cart expires if left idle (each change pushes it 7 days forward)")
