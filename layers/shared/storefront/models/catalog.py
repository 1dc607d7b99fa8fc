"""API models of the catalog routes. Their descriptions become the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
)

from storefront.domain.catalog.categories import CategoryDetail as CategoryDetailEntity
from storefront.domain.catalog.entities import AttributeDefinition, NewVariant, Variant
from storefront.domain.catalog.entities import Category as CategoryEntity
from storefront.domain.catalog.entities import Product as ProductEntity
from storefront.domain.catalog.products import MAX_VARIANTS
from storefront.domain.catalog.tree import Node
from storefront.domain.inventory.entities import MAX_UNITS
from storefront.events.base import rfc3339
from storefront.models.base import ApiModel
from storefront.models.catalog_fields import (
    AttributeName,
    AttributeValue,
    Brand,
    Currency,
    Description,
    Grams,
    Id,
    Money,
    Name,
    Options,
    Sku,
    Slug,
    Tag,
)
from storefront.models.patches import NotNull


class _Request(ApiModel):
    model_config = ConfigDict(extra="forbid")

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class CategoryAttribute(ApiModel):
    """An attribute definition; descendants inherit it and may narrow it, never change its type."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["string", "number", "boolean"] = Field(description="The type of the products' values")
    values: list[AttributeValue] | None = Field(None, max_length=100, description="The allowed values, if limited")
    required: StrictBool = Field(False, description="Every product of the category must set it")

    def definition(self) -> AttributeDefinition:
        return AttributeDefinition(self.type, tuple(self.values) if self.values is not None else None, self.required)

    @classmethod
    def of(cls, definition: AttributeDefinition) -> CategoryAttribute:
        values = list(definition.values) if definition.values is not None else None
        return cls(type=definition.type, values=values, required=definition.required)


class CategoryCreate(_Request):
    name: Name
    slug: Slug
    parent_id: Id | None = Field(None, description="The parent category; absent or null for a root")
    attributes: dict[AttributeName, CategoryAttribute] = Field(
        default_factory=dict, max_length=50, description="Own attribute definitions (inherited ones apply too)"
    )

    def definitions(self) -> dict[str, AttributeDefinition]:
        return {name: attribute.definition() for name, attribute in self.attributes.items()}


class CategoryPatch(_Request):
    """Rename, change the slug, or move (`parent_id`; null makes it a root)."""

    name: Annotated[Name | None, NotNull] = None
    slug: Annotated[Slug | None, NotNull] = None
    parent_id: Id | None = Field(None, description="The new parent; null moves it to the root")


class CategoryNode(ApiModel):
    id: str = Field(description="The category id")
    name: str = Field(description="Display name")
    slug: str = Field(description="Unique slug")
    parent_id: str | None = Field(description="The parent's id; null for a root")
    children: list[CategoryNode] = Field(description="Subcategories, by name")

    @classmethod
    def of(cls, node: Node) -> CategoryNode:
        category = node.category
        children = [cls.of(child) for child in node.children]
        return cls(
            id=category.id, name=category.name, slug=category.slug, parent_id=category.parent_id, children=children
        )


class CategoryRef(ApiModel):
    id: str = Field(description="The category id")
    name: str = Field(description="Display name")
    slug: str = Field(description="Unique slug")

    @classmethod
    def of(cls, category: CategoryEntity) -> CategoryRef:
        return cls(id=category.id, name=category.name, slug=category.slug)


class CategoryDetail(ApiModel):
    id: str = Field(description="The category id")
    name: str = Field(description="Display name")
    slug: str = Field(description="Unique slug")
    parent_id: str | None = Field(description="The parent's id; null for a root")
    ancestors: list[CategoryRef] = Field(description="From the root down to the parent")
    attributes: dict[str, CategoryAttribute] = Field(description="Effective definitions: own merged with inherited")
    created_at: str = Field(description="RFC 3339, UTC")
    updated_at: str = Field(description="RFC 3339, UTC")

    @classmethod
    def of(cls, detail: CategoryDetailEntity) -> CategoryDetail:
        category = detail.category
        return cls(
            id=category.id,
            name=category.name,
            slug=category.slug,
            parent_id=category.parent_id,
            ancestors=[CategoryRef.of(ancestor) for ancestor in detail.ancestors],
            attributes={name: CategoryAttribute.of(item) for name, item in sorted(detail.attributes.items())},
            created_at=rfc3339(category.created_at),
            updated_at=rfc3339(category.updated_at),
        )


class ProductVariantCreate(_Request):
    sku: Sku
    options: Options = Field(default_factory=dict)
    price: Money | None = Field(None, description="The variant's own price; absent: the product's")
    initial_stock: Annotated[StrictInt, Field(ge=0, le=MAX_UNITS)] = Field(
        0, description=f"Units on hand at creation, 0–{MAX_UNITS}, the inventory's bound"
    )
    weight_grams: Grams | None = None

    def new_variant(self) -> NewVariant:
        return NewVariant(Variant(self.sku, dict(self.options), self.price, self.weight_grams), self.initial_stock)


