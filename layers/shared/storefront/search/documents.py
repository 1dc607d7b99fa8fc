"""What the search index stores of a product: a `SearchDocument` and its card.

The card is the product summary a search returns to clients. The index stores its values
as columns (`card_values`) and a search builds the cards of its page from them
(`card_from`), so `card_of` is that round trip and a stored card cannot differ from it.
A document's variants keep only what option filters need: each variant's options and
whether it is in stock.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from storefront.domain.catalog.entities import AttributeValue, Product


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


def brand_of(document: SearchDocument) -> str | None:
    """The brand filtered on and counted in facets: stripped, None when blank."""
    brand = document.brand.strip() if document.brand is not None else None
    return brand or None


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# The columns a card is built from: `p` the products row, `c` the facet_values row of its
# category, and last the card texts (`card_texts`, stored packed in `product_texts`).
CARD_COLUMNS = (
    "p.id, p.brand, c.value, p.price, p.currency, p.in_stock, p.rating, p.rating_count, p.created_at, p.updated_at"
)


def card_texts(document: SearchDocument) -> str:
    """The card's texts as one JSON array: slug, name, tags, attributes (JSON keeps each
    value's type: 42, 42.0, "42", true), image url and alt, and the brand as written
    when the stripped brand the products row holds is not it."""
    brand = brand_of(document)
    brand_as_written = None if document.brand == brand else document.brand
    texts = [document.slug, document.name, list(document.tags), document.attributes]
    return json_text([*texts, document.image_url, document.image_alt, brand_as_written])


def card_values(document: SearchDocument) -> tuple[Any, ...]:
    """What the index stores of a document's card: `CARD_COLUMNS`, then `card_texts`."""
    return (
        document.id,
        brand_of(document),
        document.category_id,
        document.price,
        document.currency,
        int(document.in_stock),
        document.rating_average,
        document.rating_count,
        document.created_at,
        document.updated_at,
        card_texts(document),
    )


def utc_text(epoch_seconds: int) -> str:
    """`storefront.events.base.rfc3339` of whole seconds, a third of its time (a page formats 40)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_seconds))


def card_from(values: Sequence[Any]) -> dict[str, Any]:
    """The card of `card_values` (or the same values read from the index)."""
    product_id, brand, category_id, price, currency, in_stock, rating_average, rating_count, created, updated, texts = (
        values
    )
    slug, name, tags, attributes, image_url, image_alt, brand_as_written = json.loads(texts)
    return {
        "id": product_id,
        "slug": slug,
        "name": name,
        "brand": brand if brand_as_written is None else brand_as_written,
        "category_id": category_id,
        "price": price,
        "currency": currency,
        "in_stock": bool(in_stock),
        "rating": {"average": rating_average, "count": rating_count},
        "image": None if image_url is None else {"url": image_url, "alt": image_alt},
        "tags": tags,
        "attributes": attributes,
        "created_at": utc_text(created),
        "updated_at": utc_text(updated),
    }


def card_of(document: SearchDocument) -> dict[str, Any]:
    return card_from(card_values(document))


def card_json(document: SearchDocument) -> str:
    return json_text(card_of(document))
