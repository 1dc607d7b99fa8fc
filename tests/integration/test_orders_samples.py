"""The sample events of events/orders/ (also `sam local invoke` input) are served when replayed."""

from __future__ import annotations

import pytest

from tests.integration.inventory_calls import put_stock
from tests.integration.orders_calls import body_of, counters, orders_function, place_order
from tests.integration.principals import ensure_user, sample_principal
from tests.support import FakeContext, sample_event

pytestmark = pytest.mark.usefixtures("aws")
SAMPLE_CUSTOMER = "01JDQ7Z8X9K2M3N4P5Q6R7S8T9"  # the customer of events/orders/*.json
SAMPLE_PAID = "01JDQ90000000000000000PAY1"  # the manual order the manager marks paid, an admin refunds in part
SAMPLE_CANCELLED = "01JDQ90000000000000000CNC1"  # the unpaid order its owner cancels
CASES = [
    ("list-orders", 200),
    ("list-orders-by-status", 200),
    ("get-order", 200),
    ("pay-manual-order", 200),
    ("cancel-order", 200),
    ("refund-order", 201),
]


def test_every_sample_event_succeeds_when_replayed_in_order() -> None:
    put_stock("SAMPLE-TEE", 10)
    place_order(SAMPLE_CUSTOMER, {"SAMPLE-TEE": 2}, order_id=SAMPLE_PAID)
    place_order(SAMPLE_CUSTOMER, {"SAMPLE-TEE": 3}, order_id=SAMPLE_CANCELLED)
    answers = {}
    for case, status in CASES:
        ensure_user(sample_principal("orders", case))
        response = orders_function.lambda_handler(sample_event("orders", case), FakeContext())
        assert response["statusCode"] == status, (case, response)
        assert response["headers"]["X-Request-Id"].startswith(f"orders-{case}")
        answers[case] = body_of(response)
    assert {order["id"] for order in answers["list-orders"]["items"]} == {SAMPLE_PAID, SAMPLE_CANCELLED}
    assert (answers["pay-manual-order"]["status"], answers["cancel-order"]["status"]) == ("paid", "cancelled")
    assert (answers["refund-order"]["status"], answers["refund-order"]["refunded_total"]) == ("paid", 500)
    assert counters("SAMPLE-TEE") == (8, 0, 8)