class ProductVariantPatch(_Request):
    options: Annotated[Options | None, NotNull] = None
    price: Money | None = Field(None, description="null: the product's price")
    weight_grams: Grams | None = None


class ProductCreate(_Request):
    name: Name
    description: Description = ""
    category_id: Id
    brand: Brand | None = None
    price: Money
    currency: Currency
    attributes: dict[AttributeName, AttributeValue] = Field(default_factory=dict, max_length=50)
    tags: list[Tag] = Field(default_factory=list, max_length=20, description="At most 20")
    status: Literal["draft", "active"] = Field("draft", description="Only active products are public")
    variants: list[ProductVariantCreate] = Field(
        min_length=1, max_length=MAX_VARIANTS, description=f"1–{MAX_VARIANTS} variants"
    )

    def fields(self) -> dict[str, Any]:
        return self.model_dump(exclude={"variants"})


class ProductPatch(_Request):
    """Only the fields sent change. `status` moves between draft and active (DELETE archives)."""

    name: Annotated[Name | None, NotNull] = None
    description: Annotated[Description | None, NotNull] = None
    category_id: Annotated[Id | None, NotNull] = None
    brand: Brand | None = Field(None, description="null removes it")
    price: Annotated[Money | None, NotNull] = None
    currency: Annotated[Currency | None, NotNull] = None
    attributes: Annotated[dict[AttributeName, AttributeValue] | None, NotNull] = Field(None, max_length=50)
    tags: Annotated[list[Tag] | None, NotNull] = Field(None, max_length=20)
    status: Annotated[Literal["draft", "active"] | None, NotNull] = None


class ProductVariant(ApiModel):
    sku: str = Field(description="Unique across the store")
    options: dict[str, str] = Field(description="Option name → value")
    price: int = Field(description="Price in minor units (the product's unless the variant has its own)")
    available: int = Field(description="Units that can be ordered now (on hand minus reserved)")
    weight_grams: int | None = Field(description="Shipping weight, if known")


ImageStatusField = Field(
    description="`ready` (shown to customers); staff also see `pending` (the upload is not checked yet) "
    "and `failed` (the upload was refused or never arrived; see `failure_reason`) images"
)
FailureReasonField = Field(description="Why the image failed, for staff; null unless `failed`")


class ProductImage(ApiModel):
    id: str = Field(description="The image id")
    url: str = Field(description="CDN URL (of a pending or failed image: where it would be served)")
    alt: str | None = Field(description="Alternative text")
    position: int = Field(description="Order among the product's images")
    status: Literal["pending", "ready", "failed"] = ImageStatusField
    failure_reason: str | None = FailureReasonField


class ProductRating(ApiModel):
    average: float | None = Field(description="Average of the approved reviews; null without any")
    count: int = Field(description="Approved reviews")


class ProductDetail(ApiModel):
    id: str = Field(description="The product id")
    name: str = Field(description="Display name")
    slug: str = Field(description="Unique slug, made from the name at creation (kept on rename)")
    description: str = Field(description="Plain-text description")
    category_id: str = Field(description="Its category")
    brand: str | None = Field(description="The brand, if any")
    attributes: dict[str, Any] = Field(description="Values of the category's attributes")
    tags: list[str] = Field(description="Tags")
    status: str = Field(description="draft, active or archived; only active products are public")
    price: int = Field(description="Price in minor units")
    currency: str = Field(description="ISO 4217, upper case")
    variants: list[ProductVariant] = Field(description="By SKU")
    images: list[ProductImage] = Field(
        description="By position: the ready images; a manager's view lists every image with its status"
    )
    rating: ProductRating = Field(description="Approved reviews")
    created_at: str = Field(description="RFC 3339, UTC")
    updated_at: str = Field(description="RFC 3339, UTC")

    @classmethod
    def of(cls, product: ProductEntity) -> ProductDetail:
        variants = [
            ProductVariant(
                sku=variant.sku,
                options=variant.options,
                price=product.variant_price(variant),
                available=max(variant.available, 0),
                weight_grams=variant.weight_grams,
            )
            for variant in product.variants
        ]
        images = [
            ProductImage(
                id=i.id, url=i.url, alt=i.alt, position=i.position, status=i.status, failure_reason=i.failure_reason
            )
            for i in product.images
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
            images=images,
            rating=ProductRating(average=product.rating_average, count=product.rating_count),
            created_at=rfc3339(product.created_at),
            updated_at=rfc3339(product.updated_at),
        )
