"""Answering a search from the index file: text match, filters, sorts, keyset pages, facets.

A search with text first materialises its matches (rowid, bm25 score and the columns
sorts and facets read) into a TEMP table, once; the page, the total and every facet are
then read from that table, so the FTS work is never repeated. Without text, the page
walks the index of its sort (filters applied on the way) and stops after `limit + 1`
rows; facets, when asked for with filters, again come from the materialised match.

The query, its bounds and cursors are in `storefront.search.parameters`, the SQL of
sorts and filters in `storefront.search.sql`, facet counting in `storefront.search.facets`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from storefront.domain.errors import FieldError, Unprocessable
from storefront.search import packing, sql
from storefront.search.documents import CARD_COLUMNS, card_from
from storefront.search.facets import facets as count_facets
from storefront.search.parameters import (
    MAX_LIMIT,
    MAX_PRICE,
    MAX_RATING,
    MIN_RATING,
    SORTS,
    Facets,
    SearchQuery,
    SearchResult,
    Sort,
    check_bounds,
    cursor_values,
    match_expression,
)
from storefront.search.schema import ATTRIBUTE, OPTION, category_token, check_schema

__all__ = [
    "MAX_LIMIT",
    "MAX_PRICE",
    "MAX_RATING",
    "MIN_RATING",
    "SORTS",
    "Facets",
    "SearchIndex",
    "SearchQuery",
    "SearchResult",
    "Sort",
    "match_expression",
]

# bm25 weights, in the FTS column order: name, description, brand, tags, category_path, attributes
# (category_keys holds filter tokens, never searched by user words).
_BM25 = "bm25(products_fts, 10.0, 1.0, 5.0, 4.0, 2.0, 2.0, 0.0)"
_TEXT_COLUMNS = "{name description brand tags category_path attributes}"


class SearchIndex:
    """Searches one index file. The connection may be shared by threads: one search at a time.

    Raises `OutdatedIndex` (from `check_schema`) for a file of another schema version.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        check_schema(connection)
        self._dictionaries = packing.load(connection)  # a file's are never changed
        connection.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS search_match (rowid INTEGER PRIMARY KEY, score REAL, {sql.COPIED})"
        )

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    @contextmanager
    def exclusive(self) -> Iterator[sqlite3.Connection]:
        """The connection while no search runs on it: the replica applies deltas through it."""
        with self._lock:
            yield self._connection

    def search(self, query: SearchQuery) -> SearchResult:
        """One page of matches, the total and (if asked) the facets.

        Raises `Unprocessable` for a q without words, a relevance sort without q, or an
        attribute or option name that nothing in the index defines; `BadRequest` for a
        cursor that is not this list's; `ValueError` for a limit, price, rating or sort
        outside the bounds the edge validates.
        """
        check_bounds(query)
        errors: list[FieldError] = []
        expression = None
        if query.q is not None and query.q.strip():
            expression = match_expression(query.q)
            if expression is None:
                errors.append(FieldError(("q",), "q must contain at least one letter or digit."))
        sort = query.sort or ("relevance" if expression is not None or errors else "newest")
        if sort == "relevance" and expression is None and not errors:
            errors.append(FieldError(("sort",), "sort=relevance needs q."))
        with self._lock:
            errors += self._unknown_names(query)
        if errors:
            message = errors[0].msg if len(errors) == 1 else "The search parameters are invalid."
            raise Unprocessable(message, errors=errors)
        position = cursor_values(sort, query.after)
        if expression is not None:
            # The category filter joins the MATCH (see `category_keys` in storefront.search.schema).
            expression = f"{_TEXT_COLUMNS} : ({expression})"
            if query.category_id is not None:
                expression += f' AND category_keys : "{category_token(query.category_id)}"'
        conditions, params = sql.filters(query, category=expression is None)
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
                facets = count_facets(connection, materialise, price_min, price_max) if query.facets else None
            finally:
                if own:
                    connection.execute("ROLLBACK")
                else:
                    connection.execute("ROLLBACK TO search")
                    connection.execute("RELEASE search")
        return SearchResult(items, last_key, total, facets)

    def _unknown_names(self, query: SearchQuery) -> list[FieldError]:
        """A refusal for each filtered attribute no category defines and no product holds,
        and each option no variant holds (one primary-key lookup per name)."""
        errors = []
        for prefix, kind, pairs in (("attr", ATTRIBUTE, query.attributes), ("option", OPTION, query.options)):
            for name in sorted({name for name, _ in pairs}):
                found = self._connection.execute(
                    "SELECT 1 FROM facet_values WHERE kind = ? AND name = ? LIMIT 1", (kind, name)
                ).fetchone()
                if found is None and kind == ATTRIBUTE:
                    found = self._connection.execute(
                        "SELECT 1 FROM defined_attributes WHERE name = ?", (name,)
                    ).fetchone()
                if found is None:
                    what = "no category defines this attribute" if kind == ATTRIBUTE else "no variant has this option"
                    errors.append(FieldError((f"{prefix}.{name}",), what, "unknown_parameter"))
        return errors

    def _materialise(self, expression: str | None, scored: bool, conditions: list[str], params: list[Any]) -> None:
        """Copies the matches' sort and facet columns into the TEMP table.

        Later statements then read the TEMP table alone: a join from it to `products`
        with a condition on `products` makes SQLite build a Bloom filter over the whole
        of `products` (it cannot know the TEMP table is small).
        """
        connection = self._connection
        connection.execute("DELETE FROM temp.search_match")
        columns = ", ".join(f"p.{column}" for column in sql.COPIED_COLUMNS)
        if expression is None:
            source, score = "products p", "NULL"
            where, values = conditions, params
        else:
            # CROSS JOIN keeps the FTS match as the outer loop: products are looked up by rowid.
            source = "products_fts CROSS JOIN products p ON p.rowid = products_fts.rowid"
            score = _BM25 if scored else "NULL"  # bm25 is most of the cost of a large match: only when it sorts
            where, values = ["products_fts MATCH ?", *conditions], [expression, *params]
        statement = f"INSERT INTO temp.search_match SELECT p.rowid, {score}, {columns} FROM {source}"  # noqa: S608
        if where:
            statement += " WHERE " + " AND ".join(where)
        connection.execute(statement, values)

    def _page(
        self, sort: str, limit: int, position: list[Any] | None, source: str, where: list[str], values: list[Any]
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        where, values = list(where), list(values)
        if position is not None:
            condition, extra = sql.after(sort, position)
            where.append(condition)
            values.extend(extra)
        statement = f"SELECT p.rowid, {sql.VALUES[sort]} FROM {source}"  # noqa: S608
        if where:
            statement += " WHERE " + " AND ".join(where)
        statement += f" ORDER BY {sql.ORDER[sort]} LIMIT ?"
        rows = self._connection.execute(statement, [*values, limit + 1]).fetchall()
        page = rows[:limit]
        # The cards of the page only, from columns (a stored JSON card cost 554 bytes a product).
        marks = ", ".join("?" * len(page))
        rows_of_page = self._connection.execute(
            f"SELECT p.rowid, {CARD_COLUMNS}, t.card FROM products p JOIN product_texts t ON t.rowid = p.rowid"  # noqa: S608
            f" JOIN facet_values c ON c.id = p.category WHERE p.rowid IN ({marks})",
            [row[0] for row in page],
        ).fetchall()
        dictionary = self._dictionaries.card
        cards = {row[0]: card_from((*row[1:-1], packing.unpack(row[-1], dictionary))) for row in rows_of_page}
        items = [cards[row[0]] for row in page]
        last_key = {"s": sort, "v": list(page[-1][1:])} if len(rows) > limit else None
        return items, last_key

    def _totals(self, source: str, where: list[str], values: list[Any]) -> tuple[int, int | None, int | None]:
        """The number of matches and their lowest and highest price."""
        statement = f"SELECT count(*), min(p.price), max(p.price) FROM {source}"  # noqa: S608
        if where:
            statement += " WHERE " + " AND ".join(where)
        row = self._connection.execute(statement, values).fetchone()
        return int(row[0]), row[1], row[2]
