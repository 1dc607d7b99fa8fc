"""DynamoDB requests of the shipping zone, checkout, Stripe webhook and orders routes (bench/ddb_calls.py runs them).

They run after the cart routes, on the catalog those made: the 49 socks and the trail
shoes (EUR, 5 to 20 in stock each). The manager is a customer too, so one caller fills
the cart, checks out and pays; the admin edits the shipping zones.

No network: the `card` provider is replaced in the payments package's registry (the one
`payment_provider` answers for checkout completion and the webhook) by a fake that
answers a PaymentIntent per order as Stripe does, so a card completion counts the
table's requests only. The webhook is signed with the local endpoint secret and verified
by the Stripe SDK as in production.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.ddb_harness import ADMIN, MANAGER, measure
from devkit.functions import load_handler_module
from storefront import payments
from storefront.payments.port import IntentState, PaymentStart, ProviderName

ROOT = Path(__file__).resolve().parents[1]
ZONES = "/v1/shipping/zones"
ADDRESS = {"name": "Bench Buyer", "line1": "1 Hauptstraße", "city": "Berlin", "postal_code": "10115", "country": "DE"}
WEBHOOK_SECRET = "whsec_local_dev_secret"  # the settings' default STRIPE_WEBHOOK_SECRET (local stage)
# The SKUs the cart routes made: 49 socks and the trail shoes' size 40.
SKUS = [f"SOCK-{n}" for n in range(49)] + ["TRAIL-40"]


class _FakeStripe:
    """Stripe's PaymentIntents as checkout sees them: one per order, no request sent."""

    name: ProviderName = "stripe"

    def start(self, order_id: str, amount: int, currency: str) -> PaymentStart:
        intent = f"pi_bench_{order_id}"
        return PaymentStart("stripe", intent, f"{intent}_secret_bench")

    def retrieve(self, intent_id: str) -> IntentState:
        raise AssertionError("the benchmark's routes never read a PaymentIntent")

    def cancel(self, intent_id: str) -> None:
        raise AssertionError("the benchmark's routes never cancel a PaymentIntent")

    def refund(self, intent_id: str, amount: int, idempotency_key: str) -> str:
        return f"re_bench_{idempotency_key}"


def _handler(function: str) -> Callable[..., Any]:
    handler: Callable[..., Any] = load_handler_module(ROOT / "functions" / function).lambda_handler
    return handler


