"""One writer at a time: the lease in the table, and conditional publishes of the index object."""

from __future__ import annotations

import threading
from contextlib import nullcontext
from typing import Any

import pytest

from storefront.data import search_index, search_lease
from storefront.domain import clock
from storefront.search import changes, indexing
from storefront.search.changes import Changes
from tests.aws_fixtures import MOTO, serializable_moto_writes
from tests.integration.catalog_calls import create_category, create_product
from tests.integration.search_calls import found, published_etag

pytestmark = pytest.mark.usefixtures("search_aws")


def test_the_lease_has_one_holder_until_it_expires_or_is_released() -> None:
    assert search_lease.acquire("a", now=1000, seconds=60)
    assert not search_lease.acquire("b", now=1010, seconds=60)
    assert search_lease.acquire("a", now=1010, seconds=60)  # the holder may take it again
    assert search_lease.renew("a", now=1020, seconds=60)
    assert not search_lease.acquire("b", now=1079, seconds=60)  # renewed until 1080
    assert search_lease.acquire("b", now=1081, seconds=60)  # expired: taken over
    assert not search_lease.renew("a", now=1082, seconds=60)  # the stalled holder learns it lost it
    search_lease.release("a")  # and its release leaves the new holder's lease alone
    assert not search_lease.acquire("c", now=1090, seconds=60)
    search_lease.release("b")
    assert search_lease.acquire("c", now=1090, seconds=60)


def test_a_manifest_publish_never_overwrites_a_version_it_did_not_start_from() -> None:
    first = search_index.publish_manifest(b'{"n": 1}', None)
    with pytest.raises(search_index.IndexChanged):
        search_index.publish_manifest(b'{"n": "late"}', None)  # "no index yet" is no longer true
    second = search_index.publish_manifest(b'{"n": 2}', first)
    with pytest.raises(search_index.IndexChanged):
        search_index.publish_manifest(b'{"n": "stale"}', first)
    assert search_index.read_manifest() == (second, b'{"n": 2}')
    assert search_index.read_manifest(unless_etag=second) == (second, b"")  # unchanged: no body


def test_a_writer_that_loses_the_race_applies_its_batch_to_the_newer_index(monkeypatch: pytest.MonkeyPatch) -> None:
    shoes = create_category("Shoes")
    first = create_product(shoes["id"], "SHOE-1", name="First Shoe")
    indexing.rebuild()
    second = create_product(shoes["id"], "SHOE-2", name="Second Shoe")
    real_publish = search_index.publish_manifest
    raced: list[str] = []

    def publish_after_a_rival(body: bytes, replaces: str | None) -> str:
        if not raced:  # another writer (a stalled one, past its lease) publishes first, once
            raced.append("racing")
            raced[0] = indexing.rebuild(indexing.Workspace(), wait_seconds=0).etag
        return real_publish(body, replaces)

    monkeypatch.setattr(search_index, "publish_manifest", publish_after_a_rival)
    monkeypatch.setattr(search_lease, "acquire", lambda holder, now, seconds: True)  # let the rival in
    monkeypatch.setattr(search_lease, "renew", lambda holder, now, seconds: True)
    outcome = indexing.update(Changes(frozenset({second["id"]})), indexing.Workspace())
    assert outcome is not None
    assert raced
    assert outcome.etag != raced[0]
    assert sorted(found({"q": "shoe"})) == ["First Shoe", "Second Shoe"]
    assert first["id"] != second["id"]


def test_concurrent_writers_take_turns_and_lose_no_change(aws: str) -> None:
    shoes = create_category("Shoes")
    indexing.rebuild()
    products = [create_product(shoes["id"], f"SHOE-{number}", name=f"Shoe {number}") for number in range(4)]
    errors: list[BaseException] = []

    def write(product: dict[str, Any]) -> None:
        try:
            indexing.update(Changes(frozenset({product["id"]})), indexing.Workspace())
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(product,)) for product in products]
    # moto's conditional writes are not atomic under threads: two writers could both take
    # the lease. Its run gets DynamoDB's isolation; DynamoDB Local's races for real.
    with serializable_moto_writes() if aws == MOTO else nullcontext():
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert sorted(found({"q": "shoe", "limit": "10"})) == [f"Shoe {number}" for number in range(4)]


def test_a_writer_gives_up_when_the_lease_stays_taken() -> None:
    assert search_lease.acquire("someone-else", now=clock.now(), seconds=300)
    with pytest.raises(indexing.IndexBusy):
        indexing.update(Changes(rebuild=True), indexing.Workspace(), wait_seconds=0.5)


def test_requests_for_a_missing_index_build_it_once() -> None:
    create_product(create_category("Shoes")["id"], "SHOE-1", name="Only Shoe")
    ask = {"detail-type": search_index.REBUILD_REQUEST, "detail": {"reason": "test", "only_if_missing": True}}
    first = indexing.update(changes.changes_of([ask]), indexing.Workspace())
    assert first is not None
    assert first.rebuilt
    assert first.indexed == 1
    # Every search environment that found no index asked too: once one is built, the rest do nothing.
    assert indexing.update(changes.changes_of([ask, ask]), indexing.Workspace()) is None
    assert published_etag() == first.etag
