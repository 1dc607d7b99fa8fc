"""The search index file: documents of products, the writer's upserts, deletes and category changes, the build."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from storefront.domain.catalog.cards import ProductStatus
from storefront.domain.catalog.entities import Category, Image, Product, Variant
from storefront.search.build import build_index
from storefront.search.documents import attribute_text, card_of, document_of
from storefront.search.index import IndexWriter
from storefront.search.query import SearchIndex, SearchQuery
from storefront.search.schema import open_index, require_fts5
from tests.unit.search_fixtures import index_fixtures

CATEGORIES = [
    Category("clothing", "Clothing", "clothing", None, {}, 1, 1),
    Category("shoes", "Shoes", "shoes", "clothing", {}, 1, 1),
    Category("boots", "Boots", "boots", "shoes", {}, 1, 1),
    Category("home", "Home", "home", None, {}, 1, 1),
]


def product(
    product_id: str,
    name: str,
    *,
    category_id: str = "boots",
    status: ProductStatus = "active",
    variants: tuple[Variant, ...] = (),
    images: tuple[Image, ...] = (),
    **fields: Any,
) -> Product:
    values: dict[str, Any] = {
        "description": "",
        "brand": None,
        "price": 1000,
        "currency": "EUR",
        "attributes": {},
        "tags": [],
        "created_at": 1_700_000_000,
        "updated_at": 1_700_000_100,
        **fields,
    }
    return Product(
        id=product_id,
        name=name,
        slug=product_id.lower(),
        category_id=category_id,
        status=status,
        variants=list(variants),
        images=list(images),
        **values,
    )


def indexed(item: Product) -> Any:
    document = document_of(item)
    assert document is not None
    return document


connection, writer = index_fixtures(CATEGORIES)


def found(connection: sqlite3.Connection, **query: Any) -> list[str]:
    return [item["id"] for item in SearchIndex(connection).search(SearchQuery(**query)).items]


def fts_rows(connection: sqlite3.Connection) -> int:
    return int(connection.execute("SELECT count(*) FROM products_fts").fetchone()[0])


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_no_document_is_made_when_the_product_is_not_active(status: ProductStatus) -> None:
    assert document_of(product("A", "Boot", status=status)) is None


def test_a_document_takes_stock_and_the_first_image_when_made_from_an_active_product() -> None:
    document = indexed(
        product(
            "A",
            "Boot",
            variants=(Variant("A-1", {}, None, available=0), Variant("A-2", {}, None, available=3)),
            images=(Image("i2", "https://img/2.jpg", None, 2), Image("i1", "https://img/1.jpg", "Side", 1)),
        )
    )
    assert document.in_stock is True
    assert (document.image_url, document.image_alt) == ("https://img/1.jpg", "Side")
    card = card_of(document)
    assert card["image"] == {"url": "https://img/1.jpg", "alt": "Side"}
    assert (card["created_at"], card["updated_at"]) == ("2023-11-14T22:13:20Z", "2023-11-14T22:15:00Z")
    out_of_stock = indexed(product("B", "Boot", variants=(Variant("B-1", {}, None, available=0),)))
    assert out_of_stock.in_stock is False
    assert card_of(out_of_stock)["image"] is None


@pytest.mark.parametrize(
    ("value", "text"),
    [(True, "true"), (False, "false"), (42, "42"), (42.0, "42"), (1.5, "1.5"), (0.1, "0.1"), ("  Red ", "Red")],
)
def test_attribute_values_read_as_one_text_when_normalised(value: Any, text: str) -> None:
    assert attribute_text(value) == text


def test_an_upsert_replaces_the_product_when_it_is_indexed_again(
    connection: sqlite3.Connection, writer: IndexWriter
) -> None:
    writer.upsert(indexed(product("A", "Leather boot")))
    writer.upsert(indexed(product("B", "Rubber boot")))
    rowid = connection.execute("SELECT rowid FROM products WHERE id = 'A'").fetchone()[0]
    writer.upsert(indexed(product("A", "Suede boot", attributes={"color": "tan"})))
    writer.commit()
    assert sorted(found(connection, q="boot")) == ["A", "B"]
    assert found(connection, q="suede") == ["A"]
    assert found(connection, q="leather") == []
    assert found(connection, attributes=(("color", "tan"),)) == ["A"]
    assert connection.execute("SELECT rowid FROM products WHERE id = 'A'").fetchone()[0] == rowid
    assert fts_rows(connection) == 2
    assert writer.product_ids() == {"A", "B"}


def test_a_delete_removes_the_product_when_it_is_indexed(connection: sqlite3.Connection, writer: IndexWriter) -> None:
    writer.upsert(indexed(product("A", "Leather boot", attributes={"color": "tan"})))
    writer.upsert(indexed(product("B", "Rubber boot")))
    assert writer.delete("A") is True
    assert writer.delete("A") is False
    writer.upsert(indexed(product("C", "Felt boot")))  # may reuse A's rowid: nothing of A may remain
    writer.commit()
    assert sorted(found(connection, q="boot")) == ["B", "C"]
    assert found(connection, q="leather") == []
    assert found(connection, attributes=(("color", "tan"),)) == []
    assert fts_rows(connection) == 2
    assert writer.product_ids() == {"B", "C"}


def test_a_failed_upsert_leaves_the_product_as_it_was_when_a_write_fails(
    connection: sqlite3.Connection, writer: IndexWriter
) -> None:
    writer.upsert(indexed(product("A", "Leather boot")))
    broken = indexed(product("A", "Suede boot", attributes={"color": object()}))  # no SQLite type
    with pytest.raises(Exception):  # noqa: B017, PT011 - whichever error the binding raises
        writer.upsert(broken)
    writer.commit()
    assert found(connection, q="leather") == ["A"]
    assert fts_rows(connection) == 1


def test_a_search_keeps_the_writers_uncommitted_changes_when_sharing_its_connection(
    connection: sqlite3.Connection, writer: IndexWriter
) -> None:
    writer.upsert(indexed(product("A", "Leather boot")))
    assert found(connection, q="leather") == ["A"]
    writer.commit()
    assert found(connection, q="leather") == ["A"]
    assert writer.product_ids() == {"A"}


def test_a_renamed_category_is_searchable_by_its_new_name_when_categories_are_set(
    connection: sqlite3.Connection, writer: IndexWriter
) -> None:
    writer.upsert(indexed(product("A", "Chelsea", category_id="boots")))
    writer.upsert(indexed(product("B", "Plate", category_id="home")))
    writer.commit()
    assert found(connection, q="footwear") == []
    renamed = [
        Category("shoes", "Footwear", "shoes", "clothing", {}, 1, 2) if item.id == "shoes" else item
        for item in CATEGORIES
    ]
    writer.set_categories(renamed)
    writer.commit()
    assert found(connection, q="footwear") == ["A"]  # a descendant's path names its ancestors
    assert found(connection, q="shoes") == []
    assert found(connection, q="plate") == ["B"]  # other columns and products untouched


def test_the_category_filter_follows_a_move_when_categories_are_set(
    connection: sqlite3.Connection, writer: IndexWriter
) -> None:
    writer.upsert(indexed(product("A", "Chelsea boot", category_id="boots")))
    writer.commit()
    assert found(connection, category_id="clothing") == ["A"]
    assert found(connection, q="boot", category_id="clothing") == ["A"]
    moved = [
        Category("boots", "Boots", "boots", "home", {}, 1, 2) if item.id == "boots" else item for item in CATEGORIES
    ]
    writer.set_categories(moved)
    writer.commit()
    for q in (None, "boot"):
        assert found(connection, q=q, category_id="clothing") == []
        assert found(connection, q=q, category_id="home") == ["A"]
        assert found(connection, q=q, category_id="boots") == ["A"]
    assert found(connection, q="home boot") == ["A"]


def test_a_product_indexed_before_its_category_is_placed_when_categories_arrive(connection: sqlite3.Connection) -> None:
    writer = IndexWriter(connection)
    writer.upsert(indexed(product("A", "Chelsea boot", category_id="boots")))
    writer.commit()
    assert found(connection, q="boot", category_id="shoes") == []
    writer.set_categories(CATEGORIES)
    writer.commit()
    assert found(connection, q="boot", category_id="shoes") == ["A"]
    assert found(connection, q="clothing") == ["A"]


def test_a_build_replaces_the_file_and_counts_its_products_when_run(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    path.write_bytes(b"an older index")
    items = [indexed(product(f"P{number}", f"Boot {number}")) for number in range(30)]
    stats = build_index(path, items, CATEGORIES)
    assert stats.count == 30
    assert stats.bytes == path.stat().st_size
    assert not path.with_name(path.name + ".building").exists()
    with open_index(path, readonly=True) as connection:
        assert SearchIndex(connection).search(SearchQuery(q="boot", category_id="clothing")).total == 30
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            connection.execute("DELETE FROM products")
    connection.close()


def test_a_build_is_refused_when_two_documents_share_an_id(tmp_path: Path) -> None:
    items = [indexed(product("A", "Boot")), indexed(product("A", "Shoe"))]
    with pytest.raises(ValueError, match="twice"):
        build_index(tmp_path / "index.sqlite", items, CATEGORIES)


def test_a_writer_continues_a_built_index_when_opened_on_it(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    build_index(path, [indexed(product("A", "Leather boot"))], CATEGORIES)
    connection = open_index(path, readonly=False)
    writer = IndexWriter(connection)
    writer.upsert(indexed(product("B", "Rubber boot", category_id="shoes")))
    writer.commit()
    assert sorted(found(connection, q="boot", category_id="clothing")) == ["A", "B"]
    connection.close()


def test_fts5_is_required_with_a_clear_error_when_sqlite_lacks_it(monkeypatch: pytest.MonkeyPatch) -> None:
    class WithoutFts5:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            pass

        def execute(self, sql: str) -> None:
            raise sqlite3.OperationalError("no such module: fts5")

        def close(self) -> None:
            pass

    monkeypatch.setattr(sqlite3, "connect", WithoutFts5)
    with pytest.raises(RuntimeError, match="lacks FTS5; search needs it"):
        require_fts5()


def test_an_index_of_another_schema_is_refused_when_opened_for_search(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    build_index(path, [], CATEGORIES)
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
        connection.commit()
    with closing(open_index(path, readonly=True)) as connection, pytest.raises(RuntimeError, match="schema version 0"):
        SearchIndex(connection)
