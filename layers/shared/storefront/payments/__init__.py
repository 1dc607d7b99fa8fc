"""Payments behind a provider port: `card` (Stripe PaymentIntents) and `manual`.

Importing this package imports no SDK: the Stripe adapter loads `stripe` on first use.
"""

from __future__ import annotations

from storefront.payments.manual import ManualProvider
from storefront.payments.port import (
    BadSignature,
    IntentState,
    MalformedStripeEvent,
    PaymentMethod,
    PaymentProvider,
    PaymentProviderRefused,
    PaymentProviderUnavailable,
    PaymentStart,
    RefundKeyReused,
    StripeEvent,
)
from storefront.payments.stripe_provider import StripeProvider, payment_intent_idempotency_key
from storefront.payments.webhook import verify_stripe_event

__all__ = [
    "BadSignature",
    "IntentState",
    "MalformedStripeEvent",
    "ManualProvider",
    "PaymentMethod",
    "PaymentProvider",
    "PaymentProviderRefused",
    "PaymentProviderUnavailable",
    "PaymentStart",
    "RefundKeyReused",
    "StripeEvent",
    "StripeProvider",
    "payment_intent_idempotency_key",
    "payment_provider",
    "verify_stripe_event",
]

_PROVIDERS: dict[PaymentMethod, PaymentProvider] = {}


def payment_provider(name: PaymentMethod) -> PaymentProvider:
    """The provider of a payment method: `card` is Stripe, `manual` waits for a manager."""
    if name not in _PROVIDERS:
        if name == "card":
            _PROVIDERS[name] = StripeProvider()
        elif name == "manual":
            _PROVIDERS[name] = ManualProvider()
        else:
            raise ValueError(f"no payment provider for {name!r}")
    return _PROVIDERS[name]
