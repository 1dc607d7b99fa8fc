"""Manifests and deltas of the published search index: what they hold, when they compact, how they apply."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from storefront.data.search_index import StoredObject
from storefront.domain.catalog.entities import AttributeDefinition, Category, Variant
from storefront.search import manifest as manifest_module
from storefront.search.build import build_index
from storefront.search.delta import Delta, folded
from storefront.search.index import IndexWriter
from storefront.search.local_copy import apply_deltas
from storefront.search.manifest import Manifest
from storefront.search.query import SearchIndex, SearchQuery
from storefront.search.schema import SCHEMA_VERSION, OutdatedIndex, open_local_copy
from tests.unit.test_search_index import CATEGORIES, indexed, product

BASE = StoredObject("search/bases/b1.sqlite.gz", 8_000_000, 10_000)


def delta_object(number: int, size: int = 5_000, products: int = 1) -> StoredObject:
    return StoredObject(f"search/deltas/d{number}.json.gz", size, products)


def names(path: Path, **query: object) -> list[str]:
    with closing(open_local_copy(path)) as connection:
        return sorted(item["name"] for item in SearchIndex(connection).search(SearchQuery(**query)).items)  # type: ignore[arg-type]


def test_a_manifest_reads_back_as_written_when_serialised() -> None:
    written = Manifest(BASE, (delta_object(1), delta_object(2, products=100)))
    read = Manifest.parse(written.to_json())
    assert read == written
    assert (read.products, read.delta_products) == (10_000, 101)
    assert read.keys == {BASE.key, "search/deltas/d1.json.gz", "search/deltas/d2.json.gz"}


@pytest.mark.parametrize(
    "body",
    [
        json.dumps({"schema_version": SCHEMA_VERSION - 1, "base": {"key": "k", "bytes": 1}, "deltas": []}).encode(),
        b"{not json",
        json.dumps({"schema_version": SCHEMA_VERSION}).encode(),
    ],
)
def test_a_manifest_of_another_schema_or_unreadable_is_outdated_when_parsed(body: bytes) -> None:
    with pytest.raises(OutdatedIndex):
        Manifest.parse(body)


def test_only_the_missing_deltas_are_applied_when_the_base_is_the_one_held() -> None:
    held = Manifest(BASE, (delta_object(1),))
    newer = held.with_delta(delta_object(2)).with_delta(delta_object(3))
    assert newer.deltas_after(held) == (delta_object(2), delta_object(3))
    assert held.deltas_after(held) == ()
    assert Manifest(StoredObject("search/bases/b2.sqlite.gz", 1, 1)).deltas_after(held) is None  # a new base
    assert Manifest(BASE, (delta_object(9),)).deltas_after(held) is None  # another history: download anew
    assert held.deltas_after(newer) is None  # older than what is held


def test_deltas_compact_when_their_products_bytes_or_number_reach_their_bounds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    share = int(BASE.products * manifest_module.COMPACT_PRODUCTS_SHARE)  # 400 of 10,000
    assert not Manifest(BASE, (delta_object(1, products=share - 1),)).needs_compaction()
    assert Manifest(BASE, (delta_object(1, products=share - 1), delta_object(2))).needs_compaction()
    large = int(BASE.bytes * manifest_module.COMPACT_BYTES_SHARE)
    assert Manifest(BASE, (delta_object(1, size=large),)).needs_compaction()
    tiny = Manifest(StoredObject("search/bases/tiny.sqlite.gz", 10_000, 10), (delta_object(1, 1_000, products=100),))
    assert not tiny.needs_compaction()  # a small catalog still takes COMPACT_MIN_PRODUCTS
    monkeypatch.setattr(manifest_module, "MAX_DELTAS", 3)
    assert Manifest(BASE, tuple(delta_object(number, 10) for number in range(3))).needs_compaction()


def test_a_delta_reads_back_as_written_when_serialised() -> None:
    categories = (
        *CATEGORIES,
        Category("bags", "Bags", "bags", "clothing", {"volume": AttributeDefinition("number", (10, 20.5))}, 2, 3),
    )
    shoe = product(
        "P1",
        "Trail Shoe",
        attributes={"colour": "red", "waterproof": True, "weight": 1.5, "size": 42},
        tags=["outdoor"],
        variants=(Variant("P1-M", {"size": "M"}, None, available=2), Variant("P1-L", {"size": "L"}, None)),
    )
    delta = Delta((indexed(shoe),), ("P9",), categories)
    assert Delta.parse(delta.to_json()) == delta


def test_a_base_with_its_deltas_applied_answers_like_a_patched_file_when_applied_in_order(tmp_path: Path) -> None:
    base = tmp_path / "base.sqlite"
    build_index(base, [indexed(product("P1", "Red Boot")), indexed(product("P2", "Blue Boot"))], CATEGORIES)
    renamed = (*CATEGORIES[:2], replace(CATEGORIES[2], name="Hiking Boots"), CATEGORIES[3])
    first = Delta((indexed(product("P3", "Green Boot")),), ("P2",), tuple(CATEGORIES))
    second = Delta((indexed(product("P1", "Red Sandal")),), (), renamed)
    with closing(open_local_copy(base)) as connection:
        assert apply_deltas(connection, [first, second]) == (2, 1)
    assert names(base, q="boot") == ["Green Boot", "Red Sandal"]  # the category path is searched too
    assert names(base, q="hiking") == ["Green Boot", "Red Sandal"]
    assert names(base, category_id="boots") == ["Green Boot", "Red Sandal"]


def test_deltas_folded_hold_each_products_last_state_and_the_last_tree_when_a_product_changes_more_than_once() -> None:
    renamed = (*CATEGORIES[:2], replace(CATEGORIES[2], name="Hiking Boots"), CATEGORIES[3])
    deltas = [
        Delta((indexed(product("P1", "Red Boot")), indexed(product("P2", "Blue Boot"))), ("P3",), tuple(CATEGORIES)),
        Delta((indexed(product("P3", "Green Boot")),), ("P2",), tuple(CATEGORIES)),
        Delta((indexed(product("P1", "Red Sandal")), indexed(product("P4", "Gone Boot"))), ("P4",), renamed),
    ]
    one = folded(deltas)
    assert [(document.id, document.name) for document in one.documents] == [("P1", "Red Sandal"), ("P3", "Green Boot")]
    assert one.removed == ("P2", "P4")
    assert one.categories == renamed
    assert folded(deltas[:1]) is deltas[0]


def test_a_new_copy_and_a_copy_patched_delta_by_delta_answer_alike_when_products_change_in_several_deltas(
    tmp_path: Path,
) -> None:
    items = [indexed(product(f"P{n}", f"Boot {n}", price=1000 + n)) for n in range(6)]
    deltas = [
        Delta((replace(items[1], price=5), replace(items[2], name="Clog")), ("P3",), tuple(CATEGORIES)),
        Delta((replace(items[1], price=7000), replace(items[3], name="Mule")), ("P2",), tuple(CATEGORIES)),
        Delta((replace(items[2], price=1), indexed(product("P9", "Boot 9", price=2000))), ("P0",), tuple(CATEGORIES)),
    ]
    patched, caught_up = tmp_path / "patched.sqlite", tmp_path / "caught_up.sqlite"
    build_index(patched, items, CATEGORIES)
    build_index(caught_up, items, CATEGORIES)
    with closing(open_local_copy(patched)) as connection:
        for delta in deltas:
            apply_deltas(connection, [delta])
    with closing(open_local_copy(caught_up)) as connection:
        assert apply_deltas(connection, deltas) == (4, 1)  # P1, P2, P3, P9 written once each; P0 taken out

    def by_price(path: Path, **query: object) -> list[tuple[str, int]]:
        with closing(open_local_copy(path)) as connection:
            page = SearchIndex(connection).search(SearchQuery(**query, sort="price_asc"))  # type: ignore[arg-type]
            return [(item["name"], item["price"]) for item in page.items]

    for query in ({"q": "boot"}, {"q": "clog"}, {"q": "mule"}, {}):
        assert by_price(patched, **query) == by_price(caught_up, **query)
    assert [name for name, _ in by_price(caught_up)] == ["Boot 2", "Mule", "Boot 4", "Boot 5", "Boot 9", "Boot 1"]


def test_a_delta_applied_twice_changes_nothing_when_repeated(tmp_path: Path) -> None:
    base = tmp_path / "base.sqlite"
    build_index(base, [indexed(product("P1", "Red Boot"))], CATEGORIES)
    delta = Delta((indexed(product("P2", "Blue Boot")),), ("P1", "P404"), tuple(CATEGORIES))
    with closing(open_local_copy(base)) as connection:
        apply_deltas(connection, [delta])
        rows = "SELECT * FROM products JOIN product_texts USING (rowid) ORDER BY rowid"
        once = connection.execute(rows).fetchall()
        apply_deltas(connection, [delta, delta])
        assert connection.execute(rows).fetchall() == once
    assert names(base, q="boot") == ["Blue Boot"]


def test_nothing_is_applied_when_a_delta_fails_halfway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    base = tmp_path / "base.sqlite"
    build_index(base, [indexed(product("P1", "Red Boot"))], CATEGORIES)
    good = Delta((indexed(product("P2", "Blue Boot")),), (), tuple(CATEGORIES))
    bad = Delta((), ("P1",), tuple(CATEGORIES))
    real_write = IndexWriter.write

    def written_then_broken(self: IndexWriter, documents: Any, removed: Any = ()) -> int:
        real_write(self, documents, removed)  # every row written, then the disk fails
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(IndexWriter, "write", written_then_broken)
    with closing(open_local_copy(base)) as connection:
        with pytest.raises(sqlite3.OperationalError):
            apply_deltas(connection, [good, bad])
        assert not connection.in_transaction
    assert names(base, q="boot") == ["Red Boot"]
