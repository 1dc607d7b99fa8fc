"""Answering a search from the index file: text match, filters, sorts, keyset pages, facets.

A search with text first materialises its matches (rowid, bm25 score and the columns
sorts and facets read) into a TEMP table, once; the page, the total and every facet are
then read from that table, so the FTS work is never repeated. Without text, the page
walks the index of its sort (filters applied on the way) and stops after `limit + 1`
rows; facets, when asked for with filters, again come from the materialised match.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal, get_args

from storefront.domain.errors import BadRequest, FieldError, Unprocessable
from storefront.search.documents import attribute_key, attribute_text
from storefront.search.schema import category_token, check_schema

Sort = Literal["relevance", "newest", "price_asc", "price_desc", "rating"]
SORTS: tuple[str, ...] = get_args(Sort)

MAX_LIMIT = 100
# Price filters in minor units: the catalog's own bound on prices (`Money`), and far below
# what SQLite binds (an integer over 2^63 - 1 raises OverflowError).
MAX_PRICE = 10**12
MAX_TERMS = 16  # words beyond these are ignored: each one is another posting list to intersect
MAX_TERM_LENGTH = 64
MAX_QUERY_LENGTH = 512
FACET_VALUES = 100

# bm25 weights, in the FTS column order: name, description, brand, tags, category_path, attributes
# (category_keys holds filter tokens, never searched by user words).
_BM25 = "bm25(products_fts, 10.0, 1.0, 5.0, 4.0, 2.0, 2.0, 0.0)"
_TEXT_COLUMNS = "{name description brand tags category_path attributes}"
# Letters and digits, as FTS5's unicode61 tokenizer sees token characters (its default
# categories L* N*); everything else, FTS5 syntax included, separates words.
_WORD = re.compile(r"[^\W_]+")

# `p` is `products` or the TEMP table of matches, which copies these columns.
_ORDER: dict[str, str] = {
    "relevance": "p.score, p.id",
    "newest": "p.created_at DESC, p.id DESC",
    "price_asc": "p.price, p.id",
    "price_desc": "p.price DESC, p.id DESC",
    "rating": "p.rating IS NULL, p.rating DESC, p.rating_count DESC, p.id",
}
_VALUES: dict[str, str] = {
    "relevance": "p.score, p.id",
    "newest": "p.created_at, p.id",
    "price_asc": "p.price, p.id",
    "price_desc": "p.price, p.id",
    "rating": "p.rating, p.rating_count, p.id",
}
# The type of each cursor value: "number" (int or float), "int", "rating" (number or None), "str".
_CURSOR: dict[str, tuple[str, ...]] = {
    "relevance": ("number", "str"),
    "newest": ("int", "str"),
    "price_asc": ("int", "str"),
    "price_desc": ("int", "str"),
    "rating": ("rating", "int", "str"),
}
_INVALID_CURSOR = "The cursor is invalid for this list."

# SQL is assembled only from the constant fragments of this module; every value is a bound parameter.
_COPIED_TYPES = {
    "id": "TEXT",
    "category_id": "TEXT",
    "brand_key": "TEXT",
    "brand": "TEXT",
    "price": "INTEGER",
    "created_at": "INTEGER",
    "rating": "REAL",
    "rating_count": "INTEGER",
    "facet_values": "TEXT",
}
_COPIED_COLUMNS = tuple(_COPIED_TYPES)
_COPIED = ", ".join(f"{column} {kind}" for column, kind in _COPIED_TYPES.items())


@dataclass(frozen=True)
class SearchQuery:
    q: str | None = None
    category_id: str | None = None  # the category and all its descendants
    min_price: int | None = None  # inclusive, minor units
    max_price: int | None = None  # inclusive, minor units
    brand: str | None = None  # case-insensitive exact match
    in_stock: bool = False
    # (name, value) pairs: AND across names; the same name twice = OR between its values
    attributes: tuple[tuple[str, str], ...] = ()
    sort: Sort | None = None  # None: "relevance" when q has words, else "newest"
    limit: int = 20
    after: dict[str, Any] | None = None  # the `last_key` of the previous page
    facets: bool = True


@dataclass(frozen=True)
class Facets:
    """Counts over the whole match (not the page).

    Each map holds at most the 100 most frequent values (ties by value), most frequent
    first. `brand` shows the brand as stored and leaves out products without one;
    `category` counts by each product's own category (not its ancestors).
    """

    brand: dict[str, int]
    category: dict[str, int]
    attributes: dict[str, dict[str, int]]
    price_min: int | None
    price_max: int | None


@dataclass(frozen=True)
class SearchResult:
    items: list[dict[str, Any]]  # the cards
    last_key: dict[str, Any] | None  # JSON-serialisable position to resume after; None on the last page
    total: int  # number of matches
    facets: Facets | None


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


def _cursor_values(sort: str, after: dict[str, Any] | None) -> list[Any] | None:
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


def _after(sort: str, values: list[Any]) -> tuple[str, list[Any]]:
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


def _filters(query: SearchQuery, *, category: bool) -> tuple[list[str], list[Any]]:
    """Conditions on `products p` for the query's filters (the category's only if `category`)."""
    conditions: list[str] = []
    params: list[Any] = []
    if category and query.category_id is not None:
        conditions.append("p.category_id IN (SELECT category_id FROM category_ancestors WHERE ancestor_id = ?)")
        params.append(query.category_id)
    if query.min_price is not None:
        conditions.append("p.price >= ?")
        params.append(query.min_price)
    if query.max_price is not None:
        conditions.append("p.price <= ?")
        params.append(query.max_price)
    brand = attribute_key(query.brand) if query.brand is not None else ""
    if brand:
        conditions.append("p.brand_key = ?")
        params.append(brand)
    if query.in_stock:
        conditions.append("p.in_stock = 1")
    wanted: dict[str, set[str]] = {}
    for name, value in query.attributes:
        wanted.setdefault(name, set()).update(_value_keys(value))
    for name, keys in sorted(wanted.items()):
        marks = ", ".join("?" * len(keys))
        conditions.append(
            f"p.rowid IN (SELECT product_rowid FROM product_attributes WHERE name = ? AND value_key IN ({marks}))"  # noqa: S608
        )
        params.extend([name, *sorted(keys)])
    return conditions, params


def _value_keys(text: str) -> set[str]:
    """The keys a filter value matches: as written, and a number also as stored (`42.0` → `42`)."""
    keys = {attribute_key(text)}
    try:
        number = float(text)
    except ValueError:
        return keys
    if math.isfinite(number):
        keys.add(attribute_key(attribute_text(number)))
    return keys


def _top(rows: list[tuple[str, str, int]]) -> dict[str, int]:
    """(key, shown value, count) rows → the most frequent shown values (ties by key)."""
    rows.sort(key=lambda row: (-row[2], row[0]))
    return {shown: count for _, shown, count in rows[:FACET_VALUES]}


class SearchIndex:
    """Searches one index file. The connection may be shared by threads: one search at a time."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        check_schema(connection)
        connection.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS search_match (rowid INTEGER PRIMARY KEY, score REAL, {_COPIED})"
        )

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def search(self, query: SearchQuery) -> SearchResult:
        """One page of matches, the total and (if asked) the facets.

        Raises `Unprocessable` for a q without words or a relevance sort without q,
        `BadRequest` for a cursor that is not this list's, `ValueError` for a limit
        outside 1..100, a price filter outside 0..MAX_PRICE or an unknown sort (the
        edge validates all three).
        """
        if not 1 <= query.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}")
        for price in (query.min_price, query.max_price):
            if price is not None and not 0 <= price <= MAX_PRICE:
                raise ValueError(f"price filters must be between 0 and {MAX_PRICE}")
        expression = None
        if query.q is not None and query.q.strip():
            expression = match_expression(query.q)
            if expression is None:
                message = "q must contain at least one letter or digit."
                raise Unprocessable(message, errors=[FieldError(("q",), message)])
        sort = query.sort or ("relevance" if expression is not None else "newest")
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r}")
        if sort == "relevance" and expression is None:
            message = "sort=relevance needs q."
            raise Unprocessable(message, errors=[FieldError(("sort",), message)])
        position = _cursor_values(sort, query.after)
        if expression is not None:
            # The category filter joins the MATCH (see `category_keys` in storefront.search.schema).
            expression = f"{_TEXT_COLUMNS} : ({expression})"
            if query.category_id is not None:
                expression += f' AND category_keys : "{category_token(query.category_id)}"'
        conditions, params = _filters(query, category=expression is None)
        materialise = expression is not None or (query.facets and bool(conditions))
        with self._lock:
            connection = self._connection
            # One snapshot for the page, the total and the facets; undone afterwards (only
            # TEMP rows were written), inside a savepoint if the caller has a transaction open.
            own = not connection.in_transaction
            connection.execute("BEGIN" if own else "SAVEPOINT search")
            try:
                if materialise:
                    self._materialise(expression, sort == "relevance", conditions, params)
                    source, where, values = "temp.search_match p", [], []
                else:
                    source, where, values = "products p", conditions, params
                items, last_key = self._page(sort, query.limit, position, source, where, values)
                total, price_min, price_max = self._totals(source, where, values)
                facets = None
                if query.facets:
                    facets = self._facets(materialise, price_min, price_max)
            finally:
                if own:
                    connection.execute("ROLLBACK")
                else:
                    connection.execute("ROLLBACK TO search")
                    connection.execute("RELEASE search")
        return SearchResult(items, last_key, total, facets)

    def _materialise(self, expression: str | None, scored: bool, conditions: list[str], params: list[Any]) -> None:
        """Copies the matches' sort and facet columns into the TEMP table.

        Later statements then read the TEMP table alone (the attribute facet aside): a
        join from it to `products` with a condition on `products` makes SQLite build a
        Bloom filter over the whole of `products` (it cannot know the TEMP table is small).
        """
        connection = self._connection
        connection.execute("DELETE FROM temp.search_match")
        columns = ", ".join(f"p.{column}" for column in _COPIED_COLUMNS)
        if expression is None:
            source, score = "products p", "NULL"
            where, values = conditions, params
        else:
            # CROSS JOIN keeps the FTS match as the outer loop: products are looked up by rowid.
            source = "products_fts CROSS JOIN products p ON p.rowid = products_fts.rowid"
            score = _BM25 if scored else "NULL"  # bm25 is most of the cost of a large match: only when it sorts
            where, values = ["products_fts MATCH ?", *conditions], [expression, *params]
        sql = f"INSERT INTO temp.search_match SELECT p.rowid, {score}, {columns} FROM {source}"  # noqa: S608
        if where:
            sql += " WHERE " + " AND ".join(where)
        connection.execute(sql, values)

    def _page(
        self, sort: str, limit: int, position: list[Any] | None, source: str, where: list[str], values: list[Any]
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        where, values = list(where), list(values)
        if position is not None:
            condition, extra = _after(sort, position)
            where.append(condition)
            values.extend(extra)
        sql = f"SELECT p.rowid, {_VALUES[sort]} FROM {source}"  # noqa: S608
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += f" ORDER BY {_ORDER[sort]} LIMIT ?"
        rows = self._connection.execute(sql, [*values, limit + 1]).fetchall()
        page = rows[:limit]
        marks = ", ".join("?" * len(page))
        cards = dict(
            self._connection.execute(
                f"SELECT rowid, card FROM products WHERE rowid IN ({marks})",  # noqa: S608
                [row[0] for row in page],
            ).fetchall()
        )
        items = [json.loads(cards[row[0]]) for row in page]
        last_key = {"s": sort, "v": list(page[-1][1:])} if len(rows) > limit else None
        return items, last_key

    def _totals(self, source: str, where: list[str], values: list[Any]) -> tuple[int, int | None, int | None]:
        """The number of matches and their lowest and highest price."""
        sql = f"SELECT count(*), min(p.price), max(p.price) FROM {source}"  # noqa: S608
        if where:
            sql += " WHERE " + " AND ".join(where)
        row = self._connection.execute(sql, values).fetchone()
        return int(row[0]), row[1], row[2]

    def _facets(self, materialised: bool, price_min: int | None, price_max: int | None) -> Facets:
        # Not materialised means no filters and no text: the facets are the whole index's.
        products = "temp.search_match" if materialised else "products"
        connection = self._connection
        brands = [
            row
            for row in connection.execute(
                f"SELECT brand_key, min(brand), count(*) FROM {products} GROUP BY brand_key"  # noqa: S608
            )
            if row[0] is not None
        ]
        categories = connection.execute(
            f"SELECT category_id, category_id, count(*) FROM {products} GROUP BY category_id"  # noqa: S608
        ).fetchall()
        by_name: dict[str, list[tuple[str, str, int]]] = {}
        for name, key, shown, count in self._attribute_counts(materialised):
            by_name.setdefault(name, []).append((key, shown, count))
        return Facets(
            brand=_top(brands),
            category=_top(categories),
            attributes={name: _top(rows) for name, rows in sorted(by_name.items())},
            price_min=price_min,
            price_max=price_max,
        )

    def _attribute_counts(self, materialised: bool) -> list[tuple[str, str, str, int]]:
        """(name, value key, shown value, products) of every attribute value in the match."""
        connection = self._connection
        if not materialised:
            # The whole index: one ordered walk of the (name, value_key) index.
            shown = {
                (name, key): value
                for name, key, value in connection.execute("SELECT name, value_key, value FROM attribute_values")
            }
            return [
                (name, key, shown.get((name, key), key), count)
                for name, key, count in connection.execute(
                    "SELECT name, value_key, count(*) FROM product_attributes GROUP BY name, value_key"
                )
            ]
        # Counted in Python from each match's list of value numbers: C-speed split and
        # Counter, where SQLite would sort every (product, value) pair to group them.
        lists = [row[0] for row in connection.execute("SELECT facet_values FROM temp.search_match")]
        counts = Counter(" ".join(lists).split())
        if not counts:
            return []
        values = connection.execute(
            "SELECT id, name, value_key, value FROM attribute_values WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps([int(value_id) for value_id in counts]),),
        )
        return [(name, key, value, counts[str(value_id)]) for value_id, name, key, value in values]
