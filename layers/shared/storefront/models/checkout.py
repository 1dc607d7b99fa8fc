"""API models of the checkout routes. Descriptions become the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StrictStr

from storefront.domain.checkout.entities import Checkout as CheckoutEntity
from storefront.domain.checkout.entities import CheckoutLine as CheckoutLineEntity
from storefront.domain.checkout.service import CheckoutChanges
from storefront.domain.orders.entities import PostalAddress as PostalAddressEntity
from storefront.domain.shipping.providers import ShippingQuote
from storefront.events.base import rfc3339
from storefront.models.address_fields import City, CountryCode, Line, Phone, PostalCode, RecipientName, Region
from storefront.models.base import ApiModel
from storefront.models.orders import ChosenShippingMethod, DeliveryDays, Order, PostalAddress
from storefront.models.patches import NotNull

SavedAddressId = Annotated[StrictStr, Field(min_length=1, max_length=64, description="A saved address of the caller")]
MethodId = Annotated[
    StrictStr, Field(min_length=1, max_length=64, description="A method id from GET …/shipping-methods")
]


class AddressInput(ApiModel):
    """An address sent inline: the same fields and rules as a saved address (without label or defaults)."""

    model_config = ConfigDict(extra="forbid")

    name: RecipientName
    line1: Line
    line2: Line | None = None
    city: City
    region: Region | None = None
    postal_code: PostalCode | None = None
    country: CountryCode
    phone: Phone | None = None

    def entity(self) -> PostalAddressEntity:
        return PostalAddressEntity(**self.model_dump())


class CheckoutPatch(ApiModel):
    """Each address by a saved address's id or inline (not both: 422); fields left out stay as they are.

    The shipping method must be offered for the shipping address (GET …/shipping-methods);
    a new address drops a method it is no longer offered. Totals are computed by the server.
    """

    model_config = ConfigDict(extra="forbid")

    shipping_address_id: Annotated[SavedAddressId | None, NotNull] = None
    shipping_address: Annotated[AddressInput | None, NotNull] = Field(None, description="An address sent inline")
    billing_address_id: Annotated[SavedAddressId | None, NotNull] = None
    billing_address: Annotated[AddressInput | None, NotNull] = Field(
        None, description="An address sent inline; the shipping address bills when none is set"
    )
    shipping_method_id: Annotated[MethodId | None, NotNull] = None

    def changes(self) -> CheckoutChanges:
        return CheckoutChanges(
            shipping_address_id=self.shipping_address_id,
            shipping_address=self.shipping_address.entity() if self.shipping_address else None,
            billing_address_id=self.billing_address_id,
            billing_address=self.billing_address.entity() if self.billing_address else None,
            shipping_method_id=self.shipping_method_id,
        )


class CheckoutCompletion(ApiModel):
    """How the customer pays. The Idempotency-Key header names the attempt."""

    model_config = ConfigDict(extra="forbid")

    payment_method: Literal["card", "manual"] = Field(
        description="`card`: a Stripe PaymentIntent to confirm with its client secret; `manual`: bank transfer "
        "or cash on delivery, recorded by a manager"
    )


class CheckoutLine(ApiModel):
    """A checkout line: units of one SKU at the price of when the checkout was (re)priced."""

    sku: str = Field(description="The SKU")
    product_id: str = Field(description="Its product")
    name: str = Field(description="The product's name")
    options: dict[str, str] = Field(description="The variant's options, e.g. {'size': 'M'}")
    quantity: int = Field(description="Units")
    unit_price: int = Field(description="Price of one unit (minor units); completion charges it only if still current")
    line_total: int = Field(description="unit_price × quantity")
    weight_grams: int | None = Field(description="One unit's shipping weight (null: unknown, counted as 0 g)")

    @classmethod
    def of(cls, line: CheckoutLineEntity) -> CheckoutLine:
        return cls(
            sku=line.sku,
            product_id=line.product_id,
            name=line.name,
            options=dict(line.options),
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_total=line.line_total,
            weight_grams=line.weight_grams,
        )


class Checkout(ApiModel):
    """A checkout: the cart's lines priced, the addresses, the method and the totals (computed by the server)."""

    id: str = Field(description="The checkout id; the order it completes into has the same id")
    status: Literal["open", "completed", "expired"] = Field(
        description="`open` until completed (see `order_id`) or past `expires_at` (`expired`: open a new one)"
    )
    order_id: str | None = Field(description="The order it became, once completed")
    items: list[CheckoutLine] = Field(description="One line per SKU of the cart")
    subtotal: int = Field(description="Sum of the lines' totals (minor units)")
    shipping_address: PostalAddress | None = Field(description="Where to ship (null until set)")
    billing_address: PostalAddress | None = Field(description="The billing address (null: the shipping address)")
    shipping_method: ChosenShippingMethod | None = Field(description="The chosen method, priced now (null until set)")
    shipping_total: int = Field(description="The method's amount (0 until one is chosen)")
    total: int = Field(description="subtotal + shipping_total")
    currency: str = Field(description="ISO 4217, upper case: the cart's")
    expires_at: str = Field(description="After this (RFC 3339) the checkout can no longer change or complete")
    created_at: str = Field(description="When it was opened (RFC 3339)")
    updated_at: str = Field(description="When it last changed (RFC 3339)")

    @classmethod
    def of(cls, checkout: CheckoutEntity, now: int) -> Checkout:
        method = checkout.shipping_method
        return cls(
            id=checkout.id,
            status=checkout.status_at(now),
            order_id=checkout.order_id,
            items=[CheckoutLine.of(line) for line in checkout.lines],
            subtotal=checkout.subtotal,
            shipping_address=PostalAddress.maybe(checkout.shipping_address),
            billing_address=PostalAddress.maybe(checkout.billing_address),
            shipping_method=ChosenShippingMethod.of(method, checkout.currency) if method is not None else None,
            shipping_total=checkout.shipping_total,
            total=checkout.total,
            currency=checkout.currency,
            expires_at=rfc3339(checkout.valid_until),
            created_at=rfc3339(checkout.created_at),
            updated_at=rfc3339(checkout.updated_at),
        )


