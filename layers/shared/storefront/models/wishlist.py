"""API models of the wishlist routes. Their descriptions become the OpenAPI document."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from storefront.domain.wishlist.entities import WishlistEntry
from storefront.events.base import rfc3339
from storefront.models.base import ApiModel


class WishlistItem(ApiModel):
    """A saved product with what it is now: its current name, price and stock, never a copy."""

    product_id: str = Field(description="The product id")
    name: str | None = Field(description="The product's current name; null once it is no longer active")
    price: int | None = Field(
        description="The product's current price in minor units (a variant may have its own);"
        " null once it is no longer active"
    )
    currency: str | None = Field(description="ISO 4217, upper case; null once the product is no longer active")
    added_at: str = Field(description="When it was first put on the wishlist (RFC 3339, UTC)")
    in_stock: bool = Field(description="Whether any variant of the active product has units available now")
    status: Literal["active", "unavailable"] = Field(
        description="`unavailable` once the product was archived, returned to draft or removed: the item stays"
        " on the wishlist, and the catalog shows the product to no shopper"
    )

    @classmethod
    def of(cls, entry: WishlistEntry) -> WishlistItem:
        card = entry.card
        return cls(
            product_id=entry.product_id,
            name=None if card is None else card.name,
            price=None if card is None else card.price,
            currency=None if card is None else card.currency,
            added_at=rfc3339(entry.added_at),
            in_stock=entry.in_stock,
            status="unavailable" if card is None else "active",
        )


class Wishlist(ApiModel):
    """The caller's whole wishlist (at most 200 products), newest first: one page, no cursor."""

    items: list[WishlistItem] = Field(description="Newest first")

    @classmethod
    def of(cls, entries: list[WishlistEntry]) -> Wishlist:
        return cls(items=[WishlistItem.of(entry) for entry in entries])
