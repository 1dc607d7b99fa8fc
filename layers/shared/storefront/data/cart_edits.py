"""Cart changes other than adding: set a line's quantity, remove a line, delete a cart, start a guest cart.

Each is conditioned on the generation read (`cart_id`), so a change never lands in a
cart that expired or restarted meanwhile; the caller re-reads and decides on False.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from pynamodb.exceptions import PutError
from pynamodb.transactions import TransactWrite

from storefront.data import keys
from storefront.data.carts import CartHeaderItem, CartLineItem
from storefront.data.product_items import ProductItem
from storefront.data.table import TableItem, committed

_TRANSACTION_LIMIT = 100


def _touch_header(write: TransactWrite, owner: str, cart_id: str, now: int, expires_at: int, *extra: Any) -> None:
    actions = [CartHeaderItem.updated_at.set(now), CartHeaderItem.expires_at.set(expires_at), *extra]
    condition = (CartHeaderItem.cart_id == cart_id) & (CartHeaderItem.expires_at > now)
    write.update(CartHeaderItem(*keys.cart_header(owner)), actions=actions, condition=condition)


def set_line_quantity(
    owner: str,
    cart_id: str,
    sku: str,
    quantity: int,
    now: int,
    expires_at: int,
    *,
    on_sale: tuple[str, str] | None = None,
) -> bool:
    """Access pattern CART-LINE-SET: TransactWriteItems: Update the line (SET quantity, conditioned on its
    generation) and the header (SET updated_at, expires_at, conditioned on the generation and not expired);
    with `on_sale` (the product id and the cart's currency: the line grows), ConditionCheck that product
    `status = active AND currency = <the cart's>`, as an add does."""

    def write_all(write: TransactWrite) -> None:
        line = CartLineItem(*keys.cart_line(owner, sku))
        write.update(line, actions=[CartLineItem.quantity.set(quantity)], condition=CartLineItem.cart_id == cart_id)
        _touch_header(write, owner, cart_id, now, expires_at)
        if on_sale is not None:
            product_id, currency = on_sale
            product_pk, product_sk = keys.product(product_id)
            sold = (ProductItem.status == "active") & (ProductItem.currency == currency)
            write.condition_check(ProductItem, product_pk, product_sk, condition=sold)

    return committed(write_all)


def remove_line(owner: str, cart_id: str, sku: str, now: int, expires_at: int) -> bool:
    """Access pattern CART-LINE-REMOVE: TransactWriteItems: Delete the line (conditioned on its generation);
    Update the header (DELETE the SKU from `skus`, SET updated_at and expires_at)."""

    def write_all(write: TransactWrite) -> None:
        line = CartLineItem(*keys.cart_line(owner, sku))
        write.delete(line, condition=CartLineItem.cart_id == cart_id)
        _touch_header(write, owner, cart_id, now, expires_at, CartHeaderItem.skus.delete({sku}))

    return committed(write_all)


class CartDeletion(Enum):
    DELETED = "deleted"  # a live cart's header went
    ABSENT = "absent"  # no live cart (an expired header is left to the TTL)
    CANCELLED = "cancelled"  # a concurrent write cancelled the header's transaction: nothing changed


def delete_cart(owner: str, now: int) -> CartDeletion:
    """Access pattern CART-DELETE: consistent Query PK = CART#<owner>, then TransactWriteItems of
    Deletes (at most 100 per transaction), each conditioned on the `cart_id` read (the header
    also on not being expired).

    The header goes in the first transaction, so the lines are stale from then on even if a
    later chunk is cancelled by a concurrent write (a line of a new generation is never
    deleted: its `cart_id` differs). If that first transaction is cancelled, nothing more is
    deleted (the header would still list lines gone) and the caller re-reads. A header that
    expired is left as it is: it is gone for its owner already, and its deletion by the TTL
    is what emits its `cart.abandoned`.
    """
    items = list(TableItem.query(keys.cart_partition(owner), consistent_read=True))
    headers = [item for item in items if isinstance(item, CartHeaderItem)]
    lines = [item for item in items if isinstance(item, CartLineItem)]
    if any(int(header.expires_at or 0) <= now for header in headers):
        return CartDeletion.ABSENT
    ordered: list[CartHeaderItem | CartLineItem] = [*headers, *lines]
    for start in range(0, len(ordered), _TRANSACTION_LIMIT):
        chunk = ordered[start : start + _TRANSACTION_LIMIT]

        def write_all(write: TransactWrite, chunk: list[CartHeaderItem | CartLineItem] = chunk) -> None:
            for item in chunk:
                condition: Any = type(item).cart_id == item.cart_id
                if isinstance(item, CartHeaderItem):  # not one that expired since it was read
                    condition &= CartHeaderItem.expires_at > now
                write.delete(item, condition=condition)

        if not committed(write_all) and start == 0 and headers:
            return CartDeletion.CANCELLED
    return CartDeletion.DELETED if headers else CartDeletion.ABSENT


def start_guest_cart(owner: str, cart_id: str, now: int, expires_at: int) -> None:
    """Access pattern GUEST-CART-START: PutItem of the header, conditioned on no item at that key.

    The owner is the hash of 256 random bits: a collision is not expected, and would be refused.
    """
    item = CartHeaderItem(*keys.cart_header(owner), cart_id=cart_id, updated_at=now, expires_at=expires_at)
    try:
        item.save(condition=CartHeaderItem.PK.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise RuntimeError("a guest cart token collided with an existing cart") from error
        raise
