"""Low stock on the `aws` fixture: one event per downward crossing, re-arming, the sparse list."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.inventory_calls import (
    adjust,
    adjust_in,
    body_of,
    call,
    environments,
    low_stock_events,
    put_stock,
)
from tests.support import problem

pytestmark = pytest.mark.usefixtures("aws")


def _low_skus(**query: str) -> tuple[list[str], str | None]:
    response = call("GET", "/v1/inventory", query={"low_stock": "true", **query})
    assert response["statusCode"] == 200, response
    body = body_of(response)
    return [item["sku"] for item in body["items"]], body["next_cursor"]


def test_one_event_is_staged_when_available_crosses_the_threshold_downwards() -> None:
    put_stock("SKU-1", 12, 5, product_id="P9")
    adjust("SKU-1", -6)
    assert low_stock_events() == []
    adjust("SKU-1", -1)  # 6 -> 5: at the threshold is low
    adjust("SKU-1", -2)  # staying low emits nothing more
    events = low_stock_events()
    assert len(events) == 1
    assert events[0]["data"] == {
        "sku": "SKU-1",
        "product_id": "P9",
        "on_hand": 5,
        "reserved": 0,
        "available": 5,
        "low_stock_threshold": 5,
    }
    assert events[0]["version"] == 1


def test_crossing_re_arms_when_stock_goes_back_above_the_threshold() -> None:
    put_stock("SKU-1", 8, 5)
    adjust("SKU-1", -4)
    assert _low_skus()[0] == ["SKU-1"]
    adjust("SKU-1", 10)  # back above: off the list, armed again
    assert _low_skus()[0] == []
    adjust("SKU-1", -12)
    assert len(low_stock_events("SKU-1")) == 2
    assert _low_skus()[0] == ["SKU-1"]


def test_put_emits_the_event_when_it_lowers_stock_under_the_threshold() -> None:
    put_stock("SKU-1", 50, 5)
    call("PUT", "/v1/inventory/SKU-1", body={"on_hand": 50, "low_stock_threshold": 60})
    call("PUT", "/v1/inventory/SKU-1", body={"on_hand": 3, "low_stock_threshold": 60})
    assert len(low_stock_events("SKU-1")) == 1


@pytest.mark.usefixtures("isolated_transactions")
def test_concurrent_adjustments_keep_the_exact_sum_and_one_event_when_they_cross_once() -> None:
    put_stock("SKU-1", 30, 10, reserved=2)  # available 28: 20 removals of 1 cross at the 18th
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(lambda environment: adjust_in(environment, "SKU-1", -1), environments(20)))
    assert statuses == [200] * 20
    level = body_of(call("GET", "/v1/inventory/SKU-1"))
    assert (level["on_hand"], level["available"]) == (10, 8)
    assert len(low_stock_events("SKU-1")) == 1


@pytest.mark.usefixtures("isolated_transactions")
def test_concurrent_adjustments_never_take_on_hand_below_reserved_when_they_race() -> None:
    put_stock("SKU-1", 10, 0, reserved=4)  # 6 available, 10 removals race for them
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda environment: adjust_in(environment, "SKU-1", -1), environments(10)))
    assert sorted(statuses) == [200] * 6 + [409] * 4
    level = body_of(call("GET", "/v1/inventory/SKU-1"))
    assert (level["on_hand"], level["reserved"], level["available"]) == (4, 4, 0)


def test_low_stock_list_pages_through_the_sparse_index_when_many_skus_are_low() -> None:
    for number in range(7):
        put_stock(f"LOW-{number}", 1, 5)
    put_stock("HIGH-1", 100, 5)
    first, cursor = _low_skus(limit="3")
    second, cursor2 = _low_skus(limit="3", cursor=cursor or "")
    third, cursor3 = _low_skus(limit="3", cursor=cursor2 or "")
    assert first + second + third == [f"LOW-{number}" for number in range(7)]
    assert cursor3 is None


def test_low_stock_list_is_400_when_the_cursor_was_tampered_with() -> None:
    for number in range(3):
        put_stock(f"LOW-{number}", 0, 5)
    _, cursor = _low_skus(limit="1")
    assert cursor is not None
    payload, _, signature = cursor.partition(".")
    tampered = f"{payload[:-2]}AA.{signature}"
    response = call("GET", "/v1/inventory", query={"low_stock": "true", "cursor": tampered})
    assert response["statusCode"] == 400
    problem(response)


@pytest.mark.parametrize(
    "query",
    [{"low_stock": "true", "limit": "101"}, {"low_stock": "false"}, {"low_stock": "1"}, {}],
)
def test_low_stock_list_is_422_when_the_query_is_invalid(query: dict[str, str]) -> None:
    response = call("GET", "/v1/inventory", query=query)
    assert response["statusCode"] == 422
    problem(response)
