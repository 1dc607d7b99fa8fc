"""Catalog entities as the domain sees them: no HTTP, no DynamoDB."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from storefront.domain.catalog.cards import ProductStatus

AttributeType = Literal["string", "number", "boolean"]
AttributeValue = str | int | float | bool


@dataclass(frozen=True)
class AttributeDefinition:
    type: AttributeType
    values: tuple[AttributeValue, ...] | None = None  # the allowed values; None allows any of the type
    required: bool = False

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"type": self.type, "required": self.required}
        if self.values is not None:
            result["values"] = list(self.values)
        return result

    @classmethod
    def of(cls, raw: dict[str, Any]) -> AttributeDefinition:
        values = raw.get("values")
        return cls(raw["type"], tuple(values) if values is not None else None, bool(raw.get("required", False)))


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    slug: str
    parent_id: str | None
    attributes: dict[str, AttributeDefinition]  # its own definitions, not the inherited ones
    created_at: int
    updated_at: int
    child_count: int = 0
    product_count: int = 0


@dataclass(frozen=True)
class Variant:
    sku: str
    options: dict[str, str]
    price: int | None  # None: the product's price
    weight_grams: int | None = None
    available: int = 0  # from the SKU's stock item (on_hand - reserved); not stored on the variant


ImageStatus = Literal["pending", "ready", "failed"]


@dataclass(frozen=True)
class Image:
    """An image as a product shows it: only ready ones, except in the staff view."""

    id: str
    url: str
    alt: str | None
    position: int
    status: ImageStatus = "ready"
    failure_reason: str | None = None  # failed ones: why (for staff)


@dataclass(frozen=True)
class ImageRecord:
    """A product image as stored: `pending` until its uploaded bytes were checked."""

    product_id: str
    id: str
    status: ImageStatus
    content_type: str  # the declared type, which the uploaded bytes must be
    filename: str
    alt: str | None
    position: int
    created_at: int
    updated_at: int
    variants: dict[str, str] = field(default_factory=dict)  # width → object key, once ready
    failure_reason: str | None = None  # once failed: why, in words a manager can act on


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    slug: str
    description: str
    category_id: str
    brand: str | None
    price: int
    currency: str
    attributes: dict[str, AttributeValue]
    tags: list[str]
    status: ProductStatus
    created_at: int
    updated_at: int
    revision: int = 1  # bumped by every write: guards read-modify-write of the product
    variants: list[Variant] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    rating_average: float | None = None
    rating_count: int = 0

    def variant_price(self, variant: Variant) -> int:
        """What the variant sells for: its own price, else the product's."""
        return self.price if variant.price is None else variant.price

    @property
    def counts_in_category(self) -> bool:
        """Archived products no longer hold their category (it may then be deleted)."""
        return self.status != "archived"


@dataclass(frozen=True)
class NewVariant:
    variant: Variant
    initial_stock: int
