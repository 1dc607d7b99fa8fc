"""The search index file's schema, its FTS5 check, and opening a file.

One SQLite file holds everything a query needs:

- `products`: one row per indexed product, with the columns filters, sorts and facets
  read (kept narrow: a query reads many of these rows); its category is the number of
  the category id in `facet_values` (kind `c`), 1 byte in the row and two indexes;
- `product_texts`: the rest of what a product's card and FTS row are made of: the card's
  texts (slug, name, tags, typed attributes, image, brand as written: one JSON array),
  read for a page's rows only (≤ 100), and the description, read only by the writer;
  both deflated with a dictionary of the catalog's own (`storefront.search.packing`);
- `products_fts`: a contentless FTS5 table (rowid = products.rowid) over name,
  description, brand, tags, category path (root → leaf names) and attribute values. It
  keeps no copy of the text (700 bytes a product): the text is in `product_texts` once,
  and the writer deletes a row by giving FTS5 its old values, recomputed from those
  columns and the category tree (`rows.fts_values`: any change to what it returns
  needs a new schema version). SQLite 3.40 (Lambda's) has no `contentless_delete`.
  Besides the searched text it holds `category_keys`, one token per ancestor category
  (the product's own included): a text search with a category filter intersects posting
  lists inside FTS5 instead of looking up every text match's product row. User words
  are confined to the text columns, so they never match these tokens. No prefix
  indexes: the last word's prefix query walks the terms it starts, as fast at 100,000
  products as with `prefix = '2 3'`, which cost 512 bytes a product (docs/search.md);
- `attribute_values`: one row per (attribute value number, product), all integers:
  attribute filters and the whole index's attribute facets read it;
- `facet_values`: a number per distinct (kind, name, value key), kind `a` for a product
  attribute and `o` for a variant option. Each product lists its values' numbers (its
  attributes' and its variants' option values) in `products.facet_values`, so the facets
  of a match are counted from one column of the match (no join, no sort of every
  (product, value) pair: half the time of a GROUP BY over (product, attribute) rows at 10,000
  matches);
- `variant_options`: one row per (option value, product, variant) with the variant's
  stock flag. Variants are numbered within their product; the numbers and values are
  integers, so a row is a few bytes. An option filter joins the rows of one variant, so
  "size M in stock" means one variant that is size M and in stock;
- `defined_attributes`: the attribute names the categories define. With the names in
  `facet_values` it is what `attr.<name>` and `option.<name>` filters are checked against
  (a name nothing defines is refused, like an unknown parameter);
- `categories` and the closure `category_ancestors` (each category is its own
  ancestor): a category filter is one indexed lookup, descendants included;
- `meta`: `schema_version`, `built_at` and the packing dictionaries (a full build's). A
  reader or a writer of another version raises `OutdatedIndex`: readers then serve what
  they hold (or nothing), the writer rebuilds the file from the table.

Importing this module checks that SQLite has FTS5, so a runtime without it fails at
cold start rather than at the first search.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

SCHEMA_VERSION = 5  # 2: variant options, facet_values with kinds, defined_attributes; 3: no prefix indexes;
# 4: published as a base and deltas of documents (storefront/search/manifest.py); 5: contentless FTS5,
# cards built from columns, attribute value numbers instead of attribute rows

TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS products (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    category INTEGER NOT NULL,
    brand TEXT,
    brand_key TEXT,
    price INTEGER NOT NULL,
    currency TEXT NOT NULL,
    in_stock INTEGER NOT NULL,
    rating REAL,
    rating_count INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    facet_values TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS product_texts (rowid INTEGER PRIMARY KEY, card BLOB NOT NULL, description BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS facet_values (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    value_key TEXT NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (kind, name, value_key)
);
CREATE TABLE IF NOT EXISTS variant_options (
    value_id INTEGER NOT NULL,
    product_rowid INTEGER NOT NULL,
    variant INTEGER NOT NULL,
    in_stock INTEGER NOT NULL,
    PRIMARY KEY (value_id, product_rowid, variant)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS defined_attributes (name TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS attribute_values (
    value_id INTEGER NOT NULL,
    product_rowid INTEGER NOT NULL,
    PRIMARY KEY (value_id, product_rowid)
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
    content = '', tokenize = 'unicode61 remove_diacritics 2'
);
"""

