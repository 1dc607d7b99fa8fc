"""Checkouts: one item per checkout, in its owner's partition (`USER#<id>` / `CHECKOUT#<id>`).

Lines, addresses and the chosen method are JSON documents; `status`, `valid_until` and
`revision` are top-level because every write is conditioned on them: a change applies only
to an open, unexpired checkout at the revision that was read, so two racing PATCHes (or a
PATCH racing the completion) cannot both win. `expires_at` (the table's TTL) is a day
after `valid_until`: an expired checkout still reads as expired for a day.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.transactions import TransactWrite

from storefront.data import keys
from storefront.data.carts import CartHeaderItem
from storefront.data.table import TableItem
from storefront.domain.checkout.entities import Checkout, CheckoutLine
from storefront.domain.orders.entities import ChosenShipping, PostalAddress

_CONDITION_FAILED = ("ConditionalCheckFailedException", "TransactionConflictException")


class CheckoutItem(TableItem, discriminator="Checkout"):
    checkout_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    status = UnicodeAttribute()  # open | completed (expired is derived from valid_until)
    currency = UnicodeAttribute()
    lines = UnicodeAttribute()  # JSON list
    shipping_address = UnicodeAttribute(null=True)  # JSON
    billing_address = UnicodeAttribute(null=True)  # JSON
    shipping_method = UnicodeAttribute(null=True)  # JSON
    created_at = NumberAttribute()
    updated_at = NumberAttribute()
    valid_until = NumberAttribute()
    revision = NumberAttribute()
    order_id = UnicodeAttribute(null=True)
    completed_key_hash = UnicodeAttribute(null=True)
    cart_updated_at = NumberAttribute(null=True)


def _dump(value: Any) -> str | None:
    return None if value is None else json.dumps(asdict(value), separators=(",", ":"))


def _lines(checkout: Checkout) -> str:
    return json.dumps([asdict(line) for line in checkout.lines], separators=(",", ":"))


def checkout_of(item: CheckoutItem) -> Checkout:
    def load(raw: str | None, kind: type[Any]) -> Any:
        return None if raw is None else kind(**json.loads(raw))

    return Checkout(
        id=item.checkout_id,
        user_id=item.user_id,
        status=item.status,  # type: ignore[arg-type]
        currency=item.currency,
        lines=tuple(CheckoutLine(**line) for line in json.loads(item.lines)),
        created_at=int(item.created_at),
        updated_at=int(item.updated_at),
        valid_until=int(item.valid_until),
        revision=int(item.revision),
        shipping_address=load(item.shipping_address, PostalAddress),
        billing_address=load(item.billing_address, PostalAddress),
        shipping_method=load(item.shipping_method, ChosenShipping),
        order_id=item.order_id,
        completed_key_hash=item.completed_key_hash,
        cart_updated_at=int(item.cart_updated_at) if item.cart_updated_at is not None else None,
    )


def create_checkout(checkout: Checkout) -> None:
    """Access pattern CHECKOUT-CREATE: PutItem `USER#<id>`/`CHECKOUT#<id>` if absent (a new ULID)."""
    item = CheckoutItem(
        *keys.checkout(checkout.user_id, checkout.id),
        checkout_id=checkout.id,
        user_id=checkout.user_id,
        status=checkout.status,
        currency=checkout.currency,
        lines=_lines(checkout),
        shipping_address=_dump(checkout.shipping_address),
        billing_address=_dump(checkout.billing_address),
        shipping_method=_dump(checkout.shipping_method),
        created_at=checkout.created_at,
        updated_at=checkout.updated_at,
        valid_until=checkout.valid_until,
        revision=checkout.revision,
        expires_at=checkout.expires_at,
        cart_updated_at=checkout.cart_updated_at,
    )
    item.save(condition=CheckoutItem.PK.does_not_exist())


def read_checkout(user_id: str, checkout_id: str) -> Checkout | None:
    """Access pattern CHECKOUT-BY-ID: consistent GetItem `USER#<caller>`/`CHECKOUT#<id>`.

    The caller's own partition: another user's checkout id finds nothing (404).
    """
    try:
        return checkout_of(CheckoutItem.get(*keys.checkout(user_id, checkout_id), consistent_read=True))
    except CheckoutItem.DoesNotExist:
        return None


def _still_open(before: Checkout, now: int) -> Any:
    return (
        (CheckoutItem.status == "open") & (CheckoutItem.valid_until > now) & (CheckoutItem.revision == before.revision)
    )


def update_checkout(before: Checkout, after: Checkout, now: int) -> bool:
    """Access pattern CHECKOUT-UPDATE: UpdateItem SET lines, addresses, method, `revision + 1`,
    if `status = open AND valid_until > now AND revision = <read>`. False when any failed."""
    actions: list[Any] = [
        CheckoutItem.lines.set(_lines(after)),
        CheckoutItem.updated_at.set(after.updated_at),
        CheckoutItem.revision.add(1),
    ]
    for attribute, value in (
        (CheckoutItem.shipping_address, after.shipping_address),
        (CheckoutItem.billing_address, after.billing_address),
        (CheckoutItem.shipping_method, after.shipping_method),
    ):
        dumped = _dump(value)
        actions.append(attribute.remove() if dumped is None else attribute.set(dumped))
    try:
        CheckoutItem(*keys.checkout(before.user_id, before.id)).update(
            actions=actions, condition=_still_open(before, now)
        )
    except UpdateError as error:
        if error.cause_response_code in _CONDITION_FAILED:
            return False
        raise
    return True


def add_completion(write: TransactWrite, before: Checkout, key_hash: str, now: int) -> None:
    """Access pattern CHECKOUT-COMPLETE: Update `status = completed`, `order_id`, `completed_key_hash`,
    in the completion's transaction, if open, unexpired and at the revision read."""
    write.update(
        CheckoutItem(*keys.checkout(before.user_id, before.id)),
        actions=[
            CheckoutItem.status.set("completed"),
            CheckoutItem.order_id.set(before.id),
            CheckoutItem.completed_key_hash.set(key_hash),
            CheckoutItem.updated_at.set(now),
            CheckoutItem.revision.add(1),
        ],
        condition=_still_open(before, now),
    )


def add_cart_emptying(write: TransactWrite, user_id: str, cart_updated_at: int | None) -> None:
    """Access pattern CART-EMPTY-AT-CHECKOUT: Delete the customer's cart header in the completion's
    transaction, if its `updated_at` is still the one the checkout was opened from. Its lines go
    stale at once (their generation has no header: the cart reads empty) and the header's
    stream record has the cart expiry function delete them. A cart changed since, or already
    bought through another checkout of it (its header gone), cancels the completion."""
    condition = CartHeaderItem.updated_at == cart_updated_at if cart_updated_at is not None else None
    write.delete(CartHeaderItem(*keys.cart_header(keys.user_cart_owner(user_id))), condition=condition)


def cart_changed_since(user_id: str, cart_updated_at: int | None, now: int) -> bool:
    """Access pattern CART-HEADER-READ: consistent GetItem of the customer's cart header: True when
    it is gone, expired, or changed since `cart_updated_at` (a cancelled completion asks why)."""
    if cart_updated_at is None:
        return False
    try:
        header = CartHeaderItem.get(*keys.cart_header(keys.user_cart_owner(user_id)), consistent_read=True)
    except CartHeaderItem.DoesNotExist:
        return True
    return int(header.updated_at) != cart_updated_at or int(header.expires_at or 0) <= now
