"""Stripe webhooks: the `Stripe-Signature` checked with the endpoint secret, the body read.

The signature is checked by the SDK (`WebhookSignature.verify_header`: HMAC-SHA256 of
`<t>.<body>`, any `v1` entry, constant-time) with a 300 s tolerance; a stale, wrong or
missing one is `BadSignature` (400: Stripe retries, a forger learns nothing). The body is
read only after it is verified, and only the fields we use are taken from it.
"""

from __future__ import annotations

import json
from typing import Any

from storefront.observability import module_logger
from storefront.payments.credentials import StripeConfigurationError, credentials_cache
from storefront.payments.port import (
    BadSignature,
    MalformedStripeEvent,
    PaymentProviderUnavailable,
    StripeEvent,
)
from storefront.payments.stripe_provider import intent_state

_logger = module_logger()

TOLERANCE_S = 300
_MAX_HEADER_CHARS = 4096  # a timestamp and a few v1/v0 signatures
# The event types whose PaymentIntent we read; any other type is acknowledged and ignored.
INTENT_EVENT_TYPES = frozenset({"payment_intent.succeeded", "payment_intent.payment_failed"})


def _signature_holds(payload: bytes, signature_header: str, secret: str) -> bool:
    import stripe  # lazily: only the functions that receive webhooks ship it

    try:
        stripe.WebhookSignature.verify_header(payload, signature_header, secret, TOLERANCE_S)
    except stripe.SignatureVerificationError:
        return False
    return True


def _verified(payload: bytes, signature_header: str) -> None:
    try:
        if _signature_holds(payload, signature_header, credentials_cache.current().webhook_secret):
            return
        # The endpoint secret may have been rotated since we read it: read it again (at most every 30 s).
        fresh = credentials_cache.reread_after_miss()
    except StripeConfigurationError as error:
        # A 503, not a 400: Stripe delivers the event again once the operator has put the keys.
        _logger.error("Stripe is not configured", extra={"reason": str(error)})
        raise PaymentProviderUnavailable("Payments are not configured yet; deliver the event again later.") from error
    if fresh is None or not _signature_holds(payload, signature_header, fresh.webhook_secret):
        raise BadSignature("The Stripe-Signature header does not sign this body with our endpoint secret, or is stale.")


def _parse(payload: bytes) -> StripeEvent:
    try:
        document: Any = json.loads(payload, parse_constant=_refuse_constant)
        event_id, event_type = document["id"], document["type"]
        if not (isinstance(event_id, str) and event_id.startswith("evt_") and isinstance(event_type, str)):
            raise ValueError("not a Stripe event")
        if event_type not in INTENT_EVENT_TYPES:
            return StripeEvent(id=event_id, type=event_type, intent=None)
        intent = document["data"]["object"]
        if not isinstance(intent, dict) or intent.get("object", "payment_intent") != "payment_intent":
            raise ValueError("the event does not carry a PaymentIntent")
        return StripeEvent(id=event_id, type=event_type, intent=intent_state(intent))
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
        raise MalformedStripeEvent("The body is not a Stripe event this endpoint can read.") from error


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def verify_stripe_event(payload: bytes, signature_header: str | None) -> StripeEvent:
    """The event `payload` holds, if `signature_header` signs it with our endpoint secret
    within the last 300 s; BadSignature otherwise (missing header included)."""
    if not signature_header:
        raise BadSignature("The Stripe-Signature header is missing.")
    # Stripe signs UTF-8 JSON with an ASCII header; anything else would make the SDK raise
    # (a non-UTF-8 body, a non-ASCII signature in hmac.compare_digest) instead of refusing.
    if not signature_header.isascii() or len(signature_header) > _MAX_HEADER_CHARS:
        raise BadSignature("The Stripe-Signature header is not a Stripe signature.")
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError:
        raise BadSignature("The body is not UTF-8: Stripe did not sign it.") from None
    _verified(payload, signature_header)
    return _parse(payload)
