"""Product search: GET /v1/products over the SQLite FTS5 index the indexer publishes.

Public and cacheable for a few seconds (ETag, 304). The index is downloaded to /tmp on
the first search of an environment and swapped when a newer version is published
(storefront/search/replica.py). `attr.<name>` and `option.<name>` filters are read from
the raw query string because their names are not known in advance and they may repeat;
the index refuses a name that no category or variant defines.
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
from storefront.search.query import MAX_PRICE, MAX_RATING, MIN_RATING, SearchQuery

app = make_resolver()
install_caching(app)

SEARCH_MAX_AGE_S = 5  # search results follow the catalog within seconds; caches must not hold them longer
MAX_FILTERS = 10  # of each kind: attr.<name> and option.<name>
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
    Literal["true", "false"] | None,
    Query(
        description="`true`: only products with a variant available now; with `option.<name>` filters, a variant "
        "that has those options is available. `false`: exactly the products `true` leaves out (out of stock, or out "
        "of stock in those options). Anything else is refused"
    ),
]
MinRating = Annotated[
    float | None,
    Query(
        ge=MIN_RATING,
        le=MAX_RATING,
        allow_inf_nan=False,
        description=f"Lowest average rating (inclusive), {MIN_RATING:g}–{MAX_RATING:g}; unrated products never match",
    ),
]
SortOrder = Annotated[
    Literal["relevance", "newest", "price_asc", "price_desc", "rating"] | None,
    Query(
        description="`relevance` (the default with `q`; needs `q`), `newest` (the default without), "
        "`price_asc`, `price_desc`, `rating` (average rating, highest first; ties by the number of ratings, "
        "then id; unrated products last)"
    ),
]
WithFacets = Annotated[
    Literal["true", "false"] | None,
    Query(description="`false` leaves out `facets` (cheaper for the next pages of an endless list)"),
]

_KNOWN = frozenset(
    (
        "q",
        "category_id",
        "min_price",
        "max_price",
        "brand",
        "in_stock",
        "min_rating",
        "sort",
        "limit",
        "cursor",
        "facets",
    )
)
_PREFIXES = ("attr.", "option.")  # filters whose names are not known in advance
_RESPONSES = responses(
    200,
    "A page of matching product cards, the total and the facets of the whole match",
    cached=True,
    errors={
        400: "The cursor was altered, or belongs to other filters",
        422: f"An unknown parameter or sort, limit over 100, a price outside 0–{MAX_PRICE}, min_price over max_price, "
        f"a min_rating outside {MIN_RATING:g}–{MAX_RATING:g}, `in_stock` other than `true`/`false`, "
        "`q` without any letter or digit, `sort=relevance` without `q`, a malformed `attr.<name>` or "
        "`option.<name>` filter, or one whose name no category or variant defines",
        503: retry_later("No search index exists yet: it is being built"),
    },
)


def _named_filters(pairs: list[tuple[str, str]]) -> dict[str, tuple[tuple[str, str], ...]]:
    """The `attr.<name>=<value>` and `option.<name>=<value>` pairs by prefix; any other unknown
    parameter is refused (422), not ignored."""
    filters: dict[str, list[tuple[str, str]]] = {prefix: [] for prefix in _PREFIXES}
    errors: list[FieldError] = []
    for name, value in pairs:
        prefix = next((prefix for prefix in _PREFIXES if name.startswith(prefix)), None)
        if prefix is not None:
            filtered = name.removeprefix(prefix)
            if not 1 <= len(filtered) <= 64 or not 1 <= len(value) <= 200:
                message = "needs a name (≤ 64) and a value (1–200 characters)"
                errors.append(FieldError((name,), message, "string_length"))
            filters[prefix].append((filtered, value))
        elif name not in _KNOWN:
            errors.append(FieldError((name,), "unknown parameter", "unknown_parameter"))
    for prefix, found in filters.items():
        if len(found) > MAX_FILTERS:
            what = "attribute" if prefix == "attr." else "option"
            errors.append(FieldError((prefix[:-1],), f"at most {MAX_FILTERS} {what} filters", "too_many"))
    if errors:
        raise Unprocessable("The search parameters are invalid.", errors=errors)
    return {prefix: tuple(found) for prefix, found in filters.items()}


def _scope(pairs: list[tuple[str, str]]) -> str:
    """What a cursor is bound to: every parameter that shapes the match and its order."""
    shaping = sorted((name, value) for name, value in pairs if name not in ("cursor", "limit", "facets"))
    return "products?" + urlencode(shaping)


@app.get(
    "/v1/products",
    summary="Search the active products: full text, filters, facets and sorting",
    description="Filters combine with AND. Repeat `attr.<name>=<value>` to filter on the product's attribute "
    "values, and `option.<name>=<value>` on its variants' options (size, colour): several values of one name "
    "combine with OR, different names with AND, and every option filter (and `in_stock`) holds for one and the "
    "same variant. A name that no category (attributes) or variant (options) defines is refused, like any "
    "unknown parameter. `facets` counts `attr.<name>` and `option.<name>` values. Paging is by `cursor`.",
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
    min_rating: MinRating = None,
    sort: SortOrder = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
    facets: WithFacets = None,
) -> Response[ProductSearchPage]:
    pairs = parse_qsl(app.current_event.raw_query_string or "", keep_blank_values=True)
    named = _named_filters(pairs)
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
        in_stock=None if in_stock is None else in_stock == "true",
        attributes=named["attr."],
        options=named["option."],
        min_rating=min_rating,
        sort=sort,
        limit=limit,
        after=decode_cursor(cursor, caller=CURSOR_CALLER, scope=scope),
        facets=facets != "false",
    )
    result = service.search(query)
    next_cursor = encode_cursor(result.last_key, caller=CURSOR_CALLER, scope=scope)
    return cacheable(app, ProductSearchPage.of(result, next_cursor), max_age=SEARCH_MAX_AGE_S)


lambda_handler = http_handler(app)
