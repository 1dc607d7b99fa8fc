"""Products and their variants (one partition per product), with slug and SKU claims.

The product item and its variants share `PRODUCT#<id>`; each variant's stock item
(`SKU#<sku>` / `STOCK`, owned by the inventory function) is created in the product's
transaction. All three carry GSI1 keys `PRODUCT_VIEW#<id>`: the public read is one Query.
Every product write is one transaction conditioned on the product's `revision` as read
(and bumps it), with the outbox event of the change and the category counters.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from pynamodb.transactions import TransactWrite

from storefront.data import keys
from storefront.data.categories import product_count_update
from storefront.data.image_items import ImageItem, shown_images
from storefront.data.inventory import StockItem, stock_item
from storefront.data.outbox import stage_event
from storefront.data.product_items import ProductItem, ProductSlugItem, SkuClaimItem, VariantItem
from storefront.data.table import TableItem, committed
from storefront.domain.catalog.entities import Image, NewVariant, Product, Variant
from storefront.domain.reviews.rating import average_rating
from storefront.events.base import DomainEvent

_FIELDS = ("name", "slug", "description", "category_id", "brand", "price", "currency", "status")


def _product(item: ProductItem, variants: list[Variant], images: list[Image]) -> Product:
    return Product(
        id=item.product_id,
        **{name: getattr(item, name) for name in _FIELDS if name != "price"},
        price=int(item.price),
        attributes=json.loads(item.attributes or "{}"),
        tags=json.loads(item.tags or "[]"),
        created_at=int(item.created_at),
        updated_at=int(item.updated_at),
        revision=int(item.revision or 1),
        variants=sorted(variants, key=lambda variant: variant.sku),
        images=images,
        rating_average=_rating_average(item),
        rating_count=int(item.rating_count or 0),
    )


def variant_cards_json(variants: list[Variant]) -> str:
    """The product item's compact copy of its variants' options, own prices and weights (see PRODUCT-CARDS)."""
    cards = {
        variant.sku: [variant.options, variant.price, variant.weight_grams]
        for variant in sorted(variants, key=lambda v: v.sku)
    }
    return json.dumps(cards, separators=(",", ":"))


def _rating_average(item: ProductItem) -> float | None:
    total: float | None = item.rating_sum
    if total is None:  # never reviewed since rating_sum exists: the stored average, if any
        return float(item.rating_average) if item.rating_average is not None else None
    return average_rating(int(total), int(item.rating_count or 0))


def _variant(item: VariantItem, available: int) -> Variant:
    price = int(item.price) if item.price is not None else None
    weight = int(item.weight_grams) if item.weight_grams is not None else None
    return Variant(item.sku, json.loads(item.options or "{}"), price, weight, available)


def _assemble(items: list[Any], stock: dict[str, int]) -> Product | None:
    products = [item for item in items if isinstance(item, ProductItem)]
    if not products:
        return None
    variants = [_variant(item, stock.get(item.sku, 0)) for item in items if isinstance(item, VariantItem)]
    return _product(products[0], variants, shown_images(items))


def _available(skus: list[str]) -> dict[str, int]:
    if not skus:
        return {}
    return {item.sku: int(item.available) for item in StockItem.batch_get([keys.stock(sku) for sku in skus])}


def read_product(product_id: str) -> Product | None:
    """Access pattern PRODUCT-READ: consistent Query PK = PRODUCT#<id>, begins_with(SK, "PRODUCT"),
    then one BatchGetItem of the variants' stock items. Used by writes and by staff."""
    pk, _ = keys.product(product_id)
    items = list(TableItem.query(pk, TableItem.SK.startswith(keys.product_items_prefix()), consistent_read=True))
    skus = [item.sku for item in items if isinstance(item, VariantItem)]
    return _assemble(items, _available(skus))


def view_product(product_id: str) -> Product | None:
    """Access pattern PRODUCT-VIEW: one Query on GSI1 GSI1PK = PRODUCT_VIEW#<id>.

    Returns the product, its variants and their stock items (eventually consistent, like
    the public cache in front of it). A stock item that lost its GSI1 keys is read with one
    BatchGetItem (never expected: inventory writes are updates, which keep them).
    """
    items = list(TableItem.gsi1.query(keys.product_view_partition(product_id)))
    stock = {item.sku: int(item.available) for item in items if isinstance(item, StockItem)}
    missing = [item.sku for item in items if isinstance(item, VariantItem) and item.sku not in stock]
    stock.update(_available(missing))
    return _assemble(items, stock)


