"""An index published by code of another schema version is rebuilt, never misread (moto)."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import boto3
import pytest

from storefront.data import search_index
from storefront.search import changes, indexing
from storefront.search.build import build_index
from storefront.search.manifest import Manifest
from tests.aws_fixtures import MOTO
from tests.integration.catalog_calls import create_category, create_product
from tests.integration.search_calls import (
    body_of,
    bus_event,
    deliver,
    found,
    index_pending,
    pending_events,
    published_etag,
    search,
)

pytestmark = [pytest.mark.usefixtures("search_aws"), pytest.mark.parametrize("aws", [MOTO], indirect=True)]


def publish_outdated(directory: Path) -> str:
    """Publishes an (empty) index of schema version 3, as the code before deltas wrote it."""
    path = directory / "old.sqlite"
    build_index(path, [], [])
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
        connection.commit()
    manifest = replace(Manifest(search_index.upload_base(path, 0)), schema_version=3)
    return search_index.publish_manifest(manifest.to_json(), published_etag())


def queued_messages() -> list[dict[str, object]]:
    queue = boto3.client("sqs")
    url = queue.get_queue_url(QueueName="storefront-test-search-index")["QueueUrl"]
    messages = queue.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def test_search_answers_503_and_the_rebuild_it_asks_for_replaces_an_outdated_index(tmp_path: Path) -> None:
    create_product(create_category("Shoes")["id"], "SHOE-1")
    outdated = publish_outdated(tmp_path)

    response = search({"q": "trail"})

    assert response["statusCode"] == 503  # not a 500, and not an empty page read from a file it cannot read
    [request] = queued_messages()
    assert deliver(request)["batchItemFailures"] == []  # "only if missing" also rebuilds an outdated index
    assert published_etag() != outdated
    assert found({"q": "trail"}) == ["Trail Shoe"]


def test_the_indexer_rebuilds_an_outdated_index_instead_of_patching_it(tmp_path: Path) -> None:
    indexing.rebuild()
    create_product(create_category("Shoes")["id"], "SHOE-1")
    publish_outdated(tmp_path)

    events = [bus_event(envelope) for envelope in pending_events()]  # product.created, as the queue holds it
    outcome = indexing.update(changes.changes_of(events), indexing.Workspace())

    assert outcome is not None
    assert outcome.rebuilt
    assert body_of(search({"q": "trail"}))["total"] == 1


def test_an_index_of_this_version_is_kept_when_a_search_asks_for_one() -> None:
    create_product(create_category("Shoes")["id"], "SHOE-1")
    index_pending()
    published = published_etag()
    assert indexing.ensure_index() is None
    assert published_etag() == published
