"""What a verified Stripe event does to an order: each event applied once, in any order.

`payment_intent.succeeded` whose order id, amount and currency match pays the order
(lifecycle.pay: the event's claim, the order, the stock commit and `order.paid` in one
transaction). A success for an order already cancelled is refunded in full through the
provider (the key of the order's first refund, so however often it arrives Stripe refunds once)
and recorded with `order.refunded`: never a paid cancelled order.
`payment_intent.payment_failed` for an order still unpaid records the failure on the
order's payment with `payment.failed`; the order stays payable until its deadline.

A signed event is Stripe's word: one that does not match an order is logged and
acknowledged (Stripe would only deliver it again), never a server error. A provider that
does not answer is (503): Stripe delivers the event again later.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace
from typing import Literal

from pynamodb.exceptions import TransactWriteError

from storefront.data import orders
from storefront.data.outbox import stage_event
from storefront.data.table import committed, transaction
from storefront.domain import clock
from storefront.domain.errors import ServiceUnavailable
from storefront.domain.orders import lifecycle
from storefront.domain.orders.entities import Order
from storefront.domain.orders.refund_records import next_refund_key
from storefront.events.orders import PaymentFailed
from storefront.observability import module_logger
from storefront.payments.port import SUCCEEDED, IntentState, PaymentProvider, PaymentProviderRefused, StripeEvent

logger = module_logger()

PAYMENT_SUCCEEDED = "payment_intent.succeeded"
PAYMENT_FAILED = "payment_intent.payment_failed"
# A payment recorded as taken is never refunded automatically: only one that came too late.
_NOT_TAKEN = frozenset({"pending", "failed", "cancelled"})

Applied = Literal[
    "ignored", "unmatched", "paid", "already_paid", "duplicate", "refunded", "refund_refused", "failure_recorded"
]


@dataclass(frozen=True)
class PaymentFailure:
    """Stripe's reason for a failed attempt (the PaymentIntent's `last_payment_error`)."""

    code: str | None = None
    message: str | None = None


def matches(order: Order, intent: IntentState) -> bool:
    """The PaymentIntent is this order's payment: its metadata names it, for its total and currency."""
    return intent.order_id == order.id and intent.amount == order.total and intent.currency == order.currency


def _order_of(event: StripeEvent) -> tuple[IntentState, tuple[Order, int]] | None:
    intent = event.intent
    if intent is None or intent.order_id is None:
        logger.warning("Stripe event names no order", extra={"stripe_event_id": event.id, "type": event.type})
        return None
    read = orders.read_order(intent.order_id)
    if read is None:
        logger.warning(
            "Stripe event for an unknown order",
            extra={"stripe_event_id": event.id, "order_id": intent.order_id, "intent_id": intent.id},
        )
        return None
    return intent, read


def apply_stripe_event(event: StripeEvent, provider: PaymentProvider, failure: PaymentFailure | None = None) -> Applied:
    """Applies a verified event once; what it did (for the logs and the tests)."""
    if event.type not in (PAYMENT_SUCCEEDED, PAYMENT_FAILED):
        return "ignored"
    if orders.stripe_event_applied(event.id):
        return "duplicate"
    found = _order_of(event)
    if found is None:
        return "unmatched"
    intent, read = found
    order = read[0]
    if event.type == PAYMENT_FAILED:
        return _record_failure(event, intent, failure or PaymentFailure())
    if intent.status != SUCCEEDED or not matches(order, intent):
        logger.warning(
            "Stripe success does not match its order",
            extra={
                "stripe_event_id": event.id,
                "order_id": order.id,
                "intent": {
                    "id": intent.id,
                    "status": intent.status,
                    "amount": intent.amount,
                    "currency": intent.currency,
                },
                "order": {"total": order.total, "currency": order.currency},
            },
        )
        return "unmatched"
    outcome = lifecycle.pay(
        order.id, by="stripe", intent_id=intent.id, stripe_event_id=event.id, stripe_event_type=event.type, read=read
    )
    if outcome.result == "paid":
        return "paid"
    if outcome.result == "duplicate_event":
        return "duplicate"
    if outcome.result == "not_payable" and outcome.order is not None:
        return refund_late_payment(outcome.order, intent, event, provider)
    return "already_paid"


def refund_late_payment(order: Order, intent: IntentState, event: StripeEvent, provider: PaymentProvider) -> Applied:
    """A payment that succeeded after its order was cancelled goes back in full, once."""
    if order.payment.status not in _NOT_TAKEN:
        logger.info("late payment already refunded", extra={"order_id": order.id, "intent_id": intent.id})
        return "duplicate"
    try:
        refund_id = provider.refund(intent.id, intent.amount, next_refund_key(order))
    except PaymentProviderRefused as error:
        # Asking again would be refused again (the docstring of PaymentProviderRefused): an
        # operator must look. Acknowledged, so Stripe does not deliver it for three days.
        logger.error(
            "automatic refund of a late payment refused: refund it by hand",
            extra={"order_id": order.id, "intent_id": intent.id, "provider_code": error.extra.get("provider_code")},
        )
        return "refund_refused"
    lifecycle.record_refund_after_cancel(
        order.id, intent_id=intent.id, refund_id=refund_id, stripe_event_id=event.id, stripe_event_type=event.type
    )
    return "refunded"


def _claim_only(event: StripeEvent, order_id: str, now: int) -> None:
    """The event's claim alone (a cancelled write means it was claimed already: nothing to do)."""
    committed(lambda write: orders.add_stripe_event_claim(write, event.id, event.type, order_id, now))


def _record_failure(event: StripeEvent, intent: IntentState, failure: PaymentFailure) -> Applied:
    """payment.failed and the failure on the order's payment, with the event's claim: one transaction."""
    for attempt in range(lifecycle.ATTEMPTS):
        read = orders.read_order(intent.order_id or "")
        if read is None:
            return "unmatched"
        order, revision = read
        now = clock.now()
        if order.status != "pending_payment":
            # Paid or cancelled meanwhile: a failed attempt changes nothing; the claim keeps it applied once.
            _claim_only(event, order.id, now)
            return "ignored"
        after = replace(order, payment=replace(order.payment, status="failed"), updated_at=now)
        failed = PaymentFailed(
            order_id=order.id,
            user_id=order.user_id,
            payment_intent_id=intent.id,
            amount=intent.amount,
            currency=intent.currency,
            failure_code=failure.code,
            failure_message=failure.message,
        )
        try:
            with transaction() as write:
                orders.add_order_change(write, order, revision, after)
                orders.add_stripe_event_claim(write, event.id, event.type, order.id, now)
                stage_event(write, failed, now)
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            if orders.stripe_event_applied(event.id):
                return "duplicate"
            time.sleep(random.uniform(0, 0.01 * 2 ** min(attempt, 5)))  # noqa: S311 - jitter, not crypto
            continue
        logger.info("payment failed", extra={"order_id": order.id, "intent_id": intent.id, "code": failure.code})
        return "failure_recorded"
    raise ServiceUnavailable("The order kept changing while a failed payment was recorded; retry.", retry_after=1)
