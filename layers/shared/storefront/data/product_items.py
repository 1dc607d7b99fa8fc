"""The catalog's item classes: a product, its variants, its SKUs' and slug's claims.

Apart from products.py (the catalog's reads and writes) so that the data modules that only
read or update these items inside their own transactions (carts, wishlists, reviews,
images) do not import the whole catalog at cold start.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from storefront.data.table import TableItem


class ProductItem(TableItem, discriminator="Product"):
    product_id = UnicodeAttribute()
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    description = UnicodeAttribute()
    category_id = UnicodeAttribute()
    brand = UnicodeAttribute(null=True)
    price = NumberAttribute()
    currency = UnicodeAttribute()
    attributes = UnicodeAttribute(default="{}")  # JSON
    tags = UnicodeAttribute(default="[]")  # JSON
    status = UnicodeAttribute()
    image_count = NumberAttribute(null=True)  # pending and ready images (bounded); see data/images.py
    # The approved reviews' running totals, changed only by the reviews' transactions (ADD, never
    # the product's revision): the average is derived where the product is read.
    rating_sum = NumberAttribute(null=True)
    rating_count = NumberAttribute(default=0)
    rating_average = NumberAttribute(null=True)  # only items written before rating_sum existed
    variant_count = NumberAttribute(default=0)
    # {sku: [options, own price or null]} of every variant, rewritten by each variant write:
    # carts and wishlists read a product's variants with the product item (PRODUCT-CARDS).
    variant_cards = UnicodeAttribute(null=True)  # JSON
    revision = NumberAttribute(default=1)
    created_at = NumberAttribute()
    updated_at = NumberAttribute()


class VariantItem(TableItem, discriminator="Variant"):
    product_id = UnicodeAttribute()
    sku = UnicodeAttribute()
    options = UnicodeAttribute(default="{}")  # JSON
    price = NumberAttribute(null=True)
    weight_grams = NumberAttribute(null=True)


class SkuClaimItem(TableItem, discriminator="SkuClaim"):
    sku = UnicodeAttribute()
    product_id = UnicodeAttribute()


class ProductSlugItem(TableItem, discriminator="ProductSlug"):
    product_id = UnicodeAttribute()
