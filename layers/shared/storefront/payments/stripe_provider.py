"""The `card` provider: Stripe PaymentIntents through the official SDK.

`stripe` is imported on first use, not at import: only the functions that talk to Stripe
ship it (their own requirements.txt), and their cold starts pay ≈ 80 ms for it only when
a request needs it. Every SDK failure becomes a domain error: a transient one (no answer,
rate limited, Stripe's own 5xx) is `PaymentProviderUnavailable` (503 with Retry-After), a
refusal is `PaymentProviderRefused`; never a 500 with a stack trace.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from storefront.observability import module_logger
from storefront.payments.credentials import StripeConfigurationError, credentials_cache
from storefront.payments.port import (
    IntentState,
    PaymentProviderRefused,
    PaymentProviderUnavailable,
    PaymentStart,
    ProviderName,
    RefundKeyReused,
)
from storefront.settings import get_settings

if TYPE_CHECKING:
    from stripe import StripeClient

_logger = module_logger()

# Connect and read timeouts (s): three tries take 18 s at worst, within the timeout of each
# function that calls Stripe (template.yaml: 20-25 s); the SDK's own default (80 s) would
# outlive it. Retries (2, on connection errors and 409/429/5xx) reuse the same idempotency
# key, so a retried create never makes a second PaymentIntent.
HTTP_TIMEOUT_S = (2.0, 4.0)
MAX_NETWORK_RETRIES = 2


def payment_intent_idempotency_key(order_id: str) -> str:
    """The key of an order's PaymentIntent: a retried completion gets the same PaymentIntent."""
    return f"order-{order_id}-payment-intent"


def intent_state(intent: Mapping[str, Any]) -> IntentState:
    """An IntentState from a PaymentIntent as JSON (a webhook's, or the SDK's `to_dict()`)."""
    metadata = intent.get("metadata") or {}
    order_id = metadata.get("order_id")
    return IntentState(
        id=str(intent["id"]),
        status=str(intent["status"]),
        amount=int(intent["amount"]),
        currency=str(intent["currency"]).upper(),
        order_id=str(order_id) if order_id else None,
    )


_clients: dict[tuple[str, str], StripeClient] = {}
_clients_lock = threading.Lock()


def _client() -> StripeClient:
    """One client per key and API base per container: its HTTP session is reused."""
    api_key = credentials_cache.current().api_key
    api_base = get_settings().stripe_api_base
    with _clients_lock:
        if (api_key, api_base) not in _clients:
            import stripe  # lazily: see the module's docstring

            _clients[(api_key, api_base)] = stripe.StripeClient(
                api_key,
                base_addresses={"api": api_base} if api_base else None,
                max_network_retries=MAX_NETWORK_RETRIES,
                http_client=stripe.RequestsClient(timeout=HTTP_TIMEOUT_S),
            )
        return _clients[(api_key, api_base)]


@contextmanager
def _stripe_errors(action: str) -> Iterator[None]:
    import stripe

    try:
        yield
    except StripeConfigurationError as error:
        _logger.error("Stripe is not configured", extra={"action": action, "reason": str(error)})
        raise PaymentProviderUnavailable() from error
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
        _logger.warning("Stripe did not answer", extra={"action": action, "error": type(error).__name__})
        raise PaymentProviderUnavailable() from error
    except (stripe.AuthenticationError, stripe.PermissionError) as error:
        # Our key is wrong or lacks a permission: the operator must act, the client may retry later.
        _logger.error("Stripe refused our API key", extra={"action": action, "error": type(error).__name__})
        raise PaymentProviderUnavailable() from error
    except stripe.IdempotencyError as error:
        # The key names one refund of one order (its sequence number): reused with another amount.
        _logger.warning("Stripe idempotency key reused with other parameters", extra={"action": action})
        raise RefundKeyReused(
            f"The payment provider already received a different request to {action} under the same key: "
            "another request is refunding this order at the same time. Read the order and try again.",
        ) from error
    except stripe.StripeError as error:
        code = getattr(error, "code", None) or type(error).__name__
        _logger.warning("Stripe refused a request", extra={"action": action, "provider_code": code})
        raise PaymentProviderRefused(f"The payment provider refused to {action}.", provider_code=str(code)) from error


class StripeProvider:
    name: ProviderName = "stripe"

    def __init__(self, client_factory: Callable[[], StripeClient] = _client) -> None:
        self._client_factory = client_factory

    def start(self, order_id: str, amount: int, currency: str) -> PaymentStart:
        params: dict[str, Any] = {"amount": amount, "currency": currency.lower(), "metadata": {"order_id": order_id}}
        if get_settings().stripe_api_base:
            # A fake Stripe (localstripe) refuses `automatic_payment_methods` ("Unexpected
            # automatic_payment_methods"); cards are all it offers anyway.
            params["payment_method_types"] = ["card"]
        else:
            params["automatic_payment_methods"] = {"enabled": True}
        with _stripe_errors("start a payment"):
            intent = self._client_factory().v1.payment_intents.create(
                params=params,  # type: ignore[arg-type]
                options={"idempotency_key": payment_intent_idempotency_key(order_id)},
            )
        return PaymentStart(provider="stripe", payment_intent_id=intent.id, client_secret=intent.client_secret)

    def retrieve(self, intent_id: str) -> IntentState:
        with _stripe_errors("read a payment"):
            intent = self._client_factory().v1.payment_intents.retrieve(intent_id)
        return intent_state(intent.to_dict())  # the SDK's objects are not dicts

    def cancel(self, intent_id: str) -> None:
        try:
            with _stripe_errors("cancel a payment"):
                self._client_factory().v1.payment_intents.cancel(intent_id)
        except (PaymentProviderUnavailable, PaymentProviderRefused) as error:
            # Best effort: a PaymentIntent left open and paid later is refunded by the webhook.
            _logger.warning("a payment intent was not cancelled", extra={"intent_id": intent_id, "reason": error.code})

    def refund(self, intent_id: str, amount: int, idempotency_key: str) -> str:
        with _stripe_errors("refund a payment"):
            refund = self._client_factory().v1.refunds.create(
                params={"payment_intent": intent_id, "amount": amount},
                options={"idempotency_key": idempotency_key},
            )
        return str(refund.id)
