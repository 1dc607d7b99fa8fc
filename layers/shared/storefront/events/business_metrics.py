"""Business metrics read off the domain events as the relay publishes them.

An order placed, paid or cancelled, a payment failed, a SKU sold out: each is a domain
event, written in the same transaction as the change, so counting the events the relay has
put on the bus counts exactly the changes that committed, whichever function made them
(checkout, the Stripe webhook, a manager, the expiry). Money is summed per currency, in
minor units, under a metric named for it (`Revenue.USD`): a Metrics object has one set of
dimensions, and one relay batch may hold orders in several currencies. A batch the relay
retries can be counted twice (delivery is at least once): rare, and visible as a spike.

No pydantic, no pynamodb: the relay's cold start stays small.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from storefront.events.relay import Outgoing

COUNTED = {
    "order.created": "OrdersPlaced",
    "order.paid": "OrdersPaid",
    "order.cancelled": "OrdersCancelled",
    "payment.failed": "PaymentFailures",
}
MONEY = {"order.paid": ("Revenue", "total"), "order.refunded": ("Refunded", "amount")}


def metrics_of(published: Iterable[Outgoing]) -> Counter[str]:
    """The business metrics of the events published: counts, sums of money per currency, stock-outs."""
    totals: Counter[str] = Counter()
    for item in published:
        if item.event_type in COUNTED:
            totals[COUNTED[item.event_type]] += 1
        if item.event_type in MONEY or item.event_type == "inventory.availability_changed":
            data = json.loads(item.detail).get("data") or {}
            if item.event_type in MONEY:
                name, field = MONEY[item.event_type]
                totals[f"{name}.{data.get('currency')}"] += int(data.get(field) or 0)
            elif data.get("in_stock") is False:
                totals["StockOuts"] += 1
    return totals
