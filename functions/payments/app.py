"""Payments: Stripe's webhook (public at the gateway: Stripe signs its deliveries instead).

The body is verified as the bytes Stripe signed: the shared entry point has already
decoded a base64 body and checked it is UTF-8, and encoding that text again gives the
same bytes back. `stripe` is imported only when a signature is checked or a refund made.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response

from storefront.domain.orders.stripe_events import PAYMENT_FAILED, PaymentFailure, apply_stripe_event
from storefront.http.openapi import responses, retry_later
from storefront.http.resolver import http_handler, make_resolver
from storefront.http.responses import json_response
from storefront.models.payments import WebhookReceipt
from storefront.observability import function_logger
from storefront.payments import payment_provider, verify_stripe_event

app = make_resolver()
logger = function_logger()

_MAX_CODE_CHARS, _MAX_MESSAGE_CHARS = 100, 500


def _failure_of(payload: bytes) -> PaymentFailure:
    """Stripe's code and message of a failed attempt (`last_payment_error`), when it gave them."""
    document: Any = json.loads(payload)  # verified and parsed once already: valid JSON
    error = ((document.get("data") or {}).get("object") or {}).get("last_payment_error")
    if not isinstance(error, dict):
        return PaymentFailure()
    code, message = error.get("decline_code") or error.get("code"), error.get("message")
    return PaymentFailure(
        code=code[:_MAX_CODE_CHARS] if isinstance(code, str) else None,
        message=message[:_MAX_MESSAGE_CHARS] if isinstance(message, str) else None,
    )


@app.post(
    "/v1/payments/stripe/webhook",
    summary="Stripe's webhook (Stripe only; verified with the Stripe-Signature header)",
    description=(
        "The body is a Stripe event, signed with the endpoint's secret in `Stripe-Signature` "
        "(at most 300 s old). `payment_intent.succeeded` pays the order its PaymentIntent's "
        "`metadata.order_id` names, when the amount and currency are the order's; a success for an "
        "order already cancelled is refunded in full. `payment_intent.payment_failed` emits "
        "`payment.failed`; the order stays payable until its deadline. Each event is applied once, "
        "however often and in whatever order it arrives; other event types are acknowledged and ignored."
    ),
    tags=["Payments"],
    responses=responses(
        200,
        "The event was applied, was applied before, or needs nothing",
        errors={
            400: "The Stripe-Signature header is missing, does not sign the body, or is older than 300 s; "
            "or the signed body is not a Stripe event",
            503: retry_later("Payments are not configured or the payment provider did not answer: Stripe retries"),
        },
    ),
)
def stripe_webhook() -> Response[WebhookReceipt]:
    payload = (app.current_event.body or "").encode("utf-8")
    event = verify_stripe_event(payload, app.current_event.headers.get("stripe-signature"))
    failure = _failure_of(payload) if event.type == PAYMENT_FAILED else None
    applied = apply_stripe_event(event, payment_provider("card"), failure)
    logger.info("Stripe event", extra={"stripe_event_id": event.id, "type": event.type, "applied": applied})
    return json_response(WebhookReceipt(received=True))


lambda_handler = http_handler(app)
