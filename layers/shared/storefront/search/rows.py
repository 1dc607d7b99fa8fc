"""What one document or category tree becomes in the index file: the rows the writers insert.

`IndexWriter` (`storefront.search.index`) and `build_index` (`storefront.search.build`) write these; the tables are
described in `storefront.search.schema`.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from storefront.domain.catalog import tree
from storefront.domain.catalog.entities import Category
from storefront.search.documents import SearchDocument, attribute_key, attribute_text, card_values
from storefront.search.packing import Dictionaries, pack
from storefront.search.schema import (
    ATTRIBUTE,
    CATEGORY,
    INSERT_ATTRIBUTE_VALUE,
    INSERT_FTS,
    INSERT_PRODUCT,
    INSERT_TEXTS,
    INSERT_VARIANT_OPTION,
    OPTION,
    category_token,
)

PATH_SEPARATOR = " › "  # between category names in the indexed path; any separator the tokenizer skips


class Placement(NamedTuple):
    """Where a category sits, as its products' FTS row says it."""

    path: str  # the names, root → leaf
    keys: str  # `category_token` of each category on the path


NOWHERE = Placement("", "")  # a product whose category is not (yet) in the tree


def placements_of(categories: Sequence[Category]) -> tuple[dict[str, Placement], list[tuple[str, str, int]]]:
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


def category_rows(categories: Sequence[Category], placements: dict[str, Placement]) -> list[tuple[Any, ...]]:
    return [(category.id, category.parent_id, category.name, *placements[category.id]) for category in categories]


def defined_attributes(categories: Sequence[Category]) -> list[tuple[str]]:
    return sorted({(name,) for category in categories for name in category.attributes})


ValueIds = Callable[[str, str, str, str], int]  # (kind, name, value key, value text) → its facet_values id


class Rows(NamedTuple):
    """What one document writes: its products and product_texts rows, attribute value rows
    (value id, product rowid), variant option rows and FTS row."""

    product: tuple[Any, ...]
    texts: tuple[Any, ...]
    attributes: list[tuple[int, int]]
    options: list[tuple[int, int, int, int]]
    fts: tuple[Any, ...]


# The stored columns a product's FTS row is made of (with its category's placement):
# the card texts and the description are packed (`storefront.search.packing`).
FTS_SOURCE = "p.rowid, t.card, t.description, p.brand"


def fts_values(stored: Sequence[Any], placement: Placement) -> tuple[Any, ...]:
    """A product's FTS row (`schema.FTS_COLUMNS`) from its stored columns (`FTS_SOURCE`, unpacked).

    The writer deletes a row of the contentless FTS table by recomputing it with this,
    so it must give the same values for the same columns in every version of one schema.
    """
    rowid, texts, description, brand = stored
    _, name, tags, attributes, *_ = json.loads(texts)
    attribute_texts = [attribute_text(value) for value in attributes.values()]
    # NFC: the tokenizer folds precomposed letters only, and queries are normalised alike.
    return (
        rowid,
        *(unicodedata.normalize("NFC", text) for text in (name, description, brand or "", " ".join(tags))),
        placement.path,
        unicodedata.normalize("NFC", " ".join(attribute_texts)),
        placement.keys,
    )


def placed(fts_row: tuple[Any, ...], placement: Placement) -> tuple[Any, ...]:
    """The same FTS row with another category placement (a rename or move re-places rows)."""
    rowid, name, description, brand, tags, _, attributes, _ = fts_row
    return (rowid, name, description, brand, tags, placement.path, attributes, placement.keys)


def _option_rows(document: SearchDocument, rowid: int, value_ids: ValueIds) -> list[tuple[int, int, int, int]]:
    """(value id, product rowid, variant number, in stock) for each option of each variant."""
    rows = []
    for number, variant in enumerate(document.variants):
        for name, value in sorted(variant.options.items()):
            text = value.strip()
            rows.append((value_ids(OPTION, name, attribute_key(text), text), rowid, number, int(variant.in_stock)))
    return rows


def document_rows(
    document: SearchDocument,
    rowid: int,
    placement: Placement,
    value_ids: ValueIds,
    dictionaries: Dictionaries,
    pack_text: Callable[[str, bytes], bytes] = pack,
) -> Rows:
    """The rows a document is indexed as (`pack_text` may give texts already packed with that dictionary)."""
    texts = {name: attribute_text(value) for name, value in document.attributes.items()}
    attributes = [(value_ids(ATTRIBUTE, name, attribute_key(text), text), rowid) for name, text in texts.items()]
    options = _option_rows(document, rowid, value_ids)
    # Each value once: the attributes', then the distinct option values of the variants.
    numbers = [number for number, _ in attributes] + sorted({row[0] for row in options})
    facet_values = " ".join(str(number) for number in numbers)
    product_id, brand, category_id, *numeric, card_texts = card_values(document)
    product = (
        rowid,
        product_id,
        value_ids(CATEGORY, "", category_id, category_id),  # a number is 1 byte where the id is 26, thrice
        brand,
        brand.casefold() if brand is not None else None,
        *numeric,
        facet_values,
    )
    card = pack_text(card_texts, dictionaries.card)
    stored = (rowid, card, pack_text(document.description, dictionaries.description))
    fts = fts_values((rowid, card_texts, document.description, brand), placement)
    return Rows(product, stored, attributes, options, fts)


def write_rows(connection: sqlite3.Connection, batch: list[Rows], *, fts: bool = True) -> None:
    """Inserts the batch's rows (in a transaction, begun if none is open); `fts=False` leaves their FTS rows out."""
    if not connection.in_transaction:
        connection.execute("BEGIN")
    connection.executemany(INSERT_PRODUCT, [rows.product for rows in batch])
    connection.executemany(INSERT_TEXTS, [rows.texts for rows in batch])
    connection.executemany(INSERT_ATTRIBUTE_VALUE, [row for rows in batch for row in rows.attributes])
    connection.executemany(INSERT_VARIANT_OPTION, [row for rows in batch for row in rows.options])
    if fts:
        connection.executemany(INSERT_FTS, [rows.fts for rows in batch])
