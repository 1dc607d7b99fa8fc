"""Calling the orders function the way API Gateway does, and placing orders without a checkout.

`place_order` writes an order in `pending_payment` with its stock reserved, exactly as
checkout completion's transaction does (order, number claim, one stock reservation per
SKU, the outbox item), so the tests of what follows an order need no cart or checkout.
"""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

from devkit.functions import load_handler_module
from storefront.data import orders, stock_reservations
from storefront.data.inventory import get_stock
from storefront.data.outbox import stage_events
from storefront.data.table import transaction
from storefront.domain.inventory.service import crossing_events
from storefront.domain.orders.entities import (
    PROVIDER_OF_METHOD,
    ChosenShipping,
    Order,
    OrderLine,
    OrderPayment,
    PaymentMethod,
    PostalAddress,
)
from storefront.events.base import DomainEvent
from storefront.events.orders import OrderCreated
from storefront.ids import new_ulid
from tests.integration.principals import ensure_user
from tests.support import FakeContext, http_event

orders_function = load_handler_module("functions/orders")

ANN = ("01JDQ7Z8X9K2M3N4P5Q6ANNCUST", "customer")
BOB = ("01JDQ7Z8X9K2M3N4P5Q6BOBCUST", "customer")
MANAGER = ("01JDQ7Z8X9K2M3N4P5Q6MANAGER", "manager")
ADMIN = ("01JDQ7Z8X9K2M3N4P5Q6ADMINXX", "admin")

ADDRESS = PostalAddress("Ann Example", "1 Main Street", None, "Springfield", None, "12345", "US", None)
STANDARD = ChosenShipping("standard", "Standard", "Standard", 500, 3, 7)
UNIT_PRICE = 1000
PLACED_AT = 1_800_000_000  # epoch seconds of the first order placed by a test
_placed = [0]


def place_order(
    user_id: str,
    lines: dict[str, int],
    provider: PaymentMethod = "manual",
    *,
    order_id: str | None = None,
    now: int | None = None,
    currency: str = "USD",
) -> Order:
    """An order of `lines` (SKU -> units) in pending_payment with its stock reserved, as completion writes it.

    `provider` is the payment method chosen: `manual` or `card` (a Stripe order). Each call
    is placed a second after the previous one, so the ids sort in the order of the calls.
    """
    _placed[0] += 1
    at = now if now is not None else PLACED_AT + _placed[0]
    order = Order(
        id=order_id or new_ulid(at * 1000),
        number=orders.new_order_number(),
        user_id=user_id,
        status="pending_payment",
        items=tuple(
            OrderLine(sku, f"P-{sku}", f"Product {sku}", {}, units, UNIT_PRICE) for sku, units in lines.items()
        ),
        shipping_total=STANDARD.amount,
        currency=currency,
        shipping_address=ADDRESS,
        billing_address=ADDRESS,
        shipping_method=STANDARD,
        payment=OrderPayment(PROVIDER_OF_METHOD[provider]),
        created_at=at,
        updated_at=at,
        payment_deadline=at + 1800,
    )
    levels = stock_reservations.read_levels(lines)
    events: list[DomainEvent] = [OrderCreated.of(order, provider, "2027-01-15T08:30:00Z")]
    with transaction() as write:
        orders.add_order_creation(write, order)
        for sku, units in sorted(lines.items()):
            events += crossing_events(levels[sku], stock_reservations.add_reservation(write, levels[sku], units, at))
        stage_events(write, events, at)
    return order


def counters(sku: str) -> tuple[int, int, int]:
    """(on_hand, reserved, available) of a SKU."""
    level = get_stock(sku)
    assert level is not None
    return level.on_hand, level.reserved, level.available


def call(
    method: str,
    path: str,
    principal: tuple[str, str] = ANN,
    *,
    body: Any = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    environment: ModuleType | None = None,
) -> dict[str, Any]:
    ensure_user(principal)
    event = http_event(method, path, body=body, query=query, headers=headers, principal=principal)
    return dict((environment or orders_function).lambda_handler(event, FakeContext()))


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def environments(count: int) -> list[ModuleType]:
    """One orders function per concurrent caller, as Lambda gives concurrent requests separate environments."""
    return [load_handler_module("functions/orders", fresh=True) for _ in range(count)]


def move(order_id: str, to: str, principal: tuple[str, str] = MANAGER, **fields: str) -> dict[str, Any]:
    return call("POST", f"/v1/orders/{order_id}/transitions", principal, body={"to": to, **fields})
