"""Moving orders: a manual payment by a manager, fulfilment with tracking, cancellation, and races."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from types import ModuleType

import pytest

from tests.integration.inventory_calls import outbox_events, put_stock
from tests.integration.orders_calls import (
    ADMIN,
    ANN,
    BOB,
    MANAGER,
    body_of,
    call,
    counters,
    environments,
    move,
    place_order,
)
from tests.support import problem

pytestmark = pytest.mark.usefixtures("aws")


def _paid(sku: str = "TEE-M", units: int = 2) -> str:
    put_stock(sku, 20)
    order = place_order(ANN[0], {sku: units})
    assert move(order.id, "paid")["statusCode"] == 200
    return order.id


def test_a_manager_records_a_manual_payment_and_the_reserved_stock_is_committed() -> None:
    put_stock("TEE-M", 20)
    order = place_order(ANN[0], {"TEE-M": 3})
    assert counters("TEE-M") == (20, 3, 17)

    response = move(order.id, "paid")

    assert response["statusCode"] == 200, response
    body = body_of(response)
    assert (body["status"], body["payment"]["status"]) == ("paid", "paid")
    assert [(entry["status"], entry["by"]) for entry in body["history"]][-1] == ("paid", MANAGER[0])
    assert counters("TEE-M") == (17, 0, 17)  # on_hand and reserved both drop
    [paid] = outbox_events("order.paid")
    assert (paid["data"]["order_id"], paid["data"]["provider"]) == (order.id, "manual")


def test_a_card_order_cannot_be_marked_paid_by_hand() -> None:
    put_stock("TEE-M", 20)
    order = place_order(ANN[0], {"TEE-M": 2}, provider="card")

    response = move(order.id, "paid")

    assert response["statusCode"] == 409
    assert "Stripe" in problem(response)["detail"]
    assert problem(response)["current_status"] == "pending_payment"
    assert counters("TEE-M") == (20, 2, 18)
    assert outbox_events("order.paid") == []


def test_a_move_the_state_table_lacks_is_a_409_naming_the_status_and_the_allowed_targets() -> None:
    put_stock("TEE-M", 20)
    order = place_order(ANN[0], {"TEE-M": 1})

    for to in ("shipped", "delivered", "processing"):
        parcel = {"carrier": "UPS", "tracking_number": "1Z999"} if to == "shipped" else {}
        response = call("POST", f"/v1/orders/{order.id}/transitions", MANAGER, body={"to": to, **parcel})
        assert response["statusCode"] == 409, to
        assert (problem(response)["current_status"], problem(response)["allowed"]) == (
            "pending_payment",
            ["paid", "cancelled"],
        )
    refund = move(order.id, "refunded")
    assert refund["statusCode"] == 409
    assert "refund" in problem(refund)["detail"]
    assert body_of(call("GET", f"/v1/orders/{order.id}", ANN))["status"] == "pending_payment"


def test_a_paid_order_is_processed_shipped_with_its_tracking_url_and_delivered() -> None:
    order_id = _paid()

    processing = move(order_id, "processing")
    shipped = move(order_id, "shipped", carrier="fedex", tracking_number="7749 1234 5678")
    delivered = move(order_id, "delivered")

    assert [body_of(r)["status"] for r in (processing, shipped, delivered)] == ["processing", "shipped", "delivered"]
    assert body_of(delivered)["tracking"] == {
        "carrier": "FedEx",
        "number": "7749 1234 5678",
        "url": "https://www.fedex.com/fedextrack/?trknbr=7749%201234%205678",
    }
    history = body_of(delivered)["history"]
    assert [entry["status"] for entry in history] == ["paid", "processing", "shipped", "delivered"]
    assert {entry["by"] for entry in history} == {MANAGER[0]}
    [event] = outbox_events("order.shipped")
    assert (event["data"]["carrier"], event["data"]["tracking_url"]) == ("FedEx", body_of(shipped)["tracking"]["url"])
    assert [e["data"]["order_id"] for e in outbox_events("order.processing") + outbox_events("order.delivered")] == [
        order_id,
        order_id,
    ]
    assert move(order_id, "processing")["statusCode"] == 409  # delivered is not the end of refunds, only of moves


def test_a_carrier_without_a_tracking_page_is_kept_without_a_url() -> None:
    order_id = _paid()
    move(order_id, "processing")
    shipped = move(order_id, "shipped", carrier="Royal Mail", tracking_number="RM123456789GB")
    assert body_of(shipped)["tracking"] == {"carrier": "Royal Mail", "number": "RM123456789GB", "url": None}


def test_shipping_needs_the_carrier_and_the_tracking_number_and_other_moves_refuse_them() -> None:
    order_id = _paid()
    move(order_id, "processing")

    missing = move(order_id, "shipped", carrier="UPS")
    extra = move(order_id, "delivered", carrier="UPS")
    bad_number = move(order_id, "shipped", carrier="UPS", tracking_number="<script>")

    assert [r["statusCode"] for r in (missing, extra, bad_number)] == [422, 422, 422]
    assert [error["loc"] for error in problem(missing)["errors"]] == [["body", "tracking_number"]]
    assert [error["loc"] for error in problem(extra)["errors"]] == [["body", "carrier"]]
    assert body_of(call("GET", f"/v1/orders/{order_id}", ANN))["status"] == "processing"


def test_a_customer_may_not_move_even_their_own_order() -> None:
    put_stock("TEE-M", 20)
    order = place_order(ANN[0], {"TEE-M": 1})
    assert move(order.id, "paid", ANN)["statusCode"] == 403
    assert move("01JNOSUCHORDER000000000000", "paid")["statusCode"] == 404


def test_the_owner_cancels_an_unpaid_order_and_its_stock_goes_back() -> None:
    put_stock("TEE-M", 20)
    order = place_order(ANN[0], {"TEE-M": 4})

    response = call("POST", f"/v1/orders/{order.id}/cancel", ANN)

    assert response["statusCode"] == 200, response
    assert body_of(response)["status"] == "cancelled"
    assert counters("TEE-M") == (20, 0, 20)
    [cancelled] = outbox_events("order.cancelled")
    assert (cancelled["data"]["reason"], cancelled["data"]["previous_status"]) == ("customer", "pending_payment")
    again = call("POST", f"/v1/orders/{order.id}/cancel", ANN)
    assert (again["statusCode"], problem(again)["current_status"]) == (409, "cancelled")


def test_staff_cancel_an_unpaid_order_and_another_customer_gets_a_404() -> None:
    put_stock("TEE-M", 20)
    order = place_order(ANN[0], {"TEE-M": 2})

    assert call("POST", f"/v1/orders/{order.id}/cancel", BOB)["statusCode"] == 404
    response = call("POST", f"/v1/orders/{order.id}/cancel", ADMIN)

    assert body_of(response)["history"][-1] == {
        **body_of(response)["history"][-1],
        "status": "cancelled",
        "by": ADMIN[0],
    }
    assert outbox_events("order.cancelled")[0]["data"]["reason"] == "staff"
    assert counters("TEE-M") == (20, 0, 20)


@pytest.mark.usefixtures("isolated_transactions")
def test_two_managers_racing_one_move_give_one_200_and_one_409() -> None:
    order_id = _paid()

    def move_in(environment: ModuleType) -> int:
        return int(
            call(
                "POST",
                f"/v1/orders/{order_id}/transitions",
                MANAGER,
                body={"to": "processing"},
                environment=environment,
            )["statusCode"]
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = list(pool.map(move_in, environments(2)))

    assert sorted(statuses) == [200, 409]
    assert len(outbox_events("order.processing")) == 1


@pytest.mark.usefixtures("isolated_transactions")
def test_a_payment_racing_a_cancellation_never_leaves_a_paid_order_cancelled_or_the_stock_wrong() -> None:
    put_stock("TEE-M", 20)
    order = place_order(ANN[0], {"TEE-M": 5})
    requests = [
        ("/transitions", MANAGER, {"to": "paid"}),
        ("/cancel", ANN, None),
    ]

    def send(pair: tuple[ModuleType, tuple[str, tuple[str, str], dict[str, str] | None]]) -> int:
        environment, (suffix, principal, body) = pair
        path = f"/v1/orders/{order.id}{suffix}"
        return int(call("POST", path, principal, body=body, environment=environment)["statusCode"])

    with ThreadPoolExecutor(max_workers=2) as pool:
        payment, cancellation = list(pool.map(send, zip(environments(2), requests, strict=True)))

    # The cancellation came first (the payment is refused); or the payment did, and the owner's
    # cancellation either refunded the paid order in full or lost its write to the payment (409,
    # the order paid). Never a paid order left cancelled, nor stock counted twice.
    body = body_of(call("GET", f"/v1/orders/{order.id}", ANN))
    outcome = (payment, cancellation, body["status"])
    assert outcome in {(409, 200, "cancelled"), (200, 200, "cancelled"), (200, 409, "paid")}, outcome
    assert body["refunded_total"] == (body["total"] if outcome == (200, 200, "cancelled") else 0)
    assert counters("TEE-M") == ((15, 0, 15) if body["status"] == "paid" else (20, 0, 20))
