"""Availability on the `aws` fixture: one event each time `available` reaches 0 or leaves it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.integration import catalog_calls
from tests.integration.inventory_calls import (
    MANAGER,
    adjust,
    adjust_in,
    availability_events,
    body_of,
    call,
    dynamodb_requests,
    environments,
    low_stock_events,
    outbox_events,
    put_stock,
)
from tests.integration.principals import ensure_user

# Every role route first reads its caller's standing (one GetItem).
STANDING = "GetItem"
pytestmark = pytest.mark.usefixtures("aws")


def _in_stock_flags(sku: str) -> list[bool]:
    # Sorted: two events of one second have no order (their ids are random within it).
    return sorted(event["data"]["in_stock"] for event in availability_events(sku))


def _level(sku: str) -> dict[str, Any]:
    return dict(body_of(call("GET", f"/v1/inventory/{sku}")))


def test_one_sold_out_event_is_staged_when_an_adjustment_takes_available_to_zero() -> None:
    put_stock("SKU-1", 10, 0, reserved=4, product_id="P9")
    assert adjust("SKU-1", -6)["statusCode"] == 200
    events = availability_events()
    assert len(events) == 1
    assert events[0]["version"] == 1
    assert events[0]["data"] == {
        "sku": "SKU-1",
        "product_id": "P9",
        "in_stock": False,
        "available": 0,
        "on_hand": 4,
        "reserved": 4,
    }


def test_one_back_in_stock_event_is_staged_when_a_restock_leaves_zero() -> None:
    put_stock("SKU-1", 3, 0)
    adjust("SKU-1", -3)
    adjust("SKU-1", 5)
    assert _in_stock_flags("SKU-1") == [False, True]
    back = next(event for event in availability_events("SKU-1") if event["data"]["in_stock"])
    assert back["data"] == {
        "sku": "SKU-1",
        "product_id": "P1",
        "in_stock": True,
        "available": 5,
        "on_hand": 5,
        "reserved": 0,
    }


def test_no_availability_event_is_staged_when_writes_stay_on_one_side() -> None:
    put_stock("SKU-1", 20, 5)
    for delta in (-5, -10, 3, -7):  # 15, 5, 8, 1: in stock throughout
        assert adjust("SKU-1", delta)["statusCode"] == 200
    call("PUT", "/v1/inventory/SKU-1", body={"on_hand": 2, "low_stock_threshold": 9})
    assert availability_events() == []
    adjust("SKU-1", -2)
    assert adjust("SKU-1", -1)["statusCode"] == 409  # already sold out: refused, nothing staged
    call("PUT", "/v1/inventory/SKU-1", body={"on_hand": 0, "low_stock_threshold": 1})
    assert _in_stock_flags("SKU-1") == [False]


def test_both_events_are_staged_in_one_transaction_when_a_write_crosses_both_boundaries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    put_stock("SKU-1", 8, 5)
    ensure_user(MANAGER)  # the caller exists before the count starts
    with dynamodb_requests(monkeypatch) as requests:
        assert adjust("SKU-1", -8)["statusCode"] == 200
    assert requests == [STANDING, "UpdateItem", "GetItem", "TransactWriteItems"]
    (low,) = low_stock_events("SKU-1")
    (sold_out,) = availability_events("SKU-1")
    assert low["data"]["available"] == sold_out["data"]["available"] == 0
    assert sold_out["data"]["in_stock"] is False
    assert low["id"] != sold_out["id"]


def test_the_fast_path_refuses_when_an_adjustment_would_cross_the_in_stock_boundary(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    put_stock("SKU-1", 4, 5)  # low from the start: only the in-stock boundary is crossed below
    adjust("SKU-1", -1)  # warm: clients are built outside the count
    with dynamodb_requests(monkeypatch) as requests:
        adjust("SKU-1", -1)  # 3 -> 2: in stock, one request
        assert requests == [STANDING, "UpdateItem"]
        requests.clear()
        adjust("SKU-1", -2)  # 2 -> 0: sold out
        assert requests == [STANDING, "UpdateItem", "GetItem", "TransactWriteItems"]
        requests.clear()
        adjust("SKU-1", 3)  # 0 -> 3: back in stock, still low
        assert requests == [STANDING, "UpdateItem", "GetItem", "TransactWriteItems"]
    assert _in_stock_flags("SKU-1") == [False, True]
    assert low_stock_events("SKU-1") == []


def test_put_stages_the_event_when_it_sets_the_level_across_zero() -> None:
    put_stock("SKU-1", 6, 2, reserved=1)
    call("PUT", "/v1/inventory/SKU-1", body={"on_hand": 1, "low_stock_threshold": 2})
    assert _in_stock_flags("SKU-1") == [False]
    call("PUT", "/v1/inventory/SKU-1", body={"on_hand": 1, "low_stock_threshold": 0})  # threshold only
    call("PUT", "/v1/inventory/SKU-1", body={"on_hand": 9, "low_stock_threshold": 0})
    assert _in_stock_flags("SKU-1") == [False, True]
    assert _level("SKU-1")["available"] == 8


def test_no_availability_event_is_staged_when_a_product_or_variant_is_created_with_or_without_stock() -> None:
    category = catalog_calls.create_category("Mugs")
    body = catalog_calls.product_body(category["id"])
    body["variants"] = [
        {"sku": "MUG-FULL", "options": {"size": "L"}, "initial_stock": 7},
        {"sku": "MUG-NONE", "options": {"size": "S"}, "initial_stock": 0},
    ]
    response = catalog_calls.call("POST", "/v1/products", catalog_calls.MANAGER, body=body)
    assert response["statusCode"] == 201, response
    variant = {"sku": "MUG-XL", "options": {"size": "XL"}, "initial_stock": 4}
    path = f"/v1/products/{catalog_calls.body_of(response)['id']}/variants"
    assert catalog_calls.call("POST", path, catalog_calls.MANAGER, body=variant)["statusCode"] == 201
    assert len(outbox_events("product.created")) == 1
    assert availability_events() == []
    adjust("MUG-NONE", 2)  # the first crossing is a real one
    assert _in_stock_flags("MUG-NONE") == [True]


@pytest.mark.usefixtures("isolated_transactions")
def test_concurrent_decrements_stage_one_sold_out_event_when_they_race_to_zero() -> None:
    put_stock("SKU-1", 12, 3, reserved=2)  # 10 available, 16 removals of 1 race for them
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda environment: adjust_in(environment, "SKU-1", -1), environments(16)))
    assert sorted(statuses) == [200] * 10 + [409] * 6
    level = _level("SKU-1")
    assert (level["on_hand"], level["reserved"], level["available"]) == (2, 2, 0)
    (sold_out,) = availability_events("SKU-1")
    assert sold_out["data"]["in_stock"] is False
    assert sold_out["data"]["available"] == 0
    assert len(low_stock_events("SKU-1")) == 1


@pytest.mark.usefixtures("isolated_transactions")
def test_concurrent_restocks_stage_one_back_in_stock_event_when_they_race_from_zero() -> None:
    put_stock("SKU-1", 0, 0)
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda environment: adjust_in(environment, "SKU-1", 1), environments(10)))
    assert statuses == [200] * 10
    assert _level("SKU-1")["available"] == 10
    assert _in_stock_flags("SKU-1") == [True]
