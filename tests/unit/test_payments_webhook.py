"""verify_stripe_event: Stripe's signature with a 300 s tolerance, then only what we use."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from storefront.payments import (
    BadSignature,
    IntentState,
    MalformedStripeEvent,
    PaymentProviderUnavailable,
    StripeEvent,
    verify_stripe_event,
)
from storefront.payments.credentials import StripeConfigurationError, StripeCredentials, credentials_cache
from tests.payments_support import intent_event, stripe_signature


@pytest.fixture(autouse=True)
def fresh_credentials() -> Iterator[None]:
    credentials_cache.clear()
    yield
    credentials_cache.clear()


def test_signed_success_event_is_read_with_its_payment_intent() -> None:
    payload = intent_event(order_id="01ORDERX", amount=2599, currency="eur")

    event = verify_stripe_event(payload, stripe_signature(payload))

    assert event == StripeEvent(
        id="evt_test_1",
        type="payment_intent.succeeded",
        intent=IntentState(id="pi_test_1", status="succeeded", amount=2599, currency="EUR", order_id="01ORDERX"),
    )


def test_failed_payment_event_carries_its_intent_and_an_intent_without_order_has_none() -> None:
    payload = intent_event("payment_intent.payment_failed", order_id=None, status="requires_payment_method")

    event = verify_stripe_event(payload, stripe_signature(payload))

    assert event.type == "payment_intent.payment_failed"
    assert event.intent is not None
    assert (event.intent.status, event.intent.order_id) == ("requires_payment_method", None)


def test_event_type_we_do_not_use_is_verified_and_carries_no_intent() -> None:
    payload = json.dumps({"id": "evt_9", "object": "event", "type": "charge.refunded", "data": {"object": {}}}).encode()

    assert verify_stripe_event(payload, stripe_signature(payload)) == StripeEvent("evt_9", "charge.refunded", None)


def test_signature_with_another_secret_is_refused() -> None:
    payload = intent_event()

    with pytest.raises(BadSignature):
        verify_stripe_event(payload, stripe_signature(payload, secret="whsec_someone_else"))


def test_body_changed_after_signing_is_refused() -> None:
    payload = intent_event(amount=2599)
    header = stripe_signature(payload)

    with pytest.raises(BadSignature):
        verify_stripe_event(intent_event(amount=1), header)


def test_signature_older_than_300_seconds_is_refused() -> None:
    payload = intent_event()

    with pytest.raises(BadSignature):
        verify_stripe_event(payload, stripe_signature(payload, timestamp=int(time.time()) - 301))


def test_signature_within_300_seconds_is_accepted() -> None:
    payload = intent_event()

    assert verify_stripe_event(payload, stripe_signature(payload, timestamp=int(time.time()) - 290)).id == "evt_test_1"


@pytest.mark.parametrize("header", [None, "", "t=1", "v1=abc", "garbage", "t=é,v1=ü", "t=1,v1=" + "a" * 5000])
def test_missing_or_unreadable_signature_header_is_refused(header: str | None) -> None:
    with pytest.raises(BadSignature):
        verify_stripe_event(intent_event(), header)


def test_non_utf8_body_is_refused_not_a_server_error() -> None:
    payload = b"\xff\xfe" + intent_event()

    with pytest.raises(BadSignature):
        verify_stripe_event(payload, stripe_signature(payload))


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b"{}",
        b'{"id": 1, "type": "payment_intent.succeeded"}',
        b'{"id": "evt_1", "type": "payment_intent.succeeded", "data": {}}',
        b'{"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {"object": "charge"}}}',
        b'{"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_1", "amount": NaN}}}',
        b"[" * 100_000,
        b"not json",
    ],
)
def test_signed_body_that_is_not_a_readable_event_is_refused(body: bytes) -> None:
    with pytest.raises(MalformedStripeEvent):
        verify_stripe_event(body, stripe_signature(body))


def test_rotated_endpoint_secret_is_read_again_after_a_miss(monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = iter(["whsec_old", "whsec_new"])
    monkeypatch.setattr(credentials_cache, "load", lambda: StripeCredentials("sk_test_x", next(secrets)))
    monkeypatch.setattr(credentials_cache, "miss_interval", -1.0)
    payload = intent_event()

    assert verify_stripe_event(payload, stripe_signature(payload, secret="whsec_new")).id == "evt_test_1"


def test_forged_events_read_the_secret_again_at_most_every_30_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[int] = []

    def read() -> StripeCredentials:
        reads.append(1)
        return StripeCredentials("sk_test_x", "whsec_ours")

    monkeypatch.setattr(credentials_cache, "load", read)
    payload = intent_event()
    for _ in range(5):
        with pytest.raises(BadSignature):
            verify_stripe_event(payload, stripe_signature(payload, secret="whsec_forged"))

    assert len(reads) == 1


def test_unconfigured_stripe_answers_unavailable_so_stripe_delivers_again(monkeypatch: pytest.MonkeyPatch) -> None:
    def read() -> StripeCredentials:
        raise StripeConfigurationError("the Stripe secret still holds its placeholder")

    monkeypatch.setattr(credentials_cache, "load", read)
    payload = intent_event()

    with pytest.raises(PaymentProviderUnavailable) as raised:
        verify_stripe_event(payload, stripe_signature(payload))
    assert raised.value.status == 503
    assert "placeholder" not in raised.value.detail  # the operator's reason is logged, not answered
