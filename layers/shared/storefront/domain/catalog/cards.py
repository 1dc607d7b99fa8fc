"""Products as shopping lists (carts, wishlists, checkouts) read them: the price and variants only.

Apart from entities.py so that the functions that only price a cart (cart, wishlist,
checkout) do not define every catalog entity at cold start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ProductStatus = Literal["draft", "active", "archived"]


@dataclass(frozen=True)
class VariantCard:
    """What a shopping list shows of a variant: its options, own price (None: the product's) and weight."""

    options: dict[str, str]
    price: int | None
    weight_grams: int | None = None  # None: unknown (checkout counts it as 0 g)


@dataclass(frozen=True)
class ProductCard:
    """A product as carts and wishlists show it, read in one batch with its SKUs' stock.

    Prices are the current ones, never a copy kept by the cart: a card is read each time.
    """

    id: str
    name: str
    slug: str
    status: ProductStatus
    price: int
    currency: str
    variants: dict[str, VariantCard]  # by SKU

    def unit_price(self, sku: str) -> int:
        """What one unit of the SKU sells for now: the variant's own price, else the product's."""
        own = self.variants[sku].price
        return self.price if own is None else own
