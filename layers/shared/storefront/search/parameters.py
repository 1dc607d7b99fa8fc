"""What a search asks and answers: the query, its bounds, the user text's match expression, cursors.

The edge (functions/search) validates a request's parameters against these bounds; the
engine checks them again (`check_bounds`) so a caller that skips the edge gets a
`ValueError`, never a wrong answer.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal, get_args

from storefront.domain.errors import BadRequest

Sort = Literal["relevance", "newest", "price_asc", "price_desc", "rating"]
SORTS: tuple[str, ...] = get_args(Sort)

MAX_LIMIT = 100
# Price filters in minor units: the catalog's own bound on prices (`Money`), and far below
# what SQLite binds (an integer over 2^63 - 1 raises OverflowError).
MAX_PRICE = 10**12
MIN_RATING, MAX_RATING = 1.0, 5.0  # the scale of a review's rating
MAX_TERMS = 16  # words beyond these are ignored: each one is another posting list to intersect
MAX_TERM_LENGTH = 64
MAX_QUERY_LENGTH = 512
FACET_VALUES = 100

# Letters and digits, as FTS5's unicode61 tokenizer sees token characters (its default
# categories L* N*); everything else, FTS5 syntax included, separates words.
_WORD = re.compile(r"[^\W_]+")

# The type of each cursor value: "number" (int or float), "int", "rating" (number or None), "str".
_CURSOR: dict[str, tuple[str, ...]] = {
    "relevance": ("number", "str"),
    "newest": ("int", "str"),
    "price_asc": ("int", "str"),
    "price_desc": ("int", "str"),
    "rating": ("rating", "int", "str"),
}
_INVALID_CURSOR = "The cursor is invalid for this list."

Filters = tuple[tuple[str, str], ...]  # (name, value) pairs


@dataclass(frozen=True)
class SearchQuery:
    q: str | None = None
    category_id: str | None = None  # the category and all its descendants
    min_price: int | None = None  # inclusive, minor units
    max_price: int | None = None  # inclusive, minor units
    brand: str | None = None  # case-insensitive exact match
    # True: in stock (with option filters: one variant has the options and is in stock);
    # False: exactly the matches True leaves out; None: either.
    in_stock: bool | None = None
    # (name, value) pairs: AND across names; the same name twice = OR between its values
    attributes: Filters = ()
    options: Filters = ()  # variant options, likewise; all of them hold for one variant
    min_rating: float | None = None  # average of the approved reviews, inclusive; unrated never match
    sort: Sort | None = None  # None: "relevance" when q has words, else "newest"
    limit: int = 20
    after: dict[str, Any] | None = None  # the `last_key` of the previous page
    facets: bool = True


@dataclass(frozen=True)
class Facets:
    """Counts over the whole match (not the page).

    Each map holds at most the 100 most frequent values (ties by value), most frequent
    first. `brand` shows the brand as stored and leaves out products without one;
    `category` counts by each product's own category (not its ancestors); `options`
    counts products with at least one variant of each option value.
    """

    brand: dict[str, int]
    category: dict[str, int]
    attributes: dict[str, dict[str, int]]
    price_min: int | None
    price_max: int | None
    options: dict[str, dict[str, int]]


@dataclass(frozen=True)
class SearchResult:
    items: list[dict[str, Any]]  # the cards
    last_key: dict[str, Any] | None  # JSON-serialisable position to resume after; None on the last page
    total: int  # number of matches
    facets: Facets | None


def check_bounds(query: SearchQuery) -> None:
    """`ValueError` for a limit, price, rating or sort the edge would have refused."""
    if not 1 <= query.limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
    for price in (query.min_price, query.max_price):
        if price is not None and not 0 <= price <= MAX_PRICE:
            raise ValueError(f"price filters must be between 0 and {MAX_PRICE}")
    rating = query.min_rating
    if rating is not None and not (math.isfinite(rating) and MIN_RATING <= rating <= MAX_RATING):
        raise ValueError(f"min_rating must be between {MIN_RATING:g} and {MAX_RATING:g}")
    if query.sort is not None and query.sort not in SORTS:
        raise ValueError(f"unknown sort {query.sort!r}")


def match_expression(q: str) -> str | None:
    """An FTS5 MATCH expression for user text: every word (AND), the last one as a prefix.

    User text never reaches MATCH as syntax: each word is quoted as an FTS5 string, so
    `NEAR`, `OR`, `-` or `*` are words or separators, never operators. A last word of a
    single character stays a whole word: as a prefix it would match most of the catalog
    (and cost a second per search at 100,000 products). None when the text has no word.
    """
    text = unicodedata.normalize("NFC", q[:MAX_QUERY_LENGTH])
    words = [word[:MAX_TERM_LENGTH] for word in _WORD.findall(text)[:MAX_TERMS]]
    if not words:
        return None
    terms = [f'"{word}"' for word in words]
    if len(words[-1]) > 1:
        terms[-1] += "*"
    return " ".join(terms)


def cursor_values(sort: str, after: dict[str, Any] | None) -> list[Any] | None:
    """The position in `after`, checked against the sort; `BadRequest` when it cannot be one of this list's."""
    if after is None:
        return None
    if not isinstance(after, dict) or set(after) != {"s", "v"} or after["s"] != sort:
        raise BadRequest(_INVALID_CURSOR)
    values = after["v"]
    kinds = _CURSOR[sort]
    if not isinstance(values, list) or len(values) != len(kinds):
        raise BadRequest(_INVALID_CURSOR)
    for value, kind in zip(values, kinds, strict=True):
        if value is None and kind == "rating":
            continue
        if kind == "str":
            valid = isinstance(value, str)
        elif kind == "int":
            valid = isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63
        else:
            valid = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if not valid:
            raise BadRequest(_INVALID_CURSOR)
    return values
