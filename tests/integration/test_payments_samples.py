"""The sample events of events/payments/ and events/order_expiry/ (also `sam local invoke` inputs).

The webhook samples are signed with the local webhook secret at a fixed time: as they are,
they are stale (400); signed again now, as Stripe would deliver them, they are applied.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from storefront.payments.credentials import credentials_cache
from tests.integration.inventory_calls import put_stock
from tests.integration.payments_calls import (
    FakeCardProvider,
    counters,
    events_of,
    expiry_function,
    payments_function,
    place,
    run_expiry,
    stored,
)
from tests.payments_support import stripe_signature
from tests.support import FakeContext, sample_event

pytestmark = pytest.mark.usefixtures("aws")
SAMPLE_ORDER = "01JDQ80000000000000000ORDR"  # the order of events/payments/*.json: 2 × 1000 + 500 shipping
SAMPLE_INTENT = "pi_3SAMPLE0000000000000001"


def replay(case: str, *, sign_now: bool = True) -> dict[str, Any]:
    event = sample_event("payments", case)
    if sign_now:
        event["headers"]["stripe-signature"] = stripe_signature(event["body"].encode())
    return dict(payments_function.lambda_handler(event, FakeContext()))


def test_every_webhook_sample_is_applied_when_delivered_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(payments_function, "payment_provider", lambda name: FakeCardProvider())
    credentials_cache.clear()
    put_stock("SAMPLE-TEE", 10)
    place(SAMPLE_ORDER, {"SAMPLE-TEE": 2}, intent_id=SAMPLE_INTENT)

    for case in ("event-not-used", "payment-failed", "payment-succeeded"):
        response = replay(case)
        assert response["statusCode"] == 200, (case, response)
        assert json.loads(response["body"]) == {"received": True}
        assert response["headers"]["X-Request-Id"] == f"payments-{case}-0001"

    assert [event["data"]["failure_code"] for event in events_of("payment.failed")] == ["insufficient_funds"]
    assert stored(SAMPLE_ORDER).status == "paid"
    assert counters("SAMPLE-TEE") == (8, 0, 8)


def test_a_webhook_sample_as_stored_is_stale_and_refused() -> None:
    credentials_cache.clear()

    assert replay("payment-succeeded", sign_now=False)["statusCode"] == 400


def test_the_schedule_sample_runs_the_expiry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(expiry_function, "payment_provider", lambda name: FakeCardProvider())

    assert run_expiry() == {"cancelled": 0, "paid": 0, "left": 0}
