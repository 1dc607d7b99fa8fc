"""GET /v1/products over the index the indexer builds from the catalog's events (moto and DynamoDB Local)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from storefront.search import indexing
from storefront.search.query import SearchQuery
from storefront.search.replica import IndexReplica
from tests.aws_fixtures import MOTO
from tests.integration import inventory_calls
from tests.integration.catalog_calls import MANAGER, call, create_category, create_product, product_body
from tests.integration.search_calls import (
    body_of,
    deliver,
    found,
    index_pending,
    indexer_function,
    published_etag,
    search,
    sqs_record,
)
from tests.support import FakeContext, problem

pytestmark = pytest.mark.usefixtures("search_aws")
# Query behaviour does not depend on the table's engine: those tests run on moto only; the
# ones that read or write the table (indexing, rebuild, categories) run on both.
moto_only = pytest.mark.parametrize("aws", [MOTO], indirect=True)


def shoe(category_id: str, sku: str, name: str, **fields: Any) -> dict[str, Any]:
    body = product_body(category_id, sku, name=name, **fields)
    response = call("POST", "/v1/products", MANAGER, body=body)
    assert response["statusCode"] == 201, response
    return dict(body_of(response))


@pytest.fixture
def catalog() -> dict[str, Any]:
    """Clothing > Shoes > Trail, Clothing > Shirts, Garden; five active products and a draft, indexed."""
    clothing = create_category("Clothing")
    shoes = create_category("Shoes", clothing["id"], colour={"type": "string"})
    trail = create_category("Trail", shoes["id"])
    shirts = create_category("Shirts", clothing["id"])
    garden = create_category("Garden")
    made = {
        "runner": shoe(shoes["id"], "RUN-1", "Road Runner", price=8900, brand="Acme", attributes={"colour": "red"}),
        "trail_runner": shoe(
            trail["id"], "TRL-1", "Trail Runner", price=12900, brand="Peak", attributes={"colour": "blue"}
        ),
        "boot": shoe(
            trail["id"], "BOOT-1", "Mountain Boot", price=15900, brand="Peak", description="Made for running uphill."
        ),
        "shirt": shoe(shirts["id"], "SHIRT-1", "Café Linen Shirt", price=3900, brand="acme", tags=["summer"]),
        "hose": shoe(garden["id"], "HOSE-1", "Garden Hose", price=2500, brand=None, tags=[]),
        "draft": shoe(shoes["id"], "DRAFT-1", "Secret Runner", status="draft"),
    }
    assert index_pending()["batchItemFailures"] == []
    return {"clothing": clothing, "shoes": shoes, "trail": trail, "shirts": shirts, "garden": garden, **made}


@moto_only
def test_without_an_index_search_answers_503_and_asks_the_indexer_for_a_rebuild() -> None:
    response = search({"q": "shoe"})
    assert response["statusCode"] == 503
    assert response["headers"]["Retry-After"] == "5"
    assert body_of(response)["status"] == 503
    queue = boto3.client("sqs")
    url = queue.get_queue_url(QueueName="storefront-test-search-index")["QueueUrl"]
    messages = queue.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    create_product(create_category("Shoes")["id"], "SHOE-1")
    assert deliver(json.loads(messages[0]["Body"]))["batchItemFailures"] == []
    assert found({"q": "trail"}) == ["Trail Shoe"]


@moto_only
def test_text_search_ranks_name_matches_first_and_only_shows_active_products(catalog: dict[str, Any]) -> None:
    page = body_of(search({"q": "runner"}))
    assert sorted(item["name"] for item in page["items"]) == ["Road Runner", "Trail Runner"]  # no draft
    # "running" only in a description ranks below names; the last word matches as a prefix.
    assert found({"q": "runn"})[-1] == "Mountain Boot"
    assert found({"q": "cafe"}) == ["Café Linen Shirt"]  # diacritics folded
    card = page["items"][0]
    assert set(card) == {
        "id", "slug", "name", "brand", "category_id", "price", "currency", "in_stock", "rating", "image", "tags",
        "attributes", "created_at", "updated_at",
    }  # fmt: skip
    assert card["in_stock"] is True
    assert card["rating"] == {"average": None, "count": 0}
    assert page["total"] == 2


@moto_only
def test_facets_count_the_whole_match_not_the_page(catalog: dict[str, Any]) -> None:
    page = body_of(search({"category_id": catalog["clothing"]["id"], "limit": "1"}))
    assert len(page["items"]) == 1
    assert page["total"] == 4
    facets = page["facets"]
    # Brands count case-insensitively, like the brand filter: "Acme" and "acme" are one brand.
    assert {name.casefold(): count for name, count in facets["brand"].items()} == {"acme": 2, "peak": 2}
    assert facets["category"] == {
        catalog["shoes"]["id"]: 1,
        catalog["trail"]["id"]: 2,
        catalog["shirts"]["id"]: 1,
    }
    assert facets["attr.colour"] == {"red": 1, "blue": 1}
    assert facets["price"] == {"min": 3900, "max": 15900}
    assert body_of(search({"q": "runner", "facets": "false"}))["facets"] is None


@moto_only
def test_each_filter_narrows_the_match(catalog: dict[str, Any]) -> None:
    assert sorted(found({"category_id": catalog["shoes"]["id"]})) == ["Mountain Boot", "Road Runner", "Trail Runner"]
    assert found({"category_id": catalog["garden"]["id"]}) == ["Garden Hose"]
    assert sorted(found({"min_price": "8900", "max_price": "12900"})) == ["Road Runner", "Trail Runner"]
    assert sorted(found({"brand": "ACME"})) == ["Café Linen Shirt", "Road Runner"]
    assert found([("attr.colour", "blue")]) == ["Trail Runner"]
    assert sorted(found([("attr.colour", "blue"), ("attr.colour", "red")])) == ["Road Runner", "Trail Runner"]
    assert found({"q": "runner", "brand": "peak"}) == ["Trail Runner"]


@moto_only
def test_sorts_order_the_match(catalog: dict[str, Any]) -> None:
    ascending = body_of(search({"sort": "price_asc"}))["items"]
    prices = [item["price"] for item in ascending]
    assert prices == sorted(prices)
    assert len(prices) == 5
    descending = [item["price"] for item in body_of(search({"sort": "price_desc"}))["items"]]
    assert descending == sorted(prices, reverse=True)
    newest = [item["name"] for item in body_of(search({}))["items"]]  # newest is the default without q
    assert newest[0] == "Garden Hose"
    assert newest[-1] == "Road Runner"


@moto_only
def test_paging_returns_every_match_exactly_once(catalog: dict[str, Any]) -> None:
    for sort in ("newest", "price_asc", "price_desc", "rating"):
        seen: list[str] = []
        cursor = None
        for _ in range(10):
            pairs = [("sort", sort), ("limit", "2"), *([("cursor", cursor)] if cursor else [])]
            page = body_of(search(pairs))
            seen += [item["id"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert len(seen) == len(set(seen)) == 5, sort


@moto_only
def test_a_cursor_is_bound_to_its_filters_and_cannot_be_forged(catalog: dict[str, Any]) -> None:
    cursor = body_of(search({"sort": "price_asc", "limit": "2"}))["next_cursor"]
    assert search({"sort": "price_desc", "limit": "2", "cursor": cursor})["statusCode"] == 400
    other_filters = search({"sort": "price_asc", "brand": "peak", "cursor": cursor})
    assert other_filters["statusCode"] == 400
    assert "belongs to another query" in problem(other_filters)["detail"]  # not a bare "invalid"
    forged = search({"sort": "price_asc", "cursor": cursor[:-2] + "xx"})
    assert forged["statusCode"] == 400
    assert "invalid" in problem(forged)["detail"]
    assert search({"sort": "price_asc", "limit": "3", "cursor": cursor})["statusCode"] == 200  # limit may change


@moto_only
@pytest.mark.parametrize(("query", "field"), [({"q": "**"}, "q"), ({"sort": "relevance"}, "sort")])
def test_an_unusable_query_is_a_422_naming_its_field_like_every_other(
    catalog: dict[str, Any], query: dict[str, str], field: str
) -> None:
    response = search(query)
    assert response["statusCode"] == 422
    assert [error["loc"] for error in problem(response)["errors"]] == [["query", field]]


@moto_only
def test_fts_syntax_in_q_is_taken_as_words(catalog: dict[str, Any]) -> None:
    for q in ('"runner', "runner*", "-runner", "(runner", "^runner", "a:runner", "road)"):
        response = search({"q": q})
        assert response["statusCode"] == 200, (q, response)
        assert "Road Runner" in [item["name"] for item in body_of(response)["items"]], q
    # Operators are words like any other, and every word must match: nothing has "near" or "or".
    for q in ("NEAR(road runner)", "road OR runner", 'road" OR "x', "road AND NOT runner"):
        response = search({"q": q})
        assert response["statusCode"] == 200, (q, response)
        assert body_of(response)["items"] == [], q


@pytest.mark.parametrize(
    ("pairs", "status"),
    [
        ({"q": "*"}, 422),
        ({"q": "()"}, 422),
        ({"sort": "cheapest"}, 422),
        ({"limit": "101"}, 422),
        ({"limit": "0"}, 422),
        ({"min_price": "-1"}, 422),
        ({"min_price": "10", "max_price": "5"}, 422),
        ({"min_price": "ten"}, 422),
        ({"colour": "red"}, 422),
        ({"attr.": "red"}, 422),
        ({"in_stock": "yes"}, 422),
        ({"sort": "relevance"}, 422),
        ({"cursor": "garbage"}, 400),
    ],
)
@moto_only
def test_bad_input_is_a_clear_4xx(pairs: dict[str, str], status: int) -> None:
    indexing.rebuild()  # an empty index: the errors do not depend on the catalog
    response = search(pairs)
    assert response["statusCode"] == status, response
    assert response["headers"]["Content-Type"] == "application/problem+json"


def test_changes_reach_the_index_through_their_events(catalog: dict[str, Any]) -> None:
    runner = catalog["runner"]
    assert call("PATCH", f"/v1/products/{runner['id']}", MANAGER, body={"name": "Road Racer"})["statusCode"] == 200
    assert call("DELETE", f"/v1/products/{catalog['hose']['id']}", MANAGER)["statusCode"] == 204
    draft = catalog["draft"]
    assert call("PATCH", f"/v1/products/{draft['id']}", MANAGER, body={"status": "active"})["statusCode"] == 200
    assert index_pending()["batchItemFailures"] == []
    assert found({"q": "racer"}) == ["Road Racer"]
    assert found({"q": "hose"}) == []
    assert "Secret Runner" in found({"q": "runner"})


def test_a_sold_out_product_leaves_in_stock_results(catalog: dict[str, Any]) -> None:
    assert inventory_calls.adjust("TRL-1", -7)["statusCode"] == 200
    index_pending()
    assert "Trail Runner" not in found({"in_stock": "true"})
    assert "Trail Runner" in found({"in_stock": "false"})
    assert inventory_calls.adjust("TRL-1", 2)["statusCode"] == 200
    index_pending()
    assert "Trail Runner" in found({"in_stock": "true"})


def test_a_renamed_or_moved_category_is_searchable_and_filters_follow(catalog: dict[str, Any]) -> None:
    trail = catalog["trail"]
    moved = call("PATCH", f"/v1/categories/{trail['id']}", MANAGER, body={"name": "Alpine", "parent_id": None})
    assert moved["statusCode"] == 200, moved
    index_pending()
    assert sorted(found({"q": "alpine"})) == ["Mountain Boot", "Trail Runner"]
    assert found({"category_id": catalog["shoes"]["id"]}) == ["Road Runner"]


@moto_only
def test_a_message_that_cannot_be_read_is_a_batch_item_failure(catalog: dict[str, Any]) -> None:
    records = [
        {**sqs_record({}, "bad-json"), "body": "{not json"},
        sqs_record({"detail-type": "product.updated", "detail": {"data": {}}}, "no-id"),
        sqs_record({"detail-type": "order.paid", "detail": {}}, "other"),
    ]
    result = indexer_function.lambda_handler({"Records": records}, FakeContext())
    assert sorted(item["itemIdentifier"] for item in result["batchItemFailures"]) == ["bad-json", "no-id"]


def test_a_full_rebuild_agrees_with_the_incremental_index(catalog: dict[str, Any]) -> None:
    before = body_of(search({"sort": "price_asc", "limit": "100"}))
    outcome = indexing.rebuild()
    assert outcome.rebuilt
    assert outcome.indexed == 5
    after = body_of(search({"sort": "price_asc", "limit": "100"}))
    assert after["items"] == before["items"]
    assert after["facets"] == before["facets"]


@moto_only
def test_a_search_after_a_publish_sees_the_new_version(catalog: dict[str, Any]) -> None:
    first = search({"q": "hose"})
    etag = published_etag()
    shoe(catalog["garden"]["id"], "HOSE-2", "Soaker Hose", brand=None, tags=[])
    index_pending()
    assert published_etag() != etag
    assert sorted(found({"q": "hose"})) == ["Garden Hose", "Soaker Hose"]
    assert body_of(first)["total"] == 1


@moto_only
def test_search_responses_are_cacheable_briefly_with_an_etag(catalog: dict[str, Any]) -> None:
    response = search({"q": "runner"})
    assert response["headers"]["Cache-Control"] == "public, max-age=5"
    again = search({"q": "runner"}, headers={"If-None-Match": response["headers"]["ETag"]})
    assert again["statusCode"] == 304


@moto_only
def test_a_large_new_base_loads_in_the_background_while_the_held_one_answers(catalog: dict[str, Any]) -> None:
    replica = IndexReplica(check_seconds=0, background_above_bytes=0)  # every base counts as large
    held = replica.current()
    assert held is not None
    shoe(catalog["garden"]["id"], "HOSE-3", "Drip Hose", brand=None, tags=[])
    indexing.rebuild()  # a new base (deltas would be applied to the held copy in place)
    assert replica.current() is held  # the download runs meanwhile; this request does not wait for it
    replica.wait_for_background_load()
    newer = replica.current()
    assert newer is not held
    assert newer is not None
    assert newer.search(SearchQuery(q="drip")).total == 1
    held.close()  # swapped out: in Lambda its connection closes with its last reference
    replica.close()
