"""The search index file: its schema, the incremental writer and the full build.

One SQLite file holds everything a query needs:

- `products`: one row per indexed product, with the columns filters and sorts use and
  the card (JSON) a search returns;
- `products_fts`: an FTS5 table (rowid = products.rowid) over name, description, brand,
  tags, category path (root → leaf names) and attribute values. A regular FTS5 table,
  not external-content: it keeps its own copy of the text, so a delete or an update
  never depends on re-supplying the old values exactly (SQLite 3.40 has no
  `contentless_delete`), and a category rename or move rewrites only the category columns.
  Besides the searched text it holds `category_keys`, one token per ancestor category
  (the product's own included): a text search with a category filter intersects posting
  lists inside FTS5 instead of looking up every text match's product row. User words
  are confined to the text columns, so they never match these tokens;
- `product_attributes`: one row per (product, attribute) with the value's text and key
  (attribute filters read it);
- `attribute_values`: a number per distinct (attribute, value key). Each product lists
  its values' numbers in `products.facet_values`, so the attribute facets of a match are
  counted from one column of the match (no join, no sort of every (product, attribute)
  pair: half the time of a GROUP BY over `product_attributes` at 10,000 matches);
- `categories` and the closure `category_ancestors` (each category is its own
  ancestor): a category filter is one indexed lookup, descendants included;
- `meta`: `schema_version` and `built_at`.

Importing this module checks that SQLite has FTS5, so a runtime without it fails at
cold start rather than at the first search.
"""

from __future__ import annotations

import os
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from storefront.domain.catalog import tree
from storefront.domain.catalog.entities import Category
from storefront.search.documents import SearchDocument, attribute_key, attribute_text, card_json

