"""API models of product search (GET /v1/products). Descriptions become the OpenAPI document."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from storefront.models.base import ApiModel
from storefront.search.query import Facets, SearchResult


class SearchRating(ApiModel):
    average: float | None = Field(description="Average of the approved reviews; null without any")
    count: int = Field(description="Approved reviews")


class SearchImage(ApiModel):
    url: str = Field(description="CDN URL of the product's first image")
    alt: str | None = Field(description="Alternative text")


class ProductCard(ApiModel):
    """A product as search lists it: enough for a product tile; GET /v1/products/{id} has the rest."""

    id: str = Field(description="The product id")
    slug: str = Field(description="Unique slug")
    name: str = Field(description="Display name")
    brand: str | None = Field(description="The brand, if any")
    category_id: str = Field(description="Its category")
    price: int = Field(description="Price in minor units")
    currency: str = Field(description="ISO 4217, upper case")
    in_stock: bool = Field(description="At least one variant has units available")
    rating: SearchRating = Field(description="Approved reviews")
    image: SearchImage | None = Field(description="The first image, if the product has one")
    tags: list[str] = Field(description="Tags")
    attributes: dict[str, Any] = Field(description="Values of the category's attributes")
    created_at: str = Field(description="RFC 3339, UTC")
    updated_at: str = Field(description="RFC 3339, UTC")


class PriceFacet(ApiModel):
    min: int | None = Field(description="Lowest price in the match (minor units); null when nothing matched")
    max: int | None = Field(description="Highest price in the match (minor units); null when nothing matched")


class SearchFacets(ApiModel):
    """Counts over the whole match, not only the page. Each map holds its 100 most frequent values.

    Besides the fields below, one `attr.<name>` map (value → count) per attribute found in the match,
    and one `option.<name>` map per variant option (value → products with a variant of that value).
    """

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={"additionalProperties": {"type": "object", "additionalProperties": {"type": "integer"}}},
    )

    brand: dict[str, int] = Field(description="Brand → matching products")
    category: dict[str, int] = Field(description="Category id (the product's own) → matching products")
    price: PriceFacet = Field(description="Price range of the match")

    @classmethod
    def of(cls, facets: Facets) -> SearchFacets:
        by_name = {f"attr.{name}": counts for name, counts in facets.attributes.items()}
        by_name.update({f"option.{name}": counts for name, counts in facets.options.items()})
        return cls(
            brand=facets.brand,
            category=facets.category,
            price=PriceFacet(min=facets.price_min, max=facets.price_max),
            **by_name,
        )


class ProductSearchPage(ApiModel):
    items: list[ProductCard] = Field(description="This page of the match, in the requested order")
    next_cursor: str | None = Field(description="Pass as `cursor` (with the same filters) for the next page")
    total: int = Field(description="Products in the whole match")
    facets: SearchFacets | None = Field(description="Counts over the whole match; null with `facets=false`")

    @classmethod
    def of(cls, result: SearchResult, next_cursor: str | None) -> ProductSearchPage:
        return cls(
            items=[ProductCard.model_validate(card) for card in result.items],
            next_cursor=next_cursor,
            total=result.total,
            facets=SearchFacets.of(result.facets) if result.facets is not None else None,
        )
