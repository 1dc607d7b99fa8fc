"""Catalog events: a product's life, each carrying the product as it is after the change.

Stock levels are not part of them (they belong to the inventory events); a consumer
that needs `available` reads the inventory.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, Field, StrictInt, StrictStr

from storefront.domain.catalog.entities import Category, Product
from storefront.events.base import EVENT_CONFIG, DomainEvent, rfc3339


class ProductVariantData(BaseModel):
    model_config = EVENT_CONFIG

    sku: StrictStr = Field(description="Unique across the store")
    options: dict[str, str] = Field(description="Option name → value, e.g. {'size': 'M'}")
    price: StrictInt = Field(description="Price in minor units (the product's when the variant has none)")
    weight_grams: StrictInt | None = Field(description="Shipping weight, if known")


class ProductData(BaseModel):
    model_config = EVENT_CONFIG

    id: StrictStr
    name: StrictStr
    slug: StrictStr
    description: StrictStr
    category_id: StrictStr
    brand: StrictStr | None
    attributes: dict[str, Any]
    tags: list[str]
    status: StrictStr = Field(description="draft, active or archived")
    price: StrictInt = Field(description="Price in minor units")
    currency: StrictStr = Field(description="ISO 4217, upper case")
    variants: list[ProductVariantData]
    created_at: StrictStr = Field(description="RFC 3339 UTC")
    updated_at: StrictStr = Field(description="RFC 3339 UTC")

    @classmethod
    def of(cls, product: Product) -> ProductData:
        variants = [
            ProductVariantData(
                sku=variant.sku,
                options=variant.options,
                price=product.variant_price(variant),
                weight_grams=variant.weight_grams,
            )
            for variant in product.variants
        ]
        return cls(
            id=product.id,
            name=product.name,
            slug=product.slug,
            description=product.description,
            category_id=product.category_id,
            brand=product.brand,
            attributes=dict(product.attributes),
            tags=list(product.tags),
            status=product.status,
            price=product.price,
            currency=product.currency,
            variants=variants,
            created_at=rfc3339(product.created_at),
            updated_at=rfc3339(product.updated_at),
        )


class ProductCreated(DomainEvent):
    """A manager created a product (in any status)."""

    event_type: ClassVar[str] = "product.created"
    version: ClassVar[int] = 1

    product: ProductData


class ProductUpdated(DomainEvent):
    """A product's fields, variants or images changed (PATCH, variant or image added, changed or removed)."""

    event_type: ClassVar[str] = "product.updated"
    version: ClassVar[int] = 1

    product: ProductData
    change: StrictStr = Field(
        description="product, variant_added, variant_updated, variant_removed, image_added (an uploaded "
        "image was checked and is shown), image_updated or image_removed"
    )
    sku: StrictStr | None = Field(None, description="The variant's SKU, for a variant change")
    image_id: StrictStr | None = Field(None, description="The image's id, for an image change")


class ProductDeleted(DomainEvent):
    """A product was archived (DELETE): it is no longer sold; orders keep referring to it."""

    event_type: ClassVar[str] = "product.deleted"
    version: ClassVar[int] = 1

    product: ProductData


class CategoryData(BaseModel):
    model_config = EVENT_CONFIG

    id: StrictStr
    name: StrictStr
    slug: StrictStr
    parent_id: StrictStr | None = Field(description="None for a root")
    created_at: StrictStr = Field(description="RFC 3339 UTC")
    updated_at: StrictStr = Field(description="RFC 3339 UTC")

    @classmethod
    def of(cls, category: Category) -> CategoryData:
        return cls(
            id=category.id,
            name=category.name,
            slug=category.slug,
            parent_id=category.parent_id,
            created_at=rfc3339(category.created_at),
            updated_at=rfc3339(category.updated_at),
        )


class CategoryCreated(DomainEvent):
    """A manager created a category."""

    event_type: ClassVar[str] = "category.created"
    version: ClassVar[int] = 1

    category: CategoryData


class CategoryUpdated(DomainEvent):
    """A category was renamed, given a new slug, or moved (its whole subtree moves with it)."""

    event_type: ClassVar[str] = "category.updated"
    version: ClassVar[int] = 1

    category: CategoryData
    previous_parent_id: StrictStr | None = Field(description="The parent before the change (None: it was a root)")


class CategoryDeleted(DomainEvent):
    """An empty category (no subcategories, no products) was deleted."""

    event_type: ClassVar[str] = "category.deleted"
    version: ClassVar[int] = 1

    category: CategoryData
