"""Change batches publish deltas on a base; readers apply them; compactions and rebuilds make new bases (moto)."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import timedelta
from typing import Any

import boto3
import pytest

from storefront.data import search_index, search_lease
from storefront.search import indexing, local_copy, packing
from storefront.search import manifest as manifest_module
from storefront.search.changes import Changes
from storefront.search.query import SearchQuery
from storefront.search.replica import IndexReplica
from tests.aws_fixtures import MOTO
from tests.integration.catalog_calls import MANAGER, call, create_category, create_product
from tests.integration.search_calls import (
    bus_event,
    deliver,
    found,
    index_pending,
    pending_events,
    published_etag,
    published_manifest,
)

pytestmark = [pytest.mark.usefixtures("search_aws"), pytest.mark.parametrize("aws", [MOTO], indirect=True)]


def objects() -> dict[str, int]:
    listing = boto3.client("s3").list_objects_v2(Bucket=os.environ["SEARCH_BUCKET"], Prefix="search/")
    return {item["Key"]: item["Size"] for item in listing.get("Contents") or []}


def superseded(key: str) -> bool:
    tags = boto3.client("s3").get_object_tagging(Bucket=os.environ["SEARCH_BUCKET"], Key=key)["TagSet"]
    return search_index.SUPERSEDED in tags


def no_base_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(key: str, destination: object) -> None:
        raise AssertionError(f"the base {key} was downloaded")

    monkeypatch.setattr(search_index, "download_base", refuse)


@pytest.fixture
def shoes() -> dict[str, Any]:
    """A category with two products, in an index rebuilt from the table (a base, no deltas)."""
    category = create_category("Shoes")
    road = create_product(category["id"], "SHOE-1", name="Road Shoe")
    create_product(category["id"], "SHOE-2", name="Hill Shoe")
    pending_events()  # already in the rebuild
    indexing.rebuild()
    return {**category, "road_id": road["id"]}


def test_a_batch_publishes_a_small_delta_and_leaves_the_base_alone_when_products_change(
    shoes: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = published_manifest()
    no_base_downloads(monkeypatch)  # the indexer writes a delta from the table alone
    create_product(shoes["id"], "SHOE-3", name="Trail Shoe")
    assert index_pending()["batchItemFailures"] == []
    after = published_manifest()
    assert after.base == before.base
    [delta] = after.deltas
    assert delta.key.startswith(search_index.DELTAS)
    assert objects()[delta.key] == delta.bytes < 4096
    assert [key for key in objects() if key.startswith(search_index.BASES)] == [before.base.key]


def test_a_reader_applies_new_deltas_to_its_copy_and_answers_the_change(
    shoes: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    replica = IndexReplica(check_seconds=0)
    held = replica.current()
    assert held is not None
    create_product(shoes["id"], "SHOE-3", name="Trail Shoe")
    index_pending()
    assert call("DELETE", f"/v1/products/{shoes['road_id']}", MANAGER)["statusCode"] == 204
    index_pending()
    no_base_downloads(monkeypatch)
    assert replica.current() is held  # the same file, two deltas applied in place
    assert sorted(item["name"] for item in held.search(SearchQuery(q="shoe")).items) == ["Hill Shoe", "Trail Shoe"]
    assert replica.etag == published_etag()
    replica.close()


def test_a_writer_that_loses_the_publish_to_another_writer_loses_no_change(
    shoes: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = create_product(shoes["id"], "SHOE-3", name="Trail Shoe")
    second = create_product(shoes["id"], "SHOE-4", name="Beach Shoe")
    real_publish = search_index.publish_manifest
    rival: list[str] = []

    def publish_after_a_rival(body: bytes, replaces: str | None) -> str:
        if not rival:  # another writer (one that stalled past its lease) publishes its delta first
            rival.append("racing")
            indexing.update(Changes(frozenset({first["id"]})), indexing.Workspace())
        return real_publish(body, replaces)

    monkeypatch.setattr(search_index, "publish_manifest", publish_after_a_rival)
    monkeypatch.setattr(search_lease, "acquire", lambda holder, now, seconds: True)  # let the rival in
    monkeypatch.setattr(search_lease, "renew", lambda holder, now, seconds: True)
    before = set(objects())
    outcome = indexing.update(Changes(frozenset({second["id"]})), indexing.Workspace())
    assert outcome is not None
    assert sorted(found({"q": "shoe"})) == ["Beach Shoe", "Hill Shoe", "Road Shoe", "Trail Shoe"]
    manifest = published_manifest()
    assert len(manifest.deltas) == 2  # the rival's, then this writer's second try
    [lost] = set(objects()) - before - manifest.keys  # the delta of the publish that lost
    assert superseded(lost)


def test_the_order_and_repetition_of_events_do_not_matter(shoes: dict[str, Any]) -> None:
    product = create_product(shoes["id"], "SHOE-3", name="Trail Shoe")
    for name in ("Trail Runner", "Trail Racer"):
        assert call("PATCH", f"/v1/products/{product['id']}", MANAGER, body={"name": name})["statusCode"] == 200
    events = [bus_event(envelope) for envelope in pending_events()]
    assert deliver(*reversed(events))["batchItemFailures"] == []  # newest event first
    assert deliver(events[0])["batchItemFailures"] == []  # a stale duplicate, redelivered later
    assert deliver(*events, *events)["batchItemFailures"] == []
    assert found({"q": "trail"}) == ["Trail Racer"]
    assert len(published_manifest().deltas) == 3
    incremental = found({"sort": "price_asc", "limit": "100"})
    indexing.rebuild()
    assert found({"sort": "price_asc", "limit": "100"}) == incremental


def test_a_compaction_folds_the_deltas_into_a_new_base_and_readers_switch(
    shoes: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(manifest_module, "MAX_DELTAS", 2)
    replica = IndexReplica(check_seconds=0)
    held = replica.current()
    first = published_manifest()
    create_product(shoes["id"], "SHOE-3", name="Trail Shoe")
    index_pending()
    assert len(published_manifest().deltas) == 1
    create_product(shoes["id"], "SHOE-4", name="Beach Shoe")
    outcome = index_pending()
    assert outcome["batchItemFailures"] == []
    compacted = published_manifest()
    assert compacted.deltas == ()
    assert compacted.base != first.base
    assert compacted.products == 4
    # What the old manifest named expires (tagged for the lifecycle rule); the new base does not.
    previous = set(objects()) - compacted.keys - {search_index.MANIFEST_KEY}
    assert len(previous) == 3
    assert all(superseded(key) for key in previous)
    assert not superseded(compacted.base.key)
    newer = replica.current()
    assert newer is not held
    assert newer is not None
    assert newer.search(SearchQuery(q="shoe")).total == 4
    replica.close()


def test_a_rebuild_publishes_a_new_base_without_deltas_and_retires_everything_else(
    shoes: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    create_product(shoes["id"], "SHOE-3", name="Trail Shoe")
    index_pending()
    stray = "search/products.sqlite.gz"  # the single object schema version 3 published
    boto3.client("s3").put_object(Bucket=os.environ["SEARCH_BUCKET"], Key=stray, Body=b"old")
    monkeypatch.setattr(indexing, "RETIRE_MARGIN", timedelta(minutes=-1))  # objects this recent count too
    outcome = indexing.rebuild()
    assert (outcome.rebuilt, outcome.indexed) == (True, 3)
    manifest = published_manifest()
    assert manifest.deltas == ()
    others = set(objects()) - manifest.keys - {search_index.MANIFEST_KEY}
    assert stray in others
    assert len(others) == 3  # the first base, the delta, the old object
    assert all(superseded(key) for key in others)
    assert sorted(found({"q": "shoe"})) == ["Hill Shoe", "Road Shoe", "Trail Shoe"]


def test_a_reader_that_cannot_apply_a_delta_downloads_the_whole_index_instead(
    shoes: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    replica = IndexReplica(check_seconds=0)
    held = replica.current()
    create_product(shoes["id"], "SHOE-3", name="Trail Shoe")
    index_pending()
    real_apply = local_copy.apply_deltas
    failed: list[str] = []

    def fail_in_place(connection: sqlite3.Connection, deltas: Any) -> tuple[int, int]:
        if not failed:  # the held copy's first apply: a disk error, say
            failed.append("once")
            raise sqlite3.OperationalError("disk I/O error")
        return real_apply(connection, deltas)

    monkeypatch.setattr(local_copy, "apply_deltas", fail_in_place)
    newer = replica.current()
    assert failed
    assert newer is not held  # a fresh copy: the base downloaded, its delta applied
    assert newer is not None
    assert newer.search(SearchQuery(q="shoe")).total == 3
    replica.close()


def test_the_compaction_of_an_index_that_only_took_deltas_rebuilds_it_so_its_texts_get_dictionaries(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setattr(manifest_module, "MAX_DELTAS", 2)
    monkeypatch.setattr(indexing, "BUILD_BATCH", 2)  # a full build's sample, for this small catalog
    assert indexing.ensure_index() is not None  # a new store's first index: empty, no dictionaries
    category = create_category("Boots")
    pending_events()
    for number, name in enumerate(("Winter Boot", "Rain Boot"), start=1):
        create_product(category["id"], f"BOOT-{number}", name=name)
        assert index_pending()["batchItemFailures"] == []

    compacted = published_manifest()
    assert compacted.deltas == ()
    assert compacted.products == 2
    local_copy.download(compacted, tmp_path / "base.sqlite")
    with closing(sqlite3.connect(tmp_path / "base.sqlite")) as connection:
        assert packing.load(connection).card != b""
    replica = IndexReplica(check_seconds=0)
    held = replica.current()
    assert held is not None
    assert held.search(SearchQuery(q="boot")).total == 2
    replica.close()
