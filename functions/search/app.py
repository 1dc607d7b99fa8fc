"""Product search: GET /v1/products over the SQLite FTS5 index the indexer publishes.

Public and cacheable for a few seconds (ETag, 304). The index is downloaded to /tmp on
the first search of an environment and swapped when a newer version is published
(storefront/search/replica.py). `attr.<name>` filters are read from the raw query string
because their names are not known in advance and they may repeat.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import parse_qsl, urlencode

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from storefront.domain.errors import FieldError, Unprocessable
from storefront.http.caching import cacheable, install_caching
from storefront.http.openapi import responses, retry_later
from storefront.http.pagination import DEFAULT_LIMIT, Cursor, Limit, decode_cursor, encode_cursor
from storefront.http.resolver import http_handler, make_resolver
from storefront.models.search import ProductSearchPage
from storefront.search import service
from storefront.search.query import MAX_PRICE, SearchQuery

app = make_resolver()
install_caching(app)

SEARCH_MAX_AGE_S = 5  # search results follow the catalog within seconds; caches must not hold them longer
MAX_ATTRIBUTE_FILTERS = 10
CURSOR_CALLER = "public"  # the same query gives everyone the same pages

Text = Annotated[
    str | None,
    Query(
        max_length=200,
        description="Full text over name, description, brand, tags, category and attribute values; "
        "relevance-ranked, the last word also matches as a prefix, accents and case are ignored",
    ),
]
CategoryFilter = Annotated[
    str | None, Query(min_length=1, max_length=64, description="A category id: it and all its descendants")
]
MinPrice = Annotated[
    int | None, Query(ge=0, le=MAX_PRICE, description=f"Lowest price in minor units (inclusive), 0–{MAX_PRICE}")
]
MaxPrice = Annotated[
    int | None, Query(ge=0, le=MAX_PRICE, description=f"Highest price in minor units (inclusive), 0–{MAX_PRICE}")
]
BrandFilter = Annotated[str | None, Query(min_length=1, max_length=100, description="A brand (case-insensitive)")]
InStock = Annotated[
    Literal["true", "false"] | None, Query(description="`true`: only products with a variant available now")
]
SortOrder = Annotated[
    Literal["relevance", "newest", "price_asc", "price_desc", "rating"] | None,
    Query(
        description="`relevance` (the default with `q`; needs `q`), `newest` (the default without), "
        "`price_asc`, `price_desc`, `rating`"
    ),
]
WithFacets = Annotated[
    Literal["true", "false"] | None,
    Query(description="`false` leaves out `facets` (cheaper for the next pages of an endless list)"),
]

_KNOWN = frozenset(
    ("q", "category_id", "min_price", "max_price", "brand", "in_stock", "sort", "limit", "cursor", "facets")
)
_RESPONSES = responses(
    200,
    "A page of matching product cards, the total and the facets of the whole match",
    cached=True,
    errors={
        400: "The cursor was altered, or belongs to other filters",
        422: f"An unknown parameter or sort, limit over 100, a price outside 0–{MAX_PRICE}, min_price over max_price, "
        "`q` without any letter or digit, `sort=relevance` without `q`, or a malformed `attr.<name>` filter",
        503: retry_later("No search index exists yet: it is being built"),
    },
)


def _attribute_filters(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The `attr.<name>=<value>` pairs; any other unknown parameter is refused (422), not ignored."""
    filters: list[tuple[str, str]] = []
    errors: list[FieldError] = []
    for name, value in pairs:
        if name.startswith("attr."):
            attribute = name.removeprefix("attr.")
            if not 1 <= len(attribute) <= 64 or not 1 <= len(value) <= 200:
                message = "needs a name (≤ 64) and a value (1–200 characters)"
                errors.append(FieldError((name,), message, "string_length"))
            filters.append((attribute, value))
        elif name not in _KNOWN:
            errors.append(FieldError((name,), "unknown parameter", "unknown_parameter"))
    if len(filters) > MAX_ATTRIBUTE_FILTERS:
        errors.append(FieldError(("attr",), f"at most {MAX_ATTRIBUTE_FILTERS} attribute filters", "too_many"))
    if errors:
        raise Unprocessable("The search parameters are invalid.", errors=errors)
    return tuple(filters)


def _scope(pairs: list[tuple[str, str]]) -> str:
    """What a cursor is bound to: every parameter that shapes the match and its order."""
    shaping = sorted((name, value) for name, value in pairs if name not in ("cursor", "limit", "facets"))
    return "products?" + urlencode(shaping)


@app.get(
    "/v1/products",
    summary="Search the active products: full text, filters, facets and sorting",
    description="Filters combine with AND; repeat `attr.<name>=<value>` to filter on attribute values (several "
    "values of one attribute combine with OR). Unknown parameters are refused. Paging is by `cursor`.",
    tags=["Catalog"],
    responses=_RESPONSES,
)
def search_products(
    q: Text = None,
    category_id: CategoryFilter = None,
    min_price: MinPrice = None,
    max_price: MaxPrice = None,
    brand: BrandFilter = None,
    in_stock: InStock = None,
    sort: SortOrder = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    facets: WithFacets = None,
) -> Response[ProductSearchPage]:
    pairs = parse_qsl(app.current_event.raw_query_string or "", keep_blank_values=True)
    attributes = _attribute_filters(pairs)
    if min_price is not None and max_price is not None and min_price > max_price:
        raise Unprocessable(
            "min_price is over max_price.",
            errors=[FieldError(("min_price",), "over max_price", "range")],
        )
    scope = _scope(pairs)
    query = SearchQuery(
        q=q if q and q.strip() else None,
        category_id=category_id,
        min_price=min_price,
        max_price=max_price,
        brand=brand,
        in_stock=in_stock == "true",
        attributes=attributes,
        sort=sort,
        limit=limit,
        after=decode_cursor(cursor, caller=CURSOR_CALLER, scope=scope),
        facets=facets != "false",
    )
    result = service.search(query)
    next_cursor = encode_cursor(result.last_key, caller=CURSOR_CALLER, scope=scope)
    return cacheable(app, ProductSearchPage.of(result, next_cursor), max_age=SEARCH_MAX_AGE_S)


lambda_handler = http_handler(app)
