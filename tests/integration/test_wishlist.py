"""The caller's wishlist against moto: idempotent puts and deletes, the bound of 200, current data."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from devkit.functions import load_handler_module
from storefront.data import keys
from storefront.data.users import UserItem
from storefront.data.wishlists import WishItem
from storefront.domain import clock
from storefront.domain.catalog import products as catalog_products
from tests.aws_fixtures import serializable_moto_writes
from tests.integration.catalog_calls import MANAGER, call, create_category, create_product
from tests.integration.inventory_calls import call as inventory_call
from tests.integration.principals import ensure_user
from tests.integration.test_catalog_products import dynamodb_requests
from tests.integration.wishlist_calls import (
    ANN,
    BOB,
    delete_wish,
    put_wish,
    wishlist_call,
    wishlist_function,
    wishlist_of,
)
from tests.support import FakeContext, http_event, problem, sample_event

pytestmark = pytest.mark.usefixtures("aws")
SAMPLE_PRODUCT = "01JDQ80000000000000000PROD"  # the product of events/wishlist/*.json


def _product(sku: str, **overrides: Any) -> dict[str, Any]:
    return create_product(create_category(f"Shoes {sku}")["id"], sku, name=f"Shoe {sku}", **overrides)


def _count(principal: tuple[str, str]) -> int | None:
    count = UserItem.get(*keys.user(principal[0]), consistent_read=True).wishlist_count
    return None if count is None else int(count)


def _fill(principal: tuple[str, str], count: int) -> None:
    """`count` wishes written directly (products that need not exist) with the counter to match."""
    ensure_user(principal)
    for n in range(count):
        pk, sk = keys.wish(principal[0], f"FILLER{n:04d}")
        WishItem(pk, sk, product_id=f"FILLER{n:04d}", added_at=1).save()
    UserItem(*keys.user(principal[0])).update(actions=[UserItem.wishlist_count.set(count)])


def test_put_is_idempotent_and_keeps_the_first_added_at_when_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    product = _product("WISH-1")
    monkeypatch.setattr(clock, "now", lambda: 1_800_000_000)
    assert put_wish(ANN, product["id"])["statusCode"] == 204
    monkeypatch.setattr(clock, "now", lambda: 1_800_000_500)
    again = put_wish(ANN, product["id"])
    assert again["statusCode"] == 204
    assert again["headers"]["Cache-Control"] == "private, no-store"

    items = wishlist_of(ANN)
    assert [(item["product_id"], item["added_at"]) for item in items] == [(product["id"], "2027-01-15T08:00:00Z")]
    assert _count(ANN) == 1


def test_delete_is_idempotent_and_counts_down_once_when_repeated() -> None:
    product = _product("WISH-1")
    assert delete_wish(ANN, product["id"])["statusCode"] == 204  # never there
    assert put_wish(ANN, product["id"])["statusCode"] == 204
    assert delete_wish(ANN, product["id"])["statusCode"] == 204
    assert delete_wish(ANN, product["id"])["statusCode"] == 204
    assert wishlist_of(ANN) == []
    assert _count(ANN) == 0


def test_put_is_404_when_the_product_is_unknown_draft_or_archived() -> None:
    draft = _product("WISH-D", status="draft")
    archived = _product("WISH-A")
    assert call("DELETE", f"/v1/products/{archived['id']}", MANAGER)["statusCode"] == 204
    for product_id in ("01JDQ80000000000000000NONE", draft["id"], archived["id"]):
        response = put_wish(ANN, product_id)
        assert response["statusCode"] == 404, response
        assert problem(response)["detail"] == "No such product."
    assert wishlist_of(ANN) == []
    assert _count(ANN) is None


def test_listing_is_newest_first_with_current_price_currency_and_name(monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = _product("WISH-1"), _product("WISH-2", price=1500, currency="USD")
    monkeypatch.setattr(clock, "now", lambda: 1_800_000_000)
    put_wish(ANN, first["id"])
    monkeypatch.setattr(clock, "now", lambda: 1_800_000_060)
    put_wish(ANN, second["id"])
    assert (
        call("PATCH", f"/v1/products/{first['id']}", MANAGER, body={"price": 7900, "name": "Renamed"})["statusCode"]
        == 200
    )

    items = wishlist_of(ANN)

    assert items == [
        {
            "product_id": second["id"],
            "name": "Shoe WISH-2",
            "price": 1500,
            "currency": "USD",
            "added_at": "2027-01-15T08:01:00Z",
            "in_stock": True,
            "status": "active",
        },
        {
            "product_id": first["id"],
            "name": "Renamed",
            "price": 7900,
            "currency": "EUR",
            "added_at": "2027-01-15T08:00:00Z",
            "in_stock": True,
            "status": "active",
        },
    ]


def test_archived_or_redrafted_product_stays_listed_and_marked_unavailable() -> None:
    archived, redrafted, kept = _product("WISH-A"), _product("WISH-D"), _product("WISH-K")
    for product in (archived, redrafted, kept):
        assert put_wish(ANN, product["id"])["statusCode"] == 204
    assert call("DELETE", f"/v1/products/{archived['id']}", MANAGER)["statusCode"] == 204
    assert call("PATCH", f"/v1/products/{redrafted['id']}", MANAGER, body={"status": "draft"})["statusCode"] == 200

    items = {item["product_id"]: item for item in wishlist_of(ANN)}

    for product in (archived, redrafted):
        assert items[product["id"]] | {"added_at": None} == {
            "product_id": product["id"],
            "name": None,
            "price": None,
            "currency": None,
            "added_at": None,
            "in_stock": False,
            "status": "unavailable",
        }
    assert items[kept["id"]]["status"] == "active"
    assert delete_wish(ANN, archived["id"])["statusCode"] == 204  # still removable
    assert _count(ANN) == 2


def test_in_stock_follows_the_stock_of_any_variant_when_it_changes() -> None:
    variants = [
        {"sku": "WISH-S1", "options": {"size": "41"}, "initial_stock": 0},
        {"sku": "WISH-S2", "options": {"size": "42"}, "initial_stock": 0},
    ]
    product = _product("WISH-S", variants=variants)
    put_wish(ANN, product["id"])
    assert wishlist_of(ANN)[0]["in_stock"] is False

    body = {"on_hand": 2, "low_stock_threshold": 0}
    assert inventory_call("PUT", "/v1/inventory/WISH-S2", body=body)["statusCode"] == 200
    assert wishlist_of(ANN)[0]["in_stock"] is True

    body = {"on_hand": 0, "low_stock_threshold": 0}
    assert inventory_call("PUT", "/v1/inventory/WISH-S2", body=body)["statusCode"] == 200
    assert wishlist_of(ANN)[0]["in_stock"] is False


def test_another_users_wishlist_is_never_visible_nor_changed_by_them() -> None:
    product = _product("WISH-1")
    assert put_wish(ANN, product["id"])["statusCode"] == 204

    assert wishlist_of(BOB) == []
    assert delete_wish(BOB, product["id"])["statusCode"] == 204  # Bob's own list: nothing to remove

    assert [item["product_id"] for item in wishlist_of(ANN)] == [product["id"]]
    assert _count(ANN) == 1
    assert _count(BOB) == 0 or _count(BOB) is None


def test_the_201st_distinct_product_is_409_while_a_saved_one_is_still_204() -> None:
    last, extra = _product("WISH-L"), _product("WISH-X")
    _fill(ANN, 199)
    assert put_wish(ANN, last["id"])["statusCode"] == 204

    refused = put_wish(ANN, extra["id"])

    assert refused["statusCode"] == 409
    assert problem(refused)["limit"] == 200
    assert put_wish(ANN, last["id"])["statusCode"] == 204  # already saved: idempotent even when full
    assert len(wishlist_of(ANN)) == 200
    assert delete_wish(ANN, "FILLER0000")["statusCode"] == 204
    assert put_wish(ANN, extra["id"])["statusCode"] == 204
    assert _count(ANN) == 200


def _race(puts: list[str]) -> list[int]:
    """Sends each put from its own environment at once (Lambda serves concurrent requests apart)."""
    modules = [load_handler_module("functions/wishlist", fresh=True) for _ in puts]
    barrier = threading.Barrier(len(puts))
    statuses: list[int] = []

    def send(module: Any, product_id: str) -> None:
        barrier.wait()
        statuses.append(put_wish(ANN, product_id, module=module)["statusCode"])

    ensure_user(ANN)
    with serializable_moto_writes():
        threads = [threading.Thread(target=send, args=pair) for pair in zip(modules, puts, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return statuses


def test_concurrent_puts_of_one_product_count_it_once() -> None:
    product = _product("WISH-1")
    assert _race([product["id"]] * 8) == [204] * 8
    assert len(wishlist_of(ANN)) == 1
    assert _count(ANN) == 1


def test_concurrent_distinct_puts_never_pass_200() -> None:
    category = create_category("Shoes")
    products = [create_product(category["id"], f"RACE-{n}", name=f"Shoe {n}")["id"] for n in range(8)]
    _fill(ANN, 195)

    statuses = _race(products)

    assert sorted(statuses) == [204] * 5 + [409] * 3
    assert len(wishlist_of(ANN)) == 200
    assert _count(ANN) == 200


def test_listing_is_one_query_and_two_batch_reads_and_a_put_one_transaction() -> None:
    category = create_category("Shoes")
    products = [create_product(category["id"], f"MANY-{n}", name=f"Shoe {n}")["id"] for n in range(30)]
    ensure_user(ANN)
    with dynamodb_requests() as put_calls:
        put_wish(ANN, products[0])
    for product_id in products[1:]:
        put_wish(ANN, product_id)

    with dynamodb_requests() as get_calls:
        assert len(wishlist_of(ANN)) == 30

    # The caller's standing (every role route), then the route's own requests.
    assert put_calls == ["GetItem", "TransactWriteItems"]
    assert get_calls == ["GetItem", "Query", "BatchGetItem", "BatchGetItem"]


def test_routes_refuse_a_caller_without_a_token() -> None:
    response = wishlist_function.lambda_handler(http_event("GET", "/v1/wishlist"), FakeContext())
    assert response["statusCode"] == 401
    assert wishlist_call("GET", "/v1/wishlist", ANN)["statusCode"] == 200


def test_every_sample_event_succeeds_when_replayed_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    caller = (sample_event("wishlist", "put-item")["requestContext"]["authorizer"]["jwt"]["claims"]["sub"], "customer")
    ensure_user(caller)
    monkeypatch.setattr(catalog_products, "new_ulid", lambda: SAMPLE_PRODUCT)
    _product("SAMPLE-1")
    for case, status in [("put-item", 204), ("get-wishlist", 200), ("delete-item", 204)]:
        response = wishlist_function.lambda_handler(sample_event("wishlist", case), FakeContext())
        assert response["statusCode"] == status, (case, response)