def sku_owners(skus: list[str]) -> dict[str, str]:
    """Access pattern SKU-CLAIMS: BatchGetItem SKU#<sku> / SKU → the product holding each SKU."""
    return {item.sku: item.product_id for item in SkuClaimItem.batch_get([keys.sku_claim(sku) for sku in skus])}


def product_slug_taken(slug: str) -> bool:
    """Access pattern PRODUCT-SLUG: GetItem PRODUCT_SLUG#<slug> / SLUG."""
    try:
        ProductSlugItem.get(*keys.product_slug(slug), consistent_read=True)
    except ProductSlugItem.DoesNotExist:
        return False
    return True


def _product_item(product: Product) -> ProductItem:
    pk, sk = keys.product(product.id)
    index_pk, index_sk = keys.product_view_index(product.id, "PRODUCT")
    return ProductItem(
        pk,
        sk,
        GSI1PK=index_pk,
        GSI1SK=index_sk,
        product_id=product.id,
        **{name: getattr(product, name) for name in _FIELDS},
        attributes=json.dumps(product.attributes),
        tags=json.dumps(product.tags),
        rating_count=0,
        variant_count=len(product.variants),
        variant_cards=variant_cards_json(product.variants),
        revision=product.revision,
        created_at=product.created_at,
        updated_at=product.updated_at,
    )


def _variant_item(product_id: str, variant: Variant) -> VariantItem:
    pk, sk = keys.variant(product_id, variant.sku)
    index_pk, index_sk = keys.product_view_index(product_id, "VARIANT", variant.sku)
    return VariantItem(
        pk,
        sk,
        GSI1PK=index_pk,
        GSI1SK=index_sk,
        product_id=product_id,
        sku=variant.sku,
        options=json.dumps(variant.options),
        price=variant.price,
        weight_grams=variant.weight_grams,
    )


def _stage_variant(write: TransactWrite, product_id: str, new: NewVariant, now: int) -> None:
    """Put the variant, its SKU claim and its stock item, each if absent."""
    sku = new.variant.sku
    write.save(_variant_item(product_id, new.variant), condition=VariantItem.PK.does_not_exist())
    claim = SkuClaimItem(*keys.sku_claim(sku), sku=sku, product_id=product_id)
    write.save(claim, condition=SkuClaimItem.PK.does_not_exist())
    # The inventory function's stock item (STOCK-CREATE), plus the GSI1 keys of PRODUCT-VIEW.
    stock = stock_item(sku, product_id, new.initial_stock, now=now)
    stock.GSI1PK, stock.GSI1SK = keys.product_view_index(product_id, "STOCK", sku)
    write.save(stock, condition=StockItem.PK.does_not_exist())


def _count(write: TransactWrite, category_id: str, delta: int) -> None:
    item, actions, condition = product_count_update(category_id, delta)
    write.update(item, actions=actions, condition=condition)


def create_product(product: Product, variants: list[NewVariant], event: DomainEvent) -> bool:
    """Access pattern PRODUCT-CREATE: TransactWriteItems, every Put if absent.

    Put the product and its slug claim; per variant Put the variant, its SKU claim and its
    stock item; Update the category `ADD product_count 1` if it exists (not for an archived
    product); Put the outbox event. Two creations racing on one SKU: exactly one commits.
    """
    slug = ProductSlugItem(*keys.product_slug(product.slug), product_id=product.id)

    def write_all(write: TransactWrite) -> None:
        write.save(_product_item(product), condition=ProductItem.PK.does_not_exist())
        write.save(slug, condition=ProductSlugItem.PK.does_not_exist())
        for new in variants:
            _stage_variant(write, product.id, new, product.created_at)
        if product.counts_in_category:
            _count(write, product.category_id, 1)
        stage_event(write, event, product.updated_at)

    return committed(write_all)


def _product_update(write: TransactWrite, before: Product, now: int, actions: list[Any], extra: Any = None) -> None:
    condition = ProductItem.PK.exists() & (ProductItem.revision == before.revision)
    if extra is not None:
        condition &= extra
    actions = [*actions, ProductItem.revision.add(1), ProductItem.updated_at.set(now)]
    write.update(ProductItem(*keys.product(before.id)), actions=actions, condition=condition)