class ShippingOption(ApiModel):
    """A shipping method offered for the checkout's address, items' weight and currency."""

    id: str = Field(description="Send as `shipping_method_id` in PATCH /v1/checkouts/{checkout_id}")
    name: str = Field(description="The method's name, e.g. Standard")
    carrier: str = Field(description="Who carries the parcel")
    amount: int = Field(description="What shipping costs (minor units; 0 when free)")
    currency: str = Field(description="ISO 4217, upper case")
    estimated_days: DeliveryDays = Field(description="Delivery time estimate")

    @classmethod
    def of(cls, quote: ShippingQuote) -> ShippingOption:
        return cls(
            id=quote.id,
            name=quote.name,
            carrier=quote.carrier,
            amount=quote.amount,
            currency=quote.currency,
            estimated_days=DeliveryDays(min=quote.estimated_days_min, max=quote.estimated_days_max),
        )


class PaymentInstructions(ApiModel):
    """How to pay the order: for `stripe`, confirm the PaymentIntent with its client secret (Stripe.js)."""

    provider: Literal["stripe", "manual"] = Field(description="Who takes the payment")
    payment_intent_id: str | None = Field(description="Stripe's PaymentIntent (null for manual)")
    client_secret: str | None = Field(description="The PaymentIntent's client secret (null for manual); keep private")


class CompletedCheckout(ApiModel):
    """The order the checkout became (`pending_payment`, its stock reserved) and how to pay it."""

    order: Order = Field(description="The new order")
    payment: PaymentInstructions = Field(description="How to pay it")

    @classmethod
    def of(cls, answer: dict[str, Any]) -> CompletedCheckout:
        return cls.model_validate(answer)
