"""The search index's full build: a new file from every document (a rebuild, a benchmark's base).

Incremental changes go through `storefront.search.index.IndexWriter`; both write the rows of
`storefront.search.rows` into the schema of `storefront.search.schema`.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from storefront.domain.catalog.entities import Category
from storefront.search import packing
from storefront.search.documents import SearchDocument, card_texts
from storefront.search.rows import NOWHERE, category_rows, defined_attributes, document_rows, placements_of, write_rows
from storefront.search.schema import INDEXES, INSERT_CATEGORY, INSERT_DEFINED_ATTRIBUTE, create_schema

# Products written per transaction by a full build; the first batch is also the sample the
# texts' dictionaries are taken from (storefront/search/packing.py).
BUILD_BATCH = 2000


@dataclass(frozen=True)
class BuildStats:
    count: int  # products indexed
    seconds: float
    bytes: int  # size of the file


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
    placements, closure = placements_of(categories)
    count = 0
    with closing(sqlite3.connect(building)) as connection:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("PRAGMA cache_size = -262144")  # 256 MiB: the FTS merges stay in memory
        connection.execute("PRAGMA temp_store = MEMORY")
        create_schema(connection, indexes=False)
        connection.execute("BEGIN")
        connection.executemany(INSERT_CATEGORY, category_rows(categories, placements))
        connection.executemany(
            "INSERT INTO category_ancestors (ancestor_id, category_id, depth) VALUES (?, ?, ?)", closure
        )
        connection.executemany(INSERT_DEFINED_ATTRIBUTE, defined_attributes(categories))
        seen: set[str] = set()
        value_ids: dict[tuple[str, str, str], int] = {}
        new_values: list[tuple[int, str, str, str, str]] = []

        def value_id(kind: str, name: str, key: str, text: str) -> int:
            found = value_ids.get((kind, name, key))
            if found is None:
                found = value_ids[kind, name, key] = len(value_ids) + 1
                new_values.append((found, kind, name, key, text))
            return found

        batch: list[SearchDocument] = []
        dictionaries: packing.Dictionaries | None = None

        def write_batch() -> None:
            nonlocal count, dictionaries
            if dictionaries is None:  # samples of the first batch's texts
                dictionaries = packing.Dictionaries(
                    packing.sample(map(card_texts, batch), packing.CARD_DICTIONARY_BYTES),
                    packing.sample((document.description for document in batch), packing.DESCRIPTION_DICTIONARY_BYTES),
                )
                packing.save(connection, dictionaries)
            rows = []
            for document in batch:
                count += 1
                placement = placements.get(document.category_id, NOWHERE)
                rows.append(document_rows(document, count, placement, value_id, dictionaries))
            write_rows(connection, rows)
            batch.clear()

        for document in documents:
            if document.id in seen:
                raise ValueError(f"product {document.id} appears twice in the documents")
            seen.add(document.id)
            batch.append(document)
            if len(batch) >= BUILD_BATCH:
                write_batch()
        write_batch()
        connection.executemany(
            "INSERT INTO facet_values (id, kind, name, value_key, value) VALUES (?, ?, ?, ?, ?)", new_values
        )
        connection.executescript(INDEXES)  # executescript commits the open transaction first
        connection.execute("INSERT INTO products_fts (products_fts) VALUES ('optimize')")
        connection.execute("UPDATE meta SET value = ? WHERE key = 'built_at'", (str(int(time.time())),))
        connection.commit()
        connection.execute("ANALYZE")
        connection.commit()
        connection.execute("VACUUM")
    os.replace(building, path)
    return BuildStats(count, time.perf_counter() - started, path.stat().st_size)
