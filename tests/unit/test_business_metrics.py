"""Business metrics are counted off the events the relay published: each committed change once."""

from __future__ import annotations

import json

from storefront.events.business_metrics import metrics_of
from storefront.events.relay import Outgoing


def _published(event_type: str, data: dict[str, object], key: str = "1") -> Outgoing:
    envelope = {"id": key, "type": event_type, "version": 1, "occurred_at": "2026-12-04T10:00:00Z", "data": data}
    return Outgoing(key, key, event_type, json.dumps(envelope))


def test_orders_payments_money_per_currency_and_stock_outs_are_counted() -> None:
    published = [
        _published("order.created", {"total": 1000, "currency": "USD"}),
        _published("order.paid", {"total": 1000, "currency": "USD"}),
        _published("order.paid", {"total": 2500, "currency": "USD"}),
        _published("order.paid", {"total": 900, "currency": "EUR"}),
        _published("order.refunded", {"amount": 300, "currency": "USD"}),
        _published("order.cancelled", {"total": 900, "currency": "EUR"}),
        _published("payment.failed", {"total": 100, "currency": "USD"}),
        _published("inventory.availability_changed", {"sku": "A", "in_stock": False}),
        _published("inventory.availability_changed", {"sku": "B", "in_stock": True}),
        _published("product.created", {"product_id": "P"}),
    ]

    assert metrics_of(published) == {
        "OrdersPlaced": 1,
        "OrdersPaid": 3,
        "Revenue.USD": 3500,
        "Revenue.EUR": 900,
        "Refunded.USD": 300,
        "OrdersCancelled": 1,
        "PaymentFailures": 1,
        "StockOuts": 1,
    }


def test_events_that_measure_nothing_count_nothing() -> None:
    assert metrics_of([_published("product.updated", {}), _published("review.approved", {})]) == {}
