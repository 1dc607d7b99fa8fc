"""The payments port: what checkout, the webhook and the expiry ask of a payment provider.

Plain dataclasses and a Protocol, so the domain depends on no SDK; the Stripe adapter
(stripe_provider.py) imports the SDK only when it is first used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

from storefront.domain.errors import BadRequest, Conflict, DomainError, ServiceUnavailable

ProviderName = Literal["stripe", "manual"]
PaymentMethod = Literal["card", "manual"]

# Stripe's PaymentIntent statuses that matter to us; others pass through as Stripe spells them.
SUCCEEDED = "succeeded"
CANCELED = "canceled"


@dataclass(frozen=True)
class PaymentStart:
    """How the client pays: for `stripe`, the PaymentIntent to confirm with its client secret."""

    provider: ProviderName
    payment_intent_id: str | None
    client_secret: str | None


@dataclass(frozen=True)
class IntentState:
    """A PaymentIntent as Stripe reports it: `status` is Stripe's ("succeeded",
    "requires_payment_method", "canceled", ...), `currency` upper-case like ours, and
    `order_id` its `metadata.order_id` (None when it has none: not one of ours)."""

    id: str
    status: str
    amount: int
    currency: str
    order_id: str | None


@dataclass(frozen=True)
class StripeEvent:
    """A verified Stripe event; `intent` is None for the types we do not use."""

    id: str
    type: str
    intent: IntentState | None


class PaymentProvider(Protocol):
    name: ProviderName

    def start(self, order_id: str, amount: int, currency: str) -> PaymentStart:
        """Begin paying for an order; the same order always gets the same payment."""
        ...

    def retrieve(self, intent_id: str) -> IntentState: ...

    def cancel(self, intent_id: str) -> None:
        """Best effort (an expired order): a payment that cannot be cancelled is left as it is."""
        ...

    def refund(self, intent_id: str, amount: int, idempotency_key: str) -> str:
        """Refund `amount` (minor units) once per `idempotency_key`; the refund's id."""
        ...


class PaymentProviderUnavailable(ServiceUnavailable):
    """The provider did not answer, or asked us to slow down: the same request may succeed later."""

    code, title = "payment-provider-unavailable", "Payment provider unavailable"

    def __init__(self, detail: str = "The payment provider is not reachable; try again shortly.", **extra: Any):
        super().__init__(detail, retry_after=2, **extra)


class PaymentProviderRefused(DomainError):
    """The provider refused a request (an unknown PaymentIntent, a refund over what was paid):
    retrying the same request will not help. `provider_code` is the provider's error code."""

    status, code, title = 502, "payment-provider-refused", "Payment provider refused"


class RefundKeyReused(Conflict):
    """The provider already holds a refund under this idempotency key with other parameters:
    another request refunded a different amount as the same refund of the order. Reading the
    order again shows what was recorded; the same request will keep clashing."""

    code, title = "refund-key-reused", "Refund already requested differently"


class BadSignature(BadRequest):
    """A Stripe webhook whose `Stripe-Signature` is missing, wrong or older than the tolerance."""

    code = "bad-signature"


class MalformedStripeEvent(BadRequest):
    """A correctly signed body that is not a Stripe event we can read."""

    code = "malformed-event"