SCHEMA_VERSION = 1
PATH_SEPARATOR = " › "  # between category names in the indexed path; any separator the tokenizer skips

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS products (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    category_id TEXT NOT NULL,
    brand TEXT,
    brand_key TEXT,
    price INTEGER NOT NULL,
    currency TEXT NOT NULL,
    in_stock INTEGER NOT NULL,
    rating REAL,
    rating_count INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    facet_values TEXT NOT NULL,
    card TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS attribute_values (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    value_key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (name, value_key)
);
CREATE TABLE IF NOT EXISTS product_attributes (
    product_rowid INTEGER NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    value_key TEXT NOT NULL,
    PRIMARY KEY (product_rowid, name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS categories (
    id TEXT PRIMARY KEY,
    parent_id TEXT,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    keys TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS category_ancestors (
    ancestor_id TEXT NOT NULL,
    category_id TEXT NOT NULL,
    depth INTEGER NOT NULL,
    PRIMARY KEY (ancestor_id, category_id)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS products_fts USING fts5(
    name, description, brand, tags, category_path, attributes, category_keys,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
"""

# Created after the rows in a full build (cheaper than maintaining them row by row).
# Each sort has an index ending in id, so a page without a text query is an index walk.
_INDEXES = """
CREATE INDEX IF NOT EXISTS products_newest ON products (created_at, id);
CREATE INDEX IF NOT EXISTS products_price ON products (price, id);
CREATE INDEX IF NOT EXISTS products_rating ON products (rating IS NULL, rating DESC, rating_count DESC, id);
CREATE INDEX IF NOT EXISTS products_category_newest ON products (category_id, created_at, id);
CREATE INDEX IF NOT EXISTS products_category_price ON products (category_id, price, id);
CREATE INDEX IF NOT EXISTS products_brand ON products (brand_key, brand);
CREATE INDEX IF NOT EXISTS product_attributes_value ON product_attributes (name, value_key, value);
"""

_INSERT_PRODUCT = """
INSERT INTO products (rowid, id, category_id, brand, brand_key, price, currency, in_stock, rating,
                      rating_count, created_at, updated_at, facet_values, card)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_INSERT_CATEGORY = "INSERT INTO categories (id, parent_id, name, path, keys) VALUES (?, ?, ?, ?, ?)"
_INSERT_ATTRIBUTE = "INSERT INTO product_attributes (product_rowid, name, value, value_key) VALUES (?, ?, ?, ?)"
_INSERT_FTS = """
INSERT INTO products_fts (rowid, name, description, brand, tags, category_path, attributes, category_keys)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
"""


def require_fts5() -> None:
    """Raises `RuntimeError` unless this Python's SQLite can create an FTS5 table."""
    try:
        with closing(sqlite3.connect(":memory:")) as connection:
            connection.execute("CREATE VIRTUAL TABLE probe USING fts5(text)")
    except sqlite3.Error as error:
        raise RuntimeError(
            f"this Python's SQLite lacks FTS5; search needs it (SQLite {sqlite3.sqlite_version}: {error})"
        ) from error


require_fts5()


@dataclass(frozen=True)
class BuildStats:
    count: int  # products indexed
    seconds: float
    bytes: int  # size of the file


class Placement(NamedTuple):
    """Where a category sits, as its products' FTS row says it."""

    path: str  # the names, root → leaf
    keys: str  # `category_token` of each category on the path


NOWHERE = Placement("", "")  # a product whose category is not (yet) in the tree


def category_token(category_id: str) -> str:
    """One FTS token for a category id, whatever characters the id holds (hex of its UTF-8)."""
    return "k" + category_id.encode().hex()


def _placements(categories: Sequence[Category]) -> tuple[dict[str, Placement], list[tuple[str, str, int]]]:
    """Each category's placement and its closure rows (ancestor, category, depth)."""
    by_id = {category.id: category for category in categories}
    placements: dict[str, Placement] = {}
    closure: list[tuple[str, str, int]] = []
    for category in categories:
        chain = [*tree.ancestors(by_id, category.id), category]
        path = unicodedata.normalize("NFC", PATH_SEPARATOR.join(item.name for item in chain))
        placements[category.id] = Placement(path, " ".join(category_token(item.id) for item in chain))
        closure.extend((item.id, category.id, len(chain) - 1 - depth) for depth, item in enumerate(chain))
    return placements, closure


def _category_rows(categories: Sequence[Category], placements: dict[str, Placement]) -> list[tuple[Any, ...]]:
    return [(category.id, category.parent_id, category.name, *placements[category.id]) for category in categories]


ValueIds = Callable[[str, str, str], int]  # (name, value key, value text) → its attribute_values id


def _rows(
    document: SearchDocument, rowid: int, placement: Placement, value_ids: ValueIds
) -> tuple[tuple[Any, ...], list[tuple[int, str, str, str]], tuple[Any, ...]]:
    """The products row, the attribute rows and the FTS row of a document."""
    texts = {name: attribute_text(value) for name, value in document.attributes.items()}
    attributes = [(rowid, name, text, attribute_key(text)) for name, text in texts.items()]
    facet_values = " ".join(str(value_ids(name, key, text)) for _, name, text, key in attributes)
    brand = document.brand.strip() if document.brand is not None else None
    brand = brand or None
    product = (
        rowid,
        document.id,
        document.category_id,
        brand,
        brand.casefold() if brand is not None else None,
        document.price,
        document.currency,
        int(document.in_stock),
        document.rating_average,
        document.rating_count,
        document.created_at,
        document.updated_at,
        facet_values,
        card_json(document),
    )
    # NFC: the tokenizer folds precomposed letters only, and queries are normalised alike.
    fts = (
        rowid,
        *(
            unicodedata.normalize("NFC", text)
            for text in (document.name, document.description, brand or "", " ".join(document.tags))
        ),
        placement.path,
        unicodedata.normalize("NFC", " ".join(texts.values())),
        placement.keys,
    )
    return product, attributes, fts


def check_schema(connection: sqlite3.Connection) -> None:
    row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None or row[0] != str(SCHEMA_VERSION):
        found = None if row is None else row[0]
        raise RuntimeError(f"search index schema version {found}, this code needs {SCHEMA_VERSION}")


def _create_schema(connection: sqlite3.Connection, *, indexes: bool) -> None:
    connection.executescript(_TABLES + (_INDEXES if indexes else ""))
    connection.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?), ('built_at', ?)",
        (str(SCHEMA_VERSION), str(int(time.time()))),
    )
    connection.commit()
    check_schema(connection)


class IndexWriter:
    """Incremental changes to an index: the only writer of its file (single-writer is guaranteed outside).

    Changes accumulate in one transaction until `commit()`; each method is atomic on its
    own (a savepoint), so a failure never leaves a product half-written.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        _create_schema(connection, indexes=True)
        self._placements = {
            category_id: Placement(path, keys)
            for category_id, path, keys in connection.execute("SELECT id, path, keys FROM categories")
        }

    @contextmanager
    def _atomic(self) -> Iterator[sqlite3.Connection]:
        connection = self._connection
        if not connection.in_transaction:
            connection.execute("BEGIN")
        connection.execute("SAVEPOINT search_write")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK TO search_write")
            connection.execute("RELEASE search_write")
            raise
        connection.execute("RELEASE search_write")

    def set_categories(self, categories: Sequence[Category]) -> None:
        """Replaces the category tree; products whose path text changed get their FTS row rewritten."""
        placements, closure = _placements(categories)
        known = placements.keys() | self._placements.keys()
        changed = {
            category_id
            for category_id in known
            if placements.get(category_id, NOWHERE) != self._placements.get(category_id, NOWHERE)
        }
        with self._atomic() as connection:
            connection.execute("DELETE FROM categories")
            connection.execute("DELETE FROM category_ancestors")
            connection.executemany(_INSERT_CATEGORY, _category_rows(categories, placements))
            connection.executemany(
                "INSERT INTO category_ancestors (ancestor_id, category_id, depth) VALUES (?, ?, ?)", closure
            )
            # The other FTS columns stay as stored: a regular FTS5 table keeps its own text.
            connection.executemany(
                "UPDATE products_fts SET category_path = ?, category_keys = ?"
                " WHERE rowid IN (SELECT rowid FROM products WHERE category_id = ?)",
                [(*placements.get(category_id, NOWHERE), category_id) for category_id in sorted(changed)],
            )
        self._placements = placements

    def upsert(self, document: SearchDocument) -> None:
        """Inserts or replaces a product; a replaced product keeps its rowid."""
        with self._atomic() as connection:
            row = connection.execute("SELECT rowid FROM products WHERE id = ?", (document.id,)).fetchone()
            if row is not None:
                rowid = int(row[0])
                self._remove(connection, rowid)
            else:
                found = connection.execute("SELECT coalesce(max(rowid), 0) + 1 FROM products").fetchone()
                rowid = int(found[0])
            placement = self._placements.get(document.category_id, NOWHERE)
            product, attributes, fts = _rows(document, rowid, placement, self._value_id)
            connection.execute(_INSERT_PRODUCT, product)
            connection.executemany(_INSERT_ATTRIBUTE, attributes)
            connection.execute(_INSERT_FTS, fts)

    def delete(self, product_id: str) -> bool:
        """Takes a product out of the index; False when it was not in it."""
        with self._atomic() as connection:
            row = connection.execute("SELECT rowid FROM products WHERE id = ?", (product_id,)).fetchone()
            if row is None:
                return False
            self._remove(connection, int(row[0]))
            return True

    def _value_id(self, name: str, key: str, text: str) -> int:
        # A value no product holds any more keeps its number: facets count products, not numbers.
        self._connection.execute(
            "INSERT OR IGNORE INTO attribute_values (name, value_key, value) VALUES (?, ?, ?)", (name, key, text)
        )
        row = self._connection.execute(
            "SELECT id FROM attribute_values WHERE name = ? AND value_key = ?", (name, key)
        ).fetchone()
        return int(row[0])

    @staticmethod
    def _remove(connection: sqlite3.Connection, rowid: int) -> None:
        connection.execute("DELETE FROM products WHERE rowid = ?", (rowid,))
        connection.execute("DELETE FROM product_attributes WHERE product_rowid = ?", (rowid,))
        connection.execute("DELETE FROM products_fts WHERE rowid = ?", (rowid,))

    def product_ids(self) -> set[str]:
        return {row[0] for row in self._connection.execute("SELECT id FROM products")}

    def commit(self) -> None:
        # COMMIT itself, not `connection.commit()`: the latter does nothing under autocommit=True.
        if self._connection.in_transaction:
            self._connection.execute("COMMIT")


def build_index(path: Path, documents: Iterable[SearchDocument], categories: Sequence[Category]) -> BuildStats:
    """Builds a fresh index file at `path` (replacing any file there) from every document.

    Written to a sibling file first and renamed over `path`, so a reader of the old file
    never sees a half-built one. Durability pragmas are off during the build: a crash
    leaves only the sibling file, which the next build overwrites.
    Raises `ValueError` when two documents share an id.
    """
    started = time.perf_counter()
    building = path.with_name(path.name + ".building")
    building.unlink(missing_ok=True)
    placements, closure = _placements(categories)
    count = 0
    with closing(sqlite3.connect(building)) as connection:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("PRAGMA cache_size = -262144")  # 256 MiB: the FTS merges stay in memory
        connection.execute("PRAGMA temp_store = MEMORY")
        _create_schema(connection, indexes=False)
        connection.execute("BEGIN")
        connection.executemany(_INSERT_CATEGORY, _category_rows(categories, placements))
        connection.executemany(
            "INSERT INTO category_ancestors (ancestor_id, category_id, depth) VALUES (?, ?, ?)", closure
        )
        seen: set[str] = set()
        value_ids: dict[tuple[str, str], int] = {}
        new_values: list[tuple[int, str, str, str]] = []

        def value_id(name: str, key: str, text: str) -> int:
            found = value_ids.get((name, key))
            if found is None:
                found = value_ids[name, key] = len(value_ids) + 1
                new_values.append((found, name, key, text))
            return found

        batch: list[tuple[tuple[Any, ...], list[tuple[int, str, str, str]], tuple[Any, ...]]] = []
        for document in documents:
            if document.id in seen:
                raise ValueError(f"product {document.id} appears twice in the documents")
            seen.add(document.id)
            count += 1
            batch.append(_rows(document, count, placements.get(document.category_id, NOWHERE), value_id))
            if len(batch) >= 2000:
                _write_batch(connection, batch)
                batch = []
        _write_batch(connection, batch)
        connection.executemany(
            "INSERT INTO attribute_values (id, name, value_key, value) VALUES (?, ?, ?, ?)", new_values
        )
        connection.executescript(_INDEXES)  # executescript commits the open transaction first
        connection.execute("INSERT INTO products_fts (products_fts) VALUES ('optimize')")
        connection.execute("UPDATE meta SET value = ? WHERE key = 'built_at'", (str(int(time.time())),))
        connection.commit()
        connection.execute("ANALYZE")
        connection.commit()
        connection.execute("VACUUM")
    os.replace(building, path)
    return BuildStats(count, time.perf_counter() - started, path.stat().st_size)


def _write_batch(
    connection: sqlite3.Connection,
    batch: list[tuple[tuple[Any, ...], list[tuple[int, str, str, str]], tuple[Any, ...]]],
) -> None:
    if not connection.in_transaction:
        connection.execute("BEGIN")
    connection.executemany(_INSERT_PRODUCT, [product for product, _, _ in batch])
    connection.executemany(_INSERT_ATTRIBUTE, [row for _, attributes, _ in batch for row in attributes])
    connection.executemany(_INSERT_FTS, [fts for _, _, fts in batch])


def open_index(path: Path, *, readonly: bool) -> sqlite3.Connection:
    """A connection to an index file, shareable across threads (callers serialise its use).

    Read-only opens use `mode=ro` (the file cannot be changed through it) rather than
    `query_only`, which would also forbid the TEMP table a search materialises its
    matches into.
    """
    if readonly:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        connection.execute("PRAGMA mmap_size = 268435456")
        connection.execute("PRAGMA cache_size = -65536")
    else:
        connection = sqlite3.connect(path, check_same_thread=False)
        connection.execute("PRAGMA cache_size = -65536")
    connection.execute("PRAGMA temp_store = MEMORY")
    return connection
