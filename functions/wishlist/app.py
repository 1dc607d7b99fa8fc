"""Wishlist: the caller's saved products, with their current price and stock."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from storefront.domain.wishlist import service
from storefront.http.openapi import responses
from storefront.http.params import Customer, ProductId
from storefront.http.resolver import http_handler, make_resolver
from storefront.http.responses import json_response, no_content
from storefront.models.wishlist import Wishlist

app = make_resolver()

_BUSY = "A concurrent change kept winning; try again"


@app.get(
    "/v1/wishlist",
    summary="The caller's wishlist, newest first",
    description="Every saved product (at most 200) in one answer, with its current name, price, currency and"
    " stock. A product no longer active stays listed with `status: unavailable`.",
    tags=["Wishlist"],
    responses=responses(200, "The caller's wishlist"),
)
def get_wishlist(principal: Customer) -> Response[Wishlist]:
    return json_response(Wishlist.of(service.wishlist(principal.user_id)), private=True)


@app.put(
    "/v1/wishlist/items/<product_id>",
    summary="Save a product on the caller's wishlist",
    description="Idempotent: a product already saved keeps its first `added_at`.",
    tags=["Wishlist"],
    responses=responses(
        204,
        "Saved (or already saved)",
        errors={
            404: "No such product, or it is not active (a draft or archived product, as the catalog answers)",
            409: "The wishlist already holds 200 products (`limit`), or a concurrent change kept winning",
        },
    ),
)
def put_item(product_id: ProductId, principal: Customer) -> Response[None]:
    service.add(principal.user_id, product_id)
    return no_content(private=True)


@app.delete(
    "/v1/wishlist/items/<product_id>",
    summary="Remove a product from the caller's wishlist",
    description="Idempotent: a product that is not on the wishlist is already removed (204).",
    tags=["Wishlist"],
    responses=responses(204, "Removed (or was not there)", errors={409: _BUSY}),
)
def delete_item(product_id: ProductId, principal: Customer) -> Response[None]:
    service.remove(principal.user_id, product_id)
    return no_content(private=True)


lambda_handler = http_handler(app)
