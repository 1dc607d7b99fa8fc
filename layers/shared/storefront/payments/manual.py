"""The `manual` provider (bank transfer, cash on delivery): nothing to call.

The order waits in `pending_payment` until a manager records the payment; there is no
PaymentIntent to retrieve, cancel or refund through an API.
"""

from __future__ import annotations

from storefront.payments.port import IntentState, PaymentProviderRefused, PaymentStart, ProviderName


class ManualProvider:
    name: ProviderName = "manual"

    def start(self, order_id: str, amount: int, currency: str) -> PaymentStart:
        return PaymentStart(provider="manual", payment_intent_id=None, client_secret=None)

    def retrieve(self, intent_id: str) -> IntentState:
        raise PaymentProviderRefused("A manual payment has no payment intent to read.", provider_code="manual")

    def cancel(self, intent_id: str) -> None:
        return None  # nothing was started with anyone

    def refund(self, intent_id: str, amount: int, idempotency_key: str) -> str:
        # Money paid by hand goes back by hand: the order records it, no API moves it.
        raise PaymentProviderRefused("A manual payment is refunded outside the store.", provider_code="manual")
