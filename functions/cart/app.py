"""Cart: a customer's cart, guest carts named by a Cart-Token, and merging a guest cart at sign-in."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header

from storefront.domain.cart import service
from storefront.domain.cart.merge import merge
from storefront.events.base import rfc3339
from storefront.http.openapi import responses
from storefront.http.params import Customer, Sku
from storefront.http.resolver import http_handler, make_resolver
from storefront.http.responses import json_response, no_content
from storefront.models.cart import Cart, CartItemAdd, CartItemQuantity, CartMerge, GuestCart, MergedCart

app = make_resolver()

CartToken = Annotated[
    str | None,
    Header(max_length=128, description="The guest cart's token (POST /v1/guest-cart); missing or unknown → 404"),
]

_ADD_ERRORS = {
    404: "No variant has this SKU (or, on a guest route, no cart has this Cart-Token)",
    409: "More than available or 99 per line (the body has `available` and `in_cart`), the cart is full "
    "(`max_lines`), or concurrent changes kept winning",
    422: "Invalid fields (`errors`), or the product is not active (draft or archived: `product_status`) or is "
    "sold in another currency than the cart's (`cart_currency`, `product_currency`)",
}
_SET_ERRORS = {
    404: "The SKU is not in this cart (or no cart has this Cart-Token)",
    409: "More than available (the body has `available`), or concurrent changes kept winning",
    422: "Invalid fields (`errors`), or more units of a product no longer active (draft or archived: "
    "`product_status`) or now sold in another currency than the cart's (`product_currency`); fewer are fine",
}
_LINE_GONE = {404: "The SKU is not in this cart (or no cart has this Cart-Token)", 409: service.BUSY}
_NO_GUEST_CART = {404: service.NO_GUEST_CART}
_CART_GONE = {409: service.BUSY}


@app.get("/v1/cart", summary="The caller's cart, priced now", tags=["Cart"], responses=responses(200, "The cart"))
def get_cart(principal: Customer) -> Response[Cart]:
    return json_response(Cart.of(service.view(service.customer_cart(principal.user_id))), private=True)


@app.post(
    "/v1/cart/items",
    summary="Add units of a SKU to the caller's cart",
    description="Read the cart (GET) for prices: a write answers 204 and stores no price.",
    tags=["Cart"],
    responses=responses(204, "Added", errors=_ADD_ERRORS),
)
def add_item(body: CartItemAdd, principal: Customer) -> Response[None]:
    service.add(service.customer_cart(principal.user_id), body.sku, body.quantity)
    return no_content(private=True)


@app.patch(
    "/v1/cart/items/<sku>",
    summary="Set a line's quantity (0 removes it)",
    tags=["Cart"],
    responses=responses(204, "Set", errors=_SET_ERRORS),
)
def set_item(sku: Sku, body: CartItemQuantity, principal: Customer) -> Response[None]:
    service.set_quantity(service.customer_cart(principal.user_id), sku, body.quantity)
    return no_content(private=True)


@app.delete(
    "/v1/cart/items/<sku>",
    summary="Remove a line",
    tags=["Cart"],
    responses=responses(204, "Removed", errors=_LINE_GONE),
)
def remove_item(sku: Sku, principal: Customer) -> Response[None]:
    service.remove(service.customer_cart(principal.user_id), sku)
    return no_content(private=True)


@app.delete(
    "/v1/cart", summary="Empty the caller's cart", tags=["Cart"], responses=responses(204, "Deleted", errors=_CART_GONE)
)
def delete_cart(principal: Customer) -> Response[None]:
    service.clear(service.customer_cart(principal.user_id))
    return no_content(private=True)


@app.post(
    "/v1/cart/merge",
    summary="Merge a guest cart into the caller's cart",
    description="Quantities of a SKU in both are summed and capped at what is available and at 99 (`capped` lists "
    "them). One transaction: the guest cart is deleted with it, so its token stops working (a second merge → 404).",
    tags=["Cart"],
    responses=responses(
        200,
        "The caller's cart after the merge",
        errors={
            404: service.NO_GUEST_CART,
            409: "The merged cart would hold more than 95 lines, or concurrent changes kept winning",
            422: "Invalid fields (`errors`), or the guest cart's currency differs from the caller's cart's "
            "(`cart_currency`, `guest_cart_currency`)",
        },
    ),
)
def merge_cart(body: CartMerge, principal: Customer) -> Response[MergedCart]:
    return json_response(MergedCart.merged(merge(principal.user_id, body.cart_token)), private=True)


@app.post(
    "/v1/guest-cart",
    summary="Start a guest cart (no sign-in)",
    description="The token is returned once; send it as `Cart-Token` on the guest-cart routes.",
    tags=["Cart"],
    responses=responses(201, "The new guest cart's token"),
)
def start_guest_cart() -> Response[GuestCart]:
    token, expires_at = service.start_guest_cart()
    return json_response(GuestCart(cart_token=token, expires_at=rfc3339(expires_at)), 201, private=True)


@app.get(
    "/v1/guest-cart",
    summary="A guest cart, priced now",
    tags=["Cart"],
    responses=responses(200, "The cart", errors=_NO_GUEST_CART),
)
def get_guest_cart(cart_token: CartToken = None) -> Response[Cart]:
    return json_response(Cart.of(service.view(service.guest_cart(cart_token))), private=True)


@app.post(
    "/v1/guest-cart/items",
    summary="Add units of a SKU to a guest cart",
    description="At most 95 lines, like a customer's cart: checkout must fit one transaction.",
    tags=["Cart"],
    responses=responses(204, "Added", errors=_ADD_ERRORS),
)
def add_guest_item(body: CartItemAdd, cart_token: CartToken = None) -> Response[None]:
    service.add(service.guest_cart(cart_token), body.sku, body.quantity)
    return no_content(private=True)


@app.patch(
    "/v1/guest-cart/items/<sku>",
    summary="Set a guest cart line's quantity (0 removes it)",
    tags=["Cart"],
    responses=responses(204, "Set", errors=_SET_ERRORS),
)
def set_guest_item(sku: Sku, body: CartItemQuantity, cart_token: CartToken = None) -> Response[None]:
    service.set_quantity(service.guest_cart(cart_token), sku, body.quantity)
    return no_content(private=True)


@app.delete(
    "/v1/guest-cart/items/<sku>",
    summary="Remove a guest cart line",
    tags=["Cart"],
    responses=responses(204, "Removed", errors=_LINE_GONE),
)
def remove_guest_item(sku: Sku, cart_token: CartToken = None) -> Response[None]:
    service.remove(service.guest_cart(cart_token), sku)
    return no_content(private=True)


@app.delete(
    "/v1/guest-cart",
    summary="Delete a guest cart",
    tags=["Cart"],
    responses=responses(204, "Deleted", errors={**_NO_GUEST_CART, **_CART_GONE}),
)
def delete_guest_cart(cart_token: CartToken = None) -> Response[None]:
    service.clear(service.guest_cart(cart_token))
    return no_content(private=True)


lambda_handler = http_handler(app)
