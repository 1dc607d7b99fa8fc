"""Completing a checkout: re-price, reserve every SKU, write the order, empty the cart, then pay.

One request per key (idempotency.py). The checkout is read, its prices and stock re-read in
one consistent batch; a price (or shipping amount) that changed is saved on the checkout and
refused (409 `changed`), so the customer sees it before being charged it; short stock is a
409 `short` with nothing reserved. Then ONE transaction: per SKU a stock reservation, the
order and its number claim, the checkout `open → completed` (naming the key's hash), the cart
header's deletion, and one outbox item with `order.created` and every stock crossing. A
cancelled transaction is read again (≤ ATTEMPTS). The payment starts after the commit, keyed
by the order id at the provider: a completion retried with the same key after a failure
finds the checkout completed by that key and resumes the payment of the same order.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any

from storefront.data import checkouts, orders, stock_reservations
from storefront.data.outbox import stage_events
from storefront.data.product_cards import ShoppingView, shopping_view
from storefront.data.table import committed
from storefront.domain import clock
from storefront.domain.checkout.entities import Checkout, CheckoutLine
from storefront.domain.checkout.pricing import requoted
from storefront.domain.checkout.service import NO_SHIPPING_ADDRESS, _backoff, get_checkout, refuse_unless_open
from storefront.domain.errors import Conflict, FieldError, Unprocessable
from storefront.domain.inventory.service import crossing_events
from storefront.domain.orders.entities import (
    PROVIDER_OF_METHOD,
    HistoryEntry,
    Order,
    OrderLine,
    OrderPayment,
    PaymentMethod,
)
from storefront.events.base import DomainEvent, rfc3339
from storefront.events.orders import OrderCreated
from storefront.payments import payment_provider
from storefront.payments.port import PaymentStart
from storefront.settings import get_settings

# Buyers of one SKU cancel each other's transactions while stock remains: retry enough.
ATTEMPTS = 8
# Stripe refuses a PaymentIntent under its minimum charge (0.50 in USD, EUR, JPY 50; GBP 0.30)
# or over 99,999,999 minor units: refused before anything is reserved, not after.
CARD_MINIMUM = 50
CARD_MAXIMUM = 99_999_999
CART_CHANGED = (
    "The cart changed since this checkout was opened (or was bought through another checkout): "
    "open a new checkout to buy what it holds now."
)
BUSY = "The stock of these items changed concurrently too often; try again."
NO_METHOD = "Choose a shipping method first (GET …/shipping-methods, then PATCH shipping_method_id)."


@dataclass(frozen=True)
class Completion:
    order: Order
    payment: PaymentStart


def key_hash(user_id: str, idempotency_key: str) -> str:
    return hashlib.sha256(f"{user_id}\n{idempotency_key}".encode()).hexdigest()


def complete(
    user_id: str, checkout_id: str, idempotency_key: str, payment_method: PaymentMethod, lambda_context: Any = None
) -> Completion:
    """The order of the checkout and how to pay it; the same key and body answer the same.

    Powertools' idempotency (and the boto3 it brings) is imported here, by the one route of
    the checkout function that uses it, not at the function's cold start: the other four
    routes never pay for it, as the Stripe SDK is imported only when a payment starts.
    """
    from storefront.domain.checkout.idempotency import once_per_key, track_remaining_time

    if lambda_context is not None:
        track_remaining_time(lambda_context)
    request = {
        "user_id": user_id,
        "idempotency_key": idempotency_key,
        "checkout_id": checkout_id,
        "payment_method": payment_method,
    }
    result: Completion = once_per_key(_complete)(request)
    return result


def _complete(request: dict[str, Any]) -> Completion:
    user_id, checkout_id = request["user_id"], request["checkout_id"]
    method: PaymentMethod = request["payment_method"]
    hashed = key_hash(user_id, request["idempotency_key"])
    for attempt in range(ATTEMPTS):
        now = clock.now()
        checkout = get_checkout(user_id, checkout_id)
        if checkout.status == "completed":
            if checkout.completed_key_hash != hashed:
                raise Conflict(
                    "This checkout was completed by another request (another Idempotency-Key).",
                    order_id=checkout.order_id,
                )
            return _resume(checkout, method)
        refuse_unless_open(checkout, now)
        if checkout.shipping_address is None:
            raise Conflict(NO_SHIPPING_ADDRESS)
        if checkout.shipping_method is None:
            raise Conflict(NO_METHOD)
        view = shopping_view({line.product_id for line in checkout.lines}, checkout.quantities(), consistent=True)
        current = _repriced(checkout, view, now)
        if current != checkout:
            saved = checkouts.update_checkout(checkout, current, now)
            if saved and _amounts(checkout) != _amounts(current):
                _refuse_changes(checkout, current)
            if not saved:  # a method's name or delivery days changed: saved silently, read again
                _backoff(attempt)
            continue
        if method == "card" and not CARD_MINIMUM <= checkout.total <= CARD_MAXIMUM:
            raise Unprocessable(
                f"Card payments take totals from {CARD_MINIMUM} to {CARD_MAXIMUM} minor units: pay this "
                "order another way.",
                errors=[FieldError(("payment_method",), "not available for this total")],
                total=checkout.total,
            )
        _refuse_short(checkout, view)
        order = _order(checkout, method, now)
        if _commit(checkout, order, view, hashed, method, now):
            return _pay(order, method)
        if checkouts.cart_changed_since(checkout.user_id, checkout.cart_updated_at, now):
            raise Conflict(CART_CHANGED, cart_changed=True)
        _backoff(attempt)
    raise Conflict(BUSY)


def _amounts(checkout: Checkout) -> tuple[tuple[int, ...], int | None]:
    """What the customer pays: a change here must be seen before it is charged."""
    method = checkout.shipping_method
    return tuple(line.unit_price for line in checkout.lines), method.amount if method else None


def _repriced(checkout: Checkout, view: ShoppingView, now: int) -> Checkout:
    """The checkout at today's prices and shipping amount (equal to it when nothing changed);
    refuses lines that can no longer be bought at all."""
    lines: list[CheckoutLine] = []
    gone: list[dict[str, Any]] = []
    for line in checkout.lines:
        card = view.products.get(line.product_id)
        if (
            card is None
            or card.status != "active"
            or card.currency != checkout.currency
            or line.sku not in card.variants
        ):
            gone.append({"sku": line.sku, "status": "unavailable", "quantity": line.quantity})
            continue
        lines.append(replace(line, unit_price=card.unit_price(line.sku)))
    if gone:
        raise Conflict("Some items are no longer sold: remove them from the cart and open a new checkout.", lines=gone)
    repriced = replace(checkout, lines=tuple(lines))
    method = requoted(repriced, checkout.shipping_method.id if checkout.shipping_method else None)
    current = replace(repriced, shipping_method=method)
    return current if current == checkout else replace(current, updated_at=now)


def _refuse_changes(before: Checkout, after: Checkout) -> None:
    """The 409 of a checkout whose prices changed: it was just updated to them."""
    changed = [
        {"sku": old.sku, "old_unit_price": old.unit_price, "new_unit_price": new.unit_price}
        for old, new in zip(before.lines, after.lines, strict=True)
        if old.unit_price != new.unit_price
    ]
    if after.shipping_method is None:
        raise Conflict(
            "The shipping method is no longer offered for this checkout: choose another one.",
            changed=changed,
            shipping_method_id=before.shipping_method.id if before.shipping_method else None,
        )
    raise Conflict(
        "Prices changed since the checkout was opened: it now shows the new prices and totals; "
        "complete it again to pay them.",
        changed=changed,
        old_shipping_total=before.shipping_total,
        new_shipping_total=after.shipping_total,
        old_total=before.total,
        new_total=after.total,
    )


def _refuse_short(checkout: Checkout, view: ShoppingView) -> None:
    short = []
    for sku, wanted in checkout.quantities().items():
        level = view.levels.get(sku)
        available = level.available if level is not None else 0
        if available < wanted:
            short.append({"sku": sku, "available": max(available, 0), "requested": wanted})
    if short:
        raise Conflict("Not enough stock for some items: nothing was reserved.", short=short)


def _order(checkout: Checkout, method: PaymentMethod, now: int) -> Order:
    shipping, chosen = checkout.shipping_address, checkout.shipping_method
    if shipping is None or chosen is None:  # the caller checked both
        raise Conflict(NO_METHOD)
    return Order(
        id=checkout.id,
        number=orders.new_order_number(),
        user_id=checkout.user_id,
        status="pending_payment",
        items=tuple(
            OrderLine(line.sku, line.product_id, line.name, dict(line.options), line.quantity, line.unit_price)
            for line in checkout.lines
        ),
        shipping_total=chosen.amount,
        currency=checkout.currency,
        shipping_address=shipping,
        billing_address=checkout.billing_address or shipping,
        shipping_method=chosen,
        payment=OrderPayment(provider=PROVIDER_OF_METHOD[method]),
        created_at=now,
        updated_at=now,
        payment_deadline=now + _payment_window(method),
        history=(HistoryEntry("pending_payment", now, checkout.user_id),),
    )


def _payment_window(method: PaymentMethod) -> int:
    settings = get_settings()
    return settings.manual_payment_seconds if method == "manual" else settings.order_payment_seconds


def _commit(checkout: Checkout, order: Order, view: ShoppingView, hashed: str, method: PaymentMethod, now: int) -> bool:
    """Access patterns STOCK-RESERVE, ORDER-CREATE, CHECKOUT-COMPLETE, CART-EMPTY-AT-CHECKOUT and
    OUTBOX-PUT in one TransactWriteItems (≤ 95 lines + 5 actions). False when cancelled."""

    def write_all(write: Any) -> None:
        events: list[DomainEvent] = [OrderCreated.of(order, method, rfc3339(order.payment_deadline))]
        for sku, quantity in order.quantities().items():
            before = view.levels[sku]
            after = stock_reservations.add_reservation(write, before, quantity, now)
            events += crossing_events(before, after)
        orders.add_order_creation(write, order)
        checkouts.add_completion(write, checkout, hashed, now)
        checkouts.add_cart_emptying(write, checkout.user_id, checkout.cart_updated_at)
        stage_events(write, events, now)

    return committed(write_all)


def _resume(checkout: Checkout, method: PaymentMethod) -> Completion:
    """The same key completed this checkout before (its answer was lost): pay the same order."""
    found = orders.read_order(checkout.order_id or checkout.id)
    if found is None:  # the order is written in the checkout's completion transaction
        raise Conflict("The checkout's order cannot be read yet; try again.")
    order, _ = found
    if order.payment.provider != PROVIDER_OF_METHOD[method]:
        raise Unprocessable("This Idempotency-Key completed the checkout with another payment method.")
    if order.status != "pending_payment":
        raise Conflict(f"The order is {order.status}: there is nothing to pay.", order_id=order.id)
    return _pay(order, method)


def _pay(order: Order, method: PaymentMethod) -> Completion:
    """Starts (or, retried, finds again: the provider keys it by the order id) the order's payment."""
    start = payment_provider(method).start(order.id, order.total, order.currency)
    intent = start.payment_intent_id
    if intent is not None and order.payment.payment_intent_id != intent:
        if not orders.set_payment_intent(order.id, intent):
            raise Conflict("The order already has another payment.", order_id=order.id)
        order = replace(order, payment=replace(order.payment, payment_intent_id=intent))
    return Completion(order, start)