def _body(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def shipping_routes() -> dict[str, list[str]]:
    """The admin's zone routes; the zone created first (Germany, EUR, flat 4.90) is the one checkouts quote."""
    shipping = _handler("shipping")
    method = {"id": "standard", "name": "Standard", "carrier": "DHL", "estimated_days": {"min": 1, "max": 3}}
    rated = {**method, "rate": {"type": "flat", "amount": 490}}
    zone: dict[str, Any] = {"name": "Germany", "countries": ["DE"], "currency": "EUR", "methods": [rated]}
    results: dict[str, list[str]] = {}
    response, results["POST /v1/shipping/zones"] = measure(shipping, "POST", ZONES, body=zone, principal=ADMIN)
    zone_id = _body(response)["id"]
    _, results["GET /v1/shipping/zones"] = measure(shipping, "GET", ZONES, principal=ADMIN)
    _, results["GET /v1/shipping/zones/{id}"] = measure(shipping, "GET", f"{ZONES}/{zone_id}", principal=ADMIN)
    _, results["PATCH /v1/shipping/zones/{id}"] = measure(
        shipping, "PATCH", f"{ZONES}/{zone_id}", body={"name": "Deutschland"}, principal=ADMIN
    )
    spare = {**zone, "name": "Austria", "countries": ["AT"]}
    spare_id = _body(measure(shipping, "POST", ZONES, body=spare, principal=ADMIN)[0])["id"]
    _, results["DELETE /v1/shipping/zones/{id}"] = measure(shipping, "DELETE", f"{ZONES}/{spare_id}", principal=ADMIN)
    return results


def _ready_checkout(lines: int) -> str:
    """An open checkout of the manager's cart filled with `lines` SKUs, its address and method set."""
    cart, checkout = _handler("cart"), _handler("checkout")
    for sku in SKUS[:lines]:
        measure(cart, "POST", "/v1/cart/items", body={"sku": sku, "quantity": 1})
    checkout_id: str = _body(measure(checkout, "POST", "/v1/checkouts")[0])["id"]
    body = {"shipping_address": ADDRESS, "shipping_method_id": "standard"}
    measure(checkout, "PATCH", f"/v1/checkouts/{checkout_id}", body=body)
    return checkout_id


def _complete(checkout_id: str, method: str = "card", key: str | None = None) -> tuple[dict[str, Any], list[str]]:
    headers = {"idempotency-key": key or f"bench-{checkout_id}"}
    path = f"/v1/checkouts/{checkout_id}/complete"
    return measure(_handler("checkout"), "POST", path, body={"payment_method": method}, headers=headers)


_completed: dict[str, dict[str, Any]] = {}  # what webhook_route and order_routes pay and move


def checkout_routes() -> dict[str, list[str]]:
    """Each step of a one-line checkout, then completions of 1, 10 and 50 lines (card, fake Stripe)."""
    payments._PROVIDERS["card"] = _FakeStripe()  # the registry payment_provider("card") answers from
    cart, checkout = _handler("cart"), _handler("checkout")
    results: dict[str, list[str]] = {}
    measure(cart, "POST", "/v1/cart/items", body={"sku": SKUS[0], "quantity": 1})
    response, results["POST /v1/checkouts (1 line)"] = measure(checkout, "POST", "/v1/checkouts")
    path = f"/v1/checkouts/{_body(response)['id']}"
    _, results["GET /v1/checkouts/{id}"] = measure(checkout, "GET", path)
    _, results["PATCH /v1/checkouts/{id} (inline shipping address)"] = measure(
        checkout, "PATCH", path, body={"shipping_address": ADDRESS}
    )
    _, results["GET /v1/checkouts/{id}/shipping-methods"] = measure(checkout, "GET", f"{path}/shipping-methods")
    _, results["PATCH /v1/checkouts/{id} (shipping method)"] = measure(
        checkout, "PATCH", path, body={"shipping_method_id": "standard"}
    )
    response, results["POST …/complete (card, 1 line)"] = _complete(path.rsplit("/", 1)[1], key="bench-one")
    _completed["card"] = _body(response)
    _, results["POST …/complete (the same key again)"] = _complete(path.rsplit("/", 1)[1], key="bench-one")
    for lines in (10, 50):
        _, results[f"POST …/complete (card, {lines} lines)"] = _complete(_ready_checkout(lines))
    response, results["POST …/complete (manual, 1 line)"] = _complete(_ready_checkout(1), method="manual")
    _completed["manual"] = _body(response)
    return results


def _signature(payload: bytes) -> str:
    """Stripe's `Stripe-Signature`: t=<ts>,v1=<HMAC-SHA256 of "<ts>.<payload>">."""
    signed_at = int(time.time())
    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{signed_at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={signed_at},v1={digest}"


def webhook_route() -> dict[str, list[str]]:
    """payment_intent.succeeded for the one-line card order: the order paid, its stock committed."""
    done = _completed["card"]
    order = done["order"]
    intent = {
        "id": done["payment"]["payment_intent_id"],
        "object": "payment_intent",
        "amount": order["total"],
        "currency": order["currency"].lower(),
        "status": "succeeded",
        "metadata": {"order_id": order["id"]},
    }
    stripe_event = {"id": "evt_bench_1", "object": "event", "type": "payment_intent.succeeded"}
    payload = json.dumps({**stripe_event, "data": {"object": intent}}).encode()
    headers = {"stripe-signature": _signature(payload)}
    path = "/v1/payments/stripe/webhook"
    payments_function = _handler("payments")
    response, calls = measure(payments_function, "POST", path, raw_body=payload.decode(), headers=headers, public=True)
    assert _body(response) == {"received": True}, response
    return {"POST /v1/payments/stripe/webhook (payment_intent.succeeded, 1 line)": calls}


def order_routes() -> dict[str, list[str]]:
    """The orders the completions placed: read, listed, moved along the state table, refunded and
    cancelled. The card order was paid by the webhook; the manual one is paid by the manager."""
    orders = _handler("orders")
    card, manual = _completed["card"]["order"]["id"], _completed["manual"]["order"]["id"]
    results: dict[str, list[str]] = {}
    _, results["GET /v1/orders/{id}"] = measure(orders, "GET", f"/v1/orders/{card}")
    _, results["GET /v1/orders (staff, every order: 5)"] = measure(orders, "GET", "/v1/orders")
    _, results["GET /v1/orders?user_id= (staff, 5 orders)"] = measure(
        orders, "GET", "/v1/orders", query={"user_id": MANAGER[0]}
    )
    _, results["GET /v1/orders?status=pending_payment (staff)"] = measure(
        orders, "GET", "/v1/orders", query={"status": "pending_payment"}
    )
    _, results["POST /v1/orders/{id}/transitions (manual → paid, 1 line)"] = measure(
        orders, "POST", f"/v1/orders/{manual}/transitions", body={"to": "paid"}
    )
    moves = {"processing": {}, "shipped": {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"}}
    for to, parcel in moves.items():
        _, results[f"POST /v1/orders/{{id}}/transitions (→ {to})"] = measure(
            orders, "POST", f"/v1/orders/{card}/transitions", body={"to": to, **parcel}
        )
    _, results["POST /v1/orders/{id}/refunds (card, part)"] = measure(
        orders,
        "POST",
        f"/v1/orders/{card}/refunds",
        body={"amount": 100, "reason": "bench"},
        principal=ADMIN,
        headers={"idempotency-key": "bench-refund"},
    )
    _, results["POST /v1/orders/{id}/cancel (paid manual order, 1 line: refund recorded, restock)"] = measure(
        orders, "POST", f"/v1/orders/{manual}/cancel"
    )
    return results