# Created after the rows in a full build (cheaper than maintaining them row by row).
# A page without a text query is a walk of its sort's index. Ties of a price or a rating
# are common, so those indexes end in id (a category's price order is read from the
# index alone); two products rarely share a creation second, so the newest indexes leave
# id out (27 bytes a row each) and SQLite sorts a second's ties from the rows.
INDEXES = """
CREATE INDEX IF NOT EXISTS products_newest ON products (created_at);
CREATE INDEX IF NOT EXISTS products_price ON products (price, id);
CREATE INDEX IF NOT EXISTS products_rating ON products (rating IS NULL, rating DESC, rating_count DESC, id);
CREATE INDEX IF NOT EXISTS products_category_newest ON products (category, created_at);
CREATE INDEX IF NOT EXISTS products_category_price ON products (category, price, id);
CREATE INDEX IF NOT EXISTS products_brand ON products (brand_key, brand);
"""

INSERT_PRODUCT = """
INSERT INTO products (rowid, id, category, brand, brand_key, price, currency, in_stock, rating,
                      rating_count, created_at, updated_at, facet_values)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
INSERT_TEXTS = "INSERT INTO product_texts (rowid, card, description) VALUES (?, ?, ?)"
INSERT_CATEGORY = "INSERT INTO categories (id, parent_id, name, path, keys) VALUES (?, ?, ?, ?, ?)"
INSERT_ATTRIBUTE_VALUE = "INSERT INTO attribute_values (value_id, product_rowid) VALUES (?, ?)"
INSERT_VARIANT_OPTION = "INSERT INTO variant_options (value_id, product_rowid, variant, in_stock) VALUES (?, ?, ?, ?)"
INSERT_DEFINED_ATTRIBUTE = "INSERT OR IGNORE INTO defined_attributes (name) VALUES (?)"
ATTRIBUTE = "a"  # facet_values.kind of a product attribute
OPTION = "o"  # facet_values.kind of a variant option
CATEGORY = "c"  # facet_values.kind of a category id (name ''): products.category is its number
FTS_COLUMNS = "rowid, name, description, brand, tags, category_path, attributes, category_keys"
INSERT_FTS = f"INSERT INTO products_fts ({FTS_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
# A contentless table forgets a row only when told its exact old values.
DELETE_FTS = f"INSERT INTO products_fts (products_fts, {FTS_COLUMNS}) VALUES ('delete', ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608


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


def category_token(category_id: str) -> str:
    """One FTS token for a category id, whatever characters the id holds (hex of its UTF-8)."""
    return "k" + category_id.encode().hex()


class OutdatedIndex(RuntimeError):
    """The index file was written for another schema version: rebuild it, never read it."""


def check_schema(connection: sqlite3.Connection) -> None:
    """Raises `OutdatedIndex` unless the file holds this code's schema version (an empty file has none)."""
    try:
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError:  # no meta table: not an index this code wrote
        row = None
    if row is None or row[0] != str(SCHEMA_VERSION):
        found = None if row is None else row[0]
        raise OutdatedIndex(f"search index schema version {found}, this code needs {SCHEMA_VERSION}")


def create_schema(connection: sqlite3.Connection, *, indexes: bool) -> None:
    connection.executescript(TABLES + (INDEXES if indexes else ""))
    connection.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?), ('built_at', ?)",
        (str(SCHEMA_VERSION), str(int(time.time()))),
    )
    connection.commit()
    check_schema(connection)


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


def open_local_copy(path: Path) -> sqlite3.Connection:
    """A connection to a private copy of the index that deltas are applied to in place.

    Read like a read-only index (memory-mapped), written without a journal file or fsync:
    the copy lives in this process's temporary directory and is downloaded anew, never
    recovered, after a crash. The rollback journal stays (in memory): a delta that fails
    halfway is rolled back.
    """
    connection = sqlite3.connect(path, check_same_thread=False)
    connection.execute("PRAGMA journal_mode = MEMORY")
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA mmap_size = 268435456")
    connection.execute("PRAGMA cache_size = -65536")
    connection.execute("PRAGMA temp_store = MEMORY")
    return connection
