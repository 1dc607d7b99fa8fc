"""What the search index stores of a product: a `SearchDocument` and its card.

The card is the product summary a search returns to clients, serialised once at
indexing time so a query only copies stored JSON. A document's variants keep only what
option filters need: each variant's options and whether it is in stock.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from storefront.domain.catalog.entities import AttributeValue, Product
from storefront.events.base import rfc3339


@dataclass(frozen=True)
class SearchVariant:
    options: dict[str, str]  # option name → value, as the variant holds them
    in_stock: bool


@dataclass(frozen=True)
class SearchDocument:
    id: str
    slug: str
    name: str
    description: str
    brand: str | None
    category_id: str
    tags: tuple[str, ...]
    attributes: dict[str, AttributeValue]
    price: int  # minor units
    currency: str
    in_stock: bool
    rating_average: float | None
    rating_count: int
    image_url: str | None
    image_alt: str | None
    created_at: int  # epoch seconds
    updated_at: int
    variants: tuple[SearchVariant, ...] = ()


def document_of(product: Product) -> SearchDocument | None:
    """The document to index for a product; None when it must not be found (draft, archived)."""
    if product.status != "active":
        return None
    image = min(product.images, key=lambda item: (item.position, item.id), default=None)
    return SearchDocument(
        id=product.id,
        slug=product.slug,
        name=product.name,
        description=product.description,
        brand=product.brand,
        category_id=product.category_id,
        tags=tuple(product.tags),
        attributes=dict(product.attributes),
        price=product.price,
        currency=product.currency,
        in_stock=any(variant.available > 0 for variant in product.variants),
        rating_average=product.rating_average,
        rating_count=product.rating_count,
        image_url=image.url if image is not None else None,
        image_alt=image.alt if image is not None else None,
        created_at=product.created_at,
        updated_at=product.updated_at,
        variants=tuple(SearchVariant(dict(variant.options), variant.available > 0) for variant in product.variants),
    )


def attribute_text(value: AttributeValue) -> str:
    """An attribute value as text: what is stored, filtered on and shown in facets.

    `True` is "true" (bool before int: bool is an int), 42.0 is "42" so a number reads
    the same whichever way it was written, other floats keep their shortest repr.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return value.strip()


def attribute_key(text: str) -> str:
    """The comparison key of an attribute text (filters match on it, facets group by it)."""
    return text.strip().casefold()


def card_of(document: SearchDocument) -> dict[str, Any]:
    image = None if document.image_url is None else {"url": document.image_url, "alt": document.image_alt}
    return {
        "id": document.id,
        "slug": document.slug,
        "name": document.name,
        "brand": document.brand,
        "category_id": document.category_id,
        "price": document.price,
        "currency": document.currency,
        "in_stock": document.in_stock,
        "rating": {"average": document.rating_average, "count": document.rating_count},
        "image": image,
        "tags": list(document.tags),
        "attributes": dict(document.attributes),
        "created_at": rfc3339(document.created_at),
        "updated_at": rfc3339(document.updated_at),
    }


def card_json(document: SearchDocument) -> str:
    return json.dumps(card_of(document), ensure_ascii=False, separators=(",", ":"))
