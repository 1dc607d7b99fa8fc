"""What a search index file is made of, per product: the first measure of issue 16.

SQLite's `dbstat` table gives each table's and index's pages; they are grouped by what a
query needs them for, and the file is gzipped at the level the indexer publishes with, so
the bytes a search environment downloads are measured, not estimated.
"""

from __future__ import annotations

import gzip
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any, Final

from storefront.data.search_index import GZIP_LEVEL

# Each dbstat object, by the part of the index it is; anything else is "other".
PARTS: Final = {
    "fts_postings": ("products_fts_data", "products_fts_idx", "products_fts_docsize", "products_fts_config"),
    "fts_text_copy": ("products_fts_content",),
    "product_rows": ("products", "sqlite_autoindex_products_1"),
    "sort_indexes": (
        "products_newest",
        "products_price",
        "products_rating",
        "products_category_newest",
        "products_category_price",
        "products_brand",
    ),
    "attribute_rows": ("product_attributes", "product_attributes_value"),
    "variant_options": ("variant_options",),
}


def composition(path: Path, products: int) -> dict[str, Any]:
    """Bytes per product: the file, gzipped, each part, and the stored card's share of the rows."""
    raw = path.read_bytes()
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
        sizes = dict(connection.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall())
        [card] = connection.execute("SELECT AVG(LENGTH(card)) FROM products").fetchone()
    parts = {part: sum(sizes.pop(name, 0) for name in names) for part, names in PARTS.items()}
    parts["other"] = sum(sizes.values())
    return {
        "file": round(len(raw) / products),
        "gzip": round(len(gzip.compress(raw, compresslevel=GZIP_LEVEL)) / products),
        "parts": {part: round(size / products) for part, size in parts.items()},
        "card_average": round(card or 0),
    }


def line(size: str, bytes_per_product: dict[str, Any]) -> str:
    parts = ", ".join(f"{name} {value:,}" for name, value in bytes_per_product["parts"].items())
    return (
        f"- {int(size):,} products: {bytes_per_product['file']:,} bytes per product in the file"
        f" ({bytes_per_product['gzip']:,} gzipped, as published): {parts}; the stored card averages"
        f" {bytes_per_product['card_average']:,} of the product row."
    )
