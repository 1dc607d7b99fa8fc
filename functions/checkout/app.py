"""Checkout: open one from the caller's cart, set addresses and a shipping method, complete it into an order."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response

from storefront.domain import clock
from storefront.domain.checkout import service
from storefront.domain.checkout.completion import NO_METHOD, complete
from storefront.domain.errors import BadRequest
from storefront.http.openapi import responses, retry_later
from storefront.http.params import CheckoutId, Customer, IdempotencyKeyValue, idempotency_key
from storefront.http.resolver import http_handler, make_resolver
from storefront.http.responses import json_response
from storefront.models.checkout import (
    Checkout,
    CheckoutCompletion,
    CheckoutPatch,
    CompletedCheckout,
    ShippingOption,
)
from storefront.models.orders import Order

app = make_resolver()

IdempotencyKey = Annotated[
    IdempotencyKeyValue | None,
    idempotency_key(
        "Required: 1–255 printable ASCII characters naming this completion attempt (a UUID). "
        "The same key and body answer the same 201 for 24 hours; another body → 422"
    ),
]

_GONE = {404: service.NO_CHECKOUT}
_CLOSED = "The checkout is completed (`order_id`) or expired"


@app.post(
    "/v1/checkouts",
    summary="Open a checkout of the caller's cart",
    description="Snapshots the cart's lines (one per SKU) at current prices with their weights, and fills in the "
    "caller's default shipping and billing addresses. Every line must be buyable now.",
    tags=["Checkout"],
    responses=responses(
        201,
        "The new checkout",
        errors={
            409: "The cart is empty, or some lines cannot be bought now (`lines`: each with `sku`, `status`, "
            "`quantity`, `available`): fix them in the cart first"
        },
    ),
)
def open_checkout(principal: Customer) -> Response[Checkout]:
    checkout = service.open_checkout(principal.user_id)
    return json_response(Checkout.of(checkout, clock.now()), 201, private=True)


@app.get(
    "/v1/checkouts/<checkout_id>",
    summary="A checkout of the caller's",
    tags=["Checkout"],
    responses=responses(200, "The checkout", errors=_GONE),
)
def get_checkout(checkout_id: CheckoutId, principal: Customer) -> Response[Checkout]:
    return json_response(Checkout.of(service.get_checkout(principal.user_id, checkout_id), clock.now()), private=True)


@app.patch(
    "/v1/checkouts/<checkout_id>",
    summary="Set the checkout's addresses and shipping method",
    description="Totals are computed by the server: the method is quoted again for the address and the items' "
    "weight. A new shipping address drops a method it is not offered.",
    tags=["Checkout"],
    responses=responses(
        200,
        "The changed checkout",
        errors={
            404: "No such checkout, or no saved address of the caller has this id (`field`)",
            409: f"{_CLOSED}; a method without a shipping address; or concurrent changes kept winning",
            422: "Invalid fields (`errors`): an address sent both by id and inline, a method not offered, "
            "nothing to change",
        },
    ),
)
def patch_checkout(checkout_id: CheckoutId, body: CheckoutPatch, principal: Customer) -> Response[Checkout]:
    checkout = service.change_checkout(principal.user_id, checkout_id, body.changes())
    return json_response(Checkout.of(checkout, clock.now()), private=True)


@app.get(
    "/v1/checkouts/<checkout_id>/shipping-methods",
    summary="The shipping methods offered for the checkout",
    description="For the shipping address's country, the items' total weight (unknown weights count as 0 g), "
    "the subtotal (free-over thresholds) and the currency. A bare list like GET /v1/categories (the contract "
    "shows one): it is never paginated. None offered → `[]`.",
    tags=["Checkout"],
    responses=responses(
        200, "The methods, with their amounts", errors={**_GONE, 409: f"{_CLOSED}, or no shipping address"}
    ),
)
def shipping_methods(checkout_id: CheckoutId, principal: Customer) -> Response[list[ShippingOption]]:
    quotes = service.shipping_methods(principal.user_id, checkout_id)
    return json_response([ShippingOption.of(quote) for quote in quotes], private=True)


@app.post(
    "/v1/checkouts/<checkout_id>/complete",
    summary="Complete the checkout: reserve the stock, create the order, start the payment",
    description="Prices are read again: one that changed updates the checkout and is a 409 (`changed`), so "
    "nothing is charged the customer has not seen. The stock of every line is reserved in one transaction "
    "with the order (`pending_payment`) and the emptied cart, or nothing is. For `card`, `payment` holds the "
    "Stripe PaymentIntent to confirm.",
    tags=["Checkout"],
    responses=responses(
        201,
        "The order and how to pay it",
        errors={
            400: "No Idempotency-Key header",
            **_GONE,
            409: {
                **retry_later(
                    f"{_CLOSED} (another key completed it); no shipping address or method ({NO_METHOD}); prices "
                    "changed (`changed`: `sku`, `old_unit_price`, `new_unit_price`, with the new totals) or the "
                    "method is no longer offered; not enough stock (`short`: `sku`, `available`, `requested`; "
                    "nothing reserved); a line no longer sold (`lines`); or a request with this key is in "
                    "progress (with Retry-After)"
                )
            },
            422: "Invalid fields, an Idempotency-Key that is not 1–255 printable characters, or a key already "
            "used with another body (another checkout or payment method)",
            503: retry_later("The payment provider did not answer: retry with the same key"),
        },
    ),
)
def complete_checkout(
    checkout_id: CheckoutId, body: CheckoutCompletion, principal: Customer, idempotency_key: IdempotencyKey = None
) -> Response[CompletedCheckout]:
    if idempotency_key is None:
        raise BadRequest("Send an Idempotency-Key header (a UUID) naming this completion attempt.")
    done = complete(principal.user_id, checkout_id, idempotency_key, body.payment_method, app.lambda_context)
    answer = CompletedCheckout(order=Order.of(done.order), payment=vars(done.payment))
    return json_response(answer, 201, private=True)


lambda_handler = http_handler(app)
