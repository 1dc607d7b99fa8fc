"""Reading orders: the owner and staff see one, nobody else; lists newest first, paged, one Query each."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from bench.cost_model import item_size
from storefront.data import keys
from storefront.data.packing import unpack
from tests.integration.inventory_calls import dynamodb_requests, put_stock
from tests.integration.orders_calls import ADMIN, ANN, BOB, MANAGER, body_of, call, move, place_order
from tests.support import problem

pytestmark = pytest.mark.usefixtures("aws")
TABLE = "storefront-test"


def _ids(response: dict[str, object]) -> list[str]:
    assert response["statusCode"] == 200, response
    return [order["id"] for order in body_of(response)["items"]]


def test_the_owner_reads_their_order_with_frozen_prices_totals_and_payment() -> None:
    put_stock("TEE-M", 10)
    order = place_order(ANN[0], {"TEE-M": 3})

    response = call("GET", f"/v1/orders/{order.id}", ANN)

    assert response["statusCode"] == 200, response
    assert response["headers"]["Cache-Control"].startswith("private")
    body = body_of(response)
    assert (body["id"], body["number"], body["user_id"], body["status"]) == (
        order.id,
        order.number,
        ANN[0],
        "pending_payment",
    )
    assert body["items"][0] == {
        "sku": "TEE-M",
        "product_id": "P-TEE-M",
        "name": "Product TEE-M",
        "options": {},
        "quantity": 3,
        "unit_price": 1000,
        "line_total": 3000,
    }
    assert (body["subtotal"], body["shipping_total"], body["total"], body["currency"]) == (3000, 500, 3500, "USD")
    assert body["payment"] == {"provider": "manual", "status": "pending", "payment_intent_id": None}
    assert (body["tracking"], body["refunded_total"]) == (None, 0)


@pytest.mark.parametrize("staff", [MANAGER, ADMIN])
def test_staff_read_any_customers_order(staff: tuple[str, str]) -> None:
    put_stock("TEE-M", 10)
    order = place_order(ANN[0], {"TEE-M": 1})
    assert body_of(call("GET", f"/v1/orders/{order.id}", staff))["user_id"] == ANN[0]


def test_another_customers_order_is_a_404_like_an_unknown_id() -> None:
    put_stock("TEE-M", 10)
    order = place_order(ANN[0], {"TEE-M": 1})

    foreign, unknown = (
        call("GET", f"/v1/orders/{order.id}", BOB),
        call("GET", "/v1/orders/01JNOSUCHORDER000000000000", BOB),
    )

    assert (foreign["statusCode"], unknown["statusCode"]) == (404, 404)
    assert problem(foreign)["detail"] == problem(unknown)["detail"]
    assert order.id not in foreign["body"]


def test_a_customer_lists_only_their_own_orders_newest_first_in_pages() -> None:
    put_stock("TEE-M", 50)
    mine = [place_order(ANN[0], {"TEE-M": 1}).id for _ in range(3)]
    place_order(BOB[0], {"TEE-M": 1})

    first = call("GET", "/v1/orders", ANN, query={"limit": "2"})
    cursor = body_of(first)["next_cursor"]
    second = call("GET", "/v1/orders", ANN, query={"limit": "2", "cursor": cursor})

    assert _ids(first) == [mine[2], mine[1]]
    assert _ids(second) == [mine[0]]
    assert body_of(second)["next_cursor"] is None
    # The cursor is bound to its caller and its filters.
    assert call("GET", "/v1/orders", BOB, query={"limit": "2", "cursor": cursor})["statusCode"] == 400
    assert call("GET", "/v1/orders", ANN, query={"status": "paid", "cursor": cursor})["statusCode"] == 400


def test_a_customer_filters_their_orders_by_status_but_may_not_name_another_customer() -> None:
    put_stock("TEE-M", 50)
    unpaid, paid = place_order(ANN[0], {"TEE-M": 1}), place_order(ANN[0], {"TEE-M": 1})
    assert move(paid.id, "paid")["statusCode"] == 200

    assert _ids(call("GET", "/v1/orders", ANN, query={"status": "paid"})) == [paid.id]
    assert _ids(call("GET", "/v1/orders", ANN, query={"status": "pending_payment"})) == [unpaid.id]
    assert _ids(call("GET", "/v1/orders", ANN, query={"user_id": ANN[0]})) == [paid.id, unpaid.id]
    refused = call("GET", "/v1/orders", ANN, query={"user_id": BOB[0]})
    assert refused["statusCode"] == 403
    assert problem(refused)["status"] == 403


def test_staff_list_by_status_or_customer_newest_first() -> None:
    put_stock("TEE-M", 50)
    ann_first = place_order(ANN[0], {"TEE-M": 1})
    bob_order = place_order(BOB[0], {"TEE-M": 1})
    ann_paid = place_order(ANN[0], {"TEE-M": 1})
    assert move(ann_paid.id, "paid")["statusCode"] == 200

    pending = call("GET", "/v1/orders", MANAGER, query={"status": "pending_payment"})
    assert _ids(pending) == [bob_order.id, ann_first.id]
    assert _ids(call("GET", "/v1/orders", MANAGER, query={"user_id": ANN[0]})) == [ann_paid.id, ann_first.id]
    assert _ids(call("GET", "/v1/orders", ADMIN, query={"user_id": ANN[0], "status": "paid"})) == [ann_paid.id]


def test_staff_list_every_order_newest_first_in_pages_whatever_its_status() -> None:
    put_stock("TEE-M", 50)
    placed = [place_order(owner[0], {"TEE-M": 1}).id for owner in (ANN, BOB, ANN, BOB, ANN)]
    assert move(placed[1], "paid")["statusCode"] == 200
    assert call("POST", f"/v1/orders/{placed[3]}/cancel", BOB)["statusCode"] == 200

    first = call("GET", "/v1/orders", MANAGER, query={"limit": "2"})
    second = call("GET", "/v1/orders", MANAGER, query={"limit": "2", "cursor": body_of(first)["next_cursor"]})
    third = call("GET", "/v1/orders", MANAGER, query={"limit": "2", "cursor": body_of(second)["next_cursor"]})

    assert _ids(first) + _ids(second) + _ids(third) == placed[::-1]
    assert [order["status"] for order in body_of(first)["items"]] == ["pending_payment", "cancelled"]
    assert [order["status"] for order in body_of(second)["items"]] == ["pending_payment", "paid"]
    assert body_of(third)["next_cursor"] is None
    # The cursor is bound to the caller and to the (absent) filters.
    cursor = body_of(first)["next_cursor"]
    assert call("GET", "/v1/orders", ADMIN, query={"cursor": cursor})["statusCode"] == 400
    assert call("GET", "/v1/orders", MANAGER, query={"status": "paid", "cursor": cursor})["statusCode"] == 400


def test_a_page_of_every_order_is_one_query_and_one_batch_read_never_a_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    put_stock("TEE-M", 50)
    for owner in (ANN, BOB, ANN):
        place_order(owner[0], {"TEE-M": 1})
    call("GET", "/v1/orders", MANAGER)  # the caller's user item exists; the cursor keys are cached

    with dynamodb_requests(monkeypatch) as requests:
        response = call("GET", "/v1/orders", MANAGER, query={"limit": "2"})

    assert len(_ids(response)) == 2
    assert (requests.count("Query"), requests.count("BatchGetItem"), "Scan" in requests) == (1, 1, False)


def test_a_list_page_is_one_query_of_an_index_never_a_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    put_stock("TEE-M", 50)
    for _ in range(3):
        place_order(ANN[0], {"TEE-M": 1})
    call("GET", "/v1/orders", ANN)  # the caller's user item exists; the cursor keys are cached

    with dynamodb_requests(monkeypatch) as requests:
        response = call("GET", "/v1/orders", ANN, query={"limit": "2"})

    assert len(_ids(response)) == 2
    assert requests.count("Query") == 1
    assert "Scan" not in requests


def test_an_unknown_status_filter_is_a_422() -> None:
    response = call("GET", "/v1/orders", MANAGER, query={"status": "lost"})
    assert response["statusCode"] == 422
    assert problem(response)["errors"][0]["loc"] == ["query", "status"]


def _stored_order(order_id: str) -> dict[str, Any]:
    pk, sk = keys.order(order_id)
    key = {"PK": {"S": pk}, "SK": {"S": sk}}
    item: dict[str, Any] = boto3.client("dynamodb").get_item(TableName=TABLE, Key=key, ConsistentRead=True)["Item"]
    return item


def test_an_order_of_three_lines_with_its_history_is_stored_in_one_kilobyte_so_each_write_costs_one_unit() -> None:
    for sku in ("TEE-S", "TEE-M", "TEE-L"):
        put_stock(sku, 10)
    order = place_order(ANN[0], {"TEE-S": 1, "TEE-M": 2, "TEE-L": 1})
    for to in ("paid", "processing"):
        assert move(order.id, to)["statusCode"] == 200

    stored = _stored_order(order.id)

    assert "body" not in stored
    assert item_size(stored) <= 1024, item_size(stored)


def test_an_order_stored_as_plain_json_before_packing_reads_the_same_and_is_packed_at_its_next_change() -> None:
    put_stock("TEE-M", 10)
    order = place_order(ANN[0], {"TEE-M": 1})
    before = body_of(call("GET", f"/v1/orders/{order.id}", ANN))
    stored = _stored_order(order.id)
    plain = unpack(stored.pop("packed_body")["B"])
    boto3.client("dynamodb").put_item(TableName=TABLE, Item={**stored, "body": {"S": plain}})

    assert body_of(call("GET", f"/v1/orders/{order.id}", ANN)) == before
    assert move(order.id, "paid")["statusCode"] == 200

    repacked = _stored_order(order.id)
    assert "body" not in repacked
    assert "packed_body" in repacked
    after = body_of(call("GET", f"/v1/orders/{order.id}", ANN))
    assert (after["status"], after["items"], after["shipping_address"]) == (
        "paid",
        before["items"],
        before["shipping_address"],
    )
