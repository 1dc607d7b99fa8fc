"""A completion's stored answer comes back equal to the first one (pure: the serializer only)."""

from __future__ import annotations

import json

from storefront.domain.checkout.completion import Completion
from storefront.domain.checkout.idempotency import _SERIALIZER
from storefront.domain.orders.entities import (
    ChosenShipping,
    HistoryEntry,
    Order,
    OrderLine,
    OrderPayment,
    PostalAddress,
)
from storefront.payments.port import PaymentStart

ADDRESS = PostalAddress("Ann Lee", "1 Main St", None, "Springfield", None, "12345", "US", None)
PLACED = Order(
    id="01JORDER",
    number="ABCD2345",
    user_id="01JUSER",
    status="pending_payment",
    items=(OrderLine("TEE", "P1", "Tee", {"size": "M"}, 2, 1000),),
    shipping_total=500,
    currency="USD",
    shipping_address=ADDRESS,
    billing_address=ADDRESS,
    shipping_method=ChosenShipping("standard", "Standard", "Standard", 500, 3, 7),
    payment=OrderPayment("stripe", "pending", "pi_1"),
    created_at=1_800_000_000,
    updated_at=1_800_000_000,
    payment_deadline=1_800_001_800,
    history=(HistoryEntry("pending_payment", 1_800_000_000, "01JUSER"),),
)


def test_a_replayed_completion_equals_the_first_answer_after_a_round_trip_through_json() -> None:
    # The stored answer goes to DynamoDB as JSON: tuples come back as lists unless rebuilt.
    first = Completion(PLACED, PaymentStart("stripe", "pi_1", "pi_1_secret"))

    replayed = _SERIALIZER.from_dict(json.loads(json.dumps(_SERIALIZER.to_dict(first))))

    assert replayed == first
