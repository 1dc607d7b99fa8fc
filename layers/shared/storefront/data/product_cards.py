"""Product cards: what carts and wishlists show of many products at once, with current stock.

One BatchGetItem reads the product items (each carries its variants' options and own
prices, `variant_cards`) and the stock items of the SKUs asked for, at most 100 keys per
request: a cart of 50 lines from 50 products is one request.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storefront.data import keys
from storefront.data.inventory import StockItem, level_of
from storefront.data.product_items import ProductItem
from storefront.data.table import TableItem
from storefront.domain.catalog.cards import ProductCard, VariantCard
from storefront.domain.inventory.entities import StockLevel

if TYPE_CHECKING:
    from storefront.domain.catalog.entities import Product


@dataclass(frozen=True)
class ShoppingView:
    """Products by id (absent: deleted) and `available` by SKU (absent: no stock item), with the
    whole stock level of each SKU (`levels`) for writers that reserve it."""

    products: dict[str, ProductCard]
    available: dict[str, int]
    levels: dict[str, StockLevel] = field(default_factory=dict)


def _card(item: ProductItem, variants: dict[str, VariantCard]) -> ProductCard:
    return ProductCard(
        id=item.product_id,
        name=item.name,
        slug=item.slug,
        status=item.status,  # type: ignore[arg-type]
        price=int(item.price),
        currency=item.currency,
        variants=variants,
    )


def _variants(raw: str) -> dict[str, VariantCard]:
    """Each variant is `[options, price, weight_grams]`; items written before weights were
    copied hold `[options, price]` (weight unknown) until the product's next write."""
    cards: dict[str, list[Any]] = json.loads(raw)
    return {
        sku: VariantCard(options=card[0], price=card[1], weight_grams=card[2] if len(card) > 2 else None)
        for sku, card in cards.items()
    }


def _card_of_product(product: Product) -> ProductCard:
    variants = {
        variant.sku: VariantCard(variant.options, variant.price, variant.weight_grams) for variant in product.variants
    }
    return ProductCard(
        product.id, product.name, product.slug, product.status, product.price, product.currency, variants
    )


def shopping_view(product_ids: Iterable[str], skus: Iterable[str], *, consistent: bool = False) -> ShoppingView:
    """Access pattern PRODUCT-CARDS: BatchGetItem of `PRODUCT#<id>`/`PRODUCT` and `SKU#<sku>`/`STOCK`.

    Eventually consistent, like the public product read; `consistent` for a writer that
    reserves the stock it reads (checkout completion). A product item written before
    `variant_cards` existed is read whole (PRODUCT-READ) instead: only data from before
    that attribute takes that path.
    """
    wanted = [keys.product(product_id) for product_id in sorted(set(product_ids))]
    wanted += [keys.stock(sku) for sku in sorted(set(skus))]
    products: dict[str, ProductCard] = {}
    available: dict[str, int] = {}
    levels: dict[str, StockLevel] = {}
    older: list[str] = []
    for item in TableItem.batch_get(wanted, consistent_read=consistent) if wanted else ():
        if isinstance(item, StockItem):
            available[item.sku] = int(item.available)
            levels[item.sku] = level_of(item)
        elif isinstance(item, ProductItem):
            if item.variant_cards:
                products[item.product_id] = _card(item, _variants(item.variant_cards))
            else:  # absent (None) on items from before the attribute
                older.append(item.product_id)
    if older:
        # The whole catalog read, only for items from before `variant_cards`: not at every cold start.
        from storefront.data.products import read_product
    for product_id in older:
        product = read_product(product_id)
        if product is not None:
            products[product_id] = _card_of_product(product)
    return ShoppingView(products, available, levels)
