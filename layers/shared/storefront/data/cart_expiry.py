"""What follows a cart header's deletion: the abandonment event, once, and its stale lines' removal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from storefront.data import keys
from storefront.data.carts import CartHeaderItem, CartLineItem
from storefront.data.outbox import OutboxItem, outbox_item
from storefront.data.table import TableItem, deleted_if, saved_if
from storefront.events.base import DomainEvent


@dataclass(frozen=True)
class RemovedCart:
    """A cart header as the stream's REMOVE record shows it (its old image)."""

    owner: str
    user_id: str | None  # None: a guest cart
    cart_id: str
    skus: list[str]
    currency: str | None
    updated_at: int
    expires_at: int


def removed_cart(old_image: dict[str, Any]) -> RemovedCart:
    """The header of a stream record's OldImage (DynamoDB JSON); KeyError/ValueError when malformed."""
    owner = old_image["PK"]["S"].removeprefix(keys.cart_partition(""))
    user_prefix = keys.user_cart_owner("")
    return RemovedCart(
        owner=owner,
        user_id=owner.removeprefix(user_prefix) if owner.startswith(user_prefix) else None,
        cart_id=old_image["cart_id"]["S"],
        skus=sorted((old_image.get("skus") or {}).get("SS") or []),
        currency=(old_image.get("currency") or {}).get("S"),
        updated_at=int(old_image["updated_at"]["N"]),
        expires_at=int((old_image.get("expires_at") or {"N": "0"})["N"]),
    )


def put_event_once(event: DomainEvent, event_id: str, now: int) -> bool:
    """Access pattern OUTBOX-PUT-ONCE: PutItem of the outbox item keyed by `event_id`, if absent.

    False when it was already there (a redelivered record): the event was emitted before.
    """
    return saved_if(outbox_item(event, now, event_id), OutboxItem.PK.does_not_exist())


def delete_stale_lines(owner: str) -> int:
    """Access pattern CART-STALE-LINES: consistent Query PK = CART#<owner>, then a DeleteItem of each
    line whose `cart_id` is not the live header's, conditioned on the `cart_id` read (a line a new
    generation rewrote meanwhile stays). Returns how many went.

    One conditional delete per line, not a transaction: each line is stale on its own, and a
    transaction would bill every delete twice and keep them all when one line was rewritten."""
    items = list(TableItem.query(keys.cart_partition(owner), consistent_read=True))
    live = {item.cart_id for item in items if isinstance(item, CartHeaderItem)}
    stale = [item for item in items if isinstance(item, CartLineItem) and item.cart_id not in live]
    return sum(deleted_if(line, CartLineItem.cart_id == line.cart_id) for line in stale)
