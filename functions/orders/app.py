"""Orders: a customer's own orders, every order for staff, cancelling an unpaid one, and staff moves."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from storefront.domain.identity.roles import Role
from storefront.domain.orders import fulfilment, service
from storefront.http.auth import Principal
from storefront.http.openapi import BAD_CURSOR, responses, retry_later
from storefront.http.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from storefront.http.params import Customer, Manager, OrderId
from storefront.http.resolver import http_handler, make_resolver
from storefront.http.responses import json_response
from storefront.models.order_routes import OrderPage, OrderStatusName, OrderTransitionCreate
from storefront.models.orders import Order

app = make_resolver()

StatusFilter = Annotated[
    OrderStatusName | None, Query(description="Only the orders in this status (a customer's own, or staff's any)")
]
UserFilter = Annotated[
    str | None,
    Query(min_length=1, max_length=64, description="Staff: only this customer's orders. A customer may not set it"),
]

_TAGS = ["Orders"]
_UNKNOWN = {404: "No such order, or it is another customer's"}
_BUSY = retry_later("The order kept changing while it was being moved; retry after `Retry-After` seconds")


def _staff(principal: Principal) -> bool:
    return principal.role.includes(Role.MANAGER)


@app.get(
    "/v1/orders",
    summary="List orders, newest first",
    description="A customer lists their own orders (`status` narrows them). Staff list the orders of one "
    "`status`, or of one customer (`user_id`), or both; without either, a 422 (a list of every order is "
    "not available yet). The lists are read from indexes: an order placed or moved a moment ago may "
    "take a moment to appear in them.",
    tags=_TAGS,
    responses=responses(
        200,
        "A page of orders",
        errors={
            **BAD_CURSOR,
            403: "A customer set `user_id`",
            422: "Staff gave neither `status` nor `user_id`, or a parameter is invalid",
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
    summary="Cancel an unpaid order (its owner, or staff)",
    description="An order in `pending_payment` is cancelled and its reserved stock released, in one "
    "transaction. A paid order's cancellation refunds it in full, which is not available yet: 409.",
    tags=_TAGS,
    responses=responses(
        200,
        "The cancelled order",
        errors={
            **_UNKNOWN,
            409: "The order is paid (a refund is needed), or its status cannot be cancelled "
            "(`current_status`, `allowed`)",
            503: _BUSY,
        },
    ),
)
def cancel_order(order_id: OrderId, principal: Customer) -> Response[Order]:
    order = service.cancel(order_id, viewer=principal.user_id, staff=_staff(principal))
    return json_response(Order.of(order), private=True)


@app.post(
    "/v1/orders/<order_id>/transitions",
    summary="Move an order along the state table (manager)",
    description="`paid` records a manual order's payment and commits its reserved stock (a card order is "
    "paid only through Stripe: 409); `processing` follows `paid`; `shipped` follows `processing` and needs "
    "`carrier` and `tracking_number` (the order gets `tracking` with a URL for UPS, USPS, FedEx and DHL); "
    "`delivered` follows `shipped`; `cancelled` cancels an unpaid order. Two racing moves never both "
    "win: the loser gets the 409 of the state that won.",
    tags=_TAGS,
    responses=responses(
        200,
        "The moved order",
        errors={
            **_UNKNOWN,
            409: "The state table has no such move from the order's status (`current_status`, `allowed`), "
            "a card order cannot be marked paid by hand, or the move needs a refund",
            422: "`carrier` and `tracking_number` missing for `shipped`, or given for another move",
            503: _BUSY,
        },
    ),
)
def move_order(order_id: OrderId, body: OrderTransitionCreate, principal: Manager) -> Response[Order]:
    order = fulfilment.transition(
        order_id, body.to, by=principal.user_id, carrier=body.carrier, tracking_number=body.tracking_number
    )
    return json_response(Order.of(order), private=True)


lambda_handler = http_handler(app)
