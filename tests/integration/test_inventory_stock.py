"""Inventory routes on the `aws` fixture (moto and DynamoDB Local): read, set, adjust, who may."""

from __future__ import annotations

from typing import Any

import pytest
from pynamodb.exceptions import TransactWriteError

from storefront.data.inventory import add_stock_creation
from storefront.data.table import transaction
from tests.integration.inventory_calls import (
    CUSTOMER,
    MANAGER,
    adjust,
    body_of,
    call,
    dynamodb_requests,
    inventory_function,
    put_stock,
)
from tests.integration.principals import ensure_user, sample_principal
from tests.support import FakeContext, problem, sample_event

pytestmark = pytest.mark.usefixtures("aws")


def test_get_answers_the_level_with_available_when_the_sku_exists() -> None:
    put_stock("SKU-1", 12, 3, reserved=2)
    response = call("GET", "/v1/inventory/SKU-1")
    assert response["statusCode"] == 200
    assert body_of(response) == {
        "sku": "SKU-1",
        "on_hand": 12,
        "reserved": 2,
        "available": 10,
        "low_stock_threshold": 3,
    }
    assert response["headers"]["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/inventory/NOPE", None),
        ("PUT", "/v1/inventory/NOPE", {"on_hand": 1, "low_stock_threshold": 0}),
        ("POST", "/v1/inventory/NOPE/adjustments", {"delta": 1, "reason": "delivery"}),
    ],
)
def test_routes_answer_404_when_the_sku_is_unknown(method: str, path: str, body: Any) -> None:
    response = call(method, path, body=body)
    assert response["statusCode"] == 404
    problem(response)


def test_put_sets_on_hand_and_threshold_when_on_hand_covers_reserved() -> None:
    put_stock("SKU-1", 10, 2, reserved=4)
    response = call("PUT", "/v1/inventory/SKU-1", body={"on_hand": 30, "low_stock_threshold": 7})
    assert response["statusCode"] == 200
    assert body_of(response) == {
        "sku": "SKU-1",
        "on_hand": 30,
        "reserved": 4,
        "available": 26,
        "low_stock_threshold": 7,
    }
    assert body_of(call("GET", "/v1/inventory/SKU-1"))["on_hand"] == 30


def test_put_is_409_when_on_hand_would_be_below_reserved() -> None:
    put_stock("SKU-1", 10, 2, reserved=4)
    response = call("PUT", "/v1/inventory/SKU-1", body={"on_hand": 3, "low_stock_threshold": 2})
    assert response["statusCode"] == 409
    assert problem(response)["reserved"] == 4
    assert body_of(call("GET", "/v1/inventory/SKU-1"))["on_hand"] == 10


def test_adjustment_adds_delta_when_stock_allows() -> None:
    put_stock("SKU-1", 10, 2)
    assert body_of(adjust("SKU-1", 5))["on_hand"] == 15
    response = adjust("SKU-1", -13)
    assert response["statusCode"] == 200
    assert body_of(response) == {"sku": "SKU-1", "on_hand": 2, "reserved": 0, "available": 2, "low_stock_threshold": 2}


def test_adjustment_is_409_with_available_when_on_hand_would_drop_below_reserved() -> None:
    put_stock("SKU-1", 10, 2, reserved=7)
    response = adjust("SKU-1", -4)
    assert response["statusCode"] == 409
    assert problem(response)["available"] == 3
    assert body_of(adjust("SKU-1", -3))["on_hand"] == 7
    assert body_of(call("GET", "/v1/inventory/SKU-1"))["available"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"delta": 0, "reason": "nothing"},
        {"delta": "3", "reason": "string"},
        {"delta": True, "reason": "bool"},
        {"delta": 1.5, "reason": "float"},
        {"delta": 1, "reason": ""},
        {"delta": 1, "reason": "x" * 201},
        {"delta": 1},
        {"delta": 1, "reason": "ok", "on_hand": 3},
    ],
)
def test_adjustment_is_422_when_the_body_is_invalid(body: dict[str, Any]) -> None:
    put_stock("SKU-1", 10)
    response = adjust_raw("SKU-1", body)
    assert response["statusCode"] == 422
    problem(response)


def adjust_raw(sku: str, body: dict[str, Any]) -> dict[str, Any]:
    return call("POST", f"/v1/inventory/{sku}/adjustments", body=body)


@pytest.mark.parametrize(
    ("method", "path", "body", "query"),
    [
        ("GET", "/v1/inventory/SKU-1", None, None),
        ("PUT", "/v1/inventory/SKU-1", {"on_hand": 1, "low_stock_threshold": 0}, None),
        ("POST", "/v1/inventory/SKU-1/adjustments", {"delta": 1, "reason": "x"}, None),
        ("GET", "/v1/inventory", None, {"low_stock": "true"}),
    ],
)
def test_routes_are_403_when_the_caller_is_a_customer(
    method: str, path: str, body: Any, query: dict[str, str] | None
) -> None:
    put_stock("SKU-1", 10)
    response = call(method, path, CUSTOMER, body=body, query=query)
    assert response["statusCode"] == 403
    problem(response)
    assert body_of(call("GET", "/v1/inventory/SKU-1"))["on_hand"] == 10


def test_adjustment_is_one_dynamodb_request_when_no_crossing_happens(monkeypatch: pytest.MonkeyPatch) -> None:
    put_stock("SKU-1", 100, 5)
    adjust("SKU-1", -1)  # warm: the cursor/keyring and clients are built outside the count
    with dynamodb_requests(monkeypatch) as requests:
        # The caller's standing (one GetItem on every role route), then the adjustment itself.
        assert adjust("SKU-1", -10)["statusCode"] == 200
        assert requests == ["GetItem", "UpdateItem"]
        requests.clear()
        assert adjust("SKU-1", 4)["statusCode"] == 200
        assert requests == ["GetItem", "UpdateItem"]


def test_adjustment_reads_then_writes_one_transaction_when_it_crosses(monkeypatch: pytest.MonkeyPatch) -> None:
    put_stock("SKU-1", 10, 5)
    ensure_user(MANAGER)  # the caller exists before the count starts
    with dynamodb_requests(monkeypatch) as requests:
        assert adjust("SKU-1", -5)["statusCode"] == 200
    assert requests == ["GetItem", "UpdateItem", "GetItem", "TransactWriteItems"]


@pytest.mark.parametrize(
    ("case", "status"), [("get-stock", 200), ("put-stock", 200), ("adjust-stock", 200), ("list-low-stock", 200)]
)
def test_sample_events_are_served_when_replayed(case: str, status: int) -> None:
    put_stock("TSHIRT-RED-M", 20, 30)
    ensure_user(sample_principal("inventory", case))
    response = inventory_function.lambda_handler(sample_event("inventory", case), FakeContext())
    assert response["statusCode"] == status, response
    assert response["headers"]["X-Request-Id"].startswith(f"inventory-{case}")


def test_stock_creation_joins_the_callers_transaction_and_refuses_when_the_sku_exists() -> None:
    with transaction() as write:
        add_stock_creation(write, "NEW-1", "P1", 3, 5, now=1)
    assert body_of(call("GET", "/v1/inventory/NEW-1")) == {
        "sku": "NEW-1",
        "on_hand": 3,
        "reserved": 0,
        "available": 3,
        "low_stock_threshold": 5,
    }
    with pytest.raises(TransactWriteError), transaction() as write:
        add_stock_creation(write, "NEW-1", "P2", 9)
    assert body_of(call("GET", "/v1/inventory/NEW-1"))["on_hand"] == 3
