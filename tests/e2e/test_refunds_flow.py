"""Refunds over HTTP against the local runtime and localstripe: a card order paid through the
webhook is refunded in part, then in full; another is cancelled by its owner, refunded once
however often the cancellation is sent, and its units are back in stock."""

from __future__ import annotations

import pytest

from tests.e2e.local_api import LocalApi
from tests.e2e.orders_support import paid_card_order, product, stock
from tests.e2e.test_catalog_flow import call, register_shopper

pytestmark = pytest.mark.e2e


def test_a_paid_card_order_is_refunded_in_part_then_in_full_and_never_beyond(local_api: LocalApi, manager: str) -> None:
    sku = product(local_api, manager, stock=5)
    shopper = register_shopper(local_api, "Refunded")
    order = paid_card_order(local_api, shopper, sku, 2)
    path = f"/v1/orders/{order['id']}/refunds"

    assert call(local_api, "POST", path, shopper, {"reason": "mine"}).status_code == 403
    partial = call(local_api, "POST", path, manager, {"amount": 1000, "reason": "one sleeve torn"})
    over = call(local_api, "POST", path, manager, {"amount": order["total"], "reason": "too much"})
    rest = call(local_api, "POST", path, manager, {"reason": "returned"})

    assert partial.status_code == 201, partial.text
    assert (partial.json()["status"], partial.json()["payment"]["status"]) == ("paid", "partially_refunded")
    assert (over.status_code, over.json()["refundable"]) == (422, order["total"] - 1000)
    assert rest.status_code == 201, rest.text
    assert (rest.json()["status"], rest.json()["refunded_total"]) == ("refunded", order["total"])
    refunds = rest.json()["refunds"]
    assert [refund["amount"] for refund in refunds] == [1000, order["total"] - 1000]
    assert all(refund["provider_refund_id"] for refund in refunds)
    assert len({refund["provider_refund_id"] for refund in refunds}) == 2
    assert stock(local_api, manager, sku) == (3, 0, 3)  # a refund alone puts nothing back


def test_the_owner_cancels_a_paid_card_order_it_is_refunded_once_and_its_stock_is_back(
    local_api: LocalApi, manager: str
) -> None:
    sku = product(local_api, manager, stock=5)
    shopper = register_shopper(local_api, "Cancelled")
    order = paid_card_order(local_api, shopper, sku, 2)
    assert stock(local_api, manager, sku) == (3, 0, 3)
    path = f"/v1/orders/{order['id']}/cancel"

    cancelled = call(local_api, "POST", path, shopper)
    retried = call(local_api, "POST", path, shopper)

    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert (body["status"], body["payment"]["status"], body["refunded_total"]) == (
        "cancelled",
        "refunded",
        order["total"],
    )
    assert len(body["refunds"]) == 1
    assert (retried.status_code, retried.json()["current_status"]) == (409, "cancelled")
    assert call(local_api, "GET", f"/v1/orders/{order['id']}", shopper).json()["refunds"] == body["refunds"]
    assert stock(local_api, manager, sku) == (5, 0, 5)
