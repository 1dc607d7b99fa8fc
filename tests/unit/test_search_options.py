"""Variant options in the search index: the writer keeps each variant's rows, queries read one variant."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from storefront.domain.catalog.entities import AttributeDefinition, Category, Product, Variant
from storefront.domain.errors import Unprocessable
from storefront.search.build import build_index
from storefront.search.documents import SearchDocument, document_of
from storefront.search.index import IndexWriter
from storefront.search.query import SearchIndex, SearchQuery
from storefront.search.schema import open_index
from tests.unit.search_fixtures import index_fixtures

CATEGORIES = [Category("tees", "Tees", "tees", None, {"fit": AttributeDefinition("string")}, 1, 1)]


def tee(product_id: str, *variants: tuple[str, str, int], rating: float | None = None, count: int = 0) -> Product:
    """A tee whose variants are (size, colour, units available)."""
    return Product(
        id=product_id,
        name=f"Tee {product_id}",
        slug=product_id.lower(),
        description="",
        category_id="tees",
        brand=None,
        price=1000,
        currency="EUR",
        attributes={},
        tags=[],
        status="active",
        created_at=1_700_000_000,
        updated_at=1_700_000_000,
        variants=[
            Variant(f"{product_id}-{number}", {"size": size, "colour": colour}, None, available=units)
            for number, (size, colour, units) in enumerate(variants)
        ],
        rating_average=rating,
        rating_count=count,
    )


def document(item: Product) -> SearchDocument:
    found = document_of(item)
    assert found is not None
    return found


connection, writer = index_fixtures(CATEGORIES)


def ids(connection: sqlite3.Connection, **query: Any) -> list[str]:
    return sorted(item["id"] for item in SearchIndex(connection).search(SearchQuery(**query)).items)


def option_rows(connection: sqlite3.Connection) -> int:
    return int(connection.execute("SELECT count(*) FROM variant_options").fetchone()[0])


def test_a_reindexed_product_keeps_only_its_new_variants_when_upserted(
    connection: sqlite3.Connection, writer: IndexWriter
) -> None:
    writer.upsert(document(tee("A", ("M", "red", 0), ("L", "blue", 2))))
    writer.upsert(document(tee("A", ("S", "red", 1))))
    writer.commit()
    assert ids(connection, options=(("size", "M"),)) == []
    assert ids(connection, options=(("size", "S"), ("colour", "red")), in_stock=True) == ["A"]
    assert option_rows(connection) == 2


def test_a_deleted_product_leaves_no_variant_rows_when_its_rowid_is_reused(
    connection: sqlite3.Connection, writer: IndexWriter
) -> None:
    writer.upsert(document(tee("A", ("M", "red", 1))))
    writer.upsert(document(tee("B", ("L", "red", 1))))
    assert writer.delete("B") is True
    writer.upsert(document(tee("C", ("S", "green", 1))))  # takes B's rowid
    writer.commit()
    assert ids(connection, options=(("size", "L"),)) == []
    assert ids(connection, options=(("colour", "red"),)) == ["A"]
    assert option_rows(connection) == 4


@pytest.mark.parametrize("built", [False, True])
def test_the_same_variant_holds_every_option_and_the_stock_when_filtered(
    connection: sqlite3.Connection, writer: IndexWriter, tmp_path: Path, built: bool
) -> None:
    products = [
        tee("A", ("M", "red", 0), ("L", "red", 5), ("M", "blue", 3)),
        tee("B", ("M", "red", 2)),
        tee("C", ("S", "green", 0)),
    ]
    if built:  # the full build and the incremental writer agree
        build_index(tmp_path / "built.sqlite", [document(item) for item in products], CATEGORIES)
        connection = open_index(tmp_path / "built.sqlite", readonly=True)
    else:
        for item in products:
            writer.upsert(document(item))
        writer.commit()
    m_red = (("size", "M"), ("colour", "red"))
    assert ids(connection, options=m_red) == ["A", "B"]
    assert ids(connection, options=m_red, in_stock=True) == ["B"]
    assert ids(connection, options=m_red, in_stock=False) == ["A"]
    assert ids(connection, in_stock=False) == ["C"]
    assert ids(connection, options=(("size", "m"), ("size", "S"))) == ["A", "B", "C"]
    facets = SearchIndex(connection).search(SearchQuery()).facets
    assert facets is not None
    assert facets.options == {"colour": {"red": 2, "blue": 1, "green": 1}, "size": {"M": 2, "L": 1, "S": 1}}
    if built:
        connection.close()


def test_filter_names_follow_the_categories_and_the_variants_when_checked(
    connection: sqlite3.Connection, writer: IndexWriter
) -> None:
    writer.upsert(document(tee("A", ("M", "red", 1))))
    writer.commit()
    assert ids(connection, attributes=(("fit", "slim"),)) == []  # defined by the category, held by nobody
    with pytest.raises(Unprocessable) as refused:
        ids(connection, attributes=(("size", "M"),), options=(("fabric", "wool"),))
    assert [error.field for error in refused.value.errors or []] == [("attr.size",), ("option.fabric",)]
    writer.set_categories([Category("tees", "Tees", "tees", None, {}, 1, 1)])
    writer.commit()
    with pytest.raises(Unprocessable):
        ids(connection, attributes=(("fit", "slim"),))


@pytest.mark.parametrize("rating", [0.5, 5.5, float("nan"), float("inf")])
def test_a_min_rating_outside_one_to_five_is_refused_when_searching(
    connection: sqlite3.Connection, writer: IndexWriter, rating: float
) -> None:
    with pytest.raises(ValueError, match="min_rating"):
        ids(connection, min_rating=rating)


def test_min_rating_keeps_rated_products_at_or_above_it_when_filtering(
    connection: sqlite3.Connection, writer: IndexWriter
) -> None:
    for item in (tee("A", ("M", "red", 1), rating=4.0, count=3), tee("B", ("M", "red", 1), rating=3.9, count=9)):
        writer.upsert(document(item))
    writer.upsert(document(tee("C", ("M", "red", 1))))
    writer.commit()
    assert ids(connection, min_rating=4.0) == ["A"]
    assert ids(connection, min_rating=1.0) == ["A", "B"]  # unrated products never match
    assert ids(connection, min_rating=3.5, options=(("size", "M"),), in_stock=True) == ["A", "B"]
