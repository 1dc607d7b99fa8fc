"""The sample events of events/cart/ and events/cart_expiry/ (also `sam local invoke` inputs) succeed when replayed."""

from __future__ import annotations

import pytest

from devkit.functions import load_handler_module
from tests.integration.cart_calls import cart_function, product
from tests.integration.inventory_calls import outbox_events
from tests.integration.principals import ensure_user
from tests.support import FakeContext, sample_event

pytestmark = pytest.mark.usefixtures("aws")


def test_every_cart_sample_event_succeeds_when_replayed_in_order() -> None:
    claims = sample_event("cart", "add-item")["requestContext"]["authorizer"]["jwt"]["claims"]
    ensure_user((claims["sub"], "customer"))
    product("SAMPLE-1")
    cases = [
        ("add-item", 204),
        ("get-cart", 200),
        ("set-item", 204),
        ("remove-item", 204),
        ("delete-cart", 204),
        ("start-guest-cart", 201),
    ]
    for case, status in cases:
        response = cart_function.lambda_handler(sample_event("cart", case), FakeContext())
        assert response["statusCode"] == status, (case, response)


def test_the_expired_header_sample_emits_cart_abandoned() -> None:
    expiry = load_handler_module("functions/cart_expiry")
    response = expiry.lambda_handler(sample_event("cart_expiry", "header-expired"), FakeContext())
    assert response == {"batchItemFailures": []}
    (event,) = outbox_events("cart.abandoned")
    assert event["id"] == "01JDQ80000000000000000CART"
