"""What the index stores of a product, and only once: the contentless FTS table's deletes
(no stale term after updates, removals and category changes) and the cards a page builds
from columns and packed texts (byte for byte the documents' `card_json`)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from storefront.domain.catalog.entities import Category, Image
from storefront.events.base import rfc3339
from storefront.search.build import build_index
from storefront.search.documents import card_json, utc_text
from storefront.search.index import IndexWriter
from storefront.search.query import SearchIndex, SearchQuery
from storefront.search.schema import open_index
from tests.unit.search_fixtures import index_fixtures
from tests.unit.test_search_index import CATEGORIES, found, indexed, product
from tests.unit.test_search_query import CATEGORIES as SHOP_CATEGORIES
from tests.unit.test_search_query import catalog_with_ties, documents, every_page, expected_order

connection, writer = index_fixtures(CATEGORIES)


def fts_terms(connection: sqlite3.Connection) -> list[tuple[str, int, int]]:
    """Every term of the FTS index with its number of products and occurrences."""
    connection.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.terms USING fts5vocab(main, products_fts, row)")
    return connection.execute("SELECT term, doc, cnt FROM temp.terms ORDER BY term").fetchall()


def test_updates_removals_and_renames_leave_no_stale_terms_when_the_fts_table_keeps_no_text(
    connection: sqlite3.Connection, writer: IndexWriter, tmp_path: Path
) -> None:
    writer.upsert(indexed(product("A", "Leather boot", description="Waxed Café", brand=" Acme ", tags=["winter"])))
    writer.upsert(indexed(product("B", "Rubber boot", attributes={"size": 42.0, "waterproof": True})))
    writer.upsert(indexed(product("C", "Felt slipper", category_id="home")))
    final_a = indexed(product("A", "Suede boot", description="Soft", brand="Acme", attributes={"colour": "tan"}))
    writer.upsert(final_a)
    assert writer.delete("C") is True
    renamed = [
        Category("shoes", "Footwear", "shoes", "clothing", {}, 1, 2) if item.id == "shoes" else item
        for item in CATEGORIES
    ]
    writer.set_categories(renamed)
    final_b = indexed(product("B", "Rubber boot", attributes={"size": 43}, category_id="shoes"))
    writer.upsert(final_b)
    writer.commit()
    connection.execute("INSERT INTO products_fts (products_fts) VALUES ('integrity-check')")
    fresh = tmp_path / "fresh.sqlite"
    build_index(fresh, [final_a, final_b], renamed)
    with closing(open_index(fresh, readonly=True)) as rebuilt:
        assert fts_terms(connection) == fts_terms(rebuilt)
    assert found(connection, q="leather") == found(connection, q="slipper") == found(connection, q="café") == []
    assert found(connection, q="shoes") == []
    assert sorted(found(connection, q="footwear")) == ["A", "B"]


def test_a_page_holds_each_documents_card_byte_for_byte_when_built_from_columns(
    connection: sqlite3.Connection, writer: IndexWriter, tmp_path: Path
) -> None:
    documents = [
        indexed(product("A", "Boot", brand=" Acme ", attributes={"size": 42, "width": 42.0, "wide": True})),
        indexed(product("B", "Boot", brand="", tags=["a b", 'say "hi"', "ünï"], attributes={"code": "007"})),
        indexed(
            product(
                "C", "Boot", images=(Image("i1", "https://img/1.jpg", None, 1),), rating_average=4.25, rating_count=2
            )
        ),
        indexed(product("D", "Boot", brand="Acme", attributes={"ratio": 0.1, "note": "  x "})),
    ]
    for document in documents:
        writer.upsert(document)
    writer.commit()
    built = tmp_path / "built.sqlite"  # its texts packed with dictionaries, the writer's without
    build_index(built, documents, CATEGORIES)
    with closing(open_index(built, readonly=True)) as built_connection:
        for index in (SearchIndex(connection), SearchIndex(built_connection)):
            items = index.search(SearchQuery(q="boot", sort="newest", limit=10)).items
            cards = {item["id"]: json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in items}
            assert cards == {document.id: card_json(document) for document in documents}


def test_a_built_index_forgets_old_descriptions_when_written_to_with_its_dictionary(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    items = [indexed(product(f"P{n}", "Boot", description=f"Waxed leather café {n} walking")) for n in range(20)]
    build_index(path, items, CATEGORIES)
    changed = indexed(product("P3", "Boot", description="Suede"))
    with closing(open_index(path, readonly=False)) as connection:
        assert connection.execute("SELECT length(value) FROM meta WHERE key = 'description_dictionary'").fetchone()[0]
        writer = IndexWriter(connection)
        writer.upsert(changed)
        writer.delete("P4")
        writer.commit()
        fresh = tmp_path / "fresh.sqlite"
        build_index(fresh, [*items[:3], changed, *items[5:]], CATEGORIES)
        with closing(open_index(fresh, readonly=True)) as rebuilt:
            assert fts_terms(connection) == fts_terms(rebuilt)


def test_one_write_of_a_mixed_batch_leaves_the_index_a_fresh_build_of_the_same_products_has(tmp_path: Path) -> None:
    # Price and stock changes keep their FTS rows and packed texts; text, brand and category
    # changes rewrite them; new products take new rowids; removals leave nothing behind.
    path = tmp_path / "index.sqlite"
    items = {
        f"P{n}": indexed(product(f"P{n}", f"Boot {n}", description=f"Waxed leather {n}", brand="Acme", price=1000 + n))
        for n in range(12)
    }
    build_index(path, list(items.values()), CATEGORIES)
    changes = [
        replace(items["P1"], price=999),
        replace(items["P2"], in_stock=not items["P2"].in_stock, updated_at=items["P2"].updated_at + 1),
        replace(items["P3"], description="Suede"),
        replace(items["P5"], brand="Zephyr"),
        replace(items["P6"], category_id="home"),
        replace(items["P7"], name="Boot 7 (old)"),  # written twice: the last one counts
        replace(items["P7"], name="Hiker"),
        indexed(product("P30", "Felt slipper", category_id="home")),
        replace(items["P8"], price=1),  # and removed: removals come after upserts
    ]
    with closing(open_index(path, readonly=False)) as connection:
        writer = IndexWriter(connection)
        assert writer.write(changes, ["P4", "P8", "P404"]) == 2
        writer.commit()
        connection.execute("INSERT INTO products_fts (products_fts) VALUES ('integrity-check')")
        final = {**items, **{item.id: item for item in changes}}
        del final["P4"], final["P8"]
        fresh = tmp_path / "fresh.sqlite"
        build_index(fresh, sorted(final.values(), key=lambda item: item.id), CATEGORIES)
        with closing(open_index(fresh, readonly=True)) as rebuilt:
            assert fts_terms(connection) == fts_terms(rebuilt)
            for query in ({"q": "boot"}, {"q": "suede"}, {"q": "zephyr"}, {"category_id": "home"}, {"q": "leather"}):
                every = SearchQuery(**query, sort="price_asc", limit=100)  # type: ignore[arg-type]
                assert SearchIndex(connection).search(every) == SearchIndex(rebuilt).search(every)
        assert found(connection, q="hiker") == ["P7"]
        assert found(connection, q="boot", sort="price_asc", limit=2) == ["P1", "P0"]
        assert found(connection, q="waxed", category_id="home") == ["P6"]


@pytest.mark.parametrize("seconds", [0, 1_700_000_000, 951_782_400, 4_102_444_799, 253_402_300_799])
def test_card_times_read_as_rfc3339_when_formatted_fast(seconds: int) -> None:
    assert utc_text(seconds) == rfc3339(seconds)


@pytest.mark.parametrize("sort", ["newest", "price_asc", "price_desc"])
def test_a_category_pages_its_ties_in_id_order_when_its_index_has_no_id(tmp_path: Path, sort: Any) -> None:
    # The category's newest index leaves the id out: SQLite sorts a creation second's ties from the rows.
    products = catalog_with_ties()
    build_index(tmp_path / "index.sqlite", documents(*products), SHOP_CATEGORIES)
    with closing(open_index(tmp_path / "index.sqlite", readonly=True)) as connection:
        index = SearchIndex(connection)
        for category_id in ("shoes", "clothing"):  # one category, and one with its descendants
            found = every_page(index, SearchQuery(sort=sort, category_id=category_id, limit=10, facets=False))
            assert found == expected_order(products, sort)
