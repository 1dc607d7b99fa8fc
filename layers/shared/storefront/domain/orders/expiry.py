"""Expiry: orders still unpaid after their payment deadline are cancelled, their stock released.

Candidates come from the pending orders' index in deadline order, so the first one whose
deadline is ahead ends the run. A PaymentIntent still processing (a bank debit) or
authorised and awaiting capture is left for a later run: its outcome will come. Before a card
order is cancelled its PaymentIntent is asked for: a success whose webhook was lost pays
the order instead. When the provider does not answer, the card orders are left for the
next run (a card order whose payment is unknown is never cancelled), and the provider is
not asked again in this run. The PaymentIntent of a cancelled order is cancelled too, on a
best-effort basis: one paid after all is refunded by the webhook.

A run is bounded (orders and seconds): the schedule comes back every minute.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from storefront.data import orders
from storefront.domain.errors import Conflict, NotFound, ServiceUnavailable
from storefront.domain.orders import lifecycle
from storefront.domain.orders.entities import Order
from storefront.domain.orders.stripe_events import matches
from storefront.observability import module_logger
from storefront.payments.port import (
    SUCCEEDED,
    PaymentProvider,
    PaymentProviderRefused,
    PaymentProviderUnavailable,
)

logger = module_logger()

# Stripe statuses whose outcome is still to come: cancelling now would refund a payment
# that is on its way (a SEPA or ACH debit settles in days).
UNSETTLED = frozenset({"processing", "requires_capture"})
MAX_ORDERS_PER_RUN = 200
MAX_SECONDS_PER_RUN = 45.0  # the function's timeout is 55 s; the schedule runs every minute


@dataclass
class ExpiryRun:
    """What one run did: orders cancelled, paid (a lost webhook), left for the next run."""

    cancelled: int = 0
    paid: int = 0
    left: int = 0
    provider_down: bool = False


def expire_due_orders(
    now: int,
    provider: Callable[[], PaymentProvider],
    *,
    max_orders: int = MAX_ORDERS_PER_RUN,
    max_seconds: float = MAX_SECONDS_PER_RUN,
) -> ExpiryRun:
    """Cancels (or pays) the unpaid orders whose deadline is at or before `now`."""
    run = ExpiryRun()
    started = time.monotonic()
    for seen, (order, _revision) in enumerate(orders.unpaid_oldest_first()):
        if order.payment_deadline > now:
            break
        if seen >= max_orders or time.monotonic() - started > max_seconds:
            logger.info("expiry run bounded: the rest waits for the next run", extra={"seen": seen})
            break
        try:
            _expire(order, provider, run)
        except Exception:  # one order must not stall the expiry of every order behind it
            logger.exception("order could not be expired: left for the next run", extra={"order_id": order.id})
            run.left += 1
    if run.cancelled or run.paid or run.left:
        logger.info(
            "expiry run",
            extra={"cancelled": run.cancelled, "paid": run.paid, "left": run.left, "provider_down": run.provider_down},
        )
    return run


def _expire(order: Order, provider: Callable[[], PaymentProvider], run: ExpiryRun) -> None:
    intent_id = order.payment.payment_intent_id
    if order.payment.provider == "stripe" and intent_id:
        if run.provider_down:
            run.left += 1
            return
        try:
            state = provider().retrieve(intent_id)
        except PaymentProviderUnavailable:
            logger.warning("payment provider down: card orders left for the next run", extra={"order_id": order.id})
            run.provider_down = True
            run.left += 1
            return
        except PaymentProviderRefused as error:
            # Stripe knows no such PaymentIntent (another account's key, a deleted test object):
            # nothing was taken through it, so the order expires like any other.
            logger.warning(
                "payment intent unknown to the provider",
                extra={"order_id": order.id, "intent_id": intent_id, "provider_code": error.extra.get("provider_code")},
            )
        else:
            if state.status in UNSETTLED:
                run.left += 1
                return
            if state.status == SUCCEEDED:
                if matches(order, state):
                    _pay(order, intent_id, run)
                    return
                logger.error(
                    "succeeded payment intent does not match its order: cancelled unpaid, check it by hand",
                    extra={"order_id": order.id, "intent_id": intent_id, "amount": state.amount},
                )
            else:
                provider().cancel(intent_id)  # best effort: it logs what it could not do
    _cancel(order, run)


def _pay(order: Order, intent_id: str, run: ExpiryRun) -> None:
    outcome = lifecycle.pay(order.id, by="stripe", intent_id=intent_id)
    if outcome.result == "paid":
        logger.warning("payment found at expiry (its webhook was lost): order paid", extra={"order_id": order.id})
        run.paid += 1


def _cancel(order: Order, run: ExpiryRun) -> None:
    try:
        lifecycle.cancel_unpaid(order.id, reason="expired", by="system")
    except (Conflict, NotFound):
        return  # paid or cancelled meanwhile (the index lags): nothing left to expire
    except ServiceUnavailable:
        logger.warning("order kept changing while it expired: left for the next run", extra={"order_id": order.id})
        run.left += 1
        return
    run.cancelled += 1
