"""The edge types routes share: who may call, and the ids a path names.

A route states both in its signature (`def route(product_id: ProductId, principal: Manager)`);
declared once here, every function documents and checks them alike.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Header, Path
from pydantic import StringConstraints

from storefront.domain.identity.roles import Role
from storefront.http.auth import Principal, requires

Customer = Annotated[Principal, requires(Role.CUSTOMER)]
Manager = Annotated[Principal, requires(Role.MANAGER)]
Admin = Annotated[Principal, requires(Role.ADMIN)]


def _id(description: str) -> Path:
    return Path(min_length=1, max_length=64, description=description)


AddressId = Annotated[str, _id("The address id")]
CategoryId = Annotated[str, _id("The category id")]
CheckoutId = Annotated[str, _id("The checkout id")]
ImageId = Annotated[str, _id("The image id")]
OrderId = Annotated[str, _id("The order id")]
ProductId = Annotated[str, _id("The product id")]
ReviewId = Annotated[str, _id("The review id")]
Sku = Annotated[str, _id("The SKU")]
UserId = Annotated[str, _id("The user's id")]
ZoneId = Annotated[str, _id("The shipping zone id")]
WebhookId = Annotated[str, _id("The webhook endpoint id")]
DeliveryId = Annotated[str, _id("A delivery's id, as its endpoint's delivery log shows it")]


def idempotency_key(description: str) -> Header:
    """The `Idempotency-Key` header of a route that must not act twice; `description` says its rule."""
    return Header(alias="Idempotency-Key", description=description)


# Printable ASCII, like Stripe's keys: a UUID or any token the client keeps for the attempt.
IdempotencyKeyValue = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[\x20-\x7E]+$")]
