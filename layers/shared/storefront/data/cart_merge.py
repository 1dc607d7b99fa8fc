"""Merging a guest cart into a customer's cart: one transaction, so a token merges once.

The transaction holds one Update per guest line written into the customer's cart, one
Update of the customer's header and one Delete of the guest header: at most 98 + 2 = 100
actions (guest carts hold at most 95 lines). The guest lines are left behind, stale: with
their header gone no read counts them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.expressions.condition import size
from pynamodb.transactions import TransactWrite

from storefront.data import keys
from storefront.data.carts import CartHeaderItem, CartLineItem
from storefront.data.table import committed


@dataclass(frozen=True)
class MergedLine:
    sku: str
    product_id: str
    quantity: int  # the line's quantity after the merge
    read_quantity: int | None  # the customer's live line as read (None: not in the cart)
    stored_cart_id: str | None  # the customer's stored line's generation (stale or live), None when absent


@dataclass(frozen=True)
class CartMergePlan:
    user_owner: str
    guest_owner: str
    guest_cart_id: str
    live_cart_id: str | None  # the customer's live generation, None when the cart starts now
    previous_cart_id: str | None  # the customer's expired generation, None when no header
    new_cart_id: str
    read_skus: int  # how many SKUs the customer's live header listed
    new_skus: frozenset[str]  # SKUs the merge adds to the customer's header
    currency: str | None
    lines: list[MergedLine]
    now: int
    expires_at: int


def _line(write: TransactWrite, plan: CartMergePlan, line: MergedLine) -> None:
    item = CartLineItem(*keys.cart_line(plan.user_owner, line.sku))
    if line.read_quantity is not None:
        live = (CartLineItem.cart_id == plan.live_cart_id) & (CartLineItem.quantity == line.read_quantity)
        write.update(item, actions=[CartLineItem.quantity.set(line.quantity)], condition=live)
        return
    actions: list[Any] = [
        CartLineItem.entity.set(CartLineItem),
        CartLineItem.cart_id.set(plan.live_cart_id or plan.new_cart_id),
        CartLineItem.sku.set(line.sku),
        CartLineItem.product_id.set(line.product_id),
        CartLineItem.quantity.set(line.quantity),
        CartLineItem.added_at.set(plan.now),
    ]
    if line.stored_cart_id is None:
        condition: Any = CartLineItem.PK.does_not_exist()
    else:
        condition = CartLineItem.cart_id == line.stored_cart_id
    write.update(item, actions=actions, condition=condition)


def _user_header(write: TransactWrite, plan: CartMergePlan) -> None:
    item = CartHeaderItem(*keys.cart_header(plan.user_owner))
    actions: list[Any] = [CartHeaderItem.updated_at.set(plan.now), CartHeaderItem.expires_at.set(plan.expires_at)]
    if plan.currency is not None:
        actions.append(CartHeaderItem.currency.set(plan.currency))
    if plan.live_cart_id is None:
        actions += [CartHeaderItem.entity.set(CartHeaderItem), CartHeaderItem.cart_id.set(plan.new_cart_id)]
        if plan.new_skus:
            actions.append(CartHeaderItem.skus.set(set(plan.new_skus)))
        if plan.previous_cart_id is None:
            condition: Any = CartHeaderItem.PK.does_not_exist()
        else:
            condition = CartHeaderItem.cart_id == plan.previous_cart_id
        write.update(item, actions=actions, condition=condition)
        return
    if plan.new_skus:
        actions.append(CartHeaderItem.skus.add(set(plan.new_skus)))
    # The SKU count as read: a line added or removed meanwhile cancels the merge (re-planned).
    same_skus = (
        CartHeaderItem.skus.does_not_exist() if plan.read_skus == 0 else size(CartHeaderItem.skus) == plan.read_skus  # type: ignore[no-untyped-call]
    )
    condition = (CartHeaderItem.cart_id == plan.live_cart_id) & (CartHeaderItem.expires_at > plan.now) & same_skus
    write.update(item, actions=actions, condition=condition)


def merge_carts(plan: CartMergePlan) -> bool:
    """Access pattern CART-MERGE: TransactWriteItems: Delete the guest header (conditioned on its
    generation, not expired); Update each merged customer line (SET quantity conditioned on the
    quantity read, or SET a new line on its pre-image); Update the customer's header (ADD skus,
    conditioned on its generation and SKU count as read, or start a new generation).
    False when cancelled: the caller re-reads (a merged token then reads as absent: 404)."""

    def write_all(write: TransactWrite) -> None:
        guest = CartHeaderItem(*keys.cart_header(plan.guest_owner))
        live = (CartHeaderItem.cart_id == plan.guest_cart_id) & (CartHeaderItem.expires_at > plan.now)
        write.delete(guest, condition=live)
        for line in plan.lines:
            _line(write, plan, line)
        if plan.lines:
            _user_header(write, plan)

    return committed(write_all)
