"""The sample events of events/checkout/ (also `sam local invoke` input) are served when replayed."""

from __future__ import annotations

import pytest

from storefront.domain.checkout import service
from tests.integration.checkout_calls import body_of, checkout_function, fill_cart, product
from tests.integration.orders_calls import counters
from tests.integration.principals import ensure_user, sample_principal
from tests.support import FakeContext, sample_event

pytestmark = pytest.mark.usefixtures("aws")
SAMPLE_CUSTOMER = ("01JDQ7Z8X9K2M3N4P5Q6R7S8T9", "customer")  # the customer of events/checkout/*.json
SAMPLE_CHECKOUT = "01JDQ90000000000000000CHK1"  # the checkout the samples open, change and complete
CASES = [
    ("open-checkout", 201),
    ("get-checkout", 200),
    ("patch-checkout", 200),
    ("shipping-methods", 200),
    ("complete-checkout", 201),
]


def test_every_sample_event_succeeds_when_replayed_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    product("SAMPLE-MUG", stock=5, price=1200, weight=350)
    fill_cart({"SAMPLE-MUG": 2}, SAMPLE_CUSTOMER)
    monkeypatch.setattr(service, "new_ulid", lambda *_: SAMPLE_CHECKOUT)  # the id the other samples name
    answers = {}
    for case, status in CASES:
        ensure_user(sample_principal("checkout", case))
        response = checkout_function.lambda_handler(sample_event("checkout", case), FakeContext())
        assert response["statusCode"] == status, (case, response)
        assert response["headers"]["X-Request-Id"].startswith(f"checkout-{case}")
        answers[case] = body_of(response)
    assert answers["open-checkout"]["id"] == SAMPLE_CHECKOUT
    assert answers["patch-checkout"]["shipping_method"]["id"] == "standard"
    assert [method["id"] for method in answers["shipping-methods"]] == ["standard"]
    completed = answers["complete-checkout"]
    assert (completed["order"]["id"], completed["order"]["status"]) == (SAMPLE_CHECKOUT, "pending_payment")
    assert completed["order"]["total"] == 2 * 1200 + answers["patch-checkout"]["shipping_total"]
    assert completed["payment"]["provider"] == "manual"
    assert counters("SAMPLE-MUG") == (5, 2, 3)
