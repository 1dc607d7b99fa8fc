"""Orders: one item per order, its number claim, and its three index entries.

An order lives at `ORDER#<id>` (the id is its checkout's: a checkout completes once). Its
lines, addresses, shipping method, payment and history are one JSON document, stored
compressed (`packed_body`, data/packing.py), frozen at creation except by status changes;
the attributes that conditions and indexes need are top-level: `status`, `revision`,
`user_id`, `payment_intent_id`. GSI1 lists a customer's orders, GSI2 the orders of one
status, GSI3 (keys only) every order, all in creation order (ULIDs).

Every change after creation is conditioned on the `revision` it read (and bumps it), so
two racing changes cannot both win; the loser reads again and decides (a transition that
is no longer allowed is the caller's 409).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any, cast

from pynamodb.attributes import BinaryAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from storefront.data import keys
from storefront.data.packing import ORDER_DICTIONARY_1, pack, unpack
from storefront.data.table import TableItem, query_slice
from storefront.domain.orders.entities import (
    ChosenShipping,
    HistoryEntry,
    Order,
    OrderLine,
    OrderPayment,
    PostalAddress,
    Refund,
)
from storefront.domain.pages import Slice

# Crockford's base32 without the look-alikes: a number read over the phone is unambiguous.
_NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_LENGTH = 8  # 32^8 ≈ 10^12 numbers: a collision (a retried transaction) is rare


class OrderItem(TableItem, discriminator="Order"):
    order_id = UnicodeAttribute()
    number = UnicodeAttribute()
    user_id = UnicodeAttribute()
    status = UnicodeAttribute()
    currency = UnicodeAttribute()
    total = NumberAttribute()
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    payment_deadline = NumberAttribute()
    payment_provider = UnicodeAttribute()
    payment_intent_id = UnicodeAttribute(null=True)
    revision = NumberAttribute(default=1)
    # Lines, addresses, shipping, payment, history, refunds, tracking: JSON, compressed with a
    # preset dictionary. A write is billed per started KB, and the item is written again (and
    # copied into GSI1 and GSI2, which project every attribute) at each status change: packed, a
    # 3-line order with its history is well under 1 KB in all instead of 2 KB, half the units.
    packed_body = BinaryAttribute(null=True, legacy_encoding=False)
    body = UnicodeAttribute(null=True)  # the same document as plain JSON: orders written before packing


class OrderNumberItem(TableItem, discriminator="OrderNumber"):
    order_id = UnicodeAttribute()


class StripeEventItem(TableItem, discriminator="StripeEvent"):
    stripe_event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    order_id = UnicodeAttribute(null=True)
    applied_at = NumberAttribute()


# Stripe retries a webhook for up to 3 days; a claim outlives every redelivery.
STRIPE_EVENT_RETENTION_S = 30 * 24 * 3600


def new_order_number() -> str:
    return "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))


def _packed_body(order: Order) -> bytes:
    document = {
        "items": [asdict(line) for line in order.items],
        "shipping_total": order.shipping_total,
        "shipping_address": asdict(order.shipping_address),
        "billing_address": asdict(order.billing_address),
        "shipping_method": asdict(order.shipping_method),
        "payment": asdict(order.payment),
        "history": [asdict(entry) for entry in order.history],
        "refunded_total": order.refunded_total,
        "refunds": [asdict(refund) for refund in order.refunds],
        "tracking": order.tracking,
    }
    return pack(json.dumps(document, separators=(",", ":")), ORDER_DICTIONARY_1)


def order_of(item: OrderItem) -> Order:
    packed, plain = item.packed_body, item.body
    document: dict[str, Any] = json.loads(unpack(packed) if packed is not None else cast(str, plain))
    payment = OrderPayment(**document["payment"])
    if item.payment_intent_id and not payment.payment_intent_id:
        payment = OrderPayment(payment.provider, payment.status, item.payment_intent_id)
    return Order(
        id=item.order_id,
        number=item.number,
        user_id=item.user_id,
        status=item.status,  # type: ignore[arg-type]
        items=tuple(OrderLine(**line) for line in document["items"]),
        shipping_total=int(document["shipping_total"]),
        currency=item.currency,
        shipping_address=PostalAddress(**document["shipping_address"]),
        billing_address=PostalAddress(**document["billing_address"]),
        shipping_method=ChosenShipping(**document["shipping_method"]),
        payment=payment,
        created_at=int(item.created_at),
        updated_at=int(item.updated_at),
        payment_deadline=int(item.payment_deadline),
        history=tuple(HistoryEntry(**entry) for entry in document["history"]),
        refunded_total=int(document["refunded_total"]),
        refunds=tuple(Refund(**refund) for refund in document.get("refunds", [])),
        tracking=document.get("tracking"),
    )


def _index_keys(order: Order) -> dict[str, str]:
    gsi1pk, gsi1sk = keys.user_orders_index(order.user_id, order.id)
    deadline = order.payment_deadline if order.status == "pending_payment" else None
    gsi2pk, gsi2sk = keys.orders_by_status_index(order.status, order.id, deadline)
    return {"GSI1PK": gsi1pk, "GSI1SK": gsi1sk, "GSI2PK": gsi2pk, "GSI2SK": gsi2sk}


def add_order_creation(write: TransactWrite, order: Order) -> None:
    """Access pattern ORDER-CREATE: Put the order and its number claim, both if absent, in a transaction.

    An existing order (its checkout was completed already) or a taken number cancels the
    transaction; the caller tells them apart by reading, and retries with a new number.
    """
    pk, sk = keys.order(order.id)
    item = OrderItem(
        pk,
        sk,
        order_id=order.id,
        number=order.number,
        user_id=order.user_id,
        status=order.status,
        currency=order.currency,
        total=order.total,
        created_at=order.created_at,
        updated_at=order.updated_at,
        payment_deadline=order.payment_deadline,
        payment_provider=order.payment.provider,
        payment_intent_id=order.payment.payment_intent_id,
        revision=1,
        packed_body=_packed_body(order),
    )
    index = _index_keys(order)
    item.GSI1PK, item.GSI1SK, item.GSI2PK, item.GSI2SK = (
        index["GSI1PK"],
        index["GSI1SK"],
        index["GSI2PK"],
        index["GSI2SK"],
    )
    item.GSI3PK, item.GSI3SK = keys.all_orders_index(order.id)  # set once: no later write changes them
    write.save(item, condition=OrderItem.PK.does_not_exist())
    claim = OrderNumberItem(*keys.order_number_claim(order.number), order_id=order.id)
    write.save(claim, condition=OrderNumberItem.PK.does_not_exist())


def read_order(order_id: str, *, consistent: bool = True) -> tuple[Order, int] | None:
    """Access pattern ORDER-BY-ID: GetItem `ORDER#<id>`/`ORDER`; the order and its revision."""
    try:
        item = OrderItem.get(*keys.order(order_id), consistent_read=consistent)
    except OrderItem.DoesNotExist:
        return None
    return order_of(item), int(item.revision)


def number_taken(number: str) -> bool:
    """Access pattern ORDER-NUMBER-CLAIM: consistent GetItem `ORDER_NUMBER#<number>`."""
    try:
        OrderNumberItem.get(*keys.order_number_claim(number), consistent_read=True)
    except OrderNumberItem.DoesNotExist:
        return False
    return True


def add_order_change(write: TransactWrite, before: Order, revision: int, after: Order) -> None:
    """Access pattern ORDER-CHANGE: Update the order to `after`, conditioned on the revision read.

    Moves the status index entry (GSI2) with the status; the revision goes up by one.
    """
    index = _index_keys(after)
    # The PaymentIntent id is only ever set (ORDER-PAYMENT-INTENT or here), never removed: a
    # change read before the completion stored it must not erase it.
    intent: list[Any] = (
        [OrderItem.payment_intent_id.set(after.payment.payment_intent_id)] if after.payment.payment_intent_id else []
    )
    write.update(
        OrderItem(*keys.order(before.id)),
        actions=[
            OrderItem.status.set(after.status),
            OrderItem.updated_at.set(after.updated_at),
            OrderItem.packed_body.set(_packed_body(after)),
            OrderItem.body.remove(),  # an order written before packing is packed at its first change
            OrderItem.GSI2PK.set(index["GSI2PK"]),
            OrderItem.GSI2SK.set(index["GSI2SK"]),
            OrderItem.revision.add(1),
            *intent,
        ],
        condition=(OrderItem.revision == revision) & (OrderItem.status == before.status),
    )


def set_payment_intent(order_id: str, intent_id: str) -> bool:
    """Access pattern ORDER-PAYMENT-INTENT: UpdateItem, once: the PaymentIntent of a card order.

    Conditioned on the order having none yet (or this one: a retried completion). The JSON
    body is not touched: `order_of` takes the id from this attribute. It bumps `revision`,
    so a change read before it (a cancellation racing the payment's start) re-reads. False
    when the order already names another PaymentIntent.
    """
    try:
        OrderItem(*keys.order(order_id)).update(
            actions=[OrderItem.payment_intent_id.set(intent_id), OrderItem.revision.add(1)],
            condition=OrderItem.PK.exists()
            & (OrderItem.payment_intent_id.does_not_exist() | (OrderItem.payment_intent_id == intent_id)),
        )
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def unpaid_oldest_first(page_size: int = 50) -> Iterator[tuple[Order, int]]:
    """Access pattern ORDERS-UNPAID: Query GSI2 `ORDERS#STATUS#pending_payment`, oldest first.

    An unpaid order's index sort key starts with its payment deadline, so the reader
    stops at the first order whose deadline is still ahead.
    The index is eventually consistent: the reader re-reads an order before acting on it.
    """
    results = OrderItem.gsi2.query(
        keys.orders_by_status_partition("pending_payment"),
        OrderItem.GSI2SK.startswith(keys.order_index_prefix()),
        scan_index_forward=True,
        page_size=page_size,
    )
    for item in results:
        order_item = cast(OrderItem, item)
        yield order_of(order_item), int(order_item.revision)


def add_stripe_event_claim(
    write: TransactWrite, stripe_event_id: str, event_type: str, order_id: str | None, now: int
) -> None:
    """Access pattern STRIPE-EVENT-CLAIM: Put `STRIPE_EVENT#<id>` if absent, in the effect's transaction.

    A redelivered event cancels the transaction: its effect is applied once.
    """
    item = StripeEventItem(
        *keys.stripe_event(stripe_event_id),
        stripe_event_id=stripe_event_id,
        event_type=event_type,
        order_id=order_id,
        applied_at=now,
        expires_at=now + STRIPE_EVENT_RETENTION_S,
    )
    write.save(item, condition=StripeEventItem.PK.does_not_exist())


def stripe_event_applied(stripe_event_id: str) -> bool:
    """Access pattern STRIPE-EVENT-SEEN: consistent GetItem `STRIPE_EVENT#<id>`."""
    try:
        StripeEventItem.get(*keys.stripe_event(stripe_event_id), consistent_read=True)
    except StripeEventItem.DoesNotExist:
        return False
    return True


def _converted(item: object) -> Order:
    return order_of(cast(OrderItem, item))


def orders_of_user(user_id: str, limit: int, start: dict[str, Any] | None, status: str | None = None) -> Slice[Order]:
    """Access pattern ORDERS-OF-USER: Query GSI1 `ORDERS#USER#<uid>`, newest first (ScanIndexForward false).

    With `status`, a filter on it: the Query also reads the customer's orders in other
    states, which one customer's order count bounds. The index is eventually consistent.
    """
    results = OrderItem.gsi1.query(
        keys.user_orders_partition(user_id),
        OrderItem.GSI1SK.startswith(keys.order_index_prefix()),
        filter_condition=(OrderItem.status == status) if status is not None else None,
        scan_index_forward=False,
        limit=limit + 1,
        page_size=limit + 1,
        last_evaluated_key=start,
    )
    return query_slice(results, limit, _converted)


def orders_in_status(status: str, limit: int, start: dict[str, Any] | None) -> Slice[Order]:
    """Access pattern ORDERS-BY-STATUS: Query GSI2 `ORDERS#STATUS#<status>`, newest first (ScanIndexForward false).

    Staff's list of one status. The index is eventually consistent: an order that just
    changed status may still be listed under its previous one for a moment.
    """
    results = OrderItem.gsi2.query(
        keys.orders_by_status_partition(status),
        OrderItem.GSI2SK.startswith(keys.order_index_prefix()),
        scan_index_forward=False,
        limit=limit + 1,
        page_size=limit + 1,
        last_evaluated_key=start,
    )
    return query_slice(results, limit, _converted)


def all_orders(limit: int, start: dict[str, Any] | None) -> Slice[Order]:
    """Access pattern ORDERS-ALL: Query GSI3 `ORDERS#ALL` newest first, then BatchGetItem the page.

    Staff's list of every order. GSI3 holds keys only (one write per order, ever), so the
    page's orders are read from the table: two requests a page. Both reads are eventually
    consistent, like every list.
    """
    response = TableItem._get_connection().query(
        keys.all_orders_partition(),
        OrderItem.GSI3SK.startswith(keys.order_index_prefix()),
        index_name="GSI3",
        scan_index_forward=False,
        limit=limit + 1,
        exclusive_start_key=start,
    )
    found: list[dict[str, Any]] = response.get("Items", [])
    page = found[:limit]
    keys_of_page = [(entry["PK"]["S"], entry["SK"]["S"]) for entry in page]
    read = {(item.PK, item.SK): order_of(item) for item in OrderItem.batch_get(keys_of_page)}
    orders = [read[key] for key in keys_of_page if key in read]
    # The Query read one more than the page: an item beyond it means another page follows.
    return Slice(orders, page[-1] if len(found) > limit else None)
