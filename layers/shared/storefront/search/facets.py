"""Facets of a match: brands, categories, attribute and option values, price range.

Read from the TEMP table of the match when there is one, else from the whole index (no
text and no filters): the same counts, the second by index walks instead of the match.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter

from storefront.search.parameters import FACET_VALUES, Facets
from storefront.search.schema import ATTRIBUTE, OPTION

ValueCount = tuple[str, str, str, str, int]  # (kind, name, value key, shown value, products)


def facets(connection: sqlite3.Connection, materialised: bool, price_min: int | None, price_max: int | None) -> Facets:
    products = "temp.search_match" if materialised else "products"
    brands = [
        row
        for row in connection.execute(
            f"SELECT brand_key, min(brand), count(*) FROM {products} GROUP BY brand_key"  # noqa: S608
        )
        if row[0] is not None
    ]
    categories = connection.execute(
        "SELECT c.value, c.value, counted.products FROM facet_values c JOIN"  # noqa: S608
        f" (SELECT category, count(*) AS products FROM {products} GROUP BY category) counted ON c.id = counted.category"
    ).fetchall()
    by_name: dict[tuple[str, str], list[tuple[str, str, int]]] = {}
    counts = _match_counts(connection) if materialised else _index_counts(connection)
    for kind, name, key, shown, count in counts:
        by_name.setdefault((kind, name), []).append((key, shown, count))

    def of(kind: str) -> dict[str, dict[str, int]]:
        return {name: _top(rows) for (found, name), rows in sorted(by_name.items()) if found == kind}

    return Facets(
        brand=_top(brands),
        category=_top(categories),
        attributes=of(ATTRIBUTE),
        price_min=price_min,
        price_max=price_max,
        options=of(OPTION),
    )


def _top(rows: list[tuple[str, str, int]]) -> dict[str, int]:
    """(key, shown value, count) rows → the most frequent shown values (ties by key)."""
    rows.sort(key=lambda row: (-row[2], row[0]))
    return {shown: count for _, shown, count in rows[:FACET_VALUES]}


def _index_counts(connection: sqlite3.Connection) -> list[ValueCount]:
    """Every attribute and option value of the whole index: ordered walks of two primary keys."""
    shown = {
        number: (kind, name, key, value)
        for number, kind, name, key, value in connection.execute(
            "SELECT id, kind, name, value_key, value FROM facet_values"
        )
    }
    # A product counts once per value however many of its variants hold it.
    counts = connection.execute(
        "SELECT value_id, count(*) FROM attribute_values GROUP BY value_id"
        " UNION ALL SELECT value_id, count(DISTINCT product_rowid) FROM variant_options GROUP BY value_id"
    )
    return [(*shown[number], count) for number, count in counts if number in shown]


def _match_counts(connection: sqlite3.Connection) -> list[ValueCount]:
    """Counted in Python from each match's list of value numbers.

    C-speed split and Counter, where SQLite would sort every (product, value) pair to
    group them; a product lists each of its values once.
    """
    lists = [row[0] for row in connection.execute("SELECT facet_values FROM temp.search_match")]
    counts = Counter(" ".join(lists).split())
    if not counts:
        return []
    values = connection.execute(
        "SELECT id, kind, name, value_key, value FROM facet_values WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps([int(value_id) for value_id in counts]),),
    )
    return [(kind, name, key, value, counts[str(number)]) for number, kind, name, key, value in values]
