"""The SQL of a search: each sort's order and keyset condition, and the filters' conditions.

SQL is assembled only from the constant fragments of this module; every value is a bound
parameter. `p` is `products` or the TEMP table of matches, which copies `COPIED_TYPES`.
"""

from __future__ import annotations

import math
from typing import Any

from storefront.search.documents import attribute_key, attribute_text
from storefront.search.parameters import Filters, SearchQuery
from storefront.search.schema import ATTRIBUTE, CATEGORY, OPTION

ORDER: dict[str, str] = {
    "relevance": "p.score, p.id",
    "newest": "p.created_at DESC, p.id DESC",
    "price_asc": "p.price, p.id",
    "price_desc": "p.price DESC, p.id DESC",
    "rating": "p.rating IS NULL, p.rating DESC, p.rating_count DESC, p.id",
}
# The values a page's last row gives its cursor, in the order `after` takes them.
VALUES: dict[str, str] = {
    "relevance": "p.score, p.id",
    "newest": "p.created_at, p.id",
    "price_asc": "p.price, p.id",
    "price_desc": "p.price, p.id",
    "rating": "p.rating, p.rating_count, p.id",
}

COPIED_TYPES = {
    "id": "TEXT",
    "category": "INTEGER",
    "brand_key": "TEXT",
    "brand": "TEXT",
    "price": "INTEGER",
    "created_at": "INTEGER",
    "rating": "REAL",
    "rating_count": "INTEGER",
    "facet_values": "TEXT",
}
COPIED_COLUMNS = tuple(COPIED_TYPES)
COPIED = ", ".join(f"{column} {kind}" for column, kind in COPIED_TYPES.items())


def after(sort: str, values: list[Any]) -> tuple[str, list[Any]]:
    """The condition for rows strictly after `values` in the sort's order."""
    if sort == "relevance":
        return "(p.score, p.id) > (?, ?)", values
    if sort == "price_asc":
        return "(p.price, p.id) > (?, ?)", values
    if sort in ("newest", "price_desc"):
        column = "p.created_at" if sort == "newest" else "p.price"
        return f"({column}, p.id) < (?, ?)", values
    rating, count, product_id = values
    below = "(p.rating_count < ? OR (p.rating_count = ? AND p.id > ?))"
    if rating is None:  # among the unrated, which come last
        return f"(p.rating IS NULL AND {below})", [count, count, product_id]
    return (
        f"(p.rating IS NULL OR p.rating < ? OR (p.rating = ? AND {below}))",
        [rating, rating, count, count, product_id],
    )


def filters(query: SearchQuery, *, category: bool) -> tuple[list[str], list[Any]]:
    """Conditions on `products p` for the query's filters (the category's only if `category`)."""
    conditions: list[str] = []
    params: list[Any] = []
    if category and query.category_id is not None:
        conditions.append(
            "p.category IN (SELECT c.id FROM category_ancestors a JOIN facet_values c"
            " ON c.kind = ? AND c.name = '' AND c.value_key = a.category_id WHERE a.ancestor_id = ?)"
        )
        params.extend([CATEGORY, query.category_id])
    if query.min_price is not None:
        conditions.append("p.price >= ?")
        params.append(query.min_price)
    if query.max_price is not None:
        conditions.append("p.price <= ?")
        params.append(query.max_price)
    if query.min_rating is not None:
        conditions.append("p.rating >= ?")  # NULL (unrated) is never >=
        params.append(query.min_rating)
    brand = attribute_key(query.brand) if query.brand is not None else ""
    if brand:
        conditions.append("p.brand_key = ?")
        params.append(brand)
    for name, keys in wanted(query.attributes).items():
        conditions.append(
            f"p.rowid IN (SELECT product_rowid FROM attribute_values WHERE value_id IN {_value_numbers(len(keys))})"  # noqa: S608
        )
        params.extend([ATTRIBUTE, name, *keys])
    if query.options:
        # Stock then belongs to the variant the options found (one variant has them all and is in stock).
        variants, values = _variants(wanted(query.options), in_stock=bool(query.in_stock))
        if query.in_stock is False:  # has such a variant, and none of them is in stock
            stocked, stocked_values = _variants(wanted(query.options), in_stock=True)
            conditions.append(f"p.rowid IN ({variants}) AND p.rowid NOT IN ({stocked})")
            params.extend([*values, *stocked_values])
        else:
            conditions.append(f"p.rowid IN ({variants})")
            params.extend(values)
    elif query.in_stock is not None:
        conditions.append("p.in_stock = ?")
        params.append(int(query.in_stock))
    return conditions, params


def wanted(pairs: Filters) -> dict[str, list[str]]:
    """Each filtered name's value keys, names sorted (a stable SQL text for equal queries)."""
    keys: dict[str, set[str]] = {}
    for name, value in pairs:
        keys.setdefault(name, set()).update(value_keys(value))
    return {name: sorted(found) for name, found in sorted(keys.items())}


def _variants(options: dict[str, list[str]], *, in_stock: bool) -> tuple[str, list[Any]]:
    """A SELECT of the product rowids with one variant holding a wanted value of every option name.

    The first name's rows are the outer loop; each further name is a primary-key lookup
    of the same (product, variant) under its wanted value numbers.
    """
    names = list(options.items())
    sql = "SELECT v0.product_rowid FROM variant_options v0"
    params: list[Any] = []
    for number, (name, keys) in enumerate(names[1:], start=1):
        sql += (
            f" JOIN variant_options v{number} ON v{number}.value_id IN {_value_numbers(len(keys))}"
            f" AND v{number}.product_rowid = v0.product_rowid AND v{number}.variant = v0.variant"
        )
        params.extend([OPTION, name, *keys])
    name, keys = names[0]
    sql += f" WHERE v0.value_id IN {_value_numbers(len(keys))}"
    params.extend([OPTION, name, *keys])
    if in_stock:
        sql += " AND v0.in_stock = 1"
    return sql, params


def _value_numbers(count: int) -> str:
    """A subquery of the numbers of one attribute's or option's values (kind, name and `count` keys bound)."""
    marks = ", ".join("?" * count)
    return f"(SELECT id FROM facet_values WHERE kind = ? AND name = ? AND value_key IN ({marks}))"  # noqa: S608


def value_keys(text: str) -> set[str]:
    """The keys a filter value matches: as written, and a number also as stored (`42.0` → `42`)."""
    keys = {attribute_key(text)}
    try:
        number = float(text)
    except ValueError:
        return keys
    if math.isfinite(number):
        keys.add(attribute_key(attribute_text(number)))
    return keys