def update_product(before: Product, after: Product, event: DomainEvent) -> bool:
    """Access pattern PRODUCT-UPDATE: TransactWriteItems (also PRODUCT-ARCHIVE).

    Update the product if its `revision` is as read (SET fields, ADD revision 1); when it
    leaves or joins a category (a move, an archive or an un-archive), Update the categories
    `ADD product_count -1 / +1` (the new one only if it exists); Put the outbox event.
    """
    actions: list[Any] = [getattr(ProductItem, name).set(getattr(after, name)) for name in _FIELDS if name != "slug"]
    actions += [ProductItem.attributes.set(json.dumps(after.attributes)), ProductItem.tags.set(json.dumps(after.tags))]
    was = before.category_id if before.counts_in_category else None
    joins = after.category_id if after.counts_in_category else None

    def write_all(write: TransactWrite) -> None:
        _product_update(write, before, after.updated_at, actions)
        if was != joins:
            if was is not None:
                _count(write, was, -1)
            if joins is not None:
                _count(write, joins, 1)
        stage_event(write, event, after.updated_at)

    return committed(write_all)


def add_variant(before: Product, new: NewVariant, max_variants: int, event: DomainEvent, now: int) -> bool:
    """Access pattern VARIANT-ADD: TransactWriteItems.

    Update the product (`revision` as read, `variant_count < max`, ADD variant_count 1, SET
    variant_cards);
    Put the variant, its SKU claim and its stock item if absent; Put the outbox event.
    """

    def write_all(write: TransactWrite) -> None:
        bound = ProductItem.variant_count < max_variants
        cards = ProductItem.variant_cards.set(variant_cards_json([*before.variants, new.variant]))
        _product_update(write, before, now, [ProductItem.variant_count.add(1), cards], bound)
        _stage_variant(write, before.id, new, now)
        stage_event(write, event, now)

    return committed(write_all)


def update_variant(before: Product, variant: Variant, event: DomainEvent, now: int) -> bool:
    """Access pattern VARIANT-UPDATE: TransactWriteItems.

    Update the product (`revision` as read, SET variant_cards); Put the variant over the existing one (if it
    exists); Put the outbox event.
    """

    def write_all(write: TransactWrite) -> None:
        others = [kept for kept in before.variants if kept.sku != variant.sku]
        _product_update(write, before, now, [ProductItem.variant_cards.set(variant_cards_json([*others, variant]))])
        write.save(_variant_item(before.id, variant), condition=VariantItem.PK.exists())
        stage_event(write, event, now)

    return committed(write_all)


def remove_variant(before: Product, sku: str, event: DomainEvent, now: int) -> bool:
    """Access pattern VARIANT-REMOVE: TransactWriteItems.

    Update the product (`revision` as read, `variant_count > 1`, ADD variant_count -1, SET
    variant_cards);
    Delete the variant if it exists; Put the outbox event. The SKU claim and the stock item
    stay: orders keep referring to the SKU, so it is never reused.
    """

    def write_all(write: TransactWrite) -> None:
        cards = ProductItem.variant_cards.set(variant_cards_json([kept for kept in before.variants if kept.sku != sku]))
        actions = [ProductItem.variant_count.add(-1), cards]
        _product_update(write, before, now, actions, ProductItem.variant_count > 1)
        write.delete(VariantItem(*keys.variant(before.id, sku)), condition=VariantItem.PK.exists())
        stage_event(write, event, now)

    return committed(write_all)


def _scan_segment(segment: int, total: int) -> list[Any]:
    condition = TableItem.entity.is_in(ProductItem, VariantItem, ImageItem, StockItem)
    return list(TableItem.scan(condition, segment=segment, total_segments=total))


def scan_products(segments: int = 4) -> list[Product]:
    """Access pattern CATALOG-SCAN: a parallel Scan of the whole table for every product.

    Only the search index's full rebuild reads it (rare, and a Scan reads every item:
    it costs one read unit per 4 KB of the table). Products are assembled from their
    items, variants with their stock items' `available`, images ready ones only.
    """
    with ThreadPoolExecutor(max_workers=segments) as pool:
        parts = list(pool.map(lambda segment: _scan_segment(segment, segments), range(segments)))
    by_product: dict[str, list[Any]] = {}
    stock: dict[str, int] = {}
    for item in (item for part in parts for item in part):
        if isinstance(item, StockItem):
            stock[item.sku] = int(item.available)
        else:
            by_product.setdefault(str(item.product_id), []).append(item)
    products = (_assemble(items, stock) for items in by_product.values())
    return [product for product in products if product is not None]
