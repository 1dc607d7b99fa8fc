"""API models of orders: what checkout completion answers, and what the orders routes show."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from storefront.domain.orders.entities import ChosenShipping, HistoryEntry, Refund
from storefront.domain.orders.entities import Order as OrderEntity
from storefront.domain.orders.entities import OrderLine as OrderLineEntity
from storefront.domain.orders.entities import PostalAddress as PostalAddressEntity
from storefront.events.base import rfc3339
from storefront.models.base import ApiModel


class PostalAddress(ApiModel):
    """A postal address as a checkout or an order holds it: a copy, unaffected by later edits of a saved address."""

    name: str = Field(description="Who receives the parcel")
    line1: str = Field(description="Street address line 1")
    line2: str | None = Field(description="Street address line 2")
    city: str = Field(description="City or locality")
    region: str | None = Field(description="State, province or region")
    postal_code: str | None = Field(description="Postal or ZIP code")
    country: str = Field(description="ISO 3166-1 alpha-2 country code")
    phone: str | None = Field(description="Phone number for the carrier")

    @classmethod
    def of(cls, address: PostalAddressEntity) -> PostalAddress:
        return cls(**vars(address))

    @classmethod
    def maybe(cls, address: PostalAddressEntity | None) -> PostalAddress | None:
        return cls.of(address) if address is not None else None


class DeliveryDays(ApiModel):
    min: int = Field(description="Fewest days to deliver")
    max: int = Field(description="Most days to deliver")


class ChosenShippingMethod(ApiModel):
    """The shipping method chosen, priced for the address and the items."""

    id: str = Field(description="The method's id in its shipping zone")
    name: str = Field(description="The method's name, e.g. Standard")
    carrier: str = Field(description="Who carries the parcel")
    amount: int = Field(description="What shipping costs, in minor units of the currency")
    currency: str = Field(description="ISO 4217, upper case")
    estimated_days: DeliveryDays = Field(description="Delivery time estimate")

    @classmethod
    def of(cls, method: ChosenShipping, currency: str) -> ChosenShippingMethod:
        return cls(
            id=method.id,
            name=method.name,
            carrier=method.carrier,
            amount=method.amount,
            currency=currency,
            estimated_days=DeliveryDays(min=method.estimated_days_min, max=method.estimated_days_max),
        )


class OrderLine(ApiModel):
    """An order line: units of one SKU at the price frozen at checkout."""

    sku: str = Field(description="The SKU")
    product_id: str = Field(description="Its product")
    name: str = Field(description="The product's name when ordered")
    options: dict[str, str] = Field(description="The variant's options, e.g. {'size': 'M'}")
    quantity: int = Field(description="Units ordered")
    unit_price: int = Field(description="Price of one unit, frozen at checkout (minor units)")
    line_total: int = Field(description="unit_price × quantity")

    @classmethod
    def of(cls, line: OrderLineEntity) -> OrderLine:
        return cls(
            sku=line.sku,
            product_id=line.product_id,
            name=line.name,
            options=dict(line.options),
            quantity=line.quantity,
            unit_price=line.unit_price,
            line_total=line.line_total,
        )


class OrderPaymentState(ApiModel):
    provider: Literal["stripe", "manual"] = Field(description="Who takes the payment")
    status: Literal["pending", "paid", "failed", "cancelled", "refunded", "partially_refunded"] = Field(
        description="Where the payment stands: `cancelled` when the order was cancelled unpaid (nothing was taken)"
    )
    payment_intent_id: str | None = Field(description="Stripe's PaymentIntent (card orders, once created)")


class OrderTracking(ApiModel):
    carrier: str | None = Field(description="Who carries the parcel")
    number: str | None = Field(description="The carrier's tracking number")
    url: str | None = Field(description="Where to follow the parcel")


class OrderHistoryEntry(ApiModel):
    status: str = Field(description="The status the order moved to")
    at: str = Field(description="When (RFC 3339, UTC)")
    by: str = Field(description="Who moved it: a user id, `system` or `stripe`")

    @classmethod
    def of(cls, entry: HistoryEntry) -> OrderHistoryEntry:
        return cls(status=entry.status, at=rfc3339(entry.at), by=entry.by)


class OrderRefund(ApiModel):
    """Money given back on the order."""

    id: str = Field(description="The refund's id")
    amount: int = Field(description="How much (minor units)")
    reason: str = Field(
        description="Why: an admin's reason, `cancelled` (a paid order's cancellation) or "
        "`paid_after_cancellation` (a payment that came after the order was cancelled)"
    )
    at: str = Field(description="When (RFC 3339, UTC)")
    by: str = Field(description="Who: the admin's or the cancelling user's id, or `stripe`")
    provider_refund_id: str | None = Field(description="Stripe's refund id; null for a manual order (refunded by hand)")

    @classmethod
    def of(cls, refund: Refund) -> OrderRefund:
        return cls(
            id=refund.id,
            amount=refund.amount,
            reason=refund.reason,
            at=rfc3339(refund.at),
            by=refund.by,
            provider_refund_id=refund.provider_refund_id,
        )


class Order(ApiModel):
    """An order. Prices, addresses and the shipping method are frozen at checkout."""

    id: str = Field(description="The order id (its checkout's id)")
    number: str = Field(description="A short number to quote to the store (8 characters)")
    user_id: str = Field(description="The customer who placed it")
    status: Literal["pending_payment", "paid", "processing", "shipped", "delivered", "cancelled", "refunded"] = Field(
        description="Where the order stands"
    )
    items: list[OrderLine] = Field(description="The lines, one per SKU")
    subtotal: int = Field(description="Sum of the lines' totals (minor units)")
    shipping_total: int = Field(description="What shipping costs (minor units)")
    total: int = Field(description="subtotal + shipping_total: what the customer pays")
    currency: str = Field(description="ISO 4217, upper case")
    shipping_address: PostalAddress = Field(description="Where the order ships")
    billing_address: PostalAddress = Field(description="The billing address")
    shipping_method: ChosenShippingMethod = Field(description="How it ships")
    payment: OrderPaymentState = Field(description="The payment")
    tracking: OrderTracking | None = Field(description="The parcel's tracking, once shipped")
    refunded_total: int = Field(description="Everything refunded so far (minor units)")
    refunds: list[OrderRefund] = Field(description="Every refund, oldest first; their amounts add up to refunded_total")
    history: list[OrderHistoryEntry] = Field(description="Every status the order took, oldest first")
    payment_deadline: str = Field(description="An unpaid order is cancelled after this (RFC 3339)")
    created_at: str = Field(description="When the order was placed (RFC 3339, UTC)")
    updated_at: str = Field(description="When it last changed (RFC 3339, UTC)")

    @classmethod
    def of(cls, order: OrderEntity) -> Order:
        tracking = order.tracking
        return cls(
            id=order.id,
            number=order.number,
            user_id=order.user_id,
            status=order.status,
            items=[OrderLine.of(line) for line in order.items],
            subtotal=order.subtotal,
            shipping_total=order.shipping_total,
            total=order.total,
            currency=order.currency,
            shipping_address=PostalAddress.of(order.shipping_address),
            billing_address=PostalAddress.of(order.billing_address),
            shipping_method=ChosenShippingMethod.of(order.shipping_method, order.currency),
            payment=OrderPaymentState(
                provider=order.payment.provider,
                status=order.payment.status,
                payment_intent_id=order.payment.payment_intent_id,
            ),
            tracking=OrderTracking(
                carrier=tracking.get("carrier"), number=tracking.get("number"), url=tracking.get("url")
            )
            if tracking
            else None,
            refunded_total=order.refunded_total,
            refunds=[OrderRefund.of(refund) for refund in order.refunds],
            history=[OrderHistoryEntry.of(entry) for entry in order.history],
            payment_deadline=rfc3339(order.payment_deadline),
            created_at=rfc3339(order.created_at),
            updated_at=rfc3339(order.updated_at),
        )
