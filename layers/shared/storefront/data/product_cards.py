"""Product cards: what carts and wishlists show of many products at once, with current stock.

One BatchGetItem reads the product items (each carries its variants' options and own
prices, `variant_cards`) and the stock items of the SKUs asked for, at most 100 keys per
request: a cart of 50 lines from 50 products is one request.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from storefront.data import keys
from storefront.data.inventory import StockItem
from storefront.data.products import ProductItem, read_product
from storefront.data.table import TableItem
from storefront.domain.catalog.entities import Product, ProductCard, VariantCard


@dataclass(frozen=True)
class ShoppingView:
    """Products by id (absent: deleted) and `available` by SKU (absent: no stock item)."""

    products: dict[str, ProductCard]
    available: dict[str, int]


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
    cards: dict[str, Any] = json.loads(raw)
    return {sku: VariantCard(options=options, price=price) for sku, (options, price) in cards.items()}


def _card_of_product(product: Product) -> ProductCard:
    variants = {variant.sku: VariantCard(variant.options, variant.price) for variant in product.variants}
    return ProductCard(
        product.id, product.name, product.slug, product.status, product.price, product.currency, variants
    )


def shopping_view(product_ids: Iterable[str], skus: Iterable[str]) -> ShoppingView:
    """Access pattern PRODUCT-CARDS: BatchGetItem of `PRODUCT#<id>`/`PRODUCT` and `SKU#<sku>`/`STOCK`.

    Eventually consistent, like the public product read. A product item written before
    `variant_cards` existed is read whole (PRODUCT-READ) instead: only data from before
    that attribute takes that path.
    """
    wanted = [keys.product(product_id) for product_id in sorted(set(product_ids))]
    wanted += [keys.stock(sku) for sku in sorted(set(skus))]
    products: dict[str, ProductCard] = {}
    available: dict[str, int] = {}
    older: list[str] = []
    for item in TableItem.batch_get(wanted) if wanted else ():
        if isinstance(item, StockItem):
            available[item.sku] = int(item.available)
        elif isinstance(item, ProductItem):
            if item.variant_cards:
                products[item.product_id] = _card(item, _variants(item.variant_cards))
            else:  # absent (None) on items from before the attribute
                older.append(item.product_id)
    for product_id in older:
        product = read_product(product_id)
        if product is not None:
            products[product_id] = _card_of_product(product)
    return ShoppingView(products, available)
