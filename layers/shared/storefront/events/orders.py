"""Order and payment events: an order's life from its creation to its payment or cancellation."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, Field, StrictInt, StrictStr

from storefront.domain.orders.entities import Order
from storefront.events.base import EVENT_CONFIG, DomainEvent


class OrderedUnits(BaseModel):
    model_config = EVENT_CONFIG

    sku: StrictStr = Field(description="The SKU ordered")
    product_id: StrictStr = Field(description="Its product")
    quantity: StrictInt = Field(description="Units ordered")
    unit_price: StrictInt = Field(description="Price of one unit, frozen at checkout (minor units)")


class _OrderEvent(DomainEvent):
    order_id: StrictStr = Field(description="The order")
    number: StrictStr = Field(description="The order's short human number")
    user_id: StrictStr = Field(description="The customer who placed it")
    total: StrictInt = Field(description="What the order costs in all (minor units)")
    currency: StrictStr = Field(description="ISO 4217, upper case")

    @classmethod
    def _common(cls, order: Order) -> dict[str, object]:
        return {
            "order_id": order.id,
            "number": order.number,
            "user_id": order.user_id,
            "total": order.total,
            "currency": order.currency,
        }


class OrderCreated(_OrderEvent):
    """A checkout was completed: the order exists in `pending_payment` with its stock reserved.

    Staged in the completion's transaction, with the stock reservations and the emptied cart.
    """

    event_type: ClassVar[str] = "order.created"
    version: ClassVar[int] = 1

    items: list[OrderedUnits] = Field(description="The order's lines, merged per SKU")
    payment_method: Literal["card", "manual"] = Field(description="How the customer chose to pay")
    payment_deadline: StrictStr = Field(description="Unpaid after this (RFC 3339), the order is cancelled")

    @classmethod
    def of(cls, order: Order, payment_method: Literal["card", "manual"], payment_deadline: str) -> OrderCreated:
        units = [
            OrderedUnits(sku=line.sku, product_id=line.product_id, quantity=line.quantity, unit_price=line.unit_price)
            for line in order.items
        ]
        return cls(**cls._common(order), items=units, payment_method=payment_method, payment_deadline=payment_deadline)


class OrderPaid(_OrderEvent):
    """The order's payment succeeded (Stripe, or a manager recorded a manual payment).

    Staged in the transaction that moves the order to `paid` and commits its reserved stock.
    """

    event_type: ClassVar[str] = "order.paid"
    version: ClassVar[int] = 1

    provider: Literal["stripe", "manual"] = Field(description="Who took the payment")
    payment_intent_id: StrictStr | None = Field(description="Stripe's PaymentIntent; null for a manual payment")

    @classmethod
    def of(cls, order: Order) -> OrderPaid:
        payment = order.payment
        return cls(**cls._common(order), provider=payment.provider, payment_intent_id=payment.payment_intent_id)


class OrderCancelled(_OrderEvent):
    """The order was cancelled; an unpaid order's reserved stock went back in the same transaction."""

    event_type: ClassVar[str] = "order.cancelled"
    version: ClassVar[int] = 1

    reason: Literal["expired", "customer", "staff"] = Field(
        description="expired: unpaid past its deadline; customer: by its owner; staff: by a manager or admin"
    )
    previous_status: StrictStr = Field(description="The status it was cancelled from")

    @classmethod
    def of(cls, order: Order, reason: Literal["expired", "customer", "staff"], previous: str) -> OrderCancelled:
        return cls(**cls._common(order), reason=reason, previous_status=previous)


class OrderRefunded(_OrderEvent):
    """Money went back to the customer (in full or in part): an admin's refund, the cancellation
    of a paid order, or a payment that arrived after its order was cancelled."""

    event_type: ClassVar[str] = "order.refunded"
    version: ClassVar[int] = 1

    status: StrictStr = Field(
        description="The order's status after the refund: `refunded` once all is refunded, `cancelled` for "
        "a cancellation, else unchanged"
    )
    amount: StrictInt = Field(description="This refund's amount (minor units)")
    refunded_total: StrictInt = Field(description="Everything refunded on the order so far")
    reason: StrictStr = Field(
        description="Why: the admin's reason; `cancelled` for a paid order's cancellation; "
        "`paid_after_cancellation` when a payment arrived for a cancelled order"
    )
    refund_id: StrictStr | None = Field(description="The payment provider's refund id; null for a manual order")

    @classmethod
    def of(cls, order: Order, amount: int, reason: str, refund_id: str | None) -> OrderRefunded:
        return cls(
            **cls._common(order),
            status=order.status,
            amount=amount,
            refunded_total=order.refunded_total,
            reason=reason,
            refund_id=refund_id,
        )


class PaymentFailed(DomainEvent):
    """A payment attempt for an unpaid order failed; the order stays payable until its deadline."""

    event_type: ClassVar[str] = "payment.failed"
    version: ClassVar[int] = 1

    order_id: StrictStr = Field(description="The order the payment was for")
    user_id: StrictStr = Field(description="The customer")
    payment_intent_id: StrictStr = Field(description="Stripe's PaymentIntent")
    amount: StrictInt = Field(description="The amount attempted (minor units)")
    currency: StrictStr = Field(description="ISO 4217, upper case")
    failure_code: StrictStr | None = Field(description="Stripe's code for the failure, when it gave one")
    failure_message: StrictStr | None = Field(description="Stripe's message for the failure, when it gave one")


class FulfilmentEvent(_OrderEvent):
    """The base of the events of a staff move after payment (processing, shipped, delivered)."""

    by: StrictStr = Field(description="The staff member's user id who moved the order")

    @classmethod
    def of(cls, order: Order) -> FulfilmentEvent:
        return cls(**cls._common(order), by=order.history[-1].by if order.history else "system")


class OrderProcessing(FulfilmentEvent):
    """A paid order is being prepared for shipping (a manager moved it to `processing`)."""

    event_type: ClassVar[str] = "order.processing"
    version: ClassVar[int] = 1


class OrderShipped(FulfilmentEvent):
    """The order left the warehouse: it carries the parcel's tracking."""

    event_type: ClassVar[str] = "order.shipped"
    version: ClassVar[int] = 1

    carrier: StrictStr = Field(description="Who carries the parcel (UPS, USPS, FedEx, DHL or another's name)")
    tracking_number: StrictStr = Field(description="The carrier's tracking number")
    tracking_url: StrictStr | None = Field(description="Where to follow the parcel; null for a carrier without one")

    @classmethod
    def of(cls, order: Order) -> OrderShipped:
        tracking = order.tracking or {}  # a shipped order always has its tracking (domain/orders/fulfilment.py)
        return cls(
            **cls._common(order),
            by=order.history[-1].by if order.history else "system",
            carrier=str(tracking["carrier"]),
            tracking_number=str(tracking["number"]),
            tracking_url=tracking.get("url"),
        )


class OrderDelivered(FulfilmentEvent):
    """The parcel reached the customer (a manager moved the order to `delivered`)."""

    event_type: ClassVar[str] = "order.delivered"
    version: ClassVar[int] = 1
