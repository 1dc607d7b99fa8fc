"""Orders: a customer's own orders, every order for staff, cancelling one, staff moves and admins' refunds."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from storefront.domain.identity.roles import Role
from storefront.domain.orders import fulfilment, refunds, service
from storefront.http.auth import Principal
from storefront.http.openapi import BAD_CURSOR, responses, retry_later
from storefront.http.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from storefront.http.params import Admin, Customer, IdempotencyKeyValue, Manager, OrderId, idempotency_key
from storefront.http.resolver import http_handler, make_resolver
from storefront.http.responses import json_response
from storefront.models.order_routes import OrderPage, OrderStatusName, OrderTransitionCreate, RefundCreate
from storefront.models.orders import Order
from storefront.payments import payment_provider

app = make_resolver()

StatusFilter = Annotated[
    OrderStatusName | None, Query(description="Only the orders in this status (a customer's own, or staff's any)")
]
UserFilter = Annotated[
    str | None,
    Query(min_length=1, max_length=64, description="Staff: only this customer's orders. A customer may not set it"),
]

RefundKey = Annotated[
    IdempotencyKeyValue | None,
    idempotency_key(
        "Recommended: 1–255 printable ASCII characters naming this refund (a UUID). A refund the order "
        "records under this key (the caller's) is answered again, 201 with the order as it now stands, "
        "however late; the same key with another amount or reason → 422. Without it, every request is a "
        "new refund"
    ),
]

_TAGS = ["Orders"]
_UNKNOWN = {404: "No such order, or it is another customer's"}
_BUSY = retry_later(
    "The order kept changing while it was being moved, or Stripe did not answer a refund; retry after "
    "`Retry-After` seconds (a retried refund is never made twice)"
)
_REFUSED = {502: "Stripe refused the refund (`provider_code`); retrying will not help"}


def _staff(principal: Principal) -> bool:
    return principal.role.includes(Role.MANAGER)


@app.get(
    "/v1/orders",
    summary="List orders, newest first",
    description="A customer lists their own orders (`status` narrows them). Staff list every order, or "
    "the orders of one `status`, or of one customer (`user_id`), or both. The lists are read from "
    "indexes: an order placed or moved a moment ago may take a moment to appear in them.",
    tags=_TAGS,
    responses=responses(
        200,
        "A page of orders",
        errors={
            **BAD_CURSOR,
            403: "A customer set `user_id` to another customer's id",
            422: "A parameter is invalid (`status` not one of the order states, `limit` out of range)",
        },
    ),
)
def list_orders(
    principal: Customer,
    status: StatusFilter = None,
    user_id: UserFilter = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response[OrderPage]:
    staff = _staff(principal)
    page = paginate(
        lambda size, start: service.list_orders(
            viewer=principal.user_id, staff=staff, user_id=user_id, status=status, limit=size, start=start
        ),
        limit=limit,
        cursor=cursor,
        caller=principal.user_id,
        scope=f"orders?status={status or ''}&user_id={user_id or ''}",
    )
    return json_response(
        OrderPage(items=[Order.of(order) for order in page.items], next_cursor=page.next_cursor), private=True
    )


@app.get(
    "/v1/orders/<order_id>",
    summary="One order (its owner, or staff)",
    tags=_TAGS,
    responses=responses(200, "The order", errors=_UNKNOWN),
)
def get_order(order_id: OrderId, principal: Customer) -> Response[Order]:
    order = service.get_order(order_id, viewer=principal.user_id, staff=_staff(principal))
    return json_response(Order.of(order), private=True)


@app.post(
    "/v1/orders/<order_id>/cancel",
    summary="Cancel an order (its owner, or staff)",
    description="The owner cancels an order in `pending_payment` or `paid`; staff also one in `processing`. "
    "An unpaid order's reserved stock is released; a paid one is refunded in full through its provider "
    "(Stripe, under the idempotency key of the order's next refund; a manual order's refund is recorded, "
    "the money goes back by hand) and its units go back to stock. The order's change, the stock and the "
    "events (`order.cancelled`, and `order.refunded` for a paid order) are one transaction. A retried "
    "cancellation finds the order cancelled: 409 with `current_status`, never a second refund.",
    tags=_TAGS,
    responses=responses(
        200,
        "The cancelled order",
        errors={
            **_UNKNOWN,
            409: "The order's status cannot be cancelled by the caller (`current_status`, `allowed`): "
            "already cancelled, shipped, or in processing for a customer",
            **_REFUSED,
            503: _BUSY,
        },
    ),
)
def cancel_order(order_id: OrderId, principal: Customer) -> Response[Order]:
    order = service.cancel(order_id, viewer=principal.user_id, staff=_staff(principal), card=payment_provider("card"))
    return json_response(Order.of(order), private=True)


@app.post(
    "/v1/orders/<order_id>/refunds",
    summary="Refund (part of) a paid order (admin)",
    description="Refunds `amount` (minor units; all that is left when absent) of an order in `paid`, "
    "`processing`, `shipped` or `delivered`: through Stripe for a card order, recorded only for a manual "
    "one. The refund is added to the order's `refunds` and `refunded_total`; the payment becomes "
    "`partially_refunded`, or `refunded` when all is refunded, which also moves the order to `refunded`. "
    "`order.refunded` is staged in the same transaction. Stripe is asked first, under the idempotency key "
    "of the order's next refund (`order-<id>-refund-<n>`): a request retried before its refund was "
    "recorded gets the same Stripe refund, never a second. Send an `Idempotency-Key` so that a request "
    "re-sent after its answer was lost is answered again instead of refunding once more. Answers the "
    "updated order.",
    tags=_TAGS,
    responses=responses(
        201,
        "The order with its new refund (the last of `refunds`)",
        errors={
            **_UNKNOWN,
            403: "The caller is not an admin",
            409: "The order's status cannot be refunded (`current_status`; `refundable_from`: the statuses "
            "a refund is made from; `allowed`: the order's moves, as on every order 409), a concurrent request "
            "made this same refund (`refund_id`), or Stripe holds a different refund under the same key",
            422: "`amount` is more than is left to refund (`refundable`), the `Idempotency-Key` made another "
            "refund of this order (`refund_id`), or the body or the key is invalid",
            **_REFUSED,
            503: _BUSY,
        },
    ),
)
def refund_order(
    order_id: OrderId, body: RefundCreate, principal: Admin, idempotency_key: RefundKey = None
) -> Response[Order]:
    order = refunds.refund(
        order_id,
        amount=body.amount,
        reason=body.reason,
        by=principal.user_id,
        card=payment_provider("card"),
        idempotency_key=idempotency_key,
    )
    return json_response(Order.of(order), 201, private=True)


@app.post(
    "/v1/orders/<order_id>/transitions",
    summary="Move an order along the state table (manager)",
    description="`paid` records a manual order's payment and commits its reserved stock (a card order is "
    "paid only through Stripe: 409); `processing` follows `paid`; `shipped` follows `processing` and needs "
    "`carrier` and `tracking_number` (the order gets `tracking` with a URL for UPS, USPS, FedEx and DHL); "
    "`delivered` follows `shipped`; `cancelled` cancels the order as `POST …/cancel` does (a paid or processing "
    "order is refunded in full, its units back in stock); `refunded` is reached only by refunds. Two racing "
    "moves never both win: the loser gets the 409 of the state that won.",
    tags=_TAGS,
    responses=responses(
        200,
        "The moved order",
        errors={
            **_UNKNOWN,
            409: "The state table has no such move from the order's status (`current_status`; `allowed`: "
            "the table's moves from it), a card order cannot be marked paid by hand, or `refunded` was asked "
            "for: it is in the table but reached only by refunding the whole amount (POST …/refunds)",
            **_REFUSED,
            422: "`carrier` and `tracking_number` missing for `shipped`, or given for another move",
            503: _BUSY,
        },
    ),
)
def move_order(order_id: OrderId, body: OrderTransitionCreate, principal: Manager) -> Response[Order]:
    order = fulfilment.transition(
        order_id,
        body.to,
        by=principal.user_id,
        card=payment_provider("card"),
        carrier=body.carrier,
        tracking_number=body.tracking_number,
    )
    return json_response(Order.of(order), private=True)


lambda_handler = http_handler(app)
