"""Search in integration tests: the indexer fed with the outbox's events, the search function called as API does."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest

from devkit.functions import load_handler_module
from storefront.data import search_index
from storefront.data.outbox import OutboxItem
from storefront.search import indexing, service
from storefront.search.manifest import Manifest
from tests.support import FakeContext, http_event

search_function = load_handler_module("functions/search")
indexer_function = load_handler_module("functions/search_indexer")

Pairs = Sequence[tuple[str, str]]
_delivered: set[str] = set()  # outbox event ids already handed to the indexer in this test


def _forget_replica() -> None:
    """The next search loads the index afresh; the replica a test used closes its files."""
    if service._replica is not None:
        service._replica.close()
    service._replica = None


@pytest.fixture
def search_aws(aws: str) -> Iterator[str]:
    """The `aws` fixture plus the search bucket and the indexer's queue; fresh replica and writer copies."""
    boto3.client("s3").create_bucket(Bucket=os.environ["SEARCH_BUCKET"])
    boto3.client("sqs").create_queue(QueueName=os.environ["SEARCH_QUEUE_URL"].rsplit("/", 1)[-1])
    _forget_replica()
    service._rebuild_requested_at = None
    indexer_function.workspace = indexing.Workspace()  # type: ignore[attr-defined]  # a module loaded by path
    _delivered.clear()
    yield aws
    _forget_replica()
    service._rebuild_requested_at = None


def published_etag() -> str | None:
    """The published manifest's ETag (None: no index yet)."""
    found = search_index.read_manifest()
    return found[0] if found is not None else None


def published_manifest() -> Manifest:
    found = search_index.read_manifest()
    assert found is not None, "no search index is published"
    return Manifest.parse(found[1])


def search(pairs: Pairs | dict[str, str] = (), headers: dict[str, str] | None = None) -> dict[str, Any]:
    items = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
    event = http_event("GET", "/v1/products", headers=headers)
    event["rawQueryString"] = urlencode(items)
    joined: dict[str, str] = {}
    for name, value in items:  # API Gateway joins repeated parameters with commas
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    event["queryStringParameters"] = joined or None
    return dict(search_function.lambda_handler(event, FakeContext()))


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def found(pairs: Pairs | dict[str, str] = ()) -> list[str]:
    """The names of the products a search returns (first page), asserting it succeeded."""
    response = search(pairs)
    assert response["statusCode"] == 200, response
    return [item["name"] for item in body_of(response)["items"]]


def sqs_record(body: dict[str, Any], message_id: str) -> dict[str, Any]:
    return {"messageId": message_id, "receiptHandle": message_id, "body": json.dumps(body), "attributes": {}}


def bus_event(envelope: dict[str, Any]) -> dict[str, Any]:
    """The EventBridge event the rule puts on the queue for one outbox envelope."""
    return {
        "version": "0",
        "id": envelope["id"],
        "detail-type": envelope["type"],
        "source": "storefront",
        "detail": envelope,
    }


def pending_events() -> list[dict[str, Any]]:
    """The outbox envelopes not yet handed to the indexer in this test."""
    envelopes = [json.loads(item.envelope) for item in OutboxItem.scan(consistent_read=True)]
    fresh = [envelope for envelope in envelopes if envelope["id"] not in _delivered]
    _delivered.update(envelope["id"] for envelope in fresh)
    return sorted(fresh, key=lambda envelope: envelope["id"])


def index_pending() -> dict[str, Any]:
    """Delivers every new outbox event to the indexer in one batch, as the queue would."""
    records = [sqs_record(bus_event(envelope), envelope["id"]) for envelope in pending_events()]
    return dict(indexer_function.lambda_handler({"Records": records}, FakeContext()))


def deliver(*bodies: dict[str, Any]) -> dict[str, Any]:
    records = [sqs_record(body, f"m{index}") for index, body in enumerate(bodies)]
    return dict(indexer_function.lambda_handler({"Records": records}, FakeContext()))
