"""Orders placed directly (as checkout completion writes them), Stripe's webhook called like
API Gateway does with a signed body, and a fake card provider that counts its calls."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from devkit.functions import load_handler_module
from storefront.data import orders, stock_reservations
from storefront.data.inventory import get_stock
from storefront.data.outbox import OutboxItem, stage_events
from storefront.data.table import transaction
from storefront.domain import clock
from storefront.domain.inventory.service import crossing_events
from storefront.domain.orders.entities import ChosenShipping, Order, OrderLine, OrderPayment, PostalAddress
from storefront.events.base import DomainEvent
from storefront.payments import (
    IntentState,
    PaymentProviderRefused,
    PaymentProviderUnavailable,
    PaymentStart,
    RefundKeyReused,
)
from storefront.payments.port import ProviderName
from tests.payments_support import intent_event, stripe_signature
from tests.support import FakeContext, http_event, sample_event

payments_function = load_handler_module("functions/payments")
expiry_function = load_handler_module("functions/order_expiry")

WEBHOOK = "/v1/payments/stripe/webhook"
CUSTOMER_ID = "01JDQ7Z8X9K2M3N4P5Q6CUSTOMR"
ADDRESS = PostalAddress("Ann Lee", "1 Main St", None, "Springfield", None, "12345", "US", None)
STANDARD = ChosenShipping("standard", "Standard", "Standard", 500, 3, 7)
UNIT_PRICE = 1000


def place(
    order_id: str,
    lines: dict[str, int],
    *,
    intent_id: str | None = None,
    manual: bool = False,
    placed_at: int | None = None,
) -> Order:
    """An order in pending_payment with its stock reserved, as checkout completion writes it.

    A card order names its PaymentIntent (`intent_id`); its total is 1000 a unit plus 500.
    """
    now = clock.now() if placed_at is None else placed_at
    payment = OrderPayment("manual") if manual else OrderPayment("stripe", payment_intent_id=intent_id)
    order = Order(
        id=order_id,
        number=orders.new_order_number(),
        user_id=CUSTOMER_ID,
        status="pending_payment",
        items=tuple(OrderLine(sku, "P1", "Tee", {}, quantity, UNIT_PRICE) for sku, quantity in lines.items()),
        shipping_total=500,
        currency="USD",
        shipping_address=ADDRESS,
        billing_address=ADDRESS,
        shipping_method=STANDARD,
        payment=payment,
        created_at=now,
        updated_at=now,
        payment_deadline=now + 1800,
    )
    levels = stock_reservations.read_levels(lines)
    events: list[DomainEvent] = []
    with transaction() as write:
        orders.add_order_creation(write, order)
        for sku, quantity in lines.items():
            after = stock_reservations.add_reservation(write, levels[sku], quantity, now)
            events += crossing_events(levels[sku], after)
        stage_events(write, events, now)
    return order


def stored(order_id: str) -> Order:
    read = orders.read_order(order_id)
    assert read is not None
    return read[0]


def counters(sku: str) -> tuple[int, int, int]:
    """on_hand, reserved, available."""
    level = get_stock(sku)
    assert level is not None
    return level.on_hand, level.reserved, level.available


def events_of(event_type: str) -> list[dict[str, Any]]:
    """Every envelope of one type in the outbox, followers of a multi-event item included."""
    envelopes = [envelope for item in OutboxItem.scan(consistent_read=True) for envelope in item.envelopes()]
    return [envelope for envelope in envelopes if envelope["type"] == event_type]


def deliver(payload: bytes, signature: str | None = None, *, base64_body: bool = False) -> dict[str, Any]:
    """A webhook delivery as API Gateway passes it; signed now with the local secret unless told."""
    headers = {"content-type": "application/json; charset=utf-8"}
    header = stripe_signature(payload) if signature is None else signature
    if header:
        headers["stripe-signature"] = header
    raw = base64.b64encode(payload).decode() if base64_body else payload.decode()
    event = http_event("POST", WEBHOOK, raw_body=raw, headers=headers, base64_body=base64_body)
    return dict(payments_function.lambda_handler(event, FakeContext()))


def succeeded(order: Order, *, event_id: str = "evt_ok_1", amount: int | None = None, currency: str = "usd") -> bytes:
    intent_id = order.payment.payment_intent_id or "pi_none"
    total = order.total if amount is None else amount
    return intent_event(event_id=event_id, intent_id=intent_id, order_id=order.id, amount=total, currency=currency)


def failed(order: Order, *, event_id: str = "evt_failed_1", decline: str | None = "card_declined") -> bytes:
    payload = json.loads(
        intent_event(
            "payment_intent.payment_failed",
            event_id=event_id,
            intent_id=order.payment.payment_intent_id or "pi_none",
            order_id=order.id,
            amount=order.total,
            status="requires_payment_method",
        )
    )
    if decline:
        payload["data"]["object"]["last_payment_error"] = {"code": decline, "message": "Your card was declined."}
    return json.dumps(payload).encode()


@dataclass
class FakeCardProvider:
    """Stripe as the expiry, the webhook and the orders routes see it: intents by id, cancels
    counted, and refunds idempotent like Stripe's: a key seen before with the same payment and
    amount answers the same refund (no second refund in `refunds`), with another amount it is
    refused (RefundKeyReused). `refund_keys` lists the key of every refund request."""

    name: ProviderName = "stripe"
    intents: dict[str, IntentState] = field(default_factory=dict)
    refunds: list[tuple[str, int, str]] = field(default_factory=list)
    refund_keys: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    retrieved: list[str] = field(default_factory=list)
    down: bool = False
    lose_next_refund_answer: bool = False  # refund, then fail as if the answer never came back
    while_refunding: Callable[[], None] | None = None  # runs once, after the refund, before its answer
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, order_id: str, amount: int, currency: str) -> PaymentStart:
        raise AssertionError("no payment is started here")

    def retrieve(self, intent_id: str) -> IntentState:
        self.retrieved.append(intent_id)
        if self.down:
            raise PaymentProviderUnavailable()
        if intent_id not in self.intents:
            raise PaymentProviderRefused("No such payment_intent.", provider_code="resource_missing")
        return self.intents[intent_id]

    def cancel(self, intent_id: str) -> None:
        self.cancelled.append(intent_id)

    def refund(self, intent_id: str, amount: int, idempotency_key: str) -> str:
        with self._lock:
            self.refund_keys.append(idempotency_key)
            if self.down:
                raise PaymentProviderUnavailable()
            for number, (intent, refunded, key) in enumerate(self.refunds, start=1):
                if key == idempotency_key:
                    if (intent, refunded) != (intent_id, amount):
                        raise RefundKeyReused("Keys for idempotent requests can only be used with the same parameters.")
                    return f"re_{number}"
            self.refunds.append((intent_id, amount, idempotency_key))
            if self.lose_next_refund_answer:
                self.lose_next_refund_answer = False
                raise PaymentProviderUnavailable()
            meanwhile, self.while_refunding = self.while_refunding, None
        if meanwhile is not None:
            meanwhile()  # another request changes the order while Stripe answers
        return f"re_{len(self.refunds)}"

    def intent(self, order: Order, status: str, *, amount: int | None = None) -> None:
        intent_id = order.payment.payment_intent_id
        assert intent_id is not None
        total = order.total if amount is None else amount
        self.intents[intent_id] = IntentState(intent_id, status, total, order.currency, order.id)


class ScheduledContext(FakeContext):
    """The expiry's context at the start of a run: its timeout (55 s) ahead."""

    def get_remaining_time_in_millis(self) -> int:
        return 55_000


def run_expiry() -> dict[str, Any]:
    """One scheduled run, with the sample event EventBridge sends every minute."""
    return dict(expiry_function.lambda_handler(sample_event("order_expiry", "every-minute"), ScheduledContext()))
