"""The Stripe adapter's calls (a fake client records them) and its error mapping."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest
import stripe

from storefront.payments import (
    IntentState,
    ManualProvider,
    PaymentProviderRefused,
    PaymentProviderUnavailable,
    PaymentStart,
    RefundKeyReused,
    StripeProvider,
    payment_provider,
)
from storefront.payments import stripe_provider as stripe_provider_module
from storefront.settings import get_settings
from tests.support import ROOT


class _Service:
    def __init__(self, calls: list[tuple[str, Any, Any]], name: str, answer: Any, error: Exception | None) -> None:
        self.calls, self.name, self.answer, self.error = calls, name, answer, error

    def _call(self, method: str, argument: Any, options: Any) -> Any:
        self.calls.append((f"{self.name}.{method}", argument, options))
        if self.error is not None:
            raise self.error
        return self.answer

    def create(self, params: Any, options: Any = None) -> Any:
        return self._call("create", params, options)

    def retrieve(self, intent_id: str) -> Any:
        return self._call("retrieve", intent_id, None)

    def cancel(self, intent_id: str) -> Any:
        return self._call("cancel", intent_id, None)


class FakeStripe:
    """Answers like StripeClient.v1 (the SDK's objects are dict-like with attributes)."""

    def __init__(self, answer: Any = None, error: Exception | None = None) -> None:
        self.calls: list[tuple[str, Any, Any]] = []
        self.v1 = SimpleNamespace(
            payment_intents=_Service(self.calls, "payment_intents", answer, error),
            refunds=_Service(self.calls, "refunds", answer, error),
        )


def _intent(**fields: Any) -> stripe.PaymentIntent:
    values = {
        "id": "pi_1",
        "object": "payment_intent",
        "client_secret": "pi_1_secret_x",
        "status": "requires_payment_method",
        "amount": 2599,
        "currency": "usd",
        "metadata": {"order_id": "01ORDER"},
    }
    return stripe.PaymentIntent.construct_from({**values, **fields}, "sk_test_x")


def _provider(fake: FakeStripe) -> StripeProvider:
    return StripeProvider(client_factory=lambda: fake)  # type: ignore[arg-type, return-value]


@pytest.fixture
def real_stripe(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings as on AWS: no STRIPE_API_BASE, so the SDK talks to Stripe itself."""
    settings = replace(get_settings(), stripe_api_base="")
    monkeypatch.setattr(stripe_provider_module, "get_settings", lambda: settings)


@pytest.fixture
def local_stripe(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = replace(get_settings(), stripe_api_base="http://127.0.0.1:8420")
    monkeypatch.setattr(stripe_provider_module, "get_settings", lambda: settings)


@pytest.mark.usefixtures("real_stripe")
def test_start_creates_an_intent_for_the_order_with_a_key_derived_from_its_id() -> None:
    fake = FakeStripe(_intent())

    started = _provider(fake).start("01ORDER", 2599, "USD")

    assert started == PaymentStart(provider="stripe", payment_intent_id="pi_1", client_secret="pi_1_secret_x")
    assert fake.calls == [
        (
            "payment_intents.create",
            {
                "amount": 2599,
                "currency": "usd",
                "metadata": {"order_id": "01ORDER"},
                "automatic_payment_methods": {"enabled": True},
            },
            {"idempotency_key": "order-01ORDER-payment-intent"},
        )
    ]


@pytest.mark.usefixtures("real_stripe")
def test_start_again_for_the_same_order_sends_the_same_request_and_key() -> None:
    """Stripe answers a repeated key with the first PaymentIntent only if the parameters are equal."""
    fake = FakeStripe(_intent())
    provider = _provider(fake)

    provider.start("01ORDER", 2599, "USD")
    provider.start("01ORDER", 2599, "USD")
    provider.start("01OTHER", 2599, "USD")

    first, again, other = fake.calls
    assert first == again
    assert other[2] == {"idempotency_key": "order-01OTHER-payment-intent"}


@pytest.mark.usefixtures("local_stripe")
def test_start_against_localstripe_asks_for_cards_because_it_refuses_automatic_methods() -> None:
    fake = FakeStripe(_intent())

    _provider(fake).start("01ORDER", 2599, "USD")

    params = fake.calls[0][1]
    assert params["payment_method_types"] == ["card"]
    assert "automatic_payment_methods" not in params


def test_retrieve_reads_status_amount_upper_currency_and_order() -> None:
    fake = FakeStripe(_intent(status="succeeded", currency="eur"))

    state = _provider(fake).retrieve("pi_1")

    assert state == IntentState(id="pi_1", status="succeeded", amount=2599, currency="EUR", order_id="01ORDER")
    assert fake.calls == [("payment_intents.retrieve", "pi_1", None)]


def test_retrieve_of_an_intent_without_our_metadata_has_no_order() -> None:
    assert _provider(FakeStripe(_intent(metadata={}))).retrieve("pi_1").order_id is None


def test_refund_sends_amount_and_idempotency_key_and_returns_the_refund_id() -> None:
    fake = FakeStripe(stripe.Refund.construct_from({"id": "re_1", "object": "refund"}, "sk_test_x"))

    refund_id = _provider(fake).refund("pi_1", 1000, "order-01ORDER-refund-auto")

    assert refund_id == "re_1"
    assert fake.calls == [
        (
            "refunds.create",
            {"payment_intent": "pi_1", "amount": 1000},
            {"idempotency_key": "order-01ORDER-refund-auto"},
        )
    ]


@pytest.mark.parametrize(
    "error",
    [
        stripe.APIConnectionError("no route to host"),  # type: ignore[no-untyped-call]
        stripe.RateLimitError("slow down"),
        stripe.APIError("stripe is down"),
        stripe.AuthenticationError("bad key"),
    ],
)
@pytest.mark.usefixtures("real_stripe")
def test_transient_or_configuration_failures_are_unavailable_with_retry_after(error: Exception) -> None:
    with pytest.raises(PaymentProviderUnavailable) as raised:
        _provider(FakeStripe(error=error)).start("01ORDER", 2599, "USD")

    assert (raised.value.status, raised.value.retry_after) == (503, 2)


def test_refusal_is_a_refused_error_naming_stripes_code() -> None:
    error = stripe.InvalidRequestError("No such payment_intent", param="id", code="resource_missing")  # type: ignore[no-untyped-call]

    with pytest.raises(PaymentProviderRefused) as raised:
        _provider(FakeStripe(error=error)).retrieve("pi_missing")

    assert raised.value.extra == {"provider_code": "resource_missing"}


def test_a_refund_key_reused_with_another_amount_is_a_409_refund_key_reused() -> None:
    error = stripe.IdempotencyError("Keys for idempotent requests can only be used with the same parameters")

    with pytest.raises(RefundKeyReused) as raised:
        _provider(FakeStripe(error=error)).refund("pi_1", 700, "order-01ORDER-refund-2")

    assert (raised.value.status, raised.value.code) == (409, "refund-key-reused")
    assert "same key" in raised.value.detail


@pytest.mark.parametrize("error", [stripe.InvalidRequestError("already succeeded", param=None), stripe.APIError("x")])  # type: ignore[no-untyped-call]
def test_cancel_is_best_effort_and_never_raises(error: Exception) -> None:
    fake = FakeStripe(error=error)

    _provider(fake).cancel("pi_1")

    assert fake.calls == [("payment_intents.cancel", "pi_1", None)]


def test_payment_methods_map_to_their_providers() -> None:
    assert payment_provider("card").name == "stripe"
    assert isinstance(payment_provider("manual"), ManualProvider)


def test_manual_provider_starts_nothing_and_refunds_nothing_through_an_api() -> None:
    manual = payment_provider("manual")

    assert manual.start("01ORDER", 2599, "USD") == PaymentStart(
        provider="manual", payment_intent_id=None, client_secret=None
    )
    manual.cancel("anything")  # nothing was started: nothing to cancel, nothing raised
    with pytest.raises(PaymentProviderRefused):
        manual.refund("anything", 1, "key")


def test_importing_the_payments_package_does_not_import_stripe() -> None:
    probe = "import sys, storefront.payments; print('stripe' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={
            "PYTHONPATH": f"{ROOT / 'layers' / 'shared'}:{ROOT}",
            "TABLE_NAME": "storefront-test",
            "PATH": "/usr/bin:/bin",
        },
    )
    assert result.stdout.strip() == "False"
