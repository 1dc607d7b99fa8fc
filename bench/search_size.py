"""What a search index file is made of, per product: the first measure of issue 16.

SQLite's `dbstat` table gives each table's and index's pages; they are grouped by what a
query needs them for, and the file is gzipped at the level the indexer publishes with, so
the bytes a search environment downloads are measured, not estimated.

`python -m bench.search_size --sizes 10000` builds the search benchmark's catalog and
reports only this (seconds, not the minutes of `bench.search`), each object included.
"""

from __future__ import annotations

import argparse
import gzip
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Any, Final

from storefront.data.search_index import GZIP_LEVEL

# Each dbstat object, by the part of the index it is; anything else is "other".
PARTS: Final = {
    "fts_postings": ("products_fts_data", "products_fts_idx", "products_fts_docsize", "products_fts_config"),
    "product_rows": ("products", "sqlite_autoindex_products_1"),
    "product_texts": ("product_texts",),
    "sort_indexes": (
        "products_newest",
        "products_price",
        "products_rating",
        "products_category_newest",
        "products_category_price",
        "products_brand",
    ),
    "attribute_values": ("attribute_values",),
    "variant_options": ("variant_options",),
}


def object_sizes(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
        return dict(connection.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall())


def composition(path: Path, products: int) -> dict[str, Any]:
    """Bytes per product: the file, gzipped, each part, and the description's share of the texts."""
    raw = path.read_bytes()
    sizes = object_sizes(path)
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
        [description] = connection.execute(
            "SELECT AVG(LENGTH(CAST(description AS BLOB))) FROM product_texts"
        ).fetchone()
    parts = {part: sum(sizes.pop(name, 0) for name in names) for part, names in PARTS.items()}
    parts["other"] = sum(sizes.values())
    return {
        "file": round(len(raw) / products),
        "gzip": round(len(gzip.compress(raw, compresslevel=GZIP_LEVEL)) / products),
        "parts": {part: round(size / products) for part, size in parts.items()},
        "description_average": round(description or 0),
    }


def line(size: str, bytes_per_product: dict[str, Any]) -> str:
    parts = ", ".join(f"{name} {value:,}" for name, value in bytes_per_product["parts"].items())
    return (
        f"- {int(size):,} products: {bytes_per_product['file']:,} bytes per product in the file"
        f" ({bytes_per_product['gzip']:,} gzipped, as published): {parts}; the packed description averages"
        f" {bytes_per_product.get('description_average', 0):,} of the product texts."
    )


def main() -> int:
    from devkit.catalog_generator import make_catalog, make_products, with_variants
    from storefront.search.build import build_index

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000", help="comma-separated catalog sizes")
    sizes = [int(size.replace("_", "")) for size in parser.parse_args().sizes.split(",")]
    catalog = make_catalog()
    with tempfile.TemporaryDirectory(prefix="search-size-") as directory:
        for size in sizes:
            path = Path(directory) / f"search-{size}.sqlite"
            stats = build_index(path, with_variants(catalog, make_products(catalog, size)), catalog.categories)
            print(f"built in {stats.seconds:.1f} s")
            print(line(str(size), composition(path, size)))
            for name, total in sorted(object_sizes(path).items(), key=lambda item: -item[1]):
                print(f"  {name:34} {total / size:8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
